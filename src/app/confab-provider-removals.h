/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-provider-list.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PROVIDER_REMOVALS (confab_provider_removals_get_type ())

G_DECLARE_FINAL_TYPE (ConfabProviderRemovals, confab_provider_removals, CONFAB, PROVIDER_REMOVALS, GObject)

/* Removing a provider with Undo: it leaves @providers at once, a toast offers Undo, and its
 * API key leaves the keyring only when the toast goes (expires, is closed, or the window
 * closes: confab_provider_removals_finish_all()), so an undo gets the key back too.
 * Signal ::changed () the list changed (removed or put back): save it. */
ConfabProviderRemovals *confab_provider_removals_new        (ConfabProviderList     *providers);
/* Removes @provider; the toast shows in the preferences window holding @widget (without
 * one, the key goes at once). */
void                    confab_provider_removals_remove     (ConfabProviderRemovals *self,
                                                             GtkWidget              *widget,
                                                             ConfabProvider         *provider);
/* The removals still waiting for their toast happen now: closing is not undoing. */
void                    confab_provider_removals_finish_all (ConfabProviderRemovals *self);

G_END_DECLS
