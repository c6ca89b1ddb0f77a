/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store-errors"

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "confab-application.h"
#include "confab-error.h"
#include "confab-store.h"
#include "confab-test-app.h"
#include "confab-test-util.h"
#include "confab-window.h"

/* A save that fails on the store's writer thread (disk full, read-only file) reaches the
 * window: a dialog says what failed, once however many writes fail. */

#define WAIT_MS 15000

static GtkWindow *
find_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      /* The list holds it: the pointer stays good after this reference goes. */
      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_window_get_transient_for (window) == parent)
        return window;
    }

  return NULL;
}

static guint
count_dialogs (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      n += ADW_IS_MESSAGE_DIALOG (window) && gtk_window_get_transient_for (window) == parent;
    }

  return n;
}

static void
check_write_failed (ConfabWindow *window,
                    gpointer      data)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));
  ConfabStore *store = confab_application_get_store (CONFAB_APPLICATION (app));
  g_autoptr(GError) error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_STORE,
                                                 "Could not save the conversation to /x/confab.db: the disk is full");
  GtkWindow *dialog;

  g_assert_nonnull (store);

  /* As the writer thread reports it (on the main context). */
  g_signal_emit_by_name (store, "write-failed", error);
  g_signal_emit_by_name (store, "write-failed", error);
  CONFAB_TEST_WAIT_FOR (find_dialog (GTK_WINDOW (window)) != NULL, WAIT_MS);
  dialog = find_dialog (GTK_WINDOW (window));
  g_assert_cmpuint (count_dialogs (GTK_WINDOW (window)), ==, 1);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "The Conversation Could Not Be Saved");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "the disk is full"));

  gtk_window_destroy (dialog);
}

static void
test_write_failed_dialog (void)
{
  confab_test_run_app (NULL, check_write_failed, NULL);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init_isolated (&argc, &argv);

  g_test_add_func ("/store-errors/write-failed-dialog", test_write_failed_dialog);

  return g_test_run ();
}
