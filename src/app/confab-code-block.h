/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A fenced code block of a Markdown answer: a read-only GtkSourceView highlighted for @lang
 * (aliases such as "py" or "bash" understood), with a header naming the language and a Copy
 * button; follows the light/dark style. (transfer floating) */
GtkWidget *confab_code_block_new             (const char *lang,
                                              const char *code);
/* The GtkSourceView of a code block. (transfer none) */
GtkTextView *confab_code_block_get_view      (GtkWidget  *block);
/* The code shown by a code block. (transfer full) */
char      *confab_code_block_dup_text        (GtkWidget  *block);
/* TRUE if @widget is a code block. */
gboolean   confab_code_block_is_block        (GtkWidget  *widget);
/* One step of loading GtkSourceView's definitions ahead of the first code block (each a few
 * ms, to be run in an idle); buffers that keep a language's definitions parsed are added to
 * @keep. Returns FALSE when there is nothing left to do. */
gboolean   confab_code_block_warm_up_step    (guint       step,
                                              GPtrArray  *keep);

G_END_DECLS
