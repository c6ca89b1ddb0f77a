/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-json-schema"

#include "config.h"

#include <gio/gio.h>

#include "confab-json-schema.h"

/* The add tool's schema, as the test MCP server (and the recorded requests) declare it. */
#define ADD_SCHEMA "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}"

static char *
check (const char *schema,
       const char *instance)
{
  g_autoptr(JsonNode) s = schema ? json_from_string (schema, NULL) : NULL;
  g_autoptr(JsonNode) i = json_from_string (instance, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (i);
  if (confab_json_schema_validate (s, i, &error))
    {
      g_assert_no_error (error);
      return NULL;
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  return g_strdup (error->message);
}

#define assert_valid(schema, instance) g_assert_null (check ((schema), (instance)))
#define assert_invalid(schema, instance, message)                 \
  G_STMT_START {                                                  \
    g_autofree char *_m = check ((schema), (instance));           \
    g_assert_cmpstr (_m, ==, (message));                          \
  } G_STMT_END

static void
test_tool_arguments (void)
{
  assert_valid (ADD_SCHEMA, "{\"a\":2,\"b\":3}");
  assert_valid (ADD_SCHEMA, "{\"a\":2,\"b\":3.0}");
  assert_invalid (ADD_SCHEMA, "{\"a\":2}", "b: is required");
  assert_invalid (ADD_SCHEMA, "{\"a\":2,\"b\":\"3\"}", "b: must be an integer");
  assert_invalid (ADD_SCHEMA, "{\"a\":2.5,\"b\":3}", "a: must be an integer");
  assert_invalid (ADD_SCHEMA, "[2,3]", "the arguments: must be an object");
  /* Unknown members pass unless the schema forbids them. */
  assert_valid (ADD_SCHEMA, "{\"a\":2,\"b\":3,\"c\":4}");
  assert_invalid ("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}", "{\"c\":4}",
                  "c: is not a known argument");
}

static void
test_keywords (void)
{
  assert_invalid ("{\"enum\":[\"celsius\",\"fahrenheit\"]}", "\"kelvin\"", "the arguments: is not one of the allowed values");
  assert_valid ("{\"type\":[\"string\",\"null\"]}", "null");
  assert_invalid ("{\"type\":[\"string\",\"null\"]}", "1", "the arguments: must be one of: string, null");
  assert_invalid ("{\"type\":\"number\",\"minimum\":0}", "-1", "the arguments: must be at least 0");
  assert_invalid ("{\"type\":\"number\",\"exclusiveMaximum\":10}", "10", "the arguments: must be less than 10");
  assert_invalid ("{\"type\":\"string\",\"minLength\":2}", "\"é\"", "the arguments: is too short (at least 2)");
  assert_invalid ("{\"type\":\"object\",\"properties\":{\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}",
                  "{\"tags\":[\"a\",2]}", "tags[1]: must be a string");
  /* What it does not know, it accepts; no schema accepts everything. */
  assert_valid ("{\"oneOf\":[{\"type\":\"string\"}]}", "1");
  assert_valid (NULL, "{\"anything\":true}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-schema/tool-arguments", test_tool_arguments);
  g_test_add_func ("/json-schema/keywords", test_keywords);

  return g_test_run ();
}
