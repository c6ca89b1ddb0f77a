/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-tool-call.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TOOL_CALL_CARD (confab_tool_call_card_get_type ())

G_DECLARE_FINAL_TYPE (ConfabToolCallCard, confab_tool_call_card, CONFAB, TOOL_CALL_CARD, GtkWidget)

/* A card showing one tool call live: name and server, status, arguments as they stream,
 * result, duration, and the approval buttons while the call waits for the user. */
GtkWidget      *confab_tool_call_card_new      (ConfabToolCall     *call);
/* (transfer none) */
ConfabToolCall *confab_tool_call_card_get_call (ConfabToolCallCard *self);
/* Shows another call (for recycling views); NULL shows nothing. */
void            confab_tool_call_card_set_call (ConfabToolCallCard *self,
                                                ConfabToolCall     *call);

/* Whether a finished call offers "Run Again…" (default TRUE; it needs a ConfabWindow as
 * root, whose session has the tools and approvals). */
void            confab_tool_call_card_set_can_run_again (ConfabToolCallCard *self,
                                                         gboolean            can_run_again);
/* Moves the keyboard focus to "Allow Once" while the call waits; FALSE when it does not. */
gboolean        confab_tool_call_card_focus_approval (ConfabToolCallCard *self);

G_END_DECLS
