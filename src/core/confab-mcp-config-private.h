/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "confab-mcp-config.h"

G_BEGIN_DECLS

/* confab-mcp-config-oauth.c: a remote server's "oauth" member, a pre-registered client:
 *   "oauth": {"clientId": "…", "clientSecret": {"secret": true}}
 * The secret lives in the keyring (CONFAB_MCP_SECRET_OAUTH_CLIENT), never in the file: a
 * string there is an error. Other members of "oauth" survive a save. */
gboolean _confab_mcp_config_read_oauth  (JsonObject                  *entry,
                                         ConfabMcpServerConfig       *config,
                                         const char                  *path,
                                         GError                     **error);
void     _confab_mcp_config_write_oauth (JsonObject                  *entry,
                                         const ConfabMcpServerConfig *config);

G_END_DECLS
