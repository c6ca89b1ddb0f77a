/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-context.h"
#include "confab-options.h"
#include "confab-store.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_APPLICATION (confab_application_get_type ())

G_DECLARE_FINAL_TYPE (ConfabApplication, confab_application, CONFAB, APPLICATION, AdwApplication)

ConfabApplication *confab_application_new         (void);
/* The shared command-line options of this run (--base-url, --model, --mcp, --yes …). */
ConfabOptions     *confab_application_get_options (ConfabApplication *self);
/* The services every window shares (the tools of mcp.json and --mcp, started on first use).
 * (transfer none) */
ConfabContext     *confab_application_get_context (ConfabApplication *self);
/* The conversation database (the context's), opened on first use; NULL when it cannot be opened (the app
 * then works without history). (transfer none) */
ConfabStore       *confab_application_get_store   (ConfabApplication *self);

/* Opens Preferences; with @provider_name, on that provider's row with its API key
 * focused (an answer said 401/403). (transfer none) */
GtkWidget         *confab_application_show_preferences (ConfabApplication *self,
                                                        const char        *provider_name);

G_END_DECLS
