/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-tool-registry.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_SERVERS_PAGE (confab_mcp_servers_page_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMcpServersPage, confab_mcp_servers_page, CONFAB, MCP_SERVERS_PAGE, AdwPreferencesPage)

/* The "tools" page of ConfabPreferencesWindow: edits the servers of
 * $XDG_CONFIG_HOME/confab/mcp.json, checks them and shows their status and log.
 * Signal ::config-changed is emitted after mcp.json was written. */

/* The running servers whose state and log the page shows; NULL shows only the checks
 * the page runs itself. */
void confab_mcp_servers_page_set_tool_registry (ConfabMcpServersPage *self,
                                                ConfabToolRegistry   *registry);

G_END_DECLS
