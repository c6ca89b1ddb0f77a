/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-backups"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "confab-application.h"
#include "confab-test-app.h"
#include "confab-test-util.h"
#include "confab-backups.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-store-backup.h"

static char *
save_simple (ConfabStore *store,
             const char  *text)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, text);

  confab_conversation_append (conversation, user);
  g_assert_true (confab_store_save (store, conversation, NULL));

  return g_strdup (confab_conversation_get_id (conversation));
}

/* Lists the backups beside @path into *@backups; TRUE when there is one. */
static gboolean
backups_listed (const char  *path,
                GPtrArray  **backups)
{
  g_clear_pointer (backups, g_ptr_array_unref);
  *backups = confab_store_list_backups (path);
  return (*backups)->len > 0;
}

/* Iterates until a message dialog with @heading is shown, or fails. */
static AdwMessageDialog *
wait_for_dialog (const char *heading)
{
  return confab_test_wait_for_message_dialog (heading, 10000);
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Preferences → Backups: Restore… on a chosen backup, confirmed. */
static void
test_preferences_restore (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *backup = NULL;
  GtkWidget *window = adw_window_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group;
  GtkWidget *button;

  g_assert_no_error (error);
  a = save_simple (store, "in the backup");
  backup = confab_store_backup_now (path, NULL, &error);
  g_assert_no_error (error);
  b = save_simple (store, "after it");

  group = confab_backups_group_new (store);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  adw_window_set_content (ADW_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));

  button = find_button (group, "_Restore…");
  g_assert_nonnull (button);
  gtk_widget_activate (button);
  respond (wait_for_dialog ("Restore This Backup?"), "restore");
  respond (wait_for_dialog ("Backup Restored"), "close");

  g_assert_true (confab_store_contains (store, a));
  g_assert_false (confab_store_contains (store, b));

  /* The one before the restore is listed too now. */
  {
    g_autoptr(GPtrArray) backups = confab_store_list_backups (path);
    g_assert_cmpuint (backups->len, ==, 2);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
damage (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  memset (data + 1024, 0xA5, len - 1024);
  g_assert_true (g_file_set_contents (path, data, len, NULL));
}

/* A database that cannot be opened: moved aside, an empty one started, the user told and
 * the newest good backup offered. */
static void
test_recover_damaged (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autoptr(ConfabStore) recovered = NULL;
  g_autofree char *id = NULL;
  g_autofree char *backup = NULL;
  GtkWidget *window = adw_window_new ();
  AdwMessageDialog *dialog;
  gboolean aside_found = FALSE;

  g_assert_no_error (error);
  id = save_simple (store, "precious");
  backup = confab_store_backup_now (path, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  damage (path);

  store = confab_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE);

  recovered = confab_backups_recover (NULL, path, error);
  g_assert_nonnull (recovered);
  g_assert_false (confab_store_contains (recovered, id));

  /* Nothing deleted: the damaged file is next to it. */
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      aside_found |= g_str_has_prefix (name, "confab.db.broken-") && !g_str_has_suffix (name, "-wal");
  }
  g_assert_true (aside_found);

  gtk_window_present (GTK_WINDOW (window));
  confab_backups_present_offer (GTK_WINDOW (window), recovered, "It was damaged.");
  dialog = wait_for_dialog ("Conversation History Damaged");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "It was damaged."));
  respond (dialog, "restore");

  g_assert_true (confab_store_contains (recovered, id));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Not damaged, but from a newer Confab: left alone. */
static void
test_recover_leaves_newer (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autoptr(GError) error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_STORE_VERSION, "newer");
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);

  g_clear_object (&store);
  g_assert_null (confab_backups_recover (NULL, path, error));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* After start-up: a healthy database passes the check and gets its daily backup. */
static void
test_after_start (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autoptr(GtkApplication) app = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) backups = NULL;

  g_assert_no_error (error);
  id = save_simple (store, "backed up daily");
  g_assert_true (confab_store_flush (store, NULL));

  confab_backups_after_start (app, store);
  CONFAB_TEST_WAIT_FOR (backups_listed (path, &backups), 10000);

  /* Written under another name and renamed when whole: listed means complete. */
  {
    g_autoptr(ConfabStore) copy = confab_store_open (g_ptr_array_index (backups, 0), &error);

    g_assert_no_error (error);
    g_assert_true (confab_store_contains (copy, id));
  }
}

static void
check_damaged (ConfabWindow *window,
               gpointer      data)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));
  const char *id = data;
  AdwMessageDialog *dialog;
  ConfabStore *store;

  /* Never a silent empty history: the user is told, the backup offered. */
  dialog = wait_for_dialog ("Conversation History Damaged");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "could not be opened"));
  store = confab_application_get_store (CONFAB_APPLICATION (app));
  g_assert_nonnull (store);
  g_assert_false (confab_store_contains (store, id));

  respond (dialog, "restore");
  g_assert_true (confab_store_contains (store, id));
}

/* The real application started on a damaged database. */
static void
test_app_damaged_database (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autofree char *backup = NULL;
  g_autofree char *id = NULL;

  g_assert_no_error (error);
  id = save_simple (store, "still here");
  backup = confab_store_backup_now (path, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  damage (path);

  confab_test_run_app (NULL, check_damaged, id);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init_isolated (&argc, &argv);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/backups/preferences-restore", test_preferences_restore);
  g_test_add_func ("/backups/recover-damaged", test_recover_damaged);
  g_test_add_func ("/backups/recover-leaves-newer", test_recover_leaves_newer);
  g_test_add_func ("/backups/after-start", test_after_start);
  g_test_add_func ("/backups/app-damaged-database", test_app_damaged_database);

  return g_test_run ();
}
