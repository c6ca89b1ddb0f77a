/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-jsonrpc-connection-private.h"
#include "confab-mcp-elicitation.h"

G_BEGIN_DECLS

/* What elicitation/create (@id, @params) of server @server_name asks; answers go back on
 * @connection. (transfer full) */
ConfabMcpElicitation *_confab_mcp_elicitation_new (const char              *server_name,
                                                   ConfabJsonrpcConnection *connection,
                                                   JsonNode                *id,
                                                   JsonNode                *params);

G_END_DECLS
