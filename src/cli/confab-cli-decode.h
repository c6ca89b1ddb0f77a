/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `confab-cli decode [FILE|-]`: reads a raw SSE body through the delta accumulator and
 * prints the assembled assistant message and usage as JSON; a go-vcr cassette FILE (JSON, or
 * YAML with libyaml) is printed as a whole conversation in Confab JSON. Returns the exit
 * status. */
int confab_cli_decode (const char *path);

G_END_DECLS
