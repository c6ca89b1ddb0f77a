/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-client"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-client-private.h"
#include "confab-delta-accumulator.h"
#include "confab-error.h"
#include "confab-exchange-private.h"
#include "confab-http-private.h"
#include "confab-json-private.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-usage.h"

/* One streaming chat completion of ConfabClient: POST, then the read loop that feeds the
 * answer (SSE, or one JSON body from a server that ignored "stream": true) to the delta
 * accumulator, with the idle timer, cancellation, the bounded error body and the timings. */

/* Bytes asked for per read: large enough to keep up with any provider, reused per request. */
#define READ_BUFFER_SIZE (16 * 1024)
/* An error body is read whole, but never more than this. */
#define MAX_ERROR_BODY (256 * 1024)
/* A non-streamed answer (a server that ignored "stream": true) is read whole, up to this. */
#define MAX_JSON_BODY (64 * 1024 * 1024)

/* One streaming request. */
typedef struct
{
  ConfabMessage          *message;
  ConfabDeltaAccumulator *accumulator;
  SoupMessage            *msg;
  GInputStream           *stream;
  GCancellable           *cancellable;     /* ours: cancelled by the caller's or the idle timer */
  GCancellable           *caller_cancellable;
  gulong                  caller_handler;
  GSource                *idle_source;
  GSource                *deadline_source; /* the overall limit (max-time) */
  GByteArray             *error_body;
  char                   *url;
  char                   *shown_url;       /* in messages: key-like query values redacted */
  char                   *provider_name;
  ConfabProvider         *provider;
  JsonNode               *exchange;        /* what the inspector shows, redacted */
  guint8                 *buffer;
  gint64                  started_at;
  gint64                  first_output_at;
  guint                   idle_timeout;
  guint                   max_time;
  guint                   timed_out : 1;
  guint                   over_time : 1;
  GByteArray             *json_body;       /* a 2xx application/json answer (no streaming) */
} StreamData;

static void disarm_idle_timer (StreamData *data);
static void disarm_deadline   (StreamData *data);

static void
stream_data_free (StreamData *data)
{
  disarm_idle_timer (data);
  disarm_deadline (data);

  if (data->caller_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);

  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->stream);
  g_clear_object (&data->msg);
  g_clear_pointer (&data->accumulator, confab_delta_accumulator_free);
  g_clear_object (&data->message);
  g_clear_pointer (&data->error_body, g_byte_array_unref);
  g_clear_pointer (&data->json_body, g_byte_array_unref);
  g_clear_pointer (&data->url, g_free);
  g_clear_pointer (&data->shown_url, g_free);
  g_clear_pointer (&data->provider_name, g_free);
  g_clear_object (&data->provider);
  g_clear_pointer (&data->exchange, json_node_unref);
  g_clear_pointer (&data->buffer, g_free);
  g_free (data);
}

static void
caller_cancelled_cb (GCancellable *caller,
                     GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static gboolean
idle_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  StreamData *data = g_task_get_task_data (task);

  data->timed_out = TRUE;
  g_clear_pointer (&data->idle_source, g_source_unref);
  g_cancellable_cancel (data->cancellable);

  return G_SOURCE_REMOVE;
}

/* (Re)starts the idle timer: called whenever a byte arrives. */
static void
arm_idle_timer (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);

  disarm_idle_timer (data);

  data->idle_source = g_timeout_source_new (data->idle_timeout * 1000);
  g_source_set_name (data->idle_source, "[confab] idle timeout");
  /* The task owns the data that owns the source: no reference back to the task. */
  g_source_set_callback (data->idle_source, idle_timeout_cb, task, NULL);
  g_source_attach (data->idle_source, g_task_get_context (task));
}

static void
disarm_idle_timer (StreamData *data)
{
  if (data->idle_source != NULL)
    {
      g_source_destroy (data->idle_source);
      g_clear_pointer (&data->idle_source, g_source_unref);
    }
}

static gboolean
deadline_cb (gpointer user_data)
{
  GTask *task = user_data;
  StreamData *data = g_task_get_task_data (task);

  data->over_time = TRUE;
  g_clear_pointer (&data->deadline_source, g_source_unref);
  g_cancellable_cancel (data->cancellable);

  return G_SOURCE_REMOVE;
}

/* The overall limit: a server that keeps the stream alive with comments, or sends a byte a
 * second, never trips the idle timer, but still ends. */
static void
arm_deadline (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);

  if (data->max_time == 0)
    return;

  data->deadline_source = g_timeout_source_new_seconds (data->max_time);
  g_source_set_name (data->deadline_source, "[confab] request time limit");
  g_source_set_callback (data->deadline_source, deadline_cb, task, NULL);
  g_source_attach (data->deadline_source, g_task_get_context (task));
}

static void
disarm_deadline (StreamData *data)
{
  if (data->deadline_source != NULL)
    {
      g_source_destroy (data->deadline_source);
      g_clear_pointer (&data->deadline_source, g_source_unref);
    }
}

static void
record_timings (StreamData *data)
{
  gint64 now = g_get_monotonic_time ();
  double ttft = -1;

  if (data->exchange != NULL)
    _confab_exchange_set_time (data->exchange, "done_ms", data->started_at);

  if (data->first_output_at > 0)
    ttft = (data->first_output_at - data->started_at) / (double) G_USEC_PER_SEC;

  confab_usage_set_timings (confab_message_get_usage (data->message),
                            ttft,
                            (now - data->started_at) / (double) G_USEC_PER_SEC);
}

/* Ends the request with @error (taken), failing the message but keeping its text. */
static void
stream_fail (GTask  *task,
             GError *error)
{
  StreamData *data = g_task_get_task_data (task);

  if (data->over_time && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      /* The provider by name; the URL redacted, as a query may hold a key. */
      error = g_error_new (CONFAB_ERROR, CONFAB_ERROR_TIMEOUT,
                           ngettext ("%s was still answering after %u second, the limit for one request; the request was stopped (%s)",
                                     "%s was still answering after %u seconds, the limit for one request; the request was stopped (%s)",
                                     data->max_time),
                           data->provider_name, data->max_time, data->shown_url);
    }
  else if (data->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      /* The provider's name first, as the user calls it; the URL for whoever debugs it. */
      error = g_error_new (CONFAB_ERROR, CONFAB_ERROR_TIMEOUT,
                           ngettext ("%s sent nothing for %u second; the request was stopped (%s)",
                                     "%s sent nothing for %u seconds; the request was stopped (%s)",
                                     data->idle_timeout),
                           data->provider_name, data->idle_timeout, data->shown_url);
    }

  disarm_idle_timer (data);
  disarm_deadline (data);
  record_timings (data);
  confab_message_fail (data->message, error);
  g_task_return_error (task, error);
}

/* Ends the request with a CONFAB_ERROR @code made of @format. */
static void
stream_fail_printf (GTask      *task,
                    int         code,
                    const char *format,
                    ...) G_GNUC_PRINTF (3, 4);

static void
stream_fail_printf (GTask      *task,
                    int         code,
                    const char *format,
                    ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (CONFAB_ERROR, code, format, args);
  va_end (args);

  stream_fail (task, error);
}

/* Reading what follows the answer */

#define DRAIN_TIMEOUT_SECONDS 5

typedef struct
{
  GCancellable *cancellable;
  GSource      *timeout;
} Drain;

static gboolean
drain_timeout_cb (gpointer user_data)
{
  Drain *drain = user_data;

  g_cancellable_cancel (drain->cancellable);

  return G_SOURCE_REMOVE;
}

static void
drain_closed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Drain *drain = user_data;

  /* A server that keeps the response open only costs the connection. */
  g_input_stream_close_finish (G_INPUT_STREAM (object), result, NULL);
  g_source_destroy (drain->timeout);
  g_clear_pointer (&drain->timeout, g_source_unref);
  g_clear_object (&drain->cancellable);
  g_free (drain);
}

/* Closing a libsoup body stream reads the rest of the body (usually just the end of the
 * chunked encoding), which hands the connection back to the pool for the next request of a
 * tool loop. In the background and bounded: the answer is already complete. */
static void
drain_in_background (GInputStream *stream)
{
  Drain *drain = g_new0 (Drain, 1);

  drain->cancellable = g_cancellable_new ();
  drain->timeout = g_timeout_source_new_seconds (DRAIN_TIMEOUT_SECONDS);
  g_source_set_callback (drain->timeout, drain_timeout_cb, drain, NULL);
  g_source_attach (drain->timeout, g_main_context_get_thread_default ());
  g_input_stream_close_async (stream, G_PRIORITY_LOW, drain->cancellable, drain_closed_cb, drain);
}

static void
stream_complete (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);

  disarm_idle_timer (data);
  disarm_deadline (data);
  record_timings (data);
  confab_message_set_state (data->message, CONFAB_MESSAGE_STATE_COMPLETE);

  if (data->stream != NULL)
    drain_in_background (data->stream);

  g_task_return_boolean (task, TRUE);
}

static void read_body_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

static void
read_next (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);

  g_input_stream_read_async (data->stream,
                             data->buffer,
                             READ_BUFFER_SIZE,
                             G_PRIORITY_DEFAULT,
                             data->cancellable,
                             read_body_cb,
                             task);
}

static void
finish_http_error (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&data->error_body));
  GError *error = _confab_http_error_new (data->msg, body);
  GError *refusal;

  /* A model without vision refusing images: say so, the user message is kept for a retry. */
  refusal = confab_attachment_explain_refusal (soup_message_get_status (data->msg),
                                               confab_message_get_request_body (data->message),
                                               error);
  if (refusal != NULL)
    {
      g_error_free (error);
      error = refusal;
    }

  confab_message_set_retry_after (data->message, _confab_http_parse_retry_after (data->msg));
  confab_message_set_http_status (data->message, soup_message_get_status (data->msg));
  stream_fail (task, error);
}

/* A server that ignored "stream": true answers one chat.completion object (or an error
 * object) as application/json. Its choices carry "message" instead of "delta": fed to the
 * accumulator as if it were the only chunk of a stream. */
static gboolean
feed_whole_json (StreamData  *data,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  JsonNode *root;

  if (!_confab_json_parser_load_untrusted (parser, (const char *) data->json_body->data,
                                           data->json_body->len, NULL))
    return confab_delta_accumulator_feed_data (data->accumulator,
                                               (const char *) data->json_body->data,
                                               data->json_body->len, error);

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonArray *choices = _confab_json_get_array (json_node_get_object (root), "choices");

      for (guint i = 0; choices != NULL && i < json_array_get_length (choices); i++)
        {
          JsonNode *choice_node = json_array_get_element (choices, i);
          JsonObject *choice;
          JsonNode *message;

          if (!JSON_NODE_HOLDS_OBJECT (choice_node))
            continue;

          choice = json_node_get_object (choice_node);
          message = json_object_get_member (choice, "message");
          if (message != NULL && JSON_NODE_HOLDS_OBJECT (message) &&
              !json_object_has_member (choice, "delta"))
            {
              JsonArray *calls = _confab_json_get_array (json_node_get_object (message), "tool_calls");

              /* Whole tool calls carry no streaming index: their position is it. */
              for (guint j = 0; calls != NULL && j < json_array_get_length (calls); j++)
                {
                  JsonNode *call = json_array_get_element (calls, j);

                  if (JSON_NODE_HOLDS_OBJECT (call) &&
                      !json_object_has_member (json_node_get_object (call), "index"))
                    json_object_set_int_member (json_node_get_object (call), "index", j);
                }

              json_object_set_member (choice, "delta", json_node_copy (message));
              json_object_remove_member (choice, "message");
            }
        }
    }

  text = json_to_string (root, FALSE);
  return confab_delta_accumulator_feed_data (data->accumulator, text, strlen (text), error);
}

static void
read_body_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StreamData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n_read;

  n_read = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (n_read < 0)
    {
      if (data->error_body != NULL &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* The error body broke off: report the status with what we have. */
          finish_http_error (task);
          return;
        }

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        stream_fail_printf (task, CONFAB_ERROR_TIMEOUT, _("%s stopped answering: %s"),
                            data->shown_url, error->message);
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        stream_fail_printf (task, CONFAB_ERROR_NETWORK, _("The connection to %s was lost: %s"),
                            data->shown_url, error->message);
      else
        stream_fail (task, g_steal_pointer (&error));
      return;
    }

  arm_idle_timer (task);

  if (data->error_body != NULL)
    {
      if (n_read == 0 || data->error_body->len >= MAX_ERROR_BODY)
        {
          finish_http_error (task);
          return;
        }

      confab_message_append_raw_response (data->message, data->buffer, n_read);
      g_byte_array_append (data->error_body, data->buffer,
                           MIN ((gsize) n_read, MAX_ERROR_BODY - data->error_body->len));
      read_next (g_steal_pointer (&task));
      return;
    }

  if (data->json_body != NULL)
    {
      if (n_read > 0)
        {
          confab_message_append_raw_response (data->message, data->buffer, n_read);
          g_byte_array_append (data->json_body, data->buffer, n_read);
          if (data->json_body->len > MAX_JSON_BODY)
            {
              stream_fail_printf (task, CONFAB_ERROR_PROTOCOL,
                                  _("%s answered with a JSON body over %u MB instead of a stream"),
                                  data->shown_url, (guint) (MAX_JSON_BODY / (1024 * 1024)));
              return;
            }
          read_next (g_steal_pointer (&task));
          return;
        }

      if (!feed_whole_json (data, &error) ||
          !confab_delta_accumulator_finish (data->accumulator, &error))
        {
          stream_fail (task, g_steal_pointer (&error));
          return;
        }

      if (data->first_output_at == 0 && confab_delta_accumulator_has_output (data->accumulator))
        data->first_output_at = g_get_monotonic_time ();
      stream_complete (task);
      return;
    }

  if (n_read == 0)
    {
      if (!confab_delta_accumulator_is_done (data->accumulator) &&
          !confab_delta_accumulator_finish (data->accumulator, &error))
        {
          stream_fail (task, g_steal_pointer (&error));
          return;
        }

      stream_complete (task);
      return;
    }

  confab_message_append_raw_response (data->message, data->buffer, n_read);

  if (!confab_delta_accumulator_feed_bytes (data->accumulator,
                                            (const char *) data->buffer,
                                            n_read,
                                            &error))
    {
      stream_fail (task, g_steal_pointer (&error));
      return;
    }

  if (data->first_output_at == 0 && confab_delta_accumulator_has_output (data->accumulator))
    data->first_output_at = g_get_monotonic_time ();

  if (confab_delta_accumulator_is_done (data->accumulator))
    {
      /* [DONE]: the answer is whole; nothing that follows can change it. */
      stream_complete (task);
      return;
    }

  read_next (g_steal_pointer (&task));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StreamData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status;

  data->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);

  if (data->stream == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        /* Translators: the first %s is the provider's name, the second why, the third the URL */
        stream_fail_printf (task, CONFAB_ERROR_NETWORK, _("Could not reach %s: %s (%s)"),
                            data->provider_name, error->message, data->shown_url);
      else
        stream_fail (task, g_steal_pointer (&error));
      return;
    }

  arm_idle_timer (task);

  if (data->exchange != NULL)
    {
      _confab_exchange_set_response (data->exchange, data->msg, data->provider);
      _confab_exchange_set_time (data->exchange, "first_byte_ms", data->started_at);
    }

  status = soup_message_get_status (data->msg);
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      /* Followed, a 301/302 turns the POST into a GET without the conversation, and the
       * answer to that would pass for the model's. */
      stream_fail (task, _confab_http_redirect_error_new (data->msg, data->url));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      /* Read the (bounded) error body, then fail with the status and the provider's words. */
      data->error_body = g_byte_array_new ();
    }
  else
    {
      const char *content_type;

      content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (data->msg), NULL);
      if (g_strcmp0 (content_type, "application/json") == 0)
        data->json_body = g_byte_array_new ();
    }

  read_next (g_steal_pointer (&task));
}

void
_confab_client_stream_start (ConfabClient   *self,
                             GTask          *owned_task,
                             ConfabProvider *provider,
                             const char     *request_body,
                             ConfabMessage  *message)
{
  g_autoptr(GTask) task = owned_task;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  SoupMessageHeaders *headers;
  StreamData *data;

  g_assert (CONFAB_IS_CLIENT (self));
  g_assert (G_IS_TASK (task));

  data = g_new0 (StreamData, 1);
  data->message = g_object_ref (message);
  data->cancellable = g_cancellable_new ();
  data->url = _confab_http_build_url (provider, "/chat/completions");
  data->shown_url = confab_exchange_redact_url (data->url);
  data->provider_name = g_strdup (confab_provider_get_name (provider) != NULL &&
                                  *confab_provider_get_name (provider) != '\0'
                                  ? confab_provider_get_name (provider) : _("The provider"));
  data->idle_timeout = confab_client_get_idle_timeout (self);
  data->max_time = confab_client_get_max_time (self);
  data->started_at = g_get_monotonic_time ();
  g_task_set_task_data (task, data, (GDestroyNotify) stream_data_free);

  confab_message_set_request_body (message, request_body);
  confab_message_set_state (message, CONFAB_MESSAGE_STATE_STREAMING);

  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->caller_handler = g_cancellable_connect (cancellable,
                                                    G_CALLBACK (caller_cancelled_cb),
                                                    g_object_ref (data->cancellable),
                                                    g_object_unref);
    }

  data->msg = _confab_http_message_new (provider, SOUP_METHOD_POST, data->url, &error);
  if (data->msg == NULL)
    {
      stream_fail (task, g_steal_pointer (&error));
      return;
    }

  headers = soup_message_get_request_headers (data->msg);
  soup_message_headers_replace (headers, "Accept", "text/event-stream");

  /* libsoup opens a fresh connection for every POST unless told it may be resent: a tool
   * loop then pays a TLS handshake per step. A request that died on a stale kept-alive
   * connection before any answer is retried once, as the OpenAI SDKs do. */
  soup_message_add_flags (data->msg, SOUP_MESSAGE_IDEMPOTENT | SOUP_MESSAGE_NO_REDIRECT);

  bytes = g_bytes_new (request_body, strlen (request_body));
  soup_message_set_request_body_from_bytes (data->msg, "application/json", bytes);

  data->provider = g_object_ref (provider);
  data->exchange = _confab_exchange_new (data->msg, provider);
  confab_message_set_exchange (message, data->exchange);

  data->accumulator = confab_delta_accumulator_new (message);
  data->buffer = g_malloc (READ_BUFFER_SIZE);

  if (g_cancellable_is_cancelled (data->cancellable))
    {
      stream_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              _("Operation was cancelled")));
      return;
    }

  arm_idle_timer (task);
  arm_deadline (task);

  soup_session_send_async (confab_client_get_session (self),
                           data->msg,
                           G_PRIORITY_DEFAULT,
                           data->cancellable,
                           send_cb,
                           g_steal_pointer (&task));
}
