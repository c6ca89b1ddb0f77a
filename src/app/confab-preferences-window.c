/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-preferences-window"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-client.h"
#include "confab-error.h"
#include "confab-mcp-server.h"
#include "confab-preferences-window.h"
#include "confab-provider.h"
#include "confab-secrets.h"

#define SAVE_DELAY_MS 400

struct _ConfabPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  ConfabProviderList   *providers;
  GListModel           *presets;
  ConfabToolRegistry   *registry;
  GSettings            *settings;
  GCancellable         *cancellable;
  ConfabClient         *client;
  char                 *mcp_path;
  JsonObject           *mcp_root;
  guint                 save_providers_id;
  guint                 updating_active : 1;

  /* Template widgets */
  AdwPreferencesGroup  *active_group;
  AdwComboRow          *active_row;
  GtkButton            *add_server_button;
  AdwPreferencesGroup  *mcp_group;
  GtkListBox           *mcp_list;
  AdwPreferencesGroup  *presets_group;
  GtkListBox           *providers_list;
  AdwActionRow         *send_on_enter_row;
  GtkSwitch            *send_on_enter_switch;
  GtkTextView          *system_prompt_view;
};

G_DEFINE_FINAL_TYPE (ConfabPreferencesWindow, confab_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_PROVIDERS,
  PROP_TOOL_REGISTRY,
  N_PROPS
};

enum {
  MCP_CONFIG_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
toast (ConfabPreferencesWindow *self,
       const char              *message)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

/* ───────────────────────────── Providers ───────────────────────────── */

static gboolean
save_providers_cb (gpointer user_data)
{
  ConfabPreferencesWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  self->save_providers_id = 0;

  if (!confab_provider_list_save (self->providers, &error))
    toast (self, error->message);

  return G_SOURCE_REMOVE;
}

static void
queue_save_providers (ConfabPreferencesWindow *self)
{
  g_clear_handle_id (&self->save_providers_id, g_source_remove);
  self->save_providers_id = g_timeout_add (SAVE_DELAY_MS, save_providers_cb, self);
}

static void
flush_save_providers (ConfabPreferencesWindow *self)
{
  if (self->save_providers_id != 0)
    {
      g_clear_handle_id (&self->save_providers_id, g_source_remove);
      save_providers_cb (self);
    }
}

typedef struct
{
  ConfabPreferencesWindow *self;
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

  if (!confab_secrets_store_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && row != NULL)
    toast (row->self, error->message);
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

typedef struct
{
  char *old_name;
  char *new_name;
} KeyMove;

static void
key_move_free (KeyMove *move)
{
  g_free (move->old_name);
  g_free (move->new_name);
  g_free (move);
}

static void
key_move_cleared_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  KeyMove *move = user_data;

  confab_secrets_clear_finish (result, NULL);
  key_move_free (move);
}

static void
key_move_stored_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  KeyMove *move = user_data;
  g_autoptr(GError) error = NULL;

  /* Forget the old entry only once the new one is safe. */
  if (!confab_secrets_store_finish (result, &error))
    {
      g_warning ("Could not move the API key of %s to %s: %s", move->old_name, move->new_name, error->message);
      key_move_free (move);
      return;
    }

  confab_secrets_clear_async (move->old_name, NULL, key_move_cleared_cb, move);
}

static void
key_move_looked_up_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  KeyMove *move = user_data;
  char *key = confab_secrets_lookup_finish (result, NULL);

  if (key == NULL)
    {
      key_move_free (move);
      return;
    }

  confab_secrets_store_async (move->new_name, key, NULL, key_move_stored_cb, move);
  confab_secrets_free (key);
}

/* The keyring is keyed by provider name: a renamed provider takes its key along. */
static void
move_key (const char *old_name,
          const char *new_name)
{
  KeyMove *move = g_new0 (KeyMove, 1);

  move->old_name = g_strdup (old_name);
  move->new_name = g_strdup (new_name);
  confab_secrets_lookup_async (old_name, NULL, key_move_looked_up_cb, move);
}

static void
name_applied_cb (AdwEntryRow *entry,
                 GtkWidget   *expander)
{
  ProviderRow *row = provider_row_get (expander);
  g_autofree char *wanted = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  g_autofree char *old_name = g_strdup (confab_provider_get_name (row->provider));
  g_autofree char *new_name = NULL;

  if (*wanted == '\0' || g_strcmp0 (wanted, old_name) == 0)
    {
      gtk_editable_set_text (GTK_EDITABLE (entry), old_name);
      return;
    }

  new_name = confab_provider_list_make_unique_name (row->self->providers, wanted);
  confab_provider_set_name (row->provider, new_name);
  gtk_editable_set_text (GTK_EDITABLE (entry), new_name);

  move_key (old_name, new_name);
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
  const char *key = gtk_editable_get_text (GTK_EDITABLE (entry));

  confab_provider_set_api_key (row->provider, *key ? key : NULL);
  confab_secrets_store_async (confab_provider_get_name (row->provider), key, row->cancellable,
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
    }

  adw_action_row_set_subtitle (row->test_row, message);
}

static void
test_clicked_cb (GtkButton *button,
                 GtkWidget *expander)
{
  ProviderRow *row = provider_row_get (expander);
  ConfabPreferencesWindow *self = row->self;

  if (self->client == NULL)
    self->client = confab_client_new ();

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (row->test_row), "error");
  adw_action_row_set_subtitle (row->test_row, _("Connecting…"));

  confab_client_list_models_async (self->client, row->provider, row->cancellable,
                                   models_listed_cb, g_object_ref (expander));
}

static void
key_cleared_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  confab_secrets_clear_finish (result, NULL);
}

static void
remove_clicked_cb (GtkButton *button,
                   GtkWidget *expander)
{
  ProviderRow *row = provider_row_get (expander);
  ConfabPreferencesWindow *self = row->self;
  g_autoptr(ConfabProvider) provider = g_object_ref (row->provider);

  confab_secrets_clear_async (confab_provider_get_name (provider), NULL, key_cleared_cb, NULL);
  confab_provider_list_remove (self->providers, provider);
  queue_save_providers (self);
}

static GtkWidget *
text_area_row (const char     *title,
               const char     *text,
               GtkTextBuffer **buffer,
               GtkLabel      **error_label)
{
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *view = gtk_text_view_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "caption");
  gtk_widget_add_css_class (heading, "dim-label");
  gtk_box_append (GTK_BOX (box), heading);

  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  gtk_widget_set_size_request (view, -1, 60);
  gtk_widget_add_css_class (view, "card");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, heading, NULL,
                                  -1);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text ? text : "", -1);
  gtk_box_append (GTK_BOX (box), view);
  *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

  if (error_label != NULL)
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "error");
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_set_visible (label, FALSE);
      gtk_box_append (GTK_BOX (box), label);
      *error_label = GTK_LABEL (label);
    }

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  return row;
}

static AdwEntryRow *
entry_row (GtkWidget   *expander,
           GType        type,
           const char  *title,
           const char  *text,
           GCallback    applied)
{
  GtkWidget *row = g_object_new (type,
                                 "title", title,
                                 "show-apply-button", TRUE,
                                 NULL);

  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
  g_signal_connect (row, "apply", applied, expander);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  return ADW_ENTRY_ROW (row);
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
  ConfabPreferencesWindow *self = user_data;
  ConfabProvider *provider = item;
  g_autofree char *models = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *extra = NULL;
  GtkWidget *expander;
  GtkWidget *row;
  GtkWidget *button;
  ProviderRow *data;

  expander = adw_expander_row_new ();
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

  data->name_row = entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Name"),
                              confab_provider_get_name (provider), G_CALLBACK (name_applied_cb));
  gtk_widget_set_name (GTK_WIDGET (data->name_row), "name");
  data->url_row = entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Base URL"),
                             confab_provider_get_base_url (provider), G_CALLBACK (url_applied_cb));
  gtk_widget_set_name (GTK_WIDGET (data->url_row), "base-url");
  data->key_row = entry_row (expander, ADW_TYPE_PASSWORD_ENTRY_ROW, _("API Key"),
                             NULL, G_CALLBACK (key_applied_cb));
  gtk_widget_set_name (GTK_WIDGET (data->key_row), "api-key");
  data->model_row = entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Default Model"),
                               confab_provider_get_model (provider), G_CALLBACK (model_applied_cb));
  gtk_widget_set_name (GTK_WIDGET (data->model_row), "model");

  if (confab_provider_get_models (provider) != NULL)
    models = g_strjoinv (", ", (char **) confab_provider_get_models (provider));
  data->models_row = entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Models (comma-separated)"),
                                models, G_CALLBACK (models_applied_cb));
  gtk_widget_set_name (GTK_WIDGET (data->models_row), "models");

  if (confab_provider_get_headers (provider) != NULL)
    headers = g_strjoinv ("\n", (char **) confab_provider_get_headers (provider));
  row = text_area_row (_("Custom Headers (one “Name: value” per line)"), headers, &data->headers_buffer, NULL);
  gtk_widget_set_name (row, "headers");
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
  g_signal_connect (data->headers_buffer, "changed", G_CALLBACK (headers_changed_cb), expander);

  if (confab_provider_get_extra_body (provider) != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (),
                                                        confab_provider_get_extra_body (provider));
      extra = json_to_string (node, TRUE);
    }
  row = text_area_row (_("Extra Request Body (JSON object)"), extra, &data->extra_buffer, &data->extra_error);
  gtk_widget_set_name (row, "extra-body");
  gtk_widget_set_name (GTK_WIDGET (data->extra_error), "extra-body-error");
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
  g_signal_connect (data->extra_buffer, "changed", G_CALLBACK (extra_body_changed_cb), expander);

  data->test_row = ADW_ACTION_ROW (adw_action_row_new ());
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
update_active_row (ConfabPreferencesWindow *self)
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
active_row_selected_cb (ConfabPreferencesWindow *self,
                        GParamSpec              *pspec,
                        AdwComboRow             *row)
{
  ConfabProvider *provider;

  g_assert (CONFAB_IS_PREFERENCES_WINDOW (self));

  if (self->updating_active || self->providers == NULL)
    return;

  provider = adw_combo_row_get_selected_item (row);
  if (provider == NULL || provider == confab_provider_list_get_active (self->providers))
    return;

  confab_provider_list_set_active (self->providers, confab_provider_get_name (provider));
  queue_save_providers (self);
}

static void
providers_changed_cb (ConfabPreferencesWindow *self)
{
  update_active_row (self);
}

static void
add_provider (ConfabPreferencesWindow *self,
              ConfabProvider          *template)
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
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (widget);
  g_autoptr(ConfabProvider) preset = g_list_model_get_item (self->presets, g_variant_get_uint32 (parameter));

  if (preset != NULL)
    add_provider (self, preset);
}

static void
add_custom_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (widget);
  g_autoptr(ConfabProvider) provider = confab_provider_new (_("Custom"), "http://localhost:8000/v1");

  add_provider (self, provider);
}

static void
build_presets (ConfabPreferencesWindow *self)
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

/* ───────────────────────────── MCP servers ───────────────────────────── */

static void rebuild_mcp_rows (ConfabPreferencesWindow *self);

static JsonObject *
mcp_servers (ConfabPreferencesWindow *self)
{
  JsonNode *node;

  if (self->mcp_root == NULL)
    return NULL;

  node = json_object_get_member (self->mcp_root, "mcpServers");
  if (node == NULL)
    {
      json_object_set_object_member (self->mcp_root, "mcpServers", json_object_new ());
      node = json_object_get_member (self->mcp_root, "mcpServers");
    }

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
load_mcp_config (ConfabPreferencesWindow *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_clear_pointer (&self->mcp_root, json_object_unref);

  if (!g_file_test (self->mcp_path, G_FILE_TEST_EXISTS))
    {
      self->mcp_root = json_object_new ();
      return;
    }

  if (!json_parser_load_from_file (parser, self->mcp_path, &error))
    {
      g_autofree char *message = g_strdup_printf (_("%s cannot be read: %s"), self->mcp_path, error->message);
      adw_preferences_group_set_description (self->mcp_group, message);
      return;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (json_object_has_member (json_node_get_object (root), "mcpServers") &&
       !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "mcpServers"))))
    {
      g_autofree char *message = g_strdup_printf (_("%s is not in the {\"mcpServers\": {…}} shape"), self->mcp_path);
      adw_preferences_group_set_description (self->mcp_group, message);
      return;
    }

  /* Keep the whole file: members Confab does not know survive a save. */
  self->mcp_root = json_object_ref (json_node_get_object (root));
}

static gboolean
save_mcp_config (ConfabPreferencesWindow *self)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;

  if (self->mcp_root == NULL)
    return FALSE;

  root = json_node_init_object (json_node_alloc (), self->mcp_root);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  contents = json_generator_to_data (generator, NULL);

  dir = g_path_get_dirname (self->mcp_path);
  g_mkdir_with_parents (dir, 0700);

  /* The environment of a server can hold tokens: keep the file private. */
  if (!g_file_set_contents_full (self->mcp_path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &error))
    {
      toast (self, error->message);
      return FALSE;
    }

  g_signal_emit (self, signals[MCP_CONFIG_CHANGED], 0);

  return TRUE;
}

static char *
mcp_entry_command_line (JsonObject *entry)
{
  g_autoptr(GString) line = g_string_new (NULL);
  const char *command = json_object_get_string_member_with_default (entry, "command", "");
  JsonNode *args = json_object_get_member (entry, "args");

  if (command != NULL && *command != '\0')
    {
      g_autofree char *quoted = g_shell_quote (command);
      g_string_append (line, quoted);
    }

  if (args != NULL && JSON_NODE_HOLDS_ARRAY (args))
    {
      JsonArray *array = json_node_get_array (args);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *arg = json_array_get_element (array, i);
          g_autofree char *quoted = NULL;

          if (!JSON_NODE_HOLDS_VALUE (arg) || json_node_get_value_type (arg) != G_TYPE_STRING)
            continue;

          /* Plain words stay readable; only what needs quoting is quoted. */
          if (strpbrk (json_node_get_string (arg), " \t\n'\"\\$`*?[]{}();&|<>~#") != NULL)
            quoted = g_shell_quote (json_node_get_string (arg));
          else
            quoted = g_strdup (json_node_get_string (arg));
          g_string_append_printf (line, " %s", quoted);
        }
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static char *
mcp_entry_env_line (JsonObject *entry)
{
  g_autoptr(GString) line = g_string_new (NULL);
  JsonNode *env = json_object_get_member (entry, "env");
  g_autoptr(GList) keys = NULL;

  if (env == NULL || !JSON_NODE_HOLDS_OBJECT (env))
    return g_strdup ("");

  keys = json_object_get_members (json_node_get_object (env));
  for (const GList *l = keys; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (json_node_get_object (env), l->data);
      g_autofree char *pair = NULL;
      g_autofree char *quoted = NULL;

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        continue;

      pair = g_strdup_printf ("%s=%s", (const char *) l->data, json_node_get_string (value));
      quoted = g_shell_quote (pair);
      if (line->len > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, strpbrk (pair, " \t\n'\"\\$`") ? quoted : pair);
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static GStrv
mcp_entry_argv (JsonObject *entry)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *args = json_object_get_member (entry, "args");

  g_strv_builder_add (builder, json_object_get_string_member_with_default (entry, "command", ""));
  if (args != NULL && JSON_NODE_HOLDS_ARRAY (args))
    {
      JsonArray *array = json_node_get_array (args);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *arg = json_array_get_element (array, i);
          if (JSON_NODE_HOLDS_VALUE (arg) && json_node_get_value_type (arg) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (arg));
        }
    }

  return g_strv_builder_end (builder);
}

static GStrv
mcp_entry_env (JsonObject *entry)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *env = json_object_get_member (entry, "env");
  g_autoptr(GList) keys = NULL;

  if (env != NULL && JSON_NODE_HOLDS_OBJECT (env))
    {
      keys = json_object_get_members (json_node_get_object (env));
      for (const GList *l = keys; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (json_node_get_object (env), l->data);

          if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
            {
              g_autofree char *pair = g_strdup_printf ("%s=%s", (const char *) l->data,
                                                       json_node_get_string (value));
              g_strv_builder_add (builder, pair);
            }
        }
    }

  return g_strv_builder_end (builder);
}

typedef struct
{
  ConfabPreferencesWindow *self;
  char                    *name;
  GCancellable            *cancellable;
  ConfabMcpServer         *probe;
  ConfabMcpServer         *running;
  AdwExpanderRow          *expander;
  GtkSwitch               *enabled;
  AdwActionRow            *status_row;
  GtkLabel                *log_label;
  GtkButton               *check_button;
  char                    *checked_status;
  char                    *checked_log;
  gboolean                 checked_failed;
} ServerRow;

static void
server_row_free (ServerRow *row)
{
  g_cancellable_cancel (row->cancellable);
  g_clear_object (&row->cancellable);
  if (row->probe != NULL)
    {
      g_signal_handlers_disconnect_by_data (row->probe, row);
      confab_mcp_server_stop (row->probe);
    }
  g_clear_object (&row->probe);
  if (row->running != NULL)
    g_signal_handlers_disconnect_by_data (row->running, row);
  g_clear_object (&row->running);
  g_free (row->checked_status);
  g_free (row->checked_log);
  g_free (row->name);
  g_free (row);
}

static ServerRow *
server_row_get (GtkWidget *widget)
{
  return g_object_get_data (G_OBJECT (widget), "confab-server-row");
}

static JsonObject *
server_row_entry (ServerRow *row)
{
  JsonObject *servers = mcp_servers (row->self);
  JsonNode *node;

  if (servers == NULL)
    return NULL;

  node = json_object_get_member (servers, row->name);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
server_state_text (ConfabMcpServerState state)
{
  switch (state)
    {
    case CONFAB_MCP_SERVER_STATE_STOPPED:  return _("Stopped");
    case CONFAB_MCP_SERVER_STATE_STARTING: return _("Starting…");
    case CONFAB_MCP_SERVER_STATE_READY:    return _("Ready");
    case CONFAB_MCP_SERVER_STATE_FAILED:   return _("Failed");
    default:                               return "";
    }
}

static void
describe_server (ConfabMcpServer  *server,
                 const char       *origin,
                 char            **status,
                 char            **log,
                 gboolean         *failed)
{
  ConfabMcpServerState state = confab_mcp_server_get_state (server);

  if (state == CONFAB_MCP_SERVER_STATE_READY)
    {
      guint n = g_list_model_get_n_items (confab_mcp_server_get_tools (server));
      g_autofree char *tools = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u tool", "%u tools", n), n);

      /* Translators: "In use: Ready, 3 tools" */
      *status = g_strdup_printf (_("%s: %s, %s"), origin, server_state_text (state), tools);
    }
  else if (state == CONFAB_MCP_SERVER_STATE_FAILED && confab_mcp_server_get_error (server) != NULL)
    *status = g_strdup_printf (_("%s: %s"), origin, confab_mcp_server_get_error (server));
  else
    *status = g_strdup_printf (_("%s: %s"), origin, server_state_text (state));

  *log = g_strdup (confab_mcp_server_get_log (server));
  *failed = state == CONFAB_MCP_SERVER_STATE_FAILED;
}

/* Status and log of the server this row shows: the application's running one, else the
 * check in progress or the last one's outcome. */
static void
server_row_update_status (ServerRow *row)
{
  ConfabMcpServer *server = row->running ? row->running : row->probe;
  JsonObject *entry = server_row_entry (row);
  g_autofree char *status = NULL;
  g_autofree char *log = NULL;
  gboolean failed = FALSE;

  if (server != NULL)
    describe_server (server, server == row->running ? _("In use") : _("Check"), &status, &log, &failed);
  else if (row->checked_status != NULL)
    {
      status = g_strdup (row->checked_status);
      log = g_strdup (row->checked_log);
      failed = row->checked_failed;
    }
  else if (entry != NULL && json_object_get_boolean_member_with_default (entry, "disabled", FALSE))
    status = g_strdup (_("Disabled"));
  else
    status = g_strdup (_("Not checked yet"));

  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (row->status_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row->status_row), "error");

  adw_action_row_set_subtitle (row->status_row, status);
  gtk_label_set_text (row->log_label, log && *log ? log : _("Nothing logged."));
}

static void
server_row_watch (ServerRow       *row,
                  ConfabMcpServer *server)
{
  g_signal_connect_swapped (server, "notify::state", G_CALLBACK (server_row_update_status), row);
  g_signal_connect_swapped (server, "notify::error", G_CALLBACK (server_row_update_status), row);
  g_signal_connect_swapped (server, "notify::log", G_CALLBACK (server_row_update_status), row);
  g_signal_connect_swapped (server, "notify::tools", G_CALLBACK (server_row_update_status), row);
}

static void
probe_started_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GtkWidget) expander = user_data;
  g_autoptr(GError) error = NULL;
  ServerRow *row = server_row_get (expander);

  confab_mcp_server_start_finish (CONFAB_MCP_SERVER (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || row == NULL ||
      g_cancellable_is_cancelled (row->cancellable))
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (row->check_button), TRUE);

  /* A check only needs the answer: keep it, and do not leave the process running. */
  if (row->probe == CONFAB_MCP_SERVER (object))
    {
      g_clear_pointer (&row->checked_status, g_free);
      g_clear_pointer (&row->checked_log, g_free);
      describe_server (row->probe, _("Check"), &row->checked_status, &row->checked_log, &row->checked_failed);
      g_signal_handlers_disconnect_by_data (row->probe, row);
      confab_mcp_server_stop (row->probe);
      g_clear_object (&row->probe);
    }

  server_row_update_status (row);
}

static void
check_clicked_cb (GtkButton *button,
                  GtkWidget *expander)
{
  ServerRow *row = server_row_get (expander);
  JsonObject *entry = server_row_entry (row);
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;

  if (entry == NULL)
    return;

  argv = mcp_entry_argv (entry);
  if (argv[0] == NULL || *argv[0] == '\0')
    {
      adw_action_row_set_subtitle (row->status_row, _("Set a command first"));
      return;
    }

  env = mcp_entry_env (entry);

  if (row->probe != NULL)
    {
      g_signal_handlers_disconnect_by_data (row->probe, row);
      confab_mcp_server_stop (row->probe);
      g_clear_object (&row->probe);
    }

  row->probe = confab_mcp_server_new (row->name, (const char * const *) argv, (const char * const *) env);
  server_row_watch (row, row->probe);

  /* The check's result is what the row shows from now on. */
  if (row->running != NULL)
    {
      g_signal_handlers_disconnect_by_data (row->running, row);
      g_clear_object (&row->running);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  confab_mcp_server_start_async (row->probe, row->cancellable, probe_started_cb, g_object_ref (expander));
  server_row_update_status (row);
}

static void
server_name_applied_cb (AdwEntryRow *entry,
                        GtkWidget   *expander)
{
  ServerRow *row = server_row_get (expander);
  ConfabPreferencesWindow *self = row->self;
  JsonObject *servers = mcp_servers (self);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  JsonObject *old_entry = server_row_entry (row);

  if (servers == NULL || old_entry == NULL || *name == '\0' || g_str_equal (name, row->name) ||
      json_object_has_member (servers, name))
    {
      if (*name != '\0' && !g_str_equal (name, row->name))
        toast (self, _("Another server already has this name"));
      gtk_editable_set_text (GTK_EDITABLE (entry), row->name);
      return;
    }

  json_object_set_object_member (servers, name, json_object_ref (old_entry));
  json_object_remove_member (servers, row->name);
  save_mcp_config (self);
  rebuild_mcp_rows (self);
}

static void
server_command_applied_cb (AdwEntryRow *entry,
                           GtkWidget   *expander)
{
  ServerRow *row = server_row_get (expander);
  JsonObject *server = server_row_entry (row);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *command_line = NULL;
  g_autofree char *trimmed = NULL;
  JsonArray *args;

  if (server == NULL)
    return;

  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0')
    argv = g_new0 (char *, 1);
  else if (!g_shell_parse_argv (text, NULL, &argv, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The command cannot be read: %s"), error->message);
      toast (row->self, message);
      return;
    }

  json_object_set_string_member (server, "command", argv[0] ? argv[0] : "");
  args = json_array_new ();
  for (guint i = 1; argv[0] && argv[i]; i++)
    json_array_add_string_element (args, argv[i]);
  json_object_set_array_member (server, "args", args);

  /* A server without a command cannot run: it stays disabled. */
  if (argv[0] == NULL)
    json_object_set_boolean_member (server, "disabled", TRUE);

  command_line = mcp_entry_command_line (server);
  adw_expander_row_set_subtitle (row->expander, command_line);
  gtk_widget_set_sensitive (GTK_WIDGET (row->enabled), argv[0] != NULL);
  gtk_switch_set_active (row->enabled, !json_object_get_boolean_member_with_default (server, "disabled", FALSE));
  save_mcp_config (row->self);
}

static void
server_env_applied_cb (AdwEntryRow *entry,
                       GtkWidget   *expander)
{
  ServerRow *row = server_row_get (expander);
  JsonObject *server = server_row_entry (row);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pairs = NULL;
  JsonObject *env;

  if (server == NULL)
    return;

  if (*text != '\0' && !g_shell_parse_argv (text, NULL, &pairs, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The environment cannot be read: %s"), error->message);
      toast (row->self, message);
      return;
    }

  env = json_object_new ();
  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');
      g_autofree char *key = NULL;

      if (equals == NULL || equals == pairs[i])
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not NAME=value"), pairs[i]);
          toast (row->self, message);
          json_object_unref (env);
          return;
        }

      key = g_strndup (pairs[i], equals - pairs[i]);
      json_object_set_string_member (env, key, equals + 1);
    }

  if (json_object_get_size (env) > 0)
    json_object_set_object_member (server, "env", env);
  else
    {
      json_object_unref (env);
      if (json_object_has_member (server, "env"))
        json_object_remove_member (server, "env");
    }

  save_mcp_config (row->self);
}

static void
server_enabled_cb (GtkSwitch  *widget,
                   GParamSpec *pspec,
                   GtkWidget  *expander)
{
  ServerRow *row = server_row_get (expander);
  JsonObject *server = server_row_entry (row);
  gboolean enabled = gtk_switch_get_active (widget);

  if (server == NULL ||
      enabled == !json_object_get_boolean_member_with_default (server, "disabled", FALSE))
    return;

  if (enabled)
    json_object_remove_member (server, "disabled");
  else
    json_object_set_boolean_member (server, "disabled", TRUE);

  save_mcp_config (row->self);
  server_row_update_status (row);
}

static void
server_remove_clicked_cb (GtkButton *button,
                          GtkWidget *expander)
{
  ServerRow *row = server_row_get (expander);
  ConfabPreferencesWindow *self = row->self;
  JsonObject *servers = mcp_servers (self);

  if (servers == NULL)
    return;

  json_object_remove_member (servers, row->name);
  save_mcp_config (self);
  rebuild_mcp_rows (self);
}

static ConfabMcpServer *
find_running_server (ConfabPreferencesWindow *self,
                     const char              *name)
{
  GListModel *servers;
  guint n;

  if (self->registry == NULL)
    return NULL;

  servers = confab_tool_registry_get_servers (self->registry);
  n = g_list_model_get_n_items (servers);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      if (g_strcmp0 (confab_mcp_server_get_name (server), name) == 0)
        return g_steal_pointer (&server);
    }

  return NULL;
}

static GtkWidget *
create_server_row (ConfabPreferencesWindow *self,
                   const char              *name,
                   JsonObject              *entry)
{
  g_autofree char *command_line = mcp_entry_command_line (entry);
  g_autofree char *env_line = mcp_entry_env_line (entry);
  g_autofree char *switch_label = NULL;
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *row;
  GtkWidget *button;
  GtkWidget *log_expander;
  GtkWidget *scroller;
  GtkWidget *label;
  ServerRow *data;

  gtk_widget_set_name (expander, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), name);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (expander), FALSE);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), command_line);

  data = g_new0 (ServerRow, 1);
  data->self = self;
  data->name = g_strdup (name);
  data->cancellable = g_cancellable_new ();
  data->expander = ADW_EXPANDER_ROW (expander);
  g_object_set_data_full (G_OBJECT (expander), "confab-server-row", data, (GDestroyNotify) server_row_free);
  g_signal_connect_swapped (expander, "destroy", G_CALLBACK (g_cancellable_cancel), data->cancellable);

  data->enabled = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (data->enabled), GTK_ALIGN_CENTER);
  gtk_widget_set_name (GTK_WIDGET (data->enabled), "enabled");
  /* Translators: accessible name of the switch that enables an MCP server. */
  switch_label = g_strdup_printf (_("Use %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (data->enabled), GTK_ACCESSIBLE_PROPERTY_LABEL, switch_label, -1);
  gtk_switch_set_active (data->enabled, !json_object_get_boolean_member_with_default (entry, "disabled", FALSE));
  gtk_widget_set_sensitive (GTK_WIDGET (data->enabled),
                            *json_object_get_string_member_with_default (entry, "command", "") != '\0');
  g_signal_connect (data->enabled, "notify::active", G_CALLBACK (server_enabled_cb), expander);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), GTK_WIDGET (data->enabled));

  row = GTK_WIDGET (entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Name"), name, G_CALLBACK (server_name_applied_cb)));
  gtk_widget_set_name (row, "name");
  row = GTK_WIDGET (entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Command and Arguments"), command_line,
                               G_CALLBACK (server_command_applied_cb)));
  gtk_widget_set_name (row, "command");
  row = GTK_WIDGET (entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Environment (NAME=value …)"), env_line,
                               G_CALLBACK (server_env_applied_cb)));
  gtk_widget_set_name (row, "env");

  data->status_row = ADW_ACTION_ROW (adw_action_row_new ());
  gtk_widget_set_name (GTK_WIDGET (data->status_row), "status");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->status_row), _("Status"));
  button = gtk_button_new_with_mnemonic (_("_Check"));
  gtk_widget_set_name (button, "check-button");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Start the server once and list its tools"));
  g_signal_connect (button, "clicked", G_CALLBACK (check_clicked_cb), expander);
  adw_action_row_add_suffix (data->status_row, button);
  data->check_button = GTK_BUTTON (button);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), GTK_WIDGET (data->status_row));

  row = adw_preferences_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Log"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  log_expander = gtk_expander_new_with_mnemonic (_("Server _Log"));
  gtk_widget_set_name (log_expander, "log-expander");
  gtk_widget_set_margin_top (log_expander, 8);
  gtk_widget_set_margin_bottom (log_expander, 8);
  gtk_widget_set_margin_start (log_expander, 12);
  gtk_widget_set_margin_end (log_expander, 12);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 240);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  label = gtk_label_new (NULL);
  gtk_widget_set_name (label, "log");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "caption");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), label);
  gtk_expander_set_child (GTK_EXPANDER (log_expander), scroller);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), log_expander);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
  data->log_label = GTK_LABEL (label);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Remove this server"));
  button = gtk_button_new_with_mnemonic (_("_Remove"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "destructive-action");
  g_signal_connect (button, "clicked", G_CALLBACK (server_remove_clicked_cb), expander);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  data->running = find_running_server (self, name);
  if (data->running != NULL)
    server_row_watch (data, data->running);
  server_row_update_status (data);

  return expander;
}

static void
rebuild_mcp_rows (ConfabPreferencesWindow *self)
{
  JsonObject *servers = mcp_servers (self);
  g_autoptr(GList) names = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->mcp_list))) != NULL)
    gtk_list_box_remove (self->mcp_list, child);

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_server_button), servers != NULL);
  if (servers == NULL)
    return;

  names = json_object_get_members (servers);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (servers, l->data);

      if (JSON_NODE_HOLDS_OBJECT (node))
        gtk_list_box_append (self->mcp_list, create_server_row (self, l->data, json_node_get_object (node)));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->mcp_list), json_object_get_size (servers) > 0);
}

static void
add_mcp_server_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (widget);
  JsonObject *servers = mcp_servers (self);
  g_autofree char *name = NULL;
  JsonObject *entry;
  GtkWidget *last;

  if (servers == NULL)
    return;

  name = g_strdup ("server");
  for (guint i = 2; json_object_has_member (servers, name); i++)
    {
      g_free (name);
      name = g_strdup_printf ("server-%u", i);
    }

  /* Disabled until it has a command, so the file always loads. */
  entry = json_object_new ();
  json_object_set_string_member (entry, "command", "");
  json_object_set_array_member (entry, "args", json_array_new ());
  json_object_set_boolean_member (entry, "disabled", TRUE);
  json_object_set_object_member (servers, name, entry);

  save_mcp_config (self);
  rebuild_mcp_rows (self);

  last = gtk_widget_get_last_child (GTK_WIDGET (self->mcp_list));
  if (ADW_IS_EXPANDER_ROW (last))
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (last), TRUE);
}

/* ───────────────────────────── Window ───────────────────────────── */

static void
setup_general_page (ConfabPreferencesWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    {
      g_warning ("The GSettings schema %s is not installed; general settings are unavailable", APP_ID);
      gtk_widget_set_sensitive (GTK_WIDGET (self->send_on_enter_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->system_prompt_view), FALSE);
      return;
    }

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "send-on-enter", self->send_on_enter_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "default-system-prompt",
                   gtk_text_view_get_buffer (self->system_prompt_view), "text",
                   G_SETTINGS_BIND_DEFAULT);
}

static void
confab_preferences_window_constructed (GObject *object)
{
  ConfabPreferencesWindow *self = (ConfabPreferencesWindow *)object;
  GtkExpression *expression;

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->constructed (object);

  if (self->providers == NULL)
    self->providers = g_object_ref (confab_provider_list_get_default ());

  expression = gtk_property_expression_new (CONFAB_TYPE_PROVIDER, NULL, "name");
  adw_combo_row_set_expression (self->active_row, expression);
  gtk_expression_unref (expression);
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

  build_presets (self);

  self->mcp_path = confab_tool_registry_get_default_config_path ();
  {
    /* Translators: %s is the path of mcp.json. */
    g_autofree char *description = g_strdup_printf (_("Tools the model may call, from the servers in %s. "
                                                      "Changes apply to new chats."), self->mcp_path);
    adw_preferences_group_set_description (self->mcp_group, description);
  }
  load_mcp_config (self);
  rebuild_mcp_rows (self);

  setup_general_page (self);
}

static gboolean
confab_preferences_window_close_request (GtkWindow *window)
{
  flush_save_providers (CONFAB_PREFERENCES_WINDOW (window));

  return GTK_WINDOW_CLASS (confab_preferences_window_parent_class)->close_request (window);
}

static void
confab_preferences_window_dispose (GObject *object)
{
  ConfabPreferencesWindow *self = (ConfabPreferencesWindow *)object;

  if (self->providers != NULL)
    flush_save_providers (self);

  g_cancellable_cancel (self->cancellable);

  /* Let go of the provider list before the widgets go. */
  if (self->active_row != NULL)
    adw_combo_row_set_model (self->active_row, NULL);
  if (self->providers_list != NULL)
    gtk_list_box_bind_model (self->providers_list, NULL, NULL, NULL, NULL);
  if (self->providers != NULL)
    g_signal_handlers_disconnect_by_data (self->providers, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_PREFERENCES_WINDOW);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_object (&self->registry);
  g_clear_object (&self->presets);
  g_clear_object (&self->providers);
  g_clear_pointer (&self->mcp_root, json_object_unref);
  g_clear_pointer (&self->mcp_path, g_free);

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->dispose (object);
}

static void
confab_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PROVIDERS:
      g_value_set_object (value, self->providers);
      break;

    case PROP_TOOL_REGISTRY:
      g_value_set_object (value, self->registry);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PROVIDERS:
      self->providers = g_value_dup_object (value);
      break;

    case PROP_TOOL_REGISTRY:
      confab_preferences_window_set_tool_registry (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_preferences_window_class_init (ConfabPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = confab_preferences_window_constructed;
  object_class->dispose = confab_preferences_window_dispose;
  object_class->get_property = confab_preferences_window_get_property;
  object_class->set_property = confab_preferences_window_set_property;

  window_class->close_request = confab_preferences_window_close_request;

  properties[PROP_PROVIDERS] =
    g_param_spec_object ("providers", NULL, NULL, CONFAB_TYPE_PROVIDER_LIST,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TOOL_REGISTRY] =
    g_param_spec_object ("tool-registry", NULL, NULL, CONFAB_TYPE_TOOL_REGISTRY,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabPreferencesWindow::mcp-config-changed:
   *
   * mcp.json was written; reload the tool registry for new chats.
   */
  signals[MCP_CONFIG_CHANGED] =
    g_signal_new ("mcp-config-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, active_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, active_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, add_server_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, mcp_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, mcp_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, presets_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, providers_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, send_on_enter_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, send_on_enter_switch);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, system_prompt_view);
  gtk_widget_class_bind_template_callback (widget_class, active_row_selected_cb);

  gtk_widget_class_install_action (widget_class, "prefs.add-preset", "u", add_preset_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-custom", NULL, add_custom_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-mcp-server", NULL, add_mcp_server_action);
}

static void
confab_preferences_window_init (ConfabPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->presets = confab_provider_list_presets ();
}

GtkWidget *
confab_preferences_window_new (GtkWindow *parent)
{
  return confab_preferences_window_new_for_providers (parent, NULL);
}

GtkWidget *
confab_preferences_window_new_for_providers (GtkWindow          *parent,
                                             ConfabProviderList *providers)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (!providers || CONFAB_IS_PROVIDER_LIST (providers), NULL);

  return g_object_new (CONFAB_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       "providers", providers,
                       NULL);
}

void
confab_preferences_window_set_tool_registry (ConfabPreferencesWindow *self,
                                             ConfabToolRegistry      *registry)
{
  g_return_if_fail (CONFAB_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (!registry || CONFAB_IS_TOOL_REGISTRY (registry));

  if (!g_set_object (&self->registry, registry))
    return;

  if (self->mcp_path != NULL)
    rebuild_mcp_rows (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL_REGISTRY]);
}

void
confab_preferences_window_show_page (ConfabPreferencesWindow *self,
                                     const char              *name)
{
  g_return_if_fail (CONFAB_IS_PREFERENCES_WINDOW (self));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (self), name);
}
