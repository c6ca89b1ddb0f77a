/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* confab-cli mcp …: the tool servers of mcp.json from the terminal.
 *
 *   confab-cli mcp servers [--json]                   the configured servers
 *   confab-cli mcp tools SERVER
 *   confab-cli mcp resources SERVER [--json]          resources and resource templates
 *   confab-cli mcp read SERVER URI [NAME=VALUE…]      a resource's text; a URI template
 *                                                     is filled in with the NAME=VALUEs
 *   confab-cli mcp prompts SERVER [--json]
 *   confab-cli mcp prompt SERVER NAME [NAME=VALUE…]   a prompt's text, its arguments given
 *   confab-cli mcp decisions [CHAT_ID] [--json]       the tool decision log, newest first
 *   confab-cli mcp sign-out SERVER                    forgets a remote server's OAuth sign-in
 *
 * SERVER is a name in mcp.json (also a disabled one), or a command line or URL as --mcp
 * takes. @argv[0] is "mcp". Returns the exit status. */
int confab_cli_mcp_command (int    argc,
                            char **argv);

G_END_DECLS
