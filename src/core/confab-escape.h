/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Text from a model, a tool or an MCP server, made harmless for a terminal (or a Markdown
 * file that may be shown in one): C0 controls, DEL and bytes that are not UTF-8 become
 * "\xNN", C1 controls (U+0080–U+009F) and the bidi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069) become "U+XXXX". Nothing else changes. */
typedef enum {
  CONFAB_ESCAPE_DEFAULT       = 0,
  /* Keep line feeds and tabs (running text); without it the result is one line. */
  CONFAB_ESCAPE_KEEP_NEWLINES = 1 << 0,
} ConfabEscapeFlags;

/* TRUE when @text (@len bytes, or NUL-terminated when -1) holds anything
 * confab_escape_text() would change. */
gboolean  confab_escape_needed (const char        *text,
                                gssize             len,
                                ConfabEscapeFlags  flags);
/* The escaped copy of @text (NULL stays NULL). (transfer full) */
char     *confab_escape_text   (const char        *text,
                                gssize             len,
                                ConfabEscapeFlags  flags);

G_END_DECLS
