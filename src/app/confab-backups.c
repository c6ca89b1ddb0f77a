/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-backups"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "confab-backups.h"
#include "confab-error.h"
#include "confab-store-backup.h"

static GSettings *
settings_or_null (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

  return schema != NULL ? g_settings_new (APP_ID) : NULL;
}

static char *
describe_backup (const char *path)
{
  g_autofree char *name = g_path_get_basename (path);
  int y, mo, d, h, mi, s;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (sscanf (name, "confab-%4d%2d%2d-%2d%2d%2d", &y, &mo, &d, &h, &mi, &s) != 6 ||
      (utc = g_date_time_new_utc (y, mo, d, h, mi, s)) == NULL)
    return g_steal_pointer (&name);

  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%x %X");
}

/* ------------------------------------------------------------------------------------------
 * Offering a backup
 * ------------------------------------------------------------------------------------------ */

typedef struct
{
  ConfabStore *store;
  char        *backup;
} Offer;

static void
offer_free (gpointer  data,
            GClosure *closure)
{
  Offer *offer = data;

  g_clear_object (&offer->store);
  g_free (offer->backup);
  g_free (offer);
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
offer_response (AdwMessageDialog *dialog,
                const char       *response,
                Offer            *offer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *previous = NULL;
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));

  if (g_strcmp0 (response, "restore") == 0 &&
      !confab_store_restore (offer->store, offer->backup, &previous, &error))
    tell (parent, _("The Backup Could Not Be Restored"), error->message);
}

void
confab_backups_present_offer (GtkWindow   *parent,
                              ConfabStore *store,
                              const char  *problem)
{
  g_autofree char *backup = confab_store_find_good_backup (confab_store_get_path (store));
  GtkWidget *dialog;
  Offer *offer;

  if (backup == NULL)
    {
      g_autofree char *body = g_strdup_printf ("%s\n\n%s", problem, _("There is no backup to restore."));

      tell (parent, _("Conversation History Damaged"), body);
      return;
    }

  {
    g_autofree char *when = describe_backup (backup);
    g_autofree char *body = g_strdup_printf (_("%s\n\nThe backup of %s can be restored. Conversations since then are not in it."),
                                             problem, when);

    dialog = adw_message_dialog_new (parent, _("Conversation History Damaged"), body);
  }
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Not Now"),
                                    "restore", _("_Restore Backup"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "restore", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "restore");

  offer = g_new0 (Offer, 1);
  offer->store = g_object_ref (store);
  offer->backup = g_steal_pointer (&backup);
  g_signal_connect_data (dialog, "response", G_CALLBACK (offer_response), offer,
                         offer_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  ConfabStore *store;
  char        *problem;
} Pending;

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_clear_object (&pending->store);
  g_free (pending->problem);
  g_free (pending);
}

static void
window_added (GtkApplication *app,
              GtkWindow      *window,
              gpointer        user_data)
{
  Pending *pending = g_object_steal_data (G_OBJECT (app), "confab-backups-pending");

  g_signal_handlers_disconnect_by_func (app, window_added, NULL);
  if (pending == NULL)
    return;

  confab_backups_present_offer (window, pending->store, pending->problem);
  pending_free (pending);
}

void
confab_backups_offer_restore (GtkApplication *app,
                              ConfabStore    *store,
                              const char     *problem)
{
  GtkWindow *window = gtk_application_get_active_window (app);
  Pending *pending;

  g_return_if_fail (GTK_IS_APPLICATION (app));
  g_return_if_fail (CONFAB_IS_STORE (store));

  if (window != NULL)
    {
      confab_backups_present_offer (window, store, problem);
      return;
    }

  /* Before the first window: when it comes. */
  pending = g_new0 (Pending, 1);
  pending->store = g_object_ref (store);
  pending->problem = g_strdup (problem);
  g_object_set_data_full (G_OBJECT (app), "confab-backups-pending", pending, pending_free);
  g_signal_connect (app, "window-added", G_CALLBACK (window_added), NULL);
}

/* ------------------------------------------------------------------------------------------
 * After start-up
 * ------------------------------------------------------------------------------------------ */

static void
daily_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *made = confab_store_daily_backup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    g_warning ("The daily backup failed: %s", error->message);
  else if (made != NULL)
    g_debug ("Daily backup: %s", made);
}

typedef struct
{
  GtkApplication *app;
  ConfabStore    *store;
  GCancellable   *cancellable;   /* cancelled when the app shuts down */
} Check;

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Check *check = user_data;
  g_autoptr(GError) error = NULL;

  if (g_cancellable_is_cancelled (check->cancellable))
    ;
  else if (!confab_store_quick_check_finish (result, &error))
    {
      g_warning ("%s", error->message);
      confab_backups_offer_restore (check->app, check->store, error->message);
    }
  else
    {
      /* Only a database that passed is backed up. */
      g_autoptr(GSettings) settings = settings_or_null ();
      int keep = settings ? g_settings_get_int (settings, "backup-keep") : 7;
      int max_mb = settings ? g_settings_get_int (settings, "backup-max-size-mb") : 512;

      confab_store_daily_backup_async (confab_store_get_path (check->store), keep,
                                       (guint64) max_mb * 1024 * 1024, check->cancellable, daily_done, NULL);
    }

  g_object_unref (check->cancellable);
  g_object_unref (check->app);
  g_object_unref (check->store);
  g_free (check);
}

void
confab_backups_after_start (GtkApplication *app,
                            ConfabStore    *store)
{
  Check *check = g_new0 (Check, 1);

  g_return_if_fail (GTK_IS_APPLICATION (app));
  g_return_if_fail (CONFAB_IS_STORE (store));

  check->app = g_object_ref (app);
  check->store = g_object_ref (store);
  check->cancellable = g_cancellable_new ();
  /* Nothing is started or reported after the app quits; a backup under way stops. */
  g_signal_connect_object (app, "shutdown", G_CALLBACK (g_cancellable_cancel), check->cancellable,
                           G_CONNECT_SWAPPED);
  confab_store_quick_check_async (confab_store_get_path (store), check->cancellable, check_done, check);
}

ConfabStore *
confab_backups_recover (GtkApplication *app,
                        const char     *path,
                        const GError   *error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *problem = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  /* Only a damaged file is moved: not one from a newer Confab, nor one we may not read. */
  if (g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_STORE_VERSION) ||
      !g_file_test (path, G_FILE_TEST_IS_REGULAR) || g_access (path, R_OK) != 0 ||
      confab_store_quick_check (path, NULL))
    return NULL;

  if ((aside = confab_store_move_aside (path, &local_error)) == NULL ||
      (store = confab_store_open (path, &local_error)) == NULL)
    {
      g_warning ("Could not recover from a damaged database: %s", local_error->message);
      return NULL;
    }

  problem = g_strdup_printf (_("The conversation database could not be opened (%s). It was moved to %s and an empty one started."),
                             error->message, aside);
  if (app != NULL)
    confab_backups_offer_restore (app, store, problem);

  return g_steal_pointer (&store);
}

/* ------------------------------------------------------------------------------------------
 * Preferences
 * ------------------------------------------------------------------------------------------ */

struct _ConfabBackupsGroup
{
  AdwPreferencesGroup  parent_instance;

  ConfabStore         *store;
  GPtrArray           *rows;
};

G_DEFINE_FINAL_TYPE (ConfabBackupsGroup, confab_backups_group, ADW_TYPE_PREFERENCES_GROUP)

static void reload (ConfabBackupsGroup *self);

static void
restore_response (AdwMessageDialog   *dialog,
                  const char         *response,
                  ConfabBackupsGroup *self)
{
  const char *backup = g_object_get_data (G_OBJECT (dialog), "backup");
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  g_autoptr(GError) error = NULL;
  g_autofree char *previous = NULL;

  if (g_strcmp0 (response, "restore") != 0)
    return;

  if (!confab_store_restore (self->store, backup, &previous, &error))
    tell (parent, _("The Backup Could Not Be Restored"), error->message);
  else
    {
      g_autofree char *when = describe_backup (previous);
      g_autofree char *body = g_strdup_printf (_("The conversations as they were before are in the backup of %s."), when);

      tell (parent, _("Backup Restored"), body);
    }
  reload (self);
}

static void
restore_clicked (GtkButton          *button,
                 ConfabBackupsGroup *self)
{
  const char *backup = g_object_get_data (G_OBJECT (button), "backup");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *when = describe_backup (backup);
  g_autofree char *body = g_strdup_printf (_("Conversations will be as they were on %s. The current ones are backed up first."), when);
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              _("Restore This Backup?"), body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "restore", _("_Restore"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "restore", ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (dialog), "backup", g_strdup (backup), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (restore_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
back_up_now_clicked (GtkButton          *button,
                     ConfabBackupsGroup *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *made = NULL;
  g_autoptr(GSettings) settings = settings_or_null ();

  if (!confab_store_flush (self->store, &error) ||
      (made = confab_store_backup_now (confab_store_get_path (self->store), NULL, &error)) == NULL)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      tell (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Backup Failed"), error->message);
      return;
    }

  confab_store_rotate_backups (confab_store_get_path (self->store),
                               settings ? g_settings_get_int (settings, "backup-keep") : 7,
                               (guint64) (settings ? g_settings_get_int (settings, "backup-max-size-mb") : 512) * 1024 * 1024);
  reload (self);
}

static void
reload (ConfabBackupsGroup *self)
{
  g_autoptr(GPtrArray) backups = confab_store_list_backups (confab_store_get_path (self->store));

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; i < backups->len; i++)
    {
      const char *path = g_ptr_array_index (backups, i);
      g_autofree char *when = describe_backup (path);
      g_autofree char *size = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Restore…"));
      GStatBuf st;

      if (g_stat (path, &st) == 0)
        size = g_format_size (st.st_size);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), when);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), size ? size : "");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (button), "backup", g_strdup (path), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (restore_clicked), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
      g_ptr_array_add (self->rows, row);
    }

  if (backups->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No backups yet"));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
      g_ptr_array_add (self->rows, row);
    }
}

static void
confab_backups_group_dispose (GObject *object)
{
  ConfabBackupsGroup *self = CONFAB_BACKUPS_GROUP (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_backups_group_parent_class)->dispose (object);
}

static void
confab_backups_group_class_init (ConfabBackupsGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_backups_group_dispose;
}

static void
confab_backups_group_init (ConfabBackupsGroup *self)
{
  self->rows = g_ptr_array_new ();
}

GtkWidget *
confab_backups_group_new (ConfabStore *store)
{
  ConfabBackupsGroup *self;
  GtkWidget *button;

  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);

  self = g_object_new (CONFAB_TYPE_BACKUPS_GROUP,
                       "title", _("Backups"),
                       "description", _("A backup of the conversations is made every day."),
                       NULL);
  self->store = g_object_ref (store);

  button = gtk_button_new_with_mnemonic (_("_Back Up Now"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_object (button, "clicked", G_CALLBACK (back_up_now_clicked), self, 0);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self), button);

  reload (self);

  return GTK_WIDGET (self);
}
