/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-jsonrpc-connection-private.h"
#include "confab-mcp-oauth.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_HTTP_TRANSPORT (confab_mcp_http_transport_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMcpHttpTransport, confab_mcp_http_transport, CONFAB, MCP_HTTP_TRANSPORT, GObject)

/* MCP's Streamable HTTP transport under a ConfabJsonrpcConnection: every message the
 * connection sends is POSTed to @url; the answer is JSON or an SSE stream, whose messages go
 * back into the connection. It keeps the Mcp-Session-Id the server gives, sends
 * MCP-Protocol-Version once known, resumes a stream that closes before its answers came
 * (GET with Last-Event-ID, after the stream's `retry`), opens the GET stream for the
 * server's own messages once the session is initialized, and ends the session with DELETE
 * on close. @headers are "Name: value" strings sent with every request. */
ConfabMcpHttpTransport  *_confab_mcp_http_transport_new                  (const char              *name,
                                                                          const char              *url,
                                                                          const char * const      *headers,
                                                                          GError                 **error);
/* (transfer none) */
ConfabJsonrpcConnection *_confab_mcp_http_transport_get_connection       (ConfabMcpHttpTransport  *self);
/* The version initialize agreed on, sent as MCP-Protocol-Version from then on. */
void                     _confab_mcp_http_transport_set_protocol_version (ConfabMcpHttpTransport  *self,
                                                                          const char              *version);
/* OAuth for this server: its token goes with every request, and a refusal (401, or 403
 * insufficient_scope) is answered by refreshing or signing in, then sending again. */
void                     _confab_mcp_http_transport_set_oauth            (ConfabMcpHttpTransport  *self,
                                                                          ConfabMcpOAuth          *oauth);
/* The Mcp-Session-Id the server gave, NULL when none. */
const char              *_confab_mcp_http_transport_get_session_id       (ConfabMcpHttpTransport  *self);
/* Stops every stream and request, closes the connection, and ends the session (DELETE)
 * when there is one. */
void                     _confab_mcp_http_transport_close                (ConfabMcpHttpTransport  *self);
/* @url for messages: without a user, password, query or fragment, which may hold secrets.
 * (transfer full) */
char                    *_confab_mcp_http_display_url                    (const char              *url);
/* Checks "Name: value" header lines; FALSE with a CONFAB_ERROR_CONFIG error naming @name. */
gboolean                 _confab_mcp_http_check_headers                  (const char              *name,
                                                                          const char * const      *headers,
                                                                          GError                 **error);

/* For fuzzing: nothing goes on the network (what would be sent is dropped). */
void                     _confab_mcp_http_transport_set_detached         (ConfabMcpHttpTransport  *self);
/* For fuzzing: @data as the body of the answer to the POST of request @id (an event stream
 * or JSON), in pieces of @piece bytes, through the same handling as an answer read from the
 * network, up to its end. FALSE once the transport stopped listening. */
gboolean                 _confab_mcp_http_transport_feed_answer          (ConfabMcpHttpTransport  *self,
                                                                          guint                    id,
                                                                          gboolean                 event_stream,
                                                                          const guint8            *data,
                                                                          gsize                    len,
                                                                          gsize                    piece);

G_END_DECLS
