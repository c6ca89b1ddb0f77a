/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-tool-call.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TOOL_PROGRESS (confab_tool_progress_get_type ())

G_DECLARE_FINAL_TYPE (ConfabToolProgress, confab_tool_progress, CONFAB, TOOL_PROGRESS, GtkWidget)

/* The progress a running tool call's server reports (notifications/progress): a bar filled
 * to progress/total when the total is known, else a pulsing bar; the server's message
 * beside it. Hidden unless the call runs and progress was reported. Children are named
 * "progress_bar" and "progress_label". */
GtkWidget      *confab_tool_progress_new      (void);
void            confab_tool_progress_set_call (ConfabToolProgress *self,
                                               ConfabToolCall     *call);

G_END_DECLS
