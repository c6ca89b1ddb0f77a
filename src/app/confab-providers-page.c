/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-providers-page"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "confab-client.h"
#include "confab-preferences-private.h"
#include "confab-provider.h"
#include "confab-providers-page.h"
#include "confab-provider-removals.h"
#include "confab-secrets.h"

#define SAVE_DELAY_MS 400

struct _ConfabProvidersPage
{
  AdwPreferencesPage   parent_instance;

  ConfabProviderList  *providers;
  GListModel          *presets;
  ConfabClient        *client;
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

typedef struct
{
  ConfabProvidersPage     *self;
  ConfabProvider          *provider;
  GCancellable            *cancellable;
  AdwEntryRow             *name_row;
  AdwEntryRow             *url_row;
  AdwEntryRow             *key_row;
  AdwEntryRow             *model_row;
  AdwEntryRow             *models_row;
  GtkTextBuffer           *headers_buffer;
  GtkTextBuffer           *extra_buffer;
  GtkLabel                *extra_error;
  AdwActionRow            *test_row;
  GtkButton               *test_button;
  guint                    extra_idle_id;
  guint                    key_requested : 1;
} ProviderRow;

static void
provider_row_free (ProviderRow *row)
{
  g_clear_handle_id (&row->extra_idle_id, g_source_remove);
  g_cancellable_cancel (row->cancellable);
  g_clear_object (&row->cancellable);
  g_clear_object (&row->provider);
  g_free (row);
}

static ProviderRow *
provider_row_get (GtkWidget *widget)
{
  return g_object_get_data (G_OBJECT (widget), "confab-provider-row");
}

static void
key_stored_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GtkWidget) expander = user_data;
  g_autoptr(GError) error = NULL;
  ProviderRow *row = provider_row_get (expander);

  if (!confab_provider_list_set_key_finish (CONFAB_PROVIDER_LIST (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && row != NULL)
    confab_preferences_toast (GTK_WIDGET (row->self), error->message);
}

static void
key_looked_up_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GtkWidget) expander = user_data;
  g_autoptr(GError) error = NULL;
  ProviderRow *row = provider_row_get (expander);
  char *key;

  key = confab_secrets_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || row == NULL ||
      g_cancellable_is_cancelled (row->cancellable))
    {
      confab_secrets_free (key);
      return;
    }

  if (error != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->key_row), _("API Key (keyring unavailable)"));
      g_debug ("Keyring lookup failed: %s", error->message);
    }
  else if (key != NULL)
    {
      confab_provider_set_api_key (row->provider, key);
      /* Only fill in a field the user has not started typing into. */
      if (*gtk_editable_get_text (GTK_EDITABLE (row->key_row)) == '\0')
        gtk_editable_set_text (GTK_EDITABLE (row->key_row), key);
    }

  confab_secrets_free (key);
}

/* Keys are read from the keyring only when the row is opened: never for rows nobody looks at. */
static void
provider_expanded_cb (AdwExpanderRow *expander,
                      GParamSpec     *pspec,
                      gpointer        user_data)
{
  ProviderRow *row = provider_row_get (GTK_WIDGET (expander));
  const char *key;

  if (row == NULL || !adw_expander_row_get_expanded (expander) || row->key_requested)
    return;

  row->key_requested = TRUE;

  key = confab_provider_get_api_key (row->provider);
  if (key != NULL && *key != '\0')
    {
      gtk_editable_set_text (GTK_EDITABLE (row->key_row), key);
      return;
    }

  confab_secrets_lookup_async (confab_provider_get_name (row->provider), row->cancellable,
                               key_looked_up_cb, g_object_ref (expander));
}

static void
name_applied_cb (AdwEntryRow *entry,
                 GtkWidget   *expander)
{
  ProviderRow *row = provider_row_get (expander);
  g_autofree char *new_name = confab_provider_list_rename (row->self->providers, row->provider,
                                                           gtk_editable_get_text (GTK_EDITABLE (entry)));

  gtk_editable_set_text (GTK_EDITABLE (entry), confab_provider_get_name (row->provider));
  if (new_name != NULL)
    queue_save_providers (row->self);
}

static void
url_applied_cb (AdwEntryRow *entry,
                GtkWidget   *expander)
{
  ProviderRow *row = provider_row_get (expander);

  confab_provider_set_base_url (row->provider, gtk_editable_get_text (GTK_EDITABLE (entry)));
  gtk_editable_set_text (GTK_EDITABLE (entry), confab_provider_get_base_url (row->provider));
  queue_save_providers (row->self);
}

static void
key_applied_cb (AdwEntryRow *entry,
                GtkWidget   *expander)
{
  ProviderRow *row = provider_row_get (expander);

  confab_provider_list_set_key_async (row->self->providers, row->provider,
                                      gtk_editable_get_text (GTK_EDITABLE (entry)), row->cancellable,
                                      key_stored_cb, g_object_ref (expander));
}

static void
model_applied_cb (AdwEntryRow *entry,
                  GtkWidget   *expander)
{
  ProviderRow *row = provider_row_get (expander);
  g_autofree char *model = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  confab_provider_set_model (row->provider, *model ? model : NULL);
  queue_save_providers (row->self);
}

static GStrv
split_list (const char *text,
            const char *separators)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_strsplit_set (text, separators, -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

static void
models_applied_cb (AdwEntryRow *entry,
                   GtkWidget   *expander)
{
  ProviderRow *row = provider_row_get (expander);
  g_auto(GStrv) models = split_list (gtk_editable_get_text (GTK_EDITABLE (entry)), ",\n");

  confab_provider_set_models (row->provider, (const char * const *) models);
  queue_save_providers (row->self);
}

static char *
buffer_dup_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
headers_changed_cb (GtkTextBuffer *buffer,
                    GtkWidget     *expander)
{
  ProviderRow *row = provider_row_get (expander);
  g_autofree char *text = buffer_dup_text (buffer);
  g_auto(GStrv) headers = split_list (text, "\n");

  if (row == NULL)
    return;

  confab_provider_set_headers (row->provider, (const char * const *) headers);
  queue_save_providers (row->self);
}

static gboolean
apply_extra_body_cb (gpointer user_data)
{
  ProviderRow *row = user_data;
  g_autofree char *text = buffer_dup_text (row->extra_buffer);
  g_autoptr(GError) error = NULL;

  row->extra_idle_id = 0;

  /* Validated as it is typed; an invalid body is shown, never applied nor saved. */
  g_strstrip (text);
  if (!confab_provider_set_extra_body_json (row->provider, text, &error))
    {
      gtk_label_set_text (row->extra_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (row->extra_error), TRUE);
      return G_SOURCE_REMOVE;
    }

  gtk_widget_set_visible (GTK_WIDGET (row->extra_error), FALSE);
  queue_save_providers (row->self);

  return G_SOURCE_REMOVE;
}

/* One check per burst of edits (a paste is a delete and an insert). */
static void
extra_body_changed_cb (GtkTextBuffer *buffer,
                       GtkWidget     *expander)
{
  ProviderRow *row = provider_row_get (expander);

  if (row != NULL && row->extra_idle_id == 0)
    row->extra_idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_extra_body_cb, row, NULL);
}

static void
models_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GtkWidget) expander = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;
  ProviderRow *row = provider_row_get (expander);
  g_autofree char *message = NULL;

  models = confab_client_list_models_finish (CONFAB_CLIENT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || row == NULL ||
      g_cancellable_is_cancelled (row->cancellable))
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (row->test_button), TRUE);

  if (error != NULL)
    {
      /* Translators: the result of "Test Connection"; %s is the error. */
      message = g_strdup_printf (_("Failed: %s"), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (row->test_row), "error");
    }
  else
    {
      guint n = g_strv_length (models);

      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Connected: %u model available",
                                              "Connected: %u models available", n), n);
      gtk_widget_remove_css_class (GTK_WIDGET (row->test_row), "error");
      confab_preferences_offer_models (row->test_row, (const char * const *) models, row->model_row);
    }

  adw_action_row_set_subtitle (row->test_row, message);
}

static void
test_clicked_cb (GtkButton *button,
                 GtkWidget *expander)
{
  ProviderRow *row = provider_row_get (expander);
  ConfabProvidersPage *self = row->self;

  if (self->client == NULL)
    self->client = confab_client_new ();

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (row->test_row), "error");
  adw_action_row_set_subtitle (row->test_row, _("Connecting…"));

  confab_client_list_models_async (self->client, row->provider, row->cancellable,
                                   models_listed_cb, g_object_ref (expander));
}

static void
remove_clicked_cb (GtkButton *button,
                   GtkWidget *expander)
{
  ProviderRow *row = provider_row_get (expander);
  g_autoptr(ConfabProvider) provider = g_object_ref (row->provider);

  confab_provider_removals_remove (row->self->removals, GTK_WIDGET (row->self), provider);
}

static void
provider_row_destroy_cb (GtkWidget *expander)
{
  ProviderRow *row = provider_row_get (expander);

  if (row != NULL)
    {
      g_clear_handle_id (&row->extra_idle_id, g_source_remove);
      g_cancellable_cancel (row->cancellable);
    }
}

static GtkWidget *
create_provider_row (gpointer item,
                     gpointer user_data)
{
  ConfabProvidersPage *self = user_data;
  ConfabProvider *provider = item;
  g_autofree char *models = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *extra = NULL;
  GtkWidget *expander;
  GtkWidget *row;
  GtkWidget *button;
  ProviderRow *data;

  expander = adw_expander_row_new ();
  /* Provider names are the user's text and errors are the server's: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
  gtk_widget_set_name (expander, confab_provider_get_name (provider));
  g_object_bind_property (provider, "name", expander, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (provider, "base-url", expander, "subtitle", G_BINDING_SYNC_CREATE);
  g_object_bind_property (provider, "name", expander, "name", G_BINDING_DEFAULT);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (expander), FALSE);

  data = g_new0 (ProviderRow, 1);
  data->self = self;
  data->provider = g_object_ref (provider);
  data->cancellable = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (expander), "confab-provider-row", data,
                          (GDestroyNotify) provider_row_free);
  g_signal_connect (expander, "destroy", G_CALLBACK (provider_row_destroy_cb), NULL);
  g_signal_connect (expander, "notify::expanded", G_CALLBACK (provider_expanded_cb), NULL);

  data->name_row = confab_preferences_entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Name"),
                                                 confab_provider_get_name (provider), G_CALLBACK (name_applied_cb));
  gtk_widget_set_name (GTK_WIDGET (data->name_row), "name");
  data->url_row = confab_preferences_entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Base URL"),
                                                confab_provider_get_base_url (provider), G_CALLBACK (url_applied_cb));
  gtk_widget_set_name (GTK_WIDGET (data->url_row), "base-url");
  data->key_row = confab_preferences_entry_row (expander, ADW_TYPE_PASSWORD_ENTRY_ROW, _("API Key"),
                                                NULL, G_CALLBACK (key_applied_cb));
  gtk_widget_set_name (GTK_WIDGET (data->key_row), "api-key");
  data->model_row = confab_preferences_entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Default Model"),
                                                  confab_provider_get_model (provider), G_CALLBACK (model_applied_cb));
  gtk_widget_set_name (GTK_WIDGET (data->model_row), "model");

  if (confab_provider_get_models (provider) != NULL)
    models = g_strjoinv (", ", (char **) confab_provider_get_models (provider));
  data->models_row = confab_preferences_entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Models (comma-separated)"),
                                                   models, G_CALLBACK (models_applied_cb));
  gtk_widget_set_name (GTK_WIDGET (data->models_row), "models");

  if (confab_provider_get_headers (provider) != NULL)
    headers = g_strjoinv ("\n", (char **) confab_provider_get_headers (provider));
  row = confab_preferences_text_area_row (_("Custom Headers (one “Name: value” per line)"), headers, &data->headers_buffer, NULL);
  gtk_widget_set_name (row, "headers");
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
  g_signal_connect (data->headers_buffer, "changed", G_CALLBACK (headers_changed_cb), expander);

  if (confab_provider_get_extra_body (provider) != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (),
                                                        confab_provider_get_extra_body (provider));
      extra = json_to_string (node, TRUE);
    }
  row = confab_preferences_text_area_row (_("Extra Request Body (JSON object)"), extra, &data->extra_buffer, &data->extra_error);
  gtk_widget_set_name (row, "extra-body");
  gtk_widget_set_name (GTK_WIDGET (data->extra_error), "extra-body-error");
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
  g_signal_connect (data->extra_buffer, "changed", G_CALLBACK (extra_body_changed_cb), expander);

  data->test_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (data->test_row), FALSE);
  gtk_widget_set_name (GTK_WIDGET (data->test_row), "test-connection");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->test_row), _("Connection"));
  adw_action_row_set_subtitle (data->test_row, _("Lists the models the provider offers"));
  button = gtk_button_new_with_mnemonic (_("_Test Connection"));
  gtk_widget_set_name (button, "test-button");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect (button, "clicked", G_CALLBACK (test_clicked_cb), expander);
  adw_action_row_add_suffix (data->test_row, button);
  data->test_button = GTK_BUTTON (button);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), GTK_WIDGET (data->test_row));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Remove this provider and its API key"));
  button = gtk_button_new_with_mnemonic (_("_Remove"));
  gtk_widget_set_name (button, "remove-button");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "destructive-action");
  g_signal_connect (button, "clicked", G_CALLBACK (remove_clicked_cb), expander);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  return expander;
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
  g_clear_object (&self->client);
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
