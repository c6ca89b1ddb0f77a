/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MCP in the app (issue 15): elicitation forms, progress and cancel on the tool card,
 * what the server says about a tool, and rich results — against the test MCP server. */
#include "config.h"

#include <adwaita.h>

#include "confab-approval-policy.h"
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

  panels_test_wait_until (confab_tool_registry_lookup (f->tools, name) != NULL);
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

  panels_test_wait_until (find_dialog () != NULL);
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

  panels_test_wait_until (result != NULL);
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
      panels_test_wait_until (find_dialog () != NULL);
      dialog = find_dialog ();
      if (buttons[i] != NULL)
        click (dialog, buttons[i]);
      else
        gtk_window_close (GTK_WINDOW (dialog));

      panels_test_wait_until (result != NULL);
      g_assert_true (confab_tool_registry_call_finish (f.tools, result, NULL));
      answer = parse_object (confab_tool_call_get_result (call));
      g_assert_cmpstr (json_object_get_string_member (answer, "action"), ==, expected[i]);
      g_assert_false (json_object_has_member (answer, "content"));
      panels_test_wait_until (find_dialog () == NULL);
    }

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

  return g_test_run ();
}
