/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-oauth"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/random.h>

#include "confab-error.h"
#include "confab-mcp-oauth-private.h"

/* The token endpoint's side of the flow, shared by a sign-in (confab-mcp-oauth-flow.c) and
 * a refresh: PKCE values, forms, client authentication (client_secret_basic,
 * client_secret_post or none), and the refresh grant itself. */

/* Randomness and PKCE ---------------------------------------------------------------------- */

static char *
base64url (const guint8 *data,
           gsize         len)
{
  char *text = g_base64_encode (data, len);
  char *end;

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  end = strchr (text, '=');
  if (end != NULL)
    *end = '\0';

  return text;
}

char *
_confab_mcp_oauth_random_string (void)
{
  guint8 bytes[32];
  gsize got = 0;
  char *text;

  while (got < sizeof bytes)
    {
      gssize n = getrandom (bytes + got, sizeof bytes - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("No random bytes from the kernel: %s", g_strerror (errno));
      got += n;
    }

  text = base64url (bytes, sizeof bytes);
  memset (bytes, 0, sizeof bytes);
  return text;
}

char *
_confab_mcp_oauth_s256_challenge (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *)verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);
  return base64url (digest, len);
}

/* Forms --------------------------------------------------------------------------------- */

void
_confab_mcp_oauth_form_add (GString    *form,
           const char *name,
           const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;

  escaped = g_uri_escape_string (value, NULL, FALSE);
  if (form->len > 0)
    g_string_append_c (form, '&');
  g_string_append_printf (form, "%s=%s", name, escaped);
}

void
_confab_mcp_oauth_form_free (GString *string)
{
  memset (string->str, 0, string->len);
  g_string_free (string, TRUE);
}


/* How to authenticate at the token endpoint: what registration said, else the strongest the
 * server lists that the client can do. */
const char *
_confab_mcp_oauth_choose_auth_method (const ConfabMcpOAuthToken *token,
                    char                     **supported)
{
  if (token->auth_method != NULL)
    return token->auth_method;
  if (token->client_secret == NULL)
    return "none";
  if (supported == NULL || g_strv_contains ((const char * const *)supported, "client_secret_basic"))
    return "client_secret_basic";
  if (g_strv_contains ((const char * const *)supported, "client_secret_post"))
    return "client_secret_post";
  return "client_secret_basic";
}

/* A POST to the token endpoint of @token with @form, authenticated as @token's client. */
SoupMessage *
_confab_mcp_oauth_new_token_request (const ConfabMcpOAuthToken *token,
                   GString                   *form)
{
  SoupMessage *msg = soup_message_new ("POST", token->token_endpoint);
  SoupMessageHeaders *headers;
  g_autoptr(GBytes) body = NULL;

  if (msg == NULL)
    return NULL;

  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");

  if (g_strcmp0 (token->auth_method, "client_secret_basic") == 0 && token->client_secret != NULL)
    {
      g_autofree char *id = g_uri_escape_string (token->client_id, NULL, FALSE);
      g_autofree char *secret = g_uri_escape_string (token->client_secret, NULL, FALSE);
      g_autofree char *pair = g_strconcat (id, ":", secret, NULL);
      g_autofree char *encoded = g_base64_encode ((const guchar *)pair, strlen (pair));
      g_autofree char *value = g_strconcat ("Basic ", encoded, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
      memset (pair, 0, strlen (pair));
      memset (value, 0, strlen (value));
    }
  else
    {
      _confab_mcp_oauth_form_add (form, "client_id", token->client_id);
      if (g_strcmp0 (token->auth_method, "client_secret_post") == 0)
        _confab_mcp_oauth_form_add (form, "client_secret", token->client_secret);
    }

  body = g_bytes_new (form->str, form->len);
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", body);
  return msg;
}

/* Refreshing ------------------------------------------------------------------------------ */

static void
on_refreshed (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  ConfabMcpOAuthToken *token = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  GError *error = NULL;
  guint status = msg ? soup_message_get_status (msg) : 0;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (bytes == NULL ||
      !_confab_mcp_oauth_parse_token_response (status, g_bytes_get_data (bytes, NULL),
                                               g_bytes_get_size (bytes), token, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_task_return_pointer (task, _confab_mcp_oauth_token_copy (token),
                         (GDestroyNotify)_confab_mcp_oauth_token_free);
  g_object_unref (task);
}

void
_confab_mcp_oauth_refresh_async (SoupSession               *session,
                                 const ConfabMcpOAuthToken *token,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  ConfabMcpOAuthToken *copy = _confab_mcp_oauth_token_copy (token);
  g_autoptr(SecretForm) form = g_string_new (NULL);
  g_autoptr(SoupMessage) msg = NULL;

  g_task_set_source_tag (task, _confab_mcp_oauth_refresh_async);
  g_task_set_task_data (task, copy, (GDestroyNotify)_confab_mcp_oauth_token_free);

  _confab_mcp_oauth_form_add (form, "grant_type", "refresh_token");
  _confab_mcp_oauth_form_add (form, "refresh_token", token->refresh_token);
  _confab_mcp_oauth_form_add (form, "resource", token->resource);
  msg = token->token_endpoint ? _confab_mcp_oauth_new_token_request (copy, form) : NULL;
  if (msg == NULL)
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                               _("The stored sign-in has no valid token endpoint"));
      g_object_unref (task);
      return;
    }

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    on_refreshed, task);
}

ConfabMcpOAuthToken *
_confab_mcp_oauth_refresh_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
