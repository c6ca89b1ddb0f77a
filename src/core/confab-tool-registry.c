/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool-registry"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-approval-policy.h"
#include "confab-error.h"
#include "confab-mcp-server.h"
#include "confab-mcp-json-private.h"
#include "confab-mcp-server-private.h"
#include "confab-tool.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"

#define DENIED_RESULT "The user denied this tool call."
#define CANCELLED_RESULT "The tool call was cancelled."
/* What the chat-completions API accepts as a function name. */
#define MAX_FUNCTION_NAME 64

struct _ConfabToolRegistry
{
  GObject     parent_instance;

  GListStore *servers;
  GListStore *tools;
  /* exposed name → ConfabTool (owned by tools) */
  GHashTable *by_name;
};

G_DEFINE_FINAL_TYPE (ConfabToolRegistry, confab_tool_registry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVERS,
  PROP_TOOLS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Names --------------------------------------------------------------------------------- */

static char *
sanitize_function_name (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name; *p && out->len < MAX_FUNCTION_NAME; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '_' || *p == '-')
        g_string_append_c (out, *p);
      else
        g_string_append_c (out, '_');
    }

  if (out->len == 0)
    g_string_append (out, "tool");

  return g_string_free (out, FALSE);
}

static void
confab_tool_registry_rebuild (ConfabToolRegistry *self)
{
  g_autoptr(GPtrArray) tools = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_servers = g_list_model_get_n_items (G_LIST_MODEL (self->servers));

  g_hash_table_remove_all (self->by_name);

  /* Servers in configuration order, each server's tools in its order. The first tool to
   * claim a name keeps it; a later one with the same name is offered as "server__tool",
   * so the result only depends on the order, never on timing. */
  for (guint i = 0; i < n_servers; i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);
      GListModel *server_tools = confab_mcp_server_get_tools (server);
      guint n_tools = g_list_model_get_n_items (server_tools);

      for (guint j = 0; j < n_tools; j++)
        {
          g_autoptr(ConfabTool) tool = g_list_model_get_item (server_tools, j);
          g_autofree char *exposed = sanitize_function_name (confab_tool_get_name (tool));

          if (g_hash_table_contains (self->by_name, exposed))
            {
              g_autofree char *qualified = g_strdup_printf ("%s__%s",
                                                            confab_mcp_server_get_name (server),
                                                            confab_tool_get_name (tool));
              g_autofree char *candidate = sanitize_function_name (qualified);

              for (guint n = 2; g_hash_table_contains (self->by_name, candidate); n++)
                {
                  g_autofree char *numbered = g_strdup_printf ("%.50s_%u", qualified, n);

                  g_free (candidate);
                  candidate = sanitize_function_name (numbered);
                }

              g_free (exposed);
              exposed = g_steal_pointer (&candidate);
            }

          confab_tool_set_exposed_name (tool, exposed);
          g_hash_table_insert (self->by_name, g_strdup (exposed), tool);
          g_ptr_array_add (tools, g_object_ref (tool));
        }
    }

  g_list_store_splice (self->tools, 0, g_list_model_get_n_items (G_LIST_MODEL (self->tools)),
                       tools->pdata, tools->len);
}

static void
on_server_tools_changed (ConfabToolRegistry *self,
                         ConfabMcpServer    *server)
{
  confab_tool_registry_rebuild (self);
}

/* GObject ------------------------------------------------------------------------------- */

static void
confab_tool_registry_dispose (GObject *object)
{
  ConfabToolRegistry *self = (ConfabToolRegistry *)object;

  if (self->servers != NULL)
    {
      confab_tool_registry_stop (self);

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->servers)); i++)
        {
          g_autoptr(ConfabMcpServer) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);
          g_signal_handlers_disconnect_by_data (server, self);
        }
    }

  g_clear_object (&self->servers);
  g_clear_object (&self->tools);
  g_clear_pointer (&self->by_name, g_hash_table_unref);

  G_OBJECT_CLASS (confab_tool_registry_parent_class)->dispose (object);
}

static void
confab_tool_registry_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabToolRegistry *self = CONFAB_TOOL_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_SERVERS: g_value_set_object (value, self->servers); break;
    case PROP_TOOLS:   g_value_set_object (value, self->tools); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_tool_registry_class_init (ConfabToolRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  object_class->dispose = confab_tool_registry_dispose;
  object_class->get_property = confab_tool_registry_get_property;

  properties[PROP_SERVERS] = g_param_spec_object ("servers", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_TOOLS] = g_param_spec_object ("tools", NULL, NULL, G_TYPE_LIST_MODEL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_tool_registry_init (ConfabToolRegistry *self)
{
  self->servers = g_list_store_new (CONFAB_TYPE_MCP_SERVER);
  self->tools = g_list_store_new (CONFAB_TYPE_TOOL);
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

ConfabToolRegistry *
confab_tool_registry_new (void)
{
  return g_object_new (CONFAB_TYPE_TOOL_REGISTRY, NULL);
}

/* Servers ------------------------------------------------------------------------------- */

static gboolean
has_server_named (ConfabToolRegistry *self,
                  const char         *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->servers)); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);

      if (g_strcmp0 (confab_mcp_server_get_name (server), name) == 0)
        return TRUE;
    }

  return FALSE;
}

static char *
make_unique_server_name (ConfabToolRegistry *self,
                         const char         *name)
{
  char *candidate = g_strdup (name);

  for (guint n = 2; has_server_named (self, candidate); n++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%s-%u", name, n);
    }

  return candidate;
}

void
confab_tool_registry_add_server (ConfabToolRegistry *self,
                                 ConfabMcpServer    *server)
{
  g_return_if_fail (CONFAB_IS_TOOL_REGISTRY (self));
  g_return_if_fail (CONFAB_IS_MCP_SERVER (server));

  g_signal_connect_object (server, "tools-changed",
                           G_CALLBACK (on_server_tools_changed), self, G_CONNECT_SWAPPED);
  g_list_store_append (self->servers, server);

  if (g_list_model_get_n_items (confab_mcp_server_get_tools (server)) > 0)
    confab_tool_registry_rebuild (self);
}

gboolean
confab_tool_registry_add_command (ConfabToolRegistry  *self,
                                  const char          *command_line,
                                  GError             **error)
{
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (CONFAB_IS_TOOL_REGISTRY (self), FALSE);
  g_return_val_if_fail (command_line != NULL, FALSE);

  /* A URL is a remote server (Streamable HTTP), named after its host. */
  if (g_str_has_prefix (command_line, "http://") || g_str_has_prefix (command_line, "https://"))
    {
      g_autoptr(GUri) uri = g_uri_parse (command_line, G_URI_FLAGS_NONE, NULL);

      name = make_unique_server_name (self, uri && g_uri_get_host (uri) ? g_uri_get_host (uri) : "remote");
      server = confab_mcp_server_new_for_url (name, command_line, NULL);
      confab_tool_registry_add_server (self, server);
      return TRUE;
    }

  if (!g_shell_parse_argv (command_line, NULL, &argv, &local_error))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("Could not read the MCP server command “%s”: %s"),
                   command_line, local_error->message);
      return FALSE;
    }

  base = g_path_get_basename (argv[0]);
  name = make_unique_server_name (self, base);
  server = confab_mcp_server_new (name, (const char * const *)argv, NULL);
  confab_tool_registry_add_server (self, server);

  return TRUE;
}

static gboolean
read_string_array (JsonNode    *node,
                   GStrvBuilder *builder)
{
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element))
        return FALSE;

      if (json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
      else
        {
          /* Numbers in args are common ("--port", 8080): pass them as typed. */
          g_autoptr(JsonGenerator) generator = json_generator_new ();
          g_autofree char *text = NULL;

          json_generator_set_root (generator, element);
          text = json_generator_to_data (generator, NULL);
          g_strv_builder_add (builder, text);
        }
    }

  return TRUE;
}

typedef struct
{
  char  *name;
  char **argv;
  char **env;
  char  *url;
  char **headers;
  guint  timeout;
} ConfigEntry;

static void
config_entry_free (ConfigEntry *entry)
{
  g_free (entry->name);
  g_strfreev (entry->argv);
  g_strfreev (entry->env);
  g_free (entry->url);
  g_strfreev (entry->headers);
  g_free (entry);
}

/* "timeout": seconds a call may take, 0 when not given. */
static gboolean
read_timeout (JsonObject  *entry,
              const char  *name,
              const char  *path,
              guint       *seconds,
              GError     **error)
{
  JsonNode *timeout = _confab_json_member (entry, "timeout");

  if (timeout != NULL &&
      (!JSON_NODE_HOLDS_VALUE (timeout) ||
       (json_node_get_value_type (timeout) != G_TYPE_INT64 &&
        json_node_get_value_type (timeout) != G_TYPE_DOUBLE) ||
       json_node_get_double (timeout) <= 0 ||
       json_node_get_double (timeout) > 24 * 60 * 60))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, the “timeout” of server “%s” is not a number of seconds"),
                   path, name);
      return FALSE;
    }

  *seconds = timeout ? (guint)MAX (1, json_node_get_double (timeout)) : 0;
  return TRUE;
}

gboolean
confab_tool_registry_load_config (ConfabToolRegistry  *self,
                                  const char          *path,
                                  GError             **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) names = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  JsonNode *root;
  JsonObject *mcp_servers;

  g_return_val_if_fail (CONFAB_IS_TOOL_REGISTRY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;

  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("Could not read the MCP configuration %s: %s"), path, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("The MCP configuration %s is not a JSON object"), path);
      return FALSE;
    }

  if (!json_object_has_member (json_node_get_object (root), "mcpServers"))
    return TRUE;

  mcp_servers = _confab_json_get_object (json_node_get_object (root), "mcpServers");
  if (mcp_servers == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, “mcpServers” is not an object"), path);
      return FALSE;
    }

  /* Validate everything before adding anything, so a bad entry leaves no half-loaded
   * configuration behind. json-glib keeps members in file order. */
  servers = g_ptr_array_new_with_free_func ((GDestroyNotify)config_entry_free);
  names = json_object_get_members (mcp_servers);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *entry_node = json_object_get_member (mcp_servers, name);
      g_autoptr(GStrvBuilder) argv_builder = g_strv_builder_new ();
      g_autoptr(GStrvBuilder) env_builder = g_strv_builder_new ();
      ConfigEntry *config_entry;
      JsonObject *entry;
      JsonObject *env_object;
      const char *command;

      if (!JSON_NODE_HOLDS_OBJECT (entry_node))
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                       _("In the MCP configuration %s, server “%s” is not an object"), path, name);
          return FALSE;
        }

      entry = json_node_get_object (entry_node);

      if (_confab_json_get_boolean (entry, "disabled", FALSE))
        continue;

      command = _confab_json_get_string (entry, "command", NULL);
      if (command == NULL || *command == '\0')
        {
          /* A remote server: "url", "headers" (confab-mcp-server-remote.c). */
          if (json_object_has_member (entry, "url"))
            {
              config_entry = g_new0 (ConfigEntry, 1);
              config_entry->name = g_strdup (name);
              g_ptr_array_add (servers, config_entry);
              if (!_confab_mcp_server_read_remote_config (entry, name, path, &config_entry->url,
                                                          &config_entry->headers, error) ||
                  !read_timeout (entry, name, path, &config_entry->timeout, error))
                return FALSE;
              continue;
            }

          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                       _("In the MCP configuration %s, server “%s” has no “command”"), path, name);
          return FALSE;
        }

      g_strv_builder_add (argv_builder, command);
      if (!read_string_array (json_object_get_member (entry, "args"), argv_builder))
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                       _("In the MCP configuration %s, the “args” of server “%s” are not a list of strings"),
                       path, name);
          return FALSE;
        }

      if (json_object_has_member (entry, "env"))
        {
          g_autoptr(GList) keys = NULL;

          env_object = _confab_json_get_object (entry, "env");
          if (env_object == NULL)
            {
              g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                           _("In the MCP configuration %s, the “env” of server “%s” is not an object"),
                           path, name);
              return FALSE;
            }

          keys = json_object_get_members (env_object);
          for (const GList *k = keys; k != NULL; k = k->next)
            {
              JsonNode *value = json_object_get_member (env_object, k->data);
              g_autofree char *pair = NULL;

              if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
                {
                  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                               _("In the MCP configuration %s, “env.%s” of server “%s” is not a string"),
                               path, (const char *)k->data, name);
                  return FALSE;
                }

              pair = g_strdup_printf ("%s=%s", (const char *)k->data, json_node_get_string (value));
              g_strv_builder_add (env_builder, pair);
            }
        }

      config_entry = g_new0 (ConfigEntry, 1);
      config_entry->name = g_strdup (name);
      config_entry->argv = g_strv_builder_end (argv_builder);
      config_entry->env = g_strv_builder_end (env_builder);
      g_ptr_array_add (servers, config_entry);
      if (!read_timeout (entry, name, path, &config_entry->timeout, error))
        return FALSE;
    }

  for (guint i = 0; i < servers->len; i++)
    {
      ConfigEntry *entry = servers->pdata[i];
      /* A name given twice (config plus --mcp …) must stay unique. */
      g_autofree char *name = make_unique_server_name (self, entry->name);
      g_autoptr(ConfabMcpServer) server =
        entry->url != NULL
          ? confab_mcp_server_new_for_url (name, entry->url, (const char * const *)entry->headers)
          : confab_mcp_server_new (name, (const char * const *)entry->argv,
                                   (const char * const *)entry->env);

      if (entry->timeout > 0)
        confab_mcp_server_set_call_timeout (server, entry->timeout);
      confab_tool_registry_add_server (self, server);
    }

  return TRUE;
}

char *
confab_tool_registry_get_default_config_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "confab", "mcp.json", NULL);
}

GListModel *
confab_tool_registry_get_servers (ConfabToolRegistry *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_REGISTRY (self), NULL);
  return G_LIST_MODEL (self->servers);
}

GListModel *
confab_tool_registry_get_tools (ConfabToolRegistry *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_REGISTRY (self), NULL);
  return G_LIST_MODEL (self->tools);
}

/* Starting ------------------------------------------------------------------------------ */

typedef struct
{
  guint n_pending;
} StartData;

static void
on_server_started (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StartData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* A failure stays on the server (state failed, error): the others go on. */
  if (!confab_mcp_server_start_finish (CONFAB_MCP_SERVER (object), result, &error))
    g_debug ("%s", error->message);

  if (--data->n_pending > 0)
    return;

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

void
confab_tool_registry_start_async (ConfabToolRegistry  *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StartData *data;
  guint n_servers;

  g_return_if_fail (CONFAB_IS_TOOL_REGISTRY (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_tool_registry_start_async);

  data = g_new0 (StartData, 1);
  g_task_set_task_data (task, data, g_free);

  n_servers = g_list_model_get_n_items (G_LIST_MODEL (self->servers));

  /* One for this function, so a server that fails at once cannot finish the task early. */
  data->n_pending = 1;

  for (guint i = 0; i < n_servers; i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);
      ConfabMcpServerState state = confab_mcp_server_get_state (server);

      if (state == CONFAB_MCP_SERVER_STATE_READY || state == CONFAB_MCP_SERVER_STATE_STARTING)
        continue;

      data->n_pending++;
      confab_mcp_server_start_async (server, cancellable, on_server_started, g_object_ref (task));
    }

  if (--data->n_pending == 0 && !g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

gboolean
confab_tool_registry_start_finish (ConfabToolRegistry  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
confab_tool_registry_stop (ConfabToolRegistry *self)
{
  g_return_if_fail (CONFAB_IS_TOOL_REGISTRY (self));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->servers)); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);
      confab_mcp_server_stop (server);
    }
}

/* Offering ------------------------------------------------------------------------------ */

JsonNode *
confab_tool_registry_to_request_tools (ConfabToolRegistry *self)
{
  g_autoptr(JsonArray) array = NULL;
  JsonNode *node;
  guint n_tools;

  g_return_val_if_fail (CONFAB_IS_TOOL_REGISTRY (self), NULL);

  n_tools = g_list_model_get_n_items (G_LIST_MODEL (self->tools));
  if (n_tools == 0)
    return NULL;

  array = json_array_sized_new (n_tools);
  for (guint i = 0; i < n_tools; i++)
    {
      g_autoptr(ConfabTool) tool = g_list_model_get_item (G_LIST_MODEL (self->tools), i);
      json_array_add_element (array, confab_tool_to_json (tool));
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);

  return node;
}

ConfabTool *
confab_tool_registry_lookup (ConfabToolRegistry *self,
                             const char         *exposed_name)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_REGISTRY (self), NULL);

  if (exposed_name == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_name, exposed_name);
}

/* Calling ------------------------------------------------------------------------------- */

typedef struct
{
  ConfabToolCall       *call;
  ConfabTool           *tool;
  ConfabMcpServer      *server;
  ConfabApprovalPolicy *approvals;
  JsonNode             *arguments;
  GSource              *cancel_source;
  gulong                approval_handler;
} CallData;

static void
call_data_free (CallData *data)
{
  if (data->approval_handler != 0)
    g_signal_handler_disconnect (data->call, data->approval_handler);
  if (data->cancel_source != NULL)
    {
      g_source_destroy (data->cancel_source);
      g_source_unref (data->cancel_source);
    }
  g_clear_object (&data->call);
  g_clear_object (&data->tool);
  g_clear_object (&data->server);
  g_clear_object (&data->approvals);
  g_clear_pointer (&data->arguments, json_node_unref);
  g_free (data);
}

/* Result first, then status: a view that reacts to the status finds the result set. */
static void
finish_call (GTask                *task,
             ConfabToolCallStatus  status,
             const char           *result,
             const char           *error)
{
  CallData *data = g_task_get_task_data (task);

  confab_tool_call_set_result (data->call, result);
  confab_tool_call_set_error (data->call, error);
  confab_tool_call_set_status (data->call, status);

  g_task_return_boolean (task, TRUE);
}

static void
finish_cancelled (GTask *task)
{
  CallData *data = g_task_get_task_data (task);

  confab_tool_call_set_result (data->call, CANCELLED_RESULT);
  confab_tool_call_set_error (data->call, _("The tool call was cancelled."));
  confab_tool_call_set_status (data->call, CONFAB_TOOL_CALL_STATUS_FAILED);

  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", CANCELLED_RESULT);
}

/* What the model reads of a failed call: the error without the server's command line,
 * which may carry a token as an argument ("--api-key sk-…"). The user's error keeps it. */
static char *
result_for_model (ConfabMcpServer *server,
                  const char      *message)
{
  g_autofree char *command_line = confab_mcp_server_dup_command_line (server);
  g_autofree char *in_parentheses = g_strdup_printf (" (%s)", command_line);
  GString *result = g_string_new (message);

  if (command_line[0] != '\0')
    {
      g_string_replace (result, in_parentheses, "", 0);
      g_string_replace (result, command_line, "(command line)", 0);
    }

  return g_string_free (result, FALSE);
}

static void
on_tool_called (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean is_error = FALSE;

  node = confab_mcp_server_call_tool_finish (CONFAB_MCP_SERVER (object), result, &error);
  if (node == NULL)
    {
      g_autofree char *for_model = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          finish_cancelled (task);
          return;
        }

      for_model = result_for_model (data->server, error->message);
      finish_call (task, CONFAB_TOOL_CALL_STATUS_FAILED, for_model, error->message);
      return;
    }

  text = confab_mcp_result_to_text (node, &is_error);

  if (JSON_NODE_HOLDS_OBJECT (node) &&
      json_object_has_member (json_node_get_object (node), "content"))
    confab_tool_call_set_result_content (data->call,
                                         json_object_get_member (json_node_get_object (node),
                                                                 "content"));

  if (JSON_NODE_HOLDS_OBJECT (node))
    confab_tool_call_set_structured_content (data->call,
                                             json_object_get_member (json_node_get_object (node),
                                                                     "structuredContent"));

  if (is_error)
    finish_call (task, CONFAB_TOOL_CALL_STATUS_FAILED, text, text);
  else
    finish_call (task, CONFAB_TOOL_CALL_STATUS_DONE, text, NULL);
}

static void
call_progress_cb (double      progress,
                  double      total,
                  const char *message,
                  gpointer    user_data)
{
  confab_tool_call_set_progress (CONFAB_TOOL_CALL (user_data), progress, total, message);
}

static void
run_call (GTask *task)
{
  CallData *data = g_task_get_task_data (task);

  if (data->cancel_source != NULL)
    {
      g_source_destroy (data->cancel_source);
      g_clear_pointer (&data->cancel_source, g_source_unref);
    }

  confab_tool_call_set_status (data->call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  confab_mcp_server_call_tool_with_progress_async (data->server, confab_tool_get_name (data->tool),
                                                   data->arguments,
                                                   call_progress_cb, g_object_ref (data->call),
                                                   g_object_unref,
                                                   g_task_get_cancellable (task),
                                                   on_tool_called, g_object_ref (task));
}

static void
on_approval_resolved (ConfabToolCall *call,
                      ConfabApproval  approval,
                      gpointer        user_data)
{
  /* Adopts the reference held while waiting. */
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);

  g_clear_signal_handler (&data->approval_handler, data->call);
  if (data->cancel_source != NULL)
    {
      g_source_destroy (data->cancel_source);
      g_clear_pointer (&data->cancel_source, g_source_unref);
    }

  switch (approval)
    {
    case CONFAB_APPROVAL_ALLOW_ALWAYS:
      if (data->approvals != NULL)
        confab_approval_policy_allow_always (data->approvals,
                                             confab_mcp_server_get_name (data->server),
                                             confab_tool_get_name (data->tool));
      run_call (task);
      break;

    case CONFAB_APPROVAL_ALLOW_ONCE:
      run_call (task);
      break;

    case CONFAB_APPROVAL_DENY:
    default:
      /* The model reads the result (always English, like the rest of the request); the user
       * reads the error. */
      finish_call (task, CONFAB_TOOL_CALL_STATUS_DENIED, DENIED_RESULT,
                   _("You denied this tool call."));
      break;
    }
}

static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  CallData *data = g_task_get_task_data (task);

  g_clear_signal_handler (&data->approval_handler, data->call);
  g_clear_pointer (&data->cancel_source, g_source_unref);

  finish_cancelled (task);
  /* The reference held while waiting for the approval. */
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

void
confab_tool_registry_call_async (ConfabToolRegistry   *self,
                                 ConfabToolCall       *call,
                                 ConfabApprovalPolicy *approvals,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CallData *data;
  const char *name;

  g_return_if_fail (CONFAB_IS_TOOL_REGISTRY (self));
  g_return_if_fail (CONFAB_IS_TOOL_CALL (call));
  g_return_if_fail (!approvals || CONFAB_IS_APPROVAL_POLICY (approvals));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_tool_registry_call_async);
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (CallData, 1);
  data->call = g_object_ref (call);
  data->approvals = approvals ? g_object_ref (approvals) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify)call_data_free);

  if (g_cancellable_is_cancelled (cancellable))
    {
      finish_cancelled (task);
      return;
    }

  name = confab_tool_call_get_name (call);
  data->tool = confab_tool_registry_lookup (self, name);
  if (data->tool == NULL)
    {
      g_autofree char *result = NULL;
      GString *available = g_string_new (NULL);

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->tools)); i++)
        {
          g_autoptr(ConfabTool) tool = g_list_model_get_item (G_LIST_MODEL (self->tools), i);

          if (available->len > 0)
            g_string_append (available, ", ");
          g_string_append (available, confab_tool_get_exposed_name (tool));
        }

      if (available->len > 0)
        result = g_strdup_printf ("Error: there is no tool named “%s”. Available tools: %s.",
                                  name ? name : "", available->str);
      else
        result = g_strdup_printf ("Error: there is no tool named “%s”. No tools are available.",
                                  name ? name : "");
      g_string_free (available, TRUE);

      finish_call (task, CONFAB_TOOL_CALL_STATUS_FAILED, result, result);
      return;
    }

  g_object_ref (data->tool);
  if (confab_tool_get_server (data->tool) == NULL)
    {
      g_autofree char *result = g_strdup_printf ("Error: the server of the tool “%s” is gone.", name);

      finish_call (task, CONFAB_TOOL_CALL_STATUS_FAILED, result, result);
      return;
    }
  data->server = g_object_ref (confab_tool_get_server (data->tool));
  confab_tool_call_set_annotations (call, confab_tool_get_annotations (data->tool));
  confab_tool_call_set_server (call, confab_mcp_server_get_name (data->server));

  data->arguments = confab_tool_call_parse_arguments (call, &error);
  if (data->arguments != NULL && !JSON_NODE_HOLDS_OBJECT (data->arguments))
    {
      g_clear_pointer (&data->arguments, json_node_unref);
      g_set_error (&error, CONFAB_ERROR, CONFAB_ERROR_TOOL,
                   "The arguments of %s must be a JSON object", name);
    }
  if (data->arguments == NULL)
    {
      g_autofree char *result = g_strdup_printf ("Error: %s. The tool was not run.", error->message);

      finish_call (task, CONFAB_TOOL_CALL_STATUS_FAILED, result, error->message);
      return;
    }

  if (approvals != NULL &&
      confab_approval_policy_is_allowed (approvals,
                                         confab_mcp_server_get_name (data->server),
                                         confab_tool_get_name (data->tool)))
    {
      run_call (task);
      return;
    }

  /* No consent yet: ask, and hold the task until the answer (or cancellation). */
  g_object_ref (task);
  data->approval_handler = g_signal_connect (call, "approval-resolved",
                                             G_CALLBACK (on_approval_resolved), task);
  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel_source, G_SOURCE_FUNC (on_wait_cancelled), task, NULL);
      g_source_set_static_name (data->cancel_source, "[confab] tool approval cancel");
      g_source_attach (data->cancel_source, g_task_get_context (task));
    }

  confab_tool_call_request_approval (call);
}

gboolean
confab_tool_registry_call_finish (ConfabToolRegistry  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
