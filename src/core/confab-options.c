/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-options"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-mcp-env.h"
#include "confab-options.h"
#include "confab-provider.h"

enum {
  ENTRY_BASE_URL,
  ENTRY_MODEL,
  ENTRY_API_KEY_ENV,
  ENTRY_MCP,
  ENTRY_YES,
  N_ENTRIES
};

static const GOptionEntry shared_entries[N_ENTRIES + 1] = {
  { "base-url", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Use the OpenAI-compatible endpoint at URL for this run"), N_("URL") },
  { "model", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Use the model ID"), N_("ID") },
  { "api-key-env", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Read the API key from the environment variable NAME (default CONFAB_API_KEY)"), N_("NAME") },
  { "mcp", 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL,
    N_("Start the MCP server COMMAND, or use the one at an http(s) URL, for this run (repeatable)"), N_("COMMAND") },
  { "yes", 'y', 0, G_OPTION_ARG_NONE, NULL,
    N_("Allow every tool call of this run without asking"), NULL },
  { NULL }
};

GOptionEntry *
confab_options_get_entries (ConfabOptions *options)
{
  GOptionEntry *entries;

  g_return_val_if_fail (options != NULL, NULL);

  entries = g_memdup2 (shared_entries, sizeof shared_entries);
  entries[ENTRY_BASE_URL].arg_data = &options->base_url;
  entries[ENTRY_MODEL].arg_data = &options->model;
  entries[ENTRY_API_KEY_ENV].arg_data = &options->api_key_env;
  entries[ENTRY_MCP].arg_data = &options->mcp;
  entries[ENTRY_YES].arg_data = &options->yes;

  return entries;
}

const GOptionEntry *
confab_options_get_application_entries (void)
{
  return shared_entries;
}

static void
lookup_string (GVariantDict  *dict,
               const char    *key,
               char         **target)
{
  const char *value;

  if (g_variant_dict_lookup (dict, key, "&s", &value))
    {
      g_free (*target);
      *target = g_strdup (value);
    }
}

void
confab_options_load_from_dict (ConfabOptions *options,
                               GVariantDict  *dict)
{
  g_autofree const char **mcp = NULL;

  g_return_if_fail (options != NULL);
  g_return_if_fail (dict != NULL);

  lookup_string (dict, "base-url", &options->base_url);
  lookup_string (dict, "model", &options->model);
  lookup_string (dict, "api-key-env", &options->api_key_env);

  if (g_variant_dict_lookup (dict, "mcp", "^a&s", &mcp))
    {
      g_strfreev (options->mcp);
      options->mcp = g_strdupv ((char **) mcp);
    }

  if (g_variant_dict_contains (dict, "yes"))
    options->yes = TRUE;
}

ConfabProvider *
confab_options_create_provider (ConfabOptions *options)
{
  g_autoptr(ConfabProvider) provider = NULL;
  const char *env_name;

  g_return_val_if_fail (options != NULL, NULL);

  if (options->base_url == NULL || options->base_url[0] == '\0')
    return NULL;

  env_name = options->api_key_env ? options->api_key_env : CONFAB_DEFAULT_API_KEY_ENV;
  /* The key is for the provider, never for an MCP server started later. */
  confab_mcp_env_add_secret (env_name);

  provider = confab_provider_new (_("Command line"), options->base_url);
  confab_provider_set_api_key (provider, g_getenv (env_name));
  if (options->model != NULL)
    confab_provider_set_model (provider, options->model);

  return g_steal_pointer (&provider);
}

void
confab_options_clear (ConfabOptions *options)
{
  g_return_if_fail (options != NULL);

  g_clear_pointer (&options->base_url, g_free);
  g_clear_pointer (&options->model, g_free);
  g_clear_pointer (&options->api_key_env, g_free);
  g_clear_pointer (&options->mcp, g_strfreev);
  options->yes = FALSE;
}
