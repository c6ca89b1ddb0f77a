/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-server"

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "confab-error.h"
#include "confab-jsonrpc-connection-private.h"
#include "confab-json-private.h"
#include "confab-mcp-elicitation.h"
#include "confab-mcp-env.h"
#include "confab-mcp-server-private.h"
#include "confab-tool.h"
#include "confab-util-private.h"

/* MCP over stdio: the server is a child process that speaks newline-delimited JSON-RPC 2.0
 * on its stdin/stdout (ConfabJsonrpcConnection); its stderr is its log. This file is the
 * object: its process, state, error, log and connection; the MCP messages (initialize,
 * tools/list, tools/call, ping, logging) are in confab-mcp-server-protocol.c.
 * Everything runs on the main context of the thread that started the server; I/O callbacks
 * never touch a disposed server because dispose cancels io_cancellable first and every
 * callback checks for cancellation before anything else. */

#define TERM_GRACE_SECS  2
#define STDERR_LINE_LIMIT 4096

G_DEFINE_ENUM_TYPE (ConfabMcpServerState, confab_mcp_server_state,
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_READY, "ready"),
  G_DEFINE_ENUM_VALUE (CONFAB_MCP_SERVER_STATE_FAILED, "failed"))

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
  ELICIT,
  ELICITATION_STARTED,
  RESOURCE_UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Messages ------------------------------------------------------------------------------ */

/* The command line, for messages that name the server and its command. */
const char *
_confab_mcp_server_command_line (ConfabMcpServer *self)
{
  if (self->command_line == NULL)
    self->command_line = confab_mcp_server_dup_command_line (self);

  return self->command_line;
}

void
_confab_mcp_server_set_state (ConfabMcpServer      *self,
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
  _confab_mcp_server_set_state (self, CONFAB_MCP_SERVER_STATE_FAILED);

  if (self->subprocess != NULL)
    g_subprocess_force_exit (self->subprocess);
}

void
_confab_mcp_server_fail (ConfabMcpServer *self,
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

void
_confab_mcp_server_fail_printf (ConfabMcpServer *self,
                                const char      *format,
                                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  _confab_mcp_server_fail (self, message);
}

/* What the protocol sets ---------------------------------------------------------------- */

void
_confab_mcp_server_set_tools (ConfabMcpServer *self,
                              GPtrArray       *tools)
{
  g_list_store_splice (self->tools, 0, g_list_model_get_n_items (G_LIST_MODEL (self->tools)),
                       tools->pdata, tools->len);
  g_signal_emit (self, signals[TOOLS_CHANGED], 0);
}

void
_confab_mcp_server_set_server_info (ConfabMcpServer *self,
                                    const char      *protocol_version,
                                    JsonObject      *server_info)
{
  if (_confab_set_str (&self->protocol_version, protocol_version))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROTOCOL_VERSION]);
  if (self->http != NULL)
    _confab_mcp_http_transport_set_protocol_version (self->http, protocol_version);

  if (server_info != NULL)
    {
      _confab_set_str (&self->server_info_name,
                       _confab_json_get_string (server_info, "name", NULL));
      _confab_set_str (&self->server_info_version,
                       _confab_json_get_string (server_info, "version", NULL));
    }
}

/* Requests ------------------------------------------------------------------------------ */

/* Sends a request; the result is the "result" member (transfer full JsonNode), taken with
 * _confab_mcp_server_request_finish(). Callbacks find the server as their own task's source object. */
void
_confab_mcp_server_request_async (ConfabMcpServer     *self,
                                  const char          *method,
                                  JsonNode            *params,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  _confab_mcp_server_request_with_progress_async (self, method, params, NULL, NULL, NULL,
                                                  cancellable, callback, user_data);
}

void
_confab_mcp_server_request_with_progress_async (ConfabMcpServer           *self,
                                                const char                *method,
                                                JsonNode                  *params,
                                                ConfabJsonrpcProgressFunc  progress_func,
                                                gpointer                   progress_data,
                                                GDestroyNotify             progress_destroy,
                                                GCancellable              *cancellable,
                                                GAsyncReadyCallback        callback,
                                                gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;

  if (is_running (self) && self->connection != NULL)
    {
      _confab_jsonrpc_connection_call_with_progress_async (self->connection, method, params,
                                                           self->call_timeout,
                                                           progress_func, progress_data,
                                                           progress_destroy,
                                                           cancellable, callback, user_data);
      return;
    }

  if (progress_destroy != NULL)
    progress_destroy (progress_data);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _confab_mcp_server_request_async);

  if (self->error != NULL)
    g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
  else
    g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                             _("MCP server “%s” (%s) is not running"),
                             self->name, _confab_mcp_server_command_line (self));
}

JsonNode *
_confab_mcp_server_request_finish (GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A banner on stdout: skipped by the connection, noted in the log where the user looks. */
static void
on_skipped_line (ConfabJsonrpcConnection *connection,
                 const char              *excerpt,
                 ConfabMcpServer         *self)
{
  g_autofree char *line = g_strdup_printf (_("[Confab] Skipped a line on stdout that is not JSON-RPC: %s\n"),
                                           excerpt);

  _confab_mcp_server_append_log (self, line, strlen (line));
}

void
_confab_mcp_server_set_connection (ConfabMcpServer         *self,
                                   ConfabJsonrpcConnection *connection)
{
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);

  g_set_object (&self->connection, connection);

  if (connection != NULL)
    {
      g_signal_connect (connection, "failed", G_CALLBACK (on_connection_failed), self);
      g_signal_connect (connection, "handle-call", G_CALLBACK (_confab_mcp_server_handle_call), self);
      g_signal_connect (connection, "notification", G_CALLBACK (_confab_mcp_server_handle_notification), self);
      g_signal_connect (connection, "skipped-line", G_CALLBACK (on_skipped_line), self);
    }
}

/* The process --------------------------------------------------------------------------- */

void
_confab_mcp_server_append_log (ConfabMcpServer *self,
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
          _confab_mcp_server_append_log (self, text, strlen (text));
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
      _confab_mcp_server_append_log (self, text, strlen (text));
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
    _confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) exited with status %d"),
                                    self->name, _confab_mcp_server_command_line (self),
                                    g_subprocess_get_exit_status (subprocess));
  else if (g_subprocess_get_if_signaled (subprocess))
    _confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) was killed by signal %d (%s)"),
                                    self->name, _confab_mcp_server_command_line (self),
                                    g_subprocess_get_term_sig (subprocess),
                                    g_strsignal (g_subprocess_get_term_sig (subprocess)));
  else
    _confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) exited"),
                                    self->name, _confab_mcp_server_command_line (self));
}

/* Starting ------------------------------------------------------------------------------ */

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

  _confab_mcp_server_set_state (self, CONFAB_MCP_SERVER_STATE_STARTING);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);

  if (self->url != NULL)
    {
      /* Secret headers come from the keyring first (confab-mcp-server-remote.c). */
      _confab_mcp_server_start_remote (self, g_steal_pointer (&task));
      return;
    }

  if (self->argv == NULL || self->argv[0] == NULL)
    {
      _confab_mcp_server_fail_printf (self, _("MCP server “%s” has no command"), self->name);
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
      return;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* An allowlist of our environment plus the configured env: never the API key. */
  {
    g_auto(GStrv) parent = g_get_environ ();
    g_auto(GStrv) env = confab_mcp_env_build ((const char * const *)parent,
                                              (const char * const *)self->env);

    g_subprocess_launcher_set_environ (launcher, env);
  }

  self->subprocess = g_subprocess_launcher_spawnv (launcher, (const char * const *)self->argv,
                                                   &error);
  if (self->subprocess == NULL)
    {
      _confab_mcp_server_fail_printf (self, _("MCP server “%s” (%s) could not be started: %s"),
                                      self->name, _confab_mcp_server_command_line (self), error->message);
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
      return;
    }

  connection = _confab_jsonrpc_connection_new (self->name, _confab_mcp_server_command_line (self),
                                               g_subprocess_get_stdout_pipe (self->subprocess),
                                               g_subprocess_get_stdin_pipe (self->subprocess));
  _confab_mcp_server_set_connection (self, connection);
  self->stderr_pending = g_byte_array_new ();
  self->stderr_pipe = g_object_ref (g_subprocess_get_stderr_pipe (self->subprocess));

  g_subprocess_wait_async (self->subprocess, self->io_cancellable, on_exited, self);
  _confab_jsonrpc_connection_start (connection);
  g_input_stream_read_bytes_async (self->stderr_pipe, 4096, G_PRIORITY_DEFAULT,
                                   self->io_cancellable, on_stderr_read, self);

  _confab_mcp_server_initialize (g_steal_pointer (&task));
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
      _confab_mcp_server_set_connection (self, NULL);
    }

  if (self->io_cancellable != NULL)
    g_cancellable_cancel (self->io_cancellable);

  /* Closing stdin (the connection's output) is the polite way to end a stdio server;
   * SIGTERM, then SIGKILL for one that does not listen. GSubprocess reaps the child by
   * itself. */
  if (connection != NULL)
    _confab_jsonrpc_connection_close (connection);
  if (self->http != NULL)
    _confab_mcp_http_transport_close (self->http);
  g_clear_object (&self->http);

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
                                                  self->name, _confab_mcp_server_command_line (self));

      _confab_mcp_server_set_state (self, CONFAB_MCP_SERVER_STATE_STOPPED);
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

  connection = _confab_jsonrpc_connection_new (self->name, _confab_mcp_server_command_line (self),
                                               NULL, NULL);
  _confab_mcp_server_set_connection (self, connection);
  _confab_mcp_server_set_state (self, CONFAB_MCP_SERVER_STATE_READY);
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
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->headers, g_strfreev);
  g_clear_object (&self->oauth);
  g_clear_pointer (&self->secret_headers, g_strfreev);
  g_clear_pointer (&self->oauth_client_id, g_free);
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

  /**
   * ConfabMcpServer::elicit:
   * @elicitation: what the server asks (ConfabMcpElicitation)
   *
   * The server asks the user (elicitation/create). A handler that returns %TRUE answers
   * @elicitation now or later; when none does, it is declined.
   */
  /* Before ::elicit, to every listener (::elicit stops at the handler that answers): the
   * registry logs the answer with the chat and tool of the running call. */
  signals[ELICITATION_STARTED] =
    g_signal_new ("elicitation-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CONFAB_TYPE_MCP_ELICITATION);

  /* notifications/resources/updated (a resource subscribed to changed): its URI. */
  signals[RESOURCE_UPDATED] =
    g_signal_new ("resource-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  signals[ELICIT] =
    g_signal_new ("elicit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 1,
                  CONFAB_TYPE_MCP_ELICITATION);

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

  if (self->url != NULL)
    return _confab_mcp_http_display_url (self->url);

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
