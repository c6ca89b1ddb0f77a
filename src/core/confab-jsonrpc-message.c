/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-jsonrpc-message"

#include "config.h"

#include "confab-json-private.h"
#include "confab-jsonrpc-message-private.h"

/* A request (@id ≥ 0) or a notification. */
static JsonNode *
build_message (const char *method,
               gint64      id,
               JsonNode   *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  if (id >= 0)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, id);
    }
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  if (params != NULL)
    {
      json_builder_set_member_name (builder, "params");
      json_builder_add_value (builder, json_node_copy (params));
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
_confab_jsonrpc_message_new_request (const char *method,
                                     guint       id,
                                     JsonNode   *params)
{
  g_return_val_if_fail (method != NULL, NULL);

  return build_message (method, id, params);
}

JsonNode *
_confab_jsonrpc_message_new_notification (const char *method,
                                          JsonNode   *params)
{
  g_return_val_if_fail (method != NULL, NULL);

  return build_message (method, -1, params);
}

JsonNode *
_confab_jsonrpc_message_new_reply (JsonNode   *id,
                                   JsonNode   *result,
                                   int         error_code,
                                   const char *error_message)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  json_builder_add_value (builder, json_node_copy (id));
  if (error_message != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, error_code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, error_message);
      json_builder_end_object (builder);
    }
  else
    {
      json_builder_set_member_name (builder, "result");
      if (result != NULL)
        json_builder_add_value (builder, json_node_copy (result));
      else
        {
          json_builder_begin_object (builder);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
_confab_jsonrpc_message_new_cancelled_params (guint       id,
                                              const char *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "requestId");
  json_builder_add_int_value (builder, id);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

GBytes *
_confab_jsonrpc_message_to_line (JsonNode *message)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;
  GString *line;
  gsize len;

  g_return_val_if_fail (message != NULL, NULL);

  /* The compact generator never writes a raw newline: strings escape theirs. */
  generator = json_generator_new ();
  json_generator_set_root (generator, message);
  text = json_generator_to_data (generator, &len);

  line = g_string_new_len (text, len);
  g_string_append_c (line, '\n');

  return g_string_free_to_bytes (line);
}

gboolean
_confab_jsonrpc_message_get_id (JsonNode *node,
                                guint    *id)
{
  gint64 value;

  g_return_val_if_fail (id != NULL, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  /* JSON-RPC matches ids exactly: Confab sends integers, so only an integer answers. */
  if (json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  value = json_node_get_int (node);

  if (value < 0 || value > G_MAXUINT)
    return FALSE;

  *id = (guint)value;
  return TRUE;
}

JsonNode *
_confab_jsonrpc_message_with_progress_token (JsonNode *params,
                                             guint     token)
{
  JsonNode *copy;
  JsonObject *object;
  JsonNode *meta_node;
  JsonObject *meta;

  g_return_val_if_fail (params != NULL && JSON_NODE_HOLDS_OBJECT (params), NULL);

  copy = json_node_copy (params);
  object = json_node_get_object (copy);
  meta_node = json_object_get_member (object, "_meta");
  if (meta_node != NULL && JSON_NODE_HOLDS_OBJECT (meta_node))
    meta = json_node_get_object (meta_node);
  else
    {
      meta = json_object_new ();
      json_object_set_object_member (object, "_meta", meta);
    }
  json_object_set_int_member (meta, "progressToken", token);

  return copy;
}

char
_confab_jsonrpc_line_first_char (const char *line,
                                 gsize       len)
{
  gsize i = 0;

  while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
    i++;

  return i < len ? line[i] : '\0';
}

gboolean
_confab_jsonrpc_line_is_banner (const char *line,
                                gsize       len)
{
  char c = _confab_jsonrpc_line_first_char (line, len);

  return c != '\0' && c != '{' && c != '[';
}
