/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-message-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-message.h"
#include "confab-message-actions.h"

struct _ConfabMessageActions
{
  GtkWidget  parent_instance;

  GtkWidget *copy_button;
  GtkWidget *edit_button;
  GtkWidget *regenerate_button;
  GtkWidget *inspect_button;
  GtkWidget *timeline_button;
  GtkWidget *fork_button;
};

G_DEFINE_FINAL_TYPE (ConfabMessageActions, confab_message_actions, GTK_TYPE_WIDGET)

static GtkWidget *
action_button (ConfabMessageActions *self,
               const char           *icon_name,
               const char           *tooltip,
               const char           *label,
               const char           *action_name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_add_css_class (button, "flat");
  /* Set while hidden: on a visible widget GTK asks the display server where the pointer is,
   * a round trip per button of each row built. */
  gtk_widget_set_visible (button, FALSE);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_visible (button, TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_parent (button, GTK_WIDGET (self));

  return button;
}

gboolean
confab_message_actions_has_request (ConfabMessage *message)
{
  return message != NULL &&
         confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT &&
         confab_message_get_request_body (message) != NULL;
}

void
confab_message_actions_update (ConfabMessageActions *self,
                               ConfabMessage        *message)
{
  ConfabRole role;
  gboolean has_request;

  g_return_if_fail (CONFAB_IS_MESSAGE_ACTIONS (self));
  g_return_if_fail (CONFAB_IS_MESSAGE (message));

  role = confab_message_get_role (message);
  has_request = confab_message_actions_has_request (message);

  gtk_widget_set_visible (self->edit_button, role == CONFAB_ROLE_USER);
  gtk_widget_set_visible (self->regenerate_button, role == CONFAB_ROLE_ASSISTANT);
  gtk_widget_set_visible (self->inspect_button, has_request);
  /* Hidden, like Inspect, where there is no turn to show: a hidden button is not offered to
   * the keyboard nor to screen readers either. */
  gtk_widget_set_visible (self->timeline_button, has_request);
}

GtkWidget *
confab_message_actions_get_timeline_button (ConfabMessageActions *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ACTIONS (self), NULL);
  return self->timeline_button;
}

static void
confab_message_actions_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (confab_message_actions_parent_class)->dispose (object);
}

static void
confab_message_actions_class_init (ConfabMessageActionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_message_actions_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "box");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_message_actions_init (ConfabMessageActions *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 2);
  gtk_widget_add_css_class (GTK_WIDGET (self), "message-actions");

  self->copy_button = action_button (self, "edit-copy-symbolic", _("Copy"), _("Copy message"), "row.copy");
  self->edit_button = action_button (self, "document-edit-symbolic", _("Edit and Resend"), _("Edit and resend"), "row.edit");
  self->regenerate_button = action_button (self, "view-refresh-symbolic", _("Regenerate"), _("Regenerate answer"), "row.regenerate");
  self->inspect_button = action_button (self, "system-search-symbolic", _("Inspect Request and Response"),
                                        _("Inspect the request and response"), "row.inspect");
  self->timeline_button = action_button (self, "document-open-recent-symbolic", _("Turn Timeline"),
                                         _("Show the turn’s timeline"), "row.timeline");
  self->fork_button = action_button (self, "mail-forward-symbolic", _("Start a New Chat From Here"),
                                     _("Start a new chat from here"), "row.fork");
}

GtkWidget *
confab_message_actions_new (void)
{
  return g_object_new (CONFAB_TYPE_MESSAGE_ACTIONS, NULL);
}
