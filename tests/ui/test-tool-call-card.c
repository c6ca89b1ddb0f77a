/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>

#include "confab-enum-types.h"
#include "confab-tool-call.h"
#include "confab-tool-call-card.h"
#include "confab-tool-registry.h"
#include "panels-test-util.h"

typedef struct
{
  GtkWindow      *window;
  ConfabToolCall *call;
  GtkWidget      *card;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->call = confab_tool_call_new (0);
  confab_tool_call_set_id (f->call, "call_1");
  confab_tool_call_set_name (f->call, "get_weather");
  confab_tool_call_set_server (f->call, "weather");

  f->card = confab_tool_call_card_new (f->call);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 500, 400);
  gtk_window_set_child (f->window, f->card);
  gtk_window_present (f->window);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (f->card), PANELS_TEST_TIMEOUT_MS);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (f->card), (gpointer *) &f->card);
  gtk_window_destroy (f->window);
  CONFAB_TEST_WAIT_FOR (f->card == NULL, PANELS_TEST_TIMEOUT_MS);
  g_assert_finalize_object (f->call);
}

static guint
count_label_changes (GtkWidget *label)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "changes"));
}

static void
label_changed_cb (GtkWidget  *label,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  g_object_set_data (G_OBJECT (label), "changes",
                     GUINT_TO_POINTER (count_label_changes (label) + 1));
}

static void
test_arguments_update_live (Fixture       *f,
                            gconstpointer  data)
{
  GtkWidget *label = panels_test_get (f->card, "arguments_label");
  const char *fragments[] = { "{\"loc", "ation\"", ": \"Lis", "bon\", \"unit", "s\": [\"C\"", "]}" };

  g_assert_cmpstr (panels_test_label (f->card, "name_label"), ==, "get_weather");
  g_assert_cmpstr (panels_test_label (f->card, "server_label"), ==, "on weather");
  g_assert_cmpstr (panels_test_label (f->card, "status_label"), ==, "Preparing arguments…");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "");

  /* The first fragment shows up while the call is still streaming. */
  confab_tool_call_append_arguments (f->call, "{\"location\"", -1);
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), "{\n  \"location\"") == 0, PANELS_TEST_TIMEOUT_MS);

  /* Many fragments within one frame: one re-render, not one per fragment. */
  confab_tool_call_set_arguments (f->call, "");
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), "") == 0, PANELS_TEST_TIMEOUT_MS);
  g_signal_connect (label, "notify::label", G_CALLBACK (label_changed_cb), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fragments); i++)
    confab_tool_call_append_arguments (f->call, fragments[i], -1);
  g_assert_cmpuint (count_label_changes (label), ==, 0);

  CONFAB_TEST_WAIT_FOR (g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)),
                                     "{\n  \"location\": \"Lisbon\",\n  \"units\": [\n    \"C\"\n  ]\n}") == 0, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpuint (count_label_changes (label), ==, 1);
}

static void
test_status_transitions (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *spinner = panels_test_get (f->card, "spinner");
  GtkWidget *icon = panels_test_get (f->card, "status_icon");
  GtkWidget *duration = panels_test_get (f->card, "duration_label");
  GtkWidget *status = panels_test_get (f->card, "status_label");

  g_assert_false (gtk_widget_get_visible (spinner));
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (icon)), ==, "document-edit-symbolic");

  confab_tool_call_set_arguments (f->call, "{\"location\": \"Lisbon\"}");
  confab_tool_call_request_approval (f->call);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Awaiting approval");
  g_assert_true (gtk_widget_has_css_class (status, "warning"));
  g_assert_false (gtk_widget_get_visible (duration));

  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Running…");
  g_assert_true (gtk_widget_get_visible (spinner));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  g_assert_false (gtk_widget_get_visible (icon));
  /* The time it has been running so far. */
  g_assert_true (gtk_widget_get_visible (duration));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (duration)), ==, "0 s");

  confab_tool_call_set_result (f->call, "40 C");
  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Done");
  g_assert_false (gtk_widget_get_visible (spinner));
  g_assert_true (gtk_widget_get_visible (icon));
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (icon)), ==, "object-select-symbolic");
  g_assert_true (gtk_widget_has_css_class (status, "success"));
  g_assert_false (gtk_widget_has_css_class (status, "warning"));
  g_assert_true (gtk_widget_get_visible (duration));
  g_assert_true (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (duration)), " s"));
  g_assert_true (gtk_widget_get_visible (panels_test_get (f->card, "result_box")));
  g_assert_cmpstr (panels_test_label (f->card, "result_label"), ==, "40 C");
  g_assert_false (gtk_widget_has_css_class (panels_test_get (f->card, "result_label"), "error"));
}

typedef struct
{
  guint          count;
  ConfabApproval approval;
} Resolved;

static void
approval_resolved_cb (ConfabToolCall *call,
                      ConfabApproval  approval,
                      Resolved       *resolved)
{
  resolved->count++;
  resolved->approval = approval;
}

static void
check_button_resolves (Fixture        *f,
                       const char     *button_id,
                       ConfabApproval  expected)
{
  GtkWidget *approval_box = panels_test_get (f->card, "approval_box");
  GtkWidget *button = panels_test_get (f->card, button_id);
  Resolved resolved = { 0 };
  gulong handler;

  handler = g_signal_connect (f->call, "approval-resolved", G_CALLBACK (approval_resolved_cb), &resolved);

  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_STREAMING);
  g_assert_false (gtk_widget_get_visible (approval_box));

  confab_tool_call_request_approval (f->call);
  g_assert_true (gtk_widget_get_visible (approval_box));
  g_assert_true (gtk_widget_is_sensitive (button));

  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (resolved.count, ==, 1);
  g_assert_cmpint (resolved.approval, ==, expected);

  /* A second click before the status moves on does not answer twice. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (resolved.count, ==, 1);
  g_assert_false (gtk_widget_is_sensitive (button));

  confab_tool_call_set_status (f->call, expected == CONFAB_APPROVAL_DENY ? CONFAB_TOOL_CALL_STATUS_DENIED
                                                                        : CONFAB_TOOL_CALL_STATUS_RUNNING);
  g_assert_false (gtk_widget_get_visible (approval_box));

  g_signal_handler_disconnect (f->call, handler);
}

static void
test_approval_buttons (Fixture       *f,
                       gconstpointer  data)
{
  GtkWidget *approval_box = panels_test_get (f->card, "approval_box");

  g_assert_false (gtk_widget_get_visible (approval_box));
  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  g_assert_false (gtk_widget_get_visible (approval_box));

  check_button_resolves (f, "allow_once_button", CONFAB_APPROVAL_ALLOW_ONCE);
  check_button_resolves (f, "allow_always_button", CONFAB_APPROVAL_ALLOW_ALWAYS);
  check_button_resolves (f, "allow_chat_button", CONFAB_APPROVAL_ALLOW_CHAT);
  check_button_resolves (f, "deny_button", CONFAB_APPROVAL_DENY);

  /* Four answers still fit a 360-px window (the chat's margins and the scroll bar aside). */
  {
    int min = 0;

    confab_tool_call_request_approval (f->call);
    gtk_widget_measure (f->card, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
    g_test_message ("card minimum width with the approval answers: %d", min);
    g_assert_cmpint (min, <=, 320);
  }

  /* The buttons are reachable from the keyboard. */
  g_assert_true (gtk_widget_get_focusable (panels_test_get (f->card, "allow_once_button")));
}

static void
test_failed_and_denied_error_style (Fixture       *f,
                                    gconstpointer  data)
{
  GtkWidget *result = panels_test_get (f->card, "result_label");
  GtkWidget *status = panels_test_get (f->card, "status_label");

  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  confab_tool_call_set_result (f->call, "weather: connection refused");
  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Failed");
  g_assert_true (gtk_widget_has_css_class (status, "error"));
  g_assert_true (gtk_widget_has_css_class (result, "error"));
  g_assert_true (gtk_widget_has_css_class (f->card, "error"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (result)), ==, "weather: connection refused");

  /* Denied with only an error text shows the error, in error style. */
  confab_tool_call_set_result (f->call, NULL);
  confab_tool_call_set_error (f->call, "The user denied this tool call");
  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_DENIED);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Denied");
  g_assert_true (gtk_widget_has_css_class (status, "error"));
  g_assert_true (gtk_widget_has_css_class (result, "error"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (result)), ==, "The user denied this tool call");
}

static void
test_long_result_collapses (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GString) long_result = g_string_new (NULL);
  GtkWidget *result = panels_test_get (f->card, "result_label");
  GtkWidget *toggle = panels_test_get (f->card, "result_toggle");

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (long_result, "line %u of the result\n", i);

  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  confab_tool_call_set_result (f->call, long_result->str);
  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_DONE);

  g_assert_true (gtk_widget_get_visible (toggle));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_cmpuint (strlen (gtk_label_get_text (GTK_LABEL (result))), <, long_result->len / 4);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (result)), "line 0 of the result\n"));
  g_assert_true (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (result)), "…"));

  /* Expanding shows everything; collapsing again shows the preview. */
  g_signal_emit_by_name (toggle, "clicked");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (result)), ==, long_result->str);
  g_signal_emit_by_name (toggle, "clicked");
  g_assert_true (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (result)), "…"));

  /* A short result has nothing to collapse. */
  confab_tool_call_set_result (f->call, "5");
  g_assert_false (gtk_widget_get_visible (toggle));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (result)), ==, "5");
}

static void
test_text_is_never_markup (Fixture       *f,
                           gconstpointer  data)
{
  confab_tool_call_set_name (f->call, "<b>bold</b>");
  confab_tool_call_set_arguments (f->call, "{\"q\": \"<i>x</i> & y\"}");
  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  confab_tool_call_set_result (f->call, "<span foreground='red'>red</span>");
  confab_tool_call_set_status (f->call, CONFAB_TOOL_CALL_STATUS_DONE);

  CONFAB_TEST_WAIT_FOR (g_strcmp0 (panels_test_label (f->card, "arguments_label"),
                                     "{\n  \"q\": \"<i>x</i> & y\"\n}") == 0, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (panels_test_label (f->card, "name_label"), ==, "<b>bold</b>");
  g_assert_cmpstr (panels_test_label (f->card, "result_label"), ==, "<span foreground='red'>red</span>");
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (panels_test_get (f->card, "result_label"))));
}

/* What the user approves is what runs: a right-to-left override in the arguments would show
 * "exe.txt" for "txt.exe", a control could hide text. Shown as their codes. */
static void
test_controls_shown_as_codes (Fixture       *f,
                              gconstpointer  data)
{
  confab_tool_call_set_name (f->call, "rm\xe2\x80\xae");
  confab_tool_call_set_arguments (f->call, "{\"path\": \"~/file\xe2\x80\xaetxt.exe\x1b[8m\"}");

  CONFAB_TEST_WAIT_FOR (g_strcmp0 (panels_test_label (f->card, "arguments_label"),
                                     "{\n  \"path\": \"~/fileU+202Etxt.exe\\x1b[8m\"\n}") == 0, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (panels_test_label (f->card, "name_label"), ==, "rmU+202E");
}

static void
test_card_without_window_finalizes (void)
{
  ConfabToolCall *call = confab_tool_call_new (1);
  GtkWidget *card = confab_tool_call_card_new (call);

  g_object_ref_sink (card);
  confab_tool_call_append_arguments (call, "{}", -1);
  g_assert_true (confab_tool_call_card_get_call (CONFAB_TOOL_CALL_CARD (card)) == call);

  /* A recycled card lets go of its old call. */
  confab_tool_call_card_set_call (CONFAB_TOOL_CALL_CARD (card), NULL);
  g_assert_finalize_object (call);
  g_assert_finalize_object (card);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

/* The card answers the real tool registry: the call waits for the button, then runs (or
 * not) on the test MCP server. */
static void
run_through_card (ConfabToolRegistry   *registry,
                  const char           *button_id,
                  ConfabToolCallStatus  expected_status,
                  const char           *expected_result)
{
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *card = confab_tool_call_card_new (call);

  confab_tool_call_set_id (call, "call_1");
  confab_tool_call_set_name (call, "add");
  confab_tool_call_set_arguments (call, "{\"a\": 2, \"b\": 3}");
  gtk_window_set_child (window, card);
  gtk_window_present (window);

  /* No approvals given: the registry must ask. */
  confab_tool_registry_call_async (registry, call, NULL, NULL, store_result_cb, &result);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_visible (panels_test_get (card, "approval_box")), PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL);

  g_signal_emit_by_name (panels_test_get (card, button_id), "clicked");
  CONFAB_TEST_WAIT_FOR (result != NULL, PANELS_TEST_TIMEOUT_MS);
  g_assert_true (confab_tool_registry_call_finish (registry, result, &error));
  g_assert_no_error (error);

  g_assert_cmpint (confab_tool_call_get_status (call), ==, expected_status);
  g_assert_false (gtk_widget_get_visible (panels_test_get (card, "approval_box")));
  if (expected_result != NULL)
    g_assert_cmpstr (panels_test_label (card, "result_label"), ==, expected_result);
  g_assert_cmpint (gtk_widget_has_css_class (panels_test_get (card, "result_label"), "error"), ==,
                   expected_status == CONFAB_TOOL_CALL_STATUS_DENIED);

  gtk_window_destroy (window);
}

static void
test_approval_flow_with_registry (void)
{
  const char *server = g_getenv ("CONFAB_TEST_MCP_SERVER");
  g_autoptr(ConfabToolRegistry) registry = NULL;
  g_autoptr(GAsyncResult) started = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;

  if (server == NULL)
    {
      g_test_skip ("CONFAB_TEST_MCP_SERVER is not set (run through meson test)");
      return;
    }

  registry = confab_tool_registry_new ();
  command = g_strdup_printf ("%s --tools add", server);
  g_assert_true (confab_tool_registry_add_command (registry, command, &error));
  g_assert_no_error (error);
  confab_tool_registry_start_async (registry, NULL, store_result_cb, &started);
  CONFAB_TEST_WAIT_FOR (started != NULL, PANELS_TEST_TIMEOUT_MS);
  g_assert_true (confab_tool_registry_start_finish (registry, started, &error));
  g_assert_no_error (error);

  run_through_card (registry, "allow_once_button", CONFAB_TOOL_CALL_STATUS_DONE, "5");
  run_through_card (registry, "deny_button", CONFAB_TOOL_CALL_STATUS_DENIED, NULL);

  confab_tool_registry_stop (registry);
}

int
main (int   argc,
      char *argv[])
{
  panels_test_init (&argc, &argv);
  gtk_init ();

#define ADD(path, func) g_test_add ("/tool-call-card/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("arguments-update-live-once-per-frame", test_arguments_update_live);
  ADD ("status-transitions", test_status_transitions);
  ADD ("approval-buttons-only-when-pending", test_approval_buttons);
  ADD ("failed-and-denied-in-error-style", test_failed_and_denied_error_style);
  ADD ("long-result-collapses", test_long_result_collapses);
  ADD ("text-is-never-markup", test_text_is_never_markup);
  ADD ("controls-shown-as-codes", test_controls_shown_as_codes);
#undef ADD
  g_test_add_func ("/tool-call-card/finalizes-without-window", test_card_without_window_finalizes);
  g_test_add_func ("/tool-call-card/approval-flow-with-registry", test_approval_flow_with_registry);

  return g_test_run ();
}
