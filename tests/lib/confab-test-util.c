/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-test-util.h"

struct _ConfabTestTimeout
{
  GSource  *source;
  gboolean  expired;
};

static gboolean
timeout_cb (gpointer user_data)
{
  ConfabTestTimeout *timeout = user_data;

  timeout->expired = TRUE;
  g_clear_pointer (&timeout->source, g_source_unref);

  return G_SOURCE_REMOVE;
}

ConfabTestTimeout *
confab_test_timeout_new (guint timeout_ms)
{
  ConfabTestTimeout *timeout = g_new0 (ConfabTestTimeout, 1);

  timeout->source = g_timeout_source_new (timeout_ms);
  g_source_set_callback (timeout->source, timeout_cb, timeout, NULL);
  g_source_attach (timeout->source, g_main_context_get_thread_default ());

  return timeout;
}

gboolean
confab_test_timeout_expired (ConfabTestTimeout *timeout)
{
  return timeout->expired;
}

void
confab_test_timeout_free (ConfabTestTimeout *timeout)
{
  if (timeout->source != NULL)
    {
      g_source_destroy (timeout->source);
      g_source_unref (timeout->source);
    }
  g_free (timeout);
}

void
confab_test_store_result_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert (*slot == NULL);
  *slot = g_object_ref (result);
}

GAsyncResult *
confab_test_wait_result (GAsyncResult **slot,
                         guint          timeout_ms)
{
  CONFAB_TEST_WAIT_FOR (*slot != NULL, timeout_ms);

  return g_steal_pointer (slot);
}

void
confab_cli_result_free (ConfabCliResult *result)
{
  if (result == NULL)
    return;

  g_free (result->stdout_text);
  g_free (result->stderr_text);
  g_free (result);
}

typedef struct
{
  gboolean  done;
  GBytes   *out;
  GBytes   *err;
  GError   *error;
} Communicate;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communicate *state = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (object), result,
                                   &state->out, &state->err, &state->error);
  state->done = TRUE;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *exited = TRUE;
}

static char *
bytes_to_string (GBytes *bytes)
{
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return g_strdup ("");

  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static ConfabCliResult *run_cli (const char * const *args,
                                  const char         *stdin_text,
                                  int                 stdin_fd,
                                  const char * const *env,
                                  guint               timeout_ms);

ConfabCliResult *
confab_test_run_cli (const char * const *args,
                     const char         *stdin_text,
                     const char * const *env,
                     guint               timeout_ms)
{
  return run_cli (args, stdin_text, -1, env, timeout_ms);
}

ConfabCliResult *
confab_test_run_cli_with_stdin_fd (const char * const *args,
                                   int                 stdin_fd,
                                   const char * const *env,
                                   guint               timeout_ms)
{
  return run_cli (args, NULL, stdin_fd, env, timeout_ms);
}

static ConfabCliResult *
run_cli (const char * const *args,
         const char         *stdin_text,
         int                 stdin_fd,
         const char * const *env,
         guint               timeout_ms)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GError) error = NULL;
  ConfabTestTimeout *timeout;
  ConfabCliResult *result;
  Communicate state = { 0 };
  gboolean exited = FALSE;
  const char *cli = g_getenv ("CONFAB_CLI");

  g_assert_nonnull (cli);

  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new ((stdin_fd < 0 ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0) |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (stdin_fd >= 0)
    g_subprocess_launcher_take_stdin_fd (launcher, stdin_fd);
  /* The child shares this test's isolated directories (G_TEST_OPTION_ISOLATE_DIRS). */
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      g_assert_nonnull (pair[1]);
      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  if (stdin_fd < 0)
    input = g_bytes_new (stdin_text ? stdin_text : "", stdin_text ? strlen (stdin_text) : 0);
  g_subprocess_communicate_async (process, input, NULL, communicate_cb, &state);

  timeout = confab_test_timeout_new (timeout_ms);
  while (!state.done && !confab_test_timeout_expired (timeout))
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);

  if (!state.done)
    {
      g_subprocess_force_exit (process);
      while (!state.done)
        g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
      confab_test_timeout_free (timeout);
      g_clear_error (&state.error);
      g_clear_pointer (&state.out, g_bytes_unref);
      g_clear_pointer (&state.err, g_bytes_unref);
      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,
                           "confab-cli did not finish in time");
    }

  g_assert_no_error (state.error);

  /* Output is closed; wait for the exit status too. */
  g_subprocess_wait_async (process, NULL, wait_cb, &exited);
  while (!exited && !confab_test_timeout_expired (timeout))
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  confab_test_timeout_free (timeout);
  g_assert_true (exited);

  result = g_new0 (ConfabCliResult, 1);
  result->stdout_text = bytes_to_string (state.out);
  result->stderr_text = bytes_to_string (state.err);
  result->exit_status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;

  g_clear_pointer (&state.out, g_bytes_unref);
  g_clear_pointer (&state.err, g_bytes_unref);

  return result;
}

GPtrArray *
confab_test_parse_json_lines (const char *text)
{
  GPtrArray *nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      JsonNode *node;

      if (lines[i][0] == '\0')
        continue;

      node = json_from_string (lines[i], &error);
      if (node == NULL)
        g_test_message ("not JSON: %s", lines[i]);
      g_assert_no_error (error);
      g_assert_nonnull (node);
      g_ptr_array_add (nodes, node);
    }

  return nodes;
}

const char *
confab_test_json_get_string (JsonNode   *node,
                             const char *name)
{
  JsonNode *member;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  member = json_object_get_member (json_node_get_object (node), name);
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (member);
}

void
confab_test_init_isolated (int    *argc,
                           char ***argv)
{
  g_autoptr(GPtrArray) mime_dirs = g_ptr_array_new_with_free_func (g_free);
  const char * const *data_dirs = g_get_system_data_dirs ();

  for (guint i = 0; data_dirs[i] != NULL; i++)
    g_ptr_array_add (mime_dirs, g_build_filename (data_dirs[i], "mime", NULL));
  g_ptr_array_add (mime_dirs, NULL);

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_content_type_set_mime_dirs ((const char * const *) mime_dirs->pdata);
}

void
confab_test_approver_on_status (ConfabToolCall     *call,
                                GParamSpec         *pspec,
                                ConfabTestApprover *approver)
{
  if (confab_tool_call_get_status (call) != CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL)
    return;

  approver->asked++;
  confab_tool_call_resolve_approval (call, approver->answer);
}
