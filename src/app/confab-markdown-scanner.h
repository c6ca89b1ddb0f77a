/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How the blocks on the two sides of a boundary are shown apart. */
typedef enum {
  CONFAB_MARKDOWN_JOIN_BLOCK,   /* separate blocks: a blank line between them */
  CONFAB_MARKDOWN_JOIN_LINE,    /* the next item of the same tight list: a line break */
} ConfabMarkdownJoin;

/* The block structure of streamed Markdown, without GTK: it reads each complete line once,
 * as it arrives (O(new bytes)), and reports the latest boundary — the offset before which
 * every block is closed, so it can be rendered for good while later text still streams.
 * Closed means: a heading's line ended, a code fence closed, a blank line ended a block
 * outside a list, the next item of a list began, a block at column 0 followed a blank line,
 * or a block that interrupts a paragraph (heading, fence, list) began. Only the block after
 * the boundary is still open. A plain struct: embed it and reset it. */
typedef struct
{
  /*< private >*/
  gsize              scanned;      /* bytes whose lines were read */
  gsize              boundary;     /* every block before this offset is closed (0: none) */
  ConfabMarkdownJoin join;         /* how the blocks at @boundary join */
  gsize              blank_end;    /* a blank line outside a fence ended here (0: none) */
  char               fence_char;
  guint              fence_len;
  guint              in_fence : 1;
  guint              fence_at_margin : 1;   /* the open fence starts at column 0 */
  guint              in_list : 1;
  guint              in_paragraph : 1;      /* the last line may continue (lazily) */
} ConfabMarkdownScanner;

/* Back to the start of a text. */
void               confab_markdown_scanner_reset        (ConfabMarkdownScanner *self);
/* Reads the complete lines of @text (@len bytes: the whole text so far) not read yet, at
 * most about @budget bytes of them (0: all). Returns TRUE if complete lines are left for
 * another call. */
gboolean           confab_markdown_scanner_scan         (ConfabMarkdownScanner *self,
                                                         const char            *text,
                                                         gsize                  len,
                                                         gsize                  budget);
/* The same, given only the text from @window_start on (@window holds text[window_start,
 * len)): what was read before may be gone. @window_start is at most the bytes read. */
gboolean           confab_markdown_scanner_scan_window  (ConfabMarkdownScanner *self,
                                                         const char            *window,
                                                         gsize                  window_start,
                                                         gsize                  len,
                                                         gsize                  budget);
/* Every block before this offset is closed (0: none yet). */
gsize              confab_markdown_scanner_get_boundary (const ConfabMarkdownScanner *self);
/* How the blocks before and after the boundary are shown apart. */
ConfabMarkdownJoin confab_markdown_scanner_get_join     (const ConfabMarkdownScanner *self);
/* Bytes read so far (up to the end of the last complete line). */
gsize              confab_markdown_scanner_get_scanned  (const ConfabMarkdownScanner *self);
/* TRUE inside an open code fence. */
gboolean           confab_markdown_scanner_in_fence     (const ConfabMarkdownScanner *self);

G_END_DECLS
