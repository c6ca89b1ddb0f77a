/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_INSPECTOR_DIALOG (confab_inspector_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ConfabInspectorDialog, confab_inspector_dialog, CONFAB, INSPECTOR_DIALOG, AdwWindow)

/* Shows the exact request JSON (pretty-printed), the raw SSE received and the HTTP
 * exchange (URL, method, status, headers, timings; secrets redacted) for @message, each
 * copyable. */
GtkWidget  *confab_inspector_dialog_new              (GtkWindow             *parent,
                                                      ConfabMessage         *message);
/* The text shown on each page. (transfer full) */
char       *confab_inspector_dialog_dup_request_text  (ConfabInspectorDialog *self);
char       *confab_inspector_dialog_dup_response_text (ConfabInspectorDialog *self);
/* URL, method, status, headers and timings; secrets redacted. (transfer full) */
char       *confab_inspector_dialog_dup_exchange_text (ConfabInspectorDialog *self);

/* Gives the dialog the conversation @message is in: the Changes page then compares its
 * request with the previous one, and the turn menu (timeline, save as recording) works. */
void        confab_inspector_dialog_set_conversation (ConfabInspectorDialog *self,
                                                      ConfabConversation    *conversation);
/* The ConfabRequestDiffView of the Changes page. (transfer none) */
GtkWidget  *confab_inspector_dialog_get_diff_view     (ConfabInspectorDialog *self);

G_END_DECLS
