/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-jsonrpc-connection-private.h"

G_BEGIN_DECLS

/* Shared by confab-jsonrpc-connection.c (the stream: writing, reading, failing) and
 * confab-jsonrpc-calls.c (the requests pending on it). */

typedef struct
{
  ConfabJsonrpcConnection *self;
  guint                    id;
  guint                    timeout;
  gint64                   started_at;     /* monotonic, µs */
  guint                    extended : 1;   /* progress restarted its timeout */
  char                    *method;
  GTask                   *task;
  GSource                 *timeout_source;
  GSource                 *cancel_source;
  ConfabJsonrpcProgressFunc progress_func;
  gpointer                 progress_data;
  GDestroyNotify           progress_destroy;
} Request;

struct _ConfabJsonrpcConnection
{
  GObject        parent_instance;

  char          *name;
  char          *command_line;
  char          *error;

  GInputStream  *input;
  GOutputStream *output;
  GByteArray    *buffer;
  gsize          scanned;
  GCancellable  *cancellable;

  GQueue         write_queue;
  gboolean       write_pending;

  /* id → Request */
  GHashTable    *pending;
  guint          next_id;

  guint          eof_timeout_id;
  guint          closed : 1;

  /* Another transport (Streamable HTTP) instead of @output. */
  ConfabJsonrpcSendFunc send_func;
  gpointer              send_data;
};

/* Writes @message (or hands it to the send function); nothing once closed. */
void _confab_jsonrpc_connection_send            (ConfabJsonrpcConnection *self,
                                                 JsonNode                *message);
/* notifications/progress from the peer: the pending call's progress function, and its
 * timeout restarted. */
void _confab_jsonrpc_connection_handle_progress (ConfabJsonrpcConnection *self,
                                                 JsonNode                *params);
/* An answer (result or error) to one of our requests; a late one is dropped. */
void _confab_jsonrpc_connection_handle_response (ConfabJsonrpcConnection *self,
                                                 JsonObject              *object);

G_END_DECLS
