/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-store.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_USAGE_HISTORY (confab_usage_history_get_type ())

G_DECLARE_FINAL_TYPE (ConfabUsageHistory, confab_usage_history, CONFAB, USAGE_HISTORY, AdwWindow)

/* Tokens and cost over time, from the store's usage ledger: by month, by provider (with
 * each provider's monthly budget) and by model. */
GtkWidget *confab_usage_history_new         (GtkWindow          *parent,
                                             ConfabStore        *store);
/* The rows shown for @grouping (AdwActionRow), for tests. (transfer none) */
GtkWidget *confab_usage_history_get_group   (ConfabUsageHistory *self,
                                             ConfabUsageGrouping grouping);

G_END_DECLS
