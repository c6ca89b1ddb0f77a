/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-secrets"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-keyring.h"
#include "confab-mcp-secrets.h"

const SecretSchema *
confab_mcp_secrets_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.confab.Confab.McpHeader", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "header", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

void
confab_mcp_secrets_store_async (const char          *server,
                                const char          *header,
                                const char          *value,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *label = NULL;

  g_return_if_fail (server != NULL);
  g_return_if_fail (header != NULL);

  /* Translators: the label of the keyring item, as Seahorse shows it: "Confab MCP header
   * Authorization for github". */
  label = g_strdup_printf (_("Confab MCP header %s for %s"), header, server);
  confab_keyring_store_async (confab_mcp_secrets_get_schema (), label, value,
                              cancellable, callback, user_data,
                              "server", server, "header", header, NULL);
}

gboolean
confab_mcp_secrets_store_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return confab_keyring_store_finish (result, error);
}

void
confab_mcp_secrets_lookup_async (const char          *server,
                                 const char          *header,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (server != NULL);
  g_return_if_fail (header != NULL);

  confab_keyring_lookup_async (confab_mcp_secrets_get_schema (), cancellable,
                               callback, user_data,
                               "server", server, "header", header, NULL);
}

char *
confab_mcp_secrets_lookup_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return confab_keyring_lookup_finish (result, error);
}
