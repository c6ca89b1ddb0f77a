/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-version-switcher"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-version-switcher.h"

struct _ConfabVersionSwitcher
{
  GtkWidget  parent_instance;

  GtkWidget *box;
  GtkWidget *previous_button;
  GtkLabel  *label;
  GtkWidget *next_button;
};

G_DEFINE_FINAL_TYPE (ConfabVersionSwitcher, confab_version_switcher, GTK_TYPE_WIDGET)

static void
confab_version_switcher_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CONFAB_TYPE_VERSION_SWITCHER);

  G_OBJECT_CLASS (confab_version_switcher_parent_class)->dispose (object);
}

static void
confab_version_switcher_class_init (ConfabVersionSwitcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_version_switcher_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/confab/Confab/confab-version-switcher.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabVersionSwitcher, box);
  gtk_widget_class_bind_template_child (widget_class, ConfabVersionSwitcher, previous_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabVersionSwitcher, label);
  gtk_widget_class_bind_template_child (widget_class, ConfabVersionSwitcher, next_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "versionswitcher");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_version_switcher_init (ConfabVersionSwitcher *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
confab_version_switcher_new (void)
{
  return g_object_new (CONFAB_TYPE_VERSION_SWITCHER, NULL);
}

void
confab_version_switcher_set (ConfabVersionSwitcher *self,
                             guint                  version,
                             guint                  n_versions)
{
  g_autofree char *text = NULL;
  g_autofree char *spoken = NULL;

  g_return_if_fail (CONFAB_IS_VERSION_SWITCHER (self));

  gtk_widget_set_visible (GTK_WIDGET (self), n_versions > 1);
  if (n_versions <= 1)
    return;

  /* Translators: which version of a message is shown, of how many ("2/3"). */
  text = g_strdup_printf (_("%u/%u"), version + 1, n_versions);
  /* Translators: the same, for a screen reader. */
  spoken = g_strdup_printf (_("%u of %u"), version + 1, n_versions);
  gtk_label_set_text (self->label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Versions of this message"), -1);
  gtk_widget_set_sensitive (self->previous_button, version > 0);
  gtk_widget_set_sensitive (self->next_button, version + 1 < n_versions);
}

const char *
confab_version_switcher_get_text (ConfabVersionSwitcher *self)
{
  g_return_val_if_fail (CONFAB_IS_VERSION_SWITCHER (self), NULL);
  return gtk_label_get_text (self->label);
}
