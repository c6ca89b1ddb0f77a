/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mcp-everything"

/* The MCP client over Streamable HTTP against the reference server
 * @modelcontextprotocol/server-everything (its streamableHttp mode on 127.0.0.1), installed
 * by build-aux/setup into tests/mcp-conformance/node_modules with the Node 22 it runs on,
 * and the same server over stdio.
 * Skips, saying why, only when npm could not install it. */

#include <libsoup/soup.h>

#include "confab-error.h"
#include "confab-mcp-elicitation.h"
#include "confab-mcp-server.h"
#include "confab-test-util.h"
#include "confab-tool.h"

#define WAIT_MS 20000

static GSubprocess *everything;
static char        *everything_url;
static char        *everything_node;
static char        *everything_script;
static char        *skip_reason;

typedef struct
{
  GDataInputStream *input;
  gboolean          listening;
  gboolean          ended;
} Startup;

static void
on_line (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Startup *startup = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, NULL);

  if (line == NULL)
    {
      startup->ended = TRUE;
      return;
    }

  g_test_message ("server-everything: %s", line);
  if (strstr (line, "listening on port") != NULL)
    {
      startup->listening = TRUE;
      return;
    }

  g_data_input_stream_read_line_async (startup->input, G_PRIORITY_DEFAULT, NULL, on_line, startup);
}

static guint16
free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

/* A server-everything in its Streamable HTTP mode on a free port of 127.0.0.1, listening;
 * its address in @url. */
static GSubprocess *
spawn_everything (char **url)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = NULL;
  Startup startup = { 0 };
  guint16 port;

  port = free_port ();
  port_text = g_strdup_printf ("%u", port);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "PORT", port_text, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, everything_node, everything_script,
                                         "streamableHttp", NULL);
  g_assert_no_error (error);

  startup.input = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  g_data_input_stream_read_line_async (startup.input, G_PRIORITY_DEFAULT, NULL, on_line, &startup);
  CONFAB_TEST_WAIT_FOR (startup.listening || startup.ended, WAIT_MS);
  g_assert_true (startup.listening);
  g_clear_object (&startup.input);

  *url = g_strdup_printf ("http://127.0.0.1:%u/mcp", port);
  return g_steal_pointer (&process);
}

/* Starts server-everything once for all tests, or says why not. */
static void
start_everything (void)
{
  const char *modules = g_getenv ("CONFAB_MCP_NODE_MODULES");
  g_autofree char *node = NULL;
  g_autofree char *script = NULL;
  g_autofree char *unavailable = NULL;

  g_assert_nonnull (modules);
  node = g_build_filename (modules, "node", "bin", "node", NULL);
  script = g_build_filename (modules, "@modelcontextprotocol", "server-everything", "dist", "index.js", NULL);

  if (!g_file_test (node, G_FILE_TEST_IS_EXECUTABLE) || !g_file_test (script, G_FILE_TEST_EXISTS))
    {
      g_autofree char *marker = g_build_filename (modules, "..", ".npm-unavailable", NULL);

      if (g_find_program_in_path ("npm") == NULL)
        skip_reason = g_strdup ("npm is not installed, so server-everything is not either");
      else if (g_file_get_contents (marker, &unavailable, NULL, NULL))
        skip_reason = g_strdup_printf ("npm could not install server-everything: %s", g_strstrip (unavailable));
      else
        g_error ("server-everything is not installed in %s: run build-aux/setup", modules);
      return;
    }

  everything_node = g_strdup (node);
  everything_script = g_strdup (script);
  everything = spawn_everything (&everything_url);
}

static ConfabMcpServer *
connect_to (const char *url)
{
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new_for_url ("everything", url, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  confab_mcp_server_start_async (server, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_true (confab_mcp_server_start_finish (server, result, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&server);
}

static ConfabMcpServer *
connect_everything (void)
{
  return connect_to (everything_url);
}

static char *
call_tool (ConfabMcpServer *server,
           const char      *name,
           const char      *arguments_json)
{
  g_autoptr(JsonNode) arguments = json_from_string (arguments_json, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  gboolean is_error = TRUE;
  char *text;

  confab_mcp_server_call_tool_async (server, name, arguments, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  node = confab_mcp_server_call_tool_finish (server, result, &error);
  g_assert_no_error (error);

  text = confab_mcp_result_to_text (node, &is_error);
  g_assert_false (is_error);
  return text;
}

static gboolean
has_tool (ConfabMcpServer *server,
          const char      *name)
{
  GListModel *tools = confab_mcp_server_get_tools (server);

  for (guint i = 0; i < g_list_model_get_n_items (tools); i++)
    {
      g_autoptr(ConfabTool) tool = g_list_model_get_item (tools, i);

      if (g_str_equal (confab_tool_get_name (tool), name))
        return TRUE;
    }

  return FALSE;
}

static void
test_list_and_call (void)
{
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autofree char *echo = NULL;
  g_autofree char *sum = NULL;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  server = connect_everything ();
  g_assert_cmpstr (confab_mcp_server_get_protocol_version (server), ==, CONFAB_MCP_PROTOCOL_VERSION);
  g_assert_true (has_tool (server, "echo"));
  g_assert_true (has_tool (server, "get-sum"));
  /* Offered only to clients that declare elicitation. */
  g_assert_true (has_tool (server, "trigger-elicitation-request"));

  echo = call_tool (server, "echo", "{\"message\": \"Grüße über HTTP\"}");
  g_assert_cmpstr (echo, ==, "Echo: Grüße über HTTP");
  sum = call_tool (server, "get-sum", "{\"a\": 2, \"b\": 40}");
  g_assert_nonnull (strstr (sum, "42"));

  confab_mcp_server_stop (server);
}

/* A host's form: the server's defaults, plus the one required field it left empty. */
static gboolean
on_elicit (ConfabMcpServer      *server,
           ConfabMcpElicitation *elicitation,
           gpointer              user_data)
{
  g_autoptr(JsonNode) content = confab_mcp_elicitation_dup_defaults (elicitation);

  json_object_set_string_member (json_node_get_object (content), "name", "Ada Lovelace");
  confab_mcp_elicitation_accept (elicitation, content);
  return TRUE;
}

static void
test_elicitation_answered (void)
{
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autofree char *text = NULL;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  server = connect_everything ();
  g_signal_connect (server, "elicit", G_CALLBACK (on_elicit), NULL);

  text = call_tool (server, "trigger-elicitation-request", "{}");
  g_assert_nonnull (strstr (text, "User provided the requested information"));
  g_assert_nonnull (strstr (text, "- Name: Ada Lovelace"));
  g_assert_nonnull (strstr (text, "- Favorite Integer: 42"));
  g_assert_nonnull (strstr (text, "- Favorite Number: 3.14"));

  confab_mcp_server_stop (server);
}

static void
on_resource_updated (ConfabMcpServer  *server,
                     const char       *uri,
                     char            **updated)
{
  g_free (*updated);
  *updated = g_strdup (uri);
}

/* Its resource template, filled in, read; a subscription to it, and the updates its
 * toggle-subscriber-updates tool starts (the first one at once). */
static void
test_templates_and_subscription (void)
{
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(JsonObject) values = json_object_new ();
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GAsyncResult) read = NULL;
  g_autoptr(GAsyncResult) subscribed = NULL;
  g_autoptr(JsonNode) templates = NULL;
  g_autoptr(JsonNode) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *text = NULL;
  g_autofree char *toggled = NULL;
  g_autofree char *updated = NULL;
  const char *text_template = NULL;
  GAsyncResult *slot = NULL;
  JsonArray *array;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  server = connect_everything ();
  g_signal_connect (server, "resource-updated", G_CALLBACK (on_resource_updated), &updated);

  confab_mcp_server_list_resource_templates_async (server, NULL, confab_test_store_result_cb, &slot);
  listed = confab_test_wait_result (&slot, WAIT_MS);
  templates = confab_mcp_server_list_resource_templates_finish (server, listed, &error);
  g_assert_no_error (error);
  array = json_node_get_array (templates);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *candidate = json_object_get_string_member_with_default (json_array_get_object_element (array, i),
                                                                          "uriTemplate", "");
      if (strstr (candidate, "/text/") != NULL)
        text_template = candidate;
    }
  g_assert_cmpstr (text_template, ==, "demo://resource/dynamic/text/{resourceId}");

  json_object_set_string_member (values, "resourceId", "7");
  uri = confab_mcp_uri_template_expand (text_template, values);
  g_assert_cmpstr (uri, ==, "demo://resource/dynamic/text/7");

  confab_mcp_server_read_resource_async (server, uri, NULL, confab_test_store_result_cb, &slot);
  read = confab_test_wait_result (&slot, WAIT_MS);
  contents = confab_mcp_server_read_resource_finish (server, read, &error);
  g_assert_no_error (error);
  text = confab_mcp_resource_result_to_text (contents);
  g_assert_true (g_str_has_prefix (text, "Resource 7: This is a plaintext resource"));

  confab_mcp_server_subscribe_resource_async (server, uri, TRUE, NULL, confab_test_store_result_cb, &slot);
  subscribed = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_true (confab_mcp_server_subscribe_resource_finish (server, subscribed, &error));
  g_assert_no_error (error);

  toggled = call_tool (server, "toggle-subscriber-updates", "{}");
  g_assert_nonnull (strstr (toggled, "Started simulated resource updated notifications"));
  CONFAB_TEST_WAIT_FOR (updated != NULL, WAIT_MS);
  g_assert_cmpstr (updated, ==, uri);

  /* Off again, so the server's timer does not outlive the test. */
  g_free (toggled);
  toggled = call_tool (server, "toggle-subscriber-updates", "{}");
  g_assert_nonnull (strstr (toggled, "Stopped"));

  confab_mcp_server_stop (server);
}

/* The same server over stdio, through the same protocol code. */
static void
test_stdio_list_and_call (void)
{
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *echo = NULL;
  GAsyncResult *slot = NULL;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  {
    const char * const argv[] = { everything_node, everything_script, "stdio", NULL };

    server = confab_mcp_server_new ("everything-stdio", argv, NULL);
  }
  confab_mcp_server_start_async (server, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_true (confab_mcp_server_start_finish (server, result, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (confab_mcp_server_get_protocol_version (server), ==, CONFAB_MCP_PROTOCOL_VERSION);
  g_assert_true (has_tool (server, "echo"));
  echo = call_tool (server, "echo", "{\"message\": \"over stdio\"}");
  g_assert_cmpstr (echo, ==, "Echo: over stdio");

  confab_mcp_server_stop (server);
}

/* Progress of a long call ------------------------------------------------------------- */

typedef struct
{
  guint   reports;
  double  last;
  double  total;
} Progress;

static void
on_progress (double      progress,
             double      total,
             const char *message,
             gpointer    user_data)
{
  Progress *seen = user_data;

  g_assert_cmpfloat (progress, >, seen->last);
  seen->reports++;
  seen->last = progress;
  seen->total = total;
}

static void
start_long_call (ConfabMcpServer  *server,
                 const char       *arguments_json,
                 Progress         *progress,
                 GCancellable     *cancellable,
                 GAsyncResult    **slot)
{
  g_autoptr(JsonNode) arguments = json_from_string (arguments_json, NULL);

  confab_mcp_server_call_tool_with_progress_async (server, "trigger-long-running-operation", arguments,
                                                   on_progress, progress, NULL, cancellable,
                                                   confab_test_store_result_cb, slot);
}

/* Each step of its long-running operation reports progress while the call runs. */
static void
test_progress_reported (void)
{
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GAsyncResult *slot = NULL;
  Progress progress = { 0 };

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  server = connect_everything ();
  start_long_call (server, "{\"duration\": 0.4, \"steps\": 4}", &progress, NULL, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  node = confab_mcp_server_call_tool_finish (server, result, &error);
  g_assert_no_error (error);

  text = confab_mcp_result_to_text (node, NULL);
  g_assert_nonnull (strstr (text, "Long running operation completed"));
  g_assert_cmpuint (progress.reports, ==, 4);
  g_assert_cmpfloat (progress.last, ==, 4);
  g_assert_cmpfloat (progress.total, ==, 4);

  confab_mcp_server_stop (server);
}

/* Stop during a long call: it ends at once as cancelled (the server is told with
 * notifications/cancelled), and the server still answers the next call. */
static void
test_long_call_cancelled (void)
{
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *echo = NULL;
  GAsyncResult *slot = NULL;
  Progress progress = { 0 };
  gint64 cancelled_at;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  server = connect_everything ();
  start_long_call (server, "{\"duration\": 60, \"steps\": 600}", &progress, cancellable, &slot);
  CONFAB_TEST_WAIT_FOR (progress.reports > 0, WAIT_MS);

  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  result = confab_test_wait_result (&slot, WAIT_MS);
  node = confab_mcp_server_call_tool_finish (server, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (node);
  /* Not after the 60 s the operation would take. */
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, 5 * G_USEC_PER_SEC);

  echo = call_tool (server, "echo", "{\"message\": \"still here\"}");
  g_assert_cmpstr (echo, ==, "Echo: still here");
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);

  confab_mcp_server_stop (server);
}

/* The server process dies in the middle of a call: the call fails with an error that says
 * so, soon, instead of waiting forever; nothing crashes. */
static void
test_server_crash_mid_call (void)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GAsyncResult *slot = NULL;
  Progress progress = { 0 };

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  /* A server of its own: this one is killed. */
  process = spawn_everything (&url);
  server = connect_to (url);
  start_long_call (server, "{\"duration\": 60, \"steps\": 600}", &progress, NULL, &slot);
  CONFAB_TEST_WAIT_FOR (progress.reports > 0, WAIT_MS);

  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);

  result = confab_test_wait_result (&slot, WAIT_MS);
  node = confab_mcp_server_call_tool_finish (server, result, &error);
  g_assert_null (node);
  g_assert_nonnull (error);
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_test_message ("the call failed with: %s", error->message);

  confab_mcp_server_stop (server);
}

/* Prompts: listed, and one with arguments got with them filled in. */
static void
test_prompts (void)
{
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GAsyncResult) got = NULL;
  g_autoptr(JsonNode) prompts = NULL;
  g_autoptr(JsonNode) prompt = NULL;
  g_autoptr(JsonNode) arguments = json_from_string ("{\"city\": \"Recife\", \"state\": \"PE\"}", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GAsyncResult *slot = NULL;
  gboolean has_args_prompt = FALSE;
  JsonArray *array;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  server = connect_everything ();
  confab_mcp_server_list_prompts_async (server, NULL, confab_test_store_result_cb, &slot);
  listed = confab_test_wait_result (&slot, WAIT_MS);
  prompts = confab_mcp_server_list_prompts_finish (server, listed, &error);
  g_assert_no_error (error);
  array = json_node_get_array (prompts);
  for (guint i = 0; i < json_array_get_length (array); i++)
    has_args_prompt |= g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (array, i),
                                                                              "name", ""), "args-prompt") == 0;
  g_assert_true (has_args_prompt);

  confab_mcp_server_get_prompt_async (server, "args-prompt", arguments, NULL, confab_test_store_result_cb, &slot);
  got = confab_test_wait_result (&slot, WAIT_MS);
  prompt = confab_mcp_server_get_prompt_finish (server, got, &error);
  g_assert_no_error (error);
  text = confab_mcp_prompt_result_to_text (prompt);
  g_assert_nonnull (strstr (text, "What's weather in Recife, PE?"));

  confab_mcp_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mcp-everything/list-and-call", test_list_and_call);
  g_test_add_func ("/mcp-everything/elicitation-answered", test_elicitation_answered);
  g_test_add_func ("/mcp-everything/stdio-list-and-call", test_stdio_list_and_call);
  g_test_add_func ("/mcp-everything/templates-and-subscription", test_templates_and_subscription);
  g_test_add_func ("/mcp-everything/progress-reported", test_progress_reported);
  g_test_add_func ("/mcp-everything/long-call-cancelled", test_long_call_cancelled);
  g_test_add_func ("/mcp-everything/server-crash-mid-call", test_server_crash_mid_call);
  g_test_add_func ("/mcp-everything/prompts", test_prompts);

  start_everything ();
  status = g_test_run ();

  if (everything != NULL)
    {
      g_subprocess_force_exit (everything);
      g_subprocess_wait (everything, NULL, NULL);
      g_clear_object (&everything);
    }
  g_free (everything_url);
  g_free (everything_node);
  g_free (everything_script);
  g_free (skip_reason);

  return status;
}
