/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <json-glib/json-glib.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-store-private.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

/* Writing: every write runs inside a transaction (_confab_store_begin/commit); a message is
 * upserted by id with its usage and tool calls. */

gboolean
_confab_store_write_conversation_row (ConfabStore         *self,
                                      ConfabConversation  *conversation,
                                      GError             **error)
{
  sqlite3_stmt *stmt;

  stmt = _confab_store_prepare (self,
                                "INSERT INTO conversations (id, title, system_prompt, provider_name, base_url,"
                                "  model, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                                " ON CONFLICT (id) DO UPDATE SET title = excluded.title,"
                                "  system_prompt = excluded.system_prompt, provider_name = excluded.provider_name,"
                                "  base_url = excluded.base_url, model = excluded.model,"
                                "  created_at = excluded.created_at, updated_at = excluded.updated_at",
                                error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, confab_conversation_get_id (conversation));
  _confab_store_bind_text (stmt, 2, confab_conversation_get_title (conversation) ?: "");
  _confab_store_bind_text (stmt, 3, confab_conversation_get_system_prompt (conversation));
  _confab_store_bind_text (stmt, 4, confab_conversation_get_provider_name (conversation));
  _confab_store_bind_text (stmt, 5, confab_conversation_get_base_url (conversation));
  _confab_store_bind_text (stmt, 6, confab_conversation_get_model (conversation));
  sqlite3_bind_int64 (stmt, 7, confab_conversation_get_created_at (conversation));
  sqlite3_bind_int64 (stmt, 8, confab_conversation_get_updated_at (conversation));

  return _confab_store_step_done (self, stmt, error);
}

static GBytes *
compress_bytes (GBytes *bytes)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 6);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (!g_output_stream_write_all (out, data, MIN (len, CONFAB_STORE_RAW_RESPONSE_MAX), NULL, NULL, NULL) ||
      !g_output_stream_close (out, NULL, NULL))
    return NULL;

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static gboolean
write_raw_response (ConfabStore    *self,
                    ConfabMessage  *message,
                    GError        **error)
{
  g_autoptr(GBytes) raw = confab_message_dup_raw_response (message);
  g_autoptr(GBytes) compressed = NULL;
  sqlite3_stmt *stmt;

  stmt = _confab_store_prepare (self,
                                "UPDATE messages SET raw_response = ?2, raw_response_size = ?3 WHERE id = ?1",
                                error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, confab_message_get_id (message));
  if (g_bytes_get_size (raw) > 0 && (compressed = compress_bytes (raw)) != NULL)
    sqlite3_bind_blob64 (stmt, 2, g_bytes_get_data (compressed, NULL), g_bytes_get_size (compressed),
                         SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int64 (stmt, 3, g_bytes_get_size (raw));

  return _confab_store_step_done (self, stmt, error);
}

static gboolean
write_tool_calls (ConfabStore    *self,
                  ConfabMessage  *message,
                  GError        **error)
{
  GListModel *calls = confab_message_get_tool_calls (message);
  guint n = g_list_model_get_n_items (calls);
  sqlite3_stmt *stmt;

  if (!_confab_store_run (self, "DELETE FROM tool_calls WHERE message_id = ?1",
                          confab_message_get_id (message), error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
      g_autoptr(GString) times = g_string_new ("[");
      g_autofree char *result_content = NULL;
      JsonNode *content;

      for (guint s = 0; s < CONFAB_STORE_N_TOOL_CALL_STATUSES; s++)
        g_string_append_printf (times, "%s%" G_GINT64_FORMAT, s ? "," : "",
                                confab_tool_call_get_status_time (call, s));
      g_string_append_c (times, ']');

      if ((content = confab_tool_call_get_result_content (call)) != NULL)
        result_content = json_to_string (content, FALSE);

      stmt = _confab_store_prepare (self,
                                    "INSERT INTO tool_calls (message_id, idx, call_id, name, server, arguments,"
                                    "  status, result, result_content, error, status_times)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                    error);
      if (stmt == NULL)
        return FALSE;

      _confab_store_bind_text (stmt, 1, confab_message_get_id (message));
      sqlite3_bind_int64 (stmt, 2, confab_tool_call_get_index (call));
      _confab_store_bind_text (stmt, 3, confab_tool_call_get_id (call));
      _confab_store_bind_text (stmt, 4, confab_tool_call_get_name (call));
      _confab_store_bind_text (stmt, 5, confab_tool_call_get_server (call));
      _confab_store_bind_text (stmt, 6, confab_tool_call_get_arguments (call));
      _confab_store_bind_text (stmt, 7, confab_tool_call_status_to_string (confab_tool_call_get_status (call)));
      _confab_store_bind_text (stmt, 8, confab_tool_call_get_result (call));
      _confab_store_bind_text (stmt, 9, result_content);
      _confab_store_bind_text (stmt, 10, confab_tool_call_get_error (call));
      _confab_store_bind_text (stmt, 11, times->str);

      if (!_confab_store_step_done (self, stmt, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_usage (ConfabStore    *self,
             ConfabMessage  *message,
             GError        **error)
{
  ConfabUsage *usage = confab_message_get_usage (message);
  sqlite3_stmt *stmt;

  stmt = _confab_store_prepare (self,
                                "INSERT OR REPLACE INTO usage (message_id, reported, prompt_tokens,"
                                "  completion_tokens, total_tokens, cached_tokens, reasoning_tokens, has_cost,"
                                "  cost, time_to_first_token, duration)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, confab_message_get_id (message));
  sqlite3_bind_int (stmt, 2, confab_usage_get_reported (usage));
  sqlite3_bind_int64 (stmt, 3, confab_usage_get_prompt_tokens (usage));
  sqlite3_bind_int64 (stmt, 4, confab_usage_get_completion_tokens (usage));
  sqlite3_bind_int64 (stmt, 5, confab_usage_get_total_tokens (usage));
  sqlite3_bind_int64 (stmt, 6, confab_usage_get_cached_tokens (usage));
  sqlite3_bind_int64 (stmt, 7, confab_usage_get_reasoning_tokens (usage));
  sqlite3_bind_int (stmt, 8, confab_usage_get_has_cost (usage));
  sqlite3_bind_double (stmt, 9, confab_usage_get_cost (usage));
  sqlite3_bind_double (stmt, 10, confab_usage_get_time_to_first_token (usage));
  sqlite3_bind_double (stmt, 11, confab_usage_get_duration (usage));

  return _confab_store_step_done (self, stmt, error);
}

/* Upserts one message with its usage and tool calls; the raw response only with @with_raw
 * (it is for the inspector, not for recovery, so it is written when the message ends). */
gboolean
_confab_store_write_message (ConfabStore         *self,
                             ConfabConversation  *conversation,
                             guint                position,
                             ConfabMessage       *message,
                             gboolean             with_raw,
                             GError             **error)
{
  const GError *message_error = confab_message_get_error (message);
  sqlite3_stmt *stmt;

  stmt = _confab_store_prepare (self,
                                "INSERT INTO messages (id, conversation_id, position, role, content, reasoning,"
                                "  tool_call_id, finish_reason, state, error_domain, error_code, error_message,"
                                "  retry_after, model, created_at, request_body, writer)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
                                " ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id,"
                                "  position = excluded.position, role = excluded.role, content = excluded.content,"
                                "  reasoning = excluded.reasoning, tool_call_id = excluded.tool_call_id,"
                                "  finish_reason = excluded.finish_reason, state = excluded.state,"
                                "  error_domain = excluded.error_domain, error_code = excluded.error_code,"
                                "  error_message = excluded.error_message, retry_after = excluded.retry_after,"
                                "  model = excluded.model, created_at = excluded.created_at,"
                                "  request_body = excluded.request_body, writer = excluded.writer",
                                error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, confab_message_get_id (message));
  _confab_store_bind_text (stmt, 2, confab_conversation_get_id (conversation));
  sqlite3_bind_int64 (stmt, 3, position);
  _confab_store_bind_text (stmt, 4, confab_role_to_string (confab_message_get_role (message)));
  _confab_store_bind_text (stmt, 5, confab_message_get_content (message));
  _confab_store_bind_text (stmt, 6, confab_message_get_reasoning (message));
  _confab_store_bind_text (stmt, 7, confab_message_get_tool_call_id (message));
  _confab_store_bind_text (stmt, 8, confab_message_get_finish_reason (message));
  _confab_store_bind_text (stmt, 9, confab_message_state_to_string (confab_message_get_state (message)));
  if (message_error != NULL)
    {
      _confab_store_bind_text (stmt, 10, g_quark_to_string (message_error->domain));
      sqlite3_bind_int (stmt, 11, message_error->code);
      _confab_store_bind_text (stmt, 12, message_error->message);
    }
  sqlite3_bind_int (stmt, 13, confab_message_get_retry_after (message));
  _confab_store_bind_text (stmt, 14, confab_message_get_model (message));
  sqlite3_bind_int64 (stmt, 15, confab_message_get_created_at (message));
  _confab_store_bind_text (stmt, 16, confab_message_get_request_body (message));
  _confab_store_bind_text (stmt, 17, self->writer);

  if (!_confab_store_step_done (self, stmt, error) ||
      !write_usage (self, message, error) ||
      !write_tool_calls (self, message, error))
    return FALSE;

  if (with_raw && !write_raw_response (self, message, error))
    return FALSE;

  return TRUE;
}

/* Compressing raw responses is the costly part of a save; a conversation loaded and then
 * tracked (opened in the window, --continue) has them on disk already. */
static gboolean
raw_response_changed (ConfabStore   *self,
                      ConfabMessage *message)
{
  g_autoptr(GBytes) raw = confab_message_dup_raw_response (message);
  sqlite3_stmt *stmt;
  gboolean changed = TRUE;

  stmt = _confab_store_prepare (self, "SELECT raw_response_size FROM messages WHERE id = ?1", NULL);
  if (stmt == NULL)
    return TRUE;

  _confab_store_bind_text (stmt, 1, confab_message_get_id (message));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    changed = (guint64) sqlite3_column_int64 (stmt, 0) != g_bytes_get_size (raw);
  sqlite3_reset (stmt);

  return changed;
}

/* Writes @conversation whole inside the open transaction: messages no longer in it go. */
gboolean
_confab_store_save_locked (ConfabStore         *self,
                           ConfabConversation  *conversation,
                           GError             **error)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

  if (!_confab_store_write_conversation_row (self, conversation, error))
    return FALSE;

  /* Stored positions go negative; the messages still there get theirs back; the rest go. */
  if (!_confab_store_run (self, "UPDATE messages SET position = -1 - position WHERE conversation_id = ?1",
                          confab_conversation_get_id (conversation), error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);

      if (!_confab_store_write_message (self, conversation, i, message,
                                        raw_response_changed (self, message), error))
        return FALSE;
    }

  return _confab_store_run (self, "DELETE FROM messages WHERE conversation_id = ?1 AND position < 0",
                            confab_conversation_get_id (conversation), error);
}

gboolean
confab_store_save (ConfabStore         *self,
                   ConfabConversation  *conversation,
                   GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), FALSE);

  if (!_confab_store_begin (self, error))
    return FALSE;
  ok = _confab_store_save_locked (self, conversation, error);
  if (!_confab_store_commit (self, ok, ok ? error : NULL))
    return FALSE;

  _confab_store_emit_changed (self);

  return TRUE;
}
