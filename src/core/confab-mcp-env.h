/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The environment an MCP server starts with: only what a program needs to run (HOME, PATH,
 * the locale, XDG directories, the session bus, proxies and CA bundles) from Confab's own,
 * then the "env" configured for that server. Everything else — API keys first — stays
 * with Confab. */

/* Never pass the variable @name on from Confab's environment, even when the allowlist would
 * (say "--api-key-env LC_KEY"). CONFAB_API_KEY is never passed on. A server's configured
 * "env" still may set it: that is the user's explicit choice. */
void    confab_mcp_env_add_secret (const char         *name);
/* TRUE when a server may inherit the variable @name. */
gboolean confab_mcp_env_is_allowed (const char        *name);
/* The allowed part of @parent ("NAME=VALUE" each, as g_get_environ()), with @configured
 * ("NAME=VALUE" each, may be NULL) set over it. (transfer full) */
char  **confab_mcp_env_build      (const char * const *parent,
                                   const char * const *configured);

G_END_DECLS
