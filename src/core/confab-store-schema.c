/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-error.h"
#include "confab-store-private.h"

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

  /* 2 → 3: streamed text arrives as pieces, appended rows joined into the message when it
   * ends (so a flush writes only the new bytes and the full-text index sees the text once);
   * which process continues a conversation (one at a time); one message per position. */
  "CREATE TABLE message_pieces ("
  "  seq INTEGER PRIMARY KEY,"
  "  message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,"
  "  kind INTEGER NOT NULL,"
  "  text TEXT NOT NULL);"
  "CREATE TABLE conversation_writers ("
  "  conversation_id TEXT PRIMARY KEY,"
  "  writer TEXT NOT NULL);"
  /* Two processes that continued one conversation at once could leave two messages at one
   * position: number them again in their order (ties by age), then make it a key, so a
   * write that would do that fails (and is reported) instead. */
  "UPDATE messages SET position = (SELECT count (*) FROM messages m2"
  "  WHERE m2.conversation_id = messages.conversation_id"
  "    AND (m2.position < messages.position OR (m2.position = messages.position AND m2.seq < messages.seq)));"
  "DROP INDEX messages_by_conversation;"
  "CREATE UNIQUE INDEX messages_by_conversation ON messages (conversation_id, position);",

  /* 3 → 4: attachments, stored once by the SHA-256 of their data and linked to the messages
   * that carry them; an attachment no message links to any more is deleted with the last
   * link (confab-store-writer.c, confab_store_delete). */
  "CREATE TABLE attachments ("
  "  sha256 TEXT PRIMARY KEY,"
  "  kind INTEGER NOT NULL,"
  "  mime_type TEXT NOT NULL,"
  "  data BLOB NOT NULL,"
  "  text TEXT,"
  "  n_pages INTEGER NOT NULL DEFAULT 0,"
  "  width INTEGER NOT NULL DEFAULT 0,"
  "  height INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE message_attachments ("
  "  message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  sha256 TEXT NOT NULL REFERENCES attachments (sha256),"
  "  name TEXT NOT NULL,"
  "  detail TEXT NOT NULL DEFAULT 'auto',"
  "  PRIMARY KEY (message_id, position));"
  "CREATE INDEX message_attachments_by_sha256 ON message_attachments (sha256);",

  /* 4 → 5: the usage ledger, one row per request made, kept when its message or conversation
   * is deleted or regenerated (so totals over time stay true); filled from the usage stored
   * so far. */
  "CREATE TABLE usage_ledger ("
  "  message_id TEXT PRIMARY KEY,"
  "  conversation_id TEXT NOT NULL,"
  "  provider_name TEXT,"
  "  base_url TEXT,"
  "  model TEXT,"
  "  recorded_at INTEGER NOT NULL,"
  "  prompt_tokens INTEGER NOT NULL DEFAULT 0,"
  "  completion_tokens INTEGER NOT NULL DEFAULT 0,"
  "  total_tokens INTEGER NOT NULL DEFAULT 0,"
  "  cached_tokens INTEGER NOT NULL DEFAULT 0,"
  "  reasoning_tokens INTEGER NOT NULL DEFAULT 0,"
  "  has_cost INTEGER NOT NULL DEFAULT 0,"
  "  cost REAL NOT NULL DEFAULT 0);"
  "CREATE INDEX usage_ledger_by_time ON usage_ledger (recorded_at);"
  "INSERT INTO usage_ledger SELECT u.message_id, m.conversation_id, c.provider_name, c.base_url,"
  "  COALESCE (NULLIF (m.model, ''), c.model), m.created_at,"
  "  COALESCE (u.prompt_tokens, 0), COALESCE (u.completion_tokens, 0), COALESCE (u.total_tokens, 0),"
  "  COALESCE (u.cached_tokens, 0), COALESCE (u.reasoning_tokens, 0), u.has_cost, COALESCE (u.cost, 0)"
  "  FROM usage u JOIN messages m ON m.id = u.message_id JOIN conversations c ON c.id = m.conversation_id"
  "  WHERE u.reported;",

  /* 5 → 6: branches. A message follows its parent (NULL for a first message) and is one of
   * its versions (sibling); the place (conversation, parent, sibling) is a key, so two
   * writers racing on one place fail instead of both writing. position is the depth (gaps
   * left by old versions closed). The conversation remembers the last message of the branch
   * shown. A flat conversation becomes
   * one chain: each message follows the one before it. */
  "ALTER TABLE messages ADD COLUMN parent_id TEXT;"
  "ALTER TABLE messages ADD COLUMN sibling INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE conversations ADD COLUMN shown_leaf TEXT;"
  "UPDATE messages SET parent_id = (SELECT p.id FROM messages p"
  "  WHERE p.conversation_id = messages.conversation_id AND p.position < messages.position"
  "  ORDER BY p.position DESC LIMIT 1);"
  "UPDATE conversations SET shown_leaf = (SELECT m.id FROM messages m"
  "  WHERE m.conversation_id = conversations.id ORDER BY m.position DESC LIMIT 1);"
  "DROP INDEX messages_by_conversation;"
  "CREATE INDEX messages_by_conversation ON messages (conversation_id, position);"
  "UPDATE messages SET position = r.depth FROM (SELECT seq, row_number () OVER"
  "  (PARTITION BY conversation_id ORDER BY position) - 1 AS depth FROM messages) r"
  "  WHERE r.seq = messages.seq AND messages.position != r.depth;"
  "CREATE UNIQUE INDEX messages_by_place ON messages (conversation_id, COALESCE (parent_id, ''), sibling);",

  /* 6 → 7: the tool decision log (confab-store-decisions.c): every approval of a tool call
   * and every answer to a server's question, kept when the conversation is deleted. (IF NOT
   * EXISTS: a test that rewinds user_version to re-run an older step re-runs this one.) */
  "CREATE TABLE IF NOT EXISTS tool_decisions ("
  "  seq INTEGER PRIMARY KEY,"
  "  recorded_at INTEGER NOT NULL,"
  "  conversation_id TEXT,"
  "  server TEXT NOT NULL,"
  "  tool TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  decision TEXT NOT NULL,"
  "  detail TEXT);"
  "CREATE INDEX IF NOT EXISTS tool_decisions_by_conversation ON tool_decisions (conversation_id);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CONFAB_STORE_SCHEMA_VERSION);

static gboolean
read_user_version (ConfabStore  *self,
                   int          *version,
                   GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    return _confab_store_set_sqlite_error (self, error, "read");

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_ROW)
    return _confab_store_set_sqlite_error (self, error, "read");

  return TRUE;
}

/* Looks before anything is touched: switching to WAL or migrating writes to the file, and a
 * file that is not ours, or is newer, must stay as it is. Sets @version to the file's schema
 * version (0 for a new file). */
gboolean
_confab_store_check_version (ConfabStore  *self,
                             int          *version,
                             GError      **error)
{
  if (!read_user_version (self, version, error))
    {
      int code = sqlite3_errcode (self->db);

      /* Not being allowed to write the file or its folder (WAL needs both) is not damage:
       * saying so would invite deleting a healthy file. */
      if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY || code == SQLITE_PERM ||
          code == SQLITE_AUTH || _confab_store_path_not_writable (self->path))
        {
          g_clear_error (error);
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                       _("Permission denied: Confab cannot write to %s or its folder. "
                         "It was left as it is."), self->path);
        }
      else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        g_prefix_error (error, _("%s is locked by another program. "), self->path);
      else
        g_prefix_error (error, _("%s is not a Confab database or is damaged. It was left as it is. "),
                        self->path);
      return FALSE;
    }

  if (*version > CONFAB_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE_VERSION,
                   _("%s was written by a newer Confab (schema %d; this one reads up to %d). "
                     "It was left as it is."),
                   self->path, *version, CONFAB_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  if (*version > 0)
    {
      /* It claims to be ours: the schema must be readable before anything is written. A full
       * integrity check would read the whole file on every start; damage found later fails
       * the read or write that meets it with CONFAB_ERROR_STORE. */
      if (!_confab_store_exec (self, "SELECT count (*) FROM sqlite_master", error))
        {
          g_prefix_error (error, _("%s is damaged. It was left as it is. "), self->path);
          return FALSE;
        }
    }

  return TRUE;
}

/* Runs the migrations up to CONFAB_STORE_SCHEMA_VERSION in one write transaction. The
 * version is read again inside it: another process starting at the same time may have
 * migrated the file since @from was read (then there is nothing left to do). */
gboolean
_confab_store_migrate (ConfabStore  *self,
                       int           from,
                       GError      **error)
{
  int version = from;
  gboolean ok;

  if (from >= CONFAB_STORE_SCHEMA_VERSION)
    return TRUE;

  if (!_confab_store_begin (self, error))
    {
      g_prefix_error (error, _("Could not upgrade the database from version %d: "), from);
      return FALSE;
    }

  ok = read_user_version (self, &version, error);

  for (; ok && version < CONFAB_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *set_version = NULL;

      g_debug ("Migrating %s from schema %d to %d", self->path, version, version + 1);

      set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      ok = _confab_store_exec (self, migrations[version], error) &&
           _confab_store_exec (self, set_version, error);
    }

  if (!_confab_store_commit (self, ok, ok ? error : NULL))
    {
      g_prefix_error (error, _("Could not upgrade the database from version %d: "), version);
      return FALSE;
    }

  return TRUE;
}

gboolean
_confab_store_create_at_version (const char  *path,
                                 int          version,
                                 GError     **error)
{
  sqlite3 *db = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (version >= 0 && version <= CONFAB_STORE_SCHEMA_VERSION, FALSE);

  if (sqlite3_open (path, &db) != SQLITE_OK)
    ok = FALSE;

  for (int i = 0; ok && i < version; i++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", i + 1);

      ok = sqlite3_exec (db, migrations[i], NULL, NULL, NULL) == SQLITE_OK &&
           sqlite3_exec (db, set_version, NULL, NULL, NULL) == SQLITE_OK;
    }

  if (!ok)
    g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE, "%s: %s", path, sqlite3_errmsg (db));
  sqlite3_close (db);

  return ok;
}
