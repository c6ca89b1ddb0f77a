/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An MCP server's plain headers as one line of text, as HTTP writes them, one after the
 * other: "Authorization: Bearer abc X-Team: alpha". A word that ends with a colon (a header
 * name before it) starts the next header (the first one may also be "Name:value"); a value
 * that would read otherwise (quotes, a word ending with a colon, runs of spaces) is
 * shell-quoted. */

/* @headers ("Name: value" strings) as that line. (transfer full) */
char     *confab_mcp_headers_to_text   (const char * const  *headers);
/* That line into "Name: value" strings; FALSE and a readable @error when it is not. */
gboolean  confab_mcp_headers_from_text (const char          *text,
                                        GStrv               *headers_out,
                                        GError             **error);

G_END_DECLS
