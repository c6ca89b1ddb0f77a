/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confab-approval-decision.h"
#include "confab-replay-server.h"
#include "confab-store-decisions.h"
#include "confab-store.h"
#include "confab-test-util.h"

#define CLI_TIMEOUT_MS 20000

#define SIMPLE_CASSETTE "simple_streaming_openrouter-groq-kimi-k2.json"
#define TOOL_CASSETTE "tool_streaming_groq-kimi-k2.json"

typedef struct
{
  ConfabReplayServer *server;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = confab_replay_server_new ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->server, confab_replay_server_free);
}

static ConfabCliResult *
run_cli (Fixture            *fixture,
         const char * const *extra_args,
         const char         *prompt)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  ConfabCliResult *result;

  g_ptr_array_add (args, (gpointer) "--base-url");
  g_ptr_array_add (args, (gpointer) confab_replay_server_get_base_url (fixture->server));
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) extra_args[i]);
  if (prompt != NULL)
    g_ptr_array_add (args, (gpointer) prompt);
  g_ptr_array_add (args, NULL);

  result = confab_test_run_cli ((const char * const *) args->pdata, NULL, NULL, CLI_TIMEOUT_MS);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", result->exit_status,
                  result->stdout_text, result->stderr_text);

  return result;
}

static JsonObject *
object_of (JsonNode *node)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static JsonNode *
last_line (GPtrArray *lines)
{
  g_assert_cmpuint (lines->len, >, 0);
  return g_ptr_array_index (lines, lines->len - 1);
}

/* Every event of @type, joined as text from member @member. */
static char *
join_events (GPtrArray  *lines,
             const char *type,
             const char *member)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    {
      JsonNode *line = g_ptr_array_index (lines, i);

      if (g_strcmp0 (confab_test_json_get_string (line, "type"), type) == 0)
        g_string_append (text, confab_test_json_get_string (line, member));
    }

  return g_string_free (text, FALSE);
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
assert_json_equal (JsonNode *expected,
                   JsonNode *actual)
{
  g_autofree char *difference = NULL;

  if (!confab_json_equal (expected, actual, &difference))
    g_error ("JSON differs: %s", difference);
}

static JsonNode *
recorded_messages (const char *request_body)
{
  g_autoptr(JsonNode) root = json_from_string (request_body, NULL);

  g_assert_nonnull (root);
  return json_node_copy (json_object_get_member (object_of (root), "messages"));
}

static void
test_version (void)
{
  static const char * const args[] = { "--version", NULL };
  g_autoptr(ConfabCliResult) result = confab_test_run_cli (args, NULL, NULL, CLI_TIMEOUT_MS);

  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_cmpstr (result->stdout_text, ==, "confab-cli " PACKAGE_VERSION "\n");
}

static const char * const simple_args[] = {
  "--model", "moonshotai/kimi-k2-0905",
  "--system", "You are a helpful assistant",
  "--max-tokens", "4000",
  "--extra-body", "{\"provider\":{\"only\":[\"groq\"]},\"usage\":{\"include\":true}}",
  "--json",
  NULL
};

static void
test_simple_cassette_json (Fixture       *fixture,
                           gconstpointer  data)
{
  static const guint pieces[] = { 1, 5, 23, 4096 };
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GPtrArray) usages = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_cassette_load (SIMPLE_CASSETTE, &requests, &responses, &error));
  usages = confab_cassette_usages (responses);

  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      g_autoptr(ConfabCliResult) result = NULL;
      g_autoptr(GPtrArray) lines = NULL;
      g_autoptr(JsonNode) expected_messages = NULL;
      g_autofree char *text = NULL;
      JsonObject *done;
      JsonArray *usage;
      JsonArray *messages;
      JsonObject *answer;

      confab_replay_server_set_seed (fixture->server, 300 + i);
      confab_replay_server_set_max_piece (fixture->server, pieces[i]);
      g_assert_true (confab_replay_server_load_cassette (fixture->server, SIMPLE_CASSETTE, &error));

      result = run_cli (fixture, simple_args, "Say hi in Portuguese");
      g_assert_cmpint (result->exit_status, ==, 0);
      confab_replay_server_assert_no_mismatches (fixture->server);
      g_assert_cmpuint (confab_replay_server_get_n_pending (fixture->server), ==, 0);

      lines = confab_test_parse_json_lines (result->stdout_text);
      text = join_events (lines, "text", "text");
      g_assert_cmpstr (text, ==, "Olá!");
      g_assert_cmpuint (count_events (lines, "usage"), ==, 1);
      g_assert_cmpuint (count_events (lines, "tool_call"), ==, 0);

      done = object_of (last_line (lines));
      g_assert_cmpstr (json_object_get_string_member (done, "type"), ==, "done");
      g_assert_nonnull (json_object_get_string_member (done, "conversation_id"));

      /* The whole conversation in request format: what the next request would send. */
      messages = json_object_get_array_member (done, "messages");
      g_assert_cmpuint (json_array_get_length (messages), ==, 3);
      expected_messages = recorded_messages (g_ptr_array_index (requests, 0));
      json_array_add_object_element (json_node_get_array (expected_messages), json_object_new ());
      answer = json_array_get_object_element (json_node_get_array (expected_messages), 2);
      json_object_set_string_member (answer, "role", "assistant");
      json_object_set_string_member (answer, "content", "Olá!");
      assert_json_equal (expected_messages, json_object_get_member (done, "messages"));

      usage = json_object_get_array_member (done, "usage");
      g_assert_cmpuint (json_array_get_length (usage), ==, 1);
      assert_json_equal (g_ptr_array_index (usages, 0), json_array_get_element (usage, 0));
    }
}

static void
test_simple_cassette_text (Fixture       *fixture,
                           gconstpointer  data)
{
  static const char * const args[] = {
    "--model", "moonshotai/kimi-k2-0905",
    "--system", "You are a helpful assistant",
    "--max-tokens", "4000",
    "--extra-body", "{\"provider\":{\"only\":[\"groq\"]},\"usage\":{\"include\":true}}",
    "--no-store",
    NULL
  };
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_replay_server_load_cassette (fixture->server, SIMPLE_CASSETTE, &error));
  result = run_cli (fixture, args, "Say hi in Portuguese");

  g_assert_cmpint (result->exit_status, ==, 0);
  confab_replay_server_assert_no_mismatches (fixture->server);
  g_assert_cmpstr (result->stdout_text, ==, "Olá!\n");
  /* The usage line, on stderr; no terminal, so no escape codes. */
  g_assert_nonnull (strstr (result->stderr_text, "20 prompt + 4 completion = 24 tokens"));
  g_assert_nonnull (strstr (result->stderr_text, "$0.000032"));
  g_assert_null (strstr (result->stderr_text, "\033["));
}

static void
test_http_error_json (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const args[] = { "--model", "m", "--json", "--no-store", NULL };
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *error_line;
  JsonArray *messages;
  JsonArray *usage;

  confab_replay_server_add_response (fixture->server, 401, "application/json",
                                     "{\"error\":{\"message\":\"Invalid API Key\"}}", CONFAB_REPLAY_NONE);
  result = run_cli (fixture, args, "hello");

  g_assert_cmpint (result->exit_status, !=, 0);
  lines = confab_test_parse_json_lines (result->stdout_text);
  error_line = object_of (last_line (lines));
  g_assert_cmpstr (json_object_get_string_member (error_line, "type"), ==, "error");
  g_assert_nonnull (strstr (json_object_get_string_member (error_line, "message"), "401"));
  g_assert_nonnull (strstr (json_object_get_string_member (error_line, "message"), "Invalid API Key"));

  messages = json_object_get_array_member (error_line, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "content"), ==, "hello");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1), "role"), ==, "assistant");

  usage = json_object_get_array_member (error_line, "usage");
  g_assert_cmpuint (json_array_get_length (usage), ==, 1);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_array_get_element (usage, 0)));
}

static void
test_partial_answer_kept_on_error (Fixture       *fixture,
                                   gconstpointer  data)
{
  static const char * const args[] = { "--model", "m", "--json", "--no-store", NULL };
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *text = NULL;
  JsonObject *error_line;
  JsonArray *messages;

  confab_replay_server_add_response (fixture->server, 200, NULL,
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n"
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\", wor\"}}]}\n\n",
                                     CONFAB_REPLAY_CLOSE);
  result = run_cli (fixture, args, "hello");

  g_assert_cmpint (result->exit_status, !=, 0);
  lines = confab_test_parse_json_lines (result->stdout_text);
  text = join_events (lines, "text", "text");
  g_assert_cmpstr (text, ==, "Hello, wor");

  error_line = object_of (last_line (lines));
  g_assert_cmpstr (json_object_get_string_member (error_line, "type"), ==, "error");
  messages = json_object_get_array_member (error_line, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1), "content"),
                   ==, "Hello, wor");
}

static void
test_idle_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const args[] = { "--model", "m", "--idle-timeout", "1", "--no-store", NULL };
  g_autoptr(ConfabCliResult) result = NULL;

  confab_replay_server_add_response (fixture->server, 200, NULL,
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n",
                                     CONFAB_REPLAY_STALL);
  result = run_cli (fixture, args, "hello");

  g_assert_cmpint (result->exit_status, ==, 1);
  g_assert_cmpstr (result->stdout_text, ==, "Hel\n");
  g_assert_nonnull (strstr (result->stderr_text, "1 second"));
}

static const char *tool_call_stream =
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Checking.\"}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
  "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"location\\\": \\\"Florence,Italy\\\"}\"}}]}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],"
  "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}\n\n"
  "data: [DONE]\n\n";

static void
test_tool_calls_without_tools (Fixture       *fixture,
                               gconstpointer  data)
{
  static const char * const args[] = { "--model", "m", "--json", "--no-store", NULL };
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  ConfabReplayRequest *request;
  JsonObject *done;
  JsonArray *messages;
  JsonArray *usage;
  JsonObject *tool;

  confab_replay_server_add_response (fixture->server, 200, NULL, tool_call_stream, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL,
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"No tools.\"},\"finish_reason\":\"stop\"}]}\n\n"
                                     "data: [DONE]\n\n",
                                     CONFAB_REPLAY_NONE);
  result = run_cli (fixture, args, "weather in Florence?");

  g_assert_cmpint (result->exit_status, ==, 0);
  lines = confab_test_parse_json_lines (result->stdout_text);
  g_assert_cmpuint (count_events (lines, "tool_call"), ==, 1);
  g_assert_cmpuint (count_events (lines, "tool_result"), ==, 1);
  g_assert_cmpuint (count_events (lines, "usage"), ==, 2);

  done = object_of (last_line (lines));
  g_assert_cmpstr (json_object_get_string_member (done, "type"), ==, "done");
  messages = json_object_get_array_member (done, "messages");
  /* user, assistant + call, tool, assistant */
  g_assert_cmpuint (json_array_get_length (messages), ==, 4);
  tool = json_array_get_object_element (messages, 2);
  g_assert_cmpstr (json_object_get_string_member (tool, "role"), ==, "tool");
  g_assert_cmpstr (json_object_get_string_member (tool, "tool_call_id"), ==, "call_1");
  g_assert_cmpstr (json_object_get_string_member (tool, "content"), ==, "No tools are available");

  usage = json_object_get_array_member (done, "usage");
  g_assert_cmpuint (json_array_get_length (usage), ==, 2);
  g_assert_false (JSON_NODE_HOLDS_NULL (json_array_get_element (usage, 0)));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_array_get_element (usage, 1)));

  /* The arguments went back byte for byte, space included. */
  request = g_ptr_array_index (confab_replay_server_get_requests (fixture->server), 1);
  g_assert_nonnull (strstr (request->body, "{\\\"location\\\": \\\"Florence,Italy\\\"}"));
}

static void
test_step_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const args[] = { "--model", "m", "--json", "--no-store", "--max-steps", "1", NULL };
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *done;
  JsonObject *limit = NULL;

  confab_replay_server_add_response (fixture->server, 200, NULL, tool_call_stream, CONFAB_REPLAY_NONE);
  result = run_cli (fixture, args, "weather in Florence?");

  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_cmpuint (confab_replay_server_get_requests (fixture->server)->len, ==, 1);
  lines = confab_test_parse_json_lines (result->stdout_text);
  g_assert_cmpuint (count_events (lines, "tool_result"), ==, 0);
  g_assert_cmpuint (count_events (lines, "step_limit"), ==, 1);
  for (guint i = 0; i < lines->len; i++)
    if (g_strcmp0 (confab_test_json_get_string (g_ptr_array_index (lines, i), "type"), "step_limit") == 0)
      limit = object_of (g_ptr_array_index (lines, i));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (limit, "pending")), ==, 1);

  done = object_of (last_line (lines));
  g_assert_cmpstr (json_object_get_string_member (done, "type"), ==, "done");
  g_assert_true (json_object_get_boolean_member (done, "hit_step_limit"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (done, "usage")), ==, 1);
}

static const char *reasoning_stream =
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"reasoning_content\":\"Let me \"}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"think.\"}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"<b>4</b>\"},\"finish_reason\":\"stop\"}]}\n\n"
  "data: [DONE]\n\n";

static void
test_reasoning_text (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char * const args[] = { "--model", "m", "--no-store", NULL };
  g_autoptr(ConfabCliResult) result = NULL;

  confab_replay_server_add_response (fixture->server, 200, NULL, reasoning_stream, CONFAB_REPLAY_NONE);
  result = run_cli (fixture, args, "2+2?");

  g_assert_cmpint (result->exit_status, ==, 0);
  /* The answer alone on stdout, as text (never interpreted); thinking on stderr. */
  g_assert_cmpstr (result->stdout_text, ==, "<b>4</b>\n");
  g_assert_true (g_str_has_prefix (result->stderr_text, "Let me think.\n"));
}

static void
test_reasoning_json (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char * const args[] = { "--model", "m", "--no-store", "--json", NULL };
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *reasoning = NULL;
  g_autofree char *text = NULL;
  JsonArray *messages;
  JsonObject *answer;

  confab_replay_server_add_response (fixture->server, 200, NULL, reasoning_stream, CONFAB_REPLAY_NONE);
  result = run_cli (fixture, args, "2+2?");

  g_assert_cmpint (result->exit_status, ==, 0);
  lines = confab_test_parse_json_lines (result->stdout_text);
  reasoning = join_events (lines, "reasoning", "text");
  text = join_events (lines, "text", "text");
  g_assert_cmpstr (reasoning, ==, "Let me think.");
  g_assert_cmpstr (text, ==, "<b>4</b>");

  /* Thinking is never sent back. */
  messages = json_object_get_array_member (object_of (last_line (lines)), "messages");
  answer = json_array_get_object_element (messages, 1);
  g_assert_cmpstr (json_object_get_string_member (answer, "content"), ==, "<b>4</b>");
  g_assert_false (json_object_has_member (answer, "reasoning_content"));
  g_assert_false (json_object_has_member (answer, "reasoning"));
}

/* Approval on a terminal: stdin is the slave side of a pseudo-terminal, the answer is typed
 * ahead into the master side (the terminal keeps it until confab-cli reads its line). */

typedef struct
{
  int master;
  int slave;
} Pty;

static void
pty_open (Pty        *pty,
          const char *typed)
{
  pty->master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (pty->master, >=, 0);
  g_assert_cmpint (grantpt (pty->master), ==, 0);
  g_assert_cmpint (unlockpt (pty->master), ==, 0);
  pty->slave = open (ptsname (pty->master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (pty->slave, >=, 0);
  g_assert_cmpint (write (pty->master, typed, strlen (typed)), ==, (gssize) strlen (typed));
}

static ConfabCliResult *
run_weather_on_terminal (Fixture    *fixture,
                         const char *typed)
{
  g_autofree char *mcp = NULL;
  ConfabCliResult *result;
  Pty pty;
  const char *args[] = {
    "--base-url", confab_replay_server_get_base_url (fixture->server),
    "--model", "moonshotai/kimi-k2-instruct-0905",
    "--mcp", NULL,
    "--system", "You are a helpful assistant",
    "--max-tokens", "4000",
    "--json",
    "What's the weather in Florence,Italy?",
    NULL
  };

  g_assert_nonnull (g_getenv ("CONFAB_TEST_MCP_SERVER"));
  mcp = g_strdup_printf ("%s --tools weather", g_getenv ("CONFAB_TEST_MCP_SERVER"));
  args[5] = mcp;

  pty_open (&pty, typed);
  result = confab_test_run_cli_with_stdin_fd (args, pty.slave, NULL, CLI_TIMEOUT_MS);
  close (pty.master);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", result->exit_status,
                  result->stdout_text, result->stderr_text);

  return result;
}

static JsonObject *
find_event (GPtrArray  *lines,
            const char *type)
{
  for (guint i = 0; i < lines->len; i++)
    if (g_strcmp0 (confab_test_json_get_string (g_ptr_array_index (lines, i), "type"), type) == 0)
      return object_of (g_ptr_array_index (lines, i));

  return NULL;
}

static void
test_terminal_approval_yes (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *tool_result;

  /* Allowed once on the terminal, the weather cassette replays exactly. */
  g_assert_true (confab_replay_server_load_cassette (fixture->server, TOOL_CASSETTE, &error));
  result = run_weather_on_terminal (fixture, "y\n");

  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_nonnull (strstr (result->stderr_text, "Run weather({\"location\":\"Florence,Italy\"})? [y/N/c/a] "));
  confab_replay_server_assert_no_mismatches (fixture->server);
  g_assert_cmpuint (confab_replay_server_get_n_pending (fixture->server), ==, 0);

  lines = confab_test_parse_json_lines (result->stdout_text);
  tool_result = find_event (lines, "tool_result");
  g_assert_nonnull (tool_result);
  g_assert_cmpstr (json_object_get_string_member (tool_result, "status"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (tool_result, "result"), ==, "40 C");
  g_assert_cmpstr (confab_test_json_get_string (last_line (lines), "type"), ==, "done");
}

static void
test_terminal_approval_no (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *tool_result;

  g_assert_true (confab_cassette_load (TOOL_CASSETTE, &requests, &responses, &error));
  confab_replay_server_add_response (fixture->server, 200, NULL, g_ptr_array_index (responses, 0), CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL,
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"OK.\"},\"finish_reason\":\"stop\"}]}\n\n",
                                     CONFAB_REPLAY_NONE);

  /* Anything but y or a is a no; the model is told, the tool never runs. */
  result = run_weather_on_terminal (fixture, "whatever\n");

  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_nonnull (strstr (result->stderr_text, "[y/N/c/a]"));
  lines = confab_test_parse_json_lines (result->stdout_text);
  tool_result = find_event (lines, "tool_result");
  g_assert_nonnull (tool_result);
  g_assert_cmpstr (json_object_get_string_member (tool_result, "status"), ==, "denied");
  g_assert_cmpstr (json_object_get_string_member (tool_result, "result"), !=, "40 C");
  g_assert_cmpuint (confab_replay_server_get_requests (fixture->server)->len, ==, 2);
}

/* "c" allows the tool for the rest of this chat: the second call runs without a question,
 * and the log says allow-chat, then auto-chat, as for the app's Allow for This Chat. */
static void
test_terminal_approval_for_chat (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *second_call = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GListModel) decisions = NULL;
  g_autoptr(GError) error = NULL;
  const char *conversation_id;
  const char *question;
  guint n_done = 0;

  {
    g_auto(GStrv) parts = g_strsplit (tool_call_stream, "call_1", -1);
    second_call = g_strjoinv ("call_2", parts);
  }
  confab_replay_server_add_response (fixture->server, 200, NULL, tool_call_stream, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL, second_call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL,
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Both.\"},\"finish_reason\":\"stop\"}]}\n\n",
                                     CONFAB_REPLAY_NONE);

  result = run_weather_on_terminal (fixture, "c\n");

  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_nonnull (strstr (result->stderr_text, "c for this chat"));
  question = strstr (result->stderr_text, "[y/N/c/a]");
  g_assert_nonnull (question);
  g_assert_null (strstr (question + 1, "[y/N/c/a]"));

  lines = confab_test_parse_json_lines (result->stdout_text);
  for (guint i = 0; i < lines->len; i++)
    if (g_strcmp0 (confab_test_json_get_string (lines->pdata[i], "type"), "tool_result") == 0 &&
        g_strcmp0 (json_object_get_string_member (object_of (lines->pdata[i]), "status"), "done") == 0)
      n_done++;
  g_assert_cmpuint (n_done, ==, 2);
  conversation_id = json_object_get_string_member (object_of (last_line (lines)), "conversation_id");
  g_assert_nonnull (conversation_id);

  path = g_build_filename (g_get_user_data_dir (), "confab", "confab.db", NULL);
  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  /* Newest first. */
  decisions = confab_store_list_decisions (store, conversation_id, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (decisions), ==, 2);
  {
    g_autoptr(ConfabApprovalDecision) newest = g_list_model_get_item (decisions, 0);
    g_autoptr(ConfabApprovalDecision) oldest = g_list_model_get_item (decisions, 1);

    g_assert_cmpstr (confab_approval_decision_get_decision (oldest), ==, "allow-chat");
    g_assert_cmpstr (confab_approval_decision_get_decision (newest), ==, "auto-chat");
  }
}

static void
test_multi_tool_cassette_with_yes (Fixture       *fixture,
                                   gconstpointer  data)
{
  static const guint pieces[] = { 3, 4096 };
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GPtrArray) usages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mcp = g_strdup_printf ("%s --tools add,multiply", g_getenv ("CONFAB_TEST_MCP_SERVER"));

  g_assert_true (confab_cassette_load ("multi_tool_streaming_groq-kimi-k2.json", NULL, &responses, &error));
  usages = confab_cassette_usages (responses);

  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      const char *args[] = {
        "--model", "moonshotai/kimi-k2-instruct-0905",
        "--mcp", mcp, "--yes",
        "--system", "You are a helpful assistant. Always use both add and multiply at the same time.",
        "--max-tokens", "4000",
        "--json",
        NULL
      };
      g_autoptr(ConfabCliResult) result = NULL;
      g_autoptr(GPtrArray) lines = NULL;
      JsonArray *usage;

      confab_replay_server_set_max_piece (fixture->server, pieces[i]);
      g_assert_true (confab_replay_server_load_cassette (fixture->server, "multi_tool_streaming_groq-kimi-k2.json", &error));
      result = run_cli (fixture, args, "Add and multiply the number 2 and 3");

      g_assert_cmpint (result->exit_status, ==, 0);
      confab_replay_server_assert_no_mismatches (fixture->server);
      g_assert_cmpuint (confab_replay_server_get_n_pending (fixture->server), ==, 0);

      lines = confab_test_parse_json_lines (result->stdout_text);
      g_assert_cmpuint (count_events (lines, "tool_call"), ==, 2);
      g_assert_cmpuint (count_events (lines, "tool_result"), ==, 2);
      usage = json_object_get_array_member (object_of (last_line (lines)), "usage");
      g_assert_cmpuint (json_array_get_length (usage), ==, 2);
      assert_json_equal (g_ptr_array_index (usages, 0), json_array_get_element (usage, 0));
      assert_json_equal (g_ptr_array_index (usages, 1), json_array_get_element (usage, 1));
    }
}

static void
test_bad_extra_body (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char * const args[] = { "--model", "m", "--json", "--no-store", "--extra-body", "[1,2]", NULL };
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  result = run_cli (fixture, args, "hello");
  g_assert_cmpint (result->exit_status, !=, 0);
  lines = confab_test_parse_json_lines (result->stdout_text);
  g_assert_cmpstr (confab_test_json_get_string (last_line (lines), "type"), ==, "error");
  g_assert_cmpuint (confab_replay_server_get_requests (fixture->server)->len, ==, 0);
}

static void
test_no_prompt (Fixture       *fixture,
                gconstpointer  data)
{
  static const char * const args[] = { "--model", "m", "--json", NULL };
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  result = run_cli (fixture, args, NULL);
  g_assert_cmpint (result->exit_status, ==, 2);
  lines = confab_test_parse_json_lines (result->stdout_text);
  g_assert_cmpstr (confab_test_json_get_string (last_line (lines), "type"), ==, "error");
}

static void
test_no_endpoint (void)
{
  static const char * const args[] = { "--model", "m", "--no-store", "hello", NULL };
  g_autoptr(ConfabCliResult) result = confab_test_run_cli (args, NULL, NULL, CLI_TIMEOUT_MS);

  g_assert_cmpint (result->exit_status, ==, 1);
  g_assert_nonnull (strstr (result->stderr_text, "--base-url"));
}

static void
test_continue (Fixture       *fixture,
               gconstpointer  data)
{
  static const char * const first_args[] = { "--model", "m", "--system", "Be brief", "--json", NULL };
  g_autoptr(ConfabCliResult) first = NULL;
  g_autoptr(ConfabCliResult) second = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) second_lines = NULL;
  g_autofree char *id = NULL;
  const char *second_args[] = { "--json", "--continue", NULL, NULL };
  ConfabReplayRequest *request;
  g_autoptr(JsonNode) body = NULL;
  JsonArray *messages;

  confab_replay_server_add_response (fixture->server, 200, NULL,
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"One.\"},\"finish_reason\":\"stop\"}]}\n\n"
                                     "data: [DONE]\n\n", CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL,
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Two.\"},\"finish_reason\":\"stop\"}]}\n\n"
                                     "data: [DONE]\n\n", CONFAB_REPLAY_NONE);

  first = run_cli (fixture, first_args, "count");
  g_assert_cmpint (first->exit_status, ==, 0);
  lines = confab_test_parse_json_lines (first->stdout_text);
  id = g_strdup (json_object_get_string_member (object_of (last_line (lines)), "conversation_id"));
  g_assert_nonnull (id);

  /* The model, system prompt and endpoint come from the stored conversation. */
  second_args[2] = id;
  second = run_cli (fixture, second_args, "again");
  g_assert_cmpint (second->exit_status, ==, 0);
  second_lines = confab_test_parse_json_lines (second->stdout_text);
  g_assert_cmpstr (json_object_get_string_member (object_of (last_line (second_lines)), "conversation_id"), ==, id);

  request = g_ptr_array_index (confab_replay_server_get_requests (fixture->server), 1);
  body = json_from_string (request->body, NULL);
  g_assert_cmpstr (json_object_get_string_member (object_of (body), "model"), ==, "m");
  messages = json_object_get_array_member (object_of (body), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "content"), ==, "Be brief");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 2), "content"), ==, "One.");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 3), "content"), ==, "again");
}

/* decode */

static void
test_decode_file_and_stdin (void)
{
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GPtrArray) usages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ConfabCliResult) from_file = NULL;
  g_autoptr(ConfabCliResult) from_stdin = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;
  const char *file_args[] = { "decode", NULL, NULL };
  static const char * const stdin_args[] = { "decode", "-", NULL };
  JsonObject *message;
  JsonArray *calls;

  g_assert_true (confab_cassette_load (TOOL_CASSETTE, NULL, &responses, &error));
  usages = confab_cassette_usages (responses);
  path = g_build_filename (g_get_user_cache_dir (), "tool.sse", NULL);
  g_assert_true (g_mkdir_with_parents (g_get_user_cache_dir (), 0700) == 0);
  g_assert_true (g_file_set_contents (path, g_ptr_array_index (responses, 0), -1, &error));

  file_args[1] = path;
  from_file = confab_test_run_cli (file_args, NULL, NULL, CLI_TIMEOUT_MS);
  g_assert_cmpint (from_file->exit_status, ==, 0);
  from_stdin = confab_test_run_cli (stdin_args, g_ptr_array_index (responses, 0), NULL, CLI_TIMEOUT_MS);
  g_assert_cmpint (from_stdin->exit_status, ==, 0);

  a = json_from_string (from_file->stdout_text, &error);
  g_assert_no_error (error);
  b = json_from_string (from_stdin->stdout_text, &error);
  g_assert_no_error (error);
  assert_json_equal (a, b);

  message = json_object_get_object_member (object_of (a), "message");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==,
                   "I'll check the weather in Florence, Italy for you.");
  calls = json_object_get_array_member (message, "tool_calls");
  g_assert_cmpuint (json_array_get_length (calls), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_array_get_object_element (calls, 0), "function"), "arguments"),
                   ==, "{\"location\":\"Florence,Italy\"}");
  assert_json_equal (g_ptr_array_index (usages, 0), json_object_get_member (object_of (a), "usage"));
}

static void
test_decode_truncated (void)
{
  static const char * const args[] = { "decode", "-", NULL };
  g_autoptr(ConfabCliResult) result = NULL;

  result = confab_test_run_cli (args, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n",
                                NULL, CLI_TIMEOUT_MS);
  g_assert_cmpint (result->exit_status, ==, 1);
  g_assert_nonnull (strstr (result->stdout_text, "\"Hi\""));
}

static void
test_decode_deep_nesting (void)
{
  /* An event nested 80,000 levels crashed the process in json-glib; now that event fails
   * with a clear error and the text before it (a lone surrogate read as U+FFFD) is printed. */
  static const char * const args[] = { "decode", "-", NULL };
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  GString *body = g_string_new ("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \\ud800\"}}]}\n\ndata: ");

  for (guint i = 0; i < 80000; i++)
    g_string_append (body, "[");
  g_string_append (body, "\n\n");

  result = confab_test_run_cli (args, body->str, NULL, CLI_TIMEOUT_MS);
  g_assert_cmpint (result->exit_status, ==, 1);
  g_assert_nonnull (strstr (result->stderr_text, "512"));
  json = json_from_string (result->stdout_text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object_of (json), "message"), "content"),
                   ==, "Hi \xef\xbf\xbd");
  g_string_free (body, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/cli/version", test_version);
  ADD ("/cli/cassette/simple-json", test_simple_cassette_json);
  ADD ("/cli/cassette/simple-text", test_simple_cassette_text);
  ADD ("/cli/reasoning/text", test_reasoning_text);
  ADD ("/cli/reasoning/json", test_reasoning_json);
  ADD ("/cli/error/http-401-json", test_http_error_json);
  ADD ("/cli/error/partial-answer-kept", test_partial_answer_kept_on_error);
  ADD ("/cli/error/idle-timeout", test_idle_timeout);
  ADD ("/cli/error/bad-extra-body", test_bad_extra_body);
  ADD ("/cli/error/no-prompt", test_no_prompt);
  g_test_add_func ("/cli/error/no-endpoint", test_no_endpoint);
  ADD ("/cli/tools/calls-without-tools", test_tool_calls_without_tools);
  ADD ("/cli/tools/step-limit", test_step_limit);
  ADD ("/cli/tools/multi-tool-cassette-with-yes", test_multi_tool_cassette_with_yes);
  ADD ("/cli/tools/terminal-approval-yes", test_terminal_approval_yes);
  ADD ("/cli/tools/terminal-approval-no", test_terminal_approval_no);
  ADD ("/cli/tools/terminal-approval-for-chat", test_terminal_approval_for_chat);
  ADD ("/cli/store/continue", test_continue);
  g_test_add_func ("/cli/decode/file-and-stdin", test_decode_file_and_stdin);
  g_test_add_func ("/cli/decode/truncated", test_decode_truncated);
  g_test_add_func ("/cli/decode/deep-nesting", test_decode_deep_nesting);

#undef ADD

  return g_test_run ();
}
