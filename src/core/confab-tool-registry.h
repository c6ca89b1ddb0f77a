/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TOOL_REGISTRY (confab_tool_registry_get_type ())

G_DECLARE_FINAL_TYPE (ConfabToolRegistry, confab_tool_registry, CONFAB, TOOL_REGISTRY, GObject)

/* All configured MCP servers and the tools they offer, with name clashes resolved. */
ConfabToolRegistry *confab_tool_registry_new                (void);
/* Reads {"mcpServers": {"name": {"command", "args", "env", "disabled", "timeout"}}}
 * ("timeout": seconds a tool call may take, default CONFAB_MCP_DEFAULT_CALL_TIMEOUT);
 * a remote server has {"url", "headers": {"Name": "value with ${ENV_VAR}"}, "type": "http"}
 * instead of "command".
 * A missing file is not an error. */
gboolean            confab_tool_registry_load_config        (ConfabToolRegistry  *self,
                                                             const char          *path,
                                                             GError             **error);
/* $XDG_CONFIG_HOME/confab/mcp.json (transfer full) */
char               *confab_tool_registry_get_default_config_path (void);
/* Adds a server from a shell-style command line (--mcp "COMMAND ARGS"), or a remote one
 * from an http:// or https:// URL. */
gboolean            confab_tool_registry_add_command        (ConfabToolRegistry  *self,
                                                             const char          *command_line,
                                                             GError             **error);
void                confab_tool_registry_add_server         (ConfabToolRegistry  *self,
                                                             ConfabMcpServer     *server);
/* Where a server's answered question (elicitation) is logged when no tool call of that
 * server was running (one that runs logs it with its chat and tool). NULL: not logged. */
void                confab_tool_registry_set_approvals      (ConfabToolRegistry   *self,
                                                             ConfabApprovalPolicy *approvals);
/* (transfer none) GListModel of ConfabMcpServer */
GListModel         *confab_tool_registry_get_servers        (ConfabToolRegistry  *self);
/* (transfer none) GListModel of ConfabTool, servers in order, each server's tools in its order */
GListModel         *confab_tool_registry_get_tools          (ConfabToolRegistry  *self);
/* Starts every server; one that fails is reported on it and skipped, never failing the rest. */
void                confab_tool_registry_start_async        (ConfabToolRegistry  *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            confab_tool_registry_start_finish       (ConfabToolRegistry  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);
/* The request "tools" array, or NULL when there are none. (transfer full) */
JsonNode           *confab_tool_registry_to_request_tools   (ConfabToolRegistry  *self);
/* The tool offered under @exposed_name, or NULL. (transfer none) */
ConfabTool         *confab_tool_registry_lookup             (ConfabToolRegistry  *self,
                                                             const char          *exposed_name);
/* Handles one tool call from start to result, so that afterwards the call has a result to
 * send back and a final status:
 *   unknown tool name      → failed, result names the tool
 *   arguments not JSON     → failed, tool not run
 *   not allowed by @approvals (nor --yes, nor "always") → request_approval() and wait for
 *     ::approval-resolved; deny → denied, result says the user denied it; allow-always is
 *     remembered in @approvals (allow-chat acts as allow-once here: no chat)
 *   run → running → done (text items joined, other items described) or failed (isError,
 *     timeout, server died), the error text as result.
 * Never fails itself except on cancellation. @approvals NULL means nothing is allowed. */
void                confab_tool_registry_call_async         (ConfabToolRegistry   *self,
                                                             ConfabToolCall       *call,
                                                             ConfabApprovalPolicy *approvals,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean            confab_tool_registry_call_finish        (ConfabToolRegistry  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);
/* The same for a call in the chat @chat_id: a "for this chat" approval (allow-chat) holds
 * for the later calls of that server and tool in that chat only. Every decision, asked or
 * standing, and every answer to the server's questions during the call, is recorded with
 * confab_approval_policy_record(). (confab-tool-registry-call.c) */
void                confab_tool_registry_call_in_chat_async (ConfabToolRegistry   *self,
                                                             ConfabToolCall       *call,
                                                             ConfabApprovalPolicy *approvals,
                                                             const char           *chat_id,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean            confab_tool_registry_call_in_chat_finish (ConfabToolRegistry  *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);
void                confab_tool_registry_stop               (ConfabToolRegistry  *self);

G_END_DECLS
