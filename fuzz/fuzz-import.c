/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The importers (Confab JSON, ChatGPT, Open WebUI through the yajl adapter) and the go-vcr
 * cassette reader (JSON, and YAML with libyaml) on arbitrary files: nothing may crash or
 * leak, and a file is either read whole or refused with an error. The first byte picks the
 * reader. */
#include "config.h"

#include <gio/gio.h>

#include "confab-cassette.h"
#include "confab-conversation.h"
#include "confab-import.h"
#include "confab-json-stream-private.h"
#include "fuzz-util.h"

/* The answers in a cassette go through the delta accumulator, which hands events it cannot
 * read itself to json-glib, and json-glib 1.6.6 leaks on some of those (see fuzz-util.h):
 * fuzz-delta covers the accumulator, so cassettes with an SSE event that is not one clean
 * JSON value are skipped here. The cassette is read here with json-glib only when it has no
 * second top-level value itself. */
static gboolean
has_extra_root_event (const char *data,
                      gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *interactions;

  if (fuzz_json_has_extra_root (data, len))
    return TRUE;
  if (!json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "interactions") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "interactions")))
    return FALSE;

  interactions = json_object_get_array_member (json_node_get_object (root), "interactions");
  for (guint i = 0; i < json_array_get_length (interactions); i++)
    {
      JsonNode *item = json_array_get_element (interactions, i);
      JsonObject *response;
      JsonNode *body;
      g_auto(GStrv) lines = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (item) ||
          !json_object_has_member (json_node_get_object (item), "response") ||
          !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (item), "response")))
        continue;
      response = json_object_get_object_member (json_node_get_object (item), "response");
      body = json_object_get_member (response, "body");
      if (body == NULL || !JSON_NODE_HOLDS_VALUE (body) || json_node_get_value_type (body) != G_TYPE_STRING)
        continue;
      lines = g_strsplit_set (json_node_get_string (body), "\r\n", -1);
      for (guint j = 0; lines[j] != NULL; j++)
        if (g_str_has_prefix (lines[j], "data:") && strstr (lines[j], "[DONE]") == NULL)
          {
            g_autoptr(JsonNode) event = _confab_json_stream_parse (lines[j] + 5, -1, NULL);

            if (event == NULL || fuzz_json_has_extra_root (lines[j] + 5, strlen (lines[j] + 5)))
              return TRUE;
          }
    }

  return FALSE;
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;

  if (size < 1)
    return 0;

  if (data[0] & 1)
    {
      g_autoptr(ConfabConversation) conversation = NULL;

      /* YAML cassettes are not filtered: their SSE is not looked into. */
      if (size > 1 && data[1] == '{' && has_extra_root_event ((const char *) data + 1, size - 1))
        return 0;
      conversation = confab_cassette_read_data ((const char *) data + 1, size - 1, "fuzz", &error);

      if ((conversation == NULL) == (error == NULL))
        g_error ("the cassette reader returned %s and %s", conversation ? "a conversation" : "nothing",
                 error ? "an error" : "no error");
    }
  else
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data + 1, size - 1, NULL);
      g_autoptr(ConfabImportResult) result = confab_import_read (stream, size - 1, NULL, NULL, NULL, &error);

      if ((result == NULL) == (error == NULL))
        g_error ("the importer returned %s and %s", result ? "a result" : "nothing", error ? "an error" : "no error");
      if (result != NULL && result->conversations->len != result->ids->len)
        g_error ("%u conversations but %u ids", result->conversations->len, result->ids->len);
    }

  return 0;
}
