/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mcp"

#include "config.h"

#include <string.h>

#include "confab-approval-policy.h"
#include "confab-error.h"
#include "confab-mcp-server.h"
#include "confab-replay-server.h"
#include "confab-test-util.h"
#include "confab-tool.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"

/* The MCP client, the registry and the approval flow against the test MCP server
 * (tests/mcp), a real process over stdio. */

#define WAIT_MS 10000

static const char *weather_schema =
  "{\"properties\":{\"location\":{\"description\":\"the city\",\"type\":\"string\"}},"
  "\"required\":[\"location\"],\"type\":\"object\"}";

static const char *
test_server_path (void)
{
  const char *path = g_getenv ("CONFAB_TEST_MCP_SERVER");

  g_assert_nonnull (path);
  return path;
}

/* argv: the test server followed by @first_arg … NULL */
static GStrv
server_argv (const char *first_arg,
             ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  va_list args;

  g_strv_builder_add (builder, test_server_path ());

  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_strv_builder_add (builder, arg);
  va_end (args);

  return g_strv_builder_end (builder);
}

static gboolean
start_server (ConfabMcpServer  *server,
              GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  confab_mcp_server_start_async (server, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);

  return confab_mcp_server_start_finish (server, result, error);
}

static ConfabMcpServer *
new_started_server (const char         *name,
                    const char * const *argv)
{
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new (name, argv, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (start_server (server, &error));
  g_assert_no_error (error);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);
  g_assert_null (confab_mcp_server_get_error (server));

  return g_steal_pointer (&server);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static JsonNode *
call_tool (ConfabMcpServer  *server,
           const char       *name,
           const char       *arguments,
           GCancellable     *cancellable,
           GError          **error)
{
  g_autoptr(JsonNode) args = parse_json (arguments);
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  confab_mcp_server_call_tool_async (server, name, args, cancellable,
                                     confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);

  return confab_mcp_server_call_tool_finish (server, result, error);
}

static void
assert_json_equal (const char *expected,
                   JsonNode   *actual)
{
  g_autoptr(JsonNode) expected_node = parse_json (expected);
  g_autofree char *difference = NULL;

  if (!confab_json_equal (expected_node, actual, &difference))
    g_error ("JSON differs: %s", difference);
}

/* The client ---------------------------------------------------------------------------- */

static void
test_initialize_and_list (void)
{
  g_auto(GStrv) argv = server_argv (NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("test", (const char * const *)argv);
  GListModel *tools = confab_mcp_server_get_tools (server);
  const char *names[] = { "weather", "add", "multiply" };
  const char *descriptions[] = {
    "Get weather information for a location", "Add two numbers", "Multiply two numbers",
  };

  g_assert_cmpstr (confab_mcp_server_get_protocol_version (server), ==, CONFAB_MCP_PROTOCOL_VERSION);
  g_assert_cmpstr (confab_mcp_server_get_server_info_name (server), ==, "confab-test-mcp-server");

  g_assert_cmpuint (g_list_model_get_n_items (tools), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ConfabTool) tool = g_list_model_get_item (tools, i);

      g_assert_cmpstr (confab_tool_get_name (tool), ==, names[i]);
      g_assert_cmpstr (confab_tool_get_exposed_name (tool), ==, names[i]);
      g_assert_cmpstr (confab_tool_get_description (tool), ==, descriptions[i]);
      g_assert_cmpstr (confab_tool_get_server_name (tool), ==, "test");
      g_assert_true (confab_tool_get_server (tool) == server);
    }

  {
    g_autoptr(ConfabTool) weather = g_list_model_get_item (tools, 0);
    assert_json_equal (weather_schema, confab_tool_get_input_schema (weather));
  }

  confab_mcp_server_stop (server);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_STOPPED);
  g_assert_cmpuint (g_list_model_get_n_items (tools), ==, 0);
}

static void
test_protocol_version_accepted (void)
{
  g_auto(GStrv) argv = server_argv ("--protocol-version", "2025-03-26", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("old", (const char * const *)argv);

  g_assert_cmpstr (confab_mcp_server_get_protocol_version (server), ==, "2025-03-26");
  g_assert_cmpuint (g_list_model_get_n_items (confab_mcp_server_get_tools (server)), ==, 3);
}

static void
test_list_paginated (void)
{
  g_auto(GStrv) argv = server_argv ("--paginate", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("pages", (const char * const *)argv);
  GListModel *tools = confab_mcp_server_get_tools (server);
  const char *names[] = { "weather", "add", "multiply" };

  g_assert_cmpuint (g_list_model_get_n_items (tools), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ConfabTool) tool = g_list_model_get_item (tools, i);
      g_assert_cmpstr (confab_tool_get_name (tool), ==, names[i]);
    }
}

static void
test_call_text (void)
{
  g_auto(GStrv) argv = server_argv (NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("test", (const char * const *)argv);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean is_error = TRUE;

  result = call_tool (server, "add", "{\"a\":2,\"b\":3}", NULL, &error);
  g_assert_no_error (error);
  text = confab_mcp_result_to_text (result, &is_error);
  g_assert_cmpstr (text, ==, "5");
  g_assert_false (is_error);

  g_clear_pointer (&result, json_node_unref);
  g_clear_pointer (&text, g_free);
  result = call_tool (server, "weather", "{\"location\":\"Florence,Italy\"}", NULL, &error);
  g_assert_no_error (error);
  text = confab_mcp_result_to_text (result, &is_error);
  g_assert_cmpstr (text, ==, "40 C");
}

static void
test_call_is_error (void)
{
  g_auto(GStrv) argv = server_argv ("--fail-tool", "weather", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("test", (const char * const *)argv);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean is_error = FALSE;

  result = call_tool (server, "weather", "{\"location\":\"Florence,Italy\"}", NULL, &error);
  g_assert_no_error (error);
  text = confab_mcp_result_to_text (result, &is_error);
  g_assert_true (is_error);
  g_assert_cmpstr (text, ==, "weather failed: the service is unavailable");
  /* An isError result is a result: the server stays usable. */
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);
}

static void
test_call_image (void)
{
  g_auto(GStrv) argv = server_argv ("--image", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("test", (const char * const *)argv);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autofree guchar *png = NULL;
  JsonArray *content;
  const char *data;
  gsize png_len;

  result = call_tool (server, "weather", "{\"location\":\"Florence,Italy\"}", NULL, &error);
  g_assert_no_error (error);

  content = json_object_get_array_member (json_node_get_object (result), "content");
  g_assert_cmpuint (json_array_get_length (content), ==, 2);
  data = json_object_get_string_member (json_array_get_object_element (content, 1), "data");
  png = g_base64_decode (data, &png_len);

  text = confab_mcp_result_to_text (result, NULL);
  expected = g_strdup_printf ("40 C\n[image: image/png, %" G_GSIZE_FORMAT " bytes]", png_len);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_result_descriptions (void)
{
  g_autoptr(JsonNode) result = parse_json (
    "{\"content\":["
    "{\"type\":\"text\",\"text\":\"one\"},"
    "{\"type\":\"audio\",\"data\":\"AAAA\",\"mimeType\":\"audio/wav\"},"
    "{\"type\":\"resource\",\"resource\":{\"uri\":\"file:///a.txt\",\"mimeType\":\"text/plain\",\"text\":\"hello\"}},"
    "{\"type\":\"resource_link\",\"uri\":\"file:///b\",\"name\":\"b\"},"
    "{\"type\":\"text\",\"text\":\"two\"}"
    "]}");
  g_autoptr(JsonNode) structured = parse_json ("{\"content\":[],\"structuredContent\":{\"x\":1}}");
  g_autofree char *text = confab_mcp_result_to_text (result, NULL);
  g_autofree char *structured_text = confab_mcp_result_to_text (structured, NULL);

  g_assert_cmpstr (text, ==,
                   "one\n"
                   "[audio: audio/wav, 3 bytes]\n"
                   "[resource: file:///a.txt, text/plain]\nhello\n"
                   "[resource link: b, file:///b]\n"
                   "two");
  g_assert_cmpstr (structured_text, ==, "{\"x\":1}");
}

static void
test_dies_mid_call (void)
{
  g_auto(GStrv) argv = server_argv ("--die-on-call", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("dying", (const char * const *)argv);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command_line = confab_mcp_server_dup_command_line (server);
  g_autofree char *expected = NULL;

  result = call_tool (server, "weather", "{\"location\":\"x\"}", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);

  expected = g_strdup_printf ("MCP server “dying” (%s) exited with status 3", command_line);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_FAILED);
  g_assert_cmpstr (confab_mcp_server_get_error (server), ==, expected);

  /* A later call fails at once with the same clear message. */
  g_clear_error (&error);
  result = call_tool (server, "weather", "{\"location\":\"x\"}", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_hang_times_out (void)
{
  g_auto(GStrv) argv = server_argv ("--hang-on-call", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("slow", (const char * const *)argv);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  confab_mcp_server_set_call_timeout (server, 1);

  started = g_get_monotonic_time ();
  result = call_tool (server, "weather", "{\"location\":\"x\"}", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "“slow”"));
  g_assert_nonnull (strstr (error->message, "within 1 second"));
  g_assert_cmpint (g_get_monotonic_time () - started, >=, G_USEC_PER_SEC);

  /* The server was told, and stays usable for other calls. */
  CONFAB_TEST_WAIT_FOR (strstr (confab_mcp_server_get_log (server), "cancelled request 3: timeout") != NULL,
                        WAIT_MS);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);
}

static void
test_garbage (void)
{
  g_auto(GStrv) argv = server_argv ("--garbage", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("noisy", (const char * const *)argv);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  /* A line that is not a message is a banner or a stray print: skipped and logged, the
   * server stays; the call it was meant to answer times out. */
  confab_mcp_server_set_call_timeout (server, 1);
  result = call_tool (server, "weather", "{\"location\":\"x\"}", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);
  g_assert_nonnull (strstr (confab_mcp_server_get_log (server),
                            "Skipped a line on stdout that is not JSON-RPC: this is not JSON at all\n"));
}

static void
test_fails_to_start (void)
{
  const char *argv[] = { "/nonexistent/confab-mcp-server", "--flag", NULL };
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new ("missing", argv, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (start_server (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_true (g_str_has_prefix (error->message,
                                   "MCP server “missing” (/nonexistent/confab-mcp-server --flag) could not be started: "));
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_FAILED);
  g_assert_cmpstr (confab_mcp_server_get_error (server), ==, error->message);
}

static void
test_exits_at_start (void)
{
  g_auto(GStrv) argv = server_argv ("--exit-at-start", "1", NULL);
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new ("quitter", (const char * const *)argv, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (start_server (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_true (g_str_has_suffix (error->message, "--exit-at-start 1) exited with status 1"));
  /* What it said on the way out is kept. */
  g_assert_nonnull (strstr (confab_mcp_server_get_log (server), "exiting at start with status 1"));
}

static void
on_tools_changed (ConfabMcpServer *server,
                  guint           *count)
{
  (*count)++;
}

static void
test_list_changed (void)
{
  g_auto(GStrv) argv = server_argv ("--list-changed", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("growing", (const char * const *)argv);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabTool) echo = NULL;
  GListModel *tools = confab_mcp_server_get_tools (server);
  guint changed = 0;

  g_signal_connect (server, "tools-changed", G_CALLBACK (on_tools_changed), &changed);
  g_assert_cmpuint (g_list_model_get_n_items (tools), ==, 3);

  result = call_tool (server, "add", "{\"a\":1,\"b\":1}", NULL, &error);
  g_assert_no_error (error);

  CONFAB_TEST_WAIT_FOR (changed == 1, WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (tools), ==, 4);
  echo = g_list_model_get_item (tools, 3);
  g_assert_cmpstr (confab_tool_get_name (echo), ==, "echo");

  g_clear_pointer (&result, json_node_unref);
  result = call_tool (server, "echo", "{\"text\":\"hi\"}", NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *text = confab_mcp_result_to_text (result, NULL);
    g_assert_cmpstr (text, ==, "hi");
  }
}

static void
test_stderr_log_kept (void)
{
  g_auto(GStrv) argv = server_argv ("--stderr-log", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("chatty", (const char * const *)argv);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  CONFAB_TEST_WAIT_FOR (strstr (confab_mcp_server_get_log (server), "test-mcp-server: starting\n") != NULL,
                        WAIT_MS);

  result = call_tool (server, "weather", "{\"location\":\"x\"}", NULL, &error);
  g_assert_no_error (error);
  text = confab_mcp_result_to_text (result, NULL);
  /* The log never leaks into results. */
  g_assert_cmpstr (text, ==, "40 C");

  CONFAB_TEST_WAIT_FOR (strstr (confab_mcp_server_get_log (server), "test-mcp-server: call weather\n") != NULL,
                        WAIT_MS);
  /* MCP log notifications join the log too. */
  g_assert_nonnull (strstr (confab_mcp_server_get_log (server), "[info tools] running a tool\n"));
}

static void
test_log_bounded (void)
{
  g_auto(GStrv) argv = server_argv ("--stderr-log", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("chatty", (const char * const *)argv);
  g_autoptr(GError) error = NULL;
  guint i;

  /* 54 bytes of log per call: enough calls to pass the limit. */
  for (i = 0; i < 1500; i++)
    {
      g_autoptr(JsonNode) result = call_tool (server, "add", "{\"a\":1,\"b\":2}", NULL, &error);
      g_assert_no_error (error);
    }

  CONFAB_TEST_WAIT_FOR (strlen (confab_mcp_server_get_log (server)) > CONFAB_MCP_SERVER_LOG_LIMIT - 100, WAIT_MS);
  g_assert_cmpuint (strlen (confab_mcp_server_get_log (server)), <=, CONFAB_MCP_SERVER_LOG_LIMIT);
  /* Cut at a line start, and the newest lines kept. */
  g_assert_true (g_str_has_prefix (confab_mcp_server_get_log (server), "test-mcp-server: ") ||
                 g_str_has_prefix (confab_mcp_server_get_log (server), "[info tools]"));
  g_assert_null (strstr (confab_mcp_server_get_log (server), "starting"));
}

static void
test_large_utf8_result (void)
{
  g_auto(GStrv) argv = server_argv ("--tools", "weather,echo", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("big", (const char * const *)argv);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) args = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) async_result = NULL;
  g_autofree char *answer = NULL;
  GAsyncResult *slot = NULL;

  /* Two megabytes of multi-byte text, a line break and an escaped quote in it: the reader
   * must join the pipe's pieces, whatever they split. */
  while (text->len < 2 * 1024 * 1024)
    g_string_append (text, "Olá, ☀ “quoted” \"x\" 🌍\n");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text->str);
  json_builder_end_object (builder);
  args = json_builder_get_root (builder);

  confab_mcp_server_call_tool_async (server, "echo", args, NULL, confab_test_store_result_cb, &slot);
  async_result = confab_test_wait_result (&slot, WAIT_MS);
  result = confab_mcp_server_call_tool_finish (server, async_result, &error);
  g_assert_no_error (error);

  answer = confab_mcp_result_to_text (result, NULL);
  g_assert_cmpuint (strlen (answer), ==, text->len);
  g_assert_cmpstr (answer, ==, text->str);
}

static void
cancel_when_logged (ConfabMcpServer *server,
                    GParamSpec      *pspec,
                    GCancellable    *cancellable)
{
  if (strstr (confab_mcp_server_get_log (server), "call weather") != NULL)
    g_cancellable_cancel (cancellable);
}

static void
test_cancel_sends_cancelled (void)
{
  g_auto(GStrv) argv = server_argv ("--hang-on-call", "--stderr-log", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("hanging", (const char * const *)argv);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Cancel once the server has the call in hand. */
  g_signal_connect (server, "notify::log", G_CALLBACK (cancel_when_logged), cancellable);

  result = call_tool (server, "weather", "{\"location\":\"x\"}", cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  CONFAB_TEST_WAIT_FOR (strstr (confab_mcp_server_get_log (server),
                                "cancelled request 3: The user cancelled the request.") != NULL,
                        WAIT_MS);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);
}

static void
test_ping_answered (void)
{
  g_auto(GStrv) argv = server_argv ("--ping", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("pinger", (const char * const *)argv);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  /* The server answers the call only after the client answered its ping. */
  result = call_tool (server, "multiply", "{\"a\":2,\"b\":3}", NULL, &error);
  g_assert_no_error (error);
  text = confab_mcp_result_to_text (result, NULL);
  g_assert_cmpstr (text, ==, "6");
  g_assert_nonnull (strstr (confab_mcp_server_get_log (server), "the client answered the ping"));
}

static void
test_stop_fails_pending (void)
{
  g_auto(GStrv) argv = server_argv ("--hang-on-call", "--stderr-log", NULL);
  g_autoptr(ConfabMcpServer) server = new_started_server ("stopped", (const char * const *)argv);
  g_autoptr(JsonNode) args = parse_json ("{\"location\":\"x\"}");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  GAsyncResult *slot = NULL;

  confab_mcp_server_call_tool_async (server, "weather", args, NULL, confab_test_store_result_cb, &slot);
  CONFAB_TEST_WAIT_FOR (strstr (confab_mcp_server_get_log (server), "call weather") != NULL, WAIT_MS);

  confab_mcp_server_stop (server);
  result = confab_test_wait_result (&slot, WAIT_MS);
  node = confab_mcp_server_call_tool_finish (server, result, &error);
  g_assert_null (node);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_true (g_str_has_suffix (error->message, "was stopped"));
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_STOPPED);
}

static void
test_env_passed (void)
{
  /* Start through sh so the environment is observable: sh reports the variable on
   * stderr, then becomes the server. */
  const char *argv[] = {
    "/bin/sh", "-c", "echo \"CONFAB_TEST_VALUE=$CONFAB_TEST_VALUE\" >&2; exec \"$0\"",
    test_server_path (), NULL
  };
  const char *env[] = { "CONFAB_TEST_VALUE=hello there", NULL };
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new ("env", argv, env);
  g_autoptr(GError) error = NULL;

  g_assert_true (start_server (server, &error));
  g_assert_no_error (error);
  CONFAB_TEST_WAIT_FOR (strstr (confab_mcp_server_get_log (server), "CONFAB_TEST_VALUE=hello there\n") != NULL,
                        WAIT_MS);
}

/* The registry -------------------------------------------------------------------------- */

static char *
write_config (const char *json)
{
  g_autofree char *path = confab_tool_registry_get_default_config_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

static void
start_registry (ConfabToolRegistry *registry)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  confab_tool_registry_start_async (registry, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_true (confab_tool_registry_start_finish (registry, result, &error));
  g_assert_no_error (error);
}

static void
test_registry_config (void)
{
  g_autofree char *path = write_config (
    "{\"mcpServers\": {"
    "  \"weather\": {\"command\": \"/usr/bin/weather-mcp\", \"args\": [\"--units\", \"metric\", 8080],"
    "                \"env\": {\"API_KEY\": \"k\", \"LANG\": \"C\"}},"
    "  \"off\": {\"command\": \"off-mcp\", \"disabled\": true},"
    "  \"files\": {\"command\": \"files-mcp\", \"timeout\": 5}"
    "}}");
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabMcpServer) first = NULL;
  g_autoptr(ConfabMcpServer) second = NULL;
  g_auto(GStrv) env = NULL;
  GListModel *servers;
  const char *expected_argv[] = { "/usr/bin/weather-mcp", "--units", "metric", "8080", NULL };
  const char *expected_env[] = { "API_KEY=k", "LANG=C", NULL };

  g_assert_true (confab_tool_registry_load_config (registry, path, &error));
  g_assert_no_error (error);

  servers = confab_tool_registry_get_servers (registry);
  g_assert_cmpuint (g_list_model_get_n_items (servers), ==, 2);

  first = g_list_model_get_item (servers, 0);
  second = g_list_model_get_item (servers, 1);
  g_assert_cmpstr (confab_mcp_server_get_name (first), ==, "weather");
  g_assert_cmpstrv (confab_mcp_server_get_argv (first), expected_argv);
  g_object_get (first, "env", &env, NULL);
  g_assert_cmpstrv (env, expected_env);
  g_assert_cmpstr (confab_mcp_server_get_name (second), ==, "files");
  g_assert_cmpuint (confab_mcp_server_get_call_timeout (first), ==, CONFAB_MCP_DEFAULT_CALL_TIMEOUT);
  g_assert_cmpuint (confab_mcp_server_get_call_timeout (second), ==, 5);
  g_assert_cmpint (confab_mcp_server_get_state (second), ==, CONFAB_MCP_SERVER_STATE_STOPPED);
}

static void
test_registry_config_missing (void)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autofree char *path = confab_tool_registry_get_default_config_path ();
  g_autoptr(GError) error = NULL;

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (confab_tool_registry_load_config (registry, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (confab_tool_registry_get_servers (registry)), ==, 0);
  g_assert_null (confab_tool_registry_to_request_tools (registry));
}

static void
test_registry_config_invalid (void)
{
  const char *bad[] = {
    "{\"mcpServers\": ",
    "[1, 2]",
    "{\"mcpServers\": []}",
    "{\"mcpServers\": {\"x\": {\"args\": [\"a\"]}}}",
    "{\"mcpServers\": {\"x\": {\"command\": \"c\", \"args\": \"a\"}}}",
    "{\"mcpServers\": {\"x\": {\"command\": \"c\", \"env\": {\"A\": 1}}}}",
    "{\"mcpServers\": {\"ok\": {\"command\": \"c\"}, \"x\": 3}}",
    "{\"mcpServers\": {\"x\": {\"command\": \"c\", \"timeout\": \"soon\"}}}",
    "{\"mcpServers\": {\"x\": {\"command\": \"c\", \"timeout\": 0}}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = write_config (bad[i]);
      g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (confab_tool_registry_load_config (registry, path, &error));
      g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, path));
      /* Nothing half-loaded. */
      g_assert_cmpuint (g_list_model_get_n_items (confab_tool_registry_get_servers (registry)), ==, 0);
    }
}

static void
test_registry_add_command (void)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabMcpServer) first = NULL;
  g_autoptr(ConfabMcpServer) second = NULL;
  const char *expected_argv[] = { "/opt/bin/my-server", "--root", "/tmp/a b", NULL };
  GListModel *servers = confab_tool_registry_get_servers (registry);

  g_assert_true (confab_tool_registry_add_command (registry, "/opt/bin/my-server --root '/tmp/a b'", &error));
  g_assert_no_error (error);
  g_assert_true (confab_tool_registry_add_command (registry, "my-server", &error));
  g_assert_no_error (error);
  g_assert_false (confab_tool_registry_add_command (registry, "bad 'quote", &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);

  g_assert_cmpuint (g_list_model_get_n_items (servers), ==, 2);
  first = g_list_model_get_item (servers, 0);
  second = g_list_model_get_item (servers, 1);
  g_assert_cmpstr (confab_mcp_server_get_name (first), ==, "my-server");
  g_assert_cmpstrv (confab_mcp_server_get_argv (first), expected_argv);
  g_assert_cmpstr (confab_mcp_server_get_name (second), ==, "my-server-2");
  {
    g_autofree char *line = confab_mcp_server_dup_command_line (first);
    g_assert_cmpstr (line, ==, "/opt/bin/my-server --root '/tmp/a b'");
  }
}

static char *
test_server_command (const char *args)
{
  g_autofree char *quoted = g_shell_quote (test_server_path ());

  return g_strdup_printf ("%s %s", quoted, args);
}

static void
assert_request_tools_match_cassette (const char *cassette,
                                     const char *server_args)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autofree char *command = test_server_command (server_args);
  g_autofree char *path = confab_cassette_path (cassette);
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonNode) tools = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *difference = NULL;
  JsonNode *expected;

  g_assert_true (confab_cassette_load (path, &requests, &responses, &error));
  g_assert_no_error (error);

  g_assert_true (confab_tool_registry_add_command (registry, command, &error));
  start_registry (registry);

  request = parse_json (g_ptr_array_index (requests, 0));
  expected = json_object_get_member (json_node_get_object (request), "tools");
  tools = confab_tool_registry_to_request_tools (registry);
  g_assert_nonnull (tools);

  /* Equal as JSON, "strict": false (which MCP has no notion of) aside. */
  if (!confab_json_equal (expected, tools, &difference))
    g_error ("%s: tools differ: %s", cassette, difference);
}

static void
test_registry_request_tools_weather (void)
{
  assert_request_tools_match_cassette ("tool_streaming_groq-kimi-k2.json", "--tools weather");
}

static void
test_registry_request_tools_add_multiply (void)
{
  assert_request_tools_match_cassette ("multi_tool_streaming_groq-kimi-k2.json", "--tools add,multiply");
}

static void
test_registry_clash_naming (void)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_auto(GStrv) argv_a = server_argv ("--tools", "weather,add", NULL);
  g_auto(GStrv) argv_b = server_argv ("--tools", "add,multiply", NULL);
  g_autoptr(ConfabMcpServer) a = confab_mcp_server_new ("alpha", (const char * const *)argv_a, NULL);
  g_autoptr(ConfabMcpServer) b = confab_mcp_server_new ("beta", (const char * const *)argv_b, NULL);
  GListModel *tools = confab_tool_registry_get_tools (registry);
  const char *exposed[] = { "weather", "add", "beta__add", "multiply" };
  ConfabTool *clashing;

  confab_tool_registry_add_server (registry, a);
  confab_tool_registry_add_server (registry, b);
  start_registry (registry);

  g_assert_cmpuint (g_list_model_get_n_items (tools), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(ConfabTool) tool = g_list_model_get_item (tools, i);
      g_assert_cmpstr (confab_tool_get_exposed_name (tool), ==, exposed[i]);
    }

  clashing = confab_tool_registry_lookup (registry, "beta__add");
  g_assert_nonnull (clashing);
  g_assert_cmpstr (confab_tool_get_name (clashing), ==, "add");
  g_assert_cmpstr (confab_tool_get_server_name (clashing), ==, "beta");
  g_assert_cmpstr (confab_tool_get_server_name (confab_tool_registry_lookup (registry, "add")), ==, "alpha");
  g_assert_null (confab_tool_registry_lookup (registry, "nope"));
}

static void
test_registry_names_made_valid (void)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_auto(GStrv) argv = server_argv ("--tools", "weather", "--name-prefix", "my.tools/", NULL);
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new ("dotted", (const char * const *)argv, NULL);
  g_autoptr(ConfabApprovalPolicy) approvals = confab_approval_policy_new (NULL);
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  ConfabTool *tool;

  confab_tool_registry_add_server (registry, server);
  start_registry (registry);

  /* Function names are [a-zA-Z0-9_-]{1,64}: other characters become "_", and a call under
   * the exposed name reaches the tool under its own. */
  tool = confab_tool_registry_lookup (registry, "my_tools_weather");
  g_assert_nonnull (tool);
  g_assert_cmpstr (confab_tool_get_name (tool), ==, "my.tools/weather");

  confab_approval_policy_set_allow_all (approvals, TRUE);
  confab_tool_call_set_name (call, "my_tools_weather");
  confab_tool_call_set_arguments (call, "{\"location\":\"x\"}");
  confab_tool_registry_call_async (registry, call, approvals, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_true (confab_tool_registry_call_finish (registry, result, &error));
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_cmpstr (confab_tool_call_get_result (call), ==, "40 C");
}

static void
test_registry_clashing_tool_called (void)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_auto(GStrv) argv_a = server_argv ("--tools", "add", NULL);
  g_auto(GStrv) argv_b = server_argv ("--tools", "add", "--fail-tool", "add", NULL);
  g_autoptr(ConfabMcpServer) a = confab_mcp_server_new ("alpha", (const char * const *)argv_a, NULL);
  g_autoptr(ConfabMcpServer) b = confab_mcp_server_new ("beta", (const char * const *)argv_b, NULL);
  g_autoptr(ConfabApprovalPolicy) approvals = confab_approval_policy_new (NULL);
  const char *names[] = { "add", "beta__add" };
  const char *servers[] = { "alpha", "beta" };
  const char *results[] = { "5", "add failed: the service is unavailable" };

  confab_tool_registry_add_server (registry, a);
  confab_tool_registry_add_server (registry, b);
  start_registry (registry);
  confab_approval_policy_set_allow_all (approvals, TRUE);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      GAsyncResult *slot = NULL;

      confab_tool_call_set_name (call, names[i]);
      confab_tool_call_set_arguments (call, "{\"a\":2,\"b\":3}");
      confab_tool_registry_call_async (registry, call, approvals, NULL, confab_test_store_result_cb, &slot);
      result = confab_test_wait_result (&slot, WAIT_MS);
      g_assert_true (confab_tool_registry_call_finish (registry, result, &error));
      g_assert_cmpstr (confab_tool_call_get_server (call), ==, servers[i]);
      g_assert_cmpstr (confab_tool_call_get_result (call), ==, results[i]);
    }
}

static void
test_registry_failed_server_skipped (void)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autofree char *good = test_server_command ("--tools weather");
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabMcpServer) bad_server = NULL;
  g_autoptr(ConfabMcpServer) good_server = NULL;
  GListModel *servers = confab_tool_registry_get_servers (registry);

  g_assert_true (confab_tool_registry_add_command (registry, "/nonexistent/mcp-server", &error));
  g_assert_true (confab_tool_registry_add_command (registry, good, &error));
  start_registry (registry);

  bad_server = g_list_model_get_item (servers, 0);
  good_server = g_list_model_get_item (servers, 1);
  g_assert_cmpint (confab_mcp_server_get_state (bad_server), ==, CONFAB_MCP_SERVER_STATE_FAILED);
  g_assert_nonnull (strstr (confab_mcp_server_get_error (bad_server), "“mcp-server” (/nonexistent/mcp-server)"));
  g_assert_cmpint (confab_mcp_server_get_state (good_server), ==, CONFAB_MCP_SERVER_STATE_READY);
  g_assert_cmpuint (g_list_model_get_n_items (confab_tool_registry_get_tools (registry)), ==, 1);
}

static void
test_registry_other_servers_keep_working (void)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_auto(GStrv) argv_a = server_argv ("--tools", "weather", "--die-on-call", NULL);
  g_auto(GStrv) argv_b = server_argv ("--tools", "add", NULL);
  g_autoptr(ConfabMcpServer) a = confab_mcp_server_new ("dies", (const char * const *)argv_a, NULL);
  g_autoptr(ConfabMcpServer) b = confab_mcp_server_new ("lives", (const char * const *)argv_b, NULL);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  confab_tool_registry_add_server (registry, a);
  confab_tool_registry_add_server (registry, b);
  start_registry (registry);

  result = call_tool (a, "weather", "{\"location\":\"x\"}", NULL, &error);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_clear_error (&error);

  /* The dead server's tools are withdrawn only on stop; calls to them fail cleanly. */
  result = call_tool (b, "add", "{\"a\":40,\"b\":2}", NULL, &error);
  g_assert_no_error (error);
  text = confab_mcp_result_to_text (result, NULL);
  g_assert_cmpstr (text, ==, "42");
}

/* The registry runs calls --------------------------------------------------------------- */

typedef struct
{
  ConfabToolRegistry   *registry;
  ConfabMcpServer      *server;
  ConfabApprovalPolicy *approvals;
  char                 *approvals_path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *extra = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = test_server_command (extra ? extra : "--stderr-log");

  fixture->registry = confab_tool_registry_new ();
  g_assert_true (confab_tool_registry_add_command (fixture->registry, command, &error));
  g_assert_no_error (error);
  fixture->server = g_list_model_get_item (confab_tool_registry_get_servers (fixture->registry), 0);
  confab_mcp_server_set_call_timeout (fixture->server, 1);
  start_registry (fixture->registry);
  g_assert_cmpint (confab_mcp_server_get_state (fixture->server), ==, CONFAB_MCP_SERVER_STATE_READY);

  fixture->approvals_path = confab_approval_policy_get_default_path ();
  fixture->approvals = confab_approval_policy_new (fixture->approvals_path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  confab_tool_registry_stop (fixture->registry);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->registry);
  g_clear_object (&fixture->approvals);
  g_clear_pointer (&fixture->approvals_path, g_free);
}

static ConfabToolCall *
new_call (const char *name,
          const char *arguments)
{
  ConfabToolCall *call = confab_tool_call_new (0);

  confab_tool_call_set_id (call, "call-1");
  confab_tool_call_set_name (call, name);
  confab_tool_call_set_arguments (call, arguments);

  return call;
}

/* Runs @call through the registry; @approver (NULL: nobody is asked, and a request for
 * approval fails the test) answers approval requests. */
static gboolean
run_call (Fixture             *fixture,
          ConfabToolCall      *call,
          ConfabTestApprover  *approver,
          GCancellable        *cancellable,
          GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  gulong handler = 0;

  if (approver != NULL)
    handler = g_signal_connect (call, "notify::status", G_CALLBACK (confab_test_approver_on_status), approver);

  confab_tool_registry_call_async (fixture->registry, call, fixture->approvals, cancellable,
                                   confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);

  g_clear_signal_handler (&handler, call);

  return confab_tool_registry_call_finish (fixture->registry, result, error);
}

static void
test_call_unknown_tool (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = new_call ("forecast", "{}");
  g_autoptr(GError) error = NULL;
  ConfabTestApprover approver = { CONFAB_APPROVAL_ALLOW_ONCE, 0 };

  g_assert_true (run_call (fixture, call, &approver, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (approver.asked, ==, 0);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_cmpstr (confab_tool_call_get_result (call), ==,
                   "Error: there is no tool named “forecast”. Available tools: weather, add, multiply.");
  g_assert_nonnull (confab_tool_call_get_error (call));
}

static void
test_call_invalid_arguments (Fixture       *fixture,
                             gconstpointer  data)
{
  const char *bad[] = { "{\"location\":", "[\"Florence\"]", "Florence" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ConfabToolCall) call = new_call ("weather", bad[i]);
      g_autoptr(GError) error = NULL;
      ConfabTestApprover approver = { CONFAB_APPROVAL_ALLOW_ONCE, 0 };

      g_assert_true (run_call (fixture, call, &approver, NULL, &error));
      g_assert_cmpuint (approver.asked, ==, 0);
      g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
      g_assert_true (g_str_has_prefix (confab_tool_call_get_result (call), "Error: "));
      g_assert_true (g_str_has_suffix (confab_tool_call_get_result (call), "The tool was not run."));
      g_assert_cmpstr (confab_tool_call_get_server (call), ==, "confab-test-mcp-server");
    }

  /* Never run: the server logged no call. */
  g_assert_null (strstr (confab_mcp_server_get_log (fixture->server), "call weather"));
}

static void
test_call_empty_arguments_mean_none (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = new_call ("weather", "");
  g_autoptr(GError) error = NULL;

  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  g_assert_true (run_call (fixture, call, NULL, NULL, &error));
  /* The server got {} and reports the missing location as a tool error. */
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_cmpstr (confab_tool_call_get_result (call), ==, "location is required");
}

static void
test_call_denied (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = new_call ("weather", "{\"location\":\"Florence,Italy\"}");
  g_autoptr(GError) error = NULL;
  ConfabTestApprover approver = { CONFAB_APPROVAL_DENY, 0 };

  g_assert_true (run_call (fixture, call, &approver, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (approver.asked, ==, 1);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DENIED);
  g_assert_cmpstr (confab_tool_call_get_result (call), ==, "The user denied this tool call.");
  g_assert_cmpint (confab_tool_call_get_status_time (call, CONFAB_TOOL_CALL_STATUS_RUNNING), ==, 0);
  g_assert_null (strstr (confab_mcp_server_get_log (fixture->server), "call weather"));
}

static void
test_call_allowed_once (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(ConfabToolCall) call = new_call ("weather", "{\"location\": \"Florence,Italy\"}");
      ConfabTestApprover approver = { CONFAB_APPROVAL_ALLOW_ONCE, 0 };

      g_assert_true (run_call (fixture, call, &approver, NULL, &error));
      g_assert_no_error (error);
      /* "Once" means each call asks again. */
      g_assert_cmpuint (approver.asked, ==, 1);
      g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
      g_assert_cmpstr (confab_tool_call_get_result (call), ==, "40 C");
      g_assert_null (confab_tool_call_get_error (call));
      g_assert_cmpstr (confab_tool_call_get_server (call), ==, "confab-test-mcp-server");
      g_assert_cmpfloat (confab_tool_call_get_duration (call), >=, 0);
      /* The arguments stay exactly as streamed. */
      g_assert_cmpstr (confab_tool_call_get_arguments (call), ==, "{\"location\": \"Florence,Italy\"}");
    }

  g_assert_false (confab_approval_policy_is_allowed (fixture->approvals, "confab-test-mcp-server", "weather"));
}

static void
test_call_allowed_always (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(ConfabToolCall) first = new_call ("weather", "{\"location\":\"Florence,Italy\"}");
  g_autoptr(ConfabToolCall) second = new_call ("weather", "{\"location\":\"Rome\"}");
  g_autoptr(ConfabToolCall) other = new_call ("add", "{\"a\":2,\"b\":3}");
  g_autoptr(ConfabApprovalPolicy) reread = NULL;
  g_autoptr(GError) error = NULL;
  ConfabTestApprover approver = { CONFAB_APPROVAL_ALLOW_ALWAYS, 0 };
  ConfabTestApprover deny = { CONFAB_APPROVAL_DENY, 0 };

  g_assert_true (run_call (fixture, first, &approver, NULL, &error));
  g_assert_cmpuint (approver.asked, ==, 1);
  g_assert_cmpint (confab_tool_call_get_status (first), ==, CONFAB_TOOL_CALL_STATUS_DONE);

  /* Remembered: the same tool runs without asking … */
  g_assert_true (run_call (fixture, second, NULL, NULL, &error));
  g_assert_cmpint (confab_tool_call_get_status (second), ==, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_cmpint (confab_tool_call_get_status_time (second, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL), ==, 0);

  /* … but another tool of the same server still asks. */
  g_assert_true (run_call (fixture, other, &deny, NULL, &error));
  g_assert_cmpuint (deny.asked, ==, 1);
  g_assert_cmpint (confab_tool_call_get_status (other), ==, CONFAB_TOOL_CALL_STATUS_DENIED);

  /* And saved: a new policy reading the same file knows. */
  reread = confab_approval_policy_new (fixture->approvals_path);
  g_assert_true (confab_approval_policy_is_allowed (reread, "confab-test-mcp-server", "weather"));
  g_assert_false (confab_approval_policy_is_allowed (reread, "confab-test-mcp-server", "add"));
  g_assert_false (confab_approval_policy_is_allowed (reread, "other-server", "weather"));
}

static void
test_call_yes (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = new_call ("multiply", "{\"a\":2,\"b\":3}");
  g_autoptr(GError) error = NULL;

  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  g_assert_true (run_call (fixture, call, NULL, NULL, &error));
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_cmpstr (confab_tool_call_get_result (call), ==, "6");
  g_assert_cmpint (confab_tool_call_get_status_time (call, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL), ==, 0);
}

static void
test_call_is_error_result (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = new_call ("weather", "{\"location\":\"x\"}");
  g_autoptr(GError) error = NULL;

  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  g_assert_true (run_call (fixture, call, NULL, NULL, &error));
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_cmpstr (confab_tool_call_get_result (call), ==, "weather failed: the service is unavailable");
  g_assert_cmpstr (confab_tool_call_get_error (call), ==, "weather failed: the service is unavailable");
}

static void
test_call_image_kept (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = new_call ("weather", "{\"location\":\"x\"}");
  g_autoptr(GError) error = NULL;
  JsonNode *content;

  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  g_assert_true (run_call (fixture, call, NULL, NULL, &error));
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_true (g_str_has_prefix (confab_tool_call_get_result (call), "40 C\n[image: image/png, "));

  content = confab_tool_call_get_result_content (call);
  g_assert_nonnull (content);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (content));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (content), 1),
                                                  "type"), ==, "image");
}

static void
test_call_timeout_result (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = new_call ("weather", "{\"location\":\"x\"}");
  g_autoptr(GError) error = NULL;

  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  g_assert_true (run_call (fixture, call, NULL, NULL, &error));
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_nonnull (strstr (confab_tool_call_get_result (call), "did not answer tools/call within 1 second"));
  g_assert_cmpfloat (confab_tool_call_get_duration (call), >=, 1.0);
}

static void
test_call_server_died_result (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = new_call ("weather", "{\"location\":\"x\"}");
  g_autoptr(GError) error = NULL;

  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  g_assert_true (run_call (fixture, call, NULL, NULL, &error));
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_true (g_str_has_suffix (confab_tool_call_get_result (call), "exited with status 3"));
}

static void
cancel_on_pending (ConfabToolCall *call,
                   GParamSpec     *pspec,
                   GCancellable   *cancellable)
{
  if (confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL)
    g_cancellable_cancel (cancellable);
}

static void
test_call_cancelled_while_asking (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = new_call ("weather", "{\"location\":\"x\"}");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_signal_connect (call, "notify::status", G_CALLBACK (cancel_on_pending), cancellable);
  g_assert_false (run_call (fixture, call, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_nonnull (confab_tool_call_get_result (call));

  /* A late answer does nothing. */
  confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_ALLOW_ONCE);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_null (strstr (confab_mcp_server_get_log (fixture->server), "call weather"));
}

static void
test_registry_list_changed (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = new_call ("add", "{\"a\":1,\"b\":2}");
  g_autoptr(GError) error = NULL;
  GListModel *tools = confab_tool_registry_get_tools (fixture->registry);

  g_assert_cmpuint (g_list_model_get_n_items (tools), ==, 3);
  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  g_assert_true (run_call (fixture, call, NULL, NULL, &error));
  g_assert_cmpstr (confab_tool_call_get_result (call), ==, "3");

  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (tools) == 4, WAIT_MS);
  g_assert_nonnull (confab_tool_registry_lookup (fixture->registry, "echo"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/mcp/initialize-and-list", test_initialize_and_list);
  g_test_add_func ("/mcp/protocol-version-accepted", test_protocol_version_accepted);
  g_test_add_func ("/mcp/list-paginated", test_list_paginated);
  g_test_add_func ("/mcp/call-text", test_call_text);
  g_test_add_func ("/mcp/call-is-error", test_call_is_error);
  g_test_add_func ("/mcp/call-image", test_call_image);
  g_test_add_func ("/mcp/result-descriptions", test_result_descriptions);
  g_test_add_func ("/mcp/dies-mid-call", test_dies_mid_call);
  g_test_add_func ("/mcp/hang-times-out", test_hang_times_out);
  g_test_add_func ("/mcp/garbage", test_garbage);
  g_test_add_func ("/mcp/fails-to-start", test_fails_to_start);
  g_test_add_func ("/mcp/exits-at-start", test_exits_at_start);
  g_test_add_func ("/mcp/list-changed", test_list_changed);
  g_test_add_func ("/mcp/stderr-log-kept", test_stderr_log_kept);
  g_test_add_func ("/mcp/log-bounded", test_log_bounded);
  g_test_add_func ("/mcp/large-utf8-result", test_large_utf8_result);
  g_test_add_func ("/mcp/cancel-sends-cancelled", test_cancel_sends_cancelled);
  g_test_add_func ("/mcp/ping-answered", test_ping_answered);
  g_test_add_func ("/mcp/stop-fails-pending", test_stop_fails_pending);
  g_test_add_func ("/mcp/env-passed", test_env_passed);

  g_test_add_func ("/registry/config", test_registry_config);
  g_test_add_func ("/registry/config-missing", test_registry_config_missing);
  g_test_add_func ("/registry/config-invalid", test_registry_config_invalid);
  g_test_add_func ("/registry/add-command", test_registry_add_command);
  g_test_add_func ("/registry/request-tools-weather", test_registry_request_tools_weather);
  g_test_add_func ("/registry/request-tools-add-multiply", test_registry_request_tools_add_multiply);
  g_test_add_func ("/registry/clash-naming", test_registry_clash_naming);
  g_test_add_func ("/registry/names-made-valid", test_registry_names_made_valid);
  g_test_add_func ("/registry/clashing-tool-called", test_registry_clashing_tool_called);
  g_test_add_func ("/registry/failed-server-skipped", test_registry_failed_server_skipped);
  g_test_add_func ("/registry/other-servers-keep-working", test_registry_other_servers_keep_working);

#define ADD_CALL_TEST(path, args, func) \
  g_test_add (path, Fixture, args, fixture_set_up, func, fixture_tear_down)

  ADD_CALL_TEST ("/registry/call/unknown-tool", NULL, test_call_unknown_tool);
  ADD_CALL_TEST ("/registry/call/invalid-arguments", NULL, test_call_invalid_arguments);
  ADD_CALL_TEST ("/registry/call/empty-arguments-mean-none", NULL, test_call_empty_arguments_mean_none);
  ADD_CALL_TEST ("/registry/call/denied", NULL, test_call_denied);
  ADD_CALL_TEST ("/registry/call/allowed-once", NULL, test_call_allowed_once);
  ADD_CALL_TEST ("/registry/call/allowed-always", NULL, test_call_allowed_always);
  ADD_CALL_TEST ("/registry/call/yes", NULL, test_call_yes);
  ADD_CALL_TEST ("/registry/call/is-error", "--fail-tool weather", test_call_is_error_result);
  ADD_CALL_TEST ("/registry/call/image-kept", "--image", test_call_image_kept);
  ADD_CALL_TEST ("/registry/call/timeout", "--hang-on-call", test_call_timeout_result);
  ADD_CALL_TEST ("/registry/call/server-died", "--die-on-call", test_call_server_died_result);
  ADD_CALL_TEST ("/registry/call/cancelled-while-asking", NULL, test_call_cancelled_while_asking);
  ADD_CALL_TEST ("/registry/call/list-changed", "--list-changed", test_registry_list_changed);

  return g_test_run ();
}
