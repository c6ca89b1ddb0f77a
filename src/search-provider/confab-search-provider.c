/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-search-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-search-provider.h"
#include "confab-shell-search-provider.h"
#include "confab-store.h"
#include "confab-store-summary.h"

/* The Shell shows a handful of results per provider; more only costs snippets. */
#define MAX_RESULTS 20
/* Seconds the service stays after the last call (the Shell asks again per key press). */
#define INACTIVITY_TIMEOUT_MS 10000

struct _ConfabSearchProvider
{
  GApplication                    parent_instance;

  ConfabShellSearchProvider2     *skeleton;
  ConfabStore                    *store;
  gboolean                        store_failed;
  /* id → ConfabStoreSummary of the latest search: titles and snippets for GetResultMetas. */
  GHashTable                     *last_results;
};

G_DEFINE_FINAL_TYPE (ConfabSearchProvider, confab_search_provider, G_TYPE_APPLICATION)

static ConfabStore *
get_store (ConfabSearchProvider *self)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL && !self->store_failed)
    {
      self->store = confab_store_open_default (&error);
      if (self->store == NULL)
        {
          g_warning ("Cannot search the conversations: %s", error->message);
          self->store_failed = TRUE;
        }
    }

  return self->store;
}

typedef struct
{
  ConfabSearchProvider  *self;
  GDBusMethodInvocation *invocation;
  gboolean               subsearch;
} Search;

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Search *search = user_data;
  ConfabSearchProvider *self = search->self;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GListModel) hits = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) results = NULL;

  hits = confab_store_search_finish (CONFAB_STORE (object), result, &error);
  if (hits == NULL)
    g_warning ("Search failed: %s", error->message);

  g_hash_table_remove_all (self->last_results);
  for (guint i = 0; hits != NULL && i < g_list_model_get_n_items (hits); i++)
    {
      g_autoptr(ConfabStoreSummary) summary = g_list_model_get_item (hits, i);
      const char *id = confab_store_summary_get_id (summary);

      g_strv_builder_add (ids, id);
      g_hash_table_replace (self->last_results, g_strdup (id), g_steal_pointer (&summary));
    }
  results = g_strv_builder_end (ids);

  if (search->subsearch)
    confab_shell_search_provider2_complete_get_subsearch_result_set (self->skeleton, search->invocation,
                                                                     (const char * const *) results);
  else
    confab_shell_search_provider2_complete_get_initial_result_set (self->skeleton, search->invocation,
                                                                   (const char * const *) results);

  g_application_release (G_APPLICATION (self));
  g_object_unref (self);
  g_free (search);
}

/* One page of the newest hits, off the D-Bus thread: the Shell asks again on every key. */
static void
search (ConfabSearchProvider  *self,
        GDBusMethodInvocation *invocation,
        const char * const    *terms,
        gboolean               subsearch)
{
  g_autofree char *text = g_strjoinv (" ", (char **) terms);
  ConfabStore *store = get_store (self);
  Search *data;

  g_strstrip (text);
  if (store == NULL || text[0] == '\0')
    {
      const char * const none[] = { NULL };

      g_hash_table_remove_all (self->last_results);
      if (subsearch)
        confab_shell_search_provider2_complete_get_subsearch_result_set (self->skeleton, invocation, none);
      else
        confab_shell_search_provider2_complete_get_initial_result_set (self->skeleton, invocation, none);
      return;
    }

  data = g_new0 (Search, 1);
  data->self = g_object_ref (self);
  data->invocation = invocation;
  data->subsearch = subsearch;
  g_application_hold (G_APPLICATION (self));
  confab_store_search_async (store, text, 0, MAX_RESULTS, NULL, search_cb, data);
}

static gboolean
handle_get_initial_result_set (ConfabShellSearchProvider2 *skeleton,
                               GDBusMethodInvocation      *invocation,
                               const char * const         *terms,
                               ConfabSearchProvider       *self)
{
  search (self, invocation, terms, FALSE);
  return TRUE;
}

static gboolean
handle_get_subsearch_result_set (ConfabShellSearchProvider2 *skeleton,
                                 GDBusMethodInvocation      *invocation,
                                 const char * const         *previous_results,
                                 const char * const         *terms,
                                 ConfabSearchProvider       *self)
{
  /* A longer query is a new full-text query: FTS ranks it afresh, and the previous
   * results may miss conversations that only the longer words match by title. */
  search (self, invocation, terms, TRUE);
  return TRUE;
}

static gboolean
handle_get_result_metas (ConfabShellSearchProvider2 *skeleton,
                         GDBusMethodInvocation      *invocation,
                         const char * const         *identifiers,
                         ConfabSearchProvider       *self)
{
  g_autoptr(GIcon) icon = g_themed_icon_new (APP_ID);
  g_autoptr(GVariant) serialized_icon = g_icon_serialize (icon);
  GVariantBuilder metas;

  g_application_hold (G_APPLICATION (self));
  g_variant_builder_init (&metas, G_VARIANT_TYPE ("aa{sv}"));

  for (guint i = 0; identifiers[i] != NULL; i++)
    {
      ConfabStoreSummary *summary = g_hash_table_lookup (self->last_results, identifiers[i]);
      const char *title;
      const char *snippet;
      GVariantBuilder meta;

      if (summary == NULL)
        continue;

      title = confab_store_summary_get_title (summary);
      snippet = confab_store_summary_get_snippet (summary);

      g_variant_builder_init (&meta, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&meta, "{sv}", "id", g_variant_new_string (identifiers[i]));
      g_variant_builder_add (&meta, "{sv}", "name",
                             g_variant_new_string (title != NULL && title[0] != '\0' ? title : _("Untitled")));
      if (snippet != NULL && snippet[0] != '\0')
        g_variant_builder_add (&meta, "{sv}", "description", g_variant_new_string (snippet));
      if (serialized_icon != NULL)
        g_variant_builder_add (&meta, "{sv}", "icon", serialized_icon);
      g_variant_builder_add_value (&metas, g_variant_builder_end (&meta));
    }

  confab_shell_search_provider2_complete_get_result_metas (skeleton, invocation, g_variant_builder_end (&metas));
  g_application_release (G_APPLICATION (self));

  return TRUE;
}

/* The app is not unique (each launch is its own window and options), so a result opens in a
 * new process: `confab --conversation ID` (or `--search TEXT`), found on PATH as the desktop
 * file's Exec is, the install's own copy otherwise. */
static void
launch_confab (const char *option,
               const char *value,
               guint32     timestamp)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_find_program_in_path ("confab");
  g_autofree char *argument = g_strdup_printf ("--%s=%s", option, value);
  const char *argv[] = { path != NULL ? path : BINDIR "/confab", argument, NULL };

  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &error))
    g_warning ("Could not start Confab: %s", error->message);
}

static gboolean
handle_activate_result (ConfabShellSearchProvider2 *skeleton,
                        GDBusMethodInvocation      *invocation,
                        const char                 *identifier,
                        const char * const         *terms,
                        guint32                     timestamp,
                        ConfabSearchProvider       *self)
{
  launch_confab ("conversation", identifier, timestamp);
  confab_shell_search_provider2_complete_activate_result (skeleton, invocation);

  return TRUE;
}

static gboolean
handle_launch_search (ConfabShellSearchProvider2 *skeleton,
                      GDBusMethodInvocation      *invocation,
                      const char * const         *terms,
                      guint32                     timestamp,
                      ConfabSearchProvider       *self)
{
  g_autofree char *text = g_strjoinv (" ", (char **) terms);

  launch_confab ("search", text, timestamp);
  confab_shell_search_provider2_complete_launch_search (skeleton, invocation);

  return TRUE;
}

static gboolean
confab_search_provider_dbus_register (GApplication     *application,
                                      GDBusConnection  *connection,
                                      const char       *object_path,
                                      GError          **error)
{
  ConfabSearchProvider *self = CONFAB_SEARCH_PROVIDER (application);

  if (!G_APPLICATION_CLASS (confab_search_provider_parent_class)->dbus_register (application, connection,
                                                                                object_path, error))
    return FALSE;

  /* The application's own path (/io/github/confab/Confab/SearchProvider), as the .ini says. */
  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                           object_path, error);
}

static void
confab_search_provider_dbus_unregister (GApplication    *application,
                                        GDBusConnection *connection,
                                        const char      *object_path)
{
  ConfabSearchProvider *self = CONFAB_SEARCH_PROVIDER (application);

  if (g_dbus_interface_skeleton_has_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection))
    g_dbus_interface_skeleton_unexport_from_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection);

  G_APPLICATION_CLASS (confab_search_provider_parent_class)->dbus_unregister (application, connection, object_path);
}

static void
confab_search_provider_dispose (GObject *object)
{
  ConfabSearchProvider *self = CONFAB_SEARCH_PROVIDER (object);

  g_clear_object (&self->skeleton);
  g_clear_object (&self->store);
  g_clear_pointer (&self->last_results, g_hash_table_unref);

  G_OBJECT_CLASS (confab_search_provider_parent_class)->dispose (object);
}

static void
confab_search_provider_class_init (ConfabSearchProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = confab_search_provider_dispose;
  app_class->dbus_register = confab_search_provider_dbus_register;
  app_class->dbus_unregister = confab_search_provider_dbus_unregister;
}

static void
confab_search_provider_init (ConfabSearchProvider *self)
{
  self->last_results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->skeleton = confab_shell_search_provider2_skeleton_new ();

  g_signal_connect (self->skeleton, "handle-get-initial-result-set",
                    G_CALLBACK (handle_get_initial_result_set), self);
  g_signal_connect (self->skeleton, "handle-get-subsearch-result-set",
                    G_CALLBACK (handle_get_subsearch_result_set), self);
  g_signal_connect (self->skeleton, "handle-get-result-metas",
                    G_CALLBACK (handle_get_result_metas), self);
  g_signal_connect (self->skeleton, "handle-activate-result",
                    G_CALLBACK (handle_activate_result), self);
  g_signal_connect (self->skeleton, "handle-launch-search",
                    G_CALLBACK (handle_launch_search), self);
}

ConfabSearchProvider *
confab_search_provider_new (void)
{
  return g_object_new (CONFAB_TYPE_SEARCH_PROVIDER,
                       "application-id", APP_ID ".SearchProvider",
                       "flags", G_APPLICATION_IS_SERVICE,
                       "inactivity-timeout", INACTIVITY_TIMEOUT_MS,
                       NULL);
}
