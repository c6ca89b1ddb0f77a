/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-window.h"

G_BEGIN_DECLS

/* confab-window-actions.c: export, check the API key, and the tool call waiting for
 * approval, by keyboard. */
void _confab_window_actions_class_init   (GtkWidgetClass *widget_class);
void _confab_window_actions_dispose      (ConfabWindow   *self);
/* confab-window.c: shows @conversation in the chat (tracked in the store when it has
 * messages, selected in the list). */
void _confab_window_show_conversation    (ConfabWindow       *self,
                                          ConfabConversation *conversation);
/* Moves the focus to the waiting call's card (once its row is built), if a call waits. */
void _confab_window_focus_waiting_call   (ConfabWindow   *self);

G_END_DECLS
