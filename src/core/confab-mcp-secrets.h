/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* The "header" attribute under which a server's pre-registered OAuth client secret is kept
 * ("oauth": {"clientSecret": {"secret": true}} in mcp.json); no HTTP header has a space in
 * its name, so it is never a header's. */
#define CONFAB_MCP_SECRET_OAUTH_CLIENT "OAuth client secret"

/* The values of a remote MCP server's secret headers ("Authorization: Bearer …"), kept in
 * the user's keyring under the schema "io.github.confab.Confab.McpHeader" with the
 * attributes "server" and "header"; mcp.json only says {"secret": true}. Never logged. */
const SecretSchema *confab_mcp_secrets_get_schema   (void) G_GNUC_CONST;
/* Stores (or replaces) the value; an empty or NULL @value clears it. */
void                confab_mcp_secrets_store_async  (const char          *server,
                                                     const char          *header,
                                                     const char          *value,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean            confab_mcp_secrets_store_finish (GAsyncResult        *result,
                                                     GError             **error);
/* The value; NULL without an error when there is none. Free it with confab_secrets_free().
 * (transfer full) */
void                confab_mcp_secrets_lookup_async (const char          *server,
                                                     const char          *header,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char               *confab_mcp_secrets_lookup_finish (GAsyncResult       *result,
                                                      GError            **error);

G_END_DECLS
