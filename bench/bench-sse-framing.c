/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SSE framing alone (ConfabSseReader, no JSON) against a plain memchr scan of the same file:
 * the memchr scan is the floor any line-based parser is measured against. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "confab-sse-reader.h"

#define BLOCK (64 * 1024)

static gboolean
count_event (const ConfabSseEvent  *event,
             gpointer               user_data,
             GError               **error)
{
  (*(guint64 *) user_data)++;
  return TRUE;
}

static double
best_of (double a, double b)
{
  return a < b ? a : b;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  double framing_best = G_MAXDOUBLE, scan_best = G_MAXDOUBLE;
  guint64 events = 0, lines = 0;
  gsize len;

  if (argc < 2 || !g_file_get_contents (argv[1], &contents, &len, &error))
    {
      g_printerr ("usage: bench-sse-framing FILE (%s)\n", error ? error->message : "no file");
      return 2;
    }

  for (guint round = 0; round < 5; round++)
    {
      g_autoptr(ConfabSseReader) reader = NULL;
      gint64 start;

      events = 0;
      reader = confab_sse_reader_new (count_event, &events);
      start = g_get_monotonic_time ();
      for (gsize offset = 0; offset < len; offset += BLOCK)
        if (!confab_sse_reader_feed (reader, contents + offset, MIN (BLOCK, len - offset), &error))
          g_error ("%s", error->message);
      confab_sse_reader_end (reader, NULL);
      framing_best = best_of (framing_best, (g_get_monotonic_time () - start) / 1e6);

      lines = 0;
      start = g_get_monotonic_time ();
      for (gsize offset = 0; offset < len; offset += BLOCK)
        {
          const char *p = contents + offset;
          const char *end = contents + MIN (offset + BLOCK, len);

          while ((p = memchr (p, '\n', end - p)) != NULL)
            {
              lines++;
              p++;
            }
        }
      scan_best = best_of (scan_best, (g_get_monotonic_time () - start) / 1e6);
    }

  g_print ("sse framing: %.3f s (%" G_GUINT64_FORMAT " events, %.0f MB/s)\n",
           framing_best, events, len / framing_best / 1e6);
  g_print ("memchr scan: %.3f s (%" G_GUINT64_FORMAT " lines, %.0f MB/s)\n",
           scan_best, lines, len / scan_best / 1e6);
  g_print ("ratio framing/memchr: %.2fx slower than the floor\n", framing_best / scan_best);

  return 0;
}
