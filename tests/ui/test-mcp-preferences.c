/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* The Tools page of Preferences and mcp.json: Check runs exactly what the registry runs
 * (ConfabMcpConfig builds both), a remote server's secret header lives in the keyring,
 * never in mcp.json, and reaches the server when it connects, and so does the secret of a
 * pre-registered OAuth client (fake MCP and authorization servers on 127.0.0.1). */

#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "confab-mcp-config.h"
#include "confab-mcp-oauth.h"
#include "confab-mcp-secrets.h"
#include "confab-mcp-server.h"
#include "confab-preferences-window.h"
#include "confab-provider-list.h"
#include "confab-secrets.h"
#include "confab-tool-registry.h"
#include "panels-keyring.h"
#include "panels-test-util.h"
#include "../integration/mcp-oauth-fake.h"

static PanelsKeyring keyring;

typedef struct
{
  ConfabProviderList *providers;
  GtkWidget          *window;
  char               *mcp_path;
} Fixture;

static void
write_mcp_json (const char *path,
                const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
open_window (Fixture *f)
{
  f->providers = confab_provider_list_new (NULL);
  f->window = confab_preferences_window_new_for_providers (NULL, f->providers);
  gtk_window_present (GTK_WINDOW (f->window));
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (f->window), PANELS_TEST_TIMEOUT_MS);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->mcp_path = confab_mcp_config_get_default_path ();
  g_unlink (f->mcp_path);
  if (data != NULL)
    write_mcp_json (f->mcp_path, data);
  open_window (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_destroy (GTK_WINDOW (f->window));
  CONFAB_TEST_WAIT_FOR (f->window == NULL, PANELS_TEST_TIMEOUT_MS);
  g_assert_finalize_object (f->providers);
  g_unlink (f->mcp_path);
  g_free (f->mcp_path);
}

static void
apply_entry (GtkWidget  *row,
             const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

static const char *
status_of (GtkWidget *row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (panels_test_get (row, "status")));
}

static void
check (GtkWidget *row)
{
  GtkWidget *status = panels_test_get (row, "status");

  g_signal_emit_by_name (panels_test_get (status, "check-button"), "clicked");
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_sensitive (panels_test_get (status, "check-button")) &&
                          g_str_has_prefix (status_of (row), "Check: ") &&
                          !g_str_has_suffix (status_of (row), "Starting…"), PANELS_TEST_TIMEOUT_MS);
}

/* Saves what @widget draws as CONFAB_SCREENSHOT_DIR/@name (nothing when it is not set). */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("CONFAB_SCREENSHOT_DIR");
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (dir == NULL || *dir == '\0')
    return;

  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.98, 0.98, 0.98, 1 }, &GRAPHENE_RECT_INIT (0, 0, width, height));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static char *
file_text (const char *path)
{
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents ? contents : g_strdup ("");
}

/* Check ------------------------------------------------------------------------------- */

/* Numbers in "args" are common ("--port", 8080). Check used to build its own command line
 * and drop them: here --name-prefix would lose its value and the server would not start. */
#define NUMERIC_ARGS_JSON \
  "{\"mcpServers\": {\"calc\": {\"command\": \"%s\", \"args\": [\"--tools\", \"add\", \"--name-prefix\", 7]," \
  " \"timeout\": 5, \"x-note\": \"kept\"}}, \"x-other\": true}"

static void
test_check_runs_numeric_args (Fixture       *f,
                              gconstpointer  data)
{
  GtkWidget *row = panels_test_get (panels_test_get (f->window, "mcp_list"), "calc");
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *shown = g_strdup_printf ("%s --tools add --name-prefix 7", g_getenv ("CONFAB_TEST_MCP_SERVER"));

  /* The row shows the number as the argument it is. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (panels_test_get (row, "command"))), ==, shown);

  check (row);
  g_assert_cmpstr (status_of (row), ==, "Check: Ready, 1 tool: 7add");

  /* The registry runs the same command, with the timeout. */
  g_assert_true (confab_tool_registry_load_config (registry, f->mcp_path, &error));
  g_assert_no_error (error);
  server = g_list_model_get_item (confab_tool_registry_get_servers (registry), 0);
  g_assert_cmpstr (confab_mcp_server_get_argv (server)[4], ==, "7");
  g_assert_cmpuint (confab_mcp_server_get_call_timeout (server), ==, 5);

  /* Editing something else keeps what Confab does not know. */
  apply_entry (panels_test_get (row, "env"), "A=1");
  contents = file_text (f->mcp_path);
  g_assert_nonnull (strstr (contents, "\"x-note\" : \"kept\""));
  g_assert_nonnull (strstr (contents, "\"x-other\" : true"));
  g_assert_nonnull (strstr (contents, "\"timeout\" : 5"));
}

/* Remote servers ----------------------------------------------------------------------- */

typedef struct
{
  SoupServer *server;
  char       *url;
  GPtrArray  *authorizations;   /* the Authorization of every POST */
  GPtrArray  *teams;            /* the X-Team of every POST */
} HeadersFake;

static void
fake_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  HeadersFake *fake = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(JsonNode) request = NULL;
  g_autofree char *id = NULL;
  g_autofree char *answer = NULL;
  JsonObject *object;
  const char *method;

  if (!g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      soup_server_message_set_status (msg, g_str_equal (soup_server_message_get_method (msg), "DELETE")
                                             ? SOUP_STATUS_OK : SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  g_ptr_array_add (fake->authorizations,
                   g_strdup (soup_message_headers_get_one (headers, "Authorization") ?: ""));
  g_ptr_array_add (fake->teams, g_strdup (soup_message_headers_get_one (headers, "X-Team") ?: ""));

  request = json_from_string (body->data, NULL);
  g_assert_nonnull (request);
  object = json_node_get_object (request);
  method = json_object_get_string_member_with_default (object, "method", "");

  if (!json_object_has_member (object, "id"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_ACCEPTED, NULL);
      return;
    }

  id = json_to_string (json_object_get_member (object, "id"), FALSE);
  if (g_str_equal (method, "initialize"))
    answer = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"protocolVersion\":\"2025-11-25\","
                              "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"fake\",\"version\":\"1\"}}}", id);
  else if (g_str_equal (method, "tools/list"))
    answer = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"tools\":[{\"name\":\"secret_tool\","
                              "\"inputSchema\":{\"type\":\"object\"}}]}}", id);
  else
    answer = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{}}", id);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, answer, strlen (answer));
}

static void
fake_start (HeadersFake *fake)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  fake->authorizations = g_ptr_array_new_with_free_func (g_free);
  fake->teams = g_ptr_array_new_with_free_func (g_free);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, "/mcp", fake_handler, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fake->server);
  fake->url = g_strdup_printf ("http://127.0.0.1:%d/mcp", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
}

static void
fake_stop (HeadersFake *fake)
{
  soup_server_disconnect (fake->server);
  g_clear_object (&fake->server);
  g_clear_pointer (&fake->url, g_free);
  g_clear_pointer (&fake->authorizations, g_ptr_array_unref);
  g_clear_pointer (&fake->teams, g_ptr_array_unref);
}

static void
header_lookup_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  char **value = user_data;
  g_autoptr(GError) error = NULL;

  *value = confab_mcp_secrets_lookup_finish (result, &error);
  g_assert_no_error (error);
  if (*value == NULL)
    *value = g_strdup ("");
}

static char *
keyring_header (const char *server,
                const char *header)
{
  char *value = NULL;

  confab_mcp_secrets_lookup_async (server, header, NULL, header_lookup_cb, &value);
  CONFAB_TEST_WAIT_FOR (value != NULL, PANELS_TEST_TIMEOUT_MS);

  return value;
}

static gboolean
all_equal (GPtrArray  *values,
           const char *expected)
{
  for (guint i = 0; i < values->len; i++)
    if (g_strcmp0 (values->pdata[i], expected) != 0)
      return FALSE;

  return values->len > 0;
}

static void
test_remote_server_secret_header (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *stored = NULL;
  GtkWidget *row;
  HeadersFake fake = { 0 };

  if (panels_keyring_skip (&keyring))
    return;

  fake_start (&fake);

  gtk_widget_activate_action (f->window, "prefs.add-remote-mcp-server", NULL);
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "remote");
  /* A remote server has a URL and headers, no command. */
  g_assert_false (gtk_widget_get_visible (panels_test_get (row, "command")));
  g_assert_true (gtk_widget_get_visible (panels_test_get (row, "url")));

  apply_entry (panels_test_get (row, "url"), fake.url);
  apply_entry (panels_test_get (row, "headers"), "X-Team: alpha");
  apply_entry (panels_test_get (row, "secret-header"), "Authorization: Bearer tok-0123456789");
  /* The token leaves the entry at once. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (panels_test_get (row, "secret-header"))), ==, "");
  gtk_switch_set_active (GTK_SWITCH (panels_test_get (row, "enabled")), TRUE);

  /* The keyring has the value; mcp.json only says where it is. */
  stored = keyring_header ("remote", "Authorization");
  CONFAB_TEST_WAIT_FOR ((g_free (stored), stored = keyring_header ("remote", "Authorization"),
                           g_str_equal (stored, "Bearer tok-0123456789")), PANELS_TEST_TIMEOUT_MS);
  contents = file_text (f->mcp_path);
  g_assert_null (strstr (contents, "tok-0123456789"));
  g_assert_nonnull (strstr (contents, "\"Authorization\" : {\n"));
  g_assert_nonnull (strstr (contents, "\"secret\" : true"));
  g_assert_nonnull (strstr (contents, "\"X-Team\" : \"alpha\""));
  g_assert_nonnull (strstr (contents, fake.url));

  /* Check connects with the header from the keyring. */
  check (row);
  g_assert_cmpstr (status_of (row), ==, "Check: Ready, 1 tool: secret_tool");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), "tools");
  /* The whole row for the screenshot, without the expanding animation. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (panels_test_get (row, "remove-button")) &&
                          gtk_widget_get_height (panels_test_get (row, "remove-button")) > 0, PANELS_TEST_TIMEOUT_MS);
  panels_test_drain ();
  save_screenshot (f->window, "mcp-preferences-remote.png");
  g_assert_true (all_equal (fake.authorizations, "Bearer tok-0123456789"));
  g_assert_true (all_equal (fake.teams, "alpha"));

  /* And so does the application's registry, from the same file. */
  g_ptr_array_set_size (fake.authorizations, 0);
  g_assert_true (confab_tool_registry_load_config (registry, f->mcp_path, &error));
  g_assert_no_error (error);
  server = g_list_model_get_item (confab_tool_registry_get_servers (registry), 0);
  confab_mcp_server_start_async (server, NULL, NULL, NULL);
  CONFAB_TEST_WAIT_FOR (confab_mcp_server_get_state (server) == CONFAB_MCP_SERVER_STATE_READY ||
                          confab_mcp_server_get_state (server) == CONFAB_MCP_SERVER_STATE_FAILED, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (confab_mcp_server_get_error (server), ==, NULL);
  g_assert_true (all_equal (fake.authorizations, "Bearer tok-0123456789"));
  confab_tool_registry_stop (registry);

  /* Renaming takes the secret along; removing forgets it. */
  apply_entry (panels_test_get (row, "name"), "work");
  CONFAB_TEST_WAIT_FOR ((g_free (stored), stored = keyring_header ("work", "Authorization"),
                           g_str_equal (stored, "Bearer tok-0123456789")), PANELS_TEST_TIMEOUT_MS);
  CONFAB_TEST_WAIT_FOR ((g_free (stored), stored = keyring_header ("remote", "Authorization"),
                           g_str_equal (stored, "")), PANELS_TEST_TIMEOUT_MS);
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "work");
  g_signal_emit_by_name (panels_test_get (row, "remove-button"), "clicked");
  CONFAB_TEST_WAIT_FOR ((g_free (stored), stored = keyring_header ("work", "Authorization"),
                           g_str_equal (stored, "")), PANELS_TEST_TIMEOUT_MS);

  fake_stop (&fake);
}

/* A server added here is off until it has something to run; giving it its first command
 * (or URL) turns it on: it stayed off, and the user was left wondering where its tools were.
 * Turned off by the user, a later edit leaves it off. */
static void
test_first_command_enables (Fixture       *f,
                            gconstpointer  data)
{
  GtkWidget *row, *enabled;
  g_autofree char *contents = NULL;

  gtk_widget_activate_action (f->window, "prefs.add-mcp-server", NULL);
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "server");
  enabled = panels_test_get (row, "enabled");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (enabled)));

  apply_entry (panels_test_get (row, "command"), "true --flag");
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "server");
  enabled = panels_test_get (row, "enabled");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (enabled)));
  g_assert_cmpstr (status_of (row), ==, "Not checked yet");
  contents = file_text (f->mcp_path);
  g_assert_null (strstr (contents, "\"disabled\""));

  gtk_switch_set_active (GTK_SWITCH (enabled), FALSE);
  apply_entry (panels_test_get (row, "command"), "true --other");
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "server");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (panels_test_get (row, "enabled"))));

  /* A remote one, when its URL is filled in. */
  gtk_widget_activate_action (f->window, "prefs.add-remote-mcp-server", NULL);
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "remote");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (panels_test_get (row, "enabled"))));
  apply_entry (panels_test_get (row, "url"), "http://127.0.0.1:9/mcp");
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "remote");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (panels_test_get (row, "enabled"))));
}

/* A secret header the keyring does not have fails the server with a message that says so. */
static void
test_missing_secret_is_reported (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;

  if (panels_keyring_skip (&keyring))
    return;

  write_mcp_json (f->mcp_path, "{\"mcpServers\": {\"nokey\": {\"type\": \"http\", \"url\": \"http://127.0.0.1:9/mcp\","
                               " \"headers\": {\"Authorization\": {\"secret\": true}}}}}");
  g_assert_true (confab_tool_registry_load_config (registry, f->mcp_path, &error));
  g_assert_no_error (error);
  server = g_list_model_get_item (confab_tool_registry_get_servers (registry), 0);
  confab_mcp_server_start_async (server, NULL, NULL, NULL);
  CONFAB_TEST_WAIT_FOR (confab_mcp_server_get_state (server) == CONFAB_MCP_SERVER_STATE_FAILED, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (confab_mcp_server_get_error (server), ==,
                   "MCP server “nokey”: the keyring holds no value for its header “Authorization”");
}

/* The headers row and the Secret Header row take and show headers the same way, as HTTP
 * writes them ("Name: value"); mcp.json keeps its object of headers. */
#define HEADERS_JSON \
  "{\"mcpServers\": {\"web\": {\"url\": \"http://127.0.0.1:9/mcp\"," \
  " \"headers\": {\"X-Team\": \"alpha\", \"X-Note\": \"two words\", \"X-Odd\": \"a: b\"}}}}"

/* The value of header @name of server "web" in mcp.json, or NULL. */
static char *
header_in_file (const char *path,
                const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *headers;

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  headers = json_object_get_object_member (json_object_get_object_member (
              json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                             "mcpServers"), "web"), "headers");
  if (headers == NULL || !json_object_has_member (headers, name))
    return NULL;
  return g_strdup (json_object_get_string_member (headers, name));
}

static void
test_headers_form (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *row = panels_test_get (panels_test_get (f->window, "mcp_list"), "web");
  GtkWidget *headers = panels_test_get (row, "headers");
  const char *headers_title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (headers));
  const char *secret_title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (panels_test_get (row, "secret-header")));
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *before = NULL;

  /* Both hints name the same form. */
  g_assert_nonnull (strstr (headers_title, "Name: value"));
  g_assert_nonnull (strstr (secret_title, "Name: value"));
  g_assert_null (strstr (headers_title, "="));

  /* An existing mcp.json shows in that form (a value that reads as a header is quoted). */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (headers)), ==,
                   "X-Team: alpha X-Note: two words X-Odd: 'a: b'");

  /* What it shows is what it takes back. */
  {
    g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (headers)));
    g_autofree char *team = NULL, *note = NULL, *odd = NULL;

    apply_entry (headers, "X-Team: other");
    apply_entry (headers, text);
    team = header_in_file (f->mcp_path, "X-Team");
    note = header_in_file (f->mcp_path, "X-Note");
    odd = header_in_file (f->mcp_path, "X-Odd");
    g_assert_cmpstr (team, ==, "alpha");
    g_assert_cmpstr (note, ==, "two words");
    g_assert_cmpstr (odd, ==, "a: b");
  }

  /* Typed as HTTP writes it (the first one with a space or without; a colon inside a
   * value, as in a URL, stays in the value). */
  apply_entry (headers, "X-Team:beta Authorization: Bearer tok-1 Referer: https://example.com/a");
  {
    g_autofree char *authorization = header_in_file (f->mcp_path, "Authorization");
    g_autofree char *team = header_in_file (f->mcp_path, "X-Team");
    g_autofree char *note = header_in_file (f->mcp_path, "X-Note");
    g_autofree char *referer = header_in_file (f->mcp_path, "Referer");

    g_assert_cmpstr (authorization, ==, "Bearer tok-1");
    g_assert_cmpstr (referer, ==, "https://example.com/a");
    g_assert_cmpstr (team, ==, "beta");
    g_assert_null (note);
  }
  g_assert_true (confab_tool_registry_load_config (registry, f->mcp_path, &error));
  g_assert_no_error (error);
  server = g_list_model_get_item (confab_tool_registry_get_servers (registry), 0);
  g_assert_nonnull (server);
  gtk_editable_set_text (GTK_EDITABLE (headers), "");
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->providers);
  open_window (f);
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "web");
  headers = panels_test_get (row, "headers");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (headers)), ==, "X-Team: beta Authorization: Bearer tok-1 Referer: https://example.com/a");

  /* The old "Name=value" is not a header: nothing is lost, the file stays as it was. */
  before = file_text (f->mcp_path);
  apply_entry (headers, "X-Team=gamma");
  contents = file_text (f->mcp_path);
  g_assert_cmpstr (contents, ==, before);
}

/* Sign Out ------------------------------------------------------------------------------- */

#define SIGNED_IN_URL "http://127.0.0.1:9/mcp"
#define SIGN_OUT_JSON \
  "{\"mcpServers\": {\"signed\": {\"url\": \"" SIGNED_IN_URL "\"}, \"local\": {\"command\": \"true\"}}}"

static const SecretSchema oauth_schema = {
  "io.github.confab.Confab.McpOAuth", SECRET_SCHEMA_NONE,
  {
    { "server-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static gboolean
keyring_has_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = secret_password_lookup_sync (&oauth_schema, NULL, &error,
                                                         "server-url", SIGNED_IN_URL, NULL);

  g_assert_no_error (error);
  return secret != NULL;
}

/* A remote server with a token in the keyring shows Sign Out, which forgets the token. */
static void
test_sign_out (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *list;
  GtkWidget *row;

  if (panels_keyring_skip (&keyring))
    return;

  /* Stored before the window reads mcp.json again. */
  g_assert_true (secret_password_store_sync (&oauth_schema, SECRET_COLLECTION_DEFAULT, "sign-in",
                                             "{\"access_token\":\"tok-signed-in\"}", NULL, &error,
                                             "server-url", SIGNED_IN_URL, NULL));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->providers);
  open_window (f);

  list = panels_test_get (f->window, "mcp_list");
  g_assert_false (gtk_widget_get_visible (panels_test_get (panels_test_get (list, "local"), "sign-in")));
  row = panels_test_get (list, "signed");
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_visible (panels_test_get (row, "sign-in")), PANELS_TEST_TIMEOUT_MS);

  g_signal_emit_by_name (panels_test_get (row, "sign-out-button"), "clicked");
  CONFAB_TEST_WAIT_FOR (!gtk_widget_get_visible (panels_test_get (row, "sign-in")), PANELS_TEST_TIMEOUT_MS);
  g_assert_false (keyring_has_token ());
}

/* OAuth client -------------------------------------------------------------------------- */

#define CLIENT_SECRET "s3cret-value"

/* A copy of the "oauth" member of mcp.json's entry @server, NULL when it has none. */
static JsonObject *
oauth_in_file (const char *path,
               const char *server)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *servers;
  JsonObject *entry;
  JsonNode *oauth;

  if (!json_parser_load_from_file (parser, path, NULL))
    return NULL;
  servers = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "mcpServers");
  entry = json_object_has_member (servers, server) ? json_object_get_object_member (servers, server) : NULL;
  oauth = entry && json_object_has_member (entry, "oauth") ? json_object_get_member (entry, "oauth") : NULL;

  return oauth ? json_object_ref (json_node_get_object (oauth)) : NULL;
}

/* TRUE when mcp.json's entry @server names its client secret as {"secret": true}. */
static gboolean
file_names_client_secret (const char *path,
                          const char *server)
{
  g_autoptr(JsonObject) oauth = oauth_in_file (path, server);
  JsonObject *secret = oauth && json_object_has_member (oauth, "clientSecret")
                         ? json_object_get_object_member (oauth, "clientSecret") : NULL;

  return secret != NULL && json_object_get_size (secret) == 1 &&
         json_object_get_boolean_member_with_default (secret, "secret", FALSE);
}

static char *
client_secret_in_keyring (const char *server)
{
  return keyring_header (server, CONFAB_MCP_SECRET_OAUTH_CLIENT);
}

static const char *
title_of (GtkWidget *row)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

/* Expands @row and @client and waits until the client's rows are drawn. */
static void
show_client (Fixture   *f,
             GtkWidget *row,
             GtkWidget *client)
{
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), "tools");
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (client), TRUE);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (panels_test_get (client, "oauth-client-secret")) &&
                          gtk_widget_get_height (panels_test_get (client, "oauth-client-secret")) > 0,
                        PANELS_TEST_TIMEOUT_MS);
  panels_test_drain ();
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

/* Waits until @widget's window has drawn a few frames (a new size laid out). */
static void
wait_frames (GtkWidget *widget)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);

  CONFAB_TEST_WAIT_FOR (frames >= 3, PANELS_TEST_TIMEOUT_MS);
  gtk_widget_remove_tick_callback (widget, id);
  panels_test_drain ();
}

/* A phone-sized window: the client's rows and the Forget button still fit. */
static void
check_narrow (Fixture    *f,
              GtkWidget  *row,
              const char *name)
{
  GtkWidget *forget = panels_test_get (row, "oauth-forget-secret");
  graphene_rect_t bounds;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 900);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_width (f->window) <= 400, PANELS_TEST_TIMEOUT_MS);
  /* The client's rows, not the page's top. */
  gtk_widget_grab_focus (panels_test_get (row, "oauth-client-id"));
  wait_frames (f->window);

  g_assert_true (gtk_widget_compute_bounds (forget, f->window, &bounds));
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (f->window));
  save_screenshot (f->window, name);
}

/* A remote server's pre-registered client, edited in Preferences: the ID in mcp.json, the
 * secret in the keyring (the file only says {"secret": true}); the next sign-in uses the
 * client (no registration, the secret at the token endpoint); reopened, the window shows the
 * ID and that a secret is set, never the secret; Forget drops the secret, an empty ID the
 * whole client; renaming moves the secret, removing forgets it. */
static void
test_oauth_client (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Fake) fake = NULL;
  g_auto(Browser) browser = { soup_session_new (), 0 };
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(JsonObject) oauth = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *stored = NULL;
  GtkWidget *row;
  GtkWidget *client;
  GtkWidget *secret;

  if (panels_keyring_skip (&keyring))
    return;

  fake = fake_new ();
  gtk_widget_activate_action (f->window, "prefs.add-remote-mcp-server", NULL);
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "remote");
  client = panels_test_get (row, "oauth-client");
  secret = panels_test_get (row, "oauth-client-secret");
  apply_entry (panels_test_get (row, "url"), fake->mcp_url);
  gtk_switch_set_active (GTK_SWITCH (panels_test_get (row, "enabled")), TRUE);

  /* No client ID: dynamic registration, and no secret to give, with the reason. */
  g_assert_true (gtk_widget_get_visible (client));
  g_assert_false (gtk_widget_get_sensitive (secret));
  g_assert_nonnull (strstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (client)), "registers itself"));
  g_assert_cmpstr (title_of (secret), ==, "Client Secret (needs an ID)");
  g_assert_null (oauth_in_file (f->mcp_path, "remote"));
  show_client (f, row, client);
  save_screenshot (f->window, "mcp-preferences-oauth-client-none.png");

  /* A client ID is printable ASCII (RFC 6749): anything else is refused, the file untouched. */
  apply_entry (panels_test_get (row, "oauth-client-id"), "caf\xc3\xa9");
  g_assert_null (oauth_in_file (f->mcp_path, "remote"));

  apply_entry (panels_test_get (row, "oauth-client-id"), " confab-test-client ");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (panels_test_get (row, "oauth-client-id"))), ==,
                   "confab-test-client");
  oauth = oauth_in_file (f->mcp_path, "remote");
  g_assert_nonnull (oauth);
  g_assert_cmpstr (json_object_get_string_member (oauth, "clientId"), ==, "confab-test-client");
  g_assert_false (json_object_has_member (oauth, "clientSecret"));
  g_assert_true (gtk_widget_get_sensitive (secret));

  apply_entry (secret, CLIENT_SECRET);
  /* The secret leaves the entry at once; the file names it once the keyring has it. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (secret)), ==, "");
  CONFAB_TEST_WAIT_FOR (file_names_client_secret (f->mcp_path, "remote"), PANELS_TEST_TIMEOUT_MS);
  stored = client_secret_in_keyring ("remote");
  g_assert_cmpstr (stored, ==, CLIENT_SECRET);
  contents = file_text (f->mcp_path);
  g_assert_null (strstr (contents, CLIENT_SECRET));
  g_assert_cmpstr (title_of (secret), ==, "Client Secret: set");

  /* The application's registry, from the same file, signs in with that client. */
  g_assert_true (confab_tool_registry_load_config (registry, f->mcp_path, &error));
  g_assert_no_error (error);
  server = g_list_model_get_item (confab_tool_registry_get_servers (registry), 0);
  confab_mcp_oauth_set_open_func (confab_mcp_server_get_oauth (server), browser_open_page, &browser, NULL);
  confab_mcp_server_start_async (server, NULL, NULL, NULL);
  CONFAB_TEST_WAIT_FOR (confab_mcp_server_get_state (server) == CONFAB_MCP_SERVER_STATE_READY ||
                          confab_mcp_server_get_state (server) == CONFAB_MCP_SERVER_STATE_FAILED, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (confab_mcp_server_get_error (server), ==, NULL);
  g_assert_cmpuint (fake->registrations, ==, 0);
  g_assert_cmpuint (fake->code_grants, ==, 1);
  /* client_secret_basic (base64 of "confab-test-client:s3cret-value") or _post. */
  g_assert_true (g_strcmp0 (fake->client_auth, CLIENT_SECRET) == 0 ||
                 g_strcmp0 (fake->client_auth, "Basic Y29uZmFiLXRlc3QtY2xpZW50OnMzY3JldC12YWx1ZQ==") == 0);
  confab_tool_registry_stop (registry);
  secret_password_clear_sync (&oauth_schema, NULL, NULL, "server-url", fake->mcp_url, NULL);

  /* Reopened: the ID shows, and that a secret is set, never the secret. */
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->providers);
  open_window (f);
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "remote");
  client = panels_test_get (row, "oauth-client");
  secret = panels_test_get (row, "oauth-client-secret");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (panels_test_get (row, "oauth-client-id"))), ==,
                   "confab-test-client");
  g_assert_cmpstr (title_of (secret), ==, "Client Secret: set");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (secret)), ==, "");
  g_assert_true (gtk_widget_get_visible (panels_test_get (row, "oauth-forget-secret")));
  show_client (f, row, client);
  save_screenshot (f->window, "mcp-preferences-oauth-client.png");
  check_narrow (f, row, "mcp-preferences-oauth-client-narrow.png");

  /* Renaming takes the secret along. */
  apply_entry (panels_test_get (row, "name"), "corp");
  CONFAB_TEST_WAIT_FOR ((g_free (stored), stored = client_secret_in_keyring ("corp"),
                           g_str_equal (stored, CLIENT_SECRET)), PANELS_TEST_TIMEOUT_MS);
  CONFAB_TEST_WAIT_FOR ((g_free (stored), stored = client_secret_in_keyring ("remote"),
                           g_str_equal (stored, "")), PANELS_TEST_TIMEOUT_MS);
  row = panels_test_get (panels_test_get (f->window, "mcp_list"), "corp");
  secret = panels_test_get (row, "oauth-client-secret");
  /* The renamed row does not call the secret missing while the keyring moves it. */
  show_client (f, row, panels_test_get (row, "oauth-client"));
  wait_frames (f->window);
  CONFAB_TEST_WAIT_FOR ((g_free (stored), stored = client_secret_in_keyring ("corp"),
                           g_str_equal (stored, CLIENT_SECRET)), PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (title_of (secret), ==, "Client Secret: set");
  g_assert_false (gtk_widget_has_css_class (secret, "error"));

  /* Forget: the secret goes, the client stays (a public client). */
  g_signal_emit_by_name (panels_test_get (row, "oauth-forget-secret"), "clicked");
  g_assert_false (file_names_client_secret (f->mcp_path, "corp"));
  g_clear_pointer (&oauth, json_object_unref);
  oauth = oauth_in_file (f->mcp_path, "corp");
  g_assert_cmpstr (json_object_get_string_member (oauth, "clientId"), ==, "confab-test-client");
  g_assert_false (gtk_widget_get_visible (panels_test_get (row, "oauth-forget-secret")));
  CONFAB_TEST_WAIT_FOR ((g_free (stored), stored = client_secret_in_keyring ("corp"),
                           g_str_equal (stored, "")), PANELS_TEST_TIMEOUT_MS);

  /* An empty client ID: back to dynamic registration, the secret forgotten too. */
  apply_entry (secret, CLIENT_SECRET);
  CONFAB_TEST_WAIT_FOR (file_names_client_secret (f->mcp_path, "corp"), PANELS_TEST_TIMEOUT_MS);
  apply_entry (panels_test_get (row, "oauth-client-id"), "");
  g_assert_null (oauth_in_file (f->mcp_path, "corp"));
  g_assert_false (gtk_widget_get_sensitive (secret));
  CONFAB_TEST_WAIT_FOR ((g_free (stored), stored = client_secret_in_keyring ("corp"),
                           g_str_equal (stored, "")), PANELS_TEST_TIMEOUT_MS);

  /* Removing the server forgets its client's secret. */
  apply_entry (panels_test_get (row, "oauth-client-id"), "confab-test-client");
  apply_entry (secret, CLIENT_SECRET);
  CONFAB_TEST_WAIT_FOR (file_names_client_secret (f->mcp_path, "corp"), PANELS_TEST_TIMEOUT_MS);
  g_signal_emit_by_name (panels_test_get (row, "remove-button"), "clicked");
  CONFAB_TEST_WAIT_FOR ((g_free (stored), stored = client_secret_in_keyring ("corp"),
                           g_str_equal (stored, "")), PANELS_TEST_TIMEOUT_MS);
}

#define MISSING_CLIENT_SECRET_JSON \
  "{\"mcpServers\": {\"nosecret\": {\"url\": \"http://127.0.0.1:9/mcp\", \"oauth\": " \
  "{\"clientId\": \"c1\", \"clientSecret\": {\"secret\": true}}}, \"local\": {\"command\": \"true\"}}}"

/* mcp.json names a client secret the keyring does not have (a file copied from another
 * computer): the row says so, instead of "set". A local server has no OAuth client. */
static void
test_missing_client_secret (Fixture       *f,
                            gconstpointer  data)
{
  GtkWidget *list = panels_test_get (f->window, "mcp_list");
  GtkWidget *secret;
  GtkWidget *row;

  if (panels_keyring_skip (&keyring))
    return;

  g_assert_false (gtk_widget_get_visible (panels_test_get (panels_test_get (list, "local"), "oauth-client")));
  row = panels_test_get (list, "nosecret");
  secret = panels_test_get (row, "oauth-client-secret");
  /* Asked when it shows. */
  show_client (f, row, panels_test_get (row, "oauth-client"));
  CONFAB_TEST_WAIT_FOR (g_str_equal (title_of (secret), "Client Secret: missing"),
                        PANELS_TEST_TIMEOUT_MS);
  g_assert_true (gtk_widget_has_css_class (secret, "error"));
  panels_test_drain ();
  save_screenshot (f->window, "mcp-preferences-oauth-client-missing.png");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *numeric = NULL;
  int ret;

  panels_test_init (&argc, &argv);
  panels_keyring_start (&keyring, TRUE);
  adw_init ();

  numeric = g_strdup_printf (NUMERIC_ARGS_JSON, g_getenv ("CONFAB_TEST_MCP_SERVER"));

#define ADD(path, json, func) g_test_add ("/mcp-preferences/" path, Fixture, json, fixture_set_up, func, fixture_tear_down)
  ADD ("check-runs-numeric-args-and-keeps-unknown-members", numeric, test_check_runs_numeric_args);
  ADD ("remote-server-secret-header-in-keyring", NULL, test_remote_server_secret_header);
  ADD ("missing-secret-is-reported", NULL, test_missing_secret_is_reported);
  ADD ("first-command-enables", NULL, test_first_command_enables);
  ADD ("headers-as-http-writes-them", HEADERS_JSON, test_headers_form);
  ADD ("sign-out-forgets-the-token", SIGN_OUT_JSON, test_sign_out);
  ADD ("oauth-client-id-and-secret", NULL, test_oauth_client);
  ADD ("oauth-client-secret-missing-from-keyring", MISSING_CLIENT_SECRET_JSON, test_missing_client_secret);
#undef ADD

  ret = g_test_run ();
  panels_keyring_stop (&keyring);

  return ret;
}
