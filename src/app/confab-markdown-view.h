/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MARKDOWN_VIEW (confab_markdown_view_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMarkdownView, confab_markdown_view, CONFAB, MARKDOWN_VIEW, GtkWidget)

/* Shows Markdown (md4c) as GtkTextBuffer text and tags; code blocks are GtkSourceViews in
 * child anchors. Model text is never parsed as Pango markup.
 *
 * Streaming: append_text() costs O(piece). Completed blocks (ended by a blank line outside a
 * code fence) are rendered once; only the trailing open block is re-rendered, at most once
 * per frame and only while it is short, else it grows as plain text until it completes. */
GtkWidget  *confab_markdown_view_new         (void);
/* Plain mode shows the text as is (user messages). */
gboolean    confab_markdown_view_get_plain   (ConfabMarkdownView *self);
void        confab_markdown_view_set_plain   (ConfabMarkdownView *self,
                                              gboolean            plain);
/* Replaces everything with @text, rendered completely. */
void        confab_markdown_view_set_text    (ConfabMarkdownView *self,
                                              const char         *text);
/* Appends a streamed piece. */
void        confab_markdown_view_append_text (ConfabMarkdownView *self,
                                              const char         *text,
                                              gssize              len);
/* The stream ended: render the open block completely. */
void        confab_markdown_view_finish      (ConfabMarkdownView *self);
/* Renders whatever is pending now instead of at the next frame (tests, benches). */
void        confab_markdown_view_flush       (ConfabMarkdownView *self);
/* TRUE while appended text still waits to be laid out (a later frame will do it; at most
 * about 16 KB of new text is laid out per frame). */
gboolean    confab_markdown_view_get_pending (ConfabMarkdownView *self);
/* The Markdown source shown. (transfer none) */
const char *confab_markdown_view_get_source  (ConfabMarkdownView *self);
/* The visible text: buffer text with each code block's text in place of its anchor. (transfer full) */
char       *confab_markdown_view_dup_display_text (ConfabMarkdownView *self);
/* The text views the blocks are shown in, in order (long answers use several so that only
 * the last one changes while text streams). (transfer none) */
guint       confab_markdown_view_get_n_segments (ConfabMarkdownView *self);
GtkTextView *confab_markdown_view_get_segment   (ConfabMarkdownView *self,
                                                 guint               index);
/* How many code blocks (GtkSourceView children) are shown. */
guint       confab_markdown_view_get_n_code_blocks (ConfabMarkdownView *self);

G_END_DECLS
