/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Files the attachment tests pick, made at run time so every test knows what is inside. */

/* A 2×2 red RGB PNG (fixed bytes). */
GBytes  *confab_test_tiny_png              (void);
/* Its base64, as a data URL carries it. */
#define CONFAB_TEST_TINY_PNG_BASE64 \
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg=="
/* A 1×1 GIF with two frames: red, then blue. */
GBytes  *confab_test_two_frame_gif         (void);
/* A @width × @height picture, left half red, right half blue, as "png" or "jpeg". */
GBytes  *confab_test_make_image            (int          width,
                                            int          height,
                                            gboolean     alpha,
                                            const char  *format);
/* A PDF with one page per string; NULL or "" gives a page without text (a "scanned" page). */
GBytes  *confab_test_make_pdf              (const char * const *pages,
                                            guint              n_pages);
/* Writes @bytes to @dir/@name and returns the path. (transfer full) */
char    *confab_test_write_file            (const char  *dir,
                                            const char  *name,
                                            GBytes      *bytes);

G_END_DECLS
