/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-tool-loop"

#include "config.h"

#include <string.h>

#include "confab-approval-policy.h"
#include "confab-client.h"
#include "confab-conversation.h"
#include "confab-mcp-server.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-replay-server.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"
#include "confab-turn.h"

/* The tool loop end to end: a replayed provider (the cassettes, or scripted streams), the
 * test MCP server as a real process, through the core (ConfabTurn) and through confab-cli.
 * Every request the loop sends is compared with the recorded one as JSON. */

#define WAIT_MS 15000
#define MODEL "moonshotai/kimi-k2-instruct-0905"
#define TOOL_CASSETTE "tool_streaming_groq-kimi-k2.json"
#define MULTI_TOOL_CASSETTE "multi_tool_streaming_groq-kimi-k2.json"
#define DENIED "The user denied this tool call."

typedef struct
{
  char      *system_prompt;
  char      *user_prompt;
  GPtrArray *requests;
  GPtrArray *responses;
} Cassette;

static void
cassette_free (Cassette *cassette)
{
  g_free (cassette->system_prompt);
  g_free (cassette->user_prompt);
  g_clear_pointer (&cassette->requests, g_ptr_array_unref);
  g_clear_pointer (&cassette->responses, g_ptr_array_unref);
  g_free (cassette);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cassette, cassette_free)

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static char *
to_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static JsonArray *
request_messages (JsonNode *request)
{
  return json_object_get_array_member (json_node_get_object (request), "messages");
}

/* The prompts come from the recording itself, so the replay asks exactly what was asked. */
static Cassette *
cassette_load (const char *name)
{
  g_autoptr(Cassette) cassette = g_new0 (Cassette, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  JsonArray *messages;

  g_assert_true (confab_cassette_load (name, &cassette->requests, &cassette->responses, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cassette->requests->len, ==, 2);

  first = parse_json (g_ptr_array_index (cassette->requests, 0));
  messages = request_messages (first);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1), "role"), ==, "user");
  cassette->system_prompt = g_strdup (json_object_get_string_member (json_array_get_object_element (messages, 0), "content"));
  cassette->user_prompt = g_strdup (json_object_get_string_member (json_array_get_object_element (messages, 1), "content"));

  return g_steal_pointer (&cassette);
}

/* The second recorded request with the content of the tool message(s) replaced. */
static char *
second_request_with_tool_content (Cassette   *cassette,
                                  const char *content)
{
  g_autoptr(JsonNode) second = parse_json (g_ptr_array_index (cassette->requests, 1));
  JsonArray *messages = request_messages (second);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (g_strcmp0 (json_object_get_string_member (message, "role"), "tool") == 0)
        json_object_set_string_member (message, "content", content);
    }

  return to_json (second);
}

static const char *
test_server_path (void)
{
  const char *path = g_getenv ("CONFAB_TEST_MCP_SERVER");

  g_assert_nonnull (path);
  return path;
}

static char *
mcp_command (const char *tools)
{
  g_autofree char *quoted = g_shell_quote (test_server_path ());

  return g_strdup_printf ("%s --stderr-log --tools %s", quoted, tools);
}

/* Hand-made streams ---------------------------------------------------------------------- */

static char *
chunk (const char *delta_json,
       const char *finish_reason)
{
  return g_strdup_printf ("data: {\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                          "\"model\":\"" MODEL "\",\"choices\":[{\"index\":0,\"delta\":%s,"
                          "\"finish_reason\":%s}]}\n\n",
                          delta_json, finish_reason);
}

/* A stream that calls @name with @arguments (a JSON string literal, quotes included). */
static char *
tool_call_stream (const char *name,
                  const char *arguments)
{
  g_autofree char *role = chunk ("{\"role\":\"assistant\",\"content\":\"Let me see.\"}", "null");
  g_autofree char *call_delta = g_strdup_printf ("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                                                 "\"function\":{\"name\":\"%s\",\"arguments\":%s}}]}",
                                                 name, arguments);
  g_autofree char *call = chunk (call_delta, "null");
  g_autofree char *finish = chunk ("{}", "\"tool_calls\"");

  return g_strconcat (role, call, finish, "data: [DONE]\n\n", NULL);
}

static char *
answer_stream (const char *text)
{
  g_autofree char *delta = g_strdup_printf ("{\"role\":\"assistant\",\"content\":\"%s\"}", text);
  g_autofree char *content = chunk (delta, "null");
  g_autofree char *finish = chunk ("{}", "\"stop\"");

  return g_strconcat (content, finish, "data: [DONE]\n\n", NULL);
}

/* The tool message of the @index-th request, checked for its call id. */
static const char *
tool_result_sent (ConfabReplayServer *server,
                  guint               index,
                  JsonNode          **holder)
{
  GPtrArray *requests = confab_replay_server_get_requests (server);
  ConfabReplayRequest *request;
  JsonArray *messages;
  JsonObject *tool;

  g_assert_cmpuint (requests->len, >, index);
  request = g_ptr_array_index (requests, index);
  *holder = parse_json (request->body);
  messages = request_messages (*holder);
  tool = json_array_get_object_element (messages, json_array_get_length (messages) - 1);

  g_assert_cmpstr (json_object_get_string_member (tool, "role"), ==, "tool");
  g_assert_cmpstr (json_object_get_string_member (tool, "tool_call_id"), ==, "call_1");

  return json_object_get_string_member (tool, "content");
}

/* Through the core ------------------------------------------------------------------------ */

typedef struct
{
  ConfabReplayServer   *server;
  ConfabClient         *client;
  ConfabProvider       *provider;
  ConfabToolRegistry   *registry;
  ConfabApprovalPolicy *approvals;
  ConfabMcpServer      *mcp;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *command = mcp_command (data);
  g_autofree char *approvals_path = confab_approval_policy_get_default_path ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  fixture->server = confab_replay_server_new ();
  fixture->client = confab_client_new ();
  fixture->provider = confab_provider_new ("Replay", confab_replay_server_get_base_url (fixture->server));
  confab_provider_set_max_tokens (fixture->provider, 4000);

  fixture->registry = confab_tool_registry_new ();
  g_assert_true (confab_tool_registry_add_command (fixture->registry, command, &error));
  g_assert_no_error (error);
  confab_tool_registry_start_async (fixture->registry, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_tool_registry_start_finish (fixture->registry, result, &error));
  fixture->mcp = g_list_model_get_item (confab_tool_registry_get_servers (fixture->registry), 0);
  g_assert_cmpint (confab_mcp_server_get_state (fixture->mcp), ==, CONFAB_MCP_SERVER_STATE_READY);

  fixture->approvals = confab_approval_policy_new (approvals_path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  confab_tool_registry_stop (fixture->registry);
  g_clear_object (&fixture->mcp);
  g_clear_object (&fixture->registry);
  g_clear_object (&fixture->approvals);
  g_clear_object (&fixture->provider);
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->server, confab_replay_server_free);
}

typedef struct
{
  ConfabApproval answer;
  guint          asked;
} Approver;

static void
on_approval_requested (ConfabTurn     *turn,
                       ConfabToolCall *call,
                       Approver       *approver)
{
  approver->asked++;
  confab_tool_call_resolve_approval (call, approver->answer);
}

static ConfabTurn *
run_turn (Fixture            *fixture,
          ConfabConversation *conversation,
          const char         *system_prompt,
          const char         *user_prompt,
          Approver           *approver)
{
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, user_prompt);
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_conversation_set_system_prompt (conversation, system_prompt);
  confab_conversation_append (conversation, user);

  turn = confab_turn_new (fixture->client, fixture->provider, conversation,
                          fixture->registry, fixture->approvals);
  confab_turn_set_model (turn, MODEL);
  if (approver != NULL)
    g_signal_connect (turn, "approval-requested", G_CALLBACK (on_approval_requested), approver);

  confab_turn_run_async (turn, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_turn_run_finish (turn, result, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&turn);
}

static void
replay_cassette_through_turn (Fixture    *fixture,
                              const char *name,
                              const char *expected_results[],
                              guint       n_results)
{
  g_autoptr(Cassette) cassette = cassette_load (name);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessage *first;
  GListModel *calls;

  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  g_assert_true (confab_replay_server_load_cassette (fixture->server, name, &error));
  g_assert_no_error (error);

  turn = run_turn (fixture, conversation, cassette->system_prompt, cassette->user_prompt, NULL);

  confab_replay_server_assert_no_mismatches (fixture->server);
  g_assert_cmpuint (confab_replay_server_get_n_pending (fixture->server), ==, 0);
  g_assert_cmpuint (confab_turn_get_steps (turn)->len, ==, 2);

  first = g_ptr_array_index (confab_turn_get_steps (turn), 0);
  calls = confab_message_get_tool_calls (first);
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, n_results);
  for (guint i = 0; i < n_results; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);

      g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
      g_assert_cmpstr (confab_tool_call_get_result (call), ==, expected_results[i]);
      g_assert_cmpstr (confab_tool_call_get_server (call), ==, "confab-test-mcp-server");
    }

  /* The tools really ran on the MCP server. */
  g_assert_nonnull (strstr (confab_mcp_server_get_log (fixture->mcp), "call "));
}

static void
test_turn_weather_cassette (Fixture       *fixture,
                            gconstpointer  data)
{
  const char *results[] = { "40 C" };

  replay_cassette_through_turn (fixture, TOOL_CASSETTE, results, 1);
}

static void
test_turn_multi_tool_cassette (Fixture       *fixture,
                               gconstpointer  data)
{
  const char *results[] = { "5", "6" };

  replay_cassette_through_turn (fixture, MULTI_TOOL_CASSETTE, results, 2);
}

static void
test_turn_denied (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(Cassette) cassette = cassette_load (TOOL_CASSETTE);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabTurn) turn = NULL;
  g_autofree char *expected = second_request_with_tool_content (cassette, DENIED);
  g_autofree char *answer = answer_stream ("Understood, I will not check.");
  ConfabReplayResponse *response;
  Approver approver = { CONFAB_APPROVAL_DENY, 0 };

  response = confab_replay_server_add_response (fixture->server, 200, NULL,
                                                g_ptr_array_index (cassette->responses, 0),
                                                CONFAB_REPLAY_NONE);
  confab_replay_response_set_expected_body (response, g_ptr_array_index (cassette->requests, 0));
  response = confab_replay_server_add_response (fixture->server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  confab_replay_response_set_expected_body (response, expected);

  turn = run_turn (fixture, conversation, cassette->system_prompt, cassette->user_prompt, &approver);

  g_assert_cmpuint (approver.asked, ==, 1);
  confab_replay_server_assert_no_mismatches (fixture->server);
  g_assert_cmpuint (confab_replay_server_get_n_pending (fixture->server), ==, 0);
  g_assert_cmpstr (confab_message_get_content (confab_conversation_get_last_message (conversation)), ==,
                   "Understood, I will not check.");
  /* Nothing ran. */
  g_assert_null (strstr (confab_mcp_server_get_log (fixture->mcp), "call "));
}

static void
test_turn_unknown_tool (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(JsonNode) holder = NULL;
  g_autofree char *call = tool_call_stream ("forecast", "\"{\\\"location\\\":\\\"Florence\\\"}\"");
  g_autofree char *answer = answer_stream ("I cannot forecast.");
  Approver approver = { CONFAB_APPROVAL_ALLOW_ONCE, 0 };

  confab_replay_server_add_response (fixture->server, 200, NULL, call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL, answer, CONFAB_REPLAY_NONE);

  turn = run_turn (fixture, conversation, "You are a helpful assistant", "Forecast for Florence?", &approver);

  g_assert_cmpuint (approver.asked, ==, 0);
  g_assert_cmpuint (confab_replay_server_get_n_pending (fixture->server), ==, 0);
  g_assert_cmpstr (tool_result_sent (fixture->server, 1, &holder), ==,
                   "Error: there is no tool named “forecast”. Available tools: weather.");
  g_assert_null (strstr (confab_mcp_server_get_log (fixture->mcp), "call "));
}

static void
test_turn_invalid_arguments (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(JsonNode) holder = NULL;
  g_autofree char *call = tool_call_stream ("weather", "\"{\\\"location\\\":\"");
  g_autofree char *answer = answer_stream ("Sorry.");
  Approver approver = { CONFAB_APPROVAL_ALLOW_ONCE, 0 };
  const char *sent;

  confab_replay_server_add_response (fixture->server, 200, NULL, call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL, answer, CONFAB_REPLAY_NONE);

  turn = run_turn (fixture, conversation, "You are a helpful assistant", "Weather?", &approver);

  g_assert_cmpuint (approver.asked, ==, 0);
  sent = tool_result_sent (fixture->server, 1, &holder);
  g_assert_true (g_str_has_prefix (sent, "Error: The arguments of weather are not valid JSON"));
  g_assert_true (g_str_has_suffix (sent, "The tool was not run."));
  g_assert_null (strstr (confab_mcp_server_get_log (fixture->mcp), "call "));
}

static void
test_turn_tool_error_sent (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(JsonNode) holder = NULL;
  g_autofree char *call = tool_call_stream ("weather", "\"{\\\"location\\\":\\\"Florence\\\"}\"");
  g_autofree char *answer = answer_stream ("The weather service is down.");

  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  confab_replay_server_add_response (fixture->server, 200, NULL, call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL, answer, CONFAB_REPLAY_NONE);

  turn = run_turn (fixture, conversation, "You are a helpful assistant", "Weather?", NULL);

  g_assert_cmpstr (tool_result_sent (fixture->server, 1, &holder), ==,
                   "weather failed: the service is unavailable");
}

static void
test_turn_server_dies (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(JsonNode) holder = NULL;
  g_autofree char *call = tool_call_stream ("weather", "\"{\\\"location\\\":\\\"Florence\\\"}\"");
  g_autofree char *answer = answer_stream ("The tool crashed.");

  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  confab_replay_server_add_response (fixture->server, 200, NULL, call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL, answer, CONFAB_REPLAY_NONE);

  turn = run_turn (fixture, conversation, "You are a helpful assistant", "Weather?", NULL);

  g_assert_true (g_str_has_suffix (tool_result_sent (fixture->server, 1, &holder), "exited with status 3"));
}

/* Through confab-cli --------------------------------------------------------------------- */

static ConfabCliResult *
run_cli (ConfabReplayServer *server,
         const char         *tools,
         gboolean            yes,
         const char         *system_prompt,
         const char         *prompt)
{
  g_autofree char *command = tools ? mcp_command (tools) : NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (gpointer)"--base-url");
  g_ptr_array_add (args, (gpointer)confab_replay_server_get_base_url (server));
  g_ptr_array_add (args, (gpointer)"--model");
  g_ptr_array_add (args, (gpointer)MODEL);
  if (tools != NULL)
    {
      g_ptr_array_add (args, (gpointer)"--mcp");
      g_ptr_array_add (args, command);
    }
  if (yes)
    g_ptr_array_add (args, (gpointer)"--yes");
  g_ptr_array_add (args, (gpointer)"--system");
  g_ptr_array_add (args, (gpointer)system_prompt);
  g_ptr_array_add (args, (gpointer)"--max-tokens");
  g_ptr_array_add (args, (gpointer)"4000");
  g_ptr_array_add (args, (gpointer)"--json");
  g_ptr_array_add (args, (gpointer)prompt);
  g_ptr_array_add (args, NULL);

  /* No stdin terminal: without --yes every call is denied. */
  return confab_test_run_cli ((const char * const *)args->pdata, NULL, NULL, WAIT_MS);
}

static JsonNode *
last_line (ConfabCliResult *result,
           GPtrArray      **lines_out)
{
  g_autoptr(GPtrArray) lines = confab_test_parse_json_lines (result->stdout_text);

  g_assert_cmpuint (lines->len, >, 0);
  if (lines_out != NULL)
    *lines_out = g_ptr_array_ref (lines);

  return json_node_ref (g_ptr_array_index (lines, lines->len - 1));
}

static guint
count_events (GPtrArray  *lines,
              const char *type)
{
  guint n = 0;

  for (guint i = 0; i < lines->len; i++)
    if (g_strcmp0 (confab_test_json_get_string (g_ptr_array_index (lines, i), "type"), type) == 0)
      n++;

  return n;
}

static void
replay_cassette_through_cli (const char *name,
                             const char *tools,
                             guint       n_calls)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(Cassette) cassette = cassette_load (name);
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(JsonNode) done = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *difference = NULL;
  JsonArray *messages;
  JsonArray *expected;
  JsonObject *final;

  g_assert_true (confab_replay_server_load_cassette (server, name, &error));
  g_assert_no_error (error);

  result = run_cli (server, tools, TRUE, cassette->system_prompt, cassette->user_prompt);
  if (result->exit_status != 0)
    g_test_message ("stderr: %s", result->stderr_text);
  g_assert_cmpint (result->exit_status, ==, 0);

  /* Both requests, the second carrying the MCP results, as recorded. */
  confab_replay_server_assert_no_mismatches (server);
  g_assert_cmpuint (confab_replay_server_get_n_pending (server), ==, 0);
  g_assert_cmpuint (confab_replay_server_get_requests (server)->len, ==, 2);

  done = last_line (result, &lines);
  g_assert_cmpstr (confab_test_json_get_string (done, "type"), ==, "done");
  g_assert_cmpuint (count_events (lines, "tool_call"), ==, n_calls);
  g_assert_cmpuint (count_events (lines, "tool_result"), ==, n_calls);

  /* messages = the second request's messages plus the final answer. */
  second = parse_json (g_ptr_array_index (cassette->requests, 1));
  expected = request_messages (second);
  messages = json_object_get_array_member (json_node_get_object (done), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, json_array_get_length (expected) + 1);
  for (guint i = 0; i < json_array_get_length (expected); i++)
    if (!confab_json_equal (json_array_get_element (expected, i), json_array_get_element (messages, i), &difference))
      g_error ("message %u differs: %s", i, difference);

  final = json_array_get_object_element (messages, json_array_get_length (messages) - 1);
  g_assert_cmpstr (json_object_get_string_member (final, "role"), ==, "assistant");
  g_assert_false (json_object_has_member (final, "tool_calls"));
}

/* No --mcp: the server comes from $XDG_CONFIG_HOME/confab/mcp.json, as the GUI's do. */
static void
test_cli_configured_server (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "confab", NULL);
  g_autofree char *path = g_build_filename (dir, "mcp.json", NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mcpServers");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "weather");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, test_server_path ());
  json_builder_set_member_name (builder, "args");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "--tools");
  json_builder_add_string_value (builder, "weather");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, TRUE);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, json, -1, &error));
  g_assert_no_error (error);

  replay_cassette_through_cli (TOOL_CASSETTE, NULL, 1);
}

static void
test_cli_weather_cassette (void)
{
  replay_cassette_through_cli (TOOL_CASSETTE, "weather", 1);
}

static void
test_cli_multi_tool_cassette (void)
{
  replay_cassette_through_cli (MULTI_TOOL_CASSETTE, "add,multiply", 2);
}

static void
test_cli_denied_without_terminal (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(Cassette) cassette = cassette_load (TOOL_CASSETTE);
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(JsonNode) done = NULL;
  g_autofree char *expected = second_request_with_tool_content (cassette, DENIED);
  g_autofree char *answer = answer_stream ("Understood, I will not check.");
  ConfabReplayResponse *response;

  response = confab_replay_server_add_response (server, 200, NULL,
                                                g_ptr_array_index (cassette->responses, 0),
                                                CONFAB_REPLAY_NONE);
  confab_replay_response_set_expected_body (response, g_ptr_array_index (cassette->requests, 0));
  response = confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  confab_replay_response_set_expected_body (response, expected);

  result = run_cli (server, "weather", FALSE, cassette->system_prompt, cassette->user_prompt);
  g_assert_cmpint (result->exit_status, ==, 0);

  confab_replay_server_assert_no_mismatches (server);
  g_assert_cmpuint (confab_replay_server_get_n_pending (server), ==, 0);
  done = last_line (result, NULL);
  g_assert_cmpstr (confab_test_json_get_string (done, "type"), ==, "done");
}

static void
test_cli_unknown_tool (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(JsonNode) holder = NULL;
  g_autoptr(JsonNode) done = NULL;
  g_autofree char *call = tool_call_stream ("forecast", "\"{\\\"location\\\":\\\"Florence\\\"}\"");
  g_autofree char *answer = answer_stream ("I cannot forecast.");

  confab_replay_server_add_response (server, 200, NULL, call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);

  result = run_cli (server, "weather", TRUE, "You are a helpful assistant", "Forecast for Florence?");
  g_assert_cmpint (result->exit_status, ==, 0);

  g_assert_cmpuint (confab_replay_server_get_n_pending (server), ==, 0);
  g_assert_cmpstr (tool_result_sent (server, 1, &holder), ==,
                   "Error: there is no tool named “forecast”. Available tools: weather.");
  done = last_line (result, NULL);
  g_assert_cmpstr (confab_test_json_get_string (done, "type"), ==, "done");
}

static void
test_cli_invalid_arguments (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(JsonNode) holder = NULL;
  g_autofree char *call = tool_call_stream ("weather", "\"{\\\"location\\\":\"");
  g_autofree char *answer = answer_stream ("Sorry.");
  const char *sent;

  confab_replay_server_add_response (server, 200, NULL, call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);

  result = run_cli (server, "weather", TRUE, "You are a helpful assistant", "Weather?");
  g_assert_cmpint (result->exit_status, ==, 0);

  sent = tool_result_sent (server, 1, &holder);
  g_assert_true (g_str_has_prefix (sent, "Error: The arguments of weather are not valid JSON"));
  g_assert_true (g_str_has_suffix (sent, "The tool was not run."));
}

static void
test_cli_server_fails_to_start (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabCliResult) result = NULL;
  g_autofree char *answer = answer_stream ("Hello.");
  const char *args[] = {
    "--base-url", confab_replay_server_get_base_url (server),
    "--model", MODEL,
    "--mcp", "/nonexistent/mcp-server --flag",
    "--json", "Hi", NULL
  };

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);

  /* The broken server is reported by name and command; the chat itself goes on. */
  result = confab_test_run_cli (args, NULL, NULL, WAIT_MS);
  g_assert_nonnull (strstr (result->stderr_text, "“mcp-server” (/nonexistent/mcp-server --flag)"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD_TURN_TEST(path, tools, func) \
  g_test_add (path, Fixture, tools, fixture_set_up, func, fixture_tear_down)

  ADD_TURN_TEST ("/tool-loop/turn/weather-cassette", "weather", test_turn_weather_cassette);
  ADD_TURN_TEST ("/tool-loop/turn/multi-tool-cassette", "add,multiply", test_turn_multi_tool_cassette);
  ADD_TURN_TEST ("/tool-loop/turn/denied", "weather", test_turn_denied);
  ADD_TURN_TEST ("/tool-loop/turn/unknown-tool", "weather", test_turn_unknown_tool);
  ADD_TURN_TEST ("/tool-loop/turn/invalid-arguments", "weather", test_turn_invalid_arguments);
  ADD_TURN_TEST ("/tool-loop/turn/tool-error-sent", "weather --fail-tool weather", test_turn_tool_error_sent);
  ADD_TURN_TEST ("/tool-loop/turn/server-dies", "weather --die-on-call", test_turn_server_dies);

  g_test_add_func ("/tool-loop/cli/weather-cassette", test_cli_weather_cassette);
  g_test_add_func ("/tool-loop/cli/multi-tool-cassette", test_cli_multi_tool_cassette);
  g_test_add_func ("/tool-loop/cli/configured-server", test_cli_configured_server);
  g_test_add_func ("/tool-loop/cli/denied-without-terminal", test_cli_denied_without_terminal);
  g_test_add_func ("/tool-loop/cli/unknown-tool", test_cli_unknown_tool);
  g_test_add_func ("/tool-loop/cli/invalid-arguments", test_cli_invalid_arguments);
  g_test_add_func ("/tool-loop/cli/server-fails-to-start", test_cli_server_fails_to_start);

  return g_test_run ();
}
