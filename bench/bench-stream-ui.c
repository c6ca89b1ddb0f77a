/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-stream-ui"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "confab-chat-view.h"
#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-markdown-view.h"
#include "confab-message-row.h"
#include "confab-session.h"
#include "confab-store.h"

/* bench-stream-ui: the real ConfabChatView in a window, over a conversation stored with
 * ConfabStore and tracked by it as the app does (streamed text is flushed to disk while it
 * streams), and, in the same window, a bare GtkTextView fed the same text at the same rate:
 * the floor the toolkit sets.
 *
 * 1. Open: store open + load, the view shown, until the first frame is painted (split into
 *    the view taking the conversation, the store tracking it, the first frame), with the main
 *    thread's CPU time. BENCH_OPEN_TWICE=1 opens, closes, and measures a second open.
 * 2. Stream (real time): a Markdown answer appended with confab_message_append_content —
 *    what the client does — in small deltas at a fixed rate, as the first answer of the
 *    process. For every painted frame: its work (before-paint → after-paint: update,
 *    layout, paint) and the interval since the previous painted frame (what the user sees).
 *    Every measured frame must show the streaming row: the bench fails otherwise.
 * 3. The floor: a GtkTextView in a GtkScrolledWindow, following its end, fed the same
 *    answer at the same rate; Confab's p95s as ratios of the floor's.
 * 4. Per-delta cost (as fast as the UI takes it, the row on screen): the main thread's CPU
 *    time for the answer in 4-byte and in 1 KB deltas.
 *
 * Usage: bench-stream-ui [--messages N] [--answer-kb K] [--rate DELTAS_PER_S] [--delta B]
 *                        [--no-store] [--no-floor] [--no-ratio] [--open-only] */

typedef struct _Stream Stream;

struct _Stream
{
  ConfabMessage *message;     /* Confab: the streaming message */
  GtkTextBuffer *floor;       /* the floor: the bare text view's buffer */
  gsize          shown;       /* the floor: bytes inserted into it */
  GString       *answer;
  gsize          delta;
  gsize          sent;
  gint64         start;
  gboolean       realtime;
  gboolean       done;
};


typedef struct
{
  Stream  *stream;
  GArray  *sent_at;       /* gsize, bytes of the answer sent when the frame ended */
  GArray  *frames;        /* double, ms of frame work */
  GArray  *intervals;     /* double, ms since the previous painted frame */
  gint64   previous_paint;
  /* The row that must be on screen in every measured frame (NULL: the floor). */
  ConfabChatView *view;
  ConfabMessage  *message;
  guint    unmapped;      /* measured frames in which the streaming row was not mapped */
  gint64   frame_begin;
  gint64   after_update;
  gint64   after_layout;
  gint64   after_paint_phase;
  GArray  *phases;        /* 3 doubles per frame: update, layout, paint ms */
  gboolean recording;
  gint64   last_paint;
} FrameLog;

static FrameLog frame_log;

static int      n_messages = 10000;
static int      answer_kb = 64;
static int      rate = 2000;
static int      delta_bytes = 4;
static gboolean no_store;
static gboolean no_floor;
static gboolean no_ratio;
static gboolean open_only;
static gboolean scrolled_up;

static void
on_before_paint (GdkFrameClock *clock,
                 gpointer       user_data)
{
  frame_log.frame_begin = g_get_monotonic_time ();
}

static void
on_update (GdkFrameClock *clock,
           gpointer       user_data)
{
  frame_log.after_update = g_get_monotonic_time ();
}

static void
on_layout (GdkFrameClock *clock,
           gpointer       user_data)
{
  frame_log.after_layout = g_get_monotonic_time ();
}

static void
on_paint (GdkFrameClock *clock,
          gpointer       user_data)
{
  frame_log.after_paint_phase = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  gint64 now = g_get_monotonic_time ();

  frame_log.last_paint = now;
  if (frame_log.recording && frame_log.frame_begin != 0)
    {
      double ms = (now - frame_log.frame_begin) / 1000.0;

      gsize sent = frame_log.stream ? frame_log.stream->sent : 0;

      double update = frame_log.after_update > frame_log.frame_begin ? (frame_log.after_update - frame_log.frame_begin) / 1000.0 : 0;
      double layout = frame_log.after_layout > frame_log.after_update ? (frame_log.after_layout - MAX (frame_log.after_update, frame_log.frame_begin)) / 1000.0 : 0;
      double paint = ms - update - layout;

      g_array_append_val (frame_log.frames, ms);
      g_array_append_val (frame_log.sent_at, sent);
      if (frame_log.previous_paint != 0)
        {
          double interval = (now - frame_log.previous_paint) / 1000.0;

          g_array_append_val (frame_log.intervals, interval);
        }
      frame_log.previous_paint = now;

      /* What the user sees: the streaming row, on screen. */
      if (frame_log.view != NULL)
        {
          ConfabMessageRow *row = confab_chat_view_find_row (frame_log.view, frame_log.message);

          if (row == NULL || !gtk_widget_get_mapped (GTK_WIDGET (row)))
            frame_log.unmapped++;
        }
      g_array_append_val (frame_log.phases, update);
      g_array_append_val (frame_log.phases, layout);
      g_array_append_val (frame_log.phases, paint);
    }
  frame_log.frame_begin = 0;
  frame_log.after_update = frame_log.after_layout = frame_log.after_paint_phase = 0;
}

static double
thread_cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  return usage.ru_utime.tv_sec * 1000.0 + usage.ru_utime.tv_usec / 1000.0 +
         usage.ru_stime.tv_sec * 1000.0 + usage.ru_stime.tv_usec / 1000.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint i;

  if (sorted->len == 0)
    return 0;
  i = (guint)(p * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, double, MIN (i, sorted->len - 1));
}

typedef struct
{
  guint  n;
  double p50;
  double p95;
  double p99;
  double max;
  guint  over_33;
} Stats;

static Stats
stats_of (GArray *values)
{
  g_autoptr(GArray) sorted = g_array_copy (values);
  Stats stats = { 0 };

  g_array_sort (sorted, compare_double);
  stats.n = sorted->len;
  stats.p50 = percentile (sorted, 0.5);
  stats.p95 = percentile (sorted, 0.95);
  stats.p99 = percentile (sorted, 0.99);
  stats.max = sorted->len ? g_array_index (sorted, double, sorted->len - 1) : 0.0;
  for (guint i = 0; i < sorted->len; i++)
    if (g_array_index (sorted, double, i) > 33.0)
      stats.over_33++;

  return stats;
}

static void
print_stats (const char *label,
             Stats       stats)
{
  printf ("  %-22s %5u frames, p50 %6.2f ms, p95 %6.2f ms, p99 %6.2f ms, max %7.2f ms, %u > 33 ms (%.2f %%)\n",
          label, stats.n, stats.p50, stats.p95, stats.p99, stats.max, stats.over_33,
          stats.n ? 100.0 * stats.over_33 / stats.n : 0.0);
}

static void
iterate (void)
{
  g_main_context_iteration (NULL, TRUE);
}

/* Waits until a frame has been painted after now. */
static void
wait_for_paint (GtkWidget *widget)
{
  gint64 since = g_get_monotonic_time ();

  gtk_widget_queue_draw (widget);
  while (frame_log.last_paint <= since)
    iterate ();
}

/* Markdown like a long technical answer: paragraphs, lists, headings, inline code, and a
 * fenced code block every ~8 KB. ASCII only, so any split is a valid UTF-8 piece. */
static GString *
make_answer (gsize size)
{
  GString *text = g_string_sized_new (size + 4096);
  guint n = 0;

  while (text->len < size)
    {
      n++;
      g_string_append_printf (text, "## Section %u\n\n", n);
      g_string_append_printf (text,
                              "The stream delivers *part %u* of the answer as the provider produces it; "
                              "each delta is appended to the message and the view renders only what is "
                              "new, so the cost of a delta does not grow with the length of the message. "
                              "See `confab_message_append_content()` and **the renderer** for details.\n\n", n);
      g_string_append (text,
                       "- the reader splits the body into events\n"
                       "- the accumulator turns chunks into text, reasoning and tool calls\n"
                       "- the view appends the piece to its buffer\n\n");
      g_string_append (text,
                       "> A long conversation must stay as smooth as a short one: rows are recycled "
                       "and only visible rows exist.\n\n");
      if (n % 4 == 0)
        g_string_append_printf (text,
                                "```c\nstatic int\nsection_%u (int value)\n{\n  return value * %u + 1;\n}\n```\n\n",
                                n, n);
      g_string_append (text,
                       "Numbers, for what they are worth: 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, "
                       "377, 610, 987, 1597, 2584, 4181, 6765, 10946, 17711, 28657, 46368.\n\n");
    }
  g_string_truncate (text, size);
  return text;
}

static ConfabConversation *
make_history (int count)
{
  ConfabConversation *conversation = confab_conversation_new ();

  confab_conversation_set_title (conversation, "Bench: a long conversation");
  for (int i = 0; i < count; i++)
    {
      g_autoptr(ConfabMessage) message = NULL;
      g_autofree char *text = NULL;

      if (i % 2 == 0)
        {
          text = g_strdup_printf ("Question %d: how does the view stay smooth with %d messages?", i / 2, count);
          message = confab_message_new (CONFAB_ROLE_USER, text);
        }
      else
        {
          text = g_strdup_printf ("Answer %d. **Rows are recycled**: a `GtkListView` builds only the rows it "
                                  "shows.\n\n- first point\n- second point with `code`\n\nA closing "
                                  "paragraph long enough to wrap over a couple of lines in a window of "
                                  "ordinary width, as answers usually are.", i / 2);
          message = confab_message_new (CONFAB_ROLE_ASSISTANT, text);
          confab_message_set_model (message, "bench-model");
          confab_message_set_finish_reason (message, "stop");
        }
      confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
      confab_conversation_append (conversation, message);
    }

  return conversation;
}

static guint
count_rows (GtkWidget *widget)
{
  guint n = CONFAB_IS_MESSAGE_ROW (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_rows (child);

  return n;
}

/* Streaming ------------------------------------------------------------------------------ */

static void
append_delta (Stream *stream)
{
  gsize len = MIN (stream->delta, stream->answer->len - stream->sent);

  /* The floor takes what arrived once per frame (floor_tick). */
  if (stream->message != NULL)
    confab_message_append_content (stream->message, stream->answer->str + stream->sent, len);
  stream->sent += len;
}

static gboolean
realtime_tick (gpointer user_data)
{
  Stream *stream = user_data;
  gint64 elapsed = g_get_monotonic_time () - stream->start;
  gsize due = (gsize)((double)elapsed * rate / G_USEC_PER_SEC) * stream->delta;

  due = MIN (due, stream->answer->len);
  while (stream->sent < due)
    append_delta (stream);

  if (stream->sent >= stream->answer->len)
    {
      stream->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* As fast as the UI takes it: appends for 4 ms (a network read's worth of deltas), then
 * the next frame is painted, and so on. */
static void
fast_slice (Stream *stream)
{
  gint64 until = g_get_monotonic_time () + 4000;

  while (stream->sent < stream->answer->len)
    {
      append_delta (stream);
      if (g_get_monotonic_time () >= until)
        return;
    }

  stream->done = TRUE;
}

typedef struct
{
  double  wall_ms;
  double  cpu_ms;
  GArray *frames;
  GArray *intervals;
  guint   unmapped;
} StreamResult;

static void
stream_result_clear (StreamResult *result)
{
  g_clear_pointer (&result->frames, g_array_unref);
  g_clear_pointer (&result->intervals, g_array_unref);
}

static void
start_recording (Stream *stream)
{
  g_array_set_size (frame_log.frames, 0);
  g_array_set_size (frame_log.sent_at, 0);
  g_array_set_size (frame_log.phases, 0);
  g_array_set_size (frame_log.intervals, 0);
  frame_log.previous_paint = 0;
  frame_log.unmapped = 0;
  frame_log.stream = stream;
  frame_log.recording = TRUE;
}

static void
run (GtkWidget *window,
     Stream    *stream)
{
  stream->start = g_get_monotonic_time ();
  if (stream->realtime)
    {
      g_timeout_add (1, realtime_tick, stream);
      while (!stream->done)
        iterate ();
    }
  else
    {
      while (!stream->done)
        {
          fast_slice (stream);
          wait_for_paint (window);
        }
    }
}

static StreamResult
stop_recording (Stream *stream,
                double  cpu0)
{
  StreamResult result = { 0 };

  result.wall_ms = (g_get_monotonic_time () - stream->start) / 1000.0;
  result.cpu_ms = thread_cpu_ms () - cpu0;
  frame_log.recording = FALSE;
  frame_log.stream = NULL;
  result.frames = g_array_copy (frame_log.frames);
  result.intervals = g_array_copy (frame_log.intervals);
  result.unmapped = frame_log.unmapped;

  if (g_getenv ("BENCH_SLOW_FRAMES") != NULL)
    for (guint i = 0; i < frame_log.frames->len; i++)
      if (g_array_index (frame_log.frames, double, i) >= 16.0)
        printf ("  slow frame %u: %.1f ms at %zu bytes (update %.1f, layout %.1f, paint %.1f)\n", i,
                g_array_index (frame_log.frames, double, i), g_array_index (frame_log.sent_at, gsize, i),
                g_array_index (frame_log.phases, double, 3 * i), g_array_index (frame_log.phases, double, 3 * i + 1),
                g_array_index (frame_log.phases, double, 3 * i + 2));

  return result;
}

/* Streams @answer into a new assistant message at the end of @conversation, as the client
 * does, the view following it. */
static G_GNUC_NO_INLINE StreamResult
run_stream (GtkWidget          *window,
            ConfabChatView     *view,
            ConfabConversation *conversation,
            GString            *answer,
            gsize               delta,
            gboolean            realtime)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  guint position = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  Stream stream = { 0 };
  StreamResult result;
  ConfabMessageRow *row;
  double cpu0;

  confab_message_set_state (message, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, message);
  confab_chat_view_scroll_to_bottom (view);
  wait_for_paint (window);
  if (scrolled_up)
    gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (confab_chat_view_get_list_view (view))), 0);
  wait_for_paint (window);

  stream.message = message;
  stream.answer = answer;
  stream.delta = delta;
  stream.realtime = realtime;

  frame_log.view = view;
  frame_log.message = message;
  start_recording (&stream);
  cpu0 = thread_cpu_ms ();
  run (window, &stream);

  /* The last byte is shown: whatever the view still spreads over later frames is rendered
   * now (counted too), then painted. */
  confab_chat_view_flush (view);
  wait_for_paint (window);
  result = stop_recording (&stream, cpu0);
  frame_log.view = NULL;
  frame_log.message = NULL;

  row = confab_chat_view_find_row (view, message);
  if (row == NULL || strlen (confab_markdown_view_get_source (confab_message_row_get_content_view (row))) != answer->len)
    {
      g_printerr ("bench-stream-ui: FAILED: at the end of the stream the row %s\n",
                  row == NULL ? "is not built" : "does not show the whole answer");
      exit (1);
    }
  if (result.unmapped > 0)
    {
      g_printerr ("bench-stream-ui: FAILED: the streaming row was not on screen in %u of the %u measured "
                  "frames: these figures would not describe what the user sees\n",
                  result.unmapped, result.frames->len);
      exit (1);
    }

  confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
  confab_conversation_truncate (conversation, position);
  wait_for_paint (window);

  return result;
}

/* The least a text view can do: once per frame, the text that arrived since the last frame
 * in one insertion, and the end scrolled into view. */
static gboolean
floor_tick (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  Stream *stream = user_data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
  GtkTextIter end;

  if (stream->floor == NULL || stream->shown >= stream->sent)
    return G_SOURCE_CONTINUE;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, stream->answer->str + stream->shown, stream->sent - stream->shown);
  stream->shown = stream->sent;
  gtk_text_view_scroll_mark_onscreen (GTK_TEXT_VIEW (widget), gtk_text_buffer_get_insert (buffer));
  return G_SOURCE_CONTINUE;
}

/* The same answer at the same rate into a bare GtkTextView, in the same window. */
static G_GNUC_NO_INLINE StreamResult
run_floor (GtkWidget *window,
           GString   *answer,
           gsize      delta)
{
  GtkWidget *previous = g_object_ref (gtk_window_get_child (GTK_WINDOW (window)));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *text_view = gtk_text_view_new ();
  Stream stream = { 0 };
  StreamResult result;
  double cpu0;
  guint tick;

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), text_view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  tick = gtk_widget_add_tick_callback (text_view, floor_tick, &stream, NULL);
  wait_for_paint (window);
  wait_for_paint (window);

  stream.floor = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  stream.answer = answer;
  stream.delta = delta;
  stream.realtime = TRUE;

  start_recording (&stream);
  cpu0 = thread_cpu_ms ();
  run (window, &stream);
  wait_for_paint (window);
  wait_for_paint (window);
  result = stop_recording (&stream, cpu0);
  if (stream.shown != answer->len)
    {
      g_printerr ("bench-stream-ui: FAILED: the floor shows %zu bytes of %zu\n", stream.shown, answer->len);
      exit (1);
    }

  gtk_widget_remove_tick_callback (text_view, tick);
  gtk_window_set_child (GTK_WINDOW (window), previous);
  g_object_unref (previous);
  wait_for_paint (window);

  return result;
}

/* Opening -------------------------------------------------------------------------------- */

/* Opens the store and shows the stored conversation as the window does: loaded, shown, and
 * tracked by the store (unless --no-store) so that streamed text is flushed to disk. */
static G_GNUC_NO_INLINE ConfabConversation *
open_stored (GtkWidget      *window,
             ConfabChatView *view,
             ConfabSession  *session,
             ConfabStore   **store_out,
             const char     *path,
             const char     *id)
{
  g_autoptr(GError) error = NULL;
  ConfabStore *store;
  ConfabConversation *conversation;
  gint64 t0, t_open, t_load, t_set, t_track, t_shown;
  double cpu0, cpu_shown;

  t0 = g_get_monotonic_time ();
  cpu0 = thread_cpu_ms ();
  store = confab_store_open (path, &error);
  if (store == NULL)
    g_error ("store: %s", error->message);
  t_open = g_get_monotonic_time ();
  conversation = confab_store_load (store, id, &error);
  if (conversation == NULL)
    g_error ("load: %s", error->message);
  t_load = g_get_monotonic_time ();

  confab_session_set_conversation (session, conversation);
  t_set = g_get_monotonic_time ();
  if (!no_store)
    confab_store_track (store, conversation);
  t_track = g_get_monotonic_time ();
  confab_chat_view_scroll_to_bottom (view);
  wait_for_paint (window);
  t_shown = g_get_monotonic_time ();
  cpu_shown = thread_cpu_ms ();

  printf ("open: %u messages: store open %.1f ms, load %.1f ms, shown (first frame) %.1f ms; "
          "total %.1f ms (%.1f ms CPU); %u rows built\n",
          g_list_model_get_n_items (G_LIST_MODEL (conversation)),
          (t_open - t0) / 1000.0, (t_load - t_open) / 1000.0, (t_shown - t_load) / 1000.0,
          (t_shown - t0) / 1000.0, cpu_shown - cpu0, count_rows (GTK_WIDGET (view)));
  printf ("  shown: the view takes the conversation %.1f ms, the store tracks it %.1f ms, "
          "first frame painted %.1f ms; goal: total <= 300 ms\n",
          (t_set - t_load) / 1000.0, (t_track - t_set) / 1000.0, (t_shown - t_track) / 1000.0);

  /* What the view still does once it is shown (older rows added in an idle …) shows in the
   * frames that follow. */
  {
    gint64 before = t_shown;
    double longest = 0;

    for (guint i = 0; i < 30; i++)
      {
        gint64 now;

        wait_for_paint (window);
        now = g_get_monotonic_time ();
        longest = MAX (longest, (now - before) / 1000.0);
        before = now;
      }
    printf ("  the 30 frames after it: longest %.1f ms; rows built then %u\n", longest,
            count_rows (GTK_WIDGET (view)));
  }

  *store_out = store;
  return conversation;
}

static void
print_ratio (const char *label,
             double      confab,
             double      floor_value)
{
  printf ("  %-34s %6.2f ms vs %6.2f ms: %.2fx the floor (goal <= 1.5x)\n",
          label, confab, floor_value, floor_value > 0 ? confab / floor_value : 0.0);
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "messages", 0, 0, G_OPTION_ARG_INT, &n_messages, "Messages in the stored conversation (10000)", "N" },
    { "answer-kb", 0, 0, G_OPTION_ARG_INT, &answer_kb, "Size of the streamed answer (64)", "KB" },
    { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "Deltas per second in the real-time runs (2000)", "N" },
    { "delta", 0, 0, G_OPTION_ARG_INT, &delta_bytes, "Bytes per delta in the real-time runs (4)", "B" },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &no_store, "Do not track the conversation in the store", NULL },
    { "no-floor", 0, 0, G_OPTION_ARG_NONE, &no_floor, "Skip the bare GtkTextView floor", NULL },
    { "no-ratio", 0, 0, G_OPTION_ARG_NONE, &no_ratio, "Skip the per-delta cost (4 B vs 1 KB deltas)", NULL },
    { "open-only", 0, 0, G_OPTION_ARG_NONE, &open_only, "Only measure opening the conversation", NULL },
    { "scrolled-up", 0, 0, G_OPTION_ARG_NONE, &scrolled_up, "The user reads older messages while the answer streams (the bench refuses to report)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— Confab streaming UI bench");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autoptr(ConfabSession) session = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GString) answer = NULL;
  StreamResult live = { 0 }, floor_result = { 0 };
  GtkWidget *window;
  GtkWidget *view;
  GdkFrameClock *clock;
  const char *renderer;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  adw_init ();
  gtk_source_init ();

  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/confab/Confab/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  frame_log.frames = g_array_new (FALSE, FALSE, sizeof (double));
  frame_log.sent_at = g_array_new (FALSE, FALSE, sizeof (gsize));
  frame_log.phases = g_array_new (FALSE, FALSE, sizeof (double));
  frame_log.intervals = g_array_new (FALSE, FALSE, sizeof (double));

  /* The stored conversation. */
  dir = g_dir_make_tmp ("confab-bench-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "confab.db", NULL);
  {
    g_autoptr(ConfabStore) setup = confab_store_open (path, &error);
    g_autoptr(ConfabConversation) history = make_history (n_messages);
    gint64 t0 = g_get_monotonic_time ();

    g_assert_no_error (error);
    if (!confab_store_save (setup, history, &error))
      g_error ("save: %s", error->message);
    id = g_strdup (confab_conversation_get_id (history));
    printf ("setup: saved %d messages in %.1f ms\n", n_messages, (g_get_monotonic_time () - t0) / 1000.0);
  }

  session = confab_session_new ();
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 800);
  view = confab_chat_view_new ();
  confab_chat_view_set_session (CONFAB_CHAT_VIEW (view), session);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));

  while (!gtk_widget_get_mapped (window))
    iterate ();
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  /* Connected after GTK's own handlers: each marks the end of its phase. */
  g_signal_connect_after (clock, "update", G_CALLBACK (on_update), NULL);
  g_signal_connect_after (clock, "layout", G_CALLBACK (on_layout), NULL);
  g_signal_connect_after (clock, "paint", G_CALLBACK (on_paint), NULL);
  wait_for_paint (window);
  wait_for_paint (window);

  renderer = G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window)));
  printf ("renderer: %s; %d messages; answer %d KB in %d-byte deltas at %d deltas/s; store tracking %s\n",
          renderer, n_messages, answer_kb, delta_bytes, rate, no_store ? "off" : "on");

  if (g_getenv ("BENCH_OPEN_TWICE"))
    {
      g_autoptr(ConfabConversation) first = open_stored (window, CONFAB_CHAT_VIEW (view), session, &store, path, id);

      if (!no_store)
        confab_store_untrack (store, first);
      confab_session_set_conversation (session, NULL);
      wait_for_paint (window);
      g_clear_object (&store);
    }
  conversation = open_stored (window, CONFAB_CHAT_VIEW (view), session, &store, path, id);

  if (open_only)
    goto out;

  answer = make_answer ((gsize)answer_kb * 1024);

  /* The first answer of the process: GtkSourceView, fonts and the renderer's caches are
   * loaded while it streams, as for a user's first answer. */
  live = run_stream (window, CONFAB_CHAT_VIEW (view), conversation, answer, delta_bytes, TRUE);
  printf ("stream (real time, %.1f s, the streaming row on screen in every frame):\n", live.wall_ms / 1000.0);
  print_stats ("frame work", stats_of (live.frames));
  print_stats ("painted-frame interval", stats_of (live.intervals));
  if (store != NULL && !no_store)
    /* The slowest is the rewrite after run_stream() takes its answer out again (as a retry
     * does, the conversation is written whole): on the writer thread, not the main one. */
    printf ("  store: %u writes so far, slowest %.1f ms (writer thread; a retry-like rewrite of the whole conversation)\n",
            confab_store_get_n_writes (store), confab_store_get_max_write_ms (store));

  if (!no_floor)
    {
      Stats confab_work = stats_of (live.frames), confab_interval = stats_of (live.intervals);
      Stats floor_work, floor_interval;

      floor_result = run_floor (window, answer, delta_bytes);
      floor_work = stats_of (floor_result.frames);
      floor_interval = stats_of (floor_result.intervals);
      printf ("floor: a bare GtkTextView, the same answer at the same rate (%.1f s):\n", floor_result.wall_ms / 1000.0);
      print_stats ("frame work", floor_work);
      print_stats ("painted-frame interval", floor_interval);
      printf ("Confab / floor:\n");
      print_ratio ("frame work p95", confab_work.p95, floor_work.p95);
      print_ratio ("painted-frame interval p95", confab_interval.p95, floor_interval.p95);
    }

  if (!no_ratio)
    {
      StreamResult kb = run_stream (window, CONFAB_CHAT_VIEW (view), conversation, answer, 1024, FALSE);
      StreamResult small = run_stream (window, CONFAB_CHAT_VIEW (view), conversation, answer, 4, FALSE);

      printf ("per-delta cost (as fast as the UI takes it, row on screen): 1 KB deltas %.0f ms CPU, "
              "4-byte deltas %.0f ms CPU: ratio %.2f (goal <= 1.5)\n",
              kb.cpu_ms, small.cpu_ms, small.cpu_ms / kb.cpu_ms);
      stream_result_clear (&kb);
      stream_result_clear (&small);
    }

out:
  stream_result_clear (&live);
  stream_result_clear (&floor_result);
  if (store != NULL && conversation != NULL && !no_store)
    confab_store_untrack (store, conversation);
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&store);
  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
  g_array_unref (frame_log.frames);
  g_array_unref (frame_log.intervals);

  return 0;
}
