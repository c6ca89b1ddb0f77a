/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-message-error"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-enums.h"
#include "confab-message.h"
#include "confab-message-error.h"

#define MAX_DETAILS_CHARS 4000

struct _ConfabMessageError
{
  GtkWidget    parent_instance;

  GtkWidget   *box;
  GtkLabel    *label;
  GtkExpander *details_expander;
  GtkLabel    *details_label;
  GtkWidget   *check_key_button;
  GtkWidget   *retry_button;
};

G_DEFINE_FINAL_TYPE (ConfabMessageError, confab_message_error, GTK_TYPE_WIDGET)

static void
confab_message_error_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CONFAB_TYPE_MESSAGE_ERROR);

  G_OBJECT_CLASS (confab_message_error_parent_class)->dispose (object);
}

static void
confab_message_error_class_init (ConfabMessageErrorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_message_error_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/confab/Confab/confab-message-error.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageError, box);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageError, label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageError, details_expander);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageError, details_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageError, check_key_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageError, retry_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
confab_message_error_init (ConfabMessageError *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
confab_message_error_new (void)
{
  return g_object_new (CONFAB_TYPE_MESSAGE_ERROR, NULL);
}

/* The HTTP error body under "Details", and "Check API Key" where the key is the likely
 * cause (401, 403). */
static void
show_details (ConfabMessageError *self,
              ConfabMessage      *message)
{
  guint status = confab_message_get_http_status (message);
  g_autoptr(GBytes) raw = status >= 400 ? confab_message_dup_raw_response (message) : NULL;
  g_autofree char *text = NULL;

  if (raw != NULL && g_bytes_get_size (raw) > 0)
    {
      gsize len;
      const char *data = g_bytes_get_data (raw, &len);

      text = g_utf8_make_valid (data, len);
      g_strstrip (text);
      if (g_utf8_strlen (text, -1) > MAX_DETAILS_CHARS)
        {
          char *cut = g_utf8_offset_to_pointer (text, MAX_DETAILS_CHARS);
          g_autofree char *shortened = g_strndup (text, cut - text);

          g_free (text);
          text = g_strconcat (shortened, "…", NULL);
        }
    }

  gtk_label_set_text (self->details_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->details_expander), text != NULL && *text != '\0');
  gtk_widget_set_visible (self->check_key_button, status == 401 || status == 403);
}

void
confab_message_error_show (ConfabMessageError *self,
                           ConfabMessage      *message)
{
  const GError *error;
  int retry_after;

  g_return_if_fail (CONFAB_IS_MESSAGE_ERROR (self));
  g_return_if_fail (CONFAB_IS_MESSAGE (message));

  error = confab_message_get_error (message);
  retry_after = confab_message_get_retry_after (message);

  if (error != NULL && retry_after > 0)
    {
      /* Rate limits say how long to wait: tell the user before they press Retry. */
      g_autofree char *text =
        g_strdup_printf (ngettext ("%s\nThe provider asks to wait %d second before you retry.",
                                   "%s\nThe provider asks to wait %d seconds before you retry.",
                                   retry_after),
                         error->message, retry_after);
      gtk_label_set_text (self->label, text);
    }
  else if (error != NULL)
    gtk_label_set_text (self->label, error->message);
  else
    gtk_label_set_text (self->label, _("The answer stopped before it was complete."));

  show_details (self, message);
  gtk_widget_set_visible (self->retry_button, confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT);
}

const char *
confab_message_error_get_text (ConfabMessageError *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ERROR (self), NULL);
  return gtk_label_get_text (self->label);
}
