/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-store-private.h"

#define BUSY_TIMEOUT_MS 5000

G_DEFINE_FINAL_TYPE (ConfabStore, confab_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  WRITE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

gboolean
_confab_store_set_sqlite_error (ConfabStore  *self,
                                GError      **error,
                                const char   *what)
{
  int code = sqlite3_errcode (self->db);

  if (code == SQLITE_READONLY || code == SQLITE_PERM || code == SQLITE_CANTOPEN || code == SQLITE_AUTH)
    g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                 _("Could not %s the conversation database %s: permission denied (%s)"),
                 what, self->path ? self->path : "", sqlite3_errmsg (self->db));
  else if (code == SQLITE_FULL)
    g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                 _("Could not %s the conversation database %s: the disk is full"),
                 what, self->path ? self->path : "");
  else
    g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                 _("Could not %s the conversation database %s: %s"),
                 what, self->path ? self->path : "", sqlite3_errmsg (self->db));
  return FALSE;
}

void
_confab_store_set_not_found_error (GError     **error,
                                   const char  *id)
{
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
               _("There is no stored conversation “%s”"), id);
}

/* A prepared statement for @sql (a string literal: the cache is keyed by its address), reset
 * and with its bindings cleared. (transfer none) */
sqlite3_stmt *
_confab_store_prepare (ConfabStore  *self,
                       const char   *sql,
                       GError      **error)
{
  sqlite3_stmt *stmt;

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      _confab_store_set_sqlite_error (self, error, "read");
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer)sql, stmt);

  return stmt;
}

/* Runs a statement that returns no rows. */
gboolean
_confab_store_step_done (ConfabStore   *self,
                         sqlite3_stmt  *stmt,
                         GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return _confab_store_set_sqlite_error (self, error, "write");

  return TRUE;
}

/* Runs @sql (a string literal) with @id bound to ?1; it returns no rows. */
gboolean
_confab_store_run (ConfabStore  *self,
                   const char   *sql,
                   const char   *id,
                   GError      **error)
{
  sqlite3_stmt *stmt = _confab_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, id);

  return _confab_store_step_done (self, stmt, error);
}

gboolean
_confab_store_exec (ConfabStore  *self,
                    const char   *sql,
                    GError      **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_debug ("%.60s: %s (%d)", sql, sqlite3_errmsg (self->db), sqlite3_extended_errcode (self->db));
      return _confab_store_set_sqlite_error (self, error, "write");
    }

  return TRUE;
}

gboolean
_confab_store_begin (ConfabStore  *self,
                     GError      **error)
{
  if (self->transaction_depth++ > 0)
    return TRUE;

  self->transaction_start = g_get_monotonic_time ();

  if (!_confab_store_exec (self, "BEGIN IMMEDIATE", error))
    {
      self->transaction_depth = 0;
      return FALSE;
    }

  return TRUE;
}

gboolean
_confab_store_commit (ConfabStore  *self,
                      gboolean      ok,
                      GError      **error)
{
  double ms;

  g_assert (self->transaction_depth > 0);

  if (--self->transaction_depth > 0)
    return ok;

  if (!ok)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  if (!_confab_store_exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  ms = (g_get_monotonic_time () - self->transaction_start) / 1000.0;
  g_debug ("write on the main connection took %.3f ms", ms);

  return TRUE;
}

void
_confab_store_emit_changed (ConfabStore *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
confab_store_dispose (GObject *object)
{
  ConfabStore *self = (ConfabStore *)object;

  if (self->trackers != NULL && self->db != NULL)
    _confab_store_flush_all (self);

  g_clear_pointer (&self->trackers, g_hash_table_unref);
  g_clear_handle_id (&self->flush_source, g_source_remove);

  /* Writes what is queued, checkpoints (TRUNCATE) and closes the writer's connection. */
  g_clear_pointer (&self->writer_thread, _confab_store_writer_free);

  if (self->db != NULL && self->writer != NULL)
    {
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_prepare_v2 (self->db, "DELETE FROM conversation_writers WHERE writer = ?1", -1, &stmt, NULL) == SQLITE_OK)
        {
          _confab_store_bind_text (stmt, 1, self->writer);
          sqlite3_step (stmt);
        }
      sqlite3_finalize (stmt);
    }

  G_OBJECT_CLASS (confab_store_parent_class)->dispose (object);
}

static void
confab_store_finalize (GObject *object)
{
  ConfabStore *self = (ConfabStore *)object;

  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->writer, g_free);
  g_clear_error (&self->write_error);
  g_mutex_clear (&self->error_lock);
  g_clear_pointer (&self->search_db, sqlite3_close_v2);
  g_mutex_clear (&self->search_lock);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (confab_store_parent_class)->finalize (object);
}

static void
confab_store_class_init (ConfabStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_store_dispose;
  object_class->finalize = confab_store_finalize;

  /**
   * ConfabStore::changed:
   *
   * The list of conversations changed: one was created, renamed, deleted or got new
   * messages. Not emitted per streamed piece.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * ConfabStore::write-failed:
   * @error: (type GLib.Error): what failed, a CONFAB_ERROR_STORE a person can read
   *
   * A write on the writer thread failed (disk full, read-only file …): what it carried is
   * not on disk; the conversation in memory still has it. Emitted on the thread that
   * opened the store.
   */
  signals[WRITE_FAILED] =
    g_signal_new ("write-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
confab_store_init (ConfabStore *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
  self->trackers = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)_confab_store_tracker_free);
  self->dirty = g_hash_table_new (NULL, NULL);
  self->writer = g_strdup_printf ("%s:%d", g_get_host_name (), (int) getpid ());
  self->context = g_main_context_ref_thread_default ();
  g_mutex_init (&self->error_lock);
  g_mutex_init (&self->search_lock);
}

/* ------------------------------------------------------------------------------------------
 * The writer thread's side
 * ------------------------------------------------------------------------------------------ */

typedef struct
{
  GWeakRef  store;
  GError   *error;
} FailedIdle;

static gboolean
emit_write_failed_cb (gpointer data)
{
  FailedIdle *idle = data;
  g_autoptr(ConfabStore) self = g_weak_ref_get (&idle->store);

  if (self != NULL)
    g_signal_emit (self, signals[WRITE_FAILED], 0, idle->error);

  return G_SOURCE_REMOVE;
}

static void
failed_idle_free (gpointer data)
{
  FailedIdle *idle = data;

  g_weak_ref_clear (&idle->store);
  g_clear_error (&idle->error);
  g_free (idle);
}

void
_confab_store_report_write_error (ConfabStore  *self,
                                  const GError *error)
{
  FailedIdle *idle = g_new0 (FailedIdle, 1);

  g_warning ("Could not save the conversation: %s", error->message);

  g_mutex_lock (&self->error_lock);
  if (self->write_error == NULL)
    self->write_error = g_error_copy (error);
  g_mutex_unlock (&self->error_lock);

  g_weak_ref_init (&idle->store, self);
  idle->error = g_error_copy (error);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_write_failed_cb, idle,
                              failed_idle_free);
}

void
_confab_store_sync (ConfabStore *self)
{
  if (self->writer_thread != NULL)
    _confab_store_writer_sync (self->writer_thread);
}

gboolean
_confab_store_push (ConfabStore       *self,
                    ConfabStoreWrite  *write,
                    gboolean           wait,
                    GError           **error)
{
  if (self->writer_thread == NULL)
    {
      _confab_store_write_free (write);
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_STORE, _("The conversation database is closed"));
      return FALSE;
    }

  return _confab_store_writer_push (self->writer_thread, write, wait, error);
}

/* Takes the failure kept since the last call, if any. */
static gboolean
take_write_error (ConfabStore  *self,
                  GError      **error)
{
  GError *kept;

  g_mutex_lock (&self->error_lock);
  kept = g_steal_pointer (&self->write_error);
  g_mutex_unlock (&self->error_lock);

  if (kept == NULL)
    return TRUE;

  g_propagate_error (error, kept);
  return FALSE;
}

gboolean
_confab_store_claim (ConfabStore  *self,
                     const char   *id,
                     GError      **error)
{
  g_autofree char *holder = NULL;
  sqlite3_stmt *stmt;
  gboolean ok;

  if (!_confab_store_begin (self, error))
    return FALSE;

  stmt = _confab_store_prepare (self, "SELECT writer FROM conversation_writers WHERE conversation_id = ?1", error);
  ok = stmt != NULL;
  if (ok)
    {
      _confab_store_bind_text (stmt, 1, id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        holder = g_strdup (_confab_store_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }

  if (ok && holder != NULL && g_strcmp0 (holder, self->writer) != 0 &&
      _confab_store_writer_is_alive (holder))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE_BUSY,
                   _("This conversation is busy in another window or process (%s); "
                     "finish or close it there first"), holder);
      _confab_store_commit (self, FALSE, NULL);
      return FALSE;
    }

  if (ok)
    {
      stmt = _confab_store_prepare (self, "INSERT OR REPLACE INTO conversation_writers (conversation_id, writer)"
                                    " VALUES (?1, ?2)", error);
      ok = stmt != NULL;
      if (ok)
        {
          _confab_store_bind_text (stmt, 1, id);
          _confab_store_bind_text (stmt, 2, self->writer);
          ok = _confab_store_step_done (self, stmt, error);
        }
    }

  return _confab_store_commit (self, ok, ok ? error : NULL);
}

void
_confab_store_release (ConfabStore *self,
                       const char  *id)
{
  sqlite3_stmt *stmt;

  stmt = _confab_store_prepare (self, "DELETE FROM conversation_writers WHERE conversation_id = ?1 AND writer = ?2",
                                NULL);
  if (stmt == NULL)
    return;

  _confab_store_bind_text (stmt, 1, id);
  _confab_store_bind_text (stmt, 2, self->writer);
  _confab_store_step_done (self, stmt, NULL);
}

gboolean
confab_store_flush (ConfabStore  *self,
                    GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);

  _confab_store_flush_pending (self);
  _confab_store_sync (self);

  return take_write_error (self, error);
}

/* ------------------------------------------------------------------------------------------
 * Opening
 * ------------------------------------------------------------------------------------------ */

char *
confab_store_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "confab", "confab.db", NULL);
}

/* TRUE when @writer ("host:pid") is another process of this machine that is still running:
 * its streams are live, not interrupted. */
gboolean
_confab_store_path_not_writable (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  return g_access (dir, W_OK) != 0 ||
         (g_file_test (path, G_FILE_TEST_EXISTS) && g_access (path, W_OK) != 0);
}

gboolean
_confab_store_writer_is_alive (const char *writer)
{
  const char *colon;
  g_autofree char *host = NULL;
  gint64 pid;

  if (writer == NULL || (colon = strrchr (writer, ':')) == NULL)
    return FALSE;

  host = g_strndup (writer, colon - writer);
  if (!g_str_equal (host, g_get_host_name ()))
    return FALSE;

  pid = g_ascii_strtoll (colon + 1, NULL, 10);
  if (pid <= 0 || pid > G_MAXINT || pid == getpid ())
    return FALSE;

  return kill ((pid_t) pid, 0) == 0 || errno == EPERM;
}

static gboolean
recover_interrupted (ConfabStore  *self,
                     GError      **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;
  int rc;

  /* Messages left streaming, or with tool calls left running, by a process that is gone. */
  stmt = _confab_store_prepare (self,
                                "SELECT id, writer FROM messages WHERE state = 'streaming'"
                                " OR id IN (SELECT message_id FROM tool_calls"
                                "           WHERE status IN ('streaming', 'pending-approval', 'running'))",
                                error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (!_confab_store_writer_is_alive (_confab_store_column_text (stmt, 1)))
        g_ptr_array_add (ids, g_strdup (_confab_store_column_text (stmt, 0)));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return _confab_store_set_sqlite_error (self, error, "read");

  if (ids->len == 0)
    return TRUE;

  if (!_confab_store_begin (self, error))
    return FALSE;

  for (guint i = 0; ok && i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      /* The pieces streamed so far are joined into the message (and so indexed). */
      ok = _confab_store_run (self,
                              "UPDATE messages SET"
                              "  content = content || coalesce ((SELECT group_concat (text, '') FROM"
                              "    (SELECT text FROM message_pieces WHERE message_id = ?1 AND kind = 0 ORDER BY seq)), ''),"
                              "  reasoning = reasoning || coalesce ((SELECT group_concat (text, '') FROM"
                              "    (SELECT text FROM message_pieces WHERE message_id = ?1 AND kind = 1 ORDER BY seq)), '')"
                              " WHERE id = ?1 AND EXISTS (SELECT 1 FROM message_pieces WHERE message_id = ?1)",
                              id, error) &&
           _confab_store_run (self, "DELETE FROM message_pieces WHERE message_id = ?1", id, error) &&
           _confab_store_run (self,
                              "UPDATE messages SET state = 'interrupted' WHERE id = ?1 AND state = 'streaming'",
                              id, error);
      if (ok)
        self->n_recovered += sqlite3_changes (self->db);

      ok = ok && _confab_store_run (self,
                                    "UPDATE tool_calls SET status = 'failed',"
                                    "  error = coalesce (error, 'Interrupted: Confab stopped before the call finished')"
                                    " WHERE message_id = ?1 AND status IN ('streaming', 'pending-approval', 'running')",
                                    id, error);
    }

  if (ok && self->n_recovered > 0)
    g_info ("%u interrupted message(s) recovered in %s", self->n_recovered, self->path);

  return _confab_store_commit (self, ok, ok ? error : NULL);
}

/* Turning a new file to WAL needs it alone, and SQLite answers SQLITE_BUSY at once rather
 * than through the busy handler while another process opens it too (two first runs at the
 * same time): try again until the busy timeout. */
static gboolean
set_wal_mode (ConfabStore  *self,
              GError      **error)
{
  gint64 deadline = g_get_monotonic_time () + BUSY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  int rc;

  while ((rc = sqlite3_exec (self->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL)) == SQLITE_BUSY &&
         g_get_monotonic_time () < deadline)
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);

  if (rc != SQLITE_OK)
    return _confab_store_set_sqlite_error (self, error, "write");

  return TRUE;
}

ConfabStore *
confab_store_open (const char  *path,
                   GError     **error)
{
  g_autoptr(ConfabStore) self = NULL;
  g_autofree char *default_path = NULL;
  g_autofree char *dir = NULL;
  int version = 0;

  if (path == NULL)
    path = default_path = confab_store_get_default_path ();

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                   _("Could not create the folder %s: %s"), dir, g_strerror (errsv));
      return NULL;
    }

  self = g_object_new (CONFAB_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      if (_confab_store_path_not_writable (path))
        g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                     _("Permission denied: Confab cannot write to %s or its folder"), path);
      else
        _confab_store_set_sqlite_error (self, error, "open");
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  if (!_confab_store_check_version (self, &version, error))
    return NULL;

  /* A new file gets 1 KiB pages: a streamed flush writes a few new bytes, and a commit
   * writes whole pages to the WAL. */
  if (version == 0 && !_confab_store_exec (self, "PRAGMA page_size = 1024", error))
    return NULL;

  if (!set_wal_mode (self, error) ||
      !_confab_store_exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !_confab_store_exec (self, "PRAGMA journal_size_limit = 4194304", error) ||
      !_confab_store_exec (self, "PRAGMA mmap_size = 268435456", error) ||
      !_confab_store_exec (self, "PRAGMA foreign_keys = ON", error))
    return NULL;

  if (!_confab_store_migrate (self, version, error))
    return NULL;

  if (!recover_interrupted (self, error))
    return NULL;

  self->writer_thread = _confab_store_writer_new (self, path, error);
  if (self->writer_thread == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

ConfabStore *
confab_store_open_default (GError **error)
{
  return confab_store_open (NULL, error);
}

const char *
confab_store_get_path (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  return self->path;
}

guint
confab_store_get_n_recovered (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), 0);
  return self->n_recovered;
}

/* ------------------------------------------------------------------------------------------
 * Changing stored conversations
 * ------------------------------------------------------------------------------------------ */

gboolean
confab_store_rename (ConfabStore  *self,
                     const char   *id,
                     const char   *title,
                     GError      **error)
{
  ConfabConversation *tracked;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if ((tracked = confab_store_lookup_tracked (self, id)) != NULL)
    confab_conversation_set_title (tracked, title);

  _confab_store_sync (self);

  stmt = _confab_store_prepare (self, "UPDATE conversations SET title = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, id);
  _confab_store_bind_text (stmt, 2, title ?: "");
  if (!_confab_store_step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0 && tracked == NULL)
    {
      _confab_store_set_not_found_error (error, id);
      return FALSE;
    }

  _confab_store_emit_changed (self);

  return TRUE;
}

gboolean
confab_store_delete (ConfabStore  *self,
                     const char   *id,
                     GError      **error)
{
  ConfabConversation *tracked;
  gboolean ok;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if ((tracked = confab_store_lookup_tracked (self, id)) != NULL)
    g_hash_table_remove (self->trackers, tracked);

  _confab_store_sync (self);

  if (!_confab_store_begin (self, error))
    return FALSE;

  ok = _confab_store_run (self, "DELETE FROM conversations WHERE id = ?1", id, error) &&
       _confab_store_collect_attachments (self, error);
  if (!_confab_store_commit (self, ok, ok ? error : NULL))
    return FALSE;

  _confab_store_emit_changed (self);

  return TRUE;
}

gboolean
_confab_store_collect_attachments (ConfabStore  *self,
                                   GError      **error)
{
  return _confab_store_exec (self,
                             "DELETE FROM attachments WHERE NOT EXISTS"
                             " (SELECT 1 FROM message_attachments m WHERE m.sha256 = attachments.sha256)",
                             error);
}

double
confab_store_get_max_write_ms (ConfabStore *self)
{
  double ms;

  g_return_val_if_fail (CONFAB_IS_STORE (self), 0);

  g_mutex_lock (&self->error_lock);
  ms = self->max_write_ms;
  g_mutex_unlock (&self->error_lock);

  return ms;
}

guint
confab_store_get_n_writes (ConfabStore *self)
{
  guint n;

  g_return_val_if_fail (CONFAB_IS_STORE (self), 0);

  g_mutex_lock (&self->error_lock);
  n = self->n_writes;
  g_mutex_unlock (&self->error_lock);

  return n;
}

double
confab_store_get_max_flush_ms (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), 0);
  return self->max_flush_ms;
}
