/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-import"

#include "config.h"

#include <glib/gi18n.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-enums.h"
#include "confab-error.h"
#include "confab-import-private.h"
#include "confab-message.h"

/* Alpaca (github.com/Jeffser/Alpaca, src/sql_manager.py) keeps its chats in one SQLite
 * database, ~/.local/share/com.jeffser.Alpaca/alpaca.db (Flatpak: ~/.var/app/com.jeffser.Alpaca/data/alpaca.db):
 *   chat (id TEXT PRIMARY KEY, name TEXT, folder TEXT, is_template INTEGER)
 *   message (id TEXT PRIMARY KEY, chat_id TEXT, role TEXT ("user", "assistant", "system"),
 *            model TEXT ("" or NULL for the user's), date_time DATETIME (local time,
 *            "%Y/%m/%d %H:%M:%S"; older versions "%Y/%m/%d %H:%M"), content TEXT)
 *   attachment (id TEXT PRIMARY KEY, message_id TEXT, type TEXT ("image", "code", "pdf", …),
 *               name TEXT, content TEXT (base64 for images, the extracted text otherwise))
 * A chat is a flat list: one branch, in date order. It is read read-only, never written. */

static const char sqlite_magic[16] = "SQLite format 3";  /* with its NUL: 16 bytes */

gboolean
_confab_import_is_sqlite (const guint8 *head,
                          gsize         len)
{
  return len >= sizeof sqlite_magic && memcmp (head, sqlite_magic, sizeof sqlite_magic) == 0;
}

static void
set_sqlite_error (sqlite3     *db,
                  GError     **error)
{
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("Could not read the Alpaca database: %s."),
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
}

static gboolean
prepare (sqlite3       *db,
         const char    *sql,
         sqlite3_stmt **stmt)
{
  return sqlite3_prepare_v2 (db, sql, -1, stmt, NULL) == SQLITE_OK;
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL && *text != '\0' ? text : NULL;
}

/* Alpaca's local "%Y/%m/%d %H:%M:%S" (or without seconds) in microseconds; 0 if unreadable. */
static gint64
parse_time (const char *text)
{
  int year, month, day, hour, minute, second = 0;
  g_autoptr(GDateTime) time = NULL;

  if (text == NULL ||
      sscanf (text, "%d/%d/%d %d:%d:%d", &year, &month, &day, &hour, &minute, &second) < 5)
    return 0;
  if ((time = g_date_time_new_local (year, month, day, hour, minute, second)) == NULL)
    return 0;

  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

/* The message's text, then a placeholder for each attachment (its content is not kept). */
static char *
message_text (sqlite3_stmt *attachments,
              const char   *message_id,
              const char   *content,
              GError      **error)
{
  GString *text = g_string_new (content);
  int rc;

  if (attachments == NULL)
    return g_string_free (text, FALSE);

  sqlite3_reset (attachments);
  sqlite3_bind_text (attachments, 1, message_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (attachments)) == SQLITE_ROW)
    {
      const char *type = column_text (attachments, 0);
      const char *name = column_text (attachments, 1);

      g_string_append_printf (text, "%s[%s: %s]", text->len ? "\n\n" : "",
                              g_strcmp0 (type, "image") == 0 ? _("Image") : _("File"),
                              name ?: type ?: "");
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (sqlite3_db_handle (attachments), error);
      g_string_free (text, TRUE);
      return NULL;
    }

  return g_string_free (text, FALSE);
}

static ConfabConversation *
read_chat (sqlite3_stmt  *messages,
           sqlite3_stmt  *attachments,
           const char    *chat_id,
           const char    *name,
           GError       **error)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autofree char *id = _confab_import_derive_id ("alpaca", chat_id);
  gint64 created_at = 0, updated_at = 0;
  const char *model = NULL;
  g_autofree char *last_model = NULL;
  int rc;

  confab_conversation_set_id (conversation, id);
  confab_conversation_set_title (conversation, name);

  sqlite3_reset (messages);
  sqlite3_bind_text (messages, 1, chat_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (messages)) == SQLITE_ROW)
    {
      const char *message_id = column_text (messages, 0);
      const char *role_name = column_text (messages, 1);
      gint64 time = parse_time (column_text (messages, 3));
      g_autofree char *message_uuid = _confab_import_derive_id ("alpaca-message", message_id ?: "");
      g_autofree char *text = NULL;
      g_autoptr(ConfabMessage) message = NULL;
      ConfabRole role;

      if (!confab_role_from_string (role_name, &role))
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
                       _("Not an Alpaca conversation as expected: a message with the unknown role “%s”."),
                       role_name ?: "");
          return NULL;
        }
      if ((text = message_text (attachments, message_id, (const char *) sqlite3_column_text (messages, 4), error)) == NULL)
        return NULL;

      message = confab_message_new (role, text);
      confab_message_set_id (message, message_uuid);
      if ((model = column_text (messages, 2)) != NULL)
        {
          confab_message_set_model (message, model);
          g_free (last_model);
          last_model = g_strdup (model);
        }
      confab_message_set_created_at (message, time);
      confab_conversation_append (conversation, message);

      if (time != 0 && (created_at == 0 || time < created_at))
        created_at = time;
      updated_at = MAX (updated_at, time);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (sqlite3_db_handle (messages), error);
      return NULL;
    }

  /* An empty chat (Alpaca's "New Chat"), or no readable time: kept, dated now. */
  if (created_at == 0)
    created_at = updated_at = g_get_real_time ();

  confab_conversation_set_model (conversation, last_model);
  confab_conversation_set_created_at (conversation, created_at);
  /* Appending touches it: the stored time is Alpaca's last message. */
  confab_conversation_set_updated_at (conversation, updated_at);

  return g_steal_pointer (&conversation);
}

static char *
read_only_uri (const char *path)
{
  g_autofree char *escaped = g_uri_escape_string (path, "/", FALSE);

  return g_strdup_printf ("file:%s?mode=ro", escaped);
}

#define BATCH_CONVERSATIONS 200

ConfabImportResult *
_confab_import_alpaca (const char                *path,
                       ConfabStore               *staging,
                       ConfabImportProgressFunc   progress,
                       gpointer                   user_data,
                       GCancellable              *cancellable,
                       GError                   **error)
{
  g_autoptr(ConfabImportResult) result = g_new0 (ConfabImportResult, 1);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *uri = read_only_uri (path);
  sqlite3 *db = NULL;
  sqlite3_stmt *chats = NULL, *messages = NULL, *attachments = NULL, *count = NULL;
  gint64 n_chats = 0, n_done = 0;
  gboolean ok = FALSE;
  int rc;

  result->format = CONFAB_IMPORT_FORMAT_ALPACA;
  result->ids = g_ptr_array_new_with_free_func (g_free);

  if (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
    {
      set_sqlite_error (db, error);
      goto out;
    }
  /* Alpaca may be running: wait for its write to end rather than fail. */
  sqlite3_busy_timeout (db, 5000);

  /* Its shape, or a clear refusal. */
  if (!prepare (db, "SELECT id, name FROM chat ORDER BY rowid", &chats) ||
      !prepare (db, "SELECT id, role, model, date_time, content FROM message WHERE chat_id = ?1"
                    " ORDER BY date_time, rowid", &messages))
    {
      if (sqlite3_errcode (db) == SQLITE_ERROR)
        g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
                             _("This database is not an Alpaca database Confab can import. Confab imports "
                               "its own JSON export, ChatGPT’s conversations.json, Open WebUI’s chat export "
                               "and Alpaca’s database (alpaca.db)."));
      else
        set_sqlite_error (db, error);
      goto out;
    }
  /* Older versions had no attachments. */
  if (!prepare (db, "SELECT type, name FROM attachment WHERE message_id = ?1 ORDER BY rowid", &attachments))
    attachments = NULL;
  if (prepare (db, "SELECT count(*) FROM chat", &count) && sqlite3_step (count) == SQLITE_ROW)
    n_chats = sqlite3_column_int64 (count, 0);

  /* One read transaction: a consistent snapshot even if Alpaca writes meanwhile. */
  if (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (db, error);
      goto out;
    }

  while ((rc = sqlite3_step (chats)) == SQLITE_ROW)
    {
      const char *chat_id = column_text (chats, 0);
      ConfabConversation *conversation;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (chat_id == NULL)
        continue;
      if ((conversation = read_chat (messages, attachments, chat_id, column_text (chats, 1), error)) == NULL)
        {
          g_prefix_error (error, _("Conversation %u: "), (guint) n_done + 1);
          goto out;
        }

      g_ptr_array_add (result->ids, g_strdup (confab_conversation_get_id (conversation)));
      g_ptr_array_add (batch, conversation);
      if (batch->len >= BATCH_CONVERSATIONS)
        {
          if (!confab_store_save_all (staging, batch, error))
            goto out;
          g_ptr_array_set_size (batch, 0);
        }

      n_done++;
      if (progress != NULL)
        progress (n_done, MAX (n_chats, n_done), user_data);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (db, error);
      goto out;
    }
  if (batch->len > 0 && !confab_store_save_all (staging, batch, error))
    goto out;

  if (result->ids->len == 0)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("There are no conversations in this file."));
      goto out;
    }

  ok = TRUE;

out:
  sqlite3_finalize (count);
  sqlite3_finalize (attachments);
  sqlite3_finalize (messages);
  sqlite3_finalize (chats);
  sqlite3_close_v2 (db);

  return ok ? g_steal_pointer (&result) : NULL;
}
