/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-jsonrpc-connection"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-jsonrpc-connection-internal.h"
#include "confab-jsonrpc-connection-private.h"
#include "confab-jsonrpc-message-private.h"

/* The calls of a JSON-RPC connection: each request pending by id, with its timeout, its
 * progress and its cancellation, until its answer (or the connection's end) settles it. */

/* A call that reports progress gets its timeout anew with each report, but never more than
 * this many times its timeout in all: a server cannot keep a call alive for ever. */
#define PROGRESS_TIMEOUT_FACTOR 10

/* Requests ------------------------------------------------------------------------------ */

static void
request_free (Request *request)
{
  if (request->timeout_source != NULL)
    {
      g_source_destroy (request->timeout_source);
      g_source_unref (request->timeout_source);
    }
  if (request->cancel_source != NULL)
    {
      g_source_destroy (request->cancel_source);
      g_source_unref (request->cancel_source);
    }
  if (request->progress_destroy != NULL)
    request->progress_destroy (request->progress_data);
  g_clear_object (&request->task);
  g_free (request->method);
  g_free (request);
}

/* Takes @request out of the pending table; the caller completes its task and frees it. */
static Request *
steal_request (ConfabJsonrpcConnection *self,
               guint                    id)
{
  gpointer key, value;

  if (!g_hash_table_steal_extended (self->pending, GUINT_TO_POINTER (id), &key, &value))
    return NULL;

  return value;
}

void
_confab_jsonrpc_connection_fail_pending (ConfabJsonrpcConnection *self,
                                         const char              *message)
{
  g_autoptr(GList) ids = NULL;

  g_return_if_fail (CONFAB_IS_JSONRPC_CONNECTION (self));

  ids = g_hash_table_get_keys (self->pending);
  for (const GList *l = ids; l != NULL; l = l->next)
    {
      Request *request = steal_request (self, GPOINTER_TO_UINT (l->data));

      if (request == NULL)
        continue;

      g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", message);
      request_free (request);
    }
}

static void
send_cancelled (ConfabJsonrpcConnection *self,
                guint                    id,
                const char              *reason)
{
  g_autoptr(JsonNode) params = _confab_jsonrpc_message_new_cancelled_params (id, reason);

  _confab_jsonrpc_connection_notify (self, "notifications/cancelled", params);
}

/* Calls --------------------------------------------------------------------------------- */

static gboolean
on_request_timeout (gpointer user_data)
{
  Request *request = user_data;
  ConfabJsonrpcConnection *self = request->self;
  guint id = request->id;

  request = steal_request (self, id);
  g_assert (request != NULL);

  send_cancelled (self, id, "timeout");

  if (request->extended)
    g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT,
                             _("MCP server “%s” (%s) did not finish %s in %u seconds, although it reported progress"),
                             self->name, self->command_line, request->method,
                             (guint) ((g_get_monotonic_time () - request->started_at) / G_USEC_PER_SEC));
  else
    g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "MCP server “%s” (%s) did not answer %s within %u second",
                                          "MCP server “%s” (%s) did not answer %s within %u seconds",
                                          request->timeout),
                             self->name, self->command_line, request->method, request->timeout);
  request_free (request);

  return G_SOURCE_REMOVE;
}

static void
arm_request_timeout (Request *request,
                     guint    interval_ms)
{
  if (request->timeout_source != NULL)
    {
      g_source_destroy (request->timeout_source);
      g_clear_pointer (&request->timeout_source, g_source_unref);
    }

  request->timeout_source = g_timeout_source_new (interval_ms);
  g_source_set_callback (request->timeout_source, on_request_timeout, request, NULL);
  g_source_set_static_name (request->timeout_source, "[confab] MCP request timeout");
  g_source_attach (request->timeout_source, g_task_get_context (request->task));
}

/* notifications/progress for a pending call: the server is working, its timeout starts
 * again (within PROGRESS_TIMEOUT_FACTOR times the timeout in all). The token is the
 * request id, matched exactly like an answer's. */
void
_confab_jsonrpc_connection_handle_progress (ConfabJsonrpcConnection *self,
                                            JsonNode                *params)
{
  Request *request;
  gint64 now, limit;
  guint id;

  if (params == NULL || !JSON_NODE_HOLDS_OBJECT (params) ||
      !_confab_jsonrpc_message_get_id (json_object_get_member (json_node_get_object (params), "progressToken"), &id))
    return;

  request = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (id));
  if (request == NULL)
    return;

  if (request->progress_func != NULL)
    request->progress_func (json_node_get_object (params), request->progress_data);

  if (request->timeout == 0)
    return;

  now = g_get_monotonic_time ();
  limit = request->started_at + (gint64) request->timeout * PROGRESS_TIMEOUT_FACTOR * G_USEC_PER_SEC;
  if (now >= limit)
    return;

  request->extended = TRUE;
  arm_request_timeout (request, (guint) MIN ((gint64) request->timeout * 1000, (limit - now) / 1000));
}

static gboolean
on_request_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  Request *request = user_data;
  ConfabJsonrpcConnection *self = request->self;
  guint id = request->id;

  request = steal_request (self, id);
  g_assert (request != NULL);

  send_cancelled (self, id, "The user cancelled the request.");

  g_task_return_new_error (request->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "The request was cancelled");
  request_free (request);

  return G_SOURCE_REMOVE;
}

void
_confab_jsonrpc_connection_call_async (ConfabJsonrpcConnection *self,
                                       const char              *method,
                                       JsonNode                *params,
                                       guint                    timeout_seconds,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data)
{
  _confab_jsonrpc_connection_call_with_progress_async (self, method, params, timeout_seconds,
                                                       NULL, NULL, NULL,
                                                       cancellable, callback, user_data);
}

void
_confab_jsonrpc_connection_call_with_progress_async (ConfabJsonrpcConnection   *self,
                                                     const char                *method,
                                                     JsonNode                  *params,
                                                     guint                      timeout_seconds,
                                                     ConfabJsonrpcProgressFunc  progress_func,
                                                     gpointer                   progress_data,
                                                     GDestroyNotify             progress_destroy,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data)
{
  g_autoptr(JsonNode) message = NULL;
  g_autoptr(JsonNode) progress_params = NULL;
  Request *request;

  g_return_if_fail (CONFAB_IS_JSONRPC_CONNECTION (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  request = g_new0 (Request, 1);
  request->self = self;
  request->id = ++self->next_id;
  request->started_at = g_get_monotonic_time ();
  request->timeout = MIN (timeout_seconds, G_MAXUINT / 1000);
  request->method = g_strdup (method);
  request->progress_func = progress_func;
  request->progress_data = progress_data;
  request->progress_destroy = progress_destroy;
  request->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (request->task, _confab_jsonrpc_connection_call_async);
  /* The request itself answers cancellation, after telling the peer. */
  g_task_set_check_cancellable (request->task, FALSE);

  if (self->closed)
    {
      if (self->error != NULL)
        g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                                 "%s", self->error);
      else
        g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                                 _("MCP server “%s” (%s) is not running"),
                                 self->name, self->command_line);
      request_free (request);
      return;
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (request->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The request was cancelled");
      request_free (request);
      return;
    }

  if (request->timeout > 0)
    arm_request_timeout (request, request->timeout * 1000);

  if (cancellable != NULL)
    {
      request->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (request->cancel_source, G_SOURCE_FUNC (on_request_cancelled),
                             request, NULL);
      g_source_set_static_name (request->cancel_source, "[confab] MCP request cancel");
      g_source_attach (request->cancel_source, g_task_get_context (request->task));
    }

  g_hash_table_insert (self->pending, GUINT_TO_POINTER (request->id), request);

  if (g_str_equal (method, "tools/call") && params != NULL && JSON_NODE_HOLDS_OBJECT (params))
    params = progress_params = _confab_jsonrpc_message_with_progress_token (params, request->id);

  message = _confab_jsonrpc_message_new_request (method, request->id, params);
  _confab_jsonrpc_connection_send (self, message);
}

/* Answers ------------------------------------------------------------------------------- */

void
_confab_jsonrpc_connection_handle_response (ConfabJsonrpcConnection *self,
                                            JsonObject              *object)
{
  JsonObject *error_object;
  Request *request;
  guint id;

  if (!_confab_jsonrpc_message_get_id (json_object_get_member (object, "id"), &id))
    return;

  /* A late answer to a request that timed out or was cancelled. */
  request = steal_request (self, id);
  if (request == NULL)
    {
      g_debug ("MCP server “%s” answered request %u, which is no longer pending", self->name, id);
      return;
    }

  error_object = _confab_json_get_object (object, "error");
  if (error_object != NULL)
    {
      const char *message = _confab_json_get_string (error_object, "message", "unknown error");
      int code = (int)_confab_json_get_int_range (error_object, "code", G_MININT, G_MAXINT, 0);

      g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                               _("MCP server “%s” (%s) answered %s with an error: %s (%d)"),
                               self->name, self->command_line, request->method, message, code);
    }
  else
    {
      JsonNode *result = json_object_get_member (object, "result");

      if (result == NULL)
        g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                                 _("MCP server “%s” (%s) answered %s without a result"),
                                 self->name, self->command_line, request->method);
      else
        g_task_return_pointer (request->task, json_node_copy (result),
                               (GDestroyNotify)json_node_unref);
    }

  request_free (request);
}
