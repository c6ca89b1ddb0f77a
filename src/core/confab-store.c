/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "confab-conversation.h"
#include "confab-enums.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-tool-call.h"
#include "confab-usage.h"
#include "confab-util-private.h"

#define N_TOOL_CALL_STATUSES (CONFAB_TOOL_CALL_STATUS_DENIED + 1)
#define BUSY_TIMEOUT_MS 5000
/* WAL pages (of 4 KiB) after which a checkpoint runs, in a thread. */
#define CHECKPOINT_PAGES 1000

/* ------------------------------------------------------------------------------------------
 * Schema. migrations[i] takes a database from user_version i to i + 1; a new database runs
 * them all. Never edit a shipped step: add one.
 * ------------------------------------------------------------------------------------------ */

static const char * const migrations[] = {
  /* 0 → 1: conversations, messages, tool calls, usage; full-text index of message text. */
  "CREATE TABLE conversations ("
  "  seq INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  title TEXT NOT NULL DEFAULT '',"
  "  system_prompt TEXT,"
  "  provider_name TEXT,"
  "  base_url TEXT,"
  "  model TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  "CREATE INDEX conversations_by_update ON conversations (updated_at);"
  "CREATE TABLE messages ("
  "  seq INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  role TEXT NOT NULL,"
  "  content TEXT NOT NULL DEFAULT '',"
  "  reasoning TEXT NOT NULL DEFAULT '',"
  "  tool_call_id TEXT,"
  "  finish_reason TEXT,"
  "  state TEXT NOT NULL,"
  "  error_domain TEXT,"
  "  error_code INTEGER,"
  "  error_message TEXT,"
  "  retry_after INTEGER NOT NULL DEFAULT -1,"
  "  model TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  request_body TEXT);"
  "CREATE INDEX messages_by_conversation ON messages (conversation_id, position);"
  "CREATE TABLE tool_calls ("
  "  message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,"
  "  idx INTEGER NOT NULL,"
  "  call_id TEXT,"
  "  name TEXT,"
  "  server TEXT,"
  "  arguments TEXT NOT NULL DEFAULT '',"
  "  status TEXT NOT NULL,"
  "  result TEXT,"
  "  result_content TEXT,"
  "  error TEXT,"
  "  status_times TEXT,"
  "  PRIMARY KEY (message_id, idx));"
  "CREATE TABLE usage ("
  "  message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,"
  "  reported INTEGER NOT NULL,"
  "  prompt_tokens INTEGER,"
  "  completion_tokens INTEGER,"
  "  total_tokens INTEGER,"
  "  cached_tokens INTEGER,"
  "  reasoning_tokens INTEGER,"
  "  has_cost INTEGER NOT NULL,"
  "  cost REAL,"
  "  time_to_first_token REAL,"
  "  duration REAL);"
  "CREATE VIRTUAL TABLE messages_fts USING fts5 (content, content='messages', content_rowid='seq');"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
  "  INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);"
  "END;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);"
  "END;"
  "CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages"
  "  WHEN old.content IS NOT new.content BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);"
  "  INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);"
  "END;",

  /* 1 → 2: the raw response for the inspector (zlib, capped), titles searchable, and which
   * process writes a message (so a start does not mark another live process's stream as
   * interrupted). */
  "ALTER TABLE messages ADD COLUMN raw_response BLOB;"
  "ALTER TABLE messages ADD COLUMN raw_response_size INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE messages ADD COLUMN writer TEXT;"
  "CREATE VIRTUAL TABLE conversations_fts USING fts5 (title, content='conversations', content_rowid='seq');"
  "INSERT INTO conversations_fts (conversations_fts) VALUES ('rebuild');"
  "CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN"
  "  INSERT INTO conversations_fts (rowid, title) VALUES (new.seq, new.title);"
  "END;"
  "CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN"
  "  INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.seq, old.title);"
  "END;"
  "CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations"
  "  WHEN old.title IS NOT new.title BEGIN"
  "  INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.seq, old.title);"
  "  INSERT INTO conversations_fts (rowid, title) VALUES (new.seq, new.title);"
  "END;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CONFAB_STORE_SCHEMA_VERSION);

/* ------------------------------------------------------------------------------------------ */

struct _ConfabStoreSummary
{
  GObject  parent_instance;
  char    *id;
  char    *title;
  char    *snippet;
  char    *model;
  gint64   updated_at;
  guint    n_messages;
};

G_DEFINE_FINAL_TYPE (ConfabStoreSummary, confab_store_summary, G_TYPE_OBJECT)

enum {
  SUMMARY_PROP_0,
  SUMMARY_PROP_ID,
  SUMMARY_PROP_TITLE,
  SUMMARY_PROP_SNIPPET,
  SUMMARY_PROP_MODEL,
  SUMMARY_PROP_UPDATED_AT,
  SUMMARY_PROP_N_MESSAGES,
  SUMMARY_N_PROPS
};

static GParamSpec *summary_properties[SUMMARY_N_PROPS];

static void
confab_store_summary_finalize (GObject *object)
{
  ConfabStoreSummary *self = (ConfabStoreSummary *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->snippet, g_free);
  g_clear_pointer (&self->model, g_free);

  G_OBJECT_CLASS (confab_store_summary_parent_class)->finalize (object);
}

static void
confab_store_summary_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabStoreSummary *self = CONFAB_STORE_SUMMARY (object);

  switch (prop_id)
    {
    case SUMMARY_PROP_ID:         g_value_set_string (value, self->id); break;
    case SUMMARY_PROP_TITLE:      g_value_set_string (value, self->title); break;
    case SUMMARY_PROP_SNIPPET:    g_value_set_string (value, self->snippet); break;
    case SUMMARY_PROP_MODEL:      g_value_set_string (value, self->model); break;
    case SUMMARY_PROP_UPDATED_AT: g_value_set_int64 (value, self->updated_at); break;
    case SUMMARY_PROP_N_MESSAGES: g_value_set_uint (value, self->n_messages); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_store_summary_class_init (ConfabStoreSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  object_class->finalize = confab_store_summary_finalize;
  object_class->get_property = confab_store_summary_get_property;

  summary_properties[SUMMARY_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  summary_properties[SUMMARY_PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  summary_properties[SUMMARY_PROP_SNIPPET] = g_param_spec_string ("snippet", NULL, NULL, NULL, ro);
  summary_properties[SUMMARY_PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, ro);
  summary_properties[SUMMARY_PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  summary_properties[SUMMARY_PROP_N_MESSAGES] =
    g_param_spec_uint ("n-messages", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, SUMMARY_N_PROPS, summary_properties);
}

static void
confab_store_summary_init (ConfabStoreSummary *self)
{
}

const char *
confab_store_summary_get_id (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), NULL);
  return self->id;
}

const char *
confab_store_summary_get_title (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), NULL);
  return self->title;
}

const char *
confab_store_summary_get_snippet (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), NULL);
  return self->snippet;
}

const char *
confab_store_summary_get_model (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), NULL);
  return self->model;
}

gint64
confab_store_summary_get_updated_at (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), 0);
  return self->updated_at;
}

guint
confab_store_summary_get_n_messages (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), 0);
  return self->n_messages;
}

/* ------------------------------------------------------------------------------------------ */

typedef struct _Tracker Tracker;

typedef struct
{
  ConfabToolCall *call;
  gulong          notify_id;
} CallWatch;

typedef struct
{
  Tracker       *tracker;
  ConfabMessage *message;
  GPtrArray     *calls;        /* CallWatch */
  gulong         handler_ids[6];
  gulong         usage_notify_id;
  guint          raw_dirty : 1;
} MessageWatch;

struct _Tracker
{
  ConfabStore        *store;
  ConfabConversation *conversation;
  GHashTable         *watches;  /* ConfabMessage* → MessageWatch* */
  gulong              items_changed_id;
  gulong              notify_id;
};

struct _ConfabStore
{
  GObject     parent_instance;

  sqlite3    *db;
  char       *path;
  GHashTable *statements;      /* const char *sql → sqlite3_stmt */
  GHashTable *trackers;        /* ConfabConversation* → Tracker* */
  GHashTable *dirty;           /* MessageWatch* set: text pending, written by the timer */
  guint       flush_source;
  guint       n_recovered;
  guint       n_writes;
  double      max_write_ms;
  int         transaction_depth;
  gint64      transaction_start;
  guint       checkpointing : 1;
  char       *writer;          /* "host:pid" of this process */
};

G_DEFINE_FINAL_TYPE (ConfabStore, confab_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void tracker_free (Tracker *tracker);
static void message_watch_free (MessageWatch *watch);

static gboolean
set_sqlite_error (ConfabStore  *self,
                  GError      **error,
                  const char   *what)
{
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
               _("Could not %s the conversation database %s: %s"),
               what, self->path ? self->path : "", sqlite3_errmsg (self->db));
  return FALSE;
}

static sqlite3_stmt *
get_statement (ConfabStore  *self,
               const char   *sql,
               GError      **error)
{
  sqlite3_stmt *stmt;

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "read");
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer)sql, stmt);

  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *)sqlite3_column_text (stmt, column);
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (ConfabStore   *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_sqlite_error (self, error, "write");

  return TRUE;
}

static gboolean
exec (ConfabStore  *self,
      const char   *sql,
      GError      **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, "write");

  return TRUE;
}

static gboolean
begin (ConfabStore  *self,
       GError      **error)
{
  if (self->transaction_depth++ > 0)
    return TRUE;

  self->transaction_start = g_get_monotonic_time ();

  if (!exec (self, "BEGIN IMMEDIATE", error))
    {
      self->transaction_depth = 0;
      return FALSE;
    }

  return TRUE;
}

static gboolean
commit (ConfabStore  *self,
        gboolean      ok,
        GError      **error)
{
  double ms;

  g_assert (self->transaction_depth > 0);

  if (--self->transaction_depth > 0)
    return ok;

  if (!ok)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  if (!exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  ms = (g_get_monotonic_time () - self->transaction_start) / 1000.0;
  self->n_writes++;
  if (ms > self->max_write_ms)
    self->max_write_ms = ms;
  g_debug ("write %u took %.3f ms", self->n_writes, ms);

  return TRUE;
}

/* ------------------------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------------------------ */

static gboolean
write_conversation_row (ConfabStore         *self,
                        ConfabConversation  *conversation,
                        GError             **error)
{
  sqlite3_stmt *stmt;

  stmt = get_statement (self,
                        "INSERT INTO conversations (id, title, system_prompt, provider_name, base_url,"
                        "  model, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                        " ON CONFLICT (id) DO UPDATE SET title = excluded.title,"
                        "  system_prompt = excluded.system_prompt, provider_name = excluded.provider_name,"
                        "  base_url = excluded.base_url, model = excluded.model,"
                        "  created_at = excluded.created_at, updated_at = excluded.updated_at",
                        error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, confab_conversation_get_id (conversation));
  bind_text (stmt, 2, confab_conversation_get_title (conversation) ?: "");
  bind_text (stmt, 3, confab_conversation_get_system_prompt (conversation));
  bind_text (stmt, 4, confab_conversation_get_provider_name (conversation));
  bind_text (stmt, 5, confab_conversation_get_base_url (conversation));
  bind_text (stmt, 6, confab_conversation_get_model (conversation));
  sqlite3_bind_int64 (stmt, 7, confab_conversation_get_created_at (conversation));
  sqlite3_bind_int64 (stmt, 8, confab_conversation_get_updated_at (conversation));

  return step_done (self, stmt, error);
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

static gboolean
write_raw_response (ConfabStore    *self,
                    ConfabMessage  *message,
                    GError        **error)
{
  g_autoptr(GBytes) raw = confab_message_dup_raw_response (message);
  g_autoptr(GBytes) compressed = NULL;
  sqlite3_stmt *stmt;

  stmt = get_statement (self,
                        "UPDATE messages SET raw_response = ?2, raw_response_size = ?3 WHERE id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, confab_message_get_id (message));
  if (g_bytes_get_size (raw) > 0 && (compressed = compress_bytes (raw)) != NULL)
    sqlite3_bind_blob64 (stmt, 2, g_bytes_get_data (compressed, NULL), g_bytes_get_size (compressed),
                         SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int64 (stmt, 3, g_bytes_get_size (raw));

  return step_done (self, stmt, error);
}

static char *
serialize_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static gboolean
write_tool_calls (ConfabStore    *self,
                  ConfabMessage  *message,
                  GError        **error)
{
  GListModel *calls = confab_message_get_tool_calls (message);
  guint n = g_list_model_get_n_items (calls);
  sqlite3_stmt *stmt;

  stmt = get_statement (self, "DELETE FROM tool_calls WHERE message_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, confab_message_get_id (message));
  if (!step_done (self, stmt, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
      g_autoptr(GString) times = g_string_new ("[");
      g_autofree char *result_content = NULL;
      JsonNode *content;

      for (guint s = 0; s < N_TOOL_CALL_STATUSES; s++)
        g_string_append_printf (times, "%s%" G_GINT64_FORMAT, s ? "," : "",
                                confab_tool_call_get_status_time (call, s));
      g_string_append_c (times, ']');

      if ((content = confab_tool_call_get_result_content (call)) != NULL)
        result_content = serialize_json (content);

      stmt = get_statement (self,
                            "INSERT INTO tool_calls (message_id, idx, call_id, name, server, arguments,"
                            "  status, result, result_content, error, status_times)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                            error);
      if (stmt == NULL)
        return FALSE;

      bind_text (stmt, 1, confab_message_get_id (message));
      sqlite3_bind_int64 (stmt, 2, confab_tool_call_get_index (call));
      bind_text (stmt, 3, confab_tool_call_get_id (call));
      bind_text (stmt, 4, confab_tool_call_get_name (call));
      bind_text (stmt, 5, confab_tool_call_get_server (call));
      bind_text (stmt, 6, confab_tool_call_get_arguments (call));
      bind_text (stmt, 7, confab_tool_call_status_to_string (confab_tool_call_get_status (call)));
      bind_text (stmt, 8, confab_tool_call_get_result (call));
      bind_text (stmt, 9, result_content);
      bind_text (stmt, 10, confab_tool_call_get_error (call));
      bind_text (stmt, 11, times->str);

      if (!step_done (self, stmt, error))
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

  stmt = get_statement (self,
                        "INSERT OR REPLACE INTO usage (message_id, reported, prompt_tokens,"
                        "  completion_tokens, total_tokens, cached_tokens, reasoning_tokens, has_cost,"
                        "  cost, time_to_first_token, duration)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                        error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, confab_message_get_id (message));
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

  return step_done (self, stmt, error);
}

/* Upserts one message with its usage and tool calls; the raw response only with @with_raw
 * (it is for the inspector, not for recovery, so it is written when the message ends). */
static gboolean
write_message (ConfabStore         *self,
               ConfabConversation  *conversation,
               guint                position,
               ConfabMessage       *message,
               gboolean             with_raw,
               GError             **error)
{
  const GError *message_error = confab_message_get_error (message);
  sqlite3_stmt *stmt;

  stmt = get_statement (self,
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

  bind_text (stmt, 1, confab_message_get_id (message));
  bind_text (stmt, 2, confab_conversation_get_id (conversation));
  sqlite3_bind_int64 (stmt, 3, position);
  bind_text (stmt, 4, confab_role_to_string (confab_message_get_role (message)));
  bind_text (stmt, 5, confab_message_get_content (message));
  bind_text (stmt, 6, confab_message_get_reasoning (message));
  bind_text (stmt, 7, confab_message_get_tool_call_id (message));
  bind_text (stmt, 8, confab_message_get_finish_reason (message));
  bind_text (stmt, 9, confab_message_state_to_string (confab_message_get_state (message)));
  if (message_error != NULL)
    {
      bind_text (stmt, 10, g_quark_to_string (message_error->domain));
      sqlite3_bind_int (stmt, 11, message_error->code);
      bind_text (stmt, 12, message_error->message);
    }
  sqlite3_bind_int (stmt, 13, confab_message_get_retry_after (message));
  bind_text (stmt, 14, confab_message_get_model (message));
  sqlite3_bind_int64 (stmt, 15, confab_message_get_created_at (message));
  bind_text (stmt, 16, confab_message_get_request_body (message));
  bind_text (stmt, 17, self->writer);

  if (!step_done (self, stmt, error) ||
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

  stmt = get_statement (self, "SELECT raw_response_size FROM messages WHERE id = ?1", NULL);
  if (stmt == NULL)
    return TRUE;

  bind_text (stmt, 1, confab_message_get_id (message));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    changed = (guint64) sqlite3_column_int64 (stmt, 0) != g_bytes_get_size (raw);
  sqlite3_reset (stmt);

  return changed;
}

static gboolean
save_locked (ConfabStore         *self,
             ConfabConversation  *conversation,
             GError             **error)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  sqlite3_stmt *stmt;

  if (!write_conversation_row (self, conversation, error))
    return FALSE;

  /* Stored positions go negative; the messages still there get theirs back; the rest go. */
  stmt = get_statement (self,
                        "UPDATE messages SET position = -1 - position WHERE conversation_id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, confab_conversation_get_id (conversation));
  if (!step_done (self, stmt, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);

      if (!write_message (self, conversation, i, message, raw_response_changed (self, message), error))
        return FALSE;
    }

  stmt = get_statement (self, "DELETE FROM messages WHERE conversation_id = ?1 AND position < 0", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, confab_conversation_get_id (conversation));

  return step_done (self, stmt, error);
}

gboolean
confab_store_save (ConfabStore         *self,
                   ConfabConversation  *conversation,
                   GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), FALSE);

  if (!begin (self, error))
    return FALSE;
  ok = save_locked (self, conversation, error);
  if (!commit (self, ok, ok ? error : NULL))
    return FALSE;

  g_signal_emit (self, signals[CHANGED], 0);

  return TRUE;
}

/* ------------------------------------------------------------------------------------------
 * Tracking
 * ------------------------------------------------------------------------------------------ */

static int
find_position (ConfabConversation *conversation,
               ConfabMessage      *message)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

  for (guint i = n; i > 0; i--)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (G_LIST_MODEL (conversation), i - 1);

      if (item == message)
        return i - 1;
    }

  return -1;
}

static void
warn_write_failed (GError *error)
{
  g_warning ("Could not save the conversation: %s", error->message);
}

/* Writes one watched message now, in its own transaction unless one is open. */
static void
watch_write (MessageWatch *watch)
{
  ConfabStore *self = watch->tracker->store;
  g_autoptr(GError) error = NULL;
  gboolean with_raw;
  gboolean ok;
  int position;

  g_hash_table_remove (self->dirty, watch);

  position = find_position (watch->tracker->conversation, watch->message);
  if (position < 0)
    return;

  with_raw = watch->raw_dirty && confab_message_get_state (watch->message) != CONFAB_MESSAGE_STATE_STREAMING;

  if (!begin (self, &error))
    {
      warn_write_failed (error);
      return;
    }
  ok = write_message (self, watch->tracker->conversation, position, watch->message, with_raw, &error);
  if (!commit (self, ok, ok ? &error : NULL))
    warn_write_failed (error);
  else if (with_raw)
    watch->raw_dirty = FALSE;
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  ConfabStore *self = user_data;
  g_autoptr(GError) error = NULL;

  self->flush_source = 0;

  if (!confab_store_flush (self, &error))
    warn_write_failed (error);

  return G_SOURCE_REMOVE;
}

static void
watch_mark_dirty (MessageWatch *watch)
{
  ConfabStore *self = watch->tracker->store;

  g_hash_table_add (self->dirty, watch);

  if (self->flush_source == 0)
    {
      self->flush_source = g_timeout_add (CONFAB_STORE_FLUSH_INTERVAL_MS, flush_timeout_cb, self);
      g_source_set_name_by_id (self->flush_source, "[confab] store flush");
    }
}

static void
on_text_appended (ConfabMessage *message,
                  const char    *piece,
                  MessageWatch  *watch)
{
  watch_mark_dirty (watch);
}

static void
on_raw_response_appended (ConfabMessage *message,
                          MessageWatch  *watch)
{
  watch->raw_dirty = TRUE;

  if (confab_message_get_state (message) != CONFAB_MESSAGE_STATE_STREAMING)
    watch_mark_dirty (watch);
}

static void
on_message_notify (ConfabMessage *message,
                   GParamSpec    *pspec,
                   MessageWatch  *watch)
{
  /* state, error, finish reason, model, request body …: rare, written at once. */
  watch_write (watch);
}

static void
on_usage_notify (ConfabUsage  *usage,
                 GParamSpec   *pspec,
                 MessageWatch *watch)
{
  watch_mark_dirty (watch);
}

static void
on_call_notify (ConfabToolCall *call,
                GParamSpec     *pspec,
                MessageWatch   *watch)
{
  const char *name = g_param_spec_get_name (pspec);

  /* Arguments grow per fragment: batched like the text. Status, result … at once. */
  if (g_str_equal (name, "arguments") || g_str_equal (name, "duration"))
    watch_mark_dirty (watch);
  else
    watch_write (watch);
}

static void
call_watch_free (gpointer data)
{
  CallWatch *cw = data;

  g_clear_signal_handler (&cw->notify_id, cw->call);
  g_clear_object (&cw->call);
  g_free (cw);
}

static void
watch_connect_calls (MessageWatch *watch)
{
  GListModel *calls = confab_message_get_tool_calls (watch->message);
  guint n = g_list_model_get_n_items (calls);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
      gboolean known = FALSE;

      for (guint j = 0; j < watch->calls->len && !known; j++)
        known = ((CallWatch *)g_ptr_array_index (watch->calls, j))->call == call;

      if (!known)
        {
          CallWatch *cw = g_new0 (CallWatch, 1);

          cw->call = g_object_ref (call);
          cw->notify_id = g_signal_connect (call, "notify", G_CALLBACK (on_call_notify), watch);
          g_ptr_array_add (watch->calls, cw);
        }
    }
}

static void
on_tool_calls_changed (GListModel   *calls,
                       guint         position,
                       guint         removed,
                       guint         added,
                       MessageWatch *watch)
{
  watch_connect_calls (watch);
  watch_write (watch);
}

static MessageWatch *
message_watch_new (Tracker       *tracker,
                   ConfabMessage *message)
{
  MessageWatch *watch = g_new0 (MessageWatch, 1);

  watch->tracker = tracker;
  watch->message = g_object_ref (message);
  watch->calls = g_ptr_array_new_with_free_func (call_watch_free);

  watch->handler_ids[0] = g_signal_connect (message, "content-appended", G_CALLBACK (on_text_appended), watch);
  watch->handler_ids[1] = g_signal_connect (message, "reasoning-appended", G_CALLBACK (on_text_appended), watch);
  watch->handler_ids[2] = g_signal_connect (message, "raw-response-appended", G_CALLBACK (on_raw_response_appended), watch);
  watch->handler_ids[3] = g_signal_connect (message, "notify", G_CALLBACK (on_message_notify), watch);
  watch->handler_ids[4] = g_signal_connect (confab_message_get_tool_calls (message), "items-changed",
                                            G_CALLBACK (on_tool_calls_changed), watch);
  watch->usage_notify_id = g_signal_connect (confab_message_get_usage (message), "notify",
                                             G_CALLBACK (on_usage_notify), watch);
  watch_connect_calls (watch);

  return watch;
}

static void
message_watch_free (MessageWatch *watch)
{
  g_hash_table_remove (watch->tracker->store->dirty, watch);

  g_clear_signal_handler (&watch->handler_ids[0], watch->message);
  g_clear_signal_handler (&watch->handler_ids[1], watch->message);
  g_clear_signal_handler (&watch->handler_ids[2], watch->message);
  g_clear_signal_handler (&watch->handler_ids[3], watch->message);
  g_clear_signal_handler (&watch->handler_ids[4], confab_message_get_tool_calls (watch->message));
  g_clear_signal_handler (&watch->usage_notify_id, confab_message_get_usage (watch->message));
  g_clear_pointer (&watch->calls, g_ptr_array_unref);
  g_clear_object (&watch->message);
  g_free (watch);
}

/* Watches every message of the conversation not yet watched; drops watches of removed ones. */
static void
tracker_sync_watches (Tracker *tracker)
{
  GListModel *model = G_LIST_MODEL (tracker->conversation);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i);

      g_hash_table_add (present, message);
      if (!g_hash_table_contains (tracker->watches, message))
        g_hash_table_insert (tracker->watches, message, message_watch_new (tracker, message));
    }

  g_hash_table_iter_init (&iter, tracker->watches);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_hash_table_contains (present, key))
        g_hash_table_iter_remove (&iter);
    }
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Tracker    *tracker)
{
  ConfabStore *self = tracker->store;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  tracker_sync_watches (tracker);

  if (!begin (self, &error))
    {
      warn_write_failed (error);
      return;
    }

  if (removed > 0)
    ok = save_locked (self, tracker->conversation, &error);
  else
    {
      ok = write_conversation_row (self, tracker->conversation, &error);

      /* Added messages (the user's prompt first of all) are committed right now. */
      for (guint i = position; ok && i < position + added; i++)
        {
          g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i);
          MessageWatch *watch = g_hash_table_lookup (tracker->watches, message);

          g_hash_table_remove (self->dirty, watch);
          ok = write_message (self, tracker->conversation, i, message,
                              confab_message_get_state (message) != CONFAB_MESSAGE_STATE_STREAMING,
                              &error);
        }
    }

  if (!commit (self, ok, ok ? &error : NULL))
    warn_write_failed (error);
  else
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_conversation_notify (ConfabConversation *conversation,
                        GParamSpec         *pspec,
                        Tracker            *tracker)
{
  ConfabStore *self = tracker->store;
  g_autoptr(GError) error = NULL;
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "n-items"))
    return;

  /* updated-at changes with every append, which writes the row itself. */
  if (g_str_equal (name, "updated-at"))
    return;

  if (!write_conversation_row (self, conversation, &error))
    warn_write_failed (error);
  else if (g_str_equal (name, "title"))
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
tracker_free (Tracker *tracker)
{
  g_clear_signal_handler (&tracker->items_changed_id, tracker->conversation);
  g_clear_signal_handler (&tracker->notify_id, tracker->conversation);
  g_clear_pointer (&tracker->watches, g_hash_table_unref);
  g_clear_object (&tracker->conversation);
  g_free (tracker);
}

void
confab_store_track (ConfabStore        *self,
                    ConfabConversation *conversation)
{
  g_autoptr(GError) error = NULL;
  Tracker *tracker;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (CONFAB_IS_CONVERSATION (conversation));

  if (g_hash_table_contains (self->trackers, conversation))
    return;

  if (!confab_store_save (self, conversation, &error))
    warn_write_failed (error);

  tracker = g_new0 (Tracker, 1);
  tracker->store = self;
  tracker->conversation = g_object_ref (conversation);
  tracker->watches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)message_watch_free);
  tracker->items_changed_id = g_signal_connect (conversation, "items-changed",
                                                G_CALLBACK (on_items_changed), tracker);
  tracker->notify_id = g_signal_connect (conversation, "notify",
                                         G_CALLBACK (on_conversation_notify), tracker);
  tracker_sync_watches (tracker);

  g_hash_table_insert (self->trackers, conversation, tracker);
}

static void
tracker_flush (Tracker *tracker)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, tracker->watches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MessageWatch *watch = value;

      if (g_hash_table_contains (tracker->store->dirty, watch) || watch->raw_dirty)
        g_ptr_array_add (pending, watch);
    }

  for (guint i = 0; i < pending->len; i++)
    watch_write (g_ptr_array_index (pending, i));
}

void
confab_store_untrack (ConfabStore        *self,
                      ConfabConversation *conversation)
{
  Tracker *tracker;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (CONFAB_IS_CONVERSATION (conversation));

  tracker = g_hash_table_lookup (self->trackers, conversation);
  if (tracker == NULL)
    return;

  tracker_flush (tracker);
  g_hash_table_remove (self->trackers, conversation);
}

gboolean
confab_store_flush (ConfabStore  *self,
                    GError      **error)
{
  g_autoptr(GPtrArray) pending = NULL;
  GHashTableIter iter;
  gpointer key;
  gboolean ok = TRUE;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);

  g_clear_handle_id (&self->flush_source, g_source_remove);

  if (g_hash_table_size (self->dirty) == 0)
    return TRUE;

  pending = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (pending, key);
  g_hash_table_remove_all (self->dirty);

  /* All pending messages in one transaction. */
  if (!begin (self, error))
    return FALSE;

  for (guint i = 0; ok && i < pending->len; i++)
    {
      MessageWatch *watch = g_ptr_array_index (pending, i);
      gboolean with_raw = watch->raw_dirty &&
                          confab_message_get_state (watch->message) != CONFAB_MESSAGE_STATE_STREAMING;
      int position = find_position (watch->tracker->conversation, watch->message);

      if (position < 0)
        continue;

      ok = write_message (self, watch->tracker->conversation, position, watch->message, with_raw, error);
      if (ok && with_raw)
        watch->raw_dirty = FALSE;
    }

  return commit (self, ok, ok ? error : NULL);
}

ConfabConversation *
confab_store_lookup_tracked (ConfabStore *self,
                             const char  *id)
{
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  g_hash_table_iter_init (&iter, self->trackers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (g_strcmp0 (confab_conversation_get_id (key), id) == 0)
        return key;
    }

  return NULL;
}

/* ------------------------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------------------------ */

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
  for (guint i = 0; i < N_TOOL_CALL_STATUSES; i++)
    if (g_strcmp0 (str, confab_tool_call_status_to_string (i)) == 0)
      return i;

  return CONFAB_TOOL_CALL_STATUS_FAILED;
}

static gboolean
load_tool_calls (ConfabStore    *self,
                 ConfabMessage  *message,
                 GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = get_statement (self,
                        "SELECT idx, call_id, name, server, arguments, status, result, result_content,"
                        "  error, status_times FROM tool_calls WHERE message_id = ?1 ORDER BY idx",
                        error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, confab_message_get_id (message));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ConfabToolCall) call = confab_tool_call_new (sqlite3_column_int (stmt, 0));
      gint64 times[N_TOOL_CALL_STATUSES] = { 0 };
      const char *times_str = column_text (stmt, 9);

      confab_tool_call_set_id (call, column_text (stmt, 1));
      confab_tool_call_set_name (call, column_text (stmt, 2));
      confab_tool_call_set_server (call, column_text (stmt, 3));
      confab_tool_call_set_arguments (call, column_text (stmt, 4));
      confab_tool_call_set_status (call, parse_status (column_text (stmt, 5)));
      confab_tool_call_set_result (call, column_text (stmt, 6));
      if (column_text (stmt, 7) != NULL)
        {
          g_autoptr(JsonNode) content = json_from_string (column_text (stmt, 7), NULL);

          if (content != NULL)
            confab_tool_call_set_result_content (call, content);
        }
      confab_tool_call_set_error (call, column_text (stmt, 8));

      if (times_str != NULL)
        {
          g_auto(GStrv) parts = NULL;
          g_autofree char *inner = g_strndup (times_str + 1, MAX (strlen (times_str), 2) - 2);

          parts = g_strsplit (inner, ",", -1);
          for (guint i = 0; parts[i] != NULL && i < N_TOOL_CALL_STATUSES; i++)
            times[i] = g_ascii_strtoll (parts[i], NULL, 10);
        }
      confab_tool_call_restore_times (call, times, N_TOOL_CALL_STATUSES);

      confab_message_add_tool_call (message, call);
    }

  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, "read");

  return TRUE;
}

static gboolean
load_usage (ConfabStore    *self,
            ConfabMessage  *message,
            GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = get_statement (self,
                        "SELECT reported, prompt_tokens, completion_tokens, total_tokens, cached_tokens,"
                        "  reasoning_tokens, has_cost, cost, time_to_first_token, duration"
                        " FROM usage WHERE message_id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, confab_message_get_id (message));

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
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
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (self, error, "read");

  return TRUE;
}

ConfabConversation *
confab_store_load (ConfabStore  *self,
                   const char   *id,
                   GError      **error)
{
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  sqlite3_stmt *stmt;
  gint64 updated_at;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  stmt = get_statement (self,
                        "SELECT title, system_prompt, provider_name, base_url, model, created_at,"
                        "  updated_at FROM conversations WHERE id = ?1",
                        error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                     _("There is no stored conversation “%s”"), id);
      else
        set_sqlite_error (self, error, "read");
      return NULL;
    }

  conversation = confab_conversation_new ();
  confab_conversation_set_id (conversation, id);
  confab_conversation_set_title (conversation, column_text (stmt, 0));
  confab_conversation_set_system_prompt (conversation, column_text (stmt, 1));
  confab_conversation_set_provider_name (conversation, column_text (stmt, 2));
  confab_conversation_set_base_url (conversation, column_text (stmt, 3));
  confab_conversation_set_model (conversation, column_text (stmt, 4));
  confab_conversation_set_created_at (conversation, sqlite3_column_int64 (stmt, 5));
  updated_at = sqlite3_column_int64 (stmt, 6);
  sqlite3_reset (stmt);

  stmt = get_statement (self,
                        "SELECT id, role, content, reasoning, tool_call_id, finish_reason, state,"
                        "  error_domain, error_code, error_message, retry_after, model, created_at,"
                        "  request_body, raw_response FROM messages WHERE conversation_id = ?1"
                        " ORDER BY position",
                        error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, id);
  messages = g_ptr_array_new_with_free_func (g_object_unref);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ConfabRole role = CONFAB_ROLE_USER;
      ConfabMessage *message;

      confab_role_from_string (column_text (stmt, 1), &role);
      message = g_object_new (CONFAB_TYPE_MESSAGE, "role", role, NULL);
      g_ptr_array_add (messages, message);

      confab_message_set_id (message, column_text (stmt, 0));
      confab_message_set_content (message, column_text (stmt, 2));
      confab_message_set_reasoning (message, column_text (stmt, 3));
      confab_message_set_tool_call_id (message, column_text (stmt, 4));
      confab_message_set_finish_reason (message, column_text (stmt, 5));
      if (column_text (stmt, 9) != NULL)
        {
          g_autoptr(GError) message_error =
            g_error_new_literal (g_quark_from_string (column_text (stmt, 7) ?: "confab-error-quark"),
                                 sqlite3_column_int (stmt, 8),
                                 column_text (stmt, 9));
          confab_message_fail (message, message_error);
        }
      confab_message_set_state (message, parse_state (column_text (stmt, 6)));
      confab_message_set_retry_after (message, sqlite3_column_int (stmt, 10));
      confab_message_set_model (message, column_text (stmt, 11));
      confab_message_set_created_at (message, sqlite3_column_int64 (stmt, 12));
      confab_message_set_request_body (message, column_text (stmt, 13));
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
      set_sqlite_error (self, error, "read");
      return NULL;
    }

  for (guint i = 0; i < messages->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (messages, i);

      if (!load_usage (self, message, error) || !load_tool_calls (self, message, error))
        return NULL;

      confab_conversation_append (conversation, message);
    }

  confab_conversation_set_updated_at (conversation, updated_at);

  return g_steal_pointer (&conversation);
}

gboolean
confab_store_contains (ConfabStore *self,
                       const char  *id)
{
  sqlite3_stmt *stmt;
  gboolean found;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);

  stmt = get_statement (self, "SELECT 1 FROM conversations WHERE id = ?1", NULL);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, id);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  return found;
}

static ConfabStoreSummary *
summary_from_row (sqlite3_stmt *stmt,
                  gboolean      with_snippet)
{
  ConfabStoreSummary *summary = g_object_new (CONFAB_TYPE_STORE_SUMMARY, NULL);

  summary->id = g_strdup (column_text (stmt, 0));
  summary->title = g_strdup (column_text (stmt, 1) ?: "");
  summary->model = g_strdup (column_text (stmt, 2));
  summary->updated_at = sqlite3_column_int64 (stmt, 3);
  summary->n_messages = sqlite3_column_int (stmt, 4);
  if (with_snippet)
    summary->snippet = g_strdup (column_text (stmt, 5));

  return summary;
}

GListModel *
confab_store_list (ConfabStore  *self,
                   GError      **error)
{
  g_autoptr(GListStore) list = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  stmt = get_statement (self,
                        "SELECT c.id, c.title, c.model, c.updated_at,"
                        "  (SELECT count (*) FROM messages m WHERE m.conversation_id = c.id)"
                        " FROM conversations c ORDER BY c.updated_at DESC, c.seq DESC",
                        error);
  if (stmt == NULL)
    return NULL;

  list = g_list_store_new (CONFAB_TYPE_STORE_SUMMARY);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ConfabStoreSummary) summary = summary_from_row (stmt, FALSE);
      g_list_store_append (list, summary);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "read");
      return NULL;
    }

  return G_LIST_MODEL (g_steal_pointer (&list));
}

/* Every word becomes a quoted FTS5 string (so no syntax in @text is interpreted), all
 * required, the last a prefix so results come while typing. NULL when there is no word. */
static char *
make_fts_query (const char *text)
{
  g_auto(GStrv) words = g_strsplit_set (text, " \t\r\n", -1);
  g_autoptr(GString) query = g_string_new (NULL);
  int last = -1;

  for (int i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      last = i;

  if (last < 0)
    return NULL;

  for (int i = 0; i <= last; i++)
    {
      if (words[i][0] == '\0')
        continue;

      if (query->len > 0)
        g_string_append_c (query, ' ');
      g_string_append_c (query, '"');
      for (const char *p = words[i]; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (query, '"');
          g_string_append_c (query, *p);
        }
      g_string_append_c (query, '"');
      if (i == last)
        g_string_append_c (query, '*');
    }

  return g_string_free (g_steal_pointer (&query), FALSE);
}

GListModel *
confab_store_search (ConfabStore  *self,
                     const char   *text,
                     GError      **error)
{
  g_autoptr(GListStore) list = NULL;
  g_autofree char *query = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  list = g_list_store_new (CONFAB_TYPE_STORE_SUMMARY);

  if (text == NULL || (query = make_fts_query (text)) == NULL)
    return G_LIST_MODEL (g_steal_pointer (&list));

  /* A title hit counts as better than any text hit; among text hits, bm25 decides. */
  stmt = get_statement (self,
                        "SELECT c.id, c.title, c.model, c.updated_at,"
                        "  (SELECT count (*) FROM messages m WHERE m.conversation_id = c.id),"
                        "  hits.snippet, min (hits.rank) AS best"
                        " FROM ("
                        "   SELECT m.conversation_id AS cid,"
                        "     snippet (messages_fts, 0, '', '', '…', 12) AS snippet,"
                        "     bm25 (messages_fts) AS rank"
                        "   FROM messages_fts JOIN messages m ON m.seq = messages_fts.rowid"
                        "   WHERE messages_fts MATCH ?1"
                        "   UNION ALL"
                        "   SELECT c2.id, c2.title, bm25 (conversations_fts) - 1000000.0"
                        "   FROM conversations_fts JOIN conversations c2 ON c2.seq = conversations_fts.rowid"
                        "   WHERE conversations_fts MATCH ?1"
                        " ) AS hits JOIN conversations c ON c.id = hits.cid"
                        " GROUP BY c.id ORDER BY best, c.updated_at DESC",
                        error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, query);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ConfabStoreSummary) summary = summary_from_row (stmt, TRUE);
      g_list_store_append (list, summary);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "search");
      return NULL;
    }

  return G_LIST_MODEL (g_steal_pointer (&list));
}

gboolean
confab_store_rename (ConfabStore  *self,
                     const char   *id,
                     const char   *title,
                     GError      **error)
{
  ConfabConversation *tracked;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if ((tracked = confab_store_lookup_tracked (self, id)) != NULL)
    confab_conversation_set_title (tracked, title);

  stmt = get_statement (self, "UPDATE conversations SET title = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, id);
  bind_text (stmt, 2, title ?: "");
  if (!step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0 && tracked == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                   _("There is no stored conversation “%s”"), id);
      return FALSE;
    }

  g_signal_emit (self, signals[CHANGED], 0);

  return TRUE;
}

gboolean
confab_store_delete (ConfabStore  *self,
                     const char   *id,
                     GError      **error)
{
  ConfabConversation *tracked;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if ((tracked = confab_store_lookup_tracked (self, id)) != NULL)
    g_hash_table_remove (self->trackers, tracked);

  stmt = get_statement (self, "DELETE FROM conversations WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, id);
  if (!step_done (self, stmt, error))
    return FALSE;

  g_signal_emit (self, signals[CHANGED], 0);

  return TRUE;
}

double
confab_store_get_max_write_ms (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), 0);
  return self->max_write_ms;
}

guint
confab_store_get_n_writes (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), 0);
  return self->n_writes;
}

/* ------------------------------------------------------------------------------------------
 * Opening
 * ------------------------------------------------------------------------------------------ */

/* Checkpoints copy the WAL back into the database and fsync: the slow part of SQLite's
 * writes. SQLite would run them inside the commit that crosses the threshold, on the main
 * thread; instead they run in a worker with its own connection (PASSIVE: it never blocks
 * the writer), so a commit on the main thread stays short. */
static void
checkpoint_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *path = task_data;
  sqlite3 *db = NULL;
  gint64 start = g_get_monotonic_time ();
  int log_frames = 0;
  int checkpointed = 0;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
      /* A connection learns that the file is in WAL mode on its first read. */
      sqlite3_exec (db, "SELECT count (*) FROM sqlite_master", NULL, NULL, NULL);
      rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &checkpointed);
    }

  g_debug ("checkpoint of %d/%d WAL frames took %.3f ms (worker thread): %s",
           checkpointed, log_frames, (g_get_monotonic_time () - start) / 1000.0,
           rc == SQLITE_OK ? "ok" : sqlite3_errmsg (db));
  sqlite3_close (db);

  g_task_return_boolean (task, TRUE);
}

static void
checkpoint_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CONFAB_STORE (object)->checkpointing = FALSE;
}

static int
wal_hook_cb (void       *user_data,
             sqlite3    *db,
             const char *name,
             int         n_pages)
{
  ConfabStore *self = user_data;
  g_autoptr(GTask) task = NULL;

  if (n_pages < CHECKPOINT_PAGES || self->checkpointing || self->path == NULL)
    return SQLITE_OK;

  self->checkpointing = TRUE;
  task = g_task_new (self, NULL, checkpoint_done_cb, NULL);
  g_task_set_source_tag (task, wal_hook_cb);
  g_task_set_task_data (task, g_strdup (self->path), g_free);
  g_task_run_in_thread (task, checkpoint_thread);

  return SQLITE_OK;
}


static void
confab_store_dispose (GObject *object)
{
  ConfabStore *self = (ConfabStore *)object;

  if (self->trackers != NULL && self->db != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!confab_store_flush (self, &error))
        warn_write_failed (error);

      /* Raw responses of finished messages not yet written. */
      {
        GHashTableIter iter;
        gpointer value;

        g_hash_table_iter_init (&iter, self->trackers);
        while (g_hash_table_iter_next (&iter, NULL, &value))
          tracker_flush (value);
      }
    }

  g_clear_pointer (&self->trackers, g_hash_table_unref);
  g_clear_handle_id (&self->flush_source, g_source_remove);

  G_OBJECT_CLASS (confab_store_parent_class)->dispose (object);
}

static void
confab_store_finalize (GObject *object)
{
  ConfabStore *self = (ConfabStore *)object;

  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->writer, g_free);

  G_OBJECT_CLASS (confab_store_parent_class)->finalize (object);
}

static void
confab_store_class_init (ConfabStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_store_dispose;
  object_class->finalize = confab_store_finalize;

  /**
   * ConfabStore::changed:
   *
   * The list of conversations changed: one was created, renamed, deleted or got new
   * messages. Not emitted per streamed piece.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
confab_store_init (ConfabStore *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
  self->trackers = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)tracker_free);
  self->dirty = g_hash_table_new (NULL, NULL);
  self->writer = g_strdup_printf ("%s:%d", g_get_host_name (), (int) getpid ());
}

char *
confab_store_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "confab", "confab.db", NULL);
}

static gboolean
read_user_version (ConfabStore  *self,
                   int          *version,
                   GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, "read");

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_ROW)
    return set_sqlite_error (self, error, "read");

  return TRUE;
}

static gboolean
migrate (ConfabStore  *self,
         int           from,
         GError      **error)
{
  for (int version = from; version < CONFAB_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *set_version = NULL;
      gboolean ok;

      g_debug ("Migrating %s from schema %d to %d", self->path, version, version + 1);

      if (!begin (self, error))
        return FALSE;

      set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      ok = exec (self, migrations[version], error) && exec (self, set_version, error);

      if (!commit (self, ok, ok ? error : NULL))
        {
          g_prefix_error (error, _("Could not upgrade the database from version %d: "), version);
          return FALSE;
        }
    }

  return TRUE;
}

/* TRUE when @writer ("host:pid") is another process of this machine that is still running:
 * its streams are live, not interrupted. */
static gboolean
writer_is_alive (const char *writer)
{
  const char *colon;
  g_autofree char *host = NULL;
  gint64 pid;

  if (writer == NULL || (colon = strrchr (writer, ':')) == NULL)
    return FALSE;

  host = g_strndup (writer, colon - writer);
  if (!g_str_equal (host, g_get_host_name ()))
    return FALSE;

  pid = g_ascii_strtoll (colon + 1, NULL, 10);
  if (pid <= 0 || pid > G_MAXINT || pid == getpid ())
    return FALSE;

  return kill ((pid_t) pid, 0) == 0 || errno == EPERM;
}

static gboolean
recover_interrupted (ConfabStore  *self,
                     GError      **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;
  int rc;

  /* Messages left streaming, or with tool calls left running, by a process that is gone. */
  stmt = get_statement (self,
                        "SELECT id, writer FROM messages WHERE state = 'streaming'"
                        " OR id IN (SELECT message_id FROM tool_calls"
                        "           WHERE status IN ('streaming', 'pending-approval', 'running'))",
                        error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (!writer_is_alive (column_text (stmt, 1)))
        g_ptr_array_add (ids, g_strdup (column_text (stmt, 0)));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, "read");

  if (ids->len == 0)
    return TRUE;

  if (!begin (self, error))
    return FALSE;

  for (guint i = 0; ok && i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      stmt = get_statement (self,
                            "UPDATE messages SET state = 'interrupted' WHERE id = ?1 AND state = 'streaming'",
                            error);
      if ((ok = stmt != NULL))
        {
          bind_text (stmt, 1, id);
          ok = step_done (self, stmt, error);
          self->n_recovered += sqlite3_changes (self->db);
        }

      if (ok)
        stmt = get_statement (self,
                              "UPDATE tool_calls SET status = 'failed',"
                              "  error = coalesce (error, 'Interrupted: Confab stopped before the call finished')"
                              " WHERE message_id = ?1 AND status IN ('streaming', 'pending-approval', 'running')",
                              error);
      if (ok && (ok = stmt != NULL))
        {
          bind_text (stmt, 1, id);
          ok = step_done (self, stmt, error);
        }
    }

  if (ok && self->n_recovered > 0)
    g_info ("%u interrupted message(s) recovered in %s", self->n_recovered, self->path);

  return commit (self, ok, ok ? error : NULL);
}

ConfabStore *
confab_store_open (const char  *path,
                   GError     **error)
{
  g_autoptr(ConfabStore) self = NULL;
  g_autofree char *default_path = NULL;
  g_autofree char *dir = NULL;
  int version = 0;

  if (path == NULL)
    path = default_path = confab_store_get_default_path ();

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                   _("Could not create the folder %s: %s"), dir, g_strerror (errsv));
      return NULL;
    }

  self = g_object_new (CONFAB_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "open");
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* Look before touching anything: switching to WAL or migrating writes to the file, and a
   * file that is not ours, or is newer, must stay as it is. */
  if (!read_user_version (self, &version, error))
    {
      g_prefix_error (error, _("%s is not a Confab database or is damaged. It was left as it is. "), path);
      return NULL;
    }

  if (version > CONFAB_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE_VERSION,
                   _("%s was written by a newer Confab (schema %d; this one reads up to %d). "
                     "It was left as it is."),
                   path, version, CONFAB_STORE_SCHEMA_VERSION);
      return NULL;
    }

  if (version > 0)
    {
      /* It claims to be ours: the schema must be readable before anything is written. A full
       * integrity check would read the whole file on every start; damage found later fails
       * the read or write that meets it with CONFAB_ERROR_STORE. */
      if (!exec (self, "SELECT count (*) FROM sqlite_master", error))
        {
          g_prefix_error (error, _("%s is damaged. It was left as it is. "), path);
          return NULL;
        }
    }

  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !exec (self, "PRAGMA wal_autocheckpoint = 0", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error))
    return NULL;

  sqlite3_wal_hook (self->db, wal_hook_cb, self);

  if (!migrate (self, version, error))
    return NULL;

  if (!recover_interrupted (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

ConfabStore *
confab_store_open_default (GError **error)
{
  return confab_store_open (NULL, error);
}

const char *
confab_store_get_path (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  return self->path;
}

guint
confab_store_get_n_recovered (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), 0);
  return self->n_recovered;
}
