/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mcp-npm-servers"

/* The MCP client over stdio against two reference servers as users run them:
 * @modelcontextprotocol/server-filesystem (a folder given on its command line) and
 * @modelcontextprotocol/server-memory (a knowledge graph in MEMORY_FILE_PATH), installed by
 * build-aux/setup into tests/mcp-conformance/node_modules (pinned by its package-lock.json)
 * with the Node 22 they run on. Skips, saying why, only when npm could not install them. */

#include <glib/gstdio.h>

#include "confab-mcp-server.h"
#include "confab-test-util.h"
#include "confab-tool.h"

#define WAIT_MS 20000

static char *node;
static char *modules;
static char *skip_reason;

static char *
server_script (const char *package)
{
  return g_build_filename (modules, "@modelcontextprotocol", package, "dist", "index.js", NULL);
}

static ConfabMcpServer *
start_server (const char         *name,
              const char * const *argv,
              const char * const *env)
{
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new (name, argv, env);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  confab_mcp_server_start_async (server, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  g_assert_true (confab_mcp_server_start_finish (server, result, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&server);
}

/* The call's text; *@is_error says whether the server flagged it as failed. */
static char *
call (ConfabMcpServer *server,
      const char      *tool,
      const char      *arguments_json,
      gboolean        *is_error)
{
  g_autoptr(JsonNode) arguments = json_from_string (arguments_json, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  g_assert_nonnull (arguments);
  confab_mcp_server_call_tool_async (server, tool, arguments, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);
  node = confab_mcp_server_call_tool_finish (server, result, &error);
  g_assert_no_error (error);

  return confab_mcp_result_to_text (node, is_error);
}

static gboolean
has_tool (ConfabMcpServer *server,
          const char      *name)
{
  GListModel *tools = confab_mcp_server_get_tools (server);

  for (guint i = 0; i < g_list_model_get_n_items (tools); i++)
    {
      g_autoptr(ConfabTool) tool = g_list_model_get_item (tools, i);

      if (g_str_equal (confab_tool_get_name (tool), name))
        return TRUE;
    }

  return FALSE;
}

static char *
json_string (const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

/* server-filesystem: lists and reads the folder it was given, writes a file there, and
 * refuses (as a failed result, not a protocol error) a path outside it. */
static void
test_filesystem (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *script = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *written = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *read = NULL;
  g_autofree char *wrote = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *on_disk = NULL;
  g_autofree char *arguments = NULL;
  g_autofree char *quoted = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  gboolean is_error = TRUE;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  dir = g_dir_make_tmp ("confab-fs-XXXXXX", &error);
  g_assert_no_error (error);
  notes = g_build_filename (dir, "notes.txt", NULL);
  written = g_build_filename (dir, "answer.md", NULL);
  g_assert_true (g_file_set_contents (notes, "Grüße aus dem Ordner\n", -1, NULL));

  script = server_script ("server-filesystem");
  {
    const char * const argv[] = { node, script, dir, NULL };

    server = start_server ("filesystem", argv, NULL);
  }
  g_assert_true (has_tool (server, "list_directory"));
  g_assert_true (has_tool (server, "read_text_file"));
  g_assert_true (has_tool (server, "write_file"));

  quoted = json_string (dir);
  arguments = g_strdup_printf ("{\"path\": %s}", quoted);
  listing = call (server, "list_directory", arguments, &is_error);
  g_assert_false (is_error);
  g_assert_nonnull (strstr (listing, "[FILE] notes.txt"));

  g_free (quoted);
  g_free (arguments);
  quoted = json_string (notes);
  arguments = g_strdup_printf ("{\"path\": %s}", quoted);
  read = call (server, "read_text_file", arguments, &is_error);
  g_assert_false (is_error);
  g_assert_nonnull (strstr (read, "Grüße aus dem Ordner"));

  g_free (quoted);
  g_free (arguments);
  quoted = json_string (written);
  arguments = g_strdup_printf ("{\"path\": %s, \"content\": \"# Antwort\\n\"}", quoted);
  wrote = call (server, "write_file", arguments, &is_error);
  g_assert_false (is_error);
  g_assert_true (g_file_get_contents (written, &on_disk, NULL, NULL));
  g_assert_cmpstr (on_disk, ==, "# Antwort\n");

  refused = call (server, "read_text_file", "{\"path\": \"/etc/passwd\"}", &is_error);
  g_assert_true (is_error);
  g_assert_null (strstr (refused, "root:"));

  confab_mcp_server_stop (server);
  g_unlink (notes);
  g_unlink (written);
  g_rmdir (dir);
}

/* server-memory: entities made in one run are in the graph, and a new process (a new
 * session of the app) finds them in its file. */
static void
test_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *script = NULL;
  g_autofree char *file = NULL;
  g_autofree char *env_file = NULL;
  g_autofree char *created = NULL;
  g_autofree char *graph = NULL;
  g_autofree char *found = NULL;
  g_autoptr(ConfabMcpServer) first = NULL;
  g_autoptr(ConfabMcpServer) second = NULL;
  gboolean is_error = TRUE;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  dir = g_dir_make_tmp ("confab-memory-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (dir, "memory.jsonl", NULL);
  env_file = g_strdup_printf ("MEMORY_FILE_PATH=%s", file);
  script = server_script ("server-memory");

  {
    const char * const argv[] = { node, script, NULL };
    const char * const env[] = { env_file, NULL };

    first = start_server ("memory", argv, env);
    g_assert_true (has_tool (first, "create_entities"));
    created = call (first, "create_entities",
                    "{\"entities\": [{\"name\": \"Ada Lovelace\", \"entityType\": \"person\","
                    " \"observations\": [\"wrote the first program\"]}]}", &is_error);
    g_assert_false (is_error);
    graph = call (first, "read_graph", "{}", &is_error);
    g_assert_false (is_error);
    g_assert_nonnull (strstr (graph, "Ada Lovelace"));
    confab_mcp_server_stop (first);

    second = start_server ("memory", argv, env);
    found = call (second, "search_nodes", "{\"query\": \"first program\"}", &is_error);
    g_assert_false (is_error);
    g_assert_nonnull (strstr (found, "Ada Lovelace"));
    confab_mcp_server_stop (second);
  }

  g_unlink (file);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  const char *modules_env;
  g_autofree char *filesystem = NULL;
  g_autofree char *memory = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  modules_env = g_getenv ("CONFAB_MCP_NODE_MODULES");
  g_assert_nonnull (modules_env);
  modules = g_strdup (modules_env);
  node = g_build_filename (modules, "node", "bin", "node", NULL);
  filesystem = server_script ("server-filesystem");
  memory = server_script ("server-memory");

  if (!g_file_test (node, G_FILE_TEST_IS_EXECUTABLE) ||
      !g_file_test (filesystem, G_FILE_TEST_EXISTS) || !g_file_test (memory, G_FILE_TEST_EXISTS))
    {
      g_autofree char *marker = g_build_filename (modules, "..", ".npm-unavailable", NULL);
      g_autofree char *unavailable = NULL;

      if (g_find_program_in_path ("npm") == NULL)
        skip_reason = g_strdup ("npm is not installed, so the reference MCP servers are not either");
      else if (g_file_get_contents (marker, &unavailable, NULL, NULL))
        skip_reason = g_strdup_printf ("npm could not install the reference MCP servers: %s", g_strstrip (unavailable));
      else
        g_error ("server-filesystem and server-memory are not installed in %s: run build-aux/setup", modules);
    }

  g_test_add_func ("/mcp-npm-servers/filesystem", test_filesystem);
  g_test_add_func ("/mcp-npm-servers/memory", test_memory);

  status = g_test_run ();

  g_free (node);
  g_free (modules);
  g_free (skip_reason);
  return status;
}
