/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Called with each item of a streamed JSON document (transfer none; freed after the call).
 * Returning FALSE with @error set stops the read. */
typedef gboolean (*ConfabJsonStreamFunc) (JsonNode  *item,
                                          gpointer   user_data,
                                          GError   **error);
/* Called after each block read with the bytes consumed so far. */
typedef void     (*ConfabJsonStreamProgress) (goffset  bytes_read,
                                              gpointer user_data);

/* Reads @stream with yajl's callback parser, a block at a time: when the document is an
 * array, each element is built as a JsonNode and handed to @func, then freed (memory is
 * bounded by the largest element, not the file); any other document is handed over whole.
 * Fails with CONFAB_ERROR_IMPORT on JSON that is not well formed or ends early (the byte
 * offset is in the message), G_IO_ERROR_CANCELLED when @cancellable is. */
gboolean _confab_json_stream_read (GInputStream              *stream,
                                   ConfabJsonStreamFunc       func,
                                   ConfabJsonStreamProgress   progress,
                                   gpointer                   user_data,
                                   GCancellable              *cancellable,
                                   GError                   **error);

/* One value (an object, a string …; not an array) from memory through the same reader:
 * depth limit, strict UTF-8, nothing after the value. NULL and @error when it is not.
 * (transfer full) */
JsonNode *_confab_json_stream_parse (const char  *data,
                                     gssize       len,
                                     GError     **error);

G_END_DECLS
