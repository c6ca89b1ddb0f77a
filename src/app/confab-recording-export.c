/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-recording-export"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "confab-application.h"
#include "confab-cassette-writer.h"
#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-recording-export.h"

typedef struct
{
  GtkWindow            *parent;
  ConfabCassetteWriter *writer;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->parent);
  g_clear_object (&export->writer);
  g_free (export);
}

static void
show_error (GtkWindow  *parent,
            const char *message)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, _("Could Not Save the Recording"), message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
response_cb (GtkNativeDialog *chooser,
             int              response,
             Export          *export)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *text = NULL;
  ConfabCassetteFormat format;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    {
      basename = g_file_get_basename (file);
      format = basename != NULL && (g_str_has_suffix (basename, ".yaml") || g_str_has_suffix (basename, ".yml"))
               ? CONFAB_CASSETTE_FORMAT_YAML : CONFAB_CASSETTE_FORMAT_JSON;
      text = confab_cassette_writer_to_data (export->writer, format);

      if (!g_file_replace_contents (file, text, strlen (text), NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                    NULL, NULL, &error))
        show_error (export->parent, error->message);
    }

  if (export->parent != NULL)
    g_object_set_data (G_OBJECT (export->parent), "confab-recording-chooser", NULL);
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  export_free (export);
}

/* The application's providers, through @window or the window it belongs to. */
static ConfabProviderList *
providers_of (GtkWindow *window)
{
  for (; window != NULL; window = gtk_window_get_transient_for (window))
    {
      GtkApplication *app = gtk_window_get_application (window);

      if (CONFAB_IS_APPLICATION (app))
        return confab_context_get_providers (confab_application_get_context (CONFAB_APPLICATION (app)));
    }

  return NULL;
}

void
confab_recording_export_run (GtkWindow          *parent,
                             ConfabConversation *conversation,
                             ConfabMessage      *message)
{
  g_autoptr(ConfabCassetteWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkFileFilter) json = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) yaml = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;
  Export *export;

  g_return_if_fail (CONFAB_IS_CONVERSATION (conversation));
  g_return_if_fail (CONFAB_IS_MESSAGE (message));

  writer = confab_cassette_writer_new (conversation, confab_cassette_find_provider (conversation, providers_of (parent)));
  if (!confab_cassette_writer_add_turn (writer, message, &error))
    {
      show_error (parent, error->message);
      return;
    }

  chooser = gtk_file_chooser_native_new (_("Save Turn as Recording"), parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "turn.json");

  gtk_file_filter_set_name (json, _("go-vcr recording (JSON)"));
  gtk_file_filter_add_pattern (json, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), json);
  gtk_file_filter_set_name (yaml, _("go-vcr recording (YAML)"));
  gtk_file_filter_add_pattern (yaml, "*.yaml");
  gtk_file_filter_add_pattern (yaml, "*.yml");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), yaml);

  export = g_new0 (Export, 1);
  export->parent = parent ? g_object_ref (parent) : NULL;
  export->writer = g_steal_pointer (&writer);
  g_signal_connect (chooser, "response", G_CALLBACK (response_cb), export);
  /* For the tests, as the export dialog does: GTK's own dialog checks the chosen name
   * asynchronously before it answers, which a test cannot drive; the test answers for it. */
  if (parent != NULL)
    g_object_set_data_full (G_OBJECT (parent), "confab-recording-chooser", g_object_ref (chooser), g_object_unref);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
