/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool-registry"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-approval-policy.h"
#include "confab-error.h"
#include "confab-mcp-elicitation.h"
#include "confab-mcp-server.h"
#include "confab-tool.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"

/* ConfabToolRegistry, its second half: one tool call from the model to its result, through
 * the approval policy (ask, or run on a standing "always", "for this chat" or --yes), with
 * every decision recorded, and the server's questions during the call recorded too. The
 * first half (confab-tool-registry.c) keeps the servers and the names of their tools. */

#define DENIED_RESULT "The user denied this tool call."
#define CANCELLED_RESULT "The tool call was cancelled."

/* Calling ------------------------------------------------------------------------------- */

typedef struct
{
  ConfabToolCall       *call;
  ConfabTool           *tool;
  ConfabMcpServer      *server;
  ConfabApprovalPolicy *approvals;
  char                 *chat_id;
  JsonNode             *arguments;
  GSource              *cancel_source;
  gulong                approval_handler;
  gulong                elicit_handler;
} CallData;

static void
call_data_free (CallData *data)
{
  if (data->approval_handler != 0)
    g_signal_handler_disconnect (data->call, data->approval_handler);
  if (data->elicit_handler != 0)
    g_signal_handler_disconnect (data->server, data->elicit_handler);
  if (data->cancel_source != NULL)
    {
      g_source_destroy (data->cancel_source);
      g_source_unref (data->cancel_source);
    }
  g_clear_object (&data->call);
  g_clear_object (&data->tool);
  g_clear_object (&data->server);
  g_clear_object (&data->approvals);
  g_free (data->chat_id);
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
record (CallData   *data,
        const char *kind,
        const char *decision,
        const char *detail)
{
  if (data->approvals == NULL)
    return;

  confab_approval_policy_record (data->approvals, data->chat_id,
                                 confab_mcp_server_get_name (data->server),
                                 confab_tool_get_name (data->tool), kind, decision, detail);
}

typedef struct
{
  ConfabApprovalPolicy *approvals;
  char                 *chat_id;
  char                 *server;
  char                 *tool;
} ElicitationLog;

static void
elicitation_log_free (gpointer  user_data,
                      GClosure *closure)
{
  ElicitationLog *log = user_data;

  g_object_unref (log->approvals);
  g_free (log->chat_id);
  g_free (log->server);
  g_free (log->tool);
  g_free (log);
}

static void
on_elicitation_answered (ConfabMcpElicitation *elicitation,
                         const char           *action,
                         ElicitationLog       *log)
{
  confab_approval_policy_record (log->approvals, log->chat_id, log->server, log->tool,
                                 "elicitation", action,
                                 confab_mcp_elicitation_get_message (elicitation));
}

/* The server asks the user something while this call runs: the answer is logged with the
 * call's chat and tool (once, when calls of one server run side by side). */
static void
on_server_elicit (ConfabMcpServer      *server,
                  ConfabMcpElicitation *elicitation,
                  GTask                *task)
{
  CallData *data = g_task_get_task_data (task);
  ElicitationLog *log;

  if (data->approvals == NULL || g_object_get_data (G_OBJECT (elicitation), "confab-logged"))
    return;
  g_object_set_data (G_OBJECT (elicitation), "confab-logged", GINT_TO_POINTER (TRUE));

  log = g_new0 (ElicitationLog, 1);
  log->approvals = g_object_ref (data->approvals);
  log->chat_id = g_strdup (data->chat_id);
  log->server = g_strdup (confab_mcp_server_get_name (server));
  log->tool = g_strdup (confab_tool_get_name (data->tool));
  g_signal_connect_data (elicitation, "answered", G_CALLBACK (on_elicitation_answered), log,
                         elicitation_log_free, 0);
}

static void
run_call (GTask *task)
{
  CallData *data = g_task_get_task_data (task);

  if (data->elicit_handler == 0)
    data->elicit_handler = g_signal_connect (data->server, "elicitation-started",
                                             G_CALLBACK (on_server_elicit), task);

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
      record (data, "approval", "allow-always", NULL);
      run_call (task);
      break;

    case CONFAB_APPROVAL_ALLOW_CHAT:
      if (data->approvals != NULL)
        confab_approval_policy_allow_for_chat (data->approvals, data->chat_id,
                                               confab_mcp_server_get_name (data->server),
                                               confab_tool_get_name (data->tool));
      record (data, "approval", data->chat_id ? "allow-chat" : "allow-once", NULL);
      run_call (task);
      break;

    case CONFAB_APPROVAL_ALLOW_ONCE:
      record (data, "approval", "allow-once", NULL);
      run_call (task);
      break;

    case CONFAB_APPROVAL_DENY:
    default:
      record (data, "approval", "deny", NULL);
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

  record (data, "approval", "cancelled", NULL);
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
  confab_tool_registry_call_in_chat_async (self, call, approvals, NULL, cancellable,
                                           callback, user_data);
}

void
confab_tool_registry_call_in_chat_async (ConfabToolRegistry   *self,
                                         ConfabToolCall       *call,
                                         ConfabApprovalPolicy *approvals,
                                         const char           *chat_id,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CallData *data;
  const char *name;
  const char *standing = NULL;

  g_return_if_fail (CONFAB_IS_TOOL_REGISTRY (self));
  g_return_if_fail (CONFAB_IS_TOOL_CALL (call));
  g_return_if_fail (!approvals || CONFAB_IS_APPROVAL_POLICY (approvals));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_tool_registry_call_in_chat_async);
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (CallData, 1);
  data->call = g_object_ref (call);
  data->approvals = approvals ? g_object_ref (approvals) : NULL;
  data->chat_id = g_strdup (chat_id);
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

      GListModel *tools = confab_tool_registry_get_tools (self);

      for (guint i = 0; i < g_list_model_get_n_items (tools); i++)
        {
          g_autoptr(ConfabTool) tool = g_list_model_get_item (tools, i);

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

  if (approvals != NULL)
    standing = confab_approval_policy_get_standing (approvals, chat_id,
                                                    confab_mcp_server_get_name (data->server),
                                                    confab_tool_get_name (data->tool));
  if (standing != NULL)
    {
      g_autofree char *decision = g_strconcat ("auto-", standing, NULL);

      record (data, "approval", decision, NULL);
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

gboolean
confab_tool_registry_call_in_chat_finish (ConfabToolRegistry  *self,
                                          GAsyncResult        *result,
                                          GError             **error)
{
  return confab_tool_registry_call_finish (self, result, error);
}
