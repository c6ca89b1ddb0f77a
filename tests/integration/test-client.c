/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-client"

#include "config.h"

#include <string.h>

#include "confab-client.h"
#include "confab-conversation.h"
#include "confab-enums.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-replay-server.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-turn.h"
#include "confab-usage.h"

#define WAIT_MS 10000

#define SIMPLE_CASSETTE "simple_streaming_openrouter-groq-kimi-k2.json"
#define TOOL_CASSETTE "tool_streaming_groq-kimi-k2.json"
#define MULTI_TOOL_CASSETTE "multi_tool_streaming_groq-kimi-k2.json"

/* Piece sizes the cassettes are replayed at: every one must give the same result. The tool
 * cassettes are five times longer, so byte-by-byte is left to the simple one (and to the SSE
 * reader's every-split-point unit tests) to keep the suite fast. */
static const guint piece_sizes[] = { 1, 2, 3, 7, 16, 61, 4096 };
static const guint tool_piece_sizes[] = { 5, 13, 64, 4096 };

typedef struct
{
  ConfabReplayServer *server;
  ConfabClient       *client;
  ConfabProvider     *provider;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = confab_replay_server_new ();
  fixture->client = confab_client_new ();
  fixture->provider = confab_provider_new ("Replay", confab_replay_server_get_base_url (fixture->server));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->provider);
  g_assert_finalize_object (fixture->client);
  g_clear_pointer (&fixture->server, confab_replay_server_free);
}

/* Streams @body into a new assistant message and waits for the end. */
static ConfabMessage *
stream_body (Fixture     *fixture,
             const char  *body,
             GError     **error)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GAsyncResult) result = NULL;

  confab_message_set_state (message, CONFAB_MESSAGE_STATE_STREAMING);
  confab_client_stream_async (fixture->client, fixture->provider, body, message, NULL,
                              confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  confab_client_stream_finish (fixture->client, result, error);

  return g_steal_pointer (&message);
}

static const char *simple_request =
  "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";

static char *
chunk (const char *delta_json,
       const char *finish_reason)
{
  return g_strdup_printf ("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":"
                          "[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n",
                          delta_json, finish_reason ? finish_reason : "null");
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static JsonNode *
get_member (JsonNode   *node,
            const char *name)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_member (json_node_get_object (node), name);
}

static void
assert_json_equal (JsonNode *expected,
                   JsonNode *actual)
{
  g_autofree char *difference = NULL;

  if (!confab_json_equal (expected, actual, &difference))
    g_error ("JSON differs: %s", difference);
}

static void
assert_usage_equal (JsonNode    *expected,
                    ConfabUsage *usage)
{
  g_autoptr(JsonNode) actual = confab_usage_to_json (usage);

  assert_json_equal (expected, actual);
}

/* The request body */

static void
test_request_body_matches_cassette (void)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabProvider) provider = confab_provider_new ("OpenRouter", "https://openrouter.ai/api/v1");
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Say hi in Portuguese");
  g_autoptr(JsonNode) messages = NULL;
  g_autofree char *body = NULL;
  g_autofree char *difference = NULL;

  g_assert_true (confab_cassette_load (SIMPLE_CASSETTE, &requests, NULL, &error));
  g_assert_no_error (error);

  confab_provider_set_max_tokens (provider, 4000);
  g_assert_true (confab_provider_set_extra_body_json (provider,
                                                      "{\"provider\":{\"only\":[\"groq\"]},\"usage\":{\"include\":true}}",
                                                      &error));
  confab_conversation_set_system_prompt (conversation, "You are a helpful assistant");
  confab_conversation_append (conversation, user);
  messages = confab_conversation_to_messages_json (conversation);

  body = confab_client_build_request_body (provider, "moonshotai/kimi-k2-0905", messages, NULL);
  if (!confab_json_equal_strings (g_ptr_array_index (requests, 0), body, &difference))
    g_error ("request body differs: %s", difference);
}

static void
test_request_body_tools_and_no_max_tokens (void)
{
  g_autoptr(ConfabProvider) provider = confab_provider_new ("Local", "http://localhost:11434/v1");
  g_autoptr(JsonNode) messages = parse ("[{\"role\":\"user\",\"content\":\"x\"}]");
  g_autoptr(JsonNode) tools = parse ("[{\"type\":\"function\",\"function\":{\"name\":\"t\",\"parameters\":{}}}]");
  g_autoptr(JsonNode) empty = parse ("[]");
  g_autoptr(JsonNode) with_tools = NULL;
  g_autoptr(JsonNode) without_tools = NULL;
  g_autofree char *body1 = NULL;
  g_autofree char *body2 = NULL;
  JsonObject *object;

  body1 = confab_client_build_request_body (provider, "llama", messages, tools);
  with_tools = parse (body1);
  object = json_node_get_object (with_tools);
  g_assert_false (json_object_has_member (object, "max_tokens"));
  g_assert_cmpstr (json_object_get_string_member (object, "tool_choice"), ==, "auto");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "tools")), ==, 1);
  g_assert_true (json_object_get_boolean_member (object, "stream"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (object, "stream_options"),
                                                 "include_usage"));

  body2 = confab_client_build_request_body (provider, "llama", messages, empty);
  without_tools = parse (body2);
  g_assert_false (json_object_has_member (json_node_get_object (without_tools), "tools"));
  g_assert_false (json_object_has_member (json_node_get_object (without_tools), "tool_choice"));
}

/* The cassettes */

static void
test_simple_cassette_through_turn (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GPtrArray) usages = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_cassette_load (SIMPLE_CASSETTE, &requests, &responses, &error));
  usages = confab_cassette_usages (responses);

  confab_provider_set_max_tokens (fixture->provider, 4000);
  g_assert_true (confab_provider_set_extra_body_json (fixture->provider,
                                                      "{\"provider\":{\"only\":[\"groq\"]},\"usage\":{\"include\":true}}",
                                                      &error));

  for (guint i = 0; i < G_N_ELEMENTS (piece_sizes); i++)
    {
      g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
      g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Say hi in Portuguese");
      g_autoptr(ConfabTurn) turn = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GString) pieces = g_string_new (NULL);
      ConfabMessage *answer;
      ConfabUsage *usage;

      g_test_message ("piece size 1..%u", piece_sizes[i]);
      confab_replay_server_set_seed (fixture->server, 1000 + i);
      confab_replay_server_set_max_piece (fixture->server, piece_sizes[i]);
      g_assert_true (confab_replay_server_load_cassette (fixture->server, SIMPLE_CASSETTE, &error));
      g_assert_no_error (error);

      confab_conversation_set_system_prompt (conversation, "You are a helpful assistant");
      confab_conversation_append (conversation, user);

      turn = confab_turn_new (fixture->client, fixture->provider, conversation, NULL, NULL);
      confab_turn_set_model (turn, "moonshotai/kimi-k2-0905");
      confab_turn_run_async (turn, NULL, confab_test_store_result_cb, &result);

      /* The answer joins the conversation at once, streaming. */
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
      answer = confab_conversation_get_last_message (conversation);
      g_assert_cmpint (confab_message_get_state (answer), ==, CONFAB_MESSAGE_STATE_STREAMING);
      g_signal_connect_swapped (answer, "content-appended", G_CALLBACK (g_string_append), pieces);

      result = confab_test_wait_result (&result, WAIT_MS);
      g_assert_true (confab_turn_run_finish (turn, result, &error));
      g_assert_no_error (error);

      confab_replay_server_assert_no_mismatches (fixture->server);
      g_assert_cmpuint (confab_replay_server_get_n_pending (fixture->server), ==, 0);
      g_assert_cmpuint (confab_turn_get_steps (turn)->len, ==, 1);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
      g_assert_cmpstr (confab_message_get_content (answer), ==, "Olá!");
      g_assert_cmpstr (pieces->str, ==, "Olá!");
      g_assert_cmpstr (confab_message_get_finish_reason (answer), ==, "stop");
      g_assert_cmpstr (confab_message_get_model (answer), ==, "moonshotai/kimi-k2-0905");
      g_assert_cmpint (confab_message_get_state (answer), ==, CONFAB_MESSAGE_STATE_COMPLETE);
      g_assert_null (confab_message_get_error (answer));
      g_assert_false (confab_turn_get_hit_step_limit (turn));

      usage = confab_message_get_usage (answer);
      assert_usage_equal (g_ptr_array_index (usages, 0), usage);
      g_assert_cmpint (confab_usage_get_prompt_tokens (usage), ==, 20);
      g_assert_cmpint (confab_usage_get_completion_tokens (usage), ==, 4);
      g_assert_true (confab_usage_get_has_cost (usage));
      g_assert_cmpfloat_with_epsilon (confab_usage_get_cost (usage), 0.000032, 1e-12);
      g_assert_cmpfloat (confab_usage_get_time_to_first_token (usage), >=, 0);
      g_assert_cmpfloat (confab_usage_get_duration (usage), >=, confab_usage_get_time_to_first_token (usage));

      /* The inspector sees what went out and what came back, byte for byte. */
      {
        g_autoptr(GBytes) raw = confab_message_dup_raw_response (answer);
        const char *expected = g_ptr_array_index (responses, 0);

        g_assert_cmpmem (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), expected, strlen (expected));
        g_assert_true (confab_json_equal_strings (g_ptr_array_index (requests, 0),
                                                  confab_message_get_request_body (answer), NULL));
      }
    }
}

/* The tools array of a recorded request. */
static JsonNode *
recorded_tools (const char *request_body)
{
  g_autoptr(JsonNode) root = parse (request_body);

  return json_node_copy (get_member (root, "tools"));
}

static void
replay_tool_cassette (Fixture    *fixture,
                      const char *cassette,
                      const char *system_prompt,
                      const char *prompt,
                      const char * const *results,
                      guint       n_results)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GPtrArray) usages = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) tools = NULL;
  const char *model = "moonshotai/kimi-k2-instruct-0905";

  g_assert_true (confab_cassette_load (cassette, &requests, &responses, &error));
  g_assert_cmpuint (requests->len, ==, 2);
  usages = confab_cassette_usages (responses);
  tools = recorded_tools (g_ptr_array_index (requests, 0));
  confab_provider_set_max_tokens (fixture->provider, 4000);

  for (guint i = 0; i < G_N_ELEMENTS (tool_piece_sizes); i++)
    {
      g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
      g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, prompt);
      g_autoptr(ConfabMessage) first = NULL;
      g_autoptr(ConfabMessage) second = NULL;
      g_autoptr(JsonNode) messages = NULL;
      g_autofree char *body = NULL;
      GListModel *calls;

      g_test_message ("piece size 1..%u", tool_piece_sizes[i]);
      confab_replay_server_set_seed (fixture->server, 2000 + i);
      confab_replay_server_set_max_piece (fixture->server, tool_piece_sizes[i]);
      g_assert_true (confab_replay_server_load_cassette (fixture->server, cassette, &error));

      confab_conversation_set_system_prompt (conversation, system_prompt);
      confab_conversation_append (conversation, user);

      messages = confab_conversation_to_messages_json (conversation);
      body = confab_client_build_request_body (fixture->provider, model, messages, tools);
      first = stream_body (fixture, body, &error);
      g_assert_no_error (error);
      g_assert_cmpint (confab_message_get_state (first), ==, CONFAB_MESSAGE_STATE_COMPLETE);
      g_assert_cmpstr (confab_message_get_finish_reason (first), ==, "tool_calls");
      assert_usage_equal (g_ptr_array_index (usages, 0), confab_message_get_usage (first));

      calls = confab_message_get_tool_calls (first);
      g_assert_cmpuint (g_list_model_get_n_items (calls), ==, n_results);
      confab_conversation_append (conversation, first);

      /* The results, as the tool loop would send them, in call order. */
      for (guint j = 0; j < n_results; j++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, j);
          g_autoptr(ConfabMessage) tool = confab_message_new (CONFAB_ROLE_TOOL, results[j]);

          confab_message_set_tool_call_id (tool, confab_tool_call_get_id (call));
          confab_conversation_append (conversation, tool);
        }

      g_clear_pointer (&messages, json_node_unref);
      g_clear_pointer (&body, g_free);
      messages = confab_conversation_to_messages_json (conversation);
      body = confab_client_build_request_body (fixture->provider, model, messages, tools);
      second = stream_body (fixture, body, &error);
      g_assert_no_error (error);
      g_assert_cmpint (confab_message_get_state (second), ==, CONFAB_MESSAGE_STATE_COMPLETE);
      g_assert_cmpstr (confab_message_get_finish_reason (second), ==, "stop");
      g_assert_cmpuint (confab_message_get_n_tool_calls (second), ==, 0);
      assert_usage_equal (g_ptr_array_index (usages, 1), confab_message_get_usage (second));

      confab_replay_server_assert_no_mismatches (fixture->server);
      g_assert_cmpuint (confab_replay_server_get_n_pending (fixture->server), ==, 0);
    }
}

static void
test_tool_cassette_through_client (Fixture       *fixture,
                                   gconstpointer  data)
{
  static const char * const results[] = { "40 C" };

  replay_tool_cassette (fixture, TOOL_CASSETTE,
                        "You are a helpful assistant",
                        "What's the weather in Florence,Italy?",
                        results, G_N_ELEMENTS (results));
}

static void
test_multi_tool_cassette_through_client (Fixture       *fixture,
                                         gconstpointer  data)
{
  static const char * const results[] = { "5", "6" };

  replay_tool_cassette (fixture, MULTI_TOOL_CASSETTE,
                        "You are a helpful assistant. Always use both add and multiply at the same time.",
                        "Add and multiply the number 2 and 3",
                        results, G_N_ELEMENTS (results));
}

/* What goes on the wire */

static void
test_request_headers (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const headers[] = { "HTTP-Referer: https://confab.example", "X-Title: Confab", NULL };
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(ConfabMessage) anonymous = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = chunk ("{\"content\":\"ok\"}", "\"stop\"");
  ConfabReplayRequest *request;
  GPtrArray *requests;

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  confab_provider_set_api_key (fixture->provider, "sk-test-123");
  confab_provider_set_headers (fixture->provider, headers);

  message = stream_body (fixture, simple_request, &error);
  g_assert_no_error (error);

  requests = confab_replay_server_get_requests (fixture->server);
  g_assert_cmpuint (requests->len, ==, 1);
  request = g_ptr_array_index (requests, 0);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, "/chat/completions");
  g_assert_cmpstr (request->body, ==, simple_request);
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Authorization"), ==, "Bearer sk-test-123");
  g_assert_cmpstr (soup_message_headers_get_content_type (request->headers, NULL), ==, "application/json");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Accept"), ==, "text/event-stream");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "User-Agent"), ==, "Confab/" PACKAGE_VERSION);
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "HTTP-Referer"), ==, "https://confab.example");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "X-Title"), ==, "Confab");

  /* No key, no Authorization header at all. */
  confab_provider_set_api_key (fixture->provider, "");
  anonymous = stream_body (fixture, simple_request, &error);
  g_assert_no_error (error);
  request = g_ptr_array_index (requests, 1);
  g_assert_null (soup_message_headers_get_one (request->headers, "Authorization"));
}

static void
test_complete_at_done_while_response_stays_open (Fixture       *fixture,
                                                 gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = chunk ("{\"content\":\"ok\"}", "\"stop\"");
  g_autofree char *body = g_strconcat (answer, "data: [DONE]\n\n", NULL);

  /* [DONE] ends the answer even when the server never ends the response: no idle timeout. */
  confab_client_set_idle_timeout (fixture->client, 1);
  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_STALL);
  message = stream_body (fixture, simple_request, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (confab_message_get_content (message), ==, "ok");
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_COMPLETE);
}

static void
test_base_url_with_path_and_slash (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("%s/api/v1/", confab_replay_server_get_base_url (fixture->server));
  g_autofree char *body = chunk ("{\"content\":\"ok\"}", "\"stop\"");
  ConfabReplayRequest *request;

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  confab_provider_set_base_url (fixture->provider, url);
  message = stream_body (fixture, simple_request, &error);
  g_assert_no_error (error);

  request = g_ptr_array_index (confab_replay_server_get_requests (fixture->server), 0);
  g_assert_cmpstr (request->path, ==, "/api/v1/chat/completions");
}

/* HTTP errors */

static void
test_http_401_json_error (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  confab_replay_server_add_response (fixture->server, 401, "application/json",
                                     "{\"error\":{\"message\":\"Invalid API Key\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}",
                                     CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "401"));
  g_assert_nonnull (strstr (error->message, "Unauthorized"));
  g_assert_nonnull (strstr (error->message, "Invalid API Key"));
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
  g_assert_error (confab_message_get_error (message), CONFAB_ERROR, CONFAB_ERROR_HTTP);
  g_assert_cmpint (confab_message_get_retry_after (message), ==, -1);
  g_assert_cmpstr (confab_message_get_content (message), ==, "");

  /* The inspector keeps the error body. */
  {
    g_autoptr(GBytes) raw = confab_message_dup_raw_response (message);
    g_assert_nonnull (raw);
    g_assert_cmpuint (g_bytes_get_size (raw), >, 0);
  }
}

static void
test_http_429_retry_after (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  ConfabReplayResponse *response;

  response = confab_replay_server_add_response (fixture->server, 429, "application/json",
                                                "{\"error\":{\"message\":\"Rate limit reached for model\"}}",
                                                CONFAB_REPLAY_NONE);
  confab_replay_response_add_header (response, "Retry-After", "7");
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_HTTP);
  /* libsoup 3.2 has no phrase for 429; the user still reads what it means. */
  g_assert_nonnull (strstr (error->message, "HTTP 429 Too Many Requests"));
  g_assert_null (strstr (error->message, "Unknown Error"));
  g_assert_nonnull (strstr (error->message, "Rate limit reached for model"));
  g_assert_cmpint (confab_message_get_retry_after (message), ==, 7);
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_http_500_text_body (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  confab_replay_server_add_response (fixture->server, 500, "text/plain",
                                     "upstream exploded\n", CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "500"));
  g_assert_nonnull (strstr (error->message, "Internal Server Error"));
  g_assert_nonnull (strstr (error->message, "upstream exploded"));
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_http_503_empty_body (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  confab_replay_server_add_response (fixture->server, 503, "text/plain", "", CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "503"));
  g_assert_nonnull (strstr (error->message, "Service Unavailable"));
}

/* Broken streams */

static char *
partial_stream (void)
{
  g_autofree char *a = chunk ("{\"role\":\"assistant\",\"content\":\"Hello\"}", NULL);
  g_autofree char *b = chunk ("{\"content\":\", wor\"}", NULL);

  return g_strconcat (a, b, NULL);
}

static void
test_connection_closed_mid_stream (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = partial_stream ();

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_CLOSE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_NETWORK) ||
                 g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_TRUNCATED));
  g_test_message ("error: %s", error->message);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hello, wor");
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_connection_closed_mid_stream_without_chunking (Fixture       *fixture,
                                                    gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = partial_stream ();

  /* The server promised more bytes than it sends. */
  confab_replay_server_add_response (fixture->server, 200, NULL, body,
                                     CONFAB_REPLAY_CLOSE | CONFAB_REPLAY_CONTENT_LENGTH);
  /* Claim a longer body than there is. */
  message = stream_body (fixture, simple_request, &error);

  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_NETWORK) ||
                 g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_TRUNCATED));
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hello, wor");
}

static void
test_idle_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = partial_stream ();
  gint64 started;

  confab_client_set_idle_timeout (fixture->client, 1);
  g_assert_cmpuint (confab_client_get_idle_timeout (fixture->client), ==, 1);
  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_STALL);

  started = g_get_monotonic_time ();
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "1 second"));
  g_assert_cmpint (g_get_monotonic_time () - started, >=, G_USEC_PER_SEC);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hello, wor");
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
  g_assert_error (confab_message_get_error (message), CONFAB_ERROR, CONFAB_ERROR_TIMEOUT);
}

static void
test_idle_timeout_before_headers (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  confab_client_set_idle_timeout (fixture->client, 1);
  confab_replay_server_add_response (fixture->server, 200, NULL, NULL, CONFAB_REPLAY_STALL_BEFORE_HEADERS);
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT);
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_cancel_keeps_text (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = partial_stream ();

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_STALL);
  confab_client_stream_async (fixture->client, fixture->provider, simple_request, message,
                              cancellable, confab_test_store_result_cb, &result);
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_STREAMING);

  CONFAB_TEST_WAIT_FOR (g_strcmp0 (confab_message_get_content (message), "Hello, wor") == 0, WAIT_MS);
  g_assert_null (result);
  g_cancellable_cancel (cancellable);

  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_false (confab_client_stream_finish (fixture->client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hello, wor");
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_CANCELLED);
}

static void
test_cancel_before_start (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  confab_client_stream_async (fixture->client, fixture->provider, simple_request, message,
                              cancellable, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_false (confab_client_stream_finish (fixture->client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_CANCELLED);
  g_assert_cmpuint (confab_replay_server_get_requests (fixture->server)->len, ==, 0);
}

static void
test_error_object_mid_stream (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *start = partial_stream ();
  g_autofree char *body = g_strconcat (start,
                                       "data: {\"error\":{\"message\":\"Upstream provider overloaded\",\"code\":502}}\n\n",
                                       NULL);

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_PROVIDER);
  g_assert_nonnull (strstr (error->message, "Upstream provider overloaded"));
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hello, wor");
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_invalid_json_chunk (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *start = partial_stream ();
  g_autofree char *body = g_strconcat (start, "data: {\"choices\":[{\"delta\":{\"content\":\"x\"\n\n", NULL);

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
  g_test_message ("error: %s", error->message);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hello, wor");
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_eof_after_finish_without_done (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *start = partial_stream ();
  g_autofree char *end = chunk ("{\"content\":\"ld\"}", "\"stop\"");
  g_autofree char *body = g_strconcat (start, end, NULL);

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hello, world");
  g_assert_cmpstr (confab_message_get_finish_reason (message), ==, "stop");
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_COMPLETE);
}

static void
test_eof_before_finish (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = partial_stream ();

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TRUNCATED);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hello, wor");
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_non_streamed_json_answer (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabToolCall) call = NULL;

  /* A server that ignored "stream": true. */
  confab_replay_server_add_response (fixture->server, 200, "application/json",
                                     "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                                     "\"message\":{\"role\":\"assistant\",\"content\":\"Olá!\",\"tool_calls\":[{\"id\":\"c1\","
                                     "\"type\":\"function\",\"function\":{\"name\":\"add\",\"arguments\":\"{\\\"a\\\": 2}\"}}]},"
                                     "\"finish_reason\":\"tool_calls\"}],"
                                     "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}",
                                     CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Olá!");
  g_assert_cmpstr (confab_message_get_finish_reason (message), ==, "tool_calls");
  g_assert_cmpuint (confab_message_get_n_tool_calls (message), ==, 1);
  call = g_list_model_get_item (confab_message_get_tool_calls (message), 0);
  g_assert_cmpstr (confab_tool_call_get_arguments (call), ==, "{\"a\": 2}");
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (message)), ==, 5);
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_COMPLETE);
}

static void
test_json_error_with_status_200 (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  confab_replay_server_add_response (fixture->server, 200, "application/json",
                                     "{\"error\":{\"message\":\"No endpoints found for this model\",\"code\":404}}",
                                     CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_PROVIDER);
  g_assert_nonnull (strstr (error->message, "No endpoints found for this model"));
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_http_404_unknown_model (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  confab_replay_server_add_response (fixture->server, 404, "application/json",
                                     "{\"error\":{\"message\":\"The model `nope` does not exist or you do not have access to it.\","
                                     "\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}",
                                     CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "404"));
  g_assert_nonnull (strstr (error->message, "Not Found"));
  g_assert_nonnull (strstr (error->message, "The model `nope` does not exist"));
}

static void
test_line_over_the_limit (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *start = partial_stream ();
  g_autoptr(GString) body = g_string_new (start);
  g_autofree char *line = g_strnfill (32 * 1024 * 1024, 'x');

  /* A 32 MB line: the reader gives up at its limit instead of growing without bound. */
  g_string_append (body, "data: ");
  g_string_append (body, line);
  g_string_append (body, "\n\n");

  confab_replay_server_set_max_piece (fixture->server, 256 * 1024);
  confab_replay_server_add_response (fixture->server, 200, NULL, body->str, CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_LINE_TOO_LONG);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hello, wor");
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_invalid_utf8_in_content (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *start = partial_stream ();
  g_autofree char *body = g_strconcat (start,
                                       "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ld\xff\xfe\"}}]}\n\n",
                                       NULL);

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  message = stream_body (fixture, simple_request, &error);

  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_true (g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_INVALID_UTF8) ||
                 g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL));
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hello, wor");
  g_assert_true (g_utf8_validate (confab_message_get_content (message), -1, NULL));
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_connection_refused (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(ConfabClient) client = confab_client_new ();
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  /* A port that was free a moment ago and has nobody listening now. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  provider = confab_provider_new ("Nowhere", url);
  confab_client_stream_async (client, provider, simple_request, message, NULL,
                              confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_false (confab_client_stream_finish (client, result, &error));

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_NETWORK);
  /* The provider as the user calls it first, the URL last for whoever debugs it. */
  g_assert_true (g_str_has_prefix (error->message, "Could not reach Nowhere: "));
  g_assert_true (g_str_has_suffix (error->message, "/chat/completions)"));
  g_assert_nonnull (strstr (error->message, url));
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

static void
test_invalid_base_url (void)
{
  g_autoptr(ConfabClient) client = confab_client_new ();
  g_autoptr(ConfabProvider) provider = confab_provider_new ("Bad", "not a url");
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_client_stream_async (client, provider, simple_request, message, NULL,
                              confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_false (confab_client_stream_finish (client, result, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
}

/* GET /models */

static void
test_list_models (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;

  confab_replay_server_set_models_body (fixture->server,
                                        "{\"object\":\"list\",\"data\":["
                                        "{\"id\":\"zeta\",\"object\":\"model\"},"
                                        "{\"id\":\"alpha\",\"object\":\"model\"},"
                                        "{\"id\":\"moonshotai/kimi-k2-instruct-0905\"}]}");
  confab_client_list_models_async (fixture->client, fixture->provider, NULL,
                                   confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  models = confab_client_list_models_finish (fixture->client, result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (models);
  g_assert_cmpuint (g_strv_length (models), ==, 3);
  g_assert_cmpstr (models[0], ==, "alpha");
  g_assert_cmpstr (models[1], ==, "moonshotai/kimi-k2-instruct-0905");
  g_assert_cmpstr (models[2], ==, "zeta");
}

/* The turn */

static void
count_cb (gpointer  instance,
          gpointer  arg,
          guint    *counter)
{
  (*counter)++;
}

static void
test_turn_without_tools_answers_tool_calls (Fixture       *fixture,
                                            gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "weather?");
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *call = chunk ("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                                 "\"function\":{\"name\":\"weather\",\"arguments\":\"{}\"}}]}",
                                 "\"tool_calls\"");
  g_autofree char *answer = chunk ("{\"content\":\"Sorry.\"}", "\"stop\"");
  g_autoptr(JsonNode) second = NULL;
  guint n_finished = 0;
  ConfabReplayRequest *request;
  JsonArray *messages;
  JsonObject *tool;

  confab_replay_server_add_response (fixture->server, 200, NULL, call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  confab_provider_set_model (fixture->provider, "provider-model");
  confab_conversation_append (conversation, user);

  turn = confab_turn_new (fixture->client, fixture->provider, conversation, NULL, NULL);
  g_assert_cmpstr (confab_turn_get_model (turn), ==, "provider-model");
  g_signal_connect (turn, "tool-finished", G_CALLBACK (count_cb), &n_finished);
  confab_turn_run_async (turn, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_turn_run_finish (turn, result, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (n_finished, ==, 1);
  g_assert_cmpuint (confab_turn_get_steps (turn)->len, ==, 2);
  /* user, assistant with the call, tool, final assistant */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 4);
  g_assert_cmpstr (confab_message_get_content (confab_conversation_get_last_message (conversation)), ==, "Sorry.");

  request = g_ptr_array_index (confab_replay_server_get_requests (fixture->server), 1);
  second = parse (request->body);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (second), "model"), ==, "provider-model");
  g_assert_false (json_object_has_member (json_node_get_object (second), "tools"));
  messages = json_object_get_array_member (json_node_get_object (second), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);
  tool = json_array_get_object_element (messages, 2);
  g_assert_cmpstr (json_object_get_string_member (tool, "role"), ==, "tool");
  g_assert_cmpstr (json_object_get_string_member (tool, "tool_call_id"), ==, "call_1");
  g_assert_cmpstr (json_object_get_string_member (tool, "content"), ==, "No tools are available");
}

static void
test_turn_step_limit (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "weather?");
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *call = chunk ("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                                 "\"function\":{\"name\":\"weather\",\"arguments\":\"{}\"}}]}",
                                 "\"tool_calls\"");
  guint n_finished = 0;

  confab_replay_server_add_response (fixture->server, 200, NULL, call, CONFAB_REPLAY_NONE);
  confab_conversation_set_model (conversation, "conversation-model");
  confab_conversation_append (conversation, user);

  turn = confab_turn_new (fixture->client, fixture->provider, conversation, NULL, NULL);
  confab_turn_set_max_steps (turn, 1);
  g_assert_cmpuint (confab_turn_get_max_steps (turn), ==, 1);
  g_signal_connect (turn, "tool-finished", G_CALLBACK (count_cb), &n_finished);
  confab_turn_run_async (turn, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_turn_run_finish (turn, result, &error));

  g_assert_true (confab_turn_get_hit_step_limit (turn));
  g_assert_cmpuint (n_finished, ==, 0);
  {
    ConfabMessage *answer = g_ptr_array_index (confab_turn_get_steps (turn), 0);
    g_autoptr(ConfabToolCall) unrun = g_list_model_get_item (confab_message_get_tool_calls (answer), 0);

    /* Not run, and it says so (no spinner forever). */
    g_assert_cmpint (confab_tool_call_get_status (unrun), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
    g_assert_nonnull (strstr (confab_tool_call_get_error (unrun), "limit"));
    g_assert_null (confab_tool_call_get_result (unrun));
  }
  g_assert_cmpuint (confab_turn_get_steps (turn)->len, ==, 1);
  g_assert_cmpuint (confab_replay_server_get_requests (fixture->server)->len, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
}

static void
test_turn_failure_keeps_partial_answer (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "hello");
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = partial_stream ();
  g_autoptr(JsonNode) messages = NULL;
  ConfabMessage *answer;

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_STALL);
  confab_conversation_append (conversation, user);
  turn = confab_turn_new (fixture->client, fixture->provider, conversation, NULL, NULL);
  confab_turn_set_model (turn, "m");
  confab_turn_run_async (turn, cancellable, confab_test_store_result_cb, &result);

  answer = confab_conversation_get_last_message (conversation);
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (confab_message_get_content (answer), "Hello, wor") == 0, WAIT_MS);
  g_cancellable_cancel (cancellable);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_false (confab_turn_run_finish (turn, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_cmpint (confab_message_get_state (answer), ==, CONFAB_MESSAGE_STATE_CANCELLED);
  g_assert_cmpstr (confab_message_get_content (answer), ==, "Hello, wor");
  messages = confab_conversation_to_messages_json (conversation);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (messages)), ==, 2);
}

static void
test_turn_without_model_fails (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  turn = confab_turn_new (fixture->client, fixture->provider, conversation, NULL, NULL);
  confab_turn_run_async (turn, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_false (confab_turn_run_finish (turn, result, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
}

/* The replay server's own comparison */

static void
test_json_equal_rules (void)
{
  g_autofree char *difference = NULL;

  g_assert_true (confab_json_equal_strings ("{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}", NULL));
  g_assert_true (confab_json_equal_strings ("{\"function\":{\"name\":\"x\",\"strict\":false}}",
                                            "{\"function\":{\"name\":\"x\"}}", NULL));
  g_assert_false (confab_json_equal_strings ("{\"function\":{\"strict\":true}}",
                                             "{\"function\":{}}", NULL));
  g_assert_false (confab_json_equal_strings ("{\"a\":\"x\"}", "{\"a\":\"x \"}", &difference));
  g_assert_nonnull (strstr (difference, "$.a"));
  g_clear_pointer (&difference, g_free);
  g_assert_false (confab_json_equal_strings ("{\"a\":[1,2]}", "{\"a\":[2,1]}", NULL));
  g_assert_false (confab_json_equal_strings ("{\"a\":1}", "{\"a\":1,\"b\":2}", &difference));
  g_assert_nonnull (strstr (difference, "$.b"));
}

static void
test_replay_server_reports_mismatch (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = chunk ("{\"content\":\"ok\"}", "\"stop\"");
  ConfabReplayResponse *response;
  GPtrArray *mismatches;

  response = confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  confab_replay_response_set_expected_body (response, "{\"model\":\"other\"}");
  message = stream_body (fixture, simple_request, &error);
  g_assert_no_error (error);

  mismatches = confab_replay_server_get_mismatches (fixture->server);
  g_assert_cmpuint (mismatches->len, ==, 1);
}

static void
test_replay_server_pieces_and_release (Fixture       *fixture,
                                       gconstpointer  data)
{
  static const char * const pieces[] = {
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"O",
    "l\xc3",
    "\xa1\"}}]}\n",
    "\ndata: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
    NULL
  };
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_replay_server_add_response_pieces (fixture->server, 200, NULL, pieces, CONFAB_REPLAY_STALL);
  confab_client_stream_async (fixture->client, fixture->provider, simple_request, message, NULL,
                              confab_test_store_result_cb, &result);

  /* Everything is out, the response is held open: the answer is whole but not ended. */
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (confab_message_get_finish_reason (message), "stop") == 0, WAIT_MS);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Olá");
  g_assert_null (result);
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_STREAMING);

  g_assert_cmpuint (confab_replay_server_finish_stalled (fixture->server), ==, 1);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_client_stream_finish (fixture->client, result, &error));
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_COMPLETE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/client/request-body/matches-cassette", test_request_body_matches_cassette);
  g_test_add_func ("/client/request-body/tools-and-no-max-tokens", test_request_body_tools_and_no_max_tokens);
  ADD ("/client/cassette/simple-through-turn", test_simple_cassette_through_turn);
  ADD ("/client/cassette/tool-through-client", test_tool_cassette_through_client);
  ADD ("/client/cassette/multi-tool-through-client", test_multi_tool_cassette_through_client);
  ADD ("/client/request/headers", test_request_headers);
  ADD ("/client/request/base-url-with-path-and-slash", test_base_url_with_path_and_slash);
  ADD ("/client/stream/complete-at-done-while-response-stays-open", test_complete_at_done_while_response_stays_open);
  ADD ("/client/http/401-json-error", test_http_401_json_error);
  ADD ("/client/http/429-retry-after", test_http_429_retry_after);
  ADD ("/client/http/500-text-body", test_http_500_text_body);
  ADD ("/client/http/503-empty-body", test_http_503_empty_body);
  ADD ("/client/http/404-unknown-model", test_http_404_unknown_model);
  ADD ("/client/stream/line-over-the-limit", test_line_over_the_limit);
  ADD ("/client/stream/invalid-utf8-in-content", test_invalid_utf8_in_content);
  ADD ("/client/stream/connection-closed-mid-stream", test_connection_closed_mid_stream);
  ADD ("/client/stream/connection-closed-mid-body-with-length", test_connection_closed_mid_stream_without_chunking);
  ADD ("/client/stream/idle-timeout", test_idle_timeout);
  ADD ("/client/stream/idle-timeout-before-headers", test_idle_timeout_before_headers);
  ADD ("/client/stream/cancel-keeps-text", test_cancel_keeps_text);
  ADD ("/client/stream/cancel-before-start", test_cancel_before_start);
  ADD ("/client/stream/error-object-mid-stream", test_error_object_mid_stream);
  ADD ("/client/stream/invalid-json-chunk", test_invalid_json_chunk);
  ADD ("/client/stream/eof-after-finish-without-done", test_eof_after_finish_without_done);
  ADD ("/client/stream/eof-before-finish", test_eof_before_finish);
  ADD ("/client/stream/non-streamed-json-answer", test_non_streamed_json_answer);
  ADD ("/client/stream/json-error-with-status-200", test_json_error_with_status_200);
  g_test_add_func ("/client/network/connection-refused", test_connection_refused);
  g_test_add_func ("/client/network/invalid-base-url", test_invalid_base_url);
  ADD ("/client/models/list", test_list_models);
  ADD ("/turn/without-tools-answers-tool-calls", test_turn_without_tools_answers_tool_calls);
  ADD ("/turn/step-limit-leaves-calls-unrun", test_turn_step_limit);
  ADD ("/turn/cancel-keeps-partial-answer", test_turn_failure_keeps_partial_answer);
  ADD ("/turn/without-model-fails", test_turn_without_model_fails);
  g_test_add_func ("/replay/json-equal-rules", test_json_equal_rules);
  ADD ("/replay/reports-mismatch", test_replay_server_reports_mismatch);
  ADD ("/replay/pieces-and-release", test_replay_server_pieces_and_release);

#undef ADD

  return g_test_run ();
}
