/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-window"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-approval-log-dialog.h"
#include "confab-chat-view.h"
#include "confab-composer.h"
#include "confab-conversation-list.h"
#include "confab-application.h"
#include "confab-conversation.h"
#include "confab-export.h"
#include "confab-export-dialog.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-provider.h"
#include "confab-session.h"
#include "confab-tool-call.h"
#include "confab-tool-call-card.h"
#include "confab-window.h"
#include "confab-window-private.h"

/* Window actions that reach beyond the window: export, the provider's settings, and the
 * tool call waiting for approval. */

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  confab_export_dialog_show (widget, confab_session_get_conversation (confab_window_get_session (self)));
}

static void
tool_decisions_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  ConfabConversation *conversation = confab_session_get_conversation (confab_window_get_session (self));
  ConfabStore *store = app ? confab_application_get_store (CONFAB_APPLICATION (app)) : NULL;
  GtkWidget *dialog;

  if (store == NULL)
    return;

  dialog = confab_approval_log_dialog_new (GTK_WINDOW (self), store,
                                           conversation ? confab_conversation_get_id (conversation) : NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
check_api_key_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabProvider *provider = confab_session_get_provider (confab_window_get_session (self));
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app != NULL)
    confab_application_show_preferences (CONFAB_APPLICATION (app),
                                         provider ? confab_provider_get_name (provider) : NULL);
}

/* "Start a new chat from here" (a message's id): a new conversation with the branch shown
 * up to that message, shown and saved. */
static void
fork_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabSession *session = confab_window_get_session (self);
  ConfabMessage *message = confab_session_lookup_message (session, g_variant_get_string (param, NULL));
  ConfabConversation *conversation = confab_session_get_conversation (session);
  g_autoptr(ConfabConversation) fork = NULL;

  /* A message still streaming has no end to start from yet. */
  if (message == NULL || confab_conversation_find (conversation, message) < 0 ||
      confab_message_get_state (message) == CONFAB_MESSAGE_STATE_STREAMING)
    return;

  fork = confab_export_fork (conversation, message);
  if (fork != NULL)
    _confab_window_show_conversation (self, fork);
}

/* Tool calls waiting for approval, reachable by keyboard: the focus moves to the waiting
 * card's "Allow Once" (a screen reader reads the question), and Alt+O, Alt+A, Alt+D (the
 * underlined letters of its buttons) answer it wherever the focus is. */

typedef struct
{
  guint tick_id;
  guint tries;
} FocusState;

static FocusState *
focus_state (ConfabWindow *self)
{
  FocusState *state = g_object_get_data (G_OBJECT (self), "confab-approval-focus");

  if (state == NULL)
    {
      state = g_new0 (FocusState, 1);
      g_object_set_data_full (G_OBJECT (self), "confab-approval-focus", state, g_free);
    }

  return state;
}

/* The card of @call, if its row is built. */
static ConfabToolCallCard *
find_card (ConfabWindow   *self,
           ConfabToolCall *call)
{
  ConfabSession *session = confab_window_get_session (self);
  ConfabChatView *chat_view = confab_window_get_chat_view (self);
  GListModel *messages = G_LIST_MODEL (confab_session_get_conversation (session));

  for (guint i = g_list_model_get_n_items (messages); i > 0; i--)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (messages, i - 1);
      ConfabMessageRow *row;

      if (confab_message_get_n_tool_calls (message) == 0)
        continue;

      row = confab_chat_view_find_row (chat_view, message);
      if (row == NULL)
        continue;

      for (GtkWidget *card = gtk_widget_get_first_child (confab_message_row_get_tool_calls_box (row));
           card != NULL;
           card = gtk_widget_get_next_sibling (card))
        if (CONFAB_IS_TOOL_CALL_CARD (card) &&
            confab_tool_call_card_get_call (CONFAB_TOOL_CALL_CARD (card)) == call)
          return CONFAB_TOOL_CALL_CARD (card);
    }

  return NULL;
}

static gboolean
focus_tick (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  FocusState *state = focus_state (self);
  ConfabToolCall *call = confab_session_get_waiting_call (confab_window_get_session (self));
  ConfabToolCallCard *card = call ? find_card (self, call) : NULL;

  /* The row appears a frame or two after the message; give up after a second or so. */
  if (call != NULL && card == NULL && ++state->tries < 60)
    return G_SOURCE_CONTINUE;

  if (card != NULL && confab_tool_call_card_focus_approval (card))
    {
      /* The focused Allow Once button and the card's description are read out; newer GTK
       * can also say it outright. */
#if GTK_CHECK_VERSION (4, 14, 0)
      gtk_accessible_announce (GTK_ACCESSIBLE (card), _("A tool call is waiting for your approval"),
                               GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_HIGH);
#endif
    }

  state->tick_id = 0;
  return G_SOURCE_REMOVE;
}

void
_confab_window_focus_waiting_call (ConfabWindow *self)
{
  FocusState *state;

  g_return_if_fail (CONFAB_IS_WINDOW (self));

  state = focus_state (self);
  state->tries = 0;
  if (state->tick_id != 0 ||
      confab_session_get_waiting_call (confab_window_get_session (self)) == NULL)
    return;

  if (focus_tick (GTK_WIDGET (self), NULL, NULL))
    state->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), focus_tick, NULL, NULL);
}

/* A call was answered, and its card's buttons went with the question: the focus goes to
 * the next call waiting, or back to the composer (not nowhere). */
static void
focus_after_answer (ConfabWindow *self)
{
  if (confab_session_get_waiting_call (confab_window_get_session (self)) != NULL)
    _confab_window_focus_waiting_call (self);
  else
    gtk_widget_grab_focus (GTK_WIDGET (confab_composer_get_text_view (confab_window_get_composer (self))));
}

static void
answer_waiting_call (ConfabWindow   *self,
                     ConfabApproval  approval)
{
  ConfabToolCall *call = confab_session_get_waiting_call (confab_window_get_session (self));
  ConfabToolCallCard *card = call != NULL ? find_card (self, call) : NULL;
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (self));
  gboolean in_card = card != NULL && focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (card));

  if (call != NULL)
    confab_tool_call_resolve_approval (call, approval);

  /* Another call of the same answer may wait too. */
  if (in_card)
    focus_after_answer (self);
  else
    _confab_window_focus_waiting_call (self);
}

static void
tool_answered_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  focus_after_answer (CONFAB_WINDOW (widget));
}

static void
tool_allow_once_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  answer_waiting_call (CONFAB_WINDOW (widget), CONFAB_APPROVAL_ALLOW_ONCE);
}

static void
tool_allow_always_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  answer_waiting_call (CONFAB_WINDOW (widget), CONFAB_APPROVAL_ALLOW_ALWAYS);
}

static void
tool_allow_chat_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  answer_waiting_call (CONFAB_WINDOW (widget), CONFAB_APPROVAL_ALLOW_CHAT);
}

static void
tool_deny_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  answer_waiting_call (CONFAB_WINDOW (widget), CONFAB_APPROVAL_DENY);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  GtkWidget *list = adw_bin_get_child (self->conversations_bin);

  gtk_toggle_button_set_active (self->conversations_button, TRUE);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  if (self->conversation_list != NULL)
    {
      confab_conversation_list_focus_search (CONFAB_CONVERSATION_LIST (self->conversation_list));
      return;
    }
  if (list != NULL)
    gtk_widget_grab_focus (list);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  confab_session_stop (CONFAB_WINDOW (widget)->session);
}

static void
copy_last_answer_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  GListModel *messages = G_LIST_MODEL (confab_session_get_conversation (self->session));

  for (guint i = g_list_model_get_n_items (messages); i > 0; i--)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (messages, i - 1);

      if (confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT &&
          confab_message_get_content_length (message) > 0)
        {
          gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), confab_message_get_content (message));
          return;
        }
    }
}

static void
toggle_sidebar_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  gtk_toggle_button_set_active (self->usage_button, !gtk_toggle_button_get_active (self->usage_button));
}

static void
toggle_conversations_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  gtk_toggle_button_set_active (self->conversations_button,
                                !gtk_toggle_button_get_active (self->conversations_button));
}

void
_confab_window_actions_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.copy-last-answer", NULL, copy_last_answer_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-conversations", NULL, toggle_conversations_action);
  gtk_widget_class_install_action (widget_class, "chat.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.fork", "s", fork_action);
  gtk_widget_class_install_action (widget_class, "win.check-api-key", NULL, check_api_key_action);
  gtk_widget_class_install_action (widget_class, "win.tool-decisions", NULL, tool_decisions_action);

  gtk_widget_class_install_action (widget_class, "win.tool-allow-once", NULL, tool_allow_once_action);
  gtk_widget_class_install_action (widget_class, "win.tool-allow-always", NULL, tool_allow_always_action);
  gtk_widget_class_install_action (widget_class, "win.tool-allow-chat", NULL, tool_allow_chat_action);
  gtk_widget_class_install_action (widget_class, "win.tool-deny", NULL, tool_deny_action);
  gtk_widget_class_install_action (widget_class, "win.tool-answered", NULL, tool_answered_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_ALT_MASK, "win.tool-allow-once", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_ALT_MASK, "win.tool-allow-always", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_ALT_MASK, "win.tool-allow-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_ALT_MASK, "win.tool-deny", NULL);
}

void
_confab_window_actions_dispose (ConfabWindow *self)
{
  FocusState *state = g_object_get_data (G_OBJECT (self), "confab-approval-focus");

  if (state != NULL && state->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), state->tick_id);
      state->tick_id = 0;
    }
}
