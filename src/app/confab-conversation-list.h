/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-store.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CONVERSATION_LIST (confab_conversation_list_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversationList, confab_conversation_list, CONFAB, CONVERSATION_LIST, GtkWidget)

/* The sidebar: a view of the store, most recent first, with a search field (FTS5), a
 * "new" button, rename (dialog) and delete with undo (a toast; the conversation leaves the
 * database only when the toast is dismissed or expires, or the list is destroyed).
 *
 * Signals:
 *   ::conversation-activated (const char *id)  a row was activated (click, Enter)
 *   ::new-conversation ()                      the "new" button / action
 *   ::conversation-removed (const char *id)    a row was hidden for deletion (undo still
 *                                              possible): the window should stop showing it
 * Actions (group "conversation-list"): new, focus-search, rename (s), delete (s),
 * undo-delete (s). Keys: Delete deletes the selected row, F2 renames it, Ctrl+K focuses the
 * search (bind Ctrl+K in the window too and call confab_conversation_list_focus_search). */
GtkWidget  *confab_conversation_list_new          (ConfabStore            *store);
ConfabStore *confab_conversation_list_get_store   (ConfabConversationList *self);
/* Moves the keyboard focus to the search field. */
void        confab_conversation_list_focus_search (ConfabConversationList *self);
/* Searches for @text, as if typed into the search field. */
void        confab_conversation_list_search       (ConfabConversationList *self,
                                                   const char             *text);
/* Selects the row of the conversation shown in the window (NULL: none). */
void        confab_conversation_list_set_active   (ConfabConversationList *self,
                                                   const char             *id);
/* Marks the row of @id busy (a spinner): a turn runs there, maybe in the background. */
void        confab_conversation_list_set_busy     (ConfabConversationList *self,
                                                   const char             *id,
                                                   gboolean                busy);
gboolean    confab_conversation_list_get_busy     (ConfabConversationList *self,
                                                   const char             *id);
/* The rows shown (ConfabStoreSummary), after search and pending deletions. (transfer none) */
GListModel *confab_conversation_list_get_model    (ConfabConversationList *self);
/* Search results come a page of this many rows at a time (the next when scrolled to). */
#define CONFAB_CONVERSATION_LIST_PAGE 50

/* Re-reads the store now (it also does so by itself, on ConfabStore::changed). While a
 * search text is set, the search runs in a worker thread (cancelling the one before) and
 * its rows come when it is done. */
void        confab_conversation_list_reload       (ConfabConversationList *self);
/* TRUE while a search started by the list has not called back (cancelled ones too), or its
 * rows are still being added to the list (a few per frame). */
gboolean    confab_conversation_list_is_searching (ConfabConversationList *self);

G_END_DECLS
