/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's tools follow mcp.json: Preferences writes it, then the context reloads (what
 * the application does on ::mcp-config-changed) and the window's session uses the new ones. */
#include "config.h"

#include <adwaita.h>

#include "confab-context.h"
#include "confab-mcp-server.h"
#include "confab-session.h"
#include "confab-tool-registry.h"
#include "confab-window.h"

static void
write_mcp_config (const char * const *names)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "confab", NULL);
  g_autofree char *path = g_build_filename (dir, "mcp.json", NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mcpServers");
  json_builder_begin_object (builder);
  for (guint i = 0; names[i] != NULL; i++)
    {
      json_builder_set_member_name (builder, names[i]);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "command");
      json_builder_add_string_value (builder, g_getenv ("CONFAB_TEST_MCP_SERVER"));
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, json, -1, &error));
  g_assert_no_error (error);
}

static guint
n_servers (ConfabToolRegistry *tools)
{
  return g_list_model_get_n_items (confab_tool_registry_get_servers (tools));
}

static void
test_window_reloads_tools_from_config (void)
{
  const char *one[] = { "alpha", NULL };
  const char *two[] = { "alpha", "beta", NULL };
  g_autoptr(ConfabToolRegistry) first = NULL;
  g_autoptr(ConfabMcpServer) first_server = NULL;
  ConfabToolRegistry *second;
  ConfabWindow *window;
  ConfabSession *session;

  write_mcp_config (one);
  window = g_object_ref_sink (confab_window_new (NULL));
  session = confab_window_get_session (window);

  first = g_object_ref (confab_session_get_tools (session));
  g_assert_cmpuint (n_servers (first), ==, 1);
  first_server = g_list_model_get_item (confab_tool_registry_get_servers (first), 0);

  write_mcp_config (two);
  confab_context_start_tools (confab_session_get_context (session));

  second = confab_session_get_tools (session);
  g_assert_true (second != first);
  g_assert_cmpuint (n_servers (second), ==, 2);
  /* The old servers are stopped, not left running behind the new registry. */
  g_assert_cmpint (confab_mcp_server_get_state (first_server), ==, CONFAB_MCP_SERVER_STATE_STOPPED);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/window/reloads-tools-from-config", test_window_reloads_tools_from_config);

  return g_test_run ();
}
