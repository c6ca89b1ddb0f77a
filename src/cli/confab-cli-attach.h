/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* `--attach FILE` (repeatable): reads and prepares every file with the default limits (the
 * same rules as the window: images downscaled, text fenced, PDF text extracted), then checks
 * the total. A GListStore of ConfabAttachment, or NULL and an error naming the file.
 * (transfer full) */
GListStore *confab_cli_load_attachments (const char * const  *paths,
                                         GError             **error);

G_END_DECLS
