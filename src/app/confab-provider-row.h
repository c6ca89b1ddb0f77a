/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-provider-list.h"
#include "confab-provider.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PROVIDER_ROW (confab_provider_row_get_type ())

G_DECLARE_FINAL_TYPE (ConfabProviderRow, confab_provider_row, CONFAB, PROVIDER_ROW, AdwExpanderRow)

/* One provider of the Providers page: its name, address, API key (read from the keyring
 * when the row is first opened), default model, models, headers, extra body, Test Connection
 * and Remove. The row is named after the provider, its fields "name", "base-url", "api-key",
 * "model", "models", "headers", "extra-body", "test-connection" and "remove-button".
 * Signals:
 *   ::changed ()          the provider was edited: the list wants saving
 *   ::remove-requested () Remove was pressed */
GtkWidget      *confab_provider_row_new          (ConfabProviderList *providers,
                                                  ConfabProvider     *provider);
ConfabProvider *confab_provider_row_get_provider (ConfabProviderRow  *self);

G_END_DECLS
