/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-store.h"

G_BEGIN_DECLS

/* After start-up, off the main thread: the daily backup (settings backup-keep and
 * backup-max-size-mb) and a quick_check of the database; a damaged database is reported
 * with the newest good backup offered (confab_backups_offer_restore()). */
void       confab_backups_after_start     (GtkApplication *app,
                                           ConfabStore    *store);
/* The database at @path could not be opened (@error): when the file is damaged it is moved
 * aside and an empty database opened in its place, and the user is told, with the newest good
 * backup offered. NULL when the file is fine but could not be opened (permissions, a newer
 * Confab, …): then nothing is moved. (transfer full) */
ConfabStore *confab_backups_recover       (GtkApplication *app,
                                           const char     *path,
                                           const GError   *error);
/* Tells the user what happened (@problem) and offers the newest good backup, on the active
 * window (or the first one shown). */
void       confab_backups_offer_restore   (GtkApplication *app,
                                           ConfabStore    *store,
                                           const char     *problem);
/* The same on @parent, now. */
void       confab_backups_present_offer   (GtkWindow      *parent,
                                           ConfabStore    *store,
                                           const char     *problem);

#define CONFAB_TYPE_BACKUPS_GROUP (confab_backups_group_get_type ())

G_DECLARE_FINAL_TYPE (ConfabBackupsGroup, confab_backups_group, CONFAB, BACKUPS_GROUP, AdwPreferencesGroup)

/* Preferences: the backups of @store, newest first, each with Restore…, and Back Up Now. */
GtkWidget *confab_backups_group_new       (ConfabStore    *store);

G_END_DECLS
