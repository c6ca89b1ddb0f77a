/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-oauth"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <string.h>

#include "confab-error.h"
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
return_error (GTask  *task,
              GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, error);
  else
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                               _("The keyring could not be used: %s"), error->message);
      g_error_free (error);
    }
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      return_error (task, error);
      return;
    }

  if (secret == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  g_task_return_pointer (task, _confab_mcp_oauth_token_deserialize (secret),
                         (GDestroyNotify)_confab_mcp_oauth_token_free);
  secret_password_free (secret);
}

void
_confab_mcp_oauth_store_lookup_async (const char          *server_url,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, _confab_mcp_oauth_store_lookup_async);
  secret_password_lookup (get_schema (), cancellable, lookup_cb, task,
                          "server-url", server_url,
                          NULL);
}

ConfabMcpOAuthToken *
_confab_mcp_oauth_store_lookup_finish (GAsyncResult  *result,
                                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *items = secret_password_search_finish (result, &error);

  if (error != NULL)
    return_error (task, error);
  else
    g_task_return_boolean (task, items != NULL);
  g_list_free_full (items, g_object_unref);
}

void
_confab_mcp_oauth_store_exists_async (const char          *server_url,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, _confab_mcp_oauth_store_exists_async);
  /* Without SECRET_SEARCH_UNLOCK: a locked keyring is not asked to open for this. */
  secret_password_search (get_schema (), SECRET_SEARCH_NONE, cancellable, search_cb, task,
                          "server-url", server_url,
                          NULL);
}

gboolean
_confab_mcp_oauth_store_exists_finish (GAsyncResult  *result,
                                       GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_task_get_task_data (task) != NULL)
    secret_password_store_finish (result, &error);
  else
    secret_password_clear_finish (result, &error);

  if (error != NULL)
    return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
wipe_free (gpointer data)
{
  char *secret = data;

  memset (secret, 0, strlen (secret));
  g_free (secret);
}

void
_confab_mcp_oauth_store_save_async (const char                *server_url,
                                    const ConfabMcpOAuthToken *token,
                                    GCancellable              *cancellable,
                                    GAsyncReadyCallback        callback,
                                    gpointer                   user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *label = NULL;
  char *secret;

  g_task_set_source_tag (task, _confab_mcp_oauth_store_save_async);

  if (token == NULL)
    {
      secret_password_clear (get_schema (), cancellable, save_cb, task,
                             "server-url", server_url,
                             NULL);
      return;
    }

  secret = _confab_mcp_oauth_token_serialize (token);
  g_task_set_task_data (task, secret, wipe_free);
  /* Translators: the label of the keyring item, as Seahorse shows it. */
  label = g_strdup_printf (_("Confab sign-in for the MCP server %s"), server_url);
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, save_cb, task,
                         "server-url", server_url,
                         NULL);
}

gboolean
_confab_mcp_oauth_store_save_finish (GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
