/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-store-private.h"
#include "confab-store-summary.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

/* Reading: a conversation with everything in it, and the lists of conversations. */

static GBytes *
decompress_bytes (const void *data,
                  gsize       len)
{
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
  g_autoptr(GInputStream) memory = g_memory_input_stream_new_from_data (data, len, NULL);
  g_autoptr(GInputStream) in = g_converter_input_stream_new (memory, G_CONVERTER (decompressor));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                              NULL, NULL) < 0)
    return NULL;

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static ConfabMessageState
parse_state (const char *str)
{
  for (guint i = 0; i <= CONFAB_MESSAGE_STATE_INTERRUPTED; i++)
    if (g_strcmp0 (str, confab_message_state_to_string (i)) == 0)
      return i;

  return CONFAB_MESSAGE_STATE_COMPLETE;
}

static ConfabToolCallStatus
parse_status (const char *str)
{
  for (guint i = 0; i < CONFAB_STORE_N_TOOL_CALL_STATUSES; i++)
    if (g_strcmp0 (str, confab_tool_call_status_to_string (i)) == 0)
      return i;

  return CONFAB_TOOL_CALL_STATUS_FAILED;
}

/* Every tool call of conversation @id, one query (not one per message), onto the messages
 * of @by_id (message id → ConfabMessage). */
static gboolean
load_tool_calls (ConfabStore    *self,
                 const char     *id,
                 GHashTable     *by_id,
                 GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _confab_store_prepare (self,
                                "SELECT t.idx, t.call_id, t.name, t.server, t.arguments, t.status, t.result,"
                                "  t.result_content, t.error, t.status_times, t.message_id"
                                " FROM messages m JOIN tool_calls t ON t.message_id = m.id"
                                " WHERE m.conversation_id = ?1 ORDER BY m.position, t.idx",
                                error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ConfabMessage *message = g_hash_table_lookup (by_id, _confab_store_column_text (stmt, 10));
      g_autoptr(ConfabToolCall) call = confab_tool_call_new (sqlite3_column_int (stmt, 0));
      gint64 times[CONFAB_STORE_N_TOOL_CALL_STATUSES] = { 0 };
      const char *times_str = _confab_store_column_text (stmt, 9);

      confab_tool_call_set_id (call, _confab_store_column_text (stmt, 1));
      confab_tool_call_set_name (call, _confab_store_column_text (stmt, 2));
      confab_tool_call_set_server (call, _confab_store_column_text (stmt, 3));
      confab_tool_call_set_arguments (call, _confab_store_column_text (stmt, 4));
      confab_tool_call_set_status (call, parse_status (_confab_store_column_text (stmt, 5)));
      confab_tool_call_set_result (call, _confab_store_column_text (stmt, 6));
      if (_confab_store_column_text (stmt, 7) != NULL)
        {
          g_autoptr(JsonNode) content = json_from_string (_confab_store_column_text (stmt, 7), NULL);

          if (content != NULL)
            confab_tool_call_set_result_content (call, content);
        }
      confab_tool_call_set_error (call, _confab_store_column_text (stmt, 8));

      if (times_str != NULL)
        {
          g_auto(GStrv) parts = NULL;
          g_autofree char *inner = g_strndup (times_str + 1, MAX (strlen (times_str), 2) - 2);

          parts = g_strsplit (inner, ",", -1);
          for (guint i = 0; parts[i] != NULL && i < CONFAB_STORE_N_TOOL_CALL_STATUSES; i++)
            times[i] = g_ascii_strtoll (parts[i], NULL, 10);
        }
      confab_tool_call_restore_times (call, times, CONFAB_STORE_N_TOOL_CALL_STATUSES);

      if (message != NULL)
        confab_message_add_tool_call (message, call);
    }

  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return _confab_store_set_sqlite_error (self, error, "read");

  return TRUE;
}

/* Every usage row of conversation @id, one query, onto the messages of @by_id. */
static gboolean
load_usage (ConfabStore    *self,
            const char     *id,
            GHashTable     *by_id,
            GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _confab_store_prepare (self,
                                "SELECT u.reported, u.prompt_tokens, u.completion_tokens, u.total_tokens,"
                                "  u.cached_tokens, u.reasoning_tokens, u.has_cost, u.cost,"
                                "  u.time_to_first_token, u.duration, u.message_id"
                                " FROM messages m JOIN usage u ON u.message_id = m.id WHERE m.conversation_id = ?1",
                                error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ConfabMessage *message = g_hash_table_lookup (by_id, _confab_store_column_text (stmt, 10));

      if (message == NULL)
        continue;

      confab_usage_restore (confab_message_get_usage (message),
                            sqlite3_column_int (stmt, 0),
                            sqlite3_column_int64 (stmt, 1),
                            sqlite3_column_int64 (stmt, 2),
                            sqlite3_column_int64 (stmt, 3),
                            sqlite3_column_int64 (stmt, 4),
                            sqlite3_column_int64 (stmt, 5),
                            sqlite3_column_int (stmt, 6),
                            sqlite3_column_double (stmt, 7),
                            sqlite3_column_double (stmt, 8),
                            sqlite3_column_double (stmt, 9));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return _confab_store_set_sqlite_error (self, error, "read");

  return TRUE;
}

/* Every attachment of the conversation in one query, given to its message in order. */
static gboolean
load_attachments (ConfabStore  *self,
                  const char   *conversation_id,
                  GHashTable   *by_id,
                  GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _confab_store_prepare (self,
                                "SELECT l.message_id, l.name, l.detail, a.sha256, a.kind, a.mime_type,"
                                "  a.data, a.text, a.n_pages, a.width, a.height"
                                " FROM message_attachments l"
                                " JOIN attachments a ON a.sha256 = l.sha256"
                                " JOIN messages m ON m.id = l.message_id"
                                " WHERE m.conversation_id = ?1"
                                " ORDER BY m.position, l.position",
                                error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, conversation_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ConfabAttachment) attachment = NULL;
      g_autoptr(GBytes) data = NULL;
      ConfabMessage *message;

      message = g_hash_table_lookup (by_id, _confab_store_column_text (stmt, 0));
      if (message == NULL)
        continue;

      data = g_bytes_new (sqlite3_column_blob (stmt, 6), sqlite3_column_bytes (stmt, 6));
      attachment = confab_attachment_new_stored (_confab_store_column_text (stmt, 1),
                                                 _confab_store_column_text (stmt, 5),
                                                 sqlite3_column_int (stmt, 4),
                                                 _confab_store_column_text (stmt, 3),
                                                 data,
                                                 _confab_store_column_text (stmt, 7),
                                                 sqlite3_column_int (stmt, 8),
                                                 sqlite3_column_int (stmt, 9),
                                                 sqlite3_column_int (stmt, 10),
                                                 _confab_store_column_text (stmt, 2));
      confab_message_add_attachment (message, attachment);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return _confab_store_set_sqlite_error (self, error, "read");

  return TRUE;
}

static gboolean
load_pieces (ConfabStore    *self,
             ConfabMessage  *message,
             GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _confab_store_prepare (self, "SELECT kind, text FROM message_pieces WHERE message_id = ?1 ORDER BY seq",
                                error);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, confab_message_get_id (message));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (sqlite3_column_int (stmt, 0) == 0)
        confab_message_append_content (message, _confab_store_column_text (stmt, 1), -1);
      else
        confab_message_append_reasoning (message, _confab_store_column_text (stmt, 1), -1);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return _confab_store_set_sqlite_error (self, error, "read");

  return TRUE;
}

static ConfabConversation *
load_locked (ConfabStore  *self,
             const char   *id,
             GError      **error)
{
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  sqlite3_stmt *stmt;
  g_autofree char *shown_leaf = NULL;
  gint64 updated_at;
  int rc;

  stmt = _confab_store_prepare (self,
                                "SELECT title, system_prompt, provider_name, base_url, model, created_at,"
                                "  updated_at, shown_leaf FROM conversations WHERE id = ?1",
                                error);
  if (stmt == NULL)
    return NULL;

  _confab_store_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        _confab_store_set_not_found_error (error, id);
      else
        _confab_store_set_sqlite_error (self, error, "read");
      return NULL;
    }

  conversation = confab_conversation_new ();
  confab_conversation_set_id (conversation, id);
  confab_conversation_set_title (conversation, _confab_store_column_text (stmt, 0));
  confab_conversation_set_system_prompt (conversation, _confab_store_column_text (stmt, 1));
  confab_conversation_set_provider_name (conversation, _confab_store_column_text (stmt, 2));
  confab_conversation_set_base_url (conversation, _confab_store_column_text (stmt, 3));
  confab_conversation_set_model (conversation, _confab_store_column_text (stmt, 4));
  confab_conversation_set_created_at (conversation, sqlite3_column_int64 (stmt, 5));
  updated_at = sqlite3_column_int64 (stmt, 6);
  shown_leaf = g_strdup (_confab_store_column_text (stmt, 7));
  sqlite3_reset (stmt);

  stmt = _confab_store_prepare (self,
                                "SELECT id, role, content, reasoning, tool_call_id, finish_reason, state,"
                                "  error_domain, error_code, error_message, retry_after, model, created_at,"
                                "  request_body, raw_response, parent_id, sibling FROM messages"
                                " WHERE conversation_id = ?1 ORDER BY position, sibling",
                                error);
  if (stmt == NULL)
    return NULL;

  _confab_store_bind_text (stmt, 1, id);
  messages = g_ptr_array_new_with_free_func (g_object_unref);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ConfabRole role = CONFAB_ROLE_USER;
      ConfabMessage *message;

      confab_role_from_string (_confab_store_column_text (stmt, 1), &role);
      message = g_object_new (CONFAB_TYPE_MESSAGE, "role", role, NULL);
      g_ptr_array_add (messages, message);

      confab_message_set_id (message, _confab_store_column_text (stmt, 0));
      confab_message_set_parent (message, _confab_store_column_text (stmt, 15),
                                 MAX (sqlite3_column_int64 (stmt, 16), 0));
      confab_message_set_content (message, _confab_store_column_text (stmt, 2));
      confab_message_set_reasoning (message, _confab_store_column_text (stmt, 3));
      confab_message_set_tool_call_id (message, _confab_store_column_text (stmt, 4));
      confab_message_set_finish_reason (message, _confab_store_column_text (stmt, 5));
      if (_confab_store_column_text (stmt, 9) != NULL)
        {
          const char *domain = _confab_store_column_text (stmt, 7) ?: "confab-error-quark";
          g_autoptr(GError) message_error = g_error_new_literal (g_quark_from_string (domain),
                                                                 sqlite3_column_int (stmt, 8),
                                                                 _confab_store_column_text (stmt, 9));
          confab_message_fail (message, message_error);
        }
      confab_message_set_state (message, parse_state (_confab_store_column_text (stmt, 6)));
      confab_message_set_retry_after (message, sqlite3_column_int (stmt, 10));
      confab_message_set_model (message, _confab_store_column_text (stmt, 11));
      confab_message_set_created_at (message, sqlite3_column_int64 (stmt, 12));
      confab_message_set_request_body (message, _confab_store_column_text (stmt, 13));
      if (sqlite3_column_type (stmt, 14) == SQLITE_BLOB)
        {
          g_autoptr(GBytes) raw = decompress_bytes (sqlite3_column_blob (stmt, 14),
                                                    sqlite3_column_bytes (stmt, 14));
          if (raw != NULL)
            confab_message_set_raw_response (message, raw);
        }
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_sqlite_error (self, error, "read");
      return NULL;
    }

  by_id = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < messages->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (messages, i);

      g_hash_table_insert (by_id, (gpointer)confab_message_get_id (message), message);
    }

  if (!load_usage (self, id, by_id, error) || !load_tool_calls (self, id, by_id, error) ||
      !load_attachments (self, id, by_id, error))
    return NULL;

  for (guint i = 0; i < messages->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (messages, i);

      /* Streaming in another process: its text so far is the row's and the pieces'. */
      if (confab_message_get_state (message) == CONFAB_MESSAGE_STATE_STREAMING &&
          !load_pieces (self, message, error))
        return NULL;

      /* A message whose parent is gone (a damaged file) is kept as a first message. */
      if (!confab_conversation_add_message (conversation, message))
        {
          confab_message_set_parent (message, NULL, G_MAXINT);
          confab_conversation_add_message (conversation, message);
        }
    }

  /* The branch shown last (or the newest). */
  confab_conversation_show (conversation, confab_conversation_lookup (conversation, shown_leaf));
  confab_conversation_set_updated_at (conversation, updated_at);

  return g_steal_pointer (&conversation);
}

ConfabConversation *
confab_store_load (ConfabStore  *self,
                   const char   *id,
                   GError      **error)
{
  ConfabConversation *conversation;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  _confab_store_sync (self);

  /* One read transaction for the thousands of statements of a long conversation, not one
   * each (each would look at the WAL again). */
  sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL);
  conversation = load_locked (self, id, error);
  sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);

  if (conversation != NULL)
    _confab_store_mark_loaded (self, conversation);

  return conversation;
}

gboolean
confab_store_contains (ConfabStore *self,
                       const char  *id)
{
  sqlite3_stmt *stmt;
  gboolean found;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);

  _confab_store_sync (self);

  stmt = _confab_store_prepare (self, "SELECT 1 FROM conversations WHERE id = ?1", NULL);
  if (stmt == NULL)
    return FALSE;

  _confab_store_bind_text (stmt, 1, id);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  return found;
}

/* Steps @stmt (columns: id, title, model, updated_at, n_messages and, with @with_snippet, the
 * snippet) into a list of ConfabStoreSummary. (transfer full) */
static GListModel *
read_summaries (ConfabStore   *self,
                sqlite3_stmt  *stmt,
                gboolean       with_snippet,
                const char    *what,
                GError       **error)
{
  g_autoptr(GListStore) list = g_list_store_new (CONFAB_TYPE_STORE_SUMMARY);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ConfabStoreSummary) summary =
        _confab_store_summary_new (_confab_store_column_text (stmt, 0),
                                   _confab_store_column_text (stmt, 1),
                                   with_snippet ? _confab_store_column_text (stmt, 5) : NULL,
                                   _confab_store_column_text (stmt, 2),
                                   sqlite3_column_int64 (stmt, 3),
                                   sqlite3_column_int (stmt, 4));

      g_list_store_append (list, summary);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_sqlite_error (self, error, what);
      return NULL;
    }

  return G_LIST_MODEL (g_steal_pointer (&list));
}

GListModel *
confab_store_list (ConfabStore  *self,
                   GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  _confab_store_sync (self);

  stmt = _confab_store_prepare (self,
                                "SELECT c.id, c.title, c.model, c.updated_at,"
                                "  " CONFAB_STORE_N_SHOWN_SQL
                                " FROM conversations c ORDER BY c.updated_at DESC, c.seq DESC",
                                error);
  if (stmt == NULL)
    return NULL;

  return read_summaries (self, stmt, FALSE, "read", error);
}
