/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Answers of a Streamable HTTP MCP server into the client: the body of the answer to a
 * POSTed tools/call (id 1), as an event stream or as JSON, in arbitrary pieces, through the
 * transport's handling (SSE reader, resumption bookkeeping, messages into the JSON-RPC
 * connection: answers, the server's requests and notifications). Never crash, never leak,
 * never leave the call pending once the transport closes; a failure names the cause.
 *
 * Nothing goes on the network (_confab_mcp_http_transport_set_detached). Input: the first
 * byte picks the piece size (0: everything at once), the second the content type (odd:
 * text/event-stream, even: application/json), the rest is the body. */
#include "config.h"

#include <string.h>

#include "confab-mcp-http-transport-private.h"

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

  call->result = g_task_propagate_pointer (G_TASK (result), &call->error);
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
  g_autoptr(ConfabMcpHttpTransport) transport = NULL;
  ConfabJsonrpcConnection *connection;
  CallResult call = { 0 };
  gboolean event_stream;
  gsize piece_size;

  if (size < 2)
    return 0;

  piece_size = data[0] == 0 ? size : data[0];
  event_stream = (data[1] & 1) != 0;
  data += 2;
  size -= 2;

  transport = _confab_mcp_http_transport_new ("fuzz", "http://127.0.0.1:9/mcp", NULL, NULL);
  _confab_mcp_http_transport_set_detached (transport);
  connection = _confab_mcp_http_transport_get_connection (transport);

  /* Request 1, POSTed (nowhere); its answer is the input. */
  _confab_jsonrpc_connection_call_async (connection, "tools/call", NULL, 0, NULL, on_call_done, &call);
  _confab_mcp_http_transport_feed_answer (transport, 1, event_stream, data, size, piece_size);
  drain ();

  if (call.done && call.error != NULL && !g_utf8_validate (call.error->message, -1, NULL))
    g_error ("the error message is not UTF-8");

  /* Closing leaves nothing pending. */
  _confab_mcp_http_transport_close (transport);
  _confab_jsonrpc_connection_fail_pending (connection, "closed");
  drain ();

  if (!call.done)
    g_error ("the tool call was left pending");

  g_clear_pointer (&call.result, json_node_unref);
  g_clear_error (&call.error);

  return 0;
}
