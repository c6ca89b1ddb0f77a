/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_APPROVAL_LOG_DIALOG (confab_approval_log_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ConfabApprovalLogDialog, confab_approval_log_dialog, CONFAB, APPROVAL_LOG_DIALOG, AdwWindow)

/* "Tool Decisions": the store's log of approvals and answers to servers' questions, for
 * @conversation_id (NULL: every chat), newest first; the "All Chats" toggle widens it. */
GtkWidget *confab_approval_log_dialog_new (GtkWindow   *parent,
                                           ConfabStore *store,
                                           const char  *conversation_id);

G_END_DECLS
