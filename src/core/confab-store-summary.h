/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_STORE_SUMMARY (confab_store_summary_get_type ())

G_DECLARE_FINAL_TYPE (ConfabStoreSummary, confab_store_summary, CONFAB, STORE_SUMMARY, GObject)

/* One row of confab_store_list()/search(). */
const char         *confab_store_summary_get_id         (ConfabStoreSummary *self);
const char         *confab_store_summary_get_title      (ConfabStoreSummary *self);
/* Search hit context (plain text, no markup), NULL for list(). */
const char         *confab_store_summary_get_snippet    (ConfabStoreSummary *self);
const char         *confab_store_summary_get_model      (ConfabStoreSummary *self);
gint64              confab_store_summary_get_updated_at (ConfabStoreSummary *self);
guint               confab_store_summary_get_n_messages (ConfabStoreSummary *self);
/* Makes @self a copy of @other (notifying what changed); FALSE when they were equal. A list
 * keeps its row objects, and so its row widgets, while what they show changes. */
gboolean            confab_store_summary_assign         (ConfabStoreSummary *self,
                                                         ConfabStoreSummary *other);

G_END_DECLS
