/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-store.h"

G_BEGIN_DECLS

/* Backups of the conversation database live in a "backups" folder next to it, one file per
 * backup named confab-YYYYMMDD-HHMMSS.db (UTC), so the newest sorts last. They are made with
 * SQLite's online backup API on a connection of their own: the app keeps writing meanwhile.
 * Every function here but confab_store_restore() touches no ConfabStore and may run on any
 * thread; the _async ones run in a worker thread. */

/* The backups folder of the database at @db_path. (transfer full) */
char      *confab_store_backup_dir             (const char           *db_path);
/* Every backup of @db_path, newest first. (transfer full) (element-type filename) */
GPtrArray *confab_store_list_backups           (const char           *db_path);
/* Copies the database at @db_path to @dest (which must not exist) with the online backup API. */
gboolean   confab_store_backup_to              (const char           *db_path,
                                                const char           *dest,
                                                GCancellable         *cancellable,
                                                GError              **error);
/* Makes a backup of @db_path in its backups folder. (transfer full) */
char      *confab_store_backup_now             (const char           *db_path,
                                                GCancellable         *cancellable,
                                                GError              **error);
/* Removes the oldest backups beyond the newest @keep and beyond @max_bytes in all (the newest
 * is always kept). */
void       confab_store_rotate_backups         (const char           *db_path,
                                                guint                 keep,
                                                guint64               max_bytes);
/* The daily backup: when the newest backup is a day old or more (or there is none), makes
 * one, then rotates. Finishes with the new backup's path, or NULL (and no error) when none
 * was due. */
void       confab_store_daily_backup_async     (const char           *db_path,
                                                guint                 keep,
                                                guint64               max_bytes,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
char      *confab_store_daily_backup_finish    (GAsyncResult         *result,
                                                GError              **error);
/* PRAGMA quick_check on a read-only connection of its own. FALSE with CONFAB_ERROR_STORE and
 * SQLite's first complaint when the file is damaged or is not a database. */
gboolean   confab_store_quick_check            (const char           *db_path,
                                                GError              **error);
void       confab_store_quick_check_async      (const char           *db_path,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean   confab_store_quick_check_finish     (GAsyncResult         *result,
                                                GError              **error);
/* The newest backup that passes quick_check, or NULL. (transfer full) */
char      *confab_store_find_good_backup       (const char           *db_path);
/* Moves the database at @db_path (and its -wal and -shm files) aside, to
 * @db_path.broken-YYYYMMDD-HHMMSS; nothing is deleted. Returns the new path. (transfer full) */
char      *confab_store_move_aside             (const char           *db_path,
                                                GError              **error);
/* Copies @backup to @db_path, which must not exist (it was moved aside): for a database that
 * cannot be opened. */
gboolean   confab_store_restore_file           (const char           *backup,
                                                const char           *db_path,
                                                GError              **error);
/* Restores @backup into the open @store in place, after writing what is pending and making a
 * backup of the current database (its path in @previous_backup). Conversations open in the
 * app should be reloaded afterwards; ConfabStore::changed is emitted. */
gboolean   confab_store_restore                (ConfabStore          *store,
                                                const char           *backup,
                                                char                **previous_backup,
                                                GError              **error);

G_END_DECLS
