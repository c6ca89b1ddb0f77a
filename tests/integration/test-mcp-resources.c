/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Resources and prompts of an MCP server, against the test MCP server. */
#define G_LOG_DOMAIN "test-mcp-resources"

#include "config.h"

#include <string.h>

#include "confab-error.h"
#include "confab-mcp-server.h"
#include "confab-test-util.h"

#define WAIT_MS 10000

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

static ConfabMcpServer *
start_server (const char *option)
{
  const char *argv[] = { g_getenv ("CONFAB_TEST_MCP_SERVER"), option, NULL };
  ConfabMcpServer *server = confab_mcp_server_new ("library", argv, NULL);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  confab_mcp_server_start_async (server, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_mcp_server_start_finish (server, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);

  return server;
}

static void
check_resources_listed (const char *option)
{
  g_autoptr(ConfabMcpServer) server = start_server (option);
  GAsyncResult *result = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  confab_mcp_server_list_resources_async (server, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  list = confab_mcp_server_list_resources_finish (server, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (list));
  array = json_node_get_array (list);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "uri"), ==, "file:///forecast.txt");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "title"), ==, "Notes");

  confab_mcp_server_stop (server);
}

static void
test_list_resources (void)
{
  check_resources_listed ("--stderr-log");
}

static void
test_list_resources_paginated (void)
{
  check_resources_listed ("--paginate");
}

static void
test_read_resource (void)
{
  g_autoptr(ConfabMcpServer) server = start_server (NULL);
  GAsyncResult *result = NULL;
  g_autoptr(JsonNode) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  confab_mcp_server_read_resource_async (server, "file:///notes.md", NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  read = confab_mcp_server_read_resource_finish (server, result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  text = confab_mcp_resource_result_to_text (read);
  g_assert_cmpstr (text, ==, "# Notes\nBuy bread");

  /* An unknown resource fails with the server's reason. */
  confab_mcp_server_read_resource_async (server, "file:///nothing", NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_null (confab_mcp_server_read_resource_finish (server, result, &error));
  g_clear_object (&result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "Resource not found"));

  confab_mcp_server_stop (server);
}

static void
test_prompts (void)
{
  g_autoptr(ConfabMcpServer) server = start_server (NULL);
  GAsyncResult *result = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) prompt = NULL;
  g_autoptr(JsonNode) arguments = NULL;
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *first;

  confab_mcp_server_list_prompts_async (server, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  list = confab_mcp_server_list_prompts_finish (server, result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
  first = json_array_get_object_element (json_node_get_array (list), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "summarize");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (first, "arguments")), ==, 2);

  json_object_set_string_member (object, "text", "a long story");
  json_object_set_string_member (object, "style", "briefly");
  arguments = json_node_init_object (json_node_alloc (), object);
  confab_mcp_server_get_prompt_async (server, "summarize", arguments, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  prompt = confab_mcp_server_get_prompt_finish (server, result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  text = confab_mcp_prompt_result_to_text (prompt);
  g_assert_cmpstr (text, ==, "Summarize briefly: a long story");

  confab_mcp_server_stop (server);
}

/* A server without resources or prompts (Method not found) lists none, without failing. */
static void
test_not_offered_lists_none (void)
{
  const char *argv[] = { g_getenv ("CONFAB_HOSTILE_MCP_SERVER"), NULL };
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new ("bare", argv, NULL);
  GAsyncResult *result = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;

  confab_mcp_server_start_async (server, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_mcp_server_start_finish (server, result, &error));
  g_clear_object (&result);
  g_assert_no_error (error);

  confab_mcp_server_list_prompts_async (server, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  list = confab_mcp_server_list_prompts_finish (server, result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 0);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);

  confab_mcp_server_stop (server);
}

static void
test_uri_templates (void)
{
  g_autoptr(JsonObject) values = json_object_new ();
  g_auto(GStrv) variables = confab_mcp_uri_template_get_variables ("weather://{city}/{day}{?units,city}{#frag}");
  struct { const char *template; const char *expected; } cases[] = {
    { "weather://{city}/today", "weather://S%C3%A3o%20Paulo/today" },
    /* {+path} keeps reserved characters ("/"), not spaces. */
    { "file:///{+path}", "file:///docs/a%20b.md" },
    { "x{/city,day}", "x/S%C3%A3o%20Paulo/mon" },
    { "x{?units,missing,empty}", "x?units=metric&empty=" },
    { "x{?units}{&day}", "x?units=metric&day=mon" },
    { "x{;day,empty}", "x;day=mon;empty" },
    { "x{.day}", "x.mon" },
    { "x{#path}", "x#docs/a%20b.md" },
    { "x{day:2}", "xmo" },
    { "x{missing}y", "xy" },
  };

  g_assert_cmpstrv (variables, ((const char *[]) { "city", "day", "units", "frag", NULL }));

  json_object_set_string_member (values, "city", "São Paulo");
  json_object_set_string_member (values, "day", "mon");
  json_object_set_string_member (values, "units", "metric");
  json_object_set_string_member (values, "path", "docs/a b.md");
  json_object_set_string_member (values, "empty", "");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *expanded = confab_mcp_uri_template_expand (cases[i].template, values);

      g_assert_cmpstr (expanded, ==, cases[i].expected);
    }
}

static void
test_templates_list_and_read (void)
{
  g_autoptr(ConfabMcpServer) server = start_server (NULL);
  g_autoptr(JsonObject) values = json_object_new ();
  GAsyncResult *result = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *text = NULL;
  JsonObject *first;

  confab_mcp_server_list_resource_templates_async (server, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  list = confab_mcp_server_list_resource_templates_finish (server, result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
  first = json_array_get_object_element (json_node_get_array (list), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "uriTemplate"), ==, "weather://{city}/today{?units}");

  json_object_set_string_member (values, "city", "Lisbon");
  json_object_set_string_member (values, "units", "imperial");
  uri = confab_mcp_uri_template_expand (json_object_get_string_member (first, "uriTemplate"), values);
  g_assert_cmpstr (uri, ==, "weather://Lisbon/today?units=imperial");

  confab_mcp_server_read_resource_async (server, uri, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  read = confab_mcp_server_read_resource_finish (server, result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  text = confab_mcp_resource_result_to_text (read);
  g_assert_cmpstr (text, ==, "Weather in Lisbon today: sunny, 24 F");

  confab_mcp_server_stop (server);
}

static void
on_updated (ConfabMcpServer  *server,
            const char       *uri,
            char            **updated)
{
  g_free (*updated);
  *updated = g_strdup (uri);
}

static void
test_subscribe_and_update (void)
{
  g_autoptr(ConfabMcpServer) server = start_server (NULL);
  GAsyncResult *result = NULL;
  g_autoptr(JsonNode) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *updated = NULL;
  g_autofree char *text = NULL;

  g_signal_connect (server, "resource-updated", G_CALLBACK (on_updated), &updated);

  confab_mcp_server_subscribe_resource_async (server, "file:///notes.md", TRUE, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_mcp_server_subscribe_resource_finish (server, result, &error));
  g_clear_object (&result);
  g_assert_no_error (error);

  /* The server changes the notes and says so. */
  CONFAB_TEST_WAIT_FOR (updated != NULL, WAIT_MS);
  g_assert_cmpstr (updated, ==, "file:///notes.md");

  confab_mcp_server_read_resource_async (server, updated, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  read = confab_mcp_server_read_resource_finish (server, result, &error);
  g_clear_object (&result);
  text = confab_mcp_resource_result_to_text (read);
  g_assert_cmpstr (text, ==, "# Notes\nBuy bread and milk");

  confab_mcp_server_subscribe_resource_async (server, "file:///notes.md", FALSE, NULL, store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_mcp_server_subscribe_resource_finish (server, result, &error));
  g_clear_object (&result);
  g_assert_no_error (error);

  confab_mcp_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_getenv ("CONFAB_TEST_MCP_SERVER") == NULL)
    g_error ("CONFAB_TEST_MCP_SERVER is not set (run through meson test)");

  g_test_add_func ("/mcp/resources/list", test_list_resources);
  g_test_add_func ("/mcp/resources/list-paginated", test_list_resources_paginated);
  g_test_add_func ("/mcp/resources/read", test_read_resource);
  g_test_add_func ("/mcp/prompts/list-and-get", test_prompts);
  g_test_add_func ("/mcp/prompts/not-offered-lists-none", test_not_offered_lists_none);
  g_test_add_func ("/mcp/resources/uri-templates", test_uri_templates);
  g_test_add_func ("/mcp/resources/templates-list-and-read", test_templates_list_and_read);
  g_test_add_func ("/mcp/resources/subscribe-and-update", test_subscribe_and_update);

  return g_test_run ();
}
