/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TOOL_RERUN_DIALOG (confab_tool_rerun_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ConfabToolRerunDialog, confab_tool_rerun_dialog, CONFAB, TOOL_RERUN_DIALOG, AdwWindow)

/* "Run Again…" for a finished tool call: its arguments in an editor, checked against the
 * tool's input schema as they are typed; Run sends a new call through @tools with
 * @approvals (asking for approval as usual, on the new call's card) and shows its result
 * beside the previous one. The conversation is not changed (the new call belongs to no
 * message) unless "Use This Result and Continue" emits ::use-result (the call, the re-run)
 * for the dialog's maker to branch the conversation with. */
GtkWidget      *confab_tool_rerun_dialog_new                  (GtkWindow             *parent,
                                                               ConfabToolCall        *call,
                                                               ConfabToolRegistry    *tools,
                                                               ConfabApprovalPolicy  *approvals);
/* Replaces the text in the editor. */
void            confab_tool_rerun_dialog_set_arguments        (ConfabToolRerunDialog *self,
                                                               const char            *arguments);
/* Why the arguments cannot be sent (not JSON, against the schema), or NULL. */
const char     *confab_tool_rerun_dialog_get_problem          (ConfabToolRerunDialog *self);
/* The latest re-run, NULL before the first. (transfer none) */
ConfabToolCall *confab_tool_rerun_dialog_get_new_call         (ConfabToolRerunDialog *self);
/* TRUE while a re-run is in flight (waiting for approval or running). */
gboolean        confab_tool_rerun_dialog_get_running          (ConfabToolRerunDialog *self);

G_END_DECLS
