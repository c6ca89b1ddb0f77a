/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* The one place that talks to the user's keyring (libsecret) for text secrets: API keys
 * (confab-secrets.c), MCP secret headers (confab-mcp-secrets.c) and MCP sign-ins
 * (confab-mcp-oauth-store.c) give their own schema and attributes; the attributes are the
 * NULL-terminated name/value pairs of secret_password_store(). Errors other than
 * cancellation come back in CONFAB_ERROR with a readable prefix. Secrets are never logged. */

/* Stores (or replaces) @secret under @label; a NULL or empty @secret clears the item. */
void      confab_keyring_store_async   (const SecretSchema   *schema,
                                        const char           *label,
                                        const char           *secret,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data,
                                        ...) G_GNUC_NULL_TERMINATED;
gboolean  confab_keyring_store_finish  (GAsyncResult         *result,
                                        GError              **error);
/* The secret; NULL without an error when there is none. Free it with confab_keyring_free(),
 * which wipes it. (transfer full) */
void      confab_keyring_lookup_async  (const SecretSchema   *schema,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data,
                                        ...) G_GNUC_NULL_TERMINATED;
char     *confab_keyring_lookup_finish (GAsyncResult         *result,
                                        GError              **error);
/* Removes the item; not finding one is not an error. */
void      confab_keyring_clear_async   (const SecretSchema   *schema,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data,
                                        ...) G_GNUC_NULL_TERMINATED;
gboolean  confab_keyring_clear_finish  (GAsyncResult         *result,
                                        GError              **error);
/* Whether there is an item, without asking a locked keyring to open. */
void      confab_keyring_exists_async  (const SecretSchema   *schema,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data,
                                        ...) G_GNUC_NULL_TERMINATED;
gboolean  confab_keyring_exists_finish (GAsyncResult         *result,
                                        GError              **error);
/* Overwrites and frees a secret. */
void      confab_keyring_free          (char                 *secret);

G_END_DECLS
