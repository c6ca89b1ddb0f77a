/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "confab-enums.h"
#include "confab-store.h"

G_BEGIN_DECLS

/* The store is split by what it does:
 *   confab-store.c          the object, opening (WAL, checkpoints, crash recovery), SQLite
 *                           helpers, rename/delete
 *   confab-store-schema.c   schema version checks and forward migrations
 *   confab-store-rows.c     snapshots of conversations and messages (rows) taken on the
 *                           main thread and handed to the writer
 *   confab-store-writer.c   the writer thread: its own connection writes the rows in order
 *   confab-store-tracker.c  following conversations: signal handlers, batching, flush
 *   confab-store-reader.c   load, contains, list
 *   confab-store-search.c   search, paged, in a worker thread with its own connection
 *   confab-store-summary.c  ConfabStoreSummary, a row of list/search
 * The object lives on the thread that opened the store (the main thread); writes of
 * conversations go to the writer thread as rows, so the main thread only copies what changed.
 * Reads on the main connection first wait for the writer to be done with what was handed
 * over, so a process always reads its own writes. */

#define CONFAB_STORE_N_TOOL_CALL_STATUSES (CONFAB_TOOL_CALL_STATUS_DENIED + 1)

/* The number of messages of conversation c's branch shown: the depth of its last one. */
#define CONFAB_STORE_N_SHOWN_SQL \
  "COALESCE ((SELECT m.position + 1 FROM messages m WHERE m.id = c.shown_leaf), 0)"

struct _ConfabStore
{
  GObject     parent_instance;

  sqlite3    *db;
  char       *path;
  GHashTable *statements;      /* const char *sql → sqlite3_stmt */
  GHashTable *trackers;        /* ConfabConversation* → ConfabStoreTracker* */
  GHashTable *dirty;           /* MessageWatch* set (tracker): text pending, written by the timer */
  guint       flush_source;
  guint       n_recovered;
  guint       n_writes;        /* atomic: counted by the writer thread */
  double      max_write_ms;
  double      max_flush_ms;    /* main thread: the slowest hand-over of a flush */
  int         transaction_depth;
  gint64      transaction_start;
  char       *writer;          /* "host:pid" of this process */

  struct _ConfabStoreWriter *writer_thread;
  GMainContext *context;       /* where ::write-failed is emitted */
  GMutex      search_lock;     /* one search at a time on search_db */
  sqlite3    *search_db;       /* the searches' own connection, opened by the first */
  GMutex      error_lock;
  GError     *write_error;     /* the first write that failed since the last flush (error_lock) */
};

typedef struct _ConfabStoreTracker ConfabStoreTracker;
typedef struct _ConfabStoreWriter  ConfabStoreWriter;

/* A tool call as written (every field a copy). */
typedef struct
{
  guint  index;
  char  *call_id;
  char  *name;
  char  *server;
  char  *arguments;
  char  *status;
  char  *result;
  char  *result_content;
  char  *error;
  char  *status_times;
} ConfabStoreCallRow;

typedef enum
{
  CONFAB_STORE_TEXT_NONE,    /* the stored text is current */
  CONFAB_STORE_TEXT_FULL,    /* content/reasoning are the whole text; pieces are joined away */
  CONFAB_STORE_TEXT_APPEND,  /* content/reasoning (or NULL) are what arrived since the last write */
} ConfabStoreTextMode;

/* A message as written: a snapshot taken on the main thread, written on the writer thread. */
typedef struct
{
  char               *id;
  gint64              position;        /* the depth in the tree */
  gboolean            write_row;       /* the messages row and its usage */
  char               *parent_id;       /* with write_row: its place in the tree */
  guint               sibling;
  char               *role;
  char               *tool_call_id;
  char               *finish_reason;
  char               *state;
  char               *error_domain;
  int                 error_code;
  char               *error_message;
  int                 retry_after;
  char               *model;
  gint64              created_at;
  char               *request_body;

  ConfabStoreTextMode text_mode;
  char               *content;
  char               *reasoning;

  int                 usage_reported;
  gint64              usage_tokens[5];  /* prompt, completion, total, cached, reasoning */
  int                 usage_has_cost;
  double              usage_cost;
  double              usage_ttft;
  double              usage_duration;

  GPtrArray          *calls;           /* ConfabStoreCallRow: the changed ones */
  int                 n_calls;         /* >= 0: calls from this index on are deleted */
  GBytes             *raw;             /* the raw response to write, or NULL */
  GPtrArray          *attachments;     /* ConfabAttachment (immutable, shared) or NULL */
  gboolean            raw_if_changed;  /* skip it when the stored size is the same */
} ConfabStoreMessageRow;

typedef struct
{
  char   *id;
  char   *title;
  char   *system_prompt;
  char   *provider_name;
  char   *base_url;
  char   *model;
  gint64  created_at;
  gint64  updated_at;
  char   *shown_leaf;   /* the last message of the branch shown */
} ConfabStoreConversationRow;

/* One write handed to the writer thread. */
typedef struct
{
  char                       *conversation_id;
  ConfabStoreConversationRow *conversation;   /* NULL: not written */
  GPtrArray                  *messages;       /* ConfabStoreMessageRow */
  gboolean                    whole;          /* a whole save: messages not in @messages go */
  gboolean                    ledger;         /* requests made in this process: counted in
                                               * the usage ledger (never a save or import) */
  GPtrArray                  *more;           /* ConfabStoreWrite: written in the same
                                               * transaction, all or none (save_all) */
} ConfabStoreWrite;

/* confab-store.c: SQLite helpers. Prepared statements are cached by the address of their SQL,
 * so the @sql of _confab_store_prepare() and _confab_store_run() must be a string literal. */
static inline void
_confab_store_bind_text (sqlite3_stmt *stmt,
                         int           column,
                         const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
}

static inline const char *
_confab_store_column_text (sqlite3_stmt *stmt,
                           int           column)
{
  return (const char *)sqlite3_column_text (stmt, column);
}

/* Sets CONFAB_ERROR_STORE "Could not @what the conversation database …"; returns FALSE. */
gboolean            _confab_store_set_sqlite_error       (ConfabStore  *self,
                                                          GError      **error,
                                                          const char   *what);
/* Sets CONFAB_ERROR_STORE "There is no stored conversation …". */
void                _confab_store_set_not_found_error    (GError     **error,
                                                          const char  *id);
/* The cached statement for @sql, reset, bindings cleared. (transfer none) */
sqlite3_stmt       *_confab_store_prepare                (ConfabStore  *self,
                                                          const char   *sql,
                                                          GError      **error);
/* Steps @stmt once and resets it, for statements that return no rows. */
gboolean            _confab_store_step_done              (ConfabStore   *self,
                                                          sqlite3_stmt  *stmt,
                                                          GError       **error);
/* Runs @sql with @id bound to ?1 (no rows). */
gboolean            _confab_store_run                    (ConfabStore  *self,
                                                          const char   *sql,
                                                          const char   *id,
                                                          GError      **error);
/* Runs @sql, any string, uncached (schema, pragmas, transactions). */
gboolean            _confab_store_exec                   (ConfabStore  *self,
                                                          const char   *sql,
                                                          GError      **error);
/* Opens a transaction, or nests in the open one; pair with _confab_store_commit(). */
gboolean            _confab_store_begin                  (ConfabStore  *self,
                                                          GError      **error);
/* Commits (@ok) or rolls back the outermost transaction and times it; returns @ok when nested. */
gboolean            _confab_store_commit                 (ConfabStore  *self,
                                                          gboolean      ok,
                                                          GError      **error);
/* confab-store-backup.c: copies the conversations of the database at @staging_path that the
 * one at @db_path does not have into it, in one transaction on a connection of its own (any
 * thread). Imports are written to a staging database a batch at a time, then merged. */
gboolean            _confab_store_merge_file             (const char   *db_path,
                                                          const char   *staging_path,
                                                          guint        *n_merged,
                                                          GError      **error);
/* Deletes the attachments no message links to any more. */
gboolean            _confab_store_collect_attachments    (ConfabStore  *self,
                                                          GError      **error);
/* Emits ConfabStore::changed. */
void                _confab_store_emit_changed           (ConfabStore *self);

/* confab-store-schema.c */
/* Reads the schema version of the opened file; refuses, leaving it untouched, one that is not
 * ours, damaged or newer. */
gboolean            _confab_store_check_version          (ConfabStore  *self,
                                                          int          *version,
                                                          GError      **error);
/* Migrates the schema forward from version @from, a transaction per step. */
gboolean            _confab_store_migrate                (ConfabStore  *self,
                                                          int           from,
                                                          GError      **error);

/* Tests: a new database at @path with the schema of version @version, as the Confab of
 * that version created it. */
gboolean            _confab_store_create_at_version      (const char   *path,
                                                          int           version,
                                                          GError      **error);

/* confab-store-rows.c (main thread) */
ConfabStoreConversationRow *_confab_store_conversation_row_new (ConfabConversation *conversation);
void                _confab_store_conversation_row_free  (ConfabStoreConversationRow *row);
/* Every field of @message, the whole text, every tool call; the raw response when not
 * streaming. */
ConfabStoreMessageRow *_confab_store_message_row_new_full (ConfabMessage *message,
                                                           guint          position);
ConfabStoreMessageRow *_confab_store_message_row_new     (void);
/* Fills the row fields (not the text, calls or raw response) from @message. */
void                _confab_store_message_row_set_fields (ConfabStoreMessageRow *row,
                                                          ConfabMessage         *message);
ConfabStoreCallRow *_confab_store_call_row_new           (ConfabToolCall *call);
void                _confab_store_message_row_free       (ConfabStoreMessageRow *row);
ConfabStoreWrite   *_confab_store_write_new              (const char *conversation_id);
/* confab-store-tracker.c: a conversation just loaded by @self needs no save when tracked;
 * take_loaded says whether it is still as loaded (and forgets it). */
void                _confab_store_mark_loaded           (ConfabStore        *self,
                                                         ConfabConversation *conversation);
gboolean            _confab_store_take_loaded           (ConfabStore        *self,
                                                         ConfabConversation *conversation);
/* A whole save of @conversation: every message, and the stored ones it lost go. */
ConfabStoreWrite   *_confab_store_write_new_whole        (ConfabConversation *conversation);
void                _confab_store_write_free             (ConfabStoreWrite *write);

/* confab-store-writer.c */
/* Starts the writer thread with its own connection to @path. */
ConfabStoreWriter  *_confab_store_writer_new             (ConfabStore  *store,
                                                          const char   *path,
                                                          GError      **error);
/* Hands @write (transfer full) over; with @wait, returns when it is committed (FALSE and
 * @error when that failed). Without, a failure is kept for the next flush and emitted as
 * ConfabStore::write-failed. */
gboolean            _confab_store_writer_push            (ConfabStoreWriter  *writer,
                                                          ConfabStoreWrite   *write,
                                                          gboolean            wait,
                                                          GError            **error);
/* Bytes the writer appended to the WAL so far (frames of 4 KiB pages and their headers). */
gint64              _confab_store_writer_get_wal_bytes   (ConfabStoreWriter  *writer);
/* Waits until everything handed over is committed (or failed). */
void                _confab_store_writer_sync            (ConfabStoreWriter  *writer);
/* Writes what is queued, checkpoints (TRUNCATE), closes its connection, joins the thread. */
void                _confab_store_writer_free            (ConfabStoreWriter  *writer);
/* Called by the writer thread: keeps @error for the next flush and emits ::write-failed. */
void                _confab_store_report_write_error     (ConfabStore  *self,
                                                          const GError *error);
/* Before reading on the main connection: waits for the writer to commit what it was handed. */
void                _confab_store_sync                   (ConfabStore  *self);
/* Hands @write over (see _confab_store_writer_push()); failures are reported. */
gboolean            _confab_store_push                   (ConfabStore       *self,
                                                          ConfabStoreWrite  *write,
                                                          gboolean           wait,
                                                          GError           **error);
/* Marks conversation @id as continued by this process, or fails with
 * CONFAB_ERROR_STORE_BUSY when another live process has it. */
gboolean            _confab_store_claim                  (ConfabStore  *self,
                                                          const char   *id,
                                                          GError      **error);
void                _confab_store_release                (ConfabStore  *self,
                                                          const char   *id);
/* TRUE when this process may not write @path or its folder (as the WAL needs). */
gboolean            _confab_store_path_not_writable      (const char *path);
/* TRUE when @writer ("host:pid") is another running process of this machine. */
gboolean            _confab_store_writer_is_alive        (const char *writer);

/* confab-store-tracker.c */
/* Stops following one conversation (the destroy function of ConfabStore.trackers). */
void                _confab_store_tracker_free           (ConfabStoreTracker *tracker);
/* On dispose: writes everything pending of every tracked conversation. */
void                _confab_store_flush_all              (ConfabStore *self);
/* Hands what streamed since the last flush to the writer (no waiting). */
void                _confab_store_flush_pending          (ConfabStore *self);

/* confab-store-summary.c */
/* (transfer full) */
ConfabStoreSummary *_confab_store_summary_new            (const char *id,
                                                          const char *title,
                                                          const char *snippet,
                                                          const char *model,
                                                          gint64      updated_at,
                                                          guint       n_messages);

G_END_DECLS
