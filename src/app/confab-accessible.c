/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-accessible"

#include "config.h"

#include "confab-accessible.h"

static char *
without_mnemonic (const char *label)
{
  GString *text = g_string_new (NULL);

  for (const char *p = label; *p != '\0'; p++)
    {
      /* "__" is a literal underscore; a single one marks the mnemonic. */
      if (*p == '_' && p[1] == '_')
        g_string_append_c (text, *++p);
      else if (*p != '_')
        g_string_append_c (text, *p);
    }

  return g_string_free (text, FALSE);
}

void
confab_accessible_name_mnemonic_buttons (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_BUTTON (root) && gtk_button_get_use_underline (GTK_BUTTON (root)) &&
      gtk_button_get_label (GTK_BUTTON (root)) != NULL)
    {
      g_autofree char *name = without_mnemonic (gtk_button_get_label (GTK_BUTTON (root)));

      gtk_accessible_reset_relation (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
      gtk_accessible_update_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    confab_accessible_name_mnemonic_buttons (child);
}
