/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MCP in the app: elicitation forms, progress and cancel on the tool card,
 * what the server says about a tool, and rich results — against the test MCP server. */
#define G_LOG_DOMAIN "test-mcp-app"

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "confab-application.h"
#include "confab-approval-policy.h"
#include "confab-chat-view.h"
#include "confab-composer.h"
#include "confab-approval-decision.h"
#include "confab-approval-log-dialog.h"
#include "confab-mcp-attach.h"
#include "confab-store.h"
#include "confab-store-decisions.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-replay-server.h"
#include "confab-test-app.h"
#include "confab-test-util.h"
#include "confab-tool-call-card.h"
#include "confab-tool-result-view.h"
#include "confab-elicitation-dialog.h"
#include "confab-mcp-server.h"
#include "confab-session.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"
#include "confab-window.h"
#include "panels-test-util.h"

/* mcp.json with one server, the test server run with @args. */
static void
write_mcp_config (const char         *name,
                  const char * const *args)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "confab", NULL);
  g_autofree char *path = g_build_filename (dir, "mcp.json", NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mcpServers");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, g_getenv ("CONFAB_TEST_MCP_SERVER"));
  json_builder_set_member_name (builder, "args");
  json_builder_begin_array (builder);
  for (guint i = 0; args[i] != NULL; i++)
    json_builder_add_string_value (builder, args[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, json, -1, &error));
  g_assert_no_error (error);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

static ConfabElicitationDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CONFAB_IS_ELICITATION_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return CONFAB_ELICITATION_DIALOG (window);
    }

  return NULL;
}

typedef struct
{
  ConfabWindow         *window;
  ConfabToolRegistry   *tools;
  ConfabApprovalPolicy *approvals;
} AppFixture;

static void
app_fixture_set_up (AppFixture         *f,
                    const char * const *args)
{
  g_autofree char *approvals_path = g_build_filename (g_get_user_config_dir (), "approvals.json", NULL);

  write_mcp_config ("asker", args);
  f->window = g_object_ref_sink (confab_window_new (NULL));
  gtk_window_present (GTK_WINDOW (f->window));
  f->tools = confab_session_get_tools (confab_window_get_session (f->window));
  f->approvals = confab_approval_policy_new (approvals_path);
  confab_approval_policy_set_allow_all (f->approvals, TRUE);
}

static void
app_fixture_tear_down (AppFixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_clear_object (&f->approvals);
}

/* Starts a call of @name with @arguments through the window's registry. */
static ConfabToolCall *
start_call (AppFixture    *f,
            const char    *name,
            const char    *arguments,
            GCancellable  *cancellable,
            GAsyncResult **result)
{
  ConfabToolCall *call = confab_tool_call_new (0);

  CONFAB_TEST_WAIT_FOR (confab_tool_registry_lookup (f->tools, name) != NULL, PANELS_TEST_TIMEOUT_MS);
  confab_tool_call_set_id (call, "call_1");
  confab_tool_call_set_name (call, name);
  confab_tool_call_set_arguments (call, arguments);
  confab_tool_registry_call_async (f->tools, call, f->approvals, cancellable, store_result_cb, result);

  return call;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
set_text (ConfabElicitationDialog *dialog,
          const char              *field,
          const char              *text)
{
  gtk_editable_set_text (GTK_EDITABLE (panels_test_get (GTK_WIDGET (dialog), field)), text);
}

static void
click (ConfabElicitationDialog *dialog,
       const char              *button)
{
  g_signal_emit_by_name (panels_test_get (GTK_WIDGET (dialog), button), "clicked");
}

/* A server asks the user: a form from its schema, checked before it is sent. */
static void
test_elicitation_form (void)
{
  const char *args[] = { "--elicit", "--tools", "echo", NULL };
  g_autoptr(ConfabToolCall) call = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  ConfabElicitationDialog *dialog;
  GtkWidget *error_label;
  JsonObject *content;
  AppFixture f = { 0 };

  app_fixture_set_up (&f, args);
  call = start_call (&f, "echo", "{\"text\": \"hi\"}", NULL, &result);

  CONFAB_TEST_WAIT_FOR (find_dialog () != NULL, PANELS_TEST_TIMEOUT_MS);
  dialog = find_dialog ();
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f.window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_cmpstr (panels_test_label (GTK_WIDGET (dialog), "server_label"), ==, "The tool server “asker” asks");
  g_assert_cmpstr (panels_test_label (GTK_WIDGET (dialog), "message_label"), ==, "Who are you?");

  /* One widget per property, of its type, with the schema's defaults. */
  g_assert_true (GTK_IS_ENTRY (panels_test_get (GTK_WIDGET (dialog), "field-name")));
  g_assert_true (GTK_IS_ENTRY (panels_test_get (GTK_WIDGET (dialog), "field-age")));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (panels_test_get (GTK_WIDGET (dialog), "field-subscribe"))));
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (panels_test_get (GTK_WIDGET (dialog), "field-colour"))), ==, 1);

  /* Required fields and ranges are checked before anything is sent. */
  error_label = panels_test_get (GTK_WIDGET (dialog), "error_label");
  click (dialog, "accept_button");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "“Your name” is required.");
  set_text (dialog, "field-name", "Ada");
  click (dialog, "accept_button");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "“age” is required.");
  set_text (dialog, "field-age", "200");
  click (dialog, "accept_button");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "“age” must be at most 150.");
  set_text (dialog, "field-age", "36.5");
  click (dialog, "accept_button");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "“age” must be a whole number.");
  panels_test_drain ();
  g_assert_null (result);
  g_assert_false (confab_mcp_elicitation_is_answered (confab_elicitation_dialog_get_elicitation (dialog)));

  set_text (dialog, "field-age", "36");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (panels_test_get (GTK_WIDGET (dialog), "field-colour")), 2);
  click (dialog, "accept_button");
  g_assert_null (find_dialog ());

  CONFAB_TEST_WAIT_FOR (result != NULL, PANELS_TEST_TIMEOUT_MS);
  g_assert_true (confab_tool_registry_call_finish (f.tools, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);
  answer = parse_object (confab_tool_call_get_result (call));
  g_assert_cmpstr (json_object_get_string_member (answer, "action"), ==, "accept");
  content = json_object_get_object_member (answer, "content");
  g_assert_cmpstr (json_object_get_string_member (content, "name"), ==, "Ada");
  g_assert_cmpint (json_object_get_int_member (content, "age"), ==, 36);
  g_assert_true (json_object_get_boolean_member (content, "subscribe"));
  g_assert_cmpstr (json_object_get_string_member (content, "colour"), ==, "blue");

  app_fixture_tear_down (&f);
}

/* Decline says no; closing the form (Escape, the window's close) cancels. */
static void
test_elicitation_decline_and_cancel (void)
{
  const char *args[] = { "--elicit", "--tools", "echo", NULL };
  const char *buttons[] = { "decline_button", NULL };
  const char *expected[] = { "decline", "cancel" };
  AppFixture f = { 0 };

  app_fixture_set_up (&f, args);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(ConfabToolCall) call = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonObject) answer = NULL;
      ConfabElicitationDialog *dialog;

      call = start_call (&f, "echo", "{\"text\": \"hi\"}", NULL, &result);
      CONFAB_TEST_WAIT_FOR (find_dialog () != NULL, PANELS_TEST_TIMEOUT_MS);
      dialog = find_dialog ();
      if (buttons[i] != NULL)
        click (dialog, buttons[i]);
      else
        gtk_window_close (GTK_WINDOW (dialog));

      CONFAB_TEST_WAIT_FOR (result != NULL, PANELS_TEST_TIMEOUT_MS);
      g_assert_true (confab_tool_registry_call_finish (f.tools, result, NULL));
      answer = parse_object (confab_tool_call_get_result (call));
      g_assert_cmpstr (json_object_get_string_member (answer, "action"), ==, expected[i]);
      g_assert_false (json_object_has_member (answer, "content"));
      CONFAB_TEST_WAIT_FOR (find_dialog () == NULL, PANELS_TEST_TIMEOUT_MS);
    }

  app_fixture_tear_down (&f);
}

/* ---------------------------------------------------------------------------------------- */
/* The real application over the replay server                                             */

#define WAIT_MS 15000

/* An answer that calls the test MCP server's "weather" tool, id "call_1". */
static const char weather_call[] =
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,"
  "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
  "\"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"}}]}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
  "data: [DONE]\n\n";

static const char fine_answer[] =
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Fine\"}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
  "data: [DONE]\n\n";

static ConfabToolCall *
first_call (ConfabWindow *window,
            GtkWidget   **card)
{
  ConfabSession *session = confab_window_get_session (window);
  GListModel *messages = G_LIST_MODEL (confab_session_get_conversation (session));
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(ConfabToolCall) call = NULL;
  ConfabMessageRow *row;

  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (messages) >= 2, WAIT_MS);
  message = g_list_model_get_item (messages, 1);
  CONFAB_TEST_WAIT_FOR (confab_message_get_n_tool_calls (message) == 1, WAIT_MS);
  call = g_list_model_get_item (confab_message_get_tool_calls (message), 0);

  CONFAB_TEST_WAIT_FOR (confab_chat_view_find_row (confab_window_get_chat_view (window), message) != NULL, WAIT_MS);
  row = confab_chat_view_find_row (confab_window_get_chat_view (window), message);
  *card = gtk_widget_get_first_child (confab_message_row_get_tool_calls_box (row));
  g_assert_true (CONFAB_IS_TOOL_CALL_CARD (*card));

  return call;   /* the message keeps it alive */
}

static void
check_progress_and_stop (ConfabWindow *window,
                         gpointer      data)
{
  ConfabSession *session = confab_window_get_session (window);
  ConfabToolRegistry *tools = confab_session_get_tools (session);
  g_autoptr(ConfabMcpServer) server = g_list_model_get_item (confab_tool_registry_get_servers (tools), 0);
  g_autoptr(GError) error = NULL;
  ConfabToolCall *call;
  GtkWidget *card, *bar;

  CONFAB_TEST_WAIT_FOR (confab_tool_registry_lookup (tools, "weather") != NULL, WAIT_MS);
  g_assert_true (confab_session_send (session, "Weather in Paris?", &error));
  g_assert_no_error (error);

  call = first_call (window, &card);
  CONFAB_TEST_WAIT_FOR (confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_RUNNING, WAIT_MS);

  /* The server's reports, on the card: 2 of 4, with its message. */
  bar = panels_test_get (card, "progress_bar");
  CONFAB_TEST_WAIT_FOR (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)) == 0.5, WAIT_MS);
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (gtk_widget_get_parent (bar))));
  g_assert_cmpstr (gtk_progress_bar_get_text (GTK_PROGRESS_BAR (bar)), ==, "2 of 4");
  g_assert_cmpstr (panels_test_label (card, "progress_label"), ==, "Step 2 of 4");

  /* Stop (Escape) tells the server to stop the call it is running. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "chat.stop", NULL));
  CONFAB_TEST_WAIT_FOR (strstr (confab_mcp_server_get_log (server), "cancelled request") != NULL, WAIT_MS);
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session), WAIT_MS);
  g_assert_cmpint (confab_tool_call_get_status (call), !=, CONFAB_TOOL_CALL_STATUS_RUNNING);
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (gtk_widget_get_parent (bar))));
}

static void
test_progress_and_stop (void)
{
  g_autoptr(ConfabReplayServer) replay = confab_replay_server_new ();
  g_autofree char *command = g_strdup_printf ("%s --tools weather --progress --hang-on-call",
                                              g_getenv ("CONFAB_TEST_MCP_SERVER"));
  const char *args[] = { "--base-url", NULL, "--model", "test-model", "--mcp", command, "--yes", NULL };

  confab_replay_server_add_response (replay, 200, NULL, weather_call, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (replay, 200, NULL, fine_answer, CONFAB_REPLAY_NONE);
  args[1] = confab_replay_server_get_base_url (replay);

  confab_test_run_app (args, check_progress_and_stop, replay);
}

/* Without a total: the bar pulses, the message shows; nothing once the call is over. */
static void
test_progress_without_total (void)
{
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  GtkWidget *card = g_object_ref_sink (confab_tool_call_card_new (call));
  GtkWidget *bar = panels_test_get (card, "progress_bar");
  GtkWidget *progress = gtk_widget_get_parent (gtk_widget_get_parent (bar));

  confab_tool_call_set_name (call, "weather");
  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  g_assert_false (gtk_widget_get_visible (progress));

  confab_tool_call_set_progress (call, 3, -1, "Still working\x1b[8m");
  g_assert_true (gtk_widget_get_visible (progress));
  g_assert_false (gtk_progress_bar_get_show_text (GTK_PROGRESS_BAR (bar)));
  g_assert_cmpstr (panels_test_label (card, "progress_label"), ==, "Still working\\x1b[8m");

  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_false (gtk_widget_get_visible (progress));

  g_object_unref (card);
}

/* ---------------------------------------------------------------------------------------- */
/* What the server says about a tool, on the approval card                                 */

static ConfabToolRegistry *
start_registry (const char *name,
                const char *option,
                const char *option2)
{
  const char *argv[] = { g_getenv ("CONFAB_TEST_MCP_SERVER"), option, option2, NULL };
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new (name, argv, NULL);
  ConfabToolRegistry *registry = confab_tool_registry_new ();
  g_autoptr(GAsyncResult) started = NULL;
  g_autoptr(GError) error = NULL;

  confab_tool_registry_add_server (registry, server);
  confab_tool_registry_start_async (registry, NULL, store_result_cb, &started);
  CONFAB_TEST_WAIT_FOR (started != NULL, PANELS_TEST_TIMEOUT_MS);
  g_assert_true (confab_tool_registry_start_finish (registry, started, &error));
  g_assert_no_error (error);

  return registry;
}

/* Asks approval for @tool (nothing is allowed) and returns the card showing it. */
static GtkWidget *
card_awaiting_approval (ConfabToolRegistry  *registry,
                        const char          *tool,
                        const char          *arguments,
                        ConfabToolCall     **call,
                        GAsyncResult       **result)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *card;

  *call = confab_tool_call_new (0);
  confab_tool_call_set_id (*call, "call_1");
  confab_tool_call_set_name (*call, tool);
  confab_tool_call_set_arguments (*call, arguments);
  card = confab_tool_call_card_new (*call);
  gtk_window_set_child (window, card);
  gtk_window_present (window);

  confab_tool_registry_call_async (registry, *call, NULL, NULL, store_result_cb, result);
  CONFAB_TEST_WAIT_FOR (confab_tool_call_get_status (*call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL, PANELS_TEST_TIMEOUT_MS);

  return card;
}

static gboolean
shown (GtkWidget  *card,
       const char *id)
{
  GtkWidget *widget = panels_test_get (card, id);

  return gtk_widget_is_visible (widget);
}

static void
test_annotations_on_approval (void)
{
  g_autoptr(ConfabToolRegistry) registry = start_registry ("toolbox", "--annotations", NULL);
  g_autoptr(ConfabToolCall) call = NULL;
  g_autoptr(ConfabToolCall) weather = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) weather_result = NULL;
  GtkWidget *card, *weather_card;

  card = card_awaiting_approval (registry, "add", "{\"a\": 2, \"b\": 3}", &call, &result);
  g_assert_true (shown (card, "hints_source"));
  g_assert_cmpstr (panels_test_label (card, "hints_source"), ==,
                   "Hints from the server “toolbox”: Confab cannot check them. Approve only what you trust.");
  g_assert_false (shown (card, "hint_read_only"));
  g_assert_cmpstr (panels_test_label (card, "hint_destructive"), ==,
                   "The server says this tool may delete or overwrite things.");
  g_assert_cmpstr (panels_test_label (card, "hint_open_world"), ==,
                   "The server says this tool stays within its own data.");

  weather_card = card_awaiting_approval (registry, "weather", "{\"location\": \"Paris\"}", &weather, &weather_result);
  g_assert_cmpstr (panels_test_label (weather_card, "hint_read_only"), ==, "The server says this tool only reads.");
  g_assert_false (shown (weather_card, "hint_destructive"));
  g_assert_cmpstr (panels_test_label (weather_card, "hint_open_world"), ==,
                   "The server says this tool reaches the internet or other outside services.");

  /* Once answered, the hints go with the buttons. */
  confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_ALLOW_ONCE);
  CONFAB_TEST_WAIT_FOR (result != NULL, PANELS_TEST_TIMEOUT_MS);
  g_assert_false (shown (card, "hints_source"));
  confab_tool_call_resolve_approval (weather, CONFAB_APPROVAL_DENY);
  CONFAB_TEST_WAIT_FOR (weather_result != NULL, PANELS_TEST_TIMEOUT_MS);

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (card)));
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (weather_card)));
  confab_tool_registry_stop (registry);
}

/* A server that says nothing gets no hints, rather than made-up ones. */
static void
test_no_annotations_no_hints (void)
{
  g_autoptr(ConfabToolRegistry) registry = start_registry ("plain", "--stderr-log", NULL);
  g_autoptr(ConfabToolCall) call = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GtkWidget *card;

  card = card_awaiting_approval (registry, "add", "{\"a\": 2, \"b\": 3}", &call, &result);
  g_assert_true (shown (card, "approval_box"));
  g_assert_false (shown (card, "hints_source"));
  confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_DENY);
  CONFAB_TEST_WAIT_FOR (result != NULL, PANELS_TEST_TIMEOUT_MS);

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (card)));
  confab_tool_registry_stop (registry);
}

/* ---------------------------------------------------------------------------------------- */
/* Results                                                                                  */

static GtkWidget *
run_allowed (ConfabToolRegistry  *registry,
             const char          *tool,
             const char          *arguments,
             ConfabToolCall     **call)
{
  g_autoptr(GAsyncResult) result = NULL;
  GtkWidget *card = card_awaiting_approval (registry, tool, arguments, call, &result);

  confab_tool_call_resolve_approval (*call, CONFAB_APPROVAL_ALLOW_ONCE);
  CONFAB_TEST_WAIT_FOR (result != NULL, PANELS_TEST_TIMEOUT_MS);
  g_assert_true (confab_tool_registry_call_finish (registry, result, NULL));

  return card;
}

static void
test_rich_results (void)
{
  g_autoptr(ConfabToolRegistry) registry = start_registry ("forecaster", "--image", "--rich");
  g_autoptr(ConfabToolCall) call = NULL;
  GtkWidget *card, *image;
  const char *structured;

  card = run_allowed (registry, "weather", "{\"location\": \"Paris\"}", &call);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_DONE);

  /* The image, decoded, as a thumbnail. */
  image = panels_test_get (card, "result_image_0");
  g_assert_true (GTK_IS_PICTURE (image));
  g_assert_true (gtk_widget_is_visible (image));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (GTK_PICTURE (image))), ==, 1);

  /* The embedded resource as text under its URI. */
  g_assert_cmpstr (panels_test_label (card, "result_resource_0"), ==,
                   "Resource file:///forecast.txt (text/plain)\nSunny all week");

  /* structuredContent, indented. */
  structured = panels_test_label (card, "result_structured");
  g_assert_nonnull (strstr (structured, "\"temperature\" : 40"));
  g_assert_nonnull (strstr (structured, "\n  \"unit\" : \"C\""));

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (card)));
  confab_tool_registry_stop (registry);
}

/* isError: the card says the call failed, in error style. */
static void
test_is_error_result_fails (void)
{
  g_autoptr(ConfabToolRegistry) registry = start_registry ("flaky", "--fail-tool", "add");
  g_autoptr(ConfabToolCall) call = NULL;
  GtkWidget *card;

  card = run_allowed (registry, "add", "{\"a\": 2, \"b\": 3}", &call);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_cmpstr (panels_test_label (card, "status_label"), ==, "Failed");
  g_assert_true (gtk_widget_has_css_class (panels_test_get (card, "status_label"), "error"));
  g_assert_cmpstr (panels_test_label (card, "result_label"), ==, "add failed: the service is unavailable");
  g_assert_true (gtk_widget_has_css_class (panels_test_get (card, "result_label"), "error"));

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (card)));
  confab_tool_registry_stop (registry);
}

/* An image too large, or not an image, is described, never decoded into a huge texture. */
static void
test_image_limits (void)
{
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  GtkWidget *card = g_object_ref_sink (confab_tool_call_card_new (call));
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) content = NULL;
  g_autofree char *huge = g_strnfill (CONFAB_TOOL_RESULT_IMAGE_LIMIT / 3 * 4 + 8, 'A');
  GtkWidget *first, *second;

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "image");
  json_builder_set_member_name (builder, "mimeType");
  json_builder_add_string_value (builder, "image/png");
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, huge);
  json_builder_end_object (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "image");
  json_builder_set_member_name (builder, "mimeType");
  json_builder_add_string_value (builder, "image/png");
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, "bm90IGFuIGltYWdl");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  content = json_builder_get_root (builder);

  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  confab_tool_call_set_result_content (call, content);
  confab_tool_call_set_result (call, "[image: image/png]");
  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_DONE);

  first = panels_test_get (card, "result_image_0");
  second = panels_test_get (card, "result_image_1");
  g_assert_true (GTK_IS_LABEL (first));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (first)), "[an image too large to show: "));
  g_assert_true (GTK_IS_LABEL (second));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (second)), ==, "[an image that could not be read: image/png]");

  g_object_unref (card);
}

/* ---------------------------------------------------------------------------------------- */
/* Resources from the composer                                                              */

static char *
composer_text (ConfabWindow *window)
{
  return confab_composer_dup_text (confab_window_get_composer (window));
}

static void
test_attach_resource (void)
{
  const char *args[] = { "--tools", "weather", NULL };
  AppFixture f = { 0 };
  GtkWidget *button, *row, *status;
  g_autofree char *text = NULL;

  app_fixture_set_up (&f, args);
  CONFAB_TEST_WAIT_FOR (confab_tool_registry_lookup (f.tools, "weather") != NULL, PANELS_TEST_TIMEOUT_MS);
  confab_composer_set_text (confab_window_get_composer (f.window), "What does this say?");

  button = panels_test_get (GTK_WIDGET (f.window), "resource_button");
  g_assert_true (gtk_widget_is_visible (button));
  confab_mcp_attach_popup (CONFAB_MCP_ATTACH (gtk_widget_get_parent (button)));
  CONFAB_TEST_WAIT_FOR (panels_test_find (GTK_WIDGET (f.window), "resource-1") != NULL, PANELS_TEST_TIMEOUT_MS);
  status = panels_test_get (GTK_WIDGET (f.window), "attach_status");
  CONFAB_TEST_WAIT_FOR (!gtk_widget_get_visible (status), PANELS_TEST_TIMEOUT_MS);

  row = panels_test_get (GTK_WIDGET (f.window), "resource-0");
  g_signal_emit_by_name (row, "activate");
  CONFAB_TEST_WAIT_FOR ((g_free (text), text = composer_text (f.window),
                           strstr (text, "Sunny all week") != NULL), PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (text, ==, "What does this say?\n\nResource file:///forecast.txt from “asker”:\nSunny all week");

  app_fixture_tear_down (&f);
}

/* A picture resource: its description in the text, the picture itself in the composer's
 * attachment bar, to go as image content. */
static void
test_attach_image_resource (void)
{
  const char *args[] = { "--tools", "weather", "--image-resource", NULL };
  AppFixture f = { 0 };
  GtkWidget *button;
  GListModel *attachments;
  g_autoptr(ConfabAttachment) image = NULL;
  g_autofree char *text = NULL;

  app_fixture_set_up (&f, args);
  CONFAB_TEST_WAIT_FOR (confab_tool_registry_lookup (f.tools, "weather") != NULL, PANELS_TEST_TIMEOUT_MS);
  attachments = confab_attachment_bar_get_model (confab_composer_get_attachment_bar (confab_window_get_composer (f.window)));
  g_assert_cmpuint (g_list_model_get_n_items (attachments), ==, 0);

  button = panels_test_get (GTK_WIDGET (f.window), "resource_button");
  confab_mcp_attach_popup (CONFAB_MCP_ATTACH (gtk_widget_get_parent (button)));
  CONFAB_TEST_WAIT_FOR (panels_test_find (GTK_WIDGET (f.window), "resource-2") != NULL, PANELS_TEST_TIMEOUT_MS);
  g_signal_emit_by_name (panels_test_get (GTK_WIDGET (f.window), "resource-2"), "activate");
  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (attachments) == 1, PANELS_TEST_TIMEOUT_MS);

  text = composer_text (f.window);
  g_assert_true (g_str_has_prefix (text, "Resource file:///dot.png from “asker”:\n[file:///dot.png: image/png, "));
  image = g_list_model_get_item (attachments, 0);
  g_assert_cmpint (confab_attachment_get_kind (image), ==, CONFAB_ATTACHMENT_IMAGE);
  g_assert_cmpstr (confab_attachment_get_name (image), ==, "dot.png");

  app_fixture_tear_down (&f);
}

/* Tool Decisions: the store's log of this chat, then of every chat. */
static void
test_decision_log_window (void)
{
  g_autofree char *dir = g_dir_make_tmp ("confab-decisions-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *rows[][6] = {
    { "chat-a", "files", "write_file", "approval", "allow-chat", NULL },
    { "chat-b", "files", "read_file", "approval", "deny", NULL },
    { "chat-a", "asker", "weather", "elicitation", "accept", "Which <city>?" },
  };
  GtkWidget *dialog;
  GtkWidget *list;
  GtkWidget *row;

  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(ConfabApprovalDecision) decision =
        confab_approval_decision_new (rows[i][0], rows[i][1], rows[i][2], rows[i][3], rows[i][4], rows[i][5]);
      g_assert_true (confab_store_log_decision (store, decision, &error));
    }

  dialog = confab_approval_log_dialog_new (NULL, store, "chat-a");
  gtk_window_present (GTK_WINDOW (dialog));
  list = panels_test_get (dialog, "decisions");

  /* This chat, newest first; servers' text is text, not markup. */
  row = gtk_widget_get_first_child (list);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "asker · weather: Answered");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "the server asked: Which <city>?"));
  row = gtk_widget_get_next_sibling (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "files · write_file: Allowed for this chat");
  g_assert_null (gtk_widget_get_next_sibling (row));

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (panels_test_get (dialog, "all-chats")), TRUE);
  g_assert_nonnull (panels_test_find (list, "deny"));
  {
    guint n = 0;

    for (row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
      n++;
    g_assert_cmpuint (n, ==, 3);
  }

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_clear_object (&store);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
}

/* A subscribed resource that changes before the message is sent: its text in the message
 * is the new one. A template is filled in from a small form, then read like a resource. */
static void
test_attach_template_and_subscription (void)
{
  const char *args[] = { "--tools", "weather", NULL };
  AppFixture f = { 0 };
  GtkWidget *button, *row;
  g_autofree char *text = NULL;

  app_fixture_set_up (&f, args);
  CONFAB_TEST_WAIT_FOR (confab_tool_registry_lookup (f.tools, "weather") != NULL, PANELS_TEST_TIMEOUT_MS);
  button = panels_test_get (GTK_WIDGET (f.window), "resource_button");

  /* The notes: the test server changes them as soon as they are subscribed to. */
  confab_mcp_attach_popup (CONFAB_MCP_ATTACH (gtk_widget_get_parent (button)));
  CONFAB_TEST_WAIT_FOR (panels_test_find (GTK_WIDGET (f.window), "resource-1") != NULL, PANELS_TEST_TIMEOUT_MS);
  g_signal_emit_by_name (panels_test_get (GTK_WIDGET (f.window), "resource-1"), "activate");
  CONFAB_TEST_WAIT_FOR ((g_free (text), text = composer_text (f.window),
                           strstr (text, "and milk") != NULL), PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (text, ==, "Resource file:///notes.md from “asker”:\n# Notes\nBuy bread and milk");

  /* The template, in the same list, asks for its blanks. */
  confab_mcp_attach_popup (CONFAB_MCP_ATTACH (gtk_widget_get_parent (button)));
  CONFAB_TEST_WAIT_FOR (panels_test_find (GTK_WIDGET (f.window), "template-0") != NULL, PANELS_TEST_TIMEOUT_MS);
  row = panels_test_get (GTK_WIDGET (f.window), "template-0");
  g_signal_emit_by_name (row, "activate");
  g_assert_true (gtk_widget_get_visible (panels_test_get (GTK_WIDGET (f.window), "template_form")));
  gtk_editable_set_text (GTK_EDITABLE (panels_test_get (GTK_WIDGET (f.window), "var-city")), "Porto");
  gtk_editable_set_text (GTK_EDITABLE (panels_test_get (GTK_WIDGET (f.window), "var-units")), "imperial");
  g_signal_emit_by_name (panels_test_get (GTK_WIDGET (f.window), "template_read"), "clicked");
  CONFAB_TEST_WAIT_FOR ((g_free (text), text = composer_text (f.window),
                           strstr (text, "Porto") != NULL), PANELS_TEST_TIMEOUT_MS);
  g_assert_true (g_str_has_suffix (text, "\n\nResource weather://Porto/today?units=imperial from “asker”:\n"
                                         "Weather in Porto today: sunny, 24 F"));

  app_fixture_tear_down (&f);
}

/* ---------------------------------------------------------------------------------------- */
/* Prompts in a "/" menu                                                                    */

/* Types @text at the end of the message, as keys would. */
static void
type_text (ConfabComposer *composer,
           const char     *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (confab_composer_get_text_view (composer));
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, -1);
}

static void
press_backspace (ConfabComposer *composer)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (confab_composer_get_text_view (composer));
  GtkTextIter start, end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  start = end;
  gtk_text_iter_backward_char (&start);
  gtk_text_buffer_delete (buffer, &start, &end);
}

static void
test_prompt_menu (void)
{
  const char *args[] = { "--tools", "weather", NULL };
  AppFixture f = { 0 };
  ConfabComposer *composer;
  GtkWidget *row, *status, *error_label;
  g_autofree char *text = NULL;

  app_fixture_set_up (&f, args);
  CONFAB_TEST_WAIT_FOR (confab_tool_registry_lookup (f.tools, "weather") != NULL, PANELS_TEST_TIMEOUT_MS);
  composer = confab_window_get_composer (f.window);

  /* "/" at the start of the message opens the menu of the servers' prompts. */
  type_text (composer, "/");
  CONFAB_TEST_WAIT_FOR (panels_test_find (GTK_WIDGET (f.window), "prompt-summarize") != NULL, PANELS_TEST_TIMEOUT_MS);
  row = panels_test_get (GTK_WIDGET (f.window), "prompt-summarize");
  CONFAB_TEST_WAIT_FOR (gtk_widget_is_visible (row), PANELS_TEST_TIMEOUT_MS);
  status = panels_test_get (GTK_WIDGET (f.window), "prompts_status");

  /* What follows the "/" filters it. */
  type_text (composer, "x");
  g_assert_false (gtk_widget_get_visible (row));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "No prompt starts like that.");
  press_backspace (composer);
  type_text (composer, "SUM");
  g_assert_true (gtk_widget_get_visible (row));
  g_assert_false (gtk_widget_get_visible (status));

  /* Its arguments in a small form; the required one is checked. */
  g_signal_emit_by_name (row, "activate");
  error_label = panels_test_get (GTK_WIDGET (f.window), "prompt_error");
  g_assert_true (gtk_widget_is_visible (panels_test_get (GTK_WIDGET (f.window), "prompt_arg-text")));
  g_signal_emit_by_name (panels_test_get (GTK_WIDGET (f.window), "prompt_insert_button"), "clicked");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "“text” is required.");

  gtk_editable_set_text (GTK_EDITABLE (panels_test_get (GTK_WIDGET (f.window), "prompt_arg-text")), "a long story");
  gtk_editable_set_text (GTK_EDITABLE (panels_test_get (GTK_WIDGET (f.window), "prompt_arg-style")), "briefly");
  g_signal_emit_by_name (panels_test_get (GTK_WIDGET (f.window), "prompt_insert_button"), "clicked");

  /* The prompt's text replaces the "/" command. */
  CONFAB_TEST_WAIT_FOR ((g_free (text), text = composer_text (f.window),
                           g_strcmp0 (text, "Summarize briefly: a long story") == 0), PANELS_TEST_TIMEOUT_MS);

  app_fixture_tear_down (&f);
}

int
main (int   argc,
      char *argv[])
{
  panels_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  if (g_getenv ("CONFAB_TEST_MCP_SERVER") == NULL)
    g_error ("CONFAB_TEST_MCP_SERVER is not set (run through meson test)");

  g_test_add_func ("/mcp-app/elicitation/form", test_elicitation_form);
  g_test_add_func ("/mcp-app/elicitation/decline-and-cancel", test_elicitation_decline_and_cancel);
  g_test_add_func ("/mcp-app/progress/on-card-and-stop-cancels", test_progress_and_stop);
  g_test_add_func ("/mcp-app/progress/without-total", test_progress_without_total);
  g_test_add_func ("/mcp-app/annotations/on-approval-card", test_annotations_on_approval);
  g_test_add_func ("/mcp-app/annotations/none-no-hints", test_no_annotations_no_hints);
  g_test_add_func ("/mcp-app/results/image-resource-structured", test_rich_results);
  g_test_add_func ("/mcp-app/results/is-error-fails", test_is_error_result_fails);
  g_test_add_func ("/mcp-app/results/image-limits", test_image_limits);
  g_test_add_func ("/mcp-app/resources/attach-from-composer", test_attach_resource);
  g_test_add_func ("/mcp-app/resources/attach-image-resource", test_attach_image_resource);
  g_test_add_func ("/mcp-app/approvals/decision-log-window", test_decision_log_window);
  g_test_add_func ("/mcp-app/resources/template-form-and-subscription", test_attach_template_and_subscription);
  g_test_add_func ("/mcp-app/prompts/slash-menu", test_prompt_menu);

  return g_test_run ();
}
