/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "confab-mcp-oauth.h"

G_BEGIN_DECLS

/* ConfabMcpOAuth lives in five files: confab-mcp-oauth.c (the object and what the transport
 * asks of it), confab-mcp-oauth-flow.c (discovery, registration, the browser, the code),
 * confab-mcp-oauth-token.c (the token endpoint: PKCE, client authentication, refresh),
 * confab-mcp-oauth-metadata.c (reading what servers send: challenges, metadata, token
 * answers) and confab-mcp-oauth-store.c (the keyring). */

/* What a sign-in gives, and what refreshing needs. */
typedef struct
{
  char   *access_token;
  char   *refresh_token;
  /* Unix time; 0 when the server did not say. */
  gint64  expires_at;
  /* The scopes asked for (space-separated), NULL for none. */
  char   *scope;
  char   *client_id;
  char   *client_secret;
  /* none, client_secret_basic or client_secret_post */
  char   *auth_method;
  char   *token_endpoint;
  char   *resource;
} ConfabMcpOAuthToken;

void                 _confab_mcp_oauth_token_free         (ConfabMcpOAuthToken *token);
ConfabMcpOAuthToken *_confab_mcp_oauth_token_copy         (const ConfabMcpOAuthToken *token);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabMcpOAuthToken, _confab_mcp_oauth_token_free)

/* A WWW-Authenticate Bearer challenge (RFC 6750 §3, RFC 9728 §5.1). */
typedef struct
{
  gboolean  bearer;
  char     *error;
  char     *scope;
  char     *resource_metadata;
} ConfabMcpOAuthChallenge;

void     _confab_mcp_oauth_challenge_clear (ConfabMcpOAuthChallenge *challenge);
/* Reads @header (NULL or anything); fields it does not hold stay NULL. */
void     _confab_mcp_oauth_parse_challenge (const char              *header,
                                            ConfabMcpOAuthChallenge *challenge);

/* Authorization server metadata (RFC 8414 / OpenID Connect Discovery). */
typedef struct
{
  char      *authorization_endpoint;
  char      *token_endpoint;
  char      *registration_endpoint;
  char     **scopes_supported;
  char     **auth_methods_supported;
  char     **grant_types_supported;
  gboolean   client_id_metadata_document_supported;
  /* FALSE when code_challenge_methods_supported is there without S256, or absent. */
  gboolean   s256;
} ConfabMcpOAuthServer;

void     _confab_mcp_oauth_server_clear    (ConfabMcpOAuthServer    *server);

/* Protected resource metadata (RFC 9728) for @server_url: its first authorization server,
 * its scopes_supported and its resource, which must be @server_url or a prefix of it on the
 * same origin (else the metadata speaks for another server: refused). */
gboolean _confab_mcp_oauth_parse_resource_metadata (const char  *data,
                                                    gsize        len,
                                                    const char  *server_url,
                                                    char       **authorization_server,
                                                    char      ***scopes_supported,
                                                    char       **resource,
                                                    GError     **error);
gboolean _confab_mcp_oauth_parse_server_metadata   (const char            *data,
                                                    gsize                  len,
                                                    ConfabMcpOAuthServer  *server,
                                                    GError               **error);
/* A dynamic client registration answer (RFC 7591 §3.2.1) into @token's client fields. */
gboolean _confab_mcp_oauth_parse_registration      (const char            *data,
                                                    gsize                  len,
                                                    ConfabMcpOAuthToken   *token,
                                                    GError               **error);
/* A token endpoint answer (RFC 6749 §5.1) into @token (a refresh answer without a new
 * refresh_token keeps the old one); its error answer (§5.2) as a readable GError. */
gboolean _confab_mcp_oauth_parse_token_response    (guint                  status,
                                                    const char            *data,
                                                    gsize                  len,
                                                    ConfabMcpOAuthToken   *token,
                                                    GError               **error);
/* The token as the keyring keeps it (JSON), and back. (transfer full) */
char                *_confab_mcp_oauth_token_serialize   (const ConfabMcpOAuthToken *token);
ConfabMcpOAuthToken *_confab_mcp_oauth_token_deserialize (const char                *data);

/* TRUE when @url is an absolute http:// or https:// URL with a host. */
gboolean _confab_mcp_oauth_is_http_url (const char *url);

/* confab-mcp-oauth-store.c: the token of @server_url in the keyring. Lookup returns NULL
 * without an error when there is none; storing NULL clears it. */
void                 _confab_mcp_oauth_store_lookup_async  (const char           *server_url,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
ConfabMcpOAuthToken *_confab_mcp_oauth_store_lookup_finish (GAsyncResult         *result,
                                                            GError              **error);
/* Whether the keyring has an item for @server_url, without reading (or unlocking) it. */
void                 _confab_mcp_oauth_store_exists_async  (const char           *server_url,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             _confab_mcp_oauth_store_exists_finish (GAsyncResult         *result,
                                                            GError              **error);
void                 _confab_mcp_oauth_store_save_async    (const char           *server_url,
                                                            const ConfabMcpOAuthToken *token,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             _confab_mcp_oauth_store_save_finish   (GAsyncResult         *result,
                                                            GError              **error);

/* confab-mcp-oauth-flow.c: a whole sign-in (discovery, registration, browser, code
 * exchange) asking for the scopes @challenge names (else the resource's scopes_supported),
 * or a refresh of @token. (transfer full) */
typedef struct
{
  SoupSession            *session;
  char                   *server_name;
  char                   *server_url;
  ConfabMcpOAuthOpenFunc  open_func;
  gpointer                open_data;
  char                   *client_id;
  char                   *client_secret;
  char                   *client_metadata_url;
} ConfabMcpOAuthFlowConfig;

void                 _confab_mcp_oauth_sign_in_async   (const ConfabMcpOAuthFlowConfig *config,
                                                        const ConfabMcpOAuthChallenge  *challenge,
                                                        GCancellable                   *cancellable,
                                                        GAsyncReadyCallback             callback,
                                                        gpointer                        user_data);
ConfabMcpOAuthToken *_confab_mcp_oauth_sign_in_finish  (GAsyncResult                   *result,
                                                        GError                        **error);
void                 _confab_mcp_oauth_refresh_async   (SoupSession                    *session,
                                                        const ConfabMcpOAuthToken      *token,
                                                        GCancellable                   *cancellable,
                                                        GAsyncReadyCallback             callback,
                                                        gpointer                        user_data);
ConfabMcpOAuthToken *_confab_mcp_oauth_refresh_finish  (GAsyncResult                   *result,
                                                        GError                        **error);

/* confab-mcp-oauth-token.c */

/* 32 random bytes, base64url (a PKCE verifier, a state). (transfer full) */
char                *_confab_mcp_oauth_random_string       (void);
/* BASE64URL(SHA256(@verifier)). (transfer full) */
char                *_confab_mcp_oauth_s256_challenge      (const char *verifier);
/* Appends name=value (form-encoded) to @form; nothing when @value is NULL. */
void                 _confab_mcp_oauth_form_add            (GString    *form,
                                                            const char *name,
                                                            const char *value);
/* Wipes and frees a form that held a secret. */
void                 _confab_mcp_oauth_form_free           (GString    *form);
typedef GString SecretForm;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SecretForm, _confab_mcp_oauth_form_free)
/* How @token's client authenticates at the token endpoint: what registration settled, else
 * the strongest of @supported (NULL: RFC 8414's default) the client can do. */
const char          *_confab_mcp_oauth_choose_auth_method  (const ConfabMcpOAuthToken *token,
                                                            char                     **supported);
/* A POST of @form to @token's token endpoint, authenticated as its client (adds client_id
 * or client_secret to @form as the method wants). NULL when the endpoint is not a URL. */
SoupMessage         *_confab_mcp_oauth_new_token_request   (const ConfabMcpOAuthToken *token,
                                                            GString                   *form);

/* confab-mcp-oauth.c, for the HTTP transport: the token to send, NULL for none. */
const char          *_confab_mcp_oauth_get_access_token (ConfabMcpOAuth *self);
/* The server refused a request sent with @token_sent (NULL: none) with HTTP @status and
 * @www_authenticate: use the stored token, refresh it, or sign in (asking the user through
 * the open function), so that the request can be sent again. Fails with
 * CONFAB_ERROR_AUTHORIZATION when none of that can be done. */
void                 _confab_mcp_oauth_authorize_async  (ConfabMcpOAuth  *self,
                                                         guint            status,
                                                         const char      *www_authenticate,
                                                         const char      *token_sent,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
gboolean             _confab_mcp_oauth_authorize_finish (ConfabMcpOAuth  *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

G_END_DECLS
