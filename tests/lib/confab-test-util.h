/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-tool-call.h"

G_BEGIN_DECLS

/* A deadline for waiting on the main context; wakes the context when it passes. */
typedef struct _ConfabTestTimeout ConfabTestTimeout;

ConfabTestTimeout *confab_test_timeout_new     (guint              timeout_ms);
gboolean           confab_test_timeout_expired (ConfabTestTimeout *timeout);
void               confab_test_timeout_free    (ConfabTestTimeout *timeout);

/* Iterates the thread-default main context until @expr holds; aborts the test with the
 * expression's text when @timeout_ms pass first. Never a sleep. */
#define CONFAB_TEST_WAIT_FOR(expr, timeout_ms)                                         \
  G_STMT_START {                                                                       \
    ConfabTestTimeout *_confab_timeout = confab_test_timeout_new (timeout_ms);         \
    while (!(expr))                                                                    \
      {                                                                                \
        if (confab_test_timeout_expired (_confab_timeout))                             \
          {                                                                            \
            confab_test_timeout_free (_confab_timeout);                                \
            g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,          \
                                 "timed out waiting for " #expr);                      \
          }                                                                            \
        g_main_context_iteration (g_main_context_get_thread_default (), TRUE);         \
      }                                                                                \
    confab_test_timeout_free (_confab_timeout);                                        \
  } G_STMT_END

/* A GAsyncReadyCallback that stores a reference to the result in *(GAsyncResult **)user_data. */
void               confab_test_store_result_cb (GObject           *object,
                                                GAsyncResult      *result,
                                                gpointer           user_data);
/* Waits (CONFAB_TEST_WAIT_FOR) until *@slot is set and returns it (transfer full). */
GAsyncResult      *confab_test_wait_result     (GAsyncResult     **slot,
                                                guint              timeout_ms);

/* A finished confab-cli run. */
typedef struct
{
  char     *stdout_text;
  char     *stderr_text;
  int       exit_status;   /* the exit code, or -1 when killed by a signal */
} ConfabCliResult;

void               confab_cli_result_free      (ConfabCliResult   *result);

/* Runs $CONFAB_CLI with @args, feeding @stdin_text (NULL: empty stdin), with @env
 * ("NAME=VALUE" each, NULL for none) added to the environment; iterates the main context
 * meanwhile (so an in-process replay server keeps serving). Aborts the test after
 * @timeout_ms. (transfer full) */
ConfabCliResult   *confab_test_run_cli         (const char * const *args,
                                                const char        *stdin_text,
                                                const char * const *env,
                                                guint              timeout_ms);
/* The same with @stdin_fd (taken) as the child's stdin, e.g. the slave side of a
 * pseudo-terminal, to exercise what confab-cli does on a terminal. */
ConfabCliResult   *confab_test_run_cli_with_stdin_fd (const char * const *args,
                                                int                stdin_fd,
                                                const char * const *env,
                                                guint              timeout_ms);
/* Parses one JSON document per non-empty line; asserts that each is valid JSON.
 * (transfer full) (element-type JsonNode) */
GPtrArray         *confab_test_parse_json_lines (const char       *text);
/* The string member @name of the object @node, or NULL. */
const char        *confab_test_json_get_string (JsonNode          *node,
                                                const char        *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabCliResult, confab_cli_result_free)

/* g_test_init() with isolated XDG dirs, the system's MIME database kept visible: without it
 * GdkPixbuf cannot tell that the app's symbolic icon is an SVG. Call before gtk_init(). */
void confab_test_init_isolated (int    *argc,
                                char ***argv);

/* Answers a tool call's approval request with @answer and counts it: connect
 * confab_test_approver_on_status() to the call's "notify::status". */
typedef struct
{
  ConfabApproval answer;
  guint          asked;
} ConfabTestApprover;

void confab_test_approver_on_status (ConfabToolCall     *call,
                                     GParamSpec         *pspec,
                                     ConfabTestApprover *approver);

G_END_DECLS
