/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-mcp-elicitation.h"
#include "confab-tool-registry.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ELICITATION_DIALOG (confab_elicitation_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ConfabElicitationDialog, confab_elicitation_dialog, CONFAB, ELICITATION_DIALOG, AdwWindow)

/* A form built from an MCP server's elicitation/create (its flat JSON schema: string,
 * number, integer, boolean, enum, multiple-choice enum), naming the server that asks,
 * with Accept, Decline and Cancel. Accept checks the values against the schema first
 * (required fields, lengths, number ranges); closing the window cancels. */
GtkWidget *confab_elicitation_dialog_new             (ConfabMcpElicitation *elicitation);
ConfabMcpElicitation *confab_elicitation_dialog_get_elicitation (ConfabElicitationDialog *self);

/* Answers ::elicit of every server of @registry with a dialog transient for @parent
 * (connections live as long as @parent). */
void       confab_elicitation_dialog_watch_registry  (ConfabToolRegistry   *registry,
                                                      GtkWindow            *parent);

G_END_DECLS
