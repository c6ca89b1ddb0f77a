/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-application"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "confab-application.h"
#include "confab-context.h"
#include "confab-backups.h"
#include "confab-import-dialog.h"
#include "confab-recording-window.h"
#include "confab-bench-hook.h"
#include "confab-code-block.h"
#include "confab-global-shortcut.h"
#include "confab-preferences-window.h"
#include "confab-session.h"
#include "confab-usage-history.h"
#include "confab-window.h"

struct _ConfabApplication
{
  AdwApplication parent_instance;

  ConfabOptions  options;
  ConfabContext *context;       /* the store, providers, tools and approvals of every window */
  gboolean       store_opened;
  guint          after_start_source;  /* quick_check and the daily backup, a little later */

  /* --conversation and --search: what the first window shows (the Shell search provider
   * starts Confab with them). */
  char          *open_conversation;
  char          *open_search;
  gboolean       open_quick;

  ConfabGlobalShortcut *quick_shortcut;

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
  if (confab_context_get_store (self->context) != NULL)
    confab_backups_after_start (GTK_APPLICATION (self), confab_context_get_store (self->context));

  return G_SOURCE_REMOVE;
}

ConfabContext *
confab_application_get_context (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);

  if (self->context == NULL)
    {
      /* The tools of this run: mcp.json plus --mcp, --yes for no questions. */
      self->context = confab_context_new ();
      confab_context_set_extra_servers (self->context, (const char * const *) self->options.mcp);
      confab_context_set_allow_all (self->context, self->options.yes);
      confab_context_start_tools (self->context);
    }

  return self->context;
}

ConfabStore *
confab_application_get_store (ConfabApplication *self)
{
  ConfabContext *context;

  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);

  context = confab_application_get_context (self);
  if (!self->store_opened)
    {
      g_autofree char *path = confab_store_get_default_path ();
      g_autoptr(ConfabStore) store = NULL;
      g_autoptr(GError) error = NULL;

      self->store_opened = TRUE;
      store = confab_store_open (path, &error);
      /* A damaged database is moved aside (never deleted), the user told, a backup offered. */
      if (store == NULL)
        store = confab_backups_recover (GTK_APPLICATION (self), path, error);
      else
        self->after_start_source = g_timeout_add_seconds (AFTER_START_DELAY_S, after_start_cb, self);

      if (store == NULL)
        g_warning ("Conversations will not be saved: %s", error->message);
      confab_context_set_store (context, store);
    }

  return confab_context_get_store (context);
}

static gboolean
schema_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  return schema != NULL;
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

  /* Without its schema GSettings would abort with a trap; say what to do instead. */
  if (!schema_installed ())
    {
      g_printerr (_("Confab cannot start: its settings schema “%s” is not installed.\n"
                    "From a source checkout run build-aux/run (or “meson devenv -C build”), "
                    "or install Confab with “meson install -C build”.\n"),
                  APP_ID);
      return 1;
    }

  confab_options_load_from_dict (&self->options, options);
  g_variant_dict_lookup (options, "conversation", "s", &self->open_conversation);
  g_variant_dict_lookup (options, "search", "s", &self->open_search);
  self->open_quick = g_variant_dict_contains (options, "quick");

  return -1;
}

/* GtkSourceView is loaded ahead of the first code block (see confab_code_block_warm_up_step),
 * in low-priority idles after the window's first frame, one step per idle. */
static gboolean
warm_up_step (gpointer user_data)
{
  ConfabApplication *self = user_data;

  if (confab_code_block_warm_up_step (self->warm_step++, self->warm_buffers))
    return G_SOURCE_CONTINUE;

  self->warm_source = 0;
  return G_SOURCE_REMOVE;
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

  if (window == NULL && self->open_quick)
    {
      self->open_quick = FALSE;
      window = GTK_WINDOW (confab_window_new_quick (self));
    }
  else if (window == NULL)
    {
      window = GTK_WINDOW (confab_window_new (self));
      confab_bench_hook_attach (window);
    }

  gtk_window_present (window);

  if (first && CONFAB_IS_WINDOW (window))
    {
      g_autofree char *conversation = g_steal_pointer (&self->open_conversation);
      g_autofree char *search = g_steal_pointer (&self->open_search);

      if (conversation != NULL)
        confab_window_open_conversation (CONFAB_WINDOW (window), conversation);
      else if (search != NULL)
        confab_window_search (CONFAB_WINDOW (window), search);
    }

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
  g_clear_pointer (&self->open_conversation, g_free);
  g_clear_pointer (&self->open_search, g_free);
  g_clear_object (&self->context);
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
  confab_application_show_preferences (CONFAB_APPLICATION (user_data), NULL);
}

GtkWidget *
confab_application_show_preferences (ConfabApplication *self,
                                     const char        *provider_name)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *window;

  ConfabContext *context = confab_application_get_context (self);

  window = confab_preferences_window_new_for_providers (parent, confab_context_get_providers (context));
  if (confab_application_get_store (self) != NULL)
    confab_preferences_window_add_backups (CONFAB_PREFERENCES_WINDOW (window),
                                           confab_application_get_store (self));

  /* Live server status in Preferences, and edits to mcp.json take effect at once. */
  confab_preferences_window_set_tool_registry (CONFAB_PREFERENCES_WINDOW (window),
                                               confab_context_get_tools (context));
  g_signal_connect_object (window, "mcp-config-changed",
                           G_CALLBACK (confab_context_start_tools), context,
                           G_CONNECT_SWAPPED);

  if (provider_name != NULL)
    confab_preferences_window_show_provider (CONFAB_PREFERENCES_WINDOW (window), provider_name);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

static ConfabWindow *
find_window (ConfabApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (CONFAB_IS_WINDOW (l->data))
      return CONFAB_WINDOW (l->data);

  return NULL;
}

/* From a notification: the window, in front, on that conversation. */
static void
confab_application_show_conversation_action (GSimpleAction *action,
                                             GVariant      *parameter,
                                             gpointer       user_data)
{
  ConfabApplication *self = CONFAB_APPLICATION (user_data);
  ConfabWindow *window = find_window (self);

  if (window == NULL)
    {
      g_application_activate (G_APPLICATION (self));
      window = find_window (self);
    }

  gtk_window_present (GTK_WINDOW (window));
  confab_window_open_conversation (window, g_variant_get_string (parameter, NULL));
}

/* From an approval notification: the card itself, never consent from the notification. */
static void
confab_application_review_tool_call_action (GSimpleAction *action,
                                            GVariant      *parameter,
                                            gpointer       user_data)
{
  ConfabApplication *self = CONFAB_APPLICATION (user_data);
  ConfabWindow *window = find_window (self);

  if (window == NULL)
    {
      g_application_activate (G_APPLICATION (self));
      window = find_window (self);
    }

  confab_window_review_approval (window, g_variant_get_string (parameter, NULL));
}

/* A small window for a one-off question, whatever else is open. */
static void
confab_application_quick_ask_action (GSimpleAction *action,
                                     GVariant      *parameter,
                                     gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (confab_window_new_quick (CONFAB_APPLICATION (user_data))));
}

static void
confab_application_usage_history_action (GSimpleAction *action,
                                         GVariant      *parameter,
                                         gpointer       user_data)
{
  ConfabApplication *self = CONFAB_APPLICATION (user_data);
  ConfabStore *store = confab_application_get_store (self);

  if (store == NULL)
    return;

  gtk_window_present (GTK_WINDOW (confab_usage_history_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                                            store)));
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
  { "usage-history", confab_application_usage_history_action },
  { "quick-ask", confab_application_quick_ask_action },
  { "show-conversation", confab_application_show_conversation_action, "s" },
  { "review-tool-call", confab_application_review_tool_call_action, "s" },
  { "open-recording", confab_application_open_recording_action },
  { "import", confab_application_import_action },
  { "quit", confab_application_quit_action },
  { "about", confab_application_about_action },
  { "preferences", confab_application_preferences_action },
};

static void
quick_shortcut_activated (ConfabApplication *self,
                          const char        *shortcut_id)
{
  if (g_strcmp0 (shortcut_id, "quick-ask") == 0)
    g_action_group_activate_action (G_ACTION_GROUP (self), "quick-ask", NULL);
}

static void
confab_application_startup (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (confab_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);
  /* The window's own shortcuts (Ctrl+N, Ctrl+K, Ctrl+Shift+C, F9, Escape) are bindings on
   * ConfabWindow's class, next to its actions. */

  /* Quick ask from anywhere, where the desktop's portal binds global shortcuts. */
  if (g_application_get_dbus_connection (app) != NULL)
    {
      self->quick_shortcut = confab_global_shortcut_new ();
      g_signal_connect_swapped (self->quick_shortcut, "activated",
                                G_CALLBACK (quick_shortcut_activated), self);
      confab_global_shortcut_start (self->quick_shortcut, g_application_get_dbus_connection (app));
    }
}

static void
confab_application_shutdown (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  ConfabStore *store = self->context ? confab_context_get_store (self->context) : NULL;
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->after_start_source, g_source_remove);

  /* Streamed text is written in batches: write what is pending before leaving. */
  if (store != NULL && !confab_store_flush (store, &error))
    g_warning ("Could not save the conversations: %s", error->message);

  g_clear_handle_id (&self->warm_source, g_source_remove);
  g_clear_object (&self->quick_shortcut);
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
    { "conversation", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Open the stored conversation with this id"), N_("ID") },
    { "search", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Search the stored conversations for TEXT"), N_("TEXT") },
    { "quick", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Open a small window for a quick question"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), own_entries);
  g_application_add_main_option_entries (G_APPLICATION (self), confab_options_get_application_entries ());
}
