/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-window"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-window.h"

struct _ConfabWindow
{
  AdwApplicationWindow  parent_instance;

  AdwStatusPage        *welcome_page;
};

G_DEFINE_FINAL_TYPE (ConfabWindow, confab_window, ADW_TYPE_APPLICATION_WINDOW)

ConfabWindow *
confab_window_new (ConfabApplication *application)
{
  return g_object_new (CONFAB_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

static void
confab_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CONFAB_TYPE_WINDOW);

  G_OBJECT_CLASS (confab_window_parent_class)->dispose (object);
}

static void
confab_window_class_init (ConfabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, welcome_page);
}

static void
confab_window_init (ConfabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
