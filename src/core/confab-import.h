/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-store.h"
#include "confab-types.h"

G_BEGIN_DECLS

typedef enum {
  CONFAB_IMPORT_FORMAT_UNKNOWN,
  CONFAB_IMPORT_FORMAT_CONFAB,      /* confab-cli export --format json (one or an array) */
  CONFAB_IMPORT_FORMAT_CHATGPT,     /* ChatGPT's conversations.json */
  CONFAB_IMPORT_FORMAT_OPEN_WEBUI,  /* Open WebUI's chat export */
  CONFAB_IMPORT_FORMAT_ALPACA,      /* Alpaca's SQLite database (alpaca.db) */
} ConfabImportFormat;

/* Called on the reading thread with the bytes read so far and the file's size (0 if unknown). */
typedef void (*ConfabImportProgressFunc) (goffset  bytes_read,
                                          goffset  size,
                                          gpointer user_data);

/* What an import read and did. */
typedef struct
{
  ConfabImportFormat  format;
  GPtrArray          *ids;              /* the id of every conversation of the file, in order */
  GPtrArray          *conversations;    /* ConfabConversation, as read (confab_import_read()
                                         * only; NULL when streamed into the store) */
  guint               n_imported;       /* saved by confab_import_save() */
  guint               n_skipped;        /* already in the store (imported before) */
  guint               n_other_branches; /* conversations with more than one branch (all
                                         * kept, the one last shown is shown) */
} ConfabImportResult;

void                confab_import_result_free   (ConfabImportResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabImportResult, confab_import_result_free)

const char         *confab_import_format_to_string (ConfabImportFormat format);

/* Reads a whole export from @stream, streaming (one conversation's tree in memory at a
 * time), on the calling thread (any thread: no store is touched). The shape is recognised
 * from the first conversation; a file whose items are not all of one known shape fails with
 * CONFAB_ERROR_IMPORT saying what was expected. Conversation and message ids are derived
 * from the source's ids, so reading the same file twice gives the same ids. (transfer full) */
ConfabImportResult *confab_import_read          (GInputStream             *stream,
                                                 goffset                   size,
                                                 ConfabImportProgressFunc  progress,
                                                 gpointer                  user_data,
                                                 GCancellable             *cancellable,
                                                 GError                  **error);
/* Imports @file into @store with bounded memory, in a worker thread: the file is streamed
 * and its conversations written a batch at a time (a few MB) to a staging database, then
 * the ones @store does not have are copied into it in one transaction (nothing when
 * anything failed, or when @cancellable was cancelled). @progress is called on the worker
 * thread. ConfabStore::changed is emitted by the _finish on the calling thread. */
void                confab_import_file_async    (ConfabStore              *store,
                                                 GFile                    *file,
                                                 ConfabImportProgressFunc  progress,
                                                 gpointer                  user_data,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  callback_data);
ConfabImportResult *confab_import_file_finish   (ConfabStore              *store,
                                                 GAsyncResult             *result,
                                                 GError                  **error);
/* Saves what @result read that @store does not have yet, all in one transaction (nothing
 * when it fails), with confab_store_save_all() — untracked writes. Fills n_imported and
 * n_skipped. */
gboolean            confab_import_save          (ConfabStore              *store,
                                                 ConfabImportResult       *result,
                                                 GError                  **error);
/* The same on the calling thread (confab-cli import). */
ConfabImportResult *confab_import_file          (ConfabStore              *store,
                                                 const char               *path,
                                                 GCancellable             *cancellable,
                                                 GError                  **error);

/* One Confab JSON conversation (confab_export_json()) back to a conversation. (transfer full) */
ConfabConversation *confab_import_confab_json   (JsonNode                 *node,
                                                 GError                  **error);

G_END_DECLS
