/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Gives @row a title over a dimmed caption (text, never markup), and says both to screen
 * readers: the rows of the MCP resource and prompt lists. */
void confab_two_line_row_fill (GtkListBoxRow      *row,
                               const char         *title,
                               const char         *caption,
                               PangoEllipsizeMode  caption_ellipsize);

/* Adds a row to @owner's list for an object of an MCP server's list. */
typedef void (*ConfabListedFunc) (gpointer    owner,
                                  gpointer    server,
                                  JsonObject *item);

/* Calls @add_row for each object of @list, the answer of a confab_mcp_server_list_*_finish();
 * without a list, logs @error (the popover says only what it found). */
void confab_two_line_row_add_listed (JsonNode         *list,
                                     const GError     *error,
                                     gpointer          server,
                                     ConfabListedFunc  add_row,
                                     gpointer          owner);

G_END_DECLS
