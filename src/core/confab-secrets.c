/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-secrets"

#include "config.h"

#include <glib/gi18n.h>
#include "confab-keyring.h"
#include "confab-secrets.h"

const SecretSchema *
confab_secrets_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.confab.Confab.ApiKey", SECRET_SCHEMA_NONE,
    {
      { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

void
confab_secrets_free (char *api_key)
{
  confab_keyring_free (api_key);
}

void
confab_secrets_store_async (const char          *provider_name,
                            const char          *api_key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *label = NULL;

  g_return_if_fail (provider_name != NULL);

  /* Translators: the label of the keyring item, as Seahorse shows it. */
  label = g_strdup_printf (_("Confab API key for %s"), provider_name);
  confab_keyring_store_async (confab_secrets_get_schema (), label, api_key,
                              cancellable, callback, user_data,
                              "provider", provider_name,
                              NULL);
}

gboolean
confab_secrets_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  return confab_keyring_store_finish (result, error);
}

void
confab_secrets_lookup_async (const char          *provider_name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (provider_name != NULL);

  confab_keyring_lookup_async (confab_secrets_get_schema (), cancellable, callback, user_data,
                               "provider", provider_name,
                               NULL);
}

char *
confab_secrets_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  return confab_keyring_lookup_finish (result, error);
}

void
confab_secrets_clear_async (const char          *provider_name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (provider_name != NULL);

  confab_keyring_clear_async (confab_secrets_get_schema (), cancellable, callback, user_data,
                              "provider", provider_name,
                              NULL);
}

gboolean
confab_secrets_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  return confab_keyring_clear_finish (result, error);
}
