/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_TAIL_MODEL (confab_tail_model_get_type ())

G_DECLARE_FINAL_TYPE (ConfabTailModel, confab_tail_model, CONFAB, TAIL_MODEL, GObject)

/* The newest items of a list model. GtkListView keeps up to ~200 rows alive and a
 * ConfabMessageRow is not cheap, so the chat view opens a long conversation on its newest
 * messages and shows more when the user scrolls near the top. The tail model shows the items of its source from `offset` to the end:
 * appended messages come through, and growing is a pure insertion at the top (GtkListView
 * keeps its anchor row, so what is on screen stays put). GtkSliceListModel would do, but
 * changing its offset replaces every item. (transfer full) */
ConfabTailModel *confab_tail_model_new            (GListModel      *source);
/* Shows the newest @window items of the source, whatever it holds now (a new conversation). */
void             confab_tail_model_reset          (ConfabTailModel *self,
                                                   guint            window);
/* Shows up to @count more of the older items; returns how many. */
guint            confab_tail_model_grow           (ConfabTailModel *self,
                                                   guint            count);
/* How many of the source's first items are not shown. */
guint            confab_tail_model_get_offset     (ConfabTailModel *self);
/* The source's ::items-changed handler (block it to swap the source's contents unseen). */
void             confab_tail_model_source_changed (GListModel      *source,
                                                   guint            position,
                                                   guint            removed,
                                                   guint            added,
                                                   ConfabTailModel *self);

G_END_DECLS
