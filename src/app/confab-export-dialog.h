/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* Asks where to export @conversation (the file chooser: the portal's when there is one)
 * and writes it there: JSON when the name ends in .json or the JSON filter is chosen,
 * else Markdown. Says how it went in a toast of @parent's window. */
void     confab_export_dialog_show    (GtkWidget           *parent,
                                       ConfabConversation  *conversation);
/* Asks for a folder and writes @conversation there as Markdown with its attached files
 * beside it (conversation.md links them). */
void     confab_export_dialog_show_folder (GtkWidget          *parent,
                                           ConfabConversation *conversation);
/* Whether @file is to be written as JSON (by its name). */
gboolean confab_export_file_is_json   (GFile               *file);

G_END_DECLS
