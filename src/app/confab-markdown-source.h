/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns the whole text shown (what was set and appended), kept by its owner. (transfer none) */
typedef const char *(*ConfabMarkdownSourceFunc) (gpointer user_data);

/* The Markdown source of a view. Offsets are into the whole text. With a source function
 * (the text is kept elsewhere, e.g. by the message), what was rendered for good can be
 * dropped: only the part after it is held, so a long answer is not held twice. A plain
 * struct: embed it. */
typedef struct
{
  /*< private >*/
  GString                  *held;   /* the text from @base on */
  gsize                     base;
  ConfabMarkdownSourceFunc  func;
  gpointer                  data;
  GDestroyNotify            destroy;
} ConfabMarkdownSource;

void        confab_markdown_source_init     (ConfabMarkdownSource     *self);
void        confab_markdown_source_clear    (ConfabMarkdownSource     *self);
/* Back to an empty text. */
void        confab_markdown_source_reset    (ConfabMarkdownSource     *self);
void        confab_markdown_source_append   (ConfabMarkdownSource     *self,
                                             const char               *text,
                                             gsize                     len);
/* The length of the whole text. */
gsize       confab_markdown_source_get_len  (const ConfabMarkdownSource *self);
/* The text from @offset on (not dropped). */
const char *confab_markdown_source_at       (const ConfabMarkdownSource *self,
                                             gsize                       offset);
/* Where the held text starts. */
gsize       confab_markdown_source_get_base (const ConfabMarkdownSource *self);
/* Bytes held. */
gsize       confab_markdown_source_get_held (const ConfabMarkdownSource *self);
/* The text before @keep_from will not be read again: dropped when there is a source
 * function (amortized O(1) per byte). */
void        confab_markdown_source_release  (ConfabMarkdownSource     *self,
                                             gsize                     keep_from);
/* No more text is coming soon: give back the unused allocation. */
void        confab_markdown_source_shrink   (ConfabMarkdownSource     *self);
/* The whole text: from the source function if there is one. (transfer none) */
const char *confab_markdown_source_get_text (const ConfabMarkdownSource *self);
void        confab_markdown_source_set_func (ConfabMarkdownSource     *self,
                                             ConfabMarkdownSourceFunc  func,
                                             gpointer                  user_data,
                                             GDestroyNotify            destroy);
gboolean    confab_markdown_source_has_func (const ConfabMarkdownSource *self);

G_END_DECLS
