/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MARKDOWN_SEGMENT (confab_markdown_segment_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMarkdownSegment, confab_markdown_segment, CONFAB, MARKDOWN_SEGMENT, GtkTextView)

/* A read-only text view of a Markdown view ("a segment" of its blocks), always as tall as
 * all of its lines: GtkTextView lays out only the lines inside its allocation and leaves
 * the rest to an idle that never runs while frames keep coming (a stream), so text added
 * below the allocated height would stay invisible. Its code blocks do not force it wider. */
GtkWidget *confab_markdown_segment_new     (GtkTextTagTable       *tags);
/* The text changed: lay out every line at the next measure (this frame), not in an idle. */
void       confab_markdown_segment_changed (ConfabMarkdownSegment *self);

/* TRUE if drawn since it was last released. */
gboolean   confab_markdown_segment_get_drawn (ConfabMarkdownSegment *self);
/* Far from the viewport: drops what GTK keeps of its drawn lines (their layouts and
 * render nodes) and its code blocks' header widgets; all are made again if drawn again. */
void       confab_markdown_segment_release (ConfabMarkdownSegment *self);

/* Appends the text it shows to @out: its buffer's text, a table's cells (rows of cells
 * apart by " │ ") in place of its anchor, nothing for a code block's header. */
void       confab_markdown_segment_append_display_text (ConfabMarkdownSegment *self,
                                                        GString               *out);

G_END_DECLS
