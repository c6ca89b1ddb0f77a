/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-markdown-table"

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "confab-code-block.h"
#include "confab-markdown-renderer.h"
#include "confab-markdown-table.h"
#include "confab-markdown-view-private.h"
#include "confab-test-app.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"

/* Markdown tables in a Markdown view, in a window: cells are text (never markup) with their
 * inline Markdown rendered; a table grows row by row as it streams, the same widget; a table
 * wider than the text scrolls sideways; tables a model may write badly (ragged rows, empty
 * cells, hundreds of columns, thousands of cells) are shown without loss and quickly. */

#define WAIT_MS 10000

typedef struct
{
  GtkWidget          *window;
  ConfabMarkdownView *view;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  fixture->window = gtk_window_new ();
  fixture->view = CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ());
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (fixture->view));
  gtk_window_set_child (GTK_WINDOW (fixture->window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 420, 600);
  gtk_window_present (GTK_WINDOW (fixture->window));
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (fixture->view)), WAIT_MS);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
}

/* Shows @text and lets the view lay it out (and size its tables) at the window's width. */
static void
show (Fixture    *fixture,
      const char *text)
{
  confab_markdown_view_set_text (fixture->view, text);
  confab_markdown_view_flush (fixture->view);
  for (guint i = 0; i < 5; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static ConfabMarkdownTable *
find_table (Fixture *fixture)
{
  return (ConfabMarkdownTable *) confab_test_find_widget_of_type (GTK_WIDGET (fixture->view), CONFAB_TYPE_MARKDOWN_TABLE);
}

static const char *
cell_text (ConfabMarkdownTable *table,
           guint                row,
           guint                column)
{
  GtkWidget *cell = confab_markdown_table_get_cell (table, row, column);

  g_assert_true (GTK_IS_LABEL (cell));
  return gtk_label_get_text (GTK_LABEL (cell));
}

/* Cells are text: HTML and Pango markup show as typed, entities are decoded, spans are
 * styled with attributes. */
static void
test_cells_are_text (Fixture       *fixture,
                     gconstpointer  data)
{
  ConfabMarkdownTable *table;
  GtkWidget *cell;
  PangoAttrIterator *iter;

  show (fixture,
        "| <b>x</b> | <span foreground=\"red\">y</span> | a &amp; b |\n"
        "|---|---|---|\n"
        "| **bold** | `code` | [link](https://example.org) |\n");

  table = find_table (fixture);
  g_assert_nonnull (table);
  g_assert_cmpuint (confab_markdown_table_get_n_rows (table), ==, 2);
  g_assert_cmpuint (confab_markdown_table_get_n_columns (table), ==, 3);
  /* Raw HTML is text (md4c parses with MD_FLAG_NOHTML), Pango markup too. */
  g_assert_cmpstr (cell_text (table, 0, 0), ==, "<b>x</b>");
  g_assert_cmpstr (cell_text (table, 0, 1), ==, "<span foreground=\"red\">y</span>");
  g_assert_cmpstr (cell_text (table, 0, 2), ==, "a & b");
  g_assert_cmpstr (cell_text (table, 1, 0), ==, "bold");
  g_assert_cmpstr (cell_text (table, 1, 1), ==, "code");
  g_assert_cmpstr (cell_text (table, 1, 2), ==, "link");
  for (guint c = 0; c < 3; c++)
    g_assert_false (gtk_label_get_use_markup (GTK_LABEL (confab_markdown_table_get_cell (table, 0, c))));

  cell = confab_markdown_table_get_cell (table, 1, 0);
  g_assert_nonnull (gtk_label_get_attributes (GTK_LABEL (cell)));
  iter = pango_attr_list_get_iterator (gtk_label_get_attributes (GTK_LABEL (cell)));
  g_assert_nonnull (pango_attr_iterator_get (iter, PANGO_ATTR_WEIGHT));
  g_assert_cmpint (((PangoAttrInt *) pango_attr_iterator_get (iter, PANGO_ATTR_WEIGHT))->value, ==, PANGO_WEIGHT_BOLD);
  pango_attr_iterator_destroy (iter);

  cell = confab_markdown_table_get_cell (table, 1, 1);
  iter = pango_attr_list_get_iterator (gtk_label_get_attributes (GTK_LABEL (cell)));
  g_assert_nonnull (pango_attr_iterator_get (iter, PANGO_ATTR_FAMILY));
  pango_attr_iterator_destroy (iter);

  /* The shown text has every cell, once. */
  {
    g_autofree char *shown = confab_markdown_view_dup_display_text (fixture->view);

    g_assert_nonnull (strstr (shown, "<b>x</b> \u2502 "));
    g_assert_nonnull (strstr (shown, "bold \u2502 code \u2502 link"));
  }
}

/* Streamed a piece at a time, rendered after each: one table widget from its first row to
 * the end, its rows as they arrive (a partial row included). */
static void
test_streams_row_by_row (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char *answer =
    "Some numbers:\n\n"
    "| Name | Count |\n"
    "|------|------:|\n"
    "| one | 1 |\n"
    "| two | 2 |\n"
    "| three | 3 |\n"
    "\nThat is all.";
  gsize head_end = strstr (answer, ":|\n") + 3 - answer;
  ConfabMarkdownTable *first = NULL;
  guint max_rows = 0;

  confab_markdown_view_set_text (fixture->view, NULL);
  for (const char *p = answer; *p != '\0'; p++)
    {
      ConfabMarkdownTable *table;

      confab_markdown_view_append_text (fixture->view, p, 1);
      confab_markdown_view_flush (fixture->view);
      /* (While its delimiter row is being written, md4c may or may not see a table.) */
      if ((gsize) (p + 1 - answer) < head_end)
        continue;

      table = find_table (fixture);
      g_assert_nonnull (table);
      if (first == NULL)
        first = table;
      g_assert_true (table == first);
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (table)));
      g_assert_cmpuint (confab_markdown_table_get_n_rows (table), >=, max_rows);
      max_rows = confab_markdown_table_get_n_rows (table);
      if (strncmp (p - 3, "| tw", 4) == 0)
        {
          /* A partial row shows as it comes. */
          g_assert_cmpuint (max_rows, ==, 3);
          g_assert_cmpstr (cell_text (table, 2, 0), ==, "tw");
        }
    }
  confab_markdown_view_finish (fixture->view);
  confab_markdown_view_flush (fixture->view);

  g_assert_true (find_table (fixture) == first);
  g_assert_cmpuint (confab_markdown_table_get_n_rows (first), ==, 4);
  g_assert_cmpstr (cell_text (first, 3, 0), ==, "three");
  g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (confab_markdown_table_get_cell (first, 3, 1))), ==, 1.0f);
}

/* A table wider than the text: as wide as the text, scrolled sideways, as tall as its rows
 * (not as if every cell were wrapped at each word). */
static void
test_wide_table_scrolls (Fixture       *fixture,
                         gconstpointer  data)
{
  ConfabMarkdownTable *table;
  GtkWidget *scroller, *segment;
  GtkAdjustment *hadjustment;
  int cell_height;

  show (fixture,
        "| A first column with a long header | A second column with a long header | A third one, long too |\n"
        "|---|---|---|\n"
        "| a cell with a lot of text in it, more than fits | another such cell, with its own text | and a third |\n");
  table = find_table (fixture);
  g_assert_nonnull (table);
  segment = gtk_widget_get_parent (GTK_WIDGET (table));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (table)), <=, gtk_widget_get_width (segment));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (table)), >=, gtk_widget_get_width (segment) - 8);

  scroller = confab_test_find_widget_of_type (GTK_WIDGET (table), GTK_TYPE_SCROLLED_WINDOW);
  hadjustment = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_assert_cmpfloat (gtk_adjustment_get_upper (hadjustment), >, gtk_adjustment_get_page_size (hadjustment) + 50);

  /* Rows of wrapped cells, not of one word per line. */
  cell_height = gtk_widget_get_height (confab_markdown_table_get_cell (table, 1, 0));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (table)), <=, 4 * cell_height);
  g_assert_cmpint (cell_height, <, 100);
}

/* Badly formed tables: ragged rows, empty cells, hundreds of columns, thousands of cells.
 * Nothing is lost and nothing takes long. */
static void
test_bad_tables (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  ConfabMarkdownTable *table;
  gint64 start;

  /* Ragged rows and empty cells. */
  show (fixture,
        "| a | b | c |\n|---|---|---|\n| 1 |\n| 1 | 2 | 3 | 4 | 5 |\n|  | | |\n||\n");
  table = find_table (fixture);
  g_assert_nonnull (table);
  g_assert_cmpuint (confab_markdown_table_get_n_columns (table), >=, 3);
  for (guint r = 0; r < confab_markdown_table_get_n_rows (table); r++)
    for (guint c = 0; c < confab_markdown_table_get_n_columns (table); c++)
      g_assert_nonnull (confab_markdown_table_get_cell (table, r, c));
  g_assert_cmpstr (cell_text (table, 1, 0), ==, "1");
  g_assert_cmpstr (cell_text (table, 3, 1), ==, "");

  /* 1000 columns (more than md4c makes a table of): text, shown whole, quickly. */
  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (text, "| c%u ", i);
  g_string_append (text, "|\n");
  for (guint i = 0; i < 1000; i++)
    g_string_append (text, "|---");
  g_string_append (text, "|\n| x |\n");
  start = g_get_monotonic_time ();
  show (fixture, text->str);
  g_test_message ("1000 columns: %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  {
    g_autofree char *shown = confab_markdown_view_dup_display_text (fixture->view);

    g_assert_nonnull (strstr (shown, "c999"));
  }

  /* 100 columns × 40 rows: more cells than labels are made for, shown as text, whole. */
  g_string_truncate (text, 0);
  for (guint r = 0; r < 42; r++)
    {
      for (guint c = 0; c < 100; c++)
        g_string_append_printf (text, r == 1 ? "|---" : "| r%uc%u ", r, c);
      g_string_append (text, "|\n");
    }
  start = g_get_monotonic_time ();
  show (fixture, text->str);
  g_test_message ("100 × 41 cells: %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_null (find_table (fixture));
  {
    g_autofree char *shown = confab_markdown_view_dup_display_text (fixture->view);

    g_assert_nonnull (strstr (shown, "r0c0"));
    g_assert_nonnull (strstr (shown, "r41c99"));
  }

  /* 120 columns × 6 rows (720 cells): a grid, quickly. */
  g_string_truncate (text, 0);
  for (guint r = 0; r < 7; r++)
    {
      for (guint c = 0; c < 120; c++)
        g_string_append_printf (text, r == 1 ? "|:-:" : "| %u ", c);
      g_string_append (text, "|\n");
    }
  start = g_get_monotonic_time ();
  show (fixture, text->str);
  g_test_message ("120 × 6 cells: %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  table = find_table (fixture);
  g_assert_nonnull (table);
  g_assert_cmpuint (confab_markdown_table_get_n_columns (table), ==, 120);
  g_assert_cmpuint (confab_markdown_table_get_n_rows (table), ==, 6);

  /* In a list item and a quote. */
  show (fixture, "- item\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n\n> | q | r |\n> |---|---|\n> | 3 | 4 |\n");
  table = find_table (fixture);
  g_assert_nonnull (table);
  {
    g_autofree char *shown = confab_markdown_view_dup_display_text (fixture->view);

    g_assert_nonnull (strstr (shown, "1 \u2502 2"));
    g_assert_nonnull (strstr (shown, "3 \u2502 4"));
  }
}

/* The x where @needle is drawn in @view (in the view). */
static double
text_x (ConfabMarkdownView *view,
        const char         *needle)
{
  return confab_test_markdown_text_point (view, needle, GTK_WIDGET (view)).x;
}

/* A code block and a table in a list item sit at the item's text (not at the answer's
 * margin): the code block's header, its card, and the table start there, the code inset by
 * the padding — every line of it, the first too. */
static void
test_nested_blocks (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *header, *table;
  graphene_rect_t header_bounds, table_bounds;
  double first, second, paragraph;

  show (fixture,
        "Before.\n\n"
        "- an item\n\n"
        "  ```\n  first = 1\n  second = 2\n  ```\n\n"
        "  | k | v |\n  |---|---|\n  | a | 1 |\n\n"
        "After.\n");

  header = confab_test_find_widget_of_type (GTK_WIDGET (fixture->view), CONFAB_TYPE_CODE_BLOCK);
  table = confab_test_find_widget_of_type (GTK_WIDGET (fixture->view), CONFAB_TYPE_MARKDOWN_TABLE);
  g_assert_nonnull (header);
  g_assert_nonnull (table);
  g_assert_true (gtk_widget_compute_bounds (header, GTK_WIDGET (fixture->view), &header_bounds));
  g_assert_true (gtk_widget_compute_bounds (table, GTK_WIDGET (fixture->view), &table_bounds));
  first = text_x (fixture->view, "first = 1");
  second = text_x (fixture->view, "second = 2");
  paragraph = text_x (fixture->view, "Before.");
  g_test_message ("paragraph at %.0f, header at %.0f, code at %.0f and %.0f, table at %.0f",
                  paragraph, header_bounds.origin.x, first, second, table_bounds.origin.x);

  g_assert_cmpfloat (header_bounds.origin.x, >, paragraph + 10);
  g_assert_cmpfloat (ABS (table_bounds.origin.x - header_bounds.origin.x), <=, 1);
  g_assert_cmpfloat (ABS (first - header_bounds.origin.x - CONFAB_MARKDOWN_CODE_PADDING), <=, 1);
  g_assert_cmpfloat (ABS (second - first), <=, 1);
  /* Within the text's width. */
  g_assert_cmpfloat (header_bounds.origin.x + header_bounds.size.width, <=,
                     gtk_widget_get_width (GTK_WIDGET (fixture->view)));
  g_assert_cmpfloat (ABS (text_x (fixture->view, "After.") - paragraph), <=, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  confab_test_init_isolated (&argc, &argv);
  gtk_init ();
  adw_init ();

  g_test_add ("/markdown-table/cells-are-text", Fixture, NULL, fixture_set_up, test_cells_are_text, fixture_tear_down);
  g_test_add ("/markdown-table/streams-row-by-row", Fixture, NULL, fixture_set_up, test_streams_row_by_row, fixture_tear_down);
  g_test_add ("/markdown-table/wide-table-scrolls", Fixture, NULL, fixture_set_up, test_wide_table_scrolls, fixture_tear_down);
  g_test_add ("/markdown-table/nested-blocks", Fixture, NULL, fixture_set_up, test_nested_blocks, fixture_tear_down);
  g_test_add ("/markdown-table/bad-tables", Fixture, NULL, fixture_set_up, test_bad_tables, fixture_tear_down);

  return g_test_run ();
}
