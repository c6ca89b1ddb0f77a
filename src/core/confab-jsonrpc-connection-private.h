/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_JSONRPC_CONNECTION (confab_jsonrpc_connection_get_type ())

G_DECLARE_FINAL_TYPE (ConfabJsonrpcConnection, confab_jsonrpc_connection, CONFAB, JSONRPC_CONNECTION, GObject)

/* JSON-RPC 2.0 as newline-delimited messages over a pair of streams: an MCP server's stdout
 * (@input) and stdin (@output). It frames and writes messages in order, reads lines with a
 * bounded buffer (CONFAB_MCP_SERVER_MAX_MESSAGE), numbers requests, matches answers to the
 * pending calls, times calls out and tells the peer about cancelled ones
 * (notifications/cancelled). @name and @command_line name the peer in error messages
 * ("MCP server “name” (command line) …").
 *
 * Signals:
 *   ::failed (const char *message): the connection broke (unreadable, not JSON-RPC, a line
 *     too long, output closed); emitted once, after which nothing is read or written and the
 *     pending calls fail with @message.
 *   ::handle-call (const char *method, JsonNode *id, JsonNode *params) → gboolean: a request
 *     from the peer. A handler answers with _confab_jsonrpc_connection_reply() and returns
 *     TRUE; a request nobody handles is answered "Method not found".
 *   ::notification (const char *method, JsonNode *params): a notification from the peer.
 *   ::skipped-line (const char *excerpt): the peer wrote a line that does not start like a
 *     message ({ or [), say a banner; it was skipped, the connection goes on.
 * A tools/call carries its id as _meta.progressToken; notifications/progress for it starts
 * its timeout again (never past 10 times the timeout in all).
 * @params may be NULL. Everything runs on the main context of the thread that made it. */
ConfabJsonrpcConnection *_confab_jsonrpc_connection_new          (const char               *name,
                                                                  const char               *command_line,
                                                                  GInputStream             *input,
                                                                  GOutputStream            *output);
/* Starts reading @input (when there is one). */
void                     _confab_jsonrpc_connection_start        (ConfabJsonrpcConnection  *self);
/* Sends a request; the result is its "result" member (transfer full), taken with
 * g_task_propagate_pointer() (what _confab_mcp_server_request_finish() does). @timeout_seconds 0 waits
 * for ever. Cancelling tells the peer (notifications/cancelled) and fails with
 * G_IO_ERROR_CANCELLED; an error answer fails with CONFAB_ERROR_MCP naming @method. */
void                     _confab_jsonrpc_connection_call_async   (ConfabJsonrpcConnection  *self,
                                                                  const char               *method,
                                                                  JsonNode                 *params,
                                                                  guint                     timeout_seconds,
                                                                  GCancellable             *cancellable,
                                                                  GAsyncReadyCallback       callback,
                                                                  gpointer                  user_data);
/* notifications/progress for a call: its params ({progressToken, progress, total?, message?}). */
typedef void (*ConfabJsonrpcProgressFunc) (JsonObject *params,
                                           gpointer    user_data);
/* The same, with @progress_func called for each notifications/progress of the call while it
 * is pending; @progress_destroy frees @progress_data when the call is over. */
void                     _confab_jsonrpc_connection_call_with_progress_async (ConfabJsonrpcConnection   *self,
                                                                              const char                *method,
                                                                              JsonNode                  *params,
                                                                              guint                      timeout_seconds,
                                                                              ConfabJsonrpcProgressFunc  progress_func,
                                                                              gpointer                   progress_data,
                                                                              GDestroyNotify             progress_destroy,
                                                                              GCancellable              *cancellable,
                                                                              GAsyncReadyCallback        callback,
                                                                              gpointer                   user_data);
/* Sends a notification (no answer). */
void                     _confab_jsonrpc_connection_notify       (ConfabJsonrpcConnection  *self,
                                                                  const char               *method,
                                                                  JsonNode                 *params);
/* Answers a request of the peer: @result (NULL: {}), or an error when @error_message is set. */
void                     _confab_jsonrpc_connection_reply        (ConfabJsonrpcConnection  *self,
                                                                  JsonNode                 *id,
                                                                  JsonNode                 *result,
                                                                  int                       error_code,
                                                                  const char               *error_message);
/* Bytes as read from @input, in any pieces, through the line reader; FALSE once the
 * connection stopped listening (it failed or was closed). */
gboolean                 _confab_jsonrpc_connection_feed         (ConfabJsonrpcConnection  *self,
                                                                  const guint8             *data,
                                                                  gsize                     len);
/* One message: a line without its newline (a single message or a batch). */
void                     _confab_jsonrpc_connection_handle_line  (ConfabJsonrpcConnection  *self,
                                                                  const char               *line,
                                                                  gsize                     len);
/* Fails the connection with @message (::failed, then the pending calls); the first failure
 * wins. */
void                     _confab_jsonrpc_connection_fail         (ConfabJsonrpcConnection  *self,
                                                                  const char               *message);
/* Stops all I/O and closes @output; pending calls stay pending (see _fail_pending). */
void                     _confab_jsonrpc_connection_close        (ConfabJsonrpcConnection  *self);
/* Fails every pending call with CONFAB_ERROR_MCP and @message. */
void                     _confab_jsonrpc_connection_fail_pending (ConfabJsonrpcConnection  *self,
                                                                  const char               *message);

/* Another transport: @func gets every message to send (instead of @output); what the peer
 * sends comes in through _confab_jsonrpc_connection_handle_line(). NULL unsets. */
typedef void (*ConfabJsonrpcSendFunc) (ConfabJsonrpcConnection *self,
                                       JsonNode                *message,
                                       gpointer                 user_data);
void                     _confab_jsonrpc_connection_set_send_func (ConfabJsonrpcConnection *self,
                                                                   ConfabJsonrpcSendFunc    func,
                                                                   gpointer                 user_data);

G_END_DECLS
