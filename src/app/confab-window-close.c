/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-window"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-session.h"
#include "confab-window.h"
#include "confab-window-private.h"

/* Closing a window while turns run: asked first, then stopped or kept working hidden, the
 * application held until the last background turn ends and a while after. */

/* After the last background turn ends, the hidden window waits this long for the user to
 * come back through its notification (which needs the process), then closes for good. */
#define BACKGROUND_LINGER_SECONDS (5 * 60)

static void
leave_background (ConfabWindow *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  g_clear_handle_id (&self->linger_source, g_source_remove);
  if (self->in_background)
    {
      self->in_background = FALSE;
      if (app != NULL)
        g_application_release (app);
    }
}

static gboolean
linger_done (gpointer user_data)
{
  ConfabWindow *self = user_data;

  self->linger_source = 0;
  if (gtk_widget_get_visible (GTK_WIDGET (self)))
    return G_SOURCE_REMOVE;

  self->close_confirmed = TRUE;
  leave_background (self);
  gtk_window_close (GTK_WINDOW (self));

  return G_SOURCE_REMOVE;
}

void
_confab_window_background_running_changed (ConfabSession      *session,
                                            ConfabConversation *conversation,
                                            gboolean            running,
                                            ConfabWindow       *self)
{
  if (!self->in_background || running || confab_session_get_n_running (session) > 0)
    return;

  if (self->linger_source == 0)
    self->linger_source = g_timeout_add_seconds (BACKGROUND_LINGER_SECONDS, linger_done, self);
}

/* The window is back in front (a notification, the app launched again): no longer a
 * background process. */
void
_confab_window_shown_again (ConfabWindow *self,
                            GParamSpec   *pspec,
                            gpointer      user_data)
{
  if (self->in_background && gtk_widget_get_visible (GTK_WIDGET (self)))
    leave_background (self);
}

static gboolean
close_later (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
close_response (AdwMessageDialog *dialog,
                const char       *response,
                ConfabWindow     *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (g_strcmp0 (response, "background") == 0)
    {
      /* The turns go on; the app stays while they run, and their notifications bring the
       * window back. */
      self->in_background = TRUE;
      if (app != NULL)
        g_application_hold (app);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      _confab_window_background_running_changed (self->session, NULL, FALSE, self);
    }
  else if (g_strcmp0 (response, "stop") == 0)
    {
      /* Closed once the dialog, transient for this window, is gone. */
      self->close_confirmed = TRUE;
      g_idle_add_full (G_PRIORITY_DEFAULT, close_later, g_object_ref (self), g_object_unref);
    }
}

static gboolean
ask_before_closing (ConfabWindow *self)
{
  AdwMessageDialog *dialog;

  if (self->close_confirmed || confab_session_get_n_running (self->session) == 0)
    return FALSE;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Keep Working in the Background?"), NULL));
  adw_message_dialog_set_body (dialog, _("An answer is still being written or a tool call waits for your approval. "
                                         "Confab can finish in the background and notify you."));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "stop", _("_Stop and Close"),
                                    "background", _("_Keep Working"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "background", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "background");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

gboolean
_confab_window_keep_open (ConfabWindow *self)
{
  GtkWindow *window = GTK_WINDOW (self);
  int width, height;

  if (ask_before_closing (self))
    return TRUE;

  leave_background (self);
  if (self->quick)
    {
      confab_session_stop_all (self->session);
      return FALSE;
    }

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  confab_session_stop_all (self->session);

  return FALSE;
}
