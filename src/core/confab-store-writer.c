/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <glib/gi18n.h>
#include <sqlite3.h>

#include "confab-attachment.h"

#include "confab-error.h"
#include "confab-store-private.h"

/* The writer thread. It owns a connection of its own and writes the rows handed to it in
 * order; what queued up while it was writing goes in one transaction. Streamed text arrives
 * as pieces appended to message_pieces (O(new bytes), whatever the answer's length) and is
 * joined into the message, and indexed for search, once, when the message ends.
 *
 * Checkpoints run here too: SQLite's automatic ones (PASSIVE, every 1000 WAL pages) inside
 * this thread's commits, a TRUNCATE one when the writer has been idle for a second and on
 * close, so the WAL file does not outlive a burst of writes. */

#define BUSY_TIMEOUT_MS 5000
#define IDLE_CHECKPOINT_US (1 * G_USEC_PER_SEC)
/* What a WAL file is cut back to after a checkpoint. */
#define JOURNAL_SIZE_LIMIT "4194304"
#define MAX_BATCH 512

typedef enum
{
  JOB_WRITE,
  JOB_SYNC,
  JOB_QUIT,
} JobKind;

typedef struct
{
  JobKind           kind;
  ConfabStoreWrite *write;
  gboolean          wait;
  gboolean          done;
  GError           *error;
} Job;

struct _ConfabStoreWriter
{
  ConfabStore  *store;       /* not a reference: the store frees the writer on dispose */
  sqlite3      *db;
  char         *path;
  GHashTable   *statements;
  GThread      *thread;
  GAsyncQueue  *queue;       /* Job */
  GMutex        lock;
  GCond         cond;        /* a waited-for job is done */
  gboolean      wrote_since_checkpoint;
  int           wal_pages;   /* pages in the WAL after the last commit */
  gint64        wal_frames;  /* frames this connection appended to the WAL (read after a sync) */
  int           page_size;
};

#define AUTOCHECKPOINT_PAGES 1000

/* SQLite's automatic checkpoint (PASSIVE, at 1000 WAL pages), which is a WAL hook too, and
 * a count of the frames written for the benches. */
static int
wal_hook_cb (void       *data,
             sqlite3    *db,
             const char *name,
             int         n_pages)
{
  ConfabStoreWriter *self = data;

  self->wal_frames += n_pages >= self->wal_pages ? n_pages - self->wal_pages : n_pages;
  self->wal_pages = n_pages;

  if (n_pages >= AUTOCHECKPOINT_PAGES)
    sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

  return SQLITE_OK;
}

gint64
_confab_store_writer_get_wal_bytes (ConfabStoreWriter *self)
{
  _confab_store_writer_sync (self);

  return self->wal_frames * (self->page_size + 24);
}

static gboolean
set_error (ConfabStoreWriter  *self,
           GError            **error)
{
  int code = sqlite3_extended_errcode (self->db);
  const char *detail = sqlite3_errmsg (self->db);

  if ((code & 0xff) == SQLITE_FULL)
    g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                 _("Could not save the conversation to %s: the disk is full"), self->path);
  else if ((code & 0xff) == SQLITE_READONLY || (code & 0xff) == SQLITE_PERM ||
           (code & 0xff) == SQLITE_CANTOPEN)
    g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                 _("Could not save the conversation to %s: permission denied (%s)"), self->path, detail);
  else
    g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                 _("Could not save the conversation to %s: %s"), self->path, detail);

  return FALSE;
}

static sqlite3_stmt *
prepare (ConfabStoreWriter  *self,
         const char         *sql,
         GError            **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_error (self, error);
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer)sql, stmt);

  return stmt;
}

static gboolean
step_done (ConfabStoreWriter  *self,
           sqlite3_stmt       *stmt,
           GError            **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_error (self, error);

  return TRUE;
}

static gboolean
exec (ConfabStoreWriter  *self,
      const char         *sql,
      GError            **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_error (self, error);

  return TRUE;
}

/* Runs @sql (a literal) with @id bound to ?1. */
static gboolean
run_id (ConfabStoreWriter  *self,
        const char         *sql,
        const char         *id,
        GError            **error)
{
  sqlite3_stmt *stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, id);

  return step_done (self, stmt, error);
}

/* ------------------------------------------------------------------------------------------
 * Writing rows
 * ------------------------------------------------------------------------------------------ */

static gboolean
write_conversation_row (ConfabStoreWriter           *self,
                        ConfabStoreConversationRow  *row,
                        GError                     **error)
{
  sqlite3_stmt *stmt;

  stmt = prepare (self,
                  "INSERT INTO conversations (id, title, system_prompt, provider_name, base_url,"
                  "  model, created_at, updated_at, shown_leaf) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                  " ON CONFLICT (id) DO UPDATE SET title = excluded.title,"
                  "  system_prompt = excluded.system_prompt, provider_name = excluded.provider_name,"
                  "  base_url = excluded.base_url, model = excluded.model,"
                  "  created_at = excluded.created_at, updated_at = excluded.updated_at,"
                  "  shown_leaf = excluded.shown_leaf",
                  error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, row->id);
  _confab_store_bind_text (stmt, 2, row->title);
  _confab_store_bind_text (stmt, 3, row->system_prompt);
  _confab_store_bind_text (stmt, 4, row->provider_name);
  _confab_store_bind_text (stmt, 5, row->base_url);
  _confab_store_bind_text (stmt, 6, row->model);
  sqlite3_bind_int64 (stmt, 7, row->created_at);
  sqlite3_bind_int64 (stmt, 8, row->updated_at);
  _confab_store_bind_text (stmt, 9, row->shown_leaf);

  return step_done (self, stmt, error);
}

static GBytes *
compress_bytes (GBytes *bytes)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 6);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (!g_output_stream_write_all (out, data, MIN (len, CONFAB_STORE_RAW_RESPONSE_MAX), NULL, NULL, NULL) ||
      !g_output_stream_close (out, NULL, NULL))
    return NULL;

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static gboolean
raw_response_stored (ConfabStoreWriter     *self,
                     ConfabStoreMessageRow *row)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT raw_response_size FROM messages WHERE id = ?1", NULL);
  gboolean same = FALSE;

  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, row->id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    same = (guint64) sqlite3_column_int64 (stmt, 0) == g_bytes_get_size (row->raw);
  sqlite3_reset (stmt);

  return same;
}

static gboolean
write_raw_response (ConfabStoreWriter      *self,
                    ConfabStoreMessageRow  *row,
                    GError                **error)
{
  g_autoptr(GBytes) compressed = NULL;
  sqlite3_stmt *stmt;

  if (row->raw_if_changed && raw_response_stored (self, row))
    return TRUE;

  stmt = prepare (self, "UPDATE messages SET raw_response = ?2, raw_response_size = ?3 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, row->id);
  if (g_bytes_get_size (row->raw) > 0 && (compressed = compress_bytes (row->raw)) != NULL)
    sqlite3_bind_blob64 (stmt, 2, g_bytes_get_data (compressed, NULL), g_bytes_get_size (compressed),
                         SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int64 (stmt, 3, g_bytes_get_size (row->raw));

  return step_done (self, stmt, error);
}

static gboolean
write_tool_calls (ConfabStoreWriter      *self,
                  ConfabStoreMessageRow  *row,
                  GError                **error)
{
  sqlite3_stmt *stmt;

  /* Only the calls that changed: a thousand calls are a thousand rows, each written when
   * it changes, not all of them every time one does. */
  for (guint i = 0; i < row->calls->len; i++)
    {
      ConfabStoreCallRow *call = g_ptr_array_index (row->calls, i);

      stmt = prepare (self,
                      "INSERT OR REPLACE INTO tool_calls (message_id, idx, call_id, name, server, arguments,"
                      "  status, result, result_content, error, status_times)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                      error);
      if (stmt == NULL)
        return FALSE;

      _confab_store_bind_text (stmt, 1, row->id);
      sqlite3_bind_int64 (stmt, 2, call->index);
      _confab_store_bind_text (stmt, 3, call->call_id);
      _confab_store_bind_text (stmt, 4, call->name);
      _confab_store_bind_text (stmt, 5, call->server);
      _confab_store_bind_text (stmt, 6, call->arguments);
      _confab_store_bind_text (stmt, 7, call->status);
      _confab_store_bind_text (stmt, 8, call->result);
      _confab_store_bind_text (stmt, 9, call->result_content);
      _confab_store_bind_text (stmt, 10, call->error);
      _confab_store_bind_text (stmt, 11, call->status_times);

      if (!step_done (self, stmt, error))
        return FALSE;
    }

  if (row->n_calls >= 0)
    {
      stmt = prepare (self, "DELETE FROM tool_calls WHERE message_id = ?1 AND idx >= ?2", error);
      if (stmt == NULL)
        return FALSE;
      _confab_store_bind_text (stmt, 1, row->id);
      sqlite3_bind_int64 (stmt, 2, row->n_calls);
      if (!step_done (self, stmt, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_usage (ConfabStoreWriter      *self,
             ConfabStoreMessageRow  *row,
             GError                **error)
{
  sqlite3_stmt *stmt;

  stmt = prepare (self,
                  "INSERT OR REPLACE INTO usage (message_id, reported, prompt_tokens,"
                  "  completion_tokens, total_tokens, cached_tokens, reasoning_tokens, has_cost,"
                  "  cost, time_to_first_token, duration)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                  error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, row->id);
  sqlite3_bind_int (stmt, 2, row->usage_reported);
  for (guint i = 0; i < 5; i++)
    sqlite3_bind_int64 (stmt, 3 + i, row->usage_tokens[i]);
  sqlite3_bind_int (stmt, 8, row->usage_has_cost);
  sqlite3_bind_double (stmt, 9, row->usage_cost);
  sqlite3_bind_double (stmt, 10, row->usage_ttft);
  sqlite3_bind_double (stmt, 11, row->usage_duration);

  return step_done (self, stmt, error);
}

static gboolean
append_piece (ConfabStoreWriter  *self,
              const char         *message_id,
              int                 kind,
              const char         *text,
              GError            **error)
{
  sqlite3_stmt *stmt;

  if (text == NULL || text[0] == '\0')
    return TRUE;

  stmt = prepare (self, "INSERT INTO message_pieces (message_id, kind, text) VALUES (?1, ?2, ?3)", error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, message_id);
  sqlite3_bind_int (stmt, 2, kind);
  _confab_store_bind_text (stmt, 3, text);

  return step_done (self, stmt, error);
}

/* A request's usage into the ledger, with the provider the conversation used. Replaced
 * while its numbers still change (usage arrives at the end of a stream); never deleted. */
static gboolean
write_ledger (ConfabStoreWriter      *self,
              const char             *conversation_id,
              ConfabStoreMessageRow  *row,
              GError                **error)
{
  sqlite3_stmt *stmt;

  stmt = prepare (self,
                                "INSERT OR REPLACE INTO usage_ledger (message_id, conversation_id,"
                                "  provider_name, base_url, model, recorded_at, prompt_tokens,"
                                "  completion_tokens, total_tokens, cached_tokens, reasoning_tokens,"
                                "  has_cost, cost)"
                                " VALUES (?1, ?2,"
                                "   (SELECT provider_name FROM conversations WHERE id = ?2),"
                                "   (SELECT base_url FROM conversations WHERE id = ?2),"
                                "   COALESCE (NULLIF (?3, ''), (SELECT model FROM conversations WHERE id = ?2)),"
                                "   ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, row->id);
  _confab_store_bind_text (stmt, 2, conversation_id);
  _confab_store_bind_text (stmt, 3, row->model);
  sqlite3_bind_int64 (stmt, 4, row->created_at);
  for (guint i = 0; i < 5; i++)
    sqlite3_bind_int64 (stmt, 5 + i, MAX (row->usage_tokens[i], 0));
  sqlite3_bind_int (stmt, 10, row->usage_has_cost);
  sqlite3_bind_double (stmt, 11, row->usage_has_cost ? row->usage_cost : 0.0);

  return step_done (self, stmt, error);
}

/* Each attachment's data once (by its SHA-256), then the message's links to them. */
static gboolean
write_attachments (ConfabStoreWriter      *self,
                   ConfabStoreMessageRow  *row,
                   GError                **error)
{
  sqlite3_stmt *stmt;

  for (guint i = 0; i < row->attachments->len; i++)
    {
      ConfabAttachment *attachment = g_ptr_array_index (row->attachments, i);
      GBytes *data = confab_attachment_get_data (attachment);

      stmt = prepare (self,
                      "INSERT INTO attachments (sha256, kind, mime_type, data, text, n_pages, width, height)"
                      " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8"
                      " WHERE NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ?1)",
                      error);
      if (stmt == NULL)
        return FALSE;

      _confab_store_bind_text (stmt, 1, confab_attachment_get_sha256 (attachment));
      sqlite3_bind_int (stmt, 2, confab_attachment_get_kind (attachment));
      _confab_store_bind_text (stmt, 3, confab_attachment_get_data_mime_type (attachment));
      sqlite3_bind_blob64 (stmt, 4, g_bytes_get_data (data, NULL), g_bytes_get_size (data), SQLITE_STATIC);
      _confab_store_bind_text (stmt, 5, confab_attachment_get_text (attachment));
      sqlite3_bind_int (stmt, 6, confab_attachment_get_n_pages (attachment));
      sqlite3_bind_int (stmt, 7, confab_attachment_get_width (attachment));
      sqlite3_bind_int (stmt, 8, confab_attachment_get_height (attachment));
      if (!step_done (self, stmt, error))
        return FALSE;

      stmt = prepare (self,
                      "INSERT OR REPLACE INTO message_attachments (message_id, position, sha256, name, detail)"
                      " VALUES (?1, ?2, ?3, ?4, ?5)",
                      error);
      if (stmt == NULL)
        return FALSE;

      _confab_store_bind_text (stmt, 1, row->id);
      sqlite3_bind_int (stmt, 2, i);
      _confab_store_bind_text (stmt, 3, confab_attachment_get_sha256 (attachment));
      _confab_store_bind_text (stmt, 4, confab_attachment_get_name (attachment));
      _confab_store_bind_text (stmt, 5, confab_attachment_get_detail (attachment));
      if (!step_done (self, stmt, error))
        return FALSE;
    }

  stmt = prepare (self, "DELETE FROM message_attachments WHERE message_id = ?1 AND position >= ?2", error);
  if (stmt == NULL)
    return FALSE;
  _confab_store_bind_text (stmt, 1, row->id);
  sqlite3_bind_int (stmt, 2, row->attachments->len);

  return step_done (self, stmt, error);
}

static gboolean
write_message (ConfabStoreWriter      *self,
               const char             *conversation_id,
               ConfabStoreMessageRow  *row,
               const char             *writer,
               gboolean                ledger,
               GError                **error)
{
  gboolean full = row->text_mode == CONFAB_STORE_TEXT_FULL;
  sqlite3_stmt *stmt;

  if (row->write_row || full)
    {
      /* The text is replaced only when it comes whole (?18); otherwise the row keeps what it
       * has and the pieces carry the rest. */
      stmt = prepare (self,
                      "INSERT INTO messages (id, conversation_id, position, role, content, reasoning,"
                      "  tool_call_id, finish_reason, state, error_domain, error_code, error_message,"
                      "  retry_after, model, created_at, request_body, writer, parent_id, sibling)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?19, ?20)"
                      " ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id,"
                      "  position = excluded.position, role = excluded.role,"
                      "  parent_id = excluded.parent_id, sibling = excluded.sibling,"
                      "  content = CASE WHEN ?18 THEN excluded.content ELSE content END,"
                      "  reasoning = CASE WHEN ?18 THEN excluded.reasoning ELSE reasoning END,"
                      "  tool_call_id = excluded.tool_call_id,"
                      "  finish_reason = excluded.finish_reason, state = excluded.state,"
                      "  error_domain = excluded.error_domain, error_code = excluded.error_code,"
                      "  error_message = excluded.error_message, retry_after = excluded.retry_after,"
                      "  model = excluded.model, created_at = excluded.created_at,"
                      "  request_body = excluded.request_body, writer = excluded.writer",
                      error);
      if (stmt == NULL)
        return FALSE;

      _confab_store_bind_text (stmt, 1, row->id);
      _confab_store_bind_text (stmt, 2, conversation_id);
      sqlite3_bind_int64 (stmt, 3, row->position);
      _confab_store_bind_text (stmt, 4, row->role);
      _confab_store_bind_text (stmt, 5, full && row->content ? row->content : "");
      _confab_store_bind_text (stmt, 6, full && row->reasoning ? row->reasoning : "");
      _confab_store_bind_text (stmt, 7, row->tool_call_id);
      _confab_store_bind_text (stmt, 8, row->finish_reason);
      _confab_store_bind_text (stmt, 9, row->state);
      if (row->error_message != NULL)
        {
          _confab_store_bind_text (stmt, 10, row->error_domain);
          sqlite3_bind_int (stmt, 11, row->error_code);
          _confab_store_bind_text (stmt, 12, row->error_message);
        }
      sqlite3_bind_int (stmt, 13, row->retry_after);
      _confab_store_bind_text (stmt, 14, row->model);
      sqlite3_bind_int64 (stmt, 15, row->created_at);
      _confab_store_bind_text (stmt, 16, row->request_body);
      _confab_store_bind_text (stmt, 17, writer);
      sqlite3_bind_int (stmt, 18, full);
      _confab_store_bind_text (stmt, 19, row->parent_id);
      sqlite3_bind_int64 (stmt, 20, row->sibling);

      if (!step_done (self, stmt, error) || !write_usage (self, row, error))
        return FALSE;
      if (ledger && row->usage_reported && !write_ledger (self, conversation_id, row, error))
        return FALSE;
    }

  if (full)
    {
      /* The text is whole in the row now: the pieces are history. */
      if (!run_id (self, "DELETE FROM message_pieces WHERE message_id = ?1", row->id, error))
        return FALSE;
    }
  else if (row->text_mode == CONFAB_STORE_TEXT_APPEND)
    {
      if (!append_piece (self, row->id, 0, row->content, error) ||
          !append_piece (self, row->id, 1, row->reasoning, error))
        return FALSE;
    }

  if (!write_tool_calls (self, row, error))
    return FALSE;

  if (row->raw != NULL && !write_raw_response (self, row, error))
    return FALSE;

  if (row->attachments != NULL && !write_attachments (self, row, error))
    return FALSE;

  return TRUE;
}

static gboolean
write_one (ConfabStoreWriter  *self,
           ConfabStoreWrite   *write,
           GError            **error)
{
  if (write->conversation != NULL && !write_conversation_row (self, write->conversation, error))
    return FALSE;

  /* Stored positions (and places among siblings, so a new message may take the place of
   * one that goes) go negative; the messages still there get theirs back; the rest go. */
  if (write->whole &&
      !run_id (self, "UPDATE messages SET position = -1 - position, sibling = -1 - sibling"
                     " WHERE conversation_id = ?1",
               write->conversation_id, error))
    return FALSE;

  for (guint i = 0; i < write->messages->len; i++)
    {
      if (!write_message (self, write->conversation_id, g_ptr_array_index (write->messages, i),
                          self->store->writer, write->ledger, error))
        return FALSE;
    }

  if (write->whole &&
      !run_id (self, "DELETE FROM messages WHERE conversation_id = ?1 AND position < 0",
               write->conversation_id, error))
    return FALSE;

  /* Messages that went may have taken the last link to an attachment with them. */
  if (write->whole && sqlite3_changes (self->db) > 0 &&
      !exec (self, "DELETE FROM attachments WHERE NOT EXISTS"
                   " (SELECT 1 FROM message_attachments m WHERE m.sha256 = attachments.sha256)", error))
    return FALSE;

  for (guint i = 0; write->more != NULL && i < write->more->len; i++)
    if (!write_one (self, g_ptr_array_index (write->more, i), error))
      return FALSE;

  return TRUE;
}

/* ------------------------------------------------------------------------------------------
 * The thread
 * ------------------------------------------------------------------------------------------ */

static gboolean
run_batch_locked (ConfabStoreWriter  *self,
                  GPtrArray          *batch,
                  GError            **error)
{
  gint64 start = g_get_monotonic_time ();
  gboolean ok = TRUE;
  gboolean any = FALSE;
  double ms;

  for (guint i = 0; i < batch->len; i++)
    any |= ((Job *)g_ptr_array_index (batch, i))->kind == JOB_WRITE;
  if (!any)
    return TRUE;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  for (guint i = 0; ok && i < batch->len; i++)
    {
      Job *job = g_ptr_array_index (batch, i);

      if (job->kind == JOB_WRITE)
        ok = write_one (self, job->write, error);
    }

  if (!ok || !exec (self, "COMMIT", ok ? error : NULL))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  ms = (g_get_monotonic_time () - start) / 1000.0;
  g_mutex_lock (&self->store->error_lock);
  self->store->n_writes++;
  self->store->max_write_ms = MAX (self->store->max_write_ms, ms);
  g_mutex_unlock (&self->store->error_lock);
  g_debug ("write of %u job(s) took %.3f ms (writer thread)", batch->len, ms);

  self->wrote_since_checkpoint = TRUE;

  return TRUE;
}

static void
finish_job (ConfabStoreWriter *self,
            Job               *job,
            const GError      *error)
{
  if (error != NULL && job->kind == JOB_WRITE)
    {
      if (job->wait)
        job->error = g_error_copy (error);
      _confab_store_report_write_error (self->store, error);
    }

  if (job->wait)
    {
      g_mutex_lock (&self->lock);
      job->done = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
    }
  else
    {
      _confab_store_write_free (job->write);
      g_free (job);
    }
}

static void
run_batch (ConfabStoreWriter *self,
           GPtrArray         *batch)
{
  g_autoptr(GError) error = NULL;

  if (!run_batch_locked (self, batch, &error) && batch->len > 1)
    {
      /* One write failed the batch: run each alone, so only that one fails. */
      for (guint i = 0; i < batch->len; i++)
        {
          g_autoptr(GPtrArray) one = g_ptr_array_new ();
          g_autoptr(GError) one_error = NULL;

          g_ptr_array_add (one, g_ptr_array_index (batch, i));
          run_batch_locked (self, one, &one_error);
          finish_job (self, g_ptr_array_index (batch, i), one_error);
        }
      return;
    }

  for (guint i = 0; i < batch->len; i++)
    finish_job (self, g_ptr_array_index (batch, i), error);
}

/* A TRUNCATE checkpoint waits for readers to leave the WAL; it must not hold up the writes
 * queued meanwhile, so it waits at most @busy_ms and is tried again at the next idle. */
static void
checkpoint (ConfabStoreWriter *self,
            int                mode,
            int                busy_ms)
{
  gint64 start = g_get_monotonic_time ();
  int log_frames = 0;
  int checkpointed = 0;
  int rc;

  sqlite3_busy_timeout (self->db, busy_ms);
  rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, mode, &log_frames, &checkpointed);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  g_debug ("checkpoint (%s) of %d/%d WAL frames took %.3f ms (writer thread): %s",
           mode == SQLITE_CHECKPOINT_TRUNCATE ? "truncate" : "passive",
           checkpointed, log_frames, (g_get_monotonic_time () - start) / 1000.0,
           rc == SQLITE_OK ? "ok" : sqlite3_errmsg (self->db));

  if (rc == SQLITE_OK)
    self->wrote_since_checkpoint = FALSE;
}

static gpointer
writer_thread (gpointer data)
{
  ConfabStoreWriter *self = data;
  gboolean quit = FALSE;

  while (!quit)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      Job *job;

      if (self->wrote_since_checkpoint)
        {
          job = g_async_queue_timeout_pop (self->queue, IDLE_CHECKPOINT_US);
          if (job == NULL)
            {
              /* Idle: give the WAL back to the database and cut the file. */
              checkpoint (self, SQLITE_CHECKPOINT_TRUNCATE, 0);
              continue;
            }
        }
      else
        job = g_async_queue_pop (self->queue);

      /* What queued up meanwhile goes in the same transaction. */
      while (job != NULL)
        {
          if (job->kind == JOB_QUIT)
            {
              quit = TRUE;
              g_free (job);
              break;
            }
          g_ptr_array_add (batch, job);
          if (batch->len >= MAX_BATCH)
            break;
          job = g_async_queue_try_pop (self->queue);
        }

      if (batch->len > 0)
        run_batch (self, batch);
    }

  checkpoint (self, SQLITE_CHECKPOINT_TRUNCATE, 200);

  return NULL;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

ConfabStoreWriter *
_confab_store_writer_new (ConfabStore  *store,
                          const char   *path,
                          GError      **error)
{
  ConfabStoreWriter *self = g_new0 (ConfabStoreWriter, 1);

  self->store = store;
  self->path = g_strdup (path);
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
  self->queue = g_async_queue_new ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
      (sqlite3_extended_result_codes (self->db, TRUE),
       sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS),
       !exec (self, "PRAGMA synchronous = NORMAL", error) ||
       !exec (self, "PRAGMA foreign_keys = ON", error) ||
       !exec (self, "PRAGMA journal_size_limit = " JOURNAL_SIZE_LIMIT, error)))
    {
      if (error != NULL && *error == NULL)
        set_error (self, error);
      _confab_store_writer_free (self);
      return NULL;
    }

  {
    sqlite3_stmt *stmt = NULL;

    self->page_size = 4096;
    if (sqlite3_prepare_v2 (self->db, "PRAGMA page_size", -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step (stmt) == SQLITE_ROW)
      self->page_size = sqlite3_column_int (stmt, 0);
    sqlite3_finalize (stmt);
  }

  sqlite3_wal_hook (self->db, wal_hook_cb, self);
  self->thread = g_thread_new ("confab-store-writer", writer_thread, self);

  return self;
}

gboolean
_confab_store_writer_push (ConfabStoreWriter  *self,
                           ConfabStoreWrite   *write,
                           gboolean            wait,
                           GError            **error)
{
  Job *job = g_new0 (Job, 1);
  gboolean ok = TRUE;

  job->kind = write != NULL ? JOB_WRITE : JOB_SYNC;
  job->write = write;
  job->wait = wait;

  g_async_queue_push (self->queue, job);

  if (!wait)
    return TRUE;

  g_mutex_lock (&self->lock);
  while (!job->done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (job->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job->error));
      ok = FALSE;
    }

  _confab_store_write_free (job->write);
  g_free (job);

  return ok;
}

void
_confab_store_writer_sync (ConfabStoreWriter *self)
{
  _confab_store_writer_push (self, NULL, TRUE, NULL);
}

void
_confab_store_writer_free (ConfabStoreWriter *self)
{
  if (self->thread != NULL)
    {
      Job *job = g_new0 (Job, 1);

      job->kind = JOB_QUIT;
      g_async_queue_push (self->queue, job);
      g_thread_join (self->thread);
    }

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_async_queue_unref (self->queue);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->path);
  g_free (self);
}
