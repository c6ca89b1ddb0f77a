/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mcp-oauth"

/* OAuth 2.1 for remote MCP servers, end to end on 127.0.0.1: a fake MCP server that wants a
 * bearer token (protected resource metadata, RFC 9728) and a fake authorization server
 * (RFC 8414 metadata, dynamic registration, an authorization endpoint that consents at once,
 * a token endpoint that checks PKCE), both SoupServers. The "browser" loads the
 * authorization URL and follows its redirect to Confab's loopback listener. Tokens go to a
 * keyring of the test's own (gnome-keyring-daemon on a private bus), never to a file. */

#define _GNU_SOURCE
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confab-error.h"
#include "confab-mcp-config.h"
#include "confab-mcp-secrets.h"
#include "confab-mcp-oauth.h"
#include "confab-mcp-server.h"

#include "confab-replay-server.h"
#include "confab-test-util.h"

#include "../ui/panels-keyring.h"
#include "mcp-oauth-fake.h"

static PanelsKeyring keyring;

/* The browser and the client ------------------------------------------------------------- */

/* A user who consents at once: load the page and follow the redirect home. */
static void
open_page (const char *server_name,
           const char *uri,
           gpointer    user_data)
{
  g_assert_cmpstr (server_name, ==, "remote");
  browser_open_page (server_name, uri, user_data);
}

/* Waits for the result confab_test_store_result_cb() puts in *@slot. (transfer full) */
static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  return confab_test_wait_result (slot, WAIT_SECONDS * 1000);
}

static gboolean
start (ConfabMcpServer  *server,
       GError          **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  confab_mcp_server_start_async (server, NULL, confab_test_store_result_cb, &slot);
  result = wait_result (&slot);
  return confab_mcp_server_start_finish (server, result, error);
}

static JsonNode *
call_echo (ConfabMcpServer  *server,
           GError          **error)
{
  g_autoptr(JsonNode) arguments = json_from_string ("{}", NULL);
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  confab_mcp_server_call_tool_async (server, "echo", arguments, NULL, confab_test_store_result_cb, &slot);
  result = wait_result (&slot);
  return confab_mcp_server_call_tool_finish (server, result, error);
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
  g_auto(Browser) browser = { soup_session_new (), 0 };
  const char *dirs[] = { g_get_user_config_dir (), g_get_user_data_dir (),
                         g_get_user_cache_dir (), g_get_user_state_dir (), g_get_home_dir () };

  if (panels_keyring_skip (&keyring))
    return;

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
}

static gboolean
has_token (ConfabMcpOAuth *oauth)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean has;

  confab_mcp_oauth_has_token_async (oauth, NULL, confab_test_store_result_cb, &slot);
  result = wait_result (&slot);
  has = confab_mcp_oauth_has_token_finish (oauth, result, &error);
  g_assert_no_error (error);
  return has;
}

/* Sign Out (as Preferences does it, with an OAuth object of its own for the server's URL)
 * forgets the token in the keyring; the next start has to sign in again. */
static void
test_sign_out (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(ConfabMcpServer) later = NULL;
  g_autoptr(ConfabMcpOAuth) oauth = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_auto(Browser) browser = { soup_session_new (), 0 };
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  if (panels_keyring_skip (&keyring))
    return;

  fake = fake_new ();
  server = new_server (fake, &browser);
  g_assert_true (start (server, &error));
  g_assert_no_error (error);
  confab_mcp_server_stop (server);
  stored = keyring_item (fake->mcp_url);
  g_assert_nonnull (stored);

  oauth = confab_mcp_oauth_new ("remote", fake->mcp_url);
  g_assert_true (has_token (oauth));
  confab_mcp_oauth_sign_out_async (oauth, NULL, confab_test_store_result_cb, &slot);
  result = wait_result (&slot);
  g_assert_true (confab_mcp_oauth_sign_out_finish (oauth, result, &error));
  g_assert_no_error (error);

  g_assert_null (keyring_item (fake->mcp_url));
  g_assert_false (has_token (oauth));

  /* Nobody to ask: the server now needs a sign-in. */
  later = new_server (fake, NULL);
  g_assert_false (start (later, &error));
  g_assert_nonnull (strstr (error->message, "needs you to sign in"));
  g_assert_true (confab_mcp_oauth_get_needs_sign_in (confab_mcp_server_get_oauth (later)));
}

/* confab-cli mcp sign-out URL does the same from the terminal. */
static void
test_cli_sign_out (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(ConfabCliResult) first = NULL;
  g_autoptr(ConfabCliResult) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_auto(Browser) browser = { soup_session_new (), 0 };

  if (panels_keyring_skip (&keyring))
    return;

  fake = fake_new ();
  server = new_server (fake, &browser);
  g_assert_true (start (server, &error));
  confab_mcp_server_stop (server);
  stored = keyring_item (fake->mcp_url);
  g_assert_nonnull (stored);

  first = confab_test_run_cli ((const char *[]) { "mcp", "sign-out", fake->mcp_url, NULL }, NULL, NULL,
                               WAIT_SECONDS * 1000);
  g_test_message ("stdout:\n%s\nstderr:\n%s", first->stdout_text, first->stderr_text);
  g_assert_cmpint (first->exit_status, ==, 0);
  g_assert_nonnull (strstr (first->stdout_text, "Signed out of"));
  g_assert_null (keyring_item (fake->mcp_url));

  again = confab_test_run_cli ((const char *[]) { "mcp", "sign-out", fake->mcp_url, NULL }, NULL, NULL,
                               WAIT_SECONDS * 1000);
  g_assert_cmpint (again->exit_status, ==, 0);
  g_assert_nonnull (strstr (again->stdout_text, "No sign-in to forget"));
}

static const SecretSchema header_schema = {
  "io.github.confab.Confab.McpHeader", SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "header", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

/* mcp.json names a pre-registered client, its secret in the keyring: no registration, the
 * client's ID at the authorization endpoint, its secret at the token endpoint. */
static void
test_pre_registered_client (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpConfig) config = NULL;
  g_autoptr(ConfabMcpServerConfig) entry = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *file = NULL;
  g_auto(Browser) browser = { soup_session_new (), 0 };

  if (panels_keyring_skip (&keyring))
    return;

  fake = fake_new ();
  dir = g_dir_make_tmp ("confab-mcp-oauth-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "mcp.json", NULL);
  json = g_strdup_printf ("{\"mcpServers\": {\"remote\": {\"url\": \"%s\", \"oauth\": "
                          "{\"clientId\": \"confab-test-client\", \"clientSecret\": {\"secret\": true}}}}}",
                          fake->mcp_url);
  g_assert_true (g_file_set_contents (path, json, -1, &error));
  g_assert_true (secret_password_store_sync (&header_schema, SECRET_COLLECTION_DEFAULT, "client secret",
                                             "s3cret-value", NULL, &error,
                                             "server", "remote", "header", CONFAB_MCP_SECRET_OAUTH_CLIENT, NULL));
  g_assert_no_error (error);

  config = confab_mcp_config_new (path);
  g_assert_true (confab_mcp_config_load (config, &error));
  entry = confab_mcp_config_get_server (config, "remote", &error);
  g_assert_no_error (error);
  server = confab_mcp_config_create_server (config, entry, &error);
  g_assert_no_error (error);
  confab_mcp_oauth_set_open_func (confab_mcp_server_get_oauth (server), open_page, &browser, NULL);

  g_assert_true (start (server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake->registrations, ==, 0);
  g_assert_cmpuint (fake->code_grants, ==, 1);
  g_assert_nonnull (fake->client_auth);
  /* client_secret_basic (base64 of "confab-test-client:s3cret-value") or _post. */
  g_assert_true (g_strcmp0 (fake->client_auth, "s3cret-value") == 0 ||
                 g_strcmp0 (fake->client_auth, "Basic Y29uZmFiLXRlc3QtY2xpZW50OnMzY3JldC12YWx1ZQ==") == 0);

  file = NULL;
  g_assert_true (g_file_get_contents (path, &file, NULL, NULL));
  g_assert_null (strstr (file, "s3cret-value"));

  confab_mcp_server_stop (server);
  forget (fake->mcp_url);
  secret_password_clear_sync (&header_schema, NULL, NULL, "server", "remote",
                              "header", CONFAB_MCP_SECRET_OAUTH_CLIENT, NULL);
  g_unlink (path);
  g_rmdir (dir);
}

/* A later start (another server object, no way to ask the user) uses the keyring's token. */
static void
test_stored_token_is_used (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) first = NULL;
  g_autoptr(ConfabMcpServer) second = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Browser) browser = { soup_session_new (), 0 };

  if (panels_keyring_skip (&keyring))
    return;

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
  g_auto(Browser) browser = { soup_session_new (), 0 };

  if (panels_keyring_skip (&keyring))
    return;

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
}

/* A sign-in that fails: a clear error, and nothing stored. */
typedef struct
{
  AuthorizeMode  authorize_mode;
  gboolean       refuse_code;
  const char    *says[2];       /* in the error's message */
  guint          code_grants;
  gboolean       server_failed; /* checked only when TRUE */
} FailedSignIn;

/* A redirect whose state is not the one Confab sent: no token asked for. */
static const FailedSignIn wrong_state = {
  .authorize_mode = AUTHORIZE_WRONG_STATE,
  .says = { "wrong state", "no token was stored" },
  .code_grants = 0,
  .server_failed = TRUE,
};

/* The token endpoint refuses the code: its error, readable. */
static const FailedSignIn refused_code = {
  .refuse_code = TRUE,
  .says = { "invalid_grant", "the code is not valid" },
  .code_grants = 1,
};

static void
test_failed_sign_in (gconstpointer data)
{
  const FailedSignIn *failure = data;
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_auto(Browser) browser = { soup_session_new (), 0 };

  if (panels_keyring_skip (&keyring))
    return;

  fake = fake_new ();
  fake->authorize_mode = failure->authorize_mode;
  fake->refuse_code = failure->refuse_code;
  server = new_server (fake, &browser);
  g_assert_false (start (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  for (guint i = 0; i < G_N_ELEMENTS (failure->says); i++)
    g_assert_nonnull (strstr (error->message, failure->says[i]));
  g_assert_cmpuint (fake->code_grants, ==, failure->code_grants);
  if (failure->server_failed)
    g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_FAILED);

  stored = keyring_item (fake->mcp_url);
  g_assert_null (stored);
}

/* Without a way to ask the user, a refused start says the server needs a sign-in; with one
 * set afterwards (the app's "Sign In…"), starting again signs in. */
static void
test_needs_sign_in_then_sign_in (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Browser) browser = { soup_session_new (), 0 };
  ConfabMcpOAuth *oauth;

  if (panels_keyring_skip (&keyring))
    return;

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
}

/* A server that takes no token at all: one sign-in, one refresh, then the error says so;
 * no loop. */
static void
test_refused_after_sign_in (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Browser) browser = { soup_session_new (), 0 };

  if (panels_keyring_skip (&keyring))
    return;

  fake = fake_new ();
  fake->refuse_all = TRUE;
  server = new_server (fake, &browser);
  g_assert_false (start (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "HTTP 401"));
  g_assert_nonnull (strstr (error->message, "still refuses the request after signing in"));
  g_assert_cmpuint (browser.opened, ==, 1);
  g_assert_cmpuint (fake->code_grants, ==, 1);
  g_assert_cmpuint (fake->refresh_grants, ==, 1);
  g_assert_cmpuint (fake->bearers->len, ==, 3);

  forget (fake->mcp_url);
}

/* A 403 without insufficient_scope is a refusal, not a reason to sign in. */
static void
test_forbidden_is_not_a_sign_in (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Browser) browser = { soup_session_new (), 0 };

  fake->forbid = TRUE;
  server = new_server (fake, &browser);
  g_assert_false (start (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "HTTP 403 Forbidden"));
  g_assert_null (strstr (error->message, "sign"));
  g_assert_cmpuint (browser.opened, ==, 0);
  g_assert_false (confab_mcp_oauth_get_needs_sign_in (confab_mcp_server_get_oauth (server)));
}

/* confab-cli ------------------------------------------------------------------------------ */

/* A provider that answers once, without tools. */
static ConfabReplayServer *
new_provider (void)
{
  ConfabReplayServer *provider = confab_replay_server_new ();

  confab_replay_server_add_response (provider, 200, NULL,
                                     "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                                     "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                                     "\"content\":\"Done.\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
                                     CONFAB_REPLAY_NONE);
  return provider;
}

/* Without a terminal nobody can sign in: confab-cli says so at once and goes on. */
static void
test_cli_without_terminal (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabReplayServer) provider = new_provider ();
  g_autoptr(ConfabCliResult) result = NULL;
  const char *args[] = { "--base-url", confab_replay_server_get_base_url (provider), "--model", "m",
                         "--mcp", fake->mcp_url, "Hello", NULL };

  result = confab_test_run_cli (args, NULL, NULL, WAIT_SECONDS * 1000);
  g_test_message ("stderr:\n%s", result->stderr_text);
  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_nonnull (strstr (result->stderr_text, "needs you to sign in"));
  g_assert_null (strstr (result->stderr_text, "Open this address"));
  g_assert_cmpuint (fake->registrations, ==, 0);
}

typedef struct
{
  GDataInputStream *err;
  GString          *text;
  Browser          *browser;
  gboolean          eof;
} CliErr;

static void read_err_line (CliErr *err);

static void
err_line_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  CliErr *err = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                                     result, NULL, NULL);

  if (line == NULL)
    {
      err->eof = TRUE;
      return;
    }

  g_string_append_printf (err->text, "%s\n", line);
  /* The address the user is asked to open: the browser goes there. */
  if (g_str_has_prefix (line, "http://127.0.0.1"))
    open_page ("remote", line, err->browser);
  read_err_line (err);
}

static void
read_err_line (CliErr *err)
{
  g_data_input_stream_read_line_async (err->err, G_PRIORITY_DEFAULT, NULL, err_line_cb, err);
}

/* At a terminal confab-cli prints the address, waits for the browser's redirect, signs in
 * (the token in the keyring) and goes on with the server's tools. */
static void
test_cli_at_terminal_signs_in (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabReplayServer) provider = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(Browser) browser = { soup_session_new (), 0 };
  CliErr err = { NULL, text, &browser, FALSE };
  int master;
  int slave;

  if (panels_keyring_skip (&keyring))
    return;

  fake = fake_new ();
  provider = new_provider ();

  master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_take_stdin_fd (launcher, slave);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CONFAB_CLI"),
                                         "--base-url", confab_replay_server_get_base_url (provider),
                                         "--model", "m", "--mcp", fake->mcp_url, "Hello", NULL);
  g_assert_no_error (error);

  err.err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  read_err_line (&err);
  wait_for (&err.eof);
  g_test_message ("stderr:\n%s", text->str);

  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (text->str, "needs you to sign in. Open this address"));
  g_assert_cmpuint (browser.opened, ==, 1);
  g_assert_cmpuint (fake->code_grants, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fake->bearers, fake->bearers->len - 1), ==, "Bearer access-1");

  stored = keyring_item (fake->mcp_url);
  g_assert_nonnull (stored);
  g_assert_nonnull (strstr (stored, "access-1"));

  g_object_unref (err.err);
  close (master);
  forget (fake->mcp_url);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/mcp-oauth/sign-in", test_sign_in);
  g_test_add_func ("/mcp-oauth/sign-out-forgets-the-token", test_sign_out);
  g_test_add_func ("/mcp-oauth/cli-sign-out", test_cli_sign_out);
  g_test_add_func ("/mcp-oauth/pre-registered-client-from-mcp-json", test_pre_registered_client);
  g_test_add_func ("/mcp-oauth/stored-token-is-used", test_stored_token_is_used);
  g_test_add_func ("/mcp-oauth/refresh", test_refresh);
  g_test_add_data_func ("/mcp-oauth/wrong-state", &wrong_state, test_failed_sign_in);
  g_test_add_data_func ("/mcp-oauth/refused-code", &refused_code, test_failed_sign_in);
  g_test_add_func ("/mcp-oauth/needs-sign-in-then-sign-in", test_needs_sign_in_then_sign_in);
  g_test_add_func ("/mcp-oauth/refused-after-sign-in", test_refused_after_sign_in);
  g_test_add_func ("/mcp-oauth/forbidden-is-not-a-sign-in", test_forbidden_is_not_a_sign_in);
  g_test_add_func ("/mcp-oauth/cli-without-terminal", test_cli_without_terminal);
  g_test_add_func ("/mcp-oauth/cli-at-terminal-signs-in", test_cli_at_terminal_signs_in);

  panels_keyring_start (&keyring, TRUE);
  ret = g_test_run ();
  panels_keyring_stop (&keyring);

  return ret;
}
