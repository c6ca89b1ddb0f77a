/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A fake remote MCP server that wants a bearer token (protected resource metadata at
 * /.well-known/oauth-protected-resource/mcp) and a fake authorization server (RFC 8414
 * metadata, dynamic registration, an authorization endpoint that consents at once and
 * redirects, a token endpoint that checks PKCE and refreshes), both SoupServers on
 * 127.0.0.1. For tests/integration/test-mcp-oauth.c and tests/ui/test-mcp-sign-in.c. */

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#define WAIT_SECONDS 15

typedef enum {
  AUTHORIZE_GRANT,       /* redirect with the code and the state */
  AUTHORIZE_WRONG_STATE, /* redirect with another state */
} AuthorizeMode;

typedef struct
{
  SoupServer   *mcp;
  SoupServer   *auth;
  char         *mcp_url;
  char         *auth_url;

  AuthorizeMode authorize_mode;
  gboolean      refuse_code;      /* the token endpoint answers invalid_grant */
  gboolean      refuse_all;       /* the MCP server takes no token at all */
  gboolean      forbid;           /* the MCP server answers 403 without a challenge */
  char         *challenge;        /* code_challenge of the last authorization request */
  char         *resource;         /* resource of the last authorization request */
  guint         registrations;
  guint         authorizations;
  guint         code_grants;
  guint         refresh_grants;
  guint         tokens_issued;
  char         *valid_token;      /* the one access token the MCP server takes */
  char         *refresh_token;
  GPtrArray    *bearers;          /* Authorization headers the MCP server saw */
  char         *client_auth;      /* the last code grant's Authorization header, else its client_secret */
} Fake;

static inline gboolean
fake_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;
  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@done, failing after WAIT_SECONDS. */
static inline void
wait_for (gboolean *done)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (WAIT_SECONDS, fake_timeout_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (id);
}

static inline void
reply_json (SoupServerMessage *msg,
            guint              status,
            const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static inline char *
s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  char *text;

  g_checksum_update (checksum, (const guchar *)verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);
  text = g_base64_encode (digest, len);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  if (strchr (text, '=') != NULL)
    *strchr (text, '=') = '\0';
  return text;
}

/* The MCP server ----------------------------------------------------------------------- */

static inline void
mcp_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Fake *fake = user_data;
  const char *authorization;
  g_autofree char *expected = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *answer = NULL;
  SoupMessageBody *request;
  JsonObject *object;
  const char *method;
  gint64 id;

  if (g_str_equal (path, "/.well-known/oauth-protected-resource/mcp"))
    {
      g_autofree char *prm = g_strdup_printf ("{\"resource\":\"%s\",\"authorization_servers\":[\"%s\"],"
                                              "\"scopes_supported\":[\"tools\"]}",
                                              fake->mcp_url, fake->auth_url);
      reply_json (msg, SOUP_STATUS_OK, prm);
      return;
    }

  if (!g_str_equal (path, "/mcp"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (g_str_equal (soup_server_message_get_method (msg), "GET") ||
      g_str_equal (soup_server_message_get_method (msg), "DELETE"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "Authorization");
  g_ptr_array_add (fake->bearers, g_strdup (authorization ? authorization : ""));
  if (fake->forbid)
    {
      reply_json (msg, SOUP_STATUS_FORBIDDEN, "{\"error\":\"forbidden\"}");
      return;
    }

  expected = fake->valid_token ? g_strconcat ("Bearer ", fake->valid_token, NULL) : NULL;
  if (expected == NULL || g_strcmp0 (authorization, expected) != 0 || fake->refuse_all)
    {
      g_autofree char *origin = g_strndup (fake->mcp_url, strlen (fake->mcp_url) - strlen ("/mcp"));
      g_autofree char *challenge = g_strdup_printf ("Bearer error=\"invalid_token\", resource_metadata=\"%s/.well-known/oauth-protected-resource/mcp\"",
                                   origin);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", challenge);
      reply_json (msg, SOUP_STATUS_UNAUTHORIZED, "{\"error\":\"invalid_token\"}");
      return;
    }

  request = soup_server_message_get_request_body (msg);
  body = json_from_string (request->data, NULL);
  g_assert_nonnull (body);
  object = json_node_get_object (body);
  method = json_object_get_string_member_with_default (object, "method", "");
  if (!json_object_has_member (object, "id"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_ACCEPTED, NULL);
      return;
    }
  id = json_object_get_int_member (object, "id");

  if (g_str_equal (method, "initialize"))
    answer = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ",\"result\":{"
                              "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},"
                              "\"serverInfo\":{\"name\":\"fake\",\"version\":\"1\"}}}", id);
  else if (g_str_equal (method, "tools/list"))
    answer = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ",\"result\":{\"tools\":["
                              "{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\"}}]}}", id);
  else if (g_str_equal (method, "tools/call"))
    answer = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ",\"result\":{\"content\":["
                              "{\"type\":\"text\",\"text\":\"echoed\"}]}}", id);
  else
    answer = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ",\"result\":{}}", id);

  reply_json (msg, SOUP_STATUS_OK, answer);
}

/* The authorization server ---------------------------------------------------------------- */

static inline void
issue_token (Fake              *fake,
             SoupServerMessage *msg)
{
  g_autofree char *json = NULL;

  fake->tokens_issued++;
  g_free (fake->valid_token);
  g_free (fake->refresh_token);
  fake->valid_token = g_strdup_printf ("access-%u", fake->tokens_issued);
  fake->refresh_token = g_strdup_printf ("refresh-%u", fake->tokens_issued);
  json = g_strdup_printf ("{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                          "\"refresh_token\":\"%s\"}", fake->valid_token, fake->refresh_token);
  reply_json (msg, SOUP_STATUS_OK, json);
}

static inline void
auth_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Fake *fake = user_data;

  if (g_str_equal (path, "/.well-known/oauth-authorization-server"))
    {
      g_autofree char *json = g_strdup_printf ("{\"issuer\":\"%s\",\"authorization_endpoint\":\"%s/authorize\","
                                               "\"token_endpoint\":\"%s/token\",\"registration_endpoint\":\"%s/register\","
                                               "\"response_types_supported\":[\"code\"],"
                                               "\"code_challenge_methods_supported\":[\"S256\"],"
                                               "\"token_endpoint_auth_methods_supported\":[\"none\"]}",
                                               fake->auth_url, fake->auth_url, fake->auth_url, fake->auth_url);
      reply_json (msg, SOUP_STATUS_OK, json);
    }
  else if (g_str_equal (path, "/register"))
    {
      fake->registrations++;
      reply_json (msg, SOUP_STATUS_CREATED,
                  "{\"client_id\":\"confab-test-client\",\"token_endpoint_auth_method\":\"none\"}");
    }
  else if (g_str_equal (path, "/authorize"))
    {
      const char *redirect = g_hash_table_lookup (query, "redirect_uri");
      const char *state = g_hash_table_lookup (query, "state");
      g_autofree char *location = NULL;
      g_autofree char *escaped = NULL;

      fake->authorizations++;
      g_assert_cmpstr (g_hash_table_lookup (query, "code_challenge_method"), ==, "S256");
      g_assert_cmpstr (g_hash_table_lookup (query, "client_id"), ==, "confab-test-client");
      g_assert_cmpstr (g_hash_table_lookup (query, "scope"), ==, "tools");
      g_assert_true (g_str_has_prefix (redirect, "http://127.0.0.1:"));
      g_free (fake->challenge);
      fake->challenge = g_strdup (g_hash_table_lookup (query, "code_challenge"));
      g_free (fake->resource);
      fake->resource = g_strdup (g_hash_table_lookup (query, "resource"));

      escaped = g_uri_escape_string (fake->authorize_mode == AUTHORIZE_WRONG_STATE ? "forged" : state,
                                     NULL, FALSE);
      location = g_strdup_printf ("%s?code=the-code&state=%s", redirect, escaped);
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
    }
  else if (g_str_equal (path, "/token"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autofree char *text = g_strndup (body->data, body->length);
      g_autoptr(GHashTable) form = soup_form_decode (text);
      const char *grant = g_hash_table_lookup (form, "grant_type");

      g_assert_cmpstr (g_hash_table_lookup (form, "resource"), ==, fake->mcp_url);
      if (g_strcmp0 (grant, "authorization_code") == 0)
        {
          g_autofree char *computed = NULL;

          fake->code_grants++;
          g_free (fake->client_auth);
          fake->client_auth = g_strdup (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                                      "Authorization"));
          if (fake->client_auth == NULL)
            fake->client_auth = g_strdup (g_hash_table_lookup (form, "client_secret"));
          computed = s256 (g_hash_table_lookup (form, "code_verifier"));
          if (fake->refuse_code || g_strcmp0 (g_hash_table_lookup (form, "code"), "the-code") != 0 ||
              g_strcmp0 (computed, fake->challenge) != 0)
            {
              reply_json (msg, SOUP_STATUS_BAD_REQUEST,
                          "{\"error\":\"invalid_grant\",\"error_description\":\"the code is not valid\"}");
              return;
            }
          issue_token (fake, msg);
        }
      else if (g_strcmp0 (grant, "refresh_token") == 0 &&
               g_strcmp0 (g_hash_table_lookup (form, "refresh_token"), fake->refresh_token) == 0)
        {
          fake->refresh_grants++;
          issue_token (fake, msg);
        }
      else
        reply_json (msg, SOUP_STATUS_BAD_REQUEST, "{\"error\":\"invalid_grant\"}");
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static inline char *
fake_listen (SoupServer *server)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  guint port;

  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

static inline Fake *
fake_new (void)
{
  Fake *fake = g_new0 (Fake, 1);
  g_autofree char *mcp_origin = NULL;

  fake->bearers = g_ptr_array_new_with_free_func (g_free);
  fake->mcp = soup_server_new (NULL, NULL);
  fake->auth = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->mcp, NULL, mcp_handler, fake, NULL);
  soup_server_add_handler (fake->auth, NULL, auth_handler, fake, NULL);
  mcp_origin = fake_listen (fake->mcp);
  fake->mcp_url = g_strconcat (mcp_origin, "/mcp", NULL);
  fake->auth_url = fake_listen (fake->auth);
  return fake;
}

static inline void
fake_free (Fake *fake)
{
  soup_server_disconnect (fake->mcp);
  soup_server_disconnect (fake->auth);
  g_object_unref (fake->mcp);
  g_object_unref (fake->auth);
  g_free (fake->mcp_url);
  g_free (fake->auth_url);
  g_free (fake->challenge);
  g_free (fake->resource);
  g_free (fake->client_auth);
  g_free (fake->valid_token);
  g_free (fake->refresh_token);
  g_ptr_array_unref (fake->bearers);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

/* The user's browser, consenting at once: it loads the authorization page and follows the
 * redirect home. */
typedef struct
{
  SoupSession *session;
  guint        opened;
} Browser;

static inline void
browser_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, NULL);
}

/* A ConfabMcpOAuthOpenFunc; @user_data is the Browser. */
static inline void
browser_open_page (const char *server_name,
                   const char *uri,
                   gpointer    user_data)
{
  Browser *browser = user_data;
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);

  browser->opened++;
  soup_session_send_and_read_async (browser->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    browser_loaded_cb, NULL);
}

static inline void
browser_clear (Browser *browser)
{
  g_clear_object (&browser->session);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Browser, browser_clear)
