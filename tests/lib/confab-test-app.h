/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-application.h"
#include "confab-window.h"

G_BEGIN_DECLS

/* Called on the real application's window once it is mapped. */
typedef void (*ConfabTestWindowFunc) (ConfabWindow      *window,
                                      gpointer           data);
/* Called on the application after its startup, before its first window. */
typedef void (*ConfabTestAppFunc)    (ConfabApplication *app,
                                      gpointer           data);

typedef struct
{
  const char * const   *args;      /* after argv[0]; NULL for none */
  ConfabTestAppFunc     startup;   /* may be NULL */
  ConfabTestWindowFunc  func;      /* may be NULL */
  gpointer              data;      /* for both */
  /* What is left open afterwards is destroyed, not closed: for a check that closes or
   * hides the window itself (closing would ask about turns running in the background). */
  gboolean              destroy;
} ConfabTestApp;

/* Runs the real application (confab_application_new, g_application_run) with @run's
 * arguments, calls @run->func on its window once mapped, then closes the window and quits.
 * Asserts that the application exited with 0 and that the function ran. */
void confab_test_run_app_full (const ConfabTestApp *run);
/* The same with @args, @func and @data only. */
void confab_test_run_app      (const char * const  *args,
                               ConfabTestWindowFunc func,
                               gpointer             data);

/* Iterates the main context until a message dialog is shown (with @heading, unless NULL)
 * and returns it; fails the test after @timeout_ms. (transfer none) */
AdwMessageDialog *confab_test_wait_for_message_dialog (const char *heading,
                                                       guint       timeout_ms);

/* The first widget of @type under @root, @root included, or NULL. */
GtkWidget *confab_test_find_widget_of_type (GtkWidget *root,
                                            GType      type);

/* The first widget with the CSS class @css_class under @root, @root included, or NULL. */
GtkWidget *confab_test_find_widget_with_class (GtkWidget  *root,
                                               const char *css_class);

/* Whether the chooser names @expected: @name (NULL for a folder) in @folder. The chooser
 * changes folders asynchronously, and the folder it loads for itself as it opens can land
 * after the one the test set: until it names @expected, set the folder (and name) again
 * whenever it is somewhere else. */
gboolean   confab_test_chooser_points_at   (GObject    *chooser,
                                           GFile      *folder,
                                           const char *name,
                                           GFile      *expected);

G_END_DECLS
