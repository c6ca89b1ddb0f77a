/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The metainfo's <requires><display_length> tells software centres (and phones) the smallest
 * screen Confab fits on. This builds the real main window and checks that it really fits:
 * its minimum size must not exceed the length the metainfo promises.
 */
#define G_LOG_DOMAIN "test-display-length"

#include "config.h"

#include <adwaita.h>

#include "confab-application.h"
#include "confab-window.h"

static int
metainfo_display_length (void)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *requires = NULL;
  g_autofree char *number = NULL;

  g_file_get_contents (CONFAB_METAINFO, &contents, NULL, &error);
  g_assert_no_error (error);

  /* Only <requires> states a minimum; <recommends> would be a wish. */
  regex = g_regex_new ("<requires>.*?<display_length[^>]*compare=\"ge\"[^>]*>\\s*(\\d+)\\s*</display_length>.*?</requires>",
                       G_REGEX_DOTALL, 0, &error);
  g_assert_no_error (error);
  if (!g_regex_match (regex, contents, 0, &match))
    return -1;

  number = g_match_info_fetch (match, 1);
  return (int) g_ascii_strtoll (number, NULL, 10);
}

static void
test_window_fits_display_length (void)
{
  g_autoptr(ConfabApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  ConfabWindow *window;
  int promised = metainfo_display_length ();
  int min_width = 0, min_height = 0;

  g_assert_cmpint (promised, >, 0);

  app = confab_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  window = confab_window_new (app);
  g_object_ref_sink (window);

  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1,
                      &min_width, NULL, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, min_width,
                      &min_height, NULL, NULL, NULL);
  g_test_message ("main window minimum %d×%d; metainfo promises %d", min_width, min_height, promised);

  g_assert_cmpint (min_width, <=, promised);
  g_assert_cmpint (min_height, <=, promised);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  g_test_add_func ("/metainfo/window-fits-display-length", test_window_fits_display_length);

  return g_test_run ();
}
