/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-conformance"

/* The client the official MCP conformance framework (@modelcontextprotocol/conformance)
 * grades: it runs this program with the test server's URL as the last argument and the
 * scenario in MCP_CONFORMANCE_SCENARIO. It does what a Confab host does, through the
 * core's ConfabMcpServer (Streamable HTTP transport, protocol negotiation, elicitation):
 * connect, list the tools, call each with arguments its schema asks for, and accept an
 * elicitation with the schema's defaults. Exit status 0 when every step worked.
 *
 * The auth scenarios: the core's OAuth client signs in as the app does, except that
 * "opening the browser" is a GET of the authorization URL whose redirect libsoup follows
 * to Confab's loopback listener (the suite's authorization server grants at once). Tokens
 * stay in memory. MCP_CONFORMANCE_CONTEXT may give a pre-registered client
 * (client_id, client_secret); the suite's client ID metadata document URL is offered where
 * the authorization server supports those. */

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>

#include "confab-mcp-elicitation.h"
#include "confab-mcp-server.h"
#include "confab-tool.h"

typedef struct
{
  GMainLoop *loop;
  JsonNode  *result;
  GError    *error;
  gboolean   started;
} Wait;

/* A value of the JSON schema @property's type: its default, or a small example. */
static JsonNode *
example_value (JsonObject *property,
               guint       index)
{
  const char *type = json_object_get_string_member_with_default (property, "type", "string");
  JsonNode *node;

  if (json_object_has_member (property, "default"))
    return json_node_copy (json_object_get_member (property, "default"));

  if (json_object_has_member (property, "enum"))
    {
      JsonArray *choices = json_object_get_array_member (property, "enum");

      if (choices != NULL && json_array_get_length (choices) > 0)
        return json_node_copy (json_array_get_element (choices, 0));
    }

  node = json_node_new (JSON_NODE_VALUE);
  if (g_str_equal (type, "number") || g_str_equal (type, "integer"))
    json_node_set_int (node, 2 + index);
  else if (g_str_equal (type, "boolean"))
    json_node_set_boolean (node, TRUE);
  else if (g_str_equal (type, "object") || g_str_equal (type, "array"))
    {
      json_node_unref (node);
      node = json_from_string (g_str_equal (type, "object") ? "{}" : "[]", NULL);
    }
  else
    json_node_set_string (node, "conformance");

  return node;
}

/* {"name": value, …} for every property the tool's input schema lists. */
static JsonNode *
arguments_for (ConfabTool *tool)
{
  JsonNode *schema = confab_tool_get_input_schema (tool);
  g_autoptr(JsonObject) arguments = json_object_new ();
  JsonObject *properties = NULL;
  JsonNode *node;

  if (schema != NULL && JSON_NODE_HOLDS_OBJECT (schema) &&
      json_object_has_member (json_node_get_object (schema), "properties"))
    properties = json_object_get_object_member (json_node_get_object (schema), "properties");

  if (properties != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (properties);
      guint index = 0;

      for (const GList *l = names; l != NULL; l = l->next, index++)
        {
          JsonNode *property = json_object_get_member (properties, l->data);

          if (JSON_NODE_HOLDS_OBJECT (property))
            json_object_set_member (arguments, l->data,
                                    example_value (json_node_get_object (property), index));
        }
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, arguments);
  return node;
}

/* The suite's client ID metadata document (it need not resolve). */
#define CIMD_URL "https://conformance-test.local/client-metadata.json"

static void
on_browser_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (bytes == NULL)
    g_printerr ("The authorization page could not be loaded: %s\n", error->message);
}

/* A browser whose user consents at once: load the page and follow its redirects (to the
 * loopback listener, which completes the sign-in). */
static void
open_headless (const char *server_name,
               const char *uri,
               gpointer    user_data)
{
  SoupSession *session = user_data;
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);

  g_printerr ("Signing in to %s\n", server_name);
  if (msg == NULL)
    {
      g_printerr ("Not a valid authorization URL\n");
      return;
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_browser_done, NULL);
}

static void
setup_oauth (ConfabMcpOAuth *oauth,
             SoupSession    *browser)
{
  const char *context = g_getenv ("MCP_CONFORMANCE_CONTEXT");

  confab_mcp_oauth_set_use_keyring (oauth, FALSE);
  confab_mcp_oauth_set_open_func (oauth, open_headless, g_object_ref (browser), g_object_unref);
  confab_mcp_oauth_set_client_metadata_url (oauth, CIMD_URL);

  if (context != NULL)
    {
      g_autoptr(JsonNode) root = json_from_string (context, NULL);
      JsonObject *object = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;

      if (object != NULL && json_object_has_member (object, "client_id") &&
          json_object_has_member (object, "client_secret"))
        confab_mcp_oauth_set_client (oauth,
                                     json_object_get_string_member (object, "client_id"),
                                     json_object_get_string_member (object, "client_secret"));
    }
}

/* What a host does when the user presses Accept on a form left as the server filled it. */
static gboolean
on_elicit (ConfabMcpServer      *server,
           ConfabMcpElicitation *elicitation,
           gpointer              user_data)
{
  g_printerr ("Elicitation from %s: %s — accepting the defaults\n",
              confab_mcp_elicitation_get_server_name (elicitation),
              confab_mcp_elicitation_get_message (elicitation));
  confab_mcp_elicitation_accept (elicitation, NULL);
  return TRUE;
}

static void
on_started (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *wait = user_data;

  wait->started = confab_mcp_server_start_finish (CONFAB_MCP_SERVER (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
on_called (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = confab_mcp_server_call_tool_finish (CONFAB_MCP_SERVER (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

int
main (int   argc,
      char *argv[])
{
  const char *scenario = g_getenv ("MCP_CONFORMANCE_SCENARIO");
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(SoupSession) browser = NULL;
  GListModel *tools;
  Wait wait = { 0 };
  int status = EXIT_SUCCESS;

  if (argc < 2)
    {
      g_printerr ("Usage: %s SERVER-URL (MCP_CONFORMANCE_SCENARIO names the scenario)\n", argv[0]);
      return EXIT_FAILURE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;

  server = confab_mcp_server_new_for_url ("conformance", argv[argc - 1], NULL);
  browser = soup_session_new ();
  setup_oauth (confab_mcp_server_get_oauth (server), browser);
  g_signal_connect (server, "elicit", G_CALLBACK (on_elicit), NULL);

  g_printerr ("Scenario %s: connecting to %s\n", scenario ? scenario : "(none)", argv[argc - 1]);
  confab_mcp_server_start_async (server, NULL, on_started, &wait);
  g_main_loop_run (loop);
  if (!wait.started)
    {
      g_printerr ("Could not connect: %s\n", wait.error->message);
      g_clear_error (&wait.error);
      return EXIT_FAILURE;
    }

  g_printerr ("Protocol %s, server %s %s\n", confab_mcp_server_get_protocol_version (server),
              confab_mcp_server_get_server_info_name (server),
              confab_mcp_server_get_server_info_version (server));

  /* initialize only grades the handshake; every other scenario is about a tool call. */
  tools = confab_mcp_server_get_tools (server);
  for (guint i = 0; g_strcmp0 (scenario, "initialize") != 0 && i < g_list_model_get_n_items (tools); i++)
    {
      g_autoptr(ConfabTool) tool = g_list_model_get_item (tools, i);
      g_autoptr(JsonNode) arguments = arguments_for (tool);
      g_autofree char *arguments_text = json_to_string (arguments, FALSE);
      g_autofree char *text = NULL;
      gboolean is_error = FALSE;

      g_printerr ("Calling %s %s\n", confab_tool_get_name (tool), arguments_text);
      confab_mcp_server_call_tool_async (server, confab_tool_get_name (tool), arguments, NULL,
                                         on_called, &wait);
      g_main_loop_run (loop);

      if (wait.result == NULL)
        {
          g_printerr ("%s failed: %s\n", confab_tool_get_name (tool), wait.error->message);
          g_clear_error (&wait.error);
          status = EXIT_FAILURE;
          continue;
        }

      text = confab_mcp_result_to_text (wait.result, &is_error);
      g_printerr ("%s answered%s: %s\n", confab_tool_get_name (tool), is_error ? " (error)" : "", text);
      g_clear_pointer (&wait.result, json_node_unref);
      if (is_error)
        status = EXIT_FAILURE;
    }

  /* Ends the session (DELETE) as a host does when it closes. */
  confab_mcp_server_stop (server);

  return status;
}
