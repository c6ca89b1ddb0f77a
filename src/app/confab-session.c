/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-session"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-session.h"

#include "confab-approval-policy.h"
#include "confab-client.h"
#include "confab-tool-registry.h"
#include "confab-turn.h"

struct _ConfabSession
{
  GObject               parent_instance;

  ConfabClient         *client;
  ConfabProvider       *provider;
  ConfabConversation   *conversation;
  ConfabToolRegistry   *tools;
  ConfabApprovalPolicy *approvals;
  ConfabTurn           *turn;
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (ConfabSession, confab_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROVIDER,
  PROP_CONVERSATION,
  PROP_MODEL,
  PROP_BUSY,
  N_PROPS
};

enum {
  TURN_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
confab_session_dispose (GObject *object)
{
  ConfabSession *self = CONFAB_SESSION (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->turn);
  g_clear_object (&self->client);
  g_clear_object (&self->provider);
  g_clear_object (&self->conversation);
  g_clear_object (&self->tools);
  g_clear_object (&self->approvals);

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

  signals[TURN_FINISHED] =
    g_signal_new ("turn-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
confab_session_init (ConfabSession *self)
{
  self->client = confab_client_new ();
  self->conversation = confab_conversation_new ();
}

ConfabSession *
confab_session_new (void)
{
  return g_object_new (CONFAB_TYPE_SESSION, NULL);
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

void
confab_session_set_provider (ConfabSession  *self,
                             ConfabProvider *provider)
{
  g_return_if_fail (CONFAB_IS_SESSION (self));

  if (g_set_object (&self->provider, provider))
    {
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

  g_return_if_fail (CONFAB_IS_SESSION (self));

  if (conversation == NULL)
    conversation = fresh = confab_conversation_new ();

  if (self->conversation == conversation)
    return;

  confab_session_stop (self);
  g_set_object (&self->conversation, conversation);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

ConfabToolRegistry *
confab_session_get_tools (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);
  return self->tools;
}

void
confab_session_set_tools (ConfabSession      *self,
                          ConfabToolRegistry *tools)
{
  g_return_if_fail (CONFAB_IS_SESSION (self));
  g_set_object (&self->tools, tools);
}

ConfabApprovalPolicy *
confab_session_get_approvals (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);
  return self->approvals;
}

void
confab_session_set_approvals (ConfabSession        *self,
                              ConfabApprovalPolicy *approvals)
{
  g_return_if_fail (CONFAB_IS_SESSION (self));
  g_set_object (&self->approvals, approvals);
}

const char *
confab_session_get_model (ConfabSession *self)
{
  const char *model;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  model = confab_conversation_get_model (self->conversation);
  if (model != NULL && *model != '\0')
    return model;

  if (self->provider != NULL)
    {
      model = confab_provider_get_model (self->provider);
      if (model != NULL && *model != '\0')
        return model;
    }

  return NULL;
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
  return self->turn != NULL;
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

int
confab_session_find_message (ConfabSession *self,
                             ConfabMessage *message)
{
  guint n;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), -1);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->conversation));
  /* The message asked about is nearly always near the end. */
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (G_LIST_MODEL (self->conversation), i - 1);

      if (item == message)
        return i - 1;
    }

  return -1;
}

ConfabMessage *
confab_session_lookup_message (ConfabSession *self,
                               const char    *id)
{
  guint n;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  if (id == NULL)
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->conversation));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (G_LIST_MODEL (self->conversation), i - 1);

      if (g_strcmp0 (confab_message_get_id (item), id) == 0)
        return item;
    }

  return NULL;
}

static void
turn_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ConfabSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_turn_run_finish (CONFAB_TURN (object), result, &error))
    g_debug ("The turn ended: %s", error->message);

  /* A newer turn may have replaced this one already. */
  if (self->turn == CONFAB_TURN (object))
    {
      g_clear_object (&self->turn);
      g_clear_object (&self->cancellable);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }

  g_signal_emit (self, signals[TURN_FINISHED], 0, error);
}

static gboolean
run_turn (ConfabSession  *self,
          GError        **error)
{
  const char *reason = confab_session_get_blocked_reason (self);

  if (reason != NULL)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG, reason);
      return FALSE;
    }

  g_assert (self->turn == NULL);

  self->turn = confab_turn_new (self->client, self->provider, self->conversation,
                                self->tools, self->approvals);
  confab_turn_set_model (self->turn, confab_session_get_model (self));
  self->cancellable = g_cancellable_new ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  confab_turn_run_async (self->turn, self->cancellable, turn_cb, g_object_ref (self));
  return TRUE;
}

static gboolean
check_idle (ConfabSession  *self,
            GError        **error)
{
  const char *reason = confab_session_get_blocked_reason (self);

  if (self->turn != NULL)
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
  g_return_if_fail (CONFAB_IS_SESSION (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
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

  /* Back to just after the user message this answers (tool steps included). */
  for (; position > 0; position--)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (G_LIST_MODEL (self->conversation), position - 1);

      if (confab_message_get_role (item) == CONFAB_ROLE_USER)
        break;
    }

  confab_conversation_truncate (self->conversation, position);

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
  confab_conversation_truncate (self->conversation, position);
  confab_conversation_append (self->conversation, message);

  return run_turn (self, error);
}
