/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mcp-config"

/* ConfabMcpConfig, the one reader and writer of mcp.json: typed entries, unknown members
 * kept, renames in place, secret headers, and the server it builds. */

#include <glib/gstdio.h>
#include <string.h>

#include "confab-error.h"
#include "confab-mcp-config.h"
#include "confab-mcp-server.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("confab-mcp-config-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "mcp.json", NULL);
  if (data != NULL)
    {
      g_file_set_contents (f->path, data, -1, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static char *
contents_of (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

#define LOCAL_JSON \
  "{\"mcpServers\": {" \
  "  \"fs\": {\"command\": \"npx\", \"args\": [\"-y\", \"server\", 8080, 1.5, true], \"env\": {\"TOKEN\": \"a b\"}," \
  "          \"timeout\": 30, \"x-comment\": \"mine\"}," \
  "  \"web\": {\"type\": \"http\", \"url\": \"https://example.com/mcp\"," \
  "           \"headers\": {\"X-Team\": \"${TEAM}\", \"Authorization\": {\"secret\": true}}}," \
  "  \"off\": {\"command\": \"\", \"disabled\": true}" \
  "}, \"theme\": \"dark\"}"

static void
test_reads_typed_entries (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(ConfabMcpConfig) config = confab_mcp_config_new (f->path);
  g_autoptr(ConfabMcpServerConfig) fs = NULL;
  g_autoptr(ConfabMcpServerConfig) web = NULL;
  g_autoptr(ConfabMcpServerConfig) off = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *line = NULL;

  g_assert_true (confab_mcp_config_load (config, &error));
  g_assert_no_error (error);

  names = confab_mcp_config_dup_names (config);
  g_assert_cmpstrv (names, ((const char *[]) { "fs", "web", "off", NULL }));

  fs = confab_mcp_config_get_server (config, "fs", &error);
  g_assert_no_error (error);
  g_assert_false (confab_mcp_server_config_is_remote (fs));
  g_assert_cmpstr (fs->command, ==, "npx");
  /* Numbers (and booleans) in "args" are passed as their JSON text. */
  g_assert_cmpstrv (fs->args, ((const char *[]) { "-y", "server", "8080", "1.5", "true", NULL }));
  g_assert_cmpstrv (fs->env, ((const char *[]) { "TOKEN=a b", NULL }));
  g_assert_cmpuint (fs->timeout, ==, 30);
  line = confab_mcp_server_config_dup_command_line (fs);
  g_assert_cmpstr (line, ==, "npx -y server 8080 1.5 true");

  web = confab_mcp_config_get_server (config, "web", &error);
  g_assert_no_error (error);
  g_assert_true (confab_mcp_server_config_is_remote (web));
  g_assert_cmpstr (web->url, ==, "https://example.com/mcp");
  /* ${NAME} stays as written until a server is built. */
  g_assert_cmpstrv (web->headers, ((const char *[]) { "X-Team: ${TEAM}", NULL }));
  g_assert_cmpstrv (web->secret_headers, ((const char *[]) { "Authorization", NULL }));

  off = confab_mcp_config_get_server (config, "off", &error);
  g_assert_no_error (error);
  g_assert_true (off->disabled);
}

static void
test_save_keeps_unknown_members (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(ConfabMcpConfig) config = confab_mcp_config_new (f->path);
  g_autoptr(ConfabMcpConfig) again = confab_mcp_config_new (f->path);
  g_autoptr(ConfabMcpServerConfig) fs = NULL;
  g_autoptr(ConfabMcpServerConfig) web = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) names = NULL;
  GStatBuf st;

  g_assert_true (confab_mcp_config_load (config, &error));
  fs = confab_mcp_config_get_server (config, "fs", &error);
  g_assert_no_error (error);

  /* A rename keeps the entry's place and what Confab does not know. */
  g_free (fs->name);
  fs->name = g_strdup ("files");
  g_assert_true (confab_mcp_config_set_server (config, "fs", fs, &error));
  g_assert_no_error (error);
  g_assert_true (confab_mcp_config_save (config, &error));
  g_assert_no_error (error);

  text = contents_of (f->path);
  g_assert_nonnull (strstr (text, "\"x-comment\" : \"mine\""));
  g_assert_nonnull (strstr (text, "\"theme\" : \"dark\""));
  g_assert_nonnull (strstr (text, "\"secret\" : true"));
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (confab_mcp_config_load (again, &error));
  names = confab_mcp_config_dup_names (again);
  g_assert_cmpstrv (names, ((const char *[]) { "files", "web", "off", NULL }));
  web = confab_mcp_config_get_server (again, "web", &error);
  g_assert_cmpstrv (web->secret_headers, ((const char *[]) { "Authorization", NULL }));

  /* A name another server has is refused. */
  g_free (web->name);
  web->name = g_strdup ("off");
  g_assert_false (confab_mcp_config_set_server (again, "web", web, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
}

static void
test_builds_the_server (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ConfabMcpConfig) config = confab_mcp_config_new (f->path);
  g_autoptr(ConfabMcpServerConfig) fs = NULL;
  g_autoptr(ConfabMcpServerConfig) web = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(ConfabMcpServer) remote = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_mcp_config_load (config, &error));
  fs = confab_mcp_config_get_server (config, "fs", &error);
  server = confab_mcp_config_create_server (config, fs, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (confab_mcp_server_get_argv (server),
                    ((const char *[]) { "npx", "-y", "server", "8080", "1.5", "true", NULL }));
  g_assert_cmpuint (confab_mcp_server_get_call_timeout (server), ==, 30);

  /* ${TEAM} is not set: the error names the file, the server and the variable. */
  g_unsetenv ("TEAM");
  web = confab_mcp_config_get_server (config, "web", &error);
  g_assert_null (confab_mcp_config_create_server (config, web, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "${TEAM}"));
  g_clear_error (&error);

  g_setenv ("TEAM", "alpha", TRUE);
  remote = confab_mcp_config_create_server (config, web, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (confab_mcp_server_get_headers (remote), ((const char *[]) { "X-Team: alpha", NULL }));
  g_assert_cmpuint (confab_mcp_server_get_call_timeout (remote), ==, CONFAB_MCP_DEFAULT_CALL_TIMEOUT);
}

static void
test_unreadable_file_is_never_overwritten (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(ConfabMcpConfig) config = confab_mcp_config_new (f->path);
  g_autoptr(ConfabMcpServerConfig) entry = confab_mcp_server_config_new ("new");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_false (confab_mcp_config_load (config, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
  g_clear_error (&error);

  g_assert_false (confab_mcp_config_set_server (config, NULL, entry, &error));
  g_clear_error (&error);
  g_assert_false (confab_mcp_config_save (config, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);

  text = contents_of (f->path);
  g_assert_cmpstr (text, ==, "{\"mcpServers\": [1, 2");
}

static void
test_bad_entries_say_what_is_wrong (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(ConfabMcpConfig) config = confab_mcp_config_new (f->path);
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_mcp_config_load (config, &error));

  g_assert_null (confab_mcp_config_get_server (config, "args", &error));
  g_assert_nonnull (strstr (error->message, "“args” of server “args”"));
  g_clear_error (&error);
  g_assert_null (confab_mcp_config_get_server (config, "timeout", &error));
  g_assert_nonnull (strstr (error->message, "“timeout” of server “timeout”"));
  g_clear_error (&error);
  g_assert_null (confab_mcp_config_get_server (config, "sse", &error));
  g_assert_nonnull (strstr (error->message, "“sse”"));
}

#define OAUTH_JSON \
  "{\"mcpServers\": {" \
  "  \"corp\": {\"url\": \"https://mcp.example.com/\"," \
  "            \"oauth\": {\"clientId\": \"confab-desktop\", \"clientSecret\": {\"secret\": true}, \"callbackPort\": 8123}}," \
  "  \"public\": {\"url\": \"https://public.example.com/\", \"oauth\": {\"clientId\": \"pub\"}}," \
  "  \"plain\": {\"url\": \"https://plain.example.com/\", \"oauth\": {\"clientSecret\": \"hunter2\"}}," \
  "  \"shape\": {\"url\": \"https://shape.example.com/\", \"oauth\": \"yes\"}" \
  "}}"

/* A pre-registered OAuth client: read, written back (the secret only as {"secret": true},
 * other members kept), changed and removed; a secret written in the file is refused. */
static void
test_oauth_client_round_trip (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(ConfabMcpConfig) config = confab_mcp_config_new (f->path);
  g_autoptr(ConfabMcpConfig) again = confab_mcp_config_new (f->path);
  g_autoptr(ConfabMcpServerConfig) corp = NULL;
  g_autoptr(ConfabMcpServerConfig) pub = NULL;
  g_autoptr(ConfabMcpServerConfig) corp_again = NULL;
  g_autoptr(ConfabMcpServerConfig) pub_again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (confab_mcp_config_load (config, &error));
  corp = confab_mcp_config_get_server (config, "corp", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (corp->oauth_client_id, ==, "confab-desktop");
  g_assert_true (corp->oauth_client_secret);
  pub = confab_mcp_config_get_server (config, "public", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pub->oauth_client_id, ==, "pub");
  g_assert_false (pub->oauth_client_secret);

  g_assert_null (confab_mcp_config_get_server (config, "plain", &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "belongs in the keyring"));
  g_assert_null (strstr (error->message, "hunter2"));
  g_clear_error (&error);
  g_assert_null (confab_mcp_config_get_server (config, "shape", &error));
  g_assert_nonnull (strstr (error->message, "“oauth” of server “shape” is not an object"));
  g_clear_error (&error);

  /* Written back unchanged; then the public client gets a secret and corp loses its client. */
  g_assert_true (confab_mcp_config_set_server (config, "corp", corp, &error));
  g_assert_true (confab_mcp_config_save (config, &error));
  g_assert_no_error (error);
  text = contents_of (f->path);
  g_assert_nonnull (strstr (text, "\"clientId\" : \"confab-desktop\""));
  g_assert_nonnull (strstr (text, "\"callbackPort\" : 8123"));

  pub->oauth_client_secret = TRUE;
  g_assert_true (confab_mcp_config_set_server (config, "public", pub, &error));
  g_clear_pointer (&corp->oauth_client_id, g_free);
  g_assert_true (confab_mcp_config_set_server (config, "corp", corp, &error));
  g_assert_true (confab_mcp_config_save (config, &error));
  g_assert_no_error (error);

  g_assert_true (confab_mcp_config_load (again, &error));
  corp_again = confab_mcp_config_get_server (again, "corp", &error);
  g_assert_no_error (error);
  g_assert_null (corp_again->oauth_client_id);
  g_assert_false (corp_again->oauth_client_secret);
  pub_again = confab_mcp_config_get_server (again, "public", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pub_again->oauth_client_id, ==, "pub");
  g_assert_true (pub_again->oauth_client_secret);

  g_clear_pointer (&text, g_free);
  text = contents_of (f->path);
  /* corp's unknown member stays, its client is gone; no secret value anywhere. */
  g_assert_nonnull (strstr (text, "\"callbackPort\" : 8123"));
  g_assert_null (strstr (text, "confab-desktop"));
  g_assert_nonnull (strstr (text, "\"clientSecret\" : {"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, json, func) g_test_add ("/mcp-config/" path, Fixture, json, fixture_set_up, func, fixture_tear_down)
  ADD ("reads-typed-entries", LOCAL_JSON, test_reads_typed_entries);
  ADD ("save-keeps-unknown-members-and-order", LOCAL_JSON, test_save_keeps_unknown_members);
  ADD ("builds-the-server-it-describes", LOCAL_JSON, test_builds_the_server);
  ADD ("unreadable-file-is-never-overwritten", "{\"mcpServers\": [1, 2", test_unreadable_file_is_never_overwritten);
  ADD ("bad-entries-say-what-is-wrong",
       "{\"mcpServers\": {\"args\": {\"command\": \"x\", \"args\": [{}]},"
       " \"timeout\": {\"command\": \"x\", \"timeout\": -1},"
       " \"sse\": {\"type\": \"sse\", \"url\": \"http://x\"}}}",
       test_bad_entries_say_what_is_wrong);
  ADD ("oauth-client-round-trip", OAUTH_JSON, test_oauth_client_round_trip);
#undef ADD

  return g_test_run ();
}
