/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_SEARCH_PROVIDER (confab_search_provider_get_type ())

G_DECLARE_FINAL_TYPE (ConfabSearchProvider, confab_search_provider, CONFAB, SEARCH_PROVIDER, GApplication)

/* The D-Bus service GNOME Shell asks when the user types in the Activities overview. It is
 * its own small process (activated by D-Bus, gone after a few idle seconds), so the app can
 * stay a non-unique application and the Shell never waits on a busy window. */
ConfabSearchProvider *confab_search_provider_new (void);

G_END_DECLS
