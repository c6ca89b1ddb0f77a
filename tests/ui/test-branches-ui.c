/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-branches-ui"

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "confab-application.h"
#include "confab-conversation-list.h"
#include "confab-conversation.h"
#include "confab-markdown-view-private.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-replay-server.h"
#include "confab-test-app.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"
#include "confab-window.h"
#include "panels-test-util.h"
#include "confab-store-summary.h"
#include "confab-message-editor.h"
#include "confab-version-switcher.h"

#define WAIT_MS 15000

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

/* ---------------------------------------------------------------------------------------- */
/* Branches in the window                                                                   */

/* Whether @row shows at least part of itself in the chat's scrolled window. */
static gboolean
in_viewport (ConfabMessageRow *row)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (row), GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  if (scroller == NULL || !gtk_widget_get_mapped (GTK_WIDGET (row)) ||
      !gtk_widget_compute_bounds (GTK_WIDGET (row), scroller, &bounds))
    return FALSE;

  return bounds.origin.y < gtk_widget_get_height (scroller) &&
         bounds.origin.y + bounds.size.height > 0;
}

static gboolean
row_shows (ConfabWindow *window,
           guint         position,
           const char   *text)
{
  ConfabMessageRow *row = confab_chat_view_find_row (confab_window_get_chat_view (window),
                                                     confab_test_message_at (window, position));
  g_autofree char *shown = row ? confab_test_row_text (row) : NULL;

  return shown != NULL && g_str_has_prefix (shown, text) && in_viewport (row);
}

static gboolean
list_has (GListModel *rows,
          const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(ConfabStoreSummary) summary = g_list_model_get_item (rows, i);

      if (g_strcmp0 (confab_store_summary_get_id (summary), id) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
check_branches (ConfabWindow *window,
                gpointer      data)
{
  GtkWidget *list = confab_test_find_widget_of_type (GTK_WIDGET (window), CONFAB_TYPE_CONVERSATION_LIST);
  GListModel *rows = confab_conversation_list_get_model (CONFAB_CONVERSATION_LIST (list));
  ConfabMessageRow *row;
  GtkWidget *switcher;
  GtkWidget *label;
  g_autofree char *first_id = NULL;
  const char *fork_id;

  confab_test_type_and_press_enter (window, "Name a colour for a front door");
  confab_test_wait_idle (window);

  /* Regenerate: a second version of the answer; the first is kept. */
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 1));
  g_assert_null (confab_message_row_get_versions (row));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.regenerate", NULL));
  confab_test_wait_idle (window);
  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
  CONFAB_TEST_WAIT_FOR (row_shows (window, 1, "A deep teal"), WAIT_MS);

  /* "‹ 2/2 ›" on the answer, drawn, and spoken as "2 of 2". */
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 1));
  switcher = confab_message_row_get_versions (row);
  g_assert_nonnull (switcher);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (switcher), WAIT_MS);
  g_assert_cmpstr (confab_version_switcher_get_text (CONFAB_VERSION_SWITCHER (switcher)), ==, "2/2");
  label = confab_test_find_widget_of_type (switcher, GTK_TYPE_LABEL);
  g_assert_true (gtk_widget_get_mapped (label));
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_width (label) > 0, WAIT_MS);
  gtk_test_accessible_assert_property (label, GTK_ACCESSIBLE_PROPERTY_LABEL, "2 of 2");
  g_assert_false (gtk_widget_get_sensitive (gtk_widget_get_last_child (gtk_widget_get_first_child (switcher))));

  confab_test_wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot (GTK_WIDGET (window), "branches.png");

  /* Back to the first answer: its text, on screen. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.previous-version", NULL));
  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
  CONFAB_TEST_WAIT_FOR (row_shows (window, 1, "A warm red"), WAIT_MS);
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 1));
  switcher = confab_message_row_get_versions (row);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (switcher), WAIT_MS);
  g_assert_cmpstr (confab_version_switcher_get_text (CONFAB_VERSION_SWITCHER (switcher)), ==, "1/2");
  confab_test_wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot (GTK_WIDGET (window), "branches-first-version.png");

  /* Start a new chat from the first answer: a new conversation, in the sidebar. */
  first_id = g_strdup (confab_conversation_get_id (confab_session_get_conversation (confab_window_get_session (window))));
  CONFAB_TEST_WAIT_FOR (list_has (rows, first_id), WAIT_MS);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.fork", NULL));
  fork_id = confab_conversation_get_id (confab_session_get_conversation (confab_window_get_session (window)));
  g_assert_cmpstr (fork_id, !=, first_id);
  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
  g_assert_true (g_str_has_prefix (confab_message_get_content (confab_test_message_at (window, 1)), "A **warm red**"));
  CONFAB_TEST_WAIT_FOR (list_has (rows, fork_id) && list_has (rows, first_id), WAIT_MS);
  CONFAB_TEST_WAIT_FOR (row_shows (window, 1, "A warm red"), WAIT_MS);
  confab_test_wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot (GTK_WIDGET (window), "branches-fork.png");

  /* Edit: the editor says what sending does; Cancel (Escape) leaves the message as it was. */
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 0));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.edit", NULL));
  {
    GtkWidget *editor = confab_test_find_widget_of_type (GTK_WIDGET (row), CONFAB_TYPE_MESSAGE_EDITOR);
    g_autofree char *text = NULL;

    g_assert_nonnull (editor);
    CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (editor), WAIT_MS);
    text = confab_message_editor_get_text (CONFAB_MESSAGE_EDITOR (editor));
    g_assert_cmpstr (text, ==, "Name a colour for a front door");
    confab_test_wait_frames (GTK_WIDGET (window));
    confab_test_save_screenshot (GTK_WIDGET (window), "branches-editor.png");
    g_assert_true (gtk_widget_activate_action (editor, "editor.cancel", NULL));
    g_assert_false (gtk_widget_get_visible (editor));
  }
  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
}

/* An answer streamed as @pieces, with its usage. */
static char *
answer_with_usage (const char * const *pieces,
                   guint               prompt_tokens,
                   guint               completion_tokens)
{
  g_autofree char *open = confab_test_sse_answer (pieces, TRUE);

  return g_strdup_printf ("%s"
                          "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                          "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                          "data: {\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
                          "{\"prompt_tokens\":%u,\"completion_tokens\":%u,\"total_tokens\":%u}}\n\n"
                          "data: [DONE]\n\n",
                          open, prompt_tokens, completion_tokens, prompt_tokens + completion_tokens);
}

static void
test_branches (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GSettings) settings = g_settings_new ("io.github.confab.Confab");
  const char *a1[] = { "A **warm red**: it says welcome, ", "and it hides the dust.\n\n",
                       "- Brass handles suit it\n", "- A classic on brick houses\n", NULL };
  const char *a2[] = { "A **deep teal**: calm, a little unexpected, ", "and kind to white trim.\n\n",
                       "- Try it with matte black hardware\n", "- Add a plant on each side\n", NULL };
  g_autofree char *b1 = answer_with_usage (a1, 14, 31);
  g_autofree char *b2 = answer_with_usage (a2, 14, 35);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, b1, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, b2, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);

  /* Open (hidden on a first launch): it counts the version shown. */
  g_settings_set_boolean (settings, "show-usage-sidebar", TRUE);
  confab_test_run_app (args, check_branches, server);
  g_settings_reset (settings, "show-usage-sidebar");
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init_isolated (&argc, &argv);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/branches-ui/regenerate-switch-fork", test_branches);

  return g_test_run ();
}
