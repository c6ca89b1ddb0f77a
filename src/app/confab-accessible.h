/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* GTK 4.8 names a button with a mnemonic label after the raw label and its child label
 * together ("_Deny Deny"), so a screen reader reads the word twice and the underscore.
 * Names every such button below @root after its label alone. */
void confab_accessible_name_mnemonic_buttons (GtkWidget *root);

G_END_DECLS
