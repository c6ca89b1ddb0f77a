/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The first hour of a new user: each test drives the real window of the real
 * application, over the replay server, through one thing that used to be a dead end. */
#define G_LOG_DOMAIN "test-first-hour"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "confab-application.h"
#include "confab-attachment-bar.h"
#include "confab-chat-view.h"
#include "confab-client.h"
#include "confab-composer.h"
#include "confab-context.h"
#include "confab-conversation-list.h"
#include "confab-conversation.h"
#include "confab-inspector-dialog.h"
#include "confab-mcp-server.h"
#include "confab-message.h"
#include "confab-message-editor.h"
#include "confab-message-row.h"
#include "confab-preferences-window.h"
#include "confab-provider.h"
#include "confab-provider-list.h"
#include "confab-replay-server.h"
#include "confab-session.h"
#include "confab-store.h"
#include "confab-store-summary.h"
#include "confab-test-app.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"
#include "confab-window.h"
#include "panels-test-util.h"

#define WAIT_MS 15000

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

/* A complete answer "@text" as an SSE body. */
static char *
sse_answer (const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "choices");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "delta");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  return g_strdup_printf ("data: %s\n\n"
                          "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                          "data: [DONE]\n\n", json);
}

/* An answer that calls the test MCP server's "weather" tool, id "call_1". */
static const char weather_call[] =
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,"
  "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
  "\"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"}}]}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
  "data: [DONE]\n\n";

static GtkWidget *
find_widget_with_tooltip (GtkWidget  *root,
                          const char *tooltip)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_with_tooltip (child, tooltip);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_type_named (GtkWidget  *root,
                 const char *type_name)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (root), type_name))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type_named (child, type_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static ConfabConversationList *
list_of (ConfabWindow *window)
{
  GtkWidget *list = confab_test_find_widget_of_type (GTK_WIDGET (window), CONFAB_TYPE_CONVERSATION_LIST);

  g_assert_nonnull (list);
  return CONFAB_CONVERSATION_LIST (list);
}

/* The "messages" array of the @n-th request the server received. (transfer full) */
static JsonArray *
request_messages (ConfabReplayServer *server,
                  guint               n)
{
  GPtrArray *requests = confab_replay_server_get_requests (server);
  ConfabReplayRequest *request;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (requests->len, >, n);
  request = g_ptr_array_index (requests, n);
  root = json_from_string (request->body, &error);
  g_assert_no_error (error);

  return json_array_ref (json_object_get_array_member (json_node_get_object (root), "messages"));
}

/* Asserts that every assistant tool call of @messages is followed by its tool result. */
static void
assert_every_call_answered (JsonArray *messages)
{
  guint n = json_array_get_length (messages);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      JsonArray *calls;

      if (!json_object_has_member (message, "tool_calls"))
        continue;

      calls = json_object_get_array_member (message, "tool_calls");
      for (guint c = 0; c < json_array_get_length (calls); c++)
        {
          const char *id = json_object_get_string_member (json_array_get_object_element (calls, c), "id");
          gboolean found = FALSE;

          for (guint j = i + 1; j < n && !found; j++)
            {
              JsonObject *result = json_array_get_object_element (messages, j);

              if (g_strcmp0 (json_object_get_string_member (result, "role"), "tool") != 0)
                break;
              found = g_strcmp0 (json_object_get_string_member (result, "tool_call_id"), id) == 0;
            }

          if (!found)
            g_error ("The tool call %s is sent without its result", id);
        }
    }
}

/* The tool call of the assistant message at @position. (transfer none) */
static ConfabToolCall *
call_at (ConfabWindow *window,
         guint         position)
{
  g_autoptr(ConfabToolCall) call = g_list_model_get_item (confab_message_get_tool_calls (confab_test_message_at (window, position)), 0);

  g_assert_nonnull (call);
  return call;   /* the message keeps it alive */
}

static GtkWidget *
card_of (ConfabWindow  *window,
         ConfabMessage *message)
{
  ConfabChatView *chat = confab_window_get_chat_view (window);
  ConfabMessageRow *row;

  CONFAB_TEST_WAIT_FOR (confab_chat_view_find_row (chat, message) != NULL, WAIT_MS);
  row = confab_chat_view_find_row (chat, message);

  return gtk_widget_get_first_child (confab_message_row_get_tool_calls_box (row));
}

/* Waits until the window's tool servers run (they start with the window): a call made
 * before answers "unknown tool" instead of asking for approval. */
static gboolean
tools_ready (ConfabWindow *window)
{
  GListModel *servers = confab_tool_registry_get_servers (confab_session_get_tools (confab_window_get_session (window)));

  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      if (confab_mcp_server_get_state (server) != CONFAB_MCP_SERVER_STATE_READY)
        return FALSE;
    }

  return g_list_model_get_n_items (servers) > 0;
}

static const char *
mcp_command (void)
{
  static char *command;
  const char *server = g_getenv ("CONFAB_TEST_MCP_SERVER");

  if (server == NULL)
    return NULL;
  if (command == NULL)
    command = g_strdup_printf ("%s --tools weather", server);

  return command;
}

static GtkWidget *find_preferences (void);

/* ---------------------------------------------------------------------------------------- */
/* 1. A provider's default model applies at once                                            */

static void
check_default_model (ConfabWindow *window,
                     gpointer      data)
{
  ConfabReplayServer *server = data;
  GtkWidget *prefs, *row, *model_button, *welcome;
  g_autoptr(JsonArray) messages = NULL;
  GPtrArray *requests;

  g_assert_cmpstr (confab_window_get_visible_page (window), ==, "welcome");

  /* The welcome's button opens Preferences: add Ollama, point it at the server, type a
   * default model, close. */
  welcome = panels_test_get (GTK_WIDGET (window), "welcome_button");
  gtk_widget_grab_focus (welcome);
  g_signal_emit_by_name (welcome, "clicked");
  CONFAB_TEST_WAIT_FOR ((prefs = find_preferences ()) != NULL && gtk_widget_get_mapped (prefs), WAIT_MS);
  g_assert_true (gtk_widget_activate_action (prefs, "prefs.add-preset", "u", 3));
  row = panels_test_get (panels_test_get (prefs, "providers_list"), "Ollama");
  gtk_editable_set_text (GTK_EDITABLE (panels_test_get (row, "base-url")), confab_replay_server_get_base_url (server));
  g_signal_emit_by_name (panels_test_get (row, "base-url"), "apply");
  gtk_editable_set_text (GTK_EDITABLE (panels_test_get (row, "model")), "default-model");
  g_signal_emit_by_name (panels_test_get (row, "model"), "apply");
  gtk_window_destroy (GTK_WINDOW (prefs));

  /* The window has the model now: the header says so and sending works. */
  g_assert_cmpstr (confab_window_get_visible_page (window), ==, "chat");
  /* What the user types next goes to the composer (the welcome's button took the focus
   * with it when it went). */
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) ==
                 GTK_WIDGET (confab_composer_get_text_view (confab_window_get_composer (window))));
  model_button = panels_test_get (GTK_WIDGET (window), "model_button");
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (model_button)), ==, "default-model");
  g_assert_null (confab_session_get_blocked_reason (confab_window_get_session (window)));

  confab_test_type_and_press_enter (window, "Hello");
  confab_test_wait_idle (window);
  requests = confab_replay_server_get_requests (server);
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_nonnull (strstr (((ConfabReplayRequest *) requests->pdata[0])->body, "\"default-model\""));
  messages = request_messages (server, 0);
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
}

static void
test_default_model_applies_at_once (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *body = sse_answer ("Hi");

  confab_replay_server_add_response (server, 200, NULL, body, CONFAB_REPLAY_NONE);
  confab_test_run_app (NULL, check_default_model, server);
}

/* ---------------------------------------------------------------------------------------- */
/* 2. Leaving a chat while a tool call awaits approval                                      */

static void
check_background_turn (ConfabWindow *window,
                       gpointer      data)
{
  ConfabReplayServer *server = data;
  ConfabConversationList *list = list_of (window);
  ConfabConversation *first;
  ConfabToolCall *call;
  g_autofree char *id = NULL;
  g_autoptr(JsonArray) messages = NULL;
  GtkWidget *card;

  CONFAB_TEST_WAIT_FOR (tools_ready (window), WAIT_MS);
  confab_test_type_and_press_enter (window, "Weather in Paris?");
  CONFAB_TEST_WAIT_FOR (confab_test_n_messages (window) == 2 &&
                        confab_message_get_n_tool_calls (confab_test_message_at (window, 1)) == 1 &&
                        confab_tool_call_get_status (call_at (window, 1)) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL,
                        WAIT_MS);
  first = confab_session_get_conversation (confab_window_get_session (window));
  id = g_strdup (confab_conversation_get_id (first));
  call = call_at (window, 1);

  /* The new chat is in the list at once, selected. */
  g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_list_get_model (list)), ==, 1);

  /* Ctrl+N while the call waits: the turn goes on in the background. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-chat", NULL));
  g_assert_true (confab_session_get_conversation (confab_window_get_session (window)) != first);
  g_assert_false (confab_session_get_busy (confab_window_get_session (window)));
  g_assert_true (confab_session_is_running (confab_window_get_session (window), first));
  g_assert_true (confab_conversation_list_get_busy (list, id));
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL);

  /* Back to it: the same live conversation, the card still waiting, and Allow works. */
  g_signal_emit_by_name (list, "conversation-activated", id);
  g_assert_true (confab_session_get_conversation (confab_window_get_session (window)) == first);
  g_assert_true (confab_session_get_busy (confab_window_get_session (window)));
  card = card_of (window, confab_test_message_at (window, 1));
  g_assert_true (gtk_widget_activate_action (card, "card.allow-once", NULL));
  confab_test_wait_idle (window);

  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_cmpuint (confab_test_n_messages (window), ==, 4);
  g_assert_cmpstr (confab_message_get_content (confab_test_message_at (window, 3)), ==, "Sunny");
  g_assert_false (confab_conversation_list_get_busy (list, id));

  messages = request_messages (server, 1);
  assert_every_call_answered (messages);
}

static void
test_leave_chat_awaiting_approval (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Sunny");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", "--mcp", NULL, NULL };

  if (mcp_command () == NULL)
    {
      g_test_skip ("CONFAB_TEST_MCP_SERVER is not set");
      return;
    }

  confab_replay_server_add_response (server, 200, NULL, weather_call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  args[5] = mcp_command ();

  confab_test_run_app (args, check_background_turn, server);
}

static void
check_stop_while_waiting (ConfabWindow *window,
                          gpointer      data)
{
  ConfabReplayServer *server = data;
  g_autoptr(JsonArray) messages = NULL;

  CONFAB_TEST_WAIT_FOR (tools_ready (window), WAIT_MS);
  confab_test_type_and_press_enter (window, "Weather in Paris?");
  CONFAB_TEST_WAIT_FOR (confab_test_n_messages (window) == 2 &&
                        confab_message_get_n_tool_calls (confab_test_message_at (window, 1)) == 1 &&
                        confab_tool_call_get_status (call_at (window, 1)) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL,
                        WAIT_MS);

  /* Stop (Escape) while the call waits: it is not run, and says so. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "chat.stop", NULL));
  confab_test_wait_idle (window);
  g_assert_cmpint (confab_tool_call_get_status (call_at (window, 1)), ==, CONFAB_TOOL_CALL_STATUS_FAILED);

  /* The conversation goes on: the next request has a result for the call. */
  confab_test_type_and_press_enter (window, "Never mind");
  confab_test_wait_idle (window);
  g_assert_cmpstr (confab_message_get_content (confab_test_message_at (window, confab_test_n_messages (window) - 1)), ==, "Fine");

  messages = request_messages (server, 1);
  assert_every_call_answered (messages);
}

static void
test_stop_while_awaiting_approval (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Fine");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", "--mcp", NULL, NULL };

  if (mcp_command () == NULL)
    {
      g_test_skip ("CONFAB_TEST_MCP_SERVER is not set");
      return;
    }

  confab_replay_server_add_response (server, 200, NULL, weather_call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  args[5] = mcp_command ();

  confab_test_run_app (args, check_stop_while_waiting, server);
}

static void
check_repair_on_load (ConfabWindow *window,
                      gpointer      data)
{
  ConfabReplayServer *server = data;
  ConfabApplication *app = CONFAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  ConfabStore *store = confab_application_get_store (app);
  g_autoptr(ConfabConversation) broken = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Weather in Paris?");
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, "");
  g_autoptr(ConfabMessage) later = confab_message_new (CONFAB_ROLE_USER, "Hello?");
  g_autoptr(ConfabToolCall) stored_call = confab_tool_call_new (0);
  g_autoptr(JsonArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  ConfabToolCall *call;
  GtkWidget *card;

  /* A chat saved by an older version: a call left waiting, no result, a message after. */
  confab_tool_call_set_id (stored_call, "call_1");
  confab_tool_call_set_name (stored_call, "weather");
  confab_tool_call_set_arguments (stored_call, "{\"location\":\"Paris\"}");
  confab_tool_call_request_approval (stored_call);
  confab_message_add_tool_call (assistant, stored_call);
  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_COMPLETE);
  confab_conversation_append (broken, user);
  confab_conversation_append (broken, assistant);
  confab_conversation_append (broken, later);
  id = g_strdup (confab_conversation_get_id (broken));
  g_assert_true (confab_store_save (store, broken, &error));
  g_assert_no_error (error);
  confab_conversation_list_reload (list_of (window));

  g_signal_emit_by_name (list_of (window), "conversation-activated", id);
  g_assert_cmpstr (confab_conversation_get_id (confab_session_get_conversation (confab_window_get_session (window))), ==, id);
  g_assert_cmpuint (confab_test_n_messages (window), ==, 3);

  /* The card no longer offers an approval nobody waits for. */
  call = call_at (window, 1);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
  card = card_of (window, confab_test_message_at (window, 1));
  g_assert_false (gtk_widget_get_visible (panels_test_get (card, "approval_box")));

  /* And the chat goes on, with a history a provider accepts. */
  confab_test_type_and_press_enter (window, "Still there?");
  confab_test_wait_idle (window);
  messages = request_messages (server, 0);
  assert_every_call_answered (messages);
}

static void
test_repair_stored_chat (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Yes");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);

  confab_test_run_app (args, check_repair_on_load, server);
}

/* ---------------------------------------------------------------------------------------- */
/* 8. Typing with no model                                                                  */

static void
check_typing_without_model (ConfabWindow *window,
                            gpointer      data)
{
  ConfabReplayServer *server = data;
  ConfabComposer *composer = confab_window_get_composer (window);
  GtkWidget *text_view = GTK_WIDGET (confab_composer_get_text_view (composer));
  GtkWidget *reason = panels_test_get (GTK_WIDGET (composer), "reason_label");
  g_autofree char *left = NULL;
  gboolean handled = FALSE;
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (text_view);

  g_assert_cmpstr (confab_window_get_visible_page (window), ==, "chat");
  g_assert_nonnull (confab_session_get_blocked_reason (confab_window_get_session (window)));

  /* The composer keeps the focus and takes the text; it says what is missing. */
  g_assert_true (gtk_widget_get_sensitive (text_view));
  g_assert_true (gtk_text_view_get_editable (GTK_TEXT_VIEW (text_view)));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) == text_view);
  g_assert_true (gtk_widget_get_visible (reason));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (reason)), "model"));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view)), "a draft", -1);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        g_signal_emit_by_name (controller, "key-pressed", GDK_KEY_Return, 36, 0, &handled);
    }
  /* Nothing is sent, nothing is lost, and the focus did not move. */
  g_assert_false (confab_session_get_busy (confab_window_get_session (window)));
  g_assert_cmpuint (confab_replay_server_get_requests (server)->len, ==, 0);
  left = confab_composer_dup_text (composer);
  g_assert_cmpstr (left, ==, "a draft");
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) == text_view);
}

static void
test_typing_without_model (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, NULL };

  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_typing_without_model, server);
}

/* ---------------------------------------------------------------------------------------- */
/* 9. A new chat is in the list at once; the header shows its title                         */

static void
check_new_chat_listed (ConfabWindow *window,
                       gpointer      data)
{
  ConfabReplayServer *server = data;
  ConfabConversationList *list = list_of (window);
  GListModel *rows = confab_conversation_list_get_model (list);
  GtkListView *view = GTK_LIST_VIEW (panels_test_get (GTK_WIDGET (list), "list_view"));
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_list_view_get_model (view));
  GtkWidget *title = panels_test_get (GTK_WIDGET (window), "title_label");
  ConfabConversation *conversation;

  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (title)), ==, "New Chat");
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 0);

  confab_test_type_and_press_enter (window, "Plan a trip to Lisbon");
  conversation = confab_session_get_conversation (confab_window_get_session (window));

  /* At once (no main-loop turn since Enter: the request is not even sent): listed,
   * selected, titled. */
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);
  g_assert_cmpstr (confab_store_summary_get_id (gtk_single_selection_get_selected_item (selection)), ==,
                   confab_conversation_get_id (conversation));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (title)), ==, "Plan a trip to Lisbon");

  /* A rename shows in the header. */
  confab_conversation_set_title (conversation, "Lisbon");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (title)), ==, "Lisbon");

  confab_test_wait_idle (window);
  g_assert_cmpuint (confab_replay_server_get_requests (server)->len, ==, 1);
}

static void
test_new_chat_listed_at_once (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Sure");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_new_chat_listed, server);
}

/* ---------------------------------------------------------------------------------------- */
/* 6. One window-level toast overlay                                                        */

static void
check_toast_overlay (ConfabWindow *window,
                     gpointer      data)
{
  ConfabConversationList *list = list_of (window);
  GtkWidget *pane = panels_test_get (GTK_WIDGET (window), "conversations_pane");
  GtkWidget *flap = panels_test_get (GTK_WIDGET (window), "usage_flap");
  GtkWidget *overlay = panels_test_get (GTK_WIDGET (window), "toast_overlay");
  g_autofree char *id = NULL;
  GtkWidget *toast;
  int width;

  confab_test_type_and_press_enter (window, "Something to delete");
  confab_test_wait_idle (window);
  id = g_strdup (confab_conversation_get_id (confab_session_get_conversation (confab_window_get_session (window))));

  /* The usage sidebar is hidden (F9, remembered in the settings). */
  g_assert_false (adw_flap_get_reveal_flap (ADW_FLAP (flap)));
  confab_test_wait_frames (GTK_WIDGET (window));
  width = gtk_widget_get_width (pane);

  /* Delete: the toast is the window's, over everything; nothing moves. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "conversation-list.delete", "s", id));
  confab_test_wait_frames (GTK_WIDGET (window));
  toast = find_type_named (GTK_WIDGET (window), "AdwToastWidget");
  g_assert_nonnull (toast);
  g_assert_true (gtk_widget_get_ancestor (toast, ADW_TYPE_TOAST_OVERLAY) == overlay);
  g_assert_false (gtk_widget_is_ancestor (toast, GTK_WIDGET (list)));
  g_assert_cmpint (gtk_widget_get_width (pane), ==, width);
  g_assert_false (adw_flap_get_reveal_flap (ADW_FLAP (flap)));

  /* Its Undo works from there. */
  for (GtkWidget *child = gtk_widget_get_first_child (toast); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), "_Undo") == 0)
      {
        g_assert_true (gtk_widget_is_sensitive (child));
        g_signal_emit_by_name (child, "clicked");
      }
  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (confab_conversation_list_get_model (list)) == 1, WAIT_MS);
  confab_test_wait_frames (GTK_WIDGET (window));
  g_assert_false (adw_flap_get_reveal_flap (ADW_FLAP (flap)));
}

static void
test_one_toast_overlay (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Ok");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  /* Hidden from the start: hiding it during the test (F9) can make libadwaita 1.2's
   * AdwFlap warn about a negative width mid-animation, with or without this fix. */
  g_settings_set_boolean (settings, "show-usage-sidebar", FALSE);
  confab_test_run_app (args, check_toast_overlay, server);
  g_settings_reset (settings, "show-usage-sidebar");
}

/* ---------------------------------------------------------------------------------------- */
/* 4. Export… in the conversation menu                                                      */

/* Whether the file at @path is written up to @ending (it is written asynchronously). */
static gboolean
file_ends_with (const char  *path,
                const char  *ending,
                char       **contents)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL) || !g_str_has_suffix (text, ending))
    return FALSE;

  *contents = g_steal_pointer (&text);
  return TRUE;
}

/* Opens Export… from the row's menu, saves as @name in @dir and returns the file's text,
 * once written up to @ending. */
static char *
export_as (ConfabWindow *window,
           const char   *id,
           const char   *dir,
           const char   *name,
           const char   *ending)
{
  GtkWidget *list = GTK_WIDGET (list_of (window));
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFile) expected = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GObject *chooser;
  char *contents = NULL;

  g_assert_true (gtk_widget_activate_action (list, "conversation-list.export", "s", id));
  chooser = g_object_get_data (G_OBJECT (list), "confab-export-chooser");
  g_assert_nonnull (chooser);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS   /* GtkFileChooser: deprecated in GTK 4.10 */
  g_assert_true (gtk_native_dialog_get_visible (GTK_NATIVE_DIALOG (chooser)));
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)), ==, GTK_FILE_CHOOSER_ACTION_SAVE);
  g_assert_true (g_str_has_suffix (gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser)), ".md"));
  g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, &error));
  g_assert_no_error (error);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  CONFAB_TEST_WAIT_FOR (confab_test_chooser_points_at (chooser, folder, name, expected), WAIT_MS);
G_GNUC_END_IGNORE_DEPRECATIONS
  /* GTK's dialog checks the name asynchronously before it answers; answer for it. */
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_ACCEPT);

  CONFAB_TEST_WAIT_FOR (file_ends_with (path, ending, &contents), WAIT_MS);
  return contents;
}

/* Export… with the name it suggests (a .md one) and JSON picked as the format: the file
 * is named .json, not "….md.json". */
static void
export_suggested_name_as_json (ConfabWindow *window,
                               const char   *id,
                               const char   *dir)
{
  GtkWidget *list = GTK_WIDGET (list_of (window));
  g_autofree char *md_path = g_build_filename (dir, "chat.md", NULL);
  g_autofree char *json_path = g_build_filename (dir, "chat.json", NULL);
  g_autofree char *wrong_path = g_build_filename (dir, "chat.md.json", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFile) expected = g_file_new_for_path (md_path);
  g_autoptr(GListModel) filters = NULL;
  g_autoptr(GtkFileFilter) json_filter = NULL;
  g_autofree char *contents = NULL;
  GObject *chooser;

  g_assert_true (gtk_widget_activate_action (list, "conversation-list.export", "s", id));
  chooser = g_object_get_data (G_OBJECT (list), "confab-export-chooser");
  g_assert_nonnull (chooser);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS   /* GtkFileChooser: deprecated in GTK 4.10 */
  filters = gtk_file_chooser_get_filters (GTK_FILE_CHOOSER (chooser));
  json_filter = g_list_model_get_item (filters, 1);
  g_assert_cmpstr (gtk_file_filter_get_name (json_filter), ==, "JSON");
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (chooser), json_filter);
  CONFAB_TEST_WAIT_FOR (confab_test_chooser_points_at (chooser, folder, "chat.md", expected), WAIT_MS);
G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_ACCEPT);

  CONFAB_TEST_WAIT_FOR (file_ends_with (json_path, "}\n", &contents), WAIT_MS);
  g_assert_false (g_file_test (wrong_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (md_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_remove (json_path), ==, 0);
}

static void
check_export (ConfabWindow *window,
              gpointer      data)
{
  g_autofree char *dir = g_dir_make_tmp ("confab-export-XXXXXX", NULL);
  g_autofree char *id = NULL;
  g_autofree char *json = NULL;
  g_autofree char *markdown = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  GMenuModel *menu;
  gboolean listed = FALSE;

  confab_test_type_and_press_enter (window, "Export me?");
  confab_test_wait_idle (window);
  id = g_strdup (confab_conversation_get_id (confab_session_get_conversation (confab_window_get_session (window))));

  /* The row's menu offers it. */
  {
    GtkWidget *menu_button = confab_test_find_widget_of_type (GTK_WIDGET (list_of (window)), GTK_TYPE_MENU_BUTTON);

    g_assert_nonnull (menu_button);
    /* The row's menu is built when it opens. */
    gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
    menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button));
    g_assert_nonnull (menu);
    for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
      {
        g_autofree char *action = NULL;

        if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action))
          listed |= g_strcmp0 (action, "conversation-list.export") == 0;
      }
    g_assert_true (listed);
    gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));
  }

  /* The name suggested is the title's, without what a file name cannot have: no "?"
   * turned into a dangling "-" (it read "Export me-.md"). */
  {
    GtkWidget *list = GTK_WIDGET (list_of (window));
    GObject *chooser;
    g_autofree char *suggested = NULL;

    g_assert_true (gtk_widget_activate_action (list, "conversation-list.export", "s", id));
    chooser = g_object_get_data (G_OBJECT (list), "confab-export-chooser");
    g_assert_nonnull (chooser);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    suggested = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser));
G_GNUC_END_IGNORE_DEPRECATIONS
    g_assert_cmpstr (suggested, ==, "Export me.md");
    g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_CANCEL);
  }

  export_suggested_name_as_json (window, id, dir);

  json = export_as (window, id, dir, "chat.json", "}\n");
  root = json_from_string (json, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "title"), ==, "Export me?");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "messages")), ==, 2);

  markdown = export_as (window, id, dir, "chat.md", "Exported\n");
  g_assert_nonnull (strstr (markdown, "Export me"));
  g_assert_nonnull (strstr (markdown, "Exported"));
  g_assert_null (strstr (markdown, "\"messages\""));

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_build_filename (dir, i == 0 ? "chat.json" : "chat.md", NULL);
      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Export to Folder…: conversation.md and the attached file beside it, in the folder picked. */
static void
check_export_folder (ConfabWindow *window,
                     gpointer      data)
{
  g_autofree char *dir = g_dir_make_tmp ("confab-export-folder-XXXXXX", NULL);
  g_autofree char *note = g_build_filename (dir, "source", NULL);
  g_autofree char *attached_path = g_build_filename (dir, "source", "notes.txt", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *markdown_path = g_build_filename (out, "conversation.md", NULL);
  g_autofree char *copied_path = g_build_filename (out, "notes.txt", NULL);
  g_autofree char *markdown = NULL;
  g_autofree char *copied = NULL;
  g_autoptr(GFile) attached = NULL;
  g_autoptr(GFile) folder = NULL;
  ConfabAttachmentBar *bar = confab_composer_get_attachment_bar (confab_window_get_composer (window));
  GtkWidget *list = GTK_WIDGET (list_of (window));
  g_autofree char *id = NULL;
  GObject *chooser;

  /* GTK's chooser would note the folder as recently used, later, in a test folder that is
   * gone by then. */
  g_object_set (gtk_settings_get_default (), "gtk-recent-files-enabled", FALSE, NULL);
  g_assert_cmpint (g_mkdir_with_parents (note, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (out, 0700), ==, 0);
  g_assert_true (g_file_set_contents (attached_path, "Remember the milk.\n", -1, NULL));
  attached = g_file_new_for_path (attached_path);
  confab_attachment_bar_add_file (bar, attached);
  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (confab_attachment_bar_get_model (bar)) == 1, WAIT_MS);

  confab_test_type_and_press_enter (window, "Export me with a file");
  confab_test_wait_idle (window);
  id = g_strdup (confab_conversation_get_id (confab_session_get_conversation (confab_window_get_session (window))));

  g_assert_true (gtk_widget_activate_action (list, "conversation-list.export-folder", "s", id));
  chooser = g_object_get_data (G_OBJECT (list), "confab-export-chooser");
  g_assert_nonnull (chooser);
  folder = g_file_new_for_path (out);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS   /* GtkFileChooser: deprecated in GTK 4.10 */
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)), ==, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
  g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL));
  CONFAB_TEST_WAIT_FOR (confab_test_chooser_points_at (chooser, folder, NULL, folder), WAIT_MS);
G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_ACCEPT);

  CONFAB_TEST_WAIT_FOR (g_file_test (copied_path, G_FILE_TEST_EXISTS) &&
                        g_file_test (markdown_path, G_FILE_TEST_EXISTS), WAIT_MS);
  g_assert_true (g_file_get_contents (copied_path, &copied, NULL, NULL));
  g_assert_cmpstr (copied, ==, "Remember the milk.\n");
  g_assert_true (g_file_get_contents (markdown_path, &markdown, NULL, NULL));
  g_assert_nonnull (strstr (markdown, "Export me with a file"));
  g_assert_nonnull (strstr (markdown, "notes.txt"));

  g_assert_cmpint (g_remove (copied_path), ==, 0);
  g_assert_cmpint (g_remove (markdown_path), ==, 0);
  g_assert_cmpint (g_remove (attached_path), ==, 0);
  g_assert_cmpint (g_rmdir (out), ==, 0);
  g_assert_cmpint (g_rmdir (note), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_export_folder (void)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  g_test_skip ("GTK 4.10+ exports through GtkFileDialog, which a test cannot answer");
  return;
#endif

  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Noted");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_export_folder, server);
}

static void
test_export (void)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  g_test_skip ("GTK 4.10+ exports through GtkFileDialog, which a test cannot answer");
  return;
#endif

  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Exported");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_export, server);
}

/* ---------------------------------------------------------------------------------------- */
/* 5. Tool approval by keyboard                                                             */

/* Activates what the window binds to @keyval with @mods, as pressing it would. */
static gboolean
press_shortcut (ConfabWindow    *window,
                guint            keyval,
                GdkModifierType  mods)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GtkShortcutTrigger *trigger = gtk_keyval_trigger_new (keyval, mods);
  gboolean found = FALSE, handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !found; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)) && !found; j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (!gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger))
            continue;

          found = TRUE;
          handled = gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0,
                                                  GTK_WIDGET (window),
                                                  gtk_shortcut_get_arguments (shortcut));
        }
    }

  g_object_unref (trigger);
  g_assert_true (found);

  return handled;
}

static void
assert_no_focusable_label (GtkWidget *root)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_focusable (root))
    g_error ("The label “%s” is a Tab stop", gtk_label_get_text (GTK_LABEL (root)));

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    assert_no_focusable_label (child);
}

static gboolean
focus_is_in (ConfabWindow *window,
             GtkWidget    *widget)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
check_approval_by_keyboard (ConfabWindow *window,
                            gpointer      data)
{
  ConfabToolCall *call;
  GtkWidget *card;

  /* The usage numbers are not Tab stops between the composer and the card. */
  assert_no_focusable_label (confab_window_get_usage_sidebar (window));

  CONFAB_TEST_WAIT_FOR (tools_ready (window), WAIT_MS);
  confab_test_type_and_press_enter (window, "Weather in Paris?");
  CONFAB_TEST_WAIT_FOR (confab_test_n_messages (window) == 2 &&
                        confab_message_get_n_tool_calls (confab_test_message_at (window, 1)) == 1 &&
                        confab_tool_call_get_status (call_at (window, 1)) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL,
                        WAIT_MS);
  call = call_at (window, 1);

  /* The focus goes to the waiting card, on Allow Once. */
  card = card_of (window, confab_test_message_at (window, 1));
  CONFAB_TEST_WAIT_FOR (focus_is_in (window, card), WAIT_MS);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (gtk_window_get_focus (GTK_WINDOW (window)))), ==, "Allow _Once");
  /* Deny is a normal answer, not a destructive one. */
  g_assert_false (gtk_widget_has_css_class (panels_test_get (card, "deny_button"), "destructive-action"));
  confab_test_wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "first-hour-approval-focus.png");

  /* Alt+O answers it from wherever the focus is. */
  gtk_widget_grab_focus (GTK_WIDGET (confab_composer_get_text_view (confab_window_get_composer (window))));
  g_assert_true (press_shortcut (window, GDK_KEY_o, GDK_ALT_MASK));
  confab_test_wait_idle (window);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_cmpstr (confab_message_get_content (confab_test_message_at (window, 3)), ==, "Sunny");
}

static void
test_approval_by_keyboard (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Sunny");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", "--mcp", NULL, NULL };

  if (mcp_command () == NULL)
    {
      g_test_skip ("CONFAB_TEST_MCP_SERVER is not set");
      return;
    }

  confab_replay_server_add_response (server, 200, NULL, weather_call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  args[5] = mcp_command ();

  confab_test_run_app (args, check_approval_by_keyboard, server);
}

/* ---------------------------------------------------------------------------------------- */
/* 7. Errors a user can act on                                                              */

static const char html_page[] =
  "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
  "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n";

static ConfabMessageRow *
row_of (ConfabWindow  *window,
        ConfabMessage *message)
{
  ConfabChatView *chat = confab_window_get_chat_view (window);

  CONFAB_TEST_WAIT_FOR (confab_chat_view_find_row (chat, message) != NULL, WAIT_MS);
  return confab_chat_view_find_row (chat, message);
}

static GtkWidget *
find_mnemonic_button (GtkWidget  *root,
                      const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_mnemonic_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
check_html_error (ConfabWindow *window,
                  gpointer      data)
{
  ConfabMessageRow *row;
  GtkWidget *expander, *details;

  confab_test_type_and_press_enter (window, "Hello?");
  confab_test_wait_idle (window);

  /* The status and its reason, not the page's markup … */
  row = row_of (window, confab_test_message_at (window, 1));
  g_assert_cmpstr (confab_message_row_get_error_text (row), ==, "The server answered HTTP 502 Bad Gateway");

  /* … which is under Details, closed, as text. */
  expander = confab_test_find_widget_of_type (GTK_WIDGET (row), GTK_TYPE_EXPANDER);
  g_assert_nonnull (expander);
  g_assert_true (gtk_widget_get_visible (expander));
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (expander)));
  details = gtk_expander_get_child (GTK_EXPANDER (expander));
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (details)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (details)), "<h1>502 Bad Gateway</h1>"));
  /* Not a key problem: no "Check API Key". */
  g_assert_false (gtk_widget_get_visible (find_mnemonic_button (GTK_WIDGET (row), "Check API _Key")));
  gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
  confab_test_wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "first-hour-html-error.png");
}

static void
test_html_error_details (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 502, "text/html", html_page, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_html_error, server);
}

/* A provider "Local" of the user's list, talking to @server: saved for the next application
 * to read, or, with @providers, in the running application's list too. */
static void
add_local_provider (ConfabProviderList *providers,
                    ConfabReplayServer *server)
{
  g_autoptr(ConfabProviderList) saved = NULL;
  g_autoptr(ConfabProvider) provider = confab_provider_new ("Local", confab_replay_server_get_base_url (server));
  g_autoptr(GError) error = NULL;

  confab_provider_set_model (provider, "test-model");
  if (providers == NULL)
    providers = saved = confab_provider_list_new (NULL);
  confab_provider_list_add (providers, provider);
  confab_provider_list_set_active (providers, "Local");
  g_assert_true (confab_provider_list_save (providers, &error));
  g_assert_no_error (error);
}

static GtkWidget *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (CONFAB_IS_PREFERENCES_WINDOW (toplevel))
        return toplevel;
    }

  return NULL;
}

static void
check_unauthorized (ConfabWindow *window,
                    gpointer      data)
{
  ConfabMessageRow *row;
  GtkWidget *button, *prefs, *provider_row, *key_row, *focus;

  confab_test_type_and_press_enter (window, "Hello?");
  confab_test_wait_idle (window);

  row = row_of (window, confab_test_message_at (window, 1));
  g_assert_nonnull (strstr (confab_message_row_get_error_text (row), "401"));
  g_assert_nonnull (strstr (confab_message_row_get_error_text (row), "Invalid API key"));
  button = find_mnemonic_button (GTK_WIDGET (row), "Check API _Key");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));

  /* It opens this provider's settings, on its key. */
  g_signal_emit_by_name (button, "clicked");
  CONFAB_TEST_WAIT_FOR ((prefs = find_preferences ()) != NULL && gtk_widget_get_mapped (prefs), WAIT_MS);
  g_assert_cmpstr (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (prefs)), ==, "providers");
  provider_row = panels_test_get (panels_test_get (prefs, "providers_list"), "Local");
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (provider_row)));
  key_row = panels_test_get (provider_row, "api-key");
  focus = gtk_window_get_focus (GTK_WINDOW (prefs));
  g_assert_true (focus != NULL && (focus == key_row || gtk_widget_is_ancestor (focus, key_row)));
  gtk_window_destroy (GTK_WINDOW (prefs));
}

static void
test_unauthorized_check_api_key (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();

  confab_replay_server_add_response (server, 401, "application/json",
                                     "{\"error\":{\"message\":\"Invalid API key\"}}", CONFAB_REPLAY_NONE);
  add_local_provider (NULL, server);
  confab_test_run_app (NULL, check_unauthorized, server);
}

static void
check_idle_timeout (ConfabWindow *window,
                    gpointer      data)
{
  ConfabMessageRow *row;

  confab_client_set_idle_timeout (confab_session_get_client (confab_window_get_session (window)), 1);
  confab_test_type_and_press_enter (window, "Hello?");
  confab_test_wait_idle (window);

  /* The provider by the name the user gave it, first; the URL after. */
  row = row_of (window, confab_test_message_at (window, 1));
  g_assert_true (g_str_has_prefix (confab_message_row_get_error_text (row), "Local sent nothing for 1 second"));
}

static void
test_idle_timeout_names_provider (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();

  confab_replay_server_add_response (server, 200, NULL, NULL, CONFAB_REPLAY_STALL_BEFORE_HEADERS);
  add_local_provider (NULL, server);
  confab_test_run_app (NULL, check_idle_timeout, server);
}

/* ---------------------------------------------------------------------------------------- */
/* 12. Translations and schema from the build tree                                          */

/* Runs $CONFAB_APP with @args and @env added; returns its exit status, fills the output. */
static int
run_confab (const char * const  *args,
            const char * const  *env,
            char               **out,
            char               **err)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CONFAB_APP"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  for (guint i = 0; env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error));
  g_assert_no_error (error);

  if (!g_subprocess_get_if_exited (process))
    return -1;   /* killed: a trap, an abort */
  return g_subprocess_get_exit_status (process);
}

static void
test_translations_from_build_tree (void)
{
  /* What build-aux/run and "meson devenv" set; C.UTF-8 so that LANGUAGE is honoured without
   * a generated pt_BR locale. */
  const char *env[] = { "LC_ALL", "C.UTF-8", "LANGUAGE", "pt_BR", "CONFAB_LOCALEDIR", CONFAB_TEST_LOCALEDIR, NULL };
  const char *args[] = { "--help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_confab (args, env, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Mostrar a versão e sair"));
}

static void
test_missing_schema_message (void)
{
  g_autofree char *empty = g_dir_make_tmp ("confab-no-schema-XXXXXX", NULL);
  const char *env[] = { "GSETTINGS_SCHEMA_DIR", empty, "XDG_DATA_DIRS", empty, NULL };
  const char *args[] = { NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* A clear message and a plain failure, not a GLib trap. */
  g_assert_cmpint (run_confab (args, env, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "settings schema"));
  g_assert_nonnull (strstr (err, "build-aux/run"));
  g_assert_null (strstr (err, "GLib-GIO-ERROR"));
  g_assert_cmpint (g_rmdir (empty), ==, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* 13. 360 px wide                                                                          */

static void
assert_inside_window (ConfabWindow *window,
                      GtkWidget    *widget)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &bounds));
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (window)) + 0.5);
}

static void
check_narrow (ConfabWindow *window,
              gpointer      data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (panels_test_get (GTK_WIDGET (window), "leaflet"));
  GtkWidget *pane = panels_test_get (GTK_WIDGET (window), "conversations_pane");
  GtkWidget *list_menu;

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (window)) == 360, WAIT_MS);
  confab_test_wait_frames (GTK_WIDGET (window));
  g_assert_true (adw_leaflet_get_folded (leaflet));

  /* The chat page: composer, header buttons and an answer fit. */
  confab_test_type_and_press_enter (window, "A narrow window");
  confab_test_wait_idle (window);
  confab_test_wait_frames (GTK_WIDGET (window));
  assert_inside_window (window, GTK_WIDGET (confab_window_get_composer (window)));
  {
    /* The system prompt's button says what it is, and its popover opens upward. */
    GtkWidget *prompt = panels_test_get (GTK_WIDGET (confab_window_get_composer (window)), "system_prompt_button");
    GtkWidget *content = gtk_menu_button_get_child (GTK_MENU_BUTTON (prompt));

    g_assert_true (ADW_IS_BUTTON_CONTENT (content));
    g_assert_cmpstr (adw_button_content_get_label (ADW_BUTTON_CONTENT (content)), ==, "_Prompt");
    g_assert_cmpint (gtk_popover_get_position (gtk_menu_button_get_popover (GTK_MENU_BUTTON (prompt))), ==, GTK_POS_TOP);
    assert_inside_window (window, prompt);
  }
  assert_inside_window (window, panels_test_get (GTK_WIDGET (window), "primary_menu_button"));
  assert_inside_window (window, panels_test_get (GTK_WIDGET (window), "model_button"));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "first-hour-narrow-chat.png");

  /* The list page has the main menu too. */
  adw_leaflet_navigate (leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  CONFAB_TEST_WAIT_FOR (adw_leaflet_get_visible_child (leaflet) == pane &&
                        !adw_leaflet_get_child_transition_running (leaflet), WAIT_MS);
  confab_test_wait_frames (GTK_WIDGET (window));
  list_menu = panels_test_get (pane, "list_menu_button");
  g_assert_true (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (list_menu)) ==
                 gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (panels_test_get (GTK_WIDGET (window), "primary_menu_button"))));
  assert_inside_window (window, list_menu);
  assert_inside_window (window, GTK_WIDGET (list_of (window)));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "first-hour-narrow-list.png");
}

static void
test_narrow_window (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Fits on a phone.");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_narrow, server);

  /* Closing remembered the narrow size: the next tests get the usual window. */
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

/* ---------------------------------------------------------------------------------------- */
/* 11. The inspector: the whole exchange, secrets redacted                                  */

#define CANARY_KEY    "sk-canary-key-9d2e"
#define CANARY_QUERY  "canary-query-7f3a"
#define CANARY_HEADER "canary-header-5b1c"

static void
clipboard_text_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static void
assert_no_canary (const char *text)
{
  g_assert_null (strstr (text, CANARY_KEY));
  g_assert_null (strstr (text, CANARY_QUERY));
  g_assert_null (strstr (text, CANARY_HEADER));
}

static GtkWidget *
find_inspector (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (CONFAB_IS_INSPECTOR_DIALOG (toplevel))
        return toplevel;
    }

  return NULL;
}

static void
check_inspector (ConfabWindow *window,
                 gpointer      data)
{
  ConfabReplayServer *server = data;
  ConfabReplayRequest *sent;
  ConfabMessageRow *row;
  GtkWidget *dialog, *inspect;
  g_autofree char *request = NULL;
  g_autofree char *response = NULL;
  g_autofree char *exchange = NULL;
  g_autofree char *copied = NULL;

  confab_test_type_and_press_enter (window, "Hello?");
  confab_test_wait_idle (window);

  /* The server got the real secrets … */
  sent = g_ptr_array_index (confab_replay_server_get_requests (server), 0);
  g_assert_cmpstr (soup_message_headers_get_one (sent->headers, "Authorization"), ==, "Bearer " CANARY_KEY);
  g_assert_cmpstr (soup_message_headers_get_one (sent->headers, "X-Team"), ==, CANARY_HEADER);

  /* … the inspector, opened from the row's "inspect" button, shows none of them. */
  row = row_of (window, confab_test_message_at (window, 1));
  inspect = find_widget_with_tooltip (GTK_WIDGET (row), "Inspect Request and Response");
  g_assert_nonnull (inspect);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (inspect)), ==, "system-search-symbolic");
  g_signal_emit_by_name (inspect, "clicked");
  CONFAB_TEST_WAIT_FOR ((dialog = find_inspector ()) != NULL && gtk_widget_get_mapped (dialog), WAIT_MS);

  request = confab_inspector_dialog_dup_request_text (CONFAB_INSPECTOR_DIALOG (dialog));
  response = confab_inspector_dialog_dup_response_text (CONFAB_INSPECTOR_DIALOG (dialog));
  exchange = confab_inspector_dialog_dup_exchange_text (CONFAB_INSPECTOR_DIALOG (dialog));
  g_test_message ("%s", exchange);
  assert_no_canary (request);
  assert_no_canary (response);
  assert_no_canary (exchange);

  /* URL, method, status, both sets of headers, timings. */
  g_assert_true (g_str_has_prefix (exchange, "POST http://127.0.0.1:"));
  g_assert_nonnull (strstr (exchange, "/v1/chat/completions?api_key=[redacted]&api-version=2024-06-01"));
  g_assert_nonnull (strstr (exchange, "Status: 200"));
  g_assert_nonnull (strstr (exchange, "Authorization: [redacted]"));
  g_assert_nonnull (strstr (exchange, "X-Team: [redacted]"));
  g_assert_nonnull (strstr (exchange, "Accept: text/event-stream"));
  g_assert_nonnull (strstr (exchange, "Content-Type: text/event-stream"));
  g_assert_nonnull (strstr (exchange, "Sent: "));
  g_assert_nonnull (strstr (exchange, "First byte: "));
  g_assert_nonnull (strstr (exchange, "Done: "));

  /* Copying the page copies the redacted text. */
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (panels_test_get (dialog, "view_stack")), "exchange");
  g_signal_emit_by_name (panels_test_get (dialog, "copy_button"), "clicked");
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (dialog), NULL, clipboard_text_cb, &copied);
  CONFAB_TEST_WAIT_FOR (copied != NULL, WAIT_MS);
  g_assert_cmpstr (copied, ==, exchange);
  confab_test_wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot_if_asked (dialog, "first-hour-inspector.png");

  gtk_window_destroy (GTK_WINDOW (dialog));
}

typedef struct
{
  ConfabReplayServer *server;
  ConfabProvider     *provider;
} Canary;

/* The provider with its key and headers, active in the application's list before its window. */
static void
add_canary (ConfabApplication *app,
            gpointer           data)
{
  Canary *canary = data;
  ConfabProviderList *providers = confab_context_get_providers (confab_application_get_context (app));

  confab_provider_list_add (providers, canary->provider);
  confab_provider_list_set_active (providers, confab_provider_get_name (canary->provider));
}

static void
check_canary (ConfabWindow *window,
              gpointer      data)
{
  check_inspector (window, ((Canary *) data)->server);
}

static void
test_inspector_redacts_secrets (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Hi");
  g_autofree char *base_url = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  const char *headers[] = { "X-Team: " CANARY_HEADER, NULL };

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  base_url = g_strdup_printf ("%s/v1?api_key=" CANARY_QUERY "&api-version=2024-06-01",
                              confab_replay_server_get_base_url (server));
  provider = confab_provider_new ("Canary", base_url);
  confab_provider_set_model (provider, "test-model");
  confab_provider_set_api_key (provider, CANARY_KEY);
  confab_provider_set_headers (provider, headers);
  /* With its key in memory, as if read from the keyring. */
  {
    Canary canary = { server, provider };
    ConfabTestApp run = { .startup = add_canary, .func = check_canary, .data = &canary };

    confab_test_run_app_full (&run);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* 10. Smaller things                                                                       */

static guint
count_mapped_status_pages (GtkWidget *root)
{
  guint n = ADW_IS_STATUS_PAGE (root) && gtk_widget_get_mapped (root) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    n += count_mapped_status_pages (child);

  return n;
}

static void
check_first_launch (ConfabWindow *window,
                    gpointer      data)
{
  ConfabReplayServer *server = data;
  GtkWidget *pane = panels_test_get (GTK_WIDGET (window), "conversations_pane");
  GtkWidget *usage = panels_test_get (GTK_WIDGET (window), "usage_bin");

  /* One welcome: not beside an empty list and an empty usage sidebar. */
  confab_test_wait_frames (GTK_WIDGET (window));
  g_assert_cmpstr (confab_window_get_visible_page (window), ==, "welcome");
  g_assert_false (gtk_widget_get_visible (pane));
  g_assert_false (gtk_widget_get_mapped (usage));
  g_assert_cmpuint (count_mapped_status_pages (GTK_WIDGET (window)), ==, 1);
  /* The window's buttons did not go away with the sidebar's header. */
  g_assert_true (adw_header_bar_get_show_end_title_buttons (ADW_HEADER_BAR (panels_test_get (GTK_WIDGET (window), "chat_header"))));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "first-hour-welcome.png");

  /* The keyboard starts on the welcome's button (it was in the composer, which is not
   * shown: Enter did nothing and what was typed went into it unseen). */
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

    g_assert_nonnull (focus);
    g_assert_true (gtk_widget_get_mapped (focus));
    g_assert_true (focus == panels_test_get (GTK_WIDGET (window), "welcome_button"));
    g_assert_false (gtk_widget_is_ancestor (focus, GTK_WIDGET (confab_window_get_composer (window))));
  }

  /* With a provider, the list and the sidebar are back. */
  add_local_provider (confab_context_get_providers (confab_session_get_context (confab_window_get_session (window))), server);
  confab_test_wait_frames (GTK_WIDGET (window));
  g_assert_cmpstr (confab_window_get_visible_page (window), ==, "chat");
  g_assert_true (gtk_widget_get_visible (pane));
  g_assert_true (gtk_widget_get_mapped (usage));
}

static void
test_first_launch_one_welcome (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_boolean (settings, "show-usage-sidebar", TRUE);
  confab_test_run_app (NULL, check_first_launch, server);
  g_settings_reset (settings, "show-usage-sidebar");
}

/* Presses @keyval with @mods where the focus is, as GTK delivers it to shortcuts in
 * @phase: in the capture phase from the window down to the focus, in the bubble phase from
 * the focus up. Returns whether a shortcut took it. (With Enter in a text view, only the
 * capture phase comes before the text view's own handling, which adds a line.) */
static gboolean
press_at_focus (ConfabWindow    *window,
                guint            keyval,
                GdkModifierType  mods,
                GtkPropagationPhase phase)
{
  GtkShortcutTrigger *trigger = gtk_keyval_trigger_new (keyval, mods);
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  gboolean handled = FALSE;

  for (GtkWidget *widget = gtk_window_get_focus (GTK_WINDOW (window)); widget != NULL;
       widget = gtk_widget_get_parent (widget))
    {
      if (phase == GTK_PHASE_CAPTURE)
        g_ptr_array_insert (chain, 0, widget);
      else
        g_ptr_array_add (chain, widget);
    }

  for (guint k = 0; k < chain->len && !handled; k++)
    {
      GtkWidget *widget = g_ptr_array_index (chain, k);
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

      for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
        {
          g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

          if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
              gtk_event_controller_get_propagation_phase (controller) != phase)
            continue;

          for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)) && !handled; j++)
            {
              g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

              if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger))
                handled = gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                                        gtk_shortcut_get_arguments (shortcut));
            }
        }
    }

  g_object_unref (trigger);
  return handled;
}

/* Presses Escape where the focus is: the first Escape shortcut from the focus up handles it. */
static gboolean
press_escape_at_focus (ConfabWindow *window)
{
  return press_at_focus (window, GDK_KEY_Escape, 0, GTK_PHASE_BUBBLE);
}

/* Sends "Original", then opens its inline editor: the focus is in the editor's text. Returns
 * the editor. */
static GtkWidget *
edit_first_message (ConfabWindow *window)
{
  ConfabMessageRow *row;
  GtkWidget *focus;

  confab_test_type_and_press_enter (window, "Original");
  confab_test_wait_idle (window);

  row = row_of (window, confab_test_message_at (window, 0));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.edit", NULL));
  focus = gtk_window_get_focus (GTK_WINDOW (window));
  g_assert_true (GTK_IS_TEXT_VIEW (focus) && gtk_widget_is_ancestor (focus, GTK_WIDGET (row)));

  return gtk_widget_get_ancestor (focus, CONFAB_TYPE_MESSAGE_EDITOR);
}

static void
check_escape_cancels_edit (ConfabWindow *window,
                           gpointer      data)
{
  ConfabReplayServer *server = data;
  GtkWidget *edit_box = edit_first_message (window);

  g_assert_true (gtk_widget_get_visible (edit_box));

  /* Escape leaves the edit; nothing is sent. */
  g_assert_true (press_escape_at_focus (window));
  g_assert_false (gtk_widget_get_visible (edit_box));
  g_assert_false (confab_session_get_busy (confab_window_get_session (window)));
  g_assert_cmpuint (confab_replay_server_get_requests (server)->len, ==, 1);
  g_assert_cmpstr (confab_message_get_content (confab_test_message_at (window, 0)), ==, "Original");
}

static void
test_escape_cancels_edit (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Noted");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_escape_cancels_edit, server);
}

static void
check_ctrl_enter_sends_edit (ConfabWindow *window,
                             gpointer      data)
{
  ConfabReplayServer *server = data;
  GtkWidget *edit_box = edit_first_message (window);
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (focus)), "Edited", -1);

  /* Ctrl+Enter sends the edit, as it sends from the composer (it added a line, and only
   * Tab, Tab, Space reached Send). */
  g_assert_true (press_at_focus (window, GDK_KEY_Return, GDK_CONTROL_MASK, GTK_PHASE_CAPTURE));
  confab_test_wait_idle (window);
  g_assert_false (gtk_widget_is_visible (edit_box));
  g_assert_cmpuint (confab_replay_server_get_requests (server)->len, ==, 2);
  g_assert_cmpstr (confab_message_get_content (confab_test_message_at (window, 0)), ==, "Edited");
}

static void
test_ctrl_enter_sends_edit (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *answer = sse_answer ("Noted");
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (server, 200, NULL, answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_ctrl_enter_sends_edit, server);
}

/* Ctrl+F, GNOME's search key, searches the conversations as Ctrl+K does (it did nothing:
 * what followed was typed into the composer). */
static void
check_ctrl_f_searches (ConfabWindow *window,
                       gpointer      data)
{
  GtkWidget *composer_view = GTK_WIDGET (confab_composer_get_text_view (confab_window_get_composer (window)));
  GtkWidget *search = panels_test_find (GTK_WIDGET (list_of (window)), "search_entry");
  GtkWidget *focus;

  g_assert_nonnull (search);
  gtk_widget_grab_focus (composer_view);
  g_assert_true (gtk_widget_has_focus (composer_view));

  g_assert_true (press_at_focus (window, GDK_KEY_f, GDK_CONTROL_MASK, GTK_PHASE_BUBBLE));
  confab_test_wait_frames (GTK_WIDGET (window));
  focus = gtk_window_get_focus (GTK_WINDOW (window));
  g_assert_true (focus == search || gtk_widget_is_ancestor (focus, search));
  g_assert_true (gtk_widget_get_mapped (search));
}

static void
test_ctrl_f_searches (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_ctrl_f_searches, server);
}

static GtkWidget *
find_with_class (GtkWidget  *root,
                 const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_with_class (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The answer names the model the provider says answered, as soon as it says so: it showed
 * the model asked for until the chat was opened again (a router such as OpenRouter answers
 * with another name). */
static void
check_answer_names_served_model (ConfabWindow *window,
                                 gpointer      data)
{
  ConfabMessageRow *row;
  GtkWidget *author;

  confab_test_type_and_press_enter (window, "Who answers?");
  confab_test_wait_idle (window);

  g_assert_cmpstr (confab_message_get_model (confab_test_message_at (window, 1)), ==, "served-model");
  row = row_of (window, confab_test_message_at (window, 1));
  confab_test_wait_frames (GTK_WIDGET (window));
  author = find_with_class (GTK_WIDGET (row), "message-author");
  g_assert_nonnull (author);
  g_assert_true (gtk_widget_get_mapped (author));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (author)), ==, "served-model");
}

static void
test_answer_names_served_model (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };

  confab_replay_server_add_response (server, 200, NULL,
                                     "data: {\"model\":\"served-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Me.\"}}]}\n\n"
                                     "data: {\"model\":\"served-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                                     "data: [DONE]\n\n", CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  confab_test_run_app (args, check_answer_names_served_model, server);
}

static void
check_usage_sidebar_quiet (ConfabWindow *window,
                           gpointer      data)
{
  GtkWidget *sidebar = confab_window_get_usage_sidebar (window);
  GtkWidget *turn_label = panels_test_get (sidebar, "turn_label");
  GtkWidget *request;

  /* Nothing to page through yet: no second "Usage" under the header's. */
  confab_test_wait_frames (GTK_WIDGET (window));
  g_assert_false (gtk_widget_is_visible (turn_label));
  g_assert_true (gtk_widget_is_visible (panels_test_get (sidebar, "empty_label")));

  confab_test_type_and_press_enter (window, "Count my tokens");
  confab_test_wait_idle (window);
  CONFAB_TEST_WAIT_FOR (gtk_widget_is_visible (turn_label), PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (turn_label)), ==, "Turn 1 of 1");

  /* The provider reported no reasoning, cached tokens or cost: no rows of dashes for them. */
  request = panels_test_get (sidebar, "request-1");
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (panels_test_label (request, "prompt"), "12") == 0, PANELS_TEST_TIMEOUT_MS);
  g_assert_true (gtk_widget_is_visible (panels_test_get (request, "prompt")));
  g_assert_false (gtk_widget_is_visible (panels_test_get (request, "reasoning")));
  g_assert_false (gtk_widget_is_visible (panels_test_get (request, "cached")));
  g_assert_false (gtk_widget_is_visible (panels_test_get (request, "cost")));
  confab_test_wait_frames (GTK_WIDGET (window));
  confab_test_save_screenshot_if_asked (GTK_WIDGET (window), "first-hour-usage.png");
}

static void
test_usage_sidebar_quiet (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const char *args[] = { "--base-url", NULL, "--model", "test-model", NULL };
  const char body[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Nine tokens here\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
    "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,\"total_tokens\":21}}\n\n"
    "data: [DONE]\n\n";

  confab_replay_server_add_response (server, 200, NULL, body, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (server);
  g_settings_set_boolean (settings, "show-usage-sidebar", TRUE);
  confab_test_run_app (args, check_usage_sidebar_quiet, server);
  g_settings_reset (settings, "show-usage-sidebar");
}

/* ---------------------------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  panels_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/first-hour/default-model-applies-at-once", test_default_model_applies_at_once);
  g_test_add_func ("/first-hour/leave-chat-awaiting-approval", test_leave_chat_awaiting_approval);
  g_test_add_func ("/first-hour/stop-while-awaiting-approval", test_stop_while_awaiting_approval);
  g_test_add_func ("/first-hour/repair-stored-chat", test_repair_stored_chat);
  g_test_add_func ("/first-hour/typing-without-model", test_typing_without_model);
  g_test_add_func ("/first-hour/new-chat-listed-at-once", test_new_chat_listed_at_once);
  g_test_add_func ("/first-hour/one-toast-overlay", test_one_toast_overlay);
  g_test_add_func ("/first-hour/export", test_export);
  g_test_add_func ("/first-hour/ctrl-enter-sends-edit", test_ctrl_enter_sends_edit);
  g_test_add_func ("/first-hour/ctrl-f-searches", test_ctrl_f_searches);
  g_test_add_func ("/first-hour/answer-names-served-model", test_answer_names_served_model);
  g_test_add_func ("/first-hour/export-folder-with-attachments", test_export_folder);
  g_test_add_func ("/first-hour/approval-by-keyboard", test_approval_by_keyboard);
  g_test_add_func ("/first-hour/html-error-details", test_html_error_details);
  g_test_add_func ("/first-hour/unauthorized-check-api-key", test_unauthorized_check_api_key);
  g_test_add_func ("/first-hour/idle-timeout-names-provider", test_idle_timeout_names_provider);
  g_test_add_func ("/first-hour/translations-from-build-tree", test_translations_from_build_tree);
  g_test_add_func ("/first-hour/missing-schema-message", test_missing_schema_message);
  g_test_add_func ("/first-hour/narrow-window", test_narrow_window);
  g_test_add_func ("/first-hour/inspector-redacts-secrets", test_inspector_redacts_secrets);
  g_test_add_func ("/first-hour/first-launch-one-welcome", test_first_launch_one_welcome);
  g_test_add_func ("/first-hour/escape-cancels-edit", test_escape_cancels_edit);
  g_test_add_func ("/first-hour/usage-sidebar-quiet", test_usage_sidebar_quiet);

  return g_test_run ();
}
