/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* When CONFAB_BENCH_T0 (wall-clock µs at exec) is set: after @window's first frame and a
 * short idle, prints "first-frame-ms=N rss-kb=N" and quits the application. Used by
 * bench/startup for Confab and for the empty-window floor alike. */
void confab_bench_hook_attach (GtkWindow *window);

G_END_DECLS
