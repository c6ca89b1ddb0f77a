/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_DEFAULT_API_KEY_ENV "CONFAB_API_KEY"

/* The command-line options both front ends share, parsed in one place. */
typedef struct
{
  char     *base_url;
  char     *model;
  char     *api_key_env;
  char    **mcp;
  gboolean  yes;
} ConfabOptions;

/* Entries whose arg_data points into @options (for GOptionContext). The returned array
 * is owned by @options' caller and ends with a NULL entry. (transfer full) */
GOptionEntry   *confab_options_get_entries       (ConfabOptions   *options);
/* Entries for g_application_add_main_option_entries (arg_data NULL). (transfer none) */
const GOptionEntry *confab_options_get_application_entries (void);
/* Reads the shared options out of GApplication's ::handle-local-options dictionary. */
void            confab_options_load_from_dict    (ConfabOptions   *options,
                                                  GVariantDict    *dict);
/* A provider for this run when --base-url was given, NULL otherwise: the API key comes from
 * the environment variable named by --api-key-env. (transfer full) */
ConfabProvider *confab_options_create_provider   (ConfabOptions   *options);
void            confab_options_clear             (ConfabOptions   *options);

G_END_DECLS
