/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-providers-page"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "confab-preferences-private.h"
#include "confab-provider.h"
#include "confab-provider-row.h"
#include "confab-providers-page.h"
#include "confab-provider-removals.h"

#define SAVE_DELAY_MS 400

struct _ConfabProvidersPage
{
  AdwPreferencesPage   parent_instance;

  ConfabProviderList  *providers;
  GListModel          *presets;
  guint                save_providers_id;
  ConfabProviderRemovals *removals;       /* removed, undo still possible */
  guint                updating_active : 1;

  /* Template widgets */
  AdwPreferencesGroup *active_group;
  AdwComboRow         *active_row;
  AdwPreferencesGroup *presets_group;
  GtkListBox          *providers_list;
};

G_DEFINE_FINAL_TYPE (ConfabProvidersPage, confab_providers_page, ADW_TYPE_PREFERENCES_PAGE)

static gboolean
save_providers_cb (gpointer user_data)
{
  ConfabProvidersPage *self = user_data;
  g_autoptr(GError) error = NULL;

  self->save_providers_id = 0;

  if (!confab_provider_list_save (self->providers, &error))
    confab_preferences_toast (GTK_WIDGET (self), error->message);

  return G_SOURCE_REMOVE;
}

static void
queue_save_providers (ConfabProvidersPage *self)
{
  g_clear_handle_id (&self->save_providers_id, g_source_remove);
  self->save_providers_id = g_timeout_add (SAVE_DELAY_MS, save_providers_cb, self);
}

static void
flush_save_providers (ConfabProvidersPage *self)
{
  if (self->save_providers_id != 0)
    {
      g_clear_handle_id (&self->save_providers_id, g_source_remove);
      save_providers_cb (self);
    }
}

static void
row_remove_requested (ConfabProviderRow   *row,
                      ConfabProvidersPage *self)
{
  g_autoptr(ConfabProvider) provider = g_object_ref (confab_provider_row_get_provider (row));

  confab_provider_removals_remove (self->removals, GTK_WIDGET (self), provider);
}

static GtkWidget *
create_provider_row (gpointer item,
                     gpointer user_data)
{
  ConfabProvidersPage *self = user_data;
  GtkWidget *row = confab_provider_row_new (self->providers, CONFAB_PROVIDER (item));

  g_signal_connect_object (row, "changed", G_CALLBACK (queue_save_providers), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "remove-requested", G_CALLBACK (row_remove_requested), self, 0);

  return row;
}

static void
update_active_row (ConfabProvidersPage *self)
{
  ConfabProvider *active = confab_provider_list_get_active (self->providers);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->providers));
  guint position = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabProvider) provider = g_list_model_get_item (G_LIST_MODEL (self->providers), i);

      if (provider == active)
        position = i;
    }

  self->updating_active = TRUE;
  adw_combo_row_set_selected (self->active_row, position);
  self->updating_active = FALSE;

  gtk_widget_set_visible (GTK_WIDGET (self->active_group), n > 0);
}

static void
active_row_selected_cb (ConfabProvidersPage *self,
                        GParamSpec          *pspec,
                        AdwComboRow         *row)
{
  ConfabProvider *provider;

  g_assert (CONFAB_IS_PROVIDERS_PAGE (self));

  if (self->updating_active || self->providers == NULL)
    return;

  provider = adw_combo_row_get_selected_item (row);
  if (provider == NULL || provider == confab_provider_list_get_active (self->providers))
    return;

  confab_provider_list_set_active (self->providers, confab_provider_get_name (provider));
  queue_save_providers (self);
}

static void
providers_changed_cb (ConfabProvidersPage *self)
{
  update_active_row (self);
}

static void
add_provider (ConfabProvidersPage *self,
              ConfabProvider      *template)
{
  g_autoptr(JsonNode) node = confab_provider_to_json (template);
  g_autoptr(ConfabProvider) provider = confab_provider_new_from_json (node, NULL);
  guint n;
  GtkListBoxRow *row;

  confab_provider_list_add (self->providers, provider);
  queue_save_providers (self);

  /* Open the new entry so its key and model can be filled in at once. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->providers));
  row = gtk_list_box_get_row_at_index (self->providers_list, n - 1);
  if (ADW_IS_EXPANDER_ROW (row))
    {
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (row));
    }
}

static void
add_preset_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ConfabProvidersPage *self = CONFAB_PROVIDERS_PAGE (widget);
  g_autoptr(ConfabProvider) preset = g_list_model_get_item (self->presets, g_variant_get_uint32 (parameter));

  if (preset != NULL)
    add_provider (self, preset);
}

static void
add_custom_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ConfabProvidersPage *self = CONFAB_PROVIDERS_PAGE (widget);
  g_autoptr(ConfabProvider) provider = confab_provider_new (_("Custom"), "http://localhost:8000/v1");

  add_provider (self, provider);
}

static void
build_presets (ConfabProvidersPage *self)
{
  guint n = g_list_model_get_n_items (self->presets);
  GtkWidget *row;
  GtkWidget *button;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabProvider) preset = g_list_model_get_item (self->presets, i);
      g_autofree char *tooltip = NULL;

      row = adw_action_row_new ();
      gtk_widget_set_name (row, confab_provider_get_name (preset));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), confab_provider_get_name (preset));
      adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), confab_provider_get_base_url (preset));

      button = gtk_button_new_from_icon_name ("list-add-symbolic");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      /* Translators: tooltip of the button that adds a ready-made provider. */
      tooltip = g_strdup_printf (_("Add %s"), confab_provider_get_name (preset));
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "prefs.add-preset");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_uint32 (i));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);

      adw_preferences_group_add (self->presets_group, row);
    }

  row = adw_action_row_new ();
  gtk_widget_set_name (row, "custom");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Custom Provider"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Any OpenAI-compatible endpoint"));
  button = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Add a custom provider"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Add a custom provider"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "prefs.add-custom");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (self->presets_group, row);
}

static void
confab_providers_page_dispose (GObject *object)
{
  ConfabProvidersPage *self = (ConfabProvidersPage *)object;

  /* Removals still waiting for their toast happen now: closing is not undoing. */
  if (self->removals != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->removals, self);
      confab_provider_removals_finish_all (self->removals);
    }

  if (self->providers != NULL)
    flush_save_providers (self);

  /* Let go of the provider list before the widgets go. */
  if (self->active_row != NULL)
    adw_combo_row_set_model (self->active_row, NULL);
  if (self->providers_list != NULL)
    gtk_list_box_bind_model (self->providers_list, NULL, NULL, NULL, NULL);
  if (self->providers != NULL)
    g_signal_handlers_disconnect_by_data (self->providers, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_PROVIDERS_PAGE);

  g_clear_object (&self->removals);
  g_clear_object (&self->presets);
  g_clear_object (&self->providers);

  G_OBJECT_CLASS (confab_providers_page_parent_class)->dispose (object);
}

static void
confab_providers_page_class_init (ConfabProvidersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_providers_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-providers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabProvidersPage, active_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabProvidersPage, active_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProvidersPage, presets_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabProvidersPage, providers_list);
  gtk_widget_class_bind_template_callback (widget_class, active_row_selected_cb);

  gtk_widget_class_install_action (widget_class, "prefs.add-preset", "u", add_preset_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-custom", NULL, add_custom_action);
}

static void
confab_providers_page_init (ConfabProvidersPage *self)
{
  GtkExpression *expression;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->presets = confab_provider_list_presets ();

  expression = gtk_property_expression_new (CONFAB_TYPE_PROVIDER, NULL, "name");
  adw_combo_row_set_expression (self->active_row, expression);
  gtk_expression_unref (expression);

  build_presets (self);
}

void
confab_providers_page_set_providers (ConfabProvidersPage *self,
                                     ConfabProviderList  *providers)
{
  g_return_if_fail (CONFAB_IS_PROVIDERS_PAGE (self));
  g_return_if_fail (CONFAB_IS_PROVIDER_LIST (providers));
  g_return_if_fail (self->providers == NULL);

  self->providers = g_object_ref (providers);
  self->removals = confab_provider_removals_new (providers);
  g_signal_connect_swapped (self->removals, "changed", G_CALLBACK (queue_save_providers), self);

  self->updating_active = TRUE;
  adw_combo_row_set_model (self->active_row, G_LIST_MODEL (self->providers));
  self->updating_active = FALSE;

  gtk_list_box_bind_model (self->providers_list, G_LIST_MODEL (self->providers),
                           create_provider_row, self, NULL);
  g_signal_connect_object (self->providers, "items-changed",
                           G_CALLBACK (providers_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->providers, "notify::active",
                           G_CALLBACK (providers_changed_cb), self, G_CONNECT_SWAPPED);
  update_active_row (self);
}

void
confab_providers_page_flush (ConfabProvidersPage *self)
{
  g_return_if_fail (CONFAB_IS_PROVIDERS_PAGE (self));

  flush_save_providers (self);
}
