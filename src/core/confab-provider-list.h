/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PROVIDER_LIST (confab_provider_list_get_type ())

G_DECLARE_FINAL_TYPE (ConfabProviderList, confab_provider_list, CONFAB, PROVIDER_LIST, GObject)

/* The user's provider profiles: a GListModel of ConfabProvider persisted as JSON (without
 * API keys, which live in libsecret) together with the name of the active one. The
 * process's list is its ConfabContext's (confab_context_get_providers).
 * Properties: "path", "active" (ConfabProvider, may be NULL), "active-name". */
ConfabProviderList *confab_provider_list_new               (const char          *path);
/* $XDG_CONFIG_HOME/confab/providers.json (transfer full) */
char               *confab_provider_list_get_default_path  (void);
const char         *confab_provider_list_get_path          (ConfabProviderList  *self);
/* Replaces the contents with the file's; a missing file is an empty list, not an error. */
gboolean            confab_provider_list_load              (ConfabProviderList  *self,
                                                            GError             **error);
/* Writes the file atomically (mode 0600); API keys are never written. */
gboolean            confab_provider_list_save              (ConfabProviderList  *self,
                                                            GError             **error);
/* Appends @provider; its name is made unique first ("Groq 2") when it clashes. */
void                confab_provider_list_add               (ConfabProviderList  *self,
                                                            ConfabProvider      *provider);
void                confab_provider_list_remove            (ConfabProviderList  *self,
                                                            ConfabProvider      *provider);
/* The provider named @name, or NULL. (transfer none) */
ConfabProvider     *confab_provider_list_lookup            (ConfabProviderList  *self,
                                                            const char          *name);
/* @base if no provider has that name, else "@base 2", "@base 3" … (transfer full) */
char               *confab_provider_list_make_unique_name  (ConfabProviderList  *self,
                                                            const char          *base);
/* The provider named by "active-name", else the first one, NULL when the list is empty.
 * (transfer none) */
ConfabProvider     *confab_provider_list_get_active        (ConfabProviderList  *self);
const char         *confab_provider_list_get_active_name   (ConfabProviderList  *self);
void                confab_provider_list_set_active        (ConfabProviderList  *self,
                                                            const char          *name);
/* Fills every provider's API key from libsecret (providers without one keep NULL).
 * Fails only when the keyring cannot be reached; the keys found are set anyway. */
void                confab_provider_list_load_keys_async   (ConfabProviderList  *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            confab_provider_list_load_keys_finish  (ConfabProviderList  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

/* Renames @provider to @wanted (trimmed, made unique: "Groq 2") and moves its API key in the
 * keyring along, the old entry cleared once the new one is stored. Returns the name given, or
 * NULL when @wanted is empty or the name already (nothing changes). The caller saves the
 * list. (transfer full) */
char               *confab_provider_list_rename            (ConfabProviderList  *self,
                                                            ConfabProvider      *provider,
                                                            const char          *wanted);
/* Sets @provider's API key (NULL or "" for none) and stores it in the keyring under the
 * provider's name. */
void                confab_provider_list_set_key_async     (ConfabProviderList  *self,
                                                            ConfabProvider      *provider,
                                                            const char          *key,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            confab_provider_list_set_key_finish    (ConfabProviderList  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

G_END_DECLS
