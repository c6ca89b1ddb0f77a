/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-server"

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "confab-error.h"
#include "confab-jsonrpc-connection-private.h"
#include "confab-mcp-json-private.h"
#include "confab-mcp-server-private.h"
#include "confab-tool.h"
#include "confab-util-private.h"

/* MCP over stdio: the server is a child process that speaks newline-delimited JSON-RPC 2.0
 * on its stdin/stdout (ConfabJsonrpcConnection); its stderr is its log. This file is the MCP
 * side: the process, initialize, tools/list (pages, list_changed), tools/call, logging.
 * Everything runs on the main context of the thread that started the server; I/O callbacks
 * never touch a disposed server because dispose cancels io_cancellable first and every
 * callback checks for cancellation before anything else. */

#define MAX_LIST_PAGES   1000
#define TERM_GRACE_SECS  2
#define STDERR_LINE_LIMIT 4096

G_DEFINE_ENUM_TYPE (ConfabMcpServerState, confab_mcp_server_state,
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_READY, "ready"),
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_FAILED, "failed"))

struct _ConfabMcpServer
{
  GObject                  parent_instance;

  char                    *name;
  char                    *command_line;
  char                   **argv;
  char                   **env;
  char                    *error;
  char                    *protocol_version;
  char                    *server_info_name;
  char                    *server_info_version;
  GString                 *log;
  GListStore              *tools;

  GSubprocess             *subprocess;
  ConfabJsonrpcConnection *connection;
  GInputStream            *stderr_pipe;
  GByteArray              *stderr_pending;
  GCancellable            *io_cancellable;

  guint                    call_timeout;
  ConfabMcpServerState     state;

  guint                    relisting : 1;
  guint                    relist_again : 1;
};

G_DEFINE_FINAL_TYPE (ConfabMcpServer, confab_mcp_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_ARGV,
  PROP_ENV,
  PROP_STATE,
  PROP_ERROR,
  PROP_TOOLS,
  PROP_LOG,
  PROP_CALL_TIMEOUT,
  PROP_PROTOCOL_VERSION,
  N_PROPS
};

enum {
  TOOLS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void append_log (ConfabMcpServer *self,
                        const char      *data,
                        gsize            len);

/* Messages ------------------------------------------------------------------------------ */

/* The command line, for messages that name the server and its command. */
static const char *
command_line (ConfabMcpServer *self)
{
  if (self->command_line == NULL)
    self->command_line = confab_mcp_server_dup_command_line (self);

  return self->command_line;
}

static void
set_state (ConfabMcpServer      *self,
           ConfabMcpServerState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
is_running (ConfabMcpServer *self)
{
  return (self->state == CONFAB_MCP_SERVER_STATE_STARTING ||
          self->state == CONFAB_MCP_SERVER_STATE_READY);
}

/* The connection failed, or the server fails it: the first failure wins, later symptoms
 * (EOF after a crash …) do not replace it. Pending calls fail right after. */
static void
on_connection_failed (ConfabJsonrpcConnection *connection,
                      const char              *message,
                      ConfabMcpServer         *self)
{
  g_autoptr(GObject) hold = NULL;

  if (!is_running (self))
    return;

  hold = g_object_ref (G_OBJECT (self));

  g_debug ("%s", message);

  if (_confab_set_str (&self->error, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  set_state (self, CONFAB_MCP_SERVER_STATE_FAILED);

  if (self->subprocess != NULL)
    g_subprocess_force_exit (self->subprocess);
}

static void
confab_mcp_server_fail (ConfabMcpServer *self,
                        const char      *message)
{
  if (self->connection != NULL)
    {
      /* Held: a handler of the notifications may stop the server meanwhile. */
      g_autoptr(ConfabJsonrpcConnection) connection = g_object_ref (self->connection);

      _confab_jsonrpc_connection_fail (connection, message);
    }
  else
    on_connection_failed (NULL, message, self);
}

static void
confab_mcp_server_fail_printf (ConfabMcpServer *self,
                               const char      *format,
                               ...) G_GNUC_PRINTF (2, 3);

static void
confab_mcp_server_fail_printf (ConfabMcpServer *self,
                               const char      *format,
                               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  confab_mcp_server_fail (self, message);
}

/* Requests ------------------------------------------------------------------------------ */

/* Sends a request; the result is the "result" member (transfer full JsonNode), taken with
 * send_request_finish(). Callbacks find the server as their own task's source object. */
static void
send_request (ConfabMcpServer     *self,
              const char          *method,
              JsonNode            *params,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  if (is_running (self) && self->connection != NULL)
    {
      _confab_jsonrpc_connection_call_async (self->connection, method, params, self->call_timeout,
                                             cancellable, callback, user_data);
      return;
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, send_request);

  if (self->error != NULL)
    g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
  else
    g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                             _("MCP server “%s” (%s) is not running"),
                             self->name, command_line (self));
}

static JsonNode *
send_request_finish (GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* What the server asks and tells ------------------------------------------------------- */

static void confab_mcp_server_relist (ConfabMcpServer *self);

static gboolean
on_handle_call (ConfabJsonrpcConnection *connection,
                const char              *method,
                JsonNode                *id,
                JsonNode                *params,
                ConfabMcpServer         *self)
{
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
  append_log (self, line, strlen (line));
}

static void
on_notification (ConfabJsonrpcConnection *connection,
                 const char              *method,
                 JsonNode                *params,
                 ConfabMcpServer         *self)
{
  if (g_str_equal (method, "notifications/tools/list_changed"))
    confab_mcp_server_relist (self);
  else if (g_str_equal (method, "notifications/message"))
    log_notification (self, params != NULL && JSON_NODE_HOLDS_OBJECT (params) ? json_node_get_object (params) : NULL);
  else
    g_debug ("MCP server “%s” sent %s, ignored", self->name, method);
}

static void
set_connection (ConfabMcpServer         *self,
                ConfabJsonrpcConnection *connection)
{
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);

  g_set_object (&self->connection, connection);

  if (connection != NULL)
    {
      g_signal_connect (connection, "failed", G_CALLBACK (on_connection_failed), self);
      g_signal_connect (connection, "handle-call", G_CALLBACK (on_handle_call), self);
      g_signal_connect (connection, "notification", G_CALLBACK (on_notification), self);
    }
}

/* The process --------------------------------------------------------------------------- */

static void
append_log (ConfabMcpServer *self,
            const char      *data,
            gsize            len)
{
  g_string_append_len (self->log, data, len);

  if (self->log->len > CONFAB_MCP_SERVER_LOG_LIMIT)
    {
      gsize excess = self->log->len - CONFAB_MCP_SERVER_LOG_LIMIT;
      const char *newline = memchr (self->log->str + excess, '\n',
                                    self->log->len - excess);

      /* Cut at a line start when there is one, so the log does not begin mid-line. */
      if (newline != NULL)
        excess = newline + 1 - self->log->str;
      g_string_erase (self->log, 0, excess);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG]);
}

/* How many bytes at the end of @data start a UTF-8 character that is not complete yet. */
static gsize
incomplete_utf8_tail (const char *data,
                      gsize       len)
{
  for (gsize back = 1; back <= MIN (len, 3); back++)
    {
      guchar c = data[len - back];

      if ((c & 0xC0) == 0x80)
        continue;   /* a continuation byte: look further back */

      if (c >= 0xC0)
        {
          gsize needed = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
          return needed > back ? back : 0;
        }

      return 0;
    }

  return 0;
}

static void
on_stderr_read (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ConfabMcpServer *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  const char *newline;
  const char *data;
  gsize len, cut;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = CONFAB_MCP_SERVER (user_data);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      /* The end: what is left of a broken character still belongs in the log. */
      if (self->stderr_pending != NULL && self->stderr_pending->len > 0)
        {
          text = g_utf8_make_valid ((const char *)self->stderr_pending->data, self->stderr_pending->len);
          g_byte_array_set_size (self->stderr_pending, 0);
          append_log (self, text, strlen (text));
        }
      return;
    }

  data = g_bytes_get_data (bytes, &len);
  g_byte_array_append (self->stderr_pending, (const guint8 *)data, len);
  data = (const char *)self->stderr_pending->data;
  len = self->stderr_pending->len;

  /* Whole lines only, so MCP log notifications never land in the middle of one; a very
   * long line goes in pieces, never splitting a character. Invalid UTF-8 becomes a
   * replacement character, since the log is shown as text. */
  newline = memrchr (data, '\n', len);
  if (newline != NULL)
    cut = newline + 1 - data;
  else if (len > STDERR_LINE_LIMIT)
    cut = len - incomplete_utf8_tail (data, len);
  else
    cut = 0;

  if (cut > 0)
    {
      text = g_utf8_make_valid (data, cut);
      g_byte_array_remove_range (self->stderr_pending, 0, cut);
      append_log (self, text, strlen (text));
    }

  /* Whoever watched the log may have stopped the server meanwhile. */
  if (self->stderr_pipe == NULL)
    return;

  g_input_stream_read_bytes_async (self->stderr_pipe, 4096, G_PRIORITY_DEFAULT,
                                   self->io_cancellable, on_stderr_read, self);
}

static void
on_exited (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GSubprocess *subprocess = G_SUBPROCESS (object);
  ConfabMcpServer *self;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (subprocess, result, &error))
    return;

  self = CONFAB_MCP_SERVER (user_data);

  if (subprocess != self->subprocess)
    return;

  if (g_subprocess_get_if_exited (subprocess))
    confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) exited with status %d"),
                                   self->name, command_line (self),
                                   g_subprocess_get_exit_status (subprocess));
  else if (g_subprocess_get_if_signaled (subprocess))
    confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) was killed by signal %d (%s)"),
                                   self->name, command_line (self),
                                   g_subprocess_get_term_sig (subprocess),
                                   g_strsignal (g_subprocess_get_term_sig (subprocess)));
  else
    confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) exited"),
                                   self->name, command_line (self));
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

  node = send_request_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) answered tools/list with something that is not an object"),
                                     self->name, command_line (self));
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

      schema = json_object_get_member (tool, "inputSchema");
      if (schema != NULL && !JSON_NODE_HOLDS_OBJECT (schema))
        schema = NULL;

      g_ptr_array_add (data->tools,
                       confab_tool_new (self, name,
                                        _confab_json_get_string (tool, "description", NULL),
                                        schema));
    }

  next_cursor = _confab_json_get_string (object_result, "nextCursor", NULL);
  if (next_cursor != NULL && *next_cursor != '\0' && g_strcmp0 (next_cursor, data->cursor) != 0)
    {
      if (++data->pages >= MAX_LIST_PAGES)
        {
          confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) listed more than %u pages of tools"),
                                         self->name, command_line (self), MAX_LIST_PAGES);
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

  send_request (self, "tools/list", params, g_task_get_cancellable (task),
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
replace_tools (ConfabMcpServer *self,
               GPtrArray       *tools)
{
  g_list_store_splice (self->tools, 0, g_list_model_get_n_items (G_LIST_MODEL (self->tools)),
                       tools->pdata, tools->len);
  g_signal_emit (self, signals[TOOLS_CHANGED], 0);
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

  replace_tools (self, tools);

  if (self->relist_again)
    confab_mcp_server_relist (self);
}

static void
confab_mcp_server_relist (ConfabMcpServer *self)
{
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
            confab_mcp_server_fail (self, error->message);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      tools = g_ptr_array_new_with_free_func (g_object_unref);
    }

  set_state (self, CONFAB_MCP_SERVER_STATE_READY);
  replace_tools (self, tools);
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

  node = send_request_finish (result, &error);
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        confab_mcp_server_fail (self, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) answered initialize with something that is not an object"),
                                     self->name, command_line (self));
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
      return;
    }

  object_result = json_node_get_object (node);

  /* Accept the version the server speaks: the subset Confab uses (initialize, tools/list,
   * tools/call, list_changed, ping, cancelled) is the same in every published version. */
  if (_confab_set_str (&self->protocol_version,
                       _confab_json_get_string (object_result,
                                                                   "protocolVersion", NULL)))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROTOCOL_VERSION]);

  server_info = _confab_json_get_object (object_result, "serverInfo");
  if (server_info != NULL)
    {
      _confab_set_str (&self->server_info_name,
                       _confab_json_get_string (server_info, "name", NULL));
      _confab_set_str (&self->server_info_version,
                       _confab_json_get_string (server_info, "version", NULL));
    }

  if (self->connection != NULL)
    _confab_jsonrpc_connection_notify (self->connection, "notifications/initialized", NULL);

  cancellable = g_task_get_cancellable (task);
  list_tools_async (self, cancellable, on_start_listed, g_steal_pointer (&task));
}

void
confab_mcp_server_start_async (ConfabMcpServer     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(ConfabJsonrpcConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;

  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_mcp_server_start_async);

  if (self->state == CONFAB_MCP_SERVER_STATE_STARTING ||
      self->state == CONFAB_MCP_SERVER_STATE_READY)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("MCP server “%s” is already started"), self->name);
      return;
    }

  /* A restart after a failure or a stop starts clean. */
  confab_mcp_server_stop (self);
  g_clear_pointer (&self->error, g_free);
  g_string_truncate (self->log, 0);
  g_clear_object (&self->io_cancellable);
  self->io_cancellable = g_cancellable_new ();

  set_state (self, CONFAB_MCP_SERVER_STATE_STARTING);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);

  if (self->argv == NULL || self->argv[0] == NULL)
    {
      confab_mcp_server_fail_printf (self, _("MCP server “%s” has no command"), self->name);
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
      return;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (guint i = 0; self->env != NULL && self->env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (self->env[i], "=", 2);

      if (pair[0] != NULL && pair[0][0] != '\0' && pair[1] != NULL)
        g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }

  self->subprocess = g_subprocess_launcher_spawnv (launcher, (const char * const *)self->argv,
                                                   &error);
  if (self->subprocess == NULL)
    {
      confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) could not be started: %s"),
                                     self->name, command_line (self), error->message);
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
      return;
    }

  connection = _confab_jsonrpc_connection_new (self->name, command_line (self),
                                               g_subprocess_get_stdout_pipe (self->subprocess),
                                               g_subprocess_get_stdin_pipe (self->subprocess));
  set_connection (self, connection);
  self->stderr_pending = g_byte_array_new ();
  self->stderr_pipe = g_object_ref (g_subprocess_get_stderr_pipe (self->subprocess));

  g_subprocess_wait_async (self->subprocess, self->io_cancellable, on_exited, self);
  _confab_jsonrpc_connection_start (connection);
  g_input_stream_read_bytes_async (self->stderr_pipe, 4096, G_PRIORITY_DEFAULT,
                                   self->io_cancellable, on_stderr_read, self);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocolVersion");
  json_builder_add_string_value (builder, CONFAB_MCP_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_object (builder);
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

  send_request (self, "initialize", params, cancellable, on_initialized,
                g_steal_pointer (&task));
}

gboolean
confab_mcp_server_start_finish (ConfabMcpServer  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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

  node = send_request_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                               _("MCP server “%s” (%s) answered tools/call with something that is not an object"),
                               self->name, command_line (self));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify)json_node_unref);
}

void
confab_mcp_server_call_tool_async (ConfabMcpServer     *self,
                                   const char          *name,
                                   JsonNode            *arguments,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
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

  send_request (self, "tools/call", params, cancellable, on_tool_called,
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

/* Stopping ------------------------------------------------------------------------------ */

static gboolean
kill_if_still_running (gpointer user_data)
{
  g_subprocess_force_exit (G_SUBPROCESS (user_data));
  return G_SOURCE_REMOVE;
}

void
confab_mcp_server_stop (ConfabMcpServer *self)
{
  g_autoptr(GObject) hold = NULL;
  g_autoptr(ConfabJsonrpcConnection) connection = NULL;
  gboolean was_running;

  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));

  hold = g_object_ref (G_OBJECT (self));

  was_running = is_running (self);

  if (self->connection != NULL)
    {
      connection = g_object_ref (self->connection);
      set_connection (self, NULL);
    }

  if (self->io_cancellable != NULL)
    g_cancellable_cancel (self->io_cancellable);

  /* Closing stdin (the connection's output) is the polite way to end a stdio server;
   * SIGTERM, then SIGKILL for one that does not listen. GSubprocess reaps the child by
   * itself. */
  if (connection != NULL)
    _confab_jsonrpc_connection_close (connection);

  if (self->subprocess != NULL)
    {
      g_subprocess_send_signal (self->subprocess, SIGTERM);
      g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, TERM_GRACE_SECS, kill_if_still_running,
                                  g_object_ref (self->subprocess), g_object_unref);
    }

  g_clear_pointer (&self->stderr_pending, g_byte_array_unref);
  g_clear_object (&self->stderr_pipe);
  g_clear_object (&self->subprocess);

  if (was_running)
    {
      g_autofree char *message = g_strdup_printf (_("MCP server “%s” (%s) was stopped"),
                                                  self->name, command_line (self));

      set_state (self, CONFAB_MCP_SERVER_STATE_STOPPED);
      if (connection != NULL)
        _confab_jsonrpc_connection_fail_pending (connection, message);
      if (g_list_model_get_n_items (G_LIST_MODEL (self->tools)) > 0)
        {
          g_list_store_remove_all (self->tools);
          g_signal_emit (self, signals[TOOLS_CHANGED], 0);
        }
    }
}

/* For tests and fuzzing ----------------------------------------------------------------- */

void
_confab_mcp_server_start_detached (ConfabMcpServer *self)
{
  g_autoptr(ConfabJsonrpcConnection) connection = NULL;

  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));

  confab_mcp_server_stop (self);
  g_clear_pointer (&self->error, g_free);
  g_clear_object (&self->io_cancellable);
  self->io_cancellable = g_cancellable_new ();

  connection = _confab_jsonrpc_connection_new (self->name, command_line (self), NULL, NULL);
  set_connection (self, connection);
  set_state (self, CONFAB_MCP_SERVER_STATE_READY);
}

gboolean
_confab_mcp_server_feed (ConfabMcpServer *self,
                         const guint8    *data,
                         gsize            len)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), FALSE);

  if (!is_running (self) || self->connection == NULL)
    return FALSE;

  return _confab_jsonrpc_connection_feed (self->connection, data, len);
}

void
_confab_mcp_server_handle_line (ConfabMcpServer *self,
                                const char      *line,
                                gsize            len)
{
  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));

  if (is_running (self) && self->connection != NULL)
    _confab_jsonrpc_connection_handle_line (self->connection, line, len);
}

void
_confab_mcp_server_relist (ConfabMcpServer *self)
{
  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));

  confab_mcp_server_relist (self);
}

/* GObject ------------------------------------------------------------------------------- */

static void
confab_mcp_server_dispose (GObject *object)
{
  ConfabMcpServer *self = (ConfabMcpServer *)object;

  confab_mcp_server_stop (self);

  G_OBJECT_CLASS (confab_mcp_server_parent_class)->dispose (object);
}

static void
confab_mcp_server_finalize (GObject *object)
{
  ConfabMcpServer *self = (ConfabMcpServer *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->command_line, g_free);
  g_clear_pointer (&self->argv, g_strfreev);
  g_clear_pointer (&self->env, g_strfreev);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->protocol_version, g_free);
  g_clear_pointer (&self->server_info_name, g_free);
  g_clear_pointer (&self->server_info_version, g_free);
  g_string_free (self->log, TRUE);
  g_clear_object (&self->tools);
  g_clear_object (&self->io_cancellable);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (confab_mcp_server_parent_class)->finalize (object);
}

static void
confab_mcp_server_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ConfabMcpServer *self = CONFAB_MCP_SERVER (object);

  switch (prop_id)
    {
    case PROP_NAME:             g_value_set_string (value, self->name); break;
    case PROP_ARGV:             g_value_set_boxed (value, self->argv); break;
    case PROP_ENV:              g_value_set_boxed (value, self->env); break;
    case PROP_STATE:            g_value_set_enum (value, self->state); break;
    case PROP_ERROR:            g_value_set_string (value, self->error); break;
    case PROP_TOOLS:            g_value_set_object (value, self->tools); break;
    case PROP_LOG:              g_value_set_string (value, self->log->str); break;
    case PROP_CALL_TIMEOUT:     g_value_set_uint (value, self->call_timeout); break;
    case PROP_PROTOCOL_VERSION: g_value_set_string (value, self->protocol_version); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_mcp_server_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ConfabMcpServer *self = CONFAB_MCP_SERVER (object);

  switch (prop_id)
    {
    case PROP_NAME:         self->name = g_value_dup_string (value); break;
    case PROP_ARGV:         self->argv = g_value_dup_boxed (value); break;
    case PROP_ENV:          self->env = g_value_dup_boxed (value); break;
    case PROP_CALL_TIMEOUT: confab_mcp_server_set_call_timeout (self, g_value_get_uint (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_mcp_server_class_init (ConfabMcpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  GParamFlags ro = (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  struct sigaction action;

  object_class->dispose = confab_mcp_server_dispose;
  object_class->finalize = confab_mcp_server_finalize;
  object_class->get_property = confab_mcp_server_get_property;
  object_class->set_property = confab_mcp_server_set_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, construct);
  properties[PROP_ARGV] = g_param_spec_boxed ("argv", NULL, NULL, G_TYPE_STRV, construct);
  properties[PROP_ENV] = g_param_spec_boxed ("env", NULL, NULL, G_TYPE_STRV, construct);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CONFAB_TYPE_MCP_SERVER_STATE,
                       CONFAB_MCP_SERVER_STATE_STOPPED, ro);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, ro);
  properties[PROP_TOOLS] = g_param_spec_object ("tools", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_LOG] = g_param_spec_string ("log", NULL, NULL, "", ro);
  properties[PROP_CALL_TIMEOUT] =
    g_param_spec_uint ("call-timeout", NULL, NULL, 0, G_MAXUINT / 1000,
                       CONFAB_MCP_DEFAULT_CALL_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PROTOCOL_VERSION] =
    g_param_spec_string ("protocol-version", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabMcpServer::tools-changed:
   *
   * The tools model was replaced after a (re-)list, or emptied on stop.
   */
  signals[TOOLS_CHANGED] =
    g_signal_new ("tools-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /* Writing to a server that just died must be an error, not a SIGPIPE that kills Confab. */
  if (sigaction (SIGPIPE, NULL, &action) == 0 && action.sa_handler == SIG_DFL)
    signal (SIGPIPE, SIG_IGN);
}

static void
confab_mcp_server_init (ConfabMcpServer *self)
{
  self->log = g_string_new (NULL);
  self->tools = g_list_store_new (CONFAB_TYPE_TOOL);
  self->call_timeout = CONFAB_MCP_DEFAULT_CALL_TIMEOUT;
  self->state = CONFAB_MCP_SERVER_STATE_STOPPED;
}

ConfabMcpServer *
confab_mcp_server_new (const char         *name,
                       const char * const *argv,
                       const char * const *env)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  return g_object_new (CONFAB_TYPE_MCP_SERVER,
                       "name", name,
                       "argv", argv,
                       "env", env,
                       NULL);
}

const char *
confab_mcp_server_get_name (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return self->name;
}

const char * const *
confab_mcp_server_get_argv (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return (const char * const *)self->argv;
}

char *
confab_mcp_server_dup_command_line (ConfabMcpServer *self)
{
  GString *line;

  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);

  line = g_string_new (NULL);
  for (guint i = 0; self->argv != NULL && self->argv[i] != NULL; i++)
    {
      const char *arg = self->argv[i];

      if (i > 0)
        g_string_append_c (line, ' ');

      /* Quote only what needs it, so the common case reads as typed. */
      if (*arg != '\0' && strpbrk (arg, " \t\n'\"\\$`*?[]{}()<>|&;#~") == NULL)
        g_string_append (line, arg);
      else
        {
          g_autofree char *quoted = g_shell_quote (arg);
          g_string_append (line, quoted);
        }
    }

  return g_string_free (line, FALSE);
}

ConfabMcpServerState
confab_mcp_server_get_state (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), CONFAB_MCP_SERVER_STATE_FAILED);
  return self->state;
}

const char *
confab_mcp_server_get_error (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return self->error;
}

const char *
confab_mcp_server_get_log (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return self->log->str;
}

const char *
confab_mcp_server_get_protocol_version (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return self->protocol_version;
}

const char *
confab_mcp_server_get_server_info_name (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return self->server_info_name;
}

const char *
confab_mcp_server_get_server_info_version (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return self->server_info_version;
}

GListModel *
confab_mcp_server_get_tools (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return G_LIST_MODEL (self->tools);
}

guint
confab_mcp_server_get_call_timeout (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), 0);
  return self->call_timeout;
}

void
confab_mcp_server_set_call_timeout (ConfabMcpServer *self,
                                    guint            seconds)
{
  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));

  seconds = MIN (seconds, G_MAXUINT / 1000);
  if (self->call_timeout == seconds)
    return;

  self->call_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL_TIMEOUT]);
}
