/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-approval-decision.h"
#include "confab-types.h"

G_BEGIN_DECLS

/* The tool decision log (table tool_decisions): every approval and elicitation answer,
 * kept when its conversation is deleted. Written and read on the calling thread: a few
 * rows per tool call. */

/* Appends @decision. */
gboolean    confab_store_log_decision   (ConfabStore             *self,
                                         ConfabApprovalDecision  *decision,
                                         GError                 **error);
/* The decisions about @conversation_id (NULL: all), newest first, at most @limit (0: all).
 * (transfer full) (element-type ConfabApprovalDecision) */
GListModel *confab_store_list_decisions (ConfabStore             *self,
                                         const char              *conversation_id,
                                         guint                    limit,
                                         GError                 **error);

G_END_DECLS
