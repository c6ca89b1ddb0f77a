/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store-errors"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <sqlite3.h>

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

/* A save that fails on the store's writer thread (disk full, read-only file; here the
 * database refuses the rows through triggers) reaches the window: a banner at the top of
 * the chat says what failed, once however many writes fail, with Export… to keep a copy.
 * No dialog: the user keeps reading and typing. */

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

/* Runs @sql on the app's database through a connection of its own. */
static void
run_sql (ConfabStore *store,
         const char  *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (confab_store_get_path (store), &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, WAIT_MS);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static int
count_rows (ConfabStore *store,
            const char  *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_open (confab_store_get_path (store), &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* The store warns of each write that fails; here they are expected: counted, not printed
 * (a fatal-flagged message is a "Bail out!" on the TAP output) nor fatal. */
static gboolean
is_save_warning (const char *log_domain,
                 const char *message)
{
  return g_strcmp0 (log_domain, "confab-store") == 0 && strstr (message, "Could not save") != NULL;
}

static gboolean
allow_save_warnings (const char     *log_domain,
                     GLogLevelFlags  log_level,
                     const char     *message,
                     gpointer        user_data)
{
  return !is_save_warning (log_domain, message);
}

static void
count_save_warnings (const char     *log_domain,
                     GLogLevelFlags  log_level,
                     const char     *message,
                     gpointer        user_data)
{
  guint *count = user_data;

  if (is_save_warning (log_domain, message))
    (*count)++;
  else
    g_log_default_handler (log_domain, log_level, message, NULL);
}

static void
check_write_failed (ConfabWindow *window,
                    gpointer      data)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));
  ConfabStore *store = confab_application_get_store (CONFAB_APPLICATION (app));
  GtkWidget *banner = confab_test_find_widget_of_type (GTK_WIDGET (window), CONFAB_TYPE_SAVE_BANNER);
  g_autoptr(GError) error = NULL;
  GtkTextView *composer_view;
  GtkWidget *button;
  GtkWidget *label;
  GtkWidget *alert;
  ConfabMessageRow *row;
  GObject *chooser;
  g_autofree char *shown = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *later = NULL;
  g_autofree char *expected = NULL;
  guint n = 0;
  guint n_warnings = 0;
  guint handler;

  g_assert_nonnull (store);
  g_assert_nonnull (banner);
  g_assert_false (confab_save_banner_get_revealed (CONFAB_SAVE_BANNER (banner)));

  /* A conversation in the window, saved. */
  confab_test_type_and_press_enter (window, "Keep this sentence");
  confab_test_wait_idle (window);
  g_assert_true (confab_store_flush (store, NULL));
  g_assert_false (confab_save_banner_get_revealed (CONFAB_SAVE_BANNER (banner)));

  /* From now on the database refuses the answers (as a full disk would): the writer
   * thread's writes fail for real. */
  g_test_log_set_fatal_handler (allow_save_warnings, NULL);
  handler = g_log_set_handler ("confab-store", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                               count_save_warnings, &n_warnings);
  run_sql (store,
           "CREATE TRIGGER refuse_answers BEFORE INSERT ON messages WHEN NEW.role = 'assistant'"
           " BEGIN SELECT RAISE (ABORT, 'no space left (test)'); END;"
           "CREATE TRIGGER refuse_pieces BEFORE INSERT ON message_pieces"
           " BEGIN SELECT RAISE (ABORT, 'no space left (test)'); END;");
  confab_test_type_and_press_enter (window, "Keep this one too");
  confab_test_wait_idle (window);
  g_assert_false (confab_store_flush (store, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE);
  g_assert_cmpuint (n_warnings, >, 0);

  button = confab_test_find_widget_of_type (banner, GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (button), WAIT_MS);
  g_assert_true (confab_save_banner_get_revealed (CONFAB_SAVE_BANNER (banner)));
  expected = g_strdup_printf ("Not saved: Could not save the conversation to %s: no space left (test). "
                              "The text stays in this window: export it to keep a copy.",
                              confab_store_get_path (store));
  g_assert_cmpstr (confab_save_banner_get_text (CONFAB_SAVE_BANNER (banner)), ==, expected);
  /* It is not on disk indeed. */
  g_assert_cmpint (count_rows (store, "SELECT count (*) FROM messages WHERE content LIKE 'The second answer%'"), ==, 0);
  confab_test_wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "save-banner.png");

  /* The conversation is still in the window, the unsaved answer too. */
  g_assert_cmpuint (confab_test_n_messages (window), ==, 4);
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 0));
  shown = confab_test_row_text (row);
  g_assert_cmpstr (shown, ==, "Keep this sentence");
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 3));
  answer = confab_test_row_text (row);
  g_assert_cmpstr (answer, ==, "The second answer stays here.");

  /* More failures, one with markup characters in its path: one banner, plain text. */
  fail_write (store, "Could not save the conversation to /x/<b>a&b</b>.db: the disk is full");
  fail_write (store, "Could not save the conversation to /x/<b>a&b</b>.db: the disk is full");
  CONFAB_TEST_WAIT_FOR (strstr (confab_save_banner_get_text (CONFAB_SAVE_BANNER (banner)), "<b>") != NULL, WAIT_MS);
  g_assert_cmpstr (confab_save_banner_get_text (CONFAB_SAVE_BANNER (banner)), ==,
                   "Not saved: Could not save the conversation to /x/<b>a&b</b>.db: the disk is full. "
                   "The text stays in this window: export it to keep a copy.");
  label = banner_label (banner);
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==,
                   confab_save_banner_get_text (CONFAB_SAVE_BANNER (banner)));
  count_banners (GTK_WIDGET (window), &n);
  g_assert_cmpuint (n, ==, 1);
  /* No dialog. */
  g_assert_cmpuint (count_dialogs (GTK_WINDOW (window)), ==, 0);
  /* At the top of the chat, above the conversation. */
  {
    graphene_point_t top;

    g_assert_true (gtk_widget_compute_point (banner, GTK_WIDGET (confab_window_get_chat_view (window)),
                                             &GRAPHENE_POINT_INIT (0, 0), &top));
    g_assert_cmpfloat (top.y, <, 0);
  }
  /* For screen readers: an alert. */
  alert = alert_of (banner, button);
  g_assert_nonnull (alert);
  g_assert_true (gtk_widget_get_mapped (alert));

  /* The disk has room again. The user keeps working: the composer takes text and sends it,
   * and those writes succeed; the banner stays (what failed is still not on disk). */
  run_sql (store, "DROP TRIGGER refuse_answers; DROP TRIGGER refuse_pieces;");
  composer_view = confab_composer_get_text_view (confab_window_get_composer (window));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (composer_view)));
  confab_test_type_and_press_enter (window, "And this one");
  confab_test_wait_idle (window);
  g_assert_true (confab_store_flush (store, NULL));
  g_assert_cmpuint (confab_test_n_messages (window), ==, 6);
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 5));
  later = confab_test_row_text (row);
  g_assert_cmpstr (later, ==, "A later answer.");
  g_assert_cmpint (count_rows (store, "SELECT count (*) FROM messages WHERE content = 'A later answer.'"), ==, 1);
  g_assert_true (confab_save_banner_get_revealed (CONFAB_SAVE_BANNER (banner)));
  g_assert_true (gtk_widget_get_mapped (button));
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

  /* It stays: the failed answer is still not on disk. */
  g_assert_true (confab_save_banner_get_revealed (CONFAB_SAVE_BANNER (banner)));
  g_log_remove_handler ("confab-store", handler);
  g_test_log_set_fatal_handler (NULL, NULL);
}

static void
test_write_failed_banner (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *first[] = { "The first answer.", NULL };
  const char *second[] = { "The second answer ", "stays here.", NULL };
  const char *third[] = { "A later answer.", NULL };
  g_autofree char *body1 = confab_test_sse_answer (first, FALSE);
  g_autofree char *body2 = confab_test_sse_answer (second, FALSE);
  g_autofree char *body3 = confab_test_sse_answer (third, FALSE);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, body1, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, body2, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, body3, CONFAB_REPLAY_NONE);
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
