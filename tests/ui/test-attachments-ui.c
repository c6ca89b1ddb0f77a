/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-attachments-ui"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "confab-application.h"
#include "confab-attachment-bar.h"
#include "confab-chat-view.h"
#include "confab-composer.h"
#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-replay-server.h"
#include "confab-session.h"
#include "confab-test-attachments.h"
#include "confab-test-app.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-tool-call-card.h"
#include "confab-window.h"

/* The composer's attachments through the real window: a picture pasted with Ctrl+V, files
 * dropped on the window, chips removed, limits, and the sent message with its chips and
 * preview; the request carries the parts. */

#define WAIT_MS 15000

static void
collect_with_class (GtkWidget  *root,
                    const char *css_class,
                    GPtrArray  *found)
{
  if (gtk_widget_has_css_class (root, css_class))
    g_ptr_array_add (found, root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    collect_with_class (child, css_class, found);
}

static guint
count_with_class (GtkWidget  *root,
                  const char *css_class)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_with_class (root, css_class, found);
  return found->len;
}

static GtkWidget *
nth_with_class (GtkWidget  *root,
                const char *css_class,
                guint       n)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_with_class (root, css_class, found);
  g_assert_cmpuint (found->len, >, n);
  return g_ptr_array_index (found, n);
}

/* The template child with GtkBuilder id @id under @root. */
static GtkWidget *
find_by_id (GtkWidget  *root,
            const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_id (child, id);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkDropTarget *
window_drop_target (ConfabWindow *window)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }

  g_error ("the window has no drop target");
  return NULL;
}

/* What GTK does when files are dropped on the window: "drop" with the files. */
static gboolean
drop_files (ConfabWindow       *window,
            const char * const *paths)
{
  GtkDropTarget *target = window_drop_target (window);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  GdkFileList *list;

  for (guint i = 0; paths[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_for_path (paths[i]));
  list = gdk_file_list_new_from_array ((GFile **) files->pdata, files->len);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, list);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);

  return accepted;
}

static gboolean
set_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_frames (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  for (guint i = 0; i < 3; i++)
    {
      gint64 start = gdk_frame_clock_get_frame_counter (clock);
      gboolean idle = FALSE;

      g_idle_add_full (G_PRIORITY_LOW, set_true, &idle, NULL);
      CONFAB_TEST_WAIT_FOR (idle, WAIT_MS);
      CONFAB_TEST_WAIT_FOR (gdk_frame_clock_get_frame_counter (clock) > start + 1 ||
                            (gtk_widget_queue_draw (window), FALSE), WAIT_MS);
    }
}

static const char answer[] =
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A red and blue picture, and a report.\"}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
  "data: [DONE]\n\n";

typedef struct
{
  ConfabReplayServer *server;
  char               *dir;
  char               *pdf;
  char               *text;
  char               *binary;
} Files;

static void
check_composer (ConfabWindow *window,
                gpointer      data)
{
  Files *files = data;
  ConfabComposer *composer = confab_window_get_composer (window);
  ConfabAttachmentBar *bar = confab_composer_get_attachment_bar (composer);
  GListModel *model = confab_attachment_bar_get_model (bar);
  GtkTextView *view = confab_composer_get_text_view (composer);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (view));
  g_autoptr(GBytes) picture = confab_test_make_image (320, 200, FALSE, "png");
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.confab.Confab");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = NULL;
  const char *dropped[] = { files->pdf, files->text, NULL };
  const char *binary[] = { files->binary, NULL };
  ConfabReplayRequest *request;
  ConfabConversation *conversation;
  ConfabMessage *user;
  ConfabMessageRow *row;
  GtkWidget *preview = NULL;
  JsonArray *parts;

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (bar)));
  g_assert_true (gtk_widget_get_visible (find_by_id (GTK_WIDGET (composer), "attach_button")));

  /* Ctrl+V of a picture (a screenshot tool puts only the image on the clipboard). */
  texture = gdk_texture_new_from_bytes (picture, &error);
  g_assert_no_error (error);
  gdk_clipboard_set_texture (clipboard, texture);
  g_signal_emit_by_name (view, "paste-clipboard");
  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (model) == 1, WAIT_MS);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (bar)));
  g_assert_cmpuint (count_with_class (GTK_WIDGET (bar), "attachment-chip"), ==, 1);
  g_assert_cmpuint (count_with_class (GTK_WIDGET (bar), "thumbnail"), ==, 1);
  {
    GtkTextIter start, end;
    g_autofree char *typed = NULL;

    gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
    typed = gtk_text_buffer_get_text (gtk_text_view_get_buffer (view), &start, &end, FALSE);
    g_assert_cmpstr (typed, ==, "");
  }
  /* The picture alone can be sent: Send is enabled without text. */
  g_assert_true (gtk_widget_is_sensitive (find_by_id (GTK_WIDGET (composer), "send_button")));

  /* Text on the clipboard still pastes as text. */
  gdk_clipboard_set_text (clipboard, "Summarise these");
  g_signal_emit_by_name (view, "paste-clipboard");
  {
    g_autofree char *typed = NULL;

    CONFAB_TEST_WAIT_FOR ((g_free (typed), typed = confab_composer_dup_text (composer),
                           g_strcmp0 (typed, "Summarise these") == 0), WAIT_MS);
  }
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);

  /* Files dropped on the window: a PDF and a text file. */
  g_assert_true (drop_files (window, dropped));
  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (model) == 3 &&
                        confab_attachment_bar_get_n_loading (bar) == 0, WAIT_MS);
  g_assert_cmpuint (count_with_class (GTK_WIDGET (bar), "attachment-chip"), ==, 3);

  /* A binary "text" file is refused with its name; nothing else changes. */
  g_assert_true (drop_files (window, binary));
  CONFAB_TEST_WAIT_FOR (confab_attachment_bar_get_error (bar) != NULL, WAIT_MS);
  g_assert_nonnull (strstr (confab_attachment_bar_get_error (bar), "“blob.txt” is not a text file"));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);

  /* The text file's chip is removed with its button. */
  g_signal_emit_by_name (nth_with_class (GTK_WIDGET (bar), "attachment-remove", 2), "clicked");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpuint (count_with_class (GTK_WIDGET (bar), "attachment-chip"), ==, 2);

  wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "confab-attachments-composer.png");

  /* Over the per-message limit: said before sending, nothing sent, nothing dropped. */
  g_settings_set_uint (settings, "attachment-max-message-size", 0);
  g_assert_false (confab_composer_send (composer));
  g_assert_nonnull (strstr (confab_attachment_bar_get_error (bar), "too large to send together"));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpuint (confab_replay_server_get_requests (files->server)->len, ==, 0);
  g_settings_reset (settings, "attachment-max-message-size");

  g_assert_true (confab_composer_send (composer));
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (confab_window_get_session (window)), WAIT_MS);

  /* Sent: the composer is empty again; the request has the text, the picture, the PDF. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (bar)));
  request = g_ptr_array_index (confab_replay_server_get_requests (files->server), 0);
  body = json_from_string (request->body, &error);
  g_assert_no_error (error);
  parts = json_object_get_array_member (json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (body), "messages"), 0), "content");
  g_assert_cmpuint (json_array_get_length (parts), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 0), "text"), ==,
                   "Summarise these");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (
    json_object_get_object_member (json_array_get_object_element (parts, 1), "image_url"), "url"),
    "data:image/png;base64,iVBOR"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_array_get_object_element (parts, 2), "text"),
                                   "Attached PDF: report.pdf (1 page)"));

  /* The sent message shows its files as chips; a click opens the preview. */
  conversation = confab_session_get_conversation (confab_window_get_session (window));
  user = g_list_model_get_item (G_LIST_MODEL (conversation), 0);
  g_object_unref (user);
  g_assert_cmpuint (confab_message_get_n_attachments (user), ==, 2);
  CONFAB_TEST_WAIT_FOR ((row = confab_chat_view_find_row (confab_window_get_chat_view (window), user)) != NULL, WAIT_MS);
  g_assert_cmpuint (count_with_class (GTK_WIDGET (row), "attachment-chip"), ==, 2);
  g_assert_cmpuint (count_with_class (GTK_WIDGET (row), "attachment-remove"), ==, 0);

  wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "confab-attachments-sent.png");

  g_signal_emit_by_name (nth_with_class (GTK_WIDGET (row), "attachment-open", 0), "clicked");
  {
    GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */

    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && preview == NULL; i++)
      {
        g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

        if (gtk_widget_has_css_class (toplevel, "attachment-preview"))
          preview = toplevel;
      }
  }
  g_assert_nonnull (preview);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (preview)), ==, "pasted-image.png");
  g_assert_true (GTK_IS_PICTURE (gtk_window_get_child (GTK_WINDOW (preview))));
  gtk_window_destroy (GTK_WINDOW (preview));

  /* Edit and resend: the files go again with the new text. */
  g_assert_true (confab_session_edit_and_resend (confab_window_get_session (window), user, "Summarise again", &error));
  g_assert_no_error (error);
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (confab_window_get_session (window)), WAIT_MS);
  user = g_list_model_get_item (G_LIST_MODEL (conversation), 0);
  g_object_unref (user);
  g_assert_cmpstr (confab_message_get_content (user), ==, "Summarise again");
  g_assert_cmpuint (confab_message_get_n_attachments (user), ==, 2);
  request = g_ptr_array_index (confab_replay_server_get_requests (files->server), 1);
  g_assert_nonnull (strstr (request->body, "data:image/png;base64,"));
  g_assert_nonnull (strstr (request->body, "Attached PDF: report.pdf"));

  /* The next message can start with a picture again (and the README shows both). */
  gdk_clipboard_set_texture (clipboard, texture);
  g_signal_emit_by_name (view, "paste-clipboard");
  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (model) == 1, WAIT_MS);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), "And this one?", -1);
  wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "confab-attachments.png");
}

static void
test_composer_attachments (void)
{
  static const char * const pages[] = { "Revenue grew." };
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GBytes) pdf = confab_test_make_pdf (pages, 1);
  g_autoptr(GBytes) text = g_bytes_new_static ("x = 1\n", 6);
  g_autoptr(GBytes) blob = g_bytes_new_static ("\x00\x01\x02\x03", 4);
  const char *args[] = { "--base-url", NULL, "--model", "vision-model", NULL };
  Files files = { 0 };

  files.server = server;
  files.dir = g_dir_make_tmp ("confab-ui-attach-XXXXXX", NULL);
  files.pdf = confab_test_write_file (files.dir, "report.pdf", pdf);
  files.text = confab_test_write_file (files.dir, "script.py", text);
  files.binary = confab_test_write_file (files.dir, "blob.txt", blob);

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_composer, &files);

  g_unlink (files.pdf);
  g_unlink (files.text);
  g_unlink (files.binary);
  g_rmdir (files.dir);
  g_free (files.pdf);
  g_free (files.text);
  g_free (files.binary);
  g_free (files.dir);
}

/* A model without vision: the answer's row names the cause; Retry sends the picture again. */
static void
check_vision_refusal (ConfabWindow *window,
                      gpointer      data)
{
  ConfabReplayServer *server = data;
  ConfabComposer *composer = confab_window_get_composer (window);
  ConfabAttachmentBar *bar = confab_composer_get_attachment_bar (composer);
  ConfabSession *session = confab_window_get_session (window);
  g_autoptr(GBytes) picture = confab_test_make_image (64, 64, FALSE, "png");
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_bytes (picture, NULL);
  g_autoptr(GError) error = NULL;
  ConfabConversation *conversation;
  ConfabMessage *user;
  ConfabMessage *failed;
  ConfabMessageRow *row;
  ConfabReplayRequest *request;

  g_assert_true (confab_attachment_bar_add_texture (bar, texture));
  confab_composer_set_text (composer, "What is this?");
  g_assert_true (confab_composer_send (composer));
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session), WAIT_MS);

  conversation = confab_session_get_conversation (session);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
  user = g_list_model_get_item (G_LIST_MODEL (conversation), 0);
  failed = g_list_model_get_item (G_LIST_MODEL (conversation), 1);
  g_object_unref (user);
  g_object_unref (failed);
  g_assert_cmpint (confab_message_get_state (failed), ==, CONFAB_MESSAGE_STATE_FAILED);
  CONFAB_TEST_WAIT_FOR ((row = confab_chat_view_find_row (confab_window_get_chat_view (window), failed)) != NULL, WAIT_MS);
  g_assert_nonnull (strstr (confab_message_row_get_error_text (row), "does not accept images"));
  g_assert_cmpuint (confab_message_get_n_attachments (user), ==, 1);

  /* Retry (another model would be picked first in real life): the picture goes again. */
  g_assert_true (confab_session_retry (session, failed, &error));
  g_assert_no_error (error);
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session), WAIT_MS);
  request = g_ptr_array_index (confab_replay_server_get_requests (server), 1);
  g_assert_nonnull (strstr (request->body, "data:image/png;base64,"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
}

static void
test_vision_refusal (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, "--model", "text-only-model", NULL };

  confab_replay_server_add_response (server, 400, "application/json",
                                     "{\"error\":{\"message\":\"This model does not support image input.\"}}",
                                     CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_vision_refusal, server);
}

/* A picture an MCP tool returned shows on its card as a chip with the same preview. */
static void
test_tool_result_image (void)
{
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  g_autoptr(GBytes) png = confab_test_tiny_png ();
  g_autoptr(JsonNode) content = NULL;
  g_autofree char *json = g_strdup_printf ("[{\"type\":\"text\",\"text\":\"A chart\"},"
                                           "{\"type\":\"image\",\"mimeType\":\"image/png\",\"data\":\"%s\"},"
                                           "{\"type\":\"image\",\"mimeType\":\"image/png\",\"data\":42}]",
                                           CONFAB_TEST_TINY_PNG_BASE64);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *card;
  GtkWidget *preview = NULL;
  GListModel *toplevels;

  content = json_from_string (json, NULL);
  g_assert_nonnull (content);
  confab_tool_call_set_name (call, "chart");
  card = confab_tool_call_card_new (call);
  gtk_window_set_child (GTK_WINDOW (window), card);
  gtk_window_present (GTK_WINDOW (window));

  confab_tool_call_set_result_content (call, content);
  confab_tool_call_set_result (call, "A chart [image: image/png, 70 bytes]");
  g_assert_cmpuint (count_with_class (card, "attachment-chip"), ==, 1);
  g_assert_cmpuint (count_with_class (card, "thumbnail"), ==, 1);

  g_signal_emit_by_name (nth_with_class (card, "attachment-open", 0), "clicked");
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && preview == NULL; i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (gtk_widget_has_css_class (toplevel, "attachment-preview"))
        preview = toplevel;
    }
  g_assert_nonnull (preview);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (preview)), ==, "chart-2.png");
  gtk_window_destroy (GTK_WINDOW (preview));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init_isolated (&argc, &argv);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/attachments-ui/composer", test_composer_attachments);
  g_test_add_func ("/attachments-ui/tool-result-image", test_tool_result_image);
  g_test_add_func ("/attachments-ui/vision-refusal", test_vision_refusal);

  return g_test_run ();
}
