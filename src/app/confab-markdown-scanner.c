/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-markdown-scanner"

#include "config.h"

#include <string.h>

#include "confab-markdown-scanner.h"

void
confab_markdown_scanner_reset (ConfabMarkdownScanner *self)
{
  g_return_if_fail (self != NULL);

  memset (self, 0, sizeof *self);
}

static gboolean
is_blank (const char *line,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (line[i]))
      return FALSE;
  return TRUE;
}

/* Whether @line opens (or closes, with @fence_char set) a code fence. */
static gboolean
is_fence (const char *line,
          gsize       len,
          char        fence_char,
          guint       min_len,
          char       *out_char,
          guint      *out_len)
{
  gsize i = 0;
  guint n = 0;
  char c;

  while (i < len && i < 3 && line[i] == ' ')
    i++;
  if (i >= len)
    return FALSE;

  c = line[i];
  if (c != '`' && c != '~')
    return FALSE;
  if (fence_char != 0 && c != fence_char)
    return FALSE;

  while (i < len && line[i] == c)
    i++, n++;
  if (n < 3 || n < min_len)
    return FALSE;

  /* A closing fence carries nothing after it; an opening backtick fence no backtick. */
  if (fence_char != 0 && !is_blank (line + i, len - i))
    return FALSE;
  if (fence_char == 0 && c == '`' && memchr (line + i, '`', len - i) != NULL)
    return FALSE;

  if (out_char != NULL)
    *out_char = c;
  if (out_len != NULL)
    *out_len = n;
  return TRUE;
}

/* "# Title": 1–6 hashes, then a space or the end of the line. */
static gboolean
is_heading (const char *line,
            gsize       len)
{
  gsize n = 0;

  while (n < len && line[n] == '#')
    n++;
  return n >= 1 && n <= 6 && (n == len || line[n] == ' ' || line[n] == '\t');
}

/* "---", "* * *", "___" (a rule) or "===" (a setext underline). */
static gboolean
is_rule (const char *line,
         gsize       len)
{
  char c = 0;
  guint n = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (line[i] == ' ' || line[i] == '\t')
        continue;
      if (c == 0 && (line[i] == '-' || line[i] == '*' || line[i] == '_' || line[i] == '='))
        c = line[i];
      if (line[i] != c)
        return FALSE;
      n++;
    }

  return c == '=' ? n >= 1 : n >= 3;
}

typedef enum {
  ITEM_NONE,
  ITEM_INTERRUPTS,   /* may start a list right after a paragraph line */
  ITEM_CONTINUES,    /* an item, but only of a list already open ("2." after text is text) */
} Item;

/* A list item marker at column 0: "- ", "* ", "+ ", "1. ", "12) ". */
static Item
list_item (const char *line,
           gsize       len)
{
  gsize i = 0;
  gboolean one;

  if (len >= 1 && (line[0] == '-' || line[0] == '*' || line[0] == '+'))
    {
      if (len == 1 || line[1] == ' ' || line[1] == '\t')
        return is_blank (line + 1, len - 1) ? ITEM_CONTINUES : ITEM_INTERRUPTS;
      return ITEM_NONE;
    }

  while (i < len && i < 9 && g_ascii_isdigit (line[i]))
    i++;
  if (i == 0 || i >= len || (line[i] != '.' && line[i] != ')'))
    return ITEM_NONE;
  one = i == 1 && line[0] == '1';
  i++;
  if (i < len && line[i] != ' ' && line[i] != '\t')
    return ITEM_NONE;

  return one && !is_blank (line + i, len - i) ? ITEM_INTERRUPTS : ITEM_CONTINUES;
}

static void
set_boundary (ConfabMarkdownScanner *self,
              gsize                  offset,
              ConfabMarkdownJoin     join)
{
  if (offset == 0 || offset <= self->boundary)
    return;
  self->boundary = offset;
  self->join = join;
}

static void
scan_line (ConfabMarkdownScanner *self,
           const char            *line,
           gsize                  len,
           gsize                  start)
{
  gsize end = start + len + 1;
  gboolean after_blank = self->blank_end == start && start > 0;
  gboolean at_margin;
  Item item;

  if (self->in_fence)
    {
      if (is_fence (line, len, self->fence_char, self->fence_len, NULL, NULL))
        {
          self->in_fence = FALSE;
          if (self->fence_at_margin)
            set_boundary (self, end, CONFAB_MARKDOWN_JOIN_BLOCK);
        }
      return;
    }

  if (is_blank (line, len))
    {
      self->blank_end = end;
      self->in_paragraph = FALSE;
      /* Outside a list a blank line closes the block; in one, an indented line may still
       * continue the item. */
      if (!self->in_list)
        set_boundary (self, end, CONFAB_MARKDOWN_JOIN_BLOCK);
      return;
    }

  at_margin = line[0] != ' ' && line[0] != '\t';

  if (is_fence (line, len, 0, 0, &self->fence_char, &self->fence_len))
    {
      self->in_fence = TRUE;
      self->fence_at_margin = at_margin;
      if (at_margin)
        {
          set_boundary (self, start, CONFAB_MARKDOWN_JOIN_BLOCK);
          self->in_list = FALSE;
        }
      self->in_paragraph = FALSE;
      return;
    }

  if (!at_margin)
    {
      /* An indented line: a list item's continuation, or (after a blank line outside a
       * list) a new block. */
      if (after_blank && !self->in_list)
        set_boundary (self, start, CONFAB_MARKDOWN_JOIN_BLOCK);
      self->in_paragraph = TRUE;
      return;
    }

  if (is_heading (line, len))
    {
      set_boundary (self, start, CONFAB_MARKDOWN_JOIN_BLOCK);
      set_boundary (self, end, CONFAB_MARKDOWN_JOIN_BLOCK);
      self->in_list = FALSE;
      self->in_paragraph = FALSE;
      return;
    }

  if (is_rule (line, len))
    {
      /* A rule, or the underline of the paragraph above (a setext heading): either way the
       * block ends with this line. "- - -" is a rule, not an item. */
      set_boundary (self, end, CONFAB_MARKDOWN_JOIN_BLOCK);
      self->in_list = FALSE;
      self->in_paragraph = FALSE;
      return;
    }

  item = list_item (line, len);
  if (item != ITEM_NONE && (self->in_list || after_blank || !self->in_paragraph || item == ITEM_INTERRUPTS))
    {
      /* The next item of the list, or a list that starts here. */
      if (self->in_list && !after_blank)
        set_boundary (self, start, CONFAB_MARKDOWN_JOIN_LINE);
      else
        set_boundary (self, start, CONFAB_MARKDOWN_JOIN_BLOCK);
      self->in_list = TRUE;
      self->in_paragraph = TRUE;
      return;
    }

  /* Text at column 0: after a blank line, a new block (and the end of a list); right after
   * a line of text, its continuation. */
  if (after_blank || !self->in_paragraph)
    {
      set_boundary (self, start, CONFAB_MARKDOWN_JOIN_BLOCK);
      self->in_list = FALSE;
    }
  self->in_paragraph = TRUE;
}

gboolean
confab_markdown_scanner_scan (ConfabMarkdownScanner *self,
                              const char            *text,
                              gsize                  len,
                              gsize                  budget)
{
  return confab_markdown_scanner_scan_window (self, text, 0, len, budget);
}

gboolean
confab_markdown_scanner_scan_window (ConfabMarkdownScanner *self,
                                     const char            *window,
                                     gsize                  window_start,
                                     gsize                  len,
                                     gsize                  budget)
{
  gsize start;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (window != NULL || len == window_start, FALSE);
  g_return_val_if_fail (window_start <= self->scanned, FALSE);
  g_return_val_if_fail (self->scanned <= len, FALSE);

  start = self->scanned;
  for (;;)
    {
      const char *line = window + (self->scanned - window_start);
      const char *nl;

      nl = memchr (line, '\n', len - self->scanned);
      if (nl == NULL)
        return FALSE;
      if (budget > 0 && self->scanned - start >= budget)
        return TRUE;

      scan_line (self, line, nl - line, self->scanned);
      self->scanned += (nl - line) + 1;
    }
}

gsize
confab_markdown_scanner_get_boundary (const ConfabMarkdownScanner *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->boundary;
}

ConfabMarkdownJoin
confab_markdown_scanner_get_join (const ConfabMarkdownScanner *self)
{
  g_return_val_if_fail (self != NULL, CONFAB_MARKDOWN_JOIN_BLOCK);
  return self->join;
}

gsize
confab_markdown_scanner_get_scanned (const ConfabMarkdownScanner *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->scanned;
}

gboolean
confab_markdown_scanner_in_fence (const ConfabMarkdownScanner *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->in_fence;
}
