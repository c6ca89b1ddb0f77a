/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-exchange"

#include "config.h"

#include <string.h>

#include "confab-exchange-private.h"
#include "confab-provider.h"

static gboolean
name_says_secret (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  static const char * const words[] = {
    "key", "token", "secret", "password", "passwd", "auth", "signature", "cookie", "session",
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (strstr (lower, words[i]) != NULL)
      return TRUE;

  /* "sig" alone (AWS-style signed URLs); not "design" or "signal". */
  return g_str_equal (lower, "sig");
}

gboolean
confab_exchange_header_is_secret (const char     *name,
                                  ConfabProvider *provider)
{
  const char * const *configured;

  g_return_val_if_fail (name != NULL, TRUE);

  if (name_says_secret (name))
    return TRUE;

  /* Whatever the user configured: a proxy's "X-Org: …" may be a credential too. */
  configured = provider ? confab_provider_get_headers (provider) : NULL;
  for (guint i = 0; configured != NULL && configured[i] != NULL; i++)
    {
      const char *colon = strchr (configured[i], ':');
      g_autofree char *configured_name = colon ? g_strndup (configured[i], colon - configured[i]) : NULL;

      if (configured_name != NULL && g_ascii_strcasecmp (g_strstrip (configured_name), name) == 0)
        return TRUE;
    }

  return FALSE;
}

char *
confab_exchange_redact_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GString) query = NULL;
  g_autoptr(GUri) redacted = NULL;
  GUriParamsIter iter;
  char *name, *value;
  const char *original;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return g_strdup (url);

  original = g_uri_get_query (uri);
  if (original == NULL && g_uri_get_password (uri) == NULL)
    return g_strdup (url);

  query = g_string_new (NULL);
  if (original != NULL)
    {
      g_uri_params_iter_init (&iter, original, -1, "&", G_URI_PARAMS_NONE);
      while (g_uri_params_iter_next (&iter, &name, &value, NULL))
        {
          g_autofree char *escaped_name = g_uri_escape_string (name, NULL, FALSE);
          g_autofree char *escaped_value = g_uri_escape_string (value, NULL, FALSE);

          if (query->len > 0)
            g_string_append_c (query, '&');
          g_string_append_printf (query, "%s=%s", escaped_name,
                                  name_says_secret (name) ? CONFAB_EXCHANGE_REDACTED : escaped_value);
          g_free (name);
          g_free (value);
        }
    }

  redacted = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri),
                          g_uri_get_password (uri) ? g_uri_get_user (uri) : g_uri_get_userinfo (uri),
                          g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                          original != NULL ? query->str : NULL, g_uri_get_fragment (uri));

  return g_uri_to_string (redacted);
}

static void
add_headers (JsonBuilder        *builder,
             SoupMessageHeaders *headers,
             ConfabProvider     *provider)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;

  json_builder_begin_array (builder);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, name);
      json_builder_add_string_value (builder, confab_exchange_header_is_secret (name, provider)
                                              ? CONFAB_EXCHANGE_REDACTED : value);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
}

JsonNode *
_confab_exchange_new (SoupMessage    *msg,
                      ConfabProvider *provider)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *url = g_uri_to_string (soup_message_get_uri (msg));
  g_autofree char *shown_url = confab_exchange_redact_url (url);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, soup_message_get_method (msg));
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, shown_url);
  json_builder_set_member_name (builder, "request_headers");
  add_headers (builder, soup_message_get_request_headers (msg), provider);
  json_builder_set_member_name (builder, "sent_at");
  json_builder_add_int_value (builder, g_get_real_time ());
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

void
_confab_exchange_set_response (JsonNode       *exchange,
                               SoupMessage    *msg,
                               ConfabProvider *provider)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  JsonObject *object = json_node_get_object (exchange);

  json_object_set_int_member (object, "status", soup_message_get_status (msg));
  json_object_set_string_member (object, "reason", soup_message_get_reason_phrase (msg)
                                                   ? soup_message_get_reason_phrase (msg) : "");
  add_headers (builder, soup_message_get_response_headers (msg), provider);
  json_object_set_member (object, "response_headers", json_builder_get_root (builder));
}

void
_confab_exchange_set_time (JsonNode   *exchange,
                           const char *member,
                           gint64      started)
{
  JsonObject *object = json_node_get_object (exchange);

  if (!json_object_has_member (object, member))
    json_object_set_int_member (object, member, (g_get_monotonic_time () - started) / 1000);
}
