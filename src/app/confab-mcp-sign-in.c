/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-sign-in"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "confab-mcp-server.h"
#include "confab-mcp-sign-in.h"

/* The window's side of OAuth for remote MCP servers: a toast when one needs a sign-in, and
 * the browser when the user asks for it. Until the user presses "Sign In…" no page opens by
 * itself: the server has no open function and fails with "needs you to sign in". */

typedef struct
{
  GWeakRef window;
  GWeakRef server;
} Watch;

/* Tests open pages themselves (_confab_mcp_sign_in_set_launcher). */
static ConfabMcpOAuthOpenFunc test_launcher;
static gpointer               test_launcher_data;

void
_confab_mcp_sign_in_set_launcher (ConfabMcpOAuthOpenFunc func,
                                  gpointer               user_data)
{
  test_launcher = func;
  test_launcher_data = user_data;
}

static Watch *
watch_new (GtkWindow       *window,
           ConfabMcpServer *server)
{
  Watch *watch = g_new0 (Watch, 1);

  g_weak_ref_init (&watch->window, window);
  g_weak_ref_init (&watch->server, server);
  return watch;
}

static void
watch_free (gpointer data,
            GClosure *closure)
{
  Watch *watch = data;

  g_weak_ref_clear (&watch->window);
  g_weak_ref_clear (&watch->server);
  g_free (watch);
}

static void
show_toast (GtkWindow *window,
            AdwToast  *toast)
{
  GtkWidget *content = NULL;

  if (ADW_IS_APPLICATION_WINDOW (window))
    content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));

  if (content != NULL && ADW_IS_TOAST_OVERLAY (content))
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (content), toast);
  else
    {
      g_message ("%s", adw_toast_get_title (toast));
      g_object_unref (toast);
    }
}

static void
show_message (GtkWindow  *window,
              const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  /* A toast title is Pango markup in libadwaita 1.2. */
  show_toast (window, adw_toast_new (escaped));
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
launched_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!gtk_uri_launcher_launch_finish (GTK_URI_LAUNCHER (object), result, &error))
    g_warning ("Could not open the sign-in page: %s", error->message);
}
#endif

/* The ConfabMcpOAuthOpenFunc: the authorization page in the user's browser. */
static void
open_in_browser (const char *server_name,
                 const char *uri,
                 gpointer    user_data)
{
  GWeakRef *window_ref = user_data;
  g_autoptr(GtkWindow) window = g_weak_ref_get (window_ref);

  if (test_launcher != NULL)
    {
      test_launcher (server_name, uri, test_launcher_data);
      return;
    }

  {
#if GTK_CHECK_VERSION (4, 10, 0)
    g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);

    gtk_uri_launcher_launch (launcher, window, NULL, launched_cb, NULL);
#else
    gtk_show_uri (window, uri, GDK_CURRENT_TIME);
#endif
  }
}

static void
free_window_ref (gpointer data)
{
  GWeakRef *window_ref = data;

  g_weak_ref_clear (window_ref);
  g_free (window_ref);
}

static void
restarted_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ConfabMcpServer *server = CONFAB_MCP_SERVER (object);
  GWeakRef *window_ref = user_data;
  g_autoptr(GtkWindow) window = g_weak_ref_get (window_ref);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  /* Later refusals ask the user again through the toast, not by opening pages. */
  confab_mcp_oauth_set_open_func (confab_mcp_server_get_oauth (server), NULL, NULL, NULL);

  if (confab_mcp_server_start_finish (server, result, &error))
    text = g_strdup_printf (_("Signed in to “%s”"), confab_mcp_server_get_name (server));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    text = g_strdup_printf (_("Could not sign in to “%s”: %s"),
                            confab_mcp_server_get_name (server), error->message);

  if (window != NULL && text != NULL)
    show_message (window, text);

  free_window_ref (window_ref);
}

static void
sign_in_clicked_cb (AdwToast *toast,
                    gpointer  user_data)
{
  Watch *watch = user_data;
  g_autoptr(GtkWindow) window = g_weak_ref_get (&watch->window);
  g_autoptr(ConfabMcpServer) server = g_weak_ref_get (&watch->server);
  GWeakRef *open_ref;
  GWeakRef *done_ref;

  if (window == NULL || server == NULL)
    return;

  open_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (open_ref, window);
  done_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (done_ref, window);

  confab_mcp_oauth_set_open_func (confab_mcp_server_get_oauth (server), open_in_browser,
                                  open_ref, free_window_ref);
  confab_mcp_server_start_async (server, NULL, restarted_cb, done_ref);
}

static void
needs_sign_in_cb (ConfabMcpOAuth *oauth,
                  GParamSpec     *pspec,
                  gpointer        user_data)
{
  Watch *watch = user_data;
  g_autoptr(GtkWindow) window = NULL;
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  if (!confab_mcp_oauth_get_needs_sign_in (oauth))
    return;

  window = g_weak_ref_get (&watch->window);
  server = g_weak_ref_get (&watch->server);
  if (window == NULL || server == NULL)
    return;

  escaped = g_markup_escape_text (confab_mcp_server_get_name (server), -1);
  title = g_strdup_printf (_("The tool server “%s” needs you to sign in"), escaped);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("Sign In…"));
  adw_toast_set_timeout (toast, 0);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (sign_in_clicked_cb),
                         watch_new (window, server), watch_free, 0);
  show_toast (window, toast);
}

void
confab_mcp_sign_in_watch_registry (ConfabToolRegistry *registry,
                                   GtkWindow          *window)
{
  GListModel *servers;

  g_return_if_fail (CONFAB_IS_TOOL_REGISTRY (registry));
  g_return_if_fail (GTK_IS_WINDOW (window));

  servers = confab_tool_registry_get_servers (registry);
  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);
      ConfabMcpOAuth *oauth = confab_mcp_server_get_oauth (server);

      if (oauth != NULL)
        g_signal_connect_data (oauth, "notify::needs-sign-in", G_CALLBACK (needs_sign_in_cb),
                               watch_new (window, server), watch_free, 0);
    }
}
