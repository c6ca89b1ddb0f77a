/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a walk through the real window (as a new user, screenshot by screenshot) found:
 * each test drives the real application over the replay server. */
#define G_LOG_DOMAIN "test-walk"

#include "config.h"

#include <adwaita.h>

#include "confab-application.h"
#include "confab-composer.h"
#include "confab-conversation-row.h"
#include "confab-mcp-server-row.h"
#include "confab-preferences-window.h"
#include "confab-replay-server.h"
#include "confab-session.h"
#include "confab-test-app.h"
#include "confab-test-util.h"
#include "confab-window.h"
#include "panels-test-util.h"

#define WAIT_MS 15000

/* The start of an answer: the server holds the response open after it. */
static const char answer_start[] =
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello there.\"}}]}\n\n";

static ConfabSession *
session_of (ConfabWindow *window)
{
  return confab_window_get_session (window);
}

/* Types @text in the composer and presses Enter (through the composer's key handler). */
static void
type_and_press_enter (ConfabWindow *window,
                      const char   *text)
{
  GtkTextView *view = confab_composer_get_text_view (confab_window_get_composer (window));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  gboolean handled = FALSE;

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        {
          g_signal_emit_by_name (controller, "key-pressed", GDK_KEY_Return, 36, 0, &handled);
          break;
        }
    }

  g_assert_true (handled);
  g_assert_true (confab_session_get_busy (session_of (window)));
}

static gboolean
set_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Until the main loop is idle, then two more frames. */
static void
wait_frames (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  gint64 start = gdk_frame_clock_get_frame_counter (clock);
  gboolean idle = FALSE;

  g_idle_add_full (G_PRIORITY_LOW, set_true, &idle, NULL);
  CONFAB_TEST_WAIT_FOR (idle, WAIT_MS);
  CONFAB_TEST_WAIT_FOR (gdk_frame_clock_get_frame_counter (clock) > start + 1 ||
                        (gtk_widget_queue_draw (window), FALSE), WAIT_MS);
}

/* ---------------------------------------------------------------------------------------- */
/* The sidebar's spinner stops with the turn                                                */

static GtkWidget *
spinner_of_first_row (ConfabWindow *window)
{
  GtkWidget *row = confab_test_find_widget_of_type (GTK_WIDGET (window), CONFAB_TYPE_CONVERSATION_ROW);

  return row != NULL ? panels_test_get (row, "busy") : NULL;
}

static void
check_spinner_stops (ConfabWindow *window,
                     gpointer      data)
{
  ConfabReplayServer *server = data;
  GtkWidget *spinner;

  type_and_press_enter (window, "Hi");
  /* While the answer comes, the chat's row in the sidebar spins. */
  CONFAB_TEST_WAIT_FOR ((spinner = spinner_of_first_row (window)) != NULL &&
                        gtk_widget_get_mapped (spinner), WAIT_MS);
  CONFAB_TEST_WAIT_FOR (confab_replay_server_finish_stalled (server) == 1, WAIT_MS);
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session_of (window)), WAIT_MS);

  /* The turn is over: the row stops spinning (it spun on until the row was rebuilt for
   * some other reason, as the list kept it when its stored summary had not changed). */
  wait_frames (GTK_WIDGET (window));
  CONFAB_TEST_WAIT_FOR ((spinner = spinner_of_first_row (window)) != NULL &&
                        !gtk_widget_get_visible (spinner) &&
                        !gtk_spinner_get_spinning (GTK_SPINNER (spinner)), 3000);
}

static void
test_spinner_stops (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, answer_start, CONFAB_REPLAY_STALL);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_spinner_stops, server);
}

/* ---------------------------------------------------------------------------------------- */
/* Add Server and Add Remote open the new server's row                                      */

static GtkWidget *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (CONFAB_IS_PREFERENCES_WINDOW (window) && gtk_widget_get_mapped (window))
        return window;
    }

  return NULL;
}

static GtkWidget *
server_row (GtkWidget  *prefs,
            const char *name)
{
  GtkWidget *list = panels_test_get (prefs, "mcp_list");

  for (GtkWidget *child = gtk_widget_get_first_child (list); child; child = gtk_widget_get_next_sibling (child))
    if (CONFAB_IS_MCP_SERVER_ROW (child) &&
        g_strcmp0 (confab_mcp_server_row_get_name (CONFAB_MCP_SERVER_ROW (child)), name) == 0)
      return child;

  return NULL;
}

static void
check_add_opens_row (ConfabWindow *window,
                     gpointer      data)
{
  GtkWidget *prefs, *row;

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (g_application_get_default ()), "preferences"));
  g_action_group_activate_action (G_ACTION_GROUP (g_application_get_default ()), "preferences", NULL);
  CONFAB_TEST_WAIT_FOR ((prefs = find_preferences ()) != NULL, WAIT_MS);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "tools");
  wait_frames (prefs);

  /* A remote server's row opens on its URL to fill in. */
  g_assert_true (gtk_widget_activate_action (panels_test_get (prefs, "add-remote-button"),
                                             "prefs.add-remote-mcp-server", NULL));
  row = server_row (prefs, "remote");
  g_assert_nonnull (row);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)));
  wait_frames (prefs);
  g_assert_true (server_row (prefs, "remote") == row);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)));

  /* A local one too. */
  g_assert_true (gtk_widget_activate_action (panels_test_get (prefs, "add-remote-button"),
                                             "prefs.add-mcp-server", NULL));
  row = server_row (prefs, "server");
  g_assert_nonnull (row);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)));

  gtk_window_destroy (GTK_WINDOW (prefs));
}

static void
test_add_opens_row (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_add_opens_row, server);
}

int
main (int   argc,
      char *argv[])
{
  panels_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/walk/sidebar-spinner-stops", test_spinner_stops);
  g_test_add_func ("/walk/add-server-opens-row", test_add_opens_row);

  return g_test_run ();
}
