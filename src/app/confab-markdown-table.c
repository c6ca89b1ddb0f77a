/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-markdown-table"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-markdown-table.h"

/* A GFM table of an answer, anchored in the answer's text like a code block's header. Each
 * cell is a GtkLabel given plain text and Pango attributes built from the Markdown spans (never
 * markup): selectable, wrapped at about 40 characters, aligned as the delimiter row says. The
 * grid sits in a scrolled window that only scrolls sideways: at its natural width when that
 * is wider than the text, else as wide as it needs. Its look is in style.css (markdowntable). */

#define CELL_WIDTH_CHARS 40
/* What a child anchor is in a buffer's text (U+FFFC OBJECT REPLACEMENT CHARACTER). */
#define ANCHOR_CHAR 0xFFFC

/* ---------------------------------------------------------------------------------------- */
/* Cells                                                                                    */

typedef struct
{
  GString       *text;
  PangoAttrList *attrs;   /* NULL: none */
  float          xalign;
} Cell;

struct _ConfabMarkdownTableCells
{
  GPtrArray *rows;        /* GArray of Cell */
  guint      n_columns;
};

static void
cell_clear (gpointer data)
{
  Cell *cell = data;

  g_string_free (cell->text, TRUE);
  g_clear_pointer (&cell->attrs, pango_attr_list_unref);
}

ConfabMarkdownTableCells *
confab_markdown_table_cells_new (void)
{
  ConfabMarkdownTableCells *cells = g_new0 (ConfabMarkdownTableCells, 1);

  cells->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  return cells;
}

void
confab_markdown_table_cells_free (ConfabMarkdownTableCells *cells)
{
  if (cells == NULL)
    return;

  g_ptr_array_unref (cells->rows);
  g_free (cells);
}

void
confab_markdown_table_cells_start_row (ConfabMarkdownTableCells *cells)
{
  GArray *row = g_array_new (FALSE, TRUE, sizeof (Cell));

  g_array_set_clear_func (row, cell_clear);
  g_ptr_array_add (cells->rows, row);
}

void
confab_markdown_table_cells_start_cell (ConfabMarkdownTableCells *cells,
                                        float                     xalign)
{
  Cell cell = { g_string_new (NULL), NULL, xalign };
  GArray *row;

  if (cells->rows->len == 0)
    confab_markdown_table_cells_start_row (cells);
  row = g_ptr_array_index (cells->rows, cells->rows->len - 1);
  g_array_append_val (row, cell);
  cells->n_columns = MAX (cells->n_columns, row->len);
}

static void
add_attr (Cell           *cell,
          PangoAttribute *attr,
          guint           start,
          guint           end)
{
  attr->start_index = start;
  attr->end_index = end;
  if (cell->attrs == NULL)
    cell->attrs = pango_attr_list_new ();
  pango_attr_list_insert (cell->attrs, attr);
}

void
confab_markdown_table_cells_append (ConfabMarkdownTableCells *cells,
                                    const char               *text,
                                    gsize                     len,
                                    ConfabMarkdownStyle       styles)
{
  GArray *row;
  Cell *cell;
  guint start, end;

  if (len == 0)
    return;
  if (cells->rows->len == 0 || ((GArray *) g_ptr_array_index (cells->rows, cells->rows->len - 1))->len == 0)
    confab_markdown_table_cells_start_cell (cells, 0);

  row = g_ptr_array_index (cells->rows, cells->rows->len - 1);
  cell = &g_array_index (row, Cell, row->len - 1);
  start = cell->text->len;
  g_string_append_len (cell->text, text, len);
  end = cell->text->len;

  if (styles & CONFAB_MARKDOWN_STYLE_BOLD)
    add_attr (cell, pango_attr_weight_new (PANGO_WEIGHT_BOLD), start, end);
  if (styles & CONFAB_MARKDOWN_STYLE_ITALIC)
    add_attr (cell, pango_attr_style_new (PANGO_STYLE_ITALIC), start, end);
  if (styles & CONFAB_MARKDOWN_STYLE_STRIKE)
    add_attr (cell, pango_attr_strikethrough_new (TRUE), start, end);
  if (styles & (CONFAB_MARKDOWN_STYLE_UNDERLINE | CONFAB_MARKDOWN_STYLE_LINK))
    add_attr (cell, pango_attr_underline_new (PANGO_UNDERLINE_SINGLE), start, end);
  if (styles & CONFAB_MARKDOWN_STYLE_CODE)
    {
      /* As the "code" tag of paragraphs: monospace on a grey tint. */
      add_attr (cell, pango_attr_family_new ("monospace"), start, end);
      add_attr (cell, pango_attr_background_new (0x8000, 0x8000, 0x8000), start, end);
      add_attr (cell, pango_attr_background_alpha_new (0x2666), start, end);
    }
}

guint
confab_markdown_table_cells_get_n_rows (ConfabMarkdownTableCells *cells)
{
  return cells->rows->len;
}

guint
confab_markdown_table_cells_get_n_columns (ConfabMarkdownTableCells *cells)
{
  return cells->n_columns;
}

char *
confab_markdown_table_cells_dup_text (ConfabMarkdownTableCells *cells,
                                      const char               *separator)
{
  GString *out = g_string_new (NULL);

  for (guint r = 0; r < cells->rows->len; r++)
    {
      GArray *row = g_ptr_array_index (cells->rows, r);

      if (r > 0)
        g_string_append_c (out, '\n');
      for (guint c = 0; c < row->len; c++)
        {
          if (c > 0)
            g_string_append (out, separator);
          g_string_append_len (out, g_array_index (row, Cell, c).text->str, g_array_index (row, Cell, c).text->len);
        }
    }

  return g_string_free (out, FALSE);
}

/* The cell at @r, @c, or NULL for a cell a short row lacks. */
static Cell *
get_cell (ConfabMarkdownTableCells *cells,
          guint                     r,
          guint                     c)
{
  GArray *row = g_ptr_array_index (cells->rows, r);

  return c < row->len ? &g_array_index (row, Cell, c) : NULL;
}

/* A column's alignment: that of its first cell (rows may be ragged). */
static float
column_xalign (ConfabMarkdownTableCells *cells,
               guint                     c)
{
  for (guint r = 0; r < cells->rows->len; r++)
    {
      Cell *cell = get_cell (cells, r, c);

      if (cell != NULL)
        return cell->xalign;
    }

  return 0;
}

static gboolean
cell_equal (Cell *a,
            Cell *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_string_equal (a->text, b->text) &&
         (a->attrs == b->attrs ||
          (a->attrs != NULL && b->attrs != NULL && pango_attr_list_equal (a->attrs, b->attrs)));
}

/* ---------------------------------------------------------------------------------------- */
/* The widget                                                                               */

struct _ConfabMarkdownTable
{
  GtkWidget                 parent_instance;

  GtkWidget                *scroller;
  GtkWidget                *grid;
  ConfabMarkdownTableCells *cells;
  GPtrArray                *labels;      /* GtkLabel, row by row, n_rows × n_columns */
  guint                     n_rows;
  guint                     n_columns;
  int                       max_width;
  int                       indent;
};

G_DEFINE_FINAL_TYPE (ConfabMarkdownTable, confab_markdown_table, GTK_TYPE_WIDGET)

static void
show_cell (GtkLabel *label,
           Cell     *cell)
{
  gtk_label_set_text (label, cell != NULL ? cell->text->str : "");
  gtk_label_set_attributes (label, cell != NULL ? cell->attrs : NULL);
}

static GtkWidget *
make_label (ConfabMarkdownTable *self,
            guint                r,
            guint                c,
            float                xalign)
{
  GtkWidget *label;

  label = g_object_new (GTK_TYPE_LABEL,
                        "accessible-role", r == 0 ? GTK_ACCESSIBLE_ROLE_COLUMN_HEADER : GTK_ACCESSIBLE_ROLE_GRID_CELL,
                        "selectable", TRUE,
                        "wrap", TRUE,
                        "wrap-mode", PANGO_WRAP_WORD_CHAR,
                        "max-width-chars", CELL_WIDTH_CHARS,
                        "xalign", xalign,
                        "yalign", 0.0f,
                        "justify", xalign == 0.5f ? GTK_JUSTIFY_CENTER : xalign == 1.0f ? GTK_JUSTIFY_RIGHT : GTK_JUSTIFY_LEFT,
                        NULL);
  gtk_widget_add_css_class (label, r == 0 ? "header" : "cell");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_RELATION_ROW_INDEX, (int) r + 1,
                                  GTK_ACCESSIBLE_RELATION_COL_INDEX, (int) c + 1,
                                  -1);
  show_cell (GTK_LABEL (label), get_cell (self->cells, r, c));
  gtk_grid_attach (GTK_GRID (self->grid), label, c, r, 1, 1);

  return label;
}

static void
remove_rows_from (ConfabMarkdownTable *self,
                  guint                first)
{
  for (guint i = first * self->n_columns; i < self->labels->len; i++)
    gtk_grid_remove (GTK_GRID (self->grid), g_ptr_array_index (self->labels, i));
  g_ptr_array_set_size (self->labels, MIN (self->labels->len, first * self->n_columns));
  self->n_rows = MIN (self->n_rows, first);
}

void
confab_markdown_table_set_cells (ConfabMarkdownTable      *self,
                                 ConfabMarkdownTableCells *cells)
{
  g_autoptr(ConfabMarkdownTableCells) old = NULL;
  guint n_rows, n_columns, kept;

  g_return_if_fail (CONFAB_IS_MARKDOWN_TABLE (self));
  g_return_if_fail (cells != NULL);

  old = g_steal_pointer (&self->cells);
  self->cells = cells;
  n_rows = cells->rows->len;
  n_columns = cells->n_columns;

  /* Other columns, or aligned otherwise: built again. */
  kept = old != NULL && old->n_columns == n_columns ? MIN (self->n_rows, n_rows) : 0;
  for (guint c = 0; kept > 0 && c < n_columns; c++)
    if (column_xalign (old, c) != column_xalign (cells, c))
      kept = 0;

  remove_rows_from (self, kept);
  self->n_columns = n_columns;

  /* The rows kept show their new text where it changed (the last row, as it streams). */
  for (guint r = 0; r < kept; r++)
    for (guint c = 0; c < n_columns; c++)
      {
        Cell *cell = get_cell (cells, r, c);

        if (!cell_equal (get_cell (old, r, c), cell))
          show_cell (g_ptr_array_index (self->labels, r * n_columns + c), cell);
      }

  for (guint r = kept; r < n_rows; r++)
    for (guint c = 0; c < n_columns; c++)
      g_ptr_array_add (self->labels, make_label (self, r, c, column_xalign (cells, c)));
  self->n_rows = n_rows;

  {
    g_autofree char *rows = g_strdup_printf (ngettext ("%u row", "%u rows", n_rows), n_rows);
    g_autofree char *columns = g_strdup_printf (ngettext ("%u column", "%u columns", n_columns), n_columns);
    /* Translators: how a screen reader describes a table, e.g. "3 rows, 2 columns". */
    g_autofree char *description = g_strdup_printf (_("%s, %s"), rows, columns);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                    -1);
  }
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_RELATION_ROW_COUNT, (int) n_rows,
                                  GTK_ACCESSIBLE_RELATION_COL_COUNT, (int) n_columns,
                                  -1);
}

void
confab_markdown_table_set_indent (ConfabMarkdownTable *self,
                                  int                  indent)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_TABLE (self));
  self->indent = MAX (indent, 0);
}

void
confab_markdown_table_set_max_width (ConfabMarkdownTable *self,
                                     int                  width)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_TABLE (self));

  width = width > 0 ? MAX (width - self->indent, 40) : 0;
  if (self->max_width == width)
    return;

  self->max_width = width;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

char *
confab_markdown_table_dup_text (ConfabMarkdownTable *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_TABLE (self), NULL);

  if (self->cells == NULL)
    return g_strdup ("");
  return confab_markdown_table_cells_dup_text (self->cells, " \u2502 ");
}

static gboolean
is_anchor_char (gunichar ch,
                gpointer user_data)
{
  return ch == ANCHOR_CHAR;
}

void
confab_markdown_table_collect (const GtkTextIter *start,
                               GPtrArray         *tables)
{
  GtkTextIter iter = *start;

  while (gtk_text_iter_get_char (&iter) == ANCHOR_CHAR ||
         gtk_text_iter_forward_find_char (&iter, is_anchor_char, NULL, NULL))
    {
      GtkTextChildAnchor *anchor = gtk_text_iter_get_child_anchor (&iter);

      if (anchor != NULL)
        {
          guint n_widgets = 0;
          g_autofree GtkWidget **widgets = gtk_text_child_anchor_get_widgets (anchor, &n_widgets);

          if (n_widgets > 0 && CONFAB_IS_MARKDOWN_TABLE (widgets[0]))
            g_ptr_array_add (tables, g_object_ref (widgets[0]));
        }
      if (!gtk_text_iter_forward_char (&iter))
        break;
    }
}

guint
confab_markdown_table_get_n_rows (ConfabMarkdownTable *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_TABLE (self), 0);
  return self->n_rows;
}

guint
confab_markdown_table_get_n_columns (ConfabMarkdownTable *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_TABLE (self), 0);
  return self->n_columns;
}

GtkWidget *
confab_markdown_table_get_cell (ConfabMarkdownTable *self,
                                guint                row,
                                guint                column)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_TABLE (self), NULL);

  if (row >= self->n_rows || column >= self->n_columns)
    return NULL;
  return g_ptr_array_index (self->labels, row * self->n_columns + column);
}

static void
confab_markdown_table_measure (GtkWidget      *widget,
                               GtkOrientation  orientation,
                               int             for_size,
                               int            *minimum,
                               int            *natural,
                               int            *minimum_baseline,
                               int            *natural_baseline)
{
  ConfabMarkdownTable *self = CONFAB_MARKDOWN_TABLE (widget);

  /* As tall as the grid at its natural width, which it always gets (scrolled sideways if
   * that is wider than the table); -1 would measure it at its minimum width (cells wrapped
   * at every word). */
  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      int grid_width = 0;

      /* (GtkScrolledWindow would measure its child's height for -1 too; its scrollbars
       * overlay the grid.) */
      gtk_widget_measure (self->grid, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &grid_width, NULL, NULL);
      gtk_widget_measure (self->grid, orientation, MAX (for_size, grid_width), minimum, natural, NULL, NULL);
      return;
    }
  gtk_widget_measure (self->scroller, orientation, for_size, minimum, natural, NULL, NULL);

  /* As wide as its columns, at most as wide as the text: wider, it scrolls. A text view
   * gives its children their minimum width. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      if (self->max_width > 0)
        *natural = MIN (*natural, self->max_width);
      *minimum = *natural;
    }
}

static void
confab_markdown_table_size_allocate (GtkWidget *widget,
                                     int        width,
                                     int        height,
                                     int        baseline)
{
  ConfabMarkdownTable *self = CONFAB_MARKDOWN_TABLE (widget);

  gtk_widget_size_allocate (self->scroller, &(GtkAllocation) { 0, 0, width, height }, -1);
}

static void
confab_markdown_table_dispose (GObject *object)
{
  ConfabMarkdownTable *self = CONFAB_MARKDOWN_TABLE (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  self->grid = NULL;
  if (self->labels != NULL)
    g_ptr_array_set_size (self->labels, 0);
  g_clear_pointer (&self->cells, confab_markdown_table_cells_free);

  G_OBJECT_CLASS (confab_markdown_table_parent_class)->dispose (object);
}

static void
confab_markdown_table_finalize (GObject *object)
{
  ConfabMarkdownTable *self = CONFAB_MARKDOWN_TABLE (object);

  g_ptr_array_unref (self->labels);

  G_OBJECT_CLASS (confab_markdown_table_parent_class)->finalize (object);
}

static void
confab_markdown_table_class_init (ConfabMarkdownTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_markdown_table_dispose;
  object_class->finalize = confab_markdown_table_finalize;

  widget_class->measure = confab_markdown_table_measure;
  widget_class->size_allocate = confab_markdown_table_size_allocate;

  gtk_widget_class_set_css_name (widget_class, "markdowntable");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID);
}

static void
confab_markdown_table_init (ConfabMarkdownTable *self)
{
  GtkWidget *viewport;

  self->labels = g_ptr_array_new ();

  self->grid = gtk_grid_new ();
  viewport = gtk_viewport_new (NULL, NULL);
  /* The grid gets its natural width (cells wrap at CELL_WIDTH_CHARS), scrolled if wider. */
  gtk_scrollable_set_hscroll_policy (GTK_SCROLLABLE (viewport), GTK_SCROLL_NATURAL);
  gtk_viewport_set_child (GTK_VIEWPORT (viewport), self->grid);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), viewport);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Table"),
                                  -1);
}

GtkWidget *
confab_markdown_table_new (void)
{
  return g_object_new (CONFAB_TYPE_MARKDOWN_TABLE, NULL);
}
