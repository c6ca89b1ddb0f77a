/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mcp-hostile"

#include "config.h"

#include <string.h>

#include "confab-approval-policy.h"
#include "confab-error.h"
#include "confab-mcp-env.h"
#include "confab-mcp-server.h"
#include "confab-test-util.h"
#include "confab-tool.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"

/* MCP servers as found in the wild, through the hostile test server
 * (tests/mcp/confab-hostile-mcp-server.c): what they inherit, banners on stdout, ids that
 * only look right, tools that need tasks, progress, and secrets on the command line. */

#define WAIT_MS 15000

static ConfabMcpServer *
new_server (const char         *name,
            const char * const *env,
            const char         *first_arg,
            ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  va_list args;

  g_assert_nonnull (g_getenv ("CONFAB_HOSTILE_MCP_SERVER"));
  g_strv_builder_add (builder, g_getenv ("CONFAB_HOSTILE_MCP_SERVER"));
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_strv_builder_add (builder, arg);
  va_end (args);
  argv = g_strv_builder_end (builder);

  return confab_mcp_server_new (name, (const char * const *) argv, env);
}

static void
start (ConfabMcpServer *server)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  confab_mcp_server_start_async (server, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_true (confab_mcp_server_start_finish (server, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);
}

/* The text of a tools/call result, or NULL with @error set. (transfer full) */
static char *
call_text (ConfabMcpServer  *server,
           const char       *name,
           GError          **error)
{
  g_autoptr(JsonNode) arguments = json_node_init_object (json_node_alloc (), json_object_new ());
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  GAsyncResult *slot = NULL;

  confab_mcp_server_call_tool_async (server, name, arguments, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  node = confab_mcp_server_call_tool_finish (server, result, error);
  if (node == NULL)
    return NULL;

  return confab_mcp_result_to_text (node, NULL);
}

static gboolean
has_line (const char *text,
          const char *line)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  return g_strv_contains ((const char * const *) lines, line);
}

static gboolean
has_variable (const char *text,
              const char *name)
{
  g_autofree char *prefix = g_strconcat (name, "=", NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return TRUE;

  return FALSE;
}

/* Environment ----------------------------------------------------------------------------- */

static void
test_env_build (void)
{
  const char *parent[] = {
    "HOME=/home/u", "PATH=/usr/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "XDG_RUNTIME_DIR=/run/u",
    "https_proxy=http://proxy:3128", "NO_PROXY=localhost", "SSL_CERT_FILE=/etc/ca.pem",
    "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus",
    "CONFAB_API_KEY=sk-confab", "OPENAI_API_KEY=sk-openai", "AWS_SECRET_ACCESS_KEY=x",
    "LC_TEST_SECRET=sk-lc", "LC_=odd", "=empty", "NOEQUALS", NULL
  };
  const char *configured[] = { "GITHUB_TOKEN=ghp-configured", "PATH=/opt/bin", NULL };
  g_auto(GStrv) env = NULL;

  confab_mcp_env_add_secret ("LC_TEST_SECRET");
  env = confab_mcp_env_build (parent, configured);

  g_assert_cmpstr (g_environ_getenv (env, "HOME"), ==, "/home/u");
  g_assert_cmpstr (g_environ_getenv (env, "LC_ALL"), ==, "C.UTF-8");
  g_assert_cmpstr (g_environ_getenv (env, "XDG_RUNTIME_DIR"), ==, "/run/u");
  g_assert_cmpstr (g_environ_getenv (env, "https_proxy"), ==, "http://proxy:3128");
  g_assert_cmpstr (g_environ_getenv (env, "NO_PROXY"), ==, "localhost");
  g_assert_cmpstr (g_environ_getenv (env, "SSL_CERT_FILE"), ==, "/etc/ca.pem");
  g_assert_cmpstr (g_environ_getenv (env, "DBUS_SESSION_BUS_ADDRESS"), ==, "unix:path=/run/bus");
  /* Keys stay home, even one whose name the allowlist would pass (--api-key-env LC_…). */
  g_assert_null (g_environ_getenv (env, "CONFAB_API_KEY"));
  g_assert_null (g_environ_getenv (env, "OPENAI_API_KEY"));
  g_assert_null (g_environ_getenv (env, "AWS_SECRET_ACCESS_KEY"));
  g_assert_null (g_environ_getenv (env, "LC_TEST_SECRET"));
  g_assert_null (g_environ_getenv (env, "LC_"));
  /* The configured env is the user's explicit choice: set, and over the inherited one. */
  g_assert_cmpstr (g_environ_getenv (env, "GITHUB_TOKEN"), ==, "ghp-configured");
  g_assert_cmpstr (g_environ_getenv (env, "PATH"), ==, "/opt/bin");
  g_assert_cmpuint (g_strv_length (env), ==, 10);
}

static void
test_env_of_server (void)
{
  const char *configured[] = { "CONFIGURED_TOKEN=mine", "CONFAB_API_KEY=configured-on-purpose", NULL };
  g_autoptr(ConfabMcpServer) plain = NULL;
  g_autoptr(ConfabMcpServer) with_env = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_with_env = NULL;

  g_setenv ("CONFAB_API_KEY", "sk-must-not-leak", TRUE);
  g_setenv ("OTHER_SECRET", "sk-other", TRUE);
  g_setenv ("LC_MY_KEY", "sk-via-flag", TRUE);
  g_setenv ("LC_TIME", "C", TRUE);
  g_setenv ("XDG_CONFIG_HOME", "/tmp/xdg-config", TRUE);
  g_setenv ("https_proxy", "http://127.0.0.1:3128", TRUE);
  confab_mcp_env_add_secret ("LC_MY_KEY");

  plain = new_server ("plain", NULL, NULL);
  start (plain);
  text = call_text (plain, "env", &error);
  g_assert_no_error (error);
  g_test_message ("%s", text);

  g_assert_false (has_variable (text, "CONFAB_API_KEY"));
  g_assert_false (has_variable (text, "OTHER_SECRET"));
  g_assert_false (has_variable (text, "LC_MY_KEY"));
  g_assert_null (strstr (text, "sk-"));
  g_assert_true (has_line (text, "LC_TIME=C"));
  g_assert_true (has_line (text, "XDG_CONFIG_HOME=/tmp/xdg-config"));
  g_assert_true (has_line (text, "https_proxy=http://127.0.0.1:3128"));
  g_assert_true (has_variable (text, "PATH"));
  g_assert_true (has_variable (text, "HOME"));

  with_env = new_server ("configured", configured, NULL);
  start (with_env);
  text_with_env = call_text (with_env, "env", &error);
  g_assert_no_error (error);
  g_assert_true (has_line (text_with_env, "CONFIGURED_TOKEN=mine"));
  g_assert_true (has_line (text_with_env, "CONFAB_API_KEY=configured-on-purpose"));
  g_assert_false (has_variable (text_with_env, "OTHER_SECRET"));
}

/* A token on the command line reaches the user's error, never the model. */
static void
test_command_line_not_sent_to_model (void)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autoptr(ConfabMcpServer) server = new_server ("tokened", NULL, "--hang", "--api-key", "sk-secret-on-argv", NULL);
  g_autoptr(ConfabApprovalPolicy) approvals = confab_approval_policy_new (NULL);
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  confab_tool_registry_add_server (registry, server);
  start (server);
  confab_mcp_server_set_call_timeout (server, 1);

  confab_approval_policy_set_allow_all (approvals, TRUE);
  confab_tool_call_set_name (call, "slow");
  confab_tool_call_set_arguments (call, "{}");
  confab_tool_registry_call_async (registry, call, approvals, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_true (confab_tool_registry_call_finish (registry, result, &error));

  g_test_message ("result: %s\nerror: %s", confab_tool_call_get_result (call), confab_tool_call_get_error (call));
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_cmpstr (confab_tool_call_get_result (call), ==,
                   "MCP server “tokened” did not answer tools/call within 1 second");
  g_assert_nonnull (strstr (confab_tool_call_get_error (call), "--api-key sk-secret-on-argv"));
}

/* Protocol ------------------------------------------------------------------------------- */

static void
test_banner_skipped (void)
{
  g_autoptr(ConfabMcpServer) server = new_server ("banner", NULL, "--banner", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  start (server);
  text = call_text (server, "slow", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "done");
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);
  g_assert_nonnull (strstr (confab_mcp_server_get_log (server),
                            "Skipped a line on stdout that is not JSON-RPC: Secure MCP Filesystem Server running on stdio\n"));
  g_assert_nonnull (strstr (confab_mcp_server_get_log (server),
                            "Skipped a line on stdout that is not JSON-RPC: [server] handling tools/call\n"));
}

static void
test_ids_match_exactly (void)
{
  g_autoptr(ConfabMcpServer) server = new_server ("strings", NULL, "--string-ids", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  /* The answer with id "3" (a string) is not the answer to request 3. */
  start (server);
  text = call_text (server, "slow", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "done");
}

static void
test_task_required_not_offered (void)
{
  g_autoptr(ConfabMcpServer) server = new_server ("tasks", NULL, "--tasks", NULL);
  GListModel *tools;
  g_autoptr(GString) names = g_string_new (NULL);

  start (server);
  tools = confab_mcp_server_get_tools (server);
  for (guint i = 0; i < g_list_model_get_n_items (tools); i++)
    {
      g_autoptr(ConfabTool) tool = g_list_model_get_item (tools, i);

      g_string_append_printf (names, "%s%s", i ? " " : "", confab_tool_get_name (tool));
    }

  g_assert_cmpstr (names->str, ==, "env slow task_forbidden task_optional");
}

static void
test_progress_extends_timeout (void)
{
  g_autoptr(ConfabMcpServer) server = new_server ("progress", NULL, "--progress", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 started;

  /* Six reports 400 ms apart: 2.4 s in all, more than the 1 s timeout, never 1 s silent. */
  start (server);
  confab_mcp_server_set_call_timeout (server, 1);
  started = g_get_monotonic_time ();
  text = call_text (server, "slow", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "done");
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 2 * G_USEC_PER_SEC);
}

static void
test_progress_of_another_token (void)
{
  g_autoptr(ConfabMcpServer) server = new_server ("progress", NULL, "--progress-wrong-token", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  start (server);
  confab_mcp_server_set_call_timeout (server, 1);
  text = call_text (server, "slow", &error);
  g_assert_null (text);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/mcp-hostile/env/build", test_env_build);
  g_test_add_func ("/mcp-hostile/env/server", test_env_of_server);
  g_test_add_func ("/mcp-hostile/command-line-not-sent-to-model", test_command_line_not_sent_to_model);
  g_test_add_func ("/mcp-hostile/banner-skipped", test_banner_skipped);
  g_test_add_func ("/mcp-hostile/ids-match-exactly", test_ids_match_exactly);
  g_test_add_func ("/mcp-hostile/task-required-not-offered", test_task_required_not_offered);
  g_test_add_func ("/mcp-hostile/progress-extends-timeout", test_progress_extends_timeout);
  g_test_add_func ("/mcp-hostile/progress-of-another-token", test_progress_of_another_token);

  return g_test_run ();
}
