/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SSE reader against the WHATWG "server-sent events" parsing rules. Every input is fed
 * whole, cut once at every byte, cut twice at every pair of bytes (short inputs) and byte by
 * byte: each way must give exactly the same events (and the same error). */
#include "config.h"

#include <string.h>

#include "confab-error.h"
#include "confab-sse-reader.h"

typedef struct
{
  GString *events;
  guint    stop_after;  /* fail the callback at this event (1-based); 0 never */
  guint    count;
} Collector;

static void
append_escaped (GString    *out,
                const char *data,
                gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n')
        g_string_append (out, "\\n");
      else if (data[i] == '\r')
        g_string_append (out, "\\r");
      else if (data[i] == '\0')
        g_string_append (out, "\\0");
      else if (data[i] == '\\')
        g_string_append (out, "\\\\");
      else
        g_string_append_c (out, data[i]);
    }
}

/* Each event as "type|id|data;" with \n, \r, NUL shown escaped. */
static gboolean
collect_event (const ConfabSseEvent  *event,
               gpointer               user_data,
               GError               **error)
{
  Collector *collector = user_data;

  g_assert_nonnull (event->event);
  g_assert_nonnull (event->id);
  g_assert_nonnull (event->data);
  g_assert_cmpint (event->data[event->data_len], ==, '\0');

  collector->count++;
  if (collector->stop_after != 0 && collector->count == collector->stop_after)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL, "stopped at event %u", collector->count);
      return FALSE;
    }

  g_string_append_printf (collector->events, "%s|%s|", event->event, event->id);
  append_escaped (collector->events, event->data, event->data_len);
  g_string_append_c (collector->events, ';');

  return TRUE;
}

typedef struct
{
  gsize    max_line;     /* 0: the default */
  guint    stop_after;
  gboolean check_retry;
  gint64   retry;        /* the retry expected at the end, with check_retry */
} Options;

/* Feeds @input cut at the offsets in @cuts (ascending), then ends it. Returns the events,
 * with " ERROR <code>" appended when the reader failed. */
static char *
run_pieces (const char    *input,
            gsize          len,
            const gsize   *cuts,
            guint          n_cuts,
            const Options *options)
{
  g_autoptr(ConfabSseReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  Collector collector = { g_string_new (NULL), options->stop_after, 0 };
  gsize start = 0;

  reader = confab_sse_reader_new (collect_event, &collector);
  if (options->max_line)
    confab_sse_reader_set_max_line (reader, options->max_line);

  for (guint i = 0; i <= n_cuts && error == NULL; i++)
    {
      gsize end = i < n_cuts ? cuts[i] : len;

      confab_sse_reader_feed (reader, input + start, end - start, &error);
      start = end;
    }

  if (error == NULL)
    confab_sse_reader_end (reader, &error);
  else
    {
      /* Once failed, the reader stays failed with the same error. */
      g_autoptr(GError) again = NULL;

      g_assert_false (confab_sse_reader_feed (reader, "\n\n", 2, &again));
      g_assert_error (again, error->domain, error->code);
    }

  if (error == NULL && options->check_retry)
    g_assert_cmpint (confab_sse_reader_get_retry (reader), ==, options->retry);

  if (error != NULL)
    g_string_append_printf (collector.events, " ERROR %d", error->code);

  return g_string_free (collector.events, FALSE);
}

static void
check_input_full (const char    *input,
                  gsize          len,
                  const char    *expected,
                  const Options *options)
{
  g_autofree char *whole = NULL;
  g_autofree gsize *cuts = NULL;

  whole = run_pieces (input, len, NULL, 0, options);
  g_assert_cmpstr (whole, ==, expected);

  /* One cut at every offset, the empty pieces at both ends included. */
  for (gsize i = 0; i <= len; i++)
    {
      g_autofree char *events = run_pieces (input, len, &i, 1, options);

      if (g_strcmp0 (events, expected) != 0)
        {
          g_test_fail_printf ("cut at %" G_GSIZE_FORMAT ": got '%s', expected '%s'", i, events, expected);
          return;
        }
    }

  /* Two cuts at every pair of offsets, for short inputs. */
  if (len <= 96)
    for (gsize i = 1; i < len; i++)
      for (gsize j = i; j < len; j++)
        {
          gsize pair[2] = { i, j };
          g_autofree char *events = run_pieces (input, len, pair, 2, options);

          if (g_strcmp0 (events, expected) != 0)
            {
              g_test_fail_printf ("cuts at %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT ": got '%s', expected '%s'",
                                  i, j, events, expected);
              return;
            }
        }

  /* Byte by byte. */
  if (len > 1)
    {
      g_autofree char *events = NULL;

      cuts = g_new (gsize, len - 1);
      for (gsize i = 0; i < len - 1; i++)
        cuts[i] = i + 1;
      events = run_pieces (input, len, cuts, len - 1, options);
      g_assert_cmpstr (events, ==, expected);
    }
}

static void
check_input_len (const char *input,
                 gsize       len,
                 const char *expected)
{
  Options options = { 0, };

  check_input_full (input, len, expected, &options);
}

static void
check_input (const char *input,
             const char *expected)
{
  check_input_len (input, strlen (input), expected);
}

/* Line ends */

static void
test_lf_line_ends (void)
{
  check_input ("data: a\n\ndata: b\n\n", "message||a;message||b;");
}

static void
test_crlf_line_ends (void)
{
  check_input ("data: a\r\n\r\ndata: b\r\n\r\n", "message||a;message||b;");
}

static void
test_cr_line_ends (void)
{
  check_input ("data: a\r\rdata: b\r\r", "message||a;message||b;");
}

static void
test_mixed_line_ends (void)
{
  check_input ("data: a\rdata: b\r\ndata: c\n\r\n" "data: d\n\r",
               "message||a\\nb\\nc;message||d;");
}

static void
test_crlf_split_between_cr_and_lf (void)
{
  g_autoptr(ConfabSseReader) reader = NULL;
  Collector collector = { g_string_new (NULL), 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *events = NULL;

  /* Explicitly: the CR ends one feed, its LF starts the next; that is one line end, not two
   * (two would be a blank line and dispatch "a" early, then "b" alone). */
  reader = confab_sse_reader_new (collect_event, &collector);
  g_assert_true (confab_sse_reader_feed (reader, "data: a\r", 8, &error));
  g_assert_true (confab_sse_reader_feed (reader, "\ndata: b\r", 9, &error));
  g_assert_true (confab_sse_reader_feed (reader, "\n\r", 2, &error));
  g_assert_true (confab_sse_reader_feed (reader, "\n", 1, &error));
  g_assert_true (confab_sse_reader_end (reader, &error));
  g_assert_no_error (error);
  events = g_string_free (collector.events, FALSE);
  g_assert_cmpstr (events, ==, "message||a\\nb;");

  check_input ("data: a\r\ndata: b\r\n\r\n", "message||a\\nb;");
}

static void
test_lf_after_cr_only_once (void)
{
  /* CR LF LF: the second LF is a blank line of its own. */
  check_input ("data: a\r\n\ndata: b\r\n\n", "message||a;message||b;");
}

static void
test_cr_cr_is_blank_line (void)
{
  check_input ("data: x\r\r", "message||x;");
}

/* BOM */

static void
test_bom_dropped (void)
{
  check_input ("\xEF\xBB\xBF" "data: a\n\n", "message||a;");
}

static void
test_bom_before_comment (void)
{
  check_input ("\xEF\xBB\xBF" ": hello\n\ndata: a\n\n", "message||a;");
}

static void
test_bom_only_at_start (void)
{
  /* A BOM later on is part of the field name, which is then unknown. */
  check_input ("data: a\n\n\xEF\xBB\xBF" "data: b\n\n", "message||a;");
}

static void
test_only_one_bom_dropped (void)
{
  check_input ("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\n" "data: b\n\n", "message||b;");
}

static void
test_partial_bom_is_kept (void)
{
  /* Two bytes of a BOM are not a BOM: they stay, making the first field unknown. */
  check_input ("\xEF\xBB" "data: a\n\ndata: b\n\n", "message||b;");
  check_input ("\xEF" "data: a\n\ndata: b\n\n", "message||b;");
}

static void
test_bom_alone (void)
{
  check_input ("\xEF\xBB\xBF", "");
}

/* Fields */

static void
test_comment_lines_ignored (void)
{
  check_input (": OPENROUTER PROCESSING\n\n"
               ":\n"
               "data: a\n"
               ": in the middle\n"
               "data: b\n\n",
               "message||a\\nb;");
}

static void
test_one_leading_space_stripped (void)
{
  check_input ("data:  two spaces\n\n", "message|| two spaces;");
}

static void
test_no_space_after_colon (void)
{
  check_input ("data:value\n\n", "message||value;");
}

static void
test_trailing_space_kept (void)
{
  check_input ("data: a \n\n", "message||a ;");
}

static void
test_colon_in_value (void)
{
  check_input ("data: {\"a\":\"b: c\"}\n\n", "message||{\"a\":\"b: c\"};");
}

static void
test_field_without_colon (void)
{
  /* "data" alone is the data field with an empty value: one empty line of data. */
  check_input ("data\n\n", "message||;");
  check_input ("data\ndata\n\n", "message||\\n;");
  check_input ("event\ndata: a\n\n", "message||a;");
}

static void
test_data_lines_joined (void)
{
  check_input ("data: a\ndata: b\ndata: c\n\n", "message||a\\nb\\nc;");
}

static void
test_empty_data_line (void)
{
  check_input ("data:\ndata: x\n\n", "message||\\nx;");
  check_input ("data: \n\n", "message||;");
  check_input ("data: x\ndata:\n\n", "message||x\\n;");
}

static void
test_event_field (void)
{
  /* The type is reset after each dispatch. */
  check_input ("event: ping\ndata: x\n\ndata: y\n\n", "ping||x;message||y;");
  check_input ("event: a\nevent: b\ndata: x\n\n", "b||x;");
  check_input ("event:\ndata: x\n\n", "message||x;");
}

static void
test_event_without_data_not_dispatched (void)
{
  check_input ("event: ping\n\ndata: x\n\n", "message||x;");
}

static void
test_blank_lines_without_data (void)
{
  check_input ("\n\n\r\n\r\r", "");
}

static void
test_id_field (void)
{
  /* The last event id stays from one event to the next. */
  check_input ("id: 7\ndata: a\n\ndata: b\n\n", "message|7|a;message|7|b;");
}

static void
test_id_without_data_persists (void)
{
  check_input ("id: 5\n\ndata: a\n\n", "message|5|a;");
}

static void
test_id_empty_resets (void)
{
  check_input ("id: 1\ndata: a\n\nid\ndata: b\n\nid:\ndata: c\n\n",
               "message|1|a;message||b;message||c;");
}

static void
test_id_with_nul_ignored (void)
{
  static const char input[] = "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n";

  check_input_len (input, sizeof input - 1, "message|1|a;message|1|b;");
}

static void
check_retry (const char *input,
             gint64      retry)
{
  g_autoptr(ConfabSseReader) reader = NULL;
  Collector collector = { g_string_new (NULL), 0, 0 };
  Options options = { 0, 0, TRUE, retry };

  /* Checked at the end of every split too. */
  if (retry >= 0)
    check_input_full (input, strlen (input), "message||x;", &options);

  reader = confab_sse_reader_new (collect_event, &collector);
  g_assert_cmpint (confab_sse_reader_get_retry (reader), ==, -1);
  g_assert_true (confab_sse_reader_feed (reader, input, strlen (input), NULL));
  g_assert_cmpint (confab_sse_reader_get_retry (reader), ==, retry);
  g_string_free (collector.events, TRUE);
}

static void
test_retry_digits (void)
{
  check_retry ("retry: 3000\ndata: x\n\n", 3000);
  check_retry ("retry:0\ndata: x\n\n", 0);
  check_retry ("retry: 10\nretry: 20\ndata: x\n\n", 20);
}

static void
test_retry_not_digits_ignored (void)
{
  check_retry ("retry: 30x0\ndata: x\n\n", -1);
  check_retry ("retry: -1\ndata: x\n\n", -1);
  check_retry ("retry: 1.5\ndata: x\n\n", -1);
  check_retry ("retry:\ndata: x\n\n", -1);
  check_retry ("retry:  12\ndata: x\n\n", -1);
  check_retry ("retry: 99999999999999999999999\ndata: x\n\n", -1);
  check_retry ("retry: 12\nretry: x\ndata: x\n\n", 12);
}

static void
test_unknown_fields_ignored (void)
{
  check_input ("foo: bar\nData: no\nDATA: no\ndat: no\ndataa: no\n"
               "xxxxxxxxxxxxdata: no\ndata: a\n\n",
               "message||a;");
}

static void
test_field_names_exact (void)
{
  /* Names compare whole: "eventx" and "ids" are not "event" and "id". */
  check_input ("eventx: a\nids: 3\ndata: x\n\n", "message||x;");
}

/* Dispatch and the end */

static void
test_pending_event_discarded_at_end (void)
{
  check_input ("data: a\n\ndata: b\n", "message||a;");
  check_input ("data: a\n\ndata: b", "message||a;");
  check_input ("data: a\n\ndata: b\r", "message||a;");
}

static void
test_end_after_blank_line (void)
{
  check_input ("data: a\n\n", "message||a;");
}

static void
test_empty_input (void)
{
  check_input ("", "");
}

/* Bytes */

static void
test_utf8_split_anywhere (void)
{
  check_input ("data: Olá 😀 — ç\n\n", "message||Olá 😀 — ç;");
}

static void
test_nul_in_data_passed_through (void)
{
  static const char input[] = "data: a\0b\n\n";

  check_input_len (input, sizeof input - 1, "message||a\\0b;");
}

static void
test_invalid_utf8_passed_through (void)
{
  check_input ("data: \xff\xfe\xc3\n\n", "message||\xff\xfe\xc3;");
}

/* Limits */

static void
check_limited (const char *input,
               gsize       max_line,
               const char *expected)
{
  Options options = { max_line, 0, FALSE, 0 };

  check_input_full (input, strlen (input), expected, &options);
}

static void
test_line_too_long (void)
{
  g_autofree char *expected = g_strdup_printf ("message||a; ERROR %d", CONFAB_ERROR_LINE_TOO_LONG);

  /* "data: 0123456789" is 16 bytes: at the limit it passes, one over it fails. */
  check_limited ("data: a\n\ndata: 0123456789\n\n", 16, "message||a;message||0123456789;");
  check_limited ("data: a\n\ndata: 0123456789\n\n", 15, expected);
  check_limited ("data: a\r\n\r\ndata: 0123456789\r\n\r\n", 15, expected);
}

static void
test_unfinished_line_too_long (void)
{
  g_autofree char *expected = g_strdup_printf ("message||a; ERROR %d", CONFAB_ERROR_LINE_TOO_LONG);

  /* No line end ever comes: the reader must fail rather than keep buffering. */
  check_limited ("data: a\n\ndata: 0123456789", 15, expected);
  check_limited ("data: a\n\ndata: 012345678", 15, "message||a;");
}

static void
test_comment_too_long (void)
{
  g_autofree char *expected = g_strdup_printf (" ERROR %d", CONFAB_ERROR_LINE_TOO_LONG);

  check_limited (": a long comment line\n\ndata: a\n\n", 8, expected);
}

static void
test_event_too_long (void)
{
  g_autofree char *expected = g_strdup_printf ("message||12\\n34; ERROR %d", CONFAB_ERROR_LINE_TOO_LONG);

  /* Lines within the limit that add up past it in one event fail too. */
  check_limited ("data: 12\ndata: 34\n\ndata: 1234\ndata: 5678\ndata: 9\n\n", 10, expected);
}

static void
test_huge_line_bounded (void)
{
  g_autoptr(ConfabSseReader) reader = NULL;
  Collector collector = { g_string_new (NULL), 0, 0 };
  g_autoptr(GError) error = NULL;
  char block[1024];
  guint fed = 0;

  memset (block, 'x', sizeof block);
  reader = confab_sse_reader_new (collect_event, &collector);
  confab_sse_reader_set_max_line (reader, 64 * 1024);
  g_assert_cmpuint (confab_sse_reader_get_max_line (reader), ==, 64 * 1024);
  g_assert_true (confab_sse_reader_feed (reader, "data: ", 6, NULL));

  /* A line that never ends, fed 1 KB at a time: the error comes as soon as it is over. */
  while (confab_sse_reader_feed (reader, block, sizeof block, &error))
    {
      fed++;
      g_assert_cmpuint (fed, <, 1024);
    }

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_LINE_TOO_LONG);
  g_assert_cmpuint (fed, ==, 63);
  g_string_free (collector.events, TRUE);
}

static void
test_large_event_then_small (void)
{
  GString *input = g_string_new ("data: ");
  g_autofree char *expected = NULL;
  g_autofree char *whole = NULL;
  Options options = { 0, };
  GString *big = g_string_new (NULL);

  /* Buffers that grew for a 300 KB line and event shrink back; what follows is intact. */
  for (guint i = 0; i < 300 * 1024 / 8; i++)
    g_string_append (big, "0123456.");
  g_string_append (input, big->str);
  g_string_append (input, "\n\ndata: small\n\n");
  expected = g_strdup_printf ("message||%s;message||small;", big->str);

  whole = run_pieces (input->str, input->len, NULL, 0, &options);
  g_assert_cmpstr (whole, ==, expected);

  for (gsize piece = 1000; piece < 200000; piece *= 7)
    {
      g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
      g_autofree char *events = NULL;

      for (gsize offset = piece; offset < input->len; offset += piece)
        g_array_append_val (cuts, offset);
      events = run_pieces (input->str, input->len, (gsize *) cuts->data, cuts->len, &options);
      g_assert_cmpstr (events, ==, expected);
    }

  g_string_free (big, TRUE);
  g_string_free (input, TRUE);
}

static void
test_default_max_line (void)
{
  g_autoptr(ConfabSseReader) reader = NULL;
  Collector collector = { g_string_new (NULL), 0, 0 };

  reader = confab_sse_reader_new (collect_event, &collector);
  g_assert_cmpuint (confab_sse_reader_get_max_line (reader), ==, 16 * 1024 * 1024);
  g_assert_cmpuint (CONFAB_SSE_READER_DEFAULT_MAX_LINE, ==, 16 * 1024 * 1024);
  g_string_free (collector.events, TRUE);
}

/* The callback */

static void
test_callback_stops_reader (void)
{
  static const char input[] = "data: a\n\ndata: b\n\ndata: c\n\n";
  g_autofree char *expected = g_strdup_printf ("message||a; ERROR %d", CONFAB_ERROR_PROTOCOL);
  Options options = { 0, 2, FALSE, 0 };

  /* The callback's error comes out of feed, and nothing after that event is read. */
  check_input_full (input, sizeof input - 1, expected, &options);
}

/* A realistic stream */

static void
test_openrouter_stream (void)
{
  check_input (": OPENROUTER PROCESSING\n\n"
               ": OPENROUTER PROCESSING\n\n"
               "data: {\"choices\":[{\"delta\":{\"content\":\"Olá\"}}]}\n\n"
               "data: [DONE]\n\n",
               "message||{\"choices\":[{\"delta\":{\"content\":\"Olá\"}}]};message||[DONE];");
}

static void
test_last_event_id_getter (void)
{
  g_autoptr(ConfabSseReader) reader = NULL;
  Collector collector = { g_string_new (NULL), 0, 0 };

  reader = confab_sse_reader_new (collect_event, &collector);
  g_assert_cmpstr (confab_sse_reader_get_last_event_id (reader), ==, "");
  g_assert_true (confab_sse_reader_feed (reader, "id: abc\n", 8, NULL));
  g_assert_cmpstr (confab_sse_reader_get_last_event_id (reader), ==, "abc");
  g_string_free (collector.events, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sse/lf-line-ends", test_lf_line_ends);
  g_test_add_func ("/sse/crlf-line-ends", test_crlf_line_ends);
  g_test_add_func ("/sse/cr-line-ends", test_cr_line_ends);
  g_test_add_func ("/sse/mixed-line-ends", test_mixed_line_ends);
  g_test_add_func ("/sse/crlf-split-between-cr-and-lf", test_crlf_split_between_cr_and_lf);
  g_test_add_func ("/sse/lf-after-cr-counts-once", test_lf_after_cr_only_once);
  g_test_add_func ("/sse/cr-cr-is-a-blank-line", test_cr_cr_is_blank_line);
  g_test_add_func ("/sse/bom-dropped", test_bom_dropped);
  g_test_add_func ("/sse/bom-before-comment", test_bom_before_comment);
  g_test_add_func ("/sse/bom-only-at-start", test_bom_only_at_start);
  g_test_add_func ("/sse/only-one-bom-dropped", test_only_one_bom_dropped);
  g_test_add_func ("/sse/partial-bom-is-kept", test_partial_bom_is_kept);
  g_test_add_func ("/sse/bom-alone", test_bom_alone);
  g_test_add_func ("/sse/comment-lines-ignored", test_comment_lines_ignored);
  g_test_add_func ("/sse/one-leading-space-stripped", test_one_leading_space_stripped);
  g_test_add_func ("/sse/no-space-after-colon", test_no_space_after_colon);
  g_test_add_func ("/sse/trailing-space-kept", test_trailing_space_kept);
  g_test_add_func ("/sse/colon-in-value", test_colon_in_value);
  g_test_add_func ("/sse/field-without-colon-has-empty-value", test_field_without_colon);
  g_test_add_func ("/sse/data-lines-joined-with-lf", test_data_lines_joined);
  g_test_add_func ("/sse/empty-data-line", test_empty_data_line);
  g_test_add_func ("/sse/event-field", test_event_field);
  g_test_add_func ("/sse/event-without-data-not-dispatched", test_event_without_data_not_dispatched);
  g_test_add_func ("/sse/blank-lines-without-data-dispatch-nothing", test_blank_lines_without_data);
  g_test_add_func ("/sse/id-field-persists", test_id_field);
  g_test_add_func ("/sse/id-without-data-persists", test_id_without_data_persists);
  g_test_add_func ("/sse/id-empty-resets", test_id_empty_resets);
  g_test_add_func ("/sse/id-with-nul-ignored", test_id_with_nul_ignored);
  g_test_add_func ("/sse/last-event-id-getter", test_last_event_id_getter);
  g_test_add_func ("/sse/retry-digits", test_retry_digits);
  g_test_add_func ("/sse/retry-not-digits-ignored", test_retry_not_digits_ignored);
  g_test_add_func ("/sse/unknown-fields-ignored", test_unknown_fields_ignored);
  g_test_add_func ("/sse/field-names-compare-whole", test_field_names_exact);
  g_test_add_func ("/sse/pending-event-discarded-at-end", test_pending_event_discarded_at_end);
  g_test_add_func ("/sse/end-after-blank-line", test_end_after_blank_line);
  g_test_add_func ("/sse/empty-input", test_empty_input);
  g_test_add_func ("/sse/utf8-split-anywhere", test_utf8_split_anywhere);
  g_test_add_func ("/sse/nul-in-data-passed-through", test_nul_in_data_passed_through);
  g_test_add_func ("/sse/invalid-utf8-passed-through", test_invalid_utf8_passed_through);
  g_test_add_func ("/sse/line-too-long", test_line_too_long);
  g_test_add_func ("/sse/unfinished-line-too-long", test_unfinished_line_too_long);
  g_test_add_func ("/sse/comment-too-long", test_comment_too_long);
  g_test_add_func ("/sse/event-data-too-long", test_event_too_long);
  g_test_add_func ("/sse/huge-line-fails-without-growing", test_huge_line_bounded);
  g_test_add_func ("/sse/large-event-then-small", test_large_event_then_small);
  g_test_add_func ("/sse/default-max-line-16-mb", test_default_max_line);
  g_test_add_func ("/sse/callback-stops-reader", test_callback_stops_reader);
  g_test_add_func ("/sse/openrouter-stream", test_openrouter_stream);

  return g_test_run ();
}
