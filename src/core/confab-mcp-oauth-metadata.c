/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-oauth"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-mcp-oauth-private.h"

/* What servers send during a sign-in, read as untrusted input: every field is checked for
 * its type, URLs for their scheme, and nothing of it reaches a log. */

#define MAX_DOCUMENT (256 * 1024)

/* Tokens ------------------------------------------------------------------------------- */

static void
wipe (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

void
_confab_mcp_oauth_token_free (ConfabMcpOAuthToken *token)
{
  if (token == NULL)
    return;

  wipe (token->access_token);
  wipe (token->refresh_token);
  wipe (token->client_secret);
  g_free (token->scope);
  g_free (token->client_id);
  g_free (token->auth_method);
  g_free (token->token_endpoint);
  g_free (token->resource);
  g_free (token);
}

ConfabMcpOAuthToken *
_confab_mcp_oauth_token_copy (const ConfabMcpOAuthToken *token)
{
  ConfabMcpOAuthToken *copy = g_new0 (ConfabMcpOAuthToken, 1);

  copy->access_token = g_strdup (token->access_token);
  copy->refresh_token = g_strdup (token->refresh_token);
  copy->expires_at = token->expires_at;
  copy->scope = g_strdup (token->scope);
  copy->client_id = g_strdup (token->client_id);
  copy->client_secret = g_strdup (token->client_secret);
  copy->auth_method = g_strdup (token->auth_method);
  copy->token_endpoint = g_strdup (token->token_endpoint);
  copy->resource = g_strdup (token->resource);

  return copy;
}

gboolean
_confab_mcp_oauth_is_http_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL)
    return FALSE;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  return uri != NULL &&
         (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "https") == 0) &&
         g_uri_get_host (uri) != NULL && g_uri_get_host (uri)[0] != '\0';
}

/* WWW-Authenticate -------------------------------------------------------------------- */

void
_confab_mcp_oauth_challenge_clear (ConfabMcpOAuthChallenge *challenge)
{
  g_clear_pointer (&challenge->error, g_free);
  g_clear_pointer (&challenge->scope, g_free);
  g_clear_pointer (&challenge->resource_metadata, g_free);
  challenge->bearer = FALSE;
}

/* One auth-param value at @p: a quoted-string (with \-escapes) or a token. */
static char *
read_value (const char **p)
{
  GString *value = g_string_new (NULL);

  if (**p == '"')
    {
      (*p)++;
      while (**p != '\0' && **p != '"')
        {
          if (**p == '\\' && (*p)[1] != '\0')
            (*p)++;
          g_string_append_c (value, **p);
          (*p)++;
        }
      if (**p == '"')
        (*p)++;
    }
  else
    while (**p != '\0' && **p != ',' && !g_ascii_isspace (**p))
      {
        g_string_append_c (value, **p);
        (*p)++;
      }

  return g_string_free (value, FALSE);
}

void
_confab_mcp_oauth_parse_challenge (const char              *header,
                                   ConfabMcpOAuthChallenge *challenge)
{
  const char *p = header;
  gboolean in_bearer = FALSE;

  memset (challenge, 0, sizeof *challenge);
  if (header == NULL)
    return;

  /* challenge = scheme [ 1*SP ( token68 / #auth-param ) ], several separated by commas. */
  while (*p != '\0')
    {
      const char *start;
      g_autofree char *name = NULL;

      while (*p == ',' || g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;

      start = p;
      while (*p != '\0' && *p != '=' && *p != ',' && !g_ascii_isspace (*p))
        p++;
      name = g_strndup (start, p - start);
      while (*p == ' ' || *p == '\t')
        p++;

      if (*p != '=')
        {
          /* A scheme name starts a new challenge. */
          in_bearer = g_ascii_strcasecmp (name, "Bearer") == 0;
          if (in_bearer)
            challenge->bearer = TRUE;
          continue;
        }

      p++;
      while (*p == ' ' || *p == '\t')
        p++;

      {
        g_autofree char *value = read_value (&p);

        if (!in_bearer)
          continue;
        if (g_ascii_strcasecmp (name, "scope") == 0 && challenge->scope == NULL)
          challenge->scope = g_steal_pointer (&value);
        else if (g_ascii_strcasecmp (name, "error") == 0 && challenge->error == NULL)
          challenge->error = g_steal_pointer (&value);
        else if (g_ascii_strcasecmp (name, "resource_metadata") == 0 &&
                 challenge->resource_metadata == NULL)
          challenge->resource_metadata = g_steal_pointer (&value);
      }
    }

  if (challenge->scope != NULL && g_strstrip (challenge->scope)[0] == '\0')
    g_clear_pointer (&challenge->scope, g_free);
  if (challenge->resource_metadata != NULL &&
      !_confab_mcp_oauth_is_http_url (challenge->resource_metadata))
    g_clear_pointer (&challenge->resource_metadata, g_free);
}

/* JSON ---------------------------------------------------------------------------------- */

/* @refusal: the error message when @data is not a JSON object. */
static JsonObject *
parse_object (const char  *data,
              gsize        len,
              const char  *refusal,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (len > MAX_DOCUMENT ||
      !_confab_json_parser_load_untrusted (parser, data, len, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL, refusal);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* The string member @name, NULL when absent, not a string or empty. */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  value = json_node_get_string (node);
  return value != NULL && value[0] != '\0' ? value : NULL;
}

/* The strings of the array member @name; NULL when absent or not an array. */
static char **
get_strings (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  builder = g_strv_builder_new ();
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array) && i < 256; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING &&
          json_node_get_string (element)[0] != '\0' && g_utf8_validate (json_node_get_string (element), -1, NULL))
        g_strv_builder_add (builder, json_node_get_string (element));
    }

  return g_strv_builder_end (builder);
}

/* Resource metadata ------------------------------------------------------------------ */

/* RFC 8707 / MCP: the metadata's resource may be the server URL or a prefix of its path on
 * the same origin. */
static gboolean
resource_allowed (const char *server_url,
                  const char *resource)
{
  g_autoptr(GUri) server = g_uri_parse (server_url, SOUP_HTTP_URI_FLAGS, NULL);
  g_autoptr(GUri) allowed = g_uri_parse (resource, SOUP_HTTP_URI_FLAGS, NULL);
  g_autofree char *server_path = NULL;
  g_autofree char *allowed_path = NULL;

  if (server == NULL || allowed == NULL ||
      g_ascii_strcasecmp (g_uri_get_scheme (server), g_uri_get_scheme (allowed)) != 0 ||
      g_uri_get_host (server) == NULL || g_uri_get_host (allowed) == NULL ||
      g_ascii_strcasecmp (g_uri_get_host (server), g_uri_get_host (allowed)) != 0 ||
      g_uri_get_port (server) != g_uri_get_port (allowed))
    return FALSE;

  server_path = g_strdup (g_uri_get_path (server));
  allowed_path = g_strdup (g_uri_get_path (allowed));
  if (!g_str_has_suffix (server_path, "/"))
    {
      char *slashed = g_strconcat (server_path, "/", NULL);
      g_free (server_path);
      server_path = slashed;
    }
  if (!g_str_has_suffix (allowed_path, "/"))
    {
      char *slashed = g_strconcat (allowed_path, "/", NULL);
      g_free (allowed_path);
      allowed_path = slashed;
    }

  return g_str_has_prefix (server_path, allowed_path);
}

gboolean
_confab_mcp_oauth_parse_resource_metadata (const char  *data,
                                           gsize        len,
                                           const char  *server_url,
                                           char       **authorization_server,
                                           char      ***scopes_supported,
                                           char       **resource,
                                           GError     **error)
{
  g_autoptr(JsonObject) object = NULL;
  g_auto(GStrv) servers = NULL;
  const char *resource_value;

  object = parse_object (data, len, _("The protected resource metadata is not a JSON object"), error);
  if (object == NULL)
    return FALSE;

  resource_value = get_string (object, "resource");
  if (resource_value != NULL && !resource_allowed (server_url, resource_value))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                   _("The server’s protected resource metadata is for another resource; Confab does not sign in with it"));
      return FALSE;
    }

  servers = get_strings (object, "authorization_servers");
  if (servers == NULL || servers[0] == NULL || !_confab_mcp_oauth_is_http_url (servers[0]))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                   _("The server’s protected resource metadata names no authorization server"));
      return FALSE;
    }

  *authorization_server = g_strdup (servers[0]);
  *scopes_supported = get_strings (object, "scopes_supported");
  *resource = g_strdup (resource_value);
  return TRUE;
}

/* Authorization server metadata ----------------------------------------------------------- */

void
_confab_mcp_oauth_server_clear (ConfabMcpOAuthServer *server)
{
  g_clear_pointer (&server->authorization_endpoint, g_free);
  g_clear_pointer (&server->token_endpoint, g_free);
  g_clear_pointer (&server->registration_endpoint, g_free);
  g_clear_pointer (&server->scopes_supported, g_strfreev);
  g_clear_pointer (&server->auth_methods_supported, g_strfreev);
  g_clear_pointer (&server->grant_types_supported, g_strfreev);
  server->client_id_metadata_document_supported = FALSE;
  server->s256 = FALSE;
}

gboolean
_confab_mcp_oauth_parse_server_metadata (const char            *data,
                                         gsize                  len,
                                         ConfabMcpOAuthServer  *server,
                                         GError               **error)
{
  g_autoptr(JsonObject) object = NULL;
  g_auto(GStrv) methods = NULL;
  JsonNode *cimd;
  const char *authorization_endpoint;
  const char *token_endpoint;
  const char *registration_endpoint;

  memset (server, 0, sizeof *server);
  object = parse_object (data, len, _("The authorization server metadata is not a JSON object"), error);
  if (object == NULL)
    return FALSE;

  authorization_endpoint = get_string (object, "authorization_endpoint");
  token_endpoint = get_string (object, "token_endpoint");
  registration_endpoint = get_string (object, "registration_endpoint");
  if (!_confab_mcp_oauth_is_http_url (authorization_endpoint) ||
      !_confab_mcp_oauth_is_http_url (token_endpoint))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                   _("The authorization server metadata has no valid authorization and token endpoints"));
      return FALSE;
    }

  server->authorization_endpoint = g_strdup (authorization_endpoint);
  server->token_endpoint = g_strdup (token_endpoint);
  if (_confab_mcp_oauth_is_http_url (registration_endpoint))
    server->registration_endpoint = g_strdup (registration_endpoint);
  server->scopes_supported = get_strings (object, "scopes_supported");
  server->auth_methods_supported = get_strings (object, "token_endpoint_auth_methods_supported");
  server->grant_types_supported = get_strings (object, "grant_types_supported");

  methods = get_strings (object, "code_challenge_methods_supported");
  server->s256 = methods != NULL && g_strv_contains ((const char * const *)methods, "S256");

  cimd = json_object_get_member (object, "client_id_metadata_document_supported");
  server->client_id_metadata_document_supported =
    cimd != NULL && JSON_NODE_HOLDS_VALUE (cimd) &&
    json_node_get_value_type (cimd) == G_TYPE_BOOLEAN && json_node_get_boolean (cimd);

  return TRUE;
}

/* Registration and tokens ------------------------------------------------------------------ */

gboolean
_confab_mcp_oauth_parse_registration (const char           *data,
                                      gsize                 len,
                                      ConfabMcpOAuthToken  *token,
                                      GError              **error)
{
  g_autoptr(JsonObject) object = NULL;
  const char *client_id;
  const char *method;

  object = parse_object (data, len, _("The client registration answer is not a JSON object"), error);
  if (object == NULL)
    return FALSE;

  client_id = get_string (object, "client_id");
  if (client_id == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                   _("The authorization server registered Confab without giving it a client ID"));
      return FALSE;
    }

  g_free (token->client_id);
  token->client_id = g_strdup (client_id);
  wipe (token->client_secret);
  token->client_secret = g_strdup (get_string (object, "client_secret"));
  method = get_string (object, "token_endpoint_auth_method");
  g_free (token->auth_method);
  token->auth_method = NULL;
  if (g_strcmp0 (method, "none") == 0 || g_strcmp0 (method, "client_secret_basic") == 0 ||
      g_strcmp0 (method, "client_secret_post") == 0)
    token->auth_method = g_strdup (method);

  return TRUE;
}

static gboolean
is_printable_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e)
      return FALSE;
  return TRUE;
}

gboolean
_confab_mcp_oauth_parse_token_response (guint                 status,
                                        const char           *data,
                                        gsize                 len,
                                        ConfabMcpOAuthToken  *token,
                                        GError              **error)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *access_token;
  const char *token_type;
  const char *refresh_token;
  JsonNode *expires_in;

  object = parse_object (data, len, _("The token endpoint’s answer is not a JSON object"), &parse_error);

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *code = object ? get_string (object, "error") : NULL;
      const char *description = object ? get_string (object, "error_description") : NULL;

      if (code != NULL && !is_printable_ascii (code))
        code = NULL;
      if (description != NULL && !g_utf8_validate (description, -1, NULL))
        description = NULL;

      if (code != NULL && description != NULL)
        g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                     _("The authorization server refused to give a token: %s — %s"), code, description);
      else if (code != NULL)
        g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                     _("The authorization server refused to give a token: %s"), code);
      else
        g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                     _("The authorization server refused to give a token (HTTP %u)"), status);
      return FALSE;
    }

  if (object == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION, "%s", parse_error->message);
      return FALSE;
    }

  access_token = get_string (object, "access_token");
  token_type = get_string (object, "token_type");
  if (access_token == NULL || !is_printable_ascii (access_token) ||
      (token_type != NULL && g_ascii_strcasecmp (token_type, "Bearer") != 0))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                   _("The authorization server’s answer holds no bearer token"));
      return FALSE;
    }

  wipe (token->access_token);
  token->access_token = g_strdup (access_token);

  refresh_token = get_string (object, "refresh_token");
  if (refresh_token != NULL && is_printable_ascii (refresh_token))
    {
      wipe (token->refresh_token);
      token->refresh_token = g_strdup (refresh_token);
    }

  token->expires_at = 0;
  expires_in = json_object_get_member (object, "expires_in");
  if (expires_in != NULL && JSON_NODE_HOLDS_VALUE (expires_in) &&
      (json_node_get_value_type (expires_in) == G_TYPE_INT64 ||
       json_node_get_value_type (expires_in) == G_TYPE_DOUBLE))
    {
      double seconds = json_node_get_double (expires_in);

      if (seconds > 0 && seconds < 10.0 * 365 * 24 * 3600)
        token->expires_at = g_get_real_time () / G_USEC_PER_SEC + (gint64)seconds;
    }

  return TRUE;
}

/* The keyring's copy ---------------------------------------------------------------------- */

char *
_confab_mcp_oauth_token_serialize (const ConfabMcpOAuthToken *token)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

#define ADD_STRING(name, value) \
  if ((value) != NULL) \
    { \
      json_builder_set_member_name (builder, name); \
      json_builder_add_string_value (builder, value); \
    }

  json_builder_begin_object (builder);
  ADD_STRING ("access_token", token->access_token);
  ADD_STRING ("refresh_token", token->refresh_token);
  ADD_STRING ("scope", token->scope);
  ADD_STRING ("client_id", token->client_id);
  ADD_STRING ("client_secret", token->client_secret);
  ADD_STRING ("token_endpoint_auth_method", token->auth_method);
  ADD_STRING ("token_endpoint", token->token_endpoint);
  ADD_STRING ("resource", token->resource);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, token->expires_at);
  json_builder_end_object (builder);

#undef ADD_STRING

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

ConfabMcpOAuthToken *
_confab_mcp_oauth_token_deserialize (const char *data)
{
  g_autoptr(JsonObject) object = NULL;
  ConfabMcpOAuthToken *token;
  JsonNode *expires_at;

  object = parse_object (data, strlen (data), "", NULL);
  if (object == NULL || get_string (object, "access_token") == NULL)
    return NULL;

  token = g_new0 (ConfabMcpOAuthToken, 1);
  token->access_token = g_strdup (get_string (object, "access_token"));
  token->refresh_token = g_strdup (get_string (object, "refresh_token"));
  token->scope = g_strdup (get_string (object, "scope"));
  token->client_id = g_strdup (get_string (object, "client_id"));
  token->client_secret = g_strdup (get_string (object, "client_secret"));
  token->auth_method = g_strdup (get_string (object, "token_endpoint_auth_method"));
  token->token_endpoint = g_strdup (get_string (object, "token_endpoint"));
  token->resource = g_strdup (get_string (object, "resource"));
  expires_at = json_object_get_member (object, "expires_at");
  if (expires_at != NULL && JSON_NODE_HOLDS_VALUE (expires_at) &&
      json_node_get_value_type (expires_at) == G_TYPE_INT64)
    token->expires_at = json_node_get_int (expires_at);

  return token;
}
