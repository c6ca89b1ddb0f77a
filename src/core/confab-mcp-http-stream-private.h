/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "confab-mcp-http-transport-private.h"
#include "confab-mcp-oauth.h"
#include "confab-sse-reader.h"

G_BEGIN_DECLS

/* The Streamable HTTP transport lives in two files: confab-mcp-http-transport.c (the
 * object, the session, sending and closing) and confab-mcp-http-stream.c (one request's
 * answer: reading it, its messages, resuming it). */

#define READ_CHUNK          (64 * 1024)
#define DEFAULT_RETRY_MS    1000
#define MAX_RETRY_MS        (60 * 1000)
/* Resumptions in a row that bring no event before giving up. */
#define MAX_RESUMPTIONS     5
/* Sign-ins (or refreshes) one request may cause before it fails. */
#define MAX_AUTH_TRIES      2

struct _ConfabMcpHttpTransport
{
  GObject                  parent_instance;

  char                    *name;
  char                    *url;
  GUri                    *uri;
  char                   **headers;
  char                    *session_id;
  char                    *protocol_version;

  SoupSession             *session;
  ConfabJsonrpcConnection *connection;
  GCancellable            *cancellable;
  /* Streams in flight, for dropping ids the connection gave up on. */
  GList                   *streams;
  /* What started the session, to start a new one when the server ends it (HTTP 404). */
  GBytes                  *initialize_body;
  GBytes                  *initialized_body;
  /* POSTs written while notifications/initialized is unanswered: each goes on its own
   * connection, and one that overtook it would reach a server not yet initialized. */
  GQueue                   held;
  /* OAuth (NULL: only the configured headers): its token goes with every request; the
   * requests it refused wait in auth_waiting while it signs in or refreshes. */
  ConfabMcpOAuth          *oauth;
  GQueue                   auth_waiting;
  guint                    auth_status;

  guint                    initialized_in_flight : 1;
  guint                    get_stream_open : 1;
  guint                    reinitializing : 1;
  guint                    authorizing : 1;
  guint                    closed : 1;
  /* For fuzzing: nothing goes on the network. */
  guint                    detached : 1;
};

/* One request and what it answers: a POST, a resumption (GET with Last-Event-ID) or the
 * server's own GET stream. */
typedef struct _ConfabMcpHttpStream ConfabMcpHttpStream;

struct _ConfabMcpHttpStream
{
  ConfabMcpHttpTransport *self;
  SoupMessage            *msg;
  GInputStream           *input;
  ConfabSseReader        *reader;
  GByteArray             *body;
  /* Ids of the requests in it that are not answered yet. */
  GArray                 *ids;
  char                   *method;
  /* What a POST sent, to send again in a new session. */
  GBytes                 *request_body;
  /* A POST to send again once this (a new initialize) is done. */
  ConfabMcpHttpStream    *then;
  char                   *last_event_id;
  /* The bearer token the request went with, NULL for none. */
  char                   *token_sent;
  guint                   auth_tries;
  gint64                  retry_ms;
  guint                   resume_id;
  guint                   resumptions;
  guint                   standalone : 1;
  guint                   got_event : 1;
  guint                   initialized_notification : 1;
  guint                   resent : 1;
};

/* confab-mcp-http-stream.c */

ConfabMcpHttpStream *_confab_mcp_http_stream_new               (ConfabMcpHttpTransport *self);
void                 _confab_mcp_http_stream_free              (ConfabMcpHttpStream    *stream);
/* Crosses @id off @ids (the requests still waiting for their answer). */
void                 _confab_mcp_http_stream_drop_id           (GArray                 *ids,
                                                                guint                   id);
/* Answers @stream's requests that got no answer with a JSON-RPC error saying @message. */
void                 _confab_mcp_http_stream_answer_with_error (ConfabMcpHttpStream    *stream,
                                                                const char             *message);
/* The ConfabSseEventFunc of an event-stream answer (user data: the stream). */
gboolean             _confab_mcp_http_stream_on_event          (const ConfabSseEvent   *event,
                                                                gpointer                user_data,
                                                                GError                **error);
/* Reads the next piece of the answer. */
void                 _confab_mcp_http_stream_read              (ConfabMcpHttpStream    *stream);
/* The answer ended (@why): resume it, give up on its requests, or free it. */
void                 _confab_mcp_http_stream_ended             (ConfabMcpHttpStream    *stream,
                                                                const char             *why);

/* confab-mcp-http-transport.c */

/* Fails the connection (and so the transport) with a message. */
void                 _confab_mcp_http_transport_fail           (ConfabMcpHttpTransport *self,
                                                                const char             *format,
                                                                ...) G_GNUC_PRINTF (2, 3);
/* POSTs @body for @stream, or GETs (the server's stream, or a resumption) when NULL. */
void                 _confab_mcp_http_transport_send           (ConfabMcpHttpTransport *self,
                                                                ConfabMcpHttpStream    *stream,
                                                                GBytes                 *body);
/* A new session is there: notifications/initialized, then @then's request again. */
void                 _confab_mcp_http_transport_resend         (ConfabMcpHttpTransport *self,
                                                                ConfabMcpHttpStream    *then);

G_END_DECLS
