/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_VERSION_SWITCHER (confab_version_switcher_get_type ())

G_DECLARE_FINAL_TYPE (ConfabVersionSwitcher, confab_version_switcher, CONFAB, VERSION_SWITCHER, GtkWidget)

/* "‹ 2/3 ›": which version of a message's place is shown (edits, regenerated answers), with
 * buttons that activate row.previous-version and row.next-version on an ancestor. Hidden
 * while there is only one version. */
GtkWidget  *confab_version_switcher_new       (void);
/* Shows version @version (from 0) of @n_versions. */
void        confab_version_switcher_set       (ConfabVersionSwitcher *self,
                                               guint                  version,
                                               guint                  n_versions);
/* The text shown ("2/3"). */
const char *confab_version_switcher_get_text  (ConfabVersionSwitcher *self);

G_END_DECLS
