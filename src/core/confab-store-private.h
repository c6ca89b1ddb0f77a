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
 *   confab-store-writer.c   writing conversations, messages, tool calls and usage; save
 *   confab-store-tracker.c  following conversations: signal handlers, batching, flush
 *   confab-store-reader.c   load, contains, list, search
 *   confab-store-summary.c  ConfabStoreSummary, a row of list/search
 * Everything runs on the thread that opened the store (the checkpoint worker has its own
 * connection). */

#define CONFAB_STORE_N_TOOL_CALL_STATUSES (CONFAB_TOOL_CALL_STATUS_DENIED + 1)

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
  guint       n_writes;
  double      max_write_ms;
  int         transaction_depth;
  gint64      transaction_start;
  guint       checkpointing : 1;
  char       *writer;          /* "host:pid" of this process */
};

typedef struct _ConfabStoreTracker ConfabStoreTracker;

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

/* confab-store-writer.c */
/* Upserts the conversation's own row (title, model, times …). */
gboolean            _confab_store_write_conversation_row (ConfabStore         *self,
                                                          ConfabConversation  *conversation,
                                                          GError             **error);
/* Upserts a message with usage and tool calls; its raw response too with @with_raw. */
gboolean            _confab_store_write_message          (ConfabStore         *self,
                                                          ConfabConversation  *conversation,
                                                          guint                position,
                                                          ConfabMessage       *message,
                                                          gboolean             with_raw,
                                                          GError             **error);
/* Writes the whole conversation inside the open transaction, deleting messages it lost. */
gboolean            _confab_store_save_locked            (ConfabStore         *self,
                                                          ConfabConversation  *conversation,
                                                          GError             **error);

/* confab-store-tracker.c */
/* Stops following one conversation (the destroy function of ConfabStore.trackers). */
void                _confab_store_tracker_free           (ConfabStoreTracker *tracker);
/* On dispose: writes everything pending of every tracked conversation. */
void                _confab_store_flush_all              (ConfabStore *self);

/* confab-store-summary.c */
/* (transfer full) */
ConfabStoreSummary *_confab_store_summary_new            (const char *id,
                                                          const char *title,
                                                          const char *snippet,
                                                          const char *model,
                                                          gint64      updated_at,
                                                          guint       n_messages);

G_END_DECLS
