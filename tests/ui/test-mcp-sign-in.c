/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mcp-sign-in"

/* The window's side of OAuth for remote MCP servers (confab-mcp-sign-in.c): a server that
 * needs a sign-in shows a toast with "Sign In…"; no page opens before the user presses it;
 * pressing it opens the authorization page and starts the server again, which signs in
 * (fake MCP and authorization servers on 127.0.0.1, a keyring of the test's own) and lists
 * its tools. */

#include <adwaita.h>
#include <libsecret/secret.h>

#include "confab-mcp-server.h"
#include "confab-mcp-sign-in.h"
#include "confab-tool-registry.h"

#include "panels-keyring.h"
#include "../integration/mcp-oauth-fake.h"

static PanelsKeyring keyring;

/* The first button under @widget labelled @label, NULL when none. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* TRUE when a label under @widget shows @text. */
static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;

  return FALSE;
}

/* Iterates until a button labelled @label is under @widget; fails after WAIT_SECONDS. */
static GtkWidget *
wait_for_button (GtkWidget  *widget,
                 const char *label)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (WAIT_SECONDS, fake_timeout_cb, &timed_out);
  GtkWidget *button;

  while ((button = find_button (widget, label)) == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (id);
  return button;
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;

  /* One server failed (it needs a sign-in): the registry says so; the toast is the point. */
  confab_tool_registry_start_finish (CONFAB_TOOL_REGISTRY (object), result, NULL);
  *done = TRUE;
}

static gboolean
server_ready (ConfabMcpServer *server)
{
  return confab_mcp_server_get_state (server) == CONFAB_MCP_SERVER_STATE_READY;
}

static void
test_toast_signs_in (void)
{
  g_autoptr(Fake) fake = NULL;
  g_autoptr(ConfabToolRegistry) registry = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Browser) browser = { soup_session_new (), 0 };
  GtkWidget *window;
  GtkWidget *overlay;
  GtkWidget *button;
  gboolean started = FALSE;
  gboolean timed_out = FALSE;
  guint id;

  if (panels_keyring_skip (&keyring))
    return;

  fake = fake_new ();
  _confab_mcp_sign_in_set_launcher (browser_open_page, &browser);

  window = adw_application_window_new (NULL);
  overlay = adw_toast_overlay_new ();
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), gtk_label_new ("chat"));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), overlay);
  gtk_window_present (GTK_WINDOW (window));

  registry = confab_tool_registry_new ();
  g_assert_true (confab_tool_registry_add_command (registry, fake->mcp_url, &error));
  g_assert_no_error (error);
  server = g_list_model_get_item (confab_tool_registry_get_servers (registry), 0);
  confab_mcp_sign_in_watch_registry (registry, GTK_WINDOW (window));

  confab_tool_registry_start_async (registry, NULL, started_cb, &started);
  wait_for (&started);

  /* Refused, and said so; nothing opened on its own. */
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_FAILED);
  button = wait_for_button (overlay, "Sign In…");
  g_assert_true (has_label (overlay, "needs you to sign in"));
  g_assert_cmpuint (browser.opened, ==, 0);
  g_assert_cmpuint (fake->registrations, ==, 0);

  g_signal_emit_by_name (button, "clicked");

  id = g_timeout_add_seconds (WAIT_SECONDS, fake_timeout_cb, &timed_out);
  while ((!server_ready (server) || !has_label (overlay, "Signed in")) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);

  g_assert_cmpuint (browser.opened, ==, 1);
  g_assert_cmpuint (fake->code_grants, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (confab_mcp_server_get_tools (server)), ==, 1);
  g_assert_false (confab_mcp_oauth_get_needs_sign_in (confab_mcp_server_get_oauth (server)));

  confab_tool_registry_stop (registry);
  _confab_mcp_sign_in_set_launcher (NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  panels_keyring_start (&keyring, TRUE);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/mcp-sign-in/toast-signs-in", test_toast_signs_in);

  ret = g_test_run ();
  panels_keyring_stop (&keyring);
  return ret;
}
