/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* API keys live in the user's keyring (libsecret), one per provider name, under the schema
 * "io.github.confab.Confab.ApiKey" with the attribute "provider". Keys are never logged. */
const SecretSchema *confab_secrets_get_schema     (void) G_GNUC_CONST;
/* Stores (or replaces) the key of @provider_name. An empty or NULL key clears it. */
void                confab_secrets_store_async    (const char          *provider_name,
                                                   const char          *api_key,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean            confab_secrets_store_finish   (GAsyncResult        *result,
                                                   GError             **error);
/* The key of @provider_name; NULL without an error when there is none. Free it with
 * confab_secrets_free(), which wipes it. (transfer full) */
void                confab_secrets_lookup_async   (const char          *provider_name,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
char               *confab_secrets_lookup_finish  (GAsyncResult        *result,
                                                   GError             **error);
/* Removes the key of @provider_name; not finding one is not an error. */
void                confab_secrets_clear_async    (const char          *provider_name,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean            confab_secrets_clear_finish   (GAsyncResult        *result,
                                                   GError             **error);
/* Overwrites and frees a key returned by confab_secrets_lookup_finish(). */
void                confab_secrets_free           (char                *api_key);


G_END_DECLS
