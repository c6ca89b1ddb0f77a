/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-store-summary.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CONVERSATION_ROW (confab_conversation_row_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversationRow, confab_conversation_row, CONFAB, CONVERSATION_ROW, GtkWidget)

/* One stored conversation in the list: its title, the matching snippet or when it was last
 * written, a spinner ("busy") while a turn runs there, and its menu (Rename…, Export…,
 * Export to Folder…, Delete acting on conversation-list.* with its id). */
GtkWidget  *confab_conversation_row_new         (void);
/* Shows @summary; rows are recycled by the list view. */
void        confab_conversation_row_set_summary (ConfabConversationRow *self,
                                                 ConfabStoreSummary    *summary,
                                                 gboolean               busy);
/* The title shown ("Untitled" when it has none). */
const char *confab_conversation_row_get_title   (ConfabConversationRow *self);

G_END_DECLS
