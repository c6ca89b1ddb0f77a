/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cassette"

#include "config.h"

#include <string.h>

#include "confab-cassette.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-export.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

static ConfabMessage *
message_at (ConfabConversation *conversation,
            guint               i)
{
  g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);

  g_assert_nonnull (message);
  return message;
}

/* Every recording in ../shared/cassettes opens, every answer decoded whole. */
static void
test_every_cassette (void)
{
  const char *dir_path = g_getenv ("CONFAB_CASSETTES_DIR");
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_files = 0;

  g_assert_nonnull (dir_path);
  dir = g_dir_open (dir_path, 0, NULL);
  g_assert_nonnull (dir);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autoptr(ConfabConversation) conversation = NULL;
      g_autoptr(GError) error = NULL;
      guint n_answers = 0;

      if (!g_str_has_suffix (name, ".json") && !g_str_has_suffix (name, ".yaml"))
        continue;
      n_files++;

      conversation = confab_cassette_read (path, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_suffix (confab_conversation_get_title (conversation), name));
      g_assert_true (g_str_has_prefix (confab_conversation_get_system_prompt (conversation), "You are a helpful assistant"));

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (conversation)); i++)
        {
          ConfabMessage *m = message_at (conversation, i);

          if (confab_message_get_role (m) != CONFAB_ROLE_ASSISTANT)
            continue;
          n_answers++;
          g_assert_cmpint (confab_message_get_state (m), ==, CONFAB_MESSAGE_STATE_COMPLETE);
          g_assert_null (confab_message_get_error (m));
          g_assert_true (confab_usage_get_reported (confab_message_get_usage (m)));
          g_assert_nonnull (confab_message_get_request_body (m));
          {
            g_autoptr(GBytes) raw = confab_message_dup_raw_response (m);
            g_assert_cmpuint (g_bytes_get_size (raw), >, 0);
          }
        }
      g_assert_cmpuint (n_answers, >, 0);
    }

  g_assert_cmpuint (n_files, >=, 3);
}

static void
assert_tool_streaming (ConfabConversation *conversation)
{
  ConfabMessage *m;
  g_autoptr(ConfabToolCall) call = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 4);
  g_assert_cmpstr (confab_conversation_get_model (conversation), ==, "moonshotai/kimi-k2-instruct-0905");
  g_assert_cmpstr (confab_conversation_get_base_url (conversation), ==, "https://api.groq.com/openai/v1");

  m = message_at (conversation, 0);
  g_assert_cmpint (confab_message_get_role (m), ==, CONFAB_ROLE_USER);
  g_assert_cmpstr (confab_message_get_content (m), ==, "What's the weather in Florence,Italy?");

  m = message_at (conversation, 1);
  g_assert_cmpstr (confab_message_get_content (m), ==, "I'll check the weather in Florence, Italy for you.");
  g_assert_cmpstr (confab_message_get_finish_reason (m), ==, "tool_calls");
  call = g_list_model_get_item (confab_message_get_tool_calls (m), 0);
  g_assert_cmpstr (confab_tool_call_get_name (call), ==, "weather");
  g_assert_cmpstr (confab_tool_call_get_arguments (call), ==, "{\"location\":\"Florence,Italy\"}");
  g_assert_cmpstr (confab_tool_call_get_result (call), ==, "40 C");
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (m)), ==, 131);
  g_assert_cmpfloat (confab_usage_get_duration (confab_message_get_usage (m)), >, 0.17);

  m = message_at (conversation, 2);
  g_assert_cmpint (confab_message_get_role (m), ==, CONFAB_ROLE_TOOL);
  g_assert_cmpstr (confab_message_get_tool_call_id (m), ==, "functions.weather:0");

  m = message_at (conversation, 3);
  g_assert_true (g_str_has_prefix (confab_message_get_content (m), "The current weather in Florence"));
}

static void
test_tool_streaming (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("CONFAB_CASSETTES_DIR"), "tool_streaming_groq-kimi-k2.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabConversation) conversation = confab_cassette_read (path, &error);

  g_assert_no_error (error);
  assert_tool_streaming (conversation);
}

/* The same recordings as go-vcr writes them, in YAML. */
static void
test_yaml (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "cassettes", "tool_streaming_groq-kimi-k2.yaml", NULL);
  g_autofree char *simple = g_test_build_filename (G_TEST_DIST, "data", "cassettes", "simple_streaming_openrouter-groq-kimi-k2.yaml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(ConfabConversation) hello = NULL;

  if (!confab_cassette_supports_yaml ())
    {
      conversation = confab_cassette_read (path, &error);
      g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT);
      g_test_skip ("built without libyaml");
      return;
    }

  conversation = confab_cassette_read (path, &error);
  g_assert_no_error (error);
  assert_tool_streaming (conversation);

  hello = confab_cassette_read (simple, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_message_get_content (message_at (hello, 1)), ==, "Olá!");
  g_assert_true (confab_usage_get_has_cost (confab_message_get_usage (message_at (hello, 1))));
}

static void
test_failed_and_whole (void)
{
  const char *cassette =
    "{\"version\": 2, \"interactions\": ["
    " {\"request\": {\"url\": \"http://127.0.0.1/v1/chat/completions\", \"method\": \"POST\","
    "   \"body\": \"{\\\"model\\\": \\\"m\\\", \\\"messages\\\": [{\\\"role\\\": \\\"user\\\", \\\"content\\\": [{\\\"type\\\": \\\"text\\\", \\\"text\\\": \\\"Hi\\\"}]}]}\"},"
    "  \"response\": {\"code\": 429, \"body\": \"{\\\"error\\\": \\\"slow down\\\"}\"}},"
    " {\"request\": {\"url\": \"http://127.0.0.1/v1/chat/completions\", \"method\": \"POST\","
    "   \"body\": \"{\\\"model\\\": \\\"m\\\", \\\"messages\\\": [{\\\"role\\\": \\\"user\\\", \\\"content\\\": \\\"Hi\\\"}]}\"},"
    "  \"response\": {\"code\": 200, \"body\": \"{\\\"model\\\": \\\"m-1\\\", \\\"choices\\\": [{\\\"message\\\": {\\\"role\\\": \\\"assistant\\\", \\\"content\\\": \\\"Hello\\\"}, \\\"finish_reason\\\": \\\"stop\\\"}], \\\"usage\\\": {\\\"total_tokens\\\": 5}}\"}}"
    "]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabConversation) conversation = confab_cassette_read_data (cassette, strlen (cassette), "inline", &error);
  ConfabMessage *m;

  g_assert_no_error (error);
  m = message_at (conversation, 1);
  g_assert_cmpint (confab_message_get_state (m), ==, CONFAB_MESSAGE_STATE_FAILED);
  g_assert_nonnull (strstr (confab_message_get_error (m)->message, "HTTP 429"));

  /* The second request starts over (fewer messages): its user message again, then the answer. */
  m = message_at (conversation, 3);
  g_assert_cmpstr (confab_message_get_content (m), ==, "Hello");
  g_assert_cmpstr (confab_message_get_model (m), ==, "m-1");
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (m)), ==, 5);
}

static void
test_not_a_cassette (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;

  g_assert_false (confab_cassette_sniff ("data: {}\n\n", 10));
  conversation = confab_cassette_read_data ("{\"version\": 2}", 14, "x", &error);
  g_assert_null (conversation);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT);
  g_assert_nonnull (strstr (error->message, "interactions"));
  g_clear_error (&error);

  /* Deeply nested: refused, not a stack overflow. */
  {
    g_autoptr(GString) deep = g_string_new (NULL);

    for (guint i = 0; i < 200000; i++)
      g_string_append (deep, "{\"a\":");
    g_string_append (deep, "1");
    for (guint i = 0; i < 200000; i++)
      g_string_append_c (deep, '}');
    g_assert_null (confab_cassette_read_data (deep->str, deep->len, "deep", &error));
    g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT);
  }
}

/* confab-cli decode CASSETTE prints the conversation in Confab JSON. */
static void
test_cli_decode (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("CONFAB_CASSETTES_DIR"), "multi_tool_streaming_groq-kimi-k2.json", NULL);
  const char *argv[] = { g_getenv ("CONFAB_CLI"), "decode", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  int status = -1;
  JsonArray *messages;
  JsonObject *answer;

  g_assert_nonnull (argv[0]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (json_node_get_object (root), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 5);
  answer = json_array_get_object_element (messages, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "tool_calls")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (answer, "tool_calls"), 1), "result"), ==, "6");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cassette/every-cassette-opens", test_every_cassette);
  g_test_add_func ("/cassette/tool-streaming", test_tool_streaming);
  g_test_add_func ("/cassette/yaml", test_yaml);
  g_test_add_func ("/cassette/failed-and-whole", test_failed_and_whole);
  g_test_add_func ("/cassette/not-a-cassette", test_not_a_cassette);
  g_test_add_func ("/cassette/cli-decode", test_cli_decode);

  return g_test_run ();
}
