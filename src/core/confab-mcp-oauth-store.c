/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-oauth"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-keyring.h"
#include "confab-mcp-oauth-private.h"

/* A remote MCP server's token in the user's keyring, as the API keys of providers are
 * (confab-secrets.c): one item per server URL, the secret a small JSON object (access and
 * refresh token, expiry, the client it was given to and its token endpoint). */

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.confab.Confab.McpOAuth", SECRET_SCHEMA_NONE,
    {
      { "server-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = confab_keyring_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else if (secret == NULL)
    g_task_return_pointer (task, NULL, NULL);
  else
    g_task_return_pointer (task, _confab_mcp_oauth_token_deserialize (secret),
                           (GDestroyNotify)_confab_mcp_oauth_token_free);
  confab_keyring_free (secret);
}

void
_confab_mcp_oauth_store_lookup_async (const char          *server_url,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, _confab_mcp_oauth_store_lookup_async);
  confab_keyring_lookup_async (get_schema (), cancellable, lookup_cb, task,
                               "server-url", server_url,
                               NULL);
}

ConfabMcpOAuthToken *
_confab_mcp_oauth_store_lookup_finish (GAsyncResult  *result,
                                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_confab_mcp_oauth_store_exists_async (const char          *server_url,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  confab_keyring_exists_async (get_schema (), cancellable, callback, user_data,
                               "server-url", server_url,
                               NULL);
}

gboolean
_confab_mcp_oauth_store_exists_finish (GAsyncResult  *result,
                                       GError       **error)
{
  return confab_keyring_exists_finish (result, error);
}

void
_confab_mcp_oauth_store_save_async (const char                *server_url,
                                    const ConfabMcpOAuthToken *token,
                                    GCancellable              *cancellable,
                                    GAsyncReadyCallback        callback,
                                    gpointer                   user_data)
{
  g_autofree char *label = NULL;
  char *secret = NULL;

  if (token != NULL)
    {
      secret = _confab_mcp_oauth_token_serialize (token);
      /* Translators: the label of the keyring item, as Seahorse shows it. */
      label = g_strdup_printf (_("Confab sign-in for the MCP server %s"), server_url);
    }

  /* No token clears the item. */
  confab_keyring_store_async (get_schema (), label, secret, cancellable, callback, user_data,
                              "server-url", server_url,
                              NULL);
  confab_keyring_free (secret);
}

gboolean
_confab_mcp_oauth_store_save_finish (GAsyncResult  *result,
                                     GError       **error)
{
  return confab_keyring_store_finish (result, error);
}
