/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-secrets"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-error.h"
#include "confab-mcp-secrets.h"
#include "confab-secrets.h"

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
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
confab_mcp_secrets_store_async (const char          *server,
                                const char          *header,
                                const char          *value,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (server != NULL);
  g_return_if_fail (header != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_mcp_secrets_store_async);

  if (value == NULL || *value == '\0')
    {
      secret_password_clear (confab_mcp_secrets_get_schema (), cancellable, clear_cb,
                             g_steal_pointer (&task), "server", server, "header", header, NULL);
      return;
    }

  /* Translators: the label of the keyring item, as Seahorse shows it: "Confab MCP header
   * Authorization for github". */
  label = g_strdup_printf (_("Confab MCP header %s for %s"), header, server);
  secret_password_store (confab_mcp_secrets_get_schema (), SECRET_COLLECTION_DEFAULT,
                         label, value, cancellable, store_cb, g_steal_pointer (&task),
                         "server", server, "header", header, NULL);
}

gboolean
confab_mcp_secrets_store_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *password;

  password = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      return_error (task, error);
      return;
    }

  if (password == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  g_task_return_pointer (task, g_strdup (password), (GDestroyNotify) confab_secrets_free);
  secret_password_free (password);
}

void
confab_mcp_secrets_lookup_async (const char          *server,
                                 const char          *header,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (server != NULL);
  g_return_if_fail (header != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_mcp_secrets_lookup_async);

  secret_password_lookup (confab_mcp_secrets_get_schema (), cancellable, lookup_cb, task,
                          "server", server, "header", header, NULL);
}

char *
confab_mcp_secrets_lookup_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
