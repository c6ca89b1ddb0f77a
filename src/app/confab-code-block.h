/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_CODE_BLOCK (confab_code_block_get_type ())

G_DECLARE_FINAL_TYPE (ConfabCodeBlock, confab_code_block, CONFAB, CODE_BLOCK, GtkWidget)

/* A run of highlighted code: @len bytes of @text, shown with @tag (NULL: plain). */
typedef void (*ConfabCodeRunFunc) (const char *text,
                                   gsize       len,
                                   GtkTextTag *tag,
                                   gpointer    user_data);

/* Highlights @code as @lang (aliases such as "py" or "bash" understood) with the current
 * style scheme, off screen, and calls @func for each run in order with a tag of @table
 * that looks like it (made once per look and shared); one run without a tag when the
 * language is unknown. */
void       confab_code_block_highlight       (const char        *lang,
                                              const char        *code,
                                              GtkTextTagTable   *table,
                                              ConfabCodeRunFunc  func,
                                              gpointer           user_data);
/* The header of a fenced code block whose code is the text between @start and @end in
 * an answer's buffer (anchored on the line above it): the language's name and a Copy
 * button; the code is highlighted again when the style turns light or dark. Deletes the
 * marks when it goes. (transfer floating) */
GtkWidget *confab_code_block_new             (const char  *lang,
                                              GtkTextMark *start,
                                              GtkTextMark *end);
/* The header sits @indent px right of the text's margin (in a list item, a quote). */
void       confab_code_block_set_indent      (GtkWidget  *block,
                                              int         indent);
/* Gives the header the width of a text @text_width px wide (less its indent). */
void       confab_code_block_set_width       (GtkWidget  *block,
                                              int         text_width);
/* The code of a code block. (transfer full) */
char      *confab_code_block_dup_text        (GtkWidget  *block);
/* TRUE if @widget is a code block's header. */
gboolean   confab_code_block_is_block        (GtkWidget  *widget);
/* For tests: the Copy button (transfer none); whether the language is known (highlighted). */
GtkWidget *confab_code_block_get_copy_button (GtkWidget  *block);
gboolean   confab_code_block_get_highlighted (GtkWidget  *block);
/* Far from the viewport: the header drops its widgets (the block keeps its size, and its
 * code, which is text of the answer). confab_code_block_ensure() builds them again. */
void       confab_code_block_release         (GtkWidget  *block);
void       confab_code_block_ensure          (GtkWidget  *block);
/* One step of loading GtkSourceView's definitions ahead of the first code block (each a few
 * ms, to be run in an idle); buffers that keep a language's definitions parsed are added to
 * @keep. Returns FALSE when there is nothing left to do. */
gboolean   confab_code_block_warm_up_step    (guint       step,
                                              GPtrArray  *keep);

G_END_DECLS
