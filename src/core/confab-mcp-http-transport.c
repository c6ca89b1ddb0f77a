/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-http"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "confab-error.h"
#include "confab-jsonrpc-message-private.h"
#include "confab-mcp-http-stream-private.h"
#include "confab-mcp-oauth-private.h"
#include "confab-mcp-server.h"
#include "confab-sse-reader.h"
/* Streamable HTTP (MCP 2025-03-26 and later). Each POST carries one message; an answer
 * comes back as application/json, or as a text/event-stream that may also carry the
 * server's requests and notifications before the answer. A stream that ends before the
 * answers to its requests came is resumed: GET with Last-Event-ID after the stream's
 * `retry` (SEP-1699). Every callback first checks for cancellation: closing cancels
 * everything before the transport can go away. */

G_DEFINE_FINAL_TYPE (ConfabMcpHttpTransport, confab_mcp_http_transport, G_TYPE_OBJECT)

/* Failing ------------------------------------------------------------------------------- */

void
_confab_mcp_http_transport_fail (ConfabMcpHttpTransport *self,
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

/* A new session ------------------------------------------------------------------------ */

void
_confab_mcp_http_transport_resend (ConfabMcpHttpTransport *self,
                                   ConfabMcpHttpStream    *then)
{
  ConfabMcpHttpStream *initialized = _confab_mcp_http_stream_new (self);

  initialized->initialized_notification = TRUE;
  self->get_stream_open = FALSE;
  _confab_mcp_http_transport_send (self, initialized, self->initialized_body);

  g_clear_object (&then->msg);
  _confab_mcp_http_transport_send (self, then, then->request_body);
}

/* The server ended the session (HTTP 404 to @stream's POST): start a new one with the
 * initialize that started this one, then send @stream's request again. FALSE when that
 * cannot be done (already tried, or under way for another request). */
static gboolean
start_new_session (ConfabMcpHttpTransport *self,
                   ConfabMcpHttpStream    *stream)
{
  ConfabMcpHttpStream *initialize;

  if (stream->resent || stream->request_body == NULL || self->initialize_body == NULL ||
      self->initialized_body == NULL || self->reinitializing ||
      g_strcmp0 (stream->method, "initialize") == 0)
    return FALSE;

  g_debug ("MCP server “%s” ended the session; starting a new one", self->name);
  g_clear_pointer (&self->session_id, g_free);
  self->reinitializing = TRUE;
  stream->resent = TRUE;

  /* Its answer carries an id answered long ago: the connection lets it go. */
  initialize = _confab_mcp_http_stream_new (self);
  initialize->method = g_strdup ("initialize");
  initialize->then = stream;
  _confab_mcp_http_transport_send (self, initialize, self->initialize_body);

  return TRUE;
}

/* Authorization ------------------------------------------------------------------------- */

static void
on_authorized (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ConfabMcpHttpTransport) self = user_data;
  g_autoptr(GError) error = NULL;
  ConfabMcpHttpStream *stream;
  gboolean authorized;

  authorized = _confab_mcp_oauth_authorize_finish (CONFAB_MCP_OAUTH (object), result, &error);
  self->authorizing = FALSE;
  if (self->closed)
    return;

  while ((stream = g_queue_pop_head (&self->auth_waiting)) != NULL)
    {
      if (authorized)
        {
          g_clear_object (&stream->msg);
          _confab_mcp_http_transport_send (self, stream, stream->request_body);
        }
      else
        {
          g_autofree char *message = g_strdup_printf ("HTTP %u %s: %s", self->auth_status,
                                                      soup_status_get_phrase (self->auth_status),
                                                      error->message);

          _confab_mcp_http_stream_answer_with_error (stream, message);
          _confab_mcp_http_stream_free (stream);
        }
    }
}

/* The server refused @stream's POST with @status (401, or 403 insufficient_scope): it waits
 * while OAuth refreshes the token or signs in (one at a time for all requests), then goes
 * again. FALSE when it has had its tries. */
static gboolean
authorize (ConfabMcpHttpTransport *self,
           ConfabMcpHttpStream    *stream,
           guint                   status)
{
  const char *challenge;

  if (self->oauth == NULL || stream->standalone || stream->resumptions > 0 ||
      stream->request_body == NULL || stream->auth_tries >= MAX_AUTH_TRIES)
    return FALSE;

  challenge = soup_message_headers_get_one (soup_message_get_response_headers (stream->msg),
                                            "WWW-Authenticate");
  if (status == SOUP_STATUS_FORBIDDEN &&
      (challenge == NULL || strstr (challenge, "insufficient_scope") == NULL))
    return FALSE;

  stream->auth_tries++;
  g_queue_push_tail (&self->auth_waiting, stream);
  if (self->authorizing)
    return TRUE;

  self->authorizing = TRUE;
  self->auth_status = status;
  _confab_mcp_oauth_authorize_async (self->oauth, status, challenge, stream->token_sent,
                                     self->cancellable, on_authorized, g_object_ref (self));
  return TRUE;
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

/* notifications/initialized was answered (or failed, or was cancelled): what waited
 * for it goes out, in order. */
static void
release_held (ConfabMcpHttpTransport *self)
{
  ConfabMcpHttpStream *stream;

  self->initialized_in_flight = FALSE;
  while ((stream = g_queue_pop_head (&self->held)) != NULL)
    _confab_mcp_http_transport_send (self, stream, stream->request_body);
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ConfabMcpHttpStream *stream = user_data;
  ConfabMcpHttpTransport *self = stream->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) input = NULL;
  const char *session_id;
  guint status;

  input = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (stream->initialized_notification)
    release_held (self);
  if (self->closed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      _confab_mcp_http_stream_free (stream);
      return;
    }

  if (input == NULL)
    {
      /* A resumption that cannot connect counts as one that brought nothing. */
      if (stream->standalone || stream->resumptions > 0)
        {
          _confab_mcp_http_stream_ended (stream, error->message);
          return;
        }

      _confab_mcp_http_transport_fail (self, _("MCP server “%s” (%s) could not be reached: %s"),
            self->name, self->url, error->message);
      _confab_mcp_http_stream_free (stream);
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

      /* The server's own stream is optional (405: there is none): nothing to _confab_mcp_http_transport_fail, and no
       * reason to ask again. */
      if (stream->standalone)
        {
          g_debug ("MCP server “%s” offers no event stream: HTTP %u", self->name, status);
          _confab_mcp_http_stream_free (stream);
          return;
        }

      if (status == SOUP_STATUS_NOT_FOUND && self->session_id != NULL &&
          start_new_session (self, stream))
        return;

      if (status == SOUP_STATUS_NOT_FOUND && self->session_id != NULL)
        {
          /* Gone: nothing to DELETE on close. */
          g_clear_pointer (&self->session_id, g_free);
          _confab_mcp_http_transport_fail (self, _("MCP server “%s” (%s) ended the session (HTTP 404)"), self->name, self->url);
          _confab_mcp_http_stream_free (stream);
          return;
        }

      if ((status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN) &&
          authorize (self, stream, status))
        return;

      if ((status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN) &&
          self->oauth != NULL && stream->auth_tries > 0)
        message = g_strdup_printf (_("HTTP %u %s: MCP server “%s” still refuses the request after signing in"),
                                   status, soup_message_get_reason_phrase (stream->msg), self->name);
      else if ((status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN) &&
               self->oauth == NULL)
        message = g_strdup_printf (_("HTTP %u %s: the server wants authorization; Confab sends only the headers set for it in mcp.json (OAuth is not supported)"),
                                   status, soup_message_get_reason_phrase (stream->msg));
      else
        message = g_strdup_printf ("HTTP %u %s", status, soup_message_get_reason_phrase (stream->msg));

      if (stream->resumptions > 0)
        {
          stream->resumptions = MAX_RESUMPTIONS;
          _confab_mcp_http_stream_ended (stream, message);
          return;
        }

      _confab_mcp_http_stream_answer_with_error (stream, message);
      _confab_mcp_http_stream_free (stream);
      return;
    }

  if (stream->initialized_notification && !self->get_stream_open)
    open_get_stream (self);

  stream->input = g_steal_pointer (&input);

  if (is_content_type (stream->msg, "text/event-stream"))
    {
      stream->reader = confab_sse_reader_new (_confab_mcp_http_stream_on_event, stream);
      confab_sse_reader_set_max_line (stream->reader, CONFAB_MCP_SERVER_MAX_MESSAGE);
    }
  else if (stream->standalone || stream->resumptions > 0)
    {
      g_debug ("MCP server “%s” answered a GET with something else than an event stream",
               self->name);
      stream->resumptions = MAX_RESUMPTIONS;
      _confab_mcp_http_stream_ended (stream, _("not an event stream"));
      return;
    }
  else
    stream->body = g_byte_array_new ();

  _confab_mcp_http_stream_read (stream);
}

static void
add_headers (ConfabMcpHttpTransport *self,
             SoupMessage            *msg,
             ConfabMcpHttpStream    *stream)
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

  if (self->oauth != NULL && _confab_mcp_oauth_get_access_token (self->oauth) != NULL)
    {
      const char *token = _confab_mcp_oauth_get_access_token (self->oauth);
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
      memset (value, 0, strlen (value));
      if (stream != NULL)
        {
          g_free (stream->token_sent);
          stream->token_sent = g_strdup (token);
        }
    }

  if (self->session_id != NULL)
    soup_message_headers_replace (headers, "Mcp-Session-Id", self->session_id);
  if (self->protocol_version != NULL)
    soup_message_headers_replace (headers, "MCP-Protocol-Version", self->protocol_version);
}

/* POSTs @body, or GETs (the server's stream, or a resumption) when @body is NULL. */
void
_confab_mcp_http_transport_send (ConfabMcpHttpTransport *self,
                                 ConfabMcpHttpStream    *stream,
                                 GBytes                 *body)
{
  SoupMessageHeaders *headers;

  if (self->detached)
    {
      _confab_mcp_http_stream_free (stream);
      return;
    }

  if (body != NULL && stream->request_body != NULL && self->initialized_in_flight &&
      !stream->initialized_notification)
    {
      g_queue_push_tail (&self->held, stream);
      return;
    }
  if (stream->initialized_notification)
    self->initialized_in_flight = TRUE;

  stream->msg = soup_message_new_from_uri (body != NULL ? "POST" : "GET", self->uri);
  headers = soup_message_get_request_headers (stream->msg);
  add_headers (self, stream->msg, stream);

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
  ConfabMcpHttpStream *stream = _confab_mcp_http_stream_new (self);

  self->get_stream_open = TRUE;
  stream->standalone = TRUE;
  /* The first try is not a resumption: a refusal just means there is no such stream. */
  _confab_mcp_http_transport_send (self, stream, NULL);
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
  ConfabMcpHttpStream *stream;
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
          _confab_mcp_http_stream_drop_id (((ConfabMcpHttpStream *)l->data)->ids, id);
    }

  stream = _confab_mcp_http_stream_new (self);
  stream->method = g_strdup (method);
  stream->initialized_notification = g_strcmp0 (method, "notifications/initialized") == 0;
  if (method != NULL &&
      _confab_jsonrpc_message_get_id (json_object_get_member (object, "id"), &id))
    g_array_append_val (stream->ids, id);

  text = json_to_string (message, FALSE);
  len = strlen (text);
  body = g_bytes_new_take (g_steal_pointer (&text), len);
  stream->request_body = g_bytes_ref (body);
  if (g_strcmp0 (method, "initialize") == 0 && self->initialize_body == NULL)
    self->initialize_body = g_bytes_ref (body);
  else if (stream->initialized_notification && self->initialized_body == NULL)
    self->initialized_body = g_bytes_ref (body);
  _confab_mcp_http_transport_send (self, stream, body);
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
  g_queue_clear_full (&self->held, (GDestroyNotify)_confab_mcp_http_stream_free);
  g_queue_clear_full (&self->auth_waiting, (GDestroyNotify)_confab_mcp_http_stream_free);

  /* Streams waiting to resume have no callback to come; the others free themselves as
   * their cancelled I/O returns. */
  for (GList *l = self->streams; l != NULL;)
    {
      ConfabMcpHttpStream *stream = l->data;

      l = l->next;
      if (stream->resume_id != 0)
        _confab_mcp_http_stream_free (stream);
    }

  _confab_jsonrpc_connection_set_send_func (self->connection, NULL, NULL);
  _confab_jsonrpc_connection_close (self->connection);

  if (self->session_id != NULL && !self->detached)
    {
      g_autoptr(SoupMessage) msg = soup_message_new_from_uri ("DELETE", self->uri);

      add_headers (self, msg, NULL);
      /* The session's task keeps it alive until the server answered. */
      soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, NULL,
                                        on_deleted, NULL);
    }
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
  g_clear_pointer (&self->initialize_body, g_bytes_unref);
  g_clear_pointer (&self->initialized_body, g_bytes_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->oauth);

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
  /* A failed connection reads and sends nothing more: the session ends with it. */
  g_signal_connect_object (self->connection, "failed", G_CALLBACK (_confab_mcp_http_transport_close),
                           self, G_CONNECT_SWAPPED);

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

void
_confab_mcp_http_transport_set_oauth (ConfabMcpHttpTransport *self,
                                      ConfabMcpOAuth         *oauth)
{
  g_return_if_fail (CONFAB_IS_MCP_HTTP_TRANSPORT (self));
  g_set_object (&self->oauth, oauth);
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
