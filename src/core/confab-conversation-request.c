/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-conversation"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-tool-call.h"

/* What a conversation sends (the chat-completions "messages" of the branch shown) and the
 * repair of tool calls a closed turn left waiting: through the conversation's public API. */

/* The shown message at @position. (transfer none: the conversation keeps it) */
static ConfabMessage *
shown_at (ConfabConversation *self,
          guint               position)
{
  g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (self), position);

  return message;
}

/* The text sent back for a call that never got a result of its own. */
static const char *
missing_result_text (ConfabToolCall *call)
{
  const char *text = confab_tool_call_get_result (call);

  if (text == NULL)
    text = confab_tool_call_get_error (call);
  if (text == NULL)
    text = _("Not run: the tool call was cancelled.");

  return text;
}

/* Whether @id is answered by one of the tool messages from @first up to the next message
 * that is not a tool result. */
static gboolean
is_answered (ConfabConversation *self,
             guint               first,
             const char         *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self));

  for (guint j = first; j < n; j++)
    {
      ConfabMessage *message = shown_at (self, j);

      if (confab_message_get_role (message) != CONFAB_ROLE_TOOL)
        break;
      if (g_strcmp0 (confab_message_get_tool_call_id (message), id) == 0)
        return TRUE;
    }

  return FALSE;
}

JsonNode *
confab_conversation_to_messages_json (ConfabConversation *self)
{
  g_autoptr(JsonArray) array = NULL;
  const char *system_prompt;
  guint n;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self));
  system_prompt = confab_conversation_get_system_prompt (self);

  array = json_array_sized_new (n + 1);

  if (system_prompt != NULL && system_prompt[0] != '\0')
    {
      g_autoptr(ConfabMessage) system = confab_message_new (CONFAB_ROLE_SYSTEM, system_prompt);
      json_array_add_element (array, confab_message_to_json (system));
    }

  for (guint i = 0; i < n; i++)
    {
      ConfabMessage *message = shown_at (self, i);
      GListModel *calls;
      guint next;

      json_array_add_element (array, confab_message_to_json (message));

      if (confab_message_get_role (message) != CONFAB_ROLE_ASSISTANT ||
          confab_message_get_n_tool_calls (message) == 0)
        continue;

      /* Its tool results, as they stand … */
      for (next = i + 1; next < n; next++)
        {
          ConfabMessage *result = shown_at (self, next);

          if (confab_message_get_role (result) != CONFAB_ROLE_TOOL)
            break;
          json_array_add_element (array, confab_message_to_json (result));
        }

      /* … then one for every call without: a stopped turn, a window closed while a call
       * waited for approval. Providers refuse a tool call without its result (HTTP 400),
       * which would end the conversation for good. */
      calls = confab_message_get_tool_calls (message);
      for (guint c = 0; c < g_list_model_get_n_items (calls); c++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, c);
          g_autoptr(ConfabMessage) filler = NULL;

          if (is_answered (self, i + 1, confab_tool_call_get_id (call)))
            continue;

          filler = confab_message_new (CONFAB_ROLE_TOOL, missing_result_text (call));
          confab_message_set_tool_call_id (filler, confab_tool_call_get_id (call));
          json_array_add_element (array, confab_message_to_json (filler));
        }

      i = next - 1;
    }

  return json_node_init_array (json_node_alloc (), array);
}

/* Whether @id is answered by a tool message following @message in the tree (any branch),
 * up to the first message that is not a tool result. */
static gboolean
is_answered_in_tree (ConfabConversation *self,
                     ConfabMessage      *message,
                     const char         *id)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();

  g_ptr_array_add (pending, message);
  while (pending->len > 0)
    {
      ConfabMessage *step = g_ptr_array_steal_index (pending, pending->len - 1);
      GPtrArray *children = confab_conversation_get_children (self, step);

      for (guint i = 0; children != NULL && i < children->len; i++)
        {
          ConfabMessage *child = g_ptr_array_index (children, i);

          if (confab_message_get_role (child) != CONFAB_ROLE_TOOL)
            continue;
          if (g_strcmp0 (confab_message_get_tool_call_id (child), id) == 0)
            return TRUE;
          g_ptr_array_add (pending, child);
        }
    }

  return FALSE;
}

guint
confab_conversation_repair_tool_calls (ConfabConversation *self)
{
  guint repaired = 0;
  GPtrArray *tree;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), 0);

  tree = confab_conversation_get_tree (self);

  /* Every version, shown or not: a branch shown later must not wait forever either. */
  for (guint i = 0; i < tree->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (tree, i);
      GListModel *calls = confab_message_get_tool_calls (message);

      if (confab_message_get_role (message) != CONFAB_ROLE_ASSISTANT)
        continue;

      for (guint c = 0; c < g_list_model_get_n_items (calls); c++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, c);

          switch (confab_tool_call_get_status (call))
            {
            case CONFAB_TOOL_CALL_STATUS_STREAMING:
            case CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL:
            case CONFAB_TOOL_CALL_STATUS_RUNNING:
              if (is_answered_in_tree (self, message, confab_tool_call_get_id (call)))
                continue;
              confab_tool_call_set_error (call, _("Not run: the conversation was closed before this tool call ended."));
              confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_FAILED);
              repaired++;
              break;

            case CONFAB_TOOL_CALL_STATUS_DONE:
            case CONFAB_TOOL_CALL_STATUS_FAILED:
            case CONFAB_TOOL_CALL_STATUS_DENIED:
            default:
              break;
            }
        }
    }

  return repaired;
}
