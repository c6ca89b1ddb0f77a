/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-store-decisions.h"
#include "confab-store-private.h"

gboolean
confab_store_log_decision (ConfabStore             *self,
                           ConfabApprovalDecision  *decision,
                           GError                 **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_APPROVAL_DECISION (decision), FALSE);

  _confab_store_sync (self);

  stmt = _confab_store_prepare (self,
                                "INSERT INTO tool_decisions (recorded_at, conversation_id, server,"
                                " tool, kind, decision, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, confab_approval_decision_get_recorded_at (decision));
  _confab_store_bind_text (stmt, 2, confab_approval_decision_get_conversation_id (decision));
  _confab_store_bind_text (stmt, 3, confab_approval_decision_get_server (decision));
  _confab_store_bind_text (stmt, 4, confab_approval_decision_get_tool (decision));
  _confab_store_bind_text (stmt, 5, confab_approval_decision_get_kind (decision));
  _confab_store_bind_text (stmt, 6, confab_approval_decision_get_decision (decision));
  _confab_store_bind_text (stmt, 7, confab_approval_decision_get_detail (decision));

  return _confab_store_step_done (self, stmt, error);
}

GListModel *
confab_store_list_decisions (ConfabStore  *self,
                             const char   *conversation_id,
                             guint         limit,
                             GError      **error)
{
  g_autoptr(GListStore) decisions = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  _confab_store_sync (self);

  stmt = _confab_store_prepare (self,
                                "SELECT recorded_at, conversation_id, server, tool, kind, decision, detail"
                                " FROM tool_decisions WHERE ?1 IS NULL OR conversation_id = ?1"
                                " ORDER BY seq DESC LIMIT ?2",
                                error);
  if (stmt == NULL)
    return NULL;

  _confab_store_bind_text (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64)limit : -1);

  decisions = g_list_store_new (CONFAB_TYPE_APPROVAL_DECISION);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ConfabApprovalDecision) decision =
        confab_approval_decision_new_full (sqlite3_column_int64 (stmt, 0),
                                           _confab_store_column_text (stmt, 1),
                                           _confab_store_column_text (stmt, 2),
                                           _confab_store_column_text (stmt, 3),
                                           _confab_store_column_text (stmt, 4),
                                           _confab_store_column_text (stmt, 5),
                                           _confab_store_column_text (stmt, 6));
      g_list_store_append (decisions, decision);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_sqlite_error (self, error, "read");
      return NULL;
    }

  return G_LIST_MODEL (g_steal_pointer (&decisions));
}
