/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-conversation-list"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation-row.h"

struct _ConfabConversationRow
{
  GtkWidget      parent_instance;

  char          *id;

  GtkLabel      *title;
  GtkLabel      *subtitle;
  GtkSpinner    *spinner;
  GtkMenuButton *menu;
};

G_DEFINE_FINAL_TYPE (ConfabConversationRow, confab_conversation_row, GTK_TYPE_WIDGET)

static char *
format_when (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (dt == NULL)
    return g_strdup ("");

  if (g_date_time_get_year (dt) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (dt) == g_date_time_get_day_of_year (now))
    return g_date_time_format (dt, "%H:%M");

  return g_date_time_format (dt, "%x");
}

/* The menu is built when it opens, not per bind: a popover per row made replacing a page of
 * rows (each search) cost several frames. */
static void
create_menu (GtkMenuButton *button,
             gpointer       user_data)
{
  ConfabConversationRow *self = user_data;
  g_autoptr(GMenu) model = g_menu_new ();
  g_autoptr(GMenuItem) rename = g_menu_item_new (_("_Rename…"), NULL);
  g_autoptr(GMenuItem) export = g_menu_item_new (_("_Export…"), NULL);
  g_autoptr(GMenuItem) export_folder = g_menu_item_new (_("Export to _Folder…"), NULL);
  g_autoptr(GMenuItem) delete = g_menu_item_new (_("_Delete"), NULL);
  GVariant *target;

  if (self->id == NULL)
    return;

  target = g_variant_ref_sink (g_variant_new_string (self->id));
  g_menu_item_set_action_and_target_value (rename, "conversation-list.rename", target);
  g_menu_item_set_action_and_target_value (export, "conversation-list.export", target);
  g_menu_item_set_action_and_target_value (export_folder, "conversation-list.export-folder", target);
  g_menu_item_set_action_and_target_value (delete, "conversation-list.delete", target);
  g_variant_unref (target);
  g_menu_append_item (model, rename);
  g_menu_append_item (model, export);
  g_menu_append_item (model, export_folder);
  g_menu_append_item (model, delete);
  gtk_menu_button_set_menu_model (button, G_MENU_MODEL (model));
}

static void
confab_conversation_row_dispose (GObject *object)
{
  ConfabConversationRow *self = CONFAB_CONVERSATION_ROW (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CONVERSATION_ROW);
  /* The box of the labels has no id: unparented here with the rest. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->id, g_free);

  G_OBJECT_CLASS (confab_conversation_row_parent_class)->dispose (object);
}

static void
confab_conversation_row_class_init (ConfabConversationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_conversation_row_dispose;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-conversation-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationRow, title);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationRow, subtitle);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationRow, menu);
}

static void
confab_conversation_row_init (ConfabConversationRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_menu_button_set_create_popup_func (self->menu, create_menu, self, NULL);
}

GtkWidget *
confab_conversation_row_new (void)
{
  return g_object_new (CONFAB_TYPE_CONVERSATION_ROW, NULL);
}

void
confab_conversation_row_set_summary (ConfabConversationRow *self,
                                     ConfabStoreSummary    *summary,
                                     gboolean               busy)
{
  const char *text;
  const char *snippet;
  g_autofree char *menu_label = NULL;

  g_return_if_fail (CONFAB_IS_CONVERSATION_ROW (self));
  g_return_if_fail (CONFAB_IS_STORE_SUMMARY (summary));

  text = confab_store_summary_get_title (summary);
  snippet = confab_store_summary_get_snippet (summary);
  if (text == NULL || text[0] == '\0')
    text = _("Untitled");

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);

  gtk_label_set_text (self->title, text);
  if (snippet != NULL)
    {
      g_autofree char *flat = g_strdup (snippet);

      g_strdelimit (flat, "\r\n\t", ' ');
      gtk_label_set_text (self->subtitle, flat);
    }
  else
    {
      g_autofree char *when = format_when (confab_store_summary_get_updated_at (summary));

      gtk_label_set_text (self->subtitle, when);
    }

  g_free (self->id);
  self->id = g_strdup (confab_store_summary_get_id (summary));

  menu_label = g_strdup_printf (_("Actions for “%s”"), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu), GTK_ACCESSIBLE_PROPERTY_LABEL, menu_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, gtk_label_get_text (self->subtitle),
                                  -1);
}

const char *
confab_conversation_row_get_title (ConfabConversationRow *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_ROW (self), NULL);
  return gtk_label_get_text (self->title);
}
