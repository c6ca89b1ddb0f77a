/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-markdown-source.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MARKDOWN_VIEW (confab_markdown_view_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMarkdownView, confab_markdown_view, CONFAB, MARKDOWN_VIEW, GtkWidget)

/* Shows Markdown as text views (ConfabMarkdownSegment) of rendered text and tags
 * (confab-markdown-renderer); code blocks are ConfabCodeBlock widgets in child anchors.
 * Model text is never parsed as Pango markup.
 *
 * Streaming: append_text() costs O(piece); what arrived before a frame is shown in that
 * frame. The block scanner (confab-markdown-scanner) tells when a block closes (a heading's
 * line ends, the next list item begins, a fence closes, a blank line…): closed blocks are
 * rendered once, for good; only the open block after them is re-rendered each frame, while
 * it is short, else it grows as plain text until it closes. */
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
/* The Markdown source shown. (transfer none) */
const char *confab_markdown_view_get_source  (ConfabMarkdownView *self);

/* With a source function the view keeps only the source of the open block (a long answer
 * is not held twice): get_source() and set_plain() read the text from @func. Set it before
 * any text. */
void        confab_markdown_view_set_source_func (ConfabMarkdownView       *self,
                                                  ConfabMarkdownSourceFunc  func,
                                                  gpointer                  user_data,
                                                  GDestroyNotify            destroy);

G_END_DECLS
