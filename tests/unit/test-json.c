/* SPDX-License-Identifier: GPL-3.0-or-later */
/* JSON written by others: numbers that become integers (never an undefined conversion),
 * the nesting limit checked before json-glib recurses, escapes that are not text, and the
 * MCP client fed such messages. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-mcp-server.h"
#include "confab-mcp-server-private.h"
#include "confab-tool-call.h"
#include "confab-test-util.h"

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (_confab_json_parser_load_untrusted (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_int_conversion (void)
{
  /* -32E602 and 1e400 are ±inf to json-glib; a cast of them, NaN or 3e43 is undefined. */
  g_autoptr(JsonObject) object = parse_object (
    "{\"minus_inf\": -32E602, \"inf\": 1e400, \"big\": 3e43, \"frac\": 1.5, \"whole\": 2.0,"
    " \"int\": -7, \"max\": 9223372036854775807, \"edge\": 9223372036854775808.0,"
    " \"min\": -9223372036854775808.0, \"text\": \"5\", \"null\": null}");
  gint64 value = 0;

  g_assert_cmpint (_confab_json_get_int (object, "minus_inf", 42), ==, 42);
  g_assert_cmpint (_confab_json_get_int (object, "inf", 42), ==, 42);
  g_assert_cmpint (_confab_json_get_int (object, "big", 42), ==, 42);
  g_assert_cmpint (_confab_json_get_int (object, "frac", 42), ==, 42);
  g_assert_cmpint (_confab_json_get_int (object, "whole", 42), ==, 2);
  g_assert_cmpint (_confab_json_get_int (object, "int", 42), ==, -7);
  g_assert_cmpint (_confab_json_get_int (object, "max", 42), ==, G_MAXINT64);
  g_assert_cmpint (_confab_json_get_int (object, "edge", 42), ==, 42);
  g_assert_cmpint (_confab_json_get_int (object, "min", 42), ==, G_MININT64);
  g_assert_cmpint (_confab_json_get_int (object, "text", 42), ==, 42);
  g_assert_cmpint (_confab_json_get_int (object, "null", 42), ==, 42);
  g_assert_cmpint (_confab_json_get_int (object, "missing", 42), ==, 42);

  /* Ranges: an int that fits a gint64 but not the caller's type is refused too. */
  g_assert_cmpint (_confab_json_get_int_range (object, "int", 0, G_MAXINT, 1), ==, 1);
  g_assert_cmpint (_confab_json_get_int_range (object, "max", G_MININT, G_MAXINT, 1), ==, 1);

  g_assert_false (_confab_json_double_to_int (NAN, G_MININT64, G_MAXINT64, &value));
  g_assert_false (_confab_json_double_to_int (-INFINITY, G_MININT64, G_MAXINT64, &value));
  g_assert_false (_confab_json_double_to_int (0.5, G_MININT64, G_MAXINT64, &value));
  g_assert_true (_confab_json_double_to_int (-0.0, 0, 10, &value));
  g_assert_cmpint (value, ==, 0);
}

static void
test_depth_check (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *deep = g_strnfill (CONFAB_JSON_MAX_DEPTH + 1, '[');
  g_autofree char *limit = g_strnfill (CONFAB_JSON_MAX_DEPTH, '[');
  g_autofree char *in_string = g_strdup_printf ("{\"a\": \"%s\\\"%s\"}", deep, deep);
  g_autofree char *after_string = g_strdup_printf ("[\"\\\\\", %s", deep);
  g_autofree char *in_comment = g_strdup_printf ("{\"a\": /* \" */ %s /* \" */ }", deep);
  g_autofree char *single = g_strdup_printf ("{'a': '\"', \"b\": %s", deep);
  /* json-glib's \u takes four characters, a quote too: its string ends a quote later. */
  g_autofree char *short_escape = g_strdup_printf ("[\"\\u12\",\" , %s", deep);

  g_assert_true (_confab_json_check_depth (limit, strlen (limit), &error));
  g_assert_no_error (error);
  g_assert_true (_confab_json_check_depth (in_string, strlen (in_string), &error));
  g_assert_no_error (error);

  g_assert_false (_confab_json_check_depth (deep, strlen (deep), &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "512"));
  g_clear_error (&error);

  /* An escaped backslash ends nothing: the string closes after it. */
  g_assert_false (_confab_json_check_depth (after_string, strlen (after_string), &error));
  g_clear_error (&error);

  /* json-glib reads comments and single quotes: a quote in them must not hide brackets. */
  g_assert_false (_confab_json_check_depth (in_comment, strlen (in_comment), &error));
  g_clear_error (&error);
  g_assert_false (_confab_json_check_depth (single, strlen (single), &error));
  g_clear_error (&error);
  g_assert_false (_confab_json_check_depth (short_escape, strlen (short_escape), &error));
  g_clear_error (&error);
}

static void
test_single_value (void)
{
  static const struct { const char *text; gboolean single; } cases[] = {
    { "{\"a\": 1}", TRUE },
    { "  [1, [2], {\"b\": [3]}]\n", TRUE },
    { "{\"a\": \"}{\"}", TRUE },
    { "{\"a\": \"\\\"}{\"}", TRUE },
    { "\"text\"", TRUE },
    { "42", TRUE },
    { "", TRUE },
    { "{\"a\": 1} /* note */ ", TRUE },
    { "{'a\"': 1}", TRUE },
    { "{\"a\": /* } */ 1}", TRUE },
    { "{\"a\": 1}{\"b\": 2}", FALSE },
    { "[1]\n[2]", FALSE },
    { "2{\"a\": 1}", FALSE },
    { "\"a\" [1]", FALSE },
    { "{\"a\": 1} /* } */ {}", FALSE },
    /* A quote in a single-quoted string or a comment hides nothing. */
    { "{'a\"': 1}{}", FALSE },
    { "{\"a\": /* \" */ 1}{}", FALSE },
    { "{'}': 1}{}", FALSE },
    { "{\"a\": 1} x", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean single = _confab_json_check_single_value (cases[i].text, strlen (cases[i].text), &error);

      g_test_message ("%s", cases[i].text);
      g_assert_cmpint (single, ==, cases[i].single);
      if (!single)
        g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
    }
}

/* json-glib 1.6 reads "{…}{…}" as its first object (and leaks the second): the untrusted
 * loader refuses it, so a tool never runs with half of what was sent. */
static void
test_untrusted_refuses_second_value (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_true (json_parser_load_from_data (parser, "{\"a\": 1}{\"b\": 2}", -1, NULL));
  g_assert_false (_confab_json_parser_load_untrusted (parser, "{\"a\": 1}{\"b\": 2}", -1, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
  g_clear_error (&error);

  g_assert_null (_confab_json_from_untrusted ("[1] [2]", &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (_confab_json_from_untrusted ("  ", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  node = _confab_json_from_untrusted ("{\"a\": [1, 2]}", &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
}

static void
test_deep_document_does_not_crash (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *brackets = g_strnfill (80000, '[');
  const char *prefixes[] = { "", "[\"\\u12\",\" , ", "[\"\\ud800\",\" , ", "{'a': '\"', \"b\": " };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *deep = g_strconcat (prefixes[i], brackets, NULL);

      /* Refused (too deep, or an open string once the lone surrogate is read as U+FFFD),
       * never parsed to a stack overflow. */
      g_assert_false (_confab_json_parser_load_untrusted (parser, deep, -1, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
}

static void
test_sanitize_escapes (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "\"plain \\n \\\" text\"", NULL },
    { "\"\\ud83d\\ude00\"", NULL },
    { "\"\\ud800\"", "\"\\ufffd\"" },
    { "\"a\\ud800b\"", "\"a\\ufffdb\"" },
    { "\"\\udc00\"", "\"\\ufffd\"" },
    { "\"\\uD800\\u0041\"", "\"\\ufffd\\u0041\"" },
    { "\"\\ud83d\\ud83d\\ude00\"", "\"\\ufffd\\ud83d\\ude00\"" },
    { "\"a\\u0000b\"", "\"a\\ufffdb\"" },
    { "\"\\\\ud800 \\\\u0000\"", NULL },
    { "\"\\u00\"", NULL },
    { "\"\\", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = 0;
      g_autofree char *out = _confab_json_sanitize_escapes (cases[i].in, strlen (cases[i].in), &len, NULL);

      g_assert_cmpstr (out, ==, cases[i].out);
      if (out != NULL)
        g_assert_cmpuint (len, ==, strlen (out));
    }

  /* A \u without four hex digits is not JSON: json-glib would read it its own way (a quote
   * with it) and leak memory; refused before it sees it. */
  {
    const char *short_escapes[] = { "{\"a\": \"\\u12\"}", "[\"\\u\", 1]", "\"\\ud83\"\\ud83d\"\"" };

    for (guint i = 0; i < G_N_ELEMENTS (short_escapes); i++)
      {
        g_autoptr(JsonParser) parser = json_parser_new ();
        g_autoptr(GError) error = NULL;

        g_assert_false (_confab_json_parser_load_untrusted (parser, short_escapes[i], -1, &error));
        g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA);
      }
  }

  /* Through json-glib: valid UTF-8, and what follows a NUL escape stays. */
  {
    g_autoptr(JsonObject) object = parse_object ("{\"a\": \"x\\ud800y\\u0000z\\udc00\"}");

    g_assert_cmpstr (_confab_json_get_string (object, "a", NULL), ==,
                     "x\xef\xbf\xbdy\xef\xbf\xbdz\xef\xbf\xbd");
  }
}

static void
test_deep_tool_call_arguments (void)
{
  /* A model's arguments nested 80,000 levels: the call is refused as having bad arguments,
   * before json-glib recurses. */
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  g_autofree char *deep = g_strnfill (80000, '[');
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  confab_tool_call_set_name (call, "echo");
  confab_tool_call_append_arguments (call, deep, -1);
  node = confab_tool_call_parse_arguments (call, &error);

  g_assert_null (node);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TOOL);
  g_assert_nonnull (strstr (error->message, "512"));
}

/* The MCP client, fed a server's output without a process (as fuzz-mcp does). */

typedef struct
{
  gboolean  done;
  JsonNode *result;
  GError   *error;
} CallResult;

static void
on_call_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallResult *call = user_data;

  call->result = confab_mcp_server_call_tool_finish (CONFAB_MCP_SERVER (object), result, &call->error);
  call->done = TRUE;
}

static void
feed_and_wait (ConfabMcpServer *server,
               const char      *output,
               CallResult      *call)
{
  _confab_mcp_server_feed (server, (const guint8 *) output, strlen (output));
  CONFAB_TEST_WAIT_FOR (call->done, 10000);
}

static ConfabMcpServer *
start_call (CallResult *call)
{
  const char * const argv[] = { "test-server", "--stdio", NULL };
  g_autoptr(JsonNode) arguments = json_from_string ("{}", NULL);
  ConfabMcpServer *server = confab_mcp_server_new ("test", argv, NULL);

  _confab_mcp_server_start_detached (server);
  confab_mcp_server_call_tool_async (server, "read_file", arguments, NULL, on_call_done, call);

  return server;
}

static void
test_mcp_error_code_out_of_range (void)
{
  /* The input fuzz-mcp found: -32E602 is -inf; the call fails with the server's message. */
  CallResult call = { 0 };
  g_autoptr(ConfabMcpServer) server = start_call (&call);

  feed_and_wait (server, "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32E602,\"message\":\"no such file\"}}\n", &call);

  g_assert_error (call.error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (call.error->message, "no such file (0)"));
  g_assert_null (call.result);
  g_clear_error (&call.error);
  confab_mcp_server_stop (server);
}

static void
test_mcp_deep_message (void)
{
  /* An answer nested 80,000 levels: refused with a clear error, no crash. */
  CallResult call = { 0 };
  g_autoptr(ConfabMcpServer) server = start_call (&call);
  GString *line = g_string_new ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":");

  for (guint i = 0; i < 80000; i++)
    g_string_append (line, "{\"a\":");
  g_string_append (line, "1");
  for (guint i = 0; i < 80000; i++)
    g_string_append_c (line, '}');
  g_string_append (line, "}\n");

  feed_and_wait (server, line->str, &call);

  g_assert_error (call.error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (call.error->message, "512"));
  g_assert_null (call.result);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_FAILED);
  g_assert_nonnull (strstr (confab_mcp_server_get_error (server), "512"));
  g_clear_error (&call.error);
  g_string_free (line, TRUE);
  confab_mcp_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/int-conversion", test_int_conversion);
  g_test_add_func ("/json/depth-check", test_depth_check);
  g_test_add_func ("/json/single-value", test_single_value);
  g_test_add_func ("/json/untrusted-refuses-second-value", test_untrusted_refuses_second_value);
  g_test_add_func ("/json/deep-document-does-not-crash", test_deep_document_does_not_crash);
  g_test_add_func ("/json/sanitize-escapes", test_sanitize_escapes);
  g_test_add_func ("/json/deep-tool-call-arguments", test_deep_tool_call_arguments);
  g_test_add_func ("/json/mcp-error-code-out-of-range", test_mcp_error_code_out_of_range);
  g_test_add_func ("/json/mcp-deep-message", test_mcp_deep_message);

  return g_test_run ();
}
