/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-markdown-view"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <md4c.h>

#include "confab-markdown-view.h"

/* The open trailing block is re-rendered with md4c while it is at most this long; longer,
 * it grows as plain text until it completes, so a frame never costs more than this. */
#define TAIL_RENDER_LIMIT 4096
#define MAX_LIST_DEPTH 6
/* Completed blocks go into text views ("segments") of about this many source bytes: only
 * the last segment changes while text streams, so GTK re-measures and re-snapshots only
 * it (the others keep their cached render nodes), whatever the length of the message. */
#define SEGMENT_BYTES 8192
/* At most this much new text is laid out per frame while streaming; a burst larger than
 * that (a fast provider, a stalled main loop) is spread over the next frames. */
#define FRAME_BUDGET_BYTES (16 * 1024)

typedef struct
{
  GtkWidget *segment;
  int        start;
  int        end;
  char      *url;
} Link;

static GtkTextTagTable *shared_tags;

/* A text view of the Markdown view: its code children must not force the row wider. */
#define CONFAB_TYPE_MARKDOWN_SEGMENT (confab_markdown_segment_get_type ())
G_DECLARE_FINAL_TYPE (ConfabMarkdownSegment, confab_markdown_segment, CONFAB, MARKDOWN_SEGMENT, GtkTextView)

struct _ConfabMarkdownSegment
{
  GtkTextView parent_instance;

  guint       resize_idle;
};

G_DEFINE_FINAL_TYPE (ConfabMarkdownSegment, confab_markdown_segment, GTK_TYPE_TEXT_VIEW)

static void
confab_markdown_segment_measure (GtkWidget      *widget,
                                 GtkOrientation  orientation,
                                 int             for_size,
                                 int            *minimum,
                                 int            *natural,
                                 int            *minimum_baseline,
                                 int            *natural_baseline)
{
  GTK_WIDGET_CLASS (confab_markdown_segment_parent_class)->measure (widget, orientation, for_size,
                                                                    minimum, natural,
                                                                    minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN (*minimum, 80);
      return;
    }

  /* GtkTextView (GTK 4.8) adds the tallest anchored child to the height of its lines, but
   * the lines already hold the child: a code block would leave that much empty space under
   * the text. Take it back off so the segment is as tall as its lines. */
  {
    int child_min = 0, child_nat = 0;

    for (GtkWidget *child = gtk_widget_get_first_child (widget);
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      {
        int min = 0, nat = 0;

        if (g_object_get_data (G_OBJECT (child), "confab-source-view") == NULL)
          continue;

        gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, for_size, &min, &nat, NULL, NULL);
        child_min = MAX (child_min, min);
        child_nat = MAX (child_nat, nat);
      }

    *minimum = MAX (0, *minimum - child_min);
    *natural = MAX (*minimum, *natural - child_nat);
  }
}

static gboolean
segment_queue_resize (gpointer user_data)
{
  ConfabMarkdownSegment *self = user_data;

  self->resize_idle = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));

  return G_SOURCE_REMOVE;
}

static void
confab_markdown_segment_size_allocate (GtkWidget *widget,
                                       int        width,
                                       int        height,
                                       int        baseline)
{
  ConfabMarkdownSegment *self = CONFAB_MARKDOWN_SEGMENT (widget);
  int before = 0, after = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &before, NULL, NULL, NULL);
  GTK_WIDGET_CLASS (confab_markdown_segment_parent_class)->size_allocate (widget, width, height, baseline);

  /* Allocating lays out the lines at the new width (and the code blocks' lines at their new
   * size), which changes the height the text view asks for; the resize it queues meanwhile
   * is lost, as it comes during the allocation. Queue it again once this layout is done, or
   * the segment keeps a stale height (empty space under the text, or text cut off). */
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &after, NULL, NULL, NULL);
  if (after != before && self->resize_idle == 0)
    self->resize_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, segment_queue_resize, self, NULL);
}

static void
confab_markdown_segment_dispose (GObject *object)
{
  ConfabMarkdownSegment *self = CONFAB_MARKDOWN_SEGMENT (object);

  g_clear_handle_id (&self->resize_idle, g_source_remove);

  G_OBJECT_CLASS (confab_markdown_segment_parent_class)->dispose (object);
}

static void
confab_markdown_segment_class_init (ConfabMarkdownSegmentClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_markdown_segment_dispose;
  GTK_WIDGET_CLASS (klass)->measure = confab_markdown_segment_measure;
  GTK_WIDGET_CLASS (klass)->size_allocate = confab_markdown_segment_size_allocate;
}

static void
confab_markdown_segment_init (ConfabMarkdownSegment *self)
{
}

struct _ConfabMarkdownView
{
  GtkWidget    parent_instance;

  /* ConfabMarkdownSegment children, in order; @current is the last. */
  GPtrArray   *segments;
  GtkWidget   *current;
  /* Source offset where @current's blocks start. */
  gsize        segment_start;
  GArray      *links;         /* Link */

  GString     *source;
  /* Bytes of @source rendered as completed blocks (before tail_mark in the buffer). */
  gsize        committed;
  /* Bytes of @source whose lines were scanned for block structure. */
  gsize        scanned;
  /* A blank line outside a fence ended here; commit up to it when a new block starts. */
  gsize        boundary;
  /* Bytes of the tail shown as plain text after the last tail rendering (0: rendered). */
  gsize        tail_plain_from;
  gboolean     in_fence;
  char         fence_char;
  guint        fence_len;

  GtkTextMark *tail_mark;
  GPtrArray   *code_blocks;
  /* The width code blocks are given (the text width), and the idle that applies it. */
  int          code_width;
  guint        code_width_idle;

  guint        tick_id;
  guint        dirty : 1;
  guint        plain : 1;
  guint        streaming : 1;
  guint        hovering_link : 1;
};

G_DEFINE_FINAL_TYPE (ConfabMarkdownView, confab_markdown_view, GTK_TYPE_WIDGET)

static void add_segment (ConfabMarkdownView *self);

static GtkTextBuffer *
current_buffer (ConfabMarkdownView *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->current));
}

enum {
  PROP_0,
  PROP_PLAIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------------------------- */
/* Code blocks                                                                              */

static const struct {
  const char *alias;
  const char *id;
} language_aliases[] = {
  { "py", "python3" }, { "python", "python3" }, { "js", "js" }, { "javascript", "js" },
  { "ts", "typescript" }, { "sh", "sh" }, { "bash", "sh" }, { "shell", "sh" }, { "zsh", "sh" },
  { "console", "sh" }, { "c++", "cpp" }, { "cxx", "cpp" }, { "h", "c" }, { "rs", "rust" },
  { "yml", "yaml" }, { "md", "markdown" }, { "html", "html" }, { "xml", "xml" },
  { "json", "json" }, { "jsonc", "json" }, { "rb", "ruby" }, { "cs", "c-sharp" },
  { "csharp", "c-sharp" }, { "kt", "kotlin" }, { "diff", "diff" }, { "patch", "diff" },
  { "dockerfile", "docker" }, { "make", "makefile" }, { "golang", "go" },
};

static GtkSourceLanguage *
lookup_language (const char *lang)
{
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  g_autofree char *lower = NULL;
  GtkSourceLanguage *language;

  if (lang == NULL || *lang == '\0')
    return NULL;

  lower = g_ascii_strdown (lang, -1);
  for (guint i = 0; i < G_N_ELEMENTS (language_aliases); i++)
    if (strcmp (lower, language_aliases[i].alias) == 0)
      {
        language = gtk_source_language_manager_get_language (manager, language_aliases[i].id);
        if (language != NULL)
          return language;
      }

  return gtk_source_language_manager_get_language (manager, lower);
}

static void
update_scheme (GtkSourceBuffer *buffer)
{
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "Adwaita-dark" : "Adwaita");
  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "classic-dark" : "classic");
  gtk_source_buffer_set_style_scheme (buffer, scheme);
}

static void
on_dark_changed (AdwStyleManager *manager,
                 GParamSpec      *pspec,
                 GtkSourceBuffer *buffer)
{
  update_scheme (buffer);
}

static void
copy_code_clicked (GtkButton *button,
                   GtkWidget *source_view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view));
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);
  gtk_button_set_icon_name (button, "object-select-symbolic");
}

static GtkWidget *
create_code_block (const char *lang,
                   const char *code)
{
  GtkSourceLanguage *language = lookup_language (lang);
  g_autoptr(GtkSourceBuffer) buffer = NULL;
  GtkWidget *frame, *box, *header, *label, *copy, *view, *scroller;

  buffer = gtk_source_buffer_new (NULL);
  gtk_source_buffer_set_language (buffer, language);
  gtk_source_buffer_set_highlight_syntax (buffer, language != NULL);
  update_scheme (buffer);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), buffer, 0);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), code, -1);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (box, "code-block");

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (header, "code-block-header");
  label = gtk_label_new (NULL);
  gtk_label_set_text (GTK_LABEL (label),
                      language != NULL ? gtk_source_language_get_name (language)
                                       : (lang != NULL && *lang != '\0' ? lang : _("Code")));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (header), label);

  view = gtk_source_view_new_with_buffer (buffer);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Code"),
                                  -1);

  copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  gtk_widget_add_css_class (copy, "flat");
  gtk_widget_set_tooltip_text (copy, _("Copy Code"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (copy),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy code"),
                                  -1);
  g_signal_connect (copy, "clicked", G_CALLBACK (copy_code_clicked), view);
  gtk_box_append (GTK_BOX (header), copy);
  gtk_box_append (GTK_BOX (box), header);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_box_append (GTK_BOX (box), scroller);

  frame = box;
  g_object_set_data (G_OBJECT (frame), "confab-source-view", view);

  return frame;
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
  ConfabMarkdownView *self;
  GtkTextBuffer      *buffer;
  GPtrArray          *tags;          /* active tags, a stack */
  guint               pending_breaks;
  gboolean            at_start;      /* nothing emitted yet in this render */
  gboolean            full;          /* code blocks as widgets (else as tagged text) */
  ListState           lists[MAX_LIST_DEPTH];
  int                 list_depth;
  gboolean            li_fresh;      /* just wrote a bullet: the item's paragraph follows */
  guint               cell_index;
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
        push_tag (r, lookup_tag (r, "code-block"));
      }
      break;

    case MD_BLOCK_HTML:
    case MD_BLOCK_P:
      block_break (r, 2);
      break;

    case MD_BLOCK_TABLE:
      block_break (r, 2);
      push_tag (r, lookup_tag (r, "table"));
      break;

    case MD_BLOCK_THEAD:
      push_tag (r, lookup_tag (r, "bold"));
      break;

    case MD_BLOCK_TBODY:
      break;

    case MD_BLOCK_TR:
      block_break (r, 1);
      r->cell_index = 0;
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      if (r->cell_index++ > 0)
        emit (r, " \u2502 ", -1);
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
    case MD_BLOCK_H:
    case MD_BLOCK_TABLE:
    case MD_BLOCK_THEAD:
      pop_tag (r);
      break;

    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      r->list_depth--;
      pop_tag (r);
      break;

    case MD_BLOCK_CODE:
      pop_tag (r);
      if (r->code != NULL)
        {
          GtkTextIter end;
          GtkTextChildAnchor *anchor;
          GtkWidget *child;

          if (r->code->len > 0 && r->code->str[r->code->len - 1] == '\n')
            g_string_truncate (r->code, r->code->len - 1);

          flush_breaks (r);
          r->at_start = FALSE;
          gtk_text_buffer_get_end_iter (r->buffer, &end);
          anchor = gtk_text_buffer_create_child_anchor (r->buffer, &end);
          child = create_code_block (r->code_lang, r->code->str);
          if (r->self->code_width > 0)
            gtk_widget_set_size_request (child, r->self->code_width, -1);
          gtk_text_view_add_child_at_anchor (GTK_TEXT_VIEW (r->self->current), child, anchor);
          g_ptr_array_add (r->self->code_blocks, child);
          g_string_free (g_steal_pointer (&r->code), TRUE);
          g_clear_pointer (&r->code_lang, g_free);
        }
      break;

    default:
      break;
    }

  return 0;
}

static int
enter_span (MD_SPANTYPE type,
            void       *detail,
            void       *user_data)
{
  Renderer *r = user_data;

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

  pop_tag (r);
  if ((type == MD_SPAN_A || type == MD_SPAN_IMG) && r->link_url != NULL)
    {
      GtkTextIter end;
      Link link;

      gtk_text_buffer_get_end_iter (r->buffer, &end);
      link.segment = r->self->current;
      link.start = r->link_start;
      link.end = gtk_text_iter_get_offset (&end);
      link.url = g_steal_pointer (&r->link_url);
      g_array_append_val (r->self->links, link);
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

static void
render_markdown (ConfabMarkdownView *self,
                 const char         *text,
                 gsize               len,
                 gboolean            full)
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
  GtkTextBuffer *buffer = current_buffer (self);
  GtkTextIter end;
  Renderer r = { 0 };

  if (len == 0)
    return;

  r.self = self;
  r.buffer = buffer;
  r.tags = g_ptr_array_new ();
  r.full = full;
  r.at_start = TRUE;

  /* Separate from what is already there. */
  gtk_text_buffer_get_end_iter (buffer, &end);
  if (!gtk_text_iter_is_start (&end))
    r.pending_breaks = 2;

  if (self->plain)
    emit (&r, text, len);
  else if (md_parse (text, len, &parser, &r) != 0)
    {
      /* Never lose text: show it as it came. */
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, text, len);
    }

  if (r.code != NULL)
    g_string_free (r.code, TRUE);
  g_free (r.code_lang);
  g_free (r.link_url);
  g_ptr_array_unref (r.tags);
}

/* ---------------------------------------------------------------------------------------- */
/* Incremental rendering                                                                    */

static void
link_clear (Link *link)
{
  g_clear_pointer (&link->url, g_free);
}

static void
delete_tail (ConfabMarkdownView *self)
{
  GtkTextBuffer *buffer = current_buffer (self);
  GtkTextIter start, end;
  int tail_offset;

  gtk_text_buffer_get_iter_at_mark (buffer, &start, self->tail_mark);
  tail_offset = gtk_text_iter_get_offset (&start);
  while (self->links->len > 0)
    {
      Link *last = &g_array_index (self->links, Link, self->links->len - 1);

      if (last->segment != self->current || last->start < tail_offset)
        break;
      g_array_set_size (self->links, self->links->len - 1);
    }

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (!gtk_text_iter_equal (&start, &end))
    gtk_text_buffer_delete (buffer, &start, &end);
}

static void
move_tail_mark_to_end (ConfabMarkdownView *self)
{
  GtkTextBuffer *buffer = current_buffer (self);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_move_mark (buffer, self->tail_mark, &end);
}

/* Renders source[committed, upto) as completed blocks in place of the tail. */
static void
commit (ConfabMarkdownView *self,
        gsize               upto)
{
  if (upto <= self->committed)
    return;

  delete_tail (self);
  if (self->committed - self->segment_start >= SEGMENT_BYTES)
    add_segment (self);
  render_markdown (self, self->source->str + self->committed, upto - self->committed, TRUE);
  move_tail_mark_to_end (self);
  self->committed = upto;
  self->tail_plain_from = 0;
}

static gboolean
line_is_blank (const char *line,
               gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (line[i]))
      return FALSE;
  return TRUE;
}

/* Whether @line opens (or closes, with @fence_char set) a code fence. */
static gboolean
line_is_fence (const char *line,
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

  /* A closing fence carries nothing after it. */
  if (fence_char != 0 && !line_is_blank (line + i, len - i))
    return FALSE;

  if (out_char != NULL)
    *out_char = c;
  if (out_len != NULL)
    *out_len = n;
  return TRUE;
}

/* Looks at the complete lines appended since the last scan (O(new bytes)) and commits the
 * blocks they complete. */
static gboolean
scan_lines (ConfabMarkdownView *self,
            gsize               budget)
{
  const char *str = self->source->str;
  gsize start = self->scanned;

  for (;;)
    {
      const char *line = str + self->scanned;

      if (budget > 0 && self->scanned - start >= budget)
        return TRUE;   /* more next frame */

      const char *nl = memchr (line, '\n', self->source->len - self->scanned);
      gsize len;

      if (nl == NULL)
        break;

      len = nl - line;

      if (self->in_fence)
        {
          if (line_is_fence (line, len, self->fence_char, self->fence_len, NULL, NULL))
            self->in_fence = FALSE;
        }
      else if (line_is_blank (line, len))
        {
          self->boundary = self->scanned + len + 1;
        }
      else
        {
          /* A line at column 0 after a blank line starts a new block: the previous one is
           * complete. An indented one may continue a list item. */
          if (self->boundary > 0)
            {
              if (line[0] != ' ' && line[0] != '\t')
                commit (self, self->boundary);
              self->boundary = 0;
            }

          if (line_is_fence (line, len, 0, 0, &self->fence_char, &self->fence_len))
            self->in_fence = TRUE;
        }

      self->scanned += len + 1;
    }

  return FALSE;
}

static void
render_tail (ConfabMarkdownView *self)
{
  GtkTextBuffer *buffer = current_buffer (self);
  gsize tail_len = self->source->len - self->committed;
  GtkTextIter end;

  if (self->plain)
    {
      /* Plain text: the tail is the text itself, appended as it comes. */
      gsize from = self->committed + self->tail_plain_from;

      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, self->source->str + from, self->source->len - from);
      self->tail_plain_from = tail_len;
      return;
    }

  if (tail_len <= TAIL_RENDER_LIMIT || self->tail_plain_from == 0)
    {
      delete_tail (self);
      render_markdown (self, self->source->str + self->committed, tail_len, FALSE);
      self->tail_plain_from = tail_len > TAIL_RENDER_LIMIT ? tail_len : 0;
    }
  else
    {
      /* A long open block: grow it as plain text until it completes. */
      gsize from = self->committed + self->tail_plain_from;
      GtkTextIter start;
      int offset;

      gtk_text_buffer_get_end_iter (buffer, &end);
      offset = gtk_text_iter_get_offset (&end);
      gtk_text_buffer_insert (buffer, &end, self->source->str + from, self->source->len - from);
      if (self->in_fence)
        {
          gtk_text_buffer_get_iter_at_offset (buffer, &start, offset);
          gtk_text_buffer_get_end_iter (buffer, &end);
          gtk_text_buffer_apply_tag_by_name (buffer, "code-block", &start, &end);
        }
      self->tail_plain_from = tail_len;
    }
}

static void schedule_render (ConfabMarkdownView *self);

static void
render_pending (ConfabMarkdownView *self)
{
  if (!self->dirty)
    return;

  self->dirty = FALSE;

  if (self->plain)
    {
      render_tail (self);
      return;
    }

  if (!self->streaming)
    {
      scan_lines (self, 0);
      commit (self, self->source->len);
      return;
    }

  if (scan_lines (self, FRAME_BUDGET_BYTES))
    {
      /* The open block is shown once the burst is laid out. */
      schedule_render (self);
      return;
    }

  render_tail (self);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (widget);

  self->tick_id = 0;
  render_pending (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_render (ConfabMarkdownView *self)
{
  self->dirty = TRUE;

  if (self->tick_id != 0)
    return;

  if (gtk_widget_get_realized (GTK_WIDGET (self)))
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
  /* Unrealized: rendered on realize. */
}

static void
clear_all (ConfabMarkdownView *self)
{
  GtkTextBuffer *buffer;

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }

  g_string_truncate (self->source, 0);
  self->committed = 0;
  self->scanned = 0;
  self->boundary = 0;
  self->tail_plain_from = 0;
  self->in_fence = FALSE;
  self->fence_char = 0;
  self->fence_len = 0;
  self->dirty = FALSE;

  /* Back to one empty segment (kept: rows are rebound often). */
  while (self->segments->len > 1)
    {
      GtkWidget *segment = g_ptr_array_steal_index (self->segments, self->segments->len - 1);

      gtk_widget_unparent (segment);
      g_object_unref (segment);
    }
  self->current = g_ptr_array_index (self->segments, 0);
  self->segment_start = 0;
  buffer = current_buffer (self);
  self->tail_mark = gtk_text_buffer_get_mark (buffer, "confab-tail");
  g_array_set_size (self->links, 0);

  gtk_text_buffer_set_text (buffer, "", 0);
  g_ptr_array_set_size (self->code_blocks, 0);
  move_tail_mark_to_end (self);
}

/* ---------------------------------------------------------------------------------------- */
/* Links                                                                                    */

static const char *
url_at (ConfabMarkdownView *self,
        GtkWidget          *segment,
        double              x,
        double              y)
{
  GtkTextIter iter;
  int bx, by, offset;

  gtk_text_view_window_to_buffer_coords (GTK_TEXT_VIEW (segment), GTK_TEXT_WINDOW_WIDGET,
                                         x, y, &bx, &by);
  if (!gtk_text_view_get_iter_at_location (GTK_TEXT_VIEW (segment), &iter, bx, by))
    return NULL;

  offset = gtk_text_iter_get_offset (&iter);
  for (guint i = 0; i < self->links->len; i++)
    {
      const Link *link = &g_array_index (self->links, Link, i);

      if (link->segment == segment && offset >= link->start && offset < link->end)
        return link->url;
    }

  return NULL;
}

static void
open_url (GtkWidget  *widget,
          const char *url)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://") &&
      !g_str_has_prefix (url, "mailto:"))
    {
      g_debug ("Not opening a link that is not web or mail");
      return;
    }

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (url);

    gtk_uri_launcher_launch (launcher, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                             NULL, NULL, NULL);
  }
#else
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, GDK_CURRENT_TIME);
#endif
}

static void
click_released (GtkGestureClick    *gesture,
                int                 n_press,
                double              x,
                double              y,
                ConfabMarkdownView *self)
{
  GtkWidget *segment = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (segment));
  GtkTextIter start, end;
  const char *url;

  if (gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)) > 1)
    return;

  /* A drag that selected text is not a click. */
  gtk_text_buffer_get_selection_bounds (buffer, &start, &end);
  if (gtk_text_iter_get_offset (&start) != gtk_text_iter_get_offset (&end))
    return;

  url = url_at (self, segment, x, y);
  if (url != NULL)
    open_url (GTK_WIDGET (self), url);
}

static void
motion (GtkEventControllerMotion *controller,
        double                    x,
        double                    y,
        ConfabMarkdownView       *self)
{
  GtkWidget *segment = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  gboolean hovering = url_at (self, segment, x, y) != NULL;

  if (hovering == self->hovering_link)
    return;

  self->hovering_link = hovering;
  gtk_widget_set_cursor_from_name (segment, hovering ? "pointer" : "text");
}

/* ---------------------------------------------------------------------------------------- */

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
  add_tag ("code-block",
           "family", "monospace",
           "paragraph-background-rgba", &(GdkRGBA) { 0.5, 0.5, 0.5, 0.12 },
           "left-margin", 12,
           NULL);
  add_tag ("quote",
           "left-margin", 24,
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
               "left-margin", 8 + 20 * (int)(i + 1),
               "indent", -14,
               NULL);
    }
}

static void
add_segment (ConfabMarkdownView *self)
{
  g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (shared_tags);
  GtkEventController *controller;
  GtkWidget *segment;
  GtkTextIter end;

  segment = g_object_new (CONFAB_TYPE_MARKDOWN_SEGMENT,
                          "buffer", buffer,
                          "editable", FALSE,
                          "cursor-visible", FALSE,
                          "wrap-mode", GTK_WRAP_WORD_CHAR,
                          "pixels-below-lines", 2,
                          NULL);
  gtk_widget_add_css_class (segment, "markdown");
  if (self->segments->len > 0)
    gtk_widget_set_margin_top (segment, 12);

  gtk_text_buffer_get_end_iter (buffer, &end);
  self->tail_mark = gtk_text_buffer_create_mark (buffer, "confab-tail", &end, TRUE);

  controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  g_signal_connect (controller, "released", G_CALLBACK (click_released), self);
  gtk_widget_add_controller (segment, controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion), self);
  gtk_widget_add_controller (segment, controller);

  gtk_widget_insert_before (segment, GTK_WIDGET (self), NULL);
  g_ptr_array_add (self->segments, g_object_ref (segment));
  self->current = segment;
  self->segment_start = self->committed;
}

static void
confab_markdown_view_realize (GtkWidget *widget)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (widget);

  GTK_WIDGET_CLASS (confab_markdown_view_parent_class)->realize (widget);

  if (self->dirty)
    render_pending (self);
}

static gboolean
apply_code_width (gpointer user_data)
{
  ConfabMarkdownView *self = user_data;

  self->code_width_idle = 0;
  for (guint i = 0; i < self->code_blocks->len; i++)
    {
      GtkWidget *child = g_ptr_array_index (self->code_blocks, i);
      int current;

      gtk_widget_get_size_request (child, &current, NULL);
      if (current != self->code_width)
        gtk_widget_set_size_request (child, self->code_width, -1);
    }

  return G_SOURCE_REMOVE;
}

static void
confab_markdown_view_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (widget);
  int target;

  /* Code blocks span the text width. Their size is changed after this allocation, never
   * during it: a resize queued while the list lays out is lost. */
  target = width - gtk_text_view_get_left_margin (GTK_TEXT_VIEW (self->current))
                 - gtk_text_view_get_right_margin (GTK_TEXT_VIEW (self->current)) - 4;
  target = MAX (target, 40);

  if (target != self->code_width)
    {
      self->code_width = target;
      if (self->code_blocks->len > 0 && self->code_width_idle == 0)
        self->code_width_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_code_width, self, NULL);
    }

  /* The segments, stacked. */
  {
    int y = 0;

    for (GtkWidget *child = gtk_widget_get_first_child (widget);
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      {
        int child_height = 0;

        if (!gtk_widget_should_layout (child))
          continue;

        gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &child_height, NULL, NULL, NULL);
        gtk_widget_size_allocate (child, &(GtkAllocation) { 0, y, width, child_height }, -1);
        y += child_height;
      }
  }
}

static void
confab_markdown_view_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  *minimum = *natural = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min = 0, child_nat = 0;

      if (!gtk_widget_should_layout (child))
        continue;

      gtk_widget_measure (child, orientation, for_size, &child_min, &child_nat, NULL, NULL);
      if (orientation == GTK_ORIENTATION_VERTICAL)
        {
          *minimum += child_min;
          *natural += child_nat;
        }
      else
        {
          *minimum = MAX (*minimum, child_min);
          *natural = MAX (*natural, child_nat);
        }
    }
}

static void
confab_markdown_view_dispose (GObject *object)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_ptr_array_set_size (self->code_blocks, 0);
  g_clear_handle_id (&self->code_width_idle, g_source_remove);
  if (self->segments != NULL)
    {
      for (guint i = 0; i < self->segments->len; i++)
        gtk_widget_unparent (g_ptr_array_index (self->segments, i));
      g_ptr_array_set_size (self->segments, 0);
    }
  self->current = NULL;

  G_OBJECT_CLASS (confab_markdown_view_parent_class)->dispose (object);
}

static void
confab_markdown_view_finalize (GObject *object)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  g_string_free (self->source, TRUE);
  g_ptr_array_unref (self->code_blocks);
  g_ptr_array_unref (self->segments);
  g_array_unref (self->links);

  G_OBJECT_CLASS (confab_markdown_view_parent_class)->finalize (object);
}

static void
confab_markdown_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLAIN:
      g_value_set_boolean (value, self->plain);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLAIN:
      confab_markdown_view_set_plain (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_view_class_init (ConfabMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_markdown_view_dispose;
  object_class->finalize = confab_markdown_view_finalize;
  object_class->get_property = confab_markdown_view_get_property;
  object_class->set_property = confab_markdown_view_set_property;

  widget_class->realize = confab_markdown_view_realize;
  widget_class->size_allocate = confab_markdown_view_size_allocate;
  widget_class->measure = confab_markdown_view_measure;

  properties[PROP_PLAIN] =
    g_param_spec_boolean ("plain", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "markdownview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  create_shared_tags ();
}

static void
confab_markdown_view_init (ConfabMarkdownView *self)
{
  self->source = g_string_new (NULL);
  self->code_blocks = g_ptr_array_new ();
  self->segments = g_ptr_array_new_with_free_func (g_object_unref);
  self->links = g_array_new (FALSE, FALSE, sizeof (Link));
  g_array_set_clear_func (self->links, (GDestroyNotify) link_clear);

  add_segment (self);
}

GtkWidget *
confab_markdown_view_new (void)
{
  return g_object_new (CONFAB_TYPE_MARKDOWN_VIEW, NULL);
}

gboolean
confab_markdown_view_get_plain (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), FALSE);
  return self->plain;
}

void
confab_markdown_view_set_plain (ConfabMarkdownView *self,
                                gboolean            plain)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  plain = !!plain;
  if (self->plain == plain)
    return;

  self->plain = plain;
  text = g_strdup (self->source->str);
  confab_markdown_view_set_text (self, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAIN]);
}

void
confab_markdown_view_set_text (ConfabMarkdownView *self,
                               const char         *text)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  clear_all (self);
  self->streaming = FALSE;
  if (text == NULL || *text == '\0')
    return;

  g_string_append (self->source, text);
  self->dirty = TRUE;
  render_pending (self);
}

void
confab_markdown_view_append_text (ConfabMarkdownView *self,
                                  const char         *text,
                                  gssize              len)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  if (text == NULL)
    return;
  if (len < 0)
    len = strlen (text);
  if (len == 0)
    return;

  self->streaming = TRUE;
  g_string_append_len (self->source, text, len);
  schedule_render (self);
}

void
confab_markdown_view_finish (ConfabMarkdownView *self)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  if (!self->streaming)
    return;

  self->streaming = FALSE;
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }

  /* The tail was shown while streaming; render it as a complete block now. */
  if (!self->plain)
    {
      delete_tail (self);
      self->tail_plain_from = 0;
    }
  self->dirty = TRUE;
  render_pending (self);
}

void
confab_markdown_view_flush (ConfabMarkdownView *self)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  /* Everything now, whatever the frame budget. */
  do
    {
      if (self->tick_id != 0)
        {
          gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
          self->tick_id = 0;
        }
      render_pending (self);
    }
  while (self->dirty);
}

const char *
confab_markdown_view_get_source (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), NULL);
  return self->source->str;
}

char *
confab_markdown_view_dup_display_text (ConfabMarkdownView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter iter;
  GString *out;

  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), NULL);

  out = g_string_new (NULL);

  for (guint seg = 0; seg < self->segments->len; seg++)
  {
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (g_ptr_array_index (self->segments, seg)));
  gtk_text_buffer_get_start_iter (buffer, &iter);
  /* Segments are separate blocks, as if a blank line were between them. */
  if (seg > 0 && !gtk_text_iter_is_end (&iter))
    g_string_append (out, "\n\n");

  while (!gtk_text_iter_is_end (&iter))
    {
      GtkTextChildAnchor *anchor = gtk_text_iter_get_child_anchor (&iter);

      if (anchor != NULL)
        {
          guint n_widgets = 0;
          g_autofree GtkWidget **widgets = gtk_text_child_anchor_get_widgets (anchor, &n_widgets);

          for (guint i = 0; i < n_widgets; i++)
            {
              GtkWidget *view = g_object_get_data (G_OBJECT (widgets[i]), "confab-source-view");
              GtkTextIter s, e;
              g_autofree char *code = NULL;

              if (view == NULL)
                continue;
              gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), &s, &e);
              code = gtk_text_iter_get_text (&s, &e);
              g_string_append (out, code);
            }
        }
      else
        g_string_append_unichar (out, gtk_text_iter_get_char (&iter));

      gtk_text_iter_forward_char (&iter);
    }
  }

  return g_string_free (out, FALSE);
}

guint
confab_markdown_view_get_n_code_blocks (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), 0);
  return self->code_blocks->len;
}

guint
confab_markdown_view_get_n_segments (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), 0);
  return self->segments->len;
}

GtkTextView *
confab_markdown_view_get_segment (ConfabMarkdownView *self,
                                  guint               index)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), NULL);
  g_return_val_if_fail (index < self->segments->len, NULL);
  return g_ptr_array_index (self->segments, index);
}

gboolean
confab_markdown_view_get_pending (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), FALSE);
  return self->dirty;
}
