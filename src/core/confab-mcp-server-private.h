/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-jsonrpc-connection-private.h"
#include "confab-mcp-http-transport-private.h"
#include "confab-mcp-server.h"

G_BEGIN_DECLS

/* ConfabMcpServer lives in two files: confab-mcp-server.c (the object, its process, state,
 * log and connection) and confab-mcp-server-protocol.c (the MCP messages on top). */
struct _ConfabMcpServer
{
  GObject                  parent_instance;

  char                    *name;
  char                    *command_line;
  char                   **argv;
  char                   **env;
  char                    *error;
  char                    *protocol_version;
  char                    *server_info_name;
  char                    *server_info_version;
  GString                 *log;
  GListStore              *tools;

  GSubprocess             *subprocess;
  ConfabJsonrpcConnection *connection;
  GInputStream            *stderr_pipe;
  GByteArray              *stderr_pending;
  GCancellable            *io_cancellable;

  guint                    call_timeout;
  ConfabMcpServerState     state;

  /* A remote server (Streamable HTTP) instead of a command (confab-mcp-server-remote.c). */
  char                    *url;
  char                   **headers;
  /* Names of headers whose values are in the keyring (confab-mcp-secrets.c). */
  char                   **secret_headers;
  /* A pre-registered OAuth client's secret is in the keyring (confab-mcp-secrets.c). */
  gboolean                 oauth_client_secret;
  char                    *oauth_client_id;
  ConfabMcpHttpTransport  *http;
  /* Its OAuth sign-in, kept across restarts. */
  ConfabMcpOAuth          *oauth;

  guint                    relisting : 1;
  guint                    relist_again : 1;
};

/* confab-mcp-server.c */

/* Follows @connection's failures, calls and notifications (NULL: none). */
void        _confab_mcp_server_set_connection   (ConfabMcpServer         *self,
                                                 ConfabJsonrpcConnection *connection);
/* The command line, for messages that name the server and its command. */
const char *_confab_mcp_server_command_line     (ConfabMcpServer         *self);
void        _confab_mcp_server_set_state        (ConfabMcpServer         *self,
                                                 ConfabMcpServerState     state);
/* Fails the server (state failed, error @message, process killed, pending calls failed);
 * the first failure wins: later symptoms (EOF after a crash …) do not replace it. */
void        _confab_mcp_server_fail             (ConfabMcpServer         *self,
                                                 const char              *message);
void        _confab_mcp_server_fail_printf      (ConfabMcpServer         *self,
                                                 const char              *format,
                                                 ...) G_GNUC_PRINTF (2, 3);
/* Replaces the tools and emits ::tools-changed. */
void        _confab_mcp_server_set_tools        (ConfabMcpServer         *self,
                                                 GPtrArray               *tools);
/* From the answer to initialize. */
void        _confab_mcp_server_set_server_info  (ConfabMcpServer         *self,
                                                 const char              *protocol_version,
                                                 JsonObject              *server_info);
/* Appends to the log (bounded to CONFAB_MCP_SERVER_LOG_LIMIT) and notifies. */
void        _confab_mcp_server_append_log       (ConfabMcpServer         *self,
                                                 const char              *data,
                                                 gsize                    len);
/* Sends a request with the call timeout; the result is its "result" member (transfer full).
 * The callback's source object is the connection, or the server when it is not running:
 * take the server from the callback's own task. */
void        _confab_mcp_server_request_async    (ConfabMcpServer         *self,
                                                 const char              *method,
                                                 JsonNode                *params,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data);
/* The same, with @progress_func for the call's notifications/progress. */
void        _confab_mcp_server_request_with_progress_async (ConfabMcpServer           *self,
                                                            const char                *method,
                                                            JsonNode                  *params,
                                                            ConfabJsonrpcProgressFunc  progress_func,
                                                            gpointer                   progress_data,
                                                            GDestroyNotify             progress_destroy,
                                                            GCancellable              *cancellable,
                                                            GAsyncReadyCallback        callback,
                                                            gpointer                   user_data);
JsonNode   *_confab_mcp_server_request_finish   (GAsyncResult            *result,
                                                 GError                 **error);

/* confab-mcp-server-remote.c */

/* Looks up the secret headers in the keyring, starts the HTTP transport and initializes;
 * completes @task (the start task) like _confab_mcp_server_initialize(). Takes @task. */
void        _confab_mcp_server_start_remote     (ConfabMcpServer         *self,
                                                 GTask                   *task);
/* A pre-registered OAuth client (confab_mcp_oauth_set_client()); with @secret_in_keyring its
 * secret is looked up in the keyring at connect time, with the secret headers. */
void        _confab_mcp_server_set_oauth_client (ConfabMcpServer         *self,
                                                 const char              *client_id,
                                                 gboolean                 secret_in_keyring);
/* Names the headers whose values are looked up in the keyring at connect time. */
void        _confab_mcp_server_set_secret_headers (ConfabMcpServer       *self,
                                                   const char * const    *names);
/* Emits ::elicit for an elicitation/create of the server; declines when nobody answers. */
void        _confab_mcp_server_elicit           (ConfabMcpServer         *self,
                                                 ConfabJsonrpcConnection *connection,
                                                 JsonNode                *id,
                                                 JsonNode                *params);

/* confab-mcp-server-resources.c */

/* notifications/resources/updated: emits ::resource-updated with its "uri". */
void        _confab_mcp_server_resource_updated (ConfabMcpServer         *self,
                                                 JsonNode                *params);

/* confab-mcp-server-protocol.c */

/* Sends initialize, notifications/initialized, then lists the tools; completes @task (the
 * start task, whose source object is the server) with TRUE or why it failed. Takes @task. */
void        _confab_mcp_server_initialize       (GTask                   *task);
/* ::handle-call and ::notification of the connection. */
gboolean    _confab_mcp_server_handle_call      (ConfabJsonrpcConnection *connection,
                                                 const char              *method,
                                                 JsonNode                *id,
                                                 JsonNode                *params,
                                                 ConfabMcpServer         *self);
void        _confab_mcp_server_handle_notification (ConfabJsonrpcConnection *connection,
                                                    const char              *method,
                                                    JsonNode                *params,
                                                    ConfabMcpServer         *self);
/* Lists the tools again, as notifications/tools/list_changed does (only when ready). */
void        _confab_mcp_server_relist           (ConfabMcpServer         *self);

/* For tests and fuzzing (confab-mcp-server.c) */

/* The server in state ready with no process behind it; what it writes goes nowhere.
 * Stopping it works as for a started one. */
void        _confab_mcp_server_start_detached   (ConfabMcpServer         *self);
/* Bytes as read from the server's stdout, in any pieces, through the client's line reader
 * and JSON-RPC handling; FALSE once the server stopped listening (failed or stopped). */
gboolean    _confab_mcp_server_feed             (ConfabMcpServer         *self,
                                                 const guint8            *data,
                                                 gsize                    len);
/* One message from the server: a line without its newline. */
void        _confab_mcp_server_handle_line      (ConfabMcpServer         *self,
                                                 const char              *line,
                                                 gsize                    len);

G_END_DECLS
