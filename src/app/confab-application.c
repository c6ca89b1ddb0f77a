/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-application"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "confab-application.h"
#include "confab-backups.h"
#include "confab-import-dialog.h"
#include "confab-recording-window.h"
#include "confab-bench-hook.h"
#include "confab-preferences-window.h"
#include "confab-session.h"
#include "confab-window.h"

struct _ConfabApplication
{
  AdwApplication parent_instance;

  ConfabOptions  options;
  ConfabStore   *store;
  gboolean       store_failed;
  guint          after_start_source;  /* quick_check and the daily backup, a little later */

  /* GtkSourceView warm-up, after the first window's first frame. */
  GPtrArray     *warm_buffers;   /* a buffer per common language keeps its definitions parsed */
  guint          warm_step;
  guint          warm_source;
};

G_DEFINE_FINAL_TYPE (ConfabApplication, confab_application, ADW_TYPE_APPLICATION)

ConfabApplication *
confab_application_new (void)
{
  return g_object_new (CONFAB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

ConfabOptions *
confab_application_get_options (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);
  return &self->options;
}

/* Off the main thread anyway, but not while the first window is being built and drawn. */
#define AFTER_START_DELAY_S 5

static gboolean
after_start_cb (gpointer user_data)
{
  ConfabApplication *self = user_data;

  self->after_start_source = 0;
  if (self->store != NULL)
    confab_backups_after_start (GTK_APPLICATION (self), self->store);

  return G_SOURCE_REMOVE;
}

ConfabStore *
confab_application_get_store (ConfabApplication *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);

  if (self->store == NULL && !self->store_failed)
    {
      g_autofree char *path = confab_store_get_default_path ();

      self->store = confab_store_open (path, &error);
      /* A damaged database is moved aside (never deleted), the user told, a backup offered. */
      if (self->store == NULL)
        self->store = confab_backups_recover (GTK_APPLICATION (self), path, error);
      else
        self->after_start_source = g_timeout_add_seconds (AFTER_START_DELAY_S, after_start_cb, self);

      if (self->store == NULL)
        {
          g_warning ("Conversations will not be saved: %s", error->message);
          self->store_failed = TRUE;
        }
    }

  return self->store;
}

static int
confab_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("confab %s\n", PACKAGE_VERSION);
      return 0;
    }

  confab_options_load_from_dict (&self->options, options);

  return -1;
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

static gboolean
warm_up_step (gpointer user_data)
{
  ConfabApplication *self = user_data;
  guint step = self->warm_step++;
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
          g_ptr_array_add (self->warm_buffers, buffer);
        }
    }
  else
    {
      self->warm_source = 0;
      return G_SOURCE_REMOVE;
    }

  g_debug ("GtkSourceView warm-up step %u: %.1f ms", step, (g_get_monotonic_time () - start) / 1000.0);
  return G_SOURCE_CONTINUE;
}

static void
first_frame_painted (GdkFrameClock     *clock,
                     ConfabApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_painted, self);
  if (self->warm_source == 0 && self->warm_step == 0)
    self->warm_source = g_idle_add_full (G_PRIORITY_LOW, warm_up_step, g_object_ref (self), g_object_unref);
}

static void
confab_application_activate (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  gboolean first = window == NULL;

  if (window == NULL)
    {
      window = GTK_WINDOW (confab_window_new (self));
      confab_bench_hook_attach (window);
    }

  gtk_window_present (window);

  if (first && self->warm_buffers == NULL)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));

      self->warm_buffers = g_ptr_array_new_with_free_func (g_object_unref);
      if (clock != NULL)
        g_signal_connect_object (clock, "after-paint", G_CALLBACK (first_frame_painted), self, 0);
      else
        first_frame_painted (NULL, self);
    }
}

static void
confab_application_finalize (GObject *object)
{
  ConfabApplication *self = (ConfabApplication *)object;

  confab_options_clear (&self->options);
  g_clear_object (&self->store);
  g_clear_pointer (&self->warm_buffers, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_application_parent_class)->finalize (object);
}

static void
confab_application_quit_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
confab_application_about_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { "The Confab developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Confab"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Confab developers"),
                         "version", PACKAGE_VERSION,
                         "website", "https://github.com/confab/confab",
                         "issue-url", "https://github.com/confab/confab/issues",
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
confab_application_preferences_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  GtkWidget *window;

  window = confab_preferences_window_new (parent);
  if (confab_application_get_store (user_data) != NULL)
    confab_preferences_window_add_backups (CONFAB_PREFERENCES_WINDOW (window),
                                           confab_application_get_store (user_data));

  /* Live server status in Preferences, and edits to mcp.json take effect at once. */
  if (CONFAB_IS_WINDOW (parent))
    {
      ConfabSession *session = confab_window_get_session (CONFAB_WINDOW (parent));

      confab_preferences_window_set_tool_registry (CONFAB_PREFERENCES_WINDOW (window),
                                                   confab_session_get_tools (session));
      g_signal_connect_object (window, "mcp-config-changed",
                               G_CALLBACK (confab_window_reload_tools), parent,
                               G_CONNECT_SWAPPED);
    }

  gtk_window_present (GTK_WINDOW (window));
}

static void
confab_application_import_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  ConfabApplication *self = user_data;
  ConfabStore *store = confab_application_get_store (self);

  if (store != NULL)
    confab_import_dialog_run (gtk_application_get_active_window (GTK_APPLICATION (self)), store);
}

static void
confab_application_open_recording_action (GSimpleAction *action,
                                          GVariant      *parameter,
                                          gpointer       user_data)
{
  confab_recording_window_choose (gtk_application_get_active_window (GTK_APPLICATION (user_data)));
}

static const GActionEntry app_actions[] = {
  { "open-recording", confab_application_open_recording_action },
  { "import", confab_application_import_action },
  { "quit", confab_application_quit_action },
  { "about", confab_application_about_action },
  { "preferences", confab_application_preferences_action },
};

static void
confab_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (confab_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);
  /* The window's own shortcuts (Ctrl+N, Ctrl+K, Ctrl+Shift+C, F9, Escape) are bindings on
   * ConfabWindow's class, next to its actions. */
}

static void
confab_application_shutdown (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->after_start_source, g_source_remove);

  /* Streamed text is written in batches: write what is pending before leaving. */
  if (self->store != NULL && !confab_store_flush (self->store, &error))
    g_warning ("Could not save the conversations: %s", error->message);

  g_clear_handle_id (&self->warm_source, g_source_remove);
  if (self->warm_buffers != NULL)
    g_ptr_array_set_size (self->warm_buffers, 0);

  G_APPLICATION_CLASS (confab_application_parent_class)->shutdown (app);
}

static void
confab_application_class_init (ConfabApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = confab_application_finalize;
  app_class->handle_local_options = confab_application_handle_local_options;
  app_class->activate = confab_application_activate;
  app_class->startup = confab_application_startup;
  app_class->shutdown = confab_application_shutdown;
}

static void
confab_application_init (ConfabApplication *self)
{
  const GOptionEntry own_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), own_entries);
  g_application_add_main_option_entries (G_APPLICATION (self), confab_options_get_application_entries ());
}
