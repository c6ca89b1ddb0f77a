/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-config"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-mcp-config-private.h"

gboolean
_confab_mcp_config_read_oauth (JsonObject             *entry,
                               ConfabMcpServerConfig  *config,
                               const char             *path,
                               GError                **error)
{
  JsonObject *oauth;
  JsonNode *id;
  JsonNode *secret;

  g_clear_pointer (&config->oauth_client_id, g_free);
  config->oauth_client_secret = FALSE;

  if (!json_object_has_member (entry, "oauth"))
    return TRUE;

  oauth = _confab_json_get_object (entry, "oauth");
  if (oauth == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, the “oauth” of server “%s” is not an object"),
                   path, config->name);
      return FALSE;
    }

  id = json_object_get_member (oauth, "clientId");
  if (id != NULL && (!JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING ||
                     *json_node_get_string (id) == '\0'))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, the OAuth “clientId” of server “%s” is not a string"),
                   path, config->name);
      return FALSE;
    }

  secret = json_object_get_member (oauth, "clientSecret");
  if (secret != NULL &&
      (!JSON_NODE_HOLDS_OBJECT (secret) ||
       !_confab_json_get_boolean (json_node_get_object (secret), "secret", FALSE) || id == NULL))
    {
      /* Not even repeated in the message: it may be the secret itself. */
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, the OAuth “clientSecret” of server “%s” must be {\"secret\": true}, with a “clientId”: the secret itself belongs in the keyring"),
                   path, config->name);
      return FALSE;
    }

  if (id != NULL)
    config->oauth_client_id = g_strdup (json_node_get_string (id));
  config->oauth_client_secret = secret != NULL;

  return TRUE;
}

void
_confab_mcp_config_write_oauth (JsonObject                  *entry,
                                const ConfabMcpServerConfig *config)
{
  JsonObject *oauth = _confab_json_get_object (entry, "oauth");

  if (oauth == NULL && config->oauth_client_id == NULL)
    {
      if (json_object_has_member (entry, "oauth"))
        json_object_remove_member (entry, "oauth");
      return;
    }

  if (oauth == NULL)
    {
      oauth = json_object_new ();
      json_object_set_object_member (entry, "oauth", oauth);
    }

  if (config->oauth_client_id != NULL)
    json_object_set_string_member (oauth, "clientId", config->oauth_client_id);
  else if (json_object_has_member (oauth, "clientId"))
    json_object_remove_member (oauth, "clientId");

  if (config->oauth_client_id != NULL && config->oauth_client_secret)
    {
      JsonObject *secret = json_object_new ();

      json_object_set_boolean_member (secret, "secret", TRUE);
      json_object_set_object_member (oauth, "clientSecret", secret);
    }
  else if (json_object_has_member (oauth, "clientSecret"))
    json_object_remove_member (oauth, "clientSecret");

  if (json_object_get_size (oauth) == 0)
    json_object_remove_member (entry, "oauth");
}
