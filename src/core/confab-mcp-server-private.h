/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-mcp-server.h"

G_BEGIN_DECLS

/* For tests and fuzzing: the server in state ready with no process behind it; what it
 * writes goes nowhere. Stopping it works as for a started one. */
void     _confab_mcp_server_start_detached (ConfabMcpServer *self);
/* Bytes as read from the server's stdout, in any pieces, through the client's line reader
 * and JSON-RPC handling; FALSE once the server stopped listening (failed or stopped). */
gboolean _confab_mcp_server_feed           (ConfabMcpServer *self,
                                            const guint8    *data,
                                            gsize            len);
/* One message from the server: a line without its newline. */
void     _confab_mcp_server_handle_line    (ConfabMcpServer *self,
                                            const char      *line,
                                            gsize            len);
/* Lists the tools again, as notifications/tools/list_changed does (only when ready). */
void     _confab_mcp_server_relist         (ConfabMcpServer *self);

G_END_DECLS
