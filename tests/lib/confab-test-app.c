/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-test-app"

#include "config.h"

#include "confab-test-app.h"
#include "confab-test-util.h"

#define MAPPED_WAIT_MS 15000

typedef struct
{
  const ConfabTestApp *run;
  gboolean             ran;
} AppRun;

static void
on_startup (GApplication *app,
            AppRun       *state)
{
  state->run->startup (CONFAB_APPLICATION (app), state->run->data);
}

static void
on_activate (GApplication *app,
             AppRun       *state)
{
  ConfabWindow *window = CONFAB_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));

  g_assert_nonnull (window);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)), MAPPED_WAIT_MS);

  if (state->run->func != NULL)
    state->run->func (window, state->run->data);
  state->ran = TRUE;

  if (state->run->destroy)
    {
      /* Still there unless the check closed it. */
      if (gtk_application_get_windows (GTK_APPLICATION (app)) != NULL)
        gtk_window_destroy (GTK_WINDOW (window));
    }
  else
    gtk_window_close (GTK_WINDOW (window));
  g_application_quit (app);
}

void
confab_test_run_app_full (const ConfabTestApp *run)
{
  g_autoptr(ConfabApplication) app = confab_application_new ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  AppRun state = { run, FALSE };
  int status;

  g_ptr_array_add (argv, (gpointer) "confab");
  for (guint i = 0; run->args != NULL && run->args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) run->args[i]);
  g_ptr_array_add (argv, NULL);

  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &state);
  if (run->startup != NULL)
    g_signal_connect_after (app, "startup", G_CALLBACK (on_startup), &state);
  status = g_application_run (G_APPLICATION (app), argv->len - 1, (char **) argv->pdata);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (state.ran);
}

void
confab_test_run_app (const char * const  *args,
                     ConfabTestWindowFunc func,
                     gpointer             data)
{
  ConfabTestApp run = { .args = args, .func = func, .data = data };

  confab_test_run_app_full (&run);
}

GtkWidget *
confab_test_find_widget_of_type (GtkWidget *root,
                                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = confab_test_find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
confab_test_find_widget_with_class (GtkWidget  *root,
                                    const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = confab_test_find_widget_with_class (child, css_class);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static AdwMessageDialog *
find_message_dialog (const char *heading)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          (heading == NULL ||
           g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) == 0))
        return ADW_MESSAGE_DIALOG (window);   /* the list of toplevels keeps it */
    }

  return NULL;
}

AdwMessageDialog *
confab_test_wait_for_message_dialog (const char *heading,
                                     guint       timeout_ms)
{
  CONFAB_TEST_WAIT_FOR (find_message_dialog (heading) != NULL, timeout_ms);

  return find_message_dialog (heading);
}

gboolean
confab_test_chooser_points_at (GObject    *chooser,
                               GFile      *folder,
                               const char *name,
                               GFile      *expected)
{
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkFileChooser *file_chooser = GTK_FILE_CHOOSER (chooser);
  g_autoptr(GFile) file = gtk_file_chooser_get_file (file_chooser);
  g_autoptr(GFile) current = gtk_file_chooser_get_current_folder (file_chooser);
  g_autofree char *current_name = name != NULL ? gtk_file_chooser_get_current_name (file_chooser) : NULL;

  if (file != NULL && g_file_equal (file, expected))
    return TRUE;

  if (current == NULL || !g_file_equal (current, folder))
    gtk_file_chooser_set_current_folder (file_chooser, folder, NULL);
  if (name != NULL && g_strcmp0 (current_name, name) != 0)
    gtk_file_chooser_set_current_name (file_chooser, name);
G_GNUC_END_IGNORE_DEPRECATIONS

  return FALSE;
}
