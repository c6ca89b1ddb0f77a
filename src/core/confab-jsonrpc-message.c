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

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      /* A whole number in range only: a cast of NaN, ±inf or 3e43 is undefined behaviour. */
      if (!_confab_json_node_get_int (node, 0, G_MAXUINT, &value))
        return FALSE;
      break;
    case G_TYPE_STRING:
      if (!g_ascii_string_to_signed (json_node_get_string (node), 10, 0, G_MAXUINT, &value, NULL))
        return FALSE;
      break;
    default:
      return FALSE;
    }

  if (value < 0 || value > G_MAXUINT)
    return FALSE;

  *id = (guint)value;
  return TRUE;
}
