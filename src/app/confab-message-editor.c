/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-message-editor"

#include "config.h"

#include "confab-message-editor.h"

struct _ConfabMessageEditor
{
  GtkWidget    parent_instance;

  GtkWidget   *box;
  GtkTextView *text_view;
};

G_DEFINE_FINAL_TYPE (ConfabMessageEditor, confab_message_editor, GTK_TYPE_WIDGET)

enum {
  SEND,
  CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
editor_cancel (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  g_signal_emit (widget, signals[CANCELLED], 0);
}

static void
editor_send (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  g_autofree char *text = confab_message_editor_get_text (CONFAB_MESSAGE_EDITOR (widget));

  g_strstrip (text);
  if (*text == '\0')
    return;

  g_signal_emit (widget, signals[SEND], 0, text);
}

static void
confab_message_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CONFAB_TYPE_MESSAGE_EDITOR);

  G_OBJECT_CLASS (confab_message_editor_parent_class)->dispose (object);
}

static void
confab_message_editor_class_init (ConfabMessageEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_message_editor_dispose;

  signals[SEND] = g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/confab/Confab/confab-message-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageEditor, box);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageEditor, text_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messageeditor");

  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, editor_cancel);
  gtk_widget_class_install_action (widget_class, "editor.send", NULL, editor_send);
  /* Escape leaves the edit as Cancel does (the window's Escape only stops an answer). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "editor.cancel", NULL);
}

static void
confab_message_editor_init (ConfabMessageEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
confab_message_editor_new (void)
{
  return g_object_new (CONFAB_TYPE_MESSAGE_EDITOR, NULL);
}

void
confab_message_editor_begin (ConfabMessageEditor *self,
                             const char          *text)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_EDITOR (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text ? text : "", -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

char *
confab_message_editor_get_text (ConfabMessageEditor *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (CONFAB_IS_MESSAGE_EDITOR (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
