/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-error.h"
#include "confab-store-private.h"
#include "confab-store-summary.h"

/* Search like a search box: newest first, a page at a time, so the first page never scores
 * or even visits every hit. Conversations whose title matches come first (most recently
 * updated first), then those with matching messages, by their newest matching message
 * (FTS5 walks its doclist backwards by rowid and stops once the page is full). Snippets are
 * made only for the rows of the page. A search runs in a worker thread on a connection of
 * its own and stops within a few thousand SQLite steps of its cancellable being cancelled. */

/* Every word becomes a quoted FTS5 string (so no syntax in @text is interpreted), all
 * required; with @prefix, the last is a prefix (results while typing) unless it is one or two
 * characters, which would match most of the index (then NULL, as when there is no word). */
static char *
make_fts_query (const char *text,
                gboolean    prefix)
{
  g_auto(GStrv) words = g_strsplit_set (text, " \t\r\n", -1);
  g_autoptr(GString) query = g_string_new (NULL);
  int last = -1;

  for (int i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      last = i;

  if (last < 0 || (prefix && g_utf8_strlen (words[last], -1) < 3))
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
      if (i == last && prefix)
        g_string_append_c (query, '*');
    }

  return g_string_free (g_steal_pointer (&query), FALSE);
}

typedef struct
{
  char        *id;
  gint64       rowid;    /* the newest matching message, or 0 for a title hit */
  const char  *query;    /* the FTS query it matched (for its snippet) */
} Hit;

static void
hit_clear (gpointer data)
{
  g_free (((Hit *)data)->id);
}

static int
progress_cb (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

static gboolean
set_search_error (sqlite3       *db,
                  const char    *path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
               _("Could not search the conversation database %s: %s"), path, sqlite3_errmsg (db));
  return FALSE;
}

/* Words kept before the first match in a snippet. FTS5 starts a snippet at its sentence,
 * up to a dozen words before the match: a row in the sidebar shows five or six, and the
 * word searched for was cut off. */
#define SNIPPET_WORDS_BEFORE 3

/* @marked has the matches between \002 and \003: starts it a few words before the first
 * (with "…" where words were left out) and takes the marks out. */
static char *
snippet_near_match (const char *marked)
{
  const char *match = strchr (marked, '\002');
  const char *from = marked;
  GString *out = g_string_new (NULL);

  if (match != NULL)
    {
      guint words = 0;

      for (const char *p = match; p > marked; p = g_utf8_prev_char (p))
        {
          const char *prev = g_utf8_prev_char (p);

          /* A word starts at @p: count those before the match's. */
          if (p < match && g_unichar_isspace (g_utf8_get_char (prev)) &&
              !g_unichar_isspace (g_utf8_get_char (p)) && ++words == SNIPPET_WORDS_BEFORE)
            {
              from = p;
              g_string_append (out, "…");
              break;
            }
        }
    }

  for (const char *p = from; *p != '\0'; p++)
    if (*p != '\002' && *p != '\003')
      g_string_append_c (out, *p);

  return g_string_free (out, FALSE);
}

static ConfabStoreSummary *
summary_for_hit (sqlite3      *db,
                 Hit          *hit)
{
  g_autofree char *snippet = NULL;
  ConfabStoreSummary *summary = NULL;
  sqlite3_stmt *stmt = NULL;

  if (hit->rowid > 0 &&
      sqlite3_prepare_v2 (db, "SELECT snippet (messages_fts, 0, char (2), char (3), '…', 12) FROM messages_fts"
                              " WHERE messages_fts MATCH ?1 AND rowid = ?2", -1, &stmt, NULL) == SQLITE_OK)
    {
      _confab_store_bind_text (stmt, 1, hit->query);
      sqlite3_bind_int64 (stmt, 2, hit->rowid);
      if (sqlite3_step (stmt) == SQLITE_ROW && _confab_store_column_text (stmt, 0) != NULL)
        snippet = snippet_near_match (_confab_store_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT c.title, c.model, c.updated_at, " CONFAB_STORE_N_SHOWN_SQL
                              " FROM conversations c WHERE c.id = ?1", -1, &stmt, NULL) == SQLITE_OK)
    {
      _confab_store_bind_text (stmt, 1, hit->id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        summary = _confab_store_summary_new (hit->id,
                                             _confab_store_column_text (stmt, 0),
                                             snippet ? snippet : _confab_store_column_text (stmt, 0),
                                             _confab_store_column_text (stmt, 1),
                                             sqlite3_column_int64 (stmt, 2),
                                             sqlite3_column_int (stmt, 3));
    }
  sqlite3_finalize (stmt);

  return summary;
}

/* Adds the conversations whose title matches @query (most recently updated first) to
 * @hits, up to @wanted. */
static gboolean
add_title_hits (sqlite3     *db,
                const char  *query,
                GArray      *hits,
                GHashTable  *seen,
                guint        wanted)
{
  sqlite3_stmt *stmt = NULL;
  int rc = SQLITE_DONE;

  if (sqlite3_prepare_v2 (db, "SELECT c.id FROM conversations_fts JOIN conversations c"
                              " ON c.seq = conversations_fts.rowid WHERE conversations_fts MATCH ?1"
                              " ORDER BY c.updated_at DESC, c.seq DESC", -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;

  _confab_store_bind_text (stmt, 1, query);
  while (hits->len < wanted && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Hit hit = { NULL, 0, query };

      if (g_hash_table_contains (seen, _confab_store_column_text (stmt, 0)))
        continue;
      hit.id = g_strdup (_confab_store_column_text (stmt, 0));
      g_array_append_val (hits, hit);
      g_hash_table_add (seen, hit.id);
    }
  sqlite3_finalize (stmt);

  return hits->len >= wanted || rc == SQLITE_DONE;
}

/* Adds the conversations with a message matching @query, by their newest such message, to
 * @hits, up to @wanted: FTS5 walks the doclist backwards and stops there. */
/* Adds the conversations with a message matching @query, by their newest such message, to
 * @hits, up to @wanted: FTS5 walks the doclist backwards and stops there. Only the branch
 * shown counts: a message of a conversation not yet in the page is looked for walking up
 * from the last message shown to the message's depth (position). */
static gboolean
add_message_hits (sqlite3     *db,
                  const char  *query,
                  GArray      *hits,
                  GHashTable  *seen,
                  guint        wanted)
{
  sqlite3_stmt *stmt = NULL;
  sqlite3_stmt *owner = NULL;
  sqlite3_stmt *shown = NULL;
  gboolean ok = FALSE;
  int rc = SQLITE_DONE;

  if (sqlite3_prepare_v2 (db, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 ORDER BY rowid DESC",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT conversation_id FROM messages WHERE seq = ?1", -1, &owner, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "WITH RECURSIVE hit AS (SELECT id, conversation_id, position FROM messages"
                              "  WHERE seq = ?1),"
                              " up (id, parent_id, position) AS (SELECT m.id, m.parent_id, m.position"
                              "  FROM hit JOIN conversations c ON c.id = hit.conversation_id"
                              "  JOIN messages m ON m.id = c.shown_leaf"
                              "  UNION ALL SELECT p.id, p.parent_id, p.position FROM up JOIN messages p"
                              "  ON p.id = up.parent_id WHERE up.position > (SELECT position FROM hit))"
                              " SELECT 1 FROM hit WHERE hit.id IN (SELECT id FROM up)"
                              "  OR NOT EXISTS (SELECT 1 FROM conversations c"
                              "   WHERE c.id = hit.conversation_id AND c.shown_leaf IS NOT NULL)",
                          -1, &shown, NULL) == SQLITE_OK)
    {
      _confab_store_bind_text (stmt, 1, query);
      while (hits->len < wanted && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 rowid = sqlite3_column_int64 (stmt, 0);
          gboolean on_branch;

          sqlite3_reset (owner);
          sqlite3_bind_int64 (owner, 1, rowid);
          if (sqlite3_step (owner) != SQLITE_ROW ||
              g_hash_table_contains (seen, _confab_store_column_text (owner, 0)))
            continue;

          sqlite3_reset (shown);
          sqlite3_bind_int64 (shown, 1, rowid);
          on_branch = sqlite3_step (shown) == SQLITE_ROW;
          if (on_branch)
            {
              Hit hit = { g_strdup (_confab_store_column_text (owner, 0)), rowid, query };

              g_array_append_val (hits, hit);
              g_hash_table_add (seen, hit.id);
            }
        }
      ok = hits->len >= wanted || rc == SQLITE_DONE;
    }
  sqlite3_finalize (stmt);
  sqlite3_finalize (owner);
  sqlite3_finalize (shown);

  return ok;
}

/* One page of hits for @text on @db. Whole words are looked up before the last word as a
 * prefix: FTS5 merges the doclists of every term a prefix matches before it can walk them,
 * so "the*" (the, then, there, thread …) costs as much as every hit of all of them, while
 * "the" alone stops after a page. (transfer full) */
static GListModel *
search_page (sqlite3       *db,
             const char    *path,
             const char    *text,
             guint          offset,
             guint          limit,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GListStore) list = g_list_store_new (CONFAB_TYPE_STORE_SUMMARY);
  g_autoptr(GArray) hits = g_array_new (FALSE, TRUE, sizeof (Hit));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *words = NULL;
  g_autofree char *prefix = NULL;
  guint wanted = limit > G_MAXUINT - offset ? G_MAXUINT : offset + limit;
  gboolean ok = TRUE;

  g_array_set_clear_func (hits, hit_clear);

  if (text == NULL || (words = make_fts_query (text, FALSE)) == NULL || limit == 0)
    return G_LIST_MODEL (g_steal_pointer (&list));
  prefix = make_fts_query (text, TRUE);

  if (cancellable != NULL)
    sqlite3_progress_handler (db, 1000, progress_cb, cancellable);

  ok = add_title_hits (db, words, hits, seen, wanted) &&
       (prefix == NULL || add_title_hits (db, prefix, hits, seen, wanted)) &&
       add_message_hits (db, words, hits, seen, wanted) &&
       (prefix == NULL || add_message_hits (db, prefix, hits, seen, wanted));

  for (guint i = offset; ok && i < hits->len; i++)
    {
      g_autoptr(ConfabStoreSummary) summary = summary_for_hit (db, &g_array_index (hits, Hit, i));

      if (g_cancellable_is_cancelled (cancellable))
        ok = FALSE;
      else if (summary != NULL)
        g_list_store_append (list, summary);
    }

  if (!ok)
    set_search_error (db, path, cancellable, error);
  sqlite3_progress_handler (db, 0, NULL, NULL);

  if (!ok)
    return NULL;

  return G_LIST_MODEL (g_steal_pointer (&list));
}

GListModel *
confab_store_search (ConfabStore  *self,
                     const char   *text,
                     GError      **error)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  _confab_store_sync (self);

  return search_page (self->db, self->path, text, 0, G_MAXUINT, NULL, error);
}

/* ------------------------------------------------------------------------------------------
 * In a worker thread
 * ------------------------------------------------------------------------------------------ */

typedef struct
{
  char  *text;
  guint  offset;
  guint  limit;
} SearchData;

static void
search_data_free (gpointer data)
{
  SearchData *search = data;

  g_free (search->text);
  g_free (search);
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ConfabStore *self = source_object;
  SearchData *search = task_data;
  GListModel *page;
  GError *error = NULL;

  /* What this process handed to the writer is searched too. */
  _confab_store_sync (self);

  /* One search at a time on the search connection: a newer one waits for the older to see
   * its cancellation (within a thousand SQLite steps). */
  g_mutex_lock (&self->search_lock);

  if (g_task_return_error_if_cancelled (task))
    {
      g_mutex_unlock (&self->search_lock);
      return;
    }

  if (self->search_db == NULL)
    {
      if (sqlite3_open_v2 (self->path, &self->search_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                           NULL) != SQLITE_OK)
        {
          g_set_error (&error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                       _("Could not search the conversation database %s: %s"), self->path,
                       sqlite3_errmsg (self->search_db));
          g_clear_pointer (&self->search_db, sqlite3_close_v2);
          g_mutex_unlock (&self->search_lock);
          g_task_return_error (task, error);
          return;
        }
      sqlite3_busy_timeout (self->search_db, 5000);
      sqlite3_exec (self->search_db, "PRAGMA mmap_size = 268435456", NULL, NULL, NULL);
    }

  page = search_page (self->search_db, self->path, search->text, search->offset, search->limit,
                      cancellable, &error);
  g_mutex_unlock (&self->search_lock);

  if (page == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, page, g_object_unref);
}

void
confab_store_search_async (ConfabStore         *self,
                           const char          *text,
                           guint                offset,
                           guint                limit,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchData *search;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (text != NULL);

  search = g_new0 (SearchData, 1);
  search->text = g_strdup (text);
  search->offset = offset;
  search->limit = limit;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_store_search_async);
  g_task_set_task_data (task, search, search_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, search_thread);
}

GListModel *
confab_store_search_finish (ConfabStore   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
