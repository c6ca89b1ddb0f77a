/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool-progress"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-escape.h"
#include "confab-tool-progress.h"

struct _ConfabToolProgress
{
  GtkWidget       parent_instance;

  ConfabToolCall *call;
  GSignalGroup   *call_signals;

  GtkWidget      *box;
  GtkProgressBar *progress_bar;
  GtkLabel       *progress_label;
};

G_DEFINE_FINAL_TYPE (ConfabToolProgress, confab_tool_progress, GTK_TYPE_WIDGET)

static void
update (ConfabToolProgress *self,
        gboolean            reported)
{
  double progress = 0, total = -1;
  gboolean shown;

  shown = self->call != NULL &&
          confab_tool_call_get_status (self->call) == CONFAB_TOOL_CALL_STATUS_RUNNING &&
          confab_tool_call_get_progress (self->call, &progress, &total);
  gtk_widget_set_visible (GTK_WIDGET (self), shown);
  if (!shown)
    return;

  if (total > 0)
    {
      g_autofree char *text = NULL;

      gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (progress / total, 0.0, 1.0));
      /* Translators: how far a tool call got, as its server reports it: "3 of 10" */
      text = g_strdup_printf (_("%g of %g"), progress, total);
      gtk_progress_bar_set_text (self->progress_bar, text);
      gtk_progress_bar_set_show_text (self->progress_bar, TRUE);
    }
  else
    {
      gtk_progress_bar_set_show_text (self->progress_bar, FALSE);
      if (reported)
        gtk_progress_bar_pulse (self->progress_bar);
    }

  {
    const char *message = confab_tool_call_get_progress_message (self->call);
    g_autofree char *escaped = confab_escape_text (message, -1, CONFAB_ESCAPE_DEFAULT);

    gtk_label_set_text (self->progress_label, escaped ? escaped : "");
    gtk_widget_set_visible (GTK_WIDGET (self->progress_label), escaped != NULL && *escaped != '\0');
  }
}

static void
progress_changed_cb (ConfabToolProgress *self)
{
  update (self, TRUE);
}

static void
status_changed_cb (ConfabToolProgress *self)
{
  update (self, FALSE);
}

static void
confab_tool_progress_dispose (GObject *object)
{
  ConfabToolProgress *self = CONFAB_TOOL_PROGRESS (object);

  g_clear_object (&self->call_signals);
  g_clear_object (&self->call);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (confab_tool_progress_parent_class)->dispose (object);
}

static void
confab_tool_progress_class_init (ConfabToolProgressClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_tool_progress_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
confab_tool_progress_init (ConfabToolProgress *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->progress_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_name (GTK_WIDGET (self->progress_bar), "progress_bar");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->progress_bar));

  self->progress_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->progress_label), "progress_label");
  gtk_label_set_xalign (self->progress_label, 0);
  gtk_label_set_wrap (self->progress_label, TRUE);
  gtk_label_set_wrap_mode (self->progress_label, PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (GTK_WIDGET (self->progress_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->progress_label), "caption");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->progress_label));

  self->call_signals = g_signal_group_new (CONFAB_TYPE_TOOL_CALL);
  g_signal_group_connect_swapped (self->call_signals, "progress-changed",
                                  G_CALLBACK (progress_changed_cb), self);
  g_signal_group_connect_swapped (self->call_signals, "notify::status",
                                  G_CALLBACK (status_changed_cb), self);

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
confab_tool_progress_new (void)
{
  return g_object_new (CONFAB_TYPE_TOOL_PROGRESS, NULL);
}

void
confab_tool_progress_set_call (ConfabToolProgress *self,
                               ConfabToolCall     *call)
{
  g_return_if_fail (CONFAB_IS_TOOL_PROGRESS (self));
  g_return_if_fail (!call || CONFAB_IS_TOOL_CALL (call));

  if (!g_set_object (&self->call, call))
    return;

  g_signal_group_set_target (self->call_signals, call);
  update (self, FALSE);
}
