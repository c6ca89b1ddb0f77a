/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-code-block"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "confab-code-block.h"

/* Code of a code block: all of it laid out at once. GtkTextView lays out only the lines of
 * its allocated height and the rest in idles below redraw priority, which starve while an
 * answer streams: a new code block would be as tall as its first lines until the stream
 * ends. An allocation of the full height lays out every line when it is first measured. */
#define LAYOUT_ALL_HEIGHT (1 << 22)

#define CONFAB_TYPE_CODE_VIEW (confab_code_view_get_type ())
G_DECLARE_FINAL_TYPE (ConfabCodeView, confab_code_view, CONFAB, CODE_VIEW, GtkSourceView)

struct _ConfabCodeView
{
  GtkSourceView parent_instance;

  guint         laid_out : 1;
};

G_DEFINE_FINAL_TYPE (ConfabCodeView, confab_code_view, GTK_SOURCE_TYPE_VIEW)

static void
confab_code_view_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  ConfabCodeView *self = CONFAB_CODE_VIEW (widget);
  GtkWidgetClass *parent_class = GTK_WIDGET_CLASS (confab_code_view_parent_class);

  if (orientation == GTK_ORIENTATION_VERTICAL && !self->laid_out)
    {
      int width = gtk_widget_get_width (widget);
      int height = gtk_widget_get_height (widget);

      /* Lines do not wrap: any width lays them out at their height. */
      self->laid_out = TRUE;
      parent_class->size_allocate (widget, for_size > 0 ? for_size : MAX (width, 1), LAYOUT_ALL_HEIGHT, -1);
      if (width > 0 && height > 0)
        parent_class->size_allocate (widget, width, height, -1);
    }

  parent_class->measure (widget, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

static void
confab_code_view_class_init (ConfabCodeViewClass *klass)
{
  GTK_WIDGET_CLASS (klass)->measure = confab_code_view_measure;
}

static void
confab_code_view_init (ConfabCodeView *self)
{
}

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

GtkWidget *
confab_code_block_new (const char *lang,
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

  view = g_object_new (CONFAB_TYPE_CODE_VIEW, "buffer", buffer, NULL);
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

GtkTextView *
confab_code_block_get_view (GtkWidget *block)
{
  g_return_val_if_fail (GTK_IS_WIDGET (block), NULL);
  return g_object_get_data (G_OBJECT (block), "confab-source-view");
}

gboolean
confab_code_block_is_block (GtkWidget *widget)
{
  return GTK_IS_WIDGET (widget) && g_object_get_data (G_OBJECT (widget), "confab-source-view") != NULL;
}

char *
confab_code_block_dup_text (GtkWidget *block)
{
  GtkTextView *view = confab_code_block_get_view (block);
  GtkTextIter start, end;

  g_return_val_if_fail (view != NULL, NULL);
  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
  return gtk_text_iter_get_text (&start, &end);
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

