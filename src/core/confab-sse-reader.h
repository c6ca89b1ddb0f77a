/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* The default limit on one line: past it the reader fails instead of growing without bound. */
#define CONFAB_SSE_READER_DEFAULT_MAX_LINE (16 * 1024 * 1024)

typedef struct
{
  const char *event;     /* the "event" field, or "message" when none was given */
  const char *data;      /* data lines joined with '\n', NUL-terminated */
  gsize       data_len;
  const char *id;        /* the last event id, "" when none */
} ConfabSseEvent;

/* Called once per dispatched event; return FALSE (and set @error) to stop the reader. */
typedef gboolean (*ConfabSseEventFunc) (const ConfabSseEvent  *event,
                                        gpointer               user_data,
                                        GError               **error);

/* An incremental parser for text/event-stream (WHATWG HTML "server-sent events").
 * Any split of the input yields the same events. */
ConfabSseReader *confab_sse_reader_new            (ConfabSseEventFunc   func,
                                                   gpointer             user_data);
void             confab_sse_reader_free           (ConfabSseReader     *self);
void             confab_sse_reader_set_max_line   (ConfabSseReader     *self,
                                                   gsize                max_line);
/* Feeds bytes; events are dispatched from inside. FALSE with @error on a line over the
 * limit or when the callback stops. */
gboolean         confab_sse_reader_feed           (ConfabSseReader     *self,
                                                   const char          *data,
                                                   gsize                len,
                                                   GError             **error);
/* End of input: a pending event without its blank line is discarded, as the spec says. */
gboolean         confab_sse_reader_end            (ConfabSseReader     *self,
                                                   GError             **error);
/* The last "retry" value in milliseconds, -1 if none. */
gint64           confab_sse_reader_get_retry      (ConfabSseReader     *self);
/* The limit on one line (and on one event's data), in bytes. */
gsize            confab_sse_reader_get_max_line   (ConfabSseReader     *self);
/* The last event id seen ("" when none); it is kept from event to event. */
const char      *confab_sse_reader_get_last_event_id (ConfabSseReader  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabSseReader, confab_sse_reader_free)

G_END_DECLS
