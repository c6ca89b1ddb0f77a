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
#include "confab-test-util.h"
#include "confab-window.h"
#include "panels-test-util.h"
#include "confab-store-summary.h"
#include "confab-message-editor.h"
#include "confab-version-switcher.h"

#define WAIT_MS 15000

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static char *
sse_content (const char *content)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, "chat.completion.chunk");
  json_builder_set_member_name (builder, "choices");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "delta");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  return g_strdup_printf ("data: %s\n\n", json);
}

/* A complete answer streamed as @pieces (NULL-terminated); finished unless @open. */
static char *
sse_answer (const char * const *pieces,
            gboolean            open)
{
  GString *body = g_string_new (NULL);

  for (guint i = 0; pieces[i] != NULL; i++)
    {
      g_autofree char *chunk = sse_content (pieces[i]);
      g_string_append (body, chunk);
    }

  if (!open)
    g_string_append (body,
                     "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                     "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                     "data: [DONE]\n\n");

  return g_string_free (body, FALSE);
}

static ConfabSession *
session_of (ConfabWindow *window)
{
  return confab_window_get_session (window);
}

static ConfabMessage *
message_at (ConfabWindow *window,
            guint         position)
{
  GListModel *messages = G_LIST_MODEL (confab_session_get_conversation (session_of (window)));
  g_autoptr(ConfabMessage) message = g_list_model_get_item (messages, position);

  return message;   /* the conversation keeps it alive */
}

static guint
n_messages (ConfabWindow *window)
{
  return g_list_model_get_n_items (G_LIST_MODEL (confab_session_get_conversation (session_of (window))));
}

/* Types @text in the composer and presses Enter (through the composer's key handler). */
static void
type_and_press_enter (ConfabWindow *window,
                      const char   *text)
{
  ConfabComposer *composer = confab_window_get_composer (window);
  GtkTextView *view = confab_composer_get_text_view (composer);
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

static ConfabMessageRow *
wait_for_row (ConfabWindow  *window,
              ConfabMessage *message)
{
  ConfabChatView *chat = confab_window_get_chat_view (window);

  CONFAB_TEST_WAIT_FOR (confab_chat_view_find_row (chat, message) != NULL, WAIT_MS);
  return confab_chat_view_find_row (chat, message);
}

static char *
row_text (ConfabMessageRow *row)
{
  confab_message_row_flush (row);
  return confab_markdown_view_dup_display_text (confab_message_row_get_content_view (row));
}

static void
wait_idle (ConfabWindow *window)
{
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session_of (window)), WAIT_MS);
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("CONFAB_SCREENSHOT_DIR");
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  GdkRGBA background;
  int width, height;

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  /* What the window draws: its own snapshot, as for a frame, on the window's background
   * colour (drawn by GTK outside the class's snapshot, it would be transparent: dark text
   * on a dark software centre). */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS   /* GtkStyleContext, deprecated in GTK 4.10 */
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "window_bg_color", &background));
G_GNUC_END_IGNORE_DEPRECATIONS
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);

  if (dir == NULL || *dir == '\0')
    {
      g_test_message ("CONFAB_SCREENSHOT_DIR is not set: not writing %s", name);
      return;
    }

  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static gboolean
set_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets layout settle: text views lay out long text in low-priority idles, which wait while
 * frames keep coming (software rendering under Xvfb is slow), so wait until the main loop
 * is idle, then for a few frames. */
static void
wait_widget_frames (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  for (guint i = 0; i < 3; i++)
    {
      gint64 start = gdk_frame_clock_get_frame_counter (clock);
      gboolean idle = FALSE;

      g_idle_add_full (G_PRIORITY_LOW, set_true, &idle, NULL);
      CONFAB_TEST_WAIT_FOR (idle, WAIT_MS);
      /* Two more frames, drawn whether or not anything changed. */
      CONFAB_TEST_WAIT_FOR (gdk_frame_clock_get_frame_counter (clock) > start + 1 ||
                            (gtk_widget_queue_draw (window), FALSE), WAIT_MS);
    }
}

static void
wait_frames (ConfabWindow *window)
{
  wait_widget_frames (GTK_WIDGET (window));
}

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
                                                     message_at (window, position));
  g_autofree char *shown = row ? row_text (row) : NULL;

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

  type_and_press_enter (window, "Name a colour for a front door");
  wait_idle (window);

  /* Regenerate: a second version of the answer; the first is kept. */
  row = wait_for_row (window, message_at (window, 1));
  g_assert_null (confab_message_row_get_versions (row));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.regenerate", NULL));
  wait_idle (window);
  g_assert_cmpuint (n_messages (window), ==, 2);
  CONFAB_TEST_WAIT_FOR (row_shows (window, 1, "A deep teal"), WAIT_MS);

  /* "‹ 2/2 ›" on the answer, drawn, and spoken as "2 of 2". */
  row = wait_for_row (window, message_at (window, 1));
  switcher = confab_message_row_get_versions (row);
  g_assert_nonnull (switcher);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (switcher), WAIT_MS);
  g_assert_cmpstr (confab_version_switcher_get_text (CONFAB_VERSION_SWITCHER (switcher)), ==, "2/2");
  label = confab_test_find_widget_of_type (switcher, GTK_TYPE_LABEL);
  g_assert_true (gtk_widget_get_mapped (label));
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_width (label) > 0, WAIT_MS);
  gtk_test_accessible_assert_property (label, GTK_ACCESSIBLE_PROPERTY_LABEL, "2 of 2");
  g_assert_false (gtk_widget_get_sensitive (gtk_widget_get_last_child (gtk_widget_get_first_child (switcher))));

  wait_frames (window);
  save_screenshot (GTK_WIDGET (window), "branches.png");

  /* Back to the first answer: its text, on screen. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.previous-version", NULL));
  g_assert_cmpuint (n_messages (window), ==, 2);
  CONFAB_TEST_WAIT_FOR (row_shows (window, 1, "A warm red"), WAIT_MS);
  row = wait_for_row (window, message_at (window, 1));
  switcher = confab_message_row_get_versions (row);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (switcher), WAIT_MS);
  g_assert_cmpstr (confab_version_switcher_get_text (CONFAB_VERSION_SWITCHER (switcher)), ==, "1/2");
  wait_frames (window);
  save_screenshot (GTK_WIDGET (window), "branches-first-version.png");

  /* Start a new chat from the first answer: a new conversation, in the sidebar. */
  first_id = g_strdup (confab_conversation_get_id (confab_session_get_conversation (session_of (window))));
  CONFAB_TEST_WAIT_FOR (list_has (rows, first_id), WAIT_MS);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.fork", NULL));
  fork_id = confab_conversation_get_id (confab_session_get_conversation (session_of (window)));
  g_assert_cmpstr (fork_id, !=, first_id);
  g_assert_cmpuint (n_messages (window), ==, 2);
  g_assert_true (g_str_has_prefix (confab_message_get_content (message_at (window, 1)), "A **warm red**"));
  CONFAB_TEST_WAIT_FOR (list_has (rows, fork_id) && list_has (rows, first_id), WAIT_MS);
  CONFAB_TEST_WAIT_FOR (row_shows (window, 1, "A warm red"), WAIT_MS);
  wait_frames (window);
  save_screenshot (GTK_WIDGET (window), "branches-fork.png");

  /* Edit: the editor says what sending does; Cancel (Escape) leaves the message as it was. */
  row = wait_for_row (window, message_at (window, 0));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.edit", NULL));
  {
    GtkWidget *editor = confab_test_find_widget_of_type (GTK_WIDGET (row), CONFAB_TYPE_MESSAGE_EDITOR);
    g_autofree char *text = NULL;

    g_assert_nonnull (editor);
    CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (editor), WAIT_MS);
    text = confab_message_editor_get_text (CONFAB_MESSAGE_EDITOR (editor));
    g_assert_cmpstr (text, ==, "Name a colour for a front door");
    wait_frames (window);
    save_screenshot (GTK_WIDGET (window), "branches-editor.png");
    g_assert_true (gtk_widget_activate_action (editor, "editor.cancel", NULL));
    g_assert_false (gtk_widget_get_visible (editor));
  }
  g_assert_cmpuint (n_messages (window), ==, 2);
}

/* An answer streamed as @pieces, with its usage. */
static char *
answer_with_usage (const char * const *pieces,
                   guint               prompt_tokens,
                   guint               completion_tokens)
{
  g_autofree char *open = sse_answer (pieces, TRUE);

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

  confab_test_run_app (args, check_branches, server);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) mime_dirs = g_ptr_array_new_with_free_func (g_free);
  const char * const *data_dirs = g_get_system_data_dirs ();

  /* The isolated XDG dirs hide the MIME database, without which GdkPixbuf cannot tell
   * that the app's symbolic icon is an SVG. */
  for (guint i = 0; data_dirs[i] != NULL; i++)
    g_ptr_array_add (mime_dirs, g_build_filename (data_dirs[i], "mime", NULL));
  g_ptr_array_add (mime_dirs, NULL);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_content_type_set_mime_dirs ((const char * const *) mime_dirs->pdata);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/branches-ui/regenerate-switch-fork", test_branches);

  return g_test_run ();
}
