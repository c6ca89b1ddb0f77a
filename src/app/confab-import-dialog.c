/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-import.h"
#include "confab-import-dialog.h"

struct _ConfabImportDialog
{
  AdwWindow       parent_instance;

  ConfabStore    *store;
  GtkWindow      *parent;
  GtkProgressBar *progress;
  GCancellable   *cancellable;
  guint           tick;
  gpointer        bytes_read;  /* atomic gsize: written by the reading thread */
  gpointer        size;
};

G_DEFINE_FINAL_TYPE (ConfabImportDialog, confab_import_dialog, ADW_TYPE_WINDOW)

static void
confab_import_dialog_dispose (GObject *object)
{
  ConfabImportDialog *self = CONFAB_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_weak_pointer (&self->parent);

  G_OBJECT_CLASS (confab_import_dialog_parent_class)->dispose (object);
}

static void
confab_import_dialog_class_init (ConfabImportDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_import_dialog_dispose;
}

static void
cancel_clicked (ConfabImportDialog *self)
{
  g_cancellable_cancel (self->cancellable);
}

static void
confab_import_dialog_init (ConfabImportDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *label = gtk_label_new (_("Importing conversations…"));
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

  self->cancellable = g_cancellable_new ();
  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);
  gtk_widget_set_halign (cancel, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress));
  gtk_box_append (GTK_BOX (box), cancel);
  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_window_set_title (GTK_WINDOW (self), _("Import"));
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 360, -1);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (cancel_clicked), self);
}

static void
progress_cb (goffset  bytes_read,
             goffset  size,
             gpointer user_data)
{
  ConfabImportDialog *self = user_data;

  /* The reading thread: the main loop's tick reads it. */
  g_atomic_pointer_set (&self->size, GSIZE_TO_POINTER ((gsize) size));
  g_atomic_pointer_set (&self->bytes_read, GSIZE_TO_POINTER ((gsize) bytes_read));
}

static gboolean
tick_cb (gpointer user_data)
{
  ConfabImportDialog *self = user_data;
  gsize size = GPOINTER_TO_SIZE (g_atomic_pointer_get (&self->size));
  gsize read = GPOINTER_TO_SIZE (g_atomic_pointer_get (&self->bytes_read));

  if (size > 0)
    gtk_progress_bar_set_fraction (self->progress, MIN (1.0, (double) read / size));
  else
    gtk_progress_bar_pulse (self->progress);

  return G_SOURCE_CONTINUE;
}

static void
tell (GtkWindow  *parent,
      const char *heading,
      const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
read_done (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(ConfabImportDialog) self = user_data;
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = g_object_ref (self->store);
  g_autoptr(GtkWindow) parent = self->parent ? g_object_ref (self->parent) : NULL;
  g_autofree char *body = NULL;

  result = confab_import_file_finish (store, res, &error);
  g_clear_handle_id (&self->tick, g_source_remove);
  gtk_window_destroy (GTK_WINDOW (self));

  if (result == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tell (parent, _("Nothing Was Imported"), error->message);
      return;
    }

  if (result->format == CONFAB_IMPORT_FORMAT_ALPACA)
    body = g_strdup_printf (ngettext ("From Alpaca’s database: %u conversation imported; already there: %u.",
                                      "From Alpaca’s database: %u conversations imported; already there: %u.",
                                      result->n_imported),
                            result->n_imported, result->n_skipped);
  else
    /* TRANSLATORS: "%s" is the app the file came from (ChatGPT, Open WebUI, Confab). */
    body = g_strdup_printf (ngettext ("From the %s export: %u conversation imported; already there: %u.",
                                      "From the %s export: %u conversations imported; already there: %u.",
                                      result->n_imported),
                            confab_import_format_to_string (result->format),
                            result->n_imported, result->n_skipped);
  if (result->n_other_branches > 0)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("%u conversation has branches; all of them were kept.",
                                                         "%u conversations have branches; all of them were kept.",
                                                         result->n_other_branches),
                                               result->n_other_branches);
      g_autofree char *joined = g_strconcat (body, "\n", more, NULL);

      g_free (body);
      body = g_steal_pointer (&joined);
    }
  tell (parent, _("Conversations Imported"), body);
}

static void
start (ConfabImportDialog *self,
       GFile              *file)
{
  gtk_window_present (GTK_WINDOW (self));
  self->tick = g_timeout_add (100, tick_cb, self);
  confab_import_file_async (self->store, file, progress_cb, self, self->cancellable, read_done, g_object_ref (self));
}

static ConfabImportDialog *
dialog_new (GtkWindow   *parent,
            ConfabStore *store)
{
  ConfabImportDialog *self = g_object_new (CONFAB_TYPE_IMPORT_DIALOG, "transient-for", parent, NULL);

  self->store = g_object_ref (store);
  g_set_weak_pointer (&self->parent, parent);

  return self;
}

static void
chooser_response (GtkNativeDialog *chooser,
                  int              response,
                  gpointer         user_data)
{
  g_autoptr(ConfabImportDialog) self = user_data;
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);

  if (file == NULL)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  start (self, file);
}

void
confab_import_dialog_import_file (GtkWindow   *parent,
                                  ConfabStore *store,
                                  GFile       *file)
{
  g_return_if_fail (CONFAB_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));

  start (dialog_new (parent, store), file);
}

void
confab_import_dialog_run (GtkWindow   *parent,
                          ConfabStore *store)
{
  ConfabImportDialog *self;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  g_return_if_fail (CONFAB_IS_STORE (store));

  self = dialog_new (parent, store);

  chooser = gtk_file_chooser_native_new (_("Import Conversations"), parent, GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Import"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("JSON exports and Alpaca databases"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_pattern (filter, "*.json");
  /* Alpaca's alpaca.db */
  gtk_file_filter_add_mime_type (filter, "application/vnd.sqlite3");
  gtk_file_filter_add_pattern (filter, "*.db");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
