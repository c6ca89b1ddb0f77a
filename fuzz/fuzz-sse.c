/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Differential fuzzing of the SSE reader: the input fed whole and fed in arbitrary pieces
 * must give the same events, and nothing may crash or leak. */
#include "config.h"

#include <string.h>

#include "confab-sse-reader.h"

static gboolean
collect_event (const ConfabSseEvent  *event,
               gpointer               user_data,
               GError               **error)
{
  GString *events = user_data;

  g_string_append_printf (events, "%s\x1f%s\x1f", event->event, event->id);
  g_string_append_len (events, event->data, event->data_len);
  g_string_append_c (events, '\x1e');

  return TRUE;
}

static char *
run (const guint8 *data,
     size_t        size,
     const guint8 *splits,
     size_t        n_splits,
     gboolean     *failed)
{
  g_autoptr(ConfabSseReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  GString *events = g_string_new (NULL);
  size_t offset = 0;
  size_t i = 0;

  reader = confab_sse_reader_new (collect_event, events);
  confab_sse_reader_set_max_line (reader, 4096);

  while (offset < size)
    {
      size_t piece = n_splits ? (splits[i++ % n_splits] % 17) + 1 : size;

      piece = MIN (piece, size - offset);
      if (!confab_sse_reader_feed (reader, (const char *) data + offset, piece, &error))
        break;
      offset += piece;
    }

  if (error == NULL)
    confab_sse_reader_end (reader, &error);

  *failed = error != NULL;
  if (error != NULL)
    g_string_append_printf (events, "ERROR %d", error->code);

  return g_string_free (events, FALSE);
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *whole = NULL;
  g_autofree char *pieces = NULL;
  gboolean whole_failed, pieces_failed;
  size_t n_splits;

  if (size < 1)
    return 0;

  /* The first bytes choose the split pattern; the rest is the stream. */
  n_splits = MIN (data[0] % 8, size - 1);
  whole = run (data + 1 + n_splits, size - 1 - n_splits, NULL, 0, &whole_failed);
  pieces = run (data + 1 + n_splits, size - 1 - n_splits, data + 1, n_splits, &pieces_failed);

  /* A line over the limit may be noticed at a different event; compare only clean runs. */
  if (!whole_failed && !pieces_failed && strcmp (whole, pieces) != 0)
    g_error ("SSE events differ between a whole feed and a split feed");
  if (whole_failed != pieces_failed)
    g_error ("SSE reader failed for one split of the input but not another");

  return 0;
}
