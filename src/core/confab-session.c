/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-session"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-export.h"
#include "confab-session.h"

#include "confab-approval-policy.h"
#include "confab-client.h"
#include "confab-context.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"
#include "confab-turn.h"

struct _ConfabSession
{
  GObject               parent_instance;

  ConfabContext        *context;   /* the tools and approvals every turn uses */
  ConfabClient         *client;
  ConfabProvider       *provider;
  ConfabConversation   *conversation;
  /* Every running turn, by conversation: a turn goes on in the background when the window
   * shows another conversation (a tool call may be waiting for approval there), and the
   * conversation's view finds it again on the way back. */
  GHashTable           *running;   /* ConfabConversation → Running */
  gulong                provider_model_id;
};

typedef struct
{
  ConfabTurn   *turn;
  GCancellable *cancellable;
} Running;

static void
running_free (gpointer data)
{
  Running *running = data;

  g_clear_object (&running->turn);
  g_clear_object (&running->cancellable);
  g_free (running);
}

G_DEFINE_FINAL_TYPE (ConfabSession, confab_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_PROVIDER,
  PROP_CONVERSATION,
  PROP_MODEL,
  PROP_BUSY,
  N_PROPS
};

enum {
  TURN_STARTED,
  TURN_FINISHED,
  RUNNING_CHANGED,
  APPROVAL_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static Running *
current_running (ConfabSession *self)
{
  if (self->running == NULL || self->conversation == NULL)
    return NULL;

  return g_hash_table_lookup (self->running, self->conversation);
}

static void
confab_session_dispose (GObject *object)
{
  ConfabSession *self = CONFAB_SESSION (object);

  confab_session_stop_all (self);
  g_clear_pointer (&self->running, g_hash_table_unref);
  g_clear_signal_handler (&self->provider_model_id, self->provider);
  g_clear_object (&self->client);
  g_clear_object (&self->provider);
  g_clear_object (&self->conversation);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (confab_session_parent_class)->dispose (object);
}

static void
confab_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ConfabSession *self = CONFAB_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:      g_value_set_object (value, self->context); break;
    case PROP_PROVIDER:     g_value_set_object (value, self->provider); break;
    case PROP_CONVERSATION: g_value_set_object (value, self->conversation); break;
    case PROP_MODEL:        g_value_set_string (value, confab_session_get_model (self)); break;
    case PROP_BUSY:         g_value_set_boolean (value, confab_session_get_busy (self)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ConfabSession *self = CONFAB_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      if (self->context == NULL)
        self->context = confab_context_new ();
      break;
    case PROP_PROVIDER:     confab_session_set_provider (self, g_value_get_object (value)); break;
    case PROP_CONVERSATION: confab_session_set_conversation (self, g_value_get_object (value)); break;
    case PROP_MODEL:        confab_session_set_model (self, g_value_get_string (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_session_class_init (ConfabSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_session_dispose;
  object_class->get_property = confab_session_get_property;
  object_class->set_property = confab_session_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CONFAB_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, CONFAB_TYPE_PROVIDER,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONVERSATION] =
    g_param_spec_object ("conversation", NULL, NULL, CONFAB_TYPE_CONVERSATION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TURN_STARTED] =
    g_signal_new ("turn-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CONFAB_TYPE_TURN);
  signals[TURN_FINISHED] =
    g_signal_new ("turn-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[RUNNING_CHANGED] =
    g_signal_new ("running-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, CONFAB_TYPE_CONVERSATION, G_TYPE_BOOLEAN);
  signals[APPROVAL_REQUESTED] =
    g_signal_new ("approval-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, CONFAB_TYPE_CONVERSATION, CONFAB_TYPE_TOOL_CALL);
}

static void
confab_session_init (ConfabSession *self)
{
  self->client = confab_client_new ();
  self->conversation = confab_conversation_new ();
  self->running = g_hash_table_new_full (NULL, NULL, g_object_unref, running_free);
}

ConfabSession *
confab_session_new (void)
{
  return confab_session_new_for_context (NULL);
}

ConfabSession *
confab_session_new_for_context (ConfabContext *context)
{
  g_return_val_if_fail (context == NULL || CONFAB_IS_CONTEXT (context), NULL);

  return g_object_new (CONFAB_TYPE_SESSION, "context", context, NULL);
}

ConfabContext *
confab_session_get_context (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);
  return self->context;
}

ConfabClient *
confab_session_get_client (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);
  return self->client;
}

ConfabProvider *
confab_session_get_provider (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);
  return self->provider;
}

static void
provider_model_changed (ConfabSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

void
confab_session_set_provider (ConfabSession  *self,
                             ConfabProvider *provider)
{
  g_return_if_fail (CONFAB_IS_SESSION (self));

  if (self->provider == provider)
    return;

  g_clear_signal_handler (&self->provider_model_id, self->provider);
  if (g_set_object (&self->provider, provider))
    {
      /* A default model typed in Preferences applies at once to a conversation without one. */
      if (provider != NULL)
        self->provider_model_id = g_signal_connect_swapped (provider, "notify::model",
                                                            G_CALLBACK (provider_model_changed), self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
    }
}

ConfabConversation *
confab_session_get_conversation (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);
  return self->conversation;
}

void
confab_session_set_conversation (ConfabSession      *self,
                                 ConfabConversation *conversation)
{
  g_autoptr(ConfabConversation) fresh = NULL;
  gboolean was_busy;

  g_return_if_fail (CONFAB_IS_SESSION (self));

  if (conversation == NULL)
    conversation = fresh = confab_conversation_new ();

  if (self->conversation == conversation)
    return;

  was_busy = confab_session_get_busy (self);
  /* A running turn goes on in the background (see ::running-changed). */
  g_set_object (&self->conversation, conversation);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
  if (was_busy != confab_session_get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

ConfabToolRegistry *
confab_session_get_tools (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);
  return confab_context_get_tools (self->context);
}

ConfabApprovalPolicy *
confab_session_get_approvals (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);
  return confab_context_get_approvals (self->context);
}

const char *
confab_session_get_model (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  return confab_provider_choose_model (self->provider, confab_conversation_get_model (self->conversation));
}

void
confab_session_set_model (ConfabSession *self,
                          const char    *model)
{
  g_return_if_fail (CONFAB_IS_SESSION (self));

  if (g_strcmp0 (model, confab_session_get_model (self)) == 0)
    return;

  confab_conversation_set_model (self->conversation, model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

gboolean
confab_session_get_busy (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  return current_running (self) != NULL;
}

gboolean
confab_session_is_running (ConfabSession      *self,
                           ConfabConversation *conversation)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  return self->running != NULL && conversation != NULL &&
         g_hash_table_contains (self->running, conversation);
}

guint
confab_session_get_n_running (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), 0);
  return self->running != NULL ? g_hash_table_size (self->running) : 0;
}

const char *
confab_session_get_blocked_reason (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);


  if (self->provider == NULL)
    return _("No provider is configured. Add one in Preferences.");

  if (confab_session_get_model (self) == NULL)
    return _("Choose a model to start chatting.");

  return NULL;
}

ConfabToolCall *
confab_session_get_waiting_call (ConfabSession *self)
{
  GListModel *messages;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  if (current_running (self) == NULL)
    return NULL;

  messages = G_LIST_MODEL (self->conversation);
  for (guint i = g_list_model_get_n_items (messages); i > 0; i--)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (messages, i - 1);
      GListModel *calls = confab_message_get_tool_calls (message);

      for (guint c = 0; c < g_list_model_get_n_items (calls); c++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, c);

          if (confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL)
            return call;   /* the message keeps it alive */
        }

      if (confab_message_get_role (message) == CONFAB_ROLE_USER)
        break;
    }

  return NULL;
}

int
confab_session_find_message (ConfabSession *self,
                             ConfabMessage *message)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), -1);

  return confab_conversation_find (self->conversation, message);
}

ConfabMessage *
confab_session_lookup_message (ConfabSession *self,
                               const char    *id)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  return confab_conversation_lookup (self->conversation, id);
}

typedef struct
{
  ConfabSession      *self;
  ConfabConversation *conversation;
} TurnClosure;

static void
turn_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  TurnClosure *closure = user_data;
  g_autoptr(ConfabSession) self = closure->self;
  g_autoptr(ConfabConversation) conversation = closure->conversation;
  g_autoptr(GError) error = NULL;
  Running *running;
  gboolean shown;

  g_free (closure);

  if (!confab_turn_run_finish (CONFAB_TURN (object), result, &error))
    g_debug ("The turn ended: %s", error->message);

  if (self->running == NULL)
    return;   /* disposed */

  /* A newer turn may have replaced this one already. */
  running = g_hash_table_lookup (self->running, conversation);
  if (running == NULL || running->turn != CONFAB_TURN (object))
    return;

  shown = conversation == self->conversation;
  g_hash_table_remove (self->running, conversation);
  if (shown)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_signal_emit (self, signals[RUNNING_CHANGED], 0, conversation, FALSE);

  if (shown)
    g_signal_emit (self, signals[TURN_FINISHED], 0, error);
}

static void
turn_approval_requested (ConfabTurn     *turn,
                         ConfabToolCall *call,
                         ConfabSession  *self)
{
  GHashTableIter iter;
  gpointer conversation, value;

  /* The turn may run in the background: name the conversation it belongs to. */
  g_hash_table_iter_init (&iter, self->running);
  while (g_hash_table_iter_next (&iter, &conversation, &value))
    if (((Running *) value)->turn == turn)
      {
        g_signal_emit (self, signals[APPROVAL_REQUESTED], 0, conversation, call);
        return;
      }
}

static gboolean
run_turn (ConfabSession  *self,
          GError        **error)
{
  const char *reason = confab_session_get_blocked_reason (self);
  ConfabToolRegistry *tools;
  TurnClosure *closure;
  Running *running;

  if (reason != NULL)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG, reason);
      return FALSE;
    }

  g_assert (current_running (self) == NULL);

  running = g_new0 (Running, 1);
  /* No servers, no tools (the turn tells the model so) and no approvals to read. */
  tools = confab_session_get_tools (self);
  if (g_list_model_get_n_items (confab_tool_registry_get_servers (tools)) == 0)
    tools = NULL;
  running->turn = confab_turn_new (self->client, self->provider, self->conversation,
                                   tools, tools ? confab_session_get_approvals (self) : NULL);
  confab_turn_set_model (running->turn, confab_session_get_model (self));
  /* Limits and listeners go on before the first request. */
  g_signal_emit (self, signals[TURN_STARTED], 0, running->turn);
  g_signal_connect_object (running->turn, "approval-requested",
                           G_CALLBACK (turn_approval_requested), self, 0);
  running->cancellable = g_cancellable_new ();
  g_hash_table_insert (self->running, g_object_ref (self->conversation), running);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_signal_emit (self, signals[RUNNING_CHANGED], 0, self->conversation, TRUE);

  closure = g_new0 (TurnClosure, 1);
  closure->self = g_object_ref (self);
  closure->conversation = g_object_ref (self->conversation);
  confab_turn_run_async (running->turn, running->cancellable, turn_cb, closure);
  return TRUE;
}

static gboolean
check_idle (ConfabSession  *self,
            GError        **error)
{
  const char *reason = confab_session_get_blocked_reason (self);

  if (current_running (self) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           _("An answer is still streaming"));
      return FALSE;
    }

  if (reason != NULL)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG, reason);
      return FALSE;
    }

  return TRUE;
}

gboolean
confab_session_send (ConfabSession  *self,
                     const char     *text,
                     GError        **error)
{
  g_autoptr(ConfabMessage) message = NULL;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (!check_idle (self, error))
    return FALSE;

  message = confab_message_new (CONFAB_ROLE_USER, text);
  confab_conversation_append (self->conversation, message);

  return run_turn (self, error);
}

gboolean
confab_session_send_with_attachments (ConfabSession  *self,
                                      const char     *text,
                                      GListModel     *attachments,
                                      GError        **error)
{
  g_autoptr(ConfabMessage) message = NULL;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (!check_idle (self, error))
    return FALSE;

  message = confab_message_new (CONFAB_ROLE_USER, text);
  for (guint i = 0; attachments != NULL && i < g_list_model_get_n_items (attachments); i++)
    {
      g_autoptr(ConfabAttachment) attachment = g_list_model_get_item (attachments, i);

      confab_message_add_attachment (message, attachment);
    }
  confab_conversation_append (self->conversation, message);

  return run_turn (self, error);
}

void
confab_session_stop (ConfabSession *self)
{
  Running *running;

  g_return_if_fail (CONFAB_IS_SESSION (self));

  running = current_running (self);
  if (running != NULL)
    g_cancellable_cancel (running->cancellable);
}

void
confab_session_stop_all (ConfabSession *self)
{
  GHashTableIter iter;
  Running *running;

  g_return_if_fail (CONFAB_IS_SESSION (self));

  if (self->running == NULL)
    return;

  g_hash_table_iter_init (&iter, self->running);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &running))
    g_cancellable_cancel (running->cancellable);
}

/* Where @message stands, when the session may send again from there; -1 and @error otherwise. */
static int
find_for_rerun (ConfabSession  *self,
                ConfabMessage  *message,
                GError        **error)
{
  int position;

  if (!check_idle (self, error))
    return -1;

  position = confab_session_find_message (self, message);
  if (position < 0)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         _("The message is no longer in the conversation"));

  return position;
}

gboolean
confab_session_retry (ConfabSession  *self,
                      ConfabMessage  *failed,
                      GError        **error)
{
  int position;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (failed), FALSE);

  position = find_for_rerun (self, failed, error);
  if (position < 0)
    return FALSE;

  /* The same request again: what came before the failed answer is unchanged. */
  confab_conversation_truncate (self->conversation, position);

  return run_turn (self, error);
}

gboolean
confab_session_regenerate (ConfabSession  *self,
                           ConfabMessage  *assistant,
                           GError        **error)
{
  int position;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (assistant), FALSE);

  position = find_for_rerun (self, assistant, error);
  if (position < 0)
    return FALSE;

  /* Back to just after the user message this answers (tool steps included); the answer
   * stays as the other version of that place. */
  for (; position > 0; position--)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (G_LIST_MODEL (self->conversation), position - 1);

      if (confab_message_get_role (item) == CONFAB_ROLE_USER)
        break;
    }

  confab_conversation_rewind (self->conversation, position);

  return run_turn (self, error);
}

gboolean
confab_session_edit_and_resend (ConfabSession  *self,
                                ConfabMessage  *user,
                                const char     *text,
                                GError        **error)
{
  g_autoptr(ConfabMessage) message = NULL;
  int position;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (user), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  position = find_for_rerun (self, user, error);
  if (position < 0)
    return FALSE;

  /* The files of the message edited go with its new text. */
  message = confab_message_new (CONFAB_ROLE_USER, text);
  for (guint i = 0; i < confab_message_get_n_attachments (user); i++)
    {
      g_autoptr(ConfabAttachment) attachment = g_list_model_get_item (confab_message_get_attachments (user), i);

      confab_message_add_attachment (message, attachment);
    }
  /* A new version beside the message edited, which stays with its answers. */
  confab_conversation_rewind (self->conversation, position);
  confab_conversation_append (self->conversation, message);

  return run_turn (self, error);
}

gboolean
confab_session_continue_with_result (ConfabSession   *self,
                                     ConfabToolCall  *call,
                                     ConfabToolCall  *rerun,
                                     GError         **error)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);

  return check_idle (self, error) &&
         confab_export_branch_with_result (self->conversation, call, rerun, error) &&
         run_turn (self, error);
}
