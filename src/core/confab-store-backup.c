/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "confab-error.h"
#include "confab-store-backup.h"
#include "confab-store-private.h"

#define PREFIX "confab-"
#define SUFFIX ".db"
/* Pages copied per backup step: the source is locked only for a step at a time. */
#define PAGES_PER_STEP 1024

char *
confab_store_backup_dir (const char *db_path)
{
  g_autofree char *dir = g_path_get_dirname (db_path);

  return g_build_filename (dir, "backups", NULL);
}

static gboolean
is_backup_name (const char *name)
{
  return g_str_has_prefix (name, PREFIX) && g_str_has_suffix (name, SUFFIX) &&
         strlen (name) == strlen (PREFIX "YYYYMMDD-HHMMSS" SUFFIX);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  return -g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
confab_store_list_backups (const char *db_path)
{
  g_autofree char *dir_path = confab_store_backup_dir (db_path);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *backups = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (is_backup_name (name))
      g_ptr_array_add (backups, g_build_filename (dir_path, name, NULL));

  g_ptr_array_sort (backups, compare_newest_first);

  return backups;
}

static gboolean
set_sqlite_error (sqlite3    *db,
                  int         rc,
                  const char *what,
                  const char *path,
                  GError    **error)
{
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
               /* TRANSLATORS: "Could not back up /path/confab.db: disk I/O error" */
               _("Could not %s %s: %s"), what, path,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

/* Copies @from (database "main" of @src) into @dst, a step at a time. */
static gboolean
copy_database (sqlite3      *src,
               sqlite3      *dst,
               const char   *what,
               const char   *path,
               GCancellable *cancellable,
               GError      **error)
{
  sqlite3_backup *backup = sqlite3_backup_init (dst, "main", src, "main");
  int rc;

  if (backup == NULL)
    return set_sqlite_error (dst, 0, what, path, error);

  do
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          sqlite3_backup_finish (backup);
          return FALSE;
        }
      rc = sqlite3_backup_step (backup, PAGES_PER_STEP);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        sqlite3_sleep (10);
    }
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);

  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (dst, rc, what, path, error);

  return TRUE;
}

gboolean
confab_store_backup_to (const char    *db_path,
                        const char    *dest,
                        GCancellable  *cancellable,
                        GError       **error)
{
  sqlite3 *src = NULL;
  sqlite3 *dst = NULL;
  g_autofree char *part = NULL;
  gboolean ok;

  g_return_val_if_fail (db_path != NULL && dest != NULL, FALSE);

  /* Written under another name and renamed when complete: a backup that is listed is whole. */
  part = g_strconcat (dest, ".part", NULL);
  g_unlink (part);

  if (g_file_test (dest, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%s exists already"), dest);
      return FALSE;
    }

  if (sqlite3_open_v2 (db_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      set_sqlite_error (src, 0, _("back up"), db_path, error);
      sqlite3_close_v2 (src);
      return FALSE;
    }
  sqlite3_busy_timeout (src, 5000);
  if (sqlite3_open_v2 (part, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      set_sqlite_error (dst, 0, _("write"), dest, error);
      sqlite3_close_v2 (src);
      sqlite3_close_v2 (dst);
      return FALSE;
    }

  ok = copy_database (src, dst, _("back up"), db_path, cancellable, error);
  /* One self-contained file: no WAL next to the backup. */
  if (ok)
    sqlite3_exec (dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  sqlite3_close_v2 (src);
  sqlite3_close_v2 (dst);

  if (ok && g_rename (part, dest) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), dest, g_strerror (errsv));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (part);

  return ok;
}

static char *
timestamp_at (int seconds_later)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, seconds_later);

  return g_date_time_format (then, "%Y%m%d-%H%M%S");
}

static char *
timestamp (void)
{
  return timestamp_at (0);
}

char *
confab_store_backup_now (const char    *db_path,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autofree char *dir = confab_store_backup_dir (db_path);
  g_autofree char *dest = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create the folder %s: %s"), dir, g_strerror (errsv));
      return NULL;
    }

  /* Two in the same second (a restore right after the daily one): the next free second,
   * so that names still sort by age and no backup is replaced. */
  for (int later = 0; dest == NULL || g_file_test (dest, G_FILE_TEST_EXISTS); later++)
    {
      g_autofree char *stamp = timestamp_at (later);
      g_autofree char *name = g_strconcat (PREFIX, stamp, SUFFIX, NULL);

      g_free (dest);
      dest = g_build_filename (dir, name, NULL);
    }

  if (!confab_store_backup_to (db_path, dest, cancellable, error))
    return NULL;

  return g_steal_pointer (&dest);
}

void
confab_store_rotate_backups (const char *db_path,
                             guint       keep,
                             guint64     max_bytes)
{
  g_autoptr(GPtrArray) backups = confab_store_list_backups (db_path);
  guint64 total = 0;

  for (guint i = 0; i < backups->len; i++)
    {
      const char *path = g_ptr_array_index (backups, i);
      GStatBuf st;

      if (g_stat (path, &st) != 0)
        continue;
      total += st.st_size;

      if (i > 0 && (i >= MAX (keep, 1) || total > max_bytes))
        {
          g_debug ("Removing old backup %s", path);
          g_unlink (path);
        }
    }
}

/* The time in the name of a backup, or NULL. */
static GDateTime *
backup_time (const char *path)
{
  g_autofree char *name = g_path_get_basename (path);
  int y, mo, d, h, mi, s;

  if (sscanf (name, PREFIX "%4d%2d%2d-%2d%2d%2d", &y, &mo, &d, &h, &mi, &s) != 6)
    return NULL;

  return g_date_time_new_utc (y, mo, d, h, mi, s);
}

typedef struct
{
  char    *db_path;
  guint    keep;
  guint64  max_bytes;
} DailyTask;

static void
daily_task_free (DailyTask *task)
{
  g_free (task->db_path);
  g_free (task);
}

static void
daily_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  DailyTask *data = task_data;
  g_autoptr(GPtrArray) backups = confab_store_list_backups (data->db_path);
  GError *error = NULL;
  char *made;

  if (backups->len > 0)
    {
      g_autoptr(GDateTime) newest = backup_time (g_ptr_array_index (backups, 0));
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      if (newest != NULL && g_date_time_difference (now, newest) < G_TIME_SPAN_DAY &&
          g_date_time_difference (now, newest) > -G_TIME_SPAN_HOUR)
        {
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
    }

  if ((made = confab_store_backup_now (data->db_path, cancellable, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  confab_store_rotate_backups (data->db_path, data->keep, data->max_bytes);
  g_task_return_pointer (task, made, g_free);
}

void
confab_store_daily_backup_async (const char          *db_path,
                                 guint                keep,
                                 guint64              max_bytes,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  DailyTask *data = g_new0 (DailyTask, 1);

  data->db_path = g_strdup (db_path);
  data->keep = keep;
  data->max_bytes = max_bytes;
  g_task_set_source_tag (task, confab_store_daily_backup_async);
  g_task_set_task_data (task, data, (GDestroyNotify) daily_task_free);
  g_task_run_in_thread (task, daily_thread);
}

char *
confab_store_daily_backup_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
confab_store_quick_check (const char  *db_path,
                          GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *problem = NULL;
  int rc;

  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE, _("The conversation database %s is missing."), db_path);
      return FALSE;
    }

  rc = sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 5000);
      rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL);
    }
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, 0);

          if (g_strcmp0 (text, "ok") != 0)
            problem = g_strdup (text ? text : "?");
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK && problem == NULL)
    problem = g_strdup (db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));

  sqlite3_finalize (stmt);
  sqlite3_close_v2 (db);

  if (problem != NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE,
                   _("The conversation database %s is damaged: %s"), db_path, problem);
      return FALSE;
    }

  return TRUE;
}

static void
quick_check_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;

  if (confab_store_quick_check (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
confab_store_quick_check_async (const char          *db_path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, confab_store_quick_check_async);
  g_task_set_task_data (task, g_strdup (db_path), g_free);
  g_task_run_in_thread (task, quick_check_thread);
}

gboolean
confab_store_quick_check_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
confab_store_find_good_backup (const char *db_path)
{
  g_autoptr(GPtrArray) backups = confab_store_list_backups (db_path);

  for (guint i = 0; i < backups->len; i++)
    if (confab_store_quick_check (g_ptr_array_index (backups, i), NULL))
      return g_strdup (g_ptr_array_index (backups, i));

  return NULL;
}

char *
confab_store_move_aside (const char  *db_path,
                         GError     **error)
{
  g_autofree char *stamp = timestamp ();
  g_autofree char *aside = g_strconcat (db_path, ".broken-", stamp, NULL);
  static const char * const companions[] = { "-wal", "-shm" };

  if (g_rename (db_path, aside) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not move %s aside: %s"), db_path, g_strerror (errsv));
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *from = g_strconcat (db_path, companions[i], NULL);
      g_autofree char *to = g_strconcat (aside, companions[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS))
        g_rename (from, to);
    }

  return g_steal_pointer (&aside);
}

gboolean
confab_store_restore_file (const char  *backup,
                           const char  *db_path,
                           GError     **error)
{
  return confab_store_backup_to (backup, db_path, NULL, error);
}

gboolean
confab_store_restore (ConfabStore  *store,
                      const char   *backup,
                      char        **previous_backup,
                      GError      **error)
{
  g_autofree char *previous = NULL;
  sqlite3 *src = NULL;
  gboolean ok;

  g_return_val_if_fail (CONFAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (backup != NULL, FALSE);

  if (!confab_store_quick_check (backup, error))
    return FALSE;

  /* What is pending first, then the current database is itself backed up. */
  if (!confab_store_flush (store, error))
    return FALSE;
  _confab_store_sync (store);
  if ((previous = confab_store_backup_now (store->path, NULL, error)) == NULL)
    return FALSE;

  if (sqlite3_open_v2 (backup, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      set_sqlite_error (src, 0, _("read"), backup, error);
      sqlite3_close_v2 (src);
      return FALSE;
    }
  /* Onto the store's own connection: the writer's and the searches' see the new pages. */
  ok = copy_database (src, store->db, _("restore"), backup, NULL, error);
  sqlite3_close_v2 (src);

  if (!ok)
    return FALSE;

  _confab_store_emit_changed (store);
  if (previous_backup != NULL)
    *previous_backup = g_steal_pointer (&previous);

  return TRUE;
}

/* The columns copied by _confab_store_merge_file(): every one but the tables' own seq. */
#define CONVERSATION_COLUMNS "id, title, system_prompt, provider_name, base_url, model, created_at, updated_at," \
                             " shown_leaf"
#define MESSAGE_COLUMNS "id, conversation_id, position, role, content, reasoning, tool_call_id, finish_reason," \
                        " state, error_domain, error_code, error_message, retry_after, model, created_at," \
                        " request_body, raw_response, raw_response_size, writer, parent_id, sibling"
#define TOOL_CALL_COLUMNS "message_id, idx, call_id, name, server, arguments, status, result, result_content," \
                          " error, status_times"
#define USAGE_COLUMNS "message_id, reported, prompt_tokens, completion_tokens, total_tokens, cached_tokens," \
                      " reasoning_tokens, has_cost, cost, time_to_first_token, duration"
#define NEW_CONVERSATIONS "(SELECT id FROM staging.conversations WHERE id NOT IN (SELECT id FROM main.conversations))"
#define NEW_MESSAGES "(SELECT id FROM staging.messages WHERE conversation_id IN " NEW_CONVERSATIONS ")"

gboolean
_confab_store_merge_file (const char  *db_path,
                          const char  *staging_path,
                          guint       *n_merged,
                          GError     **error)
{
  static const char * const statements[] = {
    "CREATE TEMP TABLE merged AS SELECT id FROM " NEW_CONVERSATIONS,
    "INSERT INTO main.conversations (" CONVERSATION_COLUMNS ") SELECT " CONVERSATION_COLUMNS
    "  FROM staging.conversations WHERE id IN (SELECT id FROM temp.merged) ORDER BY seq",
    "INSERT INTO main.messages (" MESSAGE_COLUMNS ") SELECT " MESSAGE_COLUMNS
    "  FROM staging.messages WHERE conversation_id IN (SELECT id FROM temp.merged) ORDER BY seq",
    "INSERT INTO main.tool_calls (" TOOL_CALL_COLUMNS ") SELECT " TOOL_CALL_COLUMNS
    "  FROM staging.tool_calls WHERE message_id IN (SELECT id FROM staging.messages"
    "    WHERE conversation_id IN (SELECT id FROM temp.merged))",
    "INSERT INTO main.usage (" USAGE_COLUMNS ") SELECT " USAGE_COLUMNS
    "  FROM staging.usage WHERE message_id IN (SELECT id FROM staging.messages"
    "    WHERE conversation_id IN (SELECT id FROM temp.merged))",
  };
  char *attach = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *count = NULL;
  gboolean ok = TRUE;

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      set_sqlite_error (db, 0, _("write"), db_path, error);
      sqlite3_close_v2 (db);
      return FALSE;
    }
  /* The app's writer waits for this one transaction; it waits for the app's. */
  sqlite3_busy_timeout (db, 30000);
  sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);

  attach = sqlite3_mprintf ("ATTACH DATABASE %Q AS staging", staging_path);
  if (sqlite3_exec (db, attach, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    ok = set_sqlite_error (db, 0, _("write"), db_path, error);
  sqlite3_free (attach);

  for (guint i = 0; ok && i < G_N_ELEMENTS (statements); i++)
    if (sqlite3_exec (db, statements[i], NULL, NULL, NULL) != SQLITE_OK)
      ok = set_sqlite_error (db, 0, _("write"), db_path, error);

  if (ok && n_merged != NULL &&
      sqlite3_prepare_v2 (db, "SELECT count (*) FROM temp.merged", -1, &count, NULL) == SQLITE_OK &&
      sqlite3_step (count) == SQLITE_ROW)
    *n_merged = sqlite3_column_int (count, 0);
  sqlite3_finalize (count);

  if (ok && sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    ok = set_sqlite_error (db, 0, _("write"), db_path, error);
  if (!ok)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);

  sqlite3_close_v2 (db);

  return ok;
}
