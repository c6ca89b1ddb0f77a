/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-http"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-error.h"
#include "confab-http-private.h"
#include "confab-json-private.h"
#include "confab-provider.h"

/* How much of a text error body goes into the error message. */
#define MAX_ERROR_TEXT 500

char *
_confab_http_build_url (ConfabProvider *provider,
                        const char     *path)
{
  const char *base_url = confab_provider_get_base_url (provider);
  gsize len;

  if (base_url == NULL)
    base_url = "";

  len = strlen (base_url);
  while (len > 0 && base_url[len - 1] == '/')
    len--;

  return g_strdup_printf ("%.*s%s", (int) len, base_url, path);
}

SoupMessage *
_confab_http_message_new (ConfabProvider  *provider,
                          const char      *method,
                          const char      *url,
                          GError         **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GUri) uri = NULL;
  SoupMessageHeaders *headers;
  const char * const *extra;
  const char *api_key;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("“%s” is not a valid http:// or https:// address"), url);
      return NULL;
    }

  msg = soup_message_new_from_uri (method, uri);
  headers = soup_message_get_request_headers (msg);

  api_key = confab_provider_get_api_key (provider);
  if (api_key != NULL && api_key[0] != '\0')
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", api_key);
      soup_message_headers_replace (headers, "Authorization", value);
    }

  extra = confab_provider_get_headers (provider);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      const char *colon = strchr (extra[i], ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL || colon == extra[i])
        {
          g_warning ("Ignoring malformed provider header (no “Name: value”)");
          continue;
        }

      name = g_strstrip (g_strndup (extra[i], colon - extra[i]));
      value = g_strstrip (g_strdup (colon + 1));
      soup_message_headers_replace (headers, name, value);
    }

  return g_steal_pointer (&msg);
}

/* Retry-After: delay-seconds or an HTTP date; -1 when absent or unreadable. */
int
_confab_http_parse_retry_after (SoupMessage *msg)
{
  const char *value;
  char *end = NULL;
  gint64 seconds;

  value = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  if (value == NULL)
    return -1;

  while (g_ascii_isspace (*value))
    value++;

  seconds = g_ascii_strtoll (value, &end, 10);
  if (end != value && end != NULL)
    {
      while (g_ascii_isspace (*end))
        end++;
      if (*end == '\0')
        return (int) CLAMP (seconds, 0, G_MAXINT);
    }

  {
    g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (value);
    g_autoptr(GDateTime) now = NULL;
    GTimeSpan span;

    if (date == NULL)
      return -1;

    now = g_date_time_new_now_utc ();
    span = g_date_time_difference (date, now);
    return (int) CLAMP ((span + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 0, G_MAXINT);
  }
}

/* The provider's own words from an error body: error.message, error (a string),
 * message, detail, else the text itself (trimmed, shortened). NULL when empty. */
static char *
extract_provider_message (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  gsize len = 0;
  const char *data;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &len);
  if (len == 0)
    return NULL;

  if (_confab_json_parser_load_untrusted (parser, data, len, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *object = json_node_get_object (root);
          JsonObject *error_object = _confab_json_get_object (object, "error");
          static const char * const keys[] = { "message", "detail", "error_description" };
          const char *message;

          if (error_object != NULL)
            message = _confab_json_get_string (error_object, "message", NULL);
          else
            message = _confab_json_get_string (object, "error", NULL);

          for (guint i = 0; message == NULL && i < G_N_ELEMENTS (keys); i++)
            message = _confab_json_get_string (object, keys[i], NULL);

          if (message != NULL)
            return g_strdup (message);
        }
    }

  text = g_utf8_make_valid (data, len);
  g_strstrip (text);
  if (text[0] == '\0')
    return NULL;

  if (g_utf8_strlen (text, -1) > MAX_ERROR_TEXT)
    {
      char *cut = g_utf8_offset_to_pointer (text, MAX_ERROR_TEXT);
      g_autofree char *shortened = g_strndup (text, cut - text);

      g_free (text);
      text = g_strconcat (shortened, "…", NULL);
    }

  return g_steal_pointer (&text);
}

/* The reason phrase to show: the server's, else the standard one. libsoup 3.2 knows no
 * phrase for 429, the status rate limits answer with, and says "Unknown Error" instead. */
static const char *
reason_phrase (SoupMessage *msg,
               guint        status)
{
  const char *reason = soup_message_get_reason_phrase (msg);

  if (reason != NULL && reason[0] != '\0' && g_strcmp0 (reason, "Unknown Error") != 0)
    return reason;

  switch (status)
    {
    case 429: return "Too Many Requests";
    case 529: return "Overloaded";
    default:  break;
    }

  reason = soup_status_get_phrase (status);
  if (reason == NULL || g_strcmp0 (reason, "Unknown Error") == 0)
    return "";

  return reason;
}

GError *
_confab_http_error_new (SoupMessage *msg,
                        GBytes      *body)
{
  g_autofree char *provider_message = extract_provider_message (body);
  guint status = soup_message_get_status (msg);
  const char *reason = reason_phrase (msg, status);

  if (provider_message != NULL)
    return g_error_new (CONFAB_ERROR, CONFAB_ERROR_HTTP,
                        _("The server answered HTTP %u %s: %s"),
                        status, reason, provider_message);

  return g_error_new (CONFAB_ERROR, CONFAB_ERROR_HTTP,
                      _("The server answered HTTP %u %s"), status, reason);
}
