/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-provider-removals"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-provider.h"
#include "confab-provider-removals.h"
#include "confab-secrets.h"

struct _ConfabProviderRemovals
{
  GObject             parent_instance;

  ConfabProviderList *providers;
  GPtrArray          *pending;   /* Removal, while its toast shows */
};

G_DEFINE_FINAL_TYPE (ConfabProviderRemovals, confab_provider_removals, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  ConfabProviderRemovals *self;   /* NULL once it is finished */
  ConfabProvider         *provider;
  AdwToast               *toast;
  gulong                  dismissed_id;
  gulong                  clicked_id;
  gboolean                undone;
} Removal;

static void
removal_free (gpointer data)
{
  Removal *removal = data;

  g_clear_signal_handler (&removal->dismissed_id, removal->toast);
  g_clear_signal_handler (&removal->clicked_id, removal->toast);
  g_clear_object (&removal->toast);
  g_clear_object (&removal->provider);
  g_free (removal);
}

static void
key_cleared_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  confab_secrets_clear_finish (result, NULL);
}

/* The undo window closed: the key goes, unless the provider came back (or another of that
 * name was added meanwhile, whose key it now is). */
static void
removal_finish (Removal *removal)
{
  const char *name = confab_provider_get_name (removal->provider);

  if (removal->undone)
    return;
  if (removal->self != NULL && confab_provider_list_lookup (removal->self->providers, name) != NULL)
    return;

  confab_secrets_clear_async (name, NULL, key_cleared_cb, NULL);
}

static void
removal_dismissed_cb (AdwToast *toast,
                      Removal  *removal)
{
  ConfabProviderRemovals *self = removal->self;

  removal_finish (removal);
  if (self != NULL)
    g_ptr_array_remove (self->pending, removal);
}

static void
removal_undo_cb (AdwToast *toast,
                 Removal  *removal)
{
  ConfabProviderRemovals *self = removal->self;

  if (self == NULL || removal->undone)
    return;

  removal->undone = TRUE;
  if (confab_provider_list_lookup (self->providers, confab_provider_get_name (removal->provider)) == NULL)
    {
      confab_provider_list_add (self->providers, removal->provider);
      g_signal_emit (self, signals[CHANGED], 0);
    }
}

static void
confab_provider_removals_dispose (GObject *object)
{
  ConfabProviderRemovals *self = CONFAB_PROVIDER_REMOVALS (object);

  confab_provider_removals_finish_all (self);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_object (&self->providers);

  G_OBJECT_CLASS (confab_provider_removals_parent_class)->dispose (object);
}

static void
confab_provider_removals_class_init (ConfabProviderRemovalsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_provider_removals_dispose;

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
confab_provider_removals_init (ConfabProviderRemovals *self)
{
  self->pending = g_ptr_array_new_with_free_func (removal_free);
}

ConfabProviderRemovals *
confab_provider_removals_new (ConfabProviderList *providers)
{
  ConfabProviderRemovals *self;

  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (providers), NULL);

  self = g_object_new (CONFAB_TYPE_PROVIDER_REMOVALS, NULL);
  self->providers = g_object_ref (providers);

  return self;
}

void
confab_provider_removals_remove (ConfabProviderRemovals *self,
                                 GtkWidget              *widget,
                                 ConfabProvider         *provider)
{
  g_autoptr(ConfabProvider) removed = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *escaped = NULL;
  GtkWidget *window;
  Removal *removal;

  g_return_if_fail (CONFAB_IS_PROVIDER_REMOVALS (self));
  g_return_if_fail (CONFAB_IS_PROVIDER (provider));

  removed = g_object_ref (provider);
  confab_provider_list_remove (self->providers, removed);
  g_signal_emit (self, signals[CHANGED], 0);

  window = widget ? gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_WINDOW) : NULL;
  if (window == NULL)
    {
      /* No toast to undo with: the key goes with the provider. */
      confab_secrets_clear_async (confab_provider_get_name (removed), NULL, key_cleared_cb, NULL);
      return;
    }

  removal = g_new0 (Removal, 1);
  removal->self = self;
  removal->provider = g_object_ref (removed);
  /* A toast title is Pango markup in libadwaita 1.2: the user's name is escaped. */
  escaped = g_markup_escape_text (confab_provider_get_name (removed), -1);
  heading = g_strdup_printf (_("“%s” removed"), escaped);
  removal->toast = g_object_ref_sink (adw_toast_new (heading));
  adw_toast_set_button_label (removal->toast, _("_Undo"));
  adw_toast_set_priority (removal->toast, ADW_TOAST_PRIORITY_HIGH);
  removal->clicked_id = g_signal_connect (removal->toast, "button-clicked",
                                          G_CALLBACK (removal_undo_cb), removal);
  removal->dismissed_id = g_signal_connect (removal->toast, "dismissed",
                                            G_CALLBACK (removal_dismissed_cb), removal);
  g_ptr_array_add (self->pending, removal);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window), g_object_ref (removal->toast));
}

void
confab_provider_removals_finish_all (ConfabProviderRemovals *self)
{
  g_return_if_fail (CONFAB_IS_PROVIDER_REMOVALS (self));

  if (self->pending == NULL)
    return;

  for (guint i = 0; i < self->pending->len; i++)
    {
      Removal *removal = g_ptr_array_index (self->pending, i);

      g_clear_signal_handler (&removal->dismissed_id, removal->toast);
      g_clear_signal_handler (&removal->clicked_id, removal->toast);
      removal_finish (removal);
      removal->self = NULL;
    }
  g_ptr_array_set_size (self->pending, 0);
}
