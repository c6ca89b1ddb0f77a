/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-provider"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-provider.h"
#include "confab-util-private.h"

struct _ConfabProvider
{
  GObject     parent_instance;

  char       *name;
  char       *base_url;
  char       *model;
  char       *api_key;
  JsonObject *extra_body;
  GStrv       headers;
  GStrv       models;
  guint       max_tokens;
};

G_DEFINE_FINAL_TYPE (ConfabProvider, confab_provider, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_BASE_URL,
  PROP_MODEL,
  PROP_MAX_TOKENS,
  PROP_HEADERS,
  PROP_MODELS,
  PROP_EXTRA_BODY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_provider_finalize (GObject *object)
{
  ConfabProvider *self = (ConfabProvider *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->model, g_free);
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->extra_body, json_object_unref);
  g_clear_pointer (&self->headers, g_strfreev);
  g_clear_pointer (&self->models, g_strfreev);

  G_OBJECT_CLASS (confab_provider_parent_class)->finalize (object);
}

static void
confab_provider_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ConfabProvider *self = CONFAB_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_NAME:       g_value_set_string (value, self->name); break;
    case PROP_BASE_URL:   g_value_set_string (value, self->base_url); break;
    case PROP_MODEL:      g_value_set_string (value, self->model); break;
    case PROP_MAX_TOKENS: g_value_set_uint (value, self->max_tokens); break;
    case PROP_HEADERS:    g_value_set_boxed (value, self->headers); break;
    case PROP_MODELS:     g_value_set_boxed (value, self->models); break;
    case PROP_EXTRA_BODY:
      {
        g_autoptr(JsonNode) node = NULL;
        if (self->extra_body != NULL)
          {
            node = json_node_init_object (json_node_alloc (), self->extra_body);
            g_value_take_string (value, json_to_string (node, FALSE));
          }
        else
          g_value_set_string (value, NULL);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_provider_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ConfabProvider *self = CONFAB_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_NAME:       confab_provider_set_name (self, g_value_get_string (value)); break;
    case PROP_BASE_URL:   confab_provider_set_base_url (self, g_value_get_string (value)); break;
    case PROP_MODEL:      confab_provider_set_model (self, g_value_get_string (value)); break;
    case PROP_MAX_TOKENS: confab_provider_set_max_tokens (self, g_value_get_uint (value)); break;
    case PROP_HEADERS:    confab_provider_set_headers (self, g_value_get_boxed (value)); break;
    case PROP_MODELS:     confab_provider_set_models (self, g_value_get_boxed (value)); break;
    case PROP_EXTRA_BODY: confab_provider_set_extra_body_json (self, g_value_get_string (value), NULL); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_provider_class_init (ConfabProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  object_class->finalize = confab_provider_finalize;
  object_class->get_property = confab_provider_get_property;
  object_class->set_property = confab_provider_set_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_BASE_URL] = g_param_spec_string ("base-url", NULL, NULL, NULL, rw);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, rw);
  properties[PROP_MAX_TOKENS] = g_param_spec_uint ("max-tokens", NULL, NULL, 0, G_MAXUINT, 0, rw);
  properties[PROP_HEADERS] = g_param_spec_boxed ("headers", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_MODELS] = g_param_spec_boxed ("models", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_EXTRA_BODY] = g_param_spec_string ("extra-body", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_provider_init (ConfabProvider *self)
{
}

ConfabProvider *
confab_provider_new (const char *name,
                     const char *base_url)
{
  return g_object_new (CONFAB_TYPE_PROVIDER,
                       "name", name,
                       "base-url", base_url,
                       NULL);
}

const char *
confab_provider_get_name (ConfabProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return self->name;
}

void
confab_provider_set_name (ConfabProvider *self,
                          const char     *name)
{
  g_return_if_fail (CONFAB_IS_PROVIDER (self));
  if (_confab_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
confab_provider_get_base_url (ConfabProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return self->base_url;
}

void
confab_provider_set_base_url (ConfabProvider *self,
                              const char     *base_url)
{
  g_autofree char *trimmed = NULL;

  g_return_if_fail (CONFAB_IS_PROVIDER (self));

  /* "…/v1/" and "…/v1" are the same endpoint. */
  if (base_url != NULL)
    {
      gsize len;

      trimmed = g_strstrip (g_strdup (base_url));
      len = strlen (trimmed);
      while (len > 0 && trimmed[len - 1] == '/')
        trimmed[--len] = '\0';
    }

  if (_confab_set_str (&self->base_url, trimmed))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
}

const char *
confab_provider_get_model (ConfabProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return self->model;
}

const char *
confab_provider_choose_model (ConfabProvider *provider,
                              const char     *model)
{
  g_return_val_if_fail (provider == NULL || CONFAB_IS_PROVIDER (provider), NULL);

  if (model != NULL && *model != '\0')
    return model;

  if (provider != NULL && provider->model != NULL && *provider->model != '\0')
    return provider->model;

  return NULL;
}

void
confab_provider_set_model (ConfabProvider *self,
                           const char     *model)
{
  g_return_if_fail (CONFAB_IS_PROVIDER (self));
  if (_confab_set_str (&self->model, model))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

const char *
confab_provider_get_api_key (ConfabProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return self->api_key;
}

void
confab_provider_set_api_key (ConfabProvider *self,
                             const char     *api_key)
{
  g_return_if_fail (CONFAB_IS_PROVIDER (self));

  /* Not a property: a key must never show up in a property dump or a debug log. */
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_free (self->api_key);
  self->api_key = g_strdup (api_key);
}

JsonObject *
confab_provider_get_extra_body (ConfabProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return self->extra_body;
}

gboolean
confab_provider_set_extra_body_json (ConfabProvider  *self,
                                     const char      *json,
                                     GError         **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), FALSE);

  if (json == NULL || *json == '\0')
    {
      if (self->extra_body != NULL)
        {
          g_clear_pointer (&self->extra_body, json_object_unref);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXTRA_BODY]);
        }
      return TRUE;
    }

  parser = json_parser_new ();
  /* Refuses "{…}{…}" too: json-glib alone would keep the first object and drop the rest. */
  if (!_confab_json_parser_load_untrusted (parser, json, -1, &local_error))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("The extra body is not valid JSON: %s"), local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("The extra body must be a JSON object, like {\"provider\": {\"only\": [\"groq\"]}}"));
      return FALSE;
    }

  g_clear_pointer (&self->extra_body, json_object_unref);
  self->extra_body = json_object_ref (json_node_get_object (root));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXTRA_BODY]);

  return TRUE;
}

const char * const *
confab_provider_get_headers (ConfabProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return (const char * const *) self->headers;
}

void
confab_provider_set_headers (ConfabProvider     *self,
                             const char * const *headers)
{
  g_return_if_fail (CONFAB_IS_PROVIDER (self));

  if (g_strv_equal ((const char * const *) (self->headers ? self->headers : (GStrv) (const char *[]) { NULL }),
                    headers ? headers : (const char * const *) (const char *[]) { NULL }))
    return;

  g_strfreev (self->headers);
  self->headers = g_strdupv ((char **) headers);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEADERS]);
}

guint
confab_provider_get_max_tokens (ConfabProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), 0);
  return self->max_tokens;
}

void
confab_provider_set_max_tokens (ConfabProvider *self,
                                guint           max_tokens)
{
  g_return_if_fail (CONFAB_IS_PROVIDER (self));

  if (self->max_tokens == max_tokens)
    return;

  self->max_tokens = max_tokens;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_TOKENS]);
}

const char * const *
confab_provider_get_models (ConfabProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return (const char * const *) self->models;
}

void
confab_provider_set_models (ConfabProvider     *self,
                            const char * const *models)
{
  g_return_if_fail (CONFAB_IS_PROVIDER (self));

  g_strfreev (self->models);
  self->models = g_strdupv ((char **) models);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODELS]);
}

static ConfabProvider *
preset (const char *name,
        const char *base_url,
        const char *model,
        const char *extra_body)
{
  ConfabProvider *provider = confab_provider_new (name, base_url);

  confab_provider_set_model (provider, model);
  if (extra_body != NULL)
    confab_provider_set_extra_body_json (provider, extra_body, NULL);

  return provider;
}

GListModel *
confab_provider_list_presets (void)
{
  GListStore *store = g_list_store_new (CONFAB_TYPE_PROVIDER);
  ConfabProvider *presets[] = {
    preset ("OpenAI", "https://api.openai.com/v1", "gpt-4o-mini", NULL),
    preset ("Groq", "https://api.groq.com/openai/v1", "moonshotai/kimi-k2-instruct-0905", NULL),
    preset ("OpenRouter", "https://openrouter.ai/api/v1", "moonshotai/kimi-k2-0905",
            "{\"usage\": {\"include\": true}}"),
    preset ("Ollama", "http://localhost:11434/v1", "llama3.2", NULL),
    preset ("llama.cpp", "http://localhost:8080/v1", "default", NULL),
  };

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      g_list_store_append (store, presets[i]);
      g_object_unref (presets[i]);
    }

  return G_LIST_MODEL (store);
}

static void
add_strv_member (JsonBuilder        *builder,
                 const char         *name,
                 const char * const *strv)
{
  if (strv == NULL || strv[0] == NULL)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; strv[i]; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

JsonNode *
confab_provider_to_json (ConfabProvider *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name ? self->name : "");
  json_builder_set_member_name (builder, "base_url");
  json_builder_add_string_value (builder, self->base_url ? self->base_url : "");
  if (self->model != NULL)
    {
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, self->model);
    }
  if (self->max_tokens > 0)
    {
      json_builder_set_member_name (builder, "max_tokens");
      json_builder_add_int_value (builder, self->max_tokens);
    }
  if (self->extra_body != NULL)
    {
      json_builder_set_member_name (builder, "extra_body");
      json_builder_add_value (builder, json_node_init_object (json_node_alloc (), self->extra_body));
    }
  add_strv_member (builder, "headers", (const char * const *) self->headers);
  add_strv_member (builder, "models", (const char * const *) self->models);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static GStrv
strv_member (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  builder = g_strv_builder_new ();
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
    }

  return g_strv_builder_end (builder);
}

ConfabProvider *
confab_provider_new_from_json (JsonNode  *node,
                               GError   **error)
{
  g_autoptr(ConfabProvider) provider = NULL;
  g_auto(GStrv) headers = NULL;
  g_auto(GStrv) models = NULL;
  JsonObject *object;
  JsonNode *extra;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG, _("A provider must be a JSON object"));
      return NULL;
    }

  object = json_node_get_object (node);
  if (!json_object_has_member (object, "base_url"))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG, _("A provider needs a base URL"));
      return NULL;
    }

  provider = confab_provider_new (json_object_get_string_member_with_default (object, "name", ""),
                                  json_object_get_string_member_with_default (object, "base_url", ""));
  confab_provider_set_model (provider, json_object_get_string_member_with_default (object, "model", NULL));
  confab_provider_set_max_tokens (provider, _confab_json_get_int_range (object, "max_tokens", 0, G_MAXUINT, 0));

  extra = json_object_get_member (object, "extra_body");
  if (extra != NULL && JSON_NODE_HOLDS_OBJECT (extra))
    provider->extra_body = json_object_ref (json_node_get_object (extra));

  headers = strv_member (object, "headers");
  confab_provider_set_headers (provider, (const char * const *) headers);
  models = strv_member (object, "models");
  confab_provider_set_models (provider, (const char * const *) models);

  return g_steal_pointer (&provider);
}
