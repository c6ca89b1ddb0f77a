/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-notifier"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-notifier.h"
#include "confab-tool-call.h"
#include "confab-turn.h"

struct _ConfabNotifier
{
  GObject        parent_instance;

  GtkWindow     *window;     /* weak */
  ConfabSession *session;    /* weak */
  GPtrArray     *pending;    /* PendingApproval */

  /* Whether anything would show a notification: without a server GLib only warns. */
  guint          watch_fdo;
  guint          watch_gtk;
  gboolean       has_fdo;
  gboolean       has_gtk;
  gboolean       activatable;
  gboolean       sandboxed;  /* the portal backend: the portal decides */
  double         long_tool_seconds;
};

G_DEFINE_FINAL_TYPE (ConfabNotifier, confab_notifier, G_TYPE_OBJECT)

char *
confab_notifier_dup_answer_id (const char *conversation_id)
{
  return g_strconcat ("answer-", conversation_id, NULL);
}

char *
confab_notifier_dup_approval_id (const char *conversation_id)
{
  return g_strconcat ("approval-", conversation_id, NULL);
}

/* The user sees the window (and so the chat's own state): no notification. */
static gboolean
window_attended (ConfabNotifier *self)
{
  return self->window != NULL &&
         gtk_widget_get_visible (GTK_WIDGET (self->window)) &&
         gtk_window_is_active (self->window);
}

static GApplication *
get_application (ConfabNotifier *self)
{
  GtkApplication *app = self->window != NULL ? gtk_window_get_application (self->window) : NULL;

  if (app == NULL || !g_application_get_is_registered (G_APPLICATION (app)))
    return NULL;

  if (!self->sandboxed && !self->has_fdo && !self->has_gtk && !self->activatable)
    return NULL;

  return G_APPLICATION (app);
}

static void
name_appeared (GDBusConnection *connection,
               const char      *name,
               const char      *owner,
               gpointer         user_data)
{
  ConfabNotifier *self = user_data;

  if (g_str_equal (name, "org.gtk.Notifications"))
    self->has_gtk = TRUE;
  else
    self->has_fdo = TRUE;
}

static void
name_vanished (GDBusConnection *connection,
               const char      *name,
               gpointer         user_data)
{
  ConfabNotifier *self = user_data;

  if (g_str_equal (name, "org.gtk.Notifications"))
    self->has_gtk = FALSE;
  else
    self->has_fdo = FALSE;
}

static void
activatable_names_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ConfabNotifier) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **names = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
  if (reply == NULL)
    return;

  g_variant_get (reply, "(^a&s)", &names);
  self->activatable = g_strv_contains (names, "org.freedesktop.Notifications");
}

/* Watches for a notification server on the application's bus. */
static void
watch_servers (ConfabNotifier *self,
               GApplication   *app)
{
  GDBusConnection *connection = app != NULL ? g_application_get_dbus_connection (app) : NULL;

  self->sandboxed = g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
  if (connection == NULL || self->sandboxed)
    return;

  self->watch_fdo = g_bus_watch_name_on_connection (connection, "org.freedesktop.Notifications",
                                                    G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                    name_appeared, name_vanished, self, NULL);
  self->watch_gtk = g_bus_watch_name_on_connection (connection, "org.gtk.Notifications",
                                                    G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                    name_appeared, name_vanished, self, NULL);
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "ListActivatableNames", NULL,
                          G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          activatable_names_cb, g_object_ref (self));
}

/* A notification server may read its body as markup: what the user typed (the title) is
 * sent as text that markup cannot reinterpret. */
static char *
plain_text (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '<')
        g_string_append_unichar (out, 0x2039);   /* ‹ */
      else if (c == '>')
        g_string_append_unichar (out, 0x203A);   /* › */
      else if (c == '&')
        g_string_append (out, "+");
      else if (g_unichar_iscntrl (c))
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
conversation_title (ConfabConversation *conversation)
{
  const char *title = confab_conversation_get_title (conversation);

  return plain_text (title != NULL && title[0] != '\0' ? title : _("Untitled"));
}

static void
running_changed (ConfabSession      *session,
                 ConfabConversation *conversation,
                 gboolean            running,
                 ConfabNotifier     *self)
{
  const char *id = confab_conversation_get_id (conversation);
  g_autofree char *approval_id = confab_notifier_dup_approval_id (id);
  g_autofree char *answer_id = confab_notifier_dup_answer_id (id);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  GApplication *app = get_application (self);
  ConfabMessage *last;
  gboolean failed;

  if (app == NULL)
    return;

  /* Whatever waited for approval in this conversation is settled now. */
  g_application_withdraw_notification (app, approval_id);

  if (running || window_attended (self))
    return;

  last = confab_conversation_get_last_message (conversation);
  failed = last != NULL && confab_message_get_error (last) != NULL;
  title = conversation_title (conversation);

  notification = g_notification_new (failed ? _("The answer failed") : _("Answer ready"));
  g_notification_set_body (notification, title);
  g_notification_set_default_action_and_target (notification, "app.show-conversation", "s", id);
  g_application_send_notification (app, answer_id, notification);
}

/* A long tool run ended while the user was away: said under the answer's id, so the answer's
 * own notification replaces it when the turn ends. */
static void
tool_finished (ConfabTurn     *turn,
               ConfabToolCall *call,
               ConfabNotifier *self)
{
  ConfabConversation *conversation = confab_turn_get_conversation (turn);
  ConfabToolCallStatus status = confab_tool_call_get_status (call);
  double seconds = confab_tool_call_get_duration (call);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *answer_id = NULL;
  g_autofree char *title = NULL;
  g_autofree char *tool = NULL;
  g_autofree char *body = NULL;
  GApplication *app = get_application (self);

  if (app == NULL || window_attended (self) || seconds < 0 || seconds < self->long_tool_seconds ||
      (status != CONFAB_TOOL_CALL_STATUS_DONE && status != CONFAB_TOOL_CALL_STATUS_FAILED))
    return;

  title = conversation_title (conversation);
  tool = plain_text (confab_tool_call_get_name (call));
  if (status == CONFAB_TOOL_CALL_STATUS_FAILED)
    /* Translators: the first %s is a tool's name, the second a conversation's title. */
    body = g_strdup_printf (_("“%s” in “%s” failed after %.0f s; the answer goes on"), tool, title, seconds);
  else
    /* Translators: the first %s is a tool's name, the second a conversation's title. */
    body = g_strdup_printf (_("“%s” in “%s” finished after %.0f s; the answer goes on"), tool, title, seconds);

  notification = g_notification_new (status == CONFAB_TOOL_CALL_STATUS_FAILED ? _("A tool run failed")
                                                                               : _("A tool run finished"));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-conversation", "s",
                                                confab_conversation_get_id (conversation));
  answer_id = confab_notifier_dup_answer_id (confab_conversation_get_id (conversation));
  g_application_send_notification (app, answer_id, notification);
}

static void
turn_started (ConfabSession  *session,
              ConfabTurn     *turn,
              ConfabNotifier *self)
{
  g_signal_connect_object (turn, "tool-finished", G_CALLBACK (tool_finished), self, 0);
}

/* A call waiting for consent: announced once the window is out of sight (at once if it
 * already is), withdrawn when it is answered. */
typedef struct
{
  ConfabNotifier     *notifier;
  ConfabConversation *conversation;
  ConfabToolCall     *call;
  char               *notification_id;
  gboolean            announced;
} PendingApproval;

static void
pending_approval_free (gpointer data)
{
  PendingApproval *pending = data;

  g_signal_handlers_disconnect_by_data (pending->call, pending);
  g_clear_object (&pending->conversation);
  g_clear_object (&pending->call);
  g_free (pending->notification_id);
  g_free (pending);
}

static void
announce_approval (ConfabNotifier  *self,
                   PendingApproval *pending)
{
  const char *id = confab_conversation_get_id (pending->conversation);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *tool = NULL;
  g_autofree char *body = NULL;
  GApplication *app = get_application (self);

  if (app == NULL || pending->announced)
    return;

  pending->announced = TRUE;
  title = conversation_title (pending->conversation);
  tool = plain_text (confab_tool_call_get_name (pending->call));
  /* Translators: the first %s is a tool's name, the second a conversation's title. */
  body = g_strdup_printf (_("“%s” in “%s” waits for your approval"), tool, title);

  notification = g_notification_new (_("A tool call waits for approval"));
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  /* Only a way to the card: the arguments are reviewed there, in full. */
  g_notification_add_button_with_target (notification, _("Review"), "app.review-tool-call", "s", id);
  g_notification_set_default_action_and_target (notification, "app.review-tool-call", "s", id);
  g_application_send_notification (app, pending->notification_id, notification);
}

/* Answered on the card (or the call ended otherwise): nothing left to ask. */
static void
call_status_changed (ConfabToolCall  *call,
                     GParamSpec      *pspec,
                     PendingApproval *pending)
{
  ConfabNotifier *self = pending->notifier;
  GApplication *app = get_application (self);

  if (confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL)
    return;

  if (app != NULL && pending->announced)
    g_application_withdraw_notification (app, pending->notification_id);

  g_ptr_array_remove (self->pending, pending);
}

static void
approval_requested (ConfabSession      *session,
                    ConfabConversation *conversation,
                    ConfabToolCall     *call,
                    ConfabNotifier     *self)
{
  PendingApproval *pending = g_new0 (PendingApproval, 1);

  pending->notifier = self;
  pending->conversation = g_object_ref (conversation);
  pending->call = g_object_ref (call);
  pending->notification_id = confab_notifier_dup_approval_id (confab_conversation_get_id (conversation));
  g_signal_connect (call, "notify::status", G_CALLBACK (call_status_changed), pending);
  g_ptr_array_add (self->pending, pending);

  if (!window_attended (self))
    announce_approval (self, pending);
}

/* The user turned away (closed to the background, another window in front): what still
 * waits is announced now. */
static void
window_attention_changed (ConfabNotifier *self)
{
  if (window_attended (self))
    return;

  for (guint i = 0; i < self->pending->len; i++)
    announce_approval (self, g_ptr_array_index (self->pending, i));
}

static void
confab_notifier_dispose (GObject *object)
{
  ConfabNotifier *self = CONFAB_NOTIFIER (object);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->window != NULL)
    g_signal_handlers_disconnect_by_data (self->window, self);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_handle_id (&self->watch_fdo, g_bus_unwatch_name);
  g_clear_handle_id (&self->watch_gtk, g_bus_unwatch_name);
  g_clear_weak_pointer (&self->session);
  g_clear_weak_pointer (&self->window);

  G_OBJECT_CLASS (confab_notifier_parent_class)->dispose (object);
}

static void
confab_notifier_class_init (ConfabNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_notifier_dispose;
}

static void
confab_notifier_init (ConfabNotifier *self)
{
  self->pending = g_ptr_array_new_with_free_func (pending_approval_free);
  self->long_tool_seconds = CONFAB_NOTIFIER_DEFAULT_LONG_TOOL_SECONDS;
}

void
confab_notifier_set_long_tool_seconds (ConfabNotifier *self,
                                       double          seconds)
{
  g_return_if_fail (CONFAB_IS_NOTIFIER (self));

  self->long_tool_seconds = MAX (seconds, 0);
}

ConfabNotifier *
confab_notifier_new (GtkWindow     *window,
                     ConfabSession *session)
{
  ConfabNotifier *self;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);
  g_return_val_if_fail (CONFAB_IS_SESSION (session), NULL);

  self = g_object_new (CONFAB_TYPE_NOTIFIER, NULL);
  g_set_weak_pointer (&self->window, window);
  g_set_weak_pointer (&self->session, session);
  g_signal_connect (session, "running-changed", G_CALLBACK (running_changed), self);
  g_signal_connect (session, "approval-requested", G_CALLBACK (approval_requested), self);
  g_signal_connect (session, "turn-started", G_CALLBACK (turn_started), self);
  g_signal_connect_swapped (window, "notify::visible", G_CALLBACK (window_attention_changed), self);
  g_signal_connect_swapped (window, "notify::is-active", G_CALLBACK (window_attention_changed), self);
  watch_servers (self, G_APPLICATION (gtk_window_get_application (window)));

  return self;
}
