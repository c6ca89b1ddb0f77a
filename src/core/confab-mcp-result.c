/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-result"

#include "config.h"

#include "confab-json-private.h"
#include "confab-mcp-server.h"

/* What the model reads of a tools/call result: confab_mcp_result_to_text(). */

static gsize
base64_decoded_size (const char *data)
{
  gsize len = 0, padding = 0;

  for (const char *p = data; *p; p++)
    {
      if (*p == '=')
        padding++;
      else if (g_ascii_isalnum (*p) || *p == '+' || *p == '/' || *p == '-' || *p == '_')
        len++;
    }

  return (len * 3) / 4;
}

static void
describe_item (GString    *out,
               JsonObject *item)
{
  const char *type = _confab_json_get_string (item, "type", "unknown");

  if (g_str_equal (type, "image") || g_str_equal (type, "audio"))
    {
      const char *mime = _confab_json_get_string (item, "mimeType", "unknown type");
      const char *data = _confab_json_get_string (item, "data", "");

      g_string_append_printf (out, "[%s: %s, %" G_GSIZE_FORMAT " bytes]",
                              type, mime, base64_decoded_size (data));
    }
  else if (g_str_equal (type, "resource"))
    {
      JsonObject *resource = _confab_json_get_object (item, "resource");
      const char *uri = NULL, *mime = NULL, *text = NULL, *blob = NULL;

      if (resource != NULL)
        {
          uri = _confab_json_get_string (resource, "uri", NULL);
          mime = _confab_json_get_string (resource, "mimeType", NULL);
          text = _confab_json_get_string (resource, "text", NULL);
          blob = _confab_json_get_string (resource, "blob", NULL);
        }

      g_string_append_printf (out, "[resource: %s", uri ? uri : "(no uri)");
      if (mime != NULL)
        g_string_append_printf (out, ", %s", mime);
      if (blob != NULL)
        g_string_append_printf (out, ", %" G_GSIZE_FORMAT " bytes", base64_decoded_size (blob));
      g_string_append_c (out, ']');
      /* An embedded text resource is content the model should read. */
      if (text != NULL)
        g_string_append_printf (out, "\n%s", text);
    }
  else if (g_str_equal (type, "resource_link"))
    {
      const char *uri = _confab_json_get_string (item, "uri", "(no uri)");
      const char *name = _confab_json_get_string (item, "name", NULL);

      if (name != NULL)
        g_string_append_printf (out, "[resource link: %s, %s]", name, uri);
      else
        g_string_append_printf (out, "[resource link: %s]", uri);
    }
  else
    g_string_append_printf (out, "[%s content]", type);
}

char *
confab_mcp_result_to_text (JsonNode *result,
                           gboolean *is_error)
{
  GString *out = g_string_new (NULL);
  JsonObject *object;
  JsonArray *content;
  gboolean first = TRUE;

  if (is_error != NULL)
    *is_error = FALSE;

  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
    return g_string_free (out, FALSE);

  object = json_node_get_object (result);

  if (is_error != NULL)
    *is_error = _confab_json_get_boolean (object, "isError", FALSE);

  content = _confab_json_get_array (object, "content");
  for (guint i = 0; content != NULL && i < json_array_get_length (content); i++)
    {
      JsonNode *element = json_array_get_element (content, i);
      JsonObject *item;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      item = json_node_get_object (element);

      if (!first)
        g_string_append_c (out, '\n');
      first = FALSE;

      if (g_strcmp0 (_confab_json_get_string (item, "type", NULL), "text") == 0)
        g_string_append (out, _confab_json_get_string (item, "text", ""));
      else
        describe_item (out, item);
    }

  /* A server may answer only with structured content. */
  if (first && json_object_has_member (object, "structuredContent"))
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *text = NULL;

      json_generator_set_root (generator, json_object_get_member (object, "structuredContent"));
      text = json_generator_to_data (generator, NULL);
      g_string_append (out, text);
    }

  return g_string_free (out, FALSE);
}
