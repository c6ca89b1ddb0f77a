/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cassette-writer"

#include "config.h"

#include <string.h>

#include "confab-cassette-writer.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-store.h"

#define REQUEST "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}"
#define RESPONSE "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Olá\"}}]}\n\ndata: [DONE]\n\n"

static ConfabMessage *
assistant_new (const char *request,
               const char *response)
{
  ConfabMessage *message = confab_message_new (CONFAB_ROLE_ASSISTANT, "Olá");

  confab_message_set_request_body (message, request);
  if (response != NULL)
    confab_message_append_raw_response (message, (const guint8 *) response, strlen (response));
  confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
  return message;
}

/* One turn: user "Hi", one request and its answer. */
static ConfabConversation *
conversation_new (const char *base_url)
{
  ConfabConversation *conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Hi");
  g_autoptr(ConfabMessage) assistant = assistant_new (REQUEST, RESPONSE);

  confab_conversation_set_base_url (conversation, base_url);
  confab_conversation_append (conversation, user);
  confab_conversation_append (conversation, assistant);
  return conversation;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static char *
member_names (JsonObject *object)
{
  g_autoptr(GList) names = g_list_sort (json_object_get_members (object), (GCompareFunc) g_strcmp0);
  g_autoptr(GString) out = g_string_new (NULL);

  for (GList *l = names; l != NULL; l = l->next)
    g_string_append_printf (out, "%s%s", out->len ? "," : "", (const char *) l->data);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_same_keys (JsonObject *expected,
                  JsonObject *actual,
                  const char *where)
{
  g_autofree char *e = member_names (expected);
  g_autofree char *a = member_names (actual);

  g_test_message ("%s: %s", where, a);
  g_assert_cmpstr (a, ==, e);
}

/* The writer's JSON has the keys of the shared recordings at every level, and the same
 * types where it matters to a reader (version and code numbers, bodies strings). */
static void
test_shape_matches_shared_cassettes (void)
{
  g_autoptr(ConfabConversation) conversation = conversation_new ("https://api.example.com/v1");
  g_autoptr(ConfabCassetteWriter) writer = confab_cassette_writer_new (conversation, NULL);
  g_autofree char *shared_path = g_build_filename (g_getenv ("CONFAB_CASSETTES_DIR"),
                                                   "tool_streaming_groq-kimi-k2.json", NULL);
  g_autofree char *shared_text = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) shared = NULL;
  g_autoptr(JsonNode) written = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *si, *wi;

  g_assert_true (confab_cassette_writer_add_turn_at (writer, -1, &error));
  g_assert_no_error (error);
  text = confab_cassette_writer_to_data (writer, CONFAB_CASSETTE_FORMAT_JSON);

  g_assert_true (g_file_get_contents (shared_path, &shared_text, NULL, &error));
  g_assert_no_error (error);
  shared = parse (shared_text);
  written = parse (text);

  assert_same_keys (json_node_get_object (shared), json_node_get_object (written), "top");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (written), "version"), ==, 2);

  si = json_array_get_object_element (json_object_get_array_member (json_node_get_object (shared), "interactions"), 0);
  wi = json_array_get_object_element (json_object_get_array_member (json_node_get_object (written), "interactions"), 0);
  assert_same_keys (si, wi, "interaction");
  assert_same_keys (json_object_get_object_member (si, "request"), json_object_get_object_member (wi, "request"), "request");
  assert_same_keys (json_object_get_object_member (si, "response"), json_object_get_object_member (wi, "response"), "response");

  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (wi, "request"), "body"), ==, REQUEST);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (wi, "request"), "url"), ==,
                   "https://api.example.com/v1/chat/completions");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (wi, "response"), "body"), ==, RESPONSE);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (wi, "response"), "code"), ==, 200);
}

/* No key reaches the file: not the API key, not a configured header's value, not a
 * key-like query parameter. */
static void
test_secrets_removed (void)
{
  g_autoptr(ConfabConversation) conversation = conversation_new ("https://api.example.com/v1?api_key=sk-query-secret&region=eu");
  g_autoptr(ConfabProvider) provider = confab_provider_new ("Example", "https://api.example.com/v1?api_key=sk-query-secret&region=eu");
  g_autoptr(ConfabCassetteWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  const char *headers[] = { "X-Api-Key: sk-header-secret", "Cookie: session=sk-cookie", "OpenAI-Organization: org-secret", NULL };
  g_autofree char *json = NULL;
  g_autofree char *yaml = NULL;

  confab_provider_set_api_key (provider, "sk-bearer-secret");
  confab_provider_set_headers (provider, headers);
  writer = confab_cassette_writer_new (conversation, provider);
  g_assert_true (confab_cassette_writer_add_turn_at (writer, 0, &error));
  g_assert_no_error (error);

  json = confab_cassette_writer_to_data (writer, CONFAB_CASSETTE_FORMAT_JSON);
  yaml = confab_cassette_writer_to_data (writer, CONFAB_CASSETTE_FORMAT_YAML);

  for (guint i = 0; i < 2; i++)
    {
      const char *text = i == 0 ? json : yaml;

      g_assert_null (strstr (text, "sk-"));
      g_assert_null (strstr (text, "org-secret"));
      g_assert_null (strstr (text, "Authorization"));
      g_assert_null (strstr (text, "Cookie"));
      /* The header names stay (the request needs them), the values go. */
      g_assert_nonnull (strstr (text, "X-Api-Key"));
      g_assert_nonnull (strstr (text, "api_key=REDACTED&region=eu"));
    }
}

static void
test_redact_url (void)
{
  g_autofree char *plain = confab_cassette_redact_url ("https://h/v1/chat/completions");
  g_autofree char *keyed = confab_cassette_redact_url ("https://h/v1?key=abc&x-goog-api-key=def&alt=sse#frag");

  g_assert_cmpstr (plain, ==, "https://h/v1/chat/completions");
  g_assert_cmpstr (keyed, ==, "https://h/v1?key=REDACTED&x-goog-api-key=REDACTED&alt=sse#frag");
}

/* A response as long as what the store keeps may have been cut: refused, nothing written. */
static void
test_refuses_capped_response (void)
{
  g_autoptr(ConfabConversation) conversation = conversation_new ("https://api.example.com/v1");
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Long");
  g_autoptr(ConfabMessage) ok = assistant_new (REQUEST, RESPONSE);
  g_autoptr(ConfabMessage) big = assistant_new (REQUEST, NULL);
  g_autoptr(ConfabCassetteWriter) writer = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *data = g_malloc (CONFAB_STORE_RAW_RESPONSE_MAX);

  memset (data, 'x', CONFAB_STORE_RAW_RESPONSE_MAX);
  raw = g_bytes_new_take (data, CONFAB_STORE_RAW_RESPONSE_MAX);
  confab_message_set_raw_response (big, raw);
  confab_conversation_append (conversation, user);
  confab_conversation_append (conversation, ok);
  confab_conversation_append (conversation, big);

  writer = confab_cassette_writer_new (conversation, NULL);
  g_assert_false (confab_cassette_writer_add_turn (writer, big, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "response to request 2 is larger than"));
  /* Not even the first request of the turn was kept. */
  g_assert_cmpuint (confab_cassette_writer_get_n_interactions (writer), ==, 0);
}

static void
test_refuses_unrecorded_request (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Hi");
  g_autoptr(ConfabMessage) assistant = assistant_new (NULL, RESPONSE);
  g_autoptr(ConfabCassetteWriter) writer = NULL;
  g_autoptr(GError) error = NULL;

  confab_conversation_append (conversation, user);
  confab_conversation_append (conversation, assistant);
  writer = confab_cassette_writer_new (conversation, NULL);
  g_assert_false (confab_cassette_writer_add_turn_at (writer, -1, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "was not recorded"));

  g_clear_error (&error);
  g_assert_false (confab_cassette_writer_add_turn_at (writer, 3, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_FAILED);
}

/* The YAML is go-vcr's layout; its strings are JSON-escaped double-quoted scalars. */
static void
test_yaml_layout (void)
{
  g_autoptr(ConfabConversation) conversation = conversation_new ("https://api.example.com/v1");
  g_autoptr(ConfabCassetteWriter) writer = confab_cassette_writer_new (conversation, NULL);
  g_autofree char *yaml = NULL;

  g_assert_true (confab_cassette_writer_add_turn_at (writer, -1, NULL));
  yaml = confab_cassette_writer_to_data (writer, CONFAB_CASSETTE_FORMAT_YAML);

  g_assert_true (g_str_has_prefix (yaml, "---\nversion: 2\ninteractions:\n    - id: 0\n      request:\n"));
  g_assert_nonnull (strstr (yaml, "        method: \"POST\"\n"));
  g_assert_nonnull (strstr (yaml, "        code: 200\n"));
  g_assert_nonnull (strstr (yaml, "        body: \"data: {\\\"choices\\\""));
  g_assert_nonnull (strstr (yaml, "\\n\\ndata: [DONE]\\n\\n\"\n"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cassette-writer/shape-matches-shared-cassettes", test_shape_matches_shared_cassettes);
  g_test_add_func ("/cassette-writer/secrets-removed", test_secrets_removed);
  g_test_add_func ("/cassette-writer/redact-url", test_redact_url);
  g_test_add_func ("/cassette-writer/refuses-capped-response", test_refuses_capped_response);
  g_test_add_func ("/cassette-writer/refuses-unrecorded-request", test_refuses_unrecorded_request);
  g_test_add_func ("/cassette-writer/yaml-layout", test_yaml_layout);

  return g_test_run ();
}
