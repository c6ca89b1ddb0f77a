/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-markdown-links.h"

G_BEGIN_DECLS

/* Where rendered Markdown goes: the end of a text view's buffer. */
typedef struct
{
  GtkTextView *view;          /* its buffer gets the text; code blocks are anchored in it */
  GArray      *links;         /* ConfabMarkdownLink: the links rendered are appended */
  GPtrArray   *code_blocks;   /* the code block headers made are appended */
  int          code_width;    /* width request of new code blocks, widest tables (0: none) */
  GPtrArray   *tables;        /* ConfabMarkdownTable no longer shown, to be used again for the
                               * tables rendered, in order, instead of new ones (or NULL) */
} ConfabMarkdownTarget;

/* The space between a code block's card and its code, left and right. */
#define CONFAB_MARKDOWN_CODE_PADDING 12

/* The tags every rendered buffer uses (headings, emphasis, code, lists, quotes, tables,
 * links), one table for all. (transfer none) */
GtkTextTagTable *confab_markdown_get_tag_table (void);

/* Appends @text (@len bytes of Markdown, parsed by md4c, GitHub dialect, raw HTML shown as
 * typed; never Pango markup) to the target's buffer, @breaks line breaks after what is
 * already there (if anything is). With @full, fenced code becomes a code block header widget
 * above the code as highlighted text (confab_code_block_highlight); else
 * it is monospace text (a block still being written). Tables are ConfabMarkdownTable
 * widgets in both cases. With @plain, the text as is. */
void             confab_markdown_render        (ConfabMarkdownTarget *target,
                                                const char           *text,
                                                gsize                 len,
                                                guint                 breaks,
                                                gboolean              full,
                                                gboolean              plain);

G_END_DECLS
