/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-env"

#include "config.h"

#include <string.h>

#include "confab-mcp-env.h"
#include "confab-options.h"

/* Server-everything's get-env tool once sent CONFAB_API_KEY to the model and into the store:
 * a server inherits only what it needs to run. Proxies and CA bundles keep corporate
 * networks working; DBUS_SESSION_BUS_ADDRESS is what `flatpak-spawn --host` needs. */
static const char * const allowed_names[] = {
  "HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "LANGUAGE",
  "DBUS_SESSION_BUS_ADDRESS",
  "http_proxy", "https_proxy", "no_proxy", "all_proxy",
  "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
  "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
};

static const char * const allowed_prefixes[] = { "LC_", "XDG_" };

G_LOCK_DEFINE_STATIC (secrets);
static GPtrArray *secrets;

void
confab_mcp_env_add_secret (const char *name)
{
  g_return_if_fail (name != NULL);

  G_LOCK (secrets);
  if (secrets == NULL)
    secrets = g_ptr_array_new_with_free_func (g_free);
  if (!g_ptr_array_find_with_equal_func (secrets, name, g_str_equal, NULL))
    g_ptr_array_add (secrets, g_strdup (name));
  G_UNLOCK (secrets);
}

static gboolean
is_secret (const char *name)
{
  gboolean found;

  if (g_str_equal (name, CONFAB_DEFAULT_API_KEY_ENV))
    return TRUE;

  G_LOCK (secrets);
  found = secrets != NULL && g_ptr_array_find_with_equal_func (secrets, name, g_str_equal, NULL);
  G_UNLOCK (secrets);

  return found;
}

gboolean
confab_mcp_env_is_allowed (const char *name)
{
  gboolean allowed = FALSE;

  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (allowed_names) && !allowed; i++)
    allowed = g_str_equal (name, allowed_names[i]);
  for (guint i = 0; i < G_N_ELEMENTS (allowed_prefixes) && !allowed; i++)
    allowed = g_str_has_prefix (name, allowed_prefixes[i]) && name[strlen (allowed_prefixes[i])] != '\0';

  return allowed && !is_secret (name);
}

char **
confab_mcp_env_build (const char * const *parent,
                      const char * const *configured)
{
  char **env = g_new0 (char *, 1);

  for (guint i = 0; parent != NULL && parent[i] != NULL; i++)
    {
      const char *equals = strchr (parent[i], '=');
      g_autofree char *name = NULL;

      if (equals == NULL || equals == parent[i])
        continue;

      name = g_strndup (parent[i], equals - parent[i]);
      if (confab_mcp_env_is_allowed (name))
        env = g_environ_setenv (env, name, equals + 1, TRUE);
    }

  for (guint i = 0; configured != NULL && configured[i] != NULL; i++)
    {
      const char *equals = strchr (configured[i], '=');
      g_autofree char *name = NULL;

      if (equals == NULL || equals == configured[i])
        continue;

      name = g_strndup (configured[i], equals - configured[i]);
      env = g_environ_setenv (env, name, equals + 1, TRUE);
    }

  return env;
}
