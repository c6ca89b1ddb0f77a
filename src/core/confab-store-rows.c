/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <json-glib/json-glib.h>

#include "confab-attachment.h"
#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-store-private.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

/* Rows: copies of what is written, taken on the main thread (the objects are not thread-safe)
 * and handed to the writer thread, which owns them from then on. */

ConfabStoreConversationRow *
_confab_store_conversation_row_new (ConfabConversation *conversation)
{
  ConfabStoreConversationRow *row = g_new0 (ConfabStoreConversationRow, 1);

  row->id = g_strdup (confab_conversation_get_id (conversation));
  row->title = g_strdup (confab_conversation_get_title (conversation) ?: "");
  row->system_prompt = g_strdup (confab_conversation_get_system_prompt (conversation));
  row->provider_name = g_strdup (confab_conversation_get_provider_name (conversation));
  row->base_url = g_strdup (confab_conversation_get_base_url (conversation));
  row->model = g_strdup (confab_conversation_get_model (conversation));
  row->created_at = confab_conversation_get_created_at (conversation);
  row->updated_at = confab_conversation_get_updated_at (conversation);
  if (confab_conversation_get_last_message (conversation) != NULL)
    row->shown_leaf = g_strdup (confab_message_get_id (confab_conversation_get_last_message (conversation)));

  return row;
}

void
_confab_store_conversation_row_free (ConfabStoreConversationRow *row)
{
  if (row == NULL)
    return;

  g_free (row->id);
  g_free (row->title);
  g_free (row->system_prompt);
  g_free (row->provider_name);
  g_free (row->base_url);
  g_free (row->model);
  g_free (row->shown_leaf);
  g_free (row);
}

static void
call_row_free (gpointer data)
{
  ConfabStoreCallRow *row = data;

  g_free (row->call_id);
  g_free (row->name);
  g_free (row->server);
  g_free (row->arguments);
  g_free (row->status);
  g_free (row->result);
  g_free (row->result_content);
  g_free (row->error);
  g_free (row->status_times);
  g_free (row);
}

ConfabStoreCallRow *
_confab_store_call_row_new (ConfabToolCall *call)
{
  ConfabStoreCallRow *row = g_new0 (ConfabStoreCallRow, 1);
  GString *times = g_string_new ("[");
  JsonNode *content;

  for (guint s = 0; s < CONFAB_STORE_N_TOOL_CALL_STATUSES; s++)
    g_string_append_printf (times, "%s%" G_GINT64_FORMAT, s ? "," : "",
                            confab_tool_call_get_status_time (call, s));
  g_string_append_c (times, ']');

  row->index = confab_tool_call_get_index (call);
  row->call_id = g_strdup (confab_tool_call_get_id (call));
  row->name = g_strdup (confab_tool_call_get_name (call));
  row->server = g_strdup (confab_tool_call_get_server (call));
  row->arguments = g_strdup (confab_tool_call_get_arguments (call));
  row->status = g_strdup (confab_tool_call_status_to_string (confab_tool_call_get_status (call)));
  row->result = g_strdup (confab_tool_call_get_result (call));
  if ((content = confab_tool_call_get_result_content (call)) != NULL)
    row->result_content = json_to_string (content, FALSE);
  row->error = g_strdup (confab_tool_call_get_error (call));
  row->status_times = g_string_free (times, FALSE);

  return row;
}

ConfabStoreMessageRow *
_confab_store_message_row_new (void)
{
  ConfabStoreMessageRow *row = g_new0 (ConfabStoreMessageRow, 1);

  row->calls = g_ptr_array_new_with_free_func (call_row_free);
  row->n_calls = -1;

  return row;
}

void
_confab_store_message_row_set_fields (ConfabStoreMessageRow *row,
                                      ConfabMessage         *message)
{
  const GError *message_error = confab_message_get_error (message);
  ConfabUsage *usage = confab_message_get_usage (message);

  row->write_row = TRUE;
  g_free (row->id);
  row->id = g_strdup (confab_message_get_id (message));
  g_free (row->parent_id);
  row->parent_id = g_strdup (confab_message_get_parent_id (message));
  row->sibling = confab_message_get_sibling_index (message);
  row->role = g_strdup (confab_role_to_string (confab_message_get_role (message)));
  row->tool_call_id = g_strdup (confab_message_get_tool_call_id (message));
  row->finish_reason = g_strdup (confab_message_get_finish_reason (message));
  row->state = g_strdup (confab_message_state_to_string (confab_message_get_state (message)));
  if (message_error != NULL)
    {
      row->error_domain = g_strdup (g_quark_to_string (message_error->domain));
      row->error_code = message_error->code;
      row->error_message = g_strdup (message_error->message);
    }
  row->retry_after = confab_message_get_retry_after (message);
  row->model = g_strdup (confab_message_get_model (message));
  row->created_at = confab_message_get_created_at (message);
  /* Images are stored once as attachments, not again inside every request body. */
  row->request_body = confab_attachment_elide_data_urls (confab_message_get_request_body (message));

  g_clear_pointer (&row->attachments, g_ptr_array_unref);
  if (confab_message_get_n_attachments (message) > 0)
    {
      GListModel *attachments = confab_message_get_attachments (message);

      row->attachments = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < g_list_model_get_n_items (attachments); i++)
        g_ptr_array_add (row->attachments, g_list_model_get_item (attachments, i));
    }

  row->usage_reported = confab_usage_get_reported (usage);
  row->usage_tokens[0] = confab_usage_get_prompt_tokens (usage);
  row->usage_tokens[1] = confab_usage_get_completion_tokens (usage);
  row->usage_tokens[2] = confab_usage_get_total_tokens (usage);
  row->usage_tokens[3] = confab_usage_get_cached_tokens (usage);
  row->usage_tokens[4] = confab_usage_get_reasoning_tokens (usage);
  row->usage_has_cost = confab_usage_get_has_cost (usage);
  row->usage_cost = confab_usage_get_cost (usage);
  row->usage_ttft = confab_usage_get_time_to_first_token (usage);
  row->usage_duration = confab_usage_get_duration (usage);
}

ConfabStoreMessageRow *
_confab_store_message_row_new_full (ConfabMessage *message,
                                    guint          position)
{
  ConfabStoreMessageRow *row = _confab_store_message_row_new ();
  GListModel *calls = confab_message_get_tool_calls (message);
  guint n = g_list_model_get_n_items (calls);

  _confab_store_message_row_set_fields (row, message);
  row->position = position;
  row->text_mode = CONFAB_STORE_TEXT_FULL;
  row->content = g_strdup (confab_message_get_content (message));
  row->reasoning = g_strdup (confab_message_get_reasoning (message));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);

      g_ptr_array_add (row->calls, _confab_store_call_row_new (call));
    }
  row->n_calls = n;

  if (confab_message_get_state (message) != CONFAB_MESSAGE_STATE_STREAMING)
    row->raw = confab_message_dup_raw_response (message);

  return row;
}

void
_confab_store_message_row_free (ConfabStoreMessageRow *row)
{
  if (row == NULL)
    return;

  g_free (row->id);
  g_free (row->parent_id);
  g_free (row->role);
  g_free (row->tool_call_id);
  g_free (row->finish_reason);
  g_free (row->state);
  g_free (row->error_domain);
  g_free (row->error_message);
  g_free (row->model);
  g_free (row->request_body);
  g_free (row->content);
  g_free (row->reasoning);
  g_clear_pointer (&row->calls, g_ptr_array_unref);
  g_clear_pointer (&row->raw, g_bytes_unref);
  g_clear_pointer (&row->attachments, g_ptr_array_unref);
  g_free (row);
}

ConfabStoreWrite *
_confab_store_write_new (const char *conversation_id)
{
  ConfabStoreWrite *write = g_new0 (ConfabStoreWrite, 1);

  write->conversation_id = g_strdup (conversation_id);
  write->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)_confab_store_message_row_free);

  return write;
}

ConfabStoreWrite *
_confab_store_write_new_whole (ConfabConversation *conversation)
{
  ConfabStoreWrite *write = _confab_store_write_new (confab_conversation_get_id (conversation));
  GPtrArray *tree = confab_conversation_get_tree (conversation);
  g_autoptr(GHashTable) depths = g_hash_table_new (g_str_hash, g_str_equal);

  write->conversation = _confab_store_conversation_row_new (conversation);
  write->whole = TRUE;

  /* Every message of the tree, shown or not; each comes after its parent. */
  for (guint i = 0; i < tree->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (tree, i);
      const char *parent_id = confab_message_get_parent_id (message);
      guint depth = parent_id ? GPOINTER_TO_UINT (g_hash_table_lookup (depths, parent_id)) : 0;
      ConfabStoreMessageRow *row = _confab_store_message_row_new_full (message, depth);

      g_hash_table_insert (depths, (gpointer)confab_message_get_id (message), GUINT_TO_POINTER (depth + 1));
      /* A conversation loaded and saved again has its raw responses on disk already:
       * compressing them is the costly part of a save. */
      row->raw_if_changed = TRUE;
      g_ptr_array_add (write->messages, row);
    }

  return write;
}

void
_confab_store_write_free (ConfabStoreWrite *write)
{
  if (write == NULL)
    return;

  _confab_store_conversation_row_free (write->conversation);
  g_clear_pointer (&write->messages, g_ptr_array_unref);
  g_clear_pointer (&write->more, g_ptr_array_unref);
  g_free (write->conversation_id);
  g_free (write);
}
