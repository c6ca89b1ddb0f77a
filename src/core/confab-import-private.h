/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-import.h"

G_BEGIN_DECLS

/* confab-import-formats.c: the shape of one item of an export, and its conversion. Each
 * converter fails with CONFAB_ERROR_IMPORT on an item not of its shape. */
ConfabImportFormat  _confab_import_detect           (JsonNode  *item);
ConfabConversation *_confab_import_chatgpt          (JsonNode  *item,
                                                     gboolean  *other_branches,
                                                     GError   **error);
ConfabConversation *_confab_import_open_webui       (JsonNode  *item,
                                                     gboolean  *other_branches,
                                                     GError   **error);
/* confab-import-alpaca.c: whether @head starts like a SQLite database; Alpaca's database at
 * @path (opened read-only) into @staging. */
gboolean            _confab_import_is_sqlite        (const guint8 *head,
                                                     gsize         len);
ConfabImportResult *_confab_import_alpaca           (const char                *path,
                                                     ConfabStore               *staging,
                                                     ConfabImportProgressFunc   progress,
                                                     gpointer                   user_data,
                                                     GCancellable              *cancellable,
                                                     GError                   **error);
/* confab-import.c: one message of Confab JSON (its "id" kept when there is one). (transfer full) */
ConfabMessage      *_confab_import_read_message     (JsonObject  *object,
                                                     GError     **error);
/* A UUID-shaped id derived from @source and @id (SHA-1), the same every time. */
char               *_confab_import_derive_id        (const char *source,
                                                     const char *id);

G_END_DECLS
