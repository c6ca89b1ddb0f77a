/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * LANGUAGE=pt_BR shows Confab's windows in Portuguese: the real main window, its shortcuts
 * window and the preferences are built once in Brazilian Portuguese (with the catalog
 * compiled into the build tree) and once in English, and every string they show is compared.
 */
#define G_LOG_DOMAIN "test-translation"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "confab-application.h"
#include "confab-window.h"

/* The string properties that put text on screen. "text" is skipped on editables: it is what
 * the user typed. */
static const char * const shown_properties[] = {
  "label", "title", "subtitle", "description", "tooltip-text", "placeholder-text", "text",
  "heading", "body", "button-label",
};

typedef struct
{
  char *where;   /* e.g. "GtkLabel.label" */
  char *text;
} Shown;

static void
shown_free (gpointer data)
{
  Shown *shown = data;

  g_free (shown->where);
  g_free (shown->text);
  g_free (shown);
}

static void
add_shown (GPtrArray  *out,
           const char *where,
           const char *text)
{
  Shown *shown;

  if (text == NULL || *text == '\0')
    return;

  shown = g_new0 (Shown, 1);
  shown->where = g_strdup (where);
  shown->text = g_strdup (text);
  g_ptr_array_add (out, shown);
}

static void
collect_menu (GMenuModel *model,
              GPtrArray  *out)
{
  int n = g_menu_model_get_n_items (model);

  for (int i = 0; i < n; i++)
    {
      g_autofree char *label = NULL;
      g_autoptr(GMenuLinkIter) links = NULL;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        add_shown (out, "GMenuModel.label", label);

      links = g_menu_model_iterate_item_links (model, i);
      while (g_menu_link_iter_next (links))
        {
          g_autoptr(GMenuModel) child = g_menu_link_iter_get_value (links);

          collect_menu (child, out);
        }
    }
}

static void
collect_widget (GtkWidget *widget,
                GPtrArray *out)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (widget);
  const char *type_name = G_OBJECT_TYPE_NAME (widget);

  /* Keyboard shortcuts ("Ctrl+N") are spelled by GTK from the accelerator itself. */
  if (g_str_equal (type_name, "GtkAccelLabel") || g_str_equal (type_name, "GtkShortcutLabel") ||
      g_strcmp0 (gtk_widget_get_css_name (widget), "accelerator") == 0)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (shown_properties); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (klass, shown_properties[i]);
      g_autofree char *value = NULL;
      g_autofree char *where = NULL;

      if (pspec == NULL || pspec->value_type != G_TYPE_STRING || !(pspec->flags & G_PARAM_READABLE))
        continue;
      if (g_str_equal (shown_properties[i], "text") && GTK_IS_EDITABLE (widget))
        continue;

      g_object_get (widget, shown_properties[i], &value, NULL);
      where = g_strdup_printf ("%s.%s", G_OBJECT_TYPE_NAME (widget), shown_properties[i]);
      add_shown (out, where, value);
    }

  if (GTK_IS_MENU_BUTTON (widget))
    {
      GMenuModel *model = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget));

      if (model != NULL)
        collect_menu (model, out);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widget (child, out);
}

/* Switches the language gettext translates into, as LANGUAGE at start-up would. */
static void
use_language (const char *language)
{
  if (language != NULL)
    g_setenv ("LANGUAGE", language, TRUE);
  else
    g_unsetenv ("LANGUAGE");

  /* textdomain() bumps glibc's catalog counter, so cached lookups are redone. */
  textdomain (GETTEXT_PACKAGE);
}

static int
compare_type_names (gconstpointer a,
                    gconstpointer b)
{
  return g_strcmp0 (G_OBJECT_TYPE_NAME (a), G_OBJECT_TYPE_NAME (b));
}

/* The main window, its keyboard shortcuts window and the window app.preferences opens. */
static GPtrArray *
collect_window (ConfabApplication *app)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (shown_free);
  ConfabWindow *window = confab_window_new (app);
  GtkWidget *overlay;
  GList *toplevels;

  g_object_ref_sink (window);
  collect_widget (GTK_WIDGET (window), out);

  overlay = GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  if (overlay != NULL)
    collect_widget (overlay, out);

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  toplevels = g_list_sort (gtk_window_list_toplevels (), compare_type_names);
  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      GtkWindow *other = l->data;

      if (gtk_window_get_transient_for (other) == GTK_WINDOW (window) &&
          GTK_WIDGET (other) != overlay)
        {
          collect_widget (GTK_WIDGET (other), out);
          gtk_window_destroy (other);
        }
    }
  g_list_free (toplevels);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);

  return out;
}

/* Prose, as opposed to a name ("Groq", "gpt-4o-mini") or an address, which stay as they are
 * in every language: two words or more, and no URL. */
static gboolean
looks_like_prose (const char *text)
{
  g_auto(GStrv) words = NULL;
  guint n_words = 0;

  if (strstr (text, "://") != NULL)
    return FALSE;

  words = g_strsplit_set (text, " \t\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      for (const char *p = words[i]; *p; p = g_utf8_next_char (p))
        if (g_unichar_isalpha (g_utf8_get_char (p)))
          {
            n_words++;
            break;
          }
    }

  return n_words >= 2;
}

/* The real MIME database (DATADIR/mime), found before the test isolates the XDG
 * directories: GTK needs it to load its SVG icons when a window is shown. */
static char **mime_dirs;

static void
test_window_in_portuguese (void)
{
  g_autoptr(ConfabApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) portuguese = NULL;
  g_autoptr(GPtrArray) english = NULL;
  guint translated = 0;
  guint problems = 0;

  if (!g_file_test (CONFAB_TEST_LOCALEDIR "/pt_BR/LC_MESSAGES/" GETTEXT_PACKAGE ".mo",
                    G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no pt_BR catalog in the build tree");
      return;
    }

  g_content_type_set_mime_dirs ((const char * const *) mime_dirs);

  app = confab_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  use_language ("pt_BR");
  portuguese = collect_window (app);
  use_language (NULL);
  english = collect_window (app);
  use_language ("pt_BR");

  g_assert_cmpuint (portuguese->len, >, 0);
  g_assert_cmpuint (portuguese->len, ==, english->len);

  for (guint i = 0; i < english->len; i++)
    {
      Shown *en = g_ptr_array_index (english, i);
      Shown *pt = g_ptr_array_index (portuguese, i);
      const char *expected = g_dgettext (GETTEXT_PACKAGE, en->text);

      g_assert_cmpstr (en->where, ==, pt->where);

      if (g_strcmp0 (pt->text, en->text) != 0)
        {
          /* Translated (maybe through a msgctxt, so not necessarily to `expected`). */
          translated++;
        }
      else if (expected != en->text && g_strcmp0 (expected, en->text) != 0)
        {
          g_printerr ("%s shows “%s” in English under pt_BR although the catalog translates it "
                      "(as “%s” without context): is its translation missing, or its context?\n",
                      pt->where, pt->text, expected);
          problems++;
        }
      else if (expected == en->text && looks_like_prose (en->text) &&
               g_dgettext ("gtk40", en->text) == en->text &&
               g_dgettext ("libadwaita", en->text) == en->text &&
               g_dgettext ("gtksourceview-5", en->text) == en->text)
        {
          /* Shown the same in both languages, and neither Confab's catalog nor GTK's
           * knows it: a string not marked for translation, or not translated yet. */
          g_printerr ("%s shows “%s” in both languages: mark it for translation "
                      "and translate it in po/pt_BR.po\n", en->where, en->text);
          problems++;
        }
    }

  g_test_message ("%u of %u shown strings translated", translated, english->len);
  g_assert_cmpuint (problems, ==, 0);
  g_assert_cmpuint (translated, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  /* What a user with LANGUAGE=pt_BR gets; C.UTF-8 so that LANGUAGE is honoured without a
   * generated pt_BR locale. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "pt_BR", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, CONFAB_TEST_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  {
    const char * const *data_dirs = g_get_system_data_dirs ();
    guint n = g_strv_length ((char **) data_dirs);

    mime_dirs = g_new0 (char *, n + 1);
    for (guint i = 0; i < n; i++)
      mime_dirs[i] = g_build_filename (data_dirs[i], "mime", NULL);
  }

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  g_test_add_func ("/translation/window-in-portuguese", test_window_in_portuguese);

  return g_test_run ();
}
