/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-server"

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "confab-error.h"
#include "confab-mcp-server.h"
#include "confab-mcp-json-private.h"
#include "confab-tool.h"
#include "confab-util-private.h"

/* MCP over stdio: newline-delimited JSON-RPC 2.0 messages on the server's stdin/stdout;
 * the server's stderr is its log. Everything runs on the main context of the thread that
 * started the server; I/O callbacks never touch a disposed server because dispose cancels
 * io_cancellable first and every callback checks for cancellation before anything else. */

#define MAX_LIST_PAGES   1000
#define EOF_GRACE_MS     2000
#define TERM_GRACE_SECS  2
#define READ_CHUNK       (64 * 1024)
#define STDERR_LINE_LIMIT 4096

G_DEFINE_ENUM_TYPE (ConfabMcpServerState, confab_mcp_server_state,
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_READY, "ready"),
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_FAILED, "failed"))

typedef struct
{
  ConfabMcpServer *self;
  guint            id;
  char            *method;
  GTask           *task;
  GSource         *timeout_source;
  GSource         *cancel_source;
} Request;

struct _ConfabMcpServer
{
  GObject               parent_instance;

  char                 *name;
  char                 *command_line;
  char                **argv;
  char                **env;
  char                 *error;
  char                 *protocol_version;
  char                 *server_info_name;
  char                 *server_info_version;
  GString              *log;
  GListStore           *tools;

  GSubprocess          *subprocess;
  GOutputStream        *stdin_pipe;
  GInputStream         *stdout_pipe;
  GByteArray           *stdout_buffer;
  gsize                 stdout_scanned;
  GInputStream         *stderr_pipe;
  GByteArray           *stderr_pending;
  GCancellable         *io_cancellable;

  GQueue                write_queue;
  gboolean              write_pending;

  /* id → Request */
  GHashTable           *pending;
  guint                 next_id;

  guint                 eof_timeout_id;
  guint                 call_timeout;
  ConfabMcpServerState  state;

  guint                 relisting : 1;
  guint                 relist_again : 1;
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

static void confab_mcp_server_read_next   (ConfabMcpServer *self);
static void confab_mcp_server_write_next  (ConfabMcpServer *self);
static void confab_mcp_server_relist      (ConfabMcpServer *self);
static void append_log                    (ConfabMcpServer *self,
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
  g_clear_object (&request->task);
  g_free (request->method);
  g_free (request);
}

/* Takes @request out of the pending table; the caller completes its task and frees it. */
static Request *
steal_request (ConfabMcpServer *self,
               guint            id)
{
  gpointer key, value;

  if (!g_hash_table_steal_extended (self->pending, GUINT_TO_POINTER (id), &key, &value))
    return NULL;

  return value;
}

static void
fail_pending (ConfabMcpServer *self,
              GQuark           domain,
              int              code,
              const char      *message)
{
  g_autoptr(GList) ids = g_hash_table_get_keys (self->pending);

  for (const GList *l = ids; l != NULL; l = l->next)
    {
      Request *request = steal_request (self, GPOINTER_TO_UINT (l->data));

      if (request == NULL)
        continue;

      g_task_return_new_error (request->task, domain, code, "%s", message);
      request_free (request);
    }
}

/* The first failure wins: later symptoms (EOF after a crash …) do not replace it. */
static void
confab_mcp_server_fail (ConfabMcpServer *self,
                        const char      *message)
{
  g_autoptr(GObject) hold = NULL;

  if (self->state == CONFAB_MCP_SERVER_STATE_FAILED ||
      self->state == CONFAB_MCP_SERVER_STATE_STOPPED)
    return;

  hold = g_object_ref (G_OBJECT (self));

  g_debug ("%s", message);

  g_clear_handle_id (&self->eof_timeout_id, g_source_remove);

  if (_confab_set_str (&self->error, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  set_state (self, CONFAB_MCP_SERVER_STATE_FAILED);

  if (self->subprocess != NULL)
    g_subprocess_force_exit (self->subprocess);

  g_queue_clear_full (&self->write_queue, (GDestroyNotify)g_bytes_unref);

  fail_pending (self, CONFAB_ERROR, CONFAB_ERROR_MCP, message);
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

/* Writing ------------------------------------------------------------------------------- */

/* One write in flight: it owns its bytes, so stopping the server (which cancels the write)
 * can never free them under the stream's feet. */
typedef struct
{
  ConfabMcpServer *self;
  GBytes          *bytes;
} WriteOp;

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  WriteOp *op = user_data;
  ConfabMcpServer *self = op->self;
  g_autoptr(GError) error = NULL;
  gboolean cancelled;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error);
  cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_bytes_unref (op->bytes);
  g_free (op);

  /* Cancelled means stopped or disposed: self may be gone. */
  if (cancelled)
    return;

  self->write_pending = FALSE;

  if (error != NULL)
    {
      /* A broken pipe means the process is gone: its exit status tells more, and the
       * wait callback reports it. */
      g_debug ("Could not write to MCP server “%s”: %s", self->name, error->message);
      g_queue_clear_full (&self->write_queue, (GDestroyNotify)g_bytes_unref);
      return;
    }

  confab_mcp_server_write_next (self);
}

static void
confab_mcp_server_write_next (ConfabMcpServer *self)
{
  WriteOp *op;
  GBytes *bytes;
  gsize len;
  const guint8 *data;

  if (self->write_pending || self->stdin_pipe == NULL)
    return;

  bytes = g_queue_pop_head (&self->write_queue);
  if (bytes == NULL)
    return;

  op = g_new0 (WriteOp, 1);
  op->self = self;
  op->bytes = bytes;
  self->write_pending = TRUE;

  data = g_bytes_get_data (bytes, &len);
  g_output_stream_write_all_async (self->stdin_pipe, data, len, G_PRIORITY_DEFAULT,
                                   self->io_cancellable, on_written, op);
}

static void
confab_mcp_server_send (ConfabMcpServer *self,
                        JsonNode        *message)
{
  g_autoptr(JsonGenerator) generator = NULL;
  GString *line;
  gsize len;
  g_autofree char *text = NULL;

  if (self->stdin_pipe == NULL ||
      (self->state != CONFAB_MCP_SERVER_STATE_STARTING &&
       self->state != CONFAB_MCP_SERVER_STATE_READY))
    return;

  /* The compact generator never writes a raw newline: strings escape theirs. */
  generator = json_generator_new ();
  json_generator_set_root (generator, message);
  text = json_generator_to_data (generator, &len);

  line = g_string_new_len (text, len);
  g_string_append_c (line, '\n');

  g_queue_push_tail (&self->write_queue, g_string_free_to_bytes (line));
  confab_mcp_server_write_next (self);
}

static JsonNode *
build_message (const char *method,
               gint64      id,
               JsonNode   *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  if (id >= 0)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, id);
    }
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  if (params != NULL)
    {
      json_builder_set_member_name (builder, "params");
      json_builder_add_value (builder, json_node_copy (params));
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
send_notification (ConfabMcpServer *self,
                   const char      *method,
                   JsonNode        *params)
{
  g_autoptr(JsonNode) message = build_message (method, -1, params);

  confab_mcp_server_send (self, message);
}

static void
send_cancelled (ConfabMcpServer *self,
                guint            id,
                const char      *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "requestId");
  json_builder_add_int_value (builder, id);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  send_notification (self, "notifications/cancelled", params);
}

/* Requests ------------------------------------------------------------------------------ */

static gboolean
on_request_timeout (gpointer user_data)
{
  Request *request = user_data;
  ConfabMcpServer *self = request->self;
  guint id = request->id;

  request = steal_request (self, id);
  g_assert (request != NULL);

  send_cancelled (self, id, "timeout");

  g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT,
                           g_dngettext (GETTEXT_PACKAGE,
                                        "MCP server “%s” (%s) did not answer %s within %u second",
                                        "MCP server “%s” (%s) did not answer %s within %u seconds",
                                        self->call_timeout),
                           self->name, command_line (self), request->method, self->call_timeout);
  request_free (request);

  return G_SOURCE_REMOVE;
}

static gboolean
on_request_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  Request *request = user_data;
  ConfabMcpServer *self = request->self;
  guint id = request->id;

  request = steal_request (self, id);
  g_assert (request != NULL);

  send_cancelled (self, id, "The user cancelled the request.");

  g_task_return_new_error (request->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "The request was cancelled");
  request_free (request);

  return G_SOURCE_REMOVE;
}

/* Sends a request; the task returns the "result" member (transfer full JsonNode). */
static void
send_request (ConfabMcpServer     *self,
              const char          *method,
              JsonNode            *params,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(JsonNode) message = NULL;
  Request *request;

  request = g_new0 (Request, 1);
  request->self = self;
  request->id = ++self->next_id;
  request->method = g_strdup (method);
  request->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (request->task, send_request);
  /* The request itself answers cancellation, after telling the server. */
  g_task_set_check_cancellable (request->task, FALSE);

  if (self->state != CONFAB_MCP_SERVER_STATE_STARTING &&
      self->state != CONFAB_MCP_SERVER_STATE_READY)
    {
      if (self->error != NULL)
        g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                                 "%s", self->error);
      else
        g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                                 _("MCP server “%s” (%s) is not running"),
                                 self->name, command_line (self));
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

  if (self->call_timeout > 0)
    {
      request->timeout_source = g_timeout_source_new (self->call_timeout * 1000);
      g_source_set_callback (request->timeout_source, on_request_timeout, request, NULL);
      g_source_set_static_name (request->timeout_source, "[confab] MCP request timeout");
      g_source_attach (request->timeout_source, g_task_get_context (request->task));
    }

  if (cancellable != NULL)
    {
      request->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (request->cancel_source, G_SOURCE_FUNC (on_request_cancelled),
                             request, NULL);
      g_source_set_static_name (request->cancel_source, "[confab] MCP request cancel");
      g_source_attach (request->cancel_source, g_task_get_context (request->task));
    }

  g_hash_table_insert (self->pending, GUINT_TO_POINTER (request->id), request);

  message = build_message (method, request->id, params);
  confab_mcp_server_send (self, message);
}

static JsonNode *
send_request_finish (ConfabMcpServer  *self,
                     GAsyncResult     *result,
                     GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Reading ------------------------------------------------------------------------------- */

static void
answer_request (ConfabMcpServer *self,
                JsonNode        *id,
                JsonNode        *result,
                int              error_code,
                const char      *error_message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) message = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  json_builder_add_value (builder, json_node_copy (id));
  if (error_message != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, error_code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, error_message);
      json_builder_end_object (builder);
    }
  else
    {
      json_builder_set_member_name (builder, "result");
      if (result != NULL)
        json_builder_add_value (builder, json_node_copy (result));
      else
        {
          json_builder_begin_object (builder);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_object (builder);

  message = json_builder_get_root (builder);
  confab_mcp_server_send (self, message);
}

static gboolean
get_request_id (JsonNode *node,
                guint    *id)
{
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      value = json_node_get_int (node);
      break;
    case G_TYPE_DOUBLE:
      value = (gint64)json_node_get_double (node);
      break;
    case G_TYPE_STRING:
      if (!g_ascii_string_to_signed (json_node_get_string (node), 10, 0, G_MAXUINT, &value, NULL))
        return FALSE;
      break;
    default:
      return FALSE;
    }

  if (value < 0 || value > G_MAXUINT)
    return FALSE;

  *id = (guint)value;
  return TRUE;
}

static void
handle_response (ConfabMcpServer *self,
                 JsonObject      *object)
{
  JsonNode *error_node;
  Request *request;
  guint id;

  if (!get_request_id (json_object_get_member (object, "id"), &id))
    return;

  /* A late answer to a request that timed out or was cancelled. */
  request = steal_request (self, id);
  if (request == NULL)
    {
      g_debug ("MCP server “%s” answered request %u, which is no longer pending", self->name, id);
      return;
    }

  error_node = json_object_get_member (object, "error");
  if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
    {
      JsonObject *error_object = json_node_get_object (error_node);
      const char *message = _confab_json_get_string (error_object, "message",
                                                                          "unknown error");
      int code = (int)_confab_json_get_int (error_object, "code", 0);

      g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                               _("MCP server “%s” (%s) answered %s with an error: %s (%d)"),
                               self->name, command_line (self), request->method, message, code);
    }
  else
    {
      JsonNode *result = json_object_get_member (object, "result");

      if (result == NULL)
        g_task_return_new_error (request->task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                                 _("MCP server “%s” (%s) answered %s without a result"),
                                 self->name, command_line (self), request->method);
      else
        g_task_return_pointer (request->task, json_node_copy (result),
                               (GDestroyNotify)json_node_unref);
    }

  request_free (request);
}

/* MCP logging ("notifications/message") joins the stderr log, one line per message. */
static void
log_notification (ConfabMcpServer *self,
                  JsonObject      *params)
{
  const char *level = _confab_json_get_string (params, "level", "info");
  const char *logger = _confab_json_get_string (params, "logger", NULL);
  JsonNode *data = params ? json_object_get_member (params, "data") : NULL;
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
handle_message (ConfabMcpServer *self,
                JsonNode        *node)
{
  JsonObject *object;
  JsonNode *id;
  const char *method;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) sent a message that is not a JSON-RPC object"),
                                     self->name, command_line (self));
      return;
    }

  object = json_node_get_object (node);
  id = json_object_get_member (object, "id");
  method = _confab_json_get_string (object, "method", NULL);

  if (method == NULL)
    {
      handle_response (self, object);
      return;
    }

  if (id != NULL && !JSON_NODE_HOLDS_NULL (id))
    {
      /* A request from the server. */
      if (g_str_equal (method, "ping"))
        answer_request (self, id, NULL, 0, NULL);
      else
        answer_request (self, id, NULL, -32601, "Method not found");
      return;
    }

  /* A notification. */
  if (g_str_equal (method, "notifications/tools/list_changed"))
    confab_mcp_server_relist (self);
  else if (g_str_equal (method, "notifications/message"))
    log_notification (self, _confab_json_get_object (object, "params"));
  else
    g_debug ("MCP server “%s” sent %s, ignored", self->name, method);
}

static void
handle_line (ConfabMcpServer *self,
             const char      *line,
             gsize            len)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  /* Blank lines (and a stray \r from a CRLF writer) carry nothing. */
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
    len--;
  if (len == 0)
    return;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, line, len, &error))
    {
      g_autofree char *excerpt = g_utf8_make_valid (line, MIN (len, 80));

      confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) sent something that is not JSON-RPC: “%s%s”"),
                                     self->name, command_line (self),
                                     excerpt, len > 80 ? "…" : "");
      return;
    }

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *batch = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (batch); i++)
        handle_message (self, json_array_get_element (batch, i));
    }
  else if (root != NULL)
    handle_message (self, root);
}

static gboolean
on_eof_grace_timeout (gpointer user_data)
{
  ConfabMcpServer *self = user_data;

  self->eof_timeout_id = 0;
  confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) closed its output"),
                                 self->name, command_line (self));

  return G_SOURCE_REMOVE;
}

/* Handles every complete line in the buffer; FALSE when the server stopped listening. */
static gboolean
handle_buffered_lines (ConfabMcpServer *self)
{
  while (self->stdout_buffer != NULL &&
         (self->state == CONFAB_MCP_SERVER_STATE_STARTING ||
          self->state == CONFAB_MCP_SERVER_STATE_READY))
    {
      GByteArray *buffer = self->stdout_buffer;
      const guint8 *newline;
      g_autofree char *line = NULL;
      gsize len;

      newline = memchr (buffer->data + self->stdout_scanned, '\n',
                        buffer->len - self->stdout_scanned);
      if (newline == NULL)
        {
          self->stdout_scanned = buffer->len;
          return TRUE;
        }

      /* Take the line out first: handling it may run callbacks that stop the server. */
      len = newline - buffer->data;
      line = g_strndup ((const char *)buffer->data, len);
      g_byte_array_remove_range (buffer, 0, len + 1);
      self->stdout_scanned = 0;

      if (memchr (line, '\0', len) != NULL || !g_utf8_validate (line, len, NULL))
        {
          confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) sent something that is not UTF-8 text"),
                                         self->name, command_line (self));
          return FALSE;
        }

      handle_line (self, line, len);
    }

  return FALSE;
}

static void
on_stdout_read (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ConfabMcpServer) self = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = g_object_ref (CONFAB_MCP_SERVER (user_data));

  if (self->state != CONFAB_MCP_SERVER_STATE_STARTING &&
      self->state != CONFAB_MCP_SERVER_STATE_READY)
    return;

  if (error != NULL)
    {
      confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) could not be read: %s"),
                                     self->name, command_line (self), error->message);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      /* The process most likely exited: give its exit status a moment to arrive, since
       * "exited with status 1" says more than "closed its output". */
      if (self->eof_timeout_id == 0)
        self->eof_timeout_id = g_timeout_add (EOF_GRACE_MS, on_eof_grace_timeout, self);
      return;
    }

  g_byte_array_append (self->stdout_buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  if (!handle_buffered_lines (self))
    return;

  /* Bounded memory: a server that never ends its line is broken, not a reason to grow
   * without limit. */
  if (self->stdout_buffer->len > CONFAB_MCP_SERVER_MAX_MESSAGE)
    {
      confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) sent a message longer than %u MB"),
                                     self->name, command_line (self),
                                     CONFAB_MCP_SERVER_MAX_MESSAGE / (1024 * 1024));
      return;
    }

  confab_mcp_server_read_next (self);
}

static void
confab_mcp_server_read_next (ConfabMcpServer *self)
{
  g_input_stream_read_bytes_async (self->stdout_pipe, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   self->io_cancellable, on_stdout_read, self);
}

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
  ConfabMcpServer *self = CONFAB_MCP_SERVER (object);
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object_result;
  JsonArray *tools;
  const char *next_cursor;

  node = send_request_finish (self, result, &error);
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
  ConfabMcpServer *self = CONFAB_MCP_SERVER (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object_result;
  JsonObject *server_info;
  GCancellable *cancellable;

  node = send_request_finish (self, result, &error);
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

  send_notification (self, "notifications/initialized", NULL);

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

  self->stdin_pipe = g_object_ref (g_subprocess_get_stdin_pipe (self->subprocess));
  self->stdout_pipe = g_object_ref (g_subprocess_get_stdout_pipe (self->subprocess));
  self->stdout_buffer = g_byte_array_new ();
  self->stdout_scanned = 0;
  self->stderr_pending = g_byte_array_new ();
  self->stderr_pipe = g_object_ref (g_subprocess_get_stderr_pipe (self->subprocess));

  g_subprocess_wait_async (self->subprocess, self->io_cancellable, on_exited, self);
  confab_mcp_server_read_next (self);
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
  ConfabMcpServer *self = CONFAB_MCP_SERVER (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = send_request_finish (self, result, &error);
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
  gboolean was_running;

  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));

  hold = g_object_ref (G_OBJECT (self));

  was_running = (self->state == CONFAB_MCP_SERVER_STATE_STARTING ||
                 self->state == CONFAB_MCP_SERVER_STATE_READY);

  g_clear_handle_id (&self->eof_timeout_id, g_source_remove);

  if (self->io_cancellable != NULL)
    g_cancellable_cancel (self->io_cancellable);

  g_queue_clear_full (&self->write_queue, (GDestroyNotify)g_bytes_unref);
  self->write_pending = FALSE;

  if (self->subprocess != NULL)
    {
      /* Closing stdin is the polite way to end a stdio server; SIGTERM, then SIGKILL for
       * one that does not listen. GSubprocess reaps the child by itself. */
      if (self->stdin_pipe != NULL)
        g_output_stream_close (self->stdin_pipe, NULL, NULL);
      g_subprocess_send_signal (self->subprocess, SIGTERM);
      g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, TERM_GRACE_SECS, kill_if_still_running,
                                  g_object_ref (self->subprocess), g_object_unref);
    }

  g_clear_object (&self->stdin_pipe);
  g_clear_object (&self->stdout_pipe);
  g_clear_pointer (&self->stdout_buffer, g_byte_array_unref);
  g_clear_pointer (&self->stderr_pending, g_byte_array_unref);
  g_clear_object (&self->stderr_pipe);
  g_clear_object (&self->subprocess);

  if (was_running)
    {
      g_autofree char *message = g_strdup_printf (_("MCP server “%s” (%s) was stopped"),
                                                  self->name, command_line (self));

      set_state (self, CONFAB_MCP_SERVER_STATE_STOPPED);
      fail_pending (self, CONFAB_ERROR, CONFAB_ERROR_MCP, message);
      if (g_list_model_get_n_items (G_LIST_MODEL (self->tools)) > 0)
        {
          g_list_store_remove_all (self->tools);
          g_signal_emit (self, signals[TOOLS_CHANGED], 0);
        }
    }
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

  g_assert (g_hash_table_size (self->pending) == 0);

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
  g_clear_pointer (&self->pending, g_hash_table_unref);

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
  self->pending = g_hash_table_new (NULL, NULL);
  self->call_timeout = CONFAB_MCP_DEFAULT_CALL_TIMEOUT;
  self->state = CONFAB_MCP_SERVER_STATE_STOPPED;
  g_queue_init (&self->write_queue);
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

/* Results ------------------------------------------------------------------------------- */

static gsize
base64_decoded_size (const char *data)
{
  gsize len = 0, padding = 0;

  for (const char *p = data; *p; p++)
    {
      if (*p == '=')
        padding++;
      else if (g_ascii_isalnum (*p) || *p == '+' || *p == '/' || *p == '-' || *p == '_')
        len++;
    }

  return (len * 3) / 4;
}

static void
describe_item (GString    *out,
               JsonObject *item)
{
  const char *type = _confab_json_get_string (item, "type", "unknown");

  if (g_str_equal (type, "image") || g_str_equal (type, "audio"))
    {
      const char *mime = _confab_json_get_string (item, "mimeType", "unknown type");
      const char *data = _confab_json_get_string (item, "data", "");

      g_string_append_printf (out, "[%s: %s, %" G_GSIZE_FORMAT " bytes]",
                              type, mime, base64_decoded_size (data));
    }
  else if (g_str_equal (type, "resource"))
    {
      JsonObject *resource = _confab_json_get_object (item, "resource");
      const char *uri = NULL, *mime = NULL, *text = NULL, *blob = NULL;

      if (resource != NULL)
        {
          uri = _confab_json_get_string (resource, "uri", NULL);
          mime = _confab_json_get_string (resource, "mimeType", NULL);
          text = _confab_json_get_string (resource, "text", NULL);
          blob = _confab_json_get_string (resource, "blob", NULL);
        }

      g_string_append_printf (out, "[resource: %s", uri ? uri : "(no uri)");
      if (mime != NULL)
        g_string_append_printf (out, ", %s", mime);
      if (blob != NULL)
        g_string_append_printf (out, ", %" G_GSIZE_FORMAT " bytes", base64_decoded_size (blob));
      g_string_append_c (out, ']');
      /* An embedded text resource is content the model should read. */
      if (text != NULL)
        g_string_append_printf (out, "\n%s", text);
    }
  else if (g_str_equal (type, "resource_link"))
    {
      const char *uri = _confab_json_get_string (item, "uri", "(no uri)");
      const char *name = _confab_json_get_string (item, "name", NULL);

      if (name != NULL)
        g_string_append_printf (out, "[resource link: %s, %s]", name, uri);
      else
        g_string_append_printf (out, "[resource link: %s]", uri);
    }
  else
    g_string_append_printf (out, "[%s content]", type);
}

char *
confab_mcp_result_to_text (JsonNode *result,
                           gboolean *is_error)
{
  GString *out = g_string_new (NULL);
  JsonObject *object;
  JsonArray *content;
  gboolean first = TRUE;

  if (is_error != NULL)
    *is_error = FALSE;

  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
    return g_string_free (out, FALSE);

  object = json_node_get_object (result);

  if (is_error != NULL)
    *is_error = _confab_json_get_boolean (object, "isError", FALSE);

  content = _confab_json_get_array (object, "content");
  for (guint i = 0; content != NULL && i < json_array_get_length (content); i++)
    {
      JsonNode *element = json_array_get_element (content, i);
      JsonObject *item;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      item = json_node_get_object (element);

      if (!first)
        g_string_append_c (out, '\n');
      first = FALSE;

      if (g_strcmp0 (_confab_json_get_string (item, "type", NULL), "text") == 0)
        g_string_append (out, _confab_json_get_string (item, "text", ""));
      else
        describe_item (out, item);
    }

  /* A server may answer only with structured content. */
  if (first && json_object_has_member (object, "structuredContent"))
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *text = NULL;

      json_generator_set_root (generator, json_object_get_member (object, "structuredContent"));
      text = json_generator_to_data (generator, NULL);
      g_string_append (out, text);
    }

  return g_string_free (out, FALSE);
}
