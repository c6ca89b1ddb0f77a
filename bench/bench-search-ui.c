/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-search-ui"

#include "config.h"

#include <adwaita.h>
#include <stdio.h>

#include "confab-conversation-list.h"
#include "confab-store.h"

/* bench-search-ui DB: the conversation list in a window (a spinner keeps frames coming) over
 * the 100,000-message database of `bench-store search`, while queries are typed: a new one
 * every 150 ms for 12 s. Every frame's end is taken from the GdkFrameClock; a gap over 33 ms
 * between two frames is a frame the user saw late. Reference, in the same run: the same
 * queries searched the previous way, on the main thread, every hit at once
 * (confab_store_search()), as the list did before; and the floor: the same window with no
 * query typed. Run with GSK_RENDERER=cairo. */

static const char *queries[] = {
  "a", "th", "the", "thr", "thread", "thread w", "thread wr", "thread writer", "zan", "zanzibar",
  "co", "cod", "code", "code b", "code buffer", "m", "mo", "model", "model t", "model token",
};

typedef struct
{
  GArray   *gaps;        /* double ms between consecutive frames */
  gint64    last;
  gboolean  recording;
} Frames;

static Frames frames;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  gint64 now = g_get_monotonic_time ();

  if (frames.recording && frames.last != 0)
    {
      double gap = (now - frames.last) / 1000.0;

      g_array_append_val (frames.gaps, gap);
    }
  frames.last = now;
}

typedef struct
{
  GtkEditable *entry;
  GtkWidget   *list;
  ConfabStore *store;
  gboolean     synchronous;
  gboolean     idle;
  guint        next;
  guint        n_rows;
} Typist;

static gboolean
type_next_cb (gpointer user_data)
{
  Typist *typist = user_data;
  const char *query = queries[typist->next++ % G_N_ELEMENTS (queries)];

  if (typist->idle)
    return G_SOURCE_CONTINUE;

  if (typist->synchronous)
    {
      /* The previous list: every hit of the query, searched on the main thread. */
      g_autoptr(GListModel) rows = confab_store_search (typist->store, query, NULL);

      typist->n_rows += rows ? g_list_model_get_n_items (rows) : 0;
    }
  else
    {
      /* Typed: the new text goes in before the old goes out, so the field is never empty
       * (an empty field lists every conversation). */
      int old_len = g_utf8_strlen (gtk_editable_get_text (typist->entry), -1);
      int position = old_len;

      gtk_editable_insert_text (typist->entry, query, -1, &position);
      gtk_editable_delete_text (typist->entry, 0, old_len);
      g_signal_emit_by_name (typist->entry, "search-changed");
    }

  return G_SOURCE_CONTINUE;
}

/* A frame every vsync, as an animation would ask for. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static gboolean
stop_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run (Typist     *typist,
     const char *what)
{
  gboolean done = FALSE;
  guint type_source, over = 0;
  double max = 0;

  g_array_set_size (frames.gaps, 0);
  frames.last = 0;
  frames.recording = TRUE;
  typist->next = 0;
  type_source = g_timeout_add (150, type_next_cb, typist);
  g_timeout_add (12000, stop_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (type_source);
  frames.recording = FALSE;

  for (guint i = 0; i < frames.gaps->len; i++)
    {
      double gap = g_array_index (frames.gaps, double, i);

      over += gap > 33.0;
      max = MAX (max, gap);
    }

  printf ("%s: %u frames in 12 s while %u queries ran, %u over 33 ms (%.2f %%), longest gap %.1f ms\n",
          what, frames.gaps->len + 1, typist->next, over,
          frames.gaps->len ? 100.0 * over / frames.gaps->len : 0, max);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *box, *list, *spinner, *focus;
  Typist typist = { 0 };

  if (argc < 2)
    {
      g_printerr ("usage: bench-search-ui DATABASE\n");
      return 2;
    }

  adw_init ();
  store = confab_store_open (argv[1], &error);
  if (store == NULL)
    g_error ("%s", error->message);

  frames.gaps = g_array_new (FALSE, FALSE, sizeof (double));

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 800);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_add_tick_callback (spinner, tick_cb, NULL, NULL);
  list = confab_conversation_list_new (store);
  gtk_widget_set_vexpand (list, TRUE);
  gtk_box_append (GTK_BOX (box), spinner);
  gtk_box_append (GTK_BOX (box), list);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_after_paint), NULL);

  confab_conversation_list_focus_search (CONFAB_CONVERSATION_LIST (list));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  while (focus != NULL && !GTK_IS_SEARCH_ENTRY (focus))
    focus = gtk_widget_get_parent (focus);
  g_assert (focus != NULL);

  typist.entry = GTK_EDITABLE (focus);
  typist.list = list;
  typist.store = store;

  printf ("renderer: %s\n", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "(default)");
  gtk_editable_set_text (typist.entry, "the");
  typist.idle = TRUE;
  run (&typist, "floor (the same window, no search typed)");
  typist.idle = FALSE;
  typist.synchronous = FALSE;
  run (&typist, "ours (worker thread, a page of 50, cancelled on change)");
  gtk_editable_set_text (typist.entry, "");
  typist.synchronous = TRUE;
  run (&typist, "reference (every hit, on the main thread, as before)");
  printf ("goal: <= 0.1 %% of frames over 33 ms while searches run\n");

  gtk_window_destroy (GTK_WINDOW (window));

  return 0;
}
