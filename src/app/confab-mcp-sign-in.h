/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-mcp-oauth.h"
#include "confab-tool-registry.h"

G_BEGIN_DECLS

/* When a remote MCP server of @registry needs a sign-in (OAuth), a toast over @window says
 * so with a "Sign In…" button: it opens the authorization page in the browser (through the
 * portal in Flatpak) and starts the server again, which finishes the sign-in when the
 * browser comes back to Confab. */
void confab_mcp_sign_in_watch_registry (ConfabToolRegistry *registry,
                                        GtkWindow          *window);

/* For tests: opens pages with @func instead of the browser (NULL: the browser again). */
void _confab_mcp_sign_in_set_launcher  (ConfabMcpOAuthOpenFunc func,
                                        gpointer               user_data);

G_END_DECLS
