/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-test-chat"

#include "config.h"

#include "confab-markdown-view-private.h"
#include "confab-message.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"

#define WAIT_MS CONFAB_TEST_CHAT_WAIT_MS

char *
confab_test_sse_content (const char *content)
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
char *
confab_test_sse_answer (const char * const *pieces,
                        gboolean            open)
{
  GString *body = g_string_new (NULL);

  for (guint i = 0; pieces[i] != NULL; i++)
    {
      g_autofree char *chunk = confab_test_sse_content (pieces[i]);
      g_string_append (body, chunk);
    }

  if (!open)
    g_string_append (body,
                     "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                     "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                     "data: [DONE]\n\n");

  return g_string_free (body, FALSE);
}

ConfabMessage *
confab_test_message_at (ConfabWindow *window,
                        guint         position)
{
  GListModel *messages = G_LIST_MODEL (confab_session_get_conversation (confab_window_get_session (window)));
  g_autoptr(ConfabMessage) message = g_list_model_get_item (messages, position);

  return message;   /* the conversation keeps it alive */
}

guint
confab_test_n_messages (ConfabWindow *window)
{
  return g_list_model_get_n_items (G_LIST_MODEL (confab_session_get_conversation (confab_window_get_session (window))));
}

void
confab_test_type_and_press_enter (ConfabWindow *window,
                                  const char   *text)
{
  confab_test_type_and_send (window, text);
  g_assert_true (confab_session_get_busy (confab_window_get_session (window)));
}

/* Types @text in the composer and presses Enter (through the composer's key handler). */
void
confab_test_type_and_send (ConfabWindow *window,
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
}

ConfabMessageRow *
confab_test_wait_for_row (ConfabWindow  *window,
                          ConfabMessage *message)
{
  ConfabChatView *chat = confab_window_get_chat_view (window);

  CONFAB_TEST_WAIT_FOR (confab_chat_view_find_row (chat, message) != NULL, WAIT_MS);
  return confab_chat_view_find_row (chat, message);
}

char *
confab_test_row_text (ConfabMessageRow *row)
{
  confab_message_row_flush (row);
  return confab_markdown_view_dup_display_text (confab_message_row_get_content_view (row));
}

void
confab_test_wait_idle (ConfabWindow *window)
{
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (confab_window_get_session (window)), WAIT_MS);
}

/* What @widget draws: its own snapshot, as for a frame, on the window's background colour
 * (drawn by GTK outside the class's snapshot, it would be transparent: dark text on a dark
 * software centre). */
static GdkTexture *
render (GtkWidget *widget)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GdkTexture *texture;
  GdkRGBA background;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

G_GNUC_BEGIN_IGNORE_DEPRECATIONS   /* GtkStyleContext, deprecated in GTK 4.10 */
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "window_bg_color", &background));
G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);

  return texture;
}

static void
save (GdkTexture *texture,
      const char *dir,
      const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_mkdir_with_parents (dir, 0755);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

void
confab_test_save_screenshot (GtkWidget  *widget,
                             const char *name)
{
  const char *dir = g_getenv ("CONFAB_SCREENSHOT_DIR");
  g_autoptr(GdkTexture) texture = render (widget);

  if (dir == NULL || *dir == '\0')
    {
      g_test_message ("CONFAB_SCREENSHOT_DIR is not set: not writing %s", name);
      return;
    }

  save (texture, dir, name);
}

/* Like confab_test_save_screenshot(), but renders nothing when CONFAB_SCREENSHOT_DIR is not
 * set. */
void
confab_test_save_screenshot_if_asked (GtkWidget  *widget,
                                      const char *name)
{
  const char *dir = g_getenv ("CONFAB_SCREENSHOT_DIR");
  g_autoptr(GdkTexture) texture = NULL;

  if (dir == NULL || *dir == '\0')
    return;

  texture = render (widget);
  save (texture, dir, name);
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
void
confab_test_wait_frames (GtkWidget *window)
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

graphene_point_t
confab_test_markdown_text_point (ConfabMarkdownView *view,
                                 const char         *needle,
                                 GtkWidget          *target)
{
  for (guint i = 0; i < confab_markdown_view_get_n_segments (view); i++)
    {
      GtkTextView *segment = confab_markdown_view_get_segment (view, i);
      GtkTextIter start, match, match_end;
      GdkRectangle location;
      graphene_point_t point;
      int x, y;

      gtk_text_buffer_get_start_iter (gtk_text_view_get_buffer (segment), &start);
      if (!gtk_text_iter_forward_search (&start, needle, 0, &match, &match_end, NULL))
        continue;
      gtk_text_view_get_iter_location (segment, &match, &location);
      gtk_text_view_buffer_to_window_coords (segment, GTK_TEXT_WINDOW_WIDGET, location.x, location.y, &x, &y);
      g_assert_true (gtk_widget_compute_point (GTK_WIDGET (segment), target, &GRAPHENE_POINT_INIT (x, y), &point));
      return point;
    }

  g_error ("\"%s\" is not shown", needle);
}
