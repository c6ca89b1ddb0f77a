/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import-dialog"

#include "config.h"

#include <adwaita.h>
#include <sqlite3.h>
#include <string.h>

#include "confab-import-dialog.h"
#include "confab-store.h"
#include "confab-conversation.h"
#include "confab-session.h"
#include "confab-store-summary.h"
#include "confab-test-app.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"

/* Iterates until a message dialog is shown (the import's summary or error), or fails. */
static AdwMessageDialog *
wait_for_message (void)
{
  return confab_test_wait_for_message_dialog (NULL, 10000);
}

static guint
count (ConfabStore *store)
{
  g_autoptr(GListModel) list = confab_store_list (store, NULL);

  return g_list_model_get_n_items (list);
}

static void
import (GtkWindow   *parent,
        ConfabStore *store,
        const char  *name,
        const char  *heading,
        const char  *body)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "import", name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  AdwMessageDialog *dialog;

  confab_import_dialog_import_file (parent, store, file);
  dialog = wait_for_message ();
  g_test_message ("%s: %s", adw_message_dialog_get_heading (dialog), adw_message_dialog_get_body (dialog));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, heading);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), body));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_import_summary (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open_default (&error);
  GtkWindow *parent = GTK_WINDOW (gtk_window_new ());

  g_assert_no_error (error);
  gtk_window_present (parent);

  import (parent, store, "chatgpt.json", "Conversations Imported",
          "From the ChatGPT export: 2 conversations imported; already there: 0.\n"
          "1 conversation has branches");
  g_assert_cmpuint (count (store), ==, 2);

  import (parent, store, "chatgpt.json", "Conversations Imported", "0 conversations imported; already there: 2");
  g_assert_cmpuint (count (store), ==, 2);

  /* One is one conversation (it read "1 conversations", and "From a Open WebUI export"). */
  import (parent, store, "open-webui.json", "Conversations Imported",
          "From the Open WebUI export: 1 conversation imported; already there: 0.");
  g_assert_cmpuint (count (store), ==, 3);

  import (parent, store, "mixed.json", "Nothing Was Imported", "Conversation 2");
  g_assert_cmpuint (count (store), ==, 3);

  gtk_window_destroy (parent);
}

static const char *
find_title (ConfabStore *store,
            const char  *title)
{
  g_autoptr(GListModel) list = confab_store_list (store, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(ConfabStoreSummary) summary = g_list_model_get_item (list, i);

      if (g_strcmp0 (confab_store_summary_get_title (summary), title) == 0)
        return g_intern_string (confab_store_summary_get_id (summary));
    }

  return NULL;
}

/* In the real window: a ChatGPT export imported from the window, its conversations listed,
 * the one with a branch opened on the branch ChatGPT showed, with its tool-call card. */
static void
check_import_in_window (ConfabWindow *window,
                        gpointer      data)
{
  ConfabApplication *app = CONFAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  ConfabStore *store = confab_application_get_store (app);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "import", "chatgpt.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ConfabConversation *shown;
  const char *id;

  confab_import_dialog_import_file (GTK_WINDOW (window), store, file);
  gtk_window_destroy (GTK_WINDOW (confab_test_wait_for_message_dialog ("Conversations Imported", 10000)));

  id = find_title (store, "Weather and a plot");
  g_assert_nonnull (id);
  g_assert_true (confab_window_open_conversation (window, id));
  shown = confab_session_get_conversation (confab_window_get_session (window));
  g_assert_cmpstr (confab_conversation_get_id (shown), ==, id);
  CONFAB_TEST_WAIT_FOR (confab_test_n_messages (window) > 0, 10000);

  confab_test_wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "import.png");
}

static void
test_import_in_window (void)
{
  const char *args[] = { "--base-url", "http://127.0.0.1:9/v1", "--model", "test-model", NULL };

  confab_test_run_app (args, check_import_in_window, NULL);
}

/* Alpaca's database (built from alpaca.sql), imported in the worker thread. */
static void
test_import_alpaca (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open_default (&error);
  g_autofree char *sql_path = g_test_build_filename (G_TEST_DIST, "data", "import", "alpaca.sql", NULL);
  g_autofree char *db_path = g_build_filename (g_get_user_cache_dir (), "alpaca.db", NULL);
  g_autofree char *sql = NULL;
  GtkWindow *parent = GTK_WINDOW (gtk_window_new ());
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (sql_path, &sql, NULL, NULL));
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  gtk_window_present (parent);

  {
    g_autoptr(GFile) file = g_file_new_for_path (db_path);
    AdwMessageDialog *dialog;

    confab_import_dialog_import_file (parent, store, file);
    dialog = wait_for_message ();
    g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Conversations Imported");
    g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                     "From Alpaca’s database: 2 conversations imported; already there: 0.");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  g_assert_cmpuint (count (store), ==, 2);

  gtk_window_destroy (parent);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init_isolated (&argc, &argv);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/import-dialog/summary", test_import_summary);
  g_test_add_func ("/import-dialog/in-window", test_import_in_window);
  g_test_add_func ("/import-dialog/alpaca", test_import_alpaca);

  return g_test_run ();
}
