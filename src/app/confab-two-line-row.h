/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Gives @row a title over a dimmed caption (text, never markup), and says both to screen
 * readers: the rows of the MCP resource and prompt lists. */
void confab_two_line_row_fill (GtkListBoxRow      *row,
                               const char         *title,
                               const char         *caption,
                               PangoEllipsizeMode  caption_ellipsize);

G_END_DECLS
