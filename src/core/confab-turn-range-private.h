/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-conversation.h"
#include "confab-message.h"

G_BEGIN_DECLS

/* The turn around the message at @position: [*@start, *@end) runs from the user message at
 * or before it up to the next user message (answers before any user message form a turn
 * too). FALSE when @position is out of range. */
static inline gboolean
_confab_conversation_turn_range (ConfabConversation *conversation,
                                 guint               position,
                                 guint              *start,
                                 guint              *end)
{
  GListModel *model = G_LIST_MODEL (conversation);
  guint n = g_list_model_get_n_items (model);
  guint i;

  if (position >= n)
    return FALSE;

  for (i = position + 1; i > 0; i--)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i - 1);

      if (confab_message_get_role (message) == CONFAB_ROLE_USER)
        break;
    }
  *start = i > 0 ? i - 1 : 0;

  for (i = position + 1; i < n; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i);

      if (confab_message_get_role (message) == CONFAB_ROLE_USER)
        break;
    }
  *end = i;

  return TRUE;
}

G_END_DECLS
