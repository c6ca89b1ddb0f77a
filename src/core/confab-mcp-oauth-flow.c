/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-oauth"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-error.h"
#include "confab-mcp-oauth-private.h"

/* A sign-in, step by step (MCP 2025-11-25 "Authorization"; 2025-03-26 servers without
 * resource metadata too):
 *   1. protected resource metadata: the challenge's resource_metadata, else
 *      /.well-known/oauth-protected-resource/<path>, else at the root; none at all means a
 *      2025-03-26 server, its own origin the authorization server;
 *   2. authorization server metadata: RFC 8414 and OpenID discovery at the places the spec
 *      lists for the issuer's path; none at all: /authorize, /token and /register;
 *   3. a client: pre-registered, a client ID metadata document URL, or registered now;
 *   4. the browser: the authorization endpoint with PKCE S256, state, resource and scope,
 *      its redirect received by a SoupServer on 127.0.0.1 that lives only for this;
 *   5. the code exchanged at the token endpoint.
 * Nothing here logs a token, a code or a secret. */

#define BROWSER_TIMEOUT_SECONDS (10 * 60)

typedef struct
{
  ConfabMcpOAuthFlowConfig  config;
  ConfabMcpOAuthChallenge   challenge;
  GUri                     *server_uri;

  /* Discovery: the URLs still to try, in order. */
  GPtrArray                *candidates;
  guint                     next_candidate;
  SoupMessage              *msg;

  char                     *authorization_server;
  char                    **resource_scopes;
  char                     *resource;
  ConfabMcpOAuthServer      server;
  gboolean                  have_server_metadata;

  char                     *scope;
  char                     *verifier;
  char                     *state;
  char                     *redirect_uri;
  SoupServer               *loopback;
  GSource                  *cancel_source;
  guint                     timeout_id;
  gboolean                  answered;

  ConfabMcpOAuthToken      *token;
} Flow;

static void
flow_free (Flow *flow)
{
  g_clear_object (&flow->config.session);
  g_free (flow->config.server_name);
  g_free (flow->config.server_url);
  g_free (flow->config.client_id);
  if (flow->config.client_secret != NULL)
    memset (flow->config.client_secret, 0, strlen (flow->config.client_secret));
  g_free (flow->config.client_secret);
  g_free (flow->config.client_metadata_url);
  _confab_mcp_oauth_challenge_clear (&flow->challenge);
  g_clear_pointer (&flow->server_uri, g_uri_unref);
  g_clear_pointer (&flow->candidates, g_ptr_array_unref);
  g_clear_object (&flow->msg);
  g_free (flow->authorization_server);
  g_strfreev (flow->resource_scopes);
  g_free (flow->resource);
  _confab_mcp_oauth_server_clear (&flow->server);
  g_free (flow->scope);
  if (flow->verifier != NULL)
    memset (flow->verifier, 0, strlen (flow->verifier));
  g_free (flow->verifier);
  g_free (flow->state);
  g_free (flow->redirect_uri);
  if (flow->loopback != NULL)
    soup_server_disconnect (flow->loopback);
  g_clear_object (&flow->loopback);
  if (flow->cancel_source != NULL)
    g_source_destroy (flow->cancel_source);
  g_clear_pointer (&flow->cancel_source, g_source_unref);
  g_clear_handle_id (&flow->timeout_id, g_source_remove);
  g_clear_pointer (&flow->token, _confab_mcp_oauth_token_free);
  g_free (flow);
}

static void
fail (GTask      *task,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (GTask      *task,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION, "%s", message);
  g_object_unref (task);
}

static void
return_error (GTask  *task,
              GError *error)
{
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* Step 5: the token --------------------------------------------------------------------- */

static void
on_token (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Flow *flow = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return_error (task, error);
      else
        {
          fail (task, _("The token endpoint could not be reached: %s"), error->message);
          g_error_free (error);
        }
      return;
    }

  if (!_confab_mcp_oauth_parse_token_response (soup_message_get_status (flow->msg),
                                               g_bytes_get_data (bytes, NULL),
                                               g_bytes_get_size (bytes), flow->token, &error))
    {
      return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&flow->token),
                         (GDestroyNotify)_confab_mcp_oauth_token_free);
  g_object_unref (task);
}

/* Posts @form to the token endpoint; on_token() reads the answer. */
static void
send_token_request (GTask   *task,
                    GString *form)
{
  Flow *flow = g_task_get_task_data (task);

  g_clear_object (&flow->msg);
  flow->msg = _confab_mcp_oauth_new_token_request (flow->token, form);
  if (flow->msg == NULL)
    {
      fail (task, _("The token endpoint’s address is not valid"));
      return;
    }

  soup_session_send_and_read_async (flow->config.session, flow->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_token, task);
}

static void
exchange_code (GTask      *task,
               const char *code)
{
  Flow *flow = g_task_get_task_data (task);
  g_autoptr(SecretForm) form = g_string_new (NULL);

  _confab_mcp_oauth_form_add (form, "grant_type", "authorization_code");
  _confab_mcp_oauth_form_add (form, "code", code);
  _confab_mcp_oauth_form_add (form, "redirect_uri", flow->redirect_uri);
  _confab_mcp_oauth_form_add (form, "code_verifier", flow->verifier);
  _confab_mcp_oauth_form_add (form, "resource", flow->token->resource);

  send_token_request (task, form);
}

/* Step 4: the browser ------------------------------------------------------------------- */

static void
stop_waiting (Flow *flow)
{
  flow->answered = TRUE;
  g_clear_handle_id (&flow->timeout_id, g_source_remove);
  if (flow->cancel_source != NULL)
    g_source_destroy (flow->cancel_source);
  g_clear_pointer (&flow->cancel_source, g_source_unref);
}

static const char answer_page[] =
  "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Confab</title></head>"
  "<body><p>%s</p></body></html>";

static void
answer_browser (SoupServerMessage *msg,
                guint              status,
                const char        *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_autofree char *page = g_strdup_printf (answer_page, escaped);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));
}

static void
on_redirect (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  GTask *task = user_data;
  Flow *flow = g_task_get_task_data (task);
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *code = query ? g_hash_table_lookup (query, "code") : NULL;
  const char *error = query ? g_hash_table_lookup (query, "error") : NULL;

  if (flow->answered)
    {
      answer_browser (msg, SOUP_STATUS_BAD_REQUEST, _("This sign-in is over."));
      return;
    }

  stop_waiting (flow);

  if (state == NULL || strcmp (state, flow->state) != 0)
    {
      answer_browser (msg, SOUP_STATUS_BAD_REQUEST,
                      _("This answer does not belong to the sign-in Confab started. Nothing was stored."));
      fail (task, _("The sign-in answer did not match the request Confab made (wrong state); no token was stored"));
      return;
    }

  if (error != NULL || code == NULL || code[0] == '\0')
    {
      const char *description = g_hash_table_lookup (query, "error_description");
      g_autofree char *reason = g_strdup (error ? error : "no code");

      answer_browser (msg, SOUP_STATUS_OK, _("The sign-in did not succeed. You can close this page."));
      if (!g_utf8_validate (reason, -1, NULL))
        g_strlcpy (reason, "?", strlen (reason) + 1);
      if (description != NULL && g_utf8_validate (description, -1, NULL))
        fail (task, _("The authorization server did not grant access: %s — %s"), reason, description);
      else
        fail (task, _("The authorization server did not grant access: %s"), reason);
      return;
    }

  answer_browser (msg, SOUP_STATUS_OK, _("Signed in. You can close this page and go back to Confab."));
  exchange_code (task, code);
}

static gboolean
on_browser_timeout (gpointer user_data)
{
  GTask *task = user_data;
  Flow *flow = g_task_get_task_data (task);

  flow->timeout_id = 0;
  stop_waiting (flow);
  fail (task, _("The browser did not come back with an answer within %d minutes"),
        BROWSER_TIMEOUT_SECONDS / 60);
  return G_SOURCE_REMOVE;
}

static gboolean
on_browser_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *task = user_data;
  Flow *flow = g_task_get_task_data (task);

  stop_waiting (flow);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The sign-in was cancelled"));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
open_browser (GTask *task)
{
  Flow *flow = g_task_get_task_data (task);
  g_autoptr(GUri) endpoint = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GString) query = g_string_new (NULL);
  g_autofree char *challenge = NULL;
  g_autofree char *text = NULL;

  endpoint = g_uri_parse (flow->server.authorization_endpoint, SOUP_HTTP_URI_FLAGS, NULL);
  if (endpoint == NULL)
    {
      fail (task, _("The authorization endpoint’s address is not valid"));
      return;
    }

  flow->verifier = _confab_mcp_oauth_random_string ();
  flow->state = _confab_mcp_oauth_random_string ();
  challenge = _confab_mcp_oauth_s256_challenge (flow->verifier);

  if (g_uri_get_query (endpoint) != NULL)
    g_string_append (query, g_uri_get_query (endpoint));
  _confab_mcp_oauth_form_add (query, "response_type", "code");
  _confab_mcp_oauth_form_add (query, "client_id", flow->token->client_id);
  _confab_mcp_oauth_form_add (query, "redirect_uri", flow->redirect_uri);
  _confab_mcp_oauth_form_add (query, "state", flow->state);
  _confab_mcp_oauth_form_add (query, "code_challenge", challenge);
  _confab_mcp_oauth_form_add (query, "code_challenge_method", "S256");
  _confab_mcp_oauth_form_add (query, "resource", flow->token->resource);
  _confab_mcp_oauth_form_add (query, "scope", flow->scope);

  uri = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (endpoint), NULL,
                     g_uri_get_host (endpoint), g_uri_get_port (endpoint),
                     g_uri_get_path (endpoint), query->str, NULL);
  text = g_uri_to_string (uri);

  if (g_task_get_cancellable (task) != NULL)
    {
      flow->cancel_source = g_cancellable_source_new (g_task_get_cancellable (task));
      g_source_set_callback (flow->cancel_source, G_SOURCE_FUNC (on_browser_cancelled), task, NULL);
      g_source_attach (flow->cancel_source, g_task_get_context (task));
    }
  flow->timeout_id = g_timeout_add_seconds (BROWSER_TIMEOUT_SECONDS, on_browser_timeout, task);

  g_debug ("MCP server “%s”: asking the user to sign in", flow->config.server_name);
  flow->config.open_func (flow->config.server_name, text, flow->config.open_data);
}

/* Step 3: the client ------------------------------------------------------------------- */

static void
choose_method_and_open (GTask *task)
{
  Flow *flow = g_task_get_task_data (task);

  g_free (flow->token->auth_method);
  flow->token->auth_method = NULL;
  flow->token->auth_method = g_strdup (_confab_mcp_oauth_choose_auth_method (flow->token,
                                                           flow->server.auth_methods_supported));
  open_browser (task);
}

static void
on_registered (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Flow *flow = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  guint status;
  g_autofree char *method = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return_error (task, error);
      else
        {
          fail (task, _("The authorization server could not be reached to register Confab: %s"),
                error->message);
          g_error_free (error);
        }
      return;
    }

  status = soup_message_get_status (flow->msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      fail (task, _("The authorization server did not let Confab register (HTTP %u); set a client ID for this server"),
            status);
      return;
    }

  if (!_confab_mcp_oauth_parse_registration (g_bytes_get_data (bytes, NULL),
                                             g_bytes_get_size (bytes), flow->token, &error))
    {
      fail (task, "%s", error->message);
      g_error_free (error);
      return;
    }

  /* What registration settled goes first; else chosen from the server's list. */
  method = g_strdup (_confab_mcp_oauth_choose_auth_method (flow->token, flow->server.auth_methods_supported));
  g_free (flow->token->auth_method);
  flow->token->auth_method = g_steal_pointer (&method);
  open_browser (task);
}

static void
register_client (GTask *task)
{
  Flow *flow = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *body;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "client_name");
  json_builder_add_string_value (builder, "Confab");
  json_builder_set_member_name (builder, "redirect_uris");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, flow->redirect_uri);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "grant_types");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "authorization_code");
  json_builder_add_string_value (builder, "refresh_token");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "response_types");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "code");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "token_endpoint_auth_method");
  json_builder_add_string_value (builder, "none");
  if (flow->scope != NULL)
    {
      json_builder_set_member_name (builder, "scope");
      json_builder_add_string_value (builder, flow->scope);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  bytes = g_bytes_new_take (body, strlen (body));
  body = NULL;

  g_clear_object (&flow->msg);
  flow->msg = soup_message_new ("POST", flow->server.registration_endpoint);
  soup_message_headers_replace (soup_message_get_request_headers (flow->msg),
                                "Accept", "application/json");
  soup_message_set_request_body_from_bytes (flow->msg, "application/json", bytes);
  soup_session_send_and_read_async (flow->config.session, flow->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_registered, task);
}

/* A client of its own (pre-registered, with a secret) at a server that grants only to
 * clients: no user, no browser (OAuth 2.1 §4.2, MCP's client credentials extension). */
static gboolean
wants_client_credentials (Flow *flow)
{
  const char * const *grants = (const char * const *)flow->server.grant_types_supported;

  return flow->config.client_id != NULL && flow->config.client_secret != NULL && grants != NULL &&
         g_strv_contains (grants, "client_credentials") &&
         !g_strv_contains (grants, "authorization_code");
}

static void
request_client_credentials (GTask *task)
{
  Flow *flow = g_task_get_task_data (task);
  g_autoptr(SecretForm) form = g_string_new (NULL);

  flow->token->client_id = g_strdup (flow->config.client_id);
  flow->token->client_secret = g_strdup (flow->config.client_secret);
  flow->token->auth_method = g_strdup (_confab_mcp_oauth_choose_auth_method (flow->token,
                                                           flow->server.auth_methods_supported));
  _confab_mcp_oauth_form_add (form, "grant_type", "client_credentials");
  _confab_mcp_oauth_form_add (form, "scope", flow->scope);
  _confab_mcp_oauth_form_add (form, "resource", flow->token->resource);

  send_token_request (task, form);
}

static gboolean
start_loopback (GTask *task)
{
  Flow *flow = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  guint port = 0;

  flow->loopback = soup_server_new ("server-header", "Confab", NULL);
  soup_server_add_handler (flow->loopback, "/callback", on_redirect, task, NULL);
  if (!soup_server_listen_local (flow->loopback, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      fail (task, _("Confab could not listen on 127.0.0.1 for the sign-in’s answer: %s"), error->message);
      return FALSE;
    }

  uris = soup_server_get_uris (flow->loopback);
  if (uris != NULL)
    port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  flow->redirect_uri = g_strdup_printf ("http://127.0.0.1:%u/callback", port);
  return TRUE;
}

static void
get_client (GTask *task)
{
  Flow *flow = g_task_get_task_data (task);

  if (flow->have_server_metadata && !flow->server.s256)
    {
      fail (task, _("The authorization server does not support PKCE with S256, which MCP requires"));
      return;
    }

  flow->token = g_new0 (ConfabMcpOAuthToken, 1);
  flow->token->token_endpoint = g_strdup (flow->server.token_endpoint);
  flow->token->scope = g_strdup (flow->scope);
  flow->token->resource = g_strdup (flow->resource != NULL ? flow->resource : flow->config.server_url);

  if (wants_client_credentials (flow))
    {
      request_client_credentials (task);
      return;
    }

  if (flow->config.open_func == NULL)
    {
      fail (task, _("MCP server “%s” needs you to sign in"), flow->config.server_name);
      return;
    }

  if (!start_loopback (task))
    return;

  if (flow->config.client_id != NULL)
    {
      flow->token->client_id = g_strdup (flow->config.client_id);
      flow->token->client_secret = g_strdup (flow->config.client_secret);
      choose_method_and_open (task);
    }
  else if (flow->server.client_id_metadata_document_supported && flow->config.client_metadata_url != NULL)
    {
      flow->token->client_id = g_strdup (flow->config.client_metadata_url);
      choose_method_and_open (task);
    }
  else if (flow->server.registration_endpoint != NULL)
    register_client (task);
  else
    fail (task, _("The authorization server of MCP server “%s” does not let Confab register itself; it needs a client ID set for it"),
          flow->config.server_name);
}

/* The scopes to ask for: the challenge's, else all the resource lists, else none; with
 * offline_access (for a refresh token) when the authorization server offers it. */
static void
choose_scope (Flow *flow)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) scopes = NULL;

  if (flow->challenge.scope != NULL)
    flow->scope = g_strdup (flow->challenge.scope);
  else if (flow->resource_scopes != NULL && flow->resource_scopes[0] != NULL)
    flow->scope = g_strjoinv (" ", flow->resource_scopes);

  if (flow->scope == NULL || flow->server.scopes_supported == NULL ||
      !g_strv_contains ((const char * const *)flow->server.scopes_supported, "offline_access"))
    return;

  scopes = g_strsplit (flow->scope, " ", -1);
  if (!g_strv_contains ((const char * const *)scopes, "offline_access"))
    {
      char *with = g_strconcat (flow->scope, " offline_access", NULL);
      g_free (flow->scope);
      flow->scope = with;
    }
}

/* Steps 1 and 2: discovery ------------------------------------------------------------ */

static void try_next_candidate (GTask *task);

static char *
origin_of (GUri *uri)
{
  g_autoptr(GUri) origin = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL,
                                        g_uri_get_host (uri), g_uri_get_port (uri), "", NULL, NULL);
  return g_uri_to_string (origin);
}

static void
use_fallback_endpoints (Flow *flow)
{
  g_autoptr(GUri) uri = g_uri_parse (flow->authorization_server, SOUP_HTTP_URI_FLAGS, NULL);
  g_autofree char *origin = origin_of (uri);

  flow->server.authorization_endpoint = g_strconcat (origin, "/authorize", NULL);
  flow->server.token_endpoint = g_strconcat (origin, "/token", NULL);
  flow->server.registration_endpoint = g_strconcat (origin, "/register", NULL);
  flow->server.s256 = TRUE;
}

static void
discover_server (GTask *task)
{
  Flow *flow = g_task_get_task_data (task);
  g_autoptr(GUri) uri = g_uri_parse (flow->authorization_server, SOUP_HTTP_URI_FLAGS, NULL);
  g_autofree char *origin = origin_of (uri);
  g_autofree char *path = g_strdup (g_uri_get_path (uri));
  gsize len = strlen (path);

  while (len > 0 && path[len - 1] == '/')
    path[--len] = '\0';

  g_ptr_array_set_size (flow->candidates, 0);
  flow->next_candidate = 0;
  if (len > 0)
    {
      g_ptr_array_add (flow->candidates, g_strconcat (origin, "/.well-known/oauth-authorization-server", path, NULL));
      g_ptr_array_add (flow->candidates, g_strconcat (origin, "/.well-known/openid-configuration", path, NULL));
      g_ptr_array_add (flow->candidates, g_strconcat (origin, path, "/.well-known/openid-configuration", NULL));
    }
  else
    {
      g_ptr_array_add (flow->candidates, g_strconcat (origin, "/.well-known/oauth-authorization-server", NULL));
      g_ptr_array_add (flow->candidates, g_strconcat (origin, "/.well-known/openid-configuration", NULL));
    }

  try_next_candidate (task);
}

static void
discover_resource (GTask *task)
{
  Flow *flow = g_task_get_task_data (task);
  g_autofree char *origin = origin_of (flow->server_uri);
  const char *path = g_uri_get_path (flow->server_uri);

  if (flow->challenge.resource_metadata != NULL)
    g_ptr_array_add (flow->candidates, g_strdup (flow->challenge.resource_metadata));
  if (path != NULL && path[0] != '\0' && strcmp (path, "/") != 0)
    g_ptr_array_add (flow->candidates,
                     g_strconcat (origin, "/.well-known/oauth-protected-resource", path, NULL));
  g_ptr_array_add (flow->candidates, g_strconcat (origin, "/.well-known/oauth-protected-resource", NULL));

  try_next_candidate (task);
}

static void
on_candidate (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Flow *flow = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gboolean resource_step = flow->authorization_server == NULL;
  const char *data;
  gsize len;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      return_error (task, g_steal_pointer (&error));
      return;
    }

  if (bytes == NULL || !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (flow->msg)))
    {
      try_next_candidate (task);
      return;
    }

  data = g_bytes_get_data (bytes, &len);
  if (resource_step)
    {
      if (!_confab_mcp_oauth_parse_resource_metadata (data, len, flow->config.server_url,
                                                      &flow->authorization_server,
                                                      &flow->resource_scopes, &flow->resource,
                                                      &error))
        {
          /* Metadata for another resource is a refusal, not a missing document. */
          if (g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION))
            {
              return_error (task, g_steal_pointer (&error));
              return;
            }
          try_next_candidate (task);
          return;
        }

      discover_server (task);
      return;
    }

  if (!_confab_mcp_oauth_parse_server_metadata (data, len, &flow->server, &error))
    {
      _confab_mcp_oauth_server_clear (&flow->server);
      try_next_candidate (task);
      return;
    }

  flow->have_server_metadata = TRUE;
  choose_scope (flow);
  get_client (task);
}

static void
try_next_candidate (GTask *task)
{
  Flow *flow = g_task_get_task_data (task);
  const char *url;

  if (flow->next_candidate >= flow->candidates->len)
    {
      if (flow->authorization_server == NULL)
        {
          /* No resource metadata: a 2025-03-26 server, its origin the authorization server. */
          flow->authorization_server = origin_of (flow->server_uri);
          discover_server (task);
        }
      else
        {
          use_fallback_endpoints (flow);
          choose_scope (flow);
          get_client (task);
        }
      return;
    }

  url = g_ptr_array_index (flow->candidates, flow->next_candidate++);
  g_clear_object (&flow->msg);
  flow->msg = soup_message_new ("GET", url);
  if (flow->msg == NULL)
    {
      try_next_candidate (task);
      return;
    }

  soup_message_headers_replace (soup_message_get_request_headers (flow->msg),
                                "Accept", "application/json");
  soup_message_headers_replace (soup_message_get_request_headers (flow->msg),
                                "MCP-Protocol-Version", "2025-11-25");
  soup_session_send_and_read_async (flow->config.session, flow->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_candidate, task);
}

void
_confab_mcp_oauth_sign_in_async (const ConfabMcpOAuthFlowConfig *config,
                                 const ConfabMcpOAuthChallenge  *challenge,
                                 GCancellable                   *cancellable,
                                 GAsyncReadyCallback             callback,
                                 gpointer                        user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Flow *flow = g_new0 (Flow, 1);

  g_task_set_source_tag (task, _confab_mcp_oauth_sign_in_async);
  g_task_set_task_data (task, flow, (GDestroyNotify)flow_free);

  flow->config.session = g_object_ref (config->session);
  flow->config.server_name = g_strdup (config->server_name);
  flow->config.server_url = g_strdup (config->server_url);
  flow->config.open_func = config->open_func;
  flow->config.open_data = config->open_data;
  flow->config.client_id = g_strdup (config->client_id);
  flow->config.client_secret = g_strdup (config->client_secret);
  flow->config.client_metadata_url = g_strdup (config->client_metadata_url);
  flow->challenge.scope = g_strdup (challenge->scope);
  flow->challenge.error = g_strdup (challenge->error);
  flow->challenge.resource_metadata = g_strdup (challenge->resource_metadata);
  flow->candidates = g_ptr_array_new_with_free_func (g_free);
  flow->server_uri = g_uri_parse (config->server_url, SOUP_HTTP_URI_FLAGS, NULL);

  if (flow->server_uri == NULL)
    {
      fail (task, _("“%s” is not a valid address"), config->server_url);
      return;
    }

  discover_resource (task);
}

ConfabMcpOAuthToken *
_confab_mcp_oauth_sign_in_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
