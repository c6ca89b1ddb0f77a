/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-http"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-json-private.h"
#include "confab-jsonrpc-message-private.h"
#include "confab-mcp-http-stream-private.h"
#include "confab-mcp-server.h"

/* One request of the Streamable HTTP transport and its answer: JSON, or an event stream
 * whose messages (the server's requests and notifications, then the answers) go into the
 * JSON-RPC connection. A stream that ends before the answers to its requests came is
 * resumed: GET with Last-Event-ID after the stream's `retry` (SEP-1699). */

void
_confab_mcp_http_stream_free (ConfabMcpHttpStream *stream)
{
  /* A new session that could not be started: the request waiting for it fails with the
   * connection. */
  if (stream->then != NULL)
    {
      ConfabMcpHttpStream *then = g_steal_pointer (&stream->then);
      ConfabMcpHttpTransport *self = stream->self;

      self->reinitializing = FALSE;
      if (!self->closed)
        _confab_mcp_http_transport_fail (self, _("MCP server “%s” (%s) ended the session (HTTP 404)"), self->name, self->url);
      _confab_mcp_http_stream_free (then);
    }

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
  g_clear_pointer (&stream->request_body, g_bytes_unref);
  g_free (stream->last_event_id);
  if (stream->token_sent != NULL)
    memset (stream->token_sent, 0, strlen (stream->token_sent));
  g_free (stream->token_sent);
  g_free (stream);
}

ConfabMcpHttpStream *
_confab_mcp_http_stream_new (ConfabMcpHttpTransport *self)
{
  ConfabMcpHttpStream *stream = g_new0 (ConfabMcpHttpStream, 1);

  stream->self = g_object_ref (self);
  stream->ids = g_array_new (FALSE, FALSE, sizeof (guint));
  stream->retry_ms = -1;
  self->streams = g_list_prepend (self->streams, stream);

  return stream;
}

void
_confab_mcp_http_stream_drop_id (GArray *ids,
                                 guint   id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, guint, i) == id)
      {
        g_array_remove_index_fast (ids, i);
        return;
      }
}

/* Answers the requests of @stream that got no answer with a JSON-RPC error, so the caller
 * learns why (an HTTP status, a stream that ended) instead of waiting for its timeout. */
void
_confab_mcp_http_stream_answer_with_error (ConfabMcpHttpStream *stream,
                                           const char          *message)
{
  g_autoptr(GArray) ids = g_steal_pointer (&stream->ids);

  stream->ids = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(JsonNode) text = json_node_init_string (json_node_alloc (), message);
      g_autofree char *quoted = json_to_string (text, FALSE);
      g_autofree char *line = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%u,\"error\":"
                                               "{\"code\":-32000,\"message\":%s}}",
                                               g_array_index (ids, guint, i), quoted);

      _confab_jsonrpc_connection_handle_line (stream->self->connection, line, strlen (line));
    }
}

/* Incoming messages --------------------------------------------------------------------- */

/* Crosses the answers in @node off @stream's ids. */
static void
note_answers (ConfabMcpHttpStream *stream,
              JsonNode            *node)
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
        _confab_mcp_http_stream_drop_id (stream->ids, id);
    }
}

/* One message (or batch) from the server; FALSE when the connection stopped listening. */
static gboolean
handle_message (ConfabMcpHttpStream *stream,
                const char          *data,
                gsize                len)
{
  ConfabMcpHttpTransport *self = stream->self;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, len, NULL))
    {
      _confab_mcp_http_transport_fail (self, _("MCP server “%s” (%s) sent something that is not UTF-8 text"),
            self->name, self->url);
      return FALSE;
    }

  if (_confab_json_parser_load_untrusted (parser, data, len, NULL))
    note_answers (stream, json_parser_get_root (parser));

  /* The connection reports what is not JSON-RPC. */
  _confab_jsonrpc_connection_handle_line (self->connection, data, len);

  return !self->closed;
}

gboolean
_confab_mcp_http_stream_on_event (const ConfabSseEvent  *event,
                                  gpointer               user_data,
                                  GError               **error)
{
  ConfabMcpHttpStream *stream = user_data;

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
  ConfabMcpHttpStream *stream = user_data;
  ConfabMcpHttpTransport *self = stream->self;

  stream->resume_id = 0;

  g_clear_object (&stream->msg);
  g_clear_object (&stream->input);
  g_clear_pointer (&stream->reader, confab_sse_reader_free);
  g_clear_pointer (&stream->body, g_byte_array_unref);
  stream->got_event = FALSE;
  stream->resumptions++;

  _confab_mcp_http_transport_send (self, stream, NULL);

  return G_SOURCE_REMOVE;
}

/* The stream ended: resume it when answers are missing (or it is the server's own stream),
 * after the `retry` the server asked for. */
void
_confab_mcp_http_stream_ended (ConfabMcpHttpStream *stream,
                               const char          *why)
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

  if (stream->then != NULL && !self->closed && self->session_id != NULL)
    {
      /* The new session is there: say so, then send the request again. */
      ConfabMcpHttpStream *then = g_steal_pointer (&stream->then);

      self->reinitializing = FALSE;
      _confab_mcp_http_transport_resend (self, then);
    }

  if (self->closed || (stream->ids->len == 0 && !stream->standalone))
    {
      _confab_mcp_http_stream_free (stream);
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

          _confab_mcp_http_stream_answer_with_error (stream, message);
        }
      _confab_mcp_http_stream_free (stream);
      return;
    }

  delay = stream->retry_ms >= 0 ? MIN (stream->retry_ms, MAX_RETRY_MS) : DEFAULT_RETRY_MS;
  g_debug ("MCP server “%s”: %s; resuming after %" G_GINT64_FORMAT " ms from event “%s”",
           self->name, why, delay, stream->last_event_id ? stream->last_event_id : "");
  stream->resume_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint)delay, resume_cb, stream, NULL);
}

/* Reading ------------------------------------------------------------------------------- */

/* The end of an answer: its last message (JSON), then resume or finish. Frees @stream or
 * hands it on. */
static void
stream_at_end (ConfabMcpHttpStream *stream)
{
  if (stream->reader != NULL)
    {
      /* An event cut off by the end is dropped, as the SSE spec says. */
      confab_sse_reader_end (stream->reader, NULL);
      _confab_mcp_http_stream_ended (stream, _("the server closed it"));
      return;
    }

  if (stream->body->len > 0 &&
      !handle_message (stream, (const char *)stream->body->data, stream->body->len))
    {
      _confab_mcp_http_stream_free (stream);
      return;
    }

  _confab_mcp_http_stream_ended (stream, _("the answer had none"));
}

/* Bytes of an answer; FALSE when @stream is done with (and freed). */
static gboolean
stream_take (ConfabMcpHttpStream *stream,
             const char          *data,
             gsize                len)
{
  ConfabMcpHttpTransport *self = stream->self;
  g_autoptr(GError) error = NULL;

  if (stream->reader != NULL)
    {
      if (!confab_sse_reader_feed (stream->reader, data, len, &error))
        {
          if (!self->closed)
            _confab_mcp_http_transport_fail (self, _("MCP server “%s” (%s) sent an event stream that cannot be read: %s"),
                  self->name, self->url, error->message);
          _confab_mcp_http_stream_free (stream);
          return FALSE;
        }
      return TRUE;
    }

  if (stream->body->len + len > CONFAB_MCP_SERVER_MAX_MESSAGE)
    {
      _confab_mcp_http_transport_fail (self, _("MCP server “%s” (%s) sent a message longer than %u MB"),
            self->name, self->url, CONFAB_MCP_SERVER_MAX_MESSAGE / (1024 * 1024));
      _confab_mcp_http_stream_free (stream);
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
  ConfabMcpHttpStream *stream = user_data;
  ConfabMcpHttpTransport *self = stream->self;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (self->closed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      _confab_mcp_http_stream_free (stream);
      return;
    }

  if (error != NULL)
    _confab_mcp_http_stream_ended (stream, error->message);
  else if (g_bytes_get_size (bytes) == 0)
    stream_at_end (stream);
  else if (stream_take (stream, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)))
    _confab_mcp_http_stream_read (stream);
}

void
_confab_mcp_http_stream_read (ConfabMcpHttpStream *stream)
{
  g_input_stream_read_bytes_async (stream->input, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   stream->self->cancellable, on_read, stream);
}

/* For fuzzing ------------------------------------------------------------------------------ */

gboolean
_confab_mcp_http_transport_feed_answer (ConfabMcpHttpTransport *self,
                                        guint                   id,
                                        gboolean                event_stream,
                                        const guint8           *data,
                                        gsize                   len,
                                        gsize                   piece)
{
  g_autoptr(ConfabMcpHttpTransport) hold = NULL;
  ConfabMcpHttpStream *stream;

  g_return_val_if_fail (CONFAB_IS_MCP_HTTP_TRANSPORT (self), FALSE);
  g_return_val_if_fail (piece > 0, FALSE);

  if (self->closed)
    return FALSE;

  hold = g_object_ref (self);
  stream = _confab_mcp_http_stream_new (self);
  g_array_append_val (stream->ids, id);
  if (event_stream)
    {
      stream->reader = confab_sse_reader_new (_confab_mcp_http_stream_on_event, stream);
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
