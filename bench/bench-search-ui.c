/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-search-ui"

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "confab-conversation-list.h"
#include "confab-store.h"
#include "confab-store-summary.h"

/* bench-search-ui DB: the conversation list in a window (a spinner keeps frames coming) over
 * the 100,000-message database of `bench-store search`, while queries are typed: a new one
 * every 150 ms for 12 s. Every painted frame's end is taken from the window's GdkFrameClock
 * (after-paint); a gap over 33 ms between two painted frames is a frame the user saw late.
 * The results must be shown: each time a query's page is back before the next keystroke, its
 * first row's text must be in a label on screen in the list (or "No Results" when there is
 * none), and after the last keystroke the last query's page must be on screen; else the
 * bench fails. Reference, in the same run: the same queries searched the previous way, on
 * the main thread, every hit at once (confab_store_search()), as the list did before; the
 * floor: the same window with no query typed; and the typing floor: the same keystrokes
 * typed into a second search entry of the window that nothing listens to. Run with
 * GSK_RENDERER=cairo. */

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
static gboolean log_slow;
static gint64 last_change;
static guint changes_removed, changes_added;

/* BENCH_SLOW_FRAMES=1: each gap over 33 ms, with the rows the list added and removed in it. */
static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added)
{
  changes_removed += removed;
  changes_added += added;
  last_change = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  gint64 now = g_get_monotonic_time ();

  if (frames.recording && frames.last != 0)
    {
      double gap = (now - frames.last) / 1000.0;

      g_array_append_val (frames.gaps, gap);
      if (log_slow && gap > 33.0)
        printf ("  slow frame: %.1f ms; rows since the frame before: %u removed, %u added%s\n", gap,
                changes_removed, changes_added, last_change > frames.last ? " (a change in it)" : "");
    }
  frames.last = now;
  changes_removed = changes_added = 0;
}

typedef struct
{
  GtkEditable *entry;
  GtkEditable *decoy;        /* a search entry nobody listens to: the typing floor */
  GtkWidget   *list;
  ConfabStore *store;
  gboolean     synchronous;
  gboolean     idle;
  gboolean     typing_only;
  guint        next;
  guint        n_rows;
  guint        n_answered;   /* queries whose page was shown before the next keystroke */
  guint        n_wrong;      /* … back, but not what the list shows */
} Typist;

/* A mapped label under @widget reads @text. */
static gboolean
label_shown (GtkWidget  *widget,
             const char *text)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (label_shown (child, text))
      return TRUE;
  return FALSE;
}

/* The list shows the page of the search that is back: its first row's text is on screen,
 * or "No Results". */
static gboolean
page_shown (GtkWidget *list)
{
  GListModel *model = confab_conversation_list_get_model (CONFAB_CONVERSATION_LIST (list));
  g_autoptr(ConfabStoreSummary) first = g_list_model_get_item (model, 0);
  g_autofree char *text = NULL;

  if (first == NULL)
    return label_shown (list, "No Results");

  text = g_strdup (confab_store_summary_get_snippet (first) ?: "");
  g_strdelimit (text, "\r\n\t", ' ');
  return label_shown (list, text) && label_shown (list, confab_store_summary_get_title (first));
}

static gboolean
type_next_cb (gpointer user_data)
{
  Typist *typist = user_data;
  const char *query = queries[typist->next++ % G_N_ELEMENTS (queries)];

  if (typist->idle)
    return G_SOURCE_CONTINUE;

  /* The query before is back (not cancelled by this one): what it found is on screen. */
  if (!typist->synchronous && !typist->typing_only && typist->next > 1 &&
      !confab_conversation_list_is_searching (CONFAB_CONVERSATION_LIST (typist->list)))
    {
      if (page_shown (typist->list))
        typist->n_answered++;
      else
        typist->n_wrong++;
    }

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
      GtkEditable *entry = typist->typing_only ? typist->decoy : typist->entry;
      int old_len = g_utf8_strlen (gtk_editable_get_text (entry), -1);
      int position = old_len;

      gtk_editable_insert_text (entry, query, -1, &position);
      gtk_editable_delete_text (entry, 0, old_len);
      g_signal_emit_by_name (entry, "search-changed");
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

typedef struct
{
  guint  frames;
  guint  over;
  double max;
  double cpu_ms;
} RunResult;

/* CPU time of the calling (main) thread: what the window's work costs, whatever the load. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static RunResult
run (Typist     *typist,
     const char *what)
{
  gboolean done = FALSE;
  guint type_source, over = 0;
  double max = 0, cpu0 = thread_cpu_ms (), cpu_ms;

  g_array_set_size (frames.gaps, 0);
  /* The first gap runs from the start, the last to the end: a window that paints nothing
   * for the whole run has one 12 s gap, not none. */
  frames.last = g_get_monotonic_time ();
  frames.recording = TRUE;
  typist->next = 0;
  typist->n_answered = 0;
  typist->n_wrong = 0;
  type_source = g_timeout_add (150, type_next_cb, typist);
  g_timeout_add (12000, stop_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (type_source);
  frames.recording = FALSE;
  cpu_ms = thread_cpu_ms () - cpu0;
  {
    double tail = (g_get_monotonic_time () - frames.last) / 1000.0;

    g_array_append_val (frames.gaps, tail);
  }

  for (guint i = 0; i < frames.gaps->len; i++)
    {
      double gap = g_array_index (frames.gaps, double, i);

      over += gap > 33.0;
      max = MAX (max, gap);
    }

  printf ("%s: %u frames in 12 s while %u queries ran, %u over 33 ms (%.2f %%), longest gap %.1f ms;"
          " main thread CPU %.0f ms\n",
          what, frames.gaps->len - 1, typist->next, over,
          frames.gaps->len ? 100.0 * over / frames.gaps->len : 0, max, cpu_ms);

  if (!typist->idle && !typist->synchronous && !typist->typing_only)
    {
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      gboolean last_shown;

      /* The last query's page, once back, is on screen (after a frame). */
      while (confab_conversation_list_is_searching (CONFAB_CONVERSATION_LIST (typist->list)) &&
             g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);
      for (guint i = 0; i < 3; i++)
        {
          frames.last = 0;
          while (frames.last == 0 && g_get_monotonic_time () < deadline)
            g_main_context_iteration (NULL, TRUE);
        }
      last_shown = page_shown (typist->list);
      printf ("  results shown: %u of %u queries were back before the next keystroke and shown "
              "(the others were cancelled by it), %u back but not shown; the last query's page "
              "on screen: %s\n", typist->n_answered, typist->next - 1, typist->n_wrong,
              last_shown ? "yes" : "NO");
      if (typist->n_wrong > 0 || !last_shown)
        {
          g_printerr ("bench-search-ui: FAILED: the list did not show what the searches found\n");
          exit (1);
        }
    }

  return (RunResult) { frames.gaps->len, over, max, cpu_ms };
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *box, *list, *spinner, *focus, *decoy;
  Typist typist = { 0 };
  RunResult floor_run, typing, ours, reference;
  guint ours_queries, reference_queries;

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
  decoy = gtk_search_entry_new ();
  gtk_box_append (GTK_BOX (box), decoy);
  gtk_box_append (GTK_BOX (box), list);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_after_paint), NULL);

  log_slow = g_getenv ("BENCH_SLOW_FRAMES") != NULL;
  g_signal_connect (confab_conversation_list_get_model (CONFAB_CONVERSATION_LIST (list)), "items-changed",
                    G_CALLBACK (on_items_changed), NULL);
  confab_conversation_list_focus_search (CONFAB_CONVERSATION_LIST (list));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  while (focus != NULL && !GTK_IS_SEARCH_ENTRY (focus))
    focus = gtk_widget_get_parent (focus);
  g_assert (focus != NULL);

  typist.entry = GTK_EDITABLE (focus);
  typist.list = list;
  typist.decoy = GTK_EDITABLE (decoy);
  typist.store = store;

  printf ("renderer: %s\n", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "(default)");
  gtk_editable_set_text (typist.entry, "the");
  typist.idle = TRUE;
  floor_run = run (&typist, "floor (the same window, no search typed)");
  typist.idle = FALSE;
  typist.typing_only = TRUE;
  typing = run (&typist, "typing floor (the same typing into an entry of the window that searches nothing)");
  typist.typing_only = FALSE;
  typist.synchronous = FALSE;
  ours = run (&typist, "ours (worker thread, a page of 50, cancelled on change)");
  ours_queries = typist.next;
  gtk_editable_set_text (typist.entry, "");
  typist.synchronous = TRUE;
  reference = run (&typist, "reference (every hit, on the main thread, as before)");
  reference_queries = typist.next;

#define SHARE(r) ((r).frames ? 100.0 * (r).over / (r).frames : 0.0)
  printf ("main thread CPU while searching, above the floor's: ours %.0f ms (%.1f ms per query), "
          "the reference %.0f ms (%.1f ms per query)\n",
          ours.cpu_ms - floor_run.cpu_ms, (ours.cpu_ms - floor_run.cpu_ms) / MAX (ours_queries, 1),
          reference.cpu_ms - floor_run.cpu_ms, (reference.cpu_ms - floor_run.cpu_ms) / MAX (reference_queries, 1));
  printf ("frames painted while searching: ours %.0f %% of the floor's, the reference %.0f %%\n",
          floor_run.frames ? 100.0 * ours.frames / floor_run.frames : 0.0,
          floor_run.frames ? 100.0 * reference.frames / floor_run.frames : 0.0);
  printf ("frames over 33 ms: ours %.2f %%, the floor %.2f %%, the typing floor %.2f %%, the reference "
          "%.2f %%; goal <= 0.1 %%: %s\n", SHARE (ours), SHARE (floor_run), SHARE (typing), SHARE (reference),
          SHARE (ours) <= 0.1 ? "met" : SHARE (floor_run) > 0.1 ? "missed (the floor misses it too on this machine)" : "missed");
#undef SHARE

  gtk_window_destroy (GTK_WINDOW (window));

  return 0;
}
