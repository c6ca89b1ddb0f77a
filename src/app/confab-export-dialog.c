/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-export-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <adwaita.h>

#include "confab-conversation.h"
#include "confab-export.h"
#include "confab-export-dialog.h"

/* GtkFileChooserNative is deprecated from GTK 4.10, whose GtkFileDialog replaces it; both
 * go through the file chooser portal when there is one (Flatpak), else GTK's own dialog. */

typedef struct
{
  GtkWidget          *parent;   /* weak */
  ConfabConversation *conversation;
  GtkFileFilter      *json_filter;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_weak_pointer (&data->parent);
  g_clear_object (&data->conversation);
  g_clear_object (&data->json_filter);
  g_free (data);
}

static void
show_toast (GtkWidget  *parent,
            const char *text)
{
  GtkWidget *overlay = parent ? gtk_widget_get_ancestor (parent, ADW_TYPE_TOAST_OVERLAY) : NULL;
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  /* A toast title is Pango markup in libadwaita 1.2. */
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (escaped));
  else
    g_message ("%s", text);
}

gboolean
confab_export_file_is_json (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  return name != NULL && g_str_has_suffix (name, ".json");
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ExportData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (object));
  g_autofree char *text = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    text = g_strdup_printf (_("Could not export to “%s”: %s"), name, error->message);
  else
    text = g_strdup_printf (_("Exported to “%s”"), name);

  show_toast (data->parent, text);
  export_data_free (data);
}

static void
write_export (ExportData *data,
              GFile      *chosen,
              gboolean    json_filter)
{
  g_autoptr(GFile) file = g_object_ref (chosen);
  g_autoptr(GBytes) bytes = NULL;
  char *contents;

  /* The JSON filter with a name that does not say so: the name is made to say it. The
   * name suggested ends in .md (Markdown comes first): that ending is replaced, not kept
   * in front of the new one. */
  if (json_filter && !confab_export_file_is_json (file))
    {
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *with_ext = NULL;
      g_autoptr(GFile) renamed = NULL;
      gsize len = strlen (path);

      if (len > 3 && g_ascii_strcasecmp (path + len - 3, ".md") == 0)
        path[len - 3] = '\0';
      with_ext = g_strconcat (path, ".json", NULL);
      renamed = g_file_new_for_path (with_ext);
      g_set_object (&file, renamed);
    }

  if (confab_export_file_is_json (file))
    contents = confab_export_json_string (data->conversation);
  else
    contents = confab_export_markdown (data->conversation);
  bytes = g_bytes_new_take (contents, strlen (contents));

  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, written_cb, data);
}

static char *
suggested_name (ConfabConversation *conversation)
{
  const char *title = confab_conversation_get_title (conversation);
  g_autofree char *safe = g_strdup (title != NULL && *title != '\0' ? title : _("Conversation"));

  /* No path separators (or other troublemakers) in a file name; none left dangling at its
   * end either ("What now?" is "What now.md", not "What now-.md"). */
  g_strdelimit (safe, "/\\:*?\"<>|\n\r\t", '-');
  for (gsize len = strlen (g_strstrip (safe)); len > 0 && (safe[len - 1] == '-' || safe[len - 1] == ' '); len--)
    safe[len - 1] = '\0';
  return g_strconcat (*safe != '\0' ? safe : _("Conversation"), ".md", NULL);
}

#if GTK_CHECK_VERSION (4, 10, 0)

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ExportData *data = user_data;
  g_autoptr(GFile) file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (object), result, NULL);

  if (file == NULL)
    {
      export_data_free (data);   /* cancelled */
      return;
    }

  write_export (data, file, FALSE);
}

#else

static void
native_response_cb (GtkNativeDialog *native,
                    int              response,
                    ExportData      *data)
{
  g_autoptr(GFile) file = NULL;
  gboolean json_filter;

  if (response != GTK_RESPONSE_ACCEPT)
    {
      if (data->parent != NULL)
        g_object_set_data (G_OBJECT (data->parent), "confab-export-chooser", NULL);
      export_data_free (data);
      g_object_unref (native);
      return;
    }

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  json_filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (native)) == data->json_filter;
  if (data->parent != NULL)
    g_object_set_data (G_OBJECT (data->parent), "confab-export-chooser", NULL);
  g_object_unref (native);

  if (file == NULL)
    {
      export_data_free (data);
      return;
    }

  write_export (data, file, json_filter);
}

#endif

/* Markdown beside the files it shows: conversation.md and each attachment, in the chosen
 * folder (the one path a portal grants). */
static void
write_folder (ExportData *data,
              GFile      *folder)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) markdown = NULL;
  g_autofree char *name = g_file_get_basename (folder);
  g_autofree char *text = NULL;

  markdown = confab_export_markdown_to_folder (data->conversation, folder, NULL, &error);
  if (markdown == NULL)
    text = g_strdup_printf (_("Could not export to “%s”: %s"), name, error->message);
  else
    text = g_strdup_printf (_("Exported to “%s”"), name);

  show_toast (data->parent, text);
  export_data_free (data);
}

#if GTK_CHECK_VERSION (4, 10, 0)

static void
select_folder_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ExportData *data = user_data;
  g_autoptr(GFile) folder = gtk_file_dialog_select_folder_finish (GTK_FILE_DIALOG (object), result, NULL);

  if (folder == NULL)
    export_data_free (data);   /* cancelled */
  else
    write_folder (data, folder);
}

#else

static void
folder_response_cb (GtkNativeDialog *native,
                    int              response,
                    ExportData      *data)
{
  g_autoptr(GFile) folder = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  if (data->parent != NULL)
    g_object_set_data (G_OBJECT (data->parent), "confab-export-chooser", NULL);
  g_object_unref (native);

  if (folder == NULL)
    export_data_free (data);
  else
    write_folder (data, folder);
}

#endif

void
confab_export_dialog_show_folder (GtkWidget          *parent,
                                  ConfabConversation *conversation)
{
  GtkWindow *window = NULL;
  ExportData *data;

  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (CONFAB_IS_CONVERSATION (conversation));

  if (GTK_IS_WINDOW (gtk_widget_get_root (parent)))
    window = GTK_WINDOW (gtk_widget_get_root (parent));

  data = g_new0 (ExportData, 1);
  g_set_weak_pointer (&data->parent, parent);
  data->conversation = g_object_ref (conversation);

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

    gtk_file_dialog_set_title (dialog, _("Export to a Folder"));
    gtk_file_dialog_set_accept_label (dialog, _("_Export"));
    gtk_file_dialog_select_folder (dialog, window, NULL, select_folder_cb, data);
  }
#else
  {
    GtkFileChooserNative *native = gtk_file_chooser_native_new (_("Export to a Folder"), window,
                                                                GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                                _("_Export"), _("_Cancel"));

    gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
    g_signal_connect (native, "response", G_CALLBACK (folder_response_cb), data);
    g_object_set_data_full (G_OBJECT (parent), "confab-export-chooser", g_object_ref (native), g_object_unref);
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
  }
#endif
}

void
confab_export_dialog_show (GtkWidget          *parent,
                           ConfabConversation *conversation)
{
  GtkWindow *window = NULL;
  g_autofree char *name = NULL;
  GtkFileFilter *markdown;
  ExportData *data;

  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (CONFAB_IS_CONVERSATION (conversation));

  if (GTK_IS_WINDOW (gtk_widget_get_root (parent)))
    window = GTK_WINDOW (gtk_widget_get_root (parent));

  data = g_new0 (ExportData, 1);
  g_set_weak_pointer (&data->parent, parent);
  data->conversation = g_object_ref (conversation);
  name = suggested_name (conversation);

  markdown = gtk_file_filter_new ();
  gtk_file_filter_set_name (markdown, _("Markdown"));
  gtk_file_filter_add_pattern (markdown, "*.md");
  gtk_file_filter_add_mime_type (markdown, "text/markdown");
  data->json_filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (data->json_filter, _("JSON"));
  gtk_file_filter_add_pattern (data->json_filter, "*.json");
  gtk_file_filter_add_mime_type (data->json_filter, "application/json");

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
    g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);

    g_list_store_append (filters, markdown);
    g_list_store_append (filters, data->json_filter);
    gtk_file_dialog_set_title (dialog, _("Export Conversation"));
    gtk_file_dialog_set_accept_label (dialog, _("_Export"));
    gtk_file_dialog_set_initial_name (dialog, name);
    gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
    gtk_file_dialog_save (dialog, window, NULL, save_cb, data);
  }
#else
  {
    GtkFileChooserNative *native = gtk_file_chooser_native_new (_("Export Conversation"), window,
                                                                GTK_FILE_CHOOSER_ACTION_SAVE,
                                                                _("_Export"), _("_Cancel"));

    gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), markdown);
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), data->json_filter);
    g_signal_connect (native, "response", G_CALLBACK (native_response_cb), data);
    /* For the tests: GTK's own dialog checks the chosen name asynchronously before it
     * answers, which a test cannot drive; the test answers for it. */
    g_object_set_data_full (G_OBJECT (parent), "confab-export-chooser", g_object_ref (native), g_object_unref);
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
  }
#endif

  g_object_unref (markdown);
}
