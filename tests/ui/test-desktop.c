/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The desktop integration of the real application. Notifications, observed on a private session bus where
 * the test plays the notification server (org.freedesktop.Notifications): with the window
 * out of sight, a tool call that waits for approval is announced with one "Review" button
 * and none of the call's arguments; Review brings the window forward with the keyboard on
 * that call's card; the finished answer is announced and the approval notice withdrawn. */
#define G_LOG_DOMAIN "test-desktop"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "confab-application.h"
#include "confab-composer.h"
#include "confab-conversation-list.h"
#include "confab-provider.h"
#include "confab-usage.h"
#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-replay-server.h"
#include "confab-session.h"
#include "confab-store.h"
#include "confab-test-app.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-tool-call-card.h"
#include "confab-usage-history.h"
#include "confab-usage-sidebar.h"
#include "confab-window.h"
#include "panels-test-util.h"

#define WAIT_MS 15000
#define TOOL_CASSETTE "tool_streaming_groq-kimi-k2.json"
#define KIMI "moonshotai/kimi-k2-instruct-0905"
#define QUESTION "What's the weather in Florence,Italy?"

static const char server_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "  </interface>"
  "</node>";

static GDBusConnection *server_connection;   /* the test's own: notification server, portal */

/* A desktop portal with GlobalShortcuts, as GNOME 48's. */
static const char portal_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.GlobalShortcuts'>"
  "    <method name='CreateSession'>"
  "      <arg type='a{sv}' direction='in'/><arg type='o' direction='out'/>"
  "    </method>"
  "    <method name='BindShortcuts'>"
  "      <arg type='o' direction='in'/><arg type='a(sa{sv})' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "      <arg type='o' direction='out'/>"
  "    </method>"
  "    <signal name='Activated'>"
  "      <arg type='o'/><arg type='s'/><arg type='t'/><arg type='a{sv}'/>"
  "    </signal>"
  "    <property name='version' type='u' access='read'/>"
  "  </interface>"
  "</node>";

static char *portal_session;       /* the session handle the portal gave out */
static char *portal_bound;         /* "id: description" of the bound shortcut */

static char *
portal_request_path (const char *sender,
                     GVariant   *options)
{
  g_autofree char *escaped = g_strdup (sender + 1);
  const char *token = "t";

  g_variant_lookup (options, "handle_token", "&s", &token);
  g_strdelimit (escaped, ".", '_');
  return g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", escaped, token);
}

static void
portal_respond (const char *sender,
                const char *request_path,
                GVariant   *results)
{
  g_dbus_connection_emit_signal (server_connection, sender, request_path,
                                 "org.freedesktop.portal.Request", "Response",
                                 g_variant_new ("(u@a{sv})", 0, results), NULL);
}

static void
portal_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  g_autoptr(GVariant) options = NULL;
  g_autofree char *request_path = NULL;
  GVariantDict results;

  g_variant_dict_init (&results, NULL);

  if (g_str_equal (method_name, "CreateSession"))
    {
      g_autofree char *escaped = g_strdup (sender + 1);
      const char *token = "s";

      options = g_variant_get_child_value (parameters, 0);
      g_variant_lookup (options, "session_handle_token", "&s", &token);
      g_strdelimit (escaped, ".", '_');
      g_free (portal_session);
      portal_session = g_strdup_printf ("/org/freedesktop/portal/desktop/session/%s/%s", escaped, token);
      g_variant_dict_insert (&results, "session_handle", "s", portal_session);
    }
  else
    {
      g_autoptr(GVariant) shortcuts = g_variant_get_child_value (parameters, 1);
      const char *id, *description = NULL;
      g_autoptr(GVariant) info = NULL;

      options = g_variant_get_child_value (parameters, 3);
      g_assert_cmpuint (g_variant_n_children (shortcuts), ==, 1);
      g_variant_get_child (shortcuts, 0, "(&s@a{sv})", &id, &info);
      g_variant_lookup (info, "description", "&s", &description);
      g_free (portal_bound);
      portal_bound = g_strdup_printf ("%s: %s", id, description);
    }

  request_path = portal_request_path (sender, options);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", request_path));
  portal_respond (sender, request_path, g_variant_dict_end (&results));
}

static GVariant *
portal_get_property (GDBusConnection  *connection,
                     const char       *sender,
                     const char       *object_path,
                     const char       *interface_name,
                     const char       *property_name,
                     GError          **error,
                     gpointer          user_data)
{
  return g_variant_new_uint32 (1);
}

static const GDBusInterfaceVTable portal_vtable = { portal_method_call, portal_get_property, NULL, { 0 } };

static guint
start_portal (void)
{
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (portal_xml, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint id;

  id = g_dbus_connection_register_object (server_connection, "/org/freedesktop/portal/desktop",
                                          info->interfaces[0], &portal_vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (server_connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.portal.Desktop", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  return id;
}

static void
stop_portal (guint id)
{
  g_autoptr(GVariant) reply = NULL;

  g_dbus_connection_unregister_object (server_connection, id);
  reply = g_dbus_connection_call_sync (server_connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ReleaseName",
                                       g_variant_new ("(s)", "org.freedesktop.portal.Desktop"),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  g_clear_pointer (&portal_session, g_free);
  g_clear_pointer (&portal_bound, g_free);
}

typedef struct
{
  guint32  id;
  guint32  replaces;   /* the id this one took the place of, 0 for none */
  char    *summary;
  char    *body;
  char   **actions;   /* key, label, key, label, … */
} Notice;

static GPtrArray *notices;   /* Notice, in the order received */
/* The id of the last notice, never reused while the test runs (as a server never reuses one
 * in a session): GLib 2.74's freedesktop backend keeps a reference on itself from each notice
 * it still lists, so the backend of an application that ended with a notice listed outlives
 * it, still listening, and an id reused for a later run's notice would activate an action on
 * that freed application. */
static guint32 last_notice_id;
static GArray *closed;       /* guint32 ids */

static void
notice_free (gpointer data)
{
  Notice *notice = data;

  g_free (notice->summary);
  g_free (notice->body);
  g_strfreev (notice->actions);
  g_free (notice);
}

static void
server_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      Notice *notice = g_new0 (Notice, 1);
      const char *summary, *body;
      g_autofree const char **actions = NULL;

      g_variant_get (parameters, "(&su&s&s&s^a&s@a{sv}i)", NULL, &notice->replaces, NULL, &summary, &body,
                     &actions, NULL, NULL);
      notice->id = ++last_notice_id;
      notice->summary = g_strdup (summary);
      notice->body = g_strdup (body);
      notice->actions = g_strdupv ((char **) actions);
      g_ptr_array_add (notices, notice);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notice->id));
    }
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      guint32 id;

      g_variant_get (parameters, "(u)", &id);
      g_array_append_val (closed, id);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "test", "confab", "1", "1.2"));
}

static const GDBusInterfaceVTable server_vtable = { server_method_call, NULL, NULL, { 0 } };

static void
start_notification_server (void)
{
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (server_xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint32 result;

  server_connection = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                              NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (server_connection, "/org/freedesktop/Notifications",
                                     info->interfaces[0], &server_vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (server_connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);   /* primary owner */
}

static void
invoke_action (const Notice *notice,
               const char   *key)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (server_connection, NULL, "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", "ActionInvoked",
                                 g_variant_new ("(us)", notice->id, key), &error);
  g_assert_no_error (error);
}

static Notice *
find_notice (const char *summary)
{
  for (guint i = 0; i < notices->len; i++)
    {
      Notice *notice = g_ptr_array_index (notices, i);

      if (g_str_equal (notice->summary, summary))
        return notice;
    }

  return NULL;
}

static gboolean
was_closed (guint32 id)
{
  for (guint i = 0; i < closed->len; i++)
    if (g_array_index (closed, guint32, i) == id)
      return TRUE;

  return FALSE;
}

static ConfabToolCall *
pending_call (ConfabConversation *conversation)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (conversation)); i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);
      GListModel *calls = confab_message_get_tool_calls (message);

      for (guint j = 0; calls != NULL && j < g_list_model_get_n_items (calls); j++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, j);

          if (confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL)
            return call;
        }
    }

  return NULL;
}

static GtkWidget *
card_ancestor (GtkWidget *widget)
{
  while (widget != NULL && !CONFAB_IS_TOOL_CALL_CARD (widget))
    widget = gtk_widget_get_parent (widget);

  return widget;
}

static void
check_notifications (ConfabWindow *window)
{
  ConfabSession *session = confab_window_get_session (window);
  ConfabConversation *conversation;
  g_autoptr(GError) error = NULL;
  ConfabToolCall *call;
  Notice *approval, *answer;
  GtkWidget *focus, *card;

  /* The user sends the question and turns away (the window out of sight). */
  g_assert_true (confab_session_send (session, QUESTION, &error));
  g_assert_no_error (error);
  conversation = confab_session_get_conversation (session);
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);

  CONFAB_TEST_WAIT_FOR ((call = pending_call (conversation)) != NULL, WAIT_MS);
  CONFAB_TEST_WAIT_FOR ((approval = find_notice ("A tool call waits for approval")) != NULL, WAIT_MS);

  /* Names the tool, not its arguments; one button, Review, and no way to consent. */
  g_assert_nonnull (strstr (approval->body, "weather"));
  g_assert_null (strstr (approval->body, confab_tool_call_get_arguments (call)));
  g_assert_null (strchr (approval->body, '{'));
  g_assert_cmpuint (g_strv_length (approval->actions), ==, 4);   /* default + Review */
  g_assert_cmpstr (approval->actions[0], ==, "default");
  g_assert_cmpstr (approval->actions[3], ==, "Review");
  g_assert_true (g_str_has_prefix (approval->actions[2], "app.review-tool-call"));
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL);

  /* Review: the window comes back with the keyboard on the waiting card. */
  invoke_action (approval, approval->actions[2]);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (window)) &&
                        (focus = gtk_window_get_focus (GTK_WINDOW (window))) != NULL &&
                        (card = card_ancestor (focus)) != NULL, WAIT_MS);
  g_assert_true (confab_tool_call_card_get_call (CONFAB_TOOL_CALL_CARD (card)) == call);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL);

  /* Consent is given on the card; the user turns away again while the answer streams. */
  g_assert_true (gtk_widget_activate_action (card, "card.allow-once", NULL));
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);

  CONFAB_TEST_WAIT_FOR ((answer = find_notice ("Answer ready")) != NULL, WAIT_MS);
  g_assert_cmpstr (answer->actions[0], ==, "default");
  g_assert_cmpuint (g_strv_length (answer->actions), ==, 2);
  /* The tool ran for well under the default threshold: the answer follows, no notice of its own. */
  g_assert_null (find_notice ("A tool run finished"));

  /* Clicking it shows the conversation. */
  invoke_action (answer, "default");
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (window)), WAIT_MS);
  g_assert_true (confab_session_get_conversation (session) == conversation);
}

static void
server_answered_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);

  *(gboolean *) user_data = TRUE;
}

/* GLib replaces a notification by the id the server gave for it, read from Notify's answer:
 * a later call to the server on the app's own connection is answered after it (one
 * connection each way, in order), and its callback runs after Notify's. */
static void
settle_notifications (ConfabWindow *window)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  gboolean answered = FALSE;

  g_dbus_connection_call (g_application_get_dbus_connection (app),
                          "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                          "org.freedesktop.Notifications", "GetServerInformation",
                          NULL, NULL, G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL,
                          server_answered_cb, &answered);
  CONFAB_TEST_WAIT_FOR (answered, WAIT_MS);
}

/* Allowed without asking (--yes), the answer comes while the window is away: its notice, the
 * run's first, stays listed when the run ends (nothing withdraws it). */
static void
check_answer_notice_left (ConfabWindow *window)
{
  ConfabSession *session = confab_window_get_session (window);
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_session_send (session, QUESTION, &error));
  g_assert_no_error (error);
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);

  CONFAB_TEST_WAIT_FOR (find_notice ("Answer ready") != NULL, WAIT_MS);
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session), WAIT_MS);
  /* GLib lists the notice once it has the server's answer. */
  settle_notifications (window);
}

/* A tool run long enough to announce (the threshold lowered to any length) finished while
 * the window was away: a notice naming the tool and the chat, which the answer's notice then
 * replaces. A later request that fails says so. */
static void
check_long_tool_run (ConfabWindow *window)
{
  ConfabSession *session = confab_window_get_session (window);
  ConfabConversation *conversation;
  g_autoptr(GError) error = NULL;
  ConfabToolCall *call;
  Notice *tool, *answer, *failed;

  confab_notifier_set_long_tool_seconds (confab_window_get_notifier (window), 0);

  g_assert_true (confab_session_send (session, QUESTION, &error));
  g_assert_no_error (error);
  conversation = confab_session_get_conversation (session);
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);

  CONFAB_TEST_WAIT_FOR ((call = pending_call (conversation)) != NULL, WAIT_MS);
  confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_ALLOW_ONCE);

  CONFAB_TEST_WAIT_FOR ((tool = find_notice ("A tool run finished")) != NULL, WAIT_MS);
  g_assert_nonnull (strstr (tool->body, "“weather”"));
  g_assert_nonnull (strstr (tool->body, confab_conversation_get_title (conversation)));
  g_assert_nonnull (strstr (tool->body, "the answer goes on"));
  g_assert_null (strchr (tool->body, '{'));   /* never the arguments */
  g_assert_cmpstr (tool->actions[0], ==, "default");

  /* The answer's notice takes the tool's place when GLib has had the server's answer to the
   * first (it replaces by the server's id): not asserted here, as the stream may end before
   * that answer is read; the failure below checks the replacement itself. */
  CONFAB_TEST_WAIT_FOR ((answer = find_notice ("Answer ready")) != NULL, WAIT_MS);
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session), WAIT_MS);
  settle_notifications (window);

  /* The cassette has no third answer: the replay server answers 500. */
  g_assert_true (confab_session_send (session, "And tomorrow?", &error));
  g_assert_no_error (error);
  CONFAB_TEST_WAIT_FOR ((failed = find_notice ("The answer failed")) != NULL, WAIT_MS);
  g_assert_cmpuint (failed->replaces, ==, answer->id);
  g_assert_nonnull (strstr (failed->body, confab_conversation_get_title (conversation)));
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session), WAIT_MS);
}

/* The Shell's search provider starts `confab --conversation=ID` or `confab --search=TEXT`
 * (test-search-provider records the command line): the real app opens that conversation, its
 * text on screen, or the conversation list searching for the text. */
#define STORED_PROMPT "Trains from Florence to Bologna on Sunday"

static char *stored_id;

static void
store_a_conversation (const char *prompt)
{
  g_autoptr(ConfabStore) store = confab_store_open_default (NULL);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, prompt);

  g_assert_nonnull (store);
  confab_conversation_append (conversation, user);
  confab_conversation_set_title (conversation, "Sunday trains");
  g_assert_true (confab_store_save (store, conversation, NULL));
  g_free (stored_id);
  stored_id = g_strdup (confab_conversation_get_id (conversation));
}

static void
check_opens_conversation (ConfabWindow *window)
{
  ConfabSession *session = confab_window_get_session (window);
  ConfabConversation *conversation;
  ConfabMessageRow *row;
  g_autofree char *text = NULL;

  CONFAB_TEST_WAIT_FOR ((conversation = confab_session_get_conversation (session)) != NULL &&
                        g_strcmp0 (confab_conversation_get_id (conversation), stored_id) == 0, WAIT_MS);
  row = confab_test_wait_for_row (window, confab_test_message_at (window, 0));
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (row)), WAIT_MS);
  text = confab_test_row_text (row);
  g_assert_nonnull (strstr (text, STORED_PROMPT));
}

static void
check_opens_search (ConfabWindow *window)
{
  GtkWidget *list = confab_test_find_widget_of_type (GTK_WIDGET (window), CONFAB_TYPE_CONVERSATION_LIST);
  GtkWidget *entry;

  g_assert_nonnull (list);
  entry = panels_test_find (list, "search_entry");
  g_assert_nonnull (entry);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (entry), WAIT_MS);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Ancona");
  /* Only the conversation that mentions it (the other subtests stored others). */
  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (confab_conversation_list_get_model (CONFAB_CONVERSATION_LIST (list))) == 1,
                        WAIT_MS);
}

static GtkWindow *
find_toplevel_of_type (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }

  return NULL;
}

/* The button under @root that activates @action. */
static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Save Recording… in the usage sidebar, after a tool-loop turn: the user picks a folder and a
 * name in the chooser, and the file there is a cassette of the turn's two requests that the
 * replay server plays back. */
static void
check_save_recording (ConfabWindow *window)
{
  ConfabSession *session = confab_window_get_session (window);
  g_autofree char *dir = g_dir_make_tmp ("confab-recording-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "weather-turn.json", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFile) expected = g_file_new_for_path (path);
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GError) error = NULL;
  ConfabReplayServer *replay;
  ConfabToolCall *call;
  GObject *chooser;
  GtkWidget *save;

  g_assert_true (confab_session_send (session, QUESTION, &error));
  g_assert_no_error (error);
  CONFAB_TEST_WAIT_FOR ((call = pending_call (confab_session_get_conversation (session))) != NULL, WAIT_MS);
  confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_ALLOW_ONCE);
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session), WAIT_MS);

  /* The sidebar's button, as the user clicks it, once the finished turn is shown there. */
  CONFAB_TEST_WAIT_FOR ((save = find_action_button (confab_window_get_usage_sidebar (window), "usage.save-recording")) != NULL &&
                        gtk_widget_get_mapped (save) && gtk_widget_is_sensitive (save), WAIT_MS);
  g_signal_emit_by_name (save, "clicked");
  CONFAB_TEST_WAIT_FOR ((chooser = g_object_get_data (G_OBJECT (window), "confab-recording-chooser")) != NULL, WAIT_MS);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS   /* GtkFileChooser: deprecated in GTK 4.10 */
  g_assert_true (gtk_native_dialog_get_visible (GTK_NATIVE_DIALOG (chooser)));
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)), ==, GTK_FILE_CHOOSER_ACTION_SAVE);
G_GNUC_END_IGNORE_DEPRECATIONS
  CONFAB_TEST_WAIT_FOR (confab_test_chooser_points_at (chooser, folder, "weather-turn.json", expected), WAIT_MS);
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_ACCEPT);
  g_assert_null (g_object_get_data (G_OBJECT (window), "confab-recording-chooser"));
  g_assert_null (find_toplevel_of_type (ADW_TYPE_MESSAGE_DIALOG));   /* no error shown */

  g_assert_true (confab_cassette_load (path, &requests, &responses, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpuint (responses->len, ==, 2);

  replay = confab_replay_server_new ();
  g_assert_true (confab_replay_server_load_cassette (replay, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (confab_replay_server_get_n_pending (replay), ==, 2);
  confab_replay_server_free (replay);

  g_unlink (path);
  g_rmdir (dir);
}

/* The user comes back by other means and answers on the card: the notice is withdrawn. */
static void
check_withdrawn_when_answered (ConfabWindow *window)
{
  ConfabSession *session = confab_window_get_session (window);
  ConfabConversation *conversation;
  g_autoptr(GError) error = NULL;
  ConfabToolCall *call;
  Notice *approval;

  g_assert_true (confab_session_send (session, QUESTION, &error));
  g_assert_no_error (error);
  conversation = confab_session_get_conversation (session);
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);

  CONFAB_TEST_WAIT_FOR ((call = pending_call (conversation)) != NULL, WAIT_MS);
  CONFAB_TEST_WAIT_FOR ((approval = find_notice ("A tool call waits for approval")) != NULL, WAIT_MS);
  g_assert_false (was_closed (approval->id));

  gtk_window_present (GTK_WINDOW (window));
  confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_ALLOW_ONCE);
  CONFAB_TEST_WAIT_FOR (was_closed (approval->id), WAIT_MS);
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session), WAIT_MS);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }

  return NULL;
}

/* Closing while a tool call waits asks first; "Keep Working" hides the window and the turn
 * goes on: its approval is announced, Review brings the window back, the answer finishes. */
static void
check_close_keeps_working (ConfabWindow *window)
{
  ConfabSession *session = confab_window_get_session (window);
  ConfabConversation *conversation;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;
  ConfabToolCall *call;
  Notice *approval, *answer;

  g_assert_true (confab_session_send (session, QUESTION, &error));
  g_assert_no_error (error);
  conversation = confab_session_get_conversation (session);
  CONFAB_TEST_WAIT_FOR ((call = pending_call (conversation)) != NULL, WAIT_MS);

  gtk_window_close (GTK_WINDOW (window));
  CONFAB_TEST_WAIT_FOR ((dialog = find_message_dialog ()) != NULL, WAIT_MS);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  adw_message_dialog_response (dialog, "background");

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpuint (confab_session_get_n_running (session), ==, 1);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL);

  CONFAB_TEST_WAIT_FOR ((approval = find_notice ("A tool call waits for approval")) != NULL, WAIT_MS);
  invoke_action (approval, approval->actions[2]);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (window)), WAIT_MS);

  confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_ALLOW_ONCE);
  CONFAB_TEST_WAIT_FOR (confab_session_get_n_running (session) == 0, WAIT_MS);
  answer = find_notice ("Answer ready");
  g_assert_null (answer);   /* the window was in front when it finished */
}

/* "Stop and Close" ends the turn (its partial state kept) and closes the window. */
static void
check_close_stops (ConfabWindow *window)
{
  ConfabSession *session = confab_window_get_session (window);
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;
  GtkApplication *app;

  g_assert_true (confab_session_send (session, QUESTION, &error));
  g_assert_no_error (error);
  CONFAB_TEST_WAIT_FOR (pending_call (confab_session_get_conversation (session)) != NULL, WAIT_MS);

  g_object_ref (session);
  app = gtk_window_get_application (GTK_WINDOW (window));
  gtk_window_close (GTK_WINDOW (window));
  CONFAB_TEST_WAIT_FOR ((dialog = find_message_dialog ()) != NULL, WAIT_MS);
  adw_message_dialog_response (dialog, "stop");

  CONFAB_TEST_WAIT_FOR (gtk_application_get_windows (app) == NULL, WAIT_MS);
  /* The stopped turn ends (cancelled), not left waiting for an answer nobody can give. */
  CONFAB_TEST_WAIT_FOR (confab_session_get_n_running (session) == 0, WAIT_MS);
  g_object_unref (session);
}

static GtkWidget *
find_promote_button_in (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "win.promote") == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_promote_button_in (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_promote_button (ConfabWindow *window)
{
  GtkWidget *button = find_promote_button_in (GTK_WIDGET (window));

  g_assert_nonnull (button);
  return button;
}

typedef void (*Check) (ConfabWindow *window);

static void
run_check (ConfabWindow *window,
           gpointer      data)
{
  Check *check = data;

  (*check) (window);
}

static void
run_app_with (Check               check,
              const char * const *extra)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *mcp_server = g_getenv ("CONFAB_TEST_MCP_SERVER");
  ConfabTestApp run = { .func = run_check, .data = &check, .destroy = TRUE };

  if (mcp_server == NULL)
    {
      g_test_skip ("CONFAB_TEST_MCP_SERVER is not set");
      return;
    }

  g_assert_true (confab_replay_server_load_cassette (server, TOOL_CASSETTE, &error));
  g_assert_no_error (error);

  g_ptr_array_add (argv, g_strdup ("--base-url"));
  g_ptr_array_add (argv, g_strdup (confab_replay_server_get_base_url (server)));
  g_ptr_array_add (argv, g_strdup ("--model"));
  g_ptr_array_add (argv, g_strdup (KIMI));
  g_ptr_array_add (argv, g_strdup ("--mcp"));
  g_ptr_array_add (argv, g_strdup_printf ("%s --tools weather", mcp_server));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);

  g_ptr_array_set_size (notices, 0);
  g_array_set_size (closed, 0);
  run.args = (const char * const *) argv->pdata;
  confab_test_run_app_full (&run);
}

static void
run_app (Check check)
{
  run_app_with (check, NULL);
}

static guint
n_stored (ConfabStore *store)
{
  g_autoptr(GListModel) stored = confab_store_list (store, NULL);

  return stored != NULL ? g_list_model_get_n_items (stored) : 0;
}

/* Quick ask: a small window whose conversation stays out of the history until promoted. */
static void
check_quick_ask (ConfabWindow *window)
{
  ConfabApplication *app = CONFAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  ConfabSession *session = confab_window_get_session (window);
  ConfabStore *store = confab_application_get_store (app);
  g_autoptr(GListModel) stored = NULL;
  g_autoptr(GError) error = NULL;
  int width, height;
  guint n_before;

  stored = confab_store_list (store, &error);
  g_assert_no_error (error);
  n_before = g_list_model_get_n_items (stored);
  g_clear_object (&stored);

  g_assert_true (confab_window_get_quick (window));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, <=, 600);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Quick Ask");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (find_promote_button (window))) == FALSE);

  g_assert_true (confab_session_send (session, QUESTION, &error));
  g_assert_no_error (error);
  CONFAB_TEST_WAIT_FOR (confab_session_get_n_running (session) == 0, WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (confab_session_get_conversation (session))), ==, 4);
  /* Titled by its question like any chat, in a window that stays small. */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), !=, "Confab");

  /* Answered, and not in the history. */
  stored = confab_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (stored), ==, n_before);
  g_clear_object (&stored);

  /* Promoted: an ordinary conversation, stored whole, in an ordinary window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.promote", NULL));
  g_assert_false (confab_window_get_quick (window));
  CONFAB_TEST_WAIT_FOR (n_stored (store) == n_before + 1, WAIT_MS);
  stored = confab_store_list (store, &error);
  g_assert_no_error (error);
  {
    /* The newest first. */
    g_autoptr(ConfabStoreSummary) summary = g_list_model_get_item (stored, 0);

    g_assert_cmpstr (confab_store_summary_get_id (summary), ==,
                     confab_conversation_get_id (confab_session_get_conversation (session)));
    g_assert_cmpuint (confab_store_summary_get_n_messages (summary), ==, 4);
  }
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (find_promote_button (window))));

  /* The app action opens another quick window beside it. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quick-ask", NULL);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 2);
  g_assert_true (confab_window_get_quick (CONFAB_WINDOW (gtk_application_get_windows (GTK_APPLICATION (app))->data)));
  gtk_window_destroy (GTK_WINDOW (gtk_application_get_windows (GTK_APPLICATION (app))->data));
}

/* Where the desktop portal binds global shortcuts, the quick-ask shortcut opens a quick
 * window from anywhere. */
static void
check_global_shortcut (ConfabWindow *window)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));
  g_autoptr(GError) error = NULL;

  CONFAB_TEST_WAIT_FOR (portal_bound != NULL, WAIT_MS);
  g_assert_cmpstr (portal_bound, ==, "quick-ask: Ask Confab a quick question");
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (app)), ==, 1);

  /* The user presses it (the portal names the session it belongs to). */
  g_dbus_connection_emit_signal (server_connection, NULL, "/org/freedesktop/portal/desktop",
                                 "org.freedesktop.portal.GlobalShortcuts", "Activated",
                                 g_variant_new ("(ost@a{sv})", portal_session, "quick-ask", (guint64) 0,
                                                g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                                 &error);
  g_assert_no_error (error);
  CONFAB_TEST_WAIT_FOR (g_list_length (gtk_application_get_windows (app)) == 2, WAIT_MS);
  g_assert_true (confab_window_get_quick (CONFAB_WINDOW (gtk_application_get_windows (app)->data)));
  gtk_window_destroy (GTK_WINDOW (gtk_application_get_windows (app)->data));
}

/* Near the model's context length, or past the provider's monthly budget: Send asks first,
 * and nothing goes until the user says so. */
static void
check_send_asks_first (ConfabWindow *window)
{
  ConfabApplication *app = CONFAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  ConfabSession *session = confab_window_get_session (window);
  ConfabComposer *composer = confab_window_get_composer (window);
  ConfabStore *store = confab_application_get_store (app);
  const char *provider = confab_provider_get_name (confab_session_get_provider (session));
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(ConfabConversation) earlier = confab_conversation_new ();
  g_autoptr(ConfabMessage) question = confab_message_new (CONFAB_ROLE_USER, "Earlier");
  g_autoptr(ConfabMessage) answer = confab_message_new (CONFAB_ROLE_ASSISTANT, "");
  g_autoptr(JsonNode) usage = json_from_string ("{\"prompt_tokens\": 5, \"completion_tokens\": 5,"
                                                " \"total_tokens\": 10, \"cost\": 2.5}", NULL);
  g_autoptr(GVariantBuilder) budgets = g_variant_builder_new (G_VARIANT_TYPE ("a{sd}"));
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  /* This month's spending with this provider, as earlier turns left it in the ledger. */
  confab_conversation_set_provider_name (earlier, provider);
  confab_store_track (store, earlier);
  confab_conversation_append (earlier, question);
  confab_message_set_state (answer, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (earlier, answer);
  confab_usage_update_from_json (confab_message_get_usage (answer), json_node_get_object (usage));
  confab_message_set_state (answer, CONFAB_MESSAGE_STATE_COMPLETE);
  confab_store_untrack (store, earlier);
  g_assert_true (confab_store_flush (store, &error));

  g_variant_builder_add (budgets, "{sd}", provider, 2.0);
  g_settings_set_value (settings, "monthly-budgets", g_variant_builder_end (budgets));

  confab_composer_set_text (composer, QUESTION);
  g_assert_false (confab_composer_send (composer));
  CONFAB_TEST_WAIT_FOR ((dialog = find_message_dialog ()) != NULL, WAIT_MS);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "budget"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "2.50"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (confab_session_get_conversation (session))), ==, 0);

  /* Cancel: nothing sent, the text stays. */
  adw_message_dialog_response (dialog, "cancel");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (confab_session_get_conversation (session))), ==, 0);
  {
    g_autofree char *kept = confab_composer_dup_text (composer);

    g_assert_cmpstr (kept, ==, QUESTION);
  }

  /* Send Anyway: it goes. */
  g_assert_false (confab_composer_send (composer));
  CONFAB_TEST_WAIT_FOR ((dialog = find_message_dialog ()) != NULL, WAIT_MS);
  adw_message_dialog_response (dialog, "send");
  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (G_LIST_MODEL (confab_session_get_conversation (session))) > 0, WAIT_MS);
  CONFAB_TEST_WAIT_FOR (confab_session_get_n_running (session) == 0, WAIT_MS);
  g_settings_reset (settings, "monthly-budgets");
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type,
                 const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (title == NULL || g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return GTK_WIDGET (toplevel);
    }

  return NULL;
}

/* The ledger in the app: this month on screen, the provider with its cost and budget. */
static void
check_usage_history (ConfabWindow *window)
{
  ConfabApplication *app = CONFAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  ConfabStore *store = confab_application_get_store (app);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(ConfabConversation) earlier = confab_conversation_new ();
  g_autoptr(ConfabMessage) question = confab_message_new (CONFAB_ROLE_USER, "Earlier");
  g_autoptr(ConfabMessage) answer = confab_message_new (CONFAB_ROLE_ASSISTANT, "");
  g_autoptr(JsonNode) usage = json_from_string ("{\"prompt_tokens\": 700, \"completion_tokens\": 42,"
                                                " \"total_tokens\": 742, \"cost\": 0.75}", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *month = g_date_time_format (now, "%B %Y");
  g_autoptr(GVariant) budgets = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *history, *month_row, *provider_row, *spin;
  double budget = 0;

  confab_conversation_set_provider_name (earlier, "Budgeted <b>Provider</b>");
  confab_conversation_set_model (earlier, "ledger-model");
  confab_store_track (store, earlier);
  confab_conversation_append (earlier, question);
  confab_message_set_state (answer, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (earlier, answer);
  confab_usage_update_from_json (confab_message_get_usage (answer), json_node_get_object (usage));
  confab_message_set_state (answer, CONFAB_MESSAGE_STATE_COMPLETE);
  confab_store_untrack (store, earlier);
  g_assert_true (confab_store_flush (store, &error));

  g_action_group_activate_action (G_ACTION_GROUP (app), "usage-history", NULL);
  CONFAB_TEST_WAIT_FOR ((history = find_toplevel (CONFAB_TYPE_USAGE_HISTORY)) != NULL, WAIT_MS);
  CONFAB_TEST_WAIT_FOR ((month_row = find_descendant (history, ADW_TYPE_ACTION_ROW, month)) != NULL &&
                        gtk_widget_get_mapped (month_row), WAIT_MS);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (month_row)), "tokens"));

  /* A provider's name is text, never markup; its cost and its budget beside it. */
  provider_row = find_descendant (confab_usage_history_get_group (CONFAB_USAGE_HISTORY (history), CONFAB_USAGE_BY_PROVIDER),
                                  ADW_TYPE_ACTION_ROW, "Budgeted <b>Provider</b>");
  g_assert_nonnull (provider_row);
  g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (provider_row)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (provider_row)), ==,
                   "1 request · 742 tokens (700 in, 42 out)");
  g_assert_nonnull (find_descendant (provider_row, GTK_TYPE_LABEL, NULL));
  spin = find_descendant (provider_row, GTK_TYPE_SPIN_BUTTON, NULL);
  g_assert_nonnull (spin);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 12.5);
  budgets = g_settings_get_value (settings, "monthly-budgets");
  g_assert_true (g_variant_lookup (budgets, "Budgeted <b>Provider</b>", "d", &budget));
  g_assert_cmpfloat (budget, ==, 12.5);

  gtk_window_destroy (GTK_WINDOW (history));
  g_settings_reset (settings, "monthly-budgets");
}

static void
test_usage_history (void)
{
  run_app (check_usage_history);
}

static void
test_send_asks_first (void)
{
  const char * const extra[] = { "--yes", NULL };

  run_app_with (check_send_asks_first, extra);
}

static void
test_global_shortcut (void)
{
  guint portal = start_portal ();

  run_app (check_global_shortcut);
  stop_portal (portal);
}

static void
test_quick_ask (void)
{
  const char * const extra[] = { "--quick", "--yes", NULL };

  run_app_with (check_quick_ask, extra);
}

static void
test_review_and_answer (void)
{
  run_app (check_notifications);
}

/* A run that ended with a notice listed, then another: activating the second run's notice
 * reaches the running application only (GLib 2.74 keeps the first run's notification backend
 * listening, with a dangling application, when a notice is left listed). */
static void
test_notice_left_by_earlier_run (void)
{
  const char * const extra[] = { "--yes", NULL };

  run_app_with (check_answer_notice_left, extra);
  run_app (check_notifications);
}

static void
test_long_tool_run (void)
{
  run_app (check_long_tool_run);
}

static void
test_command_line_conversation (void)
{
  g_autofree char *option = NULL;

  store_a_conversation (STORED_PROMPT);
  option = g_strdup_printf ("--conversation=%s", stored_id);
  run_app_with (check_opens_conversation, (const char *[]) { option, NULL });
}

static void
test_command_line_search (void)
{
  store_a_conversation ("Ferries from Ancona to Split in June");
  run_app_with (check_opens_search, (const char *[]) { "--search=Ancona", NULL });
}

static void
test_save_recording (void)
{
  /* The sidebar shown, as a user who reaches for it has it. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("io.github.confab.Confab");

    g_settings_set_boolean (settings, "show-usage-sidebar", TRUE);
    run_app (check_save_recording);
    g_settings_reset (settings, "show-usage-sidebar");
  }
}

static void
test_withdrawn_when_answered_on_the_card (void)
{
  run_app (check_withdrawn_when_answered);
}

static void
test_close_keeps_working (void)
{
  run_app (check_close_keeps_working);
}

static void
test_close_stops (void)
{
  run_app (check_close_stops);
}

int
main (int   argc,
      char *argv[])
{
  GTestDBus *bus;
  g_autofree char *home = NULL;
  g_autofree char *display = NULL;
  int status;

  /* A private bus, with this test as the notification server, and a fresh home. */
  g_setenv ("GNOTIFICATION_BACKEND", "freedesktop", TRUE);
  home = g_dir_make_tmp ("confab-notifications-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  display = g_strdup (g_getenv ("DISPLAY"));
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  /* GTestDBus clears DISPLAY along with the bus variables: the window needs it back. */
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);

  notices = g_ptr_array_new_with_free_func (notice_free);
  closed = g_array_new (FALSE, FALSE, sizeof (guint32));

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  start_notification_server ();

  g_test_add_func ("/notifications/approval-review-and-answer", test_review_and_answer);
  g_test_add_func ("/notifications/long-tool-run-then-answer-then-failure", test_long_tool_run);
  g_test_add_func ("/notifications/approval-withdrawn-when-answered-on-the-card", test_withdrawn_when_answered_on_the_card);
  g_test_add_func ("/search-provider/command-line-opens-conversation", test_command_line_conversation);
  g_test_add_func ("/search-provider/command-line-opens-search", test_command_line_search);
  g_test_add_func ("/usage-sidebar/save-recording-writes-a-cassette", test_save_recording);
  g_test_add_func ("/notifications/notice-left-by-an-earlier-run-stays-with-it", test_notice_left_by_earlier_run);
  g_test_add_func ("/background/close-asks-and-keeps-working", test_close_keeps_working);
  g_test_add_func ("/quick-ask/answers-then-promotes", test_quick_ask);
  g_test_add_func ("/quick-ask/global-shortcut-through-the-portal", test_global_shortcut);
  g_test_add_func ("/send-check/budget-reached-asks-first", test_send_asks_first);
  g_test_add_func ("/usage-history/ledger-by-month-and-provider", test_usage_history);
  g_test_add_func ("/background/close-asks-and-stops", test_close_stops);

  status = g_test_run ();

  g_clear_object (&server_connection);
  /* Stop, not down (nor unref, which calls down): GTK keeps its session-bus connection
   * until exit, and down would wait for it to be finalized. */
  g_test_dbus_stop (bus);
  g_clear_pointer (&notices, g_ptr_array_unref);
  g_clear_pointer (&closed, g_array_unref);

  return status;
}
