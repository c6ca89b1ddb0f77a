/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-test-mcp-server"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <json-glib/json-glib.h>

/* A small MCP server over stdio for the tests: newline-delimited JSON-RPC 2.0 on
 * stdin/stdout, diagnostics on stderr. It offers the seed tools of the cassettes with
 * their exact names, descriptions and schemas, and misbehaves on request:
 *
 *   --tools LIST          offer only these tools (comma-separated; default all)
 *   --fail-tool NAME      calls of NAME answer isError: true
 *   --die-on-call         exit with status 3 when a tool is called
 *   --hang-on-call        never answer tools/call (but keep reading)
 *   --garbage             answer tools/call with a line that is not JSON
 *   --list-changed        after the first call, send notifications/tools/list_changed and
 *                         offer one more tool, "echo"
 *   --paginate            tools/list answers one tool per page, with nextCursor
 *   --stderr-log          write log lines to stderr, and an MCP log notification per call
 *   --image               tool results carry an image item after the text
 *   --ping                before answering a tool call, ping the client and wait for its answer
 *   --protocol-version V  answer initialize with V
 *   --exit-at-start N     exit with status N before reading anything
 *   --name-prefix P       offer the tools as P + name (say "my.tools/weather")
 *   --progress            before answering a tool call, report progress 1 and 2 of 4 with a
 *                         message (notifications/progress with the call's progressToken)
 *   --progress-unknown    the same, without a total: progress 3, "Still working"
 *   --annotations         tools/list gives annotations: weather reads only and reaches the
 *                         world; add and multiply may destroy, and stay closed
 *   --rich                tool results also carry an embedded text resource and
 *                         structuredContent ({"temperature": 40, "unit": "C"})
 *   --elicit              before answering a tool call, ask the user (elicitation/create) for
 *                         a name (string, required), an age (integer 0–150), a subscription
 *                         (boolean, default true) and a colour (enum); the call's text is the
 *                         client's answer as JSON
 *
 * It also offers a resource template weather://{city}/today{?units}, subscriptions (after
 * resources/subscribe to file:///notes.md the notes change at once, with
 * notifications/resources/updated), and two resources (file:///forecast.txt, file:///notes.md; one per page with
 * --paginate) and a prompt "summarize" (arguments text, required, and style). It reads,
 * without listing it (unless --image-resource), file:///dot.png: a 1×1 PNG as a blob.
 *
 * Whatever the mode, it logs "cancelled request ID: REASON" to stderr when the client
 * sends notifications/cancelled, and checks the client follows the handshake. */

static const char *weather_schema =
  "{\"properties\":{\"location\":{\"description\":\"the city\",\"type\":\"string\"}},"
  "\"required\":[\"location\"],\"type\":\"object\"}";
static const char *number_schema =
  "{\"properties\":{\"a\":{\"description\":\"first number\",\"type\":\"integer\"},"
  "\"b\":{\"description\":\"second number\",\"type\":\"integer\"}},"
  "\"required\":[\"a\",\"b\"],\"type\":\"object\"}";
static const char *echo_schema =
  "{\"properties\":{\"text\":{\"description\":\"what to echo\",\"type\":\"string\"}},"
  "\"required\":[\"text\"],\"type\":\"object\"}";

/* 1x1 transparent PNG */
static const char *png_base64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

typedef struct
{
  const char *name;
  const char *description;
  const char *schema;
} ToolInfo;

static const ToolInfo all_tools[] = {
  { "weather", "Get weather information for a location", NULL },
  { "add", "Add two numbers", NULL },
  { "multiply", "Multiply two numbers", NULL },
};

static const ToolInfo echo_tool = { "echo", "Echo the text back", NULL };

static char *opt_tools;
static char *opt_fail_tool;
static gboolean opt_die_on_call;
static gboolean opt_hang_on_call;
static gboolean opt_garbage;
static gboolean opt_list_changed;
static gboolean opt_paginate;
static gboolean opt_stderr_log;
static gboolean opt_image;
static gboolean opt_ping;
static char *opt_protocol_version;
static int opt_exit_at_start = -1;
static char *opt_name_prefix;
static gboolean opt_elicit;
static gboolean opt_progress;
static gboolean opt_annotations;
static gboolean opt_rich;
static gboolean opt_image_resource;
static gboolean opt_progress_unknown;

static gboolean initialized;
static gboolean list_changed_sent;
static guint n_calls;

static GOutputStream *out;
static GDataInputStream *in;

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
log_line (const char *format,
          ...) G_GNUC_PRINTF (1, 2);

static void
log_line (const char *format,
          ...)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list args;

  /* One write per line, as a well-behaved server does. */
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strdup_printf ("test-mcp-server: %s\n", message);
  fputs (line, stderr);
  fflush (stderr);
}

static void
write_line (const char *text)
{
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all (out, text, strlen (text), NULL, NULL, &error) ||
      !g_output_stream_write_all (out, "\n", 1, NULL, NULL, &error) ||
      !g_output_stream_flush (out, NULL, &error))
    {
      log_line ("could not write: %s", error->message);
      exit (1);
    }
}

static void
write_node (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  write_line (text);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    g_error ("bad built-in JSON: %s", text);

  return json_node_copy (json_parser_get_root (parser));
}

static void
send_result (JsonNode *id,
             JsonNode *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) message = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  json_builder_add_value (builder, json_node_copy (id));
  json_builder_set_member_name (builder, "result");
  json_builder_add_value (builder, result);
  json_builder_end_object (builder);

  message = json_builder_get_root (builder);
  write_node (message);
}

static void
send_error (JsonNode   *id,
            int         code,
            const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) message = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  json_builder_add_value (builder, json_node_copy (id));
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  message = json_builder_get_root (builder);
  write_node (message);
}

static gboolean
tool_offered (const char *name)
{
  g_auto(GStrv) names = NULL;

  if (opt_tools != NULL)
    names = g_strsplit (opt_tools, ",", -1);

  /* echo comes with --list-changed after the first call, or when asked for by name. */
  if (g_str_equal (name, "echo"))
    return list_changed_sent || (names != NULL && g_strv_contains ((const char * const *)names, name));

  return names == NULL || g_strv_contains ((const char * const *)names, name);
}

static GPtrArray *
offered_tools (void)
{
  GPtrArray *tools = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (all_tools); i++)
    if (tool_offered (all_tools[i].name))
      g_ptr_array_add (tools, (gpointer)&all_tools[i]);

  if (tool_offered ("echo"))
    g_ptr_array_add (tools, (gpointer)&echo_tool);

  return tools;
}

static const char *
schema_of (const ToolInfo *tool)
{
  if (g_str_equal (tool->name, "weather"))
    return weather_schema;
  if (g_str_equal (tool->name, "echo"))
    return echo_schema;
  return number_schema;
}

static void
handle_initialize (JsonNode   *id,
                   JsonObject *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  JsonObject *client_info;
  const char *version;

  version = params ? json_object_get_string_member_with_default (params, "protocolVersion", NULL) : NULL;
  client_info = get_object (params, "clientInfo");

  if (version == NULL || client_info == NULL ||
      !json_object_has_member (params, "capabilities") ||
      g_strcmp0 (json_object_get_string_member_with_default (client_info, "name", NULL), "Confab") != 0)
    {
      send_error (id, -32602, "initialize needs protocolVersion, capabilities and clientInfo");
      return;
    }

  log_line ("client %s %s speaks %s",
            json_object_get_string_member_with_default (client_info, "name", "?"),
            json_object_get_string_member_with_default (client_info, "version", "?"),
            version);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocolVersion");
  json_builder_add_string_value (builder, opt_protocol_version ? opt_protocol_version : version);
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tools");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "listChanged");
  json_builder_add_boolean_value (builder, opt_list_changed);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "resources");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "subscribe");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "prompts");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "serverInfo");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "confab-test-mcp-server");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  send_result (id, json_builder_get_root (builder));
}

static void
handle_tools_list (JsonNode   *id,
                   JsonObject *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) tools = offered_tools ();
  guint first = 0, last = tools->len;

  if (opt_paginate)
    {
      const char *cursor = params ? json_object_get_string_member_with_default (params, "cursor", NULL) : NULL;

      first = cursor ? (guint)g_ascii_strtoull (cursor, NULL, 10) : 0;
      last = MIN (first + 1, tools->len);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tools");
  json_builder_begin_array (builder);
  for (guint i = first; i < last; i++)
    {
      const ToolInfo *tool = tools->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      if (opt_name_prefix != NULL)
        {
          g_autofree char *prefixed = g_strconcat (opt_name_prefix, tool->name, NULL);
          json_builder_add_string_value (builder, prefixed);
        }
      else
        json_builder_add_string_value (builder, tool->name);
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, tool->description);
      json_builder_set_member_name (builder, "inputSchema");
      json_builder_add_value (builder, parse (schema_of (tool)));
      if (opt_annotations)
        {
          json_builder_set_member_name (builder, "annotations");
          json_builder_add_value (builder,
                                  parse (g_str_equal (tool->name, "weather")
                                           ? "{\"readOnlyHint\":true,\"openWorldHint\":true}"
                                           : "{\"readOnlyHint\":false,\"destructiveHint\":true,\"openWorldHint\":false}"));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  if (last < tools->len)
    {
      g_autofree char *next = g_strdup_printf ("%u", last);

      json_builder_set_member_name (builder, "nextCursor");
      json_builder_add_string_value (builder, next);
    }
  json_builder_end_object (builder);

  send_result (id, json_builder_get_root (builder));
}

static gboolean
get_int_argument (JsonObject *arguments,
                  const char *name,
                  gint64     *value)
{
  JsonNode *node = arguments ? json_object_get_member (arguments, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  *value = json_node_get_int (node);
  return TRUE;
}

static void handle_line (const char *line);

/* Sends a ping and handles lines until its answer arrives. */
static void
ping_client (void)
{
  write_line ("{\"jsonrpc\":\"2.0\",\"id\":\"ping-1\",\"method\":\"ping\"}");

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      if (line == NULL)
        exit (0);

      if (!json_parser_load_from_data (parser, line, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          log_line ("the client sent something that is not JSON: %s", line);
          exit (4);
        }

      object = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "id", NULL), "ping-1") == 0 &&
          json_object_has_member (object, "result"))
        {
          log_line ("the client answered the ping");
          return;
        }

      handle_line (line);
    }
}

/* Sends elicitation/create and handles lines until its answer arrives; returns the answer's
 * result as JSON text. */
static char *
elicit_client (void)
{
  write_line ("{\"jsonrpc\":\"2.0\",\"id\":\"elicit-1\",\"method\":\"elicitation/create\","
              "\"params\":{\"mode\":\"form\",\"message\":\"Who are you?\",\"requestedSchema\":"
              "{\"type\":\"object\",\"properties\":{"
              "\"name\":{\"type\":\"string\",\"title\":\"Your name\",\"minLength\":1},"
              "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":150},"
              "\"subscribe\":{\"type\":\"boolean\",\"default\":true},"
              "\"colour\":{\"type\":\"string\",\"enum\":[\"red\",\"green\",\"blue\"],\"default\":\"green\"}},"
              "\"required\":[\"name\",\"age\"]}}}");

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      if (line == NULL)
        exit (0);

      if (!json_parser_load_from_data (parser, line, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          log_line ("the client sent something that is not JSON: %s", line);
          exit (4);
        }

      object = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "id", NULL), "elicit-1") == 0 &&
          json_object_has_member (object, "result"))
        {
          log_line ("the client answered the elicitation");
          return json_to_string (json_object_get_member (object, "result"), FALSE);
        }

      handle_line (line);
    }
}

static void
send_progress (JsonObject *params,
               int         progress,
               int         total,
               const char *message)
{
  JsonObject *meta = get_object (params, "_meta");
  JsonNode *token = meta ? json_object_get_member (meta, "progressToken") : NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  if (token == NULL)
    {
      log_line ("the call has no progressToken");
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, "notifications/progress");
  json_builder_set_member_name (builder, "params");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "progressToken");
  json_builder_add_value (builder, json_node_copy (token));
  json_builder_set_member_name (builder, "progress");
  json_builder_add_int_value (builder, progress);
  if (total > 0)
    {
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, total);
    }
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  write_node (node);
}

static void
handle_tools_call (JsonNode   *id,
                   JsonObject *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *text = NULL;
  JsonObject *arguments;
  const char *name;
  gboolean is_error = FALSE;
  gint64 a, b;

  name = params ? json_object_get_string_member_with_default (params, "name", NULL) : NULL;
  arguments = get_object (params, "arguments");

  n_calls++;

  if (name != NULL && opt_name_prefix != NULL)
    {
      if (!g_str_has_prefix (name, opt_name_prefix))
        {
          send_error (id, -32602, "Unknown tool");
          return;
        }
      name += strlen (opt_name_prefix);
    }
  if (opt_stderr_log)
    {
      log_line ("call %s", name ? name : "(none)");
      write_line ("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\","
                  "\"params\":{\"level\":\"info\",\"logger\":\"tools\",\"data\":\"running a tool\"}}");
    }

  if (opt_die_on_call)
    {
      log_line ("dying as asked");
      exit (3);
    }

  if (opt_progress)
    {
      send_progress (params, 1, 4, "Step 1 of 4");
      send_progress (params, 2, 4, "Step 2 of 4");
    }
  if (opt_progress_unknown)
    send_progress (params, 3, 0, "Still working");

  if (opt_hang_on_call)
    return;

  if (opt_garbage)
    {
      write_line ("this is not JSON at all");
      return;
    }

  if (opt_ping)
    ping_client ();

  if (opt_elicit)
    text = elicit_client ();

  if (name == NULL || !tool_offered (name))
    {
      send_error (id, -32602, "Unknown tool");
      return;
    }

  if (text != NULL)
    ;
  else if (g_strcmp0 (name, opt_fail_tool) == 0)
    {
      text = g_strdup_printf ("%s failed: the service is unavailable", name);
      is_error = TRUE;
    }
  else if (g_str_equal (name, "weather"))
    {
      if (arguments == NULL || !json_object_has_member (arguments, "location"))
        {
          text = g_strdup ("location is required");
          is_error = TRUE;
        }
      else
        text = g_strdup ("40 C");
    }
  else if (g_str_equal (name, "add") || g_str_equal (name, "multiply"))
    {
      if (!get_int_argument (arguments, "a", &a) || !get_int_argument (arguments, "b", &b))
        {
          text = g_strdup ("a and b must be integers");
          is_error = TRUE;
        }
      else
        text = g_strdup_printf ("%" G_GINT64_FORMAT, g_str_equal (name, "add") ? a + b : a * b);
    }
  else if (g_str_equal (name, "echo"))
    text = g_strdup (arguments ? json_object_get_string_member_with_default (arguments, "text", "") : "");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "content");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "text");
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  if (opt_image)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "image");
      json_builder_set_member_name (builder, "data");
      json_builder_add_string_value (builder, png_base64);
      json_builder_set_member_name (builder, "mimeType");
      json_builder_add_string_value (builder, "image/png");
      json_builder_end_object (builder);
    }
  if (opt_rich)
    json_builder_add_value (builder,
                            parse ("{\"type\":\"resource\",\"resource\":{\"uri\":\"file:///forecast.txt\","
                                   "\"mimeType\":\"text/plain\",\"text\":\"Sunny all week\"}}"));
  json_builder_end_array (builder);
  if (opt_rich)
    {
      json_builder_set_member_name (builder, "structuredContent");
      json_builder_add_value (builder, parse ("{\"temperature\":40,\"unit\":\"C\"}"));
    }
  json_builder_set_member_name (builder, "isError");
  json_builder_add_boolean_value (builder, is_error);
  json_builder_end_object (builder);

  send_result (id, json_builder_get_root (builder));

  if (opt_list_changed && !list_changed_sent)
    {
      list_changed_sent = TRUE;
      write_line ("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}");
    }
}

static void
handle_resources_list (JsonNode   *id,
                       JsonObject *params)
{
  const char *cursor = params ? json_object_get_string_member_with_default (params, "cursor", NULL) : NULL;
  const char *first = "{\"uri\":\"file:///forecast.txt\",\"name\":\"forecast\",\"mimeType\":\"text/plain\"}";
  const char *second = "{\"uri\":\"file:///notes.md\",\"name\":\"notes\",\"title\":\"Notes\",\"mimeType\":\"text/markdown\"}";
  g_autofree char *text = NULL;

  if (opt_paginate && cursor == NULL)
    text = g_strdup_printf ("{\"resources\":[%s],\"nextCursor\":\"2\"}", first);
  else if (opt_paginate)
    text = g_strdup_printf ("{\"resources\":[%s]}", second);
  else if (opt_image_resource)
    text = g_strdup_printf ("{\"resources\":[%s,%s,{\"uri\":\"file:///dot.png\",\"name\":\"dot\","
                            "\"mimeType\":\"image/png\"}]}", first, second);
  else
    text = g_strdup_printf ("{\"resources\":[%s,%s]}", first, second);
  send_result (id, parse (text));
}

/* How many times the notes changed (each resources/subscribe changes them once). */
static guint notes_version;

static void
handle_resources_subscribe (JsonNode   *id,
                            JsonObject *params,
                            gboolean    subscribe)
{
  const char *uri = params ? json_object_get_string_member_with_default (params, "uri", "") : "";

  log_line ("%s %s", subscribe ? "subscribed" : "unsubscribed", uri);
  send_result (id, parse ("{}"));

  if (subscribe && g_str_equal (uri, "file:///notes.md"))
    {
      notes_version++;
      write_line ("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\","
                  "\"params\":{\"uri\":\"file:///notes.md\"}}");
    }
}

static void
handle_resources_read (JsonNode   *id,
                       JsonObject *params)
{
  const char *uri = params ? json_object_get_string_member_with_default (params, "uri", "") : "";
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *text = NULL;

  if (g_str_has_prefix (uri, "weather://"))
    {
      const char *city = strstr (uri, "://") + 3;
      const char *slash = strchr (city, '/');
      g_autofree char *name = g_strndup (city, slash ? (gsize)(slash - city) : strlen (city));
      g_autofree char *decoded = g_uri_unescape_string (name, NULL);
      const char *units = strstr (uri, "units=");

      text = g_strdup_printf ("Weather in %s today: sunny, 24 %s", decoded ? decoded : name,
                              units && g_str_has_prefix (units + 6, "imperial") ? "F" : "C");
    }
  else if (g_str_equal (uri, "file:///notes.md"))
    text = g_strdup (notes_version > 0 ? "# Notes\nBuy bread and milk" : "# Notes\nBuy bread");
  else if (g_str_equal (uri, "file:///forecast.txt"))
    text = g_strdup ("Sunny all week");
  else if (g_str_equal (uri, "file:///dot.png"))
    {
      send_result (id, parse ("{\"contents\":[{\"uri\":\"file:///dot.png\",\"mimeType\":\"image/png\",\"blob\":"
                              "\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\"}]}"));
      return;
    }
  else
    {
      send_error (id, -32002, "Resource not found");
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "contents");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, uri);
  json_builder_set_member_name (builder, "mimeType");
  json_builder_add_string_value (builder, "text/plain");
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  send_result (id, json_builder_get_root (builder));
}

static void
handle_prompts_get (JsonNode   *id,
                    JsonObject *params)
{
  JsonObject *arguments = get_object (params, "arguments");
  const char *name = params ? json_object_get_string_member_with_default (params, "name", "") : "";
  const char *text = arguments ? json_object_get_string_member_with_default (arguments, "text", NULL) : NULL;
  const char *style = arguments ? json_object_get_string_member_with_default (arguments, "style", "plainly") : "plainly";
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *message = NULL;

  if (!g_str_equal (name, "summarize"))
    {
      send_error (id, -32602, "Unknown prompt");
      return;
    }
  if (text == NULL)
    {
      send_error (id, -32602, "Missing required argument: text");
      return;
    }

  message = g_strdup_printf ("Summarize %s: %s", style, text);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "user");
  json_builder_set_member_name (builder, "content");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "text");
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  send_result (id, json_builder_get_root (builder));
}

static void
handle_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *id;
  JsonObject *params;
  const char *method;

  if (*line == '\0')
    return;

  if (!json_parser_load_from_data (parser, line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      log_line ("the client sent something that is not JSON: %s", line);
      exit (4);
    }

  object = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "jsonrpc", NULL), "2.0") != 0)
    {
      log_line ("the client sent a message without jsonrpc 2.0: %s", line);
      exit (4);
    }

  id = json_object_get_member (object, "id");
  method = json_object_get_string_member_with_default (object, "method", NULL);
  params = get_object (object, "params");

  if (method == NULL)
    return;

  if (id == NULL)
    {
      if (g_str_equal (method, "notifications/initialized"))
        initialized = TRUE;
      else if (g_str_equal (method, "notifications/cancelled"))
        log_line ("cancelled request %" G_GINT64_FORMAT ": %s",
                  params ? json_object_get_int_member_with_default (params, "requestId", -1) : -1,
                  params ? json_object_get_string_member_with_default (params, "reason", "") : "");
      return;
    }

  if (g_str_equal (method, "initialize"))
    handle_initialize (id, params);
  else if (g_str_equal (method, "ping"))
    send_result (id, parse ("{}"));
  else if (!initialized)
    send_error (id, -32600, "notifications/initialized was not sent");
  else if (g_str_equal (method, "tools/list"))
    handle_tools_list (id, params);
  else if (g_str_equal (method, "tools/call"))
    handle_tools_call (id, params);
  else if (g_str_equal (method, "resources/list"))
    handle_resources_list (id, params);
  else if (g_str_equal (method, "resources/read"))
    handle_resources_read (id, params);
  else if (g_str_equal (method, "resources/templates/list"))
    send_result (id, parse ("{\"resourceTemplates\":[{\"uriTemplate\":\"weather://{city}/today{?units}\","
                            "\"name\":\"weather-today\",\"title\":\"Today's weather\","
                            "\"description\":\"The weather of a city today\"}]}"));
  else if (g_str_equal (method, "resources/subscribe") || g_str_equal (method, "resources/unsubscribe"))
    handle_resources_subscribe (id, params, g_str_equal (method, "resources/subscribe"));
  else if (g_str_equal (method, "prompts/list"))
    send_result (id, parse ("{\"prompts\":[{\"name\":\"summarize\",\"title\":\"Summarize\","
                            "\"description\":\"Summarize a text\",\"arguments\":["
                            "{\"name\":\"text\",\"description\":\"what to summarize\",\"required\":true},"
                            "{\"name\":\"style\",\"description\":\"how\"}]}]}"));
  else if (g_str_equal (method, "prompts/get"))
    handle_prompts_get (id, params);
  else
    send_error (id, -32601, "Method not found");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "tools", 0, 0, G_OPTION_ARG_STRING, &opt_tools, "Offer only these tools", "LIST" },
    { "fail-tool", 0, 0, G_OPTION_ARG_STRING, &opt_fail_tool, "Calls of NAME fail", "NAME" },
    { "die-on-call", 0, 0, G_OPTION_ARG_NONE, &opt_die_on_call, "Exit when a tool is called", NULL },
    { "hang-on-call", 0, 0, G_OPTION_ARG_NONE, &opt_hang_on_call, "Never answer tools/call", NULL },
    { "garbage", 0, 0, G_OPTION_ARG_NONE, &opt_garbage, "Answer tools/call with garbage", NULL },
    { "list-changed", 0, 0, G_OPTION_ARG_NONE, &opt_list_changed, "Add a tool after the first call", NULL },
    { "paginate", 0, 0, G_OPTION_ARG_NONE, &opt_paginate, "One tool per tools/list page", NULL },
    { "stderr-log", 0, 0, G_OPTION_ARG_NONE, &opt_stderr_log, "Log to stderr", NULL },
    { "image", 0, 0, G_OPTION_ARG_NONE, &opt_image, "Add an image to results", NULL },
    { "ping", 0, 0, G_OPTION_ARG_NONE, &opt_ping, "Ping the client before answering a call", NULL },
    { "protocol-version", 0, 0, G_OPTION_ARG_STRING, &opt_protocol_version, "Answer this version", "V" },
    { "exit-at-start", 0, 0, G_OPTION_ARG_INT, &opt_exit_at_start, "Exit at once with status N", "N" },
    { "name-prefix", 0, 0, G_OPTION_ARG_STRING, &opt_name_prefix, "Prefix tool names with P", "P" },
    { "annotations", 0, 0, G_OPTION_ARG_NONE, &opt_annotations, "Annotate the tools", NULL },
    { "rich", 0, 0, G_OPTION_ARG_NONE, &opt_rich, "Add a resource and structured content", NULL },
    { "image-resource", 0, 0, G_OPTION_ARG_NONE, &opt_image_resource, "List file:///dot.png too", NULL },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &opt_progress, "Report progress before answering", NULL },
    { "progress-unknown", 0, 0, G_OPTION_ARG_NONE, &opt_progress_unknown, "Report progress without a total", NULL },
    { "elicit", 0, 0, G_OPTION_ARG_NONE, &opt_elicit, "Ask the user before answering a call", NULL },
    { NULL }
  };

  context = g_option_context_new ("- an MCP server for Confab's tests");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (opt_stderr_log)
    log_line ("starting");

  if (opt_exit_at_start >= 0)
    {
      log_line ("exiting at start with status %d", opt_exit_at_start);
      return opt_exit_at_start;
    }

  out = g_unix_output_stream_new (1, FALSE);
  in = g_data_input_stream_new (g_unix_input_stream_new (0, FALSE));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_LF);

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

      if (line == NULL)
        break;

      handle_line (line);
    }

  if (opt_stderr_log)
    log_line ("stdin closed after %u calls, bye", n_calls);

  return 0;
}
