/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The one place that knows yajl. Confab reads JSON with json-glib, except where a tree costs
 * too much: the SSE chunk hot path (confab-chunk-parser.c reads the members it needs from
 * these events, without a tree) and large imports (the reader below builds one top-level
 * array element at a time). Both sit on this event parser; changing the JSON parser under
 * them is a change to confab-json-stream.c alone. */

/* Each returns FALSE to stop the parse (the caller says why). Text is not NUL-terminated and
 * is valid only during the call; strings and keys are decoded. */
typedef struct
{
  gboolean (*null)         (gpointer    user_data);
  gboolean (*boolean)      (gpointer    user_data,
                            gboolean    value);
  gboolean (*number)       (gpointer    user_data,
                            const char *text,
                            gsize       len);
  gboolean (*string)       (gpointer    user_data,
                            const char *text,
                            gsize       len);
  gboolean (*start_object) (gpointer    user_data);
  gboolean (*key)          (gpointer    user_data,
                            const char *text,
                            gsize       len);
  gboolean (*end_object)   (gpointer    user_data);
  gboolean (*start_array)  (gpointer    user_data);
  gboolean (*end_array)    (gpointer    user_data);
} ConfabJsonEvents;

typedef enum {
  CONFAB_JSON_EVENTS_DEFAULT        = 0,
  /* The caller checked the whole text as UTF-8 already (with GLib): strings are not checked
   * again. Without it the parser refuses invalid UTF-8 in strings (overlong forms and
   * encoded surrogates get by: check decoded text with g_utf8_validate() too). */
  CONFAB_JSON_EVENTS_TEXT_VALIDATED = 1 << 0,
} ConfabJsonEventsFlags;

typedef struct _ConfabJsonEventParser ConfabJsonEventParser;

ConfabJsonEventParser *_confab_json_event_parser_new        (const ConfabJsonEvents *events,
                                                             ConfabJsonEventsFlags   flags,
                                                             gpointer                user_data);
void                   _confab_json_event_parser_free       (ConfabJsonEventParser  *self);
/* Starts a new document (what was fed before is forgotten). */
void                   _confab_json_event_parser_reset      (ConfabJsonEventParser  *self);
/* Feeds the next block of the document; FALSE when it is not well formed or a callback
 * stopped the parse. */
gboolean               _confab_json_event_parser_feed       (ConfabJsonEventParser  *self,
                                                             const char             *data,
                                                             gsize                   len);
/* The document ends here: FALSE when it ends early (or a callback stopped the parse). */
gboolean               _confab_json_event_parser_finish     (ConfabJsonEventParser  *self);
/* Bytes of the block being fed that were consumed so far: in a callback, the offset just
 * after the token it reports; after a failed feed, where the parse stopped. */
gsize                  _confab_json_event_parser_get_offset (ConfabJsonEventParser  *self);
/* The parser's description of why the document is not well formed. (transfer full) */
char                  *_confab_json_event_parser_get_error  (ConfabJsonEventParser  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabJsonEventParser, _confab_json_event_parser_free)

/* Large documents as json-glib trees, one item at a time --------------------------------- */

/* Called with each item of a streamed JSON document (transfer none; freed after the call).
 * Returning FALSE with @error set stops the read. */
typedef gboolean (*ConfabJsonStreamFunc) (JsonNode  *item,
                                          gpointer   user_data,
                                          GError   **error);
/* Called after each block read with the bytes consumed so far. */
typedef void     (*ConfabJsonStreamProgress) (goffset  bytes_read,
                                              gpointer user_data);

/* Reads @stream a block at a time: when the document is an array, each element is built as a
 * JsonNode and handed to @func, then freed (memory is bounded by the largest element, not
 * the file); any other document is handed over whole. Fails with CONFAB_ERROR_IMPORT on JSON
 * that is not well formed or ends early (the byte offset is in the message),
 * G_IO_ERROR_CANCELLED when @cancellable is. */
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
