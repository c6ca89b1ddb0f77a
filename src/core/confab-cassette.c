/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cassette"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-cassette.h"
#include "confab-cassette-private.h"
#include "confab-conversation.h"
#include "confab-delta-accumulator.h"
#include "confab-error.h"
#include "confab-json-stream-private.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

gboolean
confab_cassette_supports_yaml (void)
{
#ifdef HAVE_YAML
  return TRUE;
#else
  return FALSE;
#endif
}

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && g_ascii_isspace (*p))
    p++;
  return p;
}

gboolean
confab_cassette_sniff (const char *data,
                       gsize       len)
{
  const char *end = data + len;
  const char *p = skip_space (data, end);

  if (p < end && *p == '{')
    return TRUE;
  return (end - p >= 3 && memcmp (p, "---", 3) == 0) ||
         (end - p >= 8 && memcmp (p, "version:", 8) == 0) ||
         (end - p >= 13 && memcmp (p, "interactions:", 13) == 0);
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Bodies inside a cassette are JSON written by others. NULL when not JSON. (transfer full) */
static JsonNode *
parse_untrusted (const char *text)
{
  return text != NULL ? _confab_json_stream_parse (text, -1, NULL) : NULL;
}

/* Text of a request message's content: a string, or the text parts of an array. */
static char *
content_text (JsonNode *content)
{
  GString *out = g_string_new (NULL);

  if (content != NULL && JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
    g_string_append (out, json_node_get_string (content));
  else if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (content)); i++)
      {
        JsonNode *part = json_array_get_element (json_node_get_array (content), i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT (part) ? json_node_get_object (part) : NULL;

        if (out->len > 0)
          g_string_append (out, "\n\n");
        if (get_string (o, "text") != NULL)
          g_string_append (out, get_string (o, "text"));
        else
          g_string_append_printf (out, "[%s]", get_string (o, "type") ?: "?");
      }

  return g_string_free (out, FALSE);
}

/* The tool call with @id among the last assistant message's, or NULL. */
static ConfabToolCall *
find_call (ConfabConversation *conversation,
           const char         *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

  for (guint i = n; i > 0; i--)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i - 1);
      GListModel *calls = confab_message_get_tool_calls (message);

      if (confab_message_get_role (message) != CONFAB_ROLE_ASSISTANT)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (calls); j++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, j);

          if (g_strcmp0 (confab_tool_call_get_id (call), id) == 0)
            return call;
        }
      return NULL;
    }

  return NULL;
}

static ConfabMessage *
request_message (ConfabConversation *conversation,
                 JsonObject         *object)
{
  ConfabRole role = CONFAB_ROLE_USER;
  g_autofree char *text = content_text (json_object_get_member (object, "content"));
  ConfabMessage *message;
  JsonNode *calls = json_object_get_member (object, "tool_calls");

  confab_role_from_string (get_string (object, "role"), &role);
  message = confab_message_new (role, text);
  confab_message_set_tool_call_id (message, get_string (object, "tool_call_id"));

  if (calls != NULL && JSON_NODE_HOLDS_ARRAY (calls))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (calls)); i++)
      {
        JsonObject *c = json_array_get_object_element (json_node_get_array (calls), i);
        JsonObject *function = get_object (c, "function");
        g_autoptr(ConfabToolCall) call = confab_tool_call_new (i);

        confab_tool_call_set_id (call, get_string (c, "id"));
        confab_tool_call_set_name (call, get_string (function, "name"));
        confab_tool_call_set_arguments (call, get_string (function, "arguments"));
        confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_DONE);
        confab_message_add_tool_call (message, call);
      }

  /* A tool result: onto its call's card too. */
  if (role == CONFAB_ROLE_TOOL && conversation != NULL && confab_message_get_tool_call_id (message) != NULL)
    {
      ConfabToolCall *call = find_call (conversation, confab_message_get_tool_call_id (message));

      if (call != NULL)
        {
          confab_tool_call_set_result (call, text);
          confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_DONE);
        }
    }

  return message;
}

/* The answer of one interaction: SSE through the delta accumulator, or a whole completion. */
static ConfabMessage *
answer_message (JsonObject *response,
                const char *request_body,
                const char *model)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  const char *body = get_string (response, "body") ?: "";
  JsonNode *code_node = json_object_get_member (response, "code");
  gint64 code = code_node != NULL && JSON_NODE_HOLDS_VALUE (code_node) ? json_node_get_int (code_node) : 200;
  const char *p = skip_space (body, body + strlen (body));
  g_autoptr(GBytes) raw = g_bytes_new (body, strlen (body));

  confab_message_set_model (message, model);
  confab_message_set_request_body (message, request_body);
  confab_message_set_raw_response (message, raw);

  if (code < 200 || code >= 300)
    {
      g_autoptr(GError) error = g_error_new (CONFAB_ERROR, CONFAB_ERROR_HTTP, "HTTP %d: %s", (int) code, body);

      confab_message_fail (message, error);
      return g_steal_pointer (&message);
    }

  if (*p == '{')
    {
      /* Not streamed: a whole chat completion. */
      g_autoptr(JsonNode) root = parse_untrusted (body);
      JsonObject *object = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
      JsonArray *choices = object && json_object_has_member (object, "choices") &&
                           JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "choices"))
                           ? json_object_get_array_member (object, "choices") : NULL;
      JsonObject *choice = choices && json_array_get_length (choices) > 0 ? json_array_get_object_element (choices, 0) : NULL;
      JsonObject *m = get_object (choice, "message");

      if (m != NULL)
        {
          g_autoptr(ConfabMessage) whole = request_message (NULL, m);
          GListModel *calls = confab_message_get_tool_calls (whole);

          confab_message_set_content (message, confab_message_get_content (whole));
          confab_message_set_reasoning (message, get_string (m, "reasoning_content") ?: get_string (m, "reasoning"));
          for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
            {
              g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
              confab_message_add_tool_call (message, call);
            }
          confab_message_set_finish_reason (message, get_string (choice, "finish_reason"));
        }
      if (get_object (object, "usage") != NULL)
        confab_usage_update_from_json (confab_message_get_usage (message), get_object (object, "usage"));
      if (get_string (object, "model") != NULL)
        confab_message_set_model (message, get_string (object, "model"));
      confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
    }
  else
    {
      g_autoptr(ConfabDeltaAccumulator) accumulator = NULL;
      g_autoptr(GError) error = NULL;
      GListModel *calls;

      confab_message_set_state (message, CONFAB_MESSAGE_STATE_STREAMING);
      accumulator = confab_delta_accumulator_new (message);
      if (confab_delta_accumulator_feed_bytes (accumulator, body, strlen (body), &error) &&
          (confab_delta_accumulator_is_done (accumulator) || confab_delta_accumulator_finish (accumulator, &error)))
        confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
      else
        confab_message_fail (message, error);

      /* Calls that streamed whole are shown as called (their results come with the next request). */
      calls = confab_message_get_tool_calls (message);
      for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);

          if (confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_STREAMING)
            confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_DONE);
        }
    }

  return g_steal_pointer (&message);
}

/* go-vcr writes durations as Go does ("172.074667ms", "1.5s"). Seconds, -1 when unknown. */
static double
parse_duration (const char *text)
{
  char *end = NULL;
  double value;

  if (text == NULL)
    return -1;
  value = g_ascii_strtod (text, &end);
  if (end == text)
    return -1;
  if (g_str_equal (end, "ms"))
    return value / 1000.0;
  if (g_str_equal (end, "µs") || g_str_equal (end, "us"))
    return value / 1e6;
  if (g_str_equal (end, "ns"))
    return value / 1e9;
  if (g_str_equal (end, "s"))
    return value;
  return -1;
}

static gboolean
keep_root (JsonNode  *item,
           gpointer   user_data,
           GError   **error)
{
  JsonNode **root = user_data;

  /* A top-level array comes element by element: not a cassette. */
  if (*root != NULL || !JSON_NODE_HOLDS_OBJECT (item))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("This is not a go-vcr cassette: %s."),
                   _("there is no “interactions” list"));
      return FALSE;
    }
  *root = json_node_ref (item);
  return TRUE;
}

static gboolean
not_a_cassette (GError    **error,
                const char *what)
{
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("This is not a go-vcr cassette: %s."), what);
  return FALSE;
}

ConfabConversation *
confab_cassette_read_data (const char  *data,
                           gsize        len,
                           const char  *name,
                           GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  JsonObject *object;
  JsonNode *interactions;
  guint n_known = 0;     /* request messages already in the conversation (system included) */
  g_autofree char *title = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  if (!confab_cassette_sniff (data, len))
    {
      not_a_cassette (error, _("it is neither JSON nor YAML"));
      return NULL;
    }

  if (*skip_space (data, data + len) == '{')
    {
      /* yajl, with its depth limit (json-glib recurses). */
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data, len, NULL);

      if (!_confab_json_stream_read (stream, keep_root, NULL, &root, NULL, error))
        return NULL;
    }
  else
    {
#ifdef HAVE_YAML
      if ((root = _confab_cassette_yaml_to_json (data, len, error)) == NULL)
        return NULL;
#else
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
                           _("This cassette is YAML, and this Confab was built without YAML support: convert it to JSON."));
      return NULL;
#endif
    }

  object = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  interactions = object ? json_object_get_member (object, "interactions") : NULL;
  if (interactions == NULL || !JSON_NODE_HOLDS_ARRAY (interactions))
    {
      not_a_cassette (error, _("there is no “interactions” list"));
      return NULL;
    }

  conversation = confab_conversation_new ();
  title = g_strdup_printf (_("Recording: %s"), name ? name : _("cassette"));
  confab_conversation_set_title (conversation, title);
  confab_conversation_set_provider_name (conversation, _("Recording"));

  for (guint i = 0; i < json_array_get_length (json_node_get_array (interactions)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (interactions), i);
      JsonObject *interaction = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      JsonObject *request = get_object (interaction, "request");
      JsonObject *response = get_object (interaction, "response");
      const char *request_body = get_string (request, "body");
      const char *url = get_string (request, "url");
      g_autoptr(JsonNode) body = NULL;
      g_autoptr(ConfabMessage) answer = NULL;
      JsonObject *body_object;
      JsonArray *messages = NULL;
      const char *model;
      double duration;

      if (request == NULL || response == NULL)
        {
          not_a_cassette (error, _("an interaction without a request or a response"));
          return NULL;
        }

      body = parse_untrusted (request_body);
      body_object = body && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
      if (body_object != NULL && json_object_has_member (body_object, "messages") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (body_object, "messages")))
        messages = json_object_get_array_member (body_object, "messages");
      model = get_string (body_object, "model");

      if (i == 0)
        {
          confab_conversation_set_model (conversation, model);
          if (url != NULL && g_str_has_suffix (url, "/chat/completions"))
            {
              g_autofree char *base = g_strndup (url, strlen (url) - strlen ("/chat/completions"));
              confab_conversation_set_base_url (conversation, base);
            }
        }

      /* The client replays the history: what is new in this request follows what we have
       * (our decoded answer stands for the assistant message it sends back). */
      if (messages != NULL && json_array_get_length (messages) < n_known)
        n_known = 0;
      for (guint m = n_known; messages != NULL && m < json_array_get_length (messages); m++)
        {
          JsonNode *node = json_array_get_element (messages, m);
          JsonObject *mo = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          g_autoptr(ConfabMessage) message = NULL;

          if (mo == NULL)
            continue;
          if (g_strcmp0 (get_string (mo, "role"), "system") == 0 &&
              confab_conversation_get_system_prompt (conversation) == NULL)
            {
              g_autofree char *text = content_text (json_object_get_member (mo, "content"));

              confab_conversation_set_system_prompt (conversation, text);
              continue;
            }
          message = request_message (conversation, mo);
          confab_conversation_append (conversation, message);
        }
      n_known = (messages ? json_array_get_length (messages) : 0) + 1;

      answer = answer_message (response, request_body, model);
      duration = parse_duration (get_string (response, "duration"));
      if (duration >= 0)
        confab_usage_set_timings (confab_message_get_usage (answer), -1, duration);
      confab_conversation_append (conversation, answer);
    }

  return g_steal_pointer (&conversation);
}

ConfabConversation *
confab_cassette_read (const char  *path,
                      GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *name = g_path_get_basename (path);
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;

  return confab_cassette_read_data (data, len, name, error);
}
