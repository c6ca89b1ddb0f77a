/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import-alpaca"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-import.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-test-util.h"

/* Alpaca's SQLite database (tests/data/import/alpaca.sql, built into a .db here). */

static char *
temp_path (const char *name)
{
  static guint n;
  g_autofree char *dir = g_strdup_printf ("t%u", n++);
  char *path = g_build_filename (g_get_user_data_dir (), dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  return path;
}

/* A database at a fresh path from @sql (and @extra, if any). */
static char *
make_db (const char *sql,
         const char *extra)
{
  char *path = temp_path ("alpaca.db");
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK ||
      (extra != NULL && sqlite3_exec (db, extra, NULL, NULL, &message) != SQLITE_OK))
    g_error ("fixture: %s", message);
  sqlite3_close (db);

  return path;
}

static char *
fixture_sql (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "import", "alpaca.sql", NULL);
  g_autoptr(GError) error = NULL;
  char *sql = NULL;

  g_file_get_contents (path, &sql, NULL, &error);
  g_assert_no_error (error);
  return sql;
}

static ConfabStore *
new_store (void)
{
  g_autofree char *path = temp_path ("confab.db");
  g_autoptr(GError) error = NULL;
  ConfabStore *store = confab_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static guint
count_conversations (ConfabStore *store)
{
  g_autoptr(GListModel) list = confab_store_list (store, NULL);

  return g_list_model_get_n_items (list);
}

static ConfabMessage *
message_at (ConfabConversation *conversation,
            guint               i)
{
  g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);

  g_assert_nonnull (message);
  return message; /* the conversation keeps it */
}

static gint64
local_usec (int year, int month, int day, int hour, int minute, int second)
{
  g_autoptr(GDateTime) time = g_date_time_new_local (year, month, day, hour, minute, second);

  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

static void
test_import (void)
{
  g_autofree char *sql = fixture_sql ();
  g_autofree char *db = make_db (sql, NULL);
  g_autoptr(ConfabStore) store = new_store ();
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(ConfabImportResult) again = NULL;
  g_autoptr(ConfabConversation) first = NULL;
  g_autoptr(ConfabConversation) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  ConfabMessage *m;

  g_assert_true (g_file_get_contents (db, &before, &before_len, NULL));

  result = confab_import_file (store, db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->format, ==, CONFAB_IMPORT_FORMAT_ALPACA);
  g_assert_cmpstr (confab_import_format_to_string (result->format), ==, "Alpaca");
  g_assert_cmpuint (result->ids->len, ==, 2);
  g_assert_cmpuint (result->n_imported, ==, 2);
  g_assert_cmpuint (result->n_skipped, ==, 0);
  g_assert_cmpuint (count_conversations (store), ==, 2);

  first = confab_store_load (store, g_ptr_array_index (result->ids, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_conversation_get_title (first), ==, "Sourdough starter");
  /* The model of its last answer. */
  g_assert_cmpstr (confab_conversation_get_model (first), ==, "qwen3:8b");
  g_assert_cmpint (confab_conversation_get_created_at (first), ==, local_usec (2025, 3, 1, 10, 0, 1));
  g_assert_cmpint (confab_conversation_get_updated_at (first), ==, local_usec (2025, 3, 1, 10, 2, 40));

  /* Date order (the rows were inserted out of it), one branch, the model per message. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (first)), ==, 4);
  g_assert_cmpuint (confab_conversation_get_tree (first)->len, ==, 4);
  m = message_at (first, 0);
  g_assert_cmpint (confab_message_get_role (m), ==, CONFAB_ROLE_USER);
  g_assert_cmpstr (confab_message_get_content (m), ==, "How do I start a sourdough starter?");
  g_assert_null (confab_message_get_model (m));  /* NULL in Alpaca */
  g_assert_cmpint (confab_message_get_created_at (m), ==, local_usec (2025, 3, 1, 10, 0, 1));
  m = message_at (first, 1);
  g_assert_cmpint (confab_message_get_role (m), ==, CONFAB_ROLE_ASSISTANT);
  g_assert_cmpstr (confab_message_get_content (m), ==, "Mix equal weights of flour and water.");
  g_assert_cmpstr (confab_message_get_model (m), ==, "llama3.2:3b");
  g_assert_cmpint (confab_message_get_created_at (m), ==, local_usec (2025, 3, 1, 10, 0, 30));
  m = message_at (first, 2);
  g_assert_cmpint (confab_message_get_role (m), ==, CONFAB_ROLE_USER);
  g_assert_cmpstr (confab_message_get_content (m), ==, "And how often do I feed it?");
  g_assert_null (confab_message_get_model (m));  /* "" in Alpaca */
  m = message_at (first, 3);
  g_assert_cmpstr (confab_message_get_model (m), ==, "qwen3:8b");
  g_assert_cmpstr (confab_message_get_content (m), ==, "Once a day at room temperature.");

  /* An older row without seconds; the image as a placeholder. */
  second = confab_store_load (store, g_ptr_array_index (result->ids, 1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_conversation_get_title (second), ==, "Photo of a bird");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (second)), ==, 2);
  m = message_at (second, 0);
  g_assert_cmpstr (confab_message_get_content (m), ==, "What bird is this?\n\n[Image: robin.jpg]");
  g_assert_cmpint (confab_message_get_created_at (m), ==, local_usec (2025, 3, 2, 11, 0, 0));
  g_assert_cmpstr (confab_message_get_model (message_at (second, 1)), ==, "gemma3:4b");

  /* Again: nothing new, nothing duplicated. */
  again = confab_import_file (store, db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_imported, ==, 0);
  g_assert_cmpuint (again->n_skipped, ==, 2);
  g_assert_cmpuint (count_conversations (store), ==, 2);

  /* Alpaca's database is only read. */
  g_assert_true (g_file_get_contents (db, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
}

/* Opened read-only: a database the user cannot write is imported. */
static void
test_read_only_file (void)
{
  g_autofree char *sql = fixture_sql ();
  g_autofree char *db = make_db (sql, NULL);
  g_autoptr(ConfabStore) store = new_store ();
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_chmod (db, 0444), ==, 0);
  result = confab_import_file (store, db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_imported, ==, 2);
}

/* A SQLite database that is not Alpaca's: a clear refusal, nothing imported. */
static void
test_not_alpaca (void)
{
  g_autofree char *db = make_db ("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                                 "INSERT INTO notes (text) VALUES ('hello');", NULL);
  g_autoptr(ConfabStore) store = new_store ();
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = confab_import_file (store, db, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT);
  g_assert_nonnull (strstr (error->message, "not an Alpaca database"));
  g_assert_nonnull (strstr (error->message, "ChatGPT"));
  g_assert_cmpuint (count_conversations (store), ==, 0);
}

/* SQLite's header then garbage: SQLite's own reason, nothing imported. */
static void
test_damaged (void)
{
  g_autofree char *path = temp_path ("damaged.db");
  g_autoptr(ConfabStore) store = new_store ();
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char data[4096];

  memset (data, 0x5a, sizeof data);
  memcpy (data, "SQLite format 3", 16);
  g_assert_true (g_file_set_contents (path, data, sizeof data, NULL));

  result = confab_import_file (store, path, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Could not read the Alpaca database"));
  g_assert_cmpuint (count_conversations (store), ==, 0);
}

/* Confab's own database picked by mistake is not Alpaca's either. */
static void
test_confab_database (void)
{
  g_autoptr(ConfabStore) store = new_store ();
  g_autoptr(ConfabStore) other = new_store ();
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_USER, "hi");
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_conversation_append (conversation, message);
  g_assert_true (confab_store_save (other, conversation, &error));
  g_assert_true (confab_store_flush (other, &error));
  g_assert_no_error (error);

  result = confab_import_file (store, confab_store_get_path (other), NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT);
  g_assert_cmpuint (count_conversations (store), ==, 0);
}

/* A bad row in the second chat: the first one is not imported either. */
static void
test_nothing_partial (void)
{
  g_autofree char *sql = fixture_sql ();
  g_autofree char *db = make_db (sql, "INSERT INTO message VALUES ('m9', '20250302110000000000c2', 'narrator', '',"
                                      " '2025/03/02 11:01:00', 'Once upon a time');");
  g_autoptr(ConfabStore) store = new_store ();
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = confab_import_file (store, db, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT);
  g_assert_nonnull (strstr (error->message, "narrator"));
  g_assert_cmpuint (count_conversations (store), ==, 0);
}

/* An empty chat (Alpaca's "New Chat") is kept, dated when it was imported, not 1970. */
static void
test_empty_chat (void)
{
  g_autofree char *sql = fixture_sql ();
  g_autofree char *db = make_db (sql, "INSERT INTO chat VALUES ('20250303000000000000c3', 'New Chat', NULL, 0);");
  g_autoptr(ConfabStore) store = new_store ();
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(ConfabConversation) empty = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_real_time ();

  result = confab_import_file (store, db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_imported, ==, 3);
  empty = confab_store_load (store, g_ptr_array_index (result->ids, 2), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_conversation_get_title (empty), ==, "New Chat");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (empty)), ==, 0);
  g_assert_cmpint (confab_conversation_get_created_at (empty), >=, start);
  g_assert_cmpint (confab_conversation_get_updated_at (empty), >=, start);
}

static void
test_cancelled (void)
{
  g_autofree char *sql = fixture_sql ();
  g_autofree char *db = make_db (sql, NULL);
  g_autoptr(ConfabStore) store = new_store ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  result = confab_import_file (store, db, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_conversations (store), ==, 0);
}

/* confab-cli import alpaca.db: the summary, then nothing again; a wrong database refused. */
static void
test_cli (void)
{
  g_autofree char *sql = fixture_sql ();
  g_autofree char *db = make_db (sql, NULL);
  g_autofree char *other = make_db ("CREATE TABLE notes (id INTEGER PRIMARY KEY);", NULL);
  const char *args[] = { "import", db, NULL };
  const char *other_args[] = { "import", other, NULL };
  const char *list_args[] = { "list", NULL };
  g_autoptr(ConfabCliResult) first = NULL;
  g_autoptr(ConfabCliResult) again = NULL;
  g_autoptr(ConfabCliResult) refused = NULL;
  g_autoptr(ConfabCliResult) list = NULL;

  refused = confab_test_run_cli (other_args, NULL, NULL, 20000);
  g_assert_cmpint (refused->exit_status, ==, 1);
  g_assert_nonnull (strstr (refused->stderr_text, "not an Alpaca database"));

  first = confab_test_run_cli (args, NULL, NULL, 20000);
  g_test_message ("import: %s%s", first->stdout_text, first->stderr_text);
  g_assert_cmpint (first->exit_status, ==, 0);
  g_assert_cmpstr (first->stdout_text, ==, "Alpaca export: 2 imported, 0 already there\n");

  again = confab_test_run_cli (args, NULL, NULL, 20000);
  g_assert_cmpint (again->exit_status, ==, 0);
  g_assert_cmpstr (again->stdout_text, ==, "Alpaca export: 0 imported, 2 already there\n");

  list = confab_test_run_cli (list_args, NULL, NULL, 20000);
  g_assert_cmpint (list->exit_status, ==, 0);
  g_assert_nonnull (strstr (list->stdout_text, "Sourdough starter"));
  g_assert_nonnull (strstr (list->stdout_text, "Photo of a bird"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/import-alpaca/import", test_import);
  g_test_add_func ("/import-alpaca/read-only-file", test_read_only_file);
  g_test_add_func ("/import-alpaca/not-alpaca", test_not_alpaca);
  g_test_add_func ("/import-alpaca/confab-database", test_confab_database);
  g_test_add_func ("/import-alpaca/damaged", test_damaged);
  g_test_add_func ("/import-alpaca/nothing-partial", test_nothing_partial);
  g_test_add_func ("/import-alpaca/empty-chat", test_empty_chat);
  g_test_add_func ("/import-alpaca/cancelled", test_cancelled);
  g_test_add_func ("/import-alpaca/cli", test_cli);

  return g_test_run ();
}
