/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-import"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "confab-conversation.h"
#include "confab-enums.h"
#include "confab-error.h"
#include "confab-export.h"
#include "confab-import-private.h"
#include "confab-json-stream-private.h"
#include "confab-message.h"
#include "confab-store-private.h"
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
  g_clear_pointer (&result->ids, g_ptr_array_unref);
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
    case CONFAB_IMPORT_FORMAT_ALPACA:     return "Alpaca";
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

  /* Integers only: json-glib would cast a double, whatever its size. */
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
         ? json_node_get_int (node) : fallback;
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

ConfabMessage *
_confab_import_read_message (JsonObject  *object,
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
  gboolean tree = FALSE;

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
      if ((message = _confab_import_read_message (json_node_get_object (m), error)) == NULL)
        return NULL;

      /* Version 2 has the tree: each message names its parent (null for a first one). */
      if (json_object_has_member (json_node_get_object (m), "parent_id"))
        {
          confab_message_set_parent (message, get_string (json_node_get_object (m), "parent_id"),
                                     MAX (get_int (json_node_get_object (m), "sibling", 0), 0));
          if (!confab_conversation_add_message (conversation, message))
            {
              bad_shape (error, "a message whose parent comes after it or is missing");
              return NULL;
            }
          tree = TRUE;
        }
      else
        confab_conversation_append (conversation, message);
    }

  if (tree)
    confab_conversation_show (conversation, confab_conversation_lookup (conversation, get_string (object, "shown")));

  /* Appending touches it: the stored time is the exported one. */
  confab_conversation_set_updated_at (conversation, get_int (object, "updated_at",
                                                             confab_conversation_get_created_at (conversation)));

  return g_steal_pointer (&conversation);
}

/* ------------------------------------------------------------------------------------------
 * Reading a file
 * ------------------------------------------------------------------------------------------ */

/* A batch written to the staging database: this many conversations or bytes of text. */
#define BATCH_CONVERSATIONS 500
#define BATCH_BYTES (8 * 1024 * 1024)

typedef struct
{
  ConfabImportResult       *result;
  goffset                   size;
  ConfabImportProgressFunc  progress;
  gpointer                  user_data;
  guint                     n_items;
  ConfabStore              *staging;   /* NULL: kept in result->conversations */
  GPtrArray                *batch;
  gsize                     batch_bytes;
} ReadState;

static gsize
text_size (ConfabConversation *conversation)
{
  gsize size = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (conversation)); i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);

      size += confab_message_get_content_length (message) + 256;
    }

  return size;
}

static gboolean
flush_batch (ReadState  *state,
             GError    **error)
{
  if (state->batch->len == 0)
    return TRUE;

  if (!confab_store_save_all (state->staging, state->batch, error))
    return FALSE;

  g_ptr_array_set_size (state->batch, 0);
  state->batch_bytes = 0;

  return TRUE;
}

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
                                 "export, ChatGPT’s conversations.json, Open WebUI’s chat export and Alpaca’s "
                                 "database (alpaca.db)."));
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
    case CONFAB_IMPORT_FORMAT_ALPACA:   /* a database, not JSON: never detected here */
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
  g_ptr_array_add (state->result->ids, g_strdup (confab_conversation_get_id (conversation)));

  if (state->staging == NULL)
    {
      g_ptr_array_add (state->result->conversations, g_steal_pointer (&conversation));
      return TRUE;
    }

  state->batch_bytes += text_size (conversation);
  g_ptr_array_add (state->batch, g_steal_pointer (&conversation));
  if (state->batch->len >= BATCH_CONVERSATIONS || state->batch_bytes >= BATCH_BYTES)
    return flush_batch (state, error);

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

static ConfabImportResult *read_stream (GInputStream              *stream,
                                         goffset                    size,
                                         ConfabImportProgressFunc   progress,
                                         gpointer                   user_data,
                                         ConfabStore               *staging,
                                         GCancellable              *cancellable,
                                         GError                   **error);

ConfabImportResult *
confab_import_read (GInputStream              *stream,
                    goffset                    size,
                    ConfabImportProgressFunc   progress,
                    gpointer                   user_data,
                    GCancellable              *cancellable,
                    GError                   **error)
{
  return read_stream (stream, size, progress, user_data, NULL, cancellable, error);
}

static ConfabImportResult *
read_stream (GInputStream              *stream,
             goffset                    size,
             ConfabImportProgressFunc   progress,
             gpointer                   user_data,
             ConfabStore               *staging,
             GCancellable              *cancellable,
             GError                   **error)
{
  g_autoptr(ConfabImportResult) result = g_new0 (ConfabImportResult, 1);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  ReadState state = { result, size, progress, user_data, 0, staging, batch, 0 };

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  result->ids = g_ptr_array_new_with_free_func (g_free);
  if (staging == NULL)
    result->conversations = g_ptr_array_new_with_free_func (g_object_unref);

  if (!_confab_json_stream_read (stream, item_cb, progress_cb, &state, cancellable, error) ||
      (staging != NULL && !flush_batch (&state, error)))
    return NULL;

  if (result->format == CONFAB_IMPORT_FORMAT_UNKNOWN)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("There are no conversations in this file."));
      return NULL;
    }

  return g_steal_pointer (&result);
}

static void
remove_staging (const char *dir)
{
  static const char * const names[] = { "staging.db", "staging.db-wal", "staging.db-shm", "staging.db-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* The whole import of @file into the database at @db_path (any thread; no ConfabStore of the
 * caller is touched). */
static ConfabImportResult *
import_to_path (const char                *db_path,
                GFile                     *file,
                ConfabImportProgressFunc   progress,
                gpointer                   user_data,
                GCancellable              *cancellable,
                GError                   **error)
{
  g_autoptr(GFileInputStream) stream = g_file_read (file, cancellable, error);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(ConfabStore) staging = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *staging_path = NULL;
  g_autofree char *sqlite_path = NULL;
  guint8 head[16];
  gsize head_len = 0;
  goffset size = 0;
  guint merged = 0;

  if (stream == NULL)
    return NULL;

  /* A SQLite database (Alpaca's) is read with SQLite, from its path; anything else streamed. */
  if (g_seekable_can_seek (G_SEEKABLE (stream)) &&
      (!g_input_stream_read_all (G_INPUT_STREAM (stream), head, sizeof head, &head_len, cancellable, error) ||
       !g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, cancellable, error)))
    return NULL;
  if (_confab_import_is_sqlite (head, head_len))
    {
      if ((sqlite_path = g_file_get_path (file)) == NULL)
        {
          g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
                               _("A database can only be imported from a local file."));
          return NULL;
        }
      g_clear_object (&stream);
    }

  if (stream != NULL)
    info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);
  if (info != NULL)
    size = g_file_info_get_size (info);

  if ((dir = g_dir_make_tmp ("confab-import-XXXXXX", error)) == NULL)
    return NULL;
  staging_path = g_build_filename (dir, "staging.db", NULL);

  if ((staging = confab_store_open (staging_path, error)) != NULL && sqlite_path != NULL)
    result = _confab_import_alpaca (sqlite_path, staging, progress, user_data, cancellable, error);
  else if (staging != NULL)
    result = read_stream (G_INPUT_STREAM (stream), size, progress, user_data, staging, cancellable, error);
  /* Closed (and checkpointed) before it is read by another connection. */
  g_clear_object (&staging);

  if (result != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    g_clear_pointer (&result, confab_import_result_free);

  if (result != NULL && !_confab_store_merge_file (db_path, staging_path, &merged, error))
    g_clear_pointer (&result, confab_import_result_free);

  remove_staging (dir);

  if (result == NULL)
    return NULL;

  result->n_imported = merged;
  result->n_skipped = result->ids->len - merged;

  return g_steal_pointer (&result);
}

typedef struct
{
  char                     *db_path;
  GFile                    *file;
  ConfabImportProgressFunc  progress;
  gpointer                  user_data;
} ImportTask;

static void
import_task_free (ImportTask *task)
{
  g_free (task->db_path);
  g_object_unref (task->file);
  g_free (task);
}

static void
import_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportTask *data = task_data;
  GError *error = NULL;
  ConfabImportResult *result = import_to_path (data->db_path, data->file, data->progress, data->user_data,
                                               cancellable, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) confab_import_result_free);
  else
    g_task_return_error (task, error);
}

void
confab_import_file_async (ConfabStore               *store,
                          GFile                     *file,
                          ConfabImportProgressFunc   progress,
                          gpointer                   user_data,
                          GCancellable              *cancellable,
                          GAsyncReadyCallback        callback,
                          gpointer                   callback_data)
{
  g_autoptr(GTask) task = NULL;
  ImportTask *data;

  g_return_if_fail (CONFAB_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (store, cancellable, callback, callback_data);
  data = g_new0 (ImportTask, 1);
  data->db_path = g_strdup (confab_store_get_path (store));
  data->file = g_object_ref (file);
  data->progress = progress;
  data->user_data = user_data;
  g_task_set_source_tag (task, confab_import_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify) import_task_free);
  g_task_run_in_thread (task, import_thread);
}

ConfabImportResult *
confab_import_file_finish (ConfabStore   *store,
                           GAsyncResult  *result,
                           GError       **error)
{
  ConfabImportResult *import;

  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  import = g_task_propagate_pointer (G_TASK (result), error);
  if (import != NULL && import->n_imported > 0)
    _confab_store_emit_changed (store);

  return import;
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
  ConfabImportResult *result;

  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);

  /* What the store has pending first: the merge compares ids with what is on disk. */
  if (!confab_store_flush (store, error))
    return NULL;

  result = import_to_path (confab_store_get_path (store), file, NULL, NULL, cancellable, error);
  if (result != NULL && result->n_imported > 0)
    _confab_store_emit_changed (store);

  return result;
}
