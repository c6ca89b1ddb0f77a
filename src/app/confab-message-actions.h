/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MESSAGE_ACTIONS (confab_message_actions_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMessageActions, confab_message_actions, CONFAB, MESSAGE_ACTIONS, GtkWidget)

/* The buttons under a message: Copy, Edit and Resend (your messages), Regenerate, Inspect
 * and Turn Timeline (answers Confab sent a request for), Start a New Chat From Here. They
 * activate the row.* actions of the ConfabMessageRow they sit in. */
GtkWidget *confab_message_actions_new              (void);
/* Shows the buttons that apply to @message. */
void       confab_message_actions_update           (ConfabMessageActions *self,
                                                    ConfabMessage        *message);
/* Whether @message is an answer to a request Confab sent and recorded, so it has a turn to
 * inspect (not your message, nor an imported answer). */
gboolean   confab_message_actions_has_request      (ConfabMessage        *message);
/* The Turn Timeline button (tests). (transfer none) */
GtkWidget *confab_message_actions_get_timeline_button (ConfabMessageActions *self);

G_END_DECLS
