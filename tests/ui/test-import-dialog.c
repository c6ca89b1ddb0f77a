/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import-dialog"

#include "config.h"

#include <adwaita.h>
#include <sqlite3.h>
#include <string.h>

#include "confab-import-dialog.h"
#include "confab-store.h"
#include "confab-test-app.h"

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
          "From a ChatGPT export: 2 conversations imported, 0 already there.\n"
          "1 conversation has branches");
  g_assert_cmpuint (count (store), ==, 2);

  import (parent, store, "chatgpt.json", "Conversations Imported", "0 conversations imported, 2 already there");
  g_assert_cmpuint (count (store), ==, 2);

  import (parent, store, "mixed.json", "Nothing Was Imported", "Conversation 2");
  g_assert_cmpuint (count (store), ==, 2);

  gtk_window_destroy (parent);
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
                     "From Alpaca’s database: 2 conversations imported, 0 already there.");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  g_assert_cmpuint (count (store), ==, 2);

  gtk_window_destroy (parent);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/import-dialog/summary", test_import_summary);
  g_test_add_func ("/import-dialog/alpaca", test_import_alpaca);

  return g_test_run ();
}
