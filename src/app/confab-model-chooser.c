/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-model-chooser"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-client.h"
#include "confab-model-chooser.h"
#include "confab-provider.h"

struct _ConfabModelChooser
{
  GtkWidget       parent_instance;

  ConfabSession  *session;
  GSignalGroup   *session_signals;
  GSettings      *settings;
  GCancellable   *cancellable;
  ConfabProvider *listed;          /* whose models the list shows */

  GtkMenuButton  *model_button;
  GtkPopover     *model_popover;
  GtkEntry       *model_entry;
  GtkLabel       *models_status;
  GtkListBox     *models_list;
};

G_DEFINE_FINAL_TYPE (ConfabModelChooser, confab_model_chooser, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

enum {
  MODEL_CHOSEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
update_button (ConfabModelChooser *self)
{
  const char *model = self->session ? confab_session_get_model (self->session) : NULL;

  gtk_menu_button_set_label (self->model_button, model != NULL ? model : _("Choose a Model"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->model_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  model != NULL ? model : _("Choose a model"),
                                  -1);
}

static void
set_model (ConfabModelChooser *self,
           const char         *model)
{
  g_autofree char *stripped = g_strstrip (g_strdup (model));

  if (*stripped == '\0' || self->session == NULL)
    return;

  confab_session_set_model (self->session, stripped);
  g_settings_set_string (self->settings, "last-model", stripped);
  gtk_popover_popdown (self->model_popover);
  g_signal_emit (self, signals[MODEL_CHOSEN], 0);
}

static void
model_entry_activate (ConfabModelChooser *self,
                      GtkEntry           *entry)
{
  set_model (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
model_row_activated (ConfabModelChooser *self,
                     GtkListBoxRow      *row,
                     GtkListBox         *list)
{
  set_model (self, g_object_get_data (G_OBJECT (row), "confab-model"));
}

static void
fill_models (ConfabModelChooser *self,
             const char * const *models)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->models_list))))
    gtk_list_box_remove (self->models_list, child);

  for (guint i = 0; models != NULL && models[i] != NULL; i++)
    {
      GtkWidget *label = gtk_label_new (models[i]);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      g_object_set_data_full (G_OBJECT (row), "confab-model", g_strdup (models[i]), g_free);
      gtk_list_box_append (self->models_list, row);
    }
}

static void
list_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ConfabModelChooser) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;

  models = confab_client_list_models_finish (CONFAB_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (models == NULL || models[0] == NULL)
    {
      ConfabProvider *provider = self->listed;

      /* No GET /models: the models typed in for this provider, and free text. */
      fill_models (self, provider ? confab_provider_get_models (provider) : NULL);
      gtk_label_set_text (self->models_status,
                          _("The provider did not list its models. Type a model id and press Enter."));
      g_clear_object (&self->listed);
      return;
    }

  fill_models (self, (const char * const *)models);
  gtk_label_set_text (self->models_status, _("Models this provider offers"));
}

static void
model_popover_show (ConfabModelChooser *self,
                    GtkPopover         *popover)
{
  ConfabProvider *provider;
  const char *model;

  if (self->session == NULL)
    return;

  provider = confab_session_get_provider (self->session);
  model = confab_session_get_model (self->session);
  gtk_editable_set_text (GTK_EDITABLE (self->model_entry), model ? model : "");

  if (provider == NULL || provider == self->listed)
    return;

  g_set_object (&self->listed, provider);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_label_set_text (self->models_status, _("Asking the provider for its models…"));
  fill_models (self, confab_provider_get_models (provider));
  confab_client_list_models_async (confab_session_get_client (self->session), provider,
                                   self->cancellable, list_models_cb, g_object_ref (self));
}

static void
session_provider_changed (ConfabModelChooser *self)
{
  confab_model_chooser_reset (self);
  update_button (self);
}

static void
confab_model_chooser_dispose (GObject *object)
{
  ConfabModelChooser *self = CONFAB_MODEL_CHOOSER (object);

  g_cancellable_cancel (self->cancellable);
  g_signal_group_set_target (self->session_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MODEL_CHOOSER);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->listed);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (confab_model_chooser_parent_class)->dispose (object);
}

static void
confab_model_chooser_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabModelChooser *self = CONFAB_MODEL_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_chooser_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabModelChooser *self = CONFAB_MODEL_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_SESSION: confab_model_chooser_set_session (self, g_value_get_object (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_chooser_class_init (ConfabModelChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_model_chooser_dispose;
  object_class->get_property = confab_model_chooser_get_property;
  object_class->set_property = confab_model_chooser_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CONFAB_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[MODEL_CHOSEN] =
    g_signal_new ("model-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-model-chooser.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabModelChooser, model_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelChooser, model_popover);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelChooser, model_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelChooser, models_status);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelChooser, models_list);
  gtk_widget_class_bind_template_callback (widget_class, model_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, model_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, model_popover_show);
}

static void
confab_model_chooser_init (ConfabModelChooser *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  /* Follows whichever session it is given: the model shown is always that session's. */
  self->session_signals = g_signal_group_new (CONFAB_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::model",
                                  G_CALLBACK (update_button), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::provider",
                                  G_CALLBACK (session_provider_changed), self);
  update_button (self);
}

GtkWidget *
confab_model_chooser_new (void)
{
  return g_object_new (CONFAB_TYPE_MODEL_CHOOSER, NULL);
}

ConfabSession *
confab_model_chooser_get_session (ConfabModelChooser *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CHOOSER (self), NULL);
  return self->session;
}

void
confab_model_chooser_set_session (ConfabModelChooser *self,
                                  ConfabSession      *session)
{
  g_return_if_fail (CONFAB_IS_MODEL_CHOOSER (self));
  g_return_if_fail (session == NULL || CONFAB_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  g_signal_group_set_target (self->session_signals, session);
  confab_model_chooser_reset (self);
  update_button (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

void
confab_model_chooser_reset (ConfabModelChooser *self)
{
  g_return_if_fail (CONFAB_IS_MODEL_CHOOSER (self));

  g_clear_object (&self->listed);
}
