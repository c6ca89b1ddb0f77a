/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_APPROVAL_POLICY (confab_approval_policy_get_type ())

G_DECLARE_FINAL_TYPE (ConfabApprovalPolicy, confab_approval_policy, CONFAB, APPROVAL_POLICY, GObject)

/* Which tool calls may run without asking: "always allow" per server+tool, remembered in
 * @path (NULL: in memory only) as {"always": {"SERVER": ["TOOL", …]}}; "allow for this chat"
 * per chat+server+tool, in memory for as long as this policy lives; and --yes for a whole
 * run (allow-all, never saved). Signal ::changed when an "always" or a "for this chat" is
 * added or forgotten; ::decided (ConfabApprovalDecision *) when a decision is recorded,
 * which also goes to the store's decision log when a store is set. */
ConfabApprovalPolicy *confab_approval_policy_new          (const char           *path);
/* $XDG_CONFIG_HOME/confab/approvals.json (transfer full) */
char                 *confab_approval_policy_get_default_path (void);
gboolean              confab_approval_policy_get_allow_all (ConfabApprovalPolicy *self);
void                  confab_approval_policy_set_allow_all (ConfabApprovalPolicy *self,
                                                            gboolean              allow_all);
gboolean              confab_approval_policy_is_allowed   (ConfabApprovalPolicy *self,
                                                           const char           *server,
                                                           const char           *tool);
/* Remembers "always allow" and saves it. */
void                  confab_approval_policy_allow_always (ConfabApprovalPolicy *self,
                                                           const char           *server,
                                                           const char           *tool);
void                  confab_approval_policy_forget       (ConfabApprovalPolicy *self,
                                                           const char           *server,
                                                           const char           *tool);
/* Why a call of @tool may run without asking in @chat_id (NULL: outside a chat): "yes"
 * (--yes), "always", "chat", or NULL: ask. */
const char           *confab_approval_policy_get_standing (ConfabApprovalPolicy *self,
                                                           const char           *chat_id,
                                                           const char           *server,
                                                           const char           *tool);
/* Remembers "allow for this chat" (never saved; another chat still asks). */
void                  confab_approval_policy_allow_for_chat (ConfabApprovalPolicy *self,
                                                             const char           *chat_id,
                                                             const char           *server,
                                                             const char           *tool);
/* Where decisions are logged (NULL: nowhere). */
void                  confab_approval_policy_set_store    (ConfabApprovalPolicy *self,
                                                           ConfabStore          *store);
/* Records a decision (see ConfabApprovalDecision for @kind and @decision): emits
 * ::decided and appends it to the store's log. */
void                  confab_approval_policy_record       (ConfabApprovalPolicy *self,
                                                           const char           *chat_id,
                                                           const char           *server,
                                                           const char           *tool,
                                                           const char           *kind,
                                                           const char           *decision,
                                                           const char           *detail);

G_END_DECLS
