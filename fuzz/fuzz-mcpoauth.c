/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What servers send during an OAuth sign-in for a remote MCP server, into the readers of
 * confab-mcp-oauth-metadata.c: WWW-Authenticate challenges, protected resource metadata,
 * authorization server metadata, client registration and token endpoint answers, and the
 * keyring's copy of a token. Never crash, never leak; what is accepted holds what the flow
 * relies on (http(s) endpoints, a printable bearer token), and a token survives the trip
 * through the keyring's JSON.
 *
 * Input: the first byte picks the reader (and, for token answers, the HTTP status), the rest
 * is the header or the document. */
#include "config.h"

#include <string.h>

#include "confab-mcp-oauth-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define SERVER_URL "http://127.0.0.1:8123/mcp"

static void
check_printable (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    g_assert (*p >= 0x20 && *p <= 0x7e);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  guint8 selector;
  gsize len;

  if (size < 1)
    return 0;

  selector = data[0];
  len = size - 1;
  text = g_strndup ((const char *)data + 1, len);
  /* The readers get what libsoup gives: text up to a NUL for headers, bytes for bodies. */

  switch (selector % 6)
    {
    case 0:
      {
        ConfabMcpOAuthChallenge challenge;

        _confab_mcp_oauth_parse_challenge (text, &challenge);
        if (challenge.resource_metadata != NULL)
          g_assert (_confab_mcp_oauth_is_http_url (challenge.resource_metadata));
        if (challenge.scope != NULL)
          g_assert (challenge.scope[0] != '\0');
        _confab_mcp_oauth_challenge_clear (&challenge);
      }
      break;

    case 1:
      {
        g_autofree char *server = NULL;
        g_auto(GStrv) scopes = NULL;
        g_autofree char *resource = NULL;

        if (_confab_mcp_oauth_parse_resource_metadata ((const char *)data + 1, len, SERVER_URL,
                                                       &server, &scopes, &resource, &error))
          g_assert (_confab_mcp_oauth_is_http_url (server));
        else
          g_assert (error != NULL && error->message[0] != '\0');
      }
      break;

    case 2:
      {
        ConfabMcpOAuthServer server;

        if (_confab_mcp_oauth_parse_server_metadata ((const char *)data + 1, len, &server, &error))
          {
            g_assert (_confab_mcp_oauth_is_http_url (server.authorization_endpoint));
            g_assert (_confab_mcp_oauth_is_http_url (server.token_endpoint));
            g_assert (server.registration_endpoint == NULL ||
                      _confab_mcp_oauth_is_http_url (server.registration_endpoint));
          }
        else
          g_assert (error != NULL);
        _confab_mcp_oauth_server_clear (&server);
      }
      break;

    case 3:
      {
        ConfabMcpOAuthToken *token = g_new0 (ConfabMcpOAuthToken, 1);

        if (_confab_mcp_oauth_parse_registration ((const char *)data + 1, len, token, &error))
          g_assert (token->client_id != NULL && token->client_id[0] != '\0');
        else
          g_assert (error != NULL);
        _confab_mcp_oauth_token_free (token);
      }
      break;

    case 4:
      {
        ConfabMcpOAuthToken *token = g_new0 (ConfabMcpOAuthToken, 1);
        guint status = (selector / 6) % 2 ? 400 : 200;

        token->refresh_token = g_strdup ("old-refresh");
        if (_confab_mcp_oauth_parse_token_response (status, (const char *)data + 1, len, token, &error))
          {
            g_autofree char *copy = NULL;
            ConfabMcpOAuthToken *back;

            g_assert (status == 200);
            g_assert (token->access_token != NULL);
            check_printable (token->access_token);
            check_printable (token->refresh_token);

            copy = _confab_mcp_oauth_token_serialize (token);
            back = _confab_mcp_oauth_token_deserialize (copy);
            g_assert (back != NULL);
            g_assert (strcmp (back->access_token, token->access_token) == 0);
            g_assert (strcmp (back->refresh_token, token->refresh_token) == 0);
            g_assert (back->expires_at == token->expires_at);
            _confab_mcp_oauth_token_free (back);
          }
        else
          g_assert (error != NULL && error->message[0] != '\0');
        _confab_mcp_oauth_token_free (token);
      }
      break;

    default:
      {
        ConfabMcpOAuthToken *token = _confab_mcp_oauth_token_deserialize (text);

        if (token != NULL)
          g_assert (token->access_token != NULL);
        _confab_mcp_oauth_token_free (token);
      }
      break;
    }

  return 0;
}
