/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-message-row.h"
#include "confab-session.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CHAT_VIEW (confab_chat_view_get_type ())

G_DECLARE_FINAL_TYPE (ConfabChatView, confab_chat_view, CONFAB, CHAT_VIEW, GtkWidget)

/* The messages of the session's conversation in a GtkListView (rows are recycled; only the
 * visible ones exist). Follows the bottom while text streams unless the user scrolled up,
 * then offers a "jump to bottom" button. Handles the rows' chat.* actions. */
GtkWidget        *confab_chat_view_new               (void);
ConfabSession    *confab_chat_view_get_session       (ConfabChatView *self);
void              confab_chat_view_set_session       (ConfabChatView *self,
                                                      ConfabSession  *session);
GtkListView      *confab_chat_view_get_list_view     (ConfabChatView *self);
/* Whether the view follows the bottom. */
gboolean          confab_chat_view_get_following     (ConfabChatView *self);
void              confab_chat_view_scroll_to_bottom  (ConfabChatView *self);
/* The row showing @message when it is built (visible or near), else NULL. (transfer none) */
ConfabMessageRow *confab_chat_view_find_row          (ConfabChatView *self,
                                                      ConfabMessage  *message);
/* Renders the pending streamed text of every built row now (tests, benches). */
void              confab_chat_view_flush             (ConfabChatView *self);

G_END_DECLS
