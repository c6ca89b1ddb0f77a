/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_SAVE_BANNER (confab_save_banner_get_type ())
G_DECLARE_FINAL_TYPE (ConfabSaveBanner, confab_save_banner, CONFAB, SAVE_BANNER, AdwBin)

GtkWidget  *confab_save_banner_new          (void);
/* Shows (or updates) the banner for @error, a save that failed; one banner however many. */
void        confab_save_banner_show_error   (ConfabSaveBanner *self,
                                             const GError     *error);
/* Whether the banner is shown. */
gboolean    confab_save_banner_get_revealed (ConfabSaveBanner *self);
/* The banner's text, plain (not markup). */
const char *confab_save_banner_get_text     (ConfabSaveBanner *self);

G_END_DECLS
