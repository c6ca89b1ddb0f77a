/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-json-helpers"

/* The lenient JSON readers (confab-json-private.h) on what servers really send. */

#include <string.h>

#include "confab-json-private.h"
#include "confab-json-stream-private.h"

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_int_from_numbers (void)
{
  g_autoptr(JsonObject) object = parse_object ("{\"a\": -32601, \"b\": 42.0, \"c\": \"7\", \"d\": null}");

  g_assert_cmpint (_confab_json_get_int (object, "a", 0), ==, -32601);
  g_assert_cmpint (_confab_json_get_int (object, "b", 0), ==, 42);
  g_assert_cmpint (_confab_json_get_int (object, "c", 5), ==, 5);
  g_assert_cmpint (_confab_json_get_int (object, "d", 5), ==, 5);
  g_assert_cmpint (_confab_json_get_int (object, "missing", 5), ==, 5);
}

/* A double out of gint64's range gives the default, not undefined behaviour (fuzz-mcphttp:
 * a JSON-RPC error code of -32e615). */
static void
test_int_out_of_range (void)
{
  g_autoptr(JsonObject) object = parse_object ("{\"huge\": 1e300, \"tiny\": -32e615, \"edge\": 9223372036854775808.0,"
                                               " \"fits\": -9223372036854775808.0}");

  g_assert_cmpint (_confab_json_get_int (object, "huge", 7), ==, 7);
  g_assert_cmpint (_confab_json_get_int (object, "tiny", 7), ==, 7);
  g_assert_cmpint (_confab_json_get_int (object, "edge", 7), ==, 7);
  g_assert_cmpint (_confab_json_get_int (object, "fits", 7), ==, G_MININT64);
}

/* The yajl adapter (confab-json-stream.c): its events, in order, as a log. */

typedef struct
{
  GString *log;
  int      stop_at;     /* the event that returns FALSE (-1: none) */
  int      n_events;
} EventLog;

static gboolean
log_event (EventLog   *log,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
log_event (EventLog   *log,
           const char *format,
           ...)
{
  va_list args;

  if (log->log->len > 0)
    g_string_append_c (log->log, ' ');
  va_start (args, format);
  g_string_append_vprintf (log->log, format, args);
  va_end (args);

  return log->n_events++ != log->stop_at;
}

static gboolean ev_null (gpointer d) { return log_event (d, "null"); }
static gboolean ev_boolean (gpointer d, gboolean v) { return log_event (d, "%s", v ? "true" : "false"); }
static gboolean ev_number (gpointer d, const char *t, gsize n) { return log_event (d, "n:%.*s", (int) n, t); }
static gboolean ev_string (gpointer d, const char *t, gsize n) { return log_event (d, "s:%.*s", (int) n, t); }
static gboolean ev_start_object (gpointer d) { return log_event (d, "{"); }
static gboolean ev_key (gpointer d, const char *t, gsize n) { return log_event (d, "k:%.*s", (int) n, t); }
static gboolean ev_end_object (gpointer d) { return log_event (d, "}"); }
static gboolean ev_start_array (gpointer d) { return log_event (d, "["); }
static gboolean ev_end_array (gpointer d) { return log_event (d, "]"); }

static const ConfabJsonEvents log_events = {
  ev_null, ev_boolean, ev_number, ev_string, ev_start_object, ev_key, ev_end_object,
  ev_start_array, ev_end_array,
};

static void
test_event_parser (void)
{
  EventLog log = { g_string_new (NULL), -1, 0 };
  g_autoptr(ConfabJsonEventParser) parser = _confab_json_event_parser_new (&log_events, CONFAB_JSON_EVENTS_DEFAULT, &log);
  const char *doc = "{\"a\": [1, -2.5e3, \"x\\u00e9\"], \"b\": {\"c\": null, \"d\": true}}";
  g_autofree char *error = NULL;
  gsize half = 13;   /* inside the number -2.5e3 */

  /* Fed in two blocks, split inside a token: the same events. */
  g_assert_true (_confab_json_event_parser_feed (parser, doc, half));
  g_assert_true (_confab_json_event_parser_feed (parser, doc + half, strlen (doc) - half));
  g_assert_true (_confab_json_event_parser_finish (parser));
  g_assert_cmpstr (log.log->str, ==, "{ k:a [ n:1 n:-2.5e3 s:x\xc3\xa9 ] k:b { k:c null k:d true } }");

  /* A new document after a reset; one that ends early fails at the end. */
  g_string_truncate (log.log, 0);
  _confab_json_event_parser_reset (parser);
  g_assert_true (_confab_json_event_parser_feed (parser, "[1,", 3));
  g_assert_false (_confab_json_event_parser_finish (parser));
  g_assert_cmpstr (log.log->str, ==, "[ n:1");

  /* Not well formed: where it stopped, and why. */
  _confab_json_event_parser_reset (parser);
  g_assert_false (_confab_json_event_parser_feed (parser, "{\"a\" 1}", 7));
  g_assert_cmpuint (_confab_json_event_parser_get_offset (parser), <=, 7);
  error = _confab_json_event_parser_get_error (parser);
  g_assert_nonnull (error);
  g_assert_cmpstr (error, !=, "");

  /* A callback returning FALSE stops the parse there. */
  g_string_truncate (log.log, 0);
  _confab_json_event_parser_reset (parser);
  log.n_events = 0;
  log.stop_at = 1;
  g_assert_false (_confab_json_event_parser_feed (parser, "[true, false, null]", 19));
  g_assert_cmpstr (log.log->str, ==, "[ true");

  g_string_free (log.log, TRUE);
}

/* Invalid UTF-8 in a string: refused, unless the caller checked the text (then it is the
 * caller's: the chunk reader checks the whole event with GLib first). */
static void
test_event_parser_utf8 (void)
{
  EventLog log = { g_string_new (NULL), -1, 0 };
  const char doc[] = "[\"\xff\"]";
  g_autoptr(ConfabJsonEventParser) strict = _confab_json_event_parser_new (&log_events, CONFAB_JSON_EVENTS_DEFAULT, &log);
  g_autoptr(ConfabJsonEventParser) trusting = _confab_json_event_parser_new (&log_events, CONFAB_JSON_EVENTS_TEXT_VALIDATED, &log);

  g_assert_false (_confab_json_event_parser_feed (strict, doc, sizeof doc - 1) &&
                  _confab_json_event_parser_finish (strict));
  g_assert_true (_confab_json_event_parser_feed (trusting, doc, sizeof doc - 1));
  g_assert_true (_confab_json_event_parser_finish (trusting));

  g_string_free (log.log, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-helpers/int-from-numbers", test_int_from_numbers);
  g_test_add_func ("/json-helpers/int-out-of-range", test_int_out_of_range);
  g_test_add_func ("/json-helpers/event-parser", test_event_parser);
  g_test_add_func ("/json-helpers/event-parser-utf8", test_event_parser_utf8);

  return g_test_run ();
}
