/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-preferences"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-preferences-private.h"

void
confab_preferences_toast (GtkWidget  *widget,
                          const char *message)
{
  GtkWidget *window = gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_WINDOW);

  /* A toast title is Pango markup (libadwaita 1.2): messages name servers, commands and
   * errors ("a && b <c>"), shown as text. */
  if (window != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (message, -1);

      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window), adw_toast_new (escaped));
    }
  else
    g_message ("%s", message);
}

/* An apply handler that writes back the value as stored (a base URL without its trailing
 * slash, a name made unique) makes AdwEntryRow take the new text for a new edit and show
 * its ✓ again, as if nothing had been applied. Toggling the button puts it away. */
void
confab_preferences_entry_row_reset_apply (AdwEntryRow *row)
{
  adw_entry_row_set_show_apply_button (row, FALSE);
  adw_entry_row_set_show_apply_button (row, TRUE);
}

ConfabMcpServerConfig *
confab_preferences_get_mcp_entry (GtkWidget       *widget,
                                  ConfabMcpConfig *config,
                                  const char      *name)
{
  g_autoptr(GError) error = NULL;
  ConfabMcpServerConfig *entry = confab_mcp_config_get_server (config, name, &error);

  if (entry == NULL)
    confab_preferences_toast (widget, error->message);

  return entry;
}

gboolean
confab_preferences_put_mcp_entry (GtkWidget                   *widget,
                                  ConfabMcpConfig             *config,
                                  const char                  *name,
                                  const ConfabMcpServerConfig *entry,
                                  gboolean                     rebuild)
{
  g_autoptr(GError) error = NULL;

  if (!confab_mcp_config_set_server (config, name, entry, &error) ||
      !confab_mcp_config_save (config, &error))
    {
      confab_preferences_toast (widget, error->message);
      return FALSE;
    }

  gtk_widget_activate_action (widget, "prefs.mcp-saved", "b", rebuild);
  return TRUE;
}

AdwEntryRow *
confab_preferences_entry_row (GtkWidget  *expander,
                              GType       type,
                              const char *title,
                              const char *text,
                              GCallback   applied)
{
  GtkWidget *row = g_object_new (type,
                                 "title", title,
                                 "show-apply-button", TRUE,
                                 NULL);

  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
  g_signal_connect (row, "apply", applied, expander);
  g_signal_connect_after (row, "apply", G_CALLBACK (confab_preferences_entry_row_reset_apply), NULL);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  return ADW_ENTRY_ROW (row);
}

GtkWidget *
confab_preferences_text_area_row (const char     *title,
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

static void
found_model_activated (GtkListBox    *list,
                       GtkListBoxRow *row,
                       AdwEntryRow   *model_row)
{
  const char *model = g_object_get_data (G_OBJECT (row), "confab-model");
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (list), GTK_TYPE_POPOVER);

  /* As typing it in "Default Model" and pressing ✓ would. */
  gtk_editable_set_text (GTK_EDITABLE (model_row), model);
  g_signal_emit_by_name (model_row, "apply");
  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
}

void
confab_preferences_offer_models (AdwActionRow       *test_row,
                                 const char * const *models,
                                 AdwEntryRow        *model_row)
{
  GtkWidget *button = g_object_get_data (G_OBJECT (test_row), "confab-models-button");
  GtkWidget *popover, *scroller, *list;

  if (button == NULL)
    {
      button = gtk_menu_button_new ();
      gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("Set _Default…"));
      gtk_menu_button_set_use_underline (GTK_MENU_BUTTON (button), TRUE);
      gtk_widget_set_tooltip_text (button, _("Make one of the models found the default"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_name (button, "models-button");
      adw_action_row_add_suffix (test_row, button);
      g_object_set_data (G_OBJECT (test_row), "confab-models-button", button);
    }

  list = gtk_list_box_new ();
  gtk_widget_set_name (list, "found-models");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "navigation-sidebar");
  for (guint i = 0; models != NULL && models[i] != NULL; i++)
    {
      GtkWidget *label = gtk_label_new (models[i]);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      g_object_set_data_full (G_OBJECT (row), "confab-model", g_strdup (models[i]), g_free);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  g_signal_connect_object (list, "row-activated", G_CALLBACK (found_model_activated), model_row, 0);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  /* As wide as the names (up to a limit, then they ellipsize): else the list is as narrow
   * as an ellipsized label, and every model shows as "…". */
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_width (GTK_SCROLLED_WINDOW (scroller), 360);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), scroller);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_widget_set_visible (button, models != NULL && models[0] != NULL);
}
