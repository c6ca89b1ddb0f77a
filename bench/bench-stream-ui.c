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
#include "confab-message-row.h"
#include "confab-session.h"
#include "confab-store.h"

/* bench-stream-ui: the real ConfabChatView in a window, over a conversation of 10,000
 * messages stored with ConfabStore.
 *
 * 1. Open: store open + load of the 10,000 messages, the view shown, until the first frame
 *    is painted (goal < 300 ms), and how many rows that built (rows are recycled).
 * 2. Stream (real time): a 1 MB Markdown answer appended with confab_message_append_content
 *    — what the client does — in 4-byte deltas at 2,000 deltas ("tokens") per second.
 *    Every frame's work is taken from the GdkFrameClock (before-paint → after-paint:
 *    update, layout, paint): p50, p99, max (goal max < 16 ms).
 * 3. UI time (as fast as the UI takes it): the same answer in 4-byte deltas and in 1 KB
 *    deltas, each delivered as fast as the main loop accepts while frames keep running;
 *    the main thread's CPU time until the last byte is painted. Ratio 4 B / 1 KB (goal < 2:
 *    a delta costs the same whatever the length of the message).
 *
 * Usage: bench-stream-ui [--messages N] [--answer-kb K] [--rate DELTAS_PER_S] [--open-only] */

typedef struct _Stream Stream;

struct _Stream
{
  ConfabMessage *message;
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
static int      answer_kb = 1024;
static int      rate = 2000;
static gboolean open_only;
static gboolean realtime_only;
static gboolean fast_only;
static int      redraw_kb;

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

static void
print_frames (const char *label,
              GArray     *frames)
{
  g_autoptr(GArray) sorted = g_array_copy (frames);
  guint over = 0;

  g_array_sort (sorted, compare_double);
  for (guint i = 0; i < sorted->len; i++)
    if (g_array_index (sorted, double, i) >= 16.0)
      over++;

  printf ("%s: %u frames, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %u >= 16 ms\n",
          label, sorted->len, percentile (sorted, 0.5), percentile (sorted, 0.99),
          sorted->len ? g_array_index (sorted, double, sorted->len - 1) : 0.0, over);
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


static gboolean
realtime_tick (gpointer user_data)
{
  Stream *stream = user_data;
  gint64 elapsed = g_get_monotonic_time () - stream->start;
  gsize due = (gsize)((double)elapsed * rate / G_USEC_PER_SEC) * stream->delta;

  due = MIN (due, stream->answer->len);
  while (stream->sent < due)
    {
      gsize len = MIN (stream->delta, stream->answer->len - stream->sent);

      confab_message_append_content (stream->message, stream->answer->str + stream->sent, len);
      stream->sent += len;
    }

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
      gsize len = MIN (stream->delta, stream->answer->len - stream->sent);

      confab_message_append_content (stream->message, stream->answer->str + stream->sent, len);
      stream->sent += len;

      if (g_get_monotonic_time () >= until)
        return;
    }

  stream->done = TRUE;
}

typedef struct
{
  double wall_ms;
  double cpu_ms;
  GArray *frames;
  GArray *sent_at;
} StreamResult;

/* Frame times by how long the message was: does a frame cost more as the answer grows? */
static void
print_buckets (GArray *frames,
               GArray *sent_at,
               gsize   total)
{
  gsize bucket = MAX (total / 8, 1);

  for (gsize from = 0; from < total; from += bucket)
    {
      g_autoptr(GArray) part = g_array_new (FALSE, FALSE, sizeof (double));

      for (guint i = 0; i < frames->len; i++)
        {
          gsize at = g_array_index (sent_at, gsize, i);

          if (at >= from && at < from + bucket)
            g_array_append_val (part, g_array_index (frames, double, i));
        }
      if (part->len == 0)
        continue;
      g_array_sort (part, compare_double);
      printf ("  at %4zu-%4zu KB: %4u frames, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              from / 1024, (from + bucket) / 1024, part->len, percentile (part, 0.5),
              percentile (part, 0.99), g_array_index (part, double, part->len - 1));
    }
}

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
  StreamResult result = { 0 };
  ConfabMessageRow *row;
  double cpu0;

  confab_message_set_state (message, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, message);
  confab_chat_view_scroll_to_bottom (view);
  wait_for_paint (window);
  wait_for_paint (window);

  stream.message = message;
  stream.answer = answer;
  stream.delta = delta;
  stream.realtime = realtime;

  g_array_set_size (frame_log.frames, 0);
  g_array_set_size (frame_log.sent_at, 0);
  g_array_set_size (frame_log.phases, 0);
  frame_log.recording = TRUE;
  cpu0 = thread_cpu_ms ();
  stream.start = g_get_monotonic_time ();

  frame_log.stream = &stream;
  if (realtime)
    {
      g_timeout_add (1, realtime_tick, &stream);
      while (!stream.done)
        iterate ();
    }
  else
    {
      while (!stream.done)
        {
          fast_slice (&stream);
          wait_for_paint (window);
        }
    }

  /* The last byte is shown: whatever the view still spreads over later frames is rendered
   * now (counted too), then painted. */
  confab_chat_view_flush (view);
  wait_for_paint (window);
  row = confab_chat_view_find_row (view, message);
  if (row != NULL)
    {
      ConfabMarkdownView *content = confab_message_row_get_content_view (row);

      if (confab_markdown_view_get_source (content) == NULL ||
          strlen (confab_markdown_view_get_source (content)) != answer->len)
        g_error ("the row shows %zu bytes of %zu",
                 strlen (confab_markdown_view_get_source (content) ? confab_markdown_view_get_source (content) : ""),
                 answer->len);
    }
  else
    g_printerr ("warning: the streaming row is not built (view not at the bottom?)\n");

  result.wall_ms = (g_get_monotonic_time () - stream.start) / 1000.0;
  result.cpu_ms = thread_cpu_ms () - cpu0;
  frame_log.recording = FALSE;
  result.frames = g_array_copy (frame_log.frames);
  result.sent_at = g_array_copy (frame_log.sent_at);
  frame_log.stream = NULL;

  if (g_getenv ("BENCH_SLOW_FRAMES") != NULL)
    for (guint i = 0; i < frame_log.frames->len; i++)
      if (g_array_index (frame_log.frames, double, i) >= 16.0)
        printf ("  slow frame %u: %.1f ms at %zu bytes (update %.1f, layout %.1f, paint %.1f)\n", i,
                g_array_index (frame_log.frames, double, i), g_array_index (frame_log.sent_at, gsize, i),
                g_array_index (frame_log.phases, double, 3 * i), g_array_index (frame_log.phases, double, 3 * i + 1),
                g_array_index (frame_log.phases, double, 3 * i + 2));

  confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
  confab_conversation_truncate (conversation, position);
  wait_for_paint (window);

  return result;
}

/* Opening -------------------------------------------------------------------------------- */

static G_GNUC_NO_INLINE ConfabConversation *
open_stored (GtkWidget      *window,
             ConfabChatView *view,
             ConfabSession  *session,
             const char     *path,
             const char     *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = NULL;
  ConfabConversation *conversation;
  gint64 t0, t_open, t_load, t_shown;

  t0 = g_get_monotonic_time ();
  store = confab_store_open (path, &error);
  if (store == NULL)
    g_error ("store: %s", error->message);
  t_open = g_get_monotonic_time ();
  conversation = confab_store_load (store, id, &error);
  if (conversation == NULL)
    g_error ("load: %s", error->message);
  t_load = g_get_monotonic_time ();

  confab_session_set_conversation (session, conversation);
  confab_chat_view_scroll_to_bottom (view);
  wait_for_paint (window);
  t_shown = g_get_monotonic_time ();

  printf ("open: %u messages: store open %.1f ms, load %.1f ms, shown (first frame) %.1f ms; "
          "total %.1f ms (goal < 300 ms); %u rows built\n",
          g_list_model_get_n_items (G_LIST_MODEL (conversation)),
          (t_open - t0) / 1000.0, (t_load - t_open) / 1000.0, (t_shown - t_load) / 1000.0,
          (t_shown - t0) / 1000.0, count_rows (GTK_WIDGET (view)));

  return conversation;
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "messages", 0, 0, G_OPTION_ARG_INT, &n_messages, "Messages in the conversation (10000)", "N" },
    { "answer-kb", 0, 0, G_OPTION_ARG_INT, &answer_kb, "Size of the streamed answer (1024)", "KB" },
    { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "Deltas per second in the real-time run (2000)", "N" },
    { "open-only", 0, 0, G_OPTION_ARG_NONE, &open_only, "Only measure opening the conversation", NULL },
    { "realtime-only", 0, 0, G_OPTION_ARG_NONE, &realtime_only, "Skip the UI-time ratio", NULL },
    { "fast-only", 0, 0, G_OPTION_ARG_NONE, &fast_only, "Only the UI-time ratio", NULL },
    { "redraw-kb", 0, 0, G_OPTION_ARG_INT, &redraw_kb, "Only: the cost of a redraw with a finished answer of K KB at the bottom", "KB" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— Confab streaming UI bench");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autoptr(ConfabSession) session = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GString) answer = NULL;
  GtkWidget *window;
  GtkWidget *view;
  GdkFrameClock *clock;

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

  /* The stored conversation. */
  dir = g_dir_make_tmp ("confab-bench-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "confab.db", NULL);
  {
    g_autoptr(ConfabStore) store = confab_store_open (path, &error);
    g_autoptr(ConfabConversation) history = make_history (n_messages);
    gint64 t0 = g_get_monotonic_time ();

    g_assert_no_error (error);
    if (!confab_store_save (store, history, &error))
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

  conversation = open_stored (window, CONFAB_CHAT_VIEW (view), session, path, id);
  /* Once more, warm: the first open paid for loading code, fonts and CSS. */
  g_clear_object (&conversation);
  confab_session_set_conversation (session, NULL);
  wait_for_paint (window);
  conversation = open_stored (window, CONFAB_CHAT_VIEW (view), session, path, id);

  if (open_only)
    goto out;

  answer = make_answer ((gsize)answer_kb * 1024);

  if (redraw_kb > 0)
    {
      g_autoptr(GString) text = make_answer ((gsize)redraw_kb * 1024);
      g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, text->str);
      double sum[4] = { 0 };

      confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
      confab_conversation_append (conversation, message);
      confab_chat_view_scroll_to_bottom (CONFAB_CHAT_VIEW (view));
      for (guint i = 0; i < 10; i++)
        wait_for_paint (window);
      confab_chat_view_flush (CONFAB_CHAT_VIEW (view));

      g_array_set_size (frame_log.frames, 0);
      g_array_set_size (frame_log.phases, 0);
      frame_log.recording = TRUE;
      for (guint i = 0; i < 100; i++)
        {
          /* What a streamed piece causes at least: the last segment changes. */
          GtkWidget *list = GTK_WIDGET (confab_chat_view_get_list_view (CONFAB_CHAT_VIEW (view)));

          gtk_widget_queue_resize (list);
          wait_for_paint (window);
        }
      frame_log.recording = FALSE;
      for (guint i = 0; i < frame_log.frames->len; i++)
        {
          sum[0] += g_array_index (frame_log.frames, double, i);
          for (guint j = 0; j < 3; j++)
            sum[j + 1] += g_array_index (frame_log.phases, double, 3 * i + j);
        }
      printf ("redraw with a %d KB answer at the bottom: %u frames, mean %.2f ms (update %.2f, layout %.2f, paint %.2f)\n",
              redraw_kb, frame_log.frames->len, sum[0] / frame_log.frames->len, sum[1] / frame_log.frames->len,
              sum[2] / frame_log.frames->len, sum[3] / frame_log.frames->len);
      goto out;
    }

  if (fast_only)
    goto ratio;

  /* First use of the renderer in this process (GtkSourceView loads its language and style
   * definitions on the first code block): measured on its own, then the runs below are warm. */
  {
    g_autoptr(GString) first = make_answer (16 * 1024);
    StreamResult cold = run_stream (window, CONFAB_CHAT_VIEW (view), conversation, first, 4, TRUE);

    print_frames ("first answer of the process (16 KB, 4-byte deltas, real time)", cold.frames);
    g_array_unref (cold.frames);
    g_array_unref (cold.sent_at);
  }

  {
    StreamResult live = run_stream (window, CONFAB_CHAT_VIEW (view), conversation, answer, 4, TRUE);
    g_autofree char *label = g_strdup_printf ("stream %zu KB in 4-byte deltas at %d deltas/s (%.1f s)",
                                              answer->len / 1024, rate, live.wall_ms / 1000.0);

    print_frames (label, live.frames);
    print_buckets (live.frames, live.sent_at, answer->len);
    g_array_unref (live.frames);
    g_array_unref (live.sent_at);
  }

ratio:
  if (!realtime_only)
    {
      StreamResult kb = run_stream (window, CONFAB_CHAT_VIEW (view), conversation, answer, 1024, FALSE);
      StreamResult small = run_stream (window, CONFAB_CHAT_VIEW (view), conversation, answer, 4, FALSE);

      print_frames ("as fast as possible, 1 KB deltas", kb.frames);
      print_frames ("as fast as possible, 4-byte deltas", small.frames);
      printf ("UI time for the answer: 1 KB deltas %.0f ms CPU (%.0f ms wall), 4-byte deltas %.0f ms CPU "
              "(%.0f ms wall)\n", kb.cpu_ms, kb.wall_ms, small.cpu_ms, small.wall_ms);
      printf ("ratio 4-byte / 1 KB: %.2f (goal < 2)\n", small.cpu_ms / kb.cpu_ms);
      g_array_unref (kb.frames);
      g_array_unref (small.frames);
      g_array_unref (kb.sent_at);
      g_array_unref (small.sent_at);
    }

out:
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
  g_array_unref (frame_log.frames);

  return 0;
}
