/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TOOL_CALL_CARDS (confab_tool_call_cards_get_type ())

G_DECLARE_FINAL_TYPE (ConfabToolCallCards, confab_tool_call_cards, CONFAB, TOOL_CALL_CARDS, GtkWidget)

/* One ConfabToolCallCard per tool call of a message, in call order, as its children; follows
 * the calls as they are added. Hidden while there are none. */
GtkWidget *confab_tool_call_cards_new       (void);
/* @calls: (nullable) (element-type ConfabToolCall): the message's calls, or NULL for none. */
void       confab_tool_call_cards_set_calls (ConfabToolCallCards *self,
                                             GListModel          *calls);

G_END_DECLS
