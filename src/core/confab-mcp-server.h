/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_SERVER (confab_mcp_server_get_type ())

#define CONFAB_MCP_PROTOCOL_VERSION "2025-06-18"
#define CONFAB_MCP_DEFAULT_CALL_TIMEOUT 60

typedef enum {
  CONFAB_MCP_SERVER_STATE_STOPPED,
  CONFAB_MCP_SERVER_STATE_STARTING,
  CONFAB_MCP_SERVER_STATE_READY,
  CONFAB_MCP_SERVER_STATE_FAILED,
} ConfabMcpServerState;

G_DECLARE_FINAL_TYPE (ConfabMcpServer, confab_mcp_server, CONFAB, MCP_SERVER, GObject)

/* One MCP server over stdio (newline-delimited JSON-RPC 2.0), started with GSubprocess.
 * Properties: name, argv, env, state, error (string), tools (GListModel of ConfabTool),
 * log (stderr text). Signal ::tools-changed after a re-list. */
ConfabMcpServer      *confab_mcp_server_new               (const char          *name,
                                                           const char * const  *argv,
                                                           const char * const  *env);
const char           *confab_mcp_server_get_name          (ConfabMcpServer     *self);
const char * const   *confab_mcp_server_get_argv          (ConfabMcpServer     *self);
/* The command line for messages ("node server.js --flag"). */
char                 *confab_mcp_server_dup_command_line  (ConfabMcpServer     *self);
ConfabMcpServerState  confab_mcp_server_get_state         (ConfabMcpServer     *self);
/* Why the server failed, naming it and its command; NULL when it did not. */
const char           *confab_mcp_server_get_error         (ConfabMcpServer     *self);
/* Everything the server wrote on stderr. */
const char           *confab_mcp_server_get_log           (ConfabMcpServer     *self);
/* (transfer none) */
GListModel           *confab_mcp_server_get_tools         (ConfabMcpServer     *self);
guint                 confab_mcp_server_get_call_timeout  (ConfabMcpServer     *self);
void                  confab_mcp_server_set_call_timeout  (ConfabMcpServer     *self,
                                                           guint                seconds);
/* Spawns, initializes and lists tools. */
void                  confab_mcp_server_start_async       (ConfabMcpServer     *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean              confab_mcp_server_start_finish      (ConfabMcpServer     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
/* tools/call. Cancelling sends notifications/cancelled. Returns the MCP result object
 * ({"content":[…], "isError":…}). (transfer full) */
void                  confab_mcp_server_call_tool_async   (ConfabMcpServer     *self,
                                                           const char          *name,
                                                           JsonNode            *arguments,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
JsonNode             *confab_mcp_server_call_tool_finish  (ConfabMcpServer     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
void                  confab_mcp_server_stop              (ConfabMcpServer     *self);

G_END_DECLS
