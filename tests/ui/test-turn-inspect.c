/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-turn-inspect"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "confab-approval-policy.h"
#include "confab-client.h"
#include "confab-conversation.h"
#include "confab-export.h"
#include "confab-inspector-dialog.h"
#include "confab-message.h"
#include "confab-message-actions.h"
#include "confab-message-row.h"
#include "confab-chat-view.h"
#include "confab-session.h"
#include "confab-recording-export.h"
#include "confab-store.h"
#include "confab-provider.h"
#include "confab-provider-list.h"
#include "confab-replay-server.h"
#include "confab-request-diff-view.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-tool-call-card.h"
#include "confab-tool-registry.h"
#include "confab-tool-rerun-dialog.h"
#include "confab-turn.h"
#include "confab-turn-timeline-dialog.h"
#include "confab-turn-timing.h"
#include "confab-usage-sidebar.h"
#include "confab-window.h"

/* Inspecting a turn: the recorded parallel-call turn (add and multiply at once) replayed
 * through the real tool loop and the test MCP server, then shown on the timeline and
 * compared request by request in the inspector. */

#define WAIT_MS 15000
#define MODEL "moonshotai/kimi-k2-instruct-0905"
#define MULTI_TOOL_CASSETTE "multi_tool_streaming_groq-kimi-k2.json"
#define APPROVAL_DELAY_MS 150

typedef struct
{
  ConfabReplayServer   *server;
  ConfabClient         *client;
  ConfabProvider       *provider;
  ConfabToolRegistry   *registry;
  ConfabApprovalPolicy *approvals;
  ConfabConversation   *conversation;
} Fixture;

static gboolean
approve_later (gpointer data)
{
  confab_tool_call_resolve_approval (data, CONFAB_APPROVAL_ALLOW_ONCE);
  return G_SOURCE_REMOVE;
}

/* The user takes a moment to decide: the approval wait is real time on the timeline. */
static void
on_approval_requested (ConfabTurn     *turn,
                       ConfabToolCall *call,
                       gpointer        data)
{
  g_timeout_add_full (G_PRIORITY_DEFAULT, APPROVAL_DELAY_MS, approve_later,
                      g_object_ref (call), g_object_unref);
}

static char *
prompt (const char *body,
        guint       index)
{
  g_autoptr(JsonNode) root = json_from_string (body, NULL);
  JsonArray *messages = json_object_get_array_member (json_node_get_object (root), "messages");

  return g_strdup (json_object_get_string_member (json_array_get_object_element (messages, index), "content"));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  gboolean ask = GPOINTER_TO_INT (data);
  g_autofree char *quoted = g_shell_quote (g_getenv ("CONFAB_TEST_MCP_SERVER"));
  g_autofree char *command = g_strdup_printf ("%s --tools add,multiply", quoted);
  g_autofree char *approvals_path = confab_approval_policy_get_default_path ();
  g_autofree char *system_prompt = NULL;
  g_autofree char *user_prompt = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(ConfabMessage) user = NULL;
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  fixture->server = confab_replay_server_new ();
  g_assert_true (confab_replay_server_load_cassette (fixture->server, MULTI_TOOL_CASSETTE, &error));
  g_assert_true (confab_cassette_load (MULTI_TOOL_CASSETTE, &requests, &responses, &error));
  g_assert_no_error (error);
  system_prompt = prompt (g_ptr_array_index (requests, 0), 0);
  user_prompt = prompt (g_ptr_array_index (requests, 0), 1);

  fixture->client = confab_client_new ();
  fixture->provider = confab_provider_new ("Replay", confab_replay_server_get_base_url (fixture->server));
  confab_provider_set_max_tokens (fixture->provider, 4000);
  fixture->registry = confab_tool_registry_new ();
  g_assert_true (confab_tool_registry_add_command (fixture->registry, command, &error));
  confab_tool_registry_start_async (fixture->registry, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_tool_registry_start_finish (fixture->registry, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  fixture->approvals = confab_approval_policy_new (approvals_path);
  confab_approval_policy_set_allow_all (fixture->approvals, !ask);

  fixture->conversation = confab_conversation_new ();
  confab_conversation_set_system_prompt (fixture->conversation, system_prompt);
  user = confab_message_new (CONFAB_ROLE_USER, user_prompt);
  confab_conversation_append (fixture->conversation, user);

  turn = confab_turn_new (fixture->client, fixture->provider, fixture->conversation,
                          fixture->registry, fixture->approvals);
  confab_turn_set_model (turn, MODEL);
  if (ask)
    g_signal_connect (turn, "approval-requested", G_CALLBACK (on_approval_requested), NULL);
  confab_turn_run_async (turn, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_turn_run_finish (turn, result, &error));
  g_assert_no_error (error);
  confab_replay_server_assert_no_mismatches (fixture->server);

  /* user, assistant (2 calls), tool, tool, assistant */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->conversation)), ==, 5);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  confab_tool_registry_stop (fixture->registry);
  g_clear_object (&fixture->conversation);
  g_clear_object (&fixture->registry);
  g_clear_object (&fixture->approvals);
  g_clear_object (&fixture->provider);
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->server, confab_replay_server_free);
}

static ConfabMessage *
message_at (Fixture *fixture,
            guint    position)
{
  g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (fixture->conversation), position);

  return message;  /* the conversation keeps it */
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("CONFAB_SCREENSHOT_DIR");
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA background;

  g_assert_cmpint (width, >, 0);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "window_bg_color", &background));
G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_nonnull (texture);

  if (dir == NULL || *dir == '\0')
    return;
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_drawn (GtkWidget *widget)
{
  gboolean done = FALSE;

  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (widget) && gtk_widget_get_height (widget) > 0, WAIT_MS);
  g_timeout_add (50, set_true, &done);
  CONFAB_TEST_WAIT_FOR (done, WAIT_MS);
}

static gboolean
press_key (GtkWidget *widget,
           guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
    }
  return handled;
}

static void
count_activation (ConfabTurnTimeline *timeline,
                  guint               index,
                  guint              *activated)
{
  *activated = index;
}

/* The card showing @call (any call when NULL) under @widget. */
static GtkWidget *
find_card_for (GtkWidget      *widget,
               ConfabToolCall *call)
{
  if (CONFAB_IS_TOOL_CALL_CARD (widget) &&
      (call == NULL || confab_tool_call_card_get_call (CONFAB_TOOL_CALL_CARD (widget)) == call))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_card_for (child, call);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The rows of the parallel-call turn: request 1, its two calls side by side (lanes 0 and 1,
 * overlapping in time), request 2 after both results; each with its numbers. */
static void
test_timeline_rows (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *dialog = confab_turn_timeline_dialog_new (NULL, fixture->conversation, 1);
  ConfabTurnTimeline *timeline = confab_turn_timeline_dialog_get_timeline (CONFAB_TURN_TIMELINE_DIALOG (dialog));
  GtkListBox *list = confab_turn_timeline_dialog_get_list (CONFAB_TURN_TIMELINE_DIALOG (dialog));
  GPtrArray *rows = confab_turn_timeline_get_rows (timeline);
  ConfabTiming *request1, *add, *multiply, *request2;
  guint activated = G_MAXUINT;
  guint n_list_rows = 0;

  g_assert_cmpuint (rows->len, ==, 4);
  request1 = g_ptr_array_index (rows, 0);
  add = g_ptr_array_index (rows, 1);
  multiply = g_ptr_array_index (rows, 2);
  request2 = g_ptr_array_index (rows, 3);

  g_assert_cmpint (request1->kind, ==, CONFAB_TIMING_REQUEST);
  g_assert_cmpstr (request1->label, ==, "Request 1");
  g_assert_cmpint (request1->start, ==, 0);
  g_assert_cmpint (request1->mark, >=, request1->start);
  g_assert_cmpint (request1->end, >=, request1->mark);
  /* The recorded usage: 289 prompt + 29 completion tokens in the second request. */
  g_assert_nonnull (strstr (request2->detail, "318 tokens"));
  g_assert_true (g_str_has_prefix (request1->detail, "first byte "));

  g_assert_cmpint (add->kind, ==, CONFAB_TIMING_TOOL_CALL);
  g_assert_cmpstr (add->label, ==, "add");
  g_assert_cmpuint (add->step, ==, 1);
  g_assert_cmpuint (add->lane, ==, 0);
  g_assert_cmpstr (multiply->label, ==, "multiply");
  g_assert_cmpuint (multiply->step, ==, 1);
  g_assert_cmpuint (multiply->lane, ==, 1);
  g_assert_true (g_str_has_suffix (add->detail, "result 1 byte · done"));
  g_assert_true (g_str_has_suffix (multiply->detail, "result 1 byte · done"));

  /* The calls ran after the first answer, side by side: each started before the other
   * finished. The second request went out after both results. */
  g_assert_cmpint (add->mark, >=, request1->end);
  g_assert_cmpint (multiply->mark, >=, request1->end);
  g_assert_cmpint (add->mark, <=, multiply->end);
  g_assert_cmpint (multiply->mark, <=, add->end);
  g_assert_cmpint (request2->start, >=, MAX (add->end, multiply->end));
  g_assert_cmpstr (request2->label, ==, "Request 2");
  g_assert_cmpuint (request2->step, ==, 2);

  /* The accessible equivalent: the same rows as sentences. */
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row; row = gtk_widget_get_next_sibling (row))
    {
      ConfabTiming *timing = g_ptr_array_index (rows, n_list_rows++);
      g_autofree char *expected = confab_timing_describe (timing);
      GtkWidget *label = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));

      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, expected);
    }
  g_assert_cmpuint (n_list_rows, ==, 4);
  {
    g_autofree char *text = confab_timing_describe (add);
    g_assert_true (g_str_has_prefix (text, "Tool add (request 1), from "));
  }

  /* Keyboard: focus selects the first row, Down/End move, Enter activates. */
  gtk_window_present (GTK_WINDOW (dialog));
  wait_drawn (GTK_WIDGET (timeline));
  g_signal_connect (timeline, "row-activated", G_CALLBACK (count_activation), &activated);
  confab_turn_timeline_set_selected (timeline, 0);
  g_assert_true (press_key (GTK_WIDGET (timeline), GDK_KEY_Down));
  g_assert_cmpuint (confab_turn_timeline_get_selected (timeline), ==, 1);
  g_assert_true (press_key (GTK_WIDGET (timeline), GDK_KEY_End));
  g_assert_cmpuint (confab_turn_timeline_get_selected (timeline), ==, 3);
  g_assert_true (press_key (GTK_WIDGET (timeline), GDK_KEY_Down));
  g_assert_cmpuint (confab_turn_timeline_get_selected (timeline), ==, 3);
  g_assert_true (press_key (GTK_WIDGET (timeline), GDK_KEY_Up));
  g_signal_handlers_block_matched (timeline, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, dialog);
  g_assert_true (press_key (GTK_WIDGET (timeline), GDK_KEY_Return));
  g_signal_handlers_unblock_matched (timeline, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, dialog);
  g_assert_cmpuint (activated, ==, 2);

  /* Activating a call's row (here in the accessible list) opens that call's own card. */
  g_signal_emit_by_name (list, "row-activated", gtk_list_box_get_row_at_index (list, 1));
  {
    GListModel *toplevels = gtk_window_get_toplevels ();  /* (transfer none) */
    GtkWindow *card_window = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

        if (gtk_window_get_transient_for (window) == GTK_WINDOW (dialog))
          card_window = window;
      }
    g_assert_nonnull (card_window);
    g_assert_cmpstr (gtk_window_get_title (card_window), ==, "add");
    {
      GtkWidget *card = find_card_for (GTK_WIDGET (card_window), NULL);

      g_assert_nonnull (card);
      g_assert_true (confab_tool_call_card_get_call (CONFAB_TOOL_CALL_CARD (card)) == add->call);
    }
    gtk_window_destroy (card_window);
  }
  g_assert_cmpuint (confab_turn_timeline_get_selected (timeline), ==, 1);

  /* The turn's height fits every row. */
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (timeline)), >=, 4 * 40);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* With approval asked each time, the wait before each call is on the timeline (and in the
 * screenshots, light and dark). */
static void
test_timeline_approval_wait (Fixture       *fixture,
                             gconstpointer  data)
{
  GtkWidget *dialog = confab_turn_timeline_dialog_new (NULL, fixture->conversation, 4);
  ConfabTurnTimeline *timeline = confab_turn_timeline_dialog_get_timeline (CONFAB_TURN_TIMELINE_DIALOG (dialog));
  GPtrArray *rows = confab_turn_timeline_get_rows (timeline);

  g_assert_cmpuint (rows->len, ==, 4);
  for (guint i = 1; i <= 2; i++)
    {
      ConfabTiming *call = g_ptr_array_index (rows, i);

      g_assert_cmpint (call->mark - call->start, >=, (APPROVAL_DELAY_MS - 20) * 1000);
      g_assert_true (g_str_has_prefix (call->detail, "approval "));
    }

  gtk_window_set_default_size (GTK_WINDOW (dialog), 960, 520);
  gtk_window_present (GTK_WINDOW (dialog));
  wait_drawn (GTK_WIDGET (timeline));
  confab_turn_timeline_set_selected (timeline, 1);
  wait_drawn (GTK_WIDGET (timeline));
  save_screenshot (dialog, "turn-timeline.png");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  wait_drawn (GTK_WIDGET (timeline));
  save_screenshot (dialog, "turn-timeline-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* The inspector's Changes page for the second request: what the tool loop added. */
static void
test_diff_of_second_request (Fixture       *fixture,
                             gconstpointer  data)
{
  GtkWidget *inspector = confab_inspector_dialog_new (NULL, message_at (fixture, 4));
  GtkWidget *first = confab_inspector_dialog_new (NULL, message_at (fixture, 1));
  ConfabRequestDiffView *view;
  g_auto(GStrv) texts = NULL;

  confab_inspector_dialog_set_conversation (CONFAB_INSPECTOR_DIALOG (inspector), fixture->conversation);
  view = CONFAB_REQUEST_DIFF_VIEW (confab_inspector_dialog_get_diff_view (CONFAB_INSPECTOR_DIALOG (inspector)));
  texts = confab_request_diff_view_dup_row_texts (view);

  g_assert_null (confab_request_diff_view_get_message (view));
  g_assert_cmpuint (g_strv_length (texts), ==, 3);
  g_assert_true (g_str_has_prefix (texts[0], "Added $.messages[2], assistant message with 2 tool calls: {"));
  g_assert_true (g_str_has_prefix (texts[1], "Added $.messages[3], tool result for "));
  g_assert_nonnull (strstr (texts[1], "\"content\":\"5\""));
  g_assert_true (g_str_has_prefix (texts[2], "Added $.messages[4], tool result for "));
  g_assert_nonnull (strstr (texts[2], "\"content\":\"6\""));

  /* The first request has nothing before it. */
  confab_inspector_dialog_set_conversation (CONFAB_INSPECTOR_DIALOG (first), fixture->conversation);
  view = CONFAB_REQUEST_DIFF_VIEW (confab_inspector_dialog_get_diff_view (CONFAB_INSPECTOR_DIALOG (first)));
  g_assert_true (g_str_has_prefix (confab_request_diff_view_get_message (view), "This is the first request"));

  /* Opened from the turn menu. */
  gtk_window_present (GTK_WINDOW (inspector));
  g_assert_true (gtk_widget_activate_action (inspector, "inspector.compare", NULL));
  wait_drawn (confab_inspector_dialog_get_diff_view (CONFAB_INSPECTOR_DIALOG (inspector)));
  save_screenshot (inspector, "request-diff.png");

  gtk_window_destroy (GTK_WINDOW (inspector));
  gtk_window_destroy (GTK_WINDOW (first));
}

static void
remember_use (ConfabToolCall **used,
              ConfabToolCall  *call,
              ConfabToolCall  *rerun)
{
  used[0] = g_object_ref (call);
  used[1] = g_object_ref (rerun);
}

/* Run again with edited arguments: checked against the schema, approval asked as usual,
 * the new result beside the old one, and the conversation exactly as it was. */
static void
test_rerun_leaves_conversation (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(JsonNode) before = confab_conversation_to_messages_json (fixture->conversation);
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(ConfabToolCall) add = g_list_model_get_item (confab_message_get_tool_calls (message_at (fixture, 1)), 0);
  GtkWidget *dialog = confab_tool_rerun_dialog_new (NULL, add, fixture->registry, fixture->approvals);
  ConfabToolRerunDialog *rerun = CONFAB_TOOL_RERUN_DIALOG (dialog);
  ConfabToolCall *new_call;

  g_assert_cmpstr (confab_tool_call_get_name (add), ==, "add");
  g_assert_null (confab_tool_rerun_dialog_get_problem (rerun));
  gtk_window_present (GTK_WINDOW (dialog));

  /* Against the tool's schema: a missing argument, a wrong type, not JSON. */
  confab_tool_rerun_dialog_set_arguments (rerun, "{\"a\": 2}");
  g_assert_cmpstr (confab_tool_rerun_dialog_get_problem (rerun), ==, "The arguments do not fit the tool: b: is required");
  confab_tool_rerun_dialog_set_arguments (rerun, "{\"a\": 2, \"b\": \"3\"}");
  g_assert_cmpstr (confab_tool_rerun_dialog_get_problem (rerun), ==, "The arguments do not fit the tool: b: must be an integer");
  confab_tool_rerun_dialog_set_arguments (rerun, "{\"a\": 2,");
  g_assert_true (g_str_has_prefix (confab_tool_rerun_dialog_get_problem (rerun), "The arguments are not valid JSON"));
  /* Two objects: json-glib alone would run the first and drop the second unseen. */
  confab_tool_rerun_dialog_set_arguments (rerun, "{\"a\": 20, \"b\": 22} {\"a\": 1, \"b\": 1}");
  g_assert_cmpstr (confab_tool_rerun_dialog_get_problem (rerun), ==,
                   "The arguments are not valid JSON: The JSON has something after its value");
  confab_tool_rerun_dialog_set_arguments (rerun, "");
  g_assert_cmpstr (confab_tool_rerun_dialog_get_problem (rerun), ==, "The arguments are not valid JSON: The JSON is empty");
  gtk_widget_activate_action (dialog, "rerun.run", NULL);
  g_assert_null (confab_tool_rerun_dialog_get_new_call (rerun));

  confab_tool_rerun_dialog_set_arguments (rerun, "{\"a\": 20, \"b\": 22}");
  g_assert_null (confab_tool_rerun_dialog_get_problem (rerun));
  g_assert_true (gtk_widget_activate_action (dialog, "rerun.run", NULL));
  new_call = confab_tool_rerun_dialog_get_new_call (rerun);
  g_assert_nonnull (new_call);
  g_assert_true (new_call != add);

  /* Asked as usual (the policy asks for every call here), answered on its card. */
  CONFAB_TEST_WAIT_FOR (confab_tool_call_get_status (new_call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL, WAIT_MS);
  {
    GtkWidget *card = find_card_for (dialog, new_call);

    g_assert_nonnull (card);
    g_assert_true (gtk_widget_activate_action (card, "card.allow-once", NULL));
  }
  CONFAB_TEST_WAIT_FOR (!confab_tool_rerun_dialog_get_running (rerun), WAIT_MS);

  g_assert_cmpint (confab_tool_call_get_status (new_call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_cmpstr (confab_tool_call_get_result (new_call), ==, "42");
  g_assert_cmpstr (confab_tool_call_get_result (add), ==, "5");
  g_assert_cmpstr (confab_tool_call_get_arguments (add), ==, "{\"a\":2,\"b\":3}");

  /* The conversation is exactly as it was. */
  after = confab_conversation_to_messages_json (fixture->conversation);
  g_assert_true (json_node_equal (before, after));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->conversation)), ==, 5);

  wait_drawn (dialog);
  save_screenshot (dialog, "tool-rerun.png");

  /* Use This Result and Continue: the dialog hands the call and its re-run over and closes;
   * the conversation branches at the answer, the old version kept. */
  {
    ConfabToolCall *used[2] = { NULL, NULL };
    g_autoptr(ConfabToolCall) copied = NULL;
    g_autoptr(ConfabMessage) answer = NULL;
    g_autoptr(ConfabMessage) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *sent = NULL;

    g_signal_connect_swapped (dialog, "use-result", G_CALLBACK (remember_use), used);
    g_assert_true (gtk_widget_activate_action (dialog, "rerun.use", NULL));
    g_assert_true (used[0] == add);
    g_assert_true (used[1] == new_call);
    /* The dialog is gone with what it owned: the re-run lives on in what it handed over. */
    new_call = used[1];
    g_assert_true (confab_export_branch_with_result (fixture->conversation, add, new_call, &error));
    g_assert_no_error (error);

    /* user, the new answer (2 calls), their two results; the first is the one run again. */
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->conversation)), ==, 4);
    answer = g_list_model_get_item (G_LIST_MODEL (fixture->conversation), 1);
    result = g_list_model_get_item (G_LIST_MODEL (fixture->conversation), 2);
    g_assert_cmpstr (confab_message_get_tool_call_id (result), ==, confab_tool_call_get_id (add));
    copied = g_list_model_get_item (confab_message_get_tool_calls (answer), 0);
    g_assert_cmpstr (confab_tool_call_get_arguments (copied), ==, "{\"a\": 20, \"b\": 22}");
    g_assert_cmpstr (confab_tool_call_get_result (copied), ==, "42");
    g_assert_cmpstr (confab_message_get_content (result), ==, "42");
    g_assert_cmpuint (confab_conversation_get_n_siblings (fixture->conversation, answer, NULL), ==, 2);
    sent = json_to_string (confab_conversation_to_messages_json (fixture->conversation), FALSE);
    g_assert_null (strstr (sent, "\"5\""));

    /* The first version, as it was. */
    g_assert_true (confab_conversation_switch_sibling (fixture->conversation, answer, 0));
    g_clear_pointer (&after, json_node_unref);
    after = confab_conversation_to_messages_json (fixture->conversation);
    g_assert_true (json_node_equal (before, after));
    g_object_unref (used[0]);
    g_object_unref (used[1]);
  }
}

static ConfabTurnTimelineDialog *
find_timeline_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CONFAB_IS_TURN_TIMELINE_DIALOG (window))
        return CONFAB_TURN_TIMELINE_DIALOG (window);
    }
  return NULL;
}

/* The timeline opens from the usage sidebar's turn and from the inspector's turn menu. */
static void
test_timeline_entry_points (Fixture       *fixture,
                            gconstpointer  data)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *sidebar = confab_usage_sidebar_new ();
  GtkWidget *inspector = confab_inspector_dialog_new (NULL, message_at (fixture, 4));
  ConfabTurnTimelineDialog *dialog;

  gtk_window_set_child (GTK_WINDOW (window), sidebar);
  confab_usage_sidebar_set_conversation (CONFAB_USAGE_SIDEBAR (sidebar), fixture->conversation);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_null (find_timeline_dialog ());
  g_assert_true (gtk_widget_activate_action (sidebar, "usage.timeline", NULL));
  dialog = find_timeline_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpuint (confab_turn_timeline_get_rows (confab_turn_timeline_dialog_get_timeline (dialog))->len, ==, 4);
  gtk_window_destroy (GTK_WINDOW (dialog));
  CONFAB_TEST_WAIT_FOR (find_timeline_dialog () == NULL, WAIT_MS);

  /* Without the conversation the inspector cannot know the turn: the menu is off. */
  g_assert_false (gtk_widget_activate_action (inspector, "inspector.timeline", NULL) && find_timeline_dialog () != NULL);
  confab_inspector_dialog_set_conversation (CONFAB_INSPECTOR_DIALOG (inspector), fixture->conversation);
  g_assert_true (gtk_widget_activate_action (inspector, "inspector.timeline", NULL));
  dialog = find_timeline_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpuint (confab_turn_timeline_get_rows (confab_turn_timeline_dialog_get_timeline (dialog))->len, ==, 4);

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (inspector));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The rows of @dialog's timeline as "message call" pointer pairs, to compare two timelines. */
static GPtrArray *
timeline_rows (ConfabTurnTimelineDialog *dialog)
{
  GPtrArray *rows = confab_turn_timeline_get_rows (confab_turn_timeline_dialog_get_timeline (dialog));
  GPtrArray *items = g_ptr_array_new ();

  for (guint i = 0; i < rows->len; i++)
    {
      ConfabTiming *timing = g_ptr_array_index (rows, i);

      g_ptr_array_add (items, timing->message);
      g_ptr_array_add (items, timing->call);
    }
  return items;
}

static void
close_timeline (ConfabTurnTimelineDialog *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  CONFAB_TEST_WAIT_FOR (find_timeline_dialog () == NULL, WAIT_MS);
}

static GtkWidget *
find_widget_of_type (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The chat view's row of @message, once the list has built it. */
static ConfabMessageRow *
wait_for_row (ConfabWindow  *window,
              ConfabMessage *message)
{
  ConfabChatView *chat = confab_window_get_chat_view (window);

  CONFAB_TEST_WAIT_FOR (confab_chat_view_find_row (chat, message) != NULL, WAIT_MS);
  return confab_chat_view_find_row (chat, message);
}

static GtkWidget *
timeline_button (ConfabMessageRow *row)
{
  GtkWidget *actions = find_widget_of_type (GTK_WIDGET (row), CONFAB_TYPE_MESSAGE_ACTIONS);

  g_assert_nonnull (actions);
  return confab_message_actions_get_timeline_button (CONFAB_MESSAGE_ACTIONS (actions));
}

/* The Turn Timeline button of @message's row once it is on screen (the list binds rows to
 * messages as it scrolls: asked again each time). */
static GtkWidget *
shown_timeline_button (ConfabWindow  *window,
                       ConfabMessage *message)
{
  ConfabMessageRow *row = confab_chat_view_find_row (confab_window_get_chat_view (window), message);
  GtkWidget *button = row ? timeline_button (row) : NULL;

  return button && gtk_widget_get_mapped (button) ? button : NULL;
}

/* In the main window, an answer's Turn Timeline button opens the timeline of its turn: the
 * same rows the usage sidebar's entry shows for that turn. Your message offers none; an
 * answer of the second turn opens the second turn. */
static void
test_timeline_from_message (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(ConfabProviderList) providers = confab_provider_list_new (NULL);
  g_autoptr(GError) error = NULL;
  ConfabWindow *window;
  GtkWidget *sidebar;
  g_autoptr(ConfabMessage) question = confab_message_new (CONFAB_ROLE_USER, "And 3 + 4?");
  g_autoptr(ConfabMessage) answer = confab_message_new (CONFAB_ROLE_ASSISTANT, "3 + 4 = 7.");
  g_autoptr(ConfabMessage) imported = confab_message_new (CONFAB_ROLE_ASSISTANT, "Imported, never sent by Confab.");
  g_autoptr(GPtrArray) from_message = NULL;
  g_autoptr(GPtrArray) from_sidebar = NULL;
  GtkWidget *standalone = g_object_ref_sink (confab_message_row_new ());
  ConfabTurnTimelineDialog *dialog;
  ConfabMessageRow *row;
  GtkWidget *button;
  GPtrArray *rows;

  /* With a provider the window shows the chat, not the welcome. */
  confab_provider_list_add (providers, fixture->provider);
  confab_provider_list_set_active (providers, "Replay");
  g_assert_true (confab_provider_list_save (providers, &error));
  g_assert_no_error (error);
  window = g_object_ref_sink (confab_window_new (NULL));
  sidebar = confab_window_get_usage_sidebar (window);

  /* A second, finished turn: one request, no calls. */
  confab_message_set_request_body (answer, "{\"messages\":[]}");
  confab_message_set_created_at (answer, g_get_real_time ());
  confab_conversation_append (fixture->conversation, question);
  confab_conversation_append (fixture->conversation, answer);

  confab_session_set_conversation (confab_window_get_session (window), fixture->conversation);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 800);
  gtk_window_present (GTK_WINDOW (window));

  /* The last answer of the tool loop: its button is shown, can take the keyboard focus,
   * and opens the timeline of the first turn, presented. */
  wait_drawn (GTK_WIDGET (window));
  CONFAB_TEST_WAIT_FOR (shown_timeline_button (window, message_at (fixture, 4)) != NULL, WAIT_MS);
  save_screenshot (GTK_WIDGET (window), "message-turn-timeline-button.png");
  button = shown_timeline_button (window, message_at (fixture, 4));
  row = CONFAB_MESSAGE_ROW (gtk_widget_get_ancestor (button, CONFAB_TYPE_MESSAGE_ROW));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_focusable (button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Turn Timeline");

  /* Focused and activated as the keyboard does (Tab to it, Space or Enter). */
  g_assert_null (find_timeline_dialog ());
  g_assert_true (gtk_widget_grab_focus (button));
  g_assert_true (gtk_widget_has_focus (button));
  wait_drawn (button);
  save_screenshot (GTK_WIDGET (row), "message-turn-timeline-row.png");
  g_assert_true (confab_message_row_get_message (row) == message_at (fixture, 4));
  g_assert_true (gtk_widget_activate (button));
  /* A button activated from the keyboard shows itself pressed a moment, then clicks. */
  CONFAB_TEST_WAIT_FOR ((dialog = find_timeline_dialog ()) != NULL, WAIT_MS);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (dialog)), WAIT_MS);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  rows = confab_turn_timeline_get_rows (confab_turn_timeline_dialog_get_timeline (dialog));
  g_assert_cmpuint (rows->len, ==, 4);  /* request 1, add, multiply, request 2 */
  g_assert_true (((ConfabTiming *) g_ptr_array_index (rows, 0))->message == message_at (fixture, 1));
  g_assert_true (((ConfabTiming *) g_ptr_array_index (rows, 3))->message == message_at (fixture, 4));
  from_message = timeline_rows (dialog);
  wait_drawn (GTK_WIDGET (confab_turn_timeline_dialog_get_timeline (dialog)));
  save_screenshot (GTK_WIDGET (dialog), "message-turn-timeline-dialog.png");
  close_timeline (dialog);

  /* The sidebar's entry for the same turn shows the same rows. */
  confab_usage_sidebar_set_turn (CONFAB_USAGE_SIDEBAR (sidebar), 4);
  CONFAB_TEST_WAIT_FOR (gtk_widget_activate_action (sidebar, "usage.timeline", NULL) &&
                        find_timeline_dialog () != NULL, WAIT_MS);
  dialog = find_timeline_dialog ();
  from_sidebar = timeline_rows (dialog);
  g_assert_cmpuint (from_sidebar->len, ==, from_message->len);
  for (guint i = 0; i < from_sidebar->len; i++)
    g_assert_true (g_ptr_array_index (from_sidebar, i) == g_ptr_array_index (from_message, i));
  close_timeline (dialog);

  /* Your message has no turn timeline: no button, and the action opens nothing. */
  row = wait_for_row (window, message_at (fixture, 0));
  g_assert_false (gtk_widget_get_visible (timeline_button (row)));
  gtk_widget_activate_action (GTK_WIDGET (row), "row.timeline", NULL);
  g_assert_null (find_timeline_dialog ());

  /* The second turn's answer opens the second turn. */
  CONFAB_TEST_WAIT_FOR (shown_timeline_button (window, answer) != NULL, WAIT_MS);
  button = shown_timeline_button (window, answer);
  g_assert_true (gtk_widget_activate (button));
  /* A button activated from the keyboard shows itself pressed a moment, then clicks. */
  CONFAB_TEST_WAIT_FOR ((dialog = find_timeline_dialog ()) != NULL, WAIT_MS);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (dialog)), WAIT_MS);
  rows = confab_turn_timeline_get_rows (confab_turn_timeline_dialog_get_timeline (dialog));
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_true (((ConfabTiming *) g_ptr_array_index (rows, 0))->message == answer);
  close_timeline (dialog);

  /* An answer Confab sent no request for (imported) has none either: the button is hidden
   * and its action off, so it is neither offered nor activatable. */
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (standalone), imported);
  button = timeline_button (CONFAB_MESSAGE_ROW (standalone));
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_false (gtk_widget_is_sensitive (button));
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (standalone), answer);
  g_assert_true (gtk_widget_get_visible (button));
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (standalone), NULL);
  g_assert_finalize_object (standalone);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

static GtkWindow *
find_toplevel (GType type)
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

/* From the main window's turn timeline, a call's card offers Run Again…, with the main
 * window's tools (found through the dialogs it sits in). */
static void
test_run_again_from_timeline_card (Fixture       *fixture,
                                   gconstpointer  data)
{
  ConfabWindow *window = g_object_ref_sink (confab_window_new (NULL));
  GtkWidget *timeline = confab_turn_timeline_dialog_new (GTK_WINDOW (window), fixture->conversation, 1);
  GtkListBox *list = confab_turn_timeline_dialog_get_list (CONFAB_TURN_TIMELINE_DIALOG (timeline));
  g_autoptr(ConfabToolCall) multiply = g_list_model_get_item (confab_message_get_tool_calls (message_at (fixture, 1)), 1);
  GtkWindow *card_window = NULL;
  GtkWindow *rerun;
  GtkWidget *card;

  gtk_window_present (GTK_WINDOW (timeline));
  g_signal_emit_by_name (list, "row-activated", gtk_list_box_get_row_at_index (list, 2));
  {
    GListModel *toplevels = gtk_window_get_toplevels ();  /* (transfer none) */

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWindow) item = g_list_model_get_item (toplevels, i);

        if (gtk_window_get_transient_for (item) == GTK_WINDOW (timeline))
          card_window = item;
      }
  }
  g_assert_nonnull (card_window);
  card = find_card_for (GTK_WIDGET (card_window), multiply);
  g_assert_nonnull (card);

  g_assert_null (find_toplevel (CONFAB_TYPE_TOOL_RERUN_DIALOG));
  g_assert_true (gtk_widget_activate_action (card, "card.run-again", NULL));
  rerun = find_toplevel (CONFAB_TYPE_TOOL_RERUN_DIALOG);
  g_assert_nonnull (rerun);
  g_assert_cmpstr (gtk_window_get_title (rerun), ==, "Run multiply Again");
  /* The window's session has no "multiply" (no mcp.json here): it says so, runs nothing. */
  g_assert_true (g_str_has_prefix (confab_tool_rerun_dialog_get_problem (CONFAB_TOOL_RERUN_DIALOG (rerun)),
                                   "There is no tool named “multiply” now"));

  gtk_window_destroy (rerun);
  gtk_window_destroy (card_window);
  gtk_window_destroy (GTK_WINDOW (timeline));
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

/* The new widgets let go of everything: no reference cycle through signals or sources. */
static void
test_widgets_finalize (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkWidget *timeline = g_object_ref_sink (confab_turn_timeline_new ());
  GtkWidget *diff = g_object_ref_sink (confab_request_diff_view_new ());
  GtkWidget *dialog = confab_turn_timeline_dialog_new (NULL, fixture->conversation, 1);
  g_autoptr(ConfabToolCall) add = g_list_model_get_item (confab_message_get_tool_calls (message_at (fixture, 1)), 0);
  GtkWidget *rerun = confab_tool_rerun_dialog_new (NULL, add, fixture->registry, fixture->approvals);

  confab_turn_timeline_set_turn (CONFAB_TURN_TIMELINE (timeline), fixture->conversation, 1);
  confab_request_diff_view_set_requests (CONFAB_REQUEST_DIFF_VIEW (diff),
                                         confab_message_get_request_body (message_at (fixture, 1)),
                                         confab_message_get_request_body (message_at (fixture, 4)));
  g_assert_finalize_object (timeline);
  g_assert_finalize_object (diff);

  g_object_ref (dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
  g_object_ref (rerun);
  gtk_window_destroy (GTK_WINDOW (rerun));
  g_assert_finalize_object (rerun);
}

/* Save Turn as Recording… refuses a turn whose response is as large as what the store keeps,
 * and says so before asking for a file. */
static void
test_save_recording_refuses_capped_response (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Tell me everything");
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, "…");
  g_autoptr(GBytes) raw = NULL;
  guint8 *data = g_malloc (CONFAB_STORE_RAW_RESPONSE_MAX);
  GtkWindow *dialog;

  memset (data, 'x', CONFAB_STORE_RAW_RESPONSE_MAX);
  raw = g_bytes_new_take (data, CONFAB_STORE_RAW_RESPONSE_MAX);
  confab_message_set_request_body (assistant, "{\"messages\":[]}");
  confab_message_set_raw_response (assistant, raw);
  confab_conversation_append (conversation, user);
  confab_conversation_append (conversation, assistant);

  confab_recording_export_run (NULL, conversation, assistant);
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Could Not Save the Recording");
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                                   "The response to request 1 is larger than the 8.0"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "MiB Confab keeps, so a recording of it could not be replayed"));
  /* No file chooser was offered. */
  g_assert_null (find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
  gtk_window_destroy (dialog);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();

  g_test_add ("/turn-inspect/timeline-rows", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_timeline_rows, fixture_tear_down);
  g_test_add ("/turn-inspect/timeline-approval-wait", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_timeline_approval_wait, fixture_tear_down);
  g_test_add ("/turn-inspect/diff-of-second-request", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_diff_of_second_request, fixture_tear_down);

  g_test_add ("/turn-inspect/timeline-entry-points", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_timeline_entry_points, fixture_tear_down);
  g_test_add ("/turn-inspect/timeline-from-message", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_timeline_from_message, fixture_tear_down);
  g_test_add ("/turn-inspect/run-again-from-timeline-card", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_run_again_from_timeline_card, fixture_tear_down);
  g_test_add_func ("/turn-inspect/save-recording-refuses-capped-response",
                   test_save_recording_refuses_capped_response);
  g_test_add ("/turn-inspect/widgets-finalize", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_widgets_finalize, fixture_tear_down);
  g_test_add ("/turn-inspect/rerun-leaves-conversation", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_rerun_leaves_conversation, fixture_tear_down);

  return g_test_run ();
}
