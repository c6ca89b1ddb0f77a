/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-mcp-config.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_OAUTH_CLIENT_ROW (confab_mcp_oauth_client_row_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMcpOAuthClientRow, confab_mcp_oauth_client_row, CONFAB, MCP_OAUTH_CLIENT_ROW, AdwExpanderRow)

/* A remote MCP server's pre-registered OAuth client in Preferences: its ID (in mcp.json,
 * "oauth": {"clientId"}) and its secret (in the keyring, like a secret header; the file only
 * says {"secret": true}). No ID: dynamic registration, and no secret can be set. Edits are
 * saved at once through the server's ConfabMcpConfig, then the row fires "prefs.mcp-saved"
 * (b: FALSE); they take effect at the next sign-in. The secret never comes back out of the
 * keyring into the window: the row only says whether it is there. */

/* Edits go to the entry @name of @config. */
void confab_mcp_oauth_client_row_bind (ConfabMcpOAuthClientRow     *self,
                                       ConfabMcpConfig             *config,
                                       const char                  *name);
/* Shows @entry's client; whether the keyring holds its secret is looked up when the row
 * is on screen. */
void confab_mcp_oauth_client_row_show (ConfabMcpOAuthClientRow     *self,
                                       const ConfabMcpServerConfig *entry);

G_END_DECLS
