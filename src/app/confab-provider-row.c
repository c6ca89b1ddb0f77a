/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-providers-page"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "confab-client.h"
#include "confab-preferences-private.h"
#include "confab-provider-row.h"
#include "confab-secrets.h"

struct _ConfabProviderRow
{
  AdwExpanderRow       parent_instance;

  ConfabProviderList  *providers;
  ConfabProvider      *provider;
  ConfabClient        *client;          /* Test Connection */
  GCancellable        *cancellable;
  guint                extra_idle_id;
  guint                key_requested : 1;

  AdwEntryRow         *name_row;
  AdwEntryRow         *url_row;
  AdwEntryRow         *key_row;
  AdwEntryRow         *model_row;
  AdwEntryRow         *models_row;
  GtkTextView         *headers_view;
  GtkTextView         *extra_view;
  GtkLabel            *extra_error;
  AdwActionRow        *test_row;
  GtkButton           *test_button;
};

G_DEFINE_FINAL_TYPE (ConfabProviderRow, confab_provider_row, ADW_TYPE_EXPANDER_ROW)

enum {
  CHANGED,
  REMOVE_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
changed (ConfabProviderRow *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
key_stored_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ConfabProviderRow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_provider_list_set_key_finish (CONFAB_PROVIDER_LIST (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    confab_preferences_toast (GTK_WIDGET (self), error->message);
}

static void
key_looked_up_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ConfabProviderRow) self = user_data;
  g_autoptr(GError) error = NULL;
  char *key;

  key = confab_secrets_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    {
      confab_secrets_free (key);
      return;
    }

  if (error != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row), _("API Key (keyring unavailable)"));
      g_debug ("Keyring lookup failed: %s", error->message);
    }
  else if (key != NULL)
    {
      confab_provider_set_api_key (self->provider, key);
      /* Only fill in a field the user has not started typing into. */
      if (*gtk_editable_get_text (GTK_EDITABLE (self->key_row)) == '\0')
        gtk_editable_set_text (GTK_EDITABLE (self->key_row), key);
    }

  confab_secrets_free (key);
}

/* Keys are read from the keyring only when the row is opened: never for rows nobody looks at. */
static void
expanded_cb (ConfabProviderRow *self,
             GParamSpec        *pspec,
             gpointer           user_data)
{
  const char *key;

  if (self->provider == NULL || !adw_expander_row_get_expanded (ADW_EXPANDER_ROW (self)) ||
      self->key_requested)
    return;

  self->key_requested = TRUE;

  key = confab_provider_get_api_key (self->provider);
  if (key != NULL && *key != '\0')
    {
      gtk_editable_set_text (GTK_EDITABLE (self->key_row), key);
      return;
    }

  confab_secrets_lookup_async (confab_provider_get_name (self->provider), self->cancellable,
                               key_looked_up_cb, g_object_ref (self));
}

static void
name_applied_cb (ConfabProviderRow *self,
                 AdwEntryRow       *entry)
{
  g_autofree char *new_name = confab_provider_list_rename (self->providers, self->provider,
                                                           gtk_editable_get_text (GTK_EDITABLE (entry)));

  gtk_editable_set_text (GTK_EDITABLE (entry), confab_provider_get_name (self->provider));
  if (new_name != NULL)
    changed (self);
}

static void
url_applied_cb (ConfabProviderRow *self,
                AdwEntryRow       *entry)
{
  confab_provider_set_base_url (self->provider, gtk_editable_get_text (GTK_EDITABLE (entry)));
  gtk_editable_set_text (GTK_EDITABLE (entry), confab_provider_get_base_url (self->provider));
  changed (self);
}

static void
key_applied_cb (ConfabProviderRow *self,
                AdwEntryRow       *entry)
{
  confab_provider_list_set_key_async (self->providers, self->provider,
                                      gtk_editable_get_text (GTK_EDITABLE (entry)), self->cancellable,
                                      key_stored_cb, g_object_ref (self));
}

static void
model_applied_cb (ConfabProviderRow *self,
                  AdwEntryRow       *entry)
{
  g_autofree char *model = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  confab_provider_set_model (self->provider, *model ? model : NULL);
  changed (self);
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
models_applied_cb (ConfabProviderRow *self,
                   AdwEntryRow       *entry)
{
  g_auto(GStrv) models = split_list (gtk_editable_get_text (GTK_EDITABLE (entry)), ",\n");

  confab_provider_set_models (self->provider, (const char * const *) models);
  changed (self);
}

static char *
buffer_dup_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
headers_changed_cb (ConfabProviderRow *self,
                    GtkTextBuffer     *buffer)
{
  g_autofree char *text = buffer_dup_text (buffer);
  g_auto(GStrv) headers = split_list (text, "\n");

  confab_provider_set_headers (self->provider, (const char * const *) headers);
  changed (self);
}

static gboolean
apply_extra_body_cb (gpointer user_data)
{
  ConfabProviderRow *self = user_data;
  g_autofree char *text = buffer_dup_text (gtk_text_view_get_buffer (self->extra_view));
  g_autoptr(GError) error = NULL;

  self->extra_idle_id = 0;

  /* Validated as it is typed; an invalid body is shown, never applied nor saved. */
  g_strstrip (text);
  if (!confab_provider_set_extra_body_json (self->provider, text, &error))
    {
      gtk_label_set_text (self->extra_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->extra_error), TRUE);
      return G_SOURCE_REMOVE;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->extra_error), FALSE);
  changed (self);

  return G_SOURCE_REMOVE;
}

/* One check per burst of edits (a paste is a delete and an insert). */
static void
extra_body_changed_cb (ConfabProviderRow *self,
                       GtkTextBuffer     *buffer)
{
  if (self->extra_idle_id == 0)
    self->extra_idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_extra_body_cb, self, NULL);
}

static void
models_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ConfabProviderRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;
  g_autofree char *message = NULL;

  models = confab_client_list_models_finish (CONFAB_CLIENT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), TRUE);

  if (error != NULL)
    {
      /* Translators: the result of "Test Connection"; %s is the error. */
      message = g_strdup_printf (_("Failed: %s"), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->test_row), "error");
    }
  else
    {
      guint n = g_strv_length (models);

      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Connected: %u model available",
                                              "Connected: %u models available", n), n);
      gtk_widget_remove_css_class (GTK_WIDGET (self->test_row), "error");
      confab_preferences_offer_models (self->test_row, (const char * const *) models, self->model_row);
    }

  adw_action_row_set_subtitle (self->test_row, message);
}

static void
test_clicked_cb (ConfabProviderRow *self,
                 GtkButton         *button)
{
  if (self->client == NULL)
    self->client = confab_client_new ();

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_row), "error");
  adw_action_row_set_subtitle (self->test_row, _("Connecting…"));

  confab_client_list_models_async (self->client, self->provider, self->cancellable,
                                   models_listed_cb, g_object_ref (self));
}

static void
remove_clicked_cb (ConfabProviderRow *self,
                   GtkButton         *button)
{
  g_signal_emit (self, signals[REMOVE_REQUESTED], 0);
}

static void
confab_provider_row_dispose (GObject *object)
{
  ConfabProviderRow *self = CONFAB_PROVIDER_ROW (object);

  g_clear_handle_id (&self->extra_idle_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->headers_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_text_view_get_buffer (self->headers_view), self);
  if (self->extra_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_text_view_get_buffer (self->extra_view), self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_PROVIDER_ROW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->provider);
  g_clear_object (&self->providers);

  G_OBJECT_CLASS (confab_provider_row_parent_class)->dispose (object);
}

static void
confab_provider_row_class_init (ConfabProviderRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_provider_row_dispose;

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[REMOVE_REQUESTED] =
    g_signal_new ("remove-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-provider-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, name_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, url_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, key_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, model_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, models_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, headers_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, extra_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, extra_error);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, test_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, test_button);
  gtk_widget_class_bind_template_callback (widget_class, expanded_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, url_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, key_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, model_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, models_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, confab_preferences_entry_row_reset_apply);
}

static void
confab_provider_row_init (ConfabProviderRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
confab_provider_row_new (ConfabProviderList *providers,
                         ConfabProvider     *provider)
{
  ConfabProviderRow *self;
  g_autofree char *models = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *extra = NULL;

  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (providers), NULL);
  g_return_val_if_fail (CONFAB_IS_PROVIDER (provider), NULL);

  self = g_object_new (CONFAB_TYPE_PROVIDER_ROW, NULL);
  self->providers = g_object_ref (providers);
  self->provider = g_object_ref (provider);

  gtk_widget_set_name (GTK_WIDGET (self), confab_provider_get_name (provider));
  g_object_bind_property (provider, "name", self, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (provider, "base-url", self, "subtitle", G_BINDING_SYNC_CREATE);
  g_object_bind_property (provider, "name", self, "name", G_BINDING_DEFAULT);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), confab_provider_get_name (provider));
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), confab_provider_get_base_url (provider));
  gtk_editable_set_text (GTK_EDITABLE (self->model_row),
                         confab_provider_get_model (provider) ? confab_provider_get_model (provider) : "");

  if (confab_provider_get_models (provider) != NULL)
    models = g_strjoinv (", ", (char **) confab_provider_get_models (provider));
  gtk_editable_set_text (GTK_EDITABLE (self->models_row), models ? models : "");

  if (confab_provider_get_headers (provider) != NULL)
    headers = g_strjoinv ("\n", (char **) confab_provider_get_headers (provider));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->headers_view), headers ? headers : "", -1);

  if (confab_provider_get_extra_body (provider) != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (),
                                                        confab_provider_get_extra_body (provider));
      extra = json_to_string (node, TRUE);
    }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->extra_view), extra ? extra : "", -1);

  /* Edits from here on are the user's. */
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->headers_view), "changed",
                            G_CALLBACK (headers_changed_cb), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->extra_view), "changed",
                            G_CALLBACK (extra_body_changed_cb), self);

  return GTK_WIDGET (self);
}

ConfabProvider *
confab_provider_row_get_provider (ConfabProviderRow *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER_ROW (self), NULL);
  return self->provider;
}
