/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-enums.h"
#include "confab-store-summary.h"
#include "confab-usage-total.h"
#include "confab-types.h"

G_BEGIN_DECLS

/* The schema version this Confab writes (PRAGMA user_version). Older databases are migrated
 * forward on open; newer ones are refused with CONFAB_ERROR_STORE_VERSION. */
#define CONFAB_STORE_SCHEMA_VERSION 7

/* The raw response kept per message for the inspector is capped at this many bytes (the
 * first bytes are kept, the rest dropped; the original size is kept) and stored
 * zlib-compressed. */
#define CONFAB_STORE_RAW_RESPONSE_MAX (8 * 1024 * 1024)

/* Streamed text is written at most this often while a message streams, and at its end. */
#define CONFAB_STORE_FLUSH_INTERVAL_MS 250

#define CONFAB_TYPE_STORE (confab_store_get_type ())

G_DECLARE_FINAL_TYPE (ConfabStore, confab_store, CONFAB, STORE, GObject)

/* Signal ConfabStore::changed is emitted after a conversation is created, renamed, deleted or
 * gets new messages (not per streamed piece). */

/* $XDG_DATA_HOME/confab/confab.db (transfer full) */
char               *confab_store_get_default_path    (void);
/* Opens (creating it and its directory if needed) the database at @path, migrates an older
 * schema forward and marks messages left "streaming" by a crash as interrupted (text kept;
 * a stream still being written by another running process of this machine is left alone).
 * A file that is not a Confab/SQLite database fails with CONFAB_ERROR_STORE, one from a
 * newer Confab with CONFAB_ERROR_STORE_VERSION; in both cases the file is not modified.
 * (transfer full) */
ConfabStore        *confab_store_open                (const char          *path,
                                                      GError             **error);
/* confab_store_open() on the default path. (transfer full) */
ConfabStore        *confab_store_open_default        (GError             **error);
const char         *confab_store_get_path            (ConfabStore         *self);
/* How many messages the last open found interrupted (left "streaming"). */
guint               confab_store_get_n_recovered     (ConfabStore         *self);

/* Writes @conversation (every message, tool call and usage) now, in one transaction, and
 * waits for it. */
gboolean            confab_store_save                (ConfabStore         *self,
                                                      ConfabConversation  *conversation,
                                                      GError             **error);
/* Writes every conversation of @conversations (ConfabConversation) in one transaction: all
 * or none. Like confab_store_save(), these are untracked writes (imports). */
gboolean            confab_store_save_all            (ConfabStore         *self,
                                                      GPtrArray           *conversations,
                                                      GError             **error);
/* Saves @conversation (handed to the writer thread), then follows it: added messages are
 * committed before this returns (the user's message is on disk before the request is sent),
 * removed ones deleted, streamed text/reasoning/arguments handed over at most every
 * CONFAB_STORE_FLUSH_INTERVAL_MS (only what arrived since: appended as pieces, joined into the
 * message and indexed once it leaves the streaming state); state, errors, finish reason,
 * tool-call status and results (only the calls that changed), usage and titles as they
 * change. Failures are reported by ConfabStore::write-failed and the next
 * confab_store_flush(). The store holds a reference until untrack. */
void                confab_store_track               (ConfabStore         *self,
                                                      ConfabConversation  *conversation);
/* confab_store_track(), but fails with CONFAB_ERROR_STORE_BUSY when another running process
 * continues @conversation ("this conversation is busy in another window or process"). */
gboolean            confab_store_try_track           (ConfabStore         *self,
                                                      ConfabConversation  *conversation,
                                                      GError             **error);
/* Writes what is pending for @conversation and stops following it. */
void                confab_store_untrack             (ConfabStore         *self,
                                                      ConfabConversation  *conversation);
/* Writes everything pending for every tracked conversation now and waits for the writer
 * thread; fails with the first write that failed since the last flush (disk full, read-only
 * file …), which ConfabStore::write-failed also reported. */
gboolean            confab_store_flush               (ConfabStore         *self,
                                                      GError             **error);
/* The tracked conversation with @id, or NULL. (transfer none) */
ConfabConversation *confab_store_lookup_tracked      (ConfabStore         *self,
                                                      const char          *id);

/* Loads a conversation with everything the UI shows: messages, reasoning, tool calls
 * (arguments, results, status, times), usage per request, errors, model, request bodies
 * and raw responses. CONFAB_ERROR_STORE ("There is no stored conversation …") when there
 * is no such id. (transfer full) */
ConfabConversation *confab_store_load                (ConfabStore         *self,
                                                      const char          *id,
                                                      GError             **error);
/* TRUE if a conversation with @id is stored. */
gboolean            confab_store_contains            (ConfabStore         *self,
                                                      const char          *id);
/* Every conversation, most recently updated first. (transfer full) (element-type ConfabStoreSummary) */
GListModel         *confab_store_list                (ConfabStore         *self,
                                                      GError             **error);
/* Full-text search (FTS5) over message text and titles, one entry per conversation with a
 * snippet: conversations whose title matches first (most recently updated first), then
 * those with a matching message, newest matching message first. Plain words are searched
 * (all of them; the last as a prefix when it has three characters or more); FTS syntax in
 * @text is not interpreted. Every hit, on the calling thread: for the CLI and tests.
 * (transfer full) (element-type ConfabStoreSummary) */
GListModel         *confab_store_search              (ConfabStore         *self,
                                                      const char          *text,
                                                      GError             **error);
/* The same, @limit hits from @offset on (a page: only those are looked up and get a
 * snippet), in a worker thread with its own connection. Cancelling @cancellable stops the
 * query within a thousand SQLite steps (G_IO_ERROR_CANCELLED). */
void                confab_store_search_async        (ConfabStore         *self,
                                                      const char          *text,
                                                      guint                offset,
                                                      guint                limit,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* (transfer full) (element-type ConfabStoreSummary) */
GListModel         *confab_store_search_finish       (ConfabStore         *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
/* The usage ledger (every request this Confab made, also of deleted or regenerated
 * messages; never imported history) summed by provider, model or month: by tokens, most
 * first, or newest month first. (transfer full) (element-type ConfabUsageTotal) */
GListModel         *confab_store_usage_totals        (ConfabStore         *self,
                                                      ConfabUsageGrouping  grouping,
                                                      GError             **error);
/* The ledger's sum for @provider_name in the local calendar month of @when. (transfer full) */
ConfabUsageTotal   *confab_store_usage_for_month     (ConfabStore         *self,
                                                      const char          *provider_name,
                                                      GDateTime           *when,
                                                      GError             **error);
/* Renames (also a tracked conversation in memory). */
gboolean            confab_store_rename              (ConfabStore         *self,
                                                      const char          *id,
                                                      const char          *title,
                                                      GError             **error);
/* Deletes the conversation with everything in it (stops tracking it first). */
gboolean            confab_store_delete              (ConfabStore         *self,
                                                      const char          *id,
                                                      GError             **error);
/* Milliseconds the slowest write (one transaction, on the writer thread) took so far, and
 * the count of writes. */
double              confab_store_get_max_write_ms    (ConfabStore         *self);
guint               confab_store_get_n_writes        (ConfabStore         *self);
/* Milliseconds the slowest flush took on the calling (main) thread: handing over what
 * streamed since the last one. This is what a frame can lose. */
double              confab_store_get_max_flush_ms    (ConfabStore         *self);

G_END_DECLS
