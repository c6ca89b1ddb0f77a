/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-approval-decision.h"
#include "confab-cli-mcp.h"
#include "confab-escape.h"
#include "confab-mcp-config.h"
#include "confab-mcp-oauth.h"
#include "confab-mcp-server.h"
#include "confab-store-decisions.h"
#include "confab-store.h"
#include "confab-tool.h"
#include "confab-tool-registry.h"

#define EXIT_USAGE 2
#define WAIT_SECONDS 60

/* Terminal text: what a server sends is escaped (no control sequences), newlines kept. */
static void
print_text (const char *text)
{
  g_autofree char *shown = confab_escape_text (text ? text : "", -1, CONFAB_ESCAPE_KEEP_NEWLINES);

  g_print ("%s\n", shown);
}

static char *
line_text (const char *text)
{
  return confab_escape_text (text ? text : "", -1, CONFAB_ESCAPE_DEFAULT);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@slot is set, or a minute passes. (transfer full) */
static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (WAIT_SECONDS, timeout_cb, &timed_out);

  while (*slot == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  return g_steal_pointer (slot);
}

/* The server named @spec in mcp.json, else the command line or URL @spec, started. */
static ConfabMcpServer *
start_server (const char  *spec,
              GError     **error)
{
  g_autofree char *path = confab_mcp_config_get_default_path ();
  g_autoptr(ConfabMcpConfig) config = confab_mcp_config_new (path);
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  if (!confab_mcp_config_load (config, error))
    return NULL;

  if (confab_mcp_config_has_server (config, spec))
    {
      g_autoptr(ConfabMcpServerConfig) entry = confab_mcp_config_get_server (config, spec, error);

      if (entry == NULL || (server = confab_mcp_config_create_server (config, entry, error)) == NULL)
        return NULL;
    }
  else
    {
      g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();

      if (!confab_tool_registry_add_command (registry, spec, error))
        return NULL;
      server = g_list_model_get_item (confab_tool_registry_get_servers (registry), 0);
    }

  confab_mcp_server_start_async (server, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  if (result == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   _("MCP server “%s” did not start within %d seconds"), spec, WAIT_SECONDS);
      confab_mcp_server_stop (server);
      return NULL;
    }
  if (!confab_mcp_server_start_finish (server, result, error))
    return NULL;

  return g_steal_pointer (&server);
}

static void
print_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, TRUE);

  g_print ("%s\n", text);
}

/* NAME=VALUE words into an object of strings; FALSE (and a message) on another word. */
static JsonObject *
parse_values (char  **words,
              int     n_words)
{
  g_autoptr(JsonObject) values = json_object_new ();

  for (int i = 0; i < n_words; i++)
    {
      const char *equals = strchr (words[i], '=');
      g_autofree char *name = NULL;

      if (equals == NULL || equals == words[i])
        {
          g_printerr (_("confab-cli: “%s” is not NAME=VALUE\n"), words[i]);
          return NULL;
        }

      name = g_strndup (words[i], equals - words[i]);
      json_object_set_string_member (values, name, equals + 1);
    }

  return g_steal_pointer (&values);
}

typedef JsonNode *(*ListFinish) (ConfabMcpServer *, GAsyncResult *, GError **);

static JsonNode *
run_list (ConfabMcpServer  *server,
          void            (*list_async) (ConfabMcpServer *, GCancellable *, GAsyncReadyCallback, gpointer),
          ListFinish        list_finish,
          GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  list_async (server, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  if (result == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _("The MCP server did not answer"));
      return NULL;
    }

  return list_finish (server, result, error);
}

static void
print_items (JsonArray  *items,
             const char *key,
             const char *heading)
{
  if (json_array_get_length (items) > 0 && heading != NULL)
    g_print ("%s\n", heading);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      g_autofree char *id = NULL;
      g_autofree char *about = NULL;
      const char *description;

      if (item == NULL)
        continue;

      id = line_text (json_object_get_string_member_with_default (item, key, "?"));
      description = json_object_get_string_member_with_default (item, "title", NULL);
      if (description == NULL)
        description = json_object_get_string_member_with_default (item, "description", NULL);
      if (description == NULL && g_strcmp0 (key, "name") != 0)
        description = json_object_get_string_member_with_default (item, "name", NULL);
      about = line_text (description);

      if (*about != '\0')
        g_print ("  %s  %s\n", id, about);
      else
        g_print ("  %s\n", id);

      /* A prompt's arguments, so the user knows what to give. */
      if (json_object_has_member (item, "arguments") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (item, "arguments")))
        {
          JsonArray *arguments = json_object_get_array_member (item, "arguments");

          for (guint j = 0; j < json_array_get_length (arguments); j++)
            {
              JsonNode *arg_node = json_array_get_element (arguments, j);
              JsonObject *arg = JSON_NODE_HOLDS_OBJECT (arg_node) ? json_node_get_object (arg_node) : NULL;
              g_autofree char *name = NULL;
              g_autofree char *arg_about = NULL;

              if (arg == NULL)
                continue;
              name = line_text (json_object_get_string_member_with_default (arg, "name", "?"));
              arg_about = line_text (json_object_get_string_member_with_default (arg, "description", ""));
              g_print ("      %s=%s%s%s\n", name,
                       json_object_get_boolean_member_with_default (arg, "required", FALSE) ? _("(required)") : "",
                       *arg_about ? "  " : "", arg_about);
            }
        }
    }
}

static int
command_servers (gboolean json)
{
  g_autofree char *path = confab_mcp_config_get_default_path ();
  g_autoptr(ConfabMcpConfig) config = confab_mcp_config_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) array = json_array_new ();
  g_auto(GStrv) names = NULL;

  if (!confab_mcp_config_load (config, &error))
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 1;
    }

  names = confab_mcp_config_dup_names (config);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(ConfabMcpServerConfig) entry = confab_mcp_config_get_server (config, names[i], &error);
      g_autofree char *name = line_text (names[i]);
      g_autofree char *line = NULL;
      g_autofree char *shown = NULL;

      if (entry == NULL)
        {
          g_print ("%s  %s\n", name, error->message);
          g_clear_error (&error);
          continue;
        }

      line = confab_mcp_server_config_dup_command_line (entry);
      if (json)
        {
          JsonObject *object = json_object_new ();

          json_object_set_string_member (object, "name", names[i]);
          json_object_set_string_member (object, confab_mcp_server_config_is_remote (entry) ? "url" : "command_line", line);
          json_object_set_boolean_member (object, "disabled", entry->disabled);
          json_array_add_object_element (array, object);
          continue;
        }

      shown = line_text (line);
      g_print ("%s  %s%s\n", name, shown, entry->disabled ? _("  (disabled)") : "");
    }

  if (json)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);
      print_json (node);
    }

  return 0;
}

static int
command_decisions (const char *chat_id,
                   gboolean    json)
{
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GListModel) decisions = NULL;
  g_autoptr(GError) error = NULL;

  if ((store = confab_store_open_default (&error)) == NULL ||
      (decisions = confab_store_list_decisions (store, chat_id, 0, &error)) == NULL)
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < g_list_model_get_n_items (decisions); i++)
    {
      g_autoptr(ConfabApprovalDecision) decision = g_list_model_get_item (decisions, i);
      gint64 at = confab_approval_decision_get_recorded_at (decision);
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (at / G_USEC_PER_SEC);
      g_autofree char *when = g_date_time_format_iso8601 (time);

      if (json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;
          g_autofree char *text = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "recorded_at");
          json_builder_add_string_value (builder, when);
          json_builder_set_member_name (builder, "conversation_id");
          json_builder_add_string_value (builder, confab_approval_decision_get_conversation_id (decision));
          json_builder_set_member_name (builder, "server");
          json_builder_add_string_value (builder, confab_approval_decision_get_server (decision));
          json_builder_set_member_name (builder, "tool");
          json_builder_add_string_value (builder, confab_approval_decision_get_tool (decision));
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, confab_approval_decision_get_kind (decision));
          json_builder_set_member_name (builder, "decision");
          json_builder_add_string_value (builder, confab_approval_decision_get_decision (decision));
          json_builder_set_member_name (builder, "detail");
          json_builder_add_string_value (builder, confab_approval_decision_get_detail (decision));
          json_builder_end_object (builder);
          root = json_builder_get_root (builder);
          text = json_to_string (root, FALSE);
          g_print ("%s\n", text);
        }
      else
        {
          g_autofree char *server = line_text (confab_approval_decision_get_server (decision));
          g_autofree char *tool = line_text (confab_approval_decision_get_tool (decision));
          g_autofree char *chat = line_text (confab_approval_decision_get_conversation_id (decision));

          g_print ("%s  %s  %s · %s  %s\n", when, *chat ? chat : "-", server, tool,
                   confab_approval_decision_describe (decision));
        }
    }

  return 0;
}

/* Forgets the OAuth sign-in of the remote server @spec (a name in mcp.json or its URL), as
 * Preferences' Sign Out does. */
static int
command_sign_out (const char *spec)
{
  g_autofree char *path = confab_mcp_config_get_default_path ();
  g_autoptr(ConfabMcpConfig) config = confab_mcp_config_new (path);
  g_autoptr(ConfabMcpServerConfig) entry = NULL;
  g_autoptr(ConfabMcpOAuth) oauth = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = line_text (spec);
  GAsyncResult *slot = NULL;
  gboolean signed_in;

  if (!confab_mcp_config_load (config, &error))
    goto failed;
  if (confab_mcp_config_has_server (config, spec))
    {
      if ((entry = confab_mcp_config_get_server (config, spec, &error)) == NULL)
        goto failed;
      if (!confab_mcp_server_config_is_remote (entry))
        {
          g_printerr (_("confab-cli: “%s” is not a remote server: it has no sign-in\n"), name);
          return 1;
        }
      oauth = confab_mcp_oauth_new (spec, entry->url);
    }
  else if (g_str_has_prefix (spec, "https://") || g_str_has_prefix (spec, "http://"))
    oauth = confab_mcp_oauth_new (spec, spec);
  else
    {
      g_printerr (_("confab-cli: no server “%s” in %s\n"), name, path);
      return 1;
    }

  confab_mcp_oauth_has_token_async (oauth, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  if (result == NULL || !(signed_in = confab_mcp_oauth_has_token_finish (oauth, result, &error)))
    {
      if (error != NULL)
        goto failed;
      g_print (_("No sign-in to forget for “%s”\n"), name);
      return 0;
    }

  g_clear_object (&result);
  confab_mcp_oauth_sign_out_async (oauth, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  if (result == NULL || !confab_mcp_oauth_sign_out_finish (oauth, result, &error))
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _("The keyring did not answer"));
      goto failed;
    }

  g_print (_("Signed out of “%s”\n"), name);
  return 0;

failed:
  g_printerr ("confab-cli: %s\n", error->message);
  return 1;
}

static void
usage (void)
{
  g_printerr ("%s\n", _("usage: confab-cli mcp servers|tools|resources|read|prompts|prompt|decisions|sign-out …\n"
                        "  confab-cli mcp servers [--json]\n"
                        "  confab-cli mcp tools SERVER\n"
                        "  confab-cli mcp resources SERVER [--json]\n"
                        "  confab-cli mcp read SERVER URI [NAME=VALUE…]\n"
                        "  confab-cli mcp prompts SERVER [--json]\n"
                        "  confab-cli mcp prompt SERVER NAME [NAME=VALUE…]\n"
                        "  confab-cli mcp decisions [CHAT_ID] [--json]\n"
                        "  confab-cli mcp sign-out SERVER"));
}

int
confab_cli_mcp_command (int    argc,
                        char **argv)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  const char *command;
  int status = 0;

  /* --json anywhere; the rest in order. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        g_ptr_array_add (words, argv[i]);
    }

  if (words->len == 0)
    {
      usage ();
      return EXIT_USAGE;
    }

  command = words->pdata[0];
  if (g_str_equal (command, "servers") && words->len == 1)
    return command_servers (json);
  if (g_str_equal (command, "sign-out") && words->len == 2)
    return command_sign_out (words->pdata[1]);
  if (g_str_equal (command, "decisions") && words->len <= 2)
    return command_decisions (words->len == 2 ? words->pdata[1] : NULL, json);

  if (words->len < 2 ||
      (!g_str_equal (command, "tools") && !g_str_equal (command, "resources") &&
       !g_str_equal (command, "prompts") && !g_str_equal (command, "read") &&
       !g_str_equal (command, "prompt")) ||
      ((g_str_equal (command, "read") || g_str_equal (command, "prompt")) && words->len < 3) ||
      ((g_str_equal (command, "tools") || g_str_equal (command, "resources") ||
        g_str_equal (command, "prompts")) && words->len != 2))
    {
      usage ();
      return EXIT_USAGE;
    }

  server = start_server (words->pdata[1], &error);
  if (server == NULL)
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 1;
    }

  if (g_str_equal (command, "tools"))
    {
      GListModel *tools = confab_mcp_server_get_tools (server);

      for (guint i = 0; i < g_list_model_get_n_items (tools); i++)
        {
          g_autoptr(ConfabTool) tool = g_list_model_get_item (tools, i);
          g_autofree char *name = line_text (confab_tool_get_name (tool));
          g_autofree char *about = line_text (confab_tool_get_description (tool));

          g_print ("%s  %s\n", name, about);
        }
    }
  else if (g_str_equal (command, "resources") || g_str_equal (command, "prompts"))
    {
      gboolean resources = g_str_equal (command, "resources");
      g_autoptr(JsonNode) list = NULL;
      g_autoptr(JsonNode) templates = NULL;

      list = resources
        ? run_list (server, confab_mcp_server_list_resources_async, confab_mcp_server_list_resources_finish, &error)
        : run_list (server, confab_mcp_server_list_prompts_async, confab_mcp_server_list_prompts_finish, &error);
      if (list != NULL && resources)
        templates = run_list (server, confab_mcp_server_list_resource_templates_async,
                              confab_mcp_server_list_resource_templates_finish, &error);

      if (error != NULL)
        status = 1;
      else if (json && resources)
        {
          g_autoptr(JsonObject) both = json_object_new ();
          g_autoptr(JsonNode) root = NULL;

          json_object_set_member (both, "resources", g_steal_pointer (&list));
          json_object_set_member (both, "resourceTemplates", g_steal_pointer (&templates));
          root = json_node_init_object (json_node_alloc (), both);
          print_json (root);
        }
      else if (json)
        print_json (list);
      else if (resources)
        {
          print_items (json_node_get_array (list), "uri", _("Resources:"));
          print_items (json_node_get_array (templates), "uriTemplate", _("Resource templates (read them with NAME=VALUE…):"));
        }
      else
        print_items (json_node_get_array (list), "name", NULL);
    }
  else
    {
      g_autoptr(JsonObject) values = parse_values ((char **)words->pdata + 3, words->len - 3);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonNode) answer = NULL;
      GAsyncResult *slot = NULL;

      if (values == NULL)
        {
          confab_mcp_server_stop (server);
          return EXIT_USAGE;
        }

      if (g_str_equal (command, "read"))
        {
          g_autofree char *uri = confab_mcp_uri_template_expand (words->pdata[2], values);

          confab_mcp_server_read_resource_async (server, uri, NULL, store_result_cb, &slot);
          result = wait_result (&slot);
          answer = result ? confab_mcp_server_read_resource_finish (server, result, &error) : NULL;
        }
      else
        {
          g_autoptr(JsonNode) arguments = json_node_init_object (json_node_alloc (), values);

          confab_mcp_server_get_prompt_async (server, words->pdata[2], arguments, NULL, store_result_cb, &slot);
          result = wait_result (&slot);
          answer = result ? confab_mcp_server_get_prompt_finish (server, result, &error) : NULL;
        }

      if (result == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _("The MCP server did not answer"));

      if (answer == NULL)
        status = 1;
      else if (json)
        print_json (answer);
      else
        {
          g_autofree char *text = g_str_equal (command, "read")
                                    ? confab_mcp_resource_result_to_text (answer)
                                    : confab_mcp_prompt_result_to_text (answer);
          print_text (text);
        }
    }

  if (error != NULL)
    g_printerr ("confab-cli: %s\n", error->message);

  confab_mcp_server_stop (server);
  return status;
}
