/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-two-line-row"

#include "config.h"

#include "confab-two-line-row.h"

void
confab_two_line_row_fill (GtkListBoxRow      *row,
                          const char         *title,
                          const char         *caption,
                          PangoEllipsizeMode  caption_ellipsize)
{
  GtkWidget *box, *label, *caption_label;

  g_return_if_fail (GTK_IS_LIST_BOX_ROW (row));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);

  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);

  caption_label = gtk_label_new (caption);
  gtk_label_set_xalign (GTK_LABEL (caption_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (caption_label), caption_ellipsize);
  gtk_widget_add_css_class (caption_label, "dim-label");
  gtk_widget_add_css_class (caption_label, "caption");
  gtk_box_append (GTK_BOX (box), caption_label);

  gtk_list_box_row_set_child (row, box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, caption, -1);
}

void
confab_two_line_row_add_listed (JsonNode         *list,
                                const GError     *error,
                                gpointer          server,
                                ConfabListedFunc  add_row,
                                gpointer          owner)
{
  JsonArray *array;

  if (list == NULL)
    {
      g_debug ("%s", error ? error->message : "no list");
      return;
    }

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)))
      add_row (owner, server, json_array_get_object_element (array, i));
}
