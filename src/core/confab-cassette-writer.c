/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cassette-writer"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-cassette-writer.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-http-private.h"
#include "confab-message.h"
#include "confab-provider-list.h"
#include "confab-provider.h"
#include "confab-store.h"
#include "confab-usage.h"

/* A cassette is what go-vcr (version 2) writes: per interaction the request (url, method,
 * headers, body) and the response (status, headers, body, duration). The JSON form uses
 * exactly the keys of the recordings in shared/cassettes, so the replay server and any
 * go-vcr tool read both. Bodies are written byte for byte: the request body as it was sent,
 * the response as the raw stream that came back (the store keeps it for the inspector).
 *
 * Secrets: the request headers are rebuilt from the provider the way the client builds
 * them, then Authorization, Proxy-Authorization and Cookie are dropped and the values of
 * the provider's own headers (often an API key under another name) replaced. */

#define REDACTED "REDACTED"

typedef struct
{
  char      *body;
  GBytes    *response;
  gint64     code;
  double     duration;     /* seconds, -1 unknown */
} Interaction;

struct _ConfabCassetteWriter
{
  GObject             parent_instance;

  ConfabConversation *conversation;
  ConfabProvider     *provider;
  GPtrArray          *interactions;   /* Interaction * */
};

G_DEFINE_FINAL_TYPE (ConfabCassetteWriter, confab_cassette_writer, G_TYPE_OBJECT)

static const char * const secret_headers[] = {
  "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
};

static const char * const secret_params[] = {
  "key", "api_key", "api-key", "apikey", "access_token", "token", "secret", "client_secret",
  "password", "auth", "sig", "signature", "code",
};

static void
interaction_free (Interaction *interaction)
{
  if (interaction == NULL)
    return;
  g_free (interaction->body);
  g_clear_pointer (&interaction->response, g_bytes_unref);
  g_free (interaction);
}

static void
confab_cassette_writer_finalize (GObject *object)
{
  ConfabCassetteWriter *self = CONFAB_CASSETTE_WRITER (object);

  g_clear_object (&self->conversation);
  g_clear_object (&self->provider);
  g_clear_pointer (&self->interactions, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_cassette_writer_parent_class)->finalize (object);
}

static void
confab_cassette_writer_class_init (ConfabCassetteWriterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = confab_cassette_writer_finalize;
}

static void
confab_cassette_writer_init (ConfabCassetteWriter *self)
{
  self->interactions = g_ptr_array_new_with_free_func ((GDestroyNotify) interaction_free);
}

ConfabCassetteWriter *
confab_cassette_writer_new (ConfabConversation *conversation,
                            ConfabProvider     *provider)
{
  ConfabCassetteWriter *self;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);
  g_return_val_if_fail (provider == NULL || CONFAB_IS_PROVIDER (provider), NULL);

  self = g_object_new (CONFAB_TYPE_CASSETTE_WRITER, NULL);
  self->conversation = g_object_ref (conversation);
  g_set_object (&self->provider, provider);

  return self;
}

ConfabProvider *
confab_cassette_find_provider (ConfabConversation *conversation,
                               ConfabProviderList *providers)
{
  const char *name;
  ConfabProvider *provider;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);

  name = confab_conversation_get_provider_name (conversation);
  if (name == NULL || providers == NULL)
    return NULL;

  provider = confab_provider_list_lookup (providers, name);
  if (provider == NULL ||
      g_strcmp0 (confab_provider_get_base_url (provider), confab_conversation_get_base_url (conversation)) != 0)
    return NULL;

  return provider;
}

static gboolean
is_secret_param (const char *name,
                 gsize       len)
{
  for (guint i = 0; i < G_N_ELEMENTS (secret_params); i++)
    if (strlen (secret_params[i]) == len && g_ascii_strncasecmp (name, secret_params[i], len) == 0)
      return TRUE;

  /* x-api-key, openai_key, session_token … */
  {
    g_autofree char *lower = g_ascii_strdown (name, len);

    return g_str_has_suffix (lower, "key") || g_str_has_suffix (lower, "token") ||
           g_str_has_suffix (lower, "secret");
  }
}

char *
confab_cassette_redact_url (const char *url)
{
  const char *query;
  const char *fragment;
  g_autoptr(GString) out = NULL;
  g_auto(GStrv) params = NULL;
  g_autofree char *query_text = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  query = strchr (url, '?');
  if (query == NULL)
    return g_strdup (url);

  fragment = strchr (query, '#');
  query_text = fragment ? g_strndup (query + 1, fragment - query - 1) : g_strdup (query + 1);
  out = g_string_new_len (url, query - url + 1);
  params = g_strsplit (query_text, "&", -1);

  for (guint i = 0; params[i] != NULL; i++)
    {
      const char *eq = strchr (params[i], '=');
      gsize name_len = eq ? (gsize) (eq - params[i]) : strlen (params[i]);

      if (i > 0)
        g_string_append_c (out, '&');
      if (eq != NULL && is_secret_param (params[i], name_len))
        g_string_append_printf (out, "%.*s=" REDACTED, (int) name_len, params[i]);
      else
        g_string_append (out, params[i]);
    }

  if (fragment != NULL)
    g_string_append (out, fragment);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
dup_url (ConfabCassetteWriter *self)
{
  g_autofree char *url = NULL;

  if (self->provider != NULL)
    url = _confab_http_build_url (self->provider, "/chat/completions");
  else
    {
      const char *base = confab_conversation_get_base_url (self->conversation);
      gsize len = base ? strlen (base) : 0;

      while (len > 0 && base[len - 1] == '/')
        len--;
      url = g_strdup_printf ("%.*s/chat/completions", (int) len, base ? base : "");
    }

  return confab_cassette_redact_url (url);
}

static gboolean
is_secret_header (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (secret_headers); i++)
    if (g_ascii_strcasecmp (name, secret_headers[i]) == 0)
      return TRUE;
  return FALSE;
}

/* name, value, name, value … in the order the client sets them, secrets removed. */
static GPtrArray *
dup_request_headers (ConfabCassetteWriter *self)
{
  GPtrArray *headers = g_ptr_array_new_with_free_func (g_free);
  const char * const *extra = NULL;

  g_ptr_array_add (headers, g_strdup ("Accept"));
  g_ptr_array_add (headers, g_strdup ("text/event-stream"));
  g_ptr_array_add (headers, g_strdup ("Content-Type"));
  g_ptr_array_add (headers, g_strdup ("application/json"));

  if (self->provider != NULL)
    extra = confab_provider_get_headers (self->provider);

  /* The provider's own headers are configured by the user and often carry a key under
   * another name: their names stay (the request needs them), their values do not. */
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      const char *colon = strchr (extra[i], ':');
      g_autofree char *name = NULL;

      if (colon == NULL || colon == extra[i])
        continue;

      name = g_strstrip (g_strndup (extra[i], colon - extra[i]));
      if (is_secret_header (name))
        continue;
      g_ptr_array_add (headers, g_steal_pointer (&name));
      g_ptr_array_add (headers, g_strdup (REDACTED));
    }

  return headers;
}

static Interaction *
interaction_new (ConfabMessage  *message,
                 guint           step,
                 GError        **error)
{
  g_autoptr(GBytes) raw = confab_message_dup_raw_response (message);
  const char *body = confab_message_get_request_body (message);
  const GError *failure = confab_message_get_error (message);
  Interaction *interaction;

  if (body == NULL || *body == '\0')
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_FAILED,
                   _("Request %u of this turn was not recorded, so the turn cannot be saved as a recording"),
                   step);
      return NULL;
    }

  if (raw == NULL || g_bytes_get_size (raw) == 0)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_FAILED,
                   _("Nothing was received for request %u of this turn, so it cannot be replayed"),
                   step);
      return NULL;
    }

  /* The store keeps at most CONFAB_STORE_RAW_RESPONSE_MAX bytes: a response that long may
   * have been cut, and a cut stream would replay as a different turn. */
  if (g_bytes_get_size (raw) >= CONFAB_STORE_RAW_RESPONSE_MAX)
    {
      g_autofree char *limit = g_format_size_full (CONFAB_STORE_RAW_RESPONSE_MAX, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_FAILED,
                   _("The response to request %u is larger than the %s Confab keeps, so a recording of it could not be replayed"),
                   step, limit);
      return NULL;
    }

  if (failure != NULL && g_error_matches (failure, CONFAB_ERROR, CONFAB_ERROR_HTTP))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_FAILED,
                   _("Request %u failed with an HTTP error whose status was not kept, so it cannot be replayed"),
                   step);
      return NULL;
    }

  interaction = g_new0 (Interaction, 1);
  interaction->body = g_strdup (body);
  interaction->response = g_steal_pointer (&raw);
  interaction->code = 200;
  interaction->duration = confab_usage_get_duration (confab_message_get_usage (message));

  return interaction;
}

static gboolean
add_range (ConfabCassetteWriter  *self,
           guint                  start,
           guint                  end,
           GError               **error)
{
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func ((GDestroyNotify) interaction_free);
  GListModel *model = G_LIST_MODEL (self->conversation);

  for (guint i = start; i < end; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i);
      Interaction *interaction;

      if (confab_message_get_role (message) != CONFAB_ROLE_ASSISTANT)
        continue;

      interaction = interaction_new (message, added->len + 1, error);
      if (interaction == NULL)
        return FALSE;
      g_ptr_array_add (added, interaction);
    }

  if (added->len == 0)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_FAILED,
                           _("This turn sent no request to the model"));
      return FALSE;
    }

  for (guint i = 0; i < added->len; i++)
    g_ptr_array_add (self->interactions, g_steal_pointer (&g_ptr_array_index (added, i)));

  return TRUE;
}

gboolean
confab_cassette_writer_add_turn (ConfabCassetteWriter  *self,
                                 ConfabMessage         *message,
                                 GError               **error)
{
  GListModel *model;
  guint start = 0, end = 0;

  g_return_val_if_fail (CONFAB_IS_CASSETTE_WRITER (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);

  model = G_LIST_MODEL (self->conversation);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (model, i);

      if (item == message)
        {
          confab_conversation_get_turn_range (self->conversation, i, &start, &end);
          return add_range (self, start, end, error);
        }
    }

  g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_FAILED,
                       _("The message is not part of this conversation"));
  return FALSE;
}

gboolean
confab_cassette_writer_add_turn_at (ConfabCassetteWriter  *self,
                                    int                    index,
                                    GError               **error)
{
  GListModel *model;
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n;
  guint start = 0, end = 0;

  g_return_val_if_fail (CONFAB_IS_CASSETTE_WRITER (self), FALSE);

  model = G_LIST_MODEL (self->conversation);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (model, i);

      if (confab_message_get_role (item) == CONFAB_ROLE_USER)
        g_array_append_val (starts, i);
    }

  if (starts->len == 0 || index >= (int) starts->len || index < -1)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_FAILED,
                   _("There is no turn %d in this conversation (it has %u)"),
                   index + 1, starts->len);
      return FALSE;
    }

  if (index == -1)
    index = starts->len - 1;

  confab_conversation_get_turn_range (self->conversation, g_array_index (starts, guint, index), &start, &end);
  return add_range (self, start, end, error);
}

guint
confab_cassette_writer_get_n_interactions (ConfabCassetteWriter *self)
{
  g_return_val_if_fail (CONFAB_IS_CASSETTE_WRITER (self), 0);
  return self->interactions->len;
}

static char *
format_duration (double seconds)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (seconds < 0)
    return g_strdup ("0s");

  /* Go's time.Duration text, as go-vcr writes it: "113.669917ms". */
  g_ascii_formatd (buffer, sizeof buffer, "%.6f", seconds * 1000.0);
  return g_strconcat (buffer, "ms", NULL);
}

static char *
dup_response_text (Interaction *interaction)
{
  gsize len;
  const char *data = g_bytes_get_data (interaction->response, &len);

  /* A cassette body is a string; bytes that are not UTF-8 cannot be recorded as they were. */
  return g_utf8_make_valid (data, len);
}

static void
add_headers (JsonBuilder *builder,
             GPtrArray   *headers)
{
  json_builder_set_member_name (builder, "headers");
  json_builder_begin_object (builder);
  for (guint i = 0; i + 1 < headers->len; i += 2)
    {
      json_builder_set_member_name (builder, g_ptr_array_index (headers, i));
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, g_ptr_array_index (headers, i + 1));
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}

static JsonNode *
build_json (ConfabCassetteWriter *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) request_headers = dup_request_headers (self);
  g_autoptr(GPtrArray) response_headers = g_ptr_array_new ();
  g_autofree char *url = dup_url (self);

  g_ptr_array_add (response_headers, (char *) "Content-Type");
  g_ptr_array_add (response_headers, (char *) "text/event-stream");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 2);
  json_builder_set_member_name (builder, "interactions");
  json_builder_begin_array (builder);

  for (guint i = 0; i < self->interactions->len; i++)
    {
      Interaction *interaction = g_ptr_array_index (self->interactions, i);
      g_autofree char *response = dup_response_text (interaction);
      g_autofree char *duration = format_duration (interaction->duration);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, i);

      json_builder_set_member_name (builder, "request");
      json_builder_begin_object (builder);
      add_headers (builder, request_headers);
      json_builder_set_member_name (builder, "proto");
      json_builder_add_string_value (builder, "HTTP/1.1");
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, interaction->body);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, url);
      json_builder_set_member_name (builder, "method");
      json_builder_add_string_value (builder, "POST");
      json_builder_end_object (builder);

      json_builder_set_member_name (builder, "response");
      json_builder_begin_object (builder);
      add_headers (builder, response_headers);
      json_builder_set_member_name (builder, "proto");
      json_builder_add_string_value (builder, "HTTP/1.1");
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, response);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, "200 OK");
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, interaction->code);
      json_builder_set_member_name (builder, "duration");
      json_builder_add_string_value (builder, duration);
      json_builder_end_object (builder);

      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* A JSON string literal is a YAML 1.2 double-quoted scalar: the same escapes. */
static void
yaml_string (GString    *out,
             const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autofree char *literal = json_to_string (node, FALSE);

  g_string_append (out, literal);
}

static void
yaml_headers (GString    *out,
              const char *indent,
              JsonObject *headers)
{
  g_autoptr(GList) names = json_object_get_members (headers);

  g_string_append_printf (out, "%sheaders:\n", indent);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonArray *array = json_object_get_array_member (headers, l->data);

      g_string_append_printf (out, "%s    ", indent);
      yaml_string (out, l->data);
      g_string_append (out, ":\n");
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_string_append_printf (out, "%s        - ", indent);
          yaml_string (out, json_array_get_string_element (array, i));
          g_string_append_c (out, '\n');
        }
    }
}

/* Members in the order they were built (json_object_get_members keeps it). */
static void
yaml_part (GString    *out,
           const char *name,
           JsonObject *part)
{
  const char *indent = "        ";
  g_autoptr(GList) members = json_object_get_members (part);

  g_string_append_printf (out, "      %s:\n", name);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;
      JsonNode *value = json_object_get_member (part, member);

      if (g_str_equal (member, "headers"))
        {
          yaml_headers (out, indent, json_node_get_object (value));
          continue;
        }

      g_string_append_printf (out, "%s%s: ", indent, member);
      if (json_node_get_value_type (value) == G_TYPE_INT64)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (value));
      else
        yaml_string (out, json_node_get_string (value));
      g_string_append_c (out, '\n');
    }
}

static char *
build_yaml (JsonNode *root)
{
  GString *out = g_string_new ("---\nversion: 2\ninteractions:\n");
  JsonArray *interactions = json_object_get_array_member (json_node_get_object (root), "interactions");

  for (guint i = 0; i < json_array_get_length (interactions); i++)
    {
      JsonObject *interaction = json_array_get_object_element (interactions, i);

      g_string_append_printf (out, "    - id: %u\n", i);
      yaml_part (out, "request", json_object_get_object_member (interaction, "request"));
      yaml_part (out, "response", json_object_get_object_member (interaction, "response"));
    }

  return g_string_free (out, FALSE);
}

char *
confab_cassette_writer_to_data (ConfabCassetteWriter *self,
                                ConfabCassetteFormat  format)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (CONFAB_IS_CASSETTE_WRITER (self), NULL);

  root = build_json (self);
  if (format == CONFAB_CASSETTE_FORMAT_YAML)
    return build_yaml (root);

  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);

  return g_strconcat (text, "\n", NULL);
}
