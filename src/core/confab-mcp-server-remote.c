/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-server"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-mcp-elicitation-private.h"
#include "confab-mcp-server-private.h"

/* The parts of ConfabMcpServer that are not about a process: remote servers reached over
 * Streamable HTTP (confab-mcp-http-transport.c), and the server asking the user
 * (elicitation/create). The same protocol code (confab-mcp-server-protocol.c) runs on top
 * of either transport. */

ConfabMcpServer *
confab_mcp_server_new_for_url (const char         *name,
                               const char         *url,
                               const char * const *headers)
{
  ConfabMcpServer *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_MCP_SERVER, "name", name, NULL);
  self->url = g_strdup (url);
  self->headers = g_strdupv ((char **)headers);
  self->oauth = confab_mcp_oauth_new (name, url);

  return self;
}

ConfabMcpOAuth *
confab_mcp_server_get_oauth (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return self->oauth;
}

const char *
confab_mcp_server_get_url (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return self->url;
}

const char * const *
confab_mcp_server_get_headers (ConfabMcpServer *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  return (const char * const *)self->headers;
}

ConfabJsonrpcConnection *
_confab_mcp_server_start_remote (ConfabMcpServer *self)
{
  g_autoptr(GError) error = NULL;

  self->http = _confab_mcp_http_transport_new (self->name, self->url,
                                               (const char * const *)self->headers, &error);
  if (self->http == NULL)
    {
      _confab_mcp_server_fail (self, error->message);
      return NULL;
    }

  _confab_mcp_http_transport_set_oauth (self->http, self->oauth);
  return _confab_mcp_http_transport_get_connection (self->http);
}

void
_confab_mcp_server_elicit (ConfabMcpServer         *self,
                           ConfabJsonrpcConnection *connection,
                           JsonNode                *id,
                           JsonNode                *params)
{
  g_autoptr(ConfabMcpElicitation) elicitation = NULL;
  gboolean handled = FALSE;

  elicitation = _confab_mcp_elicitation_new (self->name, connection, id, params);

  /* URL mode (send the user to a page) was not offered in initialize: only forms. */
  if (params != NULL && JSON_NODE_HOLDS_OBJECT (params) &&
      g_strcmp0 (_confab_json_get_string (json_node_get_object (params), "mode", "form"), "form") != 0)
    {
      confab_mcp_elicitation_decline (elicitation);
      return;
    }

  g_signal_emit_by_name (self, "elicit", elicitation, &handled);

  /* Nobody asks the user (a script, the CLI without a terminal): decline at once. */
  if (!handled)
    confab_mcp_elicitation_decline (elicitation);
}

/* Config ---------------------------------------------------------------------------------- */

/* (confab-mcp-http-transport-private.h) */
char *
_confab_mcp_http_display_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

  if (uri == NULL)
    return g_strdup (url);

  return g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT);
}

gboolean
_confab_mcp_http_check_headers (const char          *name,
                                const char * const  *headers,
                                GError             **error)
{
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      const char *colon = strchr (headers[i], ':');
      g_autofree char *header_name = NULL;

      if (colon != NULL)
        header_name = g_strstrip (g_strndup (headers[i], colon - headers[i]));

      if (header_name == NULL || *header_name == '\0' ||
          !g_str_is_ascii (headers[i]) || strpbrk (headers[i], "\r\n") != NULL ||
          strpbrk (header_name, " \t()<>@,;:\\\"/[]?={}") != NULL)
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                       _("MCP server “%s” has a header that is not “Name: value” in ASCII"), name);
          return FALSE;
        }
    }

  return TRUE;
}


/* @value with ${NAME} and ${env:NAME} replaced by the environment, so tokens can stay out
 * of mcp.json; NULL with @missing set to the first variable that is not set. */
static char *
expand_environment (const char  *value,
                    char       **missing)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = value;

  while (*p != '\0')
    {
      const char *end;
      g_autofree char *variable = NULL;
      const char *replacement;

      if (p[0] != '$' || p[1] != '{' || (end = strchr (p + 2, '}')) == NULL)
        {
          g_string_append_c (out, *p++);
          continue;
        }

      variable = g_strndup (p + 2, end - (p + 2));
      if (g_str_has_prefix (variable, "env:"))
        memmove (variable, variable + 4, strlen (variable + 4) + 1);

      replacement = g_getenv (variable);
      if (replacement == NULL)
        {
          *missing = g_steal_pointer (&variable);
          return NULL;
        }

      g_string_append (out, replacement);
      p = end + 1;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
_confab_mcp_server_read_remote_config (JsonObject   *entry,
                                       const char   *name,
                                       const char   *path,
                                       char        **url_out,
                                       char       ***headers_out,
                                       GError      **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) headers = NULL;
  const char *type = _confab_json_get_string (entry, "type", NULL);
  const char *url = _confab_json_get_string (entry, "url", NULL);

  /* "sse" is the HTTP+SSE transport of 2024-11-05, which Streamable HTTP replaced. */
  if (type != NULL && g_strcmp0 (type, "http") != 0 && g_strcmp0 (type, "streamable-http") != 0 &&
      g_strcmp0 (type, "streamableHttp") != 0)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, server “%s” has “type”: “%s”; Confab speaks “http” (Streamable HTTP)"),
                   path, name, type);
      return FALSE;
    }

  if (url == NULL || *url == '\0')
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, the “url” of server “%s” is not a string"),
                   path, name);
      return FALSE;
    }

  if (json_object_has_member (entry, "headers"))
    {
      JsonObject *object = _confab_json_get_object (entry, "headers");
      g_autoptr(GList) keys = NULL;

      if (object == NULL)
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                       _("In the MCP configuration %s, the “headers” of server “%s” are not an object"),
                       path, name);
          return FALSE;
        }

      keys = json_object_get_members (object);
      for (const GList *k = keys; k != NULL; k = k->next)
        {
          JsonNode *value = json_object_get_member (object, k->data);
          g_autofree char *expanded = NULL;
          g_autofree char *missing = NULL;

          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
            {
              g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                           _("In the MCP configuration %s, header “%s” of server “%s” is not a string"),
                           path, (const char *)k->data, name);
              return FALSE;
            }

          expanded = expand_environment (json_node_get_string (value), &missing);
          if (expanded == NULL)
            {
              g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                           _("In the MCP configuration %s, header “%s” of server “%s” uses ${%s}, which is not set in the environment"),
                           path, (const char *)k->data, name, missing);
              return FALSE;
            }

          g_free (missing);
          missing = g_strdup_printf ("%s: %s", (const char *)k->data, expanded);
          g_strv_builder_add (builder, missing);
        }
    }

  headers = g_strv_builder_end (builder);
  if (!_confab_mcp_http_check_headers (name, (const char * const *)headers, error))
    return FALSE;

  *url_out = g_strdup (url);
  *headers_out = g_steal_pointer (&headers);
  return TRUE;
}
