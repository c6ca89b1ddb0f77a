/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-markdown-view.h"

G_BEGIN_DECLS

/* For tests and benches: what the view shows. */

/* TRUE while appended text still waits to be laid out (a later frame will do it; at most
 * about 16 KB of new text is laid out per frame). */
gboolean     confab_markdown_view_get_pending       (ConfabMarkdownView *self);
/* The visible text: buffer text, a table's cells (rows of cells apart by " │ ") in place of its
 * anchor, nothing for a code block's header. (transfer full) */
char        *confab_markdown_view_dup_display_text  (ConfabMarkdownView *self);
/* The text views the blocks are shown in, in order (long answers use several so that only
 * the last one changes while text streams). (transfer none) */
guint        confab_markdown_view_get_n_segments    (ConfabMarkdownView *self);
GtkTextView *confab_markdown_view_get_segment       (ConfabMarkdownView *self,
                                                     guint               index);
/* Bytes of Markdown source the view holds itself (with a source function: the open block). */
gsize        confab_markdown_view_get_held_source   (ConfabMarkdownView *self);
/* How many code blocks (GtkSourceView children) are shown. */
guint        confab_markdown_view_get_n_code_blocks (ConfabMarkdownView *self);

G_END_DECLS
