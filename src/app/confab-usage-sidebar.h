/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-conversation.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_USAGE_SIDEBAR (confab_usage_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (ConfabUsageSidebar, confab_usage_sidebar, CONFAB, USAGE_SIDEBAR, GtkWidget)

/* Token usage of the selected turn (one row per request of the tool loop, then the turn's
 * total) and the conversation's running total, live while answers stream. A turn is a user
 * message and the assistant and tool messages after it, up to the next user message. */
GtkWidget          *confab_usage_sidebar_new              (void);
/* (transfer none) */
ConfabConversation *confab_usage_sidebar_get_conversation (ConfabUsageSidebar *self);
void                confab_usage_sidebar_set_conversation (ConfabUsageSidebar *self,
                                                           ConfabConversation *conversation);
/* Shows the turn containing the message at @message_position; G_MAXUINT (the default)
 * follows the latest turn. */
void                confab_usage_sidebar_set_turn         (ConfabUsageSidebar *self,
                                                           guint               message_position);

G_END_DECLS
