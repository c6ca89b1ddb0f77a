/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-test-util.h"

/* Helpers for the widget tests of cards, sidebar and preferences. */

/* How long CONFAB_TEST_WAIT_FOR waits for a widget test's condition. */
#define PANELS_TEST_TIMEOUT_MS 10000

/* Runs pending idles and at least one frame. */
static inline void
panels_test_drain (void)
{
  for (guint i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

/* The descendant of @root whose GtkBuilder id (template child id) or widget name is @id. */
static inline GtkWidget *
panels_test_find (GtkWidget  *root,
                  const char *id)
{
  const char *buildable_id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (root));

  if (g_strcmp0 (buildable_id, id) == 0 || g_strcmp0 (gtk_widget_get_name (root), id) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = panels_test_find (child, id);
      if (found != NULL)
        return found;
    }

  return NULL;
}

static inline GtkWidget *
panels_test_get (GtkWidget  *root,
                 const char *id)
{
  GtkWidget *widget = panels_test_find (root, id);

  if (widget == NULL)
    g_error ("No widget %s under %s", id, G_OBJECT_TYPE_NAME (root));

  return widget;
}

static inline const char *
panels_test_label (GtkWidget  *root,
                   const char *id)
{
  return gtk_label_get_text (GTK_LABEL (panels_test_get (root, id)));
}

/* g_test_init() with isolated XDG dirs, keeping the system MIME database visible (without
 * it GdkPixbuf cannot tell an SVG icon is an SVG). Call before gtk_init(). */
static inline void
panels_test_init (int    *argc,
                  char ***argv)
{
  confab_test_init_isolated (argc, argv);

  /* Under Xvfb with software GL every frame of a big window costs a second; the cairo
   * renderer draws the same widgets in a fraction of that. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
}
