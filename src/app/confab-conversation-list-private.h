/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-conversation-list.h"

G_BEGIN_DECLS

/* ConfabConversationList is written in two files: the list, its rows and actions
 * (confab-conversation-list.c), and its search and the hand-over of rows to the list view
 * (confab-conversation-list-search.c). */

struct _ConfabConversationList
{
  GtkWidget           parent_instance;

  ConfabStore        *store;
  gulong              store_changed_id;
  GListStore         *rows;
  GtkCustomFilter    *filter;
  GtkSingleSelection *selection;
  GHashTable         *pending_deletes;   /* id → PendingDelete */
  char               *active_id;
  GHashTable         *busy_ids;          /* ids with a turn running */
  GHashTable         *bound_rows;        /* GtkListItem showing a row */
  GPtrArray          *pending_rows;      /* a search page's rows still to add (a few per frame) */
  guint               pending_tick;
  guint               reload_source;

  /* The search running (or the last one), a page at a time */
  GCancellable       *search_cancellable;
  char               *search_text;
  guint               search_offset;    /* rows of the search shown so far */
  guint               n_searches;       /* started and not called back, cancelled ones too */
  guint               search_more : 1;  /* the last page was full: there may be more */
  guint               search_loading : 1;

  /* Template widgets */
  AdwStatusPage      *empty_page;
  GtkListView        *list_view;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  AdwToastOverlay    *toast_overlay;
};

/* confab-conversation-list.c */
void _confab_conversation_list_fill_row     (ConfabConversationList *self,
                                             GtkListItem            *item);
/* The rows changed: the selection follows the active conversation, the empty page shows. */
void _confab_conversation_list_rows_changed (ConfabConversationList *self);

/* confab-conversation-list-search.c */
/* Puts @rows in place of the rows from @position on (see the file's comment). */
void _confab_conversation_list_show_rows    (ConfabConversationList *self,
                                             guint                   position,
                                             GListModel             *rows,
                                             gboolean                a_few_per_frame);
/* Searches @text from @offset in a worker thread; the search before is cancelled. */
void _confab_conversation_list_start_search (ConfabConversationList *self,
                                             const char             *text,
                                             guint                   offset);
void _confab_conversation_list_on_scrolled  (GtkAdjustment          *adjustment,
                                             ConfabConversationList *self);
/* Rows still waiting for a frame go in now. */
void _confab_conversation_list_flush_rows   (ConfabConversationList *self);

G_END_DECLS
