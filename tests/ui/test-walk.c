/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a walk through the real window (as a new user, screenshot by screenshot) found:
 * each test drives the real application over the replay server. */
#define G_LOG_DOMAIN "test-walk"

#include "config.h"

#include <adwaita.h>

#include "confab-application.h"
#include "confab-composer.h"
#include "confab-conversation-row.h"
#include "confab-chat-view.h"
#include "confab-conversation.h"
#include "confab-mcp-server.h"
#include "confab-mcp-server-row.h"
#include "confab-message.h"
#include "confab-message-editor.h"
#include "confab-message-row.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"
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

/* ---------------------------------------------------------------------------------------- */
/* Answering a tool call on its card leaves the focus somewhere                             */

static const char weather_call[] =
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,"
  "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
  "\"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"}}]}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
  "data: [DONE]\n\n";

static const char sunny[] =
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Sunny\"}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
  "data: [DONE]\n\n";

static gboolean
tools_ready (ConfabWindow *window)
{
  GListModel *servers = confab_tool_registry_get_servers (confab_session_get_tools (session_of (window)));

  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      if (confab_mcp_server_get_state (server) != CONFAB_MCP_SERVER_STATE_READY)
        return FALSE;
    }

  return g_list_model_get_n_items (servers) > 0;
}

static ConfabMessage *
message_at (ConfabWindow *window,
            guint         position)
{
  GListModel *messages = G_LIST_MODEL (confab_session_get_conversation (session_of (window)));
  g_autoptr(ConfabMessage) message = g_list_model_get_item (messages, position);

  return message;   /* the conversation keeps it alive */
}

static ConfabToolCall *
waiting_call (ConfabWindow *window)
{
  GListModel *messages = G_LIST_MODEL (confab_session_get_conversation (session_of (window)));
  g_autoptr(ConfabToolCall) call = NULL;

  if (g_list_model_get_n_items (messages) < 2 ||
      confab_message_get_n_tool_calls (message_at (window, 1)) != 1)
    return NULL;

  call = g_list_model_get_item (confab_message_get_tool_calls (message_at (window, 1)), 0);
  return confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL ? call : NULL;
}

static gboolean answer_by_shortcut;

static void
check_focus_after_answer (ConfabWindow *window,
                          gpointer      data)
{
  GtkWidget *composer = GTK_WIDGET (confab_composer_get_text_view (confab_window_get_composer (window)));
  ConfabMessageRow *row;
  GtkWidget *card, *focus;

  CONFAB_TEST_WAIT_FOR (tools_ready (window), WAIT_MS);
  type_and_press_enter (window, "Weather in Paris?");
  CONFAB_TEST_WAIT_FOR (waiting_call (window) != NULL, WAIT_MS);
  CONFAB_TEST_WAIT_FOR ((row = confab_chat_view_find_row (confab_window_get_chat_view (window),
                                                          message_at (window, 1))) != NULL, WAIT_MS);
  card = gtk_widget_get_first_child (confab_message_row_get_tool_calls_box (row));

  /* The focus goes to the card's Allow Once; Allow for This Chat is a Tab away. */
  CONFAB_TEST_WAIT_FOR ((focus = gtk_window_get_focus (GTK_WINDOW (window))) != NULL &&
                        gtk_widget_is_ancestor (focus, card), WAIT_MS);
  if (answer_by_shortcut)
    {
      /* Alt+O, the window's shortcut, with the focus on the card. */
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.tool-allow-once", NULL));
    }
  else
    {
      gtk_widget_grab_focus (panels_test_get (card, "allow_chat_button"));
      g_assert_true (gtk_widget_activate_action (panels_test_get (card, "allow_chat_button"), "card.allow-chat", NULL));
    }
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session_of (window)), WAIT_MS);
  g_assert_cmpstr (confab_message_get_content (message_at (window, 3)), ==, "Sunny");

  /* The buttons went with the question; the focus did not go with them, it is back where
   * the next message is typed. */
  wait_frames (GTK_WIDGET (window));
  g_assert_false (gtk_widget_get_visible (panels_test_get (card, "approval_box")));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) == composer);
}

static void
test_focus_after_answer (gconstpointer data)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *mcp = NULL;
  const char *args[] = { "--base-url", NULL, "--model", "test-model", "--mcp", NULL, NULL };

  if (g_getenv ("CONFAB_TEST_MCP_SERVER") == NULL)
    {
      g_test_skip ("CONFAB_TEST_MCP_SERVER is not set");
      return;
    }

  confab_replay_server_add_response (server, 200, NULL, weather_call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, sunny, CONFAB_REPLAY_NONE);
  mcp = g_strdup_printf ("%s --tools weather", g_getenv ("CONFAB_TEST_MCP_SERVER"));
  args[1] = confab_replay_server_get_base_url (server);
  args[5] = mcp;
  answer_by_shortcut = GPOINTER_TO_INT (data);
  confab_test_run_app (args, check_focus_after_answer, server);
}

/* ---------------------------------------------------------------------------------------- */
/* 360 px wide: the text has room                                                           */

static void
check_narrow_composer (ConfabWindow *window,
                       gpointer      data)
{
  ConfabComposer *composer = confab_window_get_composer (window);
  GtkWidget *text = GTK_WIDGET (confab_composer_get_text_view (composer));
  GtkWidget *prompt = panels_test_get (GTK_WIDGET (composer), "system_prompt_button");
  graphene_rect_t text_bounds, prompt_bounds;

  /* Wide: the buttons beside the text. */
  wait_frames (GTK_WIDGET (window));
  g_assert_true (gtk_widget_compute_bounds (text, GTK_WIDGET (window), &text_bounds));
  g_assert_true (gtk_widget_compute_bounds (prompt, GTK_WIDGET (window), &prompt_bounds));
  g_assert_cmpfloat (prompt_bounds.origin.x + prompt_bounds.size.width, <=, text_bounds.origin.x);

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (window)) == 360, WAIT_MS);
  wait_frames (GTK_WIDGET (window));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text)),
                            "Could you also tell me how to write a file back atomically?", -1);
  wait_frames (GTK_WIDGET (window));

  /* The text takes most of the width (beside four buttons it had some 70 px, a word a
   * line); the buttons are above it, still in the window. */
  g_assert_cmpint (gtk_widget_get_width (text), >=, 240);
  g_assert_true (gtk_widget_compute_bounds (prompt, GTK_WIDGET (window), &prompt_bounds));
  g_assert_true (gtk_widget_compute_bounds (text, GTK_WIDGET (window), &text_bounds));
  g_assert_cmpfloat (prompt_bounds.origin.y + prompt_bounds.size.height, <=, text_bounds.origin.y);
  g_assert_cmpfloat (prompt_bounds.origin.x + prompt_bounds.size.width, <=, 360);
  g_assert_true (gtk_widget_get_mapped (prompt));

  /* Wide again: beside it again. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (window)) > 900, WAIT_MS);
  wait_frames (GTK_WIDGET (window));
  g_assert_true (gtk_widget_compute_bounds (text, GTK_WIDGET (window), &text_bounds));
  g_assert_true (gtk_widget_compute_bounds (prompt, GTK_WIDGET (window), &prompt_bounds));
  g_assert_cmpfloat (prompt_bounds.origin.x + prompt_bounds.size.width, <=, text_bounds.origin.x);
}

static void
test_narrow_composer (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_narrow_composer, server);

  /* Closing remembered the size: the next tests get the usual window. */
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

/* ---------------------------------------------------------------------------------------- */
/* Preferences, Tools, 360 px wide: the group's description is not a column of words        */

static GtkWidget *
find_label_starting (GtkWidget  *root,
                     const char *prefix)
{
  if (GTK_IS_LABEL (root) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), prefix))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_starting (child, prefix);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
check_narrow_tools_page (ConfabWindow *window,
                         gpointer      data)
{
  GtkWidget *prefs, *description, *add_remote;
  graphene_rect_t bounds;

  g_action_group_activate_action (G_ACTION_GROUP (g_application_get_default ()), "preferences", NULL);
  CONFAB_TEST_WAIT_FOR ((prefs = find_preferences ()) != NULL, WAIT_MS);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "tools");
  gtk_window_set_default_size (GTK_WINDOW (prefs), 360, 640);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_width (prefs) <= 370, WAIT_MS);
  wait_frames (prefs);

  /* The description has the page's width (beside the two buttons it had some 70 px, the
   * title "MCP S…"), and the buttons are on the page. */
  description = find_label_starting (prefs, "Tools the model may call");
  g_assert_nonnull (description);
  g_assert_cmpint (gtk_widget_get_width (description), >=, 250);
  add_remote = panels_test_get (prefs, "add-remote-button");
  g_assert_true (gtk_widget_get_mapped (add_remote));
  g_assert_true (gtk_widget_compute_bounds (add_remote, prefs, &bounds));
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (prefs));

  gtk_window_destroy (GTK_WINDOW (prefs));
}

static void
test_narrow_tools_page (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_narrow_tools_page, server);
}

/* ---------------------------------------------------------------------------------------- */
/* 360 px wide: Back leads somewhere                                                        */

static void
check_back_on_welcome (ConfabWindow *window,
                       gpointer      data)
{
  GtkWidget *back = panels_test_get (GTK_WIDGET (window), "back_button");

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (window)) == 360, WAIT_MS);
  wait_frames (GTK_WIDGET (window));
  g_assert_true (adw_leaflet_get_folded (ADW_LEAFLET (panels_test_get (GTK_WIDGET (window), "leaflet"))));

  /* The welcome has no conversations to go back to: no Back that does nothing. */
  g_assert_cmpstr (confab_window_get_visible_page (window), ==, "welcome");
  g_assert_false (gtk_widget_get_visible (back));
}

static void
check_back_to_hidden_list (ConfabWindow *window,
                           gpointer      data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (panels_test_get (GTK_WIDGET (window), "leaflet"));
  GtkWidget *pane = panels_test_get (GTK_WIDGET (window), "conversations_pane");
  GtkWidget *back = panels_test_get (GTK_WIDGET (window), "back_button");

  /* The list hidden with its button while the window was wide… */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (panels_test_get (GTK_WIDGET (window), "conversations_button")), FALSE);
  g_assert_false (gtk_widget_get_visible (pane));

  /* …then narrow: Back shows it. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (window)) == 360, WAIT_MS);
  wait_frames (GTK_WIDGET (window));
  g_assert_true (adw_leaflet_get_folded (leaflet));
  g_assert_true (gtk_widget_get_visible (back));
  g_signal_emit_by_name (back, "clicked");
  CONFAB_TEST_WAIT_FOR (adw_leaflet_get_visible_child (leaflet) == pane && gtk_widget_get_mapped (pane), WAIT_MS);
}

static void
test_back_button (gconstpointer data)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  args[1] = confab_replay_server_get_base_url (server);
  if (data == NULL)
    confab_test_run_app (NULL, check_back_on_welcome, server);
  else
    confab_test_run_app (args, check_back_to_hidden_list, server);

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

/* ---------------------------------------------------------------------------------------- */
/* Edit on a message of a scrolled conversation: its text field is in view, focused         */

#define N_EDIT_MESSAGES 24
#define EDITED          4

static ConfabConversation *
long_conversation (void)
{
  ConfabConversation *conversation = confab_conversation_new ();

  for (guint i = 0; i < N_EDIT_MESSAGES; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message %u.\nIt has a few lines,\nso that the editor\n"
                                               "is taller than one line.\nThe end.", i);
      g_autoptr(ConfabMessage) message =
        confab_message_new (i % 2 == 0 ? CONFAB_ROLE_USER : CONFAB_ROLE_ASSISTANT, text);

      confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
      confab_conversation_append (conversation, message);
    }

  return conversation;
}

/* @widget's bounds in @scroller's coordinates. */
static graphene_rect_t
bounds_in (GtkWidget *widget,
           GtkWidget *scroller)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, scroller, &bounds));
  return bounds;
}

static gboolean
inside_viewport (GtkWidget *widget,
                 GtkWidget *scroller)
{
  graphene_rect_t bounds;

  if (!gtk_widget_get_mapped (widget) || !gtk_widget_compute_bounds (widget, scroller, &bounds))
    return FALSE;
  return bounds.size.height > 0 && bounds.origin.y >= 0 &&
         bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scroller);
}

static void
check_edit_scrolled (ConfabWindow *window,
                     gpointer      data)
{
  g_autoptr(ConfabConversation) conversation = long_conversation ();
  ConfabChatView *view = confab_window_get_chat_view (window);
  GtkListView *list_view = confab_chat_view_get_list_view (view);
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (list_view), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list_view));
  ConfabMessage *message = NULL;
  ConfabMessageRow *row = NULL;
  GtkWidget *editor, *text_view;
  graphene_rect_t bounds;

  confab_session_set_conversation (session_of (window), conversation);
  message = g_list_model_get_item (G_LIST_MODEL (conversation), EDITED);
  g_object_unref (message);   /* the conversation keeps it */
  wait_frames (GTK_WIDGET (window));
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment), >, 2 * gtk_adjustment_get_page_size (vadjustment));

  /* Scrolled up until the early message shows only its last lines and its buttons at the
   * top of the view, as when its pencil is within reach. */
  gtk_adjustment_set_value (vadjustment, 0);
  CONFAB_TEST_WAIT_FOR ((row = confab_chat_view_find_row (view, message)) != NULL &&
                        gtk_widget_get_mapped (GTK_WIDGET (row)), WAIT_MS);
  wait_frames (GTK_WIDGET (window));
  bounds = bounds_in (GTK_WIDGET (row), scroller);
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_value (vadjustment) +
                                         bounds.origin.y + bounds.size.height - 60);
  wait_frames (GTK_WIDGET (window));
  row = confab_chat_view_find_row (view, message);
  g_assert_nonnull (row);
  bounds = bounds_in (GTK_WIDGET (row), scroller);
  g_assert_cmpfloat (bounds.origin.y, <, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.edit", NULL));
  editor = confab_test_find_widget_of_type (GTK_WIDGET (row), CONFAB_TYPE_MESSAGE_EDITOR);
  g_assert_nonnull (editor);
  text_view = confab_test_find_widget_of_type (editor, GTK_TYPE_TEXT_VIEW);
  g_assert_nonnull (text_view);
  wait_frames (GTK_WIDGET (window));

  /* The text field is on screen (not just the note and Cancel/Send below it), and typing
   * goes into it. */
  CONFAB_TEST_WAIT_FOR (inside_viewport (text_view, scroller), 3000);
  wait_frames (GTK_WIDGET (window));
  g_assert_true (inside_viewport (text_view, scroller));
  /* The window's focus widget: whether the window itself is the active one on the display
   * depends on the other test windows sharing it. */
  CONFAB_TEST_WAIT_FOR (gtk_root_get_focus (GTK_ROOT (window)) == text_view, WAIT_MS);
}

static void
test_edit_scrolled (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_edit_scrolled, server);
}

/* ---------------------------------------------------------------------------------------- */
/* First run: a clean window, no usage sidebar beside empty pages                           */

static void
check_first_run_clean (ConfabWindow *window,
                       gpointer      data)
{
  GtkWidget *flap = panels_test_get (GTK_WIDGET (window), "usage_flap");
  GtkWidget *usage = panels_test_get (GTK_WIDGET (window), "usage_bin");
  GtkWidget *button = panels_test_get (GTK_WIDGET (window), "usage_button");

  wait_frames (GTK_WIDGET (window));
  g_assert_cmpstr (confab_window_get_visible_page (window), ==, "chat");
  g_assert_false (adw_flap_get_reveal_flap (ADW_FLAP (flap)));
  g_assert_false (gtk_widget_get_mapped (usage));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));

  /* It is one click (or F9) away. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (usage), WAIT_MS);
}

static void
test_first_run_clean (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  /* The settings as on a first launch. */
  g_settings_reset (settings, "show-usage-sidebar");
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_first_run_clean, server);
  g_settings_reset (settings, "show-usage-sidebar");
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
  g_test_add_data_func ("/walk/focus-after-answer/card-button", GINT_TO_POINTER (FALSE), test_focus_after_answer);
  g_test_add_func ("/walk/narrow-composer", test_narrow_composer);
  g_test_add_func ("/walk/narrow-tools-page", test_narrow_tools_page);
  g_test_add_data_func ("/walk/narrow-back/welcome", NULL, test_back_button);
  g_test_add_data_func ("/walk/narrow-back/hidden-list", "", test_back_button);
  g_test_add_data_func ("/walk/focus-after-answer/shortcut", GINT_TO_POINTER (TRUE), test_focus_after_answer);
  g_test_add_func ("/walk/edit-scrolled-shows-editor", test_edit_scrolled);
  g_test_add_func ("/walk/first-run-no-usage-sidebar", test_first_run_clean);

  return g_test_run ();
}
