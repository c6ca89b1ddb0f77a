/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store-writer"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"

/* The writer thread, the pieces table, the full-text index at completion and after
 * recovery, only-changed tool calls, the WAL bound, one process per conversation, paged and
 * cancellable search, and errors a person can act on. */

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    result = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return result;
}

static void
exec_script (const char *path,
             const char *sql)
{
  sqlite3 *db = NULL;
  char *errmsg = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    g_error ("script failed: %s", errmsg);
  sqlite3_close (db);
}

static guint
n_hits (ConfabStore *store,
        const char  *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) hits = confab_store_search (store, text, &error);

  g_assert_no_error (error);
  return g_list_model_get_n_items (hits);
}

/* A conversation with a user message and an assistant message left streaming. */
static ConfabConversation *
start_streaming (ConfabStore    *store,
                 ConfabMessage **assistant)
{
  ConfabConversation *conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Tell me about animals");

  confab_store_track (store, conversation);
  confab_conversation_append (conversation, user);
  *assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  confab_message_set_state (*assistant, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, *assistant);

  return conversation;
}

static void
test_pieces_appended_then_joined (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabMessage) assistant = NULL;
  g_autoptr(ConfabConversation) conversation = start_streaming (store, &assistant);
  g_autofree char *n_pieces = NULL;
  g_autofree char *row = NULL;
  g_autofree char *sql = NULL;

  /* Each flush appends what arrived since the last one: the row does not grow. */
  for (guint i = 0; i < 5; i++)
    {
      confab_message_append_content (assistant, "The zanzibar leopard ", -1);
      g_assert_true (confab_store_flush (store, NULL));
    }
  n_pieces = query_text (path, "SELECT count (*) || ':' || sum (length (text)) FROM message_pieces");
  g_assert_cmpstr (n_pieces, ==, "5:105");
  sql = g_strdup_printf ("SELECT length (content) FROM messages WHERE id = '%s'", confab_message_get_id (assistant));
  row = query_text (path, sql);
  g_assert_cmpstr (row, ==, "0");

  /* Not indexed while it streams; indexed once, whole, when it completes. */
  g_assert_cmpuint (n_hits (store, "zanzibar"), ==, 0);
  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_COMPLETE);
  g_assert_true (confab_store_flush (store, NULL));
  g_assert_cmpuint (n_hits (store, "zanzibar"), ==, 1);
  g_free (n_pieces);
  n_pieces = query_text (path, "SELECT count (*) FROM message_pieces");
  g_assert_cmpstr (n_pieces, ==, "0");
  g_free (row);
  row = query_text (path, sql);
  g_assert_cmpstr (row, ==, "105");

  /* And loaded back whole. */
  {
    g_autoptr(ConfabConversation) loaded = confab_store_load (store, confab_conversation_get_id (conversation), NULL);
    g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (loaded), 1);

    g_assert_cmpstr (confab_message_get_content (message), ==, confab_message_get_content (assistant));
  }

  confab_store_untrack (store, conversation);
}

static void
test_recovery_joins_and_indexes (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabStore) reopened = NULL;
  g_autoptr(ConfabMessage) assistant = NULL;
  g_autoptr(ConfabConversation) conversation = start_streaming (store, &assistant);
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabMessage) restored = NULL;
  g_autoptr(GError) error = NULL;

  confab_message_append_reasoning (assistant, "Think of marsupials. ", -1);
  confab_message_append_content (assistant, "The quokka ", -1);
  g_assert_true (confab_store_flush (store, NULL));
  confab_message_append_content (assistant, "smiles.", -1);
  g_assert_true (confab_store_flush (store, NULL));

  /* Another start while this one never finished, as after kill -9: the pieces are joined
   * into the message and it is found by search. */
  reopened = confab_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (confab_store_get_n_recovered (reopened), ==, 1);
  g_assert_cmpuint (n_hits (reopened, "quokka"), ==, 1);
  g_assert_cmpuint (n_hits (reopened, "smiles"), ==, 1);

  loaded = confab_store_load (reopened, confab_conversation_get_id (conversation), &error);
  g_assert_no_error (error);
  restored = g_list_model_get_item (G_LIST_MODEL (loaded), 1);
  g_assert_cmpstr (confab_message_get_content (restored), ==, "The quokka smiles.");
  g_assert_cmpstr (confab_message_get_reasoning (restored), ==, "Think of marsupials. ");
  g_assert_cmpint (confab_message_get_state (restored), ==, CONFAB_MESSAGE_STATE_INTERRUPTED);

  confab_store_untrack (store, conversation);
}

/* Seconds to stream @n tool calls into a tracked message, each going pending → running →
 * done, and write them all. */
static double
time_tool_calls (guint n)
{
  g_autofree char *dir = g_dir_make_tmp ("confab-calls-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "calls.db", NULL);
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabMessage) assistant = NULL;
  g_autoptr(ConfabConversation) conversation = start_streaming (store, &assistant);
  g_autofree char *count = NULL;
  gint64 start = g_get_monotonic_time ();
  double seconds;

  for (guint i = 0; i < n; i++)
    {
      ConfabToolCall *call = confab_message_ensure_tool_call (assistant, i);
      g_autofree char *id = g_strdup_printf ("call_%u", i);

      confab_tool_call_set_id (call, id);
      confab_tool_call_set_name (call, "echo");
      confab_tool_call_append_arguments (call, "{\"message\": \"hello\"}", -1);
    }
  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_COMPLETE);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (confab_message_get_tool_calls (assistant), i);

      confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_RUNNING);
      confab_tool_call_set_result (call, "hello");
      confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_DONE);
    }
  g_assert_true (confab_store_flush (store, NULL));
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  count = query_text (path, "SELECT count (*) FROM tool_calls WHERE status = 'done' AND result = 'hello'");
  g_assert_cmpint (atoi (count), ==, n);

  confab_store_untrack (store, conversation);
  g_clear_object (&store);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (path);
  g_rmdir (dir);

  return seconds;
}

static void
test_tool_calls_linear (void)
{
  double small = time_tool_calls (1000);
  double large = time_tool_calls (4000);

  /* Four times the calls: linear is about 4× the time, quadratic 16×. (Before: 2,000
   * calls took 116 s through confab-cli, 1,000 took 28 s.) */
  g_test_message ("tool calls: 1000 in %.3f s, 4000 in %.3f s (%.1f times)", small, large, large / small);
  g_assert_cmpfloat (large, <, 20.0);
  g_assert_cmpfloat (large / MAX (small, 0.001), <, 10.0);
}

static void
test_wal_truncated_on_close (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabMessage) assistant = NULL;
  g_autoptr(ConfabConversation) conversation = start_streaming (store, &assistant);
  g_autofree char *limit = NULL;
  GStatBuf st;

  for (guint i = 0; i < 200; i++)
    {
      confab_message_append_content (assistant, "Some words that fill pages of the write-ahead log. ", -1);
      g_assert_true (confab_store_flush (store, NULL));
    }
  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_COMPLETE);
  g_assert_true (confab_store_flush (store, NULL));
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);

  confab_store_untrack (store, conversation);
  g_clear_object (&store);

  /* Closing checkpoints and truncates the WAL. */
  g_assert_true (g_stat (wal, &st) != 0 || st.st_size == 0);
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static gsize
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gsize) st.st_size : 0;
}

static void
test_wal_truncated_when_idle (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabMessage) assistant = NULL;
  g_autoptr(ConfabConversation) conversation = start_streaming (store, &assistant);
  guint tick;

  for (guint i = 0; i < 50; i++)
    {
      confab_message_append_content (assistant, "Words for the write-ahead log. ", -1);
      g_assert_true (confab_store_flush (store, NULL));
    }
  g_assert_cmpuint (file_size (wal), >, 0);

  /* Still open, nothing more to write: the writer checkpoints and cuts the WAL to nothing
   * after a second of idleness (polled; the tick wakes the loop). */
  tick = g_timeout_add (20, tick_cb, NULL);
  CONFAB_TEST_WAIT_FOR (file_size (wal) == 0, 10000);
  g_source_remove (tick);

  confab_store_untrack (store, conversation);
}

static void
test_conversation_busy_in_other_process (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Hello");
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;

  confab_conversation_append (conversation, user);
  g_assert_true (confab_store_save (store, conversation, NULL));

  /* Continued by a process that is still running (pid 1 always is): refused. */
  sql = g_strdup_printf ("INSERT INTO conversation_writers VALUES ('%s', '%s:1')",
                         confab_conversation_get_id (conversation), g_get_host_name ());
  exec_script (path, sql);
  g_assert_false (confab_store_try_track (store, conversation, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE_BUSY);
  g_assert_nonnull (strstr (error->message, "busy in another window or process"));
  g_clear_error (&error);

  /* By one that is gone (kill -9 leaves its row): taken over. */
  g_free (sql);
  sql = g_strdup_printf ("UPDATE conversation_writers SET writer = '%s:%d'", g_get_host_name (), G_MAXINT);
  exec_script (path, sql);
  g_assert_true (confab_store_try_track (store, conversation, &error));
  g_assert_no_error (error);

  /* Untracking lets go. */
  confab_store_untrack (store, conversation);
  g_free (sql);
  sql = query_text (path, "SELECT count (*) FROM conversation_writers");
  g_assert_cmpstr (sql, ==, "0");
}

/* TRUE unless this runs as root and cannot switch to nobody (tried in a child). */
static gboolean
can_become_nobody (void)
{
  pid_t pid;
  int status = 0;

  if (getuid () != 0)
    return TRUE;

  pid = fork ();
  if (pid == 0)
    _exit (setgid (65534) == 0 && setuid (65534) == 0 ? 0 : 1);

  return pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
test_permission_denied_not_damaged (void)
{
  if (g_test_subprocess ())
    {
      const char *path = g_getenv ("CONFAB_TEST_DB");
      g_autoptr(ConfabStore) store = NULL;
      g_autoptr(GError) error = NULL;

      /* Root writes anywhere: drop to nobody to meet the permissions. */
      if (getuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
        {
          g_printerr ("cannot switch to nobody\n");
          exit (77);
        }

      store = confab_store_open (path, &error);
      g_assert_null (store);
      g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE);
      g_printerr ("error: %s\n", error->message);
      g_assert_nonnull (strstr (error->message, "Permission denied"));
      g_assert_null (strstr (error->message, "damaged"));
      return;
    }

  {
    g_autofree char *dir = g_dir_make_tmp ("confab-perm-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
    const char *envp[] = { NULL, NULL };
    g_autofree char *env = g_strdup_printf ("CONFAB_TEST_DB=%s", path);

    g_assert_nonnull (store);
    g_clear_object (&store);
    g_unlink (wal);
    g_unlink (shm);

    /* A healthy database in a folder this user may read but not write. */
    g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
    g_assert_cmpint (g_chmod (path, 0644), ==, 0);

    envp[0] = env;
    g_setenv ("CONFAB_TEST_DB", path, TRUE);
    (void) envp;
    if (!can_become_nobody ())
      g_test_skip ("running as root and could not switch to the user nobody to meet file permissions");
    else
      {
        g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed ();
        g_test_trap_assert_stderr ("*Permission denied*");
      }

    g_chmod (dir, 0700);
    g_unlink (path);
    g_rmdir (dir);
  }
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GListModel *
search_page (ConfabStore  *store,
             const char   *text,
             guint         offset,
             guint         limit,
             GCancellable *cancellable,
             GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_store_search_async (store, text, offset, limit, cancellable, search_cb, &result);
  CONFAB_TEST_WAIT_FOR (result != NULL, 10000);

  return confab_store_search_finish (store, result, error);
}

static void
test_search_pages_newest_first (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) first = NULL;
  g_autoptr(GListModel) second = NULL;
  g_autoptr(GListModel) none = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();

  for (guint i = 0; i < 120; i++)
    {
      g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
      g_autofree char *text = g_strdup_printf ("About a harbour: Message %u is here", i);
      g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, text);
      g_autoptr(ConfabMessage) answer = confab_message_new (CONFAB_ROLE_ASSISTANT, "A reply on ships");

      confab_conversation_set_title (conversation, "Untitled");
      confab_conversation_append (conversation, user);
      confab_conversation_append (conversation, answer);
      g_assert_true (confab_store_save (store, conversation, NULL));
    }

  /* Fifty at a time, the newest matching message first, a snippet for each row. */
  first = search_page (store, "harbour", 0, 50, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (first), ==, 50);
  {
    g_autoptr(ConfabStoreSummary) top = g_list_model_get_item (first, 0);
    g_assert_nonnull (strstr (confab_store_summary_get_snippet (top), "Message 119"));
  }
  second = search_page (store, "harbour", 100, 50, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (second), ==, 20);
  {
    g_autoptr(ConfabStoreSummary) last = g_list_model_get_item (second, 19);
    g_assert_nonnull (strstr (confab_store_summary_get_snippet (last), "Message 0 "));
  }

  /* One or two characters are whole words, not prefixes: "a" is the word a, "sh" is no
   * prefix of "ships"; three characters are. */
  g_assert_cmpuint (n_hits (store, "sh"), ==, 0);
  g_assert_cmpuint (n_hits (store, "shi"), ==, 120);
  g_assert_cmpuint (n_hits (store, "a"), ==, 120);

  /* Cancelled: no rows, G_IO_ERROR_CANCELLED. */
  g_cancellable_cancel (cancelled);
  none = search_page (store, "harbour", 0, 50, cancelled, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_one_message_per_position (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *script_path = g_test_build_filename (G_TEST_DIST, "data", "store", "v1.sql", NULL);
  g_autofree char *script = NULL;
  g_autofree char *positions = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  /* A database where two processes left two answers at one position (the old bug). */
  g_assert_true (g_file_get_contents (script_path, &script, NULL, NULL));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  exec_script (path, script);
  exec_script (path, "INSERT INTO messages (id, conversation_id, position, role, content, state, created_at)"
                     " VALUES ('dup', 'v1-conversation', 1, 'assistant', 'A second answer', 'complete', 5)");

  /* Both are kept, numbered in order, and the position is a key from now on. */
  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  positions = query_text (path, "SELECT group_concat (position, ',') FROM"
                                " (SELECT position FROM messages WHERE conversation_id = 'v1-conversation' ORDER BY position)");
  g_assert_cmpstr (positions, ==, "0,1,2,3,4");
  loaded = confab_store_load (store, "v1-conversation", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 5);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO messages (id, conversation_id, position, role, content, state,"
                                     " created_at) VALUES ('dup2', 'v1-conversation', 2, 'user', 'x', 'complete', 6)",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store-writer/pieces/appended-then-joined-and-indexed", test_pieces_appended_then_joined);
  g_test_add_func ("/store-writer/recovery/joins-pieces-and-indexes", test_recovery_joins_and_indexes);
  g_test_add_func ("/store-writer/tool-calls/linear", test_tool_calls_linear);
  g_test_add_func ("/store-writer/wal/truncated-on-close", test_wal_truncated_on_close);
  g_test_add_func ("/store-writer/wal/truncated-when-idle", test_wal_truncated_when_idle);
  g_test_add_func ("/store-writer/busy/other-live-process-refused", test_conversation_busy_in_other_process);
  g_test_add_func ("/store-writer/open/permission-denied-not-damaged", test_permission_denied_not_damaged);
  g_test_add_func ("/store-writer/search/pages-newest-first", test_search_pages_newest_first);
  g_test_add_func ("/store-writer/migrate/one-message-per-position", test_one_message_per_position);

  return g_test_run ();
}
