/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-chat"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "confab-application.h"
#include "confab-code-block.h"
#include "confab-conversation-list.h"
#include "confab-conversation.h"
#include "confab-inspector-dialog.h"
#include "confab-markdown-view-private.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-replay-server.h"
#include "confab-test-app.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-window.h"
#include "panels-test-util.h"

#define WAIT_MS 15000

#define SIMPLE_CASSETTE "simple_streaming_openrouter-groq-kimi-k2.json"
#define TOOL_CASSETTE "tool_streaming_groq-kimi-k2.json"
#define KIMI "moonshotai/kimi-k2-instruct-0905"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static char *
sse_delta (const char *member,
           const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "choices");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "delta");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  return g_strdup_printf ("data: %s\n\n", json);
}

/* Presses Enter with @mods in the composer (through its key handler); TRUE if handled. */
static gboolean
press_enter (ConfabWindow    *window,
             GdkModifierType  mods)
{
  GtkTextView *view = confab_composer_get_text_view (confab_window_get_composer (window));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        {
          g_signal_emit_by_name (controller, "key-pressed", GDK_KEY_Return, 36, mods, &handled);
          break;
        }
    }

  return handled;
}

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

/* Activates what the window's Escape shortcut is bound to, as pressing Escape would. */
static gboolean
press_escape (ConfabWindow *window)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GtkShortcutTrigger *escape = gtk_keyval_trigger_new (GDK_KEY_Escape, 0);
  gboolean found = FALSE, handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !found; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)) && !found; j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (!gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), escape))
            continue;

          found = TRUE;
          handled = gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0,
                                                  GTK_WIDGET (window),
                                                  gtk_shortcut_get_arguments (shortcut));
        }
    }

  g_object_unref (escape);
  g_assert_true (found);

  return handled;
}

static GtkWidget *
find_label_with_prefix (GtkWidget  *root,
                        const char *prefix)
{
  if (GTK_IS_LABEL (root) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), prefix))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with_prefix (child, prefix);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The highlighting tag (confab-code-block) at the start of @needle in @view's text. */
static GtkTextTag *
syntax_tag_at (ConfabMarkdownView *view,
               const char         *needle)
{
  for (guint i = 0; i < confab_markdown_view_get_n_segments (view); i++)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (confab_markdown_view_get_segment (view, i));
      GtkTextIter start, match_start, match_end;

      gtk_text_buffer_get_start_iter (buffer, &start);
      if (gtk_text_iter_forward_search (&start, needle, 0, &match_start, &match_end, NULL))
        {
          g_autoptr(GSList) tags = gtk_text_iter_get_tags (&match_start);

          for (GSList *l = tags; l != NULL; l = l->next)
            {
              g_autofree char *name = NULL;

              g_object_get (l->data, "name", &name, NULL);
              if (name != NULL && g_str_has_prefix (name, "confab-syntax:"))
                return l->data;
            }
          return NULL;
        }
    }

  return NULL;
}

/* Where the last line of @view's text ends, in @target's coordinates. */
static double
text_bottom_in (ConfabMarkdownView *view,
                GtkWidget          *target)
{
  GtkTextView *last = confab_markdown_view_get_segment (view, confab_markdown_view_get_n_segments (view) - 1);
  graphene_point_t point;
  GtkTextIter end;
  int y, height, wx, wy;

  gtk_text_buffer_get_end_iter (gtk_text_view_get_buffer (last), &end);
  gtk_text_view_get_line_yrange (last, &end, &y, &height);
  gtk_text_view_buffer_to_window_coords (last, GTK_TEXT_WINDOW_WIDGET, 0, y + height, &wx, &wy);
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (last), target, &GRAPHENE_POINT_INIT (wx, wy), &point));

  return point.y;
}

/* Whether @view is exactly as tall as its lines of text (no empty space under them). */
static gboolean
markdown_fits_text (ConfabMarkdownView *view)
{
  double bottom = text_bottom_in (view, GTK_WIDGET (view));
  int height = gtk_widget_get_height (GTK_WIDGET (view));

  return height > 0 && ABS (height - bottom) <= 2;
}

/* The row is as tall as its content: the action buttons sit right under the last line. */
static void
assert_actions_under_text (ConfabMessageRow *row)
{
  GtkWidget *actions = confab_test_find_widget_with_class (GTK_WIDGET (row), "message-actions");
  graphene_point_t top;
  double bottom;

  g_assert_nonnull (actions);
  g_assert_true (gtk_widget_get_mapped (actions));
  g_assert_true (markdown_fits_text (confab_message_row_get_content_view (row)));

  bottom = text_bottom_in (confab_message_row_get_content_view (row), GTK_WIDGET (row));
  g_assert_true (gtk_widget_compute_point (actions, GTK_WIDGET (row), &GRAPHENE_POINT_INIT (0, 0), &top));
  g_test_message ("text ends at %.0f, actions start at %.0f", bottom, top.y);
  g_assert_cmpfloat (top.y, >=, bottom);
  g_assert_cmpfloat (top.y - bottom, <=, 12);
}

/* ---------------------------------------------------------------------------------------- */
/* Application                                                                              */

static void
test_resources (void)
{
  static const char * const paths[] = {
    "/confab-window.ui", "/confab-chat-view.ui",
    "/confab-composer.ui", "/confab-inspector-dialog.ui", "/style.css",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *path = g_strconcat (RESOURCE_PREFIX, paths[i], NULL);
      g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, NULL);

      g_assert_nonnull (bytes);
      g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
    }
}

static void
check_welcome (ConfabWindow *window,
               gpointer      data)
{
  /* Nothing configured and no --base-url: the friendly first-run page. */
  g_assert_cmpstr (confab_window_get_visible_page (window), ==, "welcome");
  g_assert_null (confab_session_get_provider (confab_window_get_session (window)));
  g_assert_nonnull (confab_session_get_blocked_reason (confab_window_get_session (window)));
  g_assert_false (confab_session_send (confab_window_get_session (window), "hello", NULL));
}

static void
test_starts_and_quits_welcome (void)
{
  confab_test_run_app (NULL, check_welcome, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Chat over the replay server                                                              */

static void
check_simple (ConfabWindow *window,
              gpointer      data)
{
  ConfabReplayServer *server = data;
  ConfabMessageRow *row;
  g_autofree char *text = NULL;
  g_autofree char *user_text = NULL;
  g_autofree char *left = NULL;
  GtkWidget *sidebar;

  g_assert_cmpstr (confab_window_get_visible_page (window), ==, "chat");
  g_assert_null (confab_session_get_blocked_reason (confab_window_get_session (window)));
  /* The composer has the focus from the start. */
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) ==
                 GTK_WIDGET (confab_composer_get_text_view (confab_window_get_composer (window))));

  confab_test_type_and_press_enter (window, "Say hi in Portuguese");
  confab_test_wait_idle (window);

  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
  g_assert_cmpuint (confab_replay_server_get_n_served (server), ==, 1);

  row = confab_test_wait_for_row (window, confab_test_message_at (window, 1));
  text = confab_test_row_text (row);
  g_assert_cmpstr (text, ==, "Olá!");
  g_assert_null (confab_message_row_get_error_text (row));

  row = confab_test_wait_for_row (window, confab_test_message_at (window, 0));
  user_text = confab_test_row_text (row);
  g_assert_cmpstr (user_text, ==, "Say hi in Portuguese");

  /* The composer is empty again and keeps the focus. */
  left = confab_composer_dup_text (confab_window_get_composer (window));
  g_assert_cmpstr (left, ==, "");
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) ==
                 GTK_WIDGET (confab_composer_get_text_view (confab_window_get_composer (window))));

  /* The usage sidebar shows what the provider reported. */
  sidebar = confab_window_get_usage_sidebar (window);
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (panels_test_label (panels_test_get (sidebar, "turn-total"), "total"), "24") == 0, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (panels_test_label (panels_test_get (sidebar, "request-1"), "prompt"), ==, "20");
}

static void
test_simple_cassette (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--base-url", NULL, "--model", "moonshotai/kimi-k2-0905", NULL };

  g_assert_true (confab_replay_server_load_cassette (server, SIMPLE_CASSETTE, &error));
  g_assert_no_error (error);
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_simple, server);
}

static void
check_thinking (ConfabWindow *window,
                gpointer      data)
{
  ConfabMessageRow *row;
  ConfabMarkdownView *thinking;
  GtkWidget *expander;
  g_autofree char *text = NULL;
  g_autofree char *thought = NULL;

  confab_test_type_and_press_enter (window, "Think first");
  confab_test_wait_idle (window);

  row = confab_test_wait_for_row (window, confab_test_message_at (window, 1));
  text = confab_test_row_text (row);
  g_assert_cmpstr (text, ==, "The answer is 42.");

  /* The reasoning sits in a collapsed "Thinking" expander above the answer. */
  thinking = confab_message_row_get_thinking_view (row);
  thought = confab_markdown_view_dup_display_text (thinking);
  g_assert_cmpstr (thought, ==, "Let me think. Six times seven.");
  expander = panels_test_find (GTK_WIDGET (row), "thinking_expander");
  g_assert_nonnull (expander);
  g_assert_true (gtk_widget_get_visible (expander));
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (expander)));

  /* Opened, it shows its lines. */
  gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (thinking)) &&
                        gtk_widget_get_height (GTK_WIDGET (thinking)) >= 16, WAIT_MS);
}

static void
test_thinking (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *r1 = sse_delta ("reasoning_content", "Let me think. ");
  g_autofree char *r2 = sse_delta ("reasoning_content", "Six times seven.");
  const char *pieces[] = { "The answer ", "is 42.", NULL };
  g_autofree char *answer = confab_test_sse_answer (pieces, FALSE);
  g_autofree char *body = g_strconcat (r1, r2, answer, NULL);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, body, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_thinking, server);
}

static void
check_models (ConfabWindow *window,
              gpointer      data)
{
  GtkWidget *button = panels_test_find (GTK_WIDGET (window), "model_button");
  GtkWidget *list = panels_test_find (GTK_WIDGET (window), "models_list");
  GtkWidget *entry = panels_test_find (GTK_WIDGET (window), "model_entry");
  GtkWidget *row;

  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (button)), ==, "test-model");

  /* Opening the selector asks GET /models. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  g_assert_nonnull (list);
  CONFAB_TEST_WAIT_FOR (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 1) != NULL, WAIT_MS);
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 1));
  g_signal_emit_by_name (list, "row-activated", row);
  g_assert_cmpstr (confab_session_get_model (confab_window_get_session (window)), ==, "model-b");
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (button)), ==, "model-b");

  /* Free text works too. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "  typed/model  ");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (confab_session_get_model (confab_window_get_session (window)), ==, "typed/model");
}

static void
test_models (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_set_models_body (server,
                                        "{\"object\":\"list\",\"data\":[{\"id\":\"model-b\"},{\"id\":\"model-a\"}]}");
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_models, server);
}

static void
check_markdown_answer (ConfabWindow *window,
                       gpointer      data)
{
  ConfabMessageRow *row;
  ConfabMarkdownView *content;
  g_autofree char *text = NULL;

  confab_test_type_and_press_enter (window, "How do I read a file line by line in Python?");
  confab_test_wait_idle (window);

  row = confab_test_wait_for_row (window, confab_test_message_at (window, 1));
  content = confab_message_row_get_content_view (row);
  text = confab_test_row_text (row);
  g_assert_nonnull (strstr (text, "with open(path) as f:"));
  g_assert_cmpuint (confab_markdown_view_get_n_code_blocks (content), ==, 1);

  {
    GtkWidget *list = confab_test_find_widget_of_type (GTK_WIDGET (window), CONFAB_TYPE_CONVERSATION_LIST);

    CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (confab_conversation_list_get_model (CONFAB_CONVERSATION_LIST (list))) == 1,
                          WAIT_MS);
  }
  confab_chat_view_scroll_to_bottom (confab_window_get_chat_view (window));
  confab_test_wait_frames (GTK_WIDGET (window));

  /* No empty space between the answer and its actions (GtkTextView counts a code block's
   * height twice unless the Markdown view corrects it). */
  assert_actions_under_text (row);

  /* The code is highlighted as Python, as users see it: its keywords have the colour the
   * style scheme gives Python's keywords, under a header naming the language. */
  {
    GtkSourceStyleScheme *scheme =
      gtk_source_style_scheme_manager_get_scheme (gtk_source_style_scheme_manager_get_default (),
                                                  adw_style_manager_get_dark (adw_style_manager_get_default ())
                                                    ? "Adwaita-dark" : "Adwaita");
    /* python3:keyword → def:keyword → def:statement (def.lang), the one Adwaita styles. */
    GtkSourceStyle *style = gtk_source_style_scheme_get_style (scheme, "def:statement");
    GtkTextTag *tag = syntax_tag_at (content, "for line in f:");
    GtkWidget *header = confab_test_find_widget_of_type (GTK_WIDGET (content), CONFAB_TYPE_CODE_BLOCK);
    g_autofree char *scheme_colour = NULL;
    g_autoptr(GdkRGBA) tag_colour = NULL;
    GdkRGBA expected;
    gboolean foreground_set;

    g_assert_nonnull (style);
    g_object_get (style, "foreground", &scheme_colour, NULL);
    g_assert_true (gdk_rgba_parse (&expected, scheme_colour));
    g_assert_nonnull (tag);
    g_object_get (tag, "foreground-set", &foreground_set, "foreground-rgba", &tag_colour, NULL);
    g_assert_true (foreground_set);
    g_assert_true (gdk_rgba_equal (tag_colour, &expected));
    g_assert_null (syntax_tag_at (content, "(path)"));
    g_assert_nonnull (header);
    g_assert_true (confab_code_block_get_highlighted (header));
    g_assert_nonnull (find_label_with_prefix (header, "Python"));
  }

  /* The answer, with the usage pane closed (as the user can with F9). */
  {
    GtkWidget *usage_button = panels_test_find (GTK_WIDGET (window), "usage_button");
    GtkWidget *sidebar = confab_window_get_usage_sidebar (window);

    g_assert_true (gtk_widget_get_mapped (sidebar));
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (usage_button), FALSE);
    CONFAB_TEST_WAIT_FOR (!gtk_widget_get_mapped (sidebar), WAIT_MS);
    confab_chat_view_scroll_to_bottom (confab_window_get_chat_view (window));
    confab_test_wait_frames (GTK_WIDGET (window));
    assert_actions_under_text (row);
  }

  confab_test_save_screenshot (GTK_WIDGET (window), "confab-markdown.png");
}

static void
test_markdown_answer (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const char *pieces[] = {
    "Use a **`with`** block and iterate over the file object; it reads one line at a time, ",
    "so even large files stay cheap:\n\n",
    "```python\nwith open(path) as f:\n    for line in f:\n        print(line.rstrip())\n```\n\n",
    "A few things to know:\n\n",
    "- `line` keeps its trailing newline; `rstrip()` removes it\n",
    "- pass `encoding=\"utf-8\"` when the file is not in the locale's encoding\n",
    "- for huge files this never loads everything in memory\n\n",
    "> See the [Python tutorial](https://docs.python.org/3/tutorial/inputoutput.html) for more.",
    NULL
  };
  g_autofree char *body = confab_test_sse_answer (pieces, FALSE);
  const char *args[] = { "--base-url", NULL, "--model", "llama-3.3-70b", NULL };

  confab_replay_server_add_response (server, 200, NULL, body, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);

  /* Open, to be closed by the test (it is hidden on a first launch). */
  g_settings_set_boolean (settings, "show-usage-sidebar", TRUE);
  confab_test_run_app (args, check_markdown_answer, server);

  g_settings_reset (settings, "show-usage-sidebar");
}

static void
check_send_on_enter_off (ConfabWindow *window,
                         gpointer      data)
{
  ConfabComposer *composer = confab_window_get_composer (window);

  confab_composer_set_text (composer, "line one");

  /* Enter (and Shift+Enter) add a line: the key goes on to the text view. */
  g_assert_false (press_enter (window, 0));
  g_assert_false (press_enter (window, GDK_SHIFT_MASK));
  g_assert_false (confab_session_get_busy (confab_window_get_session (window)));
  g_assert_cmpuint (confab_test_n_messages (window), ==, 0);

  /* Ctrl+Enter sends. */
  g_assert_true (press_enter (window, GDK_CONTROL_MASK));
  g_assert_true (confab_session_get_busy (confab_window_get_session (window)));
  confab_test_wait_idle (window);
  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
  g_assert_cmpstr (confab_message_get_content (confab_test_message_at (window, 0)), ==, "line one");
}

static void
test_send_on_enter_off (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const char *pieces[] = { "ok", NULL };
  g_autofree char *body = confab_test_sse_answer (pieces, FALSE);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, body, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  g_settings_set_boolean (settings, "send-on-enter", FALSE);

  confab_test_run_app (args, check_send_on_enter_off, server);

  g_settings_reset (settings, "send-on-enter");
}

static void
check_tools (ConfabWindow *window,
             gpointer      data)
{
  ConfabReplayServer *server = data;
  g_autoptr(ConfabToolCall) call = NULL;
  ConfabMessage *first, *last;
  ConfabMessageRow *row;
  g_autofree char *text = NULL;
  GtkWidget *cards, *sidebar;

  confab_test_type_and_press_enter (window, "What's the weather in Florence,Italy?");
  confab_test_wait_idle (window);

  g_assert_cmpuint (confab_replay_server_get_n_served (server), ==, 2);
  /* user, assistant with the call, tool result, final answer */
  g_assert_cmpuint (confab_test_n_messages (window), ==, 4);

  first = confab_test_message_at (window, 1);
  last = confab_test_message_at (window, 3);
  g_assert_cmpint (confab_message_get_state (last), ==, CONFAB_MESSAGE_STATE_COMPLETE);

  row = confab_test_wait_for_row (window, last);
  text = confab_test_row_text (row);
  g_assert_cmpstr (text, ==, confab_message_get_content (last));
  g_assert_nonnull (strstr (text, "40"));

  /* One card, in the turn that made the call, finished. */
  row = confab_test_wait_for_row (window, first);
  cards = confab_message_row_get_tool_calls_box (row);
  g_assert_true (gtk_widget_get_visible (cards));
  g_assert_cmpuint (count_children (cards), ==, 1);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (gtk_widget_get_first_child (cards)), ==, "ConfabToolCallCard");
  call = g_list_model_get_item (confab_message_get_tool_calls (first), 0);
  g_assert_cmpstr (confab_tool_call_get_name (call), ==, "weather");
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_cmpstr (confab_tool_call_get_result (call), ==, "40 C");

  /* Two requests in the turn, each with its own usage, never summed twice. */
  sidebar = confab_window_get_usage_sidebar (window);
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (panels_test_label (panels_test_get (sidebar, "turn-total"), "total"), "304") == 0, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (panels_test_label (panels_test_get (sidebar, "request-1"), "prompt"), ==, "99");
  g_assert_cmpstr (panels_test_label (panels_test_get (sidebar, "request-2"), "total"), ==, "173");

  {
    GtkWidget *list = confab_test_find_widget_of_type (GTK_WIDGET (window), CONFAB_TYPE_CONVERSATION_LIST);

    CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (confab_conversation_list_get_model (CONFAB_CONVERSATION_LIST (list))) == 1,
                          WAIT_MS);
  }
  /* Let a frame draw, then keep a picture of it for the screenshots. */
  confab_chat_view_scroll_to_bottom (confab_window_get_chat_view (window));
  confab_test_wait_frames (GTK_WIDGET (window));
  /* The final answer has its lines on screen, not just in the buffer. */
  {
    GtkWidget *content = GTK_WIDGET (confab_message_row_get_content_view (confab_test_wait_for_row (window, last)));

    g_assert_true (gtk_widget_get_mapped (content));
    g_assert_cmpint (gtk_widget_get_height (content), >=, 16);
  }
  confab_test_save_screenshot (GTK_WIDGET (window), "confab-tool-call.png");
}

static void
test_tool_cassette (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *mcp = NULL;
  const char *args[] = { "--base-url", NULL, "--model", KIMI, "--mcp", NULL, "--yes", NULL };
  const char *mcp_server = g_getenv ("CONFAB_TEST_MCP_SERVER");

  if (mcp_server == NULL)
    {
      g_test_skip ("CONFAB_TEST_MCP_SERVER is not set");
      return;
    }

  g_assert_true (confab_replay_server_load_cassette (server, TOOL_CASSETTE, &error));
  g_assert_no_error (error);
  args[1] = confab_replay_server_get_base_url (server);
  mcp = g_strdup_printf ("%s --tools weather", mcp_server);
  args[5] = mcp;

  confab_test_run_app (args, check_tools, server);
}

static void
check_stop (ConfabWindow *window,
            gpointer      data)
{
  ConfabMessage *answer;
  ConfabMessageRow *row;
  g_autofree char *text = NULL;

  confab_test_type_and_press_enter (window, "Tell me a long story");
  CONFAB_TEST_WAIT_FOR (confab_test_n_messages (window) == 2, WAIT_MS);
  answer = confab_test_message_at (window, 1);
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (confab_message_get_content (answer), "Once upon a time") == 0, WAIT_MS);

  /* Escape: the window's chat.stop, enabled only while streaming. */
  g_assert_true (press_escape (window));
  confab_test_wait_idle (window);

  g_assert_cmpint (confab_message_get_state (answer), ==, CONFAB_MESSAGE_STATE_CANCELLED);
  row = confab_test_wait_for_row (window, answer);
  text = confab_test_row_text (row);
  g_assert_cmpstr (text, ==, "Once upon a time");
  g_assert_null (confab_message_row_get_error_text (row));

  /* Nothing streams now: Escape does nothing (and is not swallowed). */
  g_assert_false (press_escape (window));
}

static void
test_escape_stops (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *pieces[] = { "Once ", "upon ", "a time", NULL };
  g_autofree char *body = confab_test_sse_answer (pieces, TRUE);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, body, CONFAB_REPLAY_STALL);
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_stop, server);
}

static void
check_markup (ConfabWindow *window,
              gpointer      data)
{
  ConfabMessageRow *row;
  g_autofree char *text = NULL;

  confab_test_type_and_press_enter (window, "Say <b>hi</b>");
  confab_test_wait_idle (window);

  row = confab_test_wait_for_row (window, confab_test_message_at (window, 1));
  text = confab_test_row_text (row);
  /* Model text is text: tags show as typed, entities as typed. */
  g_assert_cmpstr (text, ==, "<b>not bold</b> & <span foreground=\"red\">x</span> &amp;");

  row = confab_test_wait_for_row (window, confab_test_message_at (window, 0));
  g_clear_pointer (&text, g_free);
  text = confab_test_row_text (row);
  g_assert_cmpstr (text, ==, "Say <b>hi</b>");
}

static void
test_markup_injection (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *pieces[] = { "<b>not ", "bold</b> & <span foreground=\"red\">", "x</span> &amp;amp;", NULL };
  g_autofree char *body = confab_test_sse_answer (pieces, FALSE);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, body, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_markup, server);
}

static void
check_retry (ConfabWindow *window,
             gpointer      data)
{
  ConfabReplayServer *server = data;
  ConfabMessage *answer;
  ConfabMessageRow *row;
  g_autofree char *text = NULL;
  const char *error_text;
  ConfabReplayRequest *first, *second;

  confab_test_type_and_press_enter (window, "Hello?");
  confab_test_wait_idle (window);

  answer = confab_test_message_at (window, 1);
  g_assert_nonnull (confab_message_get_error (answer));
  row = confab_test_wait_for_row (window, answer);

  /* The partial text stays, the error sits below it, in line. */
  text = confab_test_row_text (row);
  g_assert_cmpstr (text, ==, "Half an");
  error_text = confab_message_row_get_error_text (row);
  g_assert_nonnull (error_text);
  g_assert_cmpstr (error_text, ==, confab_message_get_error (answer)->message);

  /* Retry sends the same request again and replaces the failed answer. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.retry", NULL));
  g_assert_true (confab_session_get_busy (confab_window_get_session (window)));
  confab_test_wait_idle (window);

  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
  answer = confab_test_message_at (window, 1);
  g_assert_cmpint (confab_message_get_state (answer), ==, CONFAB_MESSAGE_STATE_COMPLETE);
  row = confab_test_wait_for_row (window, answer);
  g_clear_pointer (&text, g_free);
  text = confab_test_row_text (row);
  g_assert_cmpstr (text, ==, "Half an answer, then all of it.");
  g_assert_null (confab_message_row_get_error_text (row));

  g_assert_cmpuint (confab_replay_server_get_requests (server)->len, ==, 2);
  first = g_ptr_array_index (confab_replay_server_get_requests (server), 0);
  second = g_ptr_array_index (confab_replay_server_get_requests (server), 1);
  g_assert_cmpstr (first->body, ==, second->body);
}

static void
test_error_and_retry (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *partial[] = { "Half ", "an", NULL };
  const char *whole[] = { "Half an answer, ", "then all of it.", NULL };
  g_autofree char *body1 = confab_test_sse_answer (partial, TRUE);
  g_autofree char *body2 = confab_test_sse_answer (whole, FALSE);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, body1, CONFAB_REPLAY_CLOSE);
  confab_replay_server_add_response (server, 200, NULL, body2, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_retry, server);
}

static void
check_http_error (ConfabWindow *window,
                  gpointer      data)
{
  ConfabMessage *answer;
  ConfabMessageRow *row;
  const char *error_text;

  confab_test_type_and_press_enter (window, "Hello?");
  confab_test_wait_idle (window);

  answer = confab_test_message_at (window, 1);
  row = confab_test_wait_for_row (window, answer);
  error_text = confab_message_row_get_error_text (row);
  g_assert_nonnull (error_text);
  /* The provider's own words reach the user. */
  g_assert_nonnull (strstr (error_text, "The model is overloaded"));
}

static void
test_http_error (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 503, "application/json",
                                     "{\"error\":{\"message\":\"The model is overloaded\",\"type\":\"server_error\"}}",
                                     CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_http_error, server);
}

static void
check_edit_regenerate_inspect (ConfabWindow *window,
                               gpointer      data)
{
  ConfabReplayServer *server = data;
  ConfabMessage *user, *answer;
  ConfabMessageRow *row;
  g_autofree char *text = NULL;
  g_autofree char *request = NULL;
  g_autofree char *response = NULL;
  GtkWidget *dialog;

  confab_test_type_and_press_enter (window, "First question");
  confab_test_wait_idle (window);
  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);

  /* Regenerate: the answer is asked for again; the new version is shown (the first one is
   * kept beside it, see test-branches-ui). */
  answer = confab_test_message_at (window, 1);
  row = confab_test_wait_for_row (window, answer);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.regenerate", NULL));
  confab_test_wait_idle (window);
  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
  answer = confab_test_message_at (window, 1);
  g_assert_cmpstr (confab_message_get_content (answer), ==, "Second answer");

  /* The inspector shows the exact request, pretty, and the raw stream. */
  dialog = confab_inspector_dialog_new (GTK_WINDOW (window), answer);
  request = confab_inspector_dialog_dup_request_text (CONFAB_INSPECTOR_DIALOG (dialog));
  response = confab_inspector_dialog_dup_response_text (CONFAB_INSPECTOR_DIALOG (dialog));
  g_assert_nonnull (strstr (request, "\n  \"messages\" : ["));
  g_assert_nonnull (strstr (request, "First question"));
  g_assert_true (g_str_has_prefix (response, "data: {"));
  g_assert_nonnull (strstr (response, "data: [DONE]"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Edit and resend: a new version of the user message, with its own answer, is shown. */
  user = confab_test_message_at (window, 0);
  row = confab_test_wait_for_row (window, user);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.edit", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "chat.edit-resend", "(ss)",
                                             confab_message_get_id (user), "Edited question"));
  confab_test_wait_idle (window);

  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
  g_assert_cmpstr (confab_message_get_content (confab_test_message_at (window, 0)), ==, "Edited question");
  g_assert_cmpstr (confab_message_get_content (confab_test_message_at (window, 1)), ==, "Third answer");
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 1));
  text = confab_test_row_text (row);
  g_assert_cmpstr (text, ==, "Third answer");

  g_assert_cmpuint (confab_replay_server_get_requests (server)->len, ==, 3);
  g_assert_null (strstr (((ConfabReplayRequest *) g_ptr_array_index (confab_replay_server_get_requests (server), 2))->body,
                         "First question"));
}

static void
test_edit_regenerate_inspect (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *a1[] = { "First ", "answer", NULL };
  const char *a2[] = { "Second ", "answer", NULL };
  const char *a3[] = { "Third ", "answer", NULL };
  g_autofree char *b1 = confab_test_sse_answer (a1, FALSE);
  g_autofree char *b2 = confab_test_sse_answer (a2, FALSE);
  g_autofree char *b3 = confab_test_sse_answer (a3, FALSE);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, b1, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, b2, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, b3, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_edit_regenerate_inspect, server);
}

static void
check_history (ConfabWindow *window,
               gpointer      data)
{
  GtkWidget *list = confab_test_find_widget_of_type (GTK_WIDGET (window), CONFAB_TYPE_CONVERSATION_LIST);
  g_autofree char *id = NULL;
  ConfabConversation *first;
  GListModel *rows;

  g_assert_nonnull (list);
  rows = confab_conversation_list_get_model (CONFAB_CONVERSATION_LIST (list));
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 0);

  confab_test_type_and_press_enter (window, "Remember me");
  confab_test_wait_idle (window);
  first = confab_session_get_conversation (confab_window_get_session (window));
  id = g_strdup (confab_conversation_get_id (first));

  /* Sent once: the conversation is in the history list. */
  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (rows) == 1, WAIT_MS);

  /* Ctrl+N: a new, empty conversation that is not history yet. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-chat", NULL));
  g_assert_cmpuint (confab_test_n_messages (window), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);

  /* Back to the first one, loaded from the store. */
  g_signal_emit_by_name (list, "conversation-activated", id);
  g_assert_cmpstr (confab_conversation_get_id (confab_session_get_conversation (confab_window_get_session (window))), ==, id);
  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
  g_assert_cmpstr (confab_message_get_content (confab_test_message_at (window, 1)), ==, "Remembered");
}

static void
test_history (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *pieces[] = { "Remem", "bered", NULL };
  g_autofree char *body = confab_test_sse_answer (pieces, FALSE);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, body, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_history, server);
}

/* ---------------------------------------------------------------------------------------- */
/* Markdown                                                                                 */

static const char markdown_sample[] =
  "# Title\n"
  "\n"
  "Some **bold** and *italic* text with `code` and a [link](https://example.org).\n"
  "\n"
  "- one\n"
  "- two\n"
  "  - nested\n"
  "\n"
  "1. first\n"
  "2. second\n"
  "\n"
  "> quoted\n"
  "\n"
  "```python\n"
  "def f():\n"
  "\n"
  "    return 1\n"
  "```\n"
  "\n"
  "| a | b |\n"
  "|---|---|\n"
  "| 1 | 2 |\n"
  "\n"
  "Last <b>paragraph</b>.\n";

static GtkTextTag *
tag_named_at (ConfabMarkdownView *view,
              const char         *needle,
              const char         *tag_name)
{
  for (guint i = 0; i < confab_markdown_view_get_n_segments (view); i++)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (confab_markdown_view_get_segment (view, i));
      GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
      GtkTextIter start, match_start, match_end;

      gtk_text_buffer_get_start_iter (buffer, &start);
      if (gtk_text_iter_forward_search (&start, needle, 0, &match_start, &match_end, NULL))
        return gtk_text_iter_has_tag (&match_start, tag) ? tag : NULL;
    }

  return NULL;
}

static void
test_markdown_render (void)
{
  ConfabMarkdownView *view = g_object_ref_sink (CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ()));
  g_autofree char *text = NULL;

  confab_markdown_view_set_text (view, markdown_sample);
  text = confab_markdown_view_dup_display_text (view);

  g_assert_cmpstr (text, ==,
                   "Title\n\n"
                   "Some bold and italic text with code and a link.\n\n"
                   "• one\n• two\n◦ nested\n\n"
                   "1. first\n2. second\n\n"
                   "quoted\n\n"
                   "def f():\n\n    return 1\n\n"
                   "a │ b\n1 │ 2\n\n"
                   "Last <b>paragraph</b>.");
  g_assert_cmpuint (confab_markdown_view_get_n_code_blocks (view), ==, 1);
  g_assert_nonnull (tag_named_at (view, "Title", "h1"));
  g_assert_nonnull (tag_named_at (view, "bold", "bold"));
  g_assert_nonnull (tag_named_at (view, "italic", "italic"));
  g_assert_nonnull (tag_named_at (view, "code and", "code"));
  g_assert_nonnull (tag_named_at (view, "link", "link"));
  g_assert_nonnull (tag_named_at (view, "quoted", "quote"));
  g_assert_null (tag_named_at (view, "paragraph", "bold"));

  g_object_unref (view);
}

static void
test_markdown_streaming (void)
{
  ConfabMarkdownView *whole = g_object_ref_sink (CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ()));
  ConfabMarkdownView *streamed = g_object_ref_sink (CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ()));
  g_autofree char *expected = NULL;
  g_autofree char *live = NULL;
  g_autofree char *text = NULL;
  gsize len = strlen (markdown_sample);

  confab_markdown_view_set_text (whole, markdown_sample);
  expected = confab_markdown_view_dup_display_text (whole);

  /* Any split: pieces of 1..7 bytes, rendered after each piece. */
  for (gsize i = 0; i < len; )
    {
      gsize n = MIN (1 + (i * 7 + 3) % 7, len - i);

      confab_markdown_view_append_text (streamed, markdown_sample + i, n);
      confab_markdown_view_flush (streamed);
      i += n;
    }

  g_assert_false (confab_markdown_view_get_pending (streamed));

  /* While streaming, the finished blocks are already formatted (the code block is a
   * GtkSourceView), and the open one shows its text. */
  live = confab_markdown_view_dup_display_text (streamed);
  g_assert_cmpuint (confab_markdown_view_get_n_code_blocks (streamed), ==, 1);
  g_assert_nonnull (strstr (live, "Last <b>paragraph</b>."));

  confab_markdown_view_finish (streamed);
  text = confab_markdown_view_dup_display_text (streamed);
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpstr (confab_markdown_view_get_source (streamed), ==, markdown_sample);

  g_object_unref (whole);
  g_object_unref (streamed);
}

static const char *
get_string_source (gpointer user_data)
{
  return ((GString *)user_data)->str;
}

/* With a source function (a message row's view reads the message), the view does not hold
 * a second copy of a long answer: only the open block; it shows the same, and get_source()
 * and switching to plain and back still see the whole text. */
static void
test_markdown_source_func (void)
{
  ConfabMarkdownView *whole = g_object_ref_sink (CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ()));
  ConfabMarkdownView *streamed = g_object_ref_sink (CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ()));
  g_autoptr(GString) owner = g_string_new (NULL);
  g_autoptr(GString) full = g_string_new (NULL);
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *again = NULL;

  for (guint i = 0; i < 20; i++)
    g_string_append_printf (full, "## Part %u\n\n%s\n\n", i, markdown_sample);
  confab_markdown_view_set_text (whole, full->str);
  expected = confab_markdown_view_dup_display_text (whole);

  confab_markdown_view_set_source_func (streamed, get_string_source, owner, NULL);
  for (gsize i = 0; i < full->len; )
    {
      gsize n = MIN (1 + (i * 7 + 3) % 61, full->len - i);

      g_string_append_len (owner, full->str + i, n);
      confab_markdown_view_append_text (streamed, full->str + i, n);
      confab_markdown_view_flush (streamed);
      i += n;
      /* At most the open block and as much again (dropped in halves). */
      g_assert_cmpuint (confab_markdown_view_get_held_source (streamed), <, 2 * strlen (markdown_sample) + 64);
    }
  confab_markdown_view_finish (streamed);

  text = confab_markdown_view_dup_display_text (streamed);
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (confab_markdown_view_get_held_source (streamed), ==, 0);
  g_assert_cmpstr (confab_markdown_view_get_source (streamed), ==, full->str);

  /* Set at once: nothing held once rendered. */
  confab_markdown_view_set_text (streamed, owner->str);
  g_assert_cmpuint (confab_markdown_view_get_held_source (streamed), ==, 0);
  g_free (text);
  text = confab_markdown_view_dup_display_text (streamed);
  g_assert_cmpstr (text, ==, expected);

  /* Plain and back re-read the text from the owner. */
  confab_markdown_view_set_plain (streamed, TRUE);
  plain = confab_markdown_view_dup_display_text (streamed);
  g_assert_cmpstr (plain, ==, full->str);
  confab_markdown_view_set_plain (streamed, FALSE);
  again = confab_markdown_view_dup_display_text (streamed);
  g_assert_cmpstr (again, ==, expected);

  g_object_unref (whole);
  g_object_unref (streamed);
}

/* While text streams in (and once it is finished), the view is as tall as its lines: code
 * blocks are not counted twice, and lines laid out during an allocation resize it. */
static void
test_markdown_height_streaming (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  ConfabMarkdownView *view = CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ());
  gsize len = strlen (markdown_sample);

  gtk_window_set_default_size (GTK_WINDOW (window), 500, 900);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (view));
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (box), WAIT_MS);

  for (gsize i = 0; i < len; )
    {
      gsize n = MIN (40, len - i);

      confab_markdown_view_append_text (view, markdown_sample + i, n);
      confab_markdown_view_flush (view);
      i += n;
      confab_test_wait_frames (window);
      CONFAB_TEST_WAIT_FOR (markdown_fits_text (view), WAIT_MS);
    }
  g_assert_cmpuint (confab_markdown_view_get_n_code_blocks (view), ==, 1);

  confab_markdown_view_finish (view);
  confab_test_wait_frames (window);
  CONFAB_TEST_WAIT_FOR (markdown_fits_text (view), WAIT_MS);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_markdown_long_stream (void)
{
  ConfabMarkdownView *view = g_object_ref_sink (CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ()));
  g_autofree char *text = NULL;
  gint64 first = 0, last = 0;
  guint n_lines = 0;
  guint rounds = 2000;

  /* Paragraphs keep coming; each piece must cost the same at the end as at the start
   * (completed blocks are not re-rendered). Measured, with a generous bound. */
  for (guint i = 0; i < rounds; i++)
    {
      gint64 start = g_get_monotonic_time ();

      for (guint j = 0; j < 20; j++)
        confab_markdown_view_append_text (view, "word **b** ", -1);
      confab_markdown_view_append_text (view, "end.\n\n", -1);
      confab_markdown_view_flush (view);

      if (i < 100)
        first += g_get_monotonic_time () - start;
      else if (i >= rounds - 100)
        last += g_get_monotonic_time () - start;
    }

  g_test_message ("first 100 paragraphs: %" G_GINT64_FORMAT " µs, last 100: %" G_GINT64_FORMAT " µs",
                  first, last);
  g_assert_cmpint (last, <, MAX (first, 1000) * 5);

  /* A burst bigger than a frame's budget is pending until flushed (or later frames). */
  {
    g_autoptr(GString) burst = g_string_new (NULL);

    while (burst->len < 64 * 1024)
      g_string_append (burst, "more words in a burst.\n\n");
    confab_markdown_view_append_text (view, burst->str, burst->len);
    g_assert_true (confab_markdown_view_get_pending (view));
    confab_markdown_view_flush (view);
    g_assert_false (confab_markdown_view_get_pending (view));
    rounds += burst->len / strlen ("more words in a burst.\n\n");
  }

  confab_markdown_view_finish (view);
  /* Long answers are spread over several text views, each paragraph once. */
  g_assert_cmpuint (confab_markdown_view_get_n_segments (view), >, 1);
  for (guint i = 0; i < confab_markdown_view_get_n_segments (view); i++)
    n_lines += (gtk_text_buffer_get_line_count (gtk_text_view_get_buffer (confab_markdown_view_get_segment (view, i))) + 1) / 2;
  g_assert_cmpuint (n_lines, ==, rounds);
  text = confab_markdown_view_dup_display_text (view);
  g_assert_true (g_str_has_prefix (text, "word b word b"));

  g_object_unref (view);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) language_dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) style_dirs = g_ptr_array_new_with_free_func (g_free);
  const char * const *data_dirs = g_get_system_data_dirs ();

  /* The isolated XDG dirs also hide GtkSourceView's languages and style schemes, without
   * which code is not highlighted as on a user's system (and in the screenshots). */
  for (guint i = 0; data_dirs[i] != NULL; i++)
    {
      g_ptr_array_add (language_dirs, g_build_filename (data_dirs[i], "gtksourceview-5", "language-specs", NULL));
      g_ptr_array_add (style_dirs, g_build_filename (data_dirs[i], "gtksourceview-5", "styles", NULL));
    }

  confab_test_init_isolated (&argc, &argv);
  gtk_init ();
  adw_init ();

  for (guint i = 0; i < language_dirs->len; i++)
    {
      gtk_source_language_manager_append_search_path (gtk_source_language_manager_get_default (),
                                                      g_ptr_array_index (language_dirs, i));
      gtk_source_style_scheme_manager_append_search_path (gtk_source_style_scheme_manager_get_default (),
                                                          g_ptr_array_index (style_dirs, i));
    }

  g_test_add_func ("/ui/app/resources", test_resources);
  g_test_add_func ("/ui/app/starts-and-quits-welcome", test_starts_and_quits_welcome);
  g_test_add_func ("/ui/chat/simple-cassette", test_simple_cassette);
  g_test_add_func ("/ui/chat/tool-cassette", test_tool_cassette);
  g_test_add_func ("/ui/chat/escape-stops", test_escape_stops);
  g_test_add_func ("/ui/chat/markup-injection", test_markup_injection);
  g_test_add_func ("/ui/chat/error-and-retry", test_error_and_retry);
  g_test_add_func ("/ui/chat/http-error", test_http_error);
  g_test_add_func ("/ui/chat/edit-regenerate-inspect", test_edit_regenerate_inspect);
  g_test_add_func ("/ui/chat/history", test_history);
  g_test_add_func ("/ui/chat/thinking", test_thinking);
  g_test_add_func ("/ui/chat/models", test_models);
  g_test_add_func ("/ui/composer/send-on-enter-off", test_send_on_enter_off);
  g_test_add_func ("/ui/chat/markdown-answer", test_markdown_answer);
  g_test_add_func ("/ui/markdown/render", test_markdown_render);
  g_test_add_func ("/ui/markdown/streaming", test_markdown_streaming);
  g_test_add_func ("/ui/markdown/source-func", test_markdown_source_func);
  g_test_add_func ("/ui/markdown/long-stream", test_markdown_long_stream);
  g_test_add_func ("/ui/markdown/height-streaming", test_markdown_height_streaming);

  return g_test_run ();
}
