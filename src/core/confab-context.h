/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CONTEXT (confab_context_get_type ())

G_DECLARE_FINAL_TYPE (ConfabContext, confab_context, CONFAB, CONTEXT, GObject)

/* The services one process shares, each with one owner: the store, the provider list, the
 * tool registry and the approvals. The application holds one for all its windows, confab-cli
 * one for its run; a ConfabSession drives a conversation with them.
 * Properties: "tools" (notified when confab_context_reload_tools() replaces the registry). */
ConfabContext        *confab_context_new                (void);
/* The history, or NULL when there is none (--no-store, a database that would not open). */
ConfabStore          *confab_context_get_store          (ConfabContext        *self);
void                  confab_context_set_store          (ConfabContext        *self,
                                                         ConfabStore          *store);
/* $XDG_CONFIG_HOME/confab/providers.json, read on first use. (transfer none) */
ConfabProviderList   *confab_context_get_providers      (ConfabContext        *self);
/* The MCP servers of mcp.json plus the extra ones: empty until confab_context_reload_tools().
 * (transfer none) */
ConfabToolRegistry   *confab_context_get_tools          (ConfabContext        *self);
/* $XDG_CONFIG_HOME/confab/approvals.json, with "allow all" when set. (transfer none) */
ConfabApprovalPolicy *confab_context_get_approvals      (ConfabContext        *self);
/* Servers given on the command line (--mcp COMMAND), added to mcp.json's on each reload. */
void                  confab_context_set_extra_servers  (ConfabContext        *self,
                                                         const char * const   *commands);
/* --yes: every tool call runs without asking. */
void                  confab_context_set_allow_all      (ConfabContext        *self,
                                                         gboolean              allow_all);
/* Builds the registry anew from mcp.json and the extra servers, stops the old one and
 * notifies "tools". The new registry is not started. On an unreadable file or a bad command
 * @error says so; the servers that could be read are in the registry anyway. */
gboolean              confab_context_reload_tools       (ConfabContext        *self,
                                                         GError              **error);
/* For a long-running front end: confab_context_reload_tools(), a problem logged as a warning,
 * then the servers started in the background (a server that fails says why on itself,
 * confab_mcp_server_get_error()). Disposing the context cancels the start. */
void                  confab_context_start_tools        (ConfabContext        *self);

G_END_DECLS
