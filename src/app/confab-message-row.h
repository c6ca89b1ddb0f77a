/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-markdown-view.h"
#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MESSAGE_ROW (confab_message_row_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMessageRow, confab_message_row, CONFAB, MESSAGE_ROW, GtkWidget)

/* One message of the chat: a user bubble, or an assistant answer with its Thinking expander,
 * Markdown content, tool-call cards, in-line error with Retry and per-message actions.
 * Rows are recycled by the list view: set_message() rebinds. The buttons activate
 * chat.regenerate / chat.inspect / chat.retry ("s": message id) and
 * chat.edit-resend ("(ss)": id, new text) on an ancestor; row.timeline opens the turn
 * timeline of an answer Confab sent a request for, in the conversation of the
 * ConfabChatView the row is in (disabled for other messages). */
GtkWidget          *confab_message_row_new              (void);
ConfabMessage      *confab_message_row_get_message      (ConfabMessageRow *self);
void                confab_message_row_set_message      (ConfabMessageRow *self,
                                                         ConfabMessage    *message);
ConfabMarkdownView *confab_message_row_get_content_view (ConfabMessageRow *self);
ConfabMarkdownView *confab_message_row_get_thinking_view (ConfabMessageRow *self);
/* The box holding one card per tool call. (transfer none) */
GtkWidget          *confab_message_row_get_tool_calls_box (ConfabMessageRow *self);
/* The in-line error text shown, or NULL when none is shown. */
const char         *confab_message_row_get_error_text   (ConfabMessageRow *self);
/* Renders pending streamed text now (tests, benches). */
void                confab_message_row_flush            (ConfabMessageRow *self);

/* Shows "‹ @version+1/@n_versions ›" when the message's place has other versions (edits,
 * regenerated answers); the buttons ask "chat.show-version" for the one before or after. */
void                confab_message_row_set_versions      (ConfabMessageRow *self,
                                                          guint             version,
                                                          guint             n_versions);

/* The "‹ 2/3 ›" switcher (tests). (transfer none) */
GtkWidget          *confab_message_row_get_versions      (ConfabMessageRow *self);

G_END_DECLS
