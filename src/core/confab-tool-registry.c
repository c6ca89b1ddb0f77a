/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool-registry"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-approval-policy.h"
#include "confab-error.h"
#include "confab-mcp-elicitation.h"
#include "confab-mcp-config.h"
#include "confab-mcp-server.h"
#include "confab-mcp-json-private.h"
#include "confab-mcp-server-private.h"
#include "confab-tool.h"
#include "confab-tool-registry.h"

/* What the chat-completions API accepts as a function name. */
#define MAX_FUNCTION_NAME 64

struct _ConfabToolRegistry
{
  GObject     parent_instance;

  GListStore *servers;
  GListStore *tools;
  /* exposed name → ConfabTool (owned by tools) */
  GHashTable *by_name;
  /* Where a server's question outside any tool call is logged (a call logs its own). */
  ConfabApprovalPolicy *approvals;
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
  g_clear_object (&self->approvals);
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

typedef struct
{
  ConfabApprovalPolicy *approvals;
  char                 *server;
} QuestionLog;

static void
question_log_free (gpointer  user_data,
                   GClosure *closure)
{
  QuestionLog *log = user_data;

  g_object_unref (log->approvals);
  g_free (log->server);
  g_free (log);
}

/* A call that was running logged it with its chat and tool (confab-tool-registry-call.c,
 * which marks it when the question came); otherwise it is logged here, without a chat. */
static void
on_question_answered (ConfabMcpElicitation *elicitation,
                      const char           *action,
                      QuestionLog          *log)
{
  if (g_object_get_data (G_OBJECT (elicitation), "confab-logged") != NULL)
    return;

  confab_approval_policy_record (log->approvals, NULL, log->server, "", "elicitation", action,
                                 confab_mcp_elicitation_get_message (elicitation));
}

static void
on_server_question (ConfabToolRegistry   *self,
                    ConfabMcpElicitation *elicitation,
                    ConfabMcpServer      *server)
{
  QuestionLog *log;

  if (self->approvals == NULL)
    return;

  log = g_new0 (QuestionLog, 1);
  log->approvals = g_object_ref (self->approvals);
  log->server = g_strdup (confab_mcp_server_get_name (server));
  g_signal_connect_data (elicitation, "answered", G_CALLBACK (on_question_answered), log,
                         question_log_free, 0);
}

void
confab_tool_registry_set_approvals (ConfabToolRegistry   *self,
                                    ConfabApprovalPolicy *approvals)
{
  g_return_if_fail (CONFAB_IS_TOOL_REGISTRY (self));
  g_return_if_fail (!approvals || CONFAB_IS_APPROVAL_POLICY (approvals));

  g_set_object (&self->approvals, approvals);
}

void
confab_tool_registry_add_server (ConfabToolRegistry *self,
                                 ConfabMcpServer    *server)
{
  g_return_if_fail (CONFAB_IS_TOOL_REGISTRY (self));
  g_return_if_fail (CONFAB_IS_MCP_SERVER (server));

  g_signal_connect_object (server, "tools-changed",
                           G_CALLBACK (on_server_tools_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (server, "elicitation-started",
                           G_CALLBACK (on_server_question), self, G_CONNECT_SWAPPED);
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

gboolean
confab_tool_registry_load_config (ConfabToolRegistry  *self,
                                  const char          *path,
                                  GError             **error)
{
  g_autoptr(ConfabMcpConfig) config = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_auto(GStrv) names = NULL;

  g_return_val_if_fail (CONFAB_IS_TOOL_REGISTRY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  config = confab_mcp_config_new (path);
  if (!confab_mcp_config_load (config, error))
    return FALSE;

  /* Validate everything before adding anything, so a bad entry leaves no half-loaded
   * configuration behind. Servers keep the file's order. */
  servers = g_ptr_array_new_with_free_func (g_object_unref);
  names = confab_mcp_config_dup_names (config);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(ConfabMcpServerConfig) entry = confab_mcp_config_get_server (config, names[i], error);
      ConfabMcpServer *server;

      if (entry == NULL)
        return FALSE;
      if (entry->disabled)
        continue;

      /* A name given twice (config plus --mcp …) must stay unique. */
      g_free (entry->name);
      entry->name = make_unique_server_name (self, names[i]);
      server = confab_mcp_config_create_server (config, entry, error);
      if (server == NULL)
        return FALSE;
      g_ptr_array_add (servers, server);
    }

  for (guint i = 0; i < servers->len; i++)
    confab_tool_registry_add_server (self, servers->pdata[i]);

  return TRUE;
}

char *
confab_tool_registry_get_default_config_path (void)
{
  return confab_mcp_config_get_default_path ();
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
