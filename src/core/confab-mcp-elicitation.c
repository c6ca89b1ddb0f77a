/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-elicitation"

#include "config.h"

#include "confab-json-private.h"
#include "confab-mcp-elicitation-private.h"

struct _ConfabMcpElicitation
{
  GObject                  parent_instance;

  char                    *server_name;
  char                    *message;
  JsonNode                *params;
  JsonNode                *id;
  ConfabJsonrpcConnection *connection;
  gboolean                 answered;
};

G_DEFINE_FINAL_TYPE (ConfabMcpElicitation, confab_mcp_elicitation, G_TYPE_OBJECT)

enum {
  ANSWERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
answer (ConfabMcpElicitation *self,
        const char           *action,
        JsonNode             *content)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) result = NULL;

  if (self->answered)
    return;
  self->answered = TRUE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, action);
  if (content != NULL)
    {
      json_builder_set_member_name (builder, "content");
      json_builder_add_value (builder, json_node_copy (content));
    }
  json_builder_end_object (builder);
  result = json_builder_get_root (builder);

  _confab_jsonrpc_connection_reply (self->connection, self->id, result, 0, NULL);

  /* Not from finalize: nobody can listen to an object going away. */
  if (G_OBJECT (self)->ref_count > 0)
    g_signal_emit (self, signals[ANSWERED], 0, action);
}

static void
confab_mcp_elicitation_finalize (GObject *object)
{
  ConfabMcpElicitation *self = (ConfabMcpElicitation *)object;

  /* Nobody answered: the server should not wait for ever. */
  answer (self, "decline", NULL);

  g_clear_pointer (&self->server_name, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->params, json_node_unref);
  g_clear_pointer (&self->id, json_node_unref);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (confab_mcp_elicitation_parent_class)->finalize (object);
}

static void
confab_mcp_elicitation_class_init (ConfabMcpElicitationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = confab_mcp_elicitation_finalize;

  /**
   * ConfabMcpElicitation::answered:
   * @action: "accept", "decline" or "cancel"
   *
   * The question was answered (once).
   */
  signals[ANSWERED] =
    g_signal_new ("answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
confab_mcp_elicitation_init (ConfabMcpElicitation *self)
{
}

ConfabMcpElicitation *
_confab_mcp_elicitation_new (const char              *server_name,
                             ConfabJsonrpcConnection *connection,
                             JsonNode                *id,
                             JsonNode                *params)
{
  ConfabMcpElicitation *self = g_object_new (CONFAB_TYPE_MCP_ELICITATION, NULL);
  JsonObject *object = params && JSON_NODE_HOLDS_OBJECT (params) ? json_node_get_object (params) : NULL;

  self->server_name = g_strdup (server_name);
  self->message = g_strdup (object ? _confab_json_get_string (object, "message", "") : "");
  self->params = params ? json_node_copy (params) : NULL;
  self->id = json_node_copy (id);
  self->connection = g_object_ref (connection);

  return self;
}

const char *
confab_mcp_elicitation_get_server_name (ConfabMcpElicitation *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_ELICITATION (self), NULL);
  return self->server_name;
}

const char *
confab_mcp_elicitation_get_message (ConfabMcpElicitation *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_ELICITATION (self), NULL);
  return self->message;
}

JsonObject *
confab_mcp_elicitation_get_requested_schema (ConfabMcpElicitation *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_ELICITATION (self), NULL);

  if (self->params == NULL || !JSON_NODE_HOLDS_OBJECT (self->params))
    return NULL;

  return _confab_json_get_object (json_node_get_object (self->params), "requestedSchema");
}

/* A default that fits its property's type, or NULL. */
static JsonNode *
typed_default (JsonObject *property)
{
  JsonNode *value = json_object_get_member (property, "default");
  const char *type = _confab_json_get_string (property, "type", NULL);
  GType value_type;

  /* A multiple-choice enum (SEP-1330): a list of strings. */
  if (value != NULL && JSON_NODE_HOLDS_ARRAY (value) && g_strcmp0 (type, "array") == 0)
    {
      JsonArray *array = json_node_get_array (value);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
            return NULL;
        }
      return value;
    }

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return NULL;

  value_type = json_node_get_value_type (value);
  if (g_strcmp0 (type, "string") == 0 && value_type == G_TYPE_STRING)
    return value;
  if (g_strcmp0 (type, "boolean") == 0 && value_type == G_TYPE_BOOLEAN)
    return value;
  if (g_strcmp0 (type, "integer") == 0 && value_type == G_TYPE_INT64)
    return value;
  if (g_strcmp0 (type, "number") == 0 && (value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE))
    return value;

  return NULL;
}

JsonNode *
confab_mcp_elicitation_dup_defaults (ConfabMcpElicitation *self)
{
  g_autoptr(JsonObject) content = json_object_new ();
  JsonObject *schema;
  JsonObject *properties = NULL;
  JsonNode *node;

  g_return_val_if_fail (CONFAB_IS_MCP_ELICITATION (self), NULL);

  schema = confab_mcp_elicitation_get_requested_schema (self);
  if (schema != NULL)
    properties = _confab_json_get_object (schema, "properties");

  if (properties != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (properties);

      for (const GList *l = names; l != NULL; l = l->next)
        {
          JsonObject *property = _confab_json_get_object (properties, l->data);
          JsonNode *value = property ? typed_default (property) : NULL;

          if (value != NULL)
            json_object_set_member (content, l->data, json_node_copy (value));
        }
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, content);
  return node;
}

gboolean
confab_mcp_elicitation_is_answered (ConfabMcpElicitation *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_ELICITATION (self), FALSE);
  return self->answered;
}

void
confab_mcp_elicitation_accept (ConfabMcpElicitation *self,
                               JsonNode             *content)
{
  g_autoptr(JsonNode) defaults = NULL;

  g_return_if_fail (CONFAB_IS_MCP_ELICITATION (self));
  g_return_if_fail (content == NULL || JSON_NODE_HOLDS_OBJECT (content));

  if (content == NULL)
    content = defaults = confab_mcp_elicitation_dup_defaults (self);

  answer (self, "accept", content);
}

void
confab_mcp_elicitation_decline (ConfabMcpElicitation *self)
{
  g_return_if_fail (CONFAB_IS_MCP_ELICITATION (self));
  answer (self, "decline", NULL);
}

void
confab_mcp_elicitation_cancel (ConfabMcpElicitation *self)
{
  g_return_if_fail (CONFAB_IS_MCP_ELICITATION (self));
  answer (self, "cancel", NULL);
}
