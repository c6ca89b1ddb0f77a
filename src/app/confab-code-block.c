/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-code-block"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "confab-code-block.h"

/* A closed code block of an answer is text in the answer's own buffer: the code, tagged
 * "code-block" and highlighted with shared tags (one per colour and weight the style scheme
 * gives, in the Markdown tag table), after a small header widget (language, Copy) anchored
 * on the line above it. Nothing per block but the header stays alive: the code is
 * highlighted by a GtkSourceBuffer per language kept for that, off screen, and its tags are
 * copied. A full GtkSourceView per block costs about 200 KB (its buffer, highlighting
 * engine, signal closures, and the laid-out lines and render nodes it caches), so an answer
 * with hundreds of blocks would keep tens of MB alive. */

#define SYNTAX_TAG_PREFIX "confab-syntax:"

struct _ConfabCodeBlock
{
  GtkWidget          parent_instance;

  GtkWidget         *header;
  GtkWidget         *copy;
  /* The code in the answer's buffer, between these marks. */
  GtkTextMark       *start;
  GtkTextMark       *end;
  GtkSourceLanguage *language;
  char              *lang;
  int                indent;
};

/* The height of a header (all are alike), once one was measured. */
static int header_height = -1;

G_DEFINE_FINAL_TYPE (ConfabCodeBlock, confab_code_block, GTK_TYPE_WIDGET)

/* The syntax tags made so far, in every tag table (a few dozen at most). */
static GPtrArray *syntax_tags;

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

static GtkSourceStyleScheme *
current_scheme (void)
{
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "Adwaita-dark" : "Adwaita");
  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "classic-dark" : "classic");
  return scheme;
}

/* ---------------------------------------------------------------------------------------- */
/* Highlighting off screen                                                                  */

/* A buffer per language, kept (the parsed definitions live as long as a buffer uses them). */
static GHashTable *highlighters;

static GtkSourceBuffer *
get_highlighter (GtkSourceLanguage *language)
{
  GtkSourceBuffer *buffer;
  GtkSourceStyleScheme *scheme = current_scheme ();

  if (highlighters == NULL)
    highlighters = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);

  buffer = g_hash_table_lookup (highlighters, gtk_source_language_get_id (language));
  if (buffer == NULL)
    {
      buffer = gtk_source_buffer_new_with_language (language);
      gtk_source_buffer_set_highlight_syntax (buffer, TRUE);
      gtk_text_buffer_set_enable_undo (GTK_TEXT_BUFFER (buffer), FALSE);
      g_hash_table_insert (highlighters, (gpointer) gtk_source_language_get_id (language), buffer);
    }
  if (gtk_source_buffer_get_style_scheme (buffer) != scheme)
    gtk_source_buffer_set_style_scheme (buffer, scheme);

  return buffer;
}

/* The look the highlighting tags at @iter give (the later, higher priority ones win), as a
 * shared tag of @table with only those properties; NULL if they give none. */
static GtkTextTag *
syntax_tag_at (const GtkTextIter *iter,
               GtkTextTagTable   *table)
{
  g_autoptr(GSList) tags = gtk_text_iter_get_tags (iter);
  g_autoptr(GString) key = g_string_new (SYNTAX_TAG_PREFIX);
  GdkRGBA *foreground = NULL, *background = NULL;
  int weight = -1, style = -1, underline = -1, strikethrough = -1;
  GtkTextTag *tag;

  for (GSList *l = tags; l != NULL; l = l->next)
    {
      gboolean fg_set, bg_set, weight_set, style_set, underline_set, strike_set;
      GdkRGBA *fg = NULL, *bg = NULL;
      int w, st, u;
      gboolean strike;

      g_object_get (l->data,
                    "foreground-set", &fg_set, "background-set", &bg_set,
                    "weight-set", &weight_set, "style-set", &style_set,
                    "underline-set", &underline_set, "strikethrough-set", &strike_set,
                    "foreground-rgba", &fg, "background-rgba", &bg,
                    "weight", &w, "style", &st, "underline", &u, "strikethrough", &strike,
                    NULL);
      if (fg_set)
        {
          g_clear_pointer (&foreground, gdk_rgba_free);
          foreground = g_steal_pointer (&fg);
        }
      if (bg_set)
        {
          g_clear_pointer (&background, gdk_rgba_free);
          background = g_steal_pointer (&bg);
        }
      g_clear_pointer (&fg, gdk_rgba_free);
      g_clear_pointer (&bg, gdk_rgba_free);
      if (weight_set)
        weight = w;
      if (style_set)
        style = st;
      if (underline_set)
        underline = u;
      if (strike_set)
        strikethrough = strike;
    }

  if (foreground != NULL)
    g_string_append_printf (key, "fg=%.3f,%.3f,%.3f,%.3f;", foreground->red, foreground->green,
                            foreground->blue, foreground->alpha);
  if (background != NULL)
    g_string_append_printf (key, "bg=%.3f,%.3f,%.3f,%.3f;", background->red, background->green,
                            background->blue, background->alpha);
  if (weight >= 0)
    g_string_append_printf (key, "w=%d;", weight);
  if (style >= 0)
    g_string_append_printf (key, "s=%d;", style);
  if (underline >= 0)
    g_string_append_printf (key, "u=%d;", underline);
  if (strikethrough >= 0)
    g_string_append_printf (key, "x=%d;", strikethrough);

  tag = key->len > strlen (SYNTAX_TAG_PREFIX) ? gtk_text_tag_table_lookup (table, key->str) : NULL;
  if (tag == NULL && key->len > strlen (SYNTAX_TAG_PREFIX))
    {
      tag = gtk_text_tag_new (key->str);
      if (foreground != NULL)
        g_object_set (tag, "foreground-rgba", foreground, NULL);
      if (background != NULL)
        g_object_set (tag, "background-rgba", background, NULL);
      if (weight >= 0)
        g_object_set (tag, "weight", weight, NULL);
      if (style >= 0)
        g_object_set (tag, "style", style, NULL);
      if (underline >= 0)
        g_object_set (tag, "underline", underline, NULL);
      if (strikethrough >= 0)
        g_object_set (tag, "strikethrough", strikethrough, NULL);
      gtk_text_tag_table_add (table, tag);
      if (syntax_tags == NULL)
        syntax_tags = g_ptr_array_new ();
      g_ptr_array_add (syntax_tags, tag);
      g_object_unref (tag);
    }

  g_clear_pointer (&foreground, gdk_rgba_free);
  g_clear_pointer (&background, gdk_rgba_free);
  return tag;
}

void
confab_code_block_highlight (const char       *lang,
                             const char       *code,
                             GtkTextTagTable  *table,
                             ConfabCodeRunFunc func,
                             gpointer          user_data)
{
  GtkSourceLanguage *language = lookup_language (lang);
  GtkTextBuffer *buffer;
  GtkTextIter iter, end;
  const char *p = code;

  if (language == NULL || *code == '\0')
    {
      func (code, strlen (code), NULL, user_data);
      return;
    }

  buffer = GTK_TEXT_BUFFER (get_highlighter (language));
  gtk_text_buffer_set_text (buffer, code, -1);
  gtk_text_buffer_get_bounds (buffer, &iter, &end);
  gtk_source_buffer_ensure_highlight (GTK_SOURCE_BUFFER (buffer), &iter, &end);

  /* Runs between tag toggles, each with the one shared tag that looks like its tags. */
  while (!gtk_text_iter_is_end (&iter))
    {
      GtkTextIter next = iter;
      const char *q;

      if (!gtk_text_iter_forward_to_tag_toggle (&next, NULL))
        next = end;
      q = g_utf8_offset_to_pointer (p, gtk_text_iter_get_offset (&next) - gtk_text_iter_get_offset (&iter));
      func (p, q - p, syntax_tag_at (&iter, table), user_data);
      p = q;
      iter = next;
    }

  /* Only the language's definitions stay. */
  gtk_text_buffer_set_text (buffer, "", 0);
}

/* ---------------------------------------------------------------------------------------- */
/* The block: a header above its code                                                       */

typedef struct
{
  GtkTextBuffer *buffer;
  int            offset;
} ApplyRuns;

static void
apply_run (const char *text,
           gsize       len,
           GtkTextTag *tag,
           gpointer    user_data)
{
  ApplyRuns *apply = user_data;
  int chars = g_utf8_strlen (text, len);

  if (tag != NULL)
    {
      GtkTextIter start, end;

      gtk_text_buffer_get_iter_at_offset (apply->buffer, &start, apply->offset);
      gtk_text_buffer_get_iter_at_offset (apply->buffer, &end, apply->offset + chars);
      gtk_text_buffer_apply_tag (apply->buffer, tag, &start, &end);
    }
  apply->offset += chars;
}

/* The style changed (light, dark): the code is highlighted again with the new scheme. */
static void
on_dark_changed (AdwStyleManager *manager,
                 GParamSpec      *pspec,
                 ConfabCodeBlock *self)
{
  GtkTextBuffer *buffer = gtk_text_mark_get_buffer (self->start);
  g_autofree char *code = NULL;
  GtkTextIter start, end;
  ApplyRuns apply;

  if (buffer == NULL || self->language == NULL)
    return;

  gtk_text_buffer_get_iter_at_mark (buffer, &start, self->start);
  gtk_text_buffer_get_iter_at_mark (buffer, &end, self->end);
  for (guint i = 0; syntax_tags != NULL && i < syntax_tags->len; i++)
    {
      GtkTextTag *tag = g_ptr_array_index (syntax_tags, i);
      g_autofree char *name = NULL;

      g_object_get (tag, "name", &name, NULL);
      if (gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), name) == tag)
        gtk_text_buffer_remove_tag (buffer, tag, &start, &end);
    }

  code = gtk_text_iter_get_text (&start, &end);
  apply.buffer = buffer;
  apply.offset = gtk_text_iter_get_offset (&start);
  confab_code_block_highlight (gtk_source_language_get_id (self->language), code,
                               gtk_text_buffer_get_tag_table (buffer), apply_run, &apply);
}

static void
copy_code_clicked (GtkButton       *button,
                   ConfabCodeBlock *self)
{
  g_autofree char *text = confab_code_block_dup_text (GTK_WIDGET (self));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);
  gtk_button_set_icon_name (button, "object-select-symbolic");
}

/* The header's widgets: built while the block is near the viewport (see
 * confab_code_block_release). */
static void
build_header (ConfabCodeBlock *self)
{
  GtkWidget *label;

  if (self->header != NULL)
    return;

  self->header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  label = gtk_label_new (self->language != NULL ? gtk_source_language_get_name (self->language)
                                                : (self->lang != NULL && *self->lang != '\0' ? self->lang : _("Code")));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (self->header), label);

  self->copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  gtk_widget_add_css_class (self->copy, "flat");
  gtk_widget_set_tooltip_text (self->copy, _("Copy Code"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->copy),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy code"),
                                  -1);
  g_signal_connect (self->copy, "clicked", G_CALLBACK (copy_code_clicked), self);
  gtk_box_append (GTK_BOX (self->header), self->copy);
  gtk_widget_set_parent (self->header, GTK_WIDGET (self));
}

static void
confab_code_block_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (widget);

  if (self->header != NULL)
    {
      gtk_widget_measure (self->header, orientation, for_size, minimum, natural, NULL, NULL);
      if (orientation == GTK_ORIENTATION_VERTICAL)
        header_height = *natural;
      return;
    }

  /* Released: as tall as a header, as wide as asked (its size request). */
  *minimum = *natural = orientation == GTK_ORIENTATION_VERTICAL ? MAX (header_height, 0) : 0;
}

static void
confab_code_block_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (widget);

  if (self->header != NULL)
    gtk_widget_size_allocate (self->header, &(GtkAllocation) { 0, 0, width, height }, baseline);
}

static void
delete_mark (GtkTextMark **mark)
{
  if (*mark == NULL)
    return;
  if (gtk_text_mark_get_buffer (*mark) != NULL)
    gtk_text_buffer_delete_mark (gtk_text_mark_get_buffer (*mark), *mark);
  g_clear_object (mark);
}

static void
confab_code_block_dispose (GObject *object)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (object);

  g_clear_pointer (&self->header, gtk_widget_unparent);
  self->copy = NULL;
  delete_mark (&self->start);
  delete_mark (&self->end);
  g_clear_pointer (&self->lang, g_free);

  G_OBJECT_CLASS (confab_code_block_parent_class)->dispose (object);
}

static void
confab_code_block_class_init (ConfabCodeBlockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_code_block_dispose;

  widget_class->measure = confab_code_block_measure;
  widget_class->size_allocate = confab_code_block_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "codeblock");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_code_block_init (ConfabCodeBlock *self)
{
}

GtkWidget *
confab_code_block_new (const char  *lang,
                       GtkTextMark *start,
                       GtkTextMark *end)
{
  ConfabCodeBlock *self;
  GtkSourceLanguage *language = lookup_language (lang);

  g_return_val_if_fail (GTK_IS_TEXT_MARK (start), NULL);
  g_return_val_if_fail (GTK_IS_TEXT_MARK (end), NULL);

  self = g_object_new (CONFAB_TYPE_CODE_BLOCK, NULL);
  self->start = g_object_ref (start);
  self->end = g_object_ref (end);
  self->language = language;
  self->lang = g_strdup (lang);
  gtk_widget_add_css_class (GTK_WIDGET (self), "code-block-header");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Code"),
                                  -1);

  build_header (self);

  if (language != NULL)
    g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                             G_CALLBACK (on_dark_changed), self, 0);

  return GTK_WIDGET (self);
}

void
confab_code_block_set_indent (GtkWidget *block,
                              int        indent)
{
  g_return_if_fail (CONFAB_IS_CODE_BLOCK (block));
  CONFAB_CODE_BLOCK (block)->indent = MAX (indent, 0);
}

void
confab_code_block_set_width (GtkWidget *block,
                             int        text_width)
{
  int width, current;

  g_return_if_fail (CONFAB_IS_CODE_BLOCK (block));

  width = MAX (text_width - CONFAB_CODE_BLOCK (block)->indent, 40);
  gtk_widget_get_size_request (block, &current, NULL);
  if (current != width)
    gtk_widget_set_size_request (block, width, -1);
}

gboolean
confab_code_block_is_block (GtkWidget *widget)
{
  return CONFAB_IS_CODE_BLOCK (widget);
}

char *
confab_code_block_dup_text (GtkWidget *block)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (block);
  GtkTextBuffer *buffer = gtk_text_mark_get_buffer (self->start);
  GtkTextIter start, end;

  if (buffer == NULL)
    return g_strdup ("");

  gtk_text_buffer_get_iter_at_mark (buffer, &start, self->start);
  gtk_text_buffer_get_iter_at_mark (buffer, &end, self->end);
  return gtk_text_iter_get_text (&start, &end);
}

GtkWidget *
confab_code_block_get_copy_button (GtkWidget *block)
{
  g_return_val_if_fail (CONFAB_IS_CODE_BLOCK (block), NULL);
  return CONFAB_CODE_BLOCK (block)->copy;
}

void
confab_code_block_release (GtkWidget *block)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (block);

  if (self->header == NULL)
    return;

  /* Measured once at least: the released block keeps its height. */
  if (header_height < 0)
    {
      int height = 0;

      gtk_widget_measure (self->header, GTK_ORIENTATION_VERTICAL, -1, NULL, &height, NULL, NULL);
      header_height = height;
    }
  g_clear_pointer (&self->header, gtk_widget_unparent);
  self->copy = NULL;
}

void
confab_code_block_ensure (GtkWidget *block)
{
  g_return_if_fail (CONFAB_IS_CODE_BLOCK (block));

  build_header (CONFAB_CODE_BLOCK (block));
}

gboolean
confab_code_block_get_highlighted (GtkWidget *block)
{
  g_return_val_if_fail (CONFAB_IS_CODE_BLOCK (block), FALSE);
  return CONFAB_CODE_BLOCK (block)->language != NULL;
}

/* The first code block of an answer would otherwise pay, in the frame that shows it, for
 * reading every language file's header, the style schemes, the GtkSourceView classes and
 * the parse of its language (10-25 ms). This is done once in low-priority idles after the
 * window's first frame, one step per idle so that no step stalls a frame; a language's
 * parsed definitions live only as long as a buffer uses it, so a buffer per common language
 * is kept. Each of these parses in 5-20 ms; js, json, typescript and html take 50-110 ms
 * each, too long for one idle (a key press would wait for it), so they are left out. */
static const char * const warm_languages[] = {
  "python3", "sh", "c", "cpp", "rust", "go", "java", "yaml",
};

gboolean
confab_code_block_warm_up_step (guint      step,
                                GPtrArray *keep)
{
  gint64 start = g_get_monotonic_time ();

  if (step == 0)
    {
      const char * const *ids;

      /* Reads the header of every .lang file. */
      ids = gtk_source_language_manager_get_language_ids (gtk_source_language_manager_get_default ());
      (void) ids;
    }
  else if (step == 1)
    {
      GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();

      gtk_source_style_scheme_manager_get_scheme (schemes, "Adwaita");
      gtk_source_style_scheme_manager_get_scheme (schemes, "Adwaita-dark");
    }
  else if (step == 2)
    {
      /* The view's classes (and its CSS), built once and dropped. */
      GtkWidget *view = gtk_source_view_new ();

      g_object_ref_sink (view);
      g_object_unref (view);
    }
  else if (step - 3 < G_N_ELEMENTS (warm_languages))
    {
      GtkSourceLanguage *language =
        gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (),
                                                  warm_languages[step - 3]);

      if (language != NULL)
        {
          GtkSourceBuffer *buffer = gtk_source_buffer_new_with_language (language);
          GtkTextIter begin, end;

          /* The engine parses the definitions on the first highlighting. */
          gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), "x", -1);
          gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (buffer), &begin, &end);
          gtk_source_buffer_ensure_highlight (buffer, &begin, &end);
          g_ptr_array_add (keep, buffer);
        }
    }
  else
    return FALSE;

  g_debug ("GtkSourceView warm-up step %u: %.1f ms", step, (g_get_monotonic_time () - start) / 1000.0);
  return TRUE;
}

