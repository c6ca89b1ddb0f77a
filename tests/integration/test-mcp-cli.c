/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mcp-cli"

/* confab-cli mcp …: a configured server's resources, templates, prompts and tools from the
 * terminal, and the tool decision log, against the test MCP server. */

#include <glib/gstdio.h>
#include <string.h>

#include "confab-approval-decision.h"
#include "confab-replay-server.h"
#include "confab-store.h"
#include "confab-store-decisions.h"
#include "confab-test-util.h"

#define WAIT_MS 30000

static char *home;

static ConfabCliResult *
run (const char * const *args)
{
  g_autofree char *config = g_strdup_printf ("XDG_CONFIG_HOME=%s/config", home);
  g_autofree char *data = g_strdup_printf ("XDG_DATA_HOME=%s/data", home);
  const char *env[] = { config, data, NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add (builder, "mcp");
  g_strv_builder_addv (builder, (const char **)args);
  argv = g_strv_builder_end (builder);

  return confab_test_run_cli ((const char * const *)argv, NULL, env, WAIT_MS);
}

#define RUN(...) run ((const char *[]) { __VA_ARGS__, NULL })

#define ANSWER "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"OK.\"},\"finish_reason\":\"stop\"}]}\n\n" \
               "data: [DONE]\n\n"

/* A chat run of confab-cli (--resource, --prompt …) against @server, with mcp.json's
 * "library" server. */
static ConfabCliResult *
run_chat (ConfabReplayServer *server,
          const char * const *args)
{
  g_autofree char *config = g_strdup_printf ("XDG_CONFIG_HOME=%s/config", home);
  g_autofree char *data = g_strdup_printf ("XDG_DATA_HOME=%s/data", home);
  const char *env[] = { config, data, NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  ConfabCliResult *result;

  g_strv_builder_add_many (builder, "--base-url", confab_replay_server_get_base_url (server),
                           "--model", "m", "--no-store", "--json", NULL);
  g_strv_builder_addv (builder, (const char **)args);
  argv = g_strv_builder_end (builder);

  result = confab_test_run_cli ((const char * const *)argv, NULL, env, WAIT_MS);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", result->exit_status,
                  result->stdout_text, result->stderr_text);
  return result;
}

#define RUN_CHAT(server, ...) run_chat (server, (const char *[]) { __VA_ARGS__, NULL })

/* The text of the last message of the first request the provider received. */
static char *
sent_user_text (ConfabReplayServer *server)
{
  GPtrArray *requests = confab_replay_server_get_requests (server);
  g_autoptr(JsonNode) body = NULL;
  JsonArray *messages;
  JsonObject *last;

  g_assert_cmpuint (requests->len, ==, 1);
  body = json_from_string (((ConfabReplayRequest *)requests->pdata[0])->body, NULL);
  g_assert_nonnull (body);
  messages = json_object_get_array_member (json_node_get_object (body), "messages");
  last = json_array_get_object_element (messages, json_array_get_length (messages) - 1);
  g_assert_cmpstr (json_object_get_string_member (last, "role"), ==, "user");

  return g_strdup (json_object_get_string_member (last, "content"));
}

/* A chat whose message is made from the server's resources and prompts: the user text the
 * provider gets, as the composer makes it. */
typedef struct
{
  const char *args[12];
  const char *sent;
} ChatInput;

/* The user's text, then each resource under a line naming it. */
static const ChatInput with_resources = {
  { "--resource", "library", "file:///notes.md",
    "What do I need?", "--resource", "library", "file:///forecast.txt", NULL },
  "What do I need?\n\n"
  "Resource file:///notes.md from “library”:\n# Notes\nBuy bread\n\n"
  "Resource file:///forecast.txt from “library”:\nSunny all week",
};

/* No PROMPT: the server's prompt is the message, as the "/" menu makes it. */
static const ChatInput with_prompt = {
  { "--prompt", "library", "summarize", "--arg", "text=a long story", "--arg", "style=briefly", NULL },
  "Summarize briefly: a long story",
};

static const ChatInput with_prompt_and_resource = {
  { "--resource", "library", "weather://Rome/today",
    "--prompt", "library", "summarize", "--arg", "text=the notes", "Keep it short.", NULL },
  "Summarize plainly: the notes\n\nKeep it short.\n\n"
  "Resource weather://Rome/today from “library”:\nWeather in Rome today: sunny, 24 C",
};

static void
test_chat_input (gconstpointer data)
{
  const ChatInput *input = data;
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabCliResult) result = NULL;
  g_autofree char *text = NULL;

  confab_replay_server_add_response (server, 200, NULL, ANSWER, CONFAB_REPLAY_NONE);
  result = run_chat (server, input->args);

  g_assert_cmpint (result->exit_status, ==, 0);
  text = sent_user_text (server);
  g_assert_cmpstr (text, ==, input->sent);
}

/* A picture resource goes as image content, its description in the text. */
static void
test_chat_with_image_resource (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonArray *messages;
  JsonArray *parts;
  JsonObject *last;
  const char *text = NULL;
  const char *image = NULL;

  confab_replay_server_add_response (server, 200, NULL, ANSWER, CONFAB_REPLAY_NONE);
  result = RUN_CHAT (server, "--resource", "library", "file:///dot.png", "What is this?");

  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_cmpuint (confab_replay_server_get_requests (server)->len, ==, 1);
  body = json_from_string (((ConfabReplayRequest *)confab_replay_server_get_requests (server)->pdata[0])->body, NULL);
  messages = json_object_get_array_member (json_node_get_object (body), "messages");
  last = json_array_get_object_element (messages, json_array_get_length (messages) - 1);
  parts = json_object_get_array_member (last, "content");
  g_assert_nonnull (parts);
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      if (g_strcmp0 (json_object_get_string_member (part, "type"), "text") == 0 && text == NULL)
        text = json_object_get_string_member (part, "text");
      else if (g_strcmp0 (json_object_get_string_member (part, "type"), "image_url") == 0)
        image = json_object_get_string_member (json_object_get_object_member (part, "image_url"), "url");
    }
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "What is this?\n\nResource file:///dot.png from “library”:\n[file:///dot.png: image/png, "));
  g_assert_nonnull (image);
  g_assert_true (g_str_has_prefix (image, "data:image/png;base64,"));
}

static void
test_chat_input_errors (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabCliResult) short_resource = RUN_CHAT (server, "hello", "--resource", "library");
  g_autoptr(ConfabCliResult) stray_arg = RUN_CHAT (server, "hello", "--arg", "a=b");
  g_autoptr(ConfabCliResult) joined = RUN_CHAT (server, "hello", "--resource=library");
  g_autoptr(ConfabCliResult) unknown = RUN_CHAT (server, "hello", "--resource", "nosuch", "file:///notes.md");
  g_autoptr(ConfabCliResult) missing = RUN_CHAT (server, "hello", "--resource", "library", "file:///nothing");
  g_autoptr(ConfabCliResult) bad_prompt = RUN_CHAT (server, "--prompt", "library", "summarize");

  g_assert_cmpint (short_resource->exit_status, ==, 2);
  g_assert_nonnull (strstr (short_resource->stderr_text, "--resource takes two words"));
  g_assert_cmpint (stray_arg->exit_status, ==, 2);
  g_assert_nonnull (strstr (stray_arg->stderr_text, "--arg takes NAME=VALUE after --prompt"));
  g_assert_cmpint (joined->exit_status, ==, 2);
  g_assert_nonnull (strstr (joined->stderr_text, "--resource takes two words"));
  g_assert_cmpint (unknown->exit_status, ==, 1);
  g_assert_nonnull (strstr (unknown->stdout_text, "No tool server is named “nosuch”"));
  g_assert_cmpint (missing->exit_status, ==, 1);
  g_assert_nonnull (strstr (missing->stdout_text, "Could not read file:///nothing: MCP server “library”"));
  g_assert_nonnull (strstr (missing->stdout_text, "Resource not found"));
  /* "text" is required: the server's error, and nothing is sent. */
  g_assert_cmpint (bad_prompt->exit_status, ==, 1);
  g_assert_nonnull (strstr (bad_prompt->stdout_text, "Could not get the prompt “summarize”: MCP server “library”"));
  g_assert_cmpuint (confab_replay_server_get_requests (server)->len, ==, 0);
}

static void
test_servers (void)
{
  g_autoptr(ConfabCliResult) result = RUN ("servers");

  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (result->stdout_text, "library  "));
  g_assert_nonnull (strstr (result->stdout_text, "off  "));
  g_assert_nonnull (strstr (result->stdout_text, "(disabled)"));
}

static void
test_resources_and_templates (void)
{
  g_autoptr(ConfabCliResult) result = RUN ("resources", "library");

  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_cmpstr (result->stdout_text, ==,
                   "Resources:\n"
                   "  file:///forecast.txt  forecast\n"
                   "  file:///notes.md  Notes\n"
                   "Resource templates (read them with NAME=VALUE…):\n"
                   "  weather://{city}/today{?units}  Today's weather\n");
}

static void
test_resources_json (void)
{
  g_autoptr(ConfabCliResult) result = RUN ("resources", "library", "--json");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_cmpint (result->exit_status, ==, 0);
  node = json_from_string (result->stdout_text, NULL);
  g_assert_nonnull (node);
  object = json_node_get_object (node);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "resources")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "resourceTemplates")), ==, 1);
}

static void
test_read_resource_and_template (void)
{
  g_autoptr(ConfabCliResult) plain = RUN ("read", "library", "file:///notes.md");
  g_autoptr(ConfabCliResult) filled = RUN ("read", "library", "weather://{city}/today{?units}",
                                           "city=São Paulo", "units=imperial");
  g_autoptr(ConfabCliResult) missing = RUN ("read", "library", "file:///nothing");

  g_assert_cmpint (plain->exit_status, ==, 0);
  g_assert_cmpstr (plain->stdout_text, ==, "# Notes\nBuy bread\n");
  g_assert_cmpint (filled->exit_status, ==, 0);
  g_assert_cmpstr (filled->stdout_text, ==, "Weather in São Paulo today: sunny, 24 F\n");
  g_assert_cmpint (missing->exit_status, ==, 1);
  g_assert_nonnull (strstr (missing->stderr_text, "Resource not found"));
}

static void
test_prompts_and_prompt (void)
{
  g_autoptr(ConfabCliResult) list = RUN ("prompts", "library");
  g_autoptr(ConfabCliResult) prompt = RUN ("prompt", "library", "summarize", "text=a long story", "style=briefly");
  g_autoptr(ConfabCliResult) bad = RUN ("prompt", "library", "summarize", "text");

  g_assert_cmpint (list->exit_status, ==, 0);
  g_assert_cmpstr (list->stdout_text, ==,
                   "  summarize  Summarize\n"
                   "      text=(required)  what to summarize\n"
                   "      style=  how\n");
  g_assert_cmpint (prompt->exit_status, ==, 0);
  g_assert_cmpstr (prompt->stdout_text, ==, "Summarize briefly: a long story\n");
  g_assert_cmpint (bad->exit_status, ==, 2);
  g_assert_nonnull (strstr (bad->stderr_text, "“text” is not NAME=VALUE"));
}

static void
test_tools_and_command_line_server (void)
{
  g_autofree char *command = g_strdup_printf ("%s --tools add", g_getenv ("CONFAB_TEST_MCP_SERVER"));
  g_autoptr(ConfabCliResult) result = RUN ("tools", command);
  g_autoptr(ConfabCliResult) unknown = RUN ("tools", "/nonexistent/server");

  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_cmpstr (result->stdout_text, ==, "add  Add two numbers\n");
  g_assert_cmpint (unknown->exit_status, ==, 1);
  g_assert_nonnull (strstr (unknown->stderr_text, "could not be started"));
}

static void
test_decisions (void)
{
  g_autofree char *path = g_build_filename (home, "data", "confab", "confab.db", NULL);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabApprovalDecision) first = confab_approval_decision_new ("chat-1", "library", "add", "approval", "allow-chat", NULL);
  g_autoptr(ConfabApprovalDecision) second = confab_approval_decision_new ("chat-2", "library", "add", "elicitation", "decline", "Your name?");
  g_autoptr(ConfabCliResult) all = NULL;
  g_autoptr(ConfabCliResult) one = NULL;
  g_autoptr(GError) error = NULL;

  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_log_decision (store, first, &error));
  g_assert_true (confab_store_log_decision (store, second, &error));
  g_clear_object (&store);

  all = RUN ("decisions");
  g_assert_cmpint (all->exit_status, ==, 0);
  /* Newest first. */
  g_assert_nonnull (strstr (all->stdout_text, "chat-2  library · add  Declined\n"));
  g_assert_nonnull (strstr (all->stdout_text, "chat-1  library · add  Allowed for this chat\n"));
  g_assert_true (strstr (all->stdout_text, "chat-2") < strstr (all->stdout_text, "chat-1"));

  one = RUN ("decisions", "chat-1", "--json");
  g_assert_cmpint (one->exit_status, ==, 0);
  g_assert_null (strstr (one->stdout_text, "chat-2"));
  g_assert_nonnull (strstr (one->stdout_text, "\"decision\":\"allow-chat\""));
}

static void
test_usage (void)
{
  g_autoptr(ConfabCliResult) none = RUN ("frobnicate");

  g_assert_cmpint (none->exit_status, ==, 2);
  g_assert_nonnull (strstr (none->stderr_text, "usage: confab-cli mcp"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_dir = NULL;
  g_autofree char *mcp_json = NULL;
  g_autofree char *contents = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  home = g_dir_make_tmp ("confab-mcp-cli-XXXXXX", &error);
  g_assert_no_error (error);
  config_dir = g_build_filename (home, "config", "confab", NULL);
  g_mkdir_with_parents (config_dir, 0700);
  mcp_json = g_build_filename (config_dir, "mcp.json", NULL);
  contents = g_strdup_printf ("{\"mcpServers\": {\"library\": {\"command\": \"%s\"},"
                              " \"off\": {\"command\": \"true\", \"disabled\": true}}}",
                              g_getenv ("CONFAB_TEST_MCP_SERVER"));
  g_file_set_contents (mcp_json, contents, -1, &error);
  g_assert_no_error (error);

  g_test_add_func ("/mcp-cli/servers", test_servers);
  g_test_add_func ("/mcp-cli/resources-and-templates", test_resources_and_templates);
  g_test_add_func ("/mcp-cli/resources-json", test_resources_json);
  g_test_add_func ("/mcp-cli/read-resource-and-template", test_read_resource_and_template);
  g_test_add_func ("/mcp-cli/prompts-and-prompt", test_prompts_and_prompt);
  g_test_add_func ("/mcp-cli/tools-of-a-command-line", test_tools_and_command_line_server);
  g_test_add_func ("/mcp-cli/decisions", test_decisions);
  g_test_add_func ("/mcp-cli/usage", test_usage);
  g_test_add_data_func ("/mcp-cli/chat-with-resources", &with_resources, test_chat_input);
  g_test_add_data_func ("/mcp-cli/chat-with-prompt", &with_prompt, test_chat_input);
  g_test_add_data_func ("/mcp-cli/chat-with-prompt-and-resource", &with_prompt_and_resource, test_chat_input);
  g_test_add_func ("/mcp-cli/chat-with-image-resource", test_chat_with_image_resource);
  g_test_add_func ("/mcp-cli/chat-input-errors", test_chat_input_errors);

  status = g_test_run ();

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", home);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (home);

  return status;
}
