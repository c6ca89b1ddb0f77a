/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mcp-oauth"

/* OAuth 2.1 for remote MCP servers, end to end on 127.0.0.1: a fake MCP server that wants a
 * bearer token (protected resource metadata, RFC 9728) and a fake authorization server
 * (RFC 8414 metadata, dynamic registration, an authorization endpoint that consents at once,
 * a token endpoint that checks PKCE), both SoupServers. The "browser" loads the
 * authorization URL and follows its redirect to Confab's loopback listener. Tokens go to a
 * keyring of the test's own (gnome-keyring-daemon on a private bus), never to a file. */

#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>
#include <string.h>

#include "confab-error.h"
#include "confab-mcp-oauth.h"
#include "confab-mcp-server.h"

#include "../ui/panels-keyring.h"

#define WAIT_SECONDS 15

static PanelsKeyring keyring;

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
} Fake;

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;
  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@done, failing after WAIT_SECONDS. */
static void
wait_for (gboolean *done)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (WAIT_SECONDS, timeout_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (id);
}

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static char *
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

static void
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
  expected = fake->valid_token ? g_strconcat ("Bearer ", fake->valid_token, NULL) : NULL;
  if (expected == NULL || g_strcmp0 (authorization, expected) != 0)
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

static void
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

static void
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

static char *
listen (SoupServer *server)
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

static Fake *
fake_new (void)
{
  Fake *fake = g_new0 (Fake, 1);
  g_autofree char *mcp_origin = NULL;

  fake->bearers = g_ptr_array_new_with_free_func (g_free);
  fake->mcp = soup_server_new (NULL, NULL);
  fake->auth = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->mcp, NULL, mcp_handler, fake, NULL);
  soup_server_add_handler (fake->auth, NULL, auth_handler, fake, NULL);
  mcp_origin = listen (fake->mcp);
  fake->mcp_url = g_strconcat (mcp_origin, "/mcp", NULL);
  fake->auth_url = listen (fake->auth);
  return fake;
}

static void
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
  g_free (fake->valid_token);
  g_free (fake->refresh_token);
  g_ptr_array_unref (fake->bearers);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

/* The browser and the client ------------------------------------------------------------- */

typedef struct
{
  SoupSession *session;
  guint        opened;
} Browser;

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, NULL);
}

/* A user who consents at once: load the page and follow the redirect home. */
static void
open_page (const char *server_name,
           const char *uri,
           gpointer    user_data)
{
  Browser *browser = user_data;
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);

  g_assert_cmpstr (server_name, ==, "remote");
  browser->opened++;
  soup_session_send_and_read_async (browser->session, msg, G_PRIORITY_DEFAULT, NULL, loaded_cb, NULL);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
  JsonNode *result;
} Wait;

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = confab_mcp_server_start_finish (CONFAB_MCP_SERVER (object), result, &wait->error);
  wait->done = TRUE;
}

static gboolean
start (ConfabMcpServer  *server,
       GError          **error)
{
  Wait wait = { 0 };

  confab_mcp_server_start_async (server, NULL, started_cb, &wait);
  wait_for (&wait.done);
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.ok;
}

static void
called_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = confab_mcp_server_call_tool_finish (CONFAB_MCP_SERVER (object), result, &wait->error);
  wait->done = TRUE;
}

static JsonNode *
call_echo (ConfabMcpServer  *server,
           GError          **error)
{
  g_autoptr(JsonNode) arguments = json_from_string ("{}", NULL);
  Wait wait = { 0 };

  confab_mcp_server_call_tool_async (server, "echo", arguments, NULL, called_cb, &wait);
  wait_for (&wait.done);
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.result;
}

static ConfabMcpServer *
new_server (Fake    *fake,
            Browser *browser)
{
  ConfabMcpServer *server = confab_mcp_server_new_for_url ("remote", fake->mcp_url, NULL);

  if (browser != NULL)
    confab_mcp_oauth_set_open_func (confab_mcp_server_get_oauth (server), open_page, browser, NULL);
  return server;
}

/* The keyring ------------------------------------------------------------------------- */

static const SecretSchema oauth_schema = {
  "io.github.confab.Confab.McpOAuth", SECRET_SCHEMA_NONE,
  {
    { "server-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

/* What the keyring holds for @url (NULL for nothing). */
static char *
keyring_item (const char *url)
{
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_sync (&oauth_schema, NULL, &error, "server-url", url, NULL);
  g_assert_no_error (error);
  return secret;
}

static gboolean
skip_without_keyring (void)
{
  if (keyring.daemon != NULL)
    return FALSE;

  g_test_skip (keyring.skip_reason);
  return TRUE;
}

/* TRUE when a file under @path holds @needle. */
static gboolean
tree_contains (const char *path,
               const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      return g_file_get_contents (path, &contents, &len, NULL) &&
             g_strstr_len (contents, len, needle) != NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK) && tree_contains (child, needle))
        return TRUE;
    }

  return FALSE;
}

static void
forget (const char *url)
{
  secret_password_clear_sync (&oauth_schema, NULL, NULL, "server-url", url, NULL);
}

/* Tests --------------------------------------------------------------------------------- */

/* The whole flow: 401, discovery, registration, the browser, PKCE, the token; the request
 * goes again with it; the token is in the keyring and in no file. */
static void
test_sign_in (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *expected_key = NULL;
  Browser browser = { soup_session_new (), 0 };
  const char *dirs[] = { g_get_user_config_dir (), g_get_user_data_dir (),
                         g_get_user_cache_dir (), g_get_user_state_dir (), g_get_home_dir () };

  if (skip_without_keyring ())
    {
      g_object_unref (browser.session);
      return;
    }

  fake = fake_new ();
  server = new_server (fake, &browser);
  g_assert_true (start (server, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (browser.opened, ==, 1);
  g_assert_cmpuint (fake->registrations, ==, 1);
  g_assert_cmpuint (fake->code_grants, ==, 1);
  g_assert_cmpstr (fake->resource, ==, fake->mcp_url);
  g_assert_cmpstr (g_ptr_array_index (fake->bearers, 0), ==, "");
  g_assert_cmpstr (g_ptr_array_index (fake->bearers, 1), ==, "Bearer access-1");
  g_assert_cmpuint (g_list_model_get_n_items (confab_mcp_server_get_tools (server)), ==, 1);
  g_assert_false (confab_mcp_oauth_get_needs_sign_in (confab_mcp_server_get_oauth (server)));

  result = call_echo (server, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  stored = keyring_item (fake->mcp_url);
  g_assert_nonnull (stored);
  g_assert_nonnull (strstr (stored, "\"access_token\":\"access-1\""));
  g_assert_nonnull (strstr (stored, "\"refresh_token\":\"refresh-1\""));
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_assert_false (tree_contains (dirs[i], "access-1"));
      g_assert_false (tree_contains (dirs[i], "refresh-1"));
    }

  confab_mcp_server_stop (server);
  forget (fake->mcp_url);
  g_object_unref (browser.session);
}

/* A later start (another server object, no way to ask the user) uses the keyring's token. */
static void
test_stored_token_is_used (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) first = NULL;
  g_autoptr(ConfabMcpServer) second = NULL;
  g_autoptr(GError) error = NULL;
  Browser browser = { soup_session_new (), 0 };

  if (skip_without_keyring ())
    {
      g_object_unref (browser.session);
      return;
    }

  fake = fake_new ();
  first = new_server (fake, &browser);
  g_assert_true (start (first, &error));
  confab_mcp_server_stop (first);

  second = new_server (fake, NULL);
  g_assert_true (start (second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (browser.opened, ==, 1);
  g_assert_cmpuint (fake->code_grants, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fake->bearers, fake->bearers->len - 1), ==, "Bearer access-1");

  confab_mcp_server_stop (second);
  forget (fake->mcp_url);
  g_object_unref (browser.session);
}

/* The server stops taking the token (it expired): the refresh token gets a new one, which
 * replaces the old in the keyring; the user is not asked again. */
static void
test_refresh (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *stored = NULL;
  Browser browser = { soup_session_new (), 0 };

  if (skip_without_keyring ())
    {
      g_object_unref (browser.session);
      return;
    }

  fake = fake_new ();
  server = new_server (fake, &browser);
  g_assert_true (start (server, &error));

  /* The server now wants another token than access-1. */
  g_free (fake->valid_token);
  fake->valid_token = g_strdup ("access-2");
  fake->tokens_issued = 1;

  result = call_echo (server, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpuint (fake->refresh_grants, ==, 1);
  g_assert_cmpuint (browser.opened, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fake->bearers, fake->bearers->len - 1), ==, "Bearer access-2");

  stored = keyring_item (fake->mcp_url);
  g_assert_nonnull (strstr (stored, "\"access_token\":\"access-2\""));
  g_assert_nonnull (strstr (stored, "\"refresh_token\":\"refresh-2\""));

  confab_mcp_server_stop (server);
  forget (fake->mcp_url);
  g_object_unref (browser.session);
}

/* A redirect whose state is not the one Confab sent: a clear error, no token asked for,
 * nothing stored. */
static void
test_wrong_state (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  Browser browser = { soup_session_new (), 0 };

  if (skip_without_keyring ())
    {
      g_object_unref (browser.session);
      return;
    }

  fake = fake_new ();
  fake->authorize_mode = AUTHORIZE_WRONG_STATE;
  server = new_server (fake, &browser);
  g_assert_false (start (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "wrong state"));
  g_assert_nonnull (strstr (error->message, "no token was stored"));
  g_assert_cmpuint (fake->code_grants, ==, 0);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_FAILED);

  stored = keyring_item (fake->mcp_url);
  g_assert_null (stored);
  g_object_unref (browser.session);
}

/* The token endpoint refuses the code: its error, readable, and nothing stored. */
static void
test_refused_code (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  Browser browser = { soup_session_new (), 0 };

  if (skip_without_keyring ())
    {
      g_object_unref (browser.session);
      return;
    }

  fake = fake_new ();
  fake->refuse_code = TRUE;
  server = new_server (fake, &browser);
  g_assert_false (start (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "invalid_grant"));
  g_assert_nonnull (strstr (error->message, "the code is not valid"));
  g_assert_cmpuint (fake->code_grants, ==, 1);

  stored = keyring_item (fake->mcp_url);
  g_assert_null (stored);
  g_object_unref (browser.session);
}

/* Without a way to ask the user, a refused start says the server needs a sign-in; with one
 * set afterwards (the app's "Sign In…"), starting again signs in. */
static void
test_needs_sign_in_then_sign_in (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  Browser browser = { soup_session_new (), 0 };
  ConfabMcpOAuth *oauth;

  if (skip_without_keyring ())
    {
      g_object_unref (browser.session);
      return;
    }

  fake = fake_new ();
  server = new_server (fake, NULL);
  oauth = confab_mcp_server_get_oauth (server);
  g_assert_false (start (server, &error));
  g_assert_nonnull (strstr (error->message, "needs you to sign in"));
  g_assert_true (confab_mcp_oauth_get_needs_sign_in (oauth));
  g_assert_cmpuint (fake->registrations, ==, 0);
  g_clear_error (&error);

  confab_mcp_oauth_set_open_func (oauth, open_page, &browser, NULL);
  g_assert_true (start (server, &error));
  g_assert_no_error (error);
  g_assert_false (confab_mcp_oauth_get_needs_sign_in (oauth));
  g_assert_cmpuint (browser.opened, ==, 1);

  confab_mcp_server_stop (server);
  forget (fake->mcp_url);
  g_object_unref (browser.session);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/mcp-oauth/sign-in", test_sign_in);
  g_test_add_func ("/mcp-oauth/stored-token-is-used", test_stored_token_is_used);
  g_test_add_func ("/mcp-oauth/refresh", test_refresh);
  g_test_add_func ("/mcp-oauth/wrong-state", test_wrong_state);
  g_test_add_func ("/mcp-oauth/refused-code", test_refused_code);
  g_test_add_func ("/mcp-oauth/needs-sign-in-then-sign-in", test_needs_sign_in_then_sign_in);

  panels_keyring_start (&keyring, TRUE);
  ret = g_test_run ();
  panels_keyring_stop (&keyring);

  return ret;
}
