/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-bench-hook"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "confab-bench-hook.h"

#define IDLE_BEFORE_RSS_MS 1000

typedef struct
{
  GtkWindow *window;
  gint64     t0;
  gint64     first_frame;
  gulong     handler;
} BenchHook;

static long
read_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;

  line = strstr (status, "VmRSS:");
  if (line == NULL)
    return -1;

  return strtol (line + strlen ("VmRSS:"), NULL, 10);
}

static gboolean
report_and_quit (gpointer user_data)
{
  BenchHook *hook = user_data;
  GtkApplication *app = gtk_window_get_application (hook->window);

  printf ("first-frame-ms=%.1f rss-kb=%ld\n",
          (hook->first_frame - hook->t0) / 1000.0, read_rss_kb ());
  fflush (stdout);

  if (app != NULL)
    g_application_quit (G_APPLICATION (app));
  else
    gtk_window_destroy (hook->window);

  g_free (hook);
  return G_SOURCE_REMOVE;
}

static void
after_paint (GdkFrameClock *clock,
             BenchHook     *hook)
{
  hook->first_frame = g_get_real_time ();
  g_signal_handler_disconnect (clock, hook->handler);
  g_timeout_add (IDLE_BEFORE_RSS_MS, report_and_quit, hook);
}

static void
on_map (GtkWidget *widget,
        BenchHook *hook)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  hook->handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), hook);
}

void
confab_bench_hook_attach (GtkWindow *window)
{
  const char *t0 = g_getenv ("CONFAB_BENCH_T0");
  BenchHook *hook;

  if (t0 == NULL)
    return;

  hook = g_new0 (BenchHook, 1);
  hook->window = window;
  hook->t0 = g_ascii_strtoll (t0, NULL, 10);
  g_signal_connect (window, "map", G_CALLBACK (on_map), hook);
}
