/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-store-private.h"
#include "confab-usage-total.h"

/* ------------------------------------------------------------------------------------------
 * The usage ledger: one row per request made by this Confab (the writer thread adds it as the
 * request's usage is written), never deleted with its message, never filled by a save or an
 * import. Read here, on the calling thread: a few thousand rows a month at most.
 * ------------------------------------------------------------------------------------------ */

static GListModel *
read_totals (ConfabStore   *self,
             sqlite3_stmt  *stmt,
             GError       **error)
{
  g_autoptr(GListStore) totals = g_list_store_new (CONFAB_TYPE_USAGE_TOTAL);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ConfabUsageTotal) total = NULL;
      gint64 tokens[5];

      for (guint i = 0; i < 5; i++)
        tokens[i] = sqlite3_column_int64 (stmt, 2 + i);

      total = confab_usage_total_new ((const char *) sqlite3_column_text (stmt, 0),
                                      sqlite3_column_int (stmt, 1), tokens,
                                      sqlite3_column_int (stmt, 7),
                                      sqlite3_column_double (stmt, 8));
      g_list_store_append (totals, total);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_sqlite_error (self, error, "read");
      return NULL;
    }

  return G_LIST_MODEL (g_steal_pointer (&totals));
}

#define TOTALS_COLUMNS \
  " count (*), sum (prompt_tokens), sum (completion_tokens), sum (total_tokens)," \
  " sum (cached_tokens), sum (reasoning_tokens), sum (has_cost), sum (cost)"

GListModel *
confab_store_usage_totals (ConfabStore          *self,
                           ConfabUsageGrouping   grouping,
                           GError              **error)
{
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  switch (grouping)
    {
    case CONFAB_USAGE_BY_PROVIDER:
      stmt = _confab_store_prepare (self,
                                    "SELECT COALESCE (provider_name, base_url, ''), " TOTALS_COLUMNS
                                    " FROM usage_ledger GROUP BY 1 ORDER BY 5 DESC, 1",
                                    error);
      break;
    case CONFAB_USAGE_BY_MODEL:
      stmt = _confab_store_prepare (self,
                                    "SELECT COALESCE (model, ''), " TOTALS_COLUMNS
                                    " FROM usage_ledger GROUP BY 1 ORDER BY 5 DESC, 1",
                                    error);
      break;
    case CONFAB_USAGE_BY_MONTH:
      stmt = _confab_store_prepare (self,
                                    "SELECT strftime ('%Y-%m', recorded_at / 1000000, 'unixepoch', 'localtime'), "
                                    TOTALS_COLUMNS
                                    " FROM usage_ledger GROUP BY 1 ORDER BY 1 DESC",
                                    error);
      break;
    default:
      g_return_val_if_reached (NULL);
    }

  if (stmt == NULL)
    return NULL;

  return read_totals (self, stmt, error);
}

ConfabUsageTotal *
confab_store_usage_for_month (ConfabStore  *self,
                              const char   *provider_name,
                              GDateTime    *when,
                              GError      **error)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(GListModel) totals = NULL;
  g_autofree char *month = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (provider_name != NULL, NULL);
  g_return_val_if_fail (when != NULL, NULL);

  local = g_date_time_to_local (when);
  start = g_date_time_new_local (g_date_time_get_year (local), g_date_time_get_month (local), 1, 0, 0, 0);
  end = g_date_time_add_months (start, 1);
  month = g_date_time_format (start, "%Y-%m");

  stmt = _confab_store_prepare (self,
                                "SELECT ?4, " TOTALS_COLUMNS
                                " FROM usage_ledger WHERE COALESCE (provider_name, base_url, '') = ?1"
                                " AND recorded_at >= ?2 AND recorded_at < ?3",
                                error);
  if (stmt == NULL)
    return NULL;

  _confab_store_bind_text (stmt, 1, provider_name);
  sqlite3_bind_int64 (stmt, 2, g_date_time_to_unix (start) * G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 3, g_date_time_to_unix (end) * G_USEC_PER_SEC);
  _confab_store_bind_text (stmt, 4, month);

  totals = read_totals (self, stmt, error);
  if (totals == NULL)
    return NULL;

  return g_list_model_get_item (totals, 0);
}
