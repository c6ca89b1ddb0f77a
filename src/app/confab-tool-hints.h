/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-tool-call.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TOOL_HINTS (confab_tool_hints_get_type ())

G_DECLARE_FINAL_TYPE (ConfabToolHints, confab_tool_hints, CONFAB, TOOL_HINTS, GtkWidget)

/* What the server says about a tool awaiting approval (its annotations readOnlyHint,
 * destructiveHint, openWorldHint), worded as the server's claims — Confab cannot check
 * them — and naming the server. Hidden unless the call awaits approval and the server said
 * something. Children: "hint_read_only", "hint_destructive", "hint_open_world",
 * "hints_source". */
GtkWidget *confab_tool_hints_new      (void);
void       confab_tool_hints_set_call (ConfabToolHints *self,
                                       ConfabToolCall  *call);

G_END_DECLS
