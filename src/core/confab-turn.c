/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-turn"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-approval-policy.h"
#include "confab-client.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"
#include "confab-turn.h"
#include "confab-util-private.h"

struct _ConfabTurn
{
  GObject               parent_instance;

  ConfabClient         *client;
  ConfabProvider       *provider;
  ConfabConversation   *conversation;
  ConfabToolRegistry   *tools;
  ConfabApprovalPolicy *approvals;
  char                 *model;
  GPtrArray            *steps;
  guint                 max_steps;
  guint                 max_tool_calls;
  gsize                 max_tool_result;
  guint                 hit_step_limit : 1;
  guint                 running : 1;
};

G_DEFINE_FINAL_TYPE (ConfabTurn, confab_turn, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_PROVIDER,
  PROP_CONVERSATION,
  PROP_TOOLS,
  PROP_APPROVALS,
  PROP_MODEL,
  PROP_MAX_STEPS,
  PROP_HIT_STEP_LIMIT,
  N_PROPS
};

enum {
  STEP_STARTED,
  APPROVAL_REQUESTED,
  TOOL_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
confab_turn_finalize (GObject *object)
{
  ConfabTurn *self = (ConfabTurn *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->provider);
  g_clear_object (&self->conversation);
  g_clear_object (&self->tools);
  g_clear_object (&self->approvals);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->steps, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_turn_parent_class)->finalize (object);
}

static void
confab_turn_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ConfabTurn *self = CONFAB_TURN (object);

  switch (prop_id)
    {
    case PROP_CLIENT:         g_value_set_object (value, self->client); break;
    case PROP_PROVIDER:       g_value_set_object (value, self->provider); break;
    case PROP_CONVERSATION:   g_value_set_object (value, self->conversation); break;
    case PROP_TOOLS:          g_value_set_object (value, self->tools); break;
    case PROP_APPROVALS:      g_value_set_object (value, self->approvals); break;
    case PROP_MODEL:          g_value_set_string (value, confab_turn_get_model (self)); break;
    case PROP_MAX_STEPS:      g_value_set_uint (value, self->max_steps); break;
    case PROP_HIT_STEP_LIMIT: g_value_set_boolean (value, self->hit_step_limit); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_turn_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ConfabTurn *self = CONFAB_TURN (object);

  switch (prop_id)
    {
    case PROP_CLIENT:       self->client = g_value_dup_object (value); break;
    case PROP_PROVIDER:     self->provider = g_value_dup_object (value); break;
    case PROP_CONVERSATION: self->conversation = g_value_dup_object (value); break;
    case PROP_TOOLS:        self->tools = g_value_dup_object (value); break;
    case PROP_APPROVALS:    self->approvals = g_value_dup_object (value); break;
    case PROP_MODEL:        confab_turn_set_model (self, g_value_get_string (value)); break;
    case PROP_MAX_STEPS:    confab_turn_set_max_steps (self, g_value_get_uint (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_turn_class_init (ConfabTurnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  GParamFlags rw = (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  object_class->finalize = confab_turn_finalize;
  object_class->get_property = confab_turn_get_property;
  object_class->set_property = confab_turn_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, CONFAB_TYPE_CLIENT, construct);
  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, CONFAB_TYPE_PROVIDER, construct);
  properties[PROP_CONVERSATION] =
    g_param_spec_object ("conversation", NULL, NULL, CONFAB_TYPE_CONVERSATION, construct);
  properties[PROP_TOOLS] =
    g_param_spec_object ("tools", NULL, NULL, CONFAB_TYPE_TOOL_REGISTRY, construct);
  properties[PROP_APPROVALS] =
    g_param_spec_object ("approvals", NULL, NULL, CONFAB_TYPE_APPROVAL_POLICY, construct);
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL, rw);
  properties[PROP_MAX_STEPS] =
    g_param_spec_uint ("max-steps", NULL, NULL, 1, G_MAXUINT, CONFAB_TURN_DEFAULT_MAX_STEPS, rw);
  properties[PROP_HIT_STEP_LIMIT] =
    g_param_spec_boolean ("hit-step-limit", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabTurn::step-started:
   * @assistant: the streaming assistant message, already in the conversation
   */
  signals[STEP_STARTED] =
    g_signal_new ("step-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CONFAB_TYPE_MESSAGE);

  /**
   * ConfabTurn::approval-requested:
   * @call: the call waiting; answer with confab_tool_call_resolve_approval()
   */
  signals[APPROVAL_REQUESTED] =
    g_signal_new ("approval-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CONFAB_TYPE_TOOL_CALL);

  /**
   * ConfabTurn::tool-finished:
   * @call: the call, with its result (or error, or denial)
   */
  signals[TOOL_FINISHED] =
    g_signal_new ("tool-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CONFAB_TYPE_TOOL_CALL);
}

static void
confab_turn_init (ConfabTurn *self)
{
  self->max_steps = CONFAB_TURN_DEFAULT_MAX_STEPS;
  self->max_tool_calls = CONFAB_TURN_DEFAULT_MAX_TOOL_CALLS;
  self->max_tool_result = CONFAB_TURN_DEFAULT_MAX_TOOL_RESULT;
  self->steps = g_ptr_array_new_with_free_func (g_object_unref);
}

ConfabTurn *
confab_turn_new (ConfabClient         *client,
                 ConfabProvider       *provider,
                 ConfabConversation   *conversation,
                 ConfabToolRegistry   *tools,
                 ConfabApprovalPolicy *approvals)
{
  g_return_val_if_fail (CONFAB_IS_CLIENT (client), NULL);
  g_return_val_if_fail (CONFAB_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);
  g_return_val_if_fail (!tools || CONFAB_IS_TOOL_REGISTRY (tools), NULL);
  g_return_val_if_fail (!approvals || CONFAB_IS_APPROVAL_POLICY (approvals), NULL);

  return g_object_new (CONFAB_TYPE_TURN,
                       "client", client,
                       "provider", provider,
                       "conversation", conversation,
                       "tools", tools,
                       "approvals", approvals,
                       NULL);
}

guint
confab_turn_get_max_steps (ConfabTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN (self), 0);

  return self->max_steps;
}

void
confab_turn_set_max_steps (ConfabTurn *self,
                           guint       max_steps)
{
  g_return_if_fail (CONFAB_IS_TURN (self));
  g_return_if_fail (max_steps > 0);

  if (self->max_steps == max_steps)
    return;

  self->max_steps = max_steps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_STEPS]);
}

guint
confab_turn_get_max_tool_calls (ConfabTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN (self), 0);
  return self->max_tool_calls;
}

void
confab_turn_set_max_tool_calls (ConfabTurn *self,
                                guint       max_tool_calls)
{
  g_return_if_fail (CONFAB_IS_TURN (self));
  g_return_if_fail (max_tool_calls > 0);
  self->max_tool_calls = max_tool_calls;
}

gsize
confab_turn_get_max_tool_result (ConfabTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN (self), 0);
  return self->max_tool_result;
}

void
confab_turn_set_max_tool_result (ConfabTurn *self,
                                 gsize       max_bytes)
{
  g_return_if_fail (CONFAB_IS_TURN (self));
  g_return_if_fail (max_bytes > 0);
  self->max_tool_result = max_bytes;
}

const char *
confab_turn_get_model (ConfabTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN (self), NULL);

  if (self->model != NULL && self->model[0] != '\0')
    return self->model;

  return confab_provider_choose_model (self->provider, confab_conversation_get_model (self->conversation));
}

void
confab_turn_set_model (ConfabTurn *self,
                       const char *model)
{
  g_return_if_fail (CONFAB_IS_TURN (self));

  if (_confab_set_str (&self->model, model))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

ConfabConversation *
confab_turn_get_conversation (ConfabTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN (self), NULL);

  return self->conversation;
}

GPtrArray *
confab_turn_get_steps (ConfabTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN (self), NULL);

  return self->steps;
}

gboolean
confab_turn_get_hit_step_limit (ConfabTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN (self), FALSE);

  return self->hit_step_limit;
}

/* The running turn. */

typedef struct
{
  ConfabToolCall *call;
  gulong          status_handler;
  guint           finished : 1;
} PendingCall;

typedef struct
{
  ConfabMessage *assistant;
  GArray        *calls;          /* PendingCall, in call order */
  guint          n_pending;
  GError        *error;          /* the first cancellation seen while tools ran */
} RunData;

static void
pending_call_clear (PendingCall *pending)
{
  g_clear_signal_handler (&pending->status_handler, pending->call);
  g_clear_object (&pending->call);
}

static void
run_data_clear_calls (RunData *data)
{
  g_clear_pointer (&data->calls, g_array_unref);
  data->n_pending = 0;
}

static void
run_data_free (RunData *data)
{
  run_data_clear_calls (data);
  g_clear_object (&data->assistant);
  g_clear_error (&data->error);
  g_free (data);
}

static void
turn_return (GTask  *task,
             GError *error)
{
  ConfabTurn *self = g_task_get_source_object (task);

  self->running = FALSE;

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void start_step (GTask *task);

static void
stream_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data);

/* The first @max bytes of @result (whole characters) and a note saying what was cut. */
static char *
cut_tool_result (const char *result,
                 gsize       max)
{
  gsize len = strlen (result);
  const char *end = result + max;
  g_autofree char *total = g_format_size (len);
  g_autofree char *kept = NULL;

  /* Back to the start of a character. */
  while (end > result && ((guchar)*end & 0xC0) == 0x80)
    end--;
  kept = g_format_size (end - result);

  return g_strdup_printf (_("%.*s\n[Confab cut this tool result: it was %s; the first %s were kept]"),
                          (int) (end - result), result, total, kept);
}

/* Appends the tool message answering @call: its result, else its error (cut to the turn's
 * limit on what a tool may send the model). */
static void
append_tool_result (ConfabTurn     *self,
                    ConfabToolCall *call)
{
  g_autoptr(ConfabMessage) tool_message = NULL;
  const char *result = confab_tool_call_get_result (call);

  if (result == NULL)
    result = confab_tool_call_get_error (call);

  if (result != NULL && strlen (result) > self->max_tool_result)
    {
      g_autofree char *cut = cut_tool_result (result, self->max_tool_result);

      tool_message = confab_message_new (CONFAB_ROLE_TOOL, cut);
    }
  else
    tool_message = confab_message_new (CONFAB_ROLE_TOOL, result ? result : "");
  confab_message_set_tool_call_id (tool_message, confab_tool_call_get_id (call));
  confab_conversation_append (self->conversation, tool_message);
}

static void
all_tools_finished (GTask *task)
{
  ConfabTurn *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);

  /* Results go back in call order, whatever order they finished in; a cancelled call gets
   * its "cancelled" result too: a history with a tool call and no result is refused by
   * OpenAI and Groq (HTTP 400), so the conversation could never go on. */
  for (guint i = 0; i < data->calls->len; i++)
    {
      PendingCall *pending = &g_array_index (data->calls, PendingCall, i);

      append_tool_result (self, pending->call);
    }

  run_data_clear_calls (data);

  if (data->error != NULL)
    {
      turn_return (task, g_steal_pointer (&data->error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      self->running = FALSE;
      return;
    }

  start_step (task);
}

static void
call_finished (GTask       *task,
               PendingCall *pending)
{
  ConfabTurn *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);

  g_assert (!pending->finished);

  pending->finished = TRUE;
  g_clear_signal_handler (&pending->status_handler, pending->call);
  g_signal_emit (self, signals[TOOL_FINISHED], 0, pending->call);

  g_assert (data->n_pending > 0);
  if (--data->n_pending == 0)
    all_tools_finished (task);
}

static void
call_status_cb (ConfabToolCall *call,
                GParamSpec     *pspec,
                GTask          *task)
{
  ConfabTurn *self = g_task_get_source_object (task);

  if (confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL)
    g_signal_emit (self, signals[APPROVAL_REQUESTED], 0, call);
}

typedef struct
{
  GTask *task;
  guint  position;
} CallClosure;

static void
registry_call_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CallClosure *closure = user_data;
  g_autoptr(GTask) task = closure->task;
  RunData *data = g_task_get_task_data (task);
  PendingCall *pending = &g_array_index (data->calls, PendingCall, closure->position);
  g_autoptr(GError) error = NULL;

  g_free (closure);

  if (!confab_tool_registry_call_finish (CONFAB_TOOL_REGISTRY (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (data->error == NULL)
            data->error = g_steal_pointer (&error);
        }
      else
        {
          /* The registry promises not to fail; if it does, the model still gets an answer. */
          if (confab_tool_call_get_result (pending->call) == NULL)
            confab_tool_call_set_result (pending->call, error->message);
          if (confab_tool_call_get_error (pending->call) == NULL)
            confab_tool_call_set_error (pending->call, error->message);
          confab_tool_call_set_status (pending->call, CONFAB_TOOL_CALL_STATUS_FAILED);
        }
    }

  call_finished (task, pending);
}

/* Takes the reference on @task: it is held while the calls start, one may finish at once. */
static void
run_tools (GTask *task)
{
  ConfabTurn *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  GListModel *calls = confab_message_get_tool_calls (data->assistant);
  guint n_calls = g_list_model_get_n_items (calls);

  data->calls = g_array_sized_new (FALSE, TRUE, sizeof (PendingCall), n_calls);
  g_array_set_clear_func (data->calls, (GDestroyNotify) pending_call_clear);
  g_array_set_size (data->calls, n_calls);
  data->n_pending = n_calls;

  for (guint i = 0; i < n_calls; i++)
    {
      PendingCall *pending = &g_array_index (data->calls, PendingCall, i);

      pending->call = g_list_model_get_item (calls, i);
    }

  for (guint i = 0; i < n_calls; i++)
    {
      PendingCall *pending = &g_array_index (data->calls, PendingCall, i);
      CallClosure *closure;

      if (self->tools == NULL)
        {
          const char *message = _("No tools are available");

          confab_tool_call_set_result (pending->call, message);
          confab_tool_call_set_error (pending->call, message);
          confab_tool_call_set_status (pending->call, CONFAB_TOOL_CALL_STATUS_FAILED);
          call_finished (task, pending);
          continue;
        }

      pending->status_handler = g_signal_connect (pending->call, "notify::status",
                                                  G_CALLBACK (call_status_cb), task);

      closure = g_new0 (CallClosure, 1);
      closure->task = g_object_ref (task);
      closure->position = i;

      confab_tool_registry_call_in_chat_async (self->tools,
                                               pending->call,
                                               self->approvals,
                                               confab_conversation_get_id (self->conversation),
                                               g_task_get_cancellable (task),
                                               registry_call_cb,
                                               closure);
    }

  g_object_unref (task);
}

static void
stream_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabTurn *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!confab_client_stream_finish (CONFAB_CLIENT (object), result, &error))
    {
      turn_return (task, g_steal_pointer (&error));
      return;
    }

  if (confab_message_get_n_tool_calls (data->assistant) == 0)
    {
      turn_return (task, NULL);
      return;
    }

  if (confab_message_get_n_tool_calls (data->assistant) > self->max_tool_calls)
    {
      GListModel *calls = confab_message_get_tool_calls (data->assistant);
      guint n = g_list_model_get_n_items (calls);
      g_autofree char *reason = NULL;

      reason = g_strdup_printf (_("The model asked for %u tool calls in one answer; the limit is %u "
                                  "(--max-tool-calls). None was run."),
                                n, self->max_tool_calls);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);

          confab_tool_call_set_error (call, reason);
          confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_FAILED);
        }

      turn_return (task, g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_TOOL, reason));
      return;
    }

  if (self->steps->len >= self->max_steps)
    {
      GListModel *calls = confab_message_get_tool_calls (data->assistant);
      g_autofree char *reason = NULL;

      /* The calls are not run; they say why, and the caller reports them. */
      reason = g_strdup_printf (ngettext ("Not run: the turn reached its limit of %u request",
                                          "Not run: the turn reached its limit of %u requests",
                                          self->max_steps),
                                self->max_steps);
      for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);

          confab_tool_call_set_error (call, reason);
          confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_FAILED);
        }

      /* No tool messages for them: the next request sends each call's "not run" reason as
       * its result (confab_conversation_to_messages_json). */

      self->hit_step_limit = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIT_STEP_LIMIT]);
      turn_return (task, NULL);
      return;
    }

  run_tools (g_steal_pointer (&task));
}

static void
start_step (GTask *task)
{
  ConfabTurn *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) messages = NULL;
  g_autoptr(JsonNode) tools = NULL;
  g_autofree char *body = NULL;
  const char *model = confab_turn_get_model (self);

  if (model == NULL)
    {
      turn_return (task, g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                                              _("No model is chosen for this conversation")));
      return;
    }

  /* The body is built before the new answer joins the conversation. */
  messages = confab_conversation_to_messages_json (self->conversation);
  if (self->tools != NULL)
    tools = confab_tool_registry_to_request_tools (self->tools);
  body = confab_client_build_request_body (self->provider, model, messages, tools);

  g_clear_object (&data->assistant);
  data->assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  confab_message_set_model (data->assistant, model);
  confab_message_set_state (data->assistant, CONFAB_MESSAGE_STATE_STREAMING);
  confab_message_set_request_body (data->assistant, body);

  confab_conversation_append (self->conversation, data->assistant);
  g_ptr_array_add (self->steps, g_object_ref (data->assistant));
  g_signal_emit (self, signals[STEP_STARTED], 0, data->assistant);

  confab_client_stream_async (self->client,
                              self->provider,
                              body,
                              data->assistant,
                              g_task_get_cancellable (task),
                              stream_cb,
                              g_object_ref (task));
}

void
confab_turn_run_async (ConfabTurn          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CONFAB_IS_TURN (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_turn_run_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The turn is already running"));
      return;
    }

  self->running = TRUE;
  g_task_set_task_data (task, g_new0 (RunData, 1), (GDestroyNotify) run_data_free);

  start_step (task);
}

gboolean
confab_turn_run_finish (ConfabTurn    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (CONFAB_IS_TURN (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
