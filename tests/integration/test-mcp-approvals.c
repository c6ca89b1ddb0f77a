/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mcp-approvals"

/* Approval scopes (once, for this chat, always, --yes) through the registry against the
 * test MCP server, and the decision log: every decision, asked or standing, and every answer
 * to a server's question, in the store's tool_decisions table. */

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "confab-approval-decision.h"
#include "confab-approval-policy.h"
#include "confab-mcp-elicitation.h"
#include "confab-mcp-server.h"
#include "confab-mcp-server-private.h"
#include "confab-store.h"
#include "confab-store-decisions.h"
#include "confab-store-private.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"

#define WAIT_MS 10000

typedef struct
{
  char                 *dir;
  ConfabToolRegistry   *registry;
  ConfabApprovalPolicy *approvals;
  ConfabStore          *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *extra = data;
  g_autofree char *command = g_strdup_printf ("%s %s", g_getenv ("CONFAB_TEST_MCP_SERVER"),
                                              extra ? extra : "");
  g_autofree char *store_path = NULL;
  g_autofree char *approvals_path = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  f->dir = g_dir_make_tmp ("confab-approvals-XXXXXX", &error);
  g_assert_no_error (error);

  store_path = g_build_filename (f->dir, "confab.db", NULL);
  f->store = confab_store_open (store_path, &error);
  g_assert_no_error (error);

  approvals_path = g_build_filename (f->dir, "approvals.json", NULL);
  f->approvals = confab_approval_policy_new (approvals_path);
  confab_approval_policy_set_store (f->approvals, f->store);

  f->registry = confab_tool_registry_new ();
  g_assert_true (confab_tool_registry_add_command (f->registry, command, &error));
  confab_tool_registry_start_async (f->registry, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_true (confab_tool_registry_start_finish (f->registry, result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (confab_tool_registry_lookup (f->registry, "add"));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *approvals_path = g_build_filename (f->dir, "approvals.json", NULL);

  confab_tool_registry_stop (f->registry);
  g_clear_object (&f->registry);
  g_clear_object (&f->approvals);
  g_clear_object (&f->store);
  g_unlink (approvals_path);
  for (const char *suffix = ""; suffix != NULL; suffix = *suffix ? NULL : "-wal")
    {
      g_autofree char *path = g_strdup_printf ("%s/confab.db%s", f->dir, suffix);
      g_unlink (path);
    }
  {
    g_autofree char *shm = g_build_filename (f->dir, "confab.db-shm", NULL);
    g_unlink (shm);
  }
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* Calls add(2, 3) in @chat_id; @answer is given when asked. Returns whether it was asked. */
static gboolean
call_add (Fixture        *f,
          const char     *chat_id,
          ConfabApproval  answer)
{
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ConfabTestApprover approver = { answer, 0 };
  GAsyncResult *slot = NULL;
  gulong handler;

  confab_tool_call_set_id (call, "call-1");
  confab_tool_call_set_name (call, "add");
  confab_tool_call_set_arguments (call, "{\"a\": 2, \"b\": 3}");
  handler = g_signal_connect (call, "notify::status", G_CALLBACK (confab_test_approver_on_status), &approver);

  confab_tool_registry_call_in_chat_async (f->registry, call, f->approvals, chat_id, NULL,
                                           confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_true (confab_tool_registry_call_in_chat_finish (f->registry, result, &error));
  g_assert_no_error (error);
  g_signal_handler_disconnect (call, handler);

  if (answer == CONFAB_APPROVAL_DENY && approver.asked > 0)
    g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DENIED);
  else
    g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);

  return approver.asked > 0;
}

/* The decisions logged for @chat_id (NULL: all), oldest first, as "decision" words. */
static char *
logged (Fixture    *f,
        const char *chat_id)
{
  g_autoptr(GListModel) decisions = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  guint n;

  decisions = confab_store_list_decisions (f->store, chat_id, 0, &error);
  g_assert_no_error (error);

  n = g_list_model_get_n_items (decisions);
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(ConfabApprovalDecision) decision = g_list_model_get_item (decisions, i - 1);

      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, confab_approval_decision_get_decision (decision));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_allow_once_asks_again (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *log = NULL;

  g_assert_true (call_add (f, "chat-a", CONFAB_APPROVAL_ALLOW_ONCE));
  g_assert_true (call_add (f, "chat-a", CONFAB_APPROVAL_ALLOW_ONCE));

  log = logged (f, "chat-a");
  g_assert_cmpstr (log, ==, "allow-once allow-once");
}

static void
test_allow_for_chat_stays_in_chat (Fixture       *f,
                                   gconstpointer  data)
{
  g_autofree char *log_a = NULL;
  g_autofree char *log_b = NULL;
  g_autofree char *saved = g_build_filename (f->dir, "approvals.json", NULL);

  g_assert_true (call_add (f, "chat-a", CONFAB_APPROVAL_ALLOW_CHAT));
  /* The same chat: runs without asking. */
  g_assert_false (call_add (f, "chat-a", CONFAB_APPROVAL_DENY));
  /* Another chat is asked again, and a denial there holds. */
  g_assert_true (call_add (f, "chat-b", CONFAB_APPROVAL_DENY));
  g_assert_true (call_add (f, "chat-b", CONFAB_APPROVAL_ALLOW_ONCE));
  /* Outside a chat nothing is remembered for it. */
  g_assert_true (call_add (f, NULL, CONFAB_APPROVAL_ALLOW_ONCE));

  /* Never written to approvals.json: it lasts as long as the policy. */
  g_assert_false (g_file_test (saved, G_FILE_TEST_EXISTS));

  log_a = logged (f, "chat-a");
  log_b = logged (f, "chat-b");
  g_assert_cmpstr (log_a, ==, "allow-chat auto-chat");
  g_assert_cmpstr (log_b, ==, "deny allow-once");
}

static void
test_allow_always_holds_everywhere (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(ConfabApprovalPolicy) reloaded = NULL;
  g_autofree char *saved = g_build_filename (f->dir, "approvals.json", NULL);
  g_autofree char *log = NULL;

  g_assert_true (call_add (f, "chat-a", CONFAB_APPROVAL_ALLOW_ALWAYS));
  g_assert_false (call_add (f, "chat-b", CONFAB_APPROVAL_DENY));
  g_assert_false (call_add (f, NULL, CONFAB_APPROVAL_DENY));

  /* Saved: a new policy (the next run) allows it too. */
  reloaded = confab_approval_policy_new (saved);
  g_assert_cmpstr (confab_approval_policy_get_standing (reloaded, "chat-c", "confab-test-mcp-server", "add"),
                   ==, "always");

  log = logged (f, NULL);
  g_assert_cmpstr (log, ==, "allow-always auto-always auto-always");
}

static void
test_yes_is_logged (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *log = NULL;

  confab_approval_policy_set_allow_all (f->approvals, TRUE);
  g_assert_false (call_add (f, "chat-a", CONFAB_APPROVAL_DENY));

  log = logged (f, "chat-a");
  g_assert_cmpstr (log, ==, "auto-yes");
}

static void
test_decision_fields (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GListModel) decisions = NULL;
  g_autoptr(ConfabApprovalDecision) decision = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time ();

  g_assert_true (call_add (f, "chat-a", CONFAB_APPROVAL_DENY));

  decisions = confab_store_list_decisions (f->store, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (decisions), ==, 1);
  decision = g_list_model_get_item (decisions, 0);
  g_assert_cmpstr (confab_approval_decision_get_conversation_id (decision), ==, "chat-a");
  g_assert_cmpstr (confab_approval_decision_get_server (decision), ==, "confab-test-mcp-server");
  g_assert_cmpstr (confab_approval_decision_get_tool (decision), ==, "add");
  g_assert_cmpstr (confab_approval_decision_get_kind (decision), ==, "approval");
  g_assert_cmpstr (confab_approval_decision_describe (decision), ==, "Denied");
  g_assert_cmpint (confab_approval_decision_get_recorded_at (decision), >=, before);
}

/* Stop while the card still asks: logged as such. */
static void
test_stop_while_asking_is_logged (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  GAsyncResult *slot = NULL;

  confab_tool_call_set_id (call, "call-1");
  confab_tool_call_set_name (call, "add");
  confab_tool_call_set_arguments (call, "{\"a\": 1, \"b\": 1}");
  confab_tool_registry_call_in_chat_async (f->registry, call, f->approvals, "chat-a", cancellable,
                                           confab_test_store_result_cb, &slot);
  CONFAB_TEST_WAIT_FOR (confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL, WAIT_MS);
  g_cancellable_cancel (cancellable);
  result = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_false (confab_tool_registry_call_in_chat_finish (f->registry, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  log = logged (f, "chat-a");
  g_assert_cmpstr (log, ==, "cancelled");
}

static gboolean
accept_elicitation (ConfabMcpServer      *server,
                    ConfabMcpElicitation *elicitation,
                    gpointer              user_data)
{
  g_autoptr(JsonNode) content = json_from_string ("{\"name\": \"Ada\", \"age\": 36, \"colour\": \"red\"}", NULL);

  confab_mcp_elicitation_accept (elicitation, content);
  return TRUE;
}

static void
test_elicitation_answer_is_logged (Fixture       *f,
                                   gconstpointer  data)
{
  GListModel *servers = confab_tool_registry_get_servers (f->registry);
  g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, 0);
  g_autoptr(GListModel) decisions = NULL;
  g_autoptr(ConfabApprovalDecision) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  /* The registry logs questions outside calls too: this one is logged once, by the call. */
  confab_tool_registry_set_approvals (f->registry, f->approvals);
  g_signal_connect (server, "elicit", G_CALLBACK (accept_elicitation), NULL);
  g_assert_true (call_add (f, "chat-a", CONFAB_APPROVAL_ALLOW_ONCE));

  log = logged (f, "chat-a");
  g_assert_cmpstr (log, ==, "allow-once accept");
  g_free (log);
  log = logged (f, NULL);
  g_assert_cmpstr (log, ==, "allow-once accept");

  decisions = confab_store_list_decisions (f->store, "chat-a", 1, &error);
  g_assert_no_error (error);
  answer = g_list_model_get_item (decisions, 0);
  g_assert_cmpstr (confab_approval_decision_get_kind (answer), ==, "elicitation");
  g_assert_cmpstr (confab_approval_decision_get_tool (answer), ==, "add");
  g_assert_nonnull (confab_approval_decision_get_detail (answer));
}

static gboolean
decline_elicitation (ConfabMcpServer      *server,
                     ConfabMcpElicitation *elicitation,
                     gpointer              user_data)
{
  confab_mcp_elicitation_decline (elicitation);
  return TRUE;
}

/* A server's question while none of its calls runs (over its own stream) is logged too,
 * without a chat or a tool. */
static void
test_question_outside_a_call_is_logged (Fixture       *f,
                                        gconstpointer  data)
{
  const char *argv[] = { "detached", NULL };
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new ("asker", argv, NULL);
  const char *line = "{\"jsonrpc\":\"2.0\",\"id\":\"q1\",\"method\":\"elicitation/create\","
                     "\"params\":{\"message\":\"Which city?\",\"requestedSchema\":{\"type\":\"object\","
                     "\"properties\":{\"city\":{\"type\":\"string\"}}}}}";
  g_autoptr(GListModel) decisions = NULL;
  g_autoptr(ConfabApprovalDecision) decision = NULL;
  g_autoptr(GError) error = NULL;

  confab_tool_registry_set_approvals (f->registry, f->approvals);
  confab_tool_registry_add_server (f->registry, server);
  g_signal_connect (server, "elicit", G_CALLBACK (decline_elicitation), NULL);
  _confab_mcp_server_start_detached (server);
  _confab_mcp_server_handle_line (server, line, strlen (line));

  decisions = confab_store_list_decisions (f->store, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (decisions), ==, 1);
  decision = g_list_model_get_item (decisions, 0);
  g_assert_null (confab_approval_decision_get_conversation_id (decision));
  g_assert_cmpstr (confab_approval_decision_get_server (decision), ==, "asker");
  g_assert_cmpstr (confab_approval_decision_get_kind (decision), ==, "elicitation");
  g_assert_cmpstr (confab_approval_decision_get_decision (decision), ==, "decline");
  g_assert_cmpstr (confab_approval_decision_get_detail (decision), ==, "Which city?");

  confab_mcp_server_stop (server);
}

/* A database of schema 6 (before the log) gets the table on open, and logs. */
static void
test_upgrade_from_schema_6 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("confab-approvals-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabApprovalDecision) decision = confab_approval_decision_new ("c", "s", "t", "approval", "deny", NULL);
  g_autoptr(GListModel) decisions = NULL;

  g_assert_true (_confab_store_create_at_version (path, 6, &error));
  g_assert_no_error (error);

  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_log_decision (store, decision, &error));
  g_assert_no_error (error);
  decisions = confab_store_list_decisions (store, NULL, 0, &error);
  g_assert_cmpuint (g_list_model_get_n_items (decisions), ==, 1);
  g_clear_object (&store);

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, extra) \
  g_test_add ("/mcp-approvals/" path, Fixture, extra, fixture_set_up, func, fixture_tear_down)
  ADD ("allow-once-asks-again", test_allow_once_asks_again, NULL);
  ADD ("allow-for-chat-stays-in-that-chat", test_allow_for_chat_stays_in_chat, NULL);
  ADD ("allow-always-holds-everywhere", test_allow_always_holds_everywhere, NULL);
  ADD ("yes-is-logged", test_yes_is_logged, NULL);
  ADD ("decision-fields", test_decision_fields, NULL);
  ADD ("stop-while-asking-is-logged", test_stop_while_asking_is_logged, NULL);
  ADD ("elicitation-answer-is-logged", test_elicitation_answer_is_logged, "--elicit");
  ADD ("question-outside-a-call-is-logged", test_question_outside_a_call_is_logged, NULL);
#undef ADD
  g_test_add_func ("/mcp-approvals/log-after-upgrade-from-schema-6", test_upgrade_from_schema_6);

  return g_test_run ();
}
