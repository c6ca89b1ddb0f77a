/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-server"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "confab-error.h"
#include "confab-jsonrpc-connection-private.h"
#include "confab-json-private.h"
#include "confab-mcp-server-private.h"
#include "confab-tool.h"
#include "confab-util-private.h"

/* The MCP messages of a ConfabMcpServer, on top of its JSON-RPC connection: initialize,
 * tools/list (all pages; again on notifications/tools/list_changed), tools/call, ping, and
 * logging (notifications/message). The object, its process and its state are in
 * confab-mcp-server.c. */

#define MAX_LIST_PAGES 1000

/* Newest first: the first is what Confab asks for. */
static const char * const supported_versions[] = {
  CONFAB_MCP_PROTOCOL_VERSION, "2025-06-18", "2025-03-26", "2024-11-05", NULL
};

/* What the server asks and tells ------------------------------------------------------- */

gboolean
_confab_mcp_server_handle_call (ConfabJsonrpcConnection *connection,
                                const char              *method,
                                JsonNode                *id,
                                JsonNode                *params,
                                ConfabMcpServer         *self)
{
  if (g_str_equal (method, "elicitation/create"))
    {
      _confab_mcp_server_elicit (self, connection, id, params);
      return TRUE;
    }

  if (!g_str_equal (method, "ping"))
    return FALSE;

  _confab_jsonrpc_connection_reply (connection, id, NULL, 0, NULL);
  return TRUE;
}

/* MCP logging ("notifications/message") joins the stderr log, one line per message. */
static void
log_notification (ConfabMcpServer *self,
                  JsonObject      *params)
{
  const char *level = _confab_json_get_string (params, "level", "info");
  const char *logger = _confab_json_get_string (params, "logger", NULL);
  JsonNode *data = _confab_json_member (params, "data");
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  if (data != NULL && JSON_NODE_HOLDS_VALUE (data) && json_node_get_value_type (data) == G_TYPE_STRING)
    text = g_strdup (json_node_get_string (data));
  else if (data != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();

      json_generator_set_root (generator, data);
      text = json_generator_to_data (generator, NULL);
    }

  line = g_strdup_printf ("[%s%s%s] %s\n", level, logger ? " " : "", logger ? logger : "",
                          text ? text : "");
  _confab_mcp_server_append_log (self, line, strlen (line));
}

void
_confab_mcp_server_handle_notification (ConfabJsonrpcConnection *connection,
                                        const char              *method,
                                        JsonNode                *params,
                                        ConfabMcpServer         *self)
{
  if (g_str_equal (method, "notifications/tools/list_changed"))
    _confab_mcp_server_relist (self);
  else if (g_str_equal (method, "notifications/message"))
    log_notification (self, params != NULL && JSON_NODE_HOLDS_OBJECT (params) ? json_node_get_object (params) : NULL);
  else if (g_str_equal (method, "notifications/resources/updated"))
    _confab_mcp_server_resource_updated (self, params);
  else
    g_debug ("MCP server “%s” sent %s, ignored", self->name, method);
}

/* Listing tools ------------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *tools;
  char      *cursor;
  guint      pages;
} ListData;

static void
list_data_free (ListData *data)
{
  g_clear_pointer (&data->tools, g_ptr_array_unref);
  g_free (data->cursor);
  g_free (data);
}

static void list_tools_next_page (GTask *task);

static void
on_tools_listed (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabMcpServer *self = g_task_get_source_object (task);
  ListData *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object_result;
  JsonArray *tools;
  const char *next_cursor;

  node = _confab_mcp_server_request_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) answered tools/list with something that is not an object"),
                                      self->name, _confab_mcp_server_command_line (self));
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
      return;
    }

  object_result = json_node_get_object (node);
  tools = _confab_json_get_array (object_result, "tools");

  for (guint i = 0; tools != NULL && i < json_array_get_length (tools); i++)
    {
      JsonNode *element = json_array_get_element (tools, i);
      JsonObject *tool;
      const char *name;
      JsonNode *schema;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      tool = json_node_get_object (element);
      name = _confab_json_get_string (tool, "name", NULL);
      if (name == NULL || *name == '\0')
        continue;

      /* A tool that only runs as a task (MCP tasks) cannot be called the plain way Confab
       * calls: not offered. */
      if (g_strcmp0 (_confab_json_get_string (_confab_json_get_object (tool, "execution"),
                                              "taskSupport", NULL), "required") == 0)
        {
          g_debug ("MCP server “%s”: tool “%s” requires task support, not offered", self->name, name);
          continue;
        }

      schema = json_object_get_member (tool, "inputSchema");
      if (schema != NULL && !JSON_NODE_HOLDS_OBJECT (schema))
        schema = NULL;

      {
        ConfabTool *offered = confab_tool_new (self, name,
                                               _confab_json_get_string (tool, "description", NULL),
                                               schema);

        confab_tool_set_annotations (offered, _confab_json_get_object (tool, "annotations"));
        g_ptr_array_add (data->tools, offered);
      }
    }

  next_cursor = _confab_json_get_string (object_result, "nextCursor", NULL);
  if (next_cursor != NULL && *next_cursor != '\0' && g_strcmp0 (next_cursor, data->cursor) != 0)
    {
      if (++data->pages >= MAX_LIST_PAGES)
        {
          _confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) listed more than %u pages of tools"),
                                          self->name, _confab_mcp_server_command_line (self), MAX_LIST_PAGES);
          g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
          return;
        }

      _confab_set_str (&data->cursor, next_cursor);
      list_tools_next_page (g_steal_pointer (&task));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&data->tools), (GDestroyNotify)g_ptr_array_unref);
}

static void
list_tools_next_page (GTask *task)
{
  ConfabMcpServer *self = g_task_get_source_object (task);
  ListData *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) params = NULL;

  if (data->cursor != NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "cursor");
      json_builder_add_string_value (builder, data->cursor);
      json_builder_end_object (builder);
      params = json_builder_get_root (builder);
    }

  _confab_mcp_server_request_async (self, "tools/list", params, g_task_get_cancellable (task),
                                    on_tools_listed, task);
}

/* Lists all pages; returns a GPtrArray of ConfabTool. */
static void
list_tools_async (ConfabMcpServer     *self,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task;
  ListData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, list_tools_async);

  data = g_new0 (ListData, 1);
  data->tools = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, data, (GDestroyNotify)list_data_free);

  list_tools_next_page (task);
}

static GPtrArray *
list_tools_finish (ConfabMcpServer  *self,
                   GAsyncResult     *result,
                   GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_relisted (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ConfabMcpServer) self = user_data;
  g_autoptr(GPtrArray) tools = NULL;
  g_autoptr(GError) error = NULL;

  self->relisting = FALSE;

  tools = list_tools_finish (self, result, &error);
  if (tools == NULL)
    {
      g_debug ("MCP server “%s” could not re-list its tools: %s", self->name, error->message);
      return;
    }

  if (self->state != CONFAB_MCP_SERVER_STATE_READY)
    return;

  _confab_mcp_server_set_tools (self, tools);

  if (self->relist_again)
    _confab_mcp_server_relist (self);
}

void
_confab_mcp_server_relist (ConfabMcpServer *self)
{
  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));

  /* During start-up the initial listing is still to come or under way. */
  if (self->state != CONFAB_MCP_SERVER_STATE_READY)
    return;

  if (self->relisting)
    {
      self->relist_again = TRUE;
      return;
    }

  self->relisting = TRUE;
  self->relist_again = FALSE;
  list_tools_async (self, self->io_cancellable, on_relisted, g_object_ref (self));
}

/* Starting ------------------------------------------------------------------------------ */

static void
on_start_listed (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ConfabMcpServer *self = CONFAB_MCP_SERVER (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) tools = NULL;
  g_autoptr(GError) error = NULL;

  tools = list_tools_finish (self, result, &error);
  if (tools == NULL)
    {
      /* A server without tools may not implement tools/list at all. */
      if (!g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_MCP) ||
          self->state != CONFAB_MCP_SERVER_STATE_STARTING ||
          strstr (error->message, "(-32601)") == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            _confab_mcp_server_fail (self, error->message);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      tools = g_ptr_array_new_with_free_func (g_object_unref);
    }

  _confab_mcp_server_set_state (self, CONFAB_MCP_SERVER_STATE_READY);
  _confab_mcp_server_set_tools (self, tools);
  g_task_return_boolean (task, TRUE);
}

static void
on_initialized (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabMcpServer *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object_result;
  JsonObject *server_info;
  GCancellable *cancellable;
  const char *version;

  node = _confab_mcp_server_request_finish (result, &error);
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _confab_mcp_server_fail (self, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) answered initialize with something that is not an object"),
                                      self->name, _confab_mcp_server_command_line (self));
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
      return;
    }

  object_result = json_node_get_object (node);

  /* A server that does not speak Confab's version answers with one it does: accept every
   * published version, since the subset Confab uses (initialize, tools/list, tools/call,
   * list_changed, ping, cancelled, elicitation) means the same in each. */
  version = _confab_json_get_string (object_result, "protocolVersion", NULL);
  if (version == NULL || !g_strv_contains (supported_versions, version))
    {
      g_autofree char *supported = g_strjoinv (", ", (char **)supported_versions);

      _confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) speaks MCP version %s; Confab speaks %s"),
                                      self->name, _confab_mcp_server_command_line (self),
                                      version ? version : "(none)", supported);
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
      return;
    }

  server_info = _confab_json_get_object (object_result, "serverInfo");
  _confab_mcp_server_set_server_info (self,
                                      _confab_json_get_string (object_result, "protocolVersion", NULL),
                                      server_info);

  if (self->connection != NULL)
    _confab_jsonrpc_connection_notify (self->connection, "notifications/initialized", NULL);

  cancellable = g_task_get_cancellable (task);
  list_tools_async (self, cancellable, on_start_listed, g_steal_pointer (&task));
}

/* Sends initialize, then notifications/initialized, then lists the tools: the server is
 * ready and @task (the start task) returns TRUE, or it failed and @task returns why. */
void
_confab_mcp_server_initialize (GTask *task)
{
  ConfabMcpServer *self = g_task_get_source_object (task);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocolVersion");
  json_builder_add_string_value (builder, CONFAB_MCP_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_object (builder);
  /* Form mode: ::elicit lets the app or the CLI ask the user; nobody there declines. */
  json_builder_set_member_name (builder, "elicitation");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "clientInfo");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "Confab");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  _confab_mcp_server_request_async (self, "initialize", params, g_task_get_cancellable (task),
                                    on_initialized, task);
}

/* Calling tools ------------------------------------------------------------------------- */

static void
on_tool_called (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabMcpServer *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = _confab_mcp_server_request_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                               _("MCP server “%s” (%s) answered tools/call with something that is not an object"),
                               self->name, _confab_mcp_server_command_line (self));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify)json_node_unref);
}

typedef struct
{
  ConfabMcpProgressFunc func;
  gpointer              data;
  GDestroyNotify        destroy;
} Progress;

static void
progress_free (Progress *progress)
{
  if (progress->destroy != NULL)
    progress->destroy (progress->data);
  g_free (progress);
}

static gboolean
get_double (JsonObject *object,
            const char *name,
            double     *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *value = (double)json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return FALSE;
  return isfinite (*value);
}

/* notifications/progress: "progress" is required; "total" and "message" are optional. */
static void
on_call_progress (JsonObject *params,
                  gpointer    user_data)
{
  Progress *progress = user_data;
  double value, total = -1;

  if (!get_double (params, "progress", &value))
    return;
  if (!get_double (params, "total", &total) || total <= 0)
    total = -1;

  progress->func (value, total, _confab_json_get_string (params, "message", NULL), progress->data);
}

void
confab_mcp_server_call_tool_async (ConfabMcpServer     *self,
                                   const char          *name,
                                   JsonNode            *arguments,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  confab_mcp_server_call_tool_with_progress_async (self, name, arguments, NULL, NULL, NULL,
                                                   cancellable, callback, user_data);
}

void
confab_mcp_server_call_tool_with_progress_async (ConfabMcpServer       *self,
                                                 const char            *name,
                                                 JsonNode              *arguments,
                                                 ConfabMcpProgressFunc  progress_func,
                                                 gpointer               progress_data,
                                                 GDestroyNotify         progress_destroy,
                                                 GCancellable          *cancellable,
                                                 GAsyncReadyCallback    callback,
                                                 gpointer               user_data)
{
  Progress *progress = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;

  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_mcp_server_call_tool_async);
  g_task_set_check_cancellable (task, FALSE);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "arguments");
  if (arguments != NULL && JSON_NODE_HOLDS_OBJECT (arguments))
    json_builder_add_value (builder, json_node_copy (arguments));
  else
    {
      json_builder_begin_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  if (progress_func != NULL)
    {
      progress = g_new0 (Progress, 1);
      progress->func = progress_func;
      progress->data = progress_data;
      progress->destroy = progress_destroy;
    }
  else if (progress_destroy != NULL)
    progress_destroy (progress_data);

  _confab_mcp_server_request_with_progress_async (self, "tools/call", params,
                                                  progress ? on_call_progress : NULL, progress,
                                                  progress ? (GDestroyNotify)progress_free : NULL,
                                                  cancellable, on_tool_called,
                                                  g_steal_pointer (&task));
}

JsonNode *
confab_mcp_server_call_tool_finish (ConfabMcpServer  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
