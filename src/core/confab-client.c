/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-client"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-client-private.h"
#include "confab-error.h"
#include "confab-http-private.h"
#include "confab-json-private.h"
#include "confab-message.h"
#include "confab-provider.h"

/* The client object, the request body and GET /models; the streaming read loop of
 * confab_client_stream_async() is in confab-client-stream.c, the HTTP helpers (address,
 * headers, Retry-After, error messages) in confab-http.c. */

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

  g_return_if_fail (CONFAB_IS_CLIENT (self));
  g_return_if_fail (CONFAB_IS_PROVIDER (provider));
  g_return_if_fail (request_body != NULL);
  g_return_if_fail (CONFAB_IS_MESSAGE (message));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_client_stream_async);
  g_task_set_check_cancellable (task, FALSE);

  _confab_client_stream_start (self, g_steal_pointer (&task), provider, request_body, message);
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
  JsonArray *models = NULL;
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
      g_task_return_error (task, _confab_http_error_new (msg, body));
      return;
    }

  text = g_bytes_get_data (body, &len);
  parser = json_parser_new ();
  if (!_confab_json_parser_load_untrusted (parser, text ? text : "", len, &error))
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                               _("The model list from %s is not valid JSON: %s"),
                               url, error->message);
      return;
    }

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    models = _confab_json_get_array (json_node_get_object (root), "data");
  if (models == NULL)
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                               _("The model list from %s has no “data” array"), url);
      return;
    }

  ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      JsonNode *item = json_array_get_element (models, i);
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;

      id = _confab_json_get_string (json_node_get_object (item), "id", NULL);
      if (id != NULL)
        g_ptr_array_add (ids, g_strdup (id));
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

  url = _confab_http_build_url (provider, "/models");
  msg = _confab_http_message_new (provider, SOUP_METHOD_GET, url, &error);
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
