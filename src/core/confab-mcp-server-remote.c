/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-server"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-mcp-elicitation-private.h"
#include "confab-mcp-secrets.h"
#include "confab-mcp-server-private.h"
#include "confab-secrets.h"

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

void
_confab_mcp_server_set_secret_headers (ConfabMcpServer    *self,
                                       const char * const *names)
{
  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));

  g_strfreev (self->secret_headers);
  self->secret_headers = g_strdupv ((char **)names);
}

void
_confab_mcp_server_set_oauth_client (ConfabMcpServer *self,
                                     const char      *client_id,
                                     gboolean         secret_in_keyring)
{
  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));

  g_free (self->oauth_client_id);
  self->oauth_client_id = g_strdup (client_id);
  self->oauth_client_secret = client_id != NULL && secret_in_keyring;
  if (self->oauth != NULL)
    confab_mcp_oauth_set_client (self->oauth, client_id, NULL);
}

typedef struct
{
  GPtrArray *headers;
  guint      next_secret;   /* after the headers: the OAuth client secret, if any */
} RemoteStart;

/* The keyring name of the next secret to look up, or NULL when all are known. */
static const char *
next_secret_name (ConfabMcpServer *self,
                  RemoteStart     *start)
{
  guint n_headers = self->secret_headers ? g_strv_length (self->secret_headers) : 0;

  if (start->next_secret < n_headers)
    return self->secret_headers[start->next_secret];
  if (start->next_secret == n_headers && self->oauth_client_secret)
    return CONFAB_MCP_SECRET_OAUTH_CLIENT;
  return NULL;
}

static void
remote_start_free (RemoteStart *start)
{
  /* The values are tokens: wipe them. */
  for (guint i = 0; i < start->headers->len; i++)
    confab_secrets_free (start->headers->pdata[i]);
  g_ptr_array_free (start->headers, TRUE);
  g_free (start);
}

static void lookup_next_secret (GTask *task);

static void
secret_looked_up_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabMcpServer *self = g_task_get_source_object (task);
  RemoteStart *start = g_task_get_task_data (task);
  const char *header = next_secret_name (self, start);
  gboolean client_secret = g_str_equal (header, CONFAB_MCP_SECRET_OAUTH_CLIENT);
  g_autoptr(GError) error = NULL;
  char *value;

  value = confab_mcp_secrets_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (value == NULL)
    {
      if (error == NULL && client_secret)
        _confab_mcp_server_fail_printf (self, _("MCP server “%s”: the keyring holds no secret for its OAuth client “%s”"),
                                        self->name, self->oauth_client_id);
      else if (error == NULL)
        _confab_mcp_server_fail_printf (self, _("MCP server “%s”: the keyring holds no value for its header “%s”"),
                                        self->name, header);
      else
        _confab_mcp_server_fail_printf (self, _("MCP server “%s”: the value of its header “%s” could not be read: %s"),
                                        self->name, header, error->message);
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
      return;
    }

  if (client_secret)
    confab_mcp_oauth_set_client (self->oauth, self->oauth_client_id, value);
  else
    g_ptr_array_add (start->headers, g_strdup_printf ("%s: %s", header, value));
  confab_secrets_free (value);
  start->next_secret++;
  lookup_next_secret (g_steal_pointer (&task));
}

/* Takes @task. */
static void
lookup_next_secret (GTask *task)
{
  ConfabMcpServer *self = g_task_get_source_object (task);
  RemoteStart *start = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* Stopped while the keyring answered. */
  if (self->state != CONFAB_MCP_SERVER_STATE_STARTING)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("MCP server “%s” was stopped"), self->name);
      g_object_unref (task);
      return;
    }

  if (next_secret_name (self, start) != NULL)
    {
      confab_mcp_secrets_lookup_async (self->name, next_secret_name (self, start),
                                       self->io_cancellable, secret_looked_up_cb, task);
      return;
    }

  g_ptr_array_add (start->headers, NULL);
  self->http = _confab_mcp_http_transport_new (self->name, self->url,
                                               (const char * const *)start->headers->pdata, &error);
  g_ptr_array_remove_index (start->headers, start->headers->len - 1);
  if (self->http == NULL)
    {
      _confab_mcp_server_fail (self, error->message);
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP, "%s", self->error);
      g_object_unref (task);
      return;
    }

  _confab_mcp_http_transport_set_oauth (self->http, self->oauth);
  _confab_mcp_server_set_connection (self, _confab_mcp_http_transport_get_connection (self->http));
  _confab_mcp_server_initialize (task);
}

void
_confab_mcp_server_start_remote (ConfabMcpServer *self,
                                 GTask           *task)
{
  RemoteStart *start = g_new0 (RemoteStart, 1);

  start->headers = g_ptr_array_new ();
  for (guint i = 0; self->headers != NULL && self->headers[i] != NULL; i++)
    g_ptr_array_add (start->headers, g_strdup (self->headers[i]));
  g_task_set_task_data (task, start, (GDestroyNotify)remote_start_free);

  lookup_next_secret (task);
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

  g_signal_emit_by_name (self, "elicitation-started", elicitation);
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


