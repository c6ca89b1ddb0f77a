/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-markdown-scanner"

#include "config.h"

#include <string.h>

#include "confab-markdown-scanner.h"

/* The block scanner of streamed Markdown: where blocks close, however the text is split. */

typedef struct
{
  gsize              offset;
  ConfabMarkdownJoin join;
} Boundary;

#define B(o) { o, CONFAB_MARKDOWN_JOIN_BLOCK }
#define L(o) { o, CONFAB_MARKDOWN_JOIN_LINE }

typedef struct
{
  const char *name;
  const char *text;
  Boundary    expected[8];
  guint       n_expected;
} Case;

static const Case cases[] = {
  { "heading-paragraph-list-fence",
    "# Title\nPara line.\n1. one\n2. two\n\n```c\ncode\n```\n| a | b |\n",
    { B (8), B (19), L (26), B (34), B (48) }, 5 },
  /* "2." cannot interrupt a paragraph: it is text. */
  { "not-an-item", "Text\n2. not an item\n", { { 0 } }, 0 },
  /* Indented lines and lazy lines stay in the item; a blank line does not end the list. */
  { "list-continuations", "- a\n  continued\n\n  still in a\n- b\nlazy\n\nAfter\n",
    { L (30), B (40) }, 2 },
  /* Nothing inside a fence counts, not even a blank line or a heading. */
  { "fence", "```\n# not a heading\n\n```\n", { B (25) }, 1 },
  /* A backtick fence that shows a backtick on its line is inline code, not a fence. */
  { "not-a-fence", "```a`b```\nText\n\nMore\n", { B (16) }, 1 },
  { "blank-line", "Para\n\nNext\n", { B (6) }, 1 },
  { "setext", "Title\n===\nText\n", { B (10) }, 1 },
  { "rule-not-item", "Text\n- - -\nMore\n", { B (11) }, 1 },
  { "indented-code", "    indented code\n", { { 0 } }, 0 },
  { "no-newline", "# Title", { { 0 } }, 0 },
  /* A heading closes at the end of its line, also right after a list. */
  { "list-then-heading", "- a\n- b\n## Next\ntext\n", { L (4), B (16) }, 2 },
  { "tilde-fence", "~~~\n```\n~~~\nafter\n", { B (12) }, 1 },
};

/* Feeds @text in pieces of @piece bytes; records each new boundary. */
static GArray *
feed (const char *text,
      gsize       piece)
{
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (Boundary));
  ConfabMarkdownScanner scanner;
  ConfabMarkdownScanner windowed;
  gsize len = strlen (text);

  confab_markdown_scanner_reset (&scanner);
  confab_markdown_scanner_reset (&windowed);
  for (gsize upto = MIN (piece, len); ; upto = MIN (upto + piece, len))
    {
      gsize boundary;

      while (confab_markdown_scanner_scan (&scanner, text, upto, 3))
        ;
      /* Given only the text not read yet (a copy: what was read is gone), the same. */
      for (;;)
        {
          gsize from = confab_markdown_scanner_get_scanned (&windowed);
          g_autofree char *window = g_strndup (text + from, upto - from);

          if (!confab_markdown_scanner_scan_window (&windowed, window, from, upto, 3))
            break;
        }
      g_assert_cmpuint (confab_markdown_scanner_get_scanned (&windowed), ==,
                        confab_markdown_scanner_get_scanned (&scanner));
      g_assert_cmpuint (confab_markdown_scanner_get_boundary (&windowed), ==,
                        confab_markdown_scanner_get_boundary (&scanner));
      g_assert_cmpint (confab_markdown_scanner_get_join (&windowed), ==,
                       confab_markdown_scanner_get_join (&scanner));
      g_assert_cmpuint (confab_markdown_scanner_get_scanned (&scanner), <=, upto);
      boundary = confab_markdown_scanner_get_boundary (&scanner);
      if (boundary > 0 && (seen->len == 0 || g_array_index (seen, Boundary, seen->len - 1).offset != boundary))
        {
          Boundary b = { boundary, confab_markdown_scanner_get_join (&scanner) };

          /* Only whole lines before it, and never beyond what arrived. */
          g_assert_cmpuint (boundary, <=, upto);
          g_assert_true (text[boundary - 1] == '\n');
          g_array_append_val (seen, b);
        }
      if (upto == len)
        break;
    }

  return seen;
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GArray) one = feed (c->text, 1);
  gsize len = strlen (c->text);

  /* Byte by byte: every boundary, in order. */
  for (guint i = 0; i < one->len; i++)
    g_test_message ("%s: boundary %zu (%s)", c->name, g_array_index (one, Boundary, i).offset,
                    g_array_index (one, Boundary, i).join == CONFAB_MARKDOWN_JOIN_LINE ? "line" : "block");
  g_assert_cmpuint (one->len, ==, c->n_expected);
  for (guint i = 0; i < one->len; i++)
    {
      g_assert_cmpuint (g_array_index (one, Boundary, i).offset, ==, c->expected[i].offset);
      g_assert_cmpint (g_array_index (one, Boundary, i).join, ==, c->expected[i].join);
    }

  /* In larger pieces: some boundaries are passed over, the last one is the same. */
  for (gsize piece = 2; piece <= len; piece++)
    {
      g_autoptr(GArray) seen = feed (c->text, piece);

      g_assert_cmpuint (seen->len, <=, one->len);
      if (one->len > 0)
        {
          g_assert_cmpuint (seen->len, >, 0);
          g_assert_cmpuint (g_array_index (seen, Boundary, seen->len - 1).offset, ==,
                            g_array_index (one, Boundary, one->len - 1).offset);
        }
    }
}

/* A long list: each item closes when the next begins, in O(new bytes). */
static void
test_long_list (void)
{
  g_autoptr(GString) text = g_string_new ("Intro:\n");
  ConfabMarkdownScanner scanner;
  gsize last_start = 0;

  for (guint i = 1; i <= 1000; i++)
    {
      last_start = text->len;
      g_string_append_printf (text, "%u. item %u\n", i, i);
    }

  confab_markdown_scanner_reset (&scanner);
  g_assert_false (confab_markdown_scanner_scan (&scanner, text->str, text->len, 0));
  g_assert_cmpuint (confab_markdown_scanner_get_boundary (&scanner), ==, last_start);
  g_assert_cmpint (confab_markdown_scanner_get_join (&scanner), ==, CONFAB_MARKDOWN_JOIN_LINE);
  g_assert_false (confab_markdown_scanner_in_fence (&scanner));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/markdown-scanner/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/markdown-scanner/long-list", test_long_list);

  return g_test_run ();
}
