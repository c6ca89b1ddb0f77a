/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-render-memory"

#include "config.h"

#include <adwaita.h>
#include <gtksourceview/gtksource.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confab-chat-view.h"
#include "confab-conversation.h"
#include "confab-markdown-view-private.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-session.h"

/* bench-render-memory: the heap a long streamed answer adds, in the real ConfabChatView.
 *
 * A Markdown answer (headings, paragraphs, lists, quotes, inline code and, for "code", a
 * fenced C block of 16 lines every ~3.5 KB) is streamed into a new assistant message with
 * confab_message_append_content(), as the client does, a slice per painted frame, the view
 * following it; then the message completes. The heap in use (glibc mallinfo2: every arena,
 * and mmapped blocks) is read before the message is added and once it is complete and
 * painted, the row on screen. Each part runs in its own process (the program runs itself
 * again), after the same warm-up answer (so that GtkSourceView's definitions, fonts and
 * glyph caches are loaded before it is measured):
 *
 *   code       the answer with code blocks (the goal: <= 12 MB added for 1 MB)
 *   prose      the same amount of Markdown without code blocks (the reference)
 *   textview   the code answer's bytes in a bare GtkTextView (the toolkit's floor)
 *
 * It fails (exit 1) unless what it measured is what it claims: the row was built and mapped
 * and shows the whole answer, and the view has as many code blocks as the answer has fences,
 * each block's code in the view's text.
 *
 * Usage: bench-render-memory [--answer-kb K] [--delta B] [--frame-kb K]
 *                            [--only code|prose|textview] */

static int    answer_kb = 1024;
static int    delta_bytes = 64;
static int    frame_kb = 4;
static int    settle_s;
static char  *only;

static gint64 last_paint;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  last_paint = g_get_monotonic_time ();
}

static void
wait_for_paint (GtkWidget *widget)
{
  gint64 since = g_get_monotonic_time ();

  gtk_widget_queue_draw (widget);
  while (last_paint <= since)
    g_main_context_iteration (NULL, TRUE);
}

static void
wait_paints (GtkWidget *widget,
             guint      n)
{
  for (guint i = 0; i < n; i++)
    wait_for_paint (widget);
}

/* Bytes of heap in use: the allocated blocks of every malloc arena and the mmapped ones. */
static gint64
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return (gint64)info.uordblks + (gint64)info.hblkhd;
}

static double
mb (gint64 bytes)
{
  return bytes / (1024.0 * 1024.0);
}

/* Markdown like a long technical answer. With @code, a fenced C block of 16 lines closes
 * every fourth section (a block every ~3.5 KB); without, the fourth section has another
 * paragraph instead. ASCII only, so any split is valid UTF-8. */
static GString *
make_answer (gsize    size,
             gboolean code,
             guint   *n_blocks)
{
  GString *text = g_string_sized_new (size + 4096);
  guint n = 0;

  *n_blocks = 0;
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
        {
          gsize before = text->len;

          if (code)
            g_string_append_printf (text,
                                    "```c\n"
                                    "/* Section %u: sums the values of a list. */\n"
                                    "static int\n"
                                    "section_%u_sum (const int *values,\n"
                                    "               size_t     n_values)\n"
                                    "{\n"
                                    "  int total = 0;\n"
                                    "\n"
                                    "  for (size_t i = 0; i < n_values; i++)\n"
                                    "    {\n"
                                    "      if (values[i] < 0)\n"
                                    "        return -1;\n"
                                    "      total += values[i] * %u;\n"
                                    "    }\n"
                                    "  printf (\"section %%d: %%d\\n\", %u, total);\n"
                                    "  return total;\n"
                                    "}\n"
                                    "```\n\n",
                                    n, n, n, n);
          else
            while (text->len - before < 400)
              g_string_append (text,
                               "Without a code block this section says a little more in prose, so that "
                               "the answer has as many bytes; a paragraph wraps over a few lines.\n\n");
          /* A fence cut off at the end still opens a block (to the end of the answer). */
          if (code && before + strlen ("```c\n") <= size)
            (*n_blocks)++;
        }
      g_string_append (text,
                       "Numbers, for what they are worth: 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, "
                       "377, 610, 987, 1597, 2584, 4181, 6765, 10946, 17711, 28657, 46368.\n\n");
    }
  g_string_truncate (text, size);
  return text;
}

static guint
count_type (GtkWidget *widget,
            GType      type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (widget, type) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_type (child, type);

  return n;
}

typedef struct
{
  gint64 added;          /* heap in use with the complete answer shown, minus before */
  gint64 left;           /* heap in use once the message is removed again, minus before */
  guint  code_blocks;
  guint  source_views;   /* GtkSourceViews in the window */
  guint  widgets;        /* widgets in the answer's row */
  guint  frames;
} Result;

/* Streams @answer into a new assistant message, --frame-kb of deltas per painted frame,
 * then completes it. */
static Result
run_stream (GtkWidget          *window,
            ConfabChatView     *view,
            ConfabConversation *conversation,
            GString            *answer,
            guint               n_blocks,
            const char         *name)
{
  ConfabMessage *message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  guint position = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  ConfabMarkdownView *content;
  ConfabMessageRow *row;
  Result result = { 0 };
  g_autofree char *shown = NULL;
  gsize sent = 0;
  gint64 before;

  wait_paints (window, 3);
  before = heap_in_use ();

  confab_message_set_state (message, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, message);
  g_object_unref (message);
  confab_chat_view_scroll_to_bottom (view);
  wait_for_paint (window);

  while (sent < answer->len)
    {
      gsize frame_end = MIN (answer->len, sent + (gsize)frame_kb * 1024);

      while (sent < frame_end)
        {
          gsize len = MIN ((gsize)delta_bytes, answer->len - sent);

          confab_message_append_content (message, answer->str + sent, len);
          sent += len;
        }
      wait_for_paint (window);
      result.frames++;
    }
  confab_chat_view_flush (view);
  confab_message_set_finish_reason (message, "stop");
  confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
  confab_chat_view_scroll_to_bottom (view);
  wait_paints (window, 3);
  if (settle_s > 0)
    {
      gint64 until = g_get_monotonic_time () + settle_s * G_USEC_PER_SEC;

      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, TRUE);
      wait_paints (window, 3);
    }

  /* What is measured is what is claimed. */
  row = confab_chat_view_find_row (view, message);
  if (row == NULL || !gtk_widget_get_mapped (GTK_WIDGET (row)))
    {
      g_printerr ("bench-render-memory: FAILED (%s): the answer's row is %s\n", name,
                  row == NULL ? "not built" : "not on screen");
      exit (1);
    }
  content = confab_message_row_get_content_view (row);
  if (strcmp (confab_markdown_view_get_source (content), answer->str) != 0)
    {
      g_printerr ("bench-render-memory: FAILED (%s): the row does not show the whole answer\n", name);
      exit (1);
    }
  result.code_blocks = confab_markdown_view_get_n_code_blocks (content);
  if (result.code_blocks != n_blocks)
    {
      g_printerr ("bench-render-memory: FAILED (%s): %u code blocks shown, the answer has %u\n",
                  name, result.code_blocks, n_blocks);
      exit (1);
    }
  shown = confab_markdown_view_dup_display_text (content);
  for (guint i = 1; i <= n_blocks; i++)
    {
      g_autofree char *line = g_strdup_printf ("section_%u_sum (const int *values,", 4 * i);

      if (strstr (answer->str, line) != NULL && strstr (shown, line) == NULL)
        {
          g_printerr ("bench-render-memory: FAILED (%s): code block %u is not in the view's text\n", name, i);
          exit (1);
        }
    }

  result.added = heap_in_use () - before;
  result.source_views = count_type (window, GTK_SOURCE_TYPE_VIEW);
  result.widgets = count_type (GTK_WIDGET (row), GTK_TYPE_WIDGET);

  confab_conversation_truncate (conversation, position);
  wait_paints (window, 3);
  result.left = heap_in_use () - before;

  return result;
}

/* The toolkit's floor: the same bytes in a bare GtkTextView (word wrap, in a scrolled
 * window, as the only child of the window), shown at its end. */
static Result
run_textview (GtkWidget *window,
              GString   *answer)
{
  GtkWidget *previous = g_object_ref (gtk_window_get_child (GTK_WINDOW (window)));
  GtkWidget *scroller, *text_view;
  GtkTextBuffer *buffer;
  GtkTextIter end;
  Result result = { 0 };
  gint64 before;

  /* The chat view's own rendering is let go first: only the text view is counted. */
  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new (NULL));

  wait_paints (window, 3);
  before = heap_in_use ();

  scroller = gtk_scrolled_window_new ();
  text_view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), text_view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, answer->str, answer->len);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (GTK_TEXT_VIEW (text_view), &end, 0, FALSE, 0, 0);
  wait_paints (window, 5);
  if (!gtk_widget_get_mapped (text_view) || gtk_text_buffer_get_char_count (buffer) != (int)answer->len)
    {
      g_printerr ("bench-render-memory: FAILED (textview): the text view does not show the answer\n");
      exit (1);
    }
  result.added = heap_in_use () - before;
  result.widgets = count_type (scroller, GTK_TYPE_WIDGET);

  gtk_window_set_child (GTK_WINDOW (window), previous);
  g_object_unref (previous);
  wait_paints (window, 3);
  result.left = heap_in_use () - before;

  return result;
}

static gboolean
wanted (const char *name)
{
  return only == NULL || strcmp (only, name) == 0;
}

/* Runs this program again for one part (each part in a fresh process, after the same
 * warm-up: a row GtkListView keeps for reuse would otherwise carry one part's answer into
 * the next one's measure). Prints its output; returns the heap it added, in bytes. */
static double
run_part (const char *self_path,
          const char *part,
          char      **argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *added;
  int status;

  g_ptr_array_add (args, (char *) self_path);
  for (guint i = 1; argv[i] != NULL; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, (char *) "--only");
  g_ptr_array_add (args, (char *) part);
  g_ptr_array_add (args, NULL);
  if (!g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("bench-render-memory: FAILED: the %s part: %s\n", part, error->message);
      exit (1);
    }
  /* The first line (the renderer and the answer) is printed once, by the caller. */
  fputs (strchr (out, '\n') != NULL ? strchr (out, '\n') + 1 : out, stdout);
  added = strstr (out, "heap added");
  return added != NULL ? g_ascii_strtod (added + strlen ("heap added"), NULL) : 0.0;
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "answer-kb", 0, 0, G_OPTION_ARG_INT, &answer_kb, "Size of the streamed answer (1024)", "KB" },
    { "delta", 0, 0, G_OPTION_ARG_INT, &delta_bytes, "Bytes per delta (64)", "B" },
    { "frame-kb", 0, 0, G_OPTION_ARG_INT, &frame_kb, "Bytes of deltas per painted frame (4)", "KB" },
    { "settle", 0, 0, G_OPTION_ARG_INT, &settle_s, "Seconds the window stays idle before the heap is read (0)", "S" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Run one part: code, prose or textview", "PART" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— Confab render memory bench");
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabSession) session = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GString) code_answer = NULL;
  g_autoptr(GString) prose_answer = NULL;
  g_autoptr(GString) warm_answer = NULL;
  Result code, prose, floor_result;
  guint n_blocks, n_prose_blocks, n_warm_blocks;
  GtkWidget *window, *view;
  gsize size;

  g_auto(GStrv) original_argv = g_strdupv (argv);

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

  size = (gsize)answer_kb * 1024;
  code_answer = make_answer (size, TRUE, &n_blocks);
  prose_answer = make_answer (size, FALSE, &n_prose_blocks);
  warm_answer = make_answer (16 * 1024, TRUE, &n_warm_blocks);

  conversation = confab_conversation_new ();
  confab_conversation_set_title (conversation, "Bench: render memory");
  {
    g_autoptr(ConfabMessage) question = confab_message_new (CONFAB_ROLE_USER, "Explain the stream, with code.");

    confab_message_set_state (question, CONFAB_MESSAGE_STATE_COMPLETE);
    confab_conversation_append (conversation, question);
  }
  session = confab_session_new ();
  confab_session_set_conversation (session, conversation);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 800);
  view = confab_chat_view_new ();
  confab_chat_view_set_session (CONFAB_CHAT_VIEW (view), session);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_after_paint), NULL);
  wait_paints (window, 3);

  printf ("renderer: %s; answer %d KB in %d-byte deltas; %u code blocks (one every %.1f KB)\n",
          G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))), answer_kb, delta_bytes,
          n_blocks, n_blocks ? size / 1024.0 / n_blocks : 0.0);

  if (only == NULL)
    {
      g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
      double code_mb, prose_mb, floor_mb;

      gtk_window_destroy (GTK_WINDOW (window));
      code_mb = run_part (self_path, "code", original_argv);
      prose_mb = run_part (self_path, "prose", original_argv);
      floor_mb = run_part (self_path, "textview", original_argv);
      printf ("code blocks cost %.2f MB over the same amount of prose (%.1f KB per block); "
              "prose %.1fx a bare GtkTextView\n",
              code_mb - prose_mb, n_blocks ? (code_mb - prose_mb) * 1024 / n_blocks : 0.0,
              floor_mb > 0 ? prose_mb / floor_mb : 0.0);
      printf ("goal: a %d KB answer with code blocks adds <= %.1f MB: %s (%.2f MB)\n",
              answer_kb, 12.0 * answer_kb / 1024, code_mb <= 12.0 * answer_kb / 1024 ? "met" : "MISSED", code_mb);
      return 0;
    }

  /* Warm-up: GtkSourceView's language and styles, fonts, glyphs, the list's rows. */
  run_stream (window, CONFAB_CHAT_VIEW (view), conversation, warm_answer, n_warm_blocks, "warm-up");

  if (wanted ("code"))
    {
      code = run_stream (window, CONFAB_CHAT_VIEW (view), conversation, code_answer, n_blocks, "code");
      printf ("code:     heap added %7.2f MB (%5.1f bytes per byte of answer); %u code blocks, "
              "%u GtkSourceViews, %u widgets in the row; %u frames; %.2f MB left after removal\n",
              mb (code.added), (double)code.added / size, code.code_blocks, code.source_views,
              code.widgets, code.frames, mb (code.left));
    }
  if (wanted ("prose"))
    {
      prose = run_stream (window, CONFAB_CHAT_VIEW (view), conversation, prose_answer, 0, "prose");
      printf ("prose:    heap added %7.2f MB (%5.1f bytes per byte of answer); no code blocks, "
              "%u widgets in the row; %u frames; %.2f MB left after removal\n",
              mb (prose.added), (double)prose.added / size, prose.widgets, prose.frames, mb (prose.left));
    }
  if (wanted ("textview"))
    {
      floor_result = run_textview (window, code_answer);
      printf ("textview: heap added %7.2f MB (%5.1f bytes per byte of answer): the same bytes in a bare "
              "GtkTextView\n", mb (floor_result.added), (double)floor_result.added / size);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
