/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-server"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-error.h"
#include "confab-mcp-elicitation-private.h"
#include "confab-mcp-server-private.h"

/* The parts of ConfabMcpServer that are not about a process: remote servers reached over
 * Streamable HTTP (confab-mcp-http-transport.c), and the server asking the user
 * (elicitation/create). The same protocol code (confab-mcp-server-protocol.c) runs on top
 * of either transport. */

ConfabMcpServer *
confab_mcp_server_new_for_url (const char         *name,
                               const char         *url,
                               const char * const *headers)
{
  ConfabMcpServer *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_MCP_SERVER, "name", name, NULL);
  self->url = g_strdup (url);
  self->headers = g_strdupv ((char **)headers);

  return self;
}

const char *
confab_mcp_server_get_url (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return self->url;
}

const char * const *
confab_mcp_server_get_headers (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return (const char * const *)self->headers;
}

ConfabJsonrpcConnection *
_confab_mcp_server_start_remote (ConfabMcpServer *self)
{
  g_autoptr(GError) error = NULL;

  self->http = _confab_mcp_http_transport_new (self->name, self->url,
                                               (const char * const *)self->headers, &error);
  if (self->http == NULL)
    {
      _confab_mcp_server_fail (self, error->message);
      return NULL;
    }

  return _confab_mcp_http_transport_get_connection (self->http);
}

void
_confab_mcp_server_elicit (ConfabMcpServer         *self,
                           ConfabJsonrpcConnection *connection,
                           JsonNode                *id,
                           JsonNode                *params)
{
  g_autoptr(ConfabMcpElicitation) elicitation = NULL;
  gboolean handled = FALSE;

  elicitation = _confab_mcp_elicitation_new (self->name, connection, id, params);
  g_signal_emit_by_name (self, "elicit", elicitation, &handled);

  /* Nobody asks the user (a script, the CLI without a terminal): decline at once. */
  if (!handled)
    confab_mcp_elicitation_decline (elicitation);
}
