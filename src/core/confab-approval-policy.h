/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_APPROVAL_POLICY (confab_approval_policy_get_type ())

G_DECLARE_FINAL_TYPE (ConfabApprovalPolicy, confab_approval_policy, CONFAB, APPROVAL_POLICY, GObject)

/* Which tool calls may run without asking: "always allow" per server+tool, remembered in
 * @path (NULL: in memory only) as {"always": {"SERVER": ["TOOL", …]}}, and --yes for a whole
 * run (allow-all, never saved). Signal ::changed when an "always" is added or forgotten. */
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

G_END_DECLS
