/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-hostile-mcp-server"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

/* An MCP server over stdio that does what real servers were seen to do. Every
 * argument is a mode; unknown arguments are ignored (a "--token=…" stands for a secret on
 * the command line):
 *
 *   --banner        print lines that are not JSON on stdout: at start and before answers
 *   --string-ids    answer tools/call first with the id as a string (a wrong result), then
 *                   with the id as sent
 *   --tasks         offer tools whose execution.taskSupport is "forbidden", "optional" and
 *                   "required" besides the plain one
 *   --progress      tools/call reports progress 6 times, 400 ms apart, before answering
 *   --progress-wrong-token  the same with a token that is not the request's
 *   --hang          never answer tools/call
 *
 * Tools: "env" answers the environment ("NAME=VALUE" lines, sorted), "slow" answers "done".
 * Blocking on purpose: it is the server that is slow, never the test. */

static gboolean opt_banner;
static gboolean opt_string_ids;
static gboolean opt_tasks;
static gboolean opt_progress;
static gboolean opt_progress_wrong_token;
static gboolean opt_hang;

static void
write_line (const char *text)
{
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
write_json (const char *format,
            ...) G_GNUC_PRINTF (1, 2);

static void
write_json (const char *format,
            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  write_line (text);
}

static char *
to_json (JsonNode *node)
{
  return node ? json_to_string (node, FALSE) : g_strdup ("null");
}

static char *
quote (const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

static void
answer_text (const char *id,
             const char *text)
{
  g_autofree char *quoted = quote (text);

  write_json ("{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"content\":[{\"type\":\"text\",\"text\":%s}]}}",
              id, quoted);
}

static void
handle_tools_list (const char *id)
{
  g_autoptr(GString) tools = g_string_new (NULL);
  const char *schema = "{\"type\":\"object\",\"properties\":{}}";

  g_string_append_printf (tools, "{\"name\":\"env\",\"description\":\"The environment\",\"inputSchema\":%s},", schema);
  g_string_append_printf (tools, "{\"name\":\"slow\",\"description\":\"Takes a while\",\"inputSchema\":%s}", schema);
  if (opt_tasks)
    {
      g_string_append_printf (tools, ",{\"name\":\"task_forbidden\",\"inputSchema\":%s,"
                              "\"execution\":{\"taskSupport\":\"forbidden\"}}", schema);
      g_string_append_printf (tools, ",{\"name\":\"task_optional\",\"inputSchema\":%s,"
                              "\"execution\":{\"taskSupport\":\"optional\"}}", schema);
      g_string_append_printf (tools, ",{\"name\":\"task_required\",\"inputSchema\":%s,"
                              "\"execution\":{\"taskSupport\":\"required\"}}", schema);
    }

  write_json ("{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"tools\":[%s]}}", id, tools->str);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
handle_tools_call (const char *id,
                   JsonObject *params)
{
  const char *name = json_object_get_string_member_with_default (params, "name", "");
  JsonObject *meta = json_object_has_member (params, "_meta") ?
                     json_object_get_object_member (params, "_meta") : NULL;
  JsonNode *token = meta ? json_object_get_member (meta, "progressToken") : NULL;

  if (opt_hang)
    return;

  if ((opt_progress || opt_progress_wrong_token) && token != NULL)
    {
      g_autofree char *token_json = opt_progress_wrong_token ? g_strdup ("\"not-yours\"") : to_json (token);

      for (int i = 1; i <= 6; i++)
        {
          g_usleep (400 * 1000);
          write_json ("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\","
                      "\"params\":{\"progressToken\":%s,\"progress\":%d,\"total\":6}}",
                      token_json, i);
        }
    }

  if (opt_banner)
    write_line ("[server] handling tools/call");

  if (opt_string_ids)
    {
      g_autofree char *string_id = quote (id);

      answer_text (string_id, "wrong: answered with a string id");
    }

  if (g_str_equal (name, "env"))
    {
      g_auto(GStrv) env = g_get_environ ();
      g_autofree char *joined = NULL;

      qsort (env, g_strv_length (env), sizeof (char *), compare_strings);
      joined = g_strjoinv ("\n", env);
      answer_text (id, joined);
    }
  else
    answer_text (id, "done");
}

int
main (int   argc,
      char *argv[])
{
  char *line = NULL;
  size_t size = 0;

  for (int i = 1; i < argc; i++)
    {
      opt_banner |= g_str_equal (argv[i], "--banner");
      opt_string_ids |= g_str_equal (argv[i], "--string-ids");
      opt_tasks |= g_str_equal (argv[i], "--tasks");
      opt_progress |= g_str_equal (argv[i], "--progress");
      opt_progress_wrong_token |= g_str_equal (argv[i], "--progress-wrong-token");
      opt_hang |= g_str_equal (argv[i], "--hang");
    }

  if (opt_banner)
    {
      write_line ("Secure MCP Filesystem Server running on stdio");
      write_line ("");
    }

  while (getline (&line, &size, stdin) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *id = NULL;
      JsonObject *object;
      JsonObject *params;
      const char *method;

      if (!json_parser_load_from_data (parser, line, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;

      object = json_node_get_object (json_parser_get_root (parser));
      method = json_object_get_string_member_with_default (object, "method", NULL);
      if (method == NULL || !json_object_has_member (object, "id"))
        continue;

      id = to_json (json_object_get_member (object, "id"));
      params = json_object_has_member (object, "params") ?
               json_object_get_object_member (object, "params") : NULL;

      if (g_str_equal (method, "initialize"))
        {
          if (opt_banner)
            write_line ("Initializing…");
          write_json ("{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"protocolVersion\":\"2025-06-18\","
                      "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"hostile\",\"version\":\"1\"}}}",
                      id);
        }
      else if (g_str_equal (method, "tools/list"))
        handle_tools_list (id);
      else if (g_str_equal (method, "tools/call") && params != NULL)
        handle_tools_call (id, params);
      else
        write_json ("{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{}}", id);
    }

  free (line);
  return 0;
}
