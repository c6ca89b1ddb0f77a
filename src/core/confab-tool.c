/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool"

#include "config.h"

#include "confab-mcp-server.h"
#include "confab-tool.h"
#include "confab-util-private.h"

struct _ConfabTool
{
  GObject          parent_instance;

  /* Weak: the server owns its tools. */
  ConfabMcpServer *server;
  char            *server_name;
  char            *name;
  char            *exposed_name;
  char            *description;
  JsonNode        *input_schema;
  JsonObject      *annotations;
};

G_DEFINE_FINAL_TYPE (ConfabTool, confab_tool, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVER,
  PROP_SERVER_NAME,
  PROP_NAME,
  PROP_EXPOSED_NAME,
  PROP_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_tool_dispose (GObject *object)
{
  ConfabTool *self = (ConfabTool *)object;

  g_clear_weak_pointer (&self->server);

  G_OBJECT_CLASS (confab_tool_parent_class)->dispose (object);
}

static void
confab_tool_finalize (GObject *object)
{
  ConfabTool *self = (ConfabTool *)object;

  g_clear_pointer (&self->server_name, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->exposed_name, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->annotations, json_object_unref);
  g_clear_pointer (&self->input_schema, json_node_unref);

  G_OBJECT_CLASS (confab_tool_parent_class)->finalize (object);
}

static void
confab_tool_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ConfabTool *self = CONFAB_TOOL (object);

  switch (prop_id)
    {
    case PROP_SERVER:       g_value_set_object (value, self->server); break;
    case PROP_SERVER_NAME:  g_value_set_string (value, self->server_name); break;
    case PROP_NAME:         g_value_set_string (value, self->name); break;
    case PROP_EXPOSED_NAME: g_value_set_string (value, confab_tool_get_exposed_name (self)); break;
    case PROP_DESCRIPTION:  g_value_set_string (value, self->description); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_tool_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ConfabTool *self = CONFAB_TOOL (object);

  switch (prop_id)
    {
    case PROP_EXPOSED_NAME:
      confab_tool_set_exposed_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_tool_class_init (ConfabToolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  object_class->dispose = confab_tool_dispose;
  object_class->finalize = confab_tool_finalize;
  object_class->get_property = confab_tool_get_property;
  object_class->set_property = confab_tool_set_property;

  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL, G_TYPE_OBJECT, ro);
  properties[PROP_SERVER_NAME] = g_param_spec_string ("server-name", NULL, NULL, NULL, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_EXPOSED_NAME] =
    g_param_spec_string ("exposed-name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_tool_init (ConfabTool *self)
{
}

ConfabTool *
confab_tool_new (ConfabMcpServer *server,
                 const char      *name,
                 const char      *description,
                 JsonNode        *input_schema)
{
  ConfabTool *self;

  g_return_val_if_fail (server == NULL || CONFAB_IS_MCP_SERVER (server), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_TOOL, NULL);
  g_set_weak_pointer (&self->server, server);
  self->server_name = server ? g_strdup (confab_mcp_server_get_name (server)) : NULL;
  self->name = g_strdup (name);
  self->description = g_strdup (description);
  if (input_schema != NULL)
    self->input_schema = json_node_copy (input_schema);

  return self;
}

ConfabMcpServer *
confab_tool_get_server (ConfabTool *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL (self), NULL);
  return self->server;
}

const char *
confab_tool_get_server_name (ConfabTool *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL (self), NULL);
  return self->server_name;
}

const char *
confab_tool_get_name (ConfabTool *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL (self), NULL);
  return self->name;
}

const char *
confab_tool_get_exposed_name (ConfabTool *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL (self), NULL);
  return self->exposed_name ? self->exposed_name : self->name;
}

void
confab_tool_set_exposed_name (ConfabTool *self,
                              const char *exposed_name)
{
  g_return_if_fail (CONFAB_IS_TOOL (self));

  if (_confab_set_str (&self->exposed_name, exposed_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPOSED_NAME]);
}

const char *
confab_tool_get_description (ConfabTool *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL (self), NULL);
  return self->description;
}

JsonNode *
confab_tool_get_input_schema (ConfabTool *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL (self), NULL);
  return self->input_schema;
}

JsonNode *
confab_tool_to_json (ConfabTool *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (CONFAB_IS_TOOL (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "function");
  json_builder_set_member_name (builder, "function");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, confab_tool_get_exposed_name (self));
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, self->description ? self->description : "");
  json_builder_set_member_name (builder, "parameters");
  if (self->input_schema != NULL)
    json_builder_add_value (builder, json_node_copy (self->input_schema));
  else
    {
      /* MCP requires inputSchema; a server that omits it gets an empty object schema. */
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "object");
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonObject *
confab_tool_get_annotations (ConfabTool *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL (self), NULL);
  return self->annotations;
}

void
confab_tool_set_annotations (ConfabTool *self,
                             JsonObject *annotations)
{
  g_return_if_fail (CONFAB_IS_TOOL (self));

  if (annotations != NULL)
    json_object_ref (annotations);
  g_clear_pointer (&self->annotations, json_object_unref);
  self->annotations = annotations;
}
