/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store-backup"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-store-backup.h"
#include "confab-test-util.h"

static char *
db_path (void)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives each test its own XDG_DATA_HOME. */
  return confab_store_get_default_path ();
}

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

static void
test_backup_restore (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autoptr(GPtrArray) backups = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *previous = NULL;

  g_assert_no_error (error);
  a = save_simple (store, "before the backup");
  backup = confab_store_backup_now (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_quick_check (backup, &error));
  g_assert_no_error (error);

  b = save_simple (store, "after the backup");
  g_assert_true (confab_store_contains (store, b));

  /* The backup is a database of its own, with what there was. */
  {
    g_autoptr(ConfabStore) copy = confab_store_open (backup, &error);

    g_assert_no_error (error);
    g_assert_true (confab_store_contains (copy, a));
    g_assert_false (confab_store_contains (copy, b));
  }

  g_assert_true (confab_store_restore (store, backup, &previous, &error));
  g_assert_no_error (error);
  g_assert_true (confab_store_contains (store, a));
  g_assert_false (confab_store_contains (store, b));

  /* The store still writes after the restore, and the database is still in WAL mode. */
  {
    g_autofree char *c = save_simple (store, "after the restore");
    g_autoptr(ConfabStore) again = NULL;

    g_clear_object (&store);
    again = confab_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_true (confab_store_contains (again, a));
    g_assert_true (confab_store_contains (again, c));
    g_assert_false (confab_store_contains (again, b));
  }

  /* What was there before the restore was backed up first. */
  g_assert_nonnull (previous);
  {
    g_autoptr(ConfabStore) before = confab_store_open (previous, &error);

    g_assert_no_error (error);
    g_assert_true (confab_store_contains (before, b));
  }

  backups = confab_store_list_backups (path);
  g_assert_cmpuint (backups->len, >=, 1);
}

static void
make_fake_backup (const char *dir,
                  const char *stamp,
                  gsize       size)
{
  g_autofree char *name = g_strdup_printf ("confab-%s.db", stamp);
  g_autofree char *file = g_build_filename (dir, name, NULL);
  g_autofree char *data = g_malloc0 (size);

  g_assert_true (g_file_set_contents (file, data, size, NULL));
}

static void
test_rotate (void)
{
  g_autofree char *path = db_path ();
  g_autofree char *dir = confab_store_backup_dir (path);
  g_autoptr(GPtrArray) backups = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  make_fake_backup (dir, "20260101-000000", 1000);
  make_fake_backup (dir, "20260102-000000", 1000);
  make_fake_backup (dir, "20260103-000000", 1000);
  make_fake_backup (dir, "20260104-000000", 1000);
  make_fake_backup (dir, "20260105-000000", 1000);

  /* The last three kept. */
  confab_store_rotate_backups (path, 3, G_MAXUINT64);
  backups = confab_store_list_backups (path);
  g_assert_cmpuint (backups->len, ==, 3);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (backups, 0), "confab-20260105-000000.db"));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (backups, 2), "confab-20260103-000000.db"));
  g_clear_pointer (&backups, g_ptr_array_unref);

  /* And no more than 2500 bytes in all. */
  confab_store_rotate_backups (path, 3, 2500);
  backups = confab_store_list_backups (path);
  g_assert_cmpuint (backups->len, ==, 2);
  g_clear_pointer (&backups, g_ptr_array_unref);

  /* The newest always stays. */
  confab_store_rotate_backups (path, 0, 10);
  backups = confab_store_list_backups (path);
  g_assert_cmpuint (backups->len, ==, 1);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (backups, 0), "confab-20260105-000000.db"));
}

static void
async_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  CONFAB_TEST_WAIT_FOR (*result != NULL, 10000);
  return *result;
}

static void
test_daily (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autofree char *id = save_simple (store, "kept daily");
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autofree char *made = NULL;
  g_autofree char *not_due = NULL;

  g_assert_no_error (error);

  /* An old backup: one is due. */
  {
    g_autofree char *dir = confab_store_backup_dir (path);

    g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    make_fake_backup (dir, "20200101-000000", 10);
  }

  confab_store_daily_backup_async (path, 7, G_MAXUINT64, NULL, async_cb, &first);
  made = confab_store_daily_backup_finish (wait_for (&first), &error);
  g_assert_no_error (error);
  g_assert_nonnull (made);
  {
    g_autoptr(ConfabStore) copy = confab_store_open (made, &error);
    g_assert_no_error (error);
    g_assert_true (confab_store_contains (copy, id));
  }

  /* The newest is from now: none is due. */
  confab_store_daily_backup_async (path, 7, G_MAXUINT64, NULL, async_cb, &second);
  not_due = confab_store_daily_backup_finish (wait_for (&second), &error);
  g_assert_no_error (error);
  g_assert_null (not_due);
}

static void
damage (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 4096);
  /* Garbage over everything after the first page: the schema and the tables. */
  memset (data + 1024, 0xA5, len - 1024);
  g_assert_true (g_file_set_contents (path, data, len, NULL));
}

static void
test_corrupt_recovery (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autoptr(GAsyncResult) checked = NULL;
  g_autofree char *id = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *good = NULL;

  g_assert_no_error (error);
  id = save_simple (store, "worth keeping");
  backup = confab_store_backup_now (path, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  /* A damaged backup is newer: it is not the one offered. */
  {
    g_autofree char *dir = confab_store_backup_dir (path);
    g_autofree char *bad = g_build_filename (dir, "confab-29991231-235959.db", NULL);
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (backup, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (bad, contents, len, NULL));
    damage (bad);
  }

  damage (path);

  confab_store_quick_check_async (path, NULL, async_cb, &checked);
  g_assert_false (confab_store_quick_check_finish (wait_for (&checked), &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  aside = confab_store_move_aside (path, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));

  good = confab_store_find_good_backup (path);
  g_assert_cmpstr (good, ==, backup);
  g_assert_true (confab_store_restore_file (good, path, &error));
  g_assert_no_error (error);

  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_contains (store, id));
}

static void
test_not_a_database (void)
{
  g_autofree char *path = db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "not a database at all, just text", -1, NULL));
  g_assert_false (confab_store_quick_check (path, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE);
  g_assert_null (confab_store_find_good_backup (path));
}

/* After the app closed it (its -wal and -shm gone): still backed up and checked. */
static void
test_closed_database (void)
{
  g_autofree char *path = db_path ();
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autofree char *id = NULL;
  g_autofree char *backup = NULL;

  g_assert_no_error (error);
  id = save_simple (store, "closed");
  g_clear_object (&store);
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));

  g_assert_true (confab_store_quick_check (path, &error));
  g_assert_no_error (error);
  backup = confab_store_backup_now (path, NULL, &error);
  g_assert_no_error (error);
  store = confab_store_open (backup, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_contains (store, id));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store-backup/backup-restore", test_backup_restore);
  g_test_add_func ("/store-backup/rotate", test_rotate);
  g_test_add_func ("/store-backup/daily", test_daily);
  g_test_add_func ("/store-backup/corrupt-recovery", test_corrupt_recovery);
  g_test_add_func ("/store-backup/not-a-database", test_not_a_database);
  g_test_add_func ("/store-backup/closed-database", test_closed_database);

  return g_test_run ();
}
