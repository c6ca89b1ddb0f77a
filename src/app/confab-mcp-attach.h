/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-session.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_ATTACH (confab_mcp_attach_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMcpAttach, confab_mcp_attach, CONFAB, MCP_ATTACH, GtkWidget)

/* The composer's "Attach a resource" button: its popover lists the resources of the
 * session's running MCP servers (rows named "resource-N"); choosing one reads it and puts
 * its text into @text_view, under a line naming it and its server, so that it goes to the
 * model with the message (and the user sees it first). Errors show in the popover.
 * Resource templates are listed too (rows "template-N"): choosing one shows a small form
 * with an entry per variable ("var-NAME") and "template_read", which fills the template in
 * and reads it. An attached resource is subscribed to (resources/subscribe) until the
 * message is sent: an update replaces its text in the message. */
GtkWidget *confab_mcp_attach_new (ConfabSession *session,
                                  GtkTextView   *text_view);
/* Opens the popover and lists the resources anew. */
void       confab_mcp_attach_popup (ConfabMcpAttach *self);

G_END_DECLS
