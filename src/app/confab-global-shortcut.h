/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_GLOBAL_SHORTCUT (confab_global_shortcut_get_type ())

G_DECLARE_FINAL_TYPE (ConfabGlobalShortcut, confab_global_shortcut, CONFAB, GLOBAL_SHORTCUT, GObject)

/* The quick-ask shortcut, bound through the GlobalShortcuts desktop portal (it works on
 * Wayland, where an app cannot grab keys itself). Where the portal or its GlobalShortcuts
 * interface is missing (Debian 12's portal has none), nothing happens: the desktop file's
 * "Quick Ask" action and `confab --quick` remain.
 *
 * Signals:
 *   ::activated (const char *shortcut_id)   the user pressed the shortcut */
ConfabGlobalShortcut *confab_global_shortcut_new         (void);
/* Asks the portal for a session and binds "quick-ask"; quietly gives up without a portal. */
void                  confab_global_shortcut_start       (ConfabGlobalShortcut *self,
                                                          GDBusConnection      *connection);
/* TRUE once the portal bound the shortcut. */
gboolean              confab_global_shortcut_get_bound   (ConfabGlobalShortcut *self);

G_END_DECLS
