/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-mcp-config.h"
#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_SERVER_ROW (confab_mcp_server_row_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMcpServerRow, confab_mcp_server_row, CONFAB, MCP_SERVER_ROW, AdwExpanderRow)

/* One server of mcp.json in Preferences: a local one (command, arguments, environment) or
 * a remote one (URL, headers, a secret header kept in the keyring, a pre-registered OAuth
 * client: ConfabMcpOAuthClientRow), its switch, Check (which
 * starts exactly what the registry would: confab_mcp_config_create_server()), status and
 * log. Edits go through @config and are saved at once; then the row fires
 * "prefs.mcp-saved" (b: whether the list must be rebuilt, after a rename or removal).
 * @running is the application's server of that name, if any. */
GtkWidget  *confab_mcp_server_row_new      (ConfabMcpConfig *config,
                                            const char      *name,
                                            ConfabMcpServer *running);
const char *confab_mcp_server_row_get_name (ConfabMcpServerRow *self);

G_END_DECLS
