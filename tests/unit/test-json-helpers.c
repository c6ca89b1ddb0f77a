/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-json-helpers"

/* The lenient JSON readers (confab-json-private.h) on what servers really send. */

#include "confab-json-private.h"

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-helpers/int-from-numbers", test_int_from_numbers);
  g_test_add_func ("/json-helpers/int-out-of-range", test_int_out_of_range);

  return g_test_run ();
}
