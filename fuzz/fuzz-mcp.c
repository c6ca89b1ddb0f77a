/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Server messages into the MCP client: bytes as read from an MCP server's stdout, in
 * arbitrary pieces, go through the client's line reader and JSON-RPC handling
 * (ConfabJsonrpcConnection) and the server's handling of answers, requests and
 * notifications, while a tools/call (id 1) and a tools/list (id 2) are pending. Never crash,
 * never leak, never leave a request behind; a failed server names the cause.
 *
 * Spawning a process per input is far too slow for libFuzzer: the server runs detached
 * (_confab_mcp_server_start_detached: ready, no process, writes go nowhere) and the input
 * is fed with _confab_mcp_server_feed. Input: the first byte picks the piece size (0:
 * everything at once), the rest is the server's output. */
#include "config.h"

#include <string.h>

#include "confab-mcp-server.h"
#include "confab-mcp-server-private.h"
#include "confab-tool.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct
{
  gboolean  done;
  JsonNode *result;
  GError   *error;
} CallResult;

static void
on_call_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallResult *call = user_data;

  call->result = confab_mcp_server_call_tool_finish (CONFAB_MCP_SERVER (object), result, &call->error);
  call->done = TRUE;
}

static void
drain (void)
{
  for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char * const argv[] = { "fuzz-server", "--stdio", NULL };
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(JsonNode) arguments = json_from_string ("{\"path\":\"/tmp\"}", NULL);
  CallResult call = { 0 };
  gsize piece_size;
  gsize offset;

  if (size == 0)
    return 0;

  piece_size = data[0] == 0 ? size : data[0];
  data++;
  size--;

  server = confab_mcp_server_new ("fuzz", argv, NULL);

  /* Started, without a process. */
  _confab_mcp_server_start_detached (server);

  /* Request 1: a tool call; request 2: a re-listing (what list_changed starts). */
  confab_mcp_server_call_tool_async (server, "read_file", arguments, NULL, on_call_done, &call);
  _confab_mcp_server_relist (server);

  for (offset = 0; offset < size; offset += piece_size)
    {
      if (!_confab_mcp_server_feed (server, data + offset, MIN (piece_size, size - offset)))
        break;
      drain ();
    }
  drain ();

  if (call.done && call.result != NULL)
    {
      gboolean is_error = FALSE;
      g_autofree char *text = confab_mcp_result_to_text (call.result, &is_error);

      if (text == NULL || !g_utf8_validate (text, -1, NULL))
        g_error ("the result text is not UTF-8");
    }

  if (confab_mcp_server_get_state (server) == CONFAB_MCP_SERVER_STATE_FAILED &&
      confab_mcp_server_get_error (server) == NULL)
    g_error ("failed without saying why");

  for (guint i = 0; i < g_list_model_get_n_items (confab_mcp_server_get_tools (server)); i++)
    {
      g_autoptr(ConfabTool) tool = g_list_model_get_item (confab_mcp_server_get_tools (server), i);
      g_autoptr(JsonNode) json = confab_tool_to_json (tool);
      g_autofree char *text = json_to_string (json, FALSE);

      if (!g_utf8_validate (text, -1, NULL) || !g_utf8_validate (confab_tool_get_name (tool), -1, NULL))
        g_error ("tool name is not UTF-8");
    }

  /* Stopping fails whatever is still pending; the re-listing holds a reference until then. */
  confab_mcp_server_stop (server);
  drain ();

  if (!call.done)
    g_error ("the tool call was left pending");

  g_clear_pointer (&call.result, json_node_unref);
  g_clear_error (&call.error);

  return 0;
}
