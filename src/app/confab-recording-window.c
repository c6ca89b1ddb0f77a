/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-recording-window"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-cassette.h"
#include "confab-conversation.h"
#include "confab-recording-window.h"
#include "confab-session.h"

struct _ConfabRecordingWindow
{
  AdwWindow       parent_instance;

  ConfabSession  *session;
  ConfabChatView *chat_view;
};

G_DEFINE_FINAL_TYPE (ConfabRecordingWindow, confab_recording_window, ADW_TYPE_WINDOW)

static void
confab_recording_window_dispose (GObject *object)
{
  ConfabRecordingWindow *self = CONFAB_RECORDING_WINDOW (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (confab_recording_window_parent_class)->dispose (object);
}

static void
confab_recording_window_class_init (ConfabRecordingWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_recording_window_dispose;
}

static void
confab_recording_window_init (ConfabRecordingWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();

  self->session = confab_session_new ();
  self->chat_view = CONFAB_CHAT_VIEW (confab_chat_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->chat_view), TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->chat_view));
  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_window_set_default_size (GTK_WINDOW (self), 800, 700);
}

ConfabChatView *
confab_recording_window_get_chat_view (ConfabRecordingWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_RECORDING_WINDOW (self), NULL);

  return self->chat_view;
}

GtkWidget *
confab_recording_window_new_for_file (GtkWindow  *parent,
                                      GFile      *file,
                                      GError    **error)
{
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autofree char *data = NULL;
  g_autofree char *name = NULL;
  ConfabRecordingWindow *self;
  gsize len = 0;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!g_file_load_contents (file, NULL, &data, &len, NULL, error))
    return NULL;
  name = g_file_get_basename (file);
  if ((conversation = confab_cassette_read_data (data, len, name, error)) == NULL)
    return NULL;

  self = g_object_new (CONFAB_TYPE_RECORDING_WINDOW,
                       "title", confab_conversation_get_title (conversation),
                       "transient-for", parent,
                       NULL);
  if (parent != NULL && gtk_window_get_application (parent) != NULL)
    gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));

  confab_session_set_conversation (self->session, conversation);
  confab_chat_view_set_session (self->chat_view, self->session);

  /* Read-only: nothing is sent from a recording. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self->chat_view), "chat.regenerate", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self->chat_view), "chat.retry", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self->chat_view), "chat.edit-resend", FALSE);

  return GTK_WIDGET (self);
}

static void
chooser_response (GtkNativeDialog *chooser,
                  int              response,
                  gpointer         user_data)
{
  GtkWindow *parent = gtk_native_dialog_get_transient_for (chooser);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  if (file != NULL)
    {
      if ((window = confab_recording_window_new_for_file (parent, file, &error)) != NULL)
        gtk_window_present (GTK_WINDOW (window));
      else
        {
          GtkWidget *dialog = adw_message_dialog_new (parent, _("The Recording Could Not Be Opened"), error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
    }

  g_object_unref (chooser);
}

void
confab_recording_window_choose (GtkWindow *parent)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Open Recording"), parent, GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, confab_cassette_supports_yaml () ? _("go-vcr cassettes (JSON, YAML)")
                                                                      : _("go-vcr cassettes (JSON)"));
  gtk_file_filter_add_pattern (filter, "*.json");
  if (confab_cassette_supports_yaml ())
    {
      gtk_file_filter_add_pattern (filter, "*.yaml");
      gtk_file_filter_add_pattern (filter, "*.yml");
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), NULL);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
