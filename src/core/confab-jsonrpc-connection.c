/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-jsonrpc-connection"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-jsonrpc-connection-internal.h"
#include "confab-jsonrpc-connection-private.h"
#include "confab-jsonrpc-message-private.h"
#include "confab-mcp-server.h"

/* Everything runs on the main context of the thread that made the connection; I/O callbacks
 * never touch a disposed connection because closing and dispose cancel the cancellable first
 * and every callback checks for cancellation before anything else. */

#define EOF_GRACE_MS 2000
#define READ_CHUNK   (64 * 1024)
/* How much of a skipped line the log keeps. */
#define SKIPPED_EXCERPT 200

G_DEFINE_FINAL_TYPE (ConfabJsonrpcConnection, confab_jsonrpc_connection, G_TYPE_OBJECT)

enum {
  FAILED,
  HANDLE_CALL,
  NOTIFICATION,
  SKIPPED_LINE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void read_next  (ConfabJsonrpcConnection *self);
static void write_next (ConfabJsonrpcConnection *self);

static void
fail_printf (ConfabJsonrpcConnection *self,
             const char              *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
fail_printf (ConfabJsonrpcConnection *self,
             const char              *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  _confab_jsonrpc_connection_fail (self, message);
}

/* Writing ------------------------------------------------------------------------------- */

/* One write in flight: it owns its bytes, so closing the connection (which cancels the
 * write) can never free them under the stream's feet. */
typedef struct
{
  ConfabJsonrpcConnection *self;
  GBytes                  *bytes;
} WriteOp;

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  WriteOp *op = user_data;
  ConfabJsonrpcConnection *self = op->self;
  g_autoptr(GError) error = NULL;
  gboolean cancelled;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error);
  cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_bytes_unref (op->bytes);
  g_free (op);

  /* Cancelled means closed or disposed: self may be gone. */
  if (cancelled)
    return;

  self->write_pending = FALSE;

  if (error != NULL)
    {
      /* A broken pipe means the process is gone: its exit status tells more, and whoever
       * waits for the process reports it. */
      g_debug ("Could not write to MCP server “%s”: %s", self->name, error->message);
      g_queue_clear_full (&self->write_queue, (GDestroyNotify)g_bytes_unref);
      return;
    }

  write_next (self);
}

static void
write_next (ConfabJsonrpcConnection *self)
{
  WriteOp *op;
  GBytes *bytes;
  gsize len;
  const guint8 *data;

  if (self->write_pending || self->output == NULL)
    return;

  bytes = g_queue_pop_head (&self->write_queue);
  if (bytes == NULL)
    return;

  op = g_new0 (WriteOp, 1);
  op->self = self;
  op->bytes = bytes;
  self->write_pending = TRUE;

  data = g_bytes_get_data (bytes, &len);
  g_output_stream_write_all_async (self->output, data, len, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_written, op);
}

void
_confab_jsonrpc_connection_send (ConfabJsonrpcConnection *self,
                                 JsonNode                *message)
{
  if (self->closed)
    return;

  if (self->send_func != NULL)
    {
      self->send_func (self, message, self->send_data);
      return;
    }

  g_queue_push_tail (&self->write_queue, _confab_jsonrpc_message_to_line (message));
  write_next (self);
}

void
_confab_jsonrpc_connection_notify (ConfabJsonrpcConnection *self,
                                   const char              *method,
                                   JsonNode                *params)
{
  g_autoptr(JsonNode) message = NULL;

  g_return_if_fail (CONFAB_IS_JSONRPC_CONNECTION (self));
  g_return_if_fail (method != NULL);

  message = _confab_jsonrpc_message_new_notification (method, params);
  _confab_jsonrpc_connection_send (self, message);
}

void
_confab_jsonrpc_connection_reply (ConfabJsonrpcConnection *self,
                                  JsonNode                *id,
                                  JsonNode                *result,
                                  int                      error_code,
                                  const char              *error_message)
{
  g_autoptr(JsonNode) message = NULL;

  g_return_if_fail (CONFAB_IS_JSONRPC_CONNECTION (self));
  g_return_if_fail (id != NULL);

  message = _confab_jsonrpc_message_new_reply (id, result, error_code, error_message);
  _confab_jsonrpc_connection_send (self, message);
}

/* Reading ------------------------------------------------------------------------------- */

static void
handle_message (ConfabJsonrpcConnection *self,
                JsonNode                *node)
{
  JsonObject *object;
  JsonNode *id;
  JsonNode *params;
  const char *method;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail_printf (self, _("MCP server “%s” (%s) sent a message that is not a JSON-RPC object"),
                   self->name, self->command_line);
      return;
    }

  object = json_node_get_object (node);
  id = json_object_get_member (object, "id");
  params = json_object_get_member (object, "params");
  method = _confab_json_get_string (object, "method", NULL);

  if (method == NULL)
    {
      _confab_jsonrpc_connection_handle_response (self, object);
      return;
    }

  if (id != NULL && !JSON_NODE_HOLDS_NULL (id))
    {
      gboolean handled = FALSE;

      /* A request from the peer. */
      g_signal_emit (self, signals[HANDLE_CALL], 0, method, id, params, &handled);
      if (!handled)
        _confab_jsonrpc_connection_reply (self, id, NULL, -32601, "Method not found");
      return;
    }

  if (g_str_equal (method, "notifications/progress"))
    _confab_jsonrpc_connection_handle_progress (self, params);

  g_signal_emit (self, signals[NOTIFICATION], 0, method, params);
}

static void
skip_line (ConfabJsonrpcConnection *self,
           const char              *line,
           gsize                    len)
{
  g_autofree char *excerpt = g_utf8_make_valid (line, MIN (len, SKIPPED_EXCERPT));

  g_debug ("MCP server “%s” printed a line that is not JSON-RPC, skipped: %s", self->name, excerpt);
  g_signal_emit (self, signals[SKIPPED_LINE], 0, excerpt);
}

void
_confab_jsonrpc_connection_handle_line (ConfabJsonrpcConnection *self,
                                        const char              *line,
                                        gsize                    len)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_return_if_fail (CONFAB_IS_JSONRPC_CONNECTION (self));
  g_return_if_fail (line != NULL || len == 0);

  /* Blank lines (and a stray \r from a CRLF writer) carry nothing. */
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
    len--;
  if (len == 0)
    return;

  parser = json_parser_new_immutable ();
  if (!_confab_json_parser_load_untrusted (parser, line, len, &error))
    {
      g_autofree char *excerpt = NULL;

      /* "[INFO] listening": a log line, not a broken batch. A broken object is broken. */
      if (_confab_jsonrpc_line_first_char (line, len) != '{')
        {
          skip_line (self, line, len);
          return;
        }

      excerpt = g_utf8_make_valid (line, MIN (len, 80));

      if (g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL))
        {
          /* Nested too deeply to read (json-glib would overflow the stack). */
          fail_printf (self, _("MCP server “%s” (%s) sent a message that cannot be read: %s"),
                       self->name, self->command_line, error->message);
          return;
        }

      fail_printf (self, _("MCP server “%s” (%s) sent something that is not JSON-RPC: “%s%s”"),
                   self->name, self->command_line, excerpt, len > 80 ? "…" : "");
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
  ConfabJsonrpcConnection *self = user_data;

  self->eof_timeout_id = 0;
  fail_printf (self, _("MCP server “%s” (%s) closed its output"),
               self->name, self->command_line);

  return G_SOURCE_REMOVE;
}

/* Handles every complete line in the buffer; FALSE when the connection stopped listening. */
static gboolean
handle_buffered_lines (ConfabJsonrpcConnection *self)
{
  while (self->buffer != NULL && !self->closed)
    {
      GByteArray *buffer = self->buffer;
      const guint8 *newline;
      g_autofree char *line = NULL;
      gsize len;

      newline = memchr (buffer->data + self->scanned, '\n', buffer->len - self->scanned);
      if (newline == NULL)
        {
          self->scanned = buffer->len;
          return TRUE;
        }

      /* Take the line out first: handling it may run callbacks that close the connection. */
      len = newline - buffer->data;
      line = g_strndup ((const char *)buffer->data, len);
      g_byte_array_remove_range (buffer, 0, len + 1);
      self->scanned = 0;

      if (_confab_jsonrpc_line_is_banner (line, len))
        {
          skip_line (self, line, len);
          continue;
        }

      if (memchr (line, '\0', len) != NULL || !g_utf8_validate (line, len, NULL))
        {
          fail_printf (self, _("MCP server “%s” (%s) sent something that is not UTF-8 text"),
                       self->name, self->command_line);
          return FALSE;
        }

      _confab_jsonrpc_connection_handle_line (self, line, len);
    }

  return FALSE;
}

gboolean
_confab_jsonrpc_connection_feed (ConfabJsonrpcConnection *self,
                                 const guint8            *data,
                                 gsize                    len)
{
  g_autoptr(ConfabJsonrpcConnection) hold = NULL;

  g_return_val_if_fail (CONFAB_IS_JSONRPC_CONNECTION (self), FALSE);

  if (self->closed || self->buffer == NULL)
    return FALSE;

  hold = g_object_ref (self);

  g_byte_array_append (self->buffer, data, len);

  if (!handle_buffered_lines (self))
    return FALSE;

  /* Bounded memory: a peer that never ends its line is broken, not a reason to grow
   * without limit. */
  if (self->buffer->len > CONFAB_MCP_SERVER_MAX_MESSAGE)
    {
      fail_printf (self, _("MCP server “%s” (%s) sent a message longer than %u MB"),
                   self->name, self->command_line,
                   CONFAB_MCP_SERVER_MAX_MESSAGE / (1024 * 1024));
      return FALSE;
    }

  return TRUE;
}

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ConfabJsonrpcConnection) self = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = g_object_ref (CONFAB_JSONRPC_CONNECTION (user_data));

  if (self->closed)
    return;

  if (error != NULL)
    {
      fail_printf (self, _("MCP server “%s” (%s) could not be read: %s"),
                   self->name, self->command_line, error->message);
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

  if (!_confab_jsonrpc_connection_feed (self, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)))
    return;

  read_next (self);
}

static void
read_next (ConfabJsonrpcConnection *self)
{
  g_input_stream_read_bytes_async (self->input, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_read, self);
}

/* Failing and closing ------------------------------------------------------------------- */

void
_confab_jsonrpc_connection_fail (ConfabJsonrpcConnection *self,
                                 const char              *message)
{
  g_autoptr(ConfabJsonrpcConnection) hold = NULL;

  g_return_if_fail (CONFAB_IS_JSONRPC_CONNECTION (self));
  g_return_if_fail (message != NULL);

  if (self->closed)
    return;

  hold = g_object_ref (self);

  self->closed = TRUE;
  g_clear_handle_id (&self->eof_timeout_id, g_source_remove);
  g_free (self->error);
  self->error = g_strdup (message);

  g_signal_emit (self, signals[FAILED], 0, message);

  g_queue_clear_full (&self->write_queue, (GDestroyNotify)g_bytes_unref);
  _confab_jsonrpc_connection_fail_pending (self, message);
}

void
_confab_jsonrpc_connection_close (ConfabJsonrpcConnection *self)
{
  g_return_if_fail (CONFAB_IS_JSONRPC_CONNECTION (self));

  self->closed = TRUE;
  g_clear_handle_id (&self->eof_timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);

  g_queue_clear_full (&self->write_queue, (GDestroyNotify)g_bytes_unref);
  self->write_pending = FALSE;

  /* Closing stdin is the polite way to end a stdio server. */
  if (self->output != NULL)
    g_output_stream_close (self->output, NULL, NULL);

  g_clear_object (&self->output);
  g_clear_object (&self->input);
  g_clear_pointer (&self->buffer, g_byte_array_unref);
}

/* GObject ------------------------------------------------------------------------------- */

static void
confab_jsonrpc_connection_dispose (GObject *object)
{
  ConfabJsonrpcConnection *self = (ConfabJsonrpcConnection *)object;

  _confab_jsonrpc_connection_close (self);

  G_OBJECT_CLASS (confab_jsonrpc_connection_parent_class)->dispose (object);
}

static void
confab_jsonrpc_connection_finalize (GObject *object)
{
  ConfabJsonrpcConnection *self = (ConfabJsonrpcConnection *)object;

  /* Every pending call holds a reference through its task. */
  g_assert (g_hash_table_size (self->pending) == 0);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->command_line, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pending, g_hash_table_unref);

  G_OBJECT_CLASS (confab_jsonrpc_connection_parent_class)->finalize (object);
}

static void
confab_jsonrpc_connection_class_init (ConfabJsonrpcConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_jsonrpc_connection_dispose;
  object_class->finalize = confab_jsonrpc_connection_finalize;

  /**
   * ConfabJsonrpcConnection::failed:
   * @message: why, naming the peer
   *
   * The connection broke; the pending calls fail with @message right after.
   */
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ConfabJsonrpcConnection::handle-call:
   * @method: the method
   * @id: the request id, for _confab_jsonrpc_connection_reply()
   * @params: (nullable): the params
   *
   * Returns: %TRUE when a handler answered the request
   */
  signals[HANDLE_CALL] =
    g_signal_new ("handle-call", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE,
                  JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ConfabJsonrpcConnection::notification:
   * @method: the method
   * @params: (nullable): the params
   */
  signals[NOTIFICATION] =
    g_signal_new ("notification", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ConfabJsonrpcConnection::skipped-line:
   * @excerpt: the start of the line, as valid UTF-8
   *
   * The peer wrote a line that is not a message (a banner): it was skipped.
   */
  signals[SKIPPED_LINE] =
    g_signal_new ("skipped-line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
confab_jsonrpc_connection_init (ConfabJsonrpcConnection *self)
{
  self->pending = g_hash_table_new (NULL, NULL);
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->write_queue);
}

ConfabJsonrpcConnection *
_confab_jsonrpc_connection_new (const char    *name,
                                const char    *command_line,
                                GInputStream  *input,
                                GOutputStream *output)
{
  ConfabJsonrpcConnection *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (command_line != NULL, NULL);
  g_return_val_if_fail (!input || G_IS_INPUT_STREAM (input), NULL);
  g_return_val_if_fail (!output || G_IS_OUTPUT_STREAM (output), NULL);

  self = g_object_new (CONFAB_TYPE_JSONRPC_CONNECTION, NULL);
  self->name = g_strdup (name);
  self->command_line = g_strdup (command_line);
  self->input = input ? g_object_ref (input) : NULL;
  self->output = output ? g_object_ref (output) : NULL;
  self->buffer = g_byte_array_new ();

  return self;
}

void
_confab_jsonrpc_connection_start (ConfabJsonrpcConnection *self)
{
  g_return_if_fail (CONFAB_IS_JSONRPC_CONNECTION (self));

  if (self->input != NULL && !self->closed)
    read_next (self);
}

void
_confab_jsonrpc_connection_set_send_func (ConfabJsonrpcConnection *self,
                                          ConfabJsonrpcSendFunc    func,
                                          gpointer                 user_data)
{
  g_return_if_fail (CONFAB_IS_JSONRPC_CONNECTION (self));

  self->send_func = func;
  self->send_data = user_data;
}
