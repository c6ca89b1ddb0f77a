/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-session.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_PROMPTS (confab_mcp_prompts_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMcpPrompts, confab_mcp_prompts, CONFAB, MCP_PROMPTS, GtkWidget)

/* The composer's prompts from MCP servers: typing "/" at the start of the message (or the
 * button) opens a menu of the running servers' prompts, filtered by what follows the "/"
 * (rows named "prompt-NAME"). A prompt with arguments asks for them in a small form
 * (entries "prompt_arg-NAME", required ones checked before "prompt_insert_button"); its
 * text (prompts/get) then replaces the message being written. */
GtkWidget *confab_mcp_prompts_new   (ConfabSession    *session,
                                     GtkTextView      *text_view);
void       confab_mcp_prompts_popup (ConfabMcpPrompts *self);

G_END_DECLS
