/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A link of a rendered Markdown text: the URL is kept beside the text, by character
 * offsets in one text view's buffer (not in a tag: the tag table is shared). */
typedef struct
{
  GtkWidget *segment;
  int        start;
  int        end;
  char      *url;
} ConfabMarkdownLink;

/* An empty array of ConfabMarkdownLink that frees their URLs. (transfer full) */
GArray     *confab_markdown_links_new            (void);
/* Drops the links of @segment from character @offset on (text re-rendered from there). */
void        confab_markdown_links_truncate       (GArray     *links,
                                                  GtkWidget  *segment,
                                                  int         offset);
/* The URL at character @offset of @segment's buffer, or NULL. (transfer none) */
const char *confab_markdown_links_lookup         (GArray     *links,
                                                  GtkWidget  *segment,
                                                  int         offset);
/* Makes the links of @links in @segment clickable (web and mail only) with a pointer cursor
 * over them. @links must outlive @segment's controllers. */
void        confab_markdown_links_attach         (GArray     *links,
                                                  GtkWidget  *segment);

G_END_DECLS
