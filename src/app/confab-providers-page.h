/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-provider-list.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PROVIDERS_PAGE (confab_providers_page_get_type ())

G_DECLARE_FINAL_TYPE (ConfabProvidersPage, confab_providers_page, CONFAB, PROVIDERS_PAGE, AdwPreferencesPage)

/* The "providers" page of ConfabPreferencesWindow: provider rows (API keys in libsecret,
 * extra-body validation, Test Connection), the provider for new chats and the presets.
 * Edits are saved to the provider list shortly after they are made. */

/* Shows @providers; set once, before the page is used. */
void confab_providers_page_set_providers (ConfabProvidersPage *self,
                                          ConfabProviderList  *providers);
/* Saves at once an edit that is still waiting to be saved. */
void confab_providers_page_flush         (ConfabProvidersPage *self);

G_END_DECLS
