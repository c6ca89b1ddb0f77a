/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_APPROVAL_DECISION (confab_approval_decision_get_type ())

G_DECLARE_FINAL_TYPE (ConfabApprovalDecision, confab_approval_decision, CONFAB, APPROVAL_DECISION, GObject)

/* One decision about a tool server, as the store logs it (table tool_decisions):
 *   kind "approval":    decision "allow-once", "allow-chat", "allow-always", "deny",
 *                       or without asking "auto-always", "auto-chat", "auto-yes";
 *                       "cancelled" when the turn stopped while it waited
 *   kind "elicitation": decision "accept", "decline", "cancel" (detail: the server's message)
 * @conversation_id may be NULL (a call outside a chat). */
ConfabApprovalDecision *confab_approval_decision_new        (const char             *conversation_id,
                                                             const char             *server,
                                                             const char             *tool,
                                                             const char             *kind,
                                                             const char             *decision,
                                                             const char             *detail);
/* The same with @recorded_at (microseconds since the epoch), as loaded. */
ConfabApprovalDecision *confab_approval_decision_new_full   (gint64                  recorded_at,
                                                             const char             *conversation_id,
                                                             const char             *server,
                                                             const char             *tool,
                                                             const char             *kind,
                                                             const char             *decision,
                                                             const char             *detail);
gint64                  confab_approval_decision_get_recorded_at     (ConfabApprovalDecision *self);
const char             *confab_approval_decision_get_conversation_id (ConfabApprovalDecision *self);
const char             *confab_approval_decision_get_server          (ConfabApprovalDecision *self);
const char             *confab_approval_decision_get_tool            (ConfabApprovalDecision *self);
const char             *confab_approval_decision_get_kind            (ConfabApprovalDecision *self);
const char             *confab_approval_decision_get_decision        (ConfabApprovalDecision *self);
const char             *confab_approval_decision_get_detail          (ConfabApprovalDecision *self);
/* The decision in words ("Allowed for this chat", "Declined"). (transfer none) */
const char             *confab_approval_decision_describe            (ConfabApprovalDecision *self);

G_END_DECLS
