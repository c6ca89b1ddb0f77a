/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-http"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "confab-error.h"
#include "confab-jsonrpc-message-private.h"
#include "confab-mcp-http-transport-private.h"
#include "confab-mcp-server.h"
#include "confab-sse-reader.h"

/* Streamable HTTP (MCP 2025-03-26 and later). Each POST carries one message; an answer
 * comes back as application/json, or as a text/event-stream that may also carry the
 * server's requests and notifications before the answer. A stream that ends before the
 * answers to its requests came is resumed: GET with Last-Event-ID after the stream's
 * `retry` (SEP-1699). Every callback first checks for cancellation: closing cancels
 * everything before the transport can go away. */

#define READ_CHUNK          (64 * 1024)
#define DEFAULT_RETRY_MS    1000
#define MAX_RETRY_MS        (60 * 1000)
/* Resumptions in a row that bring no event before giving up. */
#define MAX_RESUMPTIONS     5

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

  guint                    get_stream_open : 1;
  guint                    closed : 1;
  /* For fuzzing: nothing goes on the network. */
  guint                    detached : 1;
};

G_DEFINE_FINAL_TYPE (ConfabMcpHttpTransport, confab_mcp_http_transport, G_TYPE_OBJECT)

/* One request and what it answers: a POST, a resumption (GET with Last-Event-ID) or the
 * server's own GET stream. */
typedef struct
{
  ConfabMcpHttpTransport *self;
  SoupMessage            *msg;
  GInputStream           *input;
  ConfabSseReader        *reader;
  GByteArray             *body;
  /* Ids of the requests in it that are not answered yet. */
  GArray                 *ids;
  char                   *method;
  char                   *last_event_id;
  gint64                  retry_ms;
  guint                   resume_id;
  guint                   resumptions;
  guint                   standalone : 1;
  guint                   got_event : 1;
  guint                   initialized_notification : 1;
} Stream;

static void send_request (ConfabMcpHttpTransport *self,
                          Stream                 *stream,
                          GBytes                 *body);

static void
stream_free (Stream *stream)
{
  if (stream->self != NULL)
    stream->self->streams = g_list_remove (stream->self->streams, stream);
  g_clear_handle_id (&stream->resume_id, g_source_remove);
  g_clear_object (&stream->self);
  g_clear_object (&stream->msg);
  g_clear_object (&stream->input);
  g_clear_pointer (&stream->reader, confab_sse_reader_free);
  g_clear_pointer (&stream->body, g_byte_array_unref);
  g_clear_pointer (&stream->ids, g_array_unref);
  g_free (stream->method);
  g_free (stream->last_event_id);
  g_free (stream);
}

static Stream *
stream_new (ConfabMcpHttpTransport *self)
{
  Stream *stream = g_new0 (Stream, 1);

  stream->self = g_object_ref (self);
  stream->ids = g_array_new (FALSE, FALSE, sizeof (guint));
  stream->retry_ms = -1;
  self->streams = g_list_prepend (self->streams, stream);

  return stream;
}

static void
drop_id (GArray *ids,
         guint   id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, guint, i) == id)
      {
        g_array_remove_index_fast (ids, i);
        return;
      }
}

/* Failing ------------------------------------------------------------------------------- */

static void
fail (ConfabMcpHttpTransport *self,
      const char             *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (ConfabMcpHttpTransport *self,
      const char             *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  _confab_jsonrpc_connection_fail (self->connection, message);
}

/* Answers the requests of @stream that got no answer with a JSON-RPC error, so the caller
 * learns why (an HTTP status, a stream that ended) instead of waiting for its timeout. */
static void
answer_with_error (Stream     *stream,
                   const char *message)
{
  g_autoptr(GArray) ids = g_steal_pointer (&stream->ids);

  stream->ids = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "jsonrpc");
      json_builder_add_string_value (builder, "2.0");
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, g_array_index (ids, guint, i));
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, -32000);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      line = json_to_string (node, FALSE);

      _confab_jsonrpc_connection_handle_line (stream->self->connection, line, strlen (line));
    }
}

/* Incoming messages --------------------------------------------------------------------- */

/* Crosses the answers in @node off @stream's ids. */
static void
note_answers (Stream   *stream,
              JsonNode *node)
{
  if (node == NULL)
    return;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *batch = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (batch); i++)
        note_answers (stream, json_array_get_element (batch, i));
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      guint id;

      if (!json_object_has_member (object, "method") &&
          _confab_jsonrpc_message_get_id (json_object_get_member (object, "id"), &id))
        drop_id (stream->ids, id);
    }
}

/* One message (or batch) from the server; FALSE when the connection stopped listening. */
static gboolean
handle_message (Stream     *stream,
                const char *data,
                gsize       len)
{
  ConfabMcpHttpTransport *self = stream->self;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, len, NULL))
    {
      fail (self, _("MCP server “%s” (%s) sent something that is not UTF-8 text"),
            self->name, self->url);
      return FALSE;
    }

  if (json_parser_load_from_data (parser, data, len, NULL))
    note_answers (stream, json_parser_get_root (parser));

  /* The connection reports what is not JSON-RPC. */
  _confab_jsonrpc_connection_handle_line (self->connection, data, len);

  return !self->closed;
}

static gboolean
on_sse_event (const ConfabSseEvent  *event,
              gpointer               user_data,
              GError               **error)
{
  Stream *stream = user_data;

  stream->got_event = TRUE;
  stream->resumptions = 0;

  /* A priming event (an id, maybe a retry, no data) only marks where to resume. */
  if (event->data_len == 0 || (g_strcmp0 (event->event, "message") != 0))
    return TRUE;

  if (!handle_message (stream, event->data, event->data_len))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "closed");
      return FALSE;
    }

  return TRUE;
}

/* Resuming ------------------------------------------------------------------------------ */

static gboolean
resume_cb (gpointer user_data)
{
  Stream *stream = user_data;
  ConfabMcpHttpTransport *self = stream->self;

  stream->resume_id = 0;

  g_clear_object (&stream->msg);
  g_clear_object (&stream->input);
  g_clear_pointer (&stream->reader, confab_sse_reader_free);
  g_clear_pointer (&stream->body, g_byte_array_unref);
  stream->got_event = FALSE;
  stream->resumptions++;

  send_request (self, stream, NULL);

  return G_SOURCE_REMOVE;
}

/* The stream ended: resume it when answers are missing (or it is the server's own stream),
 * after the `retry` the server asked for. */
static void
stream_ended (Stream     *stream,
              const char *why)
{
  ConfabMcpHttpTransport *self = stream->self;
  gboolean resumable;
  gint64 delay;

  if (stream->reader != NULL)
    {
      const char *id = confab_sse_reader_get_last_event_id (stream->reader);

      if (id != NULL && *id != '\0')
        {
          g_free (stream->last_event_id);
          stream->last_event_id = g_strdup (id);
        }
      if (confab_sse_reader_get_retry (stream->reader) >= 0)
        stream->retry_ms = confab_sse_reader_get_retry (stream->reader);
    }

  if (self->closed || (stream->ids->len == 0 && !stream->standalone))
    {
      stream_free (stream);
      return;
    }

  /* Without an event id a request's answers cannot be asked for again. */
  resumable = (stream->standalone || stream->last_event_id != NULL) &&
              stream->resumptions < MAX_RESUMPTIONS;
  if (!resumable)
    {
      if (stream->ids->len > 0)
        {
          g_autofree char *message = g_strdup_printf (_("the stream ended before the answer (%s)"), why);

          answer_with_error (stream, message);
        }
      stream_free (stream);
      return;
    }

  delay = stream->retry_ms >= 0 ? MIN (stream->retry_ms, MAX_RETRY_MS) : DEFAULT_RETRY_MS;
  g_debug ("MCP server “%s”: %s; resuming after %" G_GINT64_FORMAT " ms from event “%s”",
           self->name, why, delay, stream->last_event_id ? stream->last_event_id : "");
  stream->resume_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint)delay, resume_cb, stream, NULL);
}

/* Reading ------------------------------------------------------------------------------- */

static void read_next (Stream *stream);

/* The end of an answer: its last message (JSON), then resume or finish. Frees @stream or
 * hands it on. */
static void
stream_at_end (Stream *stream)
{
  if (stream->reader != NULL)
    {
      /* An event cut off by the end is dropped, as the SSE spec says. */
      confab_sse_reader_end (stream->reader, NULL);
      stream_ended (stream, _("the server closed it"));
      return;
    }

  if (stream->body->len > 0 &&
      !handle_message (stream, (const char *)stream->body->data, stream->body->len))
    {
      stream_free (stream);
      return;
    }

  stream_ended (stream, _("the answer had none"));
}

/* Bytes of an answer; FALSE when @stream is done with (and freed). */
static gboolean
stream_take (Stream     *stream,
             const char *data,
             gsize       len)
{
  ConfabMcpHttpTransport *self = stream->self;
  g_autoptr(GError) error = NULL;

  if (stream->reader != NULL)
    {
      if (!confab_sse_reader_feed (stream->reader, data, len, &error))
        {
          if (!self->closed)
            fail (self, _("MCP server “%s” (%s) sent an event stream that cannot be read: %s"),
                  self->name, self->url, error->message);
          stream_free (stream);
          return FALSE;
        }
      return TRUE;
    }

  if (stream->body->len + len > CONFAB_MCP_SERVER_MAX_MESSAGE)
    {
      fail (self, _("MCP server “%s” (%s) sent a message longer than %u MB"),
            self->name, self->url, CONFAB_MCP_SERVER_MAX_MESSAGE / (1024 * 1024));
      stream_free (stream);
      return FALSE;
    }

  g_byte_array_append (stream->body, (const guint8 *)data, len);
  return TRUE;
}

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Stream *stream = user_data;
  ConfabMcpHttpTransport *self = stream->self;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (self->closed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      stream_free (stream);
      return;
    }

  if (error != NULL)
    stream_ended (stream, error->message);
  else if (g_bytes_get_size (bytes) == 0)
    stream_at_end (stream);
  else if (stream_take (stream, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)))
    read_next (stream);
}

static void
read_next (Stream *stream)
{
  g_input_stream_read_bytes_async (stream->input, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   stream->self->cancellable, on_read, stream);
}

/* Sending ------------------------------------------------------------------------------- */

static void open_get_stream (ConfabMcpHttpTransport *self);

static gboolean
is_content_type (SoupMessage *msg,
                 const char  *type)
{
  const char *content_type;

  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  return content_type != NULL && g_ascii_strcasecmp (content_type, type) == 0;
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Stream *stream = user_data;
  ConfabMcpHttpTransport *self = stream->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) input = NULL;
  const char *session_id;
  guint status;

  input = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (self->closed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      stream_free (stream);
      return;
    }

  if (input == NULL)
    {
      /* A resumption that cannot connect counts as one that brought nothing. */
      if (stream->standalone || stream->resumptions > 0)
        {
          stream_ended (stream, error->message);
          return;
        }

      fail (self, _("MCP server “%s” (%s) could not be reached: %s"),
            self->name, self->url, error->message);
      stream_free (stream);
      return;
    }

  status = soup_message_get_status (stream->msg);
  session_id = soup_message_headers_get_one (soup_message_get_response_headers (stream->msg),
                                             "Mcp-Session-Id");
  if (session_id != NULL && self->session_id == NULL && SOUP_STATUS_IS_SUCCESSFUL (status))
    self->session_id = g_strdup (session_id);

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *message = NULL;

      /* The server's own stream is optional (405: there is none): nothing to fail, and no
       * reason to ask again. */
      if (stream->standalone)
        {
          g_debug ("MCP server “%s” offers no event stream: HTTP %u", self->name, status);
          stream_free (stream);
          return;
        }

      if (status == SOUP_STATUS_NOT_FOUND && self->session_id != NULL)
        {
          /* Gone: nothing to DELETE on close. */
          g_clear_pointer (&self->session_id, g_free);
          fail (self, _("MCP server “%s” (%s) ended the session (HTTP 404)"), self->name, self->url);
          stream_free (stream);
          return;
        }

      if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
        message = g_strdup_printf (_("HTTP %u %s: the server wants authorization; Confab sends only the headers set for it in mcp.json (OAuth is not supported)"),
                                   status, soup_message_get_reason_phrase (stream->msg));
      else
        message = g_strdup_printf ("HTTP %u %s", status, soup_message_get_reason_phrase (stream->msg));

      if (stream->resumptions > 0)
        {
          stream->resumptions = MAX_RESUMPTIONS;
          stream_ended (stream, message);
          return;
        }

      answer_with_error (stream, message);
      stream_free (stream);
      return;
    }

  if (stream->initialized_notification && !self->get_stream_open)
    open_get_stream (self);

  stream->input = g_steal_pointer (&input);

  if (is_content_type (stream->msg, "text/event-stream"))
    {
      stream->reader = confab_sse_reader_new (on_sse_event, stream);
      confab_sse_reader_set_max_line (stream->reader, CONFAB_MCP_SERVER_MAX_MESSAGE);
    }
  else if (stream->standalone || stream->resumptions > 0)
    {
      g_debug ("MCP server “%s” answered a GET with something else than an event stream",
               self->name);
      stream->resumptions = MAX_RESUMPTIONS;
      stream_ended (stream, _("not an event stream"));
      return;
    }
  else
    stream->body = g_byte_array_new ();

  read_next (stream);
}

static void
add_headers (ConfabMcpHttpTransport *self,
             SoupMessage            *msg)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  for (guint i = 0; self->headers != NULL && self->headers[i] != NULL; i++)
    {
      const char *colon = strchr (self->headers[i], ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL)
        continue;

      name = g_strstrip (g_strndup (self->headers[i], colon - self->headers[i]));
      value = g_strstrip (g_strdup (colon + 1));
      soup_message_headers_replace (headers, name, value);
    }

  if (self->session_id != NULL)
    soup_message_headers_replace (headers, "Mcp-Session-Id", self->session_id);
  if (self->protocol_version != NULL)
    soup_message_headers_replace (headers, "MCP-Protocol-Version", self->protocol_version);
}

/* POSTs @body, or GETs (the server's stream, or a resumption) when @body is NULL. */
static void
send_request (ConfabMcpHttpTransport *self,
              Stream                 *stream,
              GBytes                 *body)
{
  SoupMessageHeaders *headers;

  if (self->detached)
    {
      stream_free (stream);
      return;
    }

  stream->msg = soup_message_new_from_uri (body != NULL ? "POST" : "GET", self->uri);
  headers = soup_message_get_request_headers (stream->msg);
  add_headers (self, stream->msg);

  if (body != NULL)
    {
      soup_message_headers_replace (headers, "Accept", "application/json, text/event-stream");
      soup_message_set_request_body_from_bytes (stream->msg, "application/json", body);
    }
  else
    {
      soup_message_headers_replace (headers, "Accept", "text/event-stream");
      if (stream->last_event_id != NULL)
        soup_message_headers_replace (headers, "Last-Event-ID", stream->last_event_id);
    }

  soup_session_send_async (self->session, stream->msg, G_PRIORITY_DEFAULT, self->cancellable,
                           on_sent, stream);
}

static void
open_get_stream (ConfabMcpHttpTransport *self)
{
  Stream *stream = stream_new (self);

  self->get_stream_open = TRUE;
  stream->standalone = TRUE;
  /* The first try is not a resumption: a refusal just means there is no such stream. */
  send_request (self, stream, NULL);
}

static void
send_message (ConfabJsonrpcConnection *connection,
              JsonNode                *message,
              gpointer                 user_data)
{
  ConfabMcpHttpTransport *self = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;
  Stream *stream;
  gsize len;
  const char *method;
  guint id;

  if (self->closed)
    return;

  object = json_node_get_object (message);
  method = json_object_get_string_member_with_default (object, "method", NULL);

  /* A request the connection gave up on will get no answer worth resuming for. */
  if (g_strcmp0 (method, "notifications/cancelled") == 0)
    {
      JsonObject *params = json_object_get_object_member (object, "params");

      if (params != NULL &&
          _confab_jsonrpc_message_get_id (json_object_get_member (params, "requestId"), &id))
        for (const GList *l = self->streams; l != NULL; l = l->next)
          drop_id (((Stream *)l->data)->ids, id);
    }

  stream = stream_new (self);
  stream->method = g_strdup (method);
  stream->initialized_notification = g_strcmp0 (method, "notifications/initialized") == 0;
  if (method != NULL &&
      _confab_jsonrpc_message_get_id (json_object_get_member (object, "id"), &id))
    g_array_append_val (stream->ids, id);

  text = json_to_string (message, FALSE);
  len = strlen (text);
  body = g_bytes_new_take (g_steal_pointer (&text), len);
  send_request (self, stream, body);
}

/* Closing ------------------------------------------------------------------------------- */

static void
on_deleted (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (error != NULL)
    g_debug ("Could not end the MCP session: %s", error->message);
}

void
_confab_mcp_http_transport_close (ConfabMcpHttpTransport *self)
{
  g_return_if_fail (CONFAB_IS_MCP_HTTP_TRANSPORT (self));

  if (self->closed)
    return;

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);

  /* Streams waiting to resume have no callback to come; the others free themselves as
   * their cancelled I/O returns. */
  for (GList *l = self->streams; l != NULL;)
    {
      Stream *stream = l->data;

      l = l->next;
      if (stream->resume_id != 0)
        stream_free (stream);
    }

  _confab_jsonrpc_connection_set_send_func (self->connection, NULL, NULL);
  _confab_jsonrpc_connection_close (self->connection);

  if (self->session_id != NULL && !self->detached)
    {
      g_autoptr(SoupMessage) msg = soup_message_new_from_uri ("DELETE", self->uri);

      add_headers (self, msg);
      /* The session's task keeps it alive until the server answered. */
      soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, NULL,
                                        on_deleted, NULL);
    }
}

static void
on_connection_failed (ConfabMcpHttpTransport *self)
{
  /* Nothing more to read or send; the session ends with it. */
  _confab_mcp_http_transport_close (self);
}

/* GObject ------------------------------------------------------------------------------- */

static void
confab_mcp_http_transport_dispose (GObject *object)
{
  ConfabMcpHttpTransport *self = (ConfabMcpHttpTransport *)object;

  if (self->connection != NULL)
    _confab_mcp_http_transport_close (self);

  G_OBJECT_CLASS (confab_mcp_http_transport_parent_class)->dispose (object);
}

static void
confab_mcp_http_transport_finalize (GObject *object)
{
  ConfabMcpHttpTransport *self = (ConfabMcpHttpTransport *)object;

  g_assert (self->streams == NULL);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_pointer (&self->headers, g_strfreev);
  g_clear_pointer (&self->session_id, g_free);
  g_clear_pointer (&self->protocol_version, g_free);
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (confab_mcp_http_transport_parent_class)->finalize (object);
}

static void
confab_mcp_http_transport_class_init (ConfabMcpHttpTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_mcp_http_transport_dispose;
  object_class->finalize = confab_mcp_http_transport_finalize;
}

static void
confab_mcp_http_transport_init (ConfabMcpHttpTransport *self)
{
  self->cancellable = g_cancellable_new ();
}

ConfabMcpHttpTransport *
_confab_mcp_http_transport_new (const char          *name,
                                const char          *url,
                                const char * const  *headers,
                                GError             **error)
{
  g_autoptr(ConfabMcpHttpTransport) self = NULL;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("MCP server “%s”: “%s” is not a valid http:// or https:// address"), name, url);
      return NULL;
    }

  if (!_confab_mcp_http_check_headers (name, headers, error))
    return NULL;

  self = g_object_new (CONFAB_TYPE_MCP_HTTP_TRANSPORT, NULL);
  self->name = g_strdup (name);
  self->url = _confab_mcp_http_display_url (url);
  self->uri = g_steal_pointer (&uri);
  self->headers = g_strdupv ((char **)headers);
  /* Streams stay open for long: no I/O timeout (the calls have theirs), and enough
   * connections for the server's stream, a call's stream and the answer to its
   * elicitation at once. */
  self->session = soup_session_new_with_options ("timeout", 0,
                                                 "max-conns", 64,
                                                 "max-conns-per-host", 32,
                                                 "user-agent", "Confab/" PACKAGE_VERSION,
                                                 NULL);
  self->connection = _confab_jsonrpc_connection_new (name, self->url, NULL, NULL);
  _confab_jsonrpc_connection_set_send_func (self->connection, send_message, self);
  g_signal_connect_object (self->connection, "failed", G_CALLBACK (on_connection_failed), self,
                           G_CONNECT_SWAPPED);

  return g_steal_pointer (&self);
}

ConfabJsonrpcConnection *
_confab_mcp_http_transport_get_connection (ConfabMcpHttpTransport *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_HTTP_TRANSPORT (self), NULL);
  return self->connection;
}

void
_confab_mcp_http_transport_set_protocol_version (ConfabMcpHttpTransport *self,
                                                 const char             *version)
{
  g_return_if_fail (CONFAB_IS_MCP_HTTP_TRANSPORT (self));

  g_free (self->protocol_version);
  self->protocol_version = g_strdup (version);
}

const char *
_confab_mcp_http_transport_get_session_id (ConfabMcpHttpTransport *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_HTTP_TRANSPORT (self), NULL);
  return self->session_id;
}

/* For fuzzing ------------------------------------------------------------------------------ */

void
_confab_mcp_http_transport_set_detached (ConfabMcpHttpTransport *self)
{
  g_return_if_fail (CONFAB_IS_MCP_HTTP_TRANSPORT (self));
  self->detached = TRUE;
}

gboolean
_confab_mcp_http_transport_feed_answer (ConfabMcpHttpTransport *self,
                                        guint                   id,
                                        gboolean                event_stream,
                                        const guint8           *data,
                                        gsize                   len,
                                        gsize                   piece)
{
  g_autoptr(ConfabMcpHttpTransport) hold = NULL;
  Stream *stream;

  g_return_val_if_fail (CONFAB_IS_MCP_HTTP_TRANSPORT (self), FALSE);
  g_return_val_if_fail (piece > 0, FALSE);

  if (self->closed)
    return FALSE;

  hold = g_object_ref (self);
  stream = stream_new (self);
  g_array_append_val (stream->ids, id);
  if (event_stream)
    {
      stream->reader = confab_sse_reader_new (on_sse_event, stream);
      confab_sse_reader_set_max_line (stream->reader, CONFAB_MCP_SERVER_MAX_MESSAGE);
    }
  else
    stream->body = g_byte_array_new ();

  for (gsize offset = 0; offset < len; offset += piece)
    if (!stream_take (stream, (const char *)data + offset, MIN (piece, len - offset)))
      return FALSE;

  stream_at_end (stream);
  return !self->closed;
}
