/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-tool-limits"

#include "config.h"

#include <string.h>

#include "confab-client.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-replay-server.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-turn.h"

/* What a turn takes from a model: at most so many tool calls per answer (a clear error past
 * it, none run) and at most so many bytes of a tool result sent back (cut, with a note). */

#define WAIT_MS 20000

static char *
chunk (const char *delta_json,
       const char *finish_reason)
{
  return g_strdup_printf ("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
                          "\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n",
                          delta_json, finish_reason);
}

/* An answer with @n tool calls. */
static char *
calls_stream (guint n)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *finish = chunk ("{}", "\"tool_calls\"");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *delta = g_strdup_printf ("{\"tool_calls\":[{\"index\":%u,\"id\":\"call_%u\",\"type\":\"function\","
                                                "\"function\":{\"name\":\"echo\",\"arguments\":\"{}\"}}]}", i, i);
      g_autofree char *piece = chunk (delta, "null");

      g_string_append (body, piece);
    }
  g_string_append (body, finish);
  g_string_append (body, "data: [DONE]\n\n");

  return g_string_free (g_steal_pointer (&body), FALSE);
}

typedef struct
{
  ConfabReplayServer *server;
  ConfabClient       *client;
  ConfabProvider     *provider;
  ConfabConversation *conversation;
  ConfabTurn         *turn;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Call tools");

  fixture->server = confab_replay_server_new ();
  fixture->client = confab_client_new ();
  fixture->provider = confab_provider_new ("Replay", confab_replay_server_get_base_url (fixture->server));
  fixture->conversation = confab_conversation_new ();
  confab_conversation_append (fixture->conversation, user);
  /* No tool registry: every call is answered "No tools are available". */
  fixture->turn = confab_turn_new (fixture->client, fixture->provider, fixture->conversation, NULL, NULL);
  confab_turn_set_model (fixture->turn, "m");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->turn);
  g_clear_object (&fixture->conversation);
  g_clear_object (&fixture->provider);
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->server, confab_replay_server_free);
}

static gboolean
run (Fixture  *fixture,
     GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_turn_run_async (fixture->turn, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);

  return confab_turn_run_finish (fixture->turn, result, error);
}

static void
test_too_many_tool_calls (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *body = calls_stream (3);
  g_autoptr(GError) error = NULL;
  ConfabMessage *assistant;
  GListModel *calls;

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  g_assert_cmpuint (confab_turn_get_max_tool_calls (fixture->turn), ==, CONFAB_TURN_DEFAULT_MAX_TOOL_CALLS);
  confab_turn_set_max_tool_calls (fixture->turn, 2);

  g_assert_false (run (fixture, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TOOL);
  g_assert_nonnull (strstr (error->message, "asked for 3 tool calls"));
  g_assert_nonnull (strstr (error->message, "the limit is 2"));

  /* None ran, each says why, and nothing more was asked of the model. */
  assistant = g_ptr_array_index (confab_turn_get_steps (fixture->turn), 0);
  calls = confab_message_get_tool_calls (assistant);
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);

      g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
      g_assert_cmpstr (confab_tool_call_get_error (call), ==, error->message);
    }
  g_assert_cmpuint (confab_replay_server_get_n_served (fixture->server), ==, 1);
}

static void
test_tool_result_cut (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *body = calls_stream (1);
  g_autofree char *answer_delta = chunk ("{\"role\":\"assistant\",\"content\":\"Done.\"}", "\"stop\"");
  g_autofree char *answer = g_strconcat (answer_delta, "data: [DONE]\n\n", NULL);
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *requests;
  JsonArray *messages;
  JsonObject *tool;
  const char *content;

  confab_replay_server_add_response (fixture->server, 200, NULL, body, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  g_assert_cmpuint (confab_turn_get_max_tool_result (fixture->turn), ==, CONFAB_TURN_DEFAULT_MAX_TOOL_RESULT);
  confab_turn_set_max_tool_result (fixture->turn, 8);

  g_assert_true (run (fixture, &error));
  g_assert_no_error (error);

  /* The model got the first 8 bytes and a note; the call keeps its whole result. */
  requests = confab_replay_server_get_requests (fixture->server);
  g_assert_cmpuint (requests->len, ==, 2);
  sent = json_from_string (((ConfabReplayRequest *)g_ptr_array_index (requests, 1))->body, &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (json_node_get_object (sent), "messages");
  tool = json_array_get_object_element (messages, json_array_get_length (messages) - 1);
  g_assert_cmpstr (json_object_get_string_member (tool, "role"), ==, "tool");
  content = json_object_get_string_member (tool, "content");
  g_test_message ("sent: %s", content);
  g_assert_true (g_str_has_prefix (content, "No tools\n[Confab cut this tool result: it was"));
  {
    ConfabMessage *assistant = g_ptr_array_index (confab_turn_get_steps (fixture->turn), 0);
    g_autoptr(ConfabToolCall) call = g_list_model_get_item (confab_message_get_tool_calls (assistant), 0);

    g_assert_cmpstr (confab_tool_call_get_result (call), ==, "No tools are available");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/tool-limits/too-many-tool-calls", Fixture, NULL, fixture_set_up, test_too_many_tool_calls,
              fixture_tear_down);
  g_test_add ("/tool-limits/tool-result-cut", Fixture, NULL, fixture_set_up, test_tool_result_cut,
              fixture_tear_down);

  return g_test_run ();
}
