/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-client"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-client.h"
#include "confab-delta-accumulator.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-usage.h"

/* Bytes asked for per read: large enough to keep up with any provider, reused per request. */
#define READ_BUFFER_SIZE (16 * 1024)
/* An error body is read whole, but never more than this. */
#define MAX_ERROR_BODY (256 * 1024)
/* How much of a text error body goes into the error message. */
#define MAX_ERROR_TEXT 500
/* A non-streamed answer (a server that ignored "stream": true) is read whole, up to this. */
#define MAX_JSON_BODY (64 * 1024 * 1024)

struct _ConfabClient
{
  GObject      parent_instance;

  SoupSession *session;
  guint        idle_timeout;
};

G_DEFINE_FINAL_TYPE (ConfabClient, confab_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_IDLE_TIMEOUT,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The one place a SoupSession is made: the user agent, and libsoup's default proxy
 * resolver (the system proxy settings), which is deliberately left alone. */
static SoupSession *
confab_create_soup_session (void)
{
  /* No socket timeout of libsoup's own: the idle timer of each request decides, so a slow
   * model is given exactly the time the user configured. */
  return soup_session_new_with_options ("user-agent", "Confab/" PACKAGE_VERSION,
                                        "timeout", 0,
                                        NULL);
}

static void
confab_client_finalize (GObject *object)
{
  ConfabClient *self = (ConfabClient *)object;

  g_clear_object (&self->session);

  G_OBJECT_CLASS (confab_client_parent_class)->finalize (object);
}

static void
confab_client_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ConfabClient *self = CONFAB_CLIENT (object);

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_client_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ConfabClient *self = CONFAB_CLIENT (object);

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      confab_client_set_idle_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_client_class_init (ConfabClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_client_finalize;
  object_class->get_property = confab_client_get_property;
  object_class->set_property = confab_client_set_property;

  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL,
                       1, G_MAXUINT, CONFAB_CLIENT_DEFAULT_IDLE_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         SOUP_TYPE_SESSION,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_client_init (ConfabClient *self)
{
  self->session = confab_create_soup_session ();
  self->idle_timeout = CONFAB_CLIENT_DEFAULT_IDLE_TIMEOUT;
}

ConfabClient *
confab_client_new (void)
{
  return g_object_new (CONFAB_TYPE_CLIENT, NULL);
}

SoupSession *
confab_client_get_session (ConfabClient *self)
{
  g_return_val_if_fail (CONFAB_IS_CLIENT (self), NULL);

  return self->session;
}

guint
confab_client_get_idle_timeout (ConfabClient *self)
{
  g_return_val_if_fail (CONFAB_IS_CLIENT (self), 0);

  return self->idle_timeout;
}

void
confab_client_set_idle_timeout (ConfabClient *self,
                                guint         seconds)
{
  g_return_if_fail (CONFAB_IS_CLIENT (self));
  g_return_if_fail (seconds > 0);

  if (self->idle_timeout == seconds)
    return;

  self->idle_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
}

char *
confab_client_build_request_body (ConfabProvider *provider,
                                  const char     *model,
                                  JsonNode       *messages,
                                  JsonNode       *tools)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *stream_options;
  JsonObject *extra;

  g_return_val_if_fail (CONFAB_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (messages != NULL && JSON_NODE_HOLDS_ARRAY (messages), NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "model", model);
  json_object_set_member (body, "messages", json_node_copy (messages));
  json_object_set_boolean_member (body, "stream", TRUE);

  stream_options = json_object_new ();
  json_object_set_boolean_member (stream_options, "include_usage", TRUE);
  json_object_set_object_member (body, "stream_options", stream_options);

  if (confab_provider_get_max_tokens (provider) > 0)
    json_object_set_int_member (body, "max_tokens", confab_provider_get_max_tokens (provider));

  if (tools != NULL &&
      JSON_NODE_HOLDS_ARRAY (tools) &&
      json_array_get_length (json_node_get_array (tools)) > 0)
    {
      json_object_set_member (body, "tools", json_node_copy (tools));
      json_object_set_string_member (body, "tool_choice", "auto");
    }

  extra = confab_provider_get_extra_body (provider);
  if (extra != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, extra);
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (body, name, json_node_copy (value));
    }

  root = json_node_init_object (json_node_alloc (), body);

  return json_to_string (root, FALSE);
}

static char *
build_url (ConfabProvider *provider,
           const char     *path)
{
  const char *base_url = confab_provider_get_base_url (provider);
  gsize len;

  if (base_url == NULL)
    base_url = "";

  len = strlen (base_url);
  while (len > 0 && base_url[len - 1] == '/')
    len--;

  return g_strdup_printf ("%.*s%s", (int) len, base_url, path);
}

static SoupMessage *
create_message (ConfabProvider  *provider,
                const char      *method,
                const char      *url,
                GError         **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GUri) uri = NULL;
  SoupMessageHeaders *headers;
  const char * const *extra;
  const char *api_key;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("“%s” is not a valid http:// or https:// address"), url);
      return NULL;
    }

  msg = soup_message_new_from_uri (method, uri);
  headers = soup_message_get_request_headers (msg);

  api_key = confab_provider_get_api_key (provider);
  if (api_key != NULL && api_key[0] != '\0')
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", api_key);
      soup_message_headers_replace (headers, "Authorization", value);
    }

  extra = confab_provider_get_headers (provider);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      const char *colon = strchr (extra[i], ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL || colon == extra[i])
        {
          g_warning ("Ignoring malformed provider header (no “Name: value”)");
          continue;
        }

      name = g_strstrip (g_strndup (extra[i], colon - extra[i]));
      value = g_strstrip (g_strdup (colon + 1));
      soup_message_headers_replace (headers, name, value);
    }

  return g_steal_pointer (&msg);
}

/* Retry-After: delay-seconds or an HTTP date; -1 when absent or unreadable. */
static int
parse_retry_after (SoupMessage *msg)
{
  const char *value;
  char *end = NULL;
  gint64 seconds;

  value = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  if (value == NULL)
    return -1;

  while (g_ascii_isspace (*value))
    value++;

  seconds = g_ascii_strtoll (value, &end, 10);
  if (end != value && end != NULL)
    {
      while (g_ascii_isspace (*end))
        end++;
      if (*end == '\0')
        return (int) CLAMP (seconds, 0, G_MAXINT);
    }

  {
    g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (value);
    g_autoptr(GDateTime) now = NULL;
    GTimeSpan span;

    if (date == NULL)
      return -1;

    now = g_date_time_new_now_utc ();
    span = g_date_time_difference (date, now);
    return (int) CLAMP ((span + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 0, G_MAXINT);
  }
}

/* The provider's own words from an error body: error.message, error (a string),
 * message, detail, else the text itself (trimmed, shortened). NULL when empty. */
static char *
extract_provider_message (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  gsize len = 0;
  const char *data;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &len);
  if (len == 0)
    return NULL;

  if (json_parser_load_from_data (parser, data, len, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *object = json_node_get_object (root);
          JsonNode *error = json_object_get_member (object, "error");
          static const char * const keys[] = { "message", "detail", "error_description" };

          if (error != NULL && JSON_NODE_HOLDS_OBJECT (error))
            {
              JsonObject *error_object = json_node_get_object (error);
              JsonNode *message = json_object_get_member (error_object, "message");

              if (message != NULL && JSON_NODE_HOLDS_VALUE (message) &&
                  json_node_get_value_type (message) == G_TYPE_STRING)
                return g_strdup (json_node_get_string (message));
            }
          else if (error != NULL && JSON_NODE_HOLDS_VALUE (error) &&
                   json_node_get_value_type (error) == G_TYPE_STRING)
            return g_strdup (json_node_get_string (error));

          for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
            {
              JsonNode *member = json_object_get_member (object, keys[i]);

              if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
                  json_node_get_value_type (member) == G_TYPE_STRING)
                return g_strdup (json_node_get_string (member));
            }
        }
    }

  text = g_utf8_make_valid (data, len);
  g_strstrip (text);
  if (text[0] == '\0')
    return NULL;

  if (g_utf8_strlen (text, -1) > MAX_ERROR_TEXT)
    {
      char *cut = g_utf8_offset_to_pointer (text, MAX_ERROR_TEXT);
      g_autofree char *shortened = g_strndup (text, cut - text);

      g_free (text);
      text = g_strconcat (shortened, "…", NULL);
    }

  return g_steal_pointer (&text);
}

static GError *
http_error_new (SoupMessage *msg,
                GBytes      *body)
{
  g_autofree char *provider_message = extract_provider_message (body);
  guint status = soup_message_get_status (msg);
  const char *reason = soup_message_get_reason_phrase (msg);

  if (reason == NULL || reason[0] == '\0')
    reason = soup_status_get_phrase (status);
  if (reason == NULL)
    reason = "";

  if (provider_message != NULL)
    return g_error_new (CONFAB_ERROR, CONFAB_ERROR_HTTP,
                        _("The server answered HTTP %u %s: %s"),
                        status, reason, provider_message);

  return g_error_new (CONFAB_ERROR, CONFAB_ERROR_HTTP,
                      _("The server answered HTTP %u %s"), status, reason);
}

/* One streaming request. */
typedef struct
{
  ConfabClient           *client;
  ConfabMessage          *message;
  ConfabDeltaAccumulator *accumulator;
  SoupMessage            *msg;
  GInputStream           *stream;
  GCancellable           *cancellable;     /* ours: cancelled by the caller's or the idle timer */
  GCancellable           *caller_cancellable;
  gulong                  caller_handler;
  GSource                *idle_source;
  GByteArray             *error_body;
  char                   *url;
  guint8                 *buffer;
  gint64                  started_at;
  gint64                  first_output_at;
  guint                   idle_timeout;
  guint                   timed_out : 1;
  GByteArray             *json_body;       /* a 2xx application/json answer (no streaming) */
} StreamData;

static void disarm_idle_timer (StreamData *data);

static void
stream_data_free (StreamData *data)
{
  disarm_idle_timer (data);

  if (data->caller_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);

  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->stream);
  g_clear_object (&data->msg);
  g_clear_pointer (&data->accumulator, confab_delta_accumulator_free);
  g_clear_object (&data->message);
  g_clear_object (&data->client);
  g_clear_pointer (&data->error_body, g_byte_array_unref);
  g_clear_pointer (&data->json_body, g_byte_array_unref);
  g_clear_pointer (&data->url, g_free);
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

static void
record_timings (StreamData *data)
{
  gint64 now = g_get_monotonic_time ();
  double ttft = -1;

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

  if (data->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      error = g_error_new (CONFAB_ERROR, CONFAB_ERROR_TIMEOUT,
                           ngettext ("%s sent nothing for %u second; the request was stopped",
                                     "%s sent nothing for %u seconds; the request was stopped",
                                     data->idle_timeout),
                           data->url, data->idle_timeout);
    }

  disarm_idle_timer (data);
  record_timings (data);
  confab_message_fail (data->message, error);
  g_task_return_error (task, error);
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

  confab_message_set_retry_after (data->message, parse_retry_after (data->msg));
  stream_fail (task, http_error_new (data->msg, body));
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

  if (!json_parser_load_from_data (parser, (const char *) data->json_body->data,
                                   data->json_body->len, NULL))
    return confab_delta_accumulator_feed_data (data->accumulator,
                                               (const char *) data->json_body->data,
                                               data->json_body->len, error);

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonArray *choices = NULL;
      JsonNode *choices_node = json_object_get_member (json_node_get_object (root), "choices");

      if (choices_node != NULL && JSON_NODE_HOLDS_ARRAY (choices_node))
        choices = json_node_get_array (choices_node);

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
              JsonObject *delta = json_node_get_object (message);
              JsonNode *calls = json_object_get_member (delta, "tool_calls");

              /* Whole tool calls carry no streaming index: their position is it. */
              if (calls != NULL && JSON_NODE_HOLDS_ARRAY (calls))
                for (guint j = 0; j < json_array_get_length (json_node_get_array (calls)); j++)
                  {
                    JsonNode *call = json_array_get_element (json_node_get_array (calls), j);

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
        {
          GError *wrapped = g_error_new (CONFAB_ERROR, CONFAB_ERROR_TIMEOUT,
                                         _("%s stopped answering: %s"),
                                         data->url, error->message);
          g_clear_error (&error);
          stream_fail (task, wrapped);
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GError *wrapped = g_error_new (CONFAB_ERROR, CONFAB_ERROR_NETWORK,
                                         _("The connection to %s was lost: %s"),
                                         data->url, error->message);
          g_clear_error (&error);
          stream_fail (task, wrapped);
        }
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
              stream_fail (task, g_error_new (CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                                              _("%s answered with a JSON body over %u MB instead of a stream"),
                                              data->url, (guint) (MAX_JSON_BODY / (1024 * 1024))));
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
        {
          GError *wrapped = g_error_new (CONFAB_ERROR, CONFAB_ERROR_NETWORK,
                                         _("Could not reach %s: %s"),
                                         data->url, error->message);
          g_clear_error (&error);
          stream_fail (task, wrapped);
        }
      else
        stream_fail (task, g_steal_pointer (&error));
      return;
    }

  arm_idle_timer (task);

  status = soup_message_get_status (data->msg);
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
confab_client_stream_async (ConfabClient        *self,
                            ConfabProvider      *provider,
                            const char          *request_body,
                            ConfabMessage       *message,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageHeaders *headers;
  StreamData *data;

  g_return_if_fail (CONFAB_IS_CLIENT (self));
  g_return_if_fail (CONFAB_IS_PROVIDER (provider));
  g_return_if_fail (request_body != NULL);
  g_return_if_fail (CONFAB_IS_MESSAGE (message));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_client_stream_async);
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (StreamData, 1);
  data->client = g_object_ref (self);
  data->message = g_object_ref (message);
  data->cancellable = g_cancellable_new ();
  data->url = build_url (provider, "/chat/completions");
  data->idle_timeout = self->idle_timeout;
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

  data->msg = create_message (provider, SOUP_METHOD_POST, data->url, &error);
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
  soup_message_add_flags (data->msg, SOUP_MESSAGE_IDEMPOTENT);

  bytes = g_bytes_new (request_body, strlen (request_body));
  soup_message_set_request_body_from_bytes (data->msg, "application/json", bytes);

  data->accumulator = confab_delta_accumulator_new (message);
  data->buffer = g_malloc (READ_BUFFER_SIZE);

  if (g_cancellable_is_cancelled (data->cancellable))
    {
      stream_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              _("Operation was cancelled")));
      return;
    }

  arm_idle_timer (task);

  soup_session_send_async (self->session,
                           data->msg,
                           G_PRIORITY_DEFAULT,
                           data->cancellable,
                           send_cb,
                           g_steal_pointer (&task));
}

gboolean
confab_client_stream_finish (ConfabClient  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (CONFAB_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GET /models */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
list_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  JsonNode *root;
  JsonNode *data_node;
  const char *url;
  gsize len;
  const char *text;

  url = g_object_get_data (G_OBJECT (task), "url");
  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);

  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_NETWORK,
                                 _("Could not reach %s: %s"), url, error->message);
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      g_task_return_error (task, http_error_new (msg, body));
      return;
    }

  text = g_bytes_get_data (body, &len);
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text ? text : "", len, &error))
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                               _("The model list from %s is not valid JSON: %s"),
                               url, error->message);
      return;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (data_node = json_object_get_member (json_node_get_object (root), "data")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (data_node))
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                               _("The model list from %s has no “data” array"), url);
      return;
    }

  ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (data_node)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (data_node), i);
      JsonNode *id;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;

      id = json_object_get_member (json_node_get_object (item), "id");
      if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING)
        g_ptr_array_add (ids, g_strdup (json_node_get_string (id)));
    }

  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);

  g_task_return_pointer (task,
                         g_ptr_array_free (g_steal_pointer (&ids), FALSE),
                         (GDestroyNotify) g_strfreev);
}

void
confab_client_list_models_async (ConfabClient        *self,
                                 ConfabProvider      *provider,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SoupMessage *msg;

  g_return_if_fail (CONFAB_IS_CLIENT (self));
  g_return_if_fail (CONFAB_IS_PROVIDER (provider));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_client_list_models_async);

  url = build_url (provider, "/models");
  msg = create_message (provider, SOUP_METHOD_GET, url, &error);
  if (msg == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "application/json");
  g_task_set_task_data (task, msg, g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "url", g_steal_pointer (&url), g_free);

  soup_session_send_and_read_async (self->session,
                                    msg,
                                    G_PRIORITY_DEFAULT,
                                    cancellable,
                                    list_models_cb,
                                    g_steal_pointer (&task));
}

GStrv
confab_client_list_models_finish (ConfabClient  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CONFAB_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
