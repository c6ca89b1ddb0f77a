/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store-errors"

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "confab-application.h"
#include "confab-composer.h"
#include "confab-error.h"
#include "confab-replay-server.h"
#include "confab-save-banner.h"
#include "confab-store.h"
#include "confab-test-app.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"
#include "confab-window.h"

/* A save that fails on the store's writer thread (disk full, read-only file) reaches the
 * window: a banner at the top of the chat says what failed, once however many writes fail,
 * with Export… to keep a copy. No dialog: the user keeps reading and typing. */

#define WAIT_MS 15000

static guint
count_dialogs (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      n += window != parent && gtk_widget_get_visible (GTK_WIDGET (window)) &&
           (ADW_IS_MESSAGE_DIALOG (window) || gtk_window_get_modal (window));
    }

  return n;
}

static void
count_banners (GtkWidget *widget,
               guint     *n)
{
  if (CONFAB_IS_SAVE_BANNER (widget) && confab_save_banner_get_revealed (CONFAB_SAVE_BANNER (widget)))
    (*n)++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    count_banners (child, n);
}

/* The widget that screen readers hear as an alert: the button's ancestor with that role. */
static GtkWidget *
alert_of (GtkWidget *banner,
          GtkWidget *button)
{
  for (GtkWidget *w = button; w != NULL && w != gtk_widget_get_parent (banner); w = gtk_widget_get_parent (w))
    if (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (w)) == GTK_ACCESSIBLE_ROLE_ALERT)
      return w;

  return NULL;
}

static GtkWidget *
banner_label (GtkWidget *banner)
{
  GtkWidget *label = confab_test_find_widget_of_type (banner, GTK_TYPE_LABEL);

  /* The button's own label comes after the banner's text. */
  g_assert_nonnull (label);
  return label;
}

static void
fail_write (ConfabStore *store,
            const char  *message)
{
  g_autoptr(GError) error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_STORE, message);

  /* As the writer thread reports it (on the main context). */
  g_signal_emit_by_name (store, "write-failed", error);
}

static void
check_write_failed (ConfabWindow *window,
                    gpointer      data)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));
  ConfabStore *store = confab_application_get_store (CONFAB_APPLICATION (app));
  GtkWidget *banner = confab_test_find_widget_of_type (GTK_WIDGET (window), CONFAB_TYPE_SAVE_BANNER);
  GtkTextView *composer_view;
  GtkWidget *button;
  GtkWidget *label;
  GtkWidget *alert;
  ConfabMessageRow *row;
  GObject *chooser;
  g_autofree char *shown = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *later = NULL;
  guint n = 0;

  g_assert_nonnull (store);
  g_assert_nonnull (banner);
  g_assert_false (confab_save_banner_get_revealed (CONFAB_SAVE_BANNER (banner)));

  /* A conversation in the window, saved. */
  confab_test_type_and_press_enter (window, "Keep this sentence");
  confab_test_wait_idle (window);
  g_assert_true (confab_store_flush (store, NULL));

  /* Two failures (the error may carry a path with markup characters). */
  fail_write (store, "Could not save the conversation to /x/<b>a&b</b>.db: the disk is full");
  fail_write (store, "Could not save the conversation to /x/<b>a&b</b>.db: the disk is full");

  button = confab_test_find_widget_of_type (banner, GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (button), WAIT_MS);
  confab_test_wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "save-banner.png");

  /* Its text names the failure, as plain text. */
  g_assert_true (confab_save_banner_get_revealed (CONFAB_SAVE_BANNER (banner)));
  g_assert_cmpstr (confab_save_banner_get_text (CONFAB_SAVE_BANNER (banner)), ==,
                   "Not saved: Could not save the conversation to /x/<b>a&b</b>.db: the disk is full. "
                   "The text stays in this window: export it to keep a copy.");
  label = banner_label (banner);
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==,
                   confab_save_banner_get_text (CONFAB_SAVE_BANNER (banner)));
  /* At the top of the chat, above the conversation. */
  {
    graphene_point_t top;

    g_assert_true (gtk_widget_compute_point (banner, GTK_WIDGET (confab_window_get_chat_view (window)),
                                             &GRAPHENE_POINT_INIT (0, 0), &top));
    g_assert_cmpfloat (top.y, <, 0);
  }
  /* Heard when it appears. */
  alert = alert_of (banner, button);
  g_assert_nonnull (alert);
  g_assert_true (gtk_widget_get_mapped (alert));

  /* One banner, no dialog. */
  count_banners (GTK_WIDGET (window), &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (count_dialogs (GTK_WINDOW (window)), ==, 0);

  /* The conversation is still there. */
  g_assert_cmpuint (confab_test_n_messages (window), ==, 2);
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 0));
  shown = confab_test_row_text (row);
  g_assert_cmpstr (shown, ==, "Keep this sentence");
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 1));
  answer = confab_test_row_text (row);
  g_assert_cmpstr (answer, ==, "The answer stays here.");

  /* The user keeps working: the composer takes text and sends it; the answer's writes
   * succeed, and the banner stays (what failed is still not on disk). */
  composer_view = confab_composer_get_text_view (confab_window_get_composer (window));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (composer_view)));
  confab_test_type_and_press_enter (window, "And this one");
  confab_test_wait_idle (window);
  g_assert_true (confab_store_flush (store, NULL));
  g_assert_cmpuint (confab_test_n_messages (window), ==, 4);
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 3));
  later = confab_test_row_text (row);
  g_assert_cmpstr (later, ==, "A later answer.");
  g_assert_true (confab_save_banner_get_revealed (CONFAB_SAVE_BANNER (banner)));
  g_assert_true (gtk_widget_get_mapped (button));

  /* A different failure: the same banner says the newest. */
  fail_write (store, "this conversation is busy in another window or process.");
  CONFAB_TEST_WAIT_FOR (strstr (confab_save_banner_get_text (CONFAB_SAVE_BANNER (banner)), "busy") != NULL, WAIT_MS);
  g_assert_cmpstr (confab_save_banner_get_text (CONFAB_SAVE_BANNER (banner)), ==,
                   "Not saved: this conversation is busy in another window or process. "
                   "The text stays in this window: export it to keep a copy.");
  n = 0;
  count_banners (GTK_WIDGET (window), &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (count_dialogs (GTK_WINDOW (window)), ==, 0);

  /* Narrow: the text wraps, the button stays in the window. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (window)) <= 400, WAIT_MS);
  confab_test_wait_frames (GTK_WIDGET (window));
  {
    graphene_rect_t bounds;

    g_assert_true (gtk_widget_compute_bounds (button, GTK_WIDGET (window), &bounds));
    g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (window)));
  }
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "save-banner-360.png");

  /* Export… opens the export of the conversation shown: the save chooser. (GTK 4.10+
   * exports through GtkFileDialog, which a test cannot see or answer.) */
#if !GTK_CHECK_VERSION (4, 10, 0)
  g_assert_true (gtk_widget_activate (button));
  /* A button activated from the keyboard is clicked when its pressed look ends. */
  CONFAB_TEST_WAIT_FOR (g_object_get_data (G_OBJECT (window), "confab-export-chooser") != NULL, WAIT_MS);
  chooser = g_object_get_data (G_OBJECT (window), "confab-export-chooser");
G_GNUC_BEGIN_IGNORE_DEPRECATIONS   /* GtkFileChooser: deprecated in GTK 4.10 */
  g_assert_true (gtk_native_dialog_get_visible (GTK_NATIVE_DIALOG (chooser)));
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)), ==, GTK_FILE_CHOOSER_ACTION_SAVE);
G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_CANCEL);
  g_assert_null (g_object_get_data (G_OBJECT (window), "confab-export-chooser"));
#endif

  /* It stays: the failed text is still not on disk. */
  g_assert_true (confab_save_banner_get_revealed (CONFAB_SAVE_BANNER (banner)));
}

static void
test_write_failed_banner (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *first[] = { "The answer ", "stays here.", NULL };
  const char *second[] = { "A later answer.", NULL };
  g_autofree char *body1 = confab_test_sse_answer (first, FALSE);
  g_autofree char *body2 = confab_test_sse_answer (second, FALSE);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, body1, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, body2, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_write_failed, NULL);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init_isolated (&argc, &argv);
  /* Before the first test: GTK's settings schemas (the file chooser's) are found where the
   * system has them, as in test-first-hour. */
  gtk_init ();
  adw_init ();

  g_test_add_func ("/store-errors/write-failed-banner", test_write_failed_banner);

  return g_test_run ();
}
