/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Inline styles a cell's text may carry (the Markdown spans inside it). */
typedef enum {
  CONFAB_MARKDOWN_STYLE_BOLD      = 1 << 0,
  CONFAB_MARKDOWN_STYLE_ITALIC    = 1 << 1,
  CONFAB_MARKDOWN_STYLE_STRIKE    = 1 << 2,
  CONFAB_MARKDOWN_STYLE_UNDERLINE = 1 << 3,
  CONFAB_MARKDOWN_STYLE_CODE      = 1 << 4,
  CONFAB_MARKDOWN_STYLE_LINK      = 1 << 5,
} ConfabMarkdownStyle;

/* The cells of a parsed table, row by row (the first row is the header), as md4c reports
 * them: plain text with styled runs, never markup. */
typedef struct _ConfabMarkdownTableCells ConfabMarkdownTableCells;

ConfabMarkdownTableCells *confab_markdown_table_cells_new        (void);
void                      confab_markdown_table_cells_free       (ConfabMarkdownTableCells *cells);
/* Starts a row, then a cell of it with @xalign (0 left, 0.5 centre, 1 right). */
void                      confab_markdown_table_cells_start_row  (ConfabMarkdownTableCells *cells);
void                      confab_markdown_table_cells_start_cell (ConfabMarkdownTableCells *cells,
                                                                  float                     xalign);
/* Appends @len bytes of text to the current cell, shown with @styles. */
void                      confab_markdown_table_cells_append     (ConfabMarkdownTableCells *cells,
                                                                  const char               *text,
                                                                  gsize                     len,
                                                                  ConfabMarkdownStyle       styles);
guint                     confab_markdown_table_cells_get_n_rows    (ConfabMarkdownTableCells *cells);
guint                     confab_markdown_table_cells_get_n_columns (ConfabMarkdownTableCells *cells);
/* The text of the cells: a row per line, cells apart by @separator. (transfer full) */
char                     *confab_markdown_table_cells_dup_text   (ConfabMarkdownTableCells *cells,
                                                                  const char               *separator);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabMarkdownTableCells, confab_markdown_table_cells_free)

#define CONFAB_TYPE_MARKDOWN_TABLE (confab_markdown_table_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMarkdownTable, confab_markdown_table, CONFAB, MARKDOWN_TABLE, GtkWidget)

/* Tables larger than this are shown as text (a widget per cell would cost too much). */
#define CONFAB_MARKDOWN_TABLE_MAX_CELLS 800

/* A Markdown table as a grid of selectable labels: a bold header row, the columns aligned
 * as the Markdown says, rows apart by a thin line, scrolled sideways when wider than the
 * text. Screen readers see a grid (rows and columns counted) of column headers and cells. */
GtkWidget *confab_markdown_table_new           (void);
/* Shows @cells (transfer full); the cells that did not change keep their labels, so a table
 * shown again as its rows stream only builds what is new. */
void       confab_markdown_table_set_cells     (ConfabMarkdownTable      *self,
                                                ConfabMarkdownTableCells *cells);
/* It sits @indent px right of the text's margin (in a list item, a quote). */
void       confab_markdown_table_set_indent    (ConfabMarkdownTable      *self,
                                                int                       indent);
/* The widest it asks to be: the text's width less its indent (wider tables scroll). 0: no
 * limit. */
void       confab_markdown_table_set_max_width (ConfabMarkdownTable      *self,
                                                int                       width);
/* Its text: a row per line, cells apart by " │ ". (transfer full) */
char      *confab_markdown_table_dup_text      (ConfabMarkdownTable      *self);
/* Adds the tables anchored from @start to the end of its buffer to @tables (a reference
 * each), in order. */
void       confab_markdown_table_collect       (const GtkTextIter        *start,
                                                GPtrArray                *tables);
/* For tests: the size of the grid, and the label of a cell (transfer none; NULL outside). */
guint      confab_markdown_table_get_n_rows    (ConfabMarkdownTable      *self);
guint      confab_markdown_table_get_n_columns (ConfabMarkdownTable      *self);
GtkWidget *confab_markdown_table_get_cell      (ConfabMarkdownTable      *self,
                                                guint                     row,
                                                guint                     column);

G_END_DECLS
