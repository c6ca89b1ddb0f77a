/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-provider-list.h"
#include "confab-store.h"
#include "confab-tool-registry.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PREFERENCES_WINDOW (confab_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (ConfabPreferencesWindow, confab_preferences_window, CONFAB, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Providers (API keys in libsecret), MCP servers ($XDG_CONFIG_HOME/confab/mcp.json) and
 * general settings, on @providers (the context's list). Edits are saved as they are made.
 * Signal ::mcp-config-changed is emitted after mcp.json was written, so the application can
 * reload its tool registry. */
GtkWidget *confab_preferences_window_new_for_providers (GtkWindow               *parent,
                                                        ConfabProviderList      *providers);
/* The running servers whose state and log the MCP page shows; NULL shows only the checks
 * the page runs itself. */
void       confab_preferences_window_set_tool_registry (ConfabPreferencesWindow *self,
                                                        ConfabToolRegistry      *registry);
/* Shows the providers page with @name's row open and its API key focused. */
void       confab_preferences_window_show_provider     (ConfabPreferencesWindow *self,
                                                        const char              *name);
/* Adds the Backups group (restore a chosen backup, back up now) to the General page. */
void       confab_preferences_window_add_backups (ConfabPreferencesWindow *self,
                                                  ConfabStore             *store);

G_END_DECLS
