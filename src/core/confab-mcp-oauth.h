/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_OAUTH (confab_mcp_oauth_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMcpOAuth, confab_mcp_oauth, CONFAB, MCP_OAUTH, GObject)

/* OAuth 2.1 authorization for one remote MCP server (MCP 2025-11-25 "Authorization"): when
 * the server answers 401 (or 403 insufficient_scope), its protected resource metadata
 * (RFC 9728) names the authorization server, whose metadata (RFC 8414 or OpenID discovery)
 * gives the endpoints; Confab registers itself (RFC 7591, or a client ID metadata document
 * URL, or a pre-registered client), sends the user's browser to the authorization endpoint
 * with PKCE (S256), state and the resource (RFC 8707), receives the redirect on
 * http://127.0.0.1:PORT/callback (a SoupServer listening only for that), exchanges the code
 * at the token endpoint and sends the token as "Authorization: Bearer". Tokens are refreshed
 * when they expire, and live in the user's keyring (schema
 * "io.github.confab.Confab.McpOAuth", attribute "server-url"), never in files or logs.
 *
 * Property "needs-sign-in" (notify): a request was refused for want of authorization and no
 * open function was set to ask the user; set one and start the server again to sign in. */

/* Opens @uri (the authorization endpoint) in the user's browser for the server @server_name.
 * The redirect comes back to Confab on its own; the function just shows the page. */
typedef void (*ConfabMcpOAuthOpenFunc) (const char *server_name,
                                        const char *uri,
                                        gpointer    user_data);

/* @server_url: the MCP endpoint, the resource the tokens are for. */
ConfabMcpOAuth *confab_mcp_oauth_new                     (const char             *server_name,
                                                          const char             *server_url);
const char     *confab_mcp_oauth_get_server_url          (ConfabMcpOAuth         *self);
/* With an open function, a request the server refuses starts the sign-in at once; without
 * one it fails with CONFAB_ERROR_AUTHORIZATION and needs-sign-in turns TRUE. */
void            confab_mcp_oauth_set_open_func           (ConfabMcpOAuth         *self,
                                                          ConfabMcpOAuthOpenFunc  func,
                                                          gpointer                user_data,
                                                          GDestroyNotify          destroy);
gboolean        confab_mcp_oauth_get_needs_sign_in       (ConfabMcpOAuth         *self);
/* A client registered with the authorization server beforehand (no dynamic registration).
 * @client_secret may be NULL (a public client). */
void            confab_mcp_oauth_set_client              (ConfabMcpOAuth         *self,
                                                          const char             *client_id,
                                                          const char             *client_secret);
/* An https URL of Confab's client ID metadata document, used as client_id where the
 * authorization server supports them (client_id_metadata_document_supported). */
void            confab_mcp_oauth_set_client_metadata_url (ConfabMcpOAuth         *self,
                                                          const char             *url);
/* FALSE: tokens only in memory, for this object's life (a headless test client). */
void            confab_mcp_oauth_set_use_keyring         (ConfabMcpOAuth         *self,
                                                          gboolean                use_keyring);
/* Whether a token is held: in memory, else in the keyring (what a Sign Out would forget);
 * the keyring's item is only looked for, not read, so a locked keyring does not ask. */
void            confab_mcp_oauth_has_token_async         (ConfabMcpOAuth         *self,
                                                          GCancellable           *cancellable,
                                                          GAsyncReadyCallback     callback,
                                                          gpointer                user_data);
gboolean        confab_mcp_oauth_has_token_finish        (ConfabMcpOAuth         *self,
                                                          GAsyncResult           *result,
                                                          GError                **error);
/* Forgets the token (memory and keyring). */
void            confab_mcp_oauth_sign_out_async          (ConfabMcpOAuth         *self,
                                                          GCancellable           *cancellable,
                                                          GAsyncReadyCallback     callback,
                                                          gpointer                user_data);
gboolean        confab_mcp_oauth_sign_out_finish         (ConfabMcpOAuth         *self,
                                                          GAsyncResult           *result,
                                                          GError                **error);

G_END_DECLS
