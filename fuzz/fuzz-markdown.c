/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Markdown-to-view path: streamed pieces into ConfabMarkdownView (md4c → GtkTextBuffer
 * tags, code blocks as GtkSourceView children), rendered as the frame clock would — after
 * some pieces, at the end, and once more as a whole. Never crash or leak, the shown text
 * is valid UTF-8, and the source kept is exactly what was appended.
 *
 * Input: the first byte picks the piece size (0: one piece) and how often to render; the
 * rest is the Markdown (valid UTF-8 only, split on character boundaries, as the client
 * appends whole JSON strings). Needs a display: build-aux/fuzz runs it under xvfb-run. */
#include "config.h"

#include <adwaita.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "confab-markdown-view.h"
#include "confab-markdown-view-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

/* Everything the renderer can use once, before fuzzing: fontconfig, Pango and the
 * GtkSourceView languages initialize lazily and keep what they load for the process
 * (reachable for them, "leaked" for a leak check of the first input). */
static const char warm_up[] =
  "\x05# Title\n\nSome *emphasis*, **strong**, ~~struck~~, `code`, a [link](https://example.org).\n\n"
  "- one\n- two\n  1. nested\n\n> quote\n\n```python\nprint(\"hi\")\n```\n\n```c\nint x;\n```\n\n"
  "```\nplain\n```\n\n    indented\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n<b>x</b> &amp; caf\xc3\xa9 \xe2\x82\xac\n";

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* Nothing is drawn: no GL (Mesa's llvmpipe keeps what it allocates at start-up). */
  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);

  if (!gtk_init_check ())
    g_error ("fuzz-markdown needs a display (run it under xvfb-run)");
  adw_init ();
  gtk_source_init ();

  for (guint i = 0; i < 2; i++)
    LLVMFuzzerTestOneInput ((const guint8 *)warm_up, sizeof warm_up - 1);

  return 0;
}

static void
check_view (ConfabMarkdownView *view,
            const char         *expected_source,
            gsize               expected_len)
{
  g_autofree char *shown = confab_markdown_view_dup_display_text (view);
  const char *source = confab_markdown_view_get_source (view);

  if (shown == NULL || !g_utf8_validate (shown, -1, NULL))
    g_error ("the shown text is not UTF-8");
  if (source == NULL || strlen (source) != expected_len || memcmp (source, expected_source, expected_len) != 0)
    g_error ("the source is not what was appended");
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GtkWidget) view = NULL;
  const char *text;
  gsize len, piece_size, offset = 0;
  guint flush_every, n = 0;

  if (size == 0)
    return 0;

  piece_size = (data[0] & 0x3f) == 0 ? size : (data[0] & 0x3f);
  flush_every = 1 + (data[0] >> 6);
  text = (const char *)data + 1;
  len = size - 1;

  if (memchr (text, '\0', len) != NULL || !g_utf8_validate (text, len, NULL))
    return 0;

  view = g_object_ref_sink (confab_markdown_view_new ());

  while (offset < len)
    {
      gsize end = MIN (offset + piece_size, len);

      /* Back to a character boundary; at least one whole character. */
      while (end < len && end > offset && ((guchar)text[end] & 0xc0) == 0x80)
        end--;
      if (end == offset)
        {
          end = offset + 1;
          while (end < len && ((guchar)text[end] & 0xc0) == 0x80)
            end++;
        }

      confab_markdown_view_append_text (CONFAB_MARKDOWN_VIEW (view), text + offset, end - offset);
      offset = end;

      if (++n % flush_every == 0)
        confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (view));
    }

  confab_markdown_view_finish (CONFAB_MARKDOWN_VIEW (view));
  confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (view));
  check_view (CONFAB_MARKDOWN_VIEW (view), text, len);

  /* The stored message: all at once. */
  {
    g_autofree char *copy = g_strndup (text, len);

    confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), copy);
    confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (view));
    check_view (CONFAB_MARKDOWN_VIEW (view), text, len);
  }

  while (g_main_context_iteration (NULL, FALSE))
    ;

  return 0;
}
