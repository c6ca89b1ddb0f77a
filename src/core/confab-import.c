/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-import"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation.h"
#include "confab-enums.h"
#include "confab-error.h"
#include "confab-export.h"
#include "confab-import-private.h"
#include "confab-json-stream-private.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

/* Imports: the file is streamed (confab-json-stream.c), each conversation of it converted
 * as it is read (confab-import-formats.c), and what is new is saved in one transaction. */

void
confab_import_result_free (ConfabImportResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->conversations, g_ptr_array_unref);
  g_free (result);
}

const char *
confab_import_format_to_string (ConfabImportFormat format)
{
  switch (format)
    {
    case CONFAB_IMPORT_FORMAT_CONFAB:     return "Confab";
    case CONFAB_IMPORT_FORMAT_CHATGPT:    return "ChatGPT";
    case CONFAB_IMPORT_FORMAT_OPEN_WEBUI: return "Open WebUI";
    case CONFAB_IMPORT_FORMAT_UNKNOWN:
    default:                              return "unknown";
    }
}

/* ------------------------------------------------------------------------------------------
 * Confab JSON
 * ------------------------------------------------------------------------------------------ */

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static gint64
get_int (JsonObject *object,
         const char *name,
         gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : fallback;
}

static double
get_double (JsonObject *object,
            const char *name,
            double      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : fallback;
}

static gboolean
parse_state (const char         *str,
             ConfabMessageState *state)
{
  for (ConfabMessageState s = CONFAB_MESSAGE_STATE_COMPLETE; s <= CONFAB_MESSAGE_STATE_INTERRUPTED; s++)
    if (g_strcmp0 (str, confab_message_state_to_string (s)) == 0)
      {
        *state = s;
        return TRUE;
      }
  return FALSE;
}

static gboolean
parse_status (const char           *str,
              ConfabToolCallStatus *status)
{
  for (ConfabToolCallStatus s = CONFAB_TOOL_CALL_STATUS_STREAMING; s <= CONFAB_TOOL_CALL_STATUS_DENIED; s++)
    if (g_strcmp0 (str, confab_tool_call_status_to_string (s)) == 0)
      {
        *status = s;
        return TRUE;
      }
  return FALSE;
}

static gboolean
bad_shape (GError    **error,
           const char *what)
{
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
               _("This is not a Confab conversation export: %s."), what);
  return FALSE;
}

static ConfabToolCall *
read_tool_call (JsonObject  *object,
                GError     **error)
{
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (get_int (object, "index", 0));
  ConfabToolCallStatus status = CONFAB_TOOL_CALL_STATUS_DONE;
  gint64 times[CONFAB_TOOL_CALL_STATUS_DENIED + 1] = { 0 };
  JsonNode *content = json_object_get_member (object, "result_content");
  JsonNode *times_node = json_object_get_member (object, "status_times");

  if (get_string (object, "status") != NULL && !parse_status (get_string (object, "status"), &status))
    {
      bad_shape (error, "unknown tool call status");
      return NULL;
    }

  confab_tool_call_set_id (call, get_string (object, "id"));
  confab_tool_call_set_name (call, get_string (object, "name"));
  confab_tool_call_set_server (call, get_string (object, "server"));
  confab_tool_call_set_arguments (call, get_string (object, "arguments"));
  confab_tool_call_set_status (call, status);
  confab_tool_call_set_result (call, get_string (object, "result"));
  if (content != NULL && !JSON_NODE_HOLDS_NULL (content))
    confab_tool_call_set_result_content (call, content);
  confab_tool_call_set_error (call, get_string (object, "error"));

  if (times_node != NULL && JSON_NODE_HOLDS_OBJECT (times_node))
    for (ConfabToolCallStatus s = CONFAB_TOOL_CALL_STATUS_STREAMING; s <= CONFAB_TOOL_CALL_STATUS_DENIED; s++)
      times[s] = get_int (json_node_get_object (times_node), confab_tool_call_status_to_string (s), 0);
  confab_tool_call_restore_times (call, times, G_N_ELEMENTS (times));

  return g_steal_pointer (&call);
}

static ConfabMessage *
read_message (JsonObject  *object,
              GError     **error)
{
  g_autoptr(ConfabMessage) message = NULL;
  ConfabRole role;
  ConfabMessageState state = CONFAB_MESSAGE_STATE_COMPLETE;
  JsonNode *error_node = json_object_get_member (object, "error");
  JsonNode *usage_node = json_object_get_member (object, "usage");
  JsonNode *calls_node = json_object_get_member (object, "tool_calls");
  const char *raw = get_string (object, "raw_response");

  if (!confab_role_from_string (get_string (object, "role"), &role))
    {
      bad_shape (error, "a message without a known role");
      return NULL;
    }
  if (get_string (object, "state") != NULL && !parse_state (get_string (object, "state"), &state))
    {
      bad_shape (error, "unknown message state");
      return NULL;
    }

  message = confab_message_new (role, get_string (object, "content"));
  if (get_string (object, "id") != NULL)
    confab_message_set_id (message, get_string (object, "id"));
  confab_message_set_reasoning (message, get_string (object, "reasoning"));
  confab_message_set_tool_call_id (message, get_string (object, "tool_call_id"));
  confab_message_set_finish_reason (message, get_string (object, "finish_reason"));
  confab_message_set_model (message, get_string (object, "model"));
  confab_message_set_created_at (message, get_int (object, "created_at", 0));
  confab_message_set_retry_after (message, get_int (object, "retry_after", -1));
  confab_message_set_request_body (message, get_string (object, "request_body"));

  if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
    {
      JsonObject *e = json_node_get_object (error_node);
      const char *domain = get_string (e, "domain");
      g_autoptr(GError) message_error = g_error_new_literal (domain ? g_quark_from_string (domain) : CONFAB_ERROR,
                                                             get_int (e, "code", CONFAB_ERROR_FAILED),
                                                             get_string (e, "message") ?: "");
      confab_message_fail (message, message_error);
    }
  confab_message_set_state (message, state);

  if (usage_node != NULL && JSON_NODE_HOLDS_OBJECT (usage_node))
    {
      JsonObject *u = json_node_get_object (usage_node);
      JsonNode *cost = json_object_get_member (u, "cost");
      gboolean has_cost = cost != NULL && JSON_NODE_HOLDS_VALUE (cost);

      confab_usage_restore (confab_message_get_usage (message),
                            json_object_get_boolean_member_with_default (u, "reported", FALSE),
                            get_int (u, "prompt_tokens", -1),
                            get_int (u, "completion_tokens", -1),
                            get_int (u, "total_tokens", -1),
                            get_int (u, "cached_tokens", -1),
                            get_int (u, "reasoning_tokens", -1),
                            has_cost,
                            has_cost ? json_node_get_double (cost) : -1,
                            get_double (u, "time_to_first_token", -1),
                            get_double (u, "duration", -1));
    }

  if (calls_node != NULL && JSON_NODE_HOLDS_ARRAY (calls_node))
    {
      JsonArray *calls = json_node_get_array (calls_node);

      for (guint i = 0; i < json_array_get_length (calls); i++)
        {
          JsonNode *c = json_array_get_element (calls, i);
          g_autoptr(ConfabToolCall) call = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (c))
            {
              bad_shape (error, "a tool call that is not an object");
              return NULL;
            }
          if ((call = read_tool_call (json_node_get_object (c), error)) == NULL)
            return NULL;
          confab_message_add_tool_call (message, call);
        }
    }

  if (raw != NULL)
    {
      gsize len = 0;
      guchar *data = g_base64_decode (raw, &len);
      g_autoptr(GBytes) bytes = g_bytes_new_take (data, len);

      confab_message_set_raw_response (message, bytes);
    }

  return g_steal_pointer (&message);
}

ConfabConversation *
confab_import_confab_json (JsonNode  *node,
                           GError   **error)
{
  g_autoptr(ConfabConversation) conversation = NULL;
  JsonObject *object;
  JsonNode *messages;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      bad_shape (error, "not an object");
      return NULL;
    }
  object = json_node_get_object (node);
  if (g_strcmp0 (get_string (object, "format"), CONFAB_EXPORT_FORMAT) != 0)
    {
      bad_shape (error, "no \"format\": \"" CONFAB_EXPORT_FORMAT "\"");
      return NULL;
    }
  if (get_int (object, "version", 0) > CONFAB_EXPORT_VERSION)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
                   _("This conversation was exported by a newer Confab (format version %d)."),
                   (int) get_int (object, "version", 0));
      return NULL;
    }
  messages = json_object_get_member (object, "messages");
  if (messages == NULL || !JSON_NODE_HOLDS_ARRAY (messages))
    {
      bad_shape (error, "no \"messages\" array");
      return NULL;
    }

  conversation = confab_conversation_new ();
  if (get_string (object, "id") != NULL)
    confab_conversation_set_id (conversation, get_string (object, "id"));
  else
    {
      /* Written by hand or another tool: an id from the content, the same every time. */
      g_autofree char *text = json_to_string (node, FALSE);
      g_autofree char *id = _confab_import_derive_id ("confab", text);

      confab_conversation_set_id (conversation, id);
    }
  confab_conversation_set_title (conversation, get_string (object, "title"));
  confab_conversation_set_system_prompt (conversation, get_string (object, "system_prompt"));
  confab_conversation_set_provider_name (conversation, get_string (object, "provider"));
  confab_conversation_set_base_url (conversation, get_string (object, "base_url"));
  confab_conversation_set_model (conversation, get_string (object, "model"));
  confab_conversation_set_created_at (conversation, get_int (object, "created_at", g_get_real_time ()));

  for (guint i = 0; i < json_array_get_length (json_node_get_array (messages)); i++)
    {
      JsonNode *m = json_array_get_element (json_node_get_array (messages), i);
      g_autoptr(ConfabMessage) message = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (m))
        {
          bad_shape (error, "a message that is not an object");
          return NULL;
        }
      if ((message = read_message (json_node_get_object (m), error)) == NULL)
        return NULL;
      confab_conversation_append (conversation, message);
    }

  /* Appending touches it: the stored time is the exported one. */
  confab_conversation_set_updated_at (conversation, get_int (object, "updated_at",
                                                             confab_conversation_get_created_at (conversation)));

  return g_steal_pointer (&conversation);
}

/* ------------------------------------------------------------------------------------------
 * Reading a file
 * ------------------------------------------------------------------------------------------ */

typedef struct
{
  ConfabImportResult       *result;
  goffset                   size;
  ConfabImportProgressFunc  progress;
  gpointer                  user_data;
  guint                     n_items;
} ReadState;

static gboolean
item_cb (JsonNode  *item,
         gpointer   user_data,
         GError   **error)
{
  ReadState *state = user_data;
  ConfabImportFormat format = _confab_import_detect (item);
  g_autoptr(ConfabConversation) conversation = NULL;
  gboolean other_branches = FALSE;

  state->n_items++;

  if (state->result->format == CONFAB_IMPORT_FORMAT_UNKNOWN)
    {
      if (format == CONFAB_IMPORT_FORMAT_UNKNOWN)
        {
          g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
                               _("This file is not an export Confab can import. Confab imports its own JSON "
                                 "export, ChatGPT’s conversations.json and Open WebUI’s chat export."));
          return FALSE;
        }
      state->result->format = format;
    }
  else if (format != state->result->format)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
                   _("Conversation %u of this file is not a %s conversation like the first one: nothing was imported."),
                   state->n_items, confab_import_format_to_string (state->result->format));
      return FALSE;
    }

  switch (format)
    {
    case CONFAB_IMPORT_FORMAT_CONFAB:
      conversation = confab_import_confab_json (item, error);
      break;
    case CONFAB_IMPORT_FORMAT_CHATGPT:
      conversation = _confab_import_chatgpt (item, &other_branches, error);
      break;
    case CONFAB_IMPORT_FORMAT_OPEN_WEBUI:
      conversation = _confab_import_open_webui (item, &other_branches, error);
      break;
    case CONFAB_IMPORT_FORMAT_UNKNOWN:
    default:
      g_assert_not_reached ();
    }

  if (conversation == NULL)
    {
      g_prefix_error (error, _("Conversation %u: "), state->n_items);
      return FALSE;
    }

  if (other_branches)
    state->result->n_other_branches++;
  g_ptr_array_add (state->result->conversations, g_steal_pointer (&conversation));

  return TRUE;
}

static void
progress_cb (goffset  bytes_read,
             gpointer user_data)
{
  ReadState *state = user_data;

  if (state->progress != NULL)
    state->progress (bytes_read, state->size, state->user_data);
}

ConfabImportResult *
confab_import_read (GInputStream              *stream,
                    goffset                    size,
                    ConfabImportProgressFunc   progress,
                    gpointer                   user_data,
                    GCancellable              *cancellable,
                    GError                   **error)
{
  g_autoptr(ConfabImportResult) result = g_new0 (ConfabImportResult, 1);
  ReadState state = { result, size, progress, user_data, 0 };

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  result->conversations = g_ptr_array_new_with_free_func (g_object_unref);

  if (!_confab_json_stream_read (stream, item_cb, progress_cb, &state, cancellable, error))
    return NULL;

  if (result->format == CONFAB_IMPORT_FORMAT_UNKNOWN)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("There are no conversations in this file."));
      return NULL;
    }

  return g_steal_pointer (&result);
}

static ConfabImportResult *
read_file (GFile         *file,
           ConfabImportProgressFunc progress,
           gpointer       user_data,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GFileInputStream) stream = g_file_read (file, cancellable, error);
  g_autoptr(GFileInfo) info = NULL;
  goffset size = 0;

  if (stream == NULL)
    return NULL;

  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);
  if (info != NULL)
    size = g_file_info_get_size (info);

  return confab_import_read (G_INPUT_STREAM (stream), size, progress, user_data, cancellable, error);
}

typedef struct
{
  GFile                    *file;
  ConfabImportProgressFunc  progress;
  gpointer                  user_data;
} ReadTask;

static void
read_task_free (ReadTask *task)
{
  g_object_unref (task->file);
  g_free (task);
}

static void
read_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadTask *data = task_data;
  GError *error = NULL;
  ConfabImportResult *result = read_file (data->file, data->progress, data->user_data, cancellable, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) confab_import_result_free);
  else
    g_task_return_error (task, error);
}

void
confab_import_read_async (GFile                    *file,
                          ConfabImportProgressFunc  progress,
                          gpointer                  user_data,
                          GCancellable             *cancellable,
                          GAsyncReadyCallback       callback,
                          gpointer                  callback_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, callback_data);
  ReadTask *data = g_new0 (ReadTask, 1);

  g_return_if_fail (G_IS_FILE (file));

  data->file = g_object_ref (file);
  data->progress = progress;
  data->user_data = user_data;
  g_task_set_source_tag (task, confab_import_read_async);
  g_task_set_task_data (task, data, (GDestroyNotify) read_task_free);
  g_task_run_in_thread (task, read_thread);
}

ConfabImportResult *
confab_import_read_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
confab_import_save (ConfabStore         *store,
                    ConfabImportResult  *result,
                    GError             **error)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (CONFAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  result->n_imported = result->n_skipped = 0;

  for (guint i = 0; i < result->conversations->len; i++)
    {
      ConfabConversation *conversation = g_ptr_array_index (result->conversations, i);
      const char *id = confab_conversation_get_id (conversation);

      /* Imported before (or twice in this file): left as it is. */
      if (confab_store_contains (store, id) || !g_hash_table_add (seen, (gpointer) id))
        {
          result->n_skipped++;
          continue;
        }
      g_ptr_array_add (fresh, conversation);
    }

  if (!confab_store_save_all (store, fresh, error))
    return FALSE;

  result->n_imported = fresh->len;

  return TRUE;
}

ConfabImportResult *
confab_import_file (ConfabStore   *store,
                    const char    *path,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(ConfabImportResult) result = read_file (file, NULL, NULL, cancellable, error);

  if (result == NULL || !confab_import_save (store, result, error))
    return NULL;

  return g_steal_pointer (&result);
}
