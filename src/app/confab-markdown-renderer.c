/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-markdown-renderer"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <md4c.h>

#include "confab-code-block.h"
#include "confab-markdown-renderer.h"
#include "confab-markdown-table.h"

#define MAX_LIST_DEPTH 6
/* Where the text of a list item at @depth (1…) starts, and of a quote. */
#define LIST_MARGIN(depth) (8 + 20 * (depth))
#define QUOTE_MARGIN 24

static GtkTextTagTable *shared_tags;

/* ---------------------------------------------------------------------------------------- */
/* Tags                                                                                     */

static GtkTextTag *
add_tag (const char *name,
         const char *first_property,
         ...)
{
  GtkTextTag *tag;
  va_list args;

  tag = gtk_text_tag_new (name);
  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (tag), first_property, args);
  va_end (args);
  gtk_text_tag_table_add (shared_tags, tag);
  g_object_unref (tag);

  return tag;
}

/* Adwaita's link colours (@accent_color of the light and dark styles). */
static void
update_link_color (void)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkTextTag *tag = gtk_text_tag_table_lookup (shared_tags, "link");

  g_object_set (tag,
                "foreground-rgba", dark ? &(GdkRGBA) { 0.471, 0.682, 0.929, 1.0 }
                                        : &(GdkRGBA) { 0.110, 0.443, 0.847, 1.0 },
                NULL);
}

/* One tag table for every Markdown view: tags are made once, not per message. */
static void
create_shared_tags (void)
{
  static const double scales[] = { 1.6, 1.4, 1.2, 1.1, 1.0, 1.0 };

  shared_tags = gtk_text_tag_table_new ();

  for (guint i = 0; i < 6; i++)
    {
      char name[4] = "h1";

      name[1] = '1' + i;
      add_tag (name,
               "weight", PANGO_WEIGHT_BOLD,
               "scale", scales[i],
               "pixels-above-lines", 6,
               NULL);
    }

  add_tag ("bold", "weight", PANGO_WEIGHT_BOLD, NULL);
  add_tag ("italic", "style", PANGO_STYLE_ITALIC, NULL);
  add_tag ("underline", "underline", PANGO_UNDERLINE_SINGLE, NULL);
  add_tag ("strike", "strikethrough", TRUE, NULL);
  add_tag ("code",
           "family", "monospace",
           "background-rgba", &(GdkRGBA) { 0.5, 0.5, 0.5, 0.15 },
           NULL);
  /* A code block is a card (drawn by confab-markdown-segment around the lines of these
   * tags) aligned with the text: its header line at the text's margin, its code inset. */
  add_tag ("code-block",
           "family", "monospace",
           "left-margin", CONFAB_MARKDOWN_CODE_PADDING,
           "right-margin", CONFAB_MARKDOWN_CODE_PADDING,
           NULL);
  add_tag ("code-block-header", NULL);
  /* The card's inner space above and below the code (above: only without a header). */
  add_tag ("code-block-start", "pixels-above-lines", 6, NULL);
  add_tag ("code-block-end", "pixels-below-lines", 8, NULL);
  add_tag ("quote",
           "left-margin", QUOTE_MARGIN,
           "style", PANGO_STYLE_ITALIC,
           "foreground-rgba", &(GdkRGBA) { 0.5, 0.5, 0.5, 1.0 },
           NULL);
  add_tag ("rule",
           "justification", GTK_JUSTIFY_CENTER,
           "foreground-rgba", &(GdkRGBA) { 0.5, 0.5, 0.5, 0.6 },
           NULL);
  add_tag ("table",
           "family", "monospace",
           "wrap-mode", GTK_WRAP_NONE,
           NULL);
  /* The line of a table widget (its margin: see margin_tag). */
  add_tag ("table-anchor",
           "wrap-mode", GTK_WRAP_NONE,
           NULL);
  /* After "quote": a link in a quotation is still blue. */
  add_tag ("link",
           "underline", PANGO_UNDERLINE_SINGLE,
           NULL);
  update_link_color ();
  g_signal_connect (adw_style_manager_get_default (), "notify::dark",
                    G_CALLBACK (update_link_color), NULL);

  /* Deeper levels are added later, so their margins win. */
  for (guint i = 0; i < MAX_LIST_DEPTH; i++)
    {
      char name[8] = "list-1";

      name[5] = '1' + i;
      add_tag (name,
               "left-margin", LIST_MARGIN ((int) i + 1),
               "indent", -14,
               NULL);
    }
}

GtkTextTagTable *
confab_markdown_get_tag_table (void)
{
  if (shared_tags == NULL)
    create_shared_tags ();
  return shared_tags;
}

/* ---------------------------------------------------------------------------------------- */
/* md4c → GtkTextBuffer                                                                     */

typedef struct
{
  gboolean ordered;
  guint    next;
} ListState;

typedef struct
{
  ConfabMarkdownTarget *target;
  GtkTextBuffer      *buffer;
  GPtrArray          *tags;          /* active tags, a stack */
  guint               pending_breaks;
  gboolean            at_start;      /* nothing emitted yet in this render */
  gboolean            full;          /* closed code blocks: header and highlighted code (else tagged text) */
  ListState           lists[MAX_LIST_DEPTH];
  int                 list_depth;
  int                 quote_depth;
  gboolean            li_fresh;      /* just wrote a bullet: the item's paragraph follows */
  guint               styles[6];     /* how many open spans give each ConfabMarkdownStyle bit */
  ConfabMarkdownTableCells *table;   /* collecting a table's cells */
  gboolean            in_cell;
  int                 code_start;    /* where a code block shown as text began */
  GString            *code;          /* collecting a code block (full mode) */
  char               *code_lang;
  char               *link_url;
  int                 link_start;
} Renderer;

static GtkTextTag *
lookup_tag (Renderer   *r,
            const char *name)
{
  return gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (r->buffer), name);
}

static void
flush_breaks (Renderer *r)
{
  static const char newlines[] = "\n\n\n\n";
  GtkTextIter end;

  if (r->pending_breaks == 0)
    return;

  gtk_text_buffer_get_end_iter (r->buffer, &end);
  gtk_text_buffer_insert (r->buffer, &end, newlines, MIN (r->pending_breaks, 4));
  r->pending_breaks = 0;
}

static void
emit (Renderer   *r,
      const char *text,
      gssize      len)
{
  GtkTextIter start, end;
  int offset;

  if (len < 0)
    len = strlen (text);
  if (len == 0)
    return;

  if (r->table != NULL)
    {
      ConfabMarkdownStyle styles = 0;

      for (guint i = 0; i < G_N_ELEMENTS (r->styles); i++)
        if (r->styles[i] > 0)
          styles |= 1 << i;
      if (r->in_cell)
        confab_markdown_table_cells_append (r->table, text, len, styles);
      return;
    }

  flush_breaks (r);
  r->at_start = FALSE;
  r->li_fresh = FALSE;

  gtk_text_buffer_get_end_iter (r->buffer, &end);
  offset = gtk_text_iter_get_offset (&end);
  gtk_text_buffer_insert (r->buffer, &end, text, len);

  if (r->tags->len == 0)
    return;

  gtk_text_buffer_get_iter_at_offset (r->buffer, &start, offset);
  gtk_text_buffer_get_end_iter (r->buffer, &end);
  for (guint i = 0; i < r->tags->len; i++)
    gtk_text_buffer_apply_tag (r->buffer, g_ptr_array_index (r->tags, i), &start, &end);
}

static void
push_tag (Renderer   *r,
          GtkTextTag *tag)
{
  g_ptr_array_add (r->tags, tag);
}

static void
pop_tag (Renderer *r)
{
  if (r->tags->len > 0)
    g_ptr_array_set_size (r->tags, r->tags->len - 1);
}

/* A highlighted run of a closed code block's code. */
static void
emit_code_run (const char *text,
               gsize       len,
               GtkTextTag *tag,
               gpointer    user_data)
{
  Renderer *r = user_data;

  if (tag != NULL)
    push_tag (r, tag);
  emit (r, text, len);
  if (tag != NULL)
    pop_tag (r);
}

static void
block_break (Renderer *r,
             guint     n)
{
  if (r->at_start || r->li_fresh)
    return;
  r->pending_breaks = MAX (r->pending_breaks, n);
}

static void
emit_entity (Renderer   *r,
             const char *text,
             gsize       size)
{
  g_autofree char *entity = g_strndup (text, size);
  char utf8[8];
  gunichar ch = 0;

  if (entity[0] == '&' && entity[1] == '#')
    {
      if (entity[2] == 'x' || entity[2] == 'X')
        ch = g_ascii_strtoull (entity + 3, NULL, 16);
      else
        ch = g_ascii_strtoull (entity + 2, NULL, 10);
    }
  else if (strcmp (entity, "&amp;") == 0) ch = '&';
  else if (strcmp (entity, "&lt;") == 0) ch = '<';
  else if (strcmp (entity, "&gt;") == 0) ch = '>';
  else if (strcmp (entity, "&quot;") == 0) ch = '"';
  else if (strcmp (entity, "&apos;") == 0) ch = '\'';
  else if (strcmp (entity, "&nbsp;") == 0) ch = 0xA0;
  else if (strcmp (entity, "&copy;") == 0) ch = 0xA9;
  else if (strcmp (entity, "&mdash;") == 0) ch = 0x2014;
  else if (strcmp (entity, "&ndash;") == 0) ch = 0x2013;
  else if (strcmp (entity, "&hellip;") == 0) ch = 0x2026;

  if (ch == 0 || !g_unichar_validate (ch))
    {
      emit (r, text, size);
      return;
    }

  emit (r, utf8, g_unichar_to_utf8 (ch, utf8));
}

/* The left edge of the text the block being rendered is in (a list item's, a quote's). */
static int
container_margin (Renderer *r)
{
  if (r->list_depth > 0)
    return LIST_MARGIN (MIN (r->list_depth, MAX_LIST_DEPTH));
  return r->quote_depth > 0 ? QUOTE_MARGIN : 0;
}

/* The margins of a widget's line ("block") or of code ("code", inset in its card) in a
 * container whose text starts at @margin. Made once each (a few margins are possible),
 * after the list and quote tags, so their margins win. Every line that starts with a child
 * gets one: GtkTextView 4.8 may give such a line the margins of a line laid out before. */
static GtkTextTag *
margin_tag (Renderer   *r,
            const char *kind,
            int         margin)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (r->buffer);
  g_autofree char *name = g_strdup_printf ("%s@%d", kind, margin);
  GtkTextTag *tag = gtk_text_tag_table_lookup (table, name);
  gboolean code = strcmp (kind, "code") == 0;

  if (tag != NULL)
    return tag;

  tag = gtk_text_tag_new (name);
  g_object_set (tag,
                "left-margin", margin + (code ? CONFAB_MARKDOWN_CODE_PADDING : 0),
                "right-margin", code ? CONFAB_MARKDOWN_CODE_PADDING : 0,
                "indent", 0,
                NULL);
  gtk_text_tag_table_add (table, tag);
  g_object_unref (tag);

  return tag;
}

/* Tags the buffer's last line with @name (a paragraph property: it must start the line). */
static void
tag_last_line (Renderer   *r,
               const char *name)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_end_iter (r->buffer, &end);
  start = end;
  gtk_text_iter_set_line_offset (&start, 0);
  if (!gtk_text_iter_equal (&start, &end))
    gtk_text_buffer_apply_tag (r->buffer, lookup_tag (r, name), &start, &end);
}

/* A closed table: a ConfabMarkdownTable anchored on a line of its own (the one shown for it
 * while it streamed, if the target offers it, updated); too large, its cells as text. */
static void
finish_table (Renderer *r)
{
  g_autoptr(ConfabMarkdownTableCells) cells = g_steal_pointer (&r->table);
  GtkTextChildAnchor *anchor;
  GtkTextIter start, end;
  GtkWidget *table = NULL;
  guint n_rows = confab_markdown_table_cells_get_n_rows (cells);
  guint n_columns = confab_markdown_table_cells_get_n_columns (cells);

  r->in_cell = FALSE;
  if (n_rows == 0 || n_columns == 0)
    return;

  if ((guint64) n_rows * n_columns > CONFAB_MARKDOWN_TABLE_MAX_CELLS)
    {
      g_autofree char *text = confab_markdown_table_cells_dup_text (cells, " \u2502 ");

      push_tag (r, lookup_tag (r, "table"));
      emit (r, text, -1);
      pop_tag (r);
      return;
    }

  flush_breaks (r);
  r->at_start = FALSE;
  r->li_fresh = FALSE;
  gtk_text_buffer_get_end_iter (r->buffer, &end);
  anchor = gtk_text_buffer_create_child_anchor (r->buffer, &end);
  /* In a list or a quote: at its text's margin. */
  gtk_text_buffer_get_iter_at_child_anchor (r->buffer, &start, anchor);
  gtk_text_buffer_get_end_iter (r->buffer, &end);
  gtk_text_buffer_apply_tag (r->buffer, lookup_tag (r, "table-anchor"), &start, &end);
  gtk_text_buffer_apply_tag (r->buffer, margin_tag (r, "block", container_margin (r)), &start, &end);

  if (r->target->tables != NULL && r->target->tables->len > 0)
    {
      table = g_ptr_array_steal_index (r->target->tables, 0);
      if (gtk_widget_get_parent (table) != NULL)
        g_clear_object (&table);
    }
  if (table == NULL)
    table = g_object_ref_sink (confab_markdown_table_new ());

  confab_markdown_table_set_cells (CONFAB_MARKDOWN_TABLE (table), g_steal_pointer (&cells));
  confab_markdown_table_set_indent (CONFAB_MARKDOWN_TABLE (table), container_margin (r));
  confab_markdown_table_set_max_width (CONFAB_MARKDOWN_TABLE (table), r->target->code_width);
  gtk_text_view_add_child_at_anchor (r->target->view, table, anchor);
  g_object_unref (table);
}

static int
enter_block (MD_BLOCKTYPE type,
             void        *detail,
             void        *user_data)
{
  Renderer *r = user_data;

  switch (type)
    {
    case MD_BLOCK_DOC:
      break;

    case MD_BLOCK_QUOTE:
      block_break (r, 2);
      push_tag (r, lookup_tag (r, "quote"));
      r->quote_depth++;
      break;

    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      block_break (r, r->list_depth > 0 ? 1 : 2);
      if (r->list_depth < MAX_LIST_DEPTH)
        {
          ListState *state = &r->lists[r->list_depth];

          state->ordered = type == MD_BLOCK_OL;
          state->next = type == MD_BLOCK_OL ? ((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
        }
      r->list_depth++;
      {
        char name[8] = "list-1";

        name[5] = '0' + MIN (r->list_depth, MAX_LIST_DEPTH);
        push_tag (r, lookup_tag (r, name));
      }
      break;

    case MD_BLOCK_LI:
      {
        MD_BLOCK_LI_DETAIL *li = detail;
        ListState *state = &r->lists[MIN (r->list_depth, MAX_LIST_DEPTH) - 1];
        g_autofree char *bullet = NULL;

        block_break (r, 1);
        if (li->is_task)
          bullet = g_strdup (li->task_mark == ' ' ? "☐ " : "☑ ");
        else if (state->ordered)
          bullet = g_strdup_printf ("%u. ", state->next++);
        else
          bullet = g_strdup (r->list_depth % 2 == 1 ? "• " : "◦ ");
        emit (r, bullet, -1);
        r->li_fresh = TRUE;
      }
      break;

    case MD_BLOCK_HR:
      block_break (r, 2);
      push_tag (r, lookup_tag (r, "rule"));
      emit (r, "\u2015\u2015\u2015\u2015\u2015\u2015", -1);
      pop_tag (r);
      break;

    case MD_BLOCK_H:
      {
        char name[4] = "h1";

        name[1] = '0' + CLAMP (((MD_BLOCK_H_DETAIL *)detail)->level, 1, 6);
        block_break (r, 2);
        push_tag (r, lookup_tag (r, name));
      }
      break;

    case MD_BLOCK_CODE:
      {
        MD_BLOCK_CODE_DETAIL *code = detail;

        block_break (r, 2);
        if (r->full)
          {
            r->code = g_string_new (NULL);
            g_clear_pointer (&r->code_lang, g_free);
            if (code->lang.size > 0)
              r->code_lang = g_strndup (code->lang.text, code->lang.size);
          }
        else
          {
            GtkTextIter end;

            /* Shown as text (still being written): the card's top is its first line. */
            flush_breaks (r);
            gtk_text_buffer_get_end_iter (r->buffer, &end);
            r->code_start = gtk_text_iter_get_offset (&end);
          }
        push_tag (r, lookup_tag (r, "code-block"));
        push_tag (r, margin_tag (r, "code", container_margin (r)));
      }
      break;

    case MD_BLOCK_HTML:
    case MD_BLOCK_P:
      block_break (r, 2);
      break;

    case MD_BLOCK_TABLE:
      block_break (r, 2);
      if (r->table == NULL)
        r->table = confab_markdown_table_cells_new ();
      break;

    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
      break;

    case MD_BLOCK_TR:
      if (r->table != NULL)
        confab_markdown_table_cells_start_row (r->table);
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      if (r->table != NULL)
        {
          MD_ALIGN align = ((MD_BLOCK_TD_DETAIL *)detail)->align;

          confab_markdown_table_cells_start_cell (r->table,
                                                  align == MD_ALIGN_CENTER ? 0.5f :
                                                  align == MD_ALIGN_RIGHT ? 1.0f : 0.0f);
          r->in_cell = TRUE;
        }
      break;

    default:
      break;
    }

  return 0;
}

static int
leave_block (MD_BLOCKTYPE type,
             void        *detail,
             void        *user_data)
{
  Renderer *r = user_data;

  switch (type)
    {
    case MD_BLOCK_QUOTE:
      r->quote_depth--;
      pop_tag (r);
      break;

    case MD_BLOCK_H:
      pop_tag (r);
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      r->in_cell = FALSE;
      break;

    case MD_BLOCK_TABLE:
      finish_table (r);
      break;

    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      r->list_depth--;
      pop_tag (r);
      break;

    case MD_BLOCK_CODE:
      if (r->code != NULL)
        {
          GtkTextIter end;
          GtkTextChildAnchor *anchor;
          GtkTextMark *start_mark, *end_mark;
          GtkWidget *child;

          if (r->code->len > 0 && r->code->str[r->code->len - 1] == '\n')
            g_string_truncate (r->code, r->code->len - 1);

          /* The header on its own line, then the code as highlighted text. */
          flush_breaks (r);
          r->at_start = FALSE;
          gtk_text_buffer_get_end_iter (r->buffer, &end);
          anchor = gtk_text_buffer_create_child_anchor (r->buffer, &end);
          gtk_text_buffer_get_end_iter (r->buffer, &end);
          gtk_text_buffer_insert (r->buffer, &end, "\n", 1);
          {
            GtkTextIter anchor_iter;

            /* The card's first line, at the text's margin (not the code's): the same tags
             * on the whole line, so the code's start on the next line (GtkTextView 4.8
             * gave the code's first line the header line's look when they turned on at
             * the header line's end). */
            gtk_text_buffer_get_iter_at_child_anchor (r->buffer, &anchor_iter, anchor);
            gtk_text_buffer_get_end_iter (r->buffer, &end);
            gtk_text_buffer_apply_tag (r->buffer, lookup_tag (r, "code-block-header"), &anchor_iter, &end);
            gtk_text_buffer_apply_tag (r->buffer, margin_tag (r, "block", container_margin (r)), &anchor_iter, &end);
          }
          gtk_text_buffer_get_end_iter (r->buffer, &end);
          start_mark = gtk_text_buffer_create_mark (r->buffer, NULL, &end, TRUE);
          confab_code_block_highlight (r->code_lang, r->code->str, gtk_text_buffer_get_tag_table (r->buffer),
                                       emit_code_run, r);
          gtk_text_buffer_get_end_iter (r->buffer, &end);
          end_mark = gtk_text_buffer_create_mark (r->buffer, NULL, &end, TRUE);
          tag_last_line (r, "code-block-end");

          child = confab_code_block_new (r->code_lang, start_mark, end_mark);
          confab_code_block_set_indent (child, container_margin (r));
          if (r->target->code_width > 0)
            confab_code_block_set_width (child, r->target->code_width);
          gtk_text_view_add_child_at_anchor (r->target->view, child, anchor);
          g_ptr_array_add (r->target->code_blocks, child);
          g_string_free (g_steal_pointer (&r->code), TRUE);
          g_clear_pointer (&r->code_lang, g_free);
        }
      else if (r->code_start >= 0)
        {
          GtkTextIter start, line_end;

          /* The card's inner space above the first line and below the last. */
          gtk_text_buffer_get_iter_at_offset (r->buffer, &start, r->code_start);
          line_end = start;
          if (!gtk_text_iter_ends_line (&line_end))
            gtk_text_iter_forward_to_line_end (&line_end);
          if (!gtk_text_iter_equal (&start, &line_end))
            gtk_text_buffer_apply_tag (r->buffer, lookup_tag (r, "code-block-start"), &start, &line_end);
          tag_last_line (r, "code-block-end");
          r->code_start = -1;
        }
      pop_tag (r);   /* code@margin */
      pop_tag (r);   /* code-block */
      break;

    default:
      break;
    }

  return 0;
}

/* The style a span gives a table cell's text (as its tag does in paragraphs). */
static ConfabMarkdownStyle
span_style (MD_SPANTYPE type)
{
  switch (type)
    {
    case MD_SPAN_EM: return CONFAB_MARKDOWN_STYLE_ITALIC;
    case MD_SPAN_STRONG: return CONFAB_MARKDOWN_STYLE_BOLD;
    case MD_SPAN_U: return CONFAB_MARKDOWN_STYLE_UNDERLINE;
    case MD_SPAN_DEL: return CONFAB_MARKDOWN_STYLE_STRIKE;
    case MD_SPAN_A:
    case MD_SPAN_IMG: return CONFAB_MARKDOWN_STYLE_LINK;
    default: return CONFAB_MARKDOWN_STYLE_CODE;
    }
}

static void
count_style (Renderer    *r,
             MD_SPANTYPE  type,
             int          delta)
{
  guint bit = g_bit_nth_lsf (span_style (type), -1);

  if (bit < G_N_ELEMENTS (r->styles) && (delta > 0 || r->styles[bit] > 0))
    r->styles[bit] += delta;
}

static int
enter_span (MD_SPANTYPE type,
            void       *detail,
            void       *user_data)
{
  Renderer *r = user_data;

  count_style (r, type, 1);
  if (r->table != NULL)
    {
      /* In a table cell: styled text, no tags, no link kept (the cell is a label). */
      if (type == MD_SPAN_IMG)
        emit (r, "🖼 ", -1);
      return 0;
    }

  switch (type)
    {
    case MD_SPAN_EM:
      push_tag (r, lookup_tag (r, "italic"));
      break;

    case MD_SPAN_STRONG:
      push_tag (r, lookup_tag (r, "bold"));
      break;

    case MD_SPAN_U:
      push_tag (r, lookup_tag (r, "underline"));
      break;

    case MD_SPAN_DEL:
      push_tag (r, lookup_tag (r, "strike"));
      break;

    case MD_SPAN_CODE:
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
      push_tag (r, lookup_tag (r, "code"));
      break;

    case MD_SPAN_A:
    case MD_SPAN_IMG:
      {
        const MD_ATTRIBUTE *href = type == MD_SPAN_A ? &((MD_SPAN_A_DETAIL *)detail)->href
                                                     : &((MD_SPAN_IMG_DETAIL *)detail)->src;
        GtkTextIter end;

        /* The URL is kept beside the text (offsets), not in a tag: the tag table is shared. */
        flush_breaks (r);
        gtk_text_buffer_get_end_iter (r->buffer, &end);
        g_free (r->link_url);
        r->link_url = g_strndup (href->text, href->size);
        r->link_start = gtk_text_iter_get_offset (&end);
        push_tag (r, lookup_tag (r, "link"));
        if (type == MD_SPAN_IMG)
          emit (r, "🖼 ", -1);
      }
      break;

    case MD_SPAN_WIKILINK:
    default:
      push_tag (r, lookup_tag (r, "code"));
      break;
    }

  return 0;
}

static int
leave_span (MD_SPANTYPE type,
            void       *detail,
            void       *user_data)
{
  Renderer *r = user_data;

  count_style (r, type, -1);
  if (r->table != NULL)
    return 0;

  pop_tag (r);
  if ((type == MD_SPAN_A || type == MD_SPAN_IMG) && r->link_url != NULL)
    {
      GtkTextIter end;
      ConfabMarkdownLink link;

      gtk_text_buffer_get_end_iter (r->buffer, &end);
      link.segment = GTK_WIDGET (r->target->view);
      link.start = r->link_start;
      link.end = gtk_text_iter_get_offset (&end);
      link.url = g_steal_pointer (&r->link_url);
      g_array_append_val (r->target->links, link);
    }

  return 0;
}

static int
text_cb (MD_TEXTTYPE    type,
         const MD_CHAR *text,
         MD_SIZE        size,
         void          *user_data)
{
  Renderer *r = user_data;

  if (r->code != NULL)
    {
      g_string_append_len (r->code, text, size);
      return 0;
    }

  switch (type)
    {
    case MD_TEXT_NULLCHAR:
      emit (r, "\xEF\xBF\xBD", 3);
      break;

    case MD_TEXT_BR:
      emit (r, "\n", 1);
      break;

    case MD_TEXT_SOFTBR:
      emit (r, " ", 1);
      break;

    case MD_TEXT_ENTITY:
      emit_entity (r, text, size);
      break;

    case MD_TEXT_CODE:
      /* Inside a code block shown as text (streaming tail): drop the final newline. */
      if (size == 1 && text[0] == '\n')
        {
          r->pending_breaks = MAX (r->pending_breaks, 1);
          break;
        }
      emit (r, text, size);
      break;

    case MD_TEXT_NORMAL:
    case MD_TEXT_HTML:
    case MD_TEXT_LATEXMATH:
    default:
      /* Literal text, never markup: raw HTML from the model shows as typed. */
      emit (r, text, size);
      break;
    }

  return 0;
}

void
confab_markdown_render (ConfabMarkdownTarget *target,
                        const char           *text,
                        gsize                 len,
                        guint                 breaks,
                        gboolean              full,
                        gboolean              plain)
{
  MD_PARSER parser = {
    .abi_version = 0,
    .flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML,
    .enter_block = enter_block,
    .leave_block = leave_block,
    .enter_span = enter_span,
    .leave_span = leave_span,
    .text = text_cb,
  };
  GtkTextBuffer *buffer;
  GtkTextIter end;
  Renderer r = { 0 };

  g_return_if_fail (target != NULL);
  g_return_if_fail (GTK_IS_TEXT_VIEW (target->view));

  if (len == 0)
    return;

  buffer = gtk_text_view_get_buffer (target->view);
  r.target = target;
  r.buffer = buffer;
  r.tags = g_ptr_array_new ();
  r.full = full;
  r.at_start = TRUE;
  r.code_start = -1;

  /* Separate from what is already there. */
  gtk_text_buffer_get_end_iter (buffer, &end);
  if (!gtk_text_iter_is_start (&end))
    r.pending_breaks = breaks;

  if (plain)
    emit (&r, text, len);
  else if (md_parse (text, len, &parser, &r) != 0)
    {
      /* Never lose text: show it as it came. */
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, text, len);
    }

  if (r.code != NULL)
    g_string_free (r.code, TRUE);
  g_clear_pointer (&r.table, confab_markdown_table_cells_free);
  g_free (r.code_lang);
  g_free (r.link_url);
  g_ptr_array_unref (r.tags);
}
