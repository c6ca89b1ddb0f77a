/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "confab-approval-policy.h"
#include "confab-cli-attach.h"
#include "confab-cli-decode.h"
#include "confab-cli-elicit.h"
#include "confab-cli-store.h"
#include "confab-client.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-escape.h"
#include "confab-message.h"
#include "confab-mcp-env.h"
#include "confab-mcp-server.h"
#include "confab-options.h"
#include "confab-provider.h"
#include "confab-provider-list.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"
#include "confab-turn.h"
#include "confab-usage.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

#define ANSI_DIM "\033[2m"
#define ANSI_RESET "\033[0m"

typedef struct
{
  /* options */
  ConfabOptions          options;
  char                  *system;
  char                  *extra_body;
  char                  *continue_id;
  char                  *from_id;
  int                    max_tokens;
  int                    max_steps;
  int                    max_tool_calls;
  int                    idle_timeout;
  int                    max_time;
  gboolean               no_store;
  gboolean               raw;
  gboolean               json;
  gboolean               version;

  /* the run */
  GMainLoop             *loop;
  GCancellable          *cancellable;
  ConfabProvider        *provider;
  ConfabConversation    *conversation;
  ConfabStore           *store;
  ConfabToolRegistry    *registry;
  ConfabApprovalPolicy  *approvals;
  ConfabClient          *client;
  ConfabTurn            *turn;
  GError                *error;
  char                  *prompt;
  char                 **attach;        /* --attach FILE … */
  GListStore            *attachments;   /* ConfabAttachment, read before the run */

  /* approvals asked on the terminal, one at a time */
  GQueue                 pending_approvals;
  GDataInputStream      *stdin_lines;
  ConfabCliElicit       *elicit;
  gboolean               asking;

  gboolean               stdin_tty;
  gboolean               stderr_tty;
  gboolean               stdout_ends_with_newline;
  gboolean               reasoning_open;   /* thinking text on stderr wants a line end */
  gboolean               interrupted;
} Cli;

static void
cli_clear (Cli *cli)
{
  confab_options_clear (&cli->options);
  g_clear_pointer (&cli->system, g_free);
  g_clear_pointer (&cli->extra_body, g_free);
  g_clear_pointer (&cli->continue_id, g_free);
  g_clear_pointer (&cli->from_id, g_free);
  g_clear_pointer (&cli->prompt, g_free);
  g_clear_pointer (&cli->attach, g_strfreev);
  g_clear_object (&cli->attachments);
  g_queue_clear_full (&cli->pending_approvals, g_object_unref);
  if (cli->elicit != NULL)
    confab_cli_elicit_free (cli->elicit, cli->registry ? confab_tool_registry_get_servers (cli->registry) : NULL);
  g_clear_object (&cli->stdin_lines);
  g_clear_object (&cli->turn);
  g_clear_object (&cli->client);
  if (cli->registry != NULL)
    confab_tool_registry_stop (cli->registry);
  g_clear_object (&cli->registry);
  g_clear_object (&cli->approvals);
  g_clear_object (&cli->conversation);
  g_clear_object (&cli->store);
  g_clear_object (&cli->provider);
  g_clear_object (&cli->cancellable);
  g_clear_pointer (&cli->loop, g_main_loop_unref);
  g_clear_error (&cli->error);
}

/* Output */

static void
print_json_line (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
emit_event (Cli        *cli,
            const char *type,
            ...) G_GNUC_NULL_TERMINATED;

/* {"type": @type, name: JsonNode (taken), …} */
static void
emit_event (Cli        *cli,
            const char *type,
            ...)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  const char *name;
  va_list args;

  json_object_set_string_member (object, "type", type);

  va_start (args, type);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      JsonNode *value = va_arg (args, JsonNode *);

      json_object_set_member (object, name, value ? value : json_node_new (JSON_NODE_NULL));
    }
  va_end (args);

  node = json_node_init_object (json_node_alloc (), object);
  print_json_line (node);
}

static JsonNode *
string_node (const char *text)
{
  if (text == NULL)
    return json_node_new (JSON_NODE_NULL);

  return json_node_init_string (json_node_alloc (), text);
}

static JsonNode *
int_node (gint64 value)
{
  return json_node_init_int (json_node_alloc (), value);
}

static JsonNode *
usage_array (Cli *cli)
{
  g_autoptr(JsonArray) array = json_array_new ();

  if (cli->turn != NULL)
    {
      GPtrArray *steps = confab_turn_get_steps (cli->turn);

      for (guint i = 0; i < steps->len; i++)
        {
          ConfabMessage *step = g_ptr_array_index (steps, i);
          JsonNode *usage = confab_usage_to_json (confab_message_get_usage (step));

          json_array_add_element (array, usage ? usage : json_node_new (JSON_NODE_NULL));
        }
    }

  return json_node_init_array (json_node_alloc (), array);
}

static JsonNode *
messages_array (Cli *cli)
{
  if (cli->conversation == NULL)
    return json_node_init_array (json_node_alloc (), json_array_new ());

  return confab_conversation_to_messages_json (cli->conversation);
}

/* What a model, a tool or an MCP server wrote, as the terminal shows it: controls and bidi
 * overrides as their codes (confab-escape.h), so nothing it sends can move the cursor, hide
 * text, set the title or the clipboard, or draw a fake approval prompt. On one line, or with
 * its line feeds and tabs. (transfer full) */
static char *
line_text (const char *text)
{
  return confab_escape_text (text ? text : "?", -1, CONFAB_ESCAPE_DEFAULT);
}

static char *
running_text (const char *text)
{
  return confab_escape_text (text ? text : "", -1, CONFAB_ESCAPE_KEEP_NEWLINES);
}

static void
print_stdout_text (Cli        *cli,
                   const char *text)
{
  gsize len = strlen (text);

  if (len == 0)
    return;

  fwrite (text, 1, len, stdout);
  fflush (stdout);
  cli->stdout_ends_with_newline = text[len - 1] == '\n';
}

static void
print_dimmed (Cli        *cli,
              const char *text)
{
  if (cli->stderr_tty)
    fprintf (stderr, ANSI_DIM "%s" ANSI_RESET, text);
  else
    fputs (text, stderr);
  fflush (stderr);
}

static void
close_reasoning (Cli *cli)
{
  if (!cli->reasoning_open)
    return;

  fputc ('\n', stderr);
  fflush (stderr);
  cli->reasoning_open = FALSE;
}

/* The model's text, never interpreted: escaped unless --raw asks for it as sent (for a pipe). */
static void
content_appended_cb (ConfabMessage *message,
                     const char    *text,
                     Cli           *cli)
{
  g_autofree char *escaped = NULL;

  if (cli->json)
    {
      emit_event (cli, "text", "text", string_node (text), NULL);
      return;
    }

  close_reasoning (cli);
  if (cli->raw)
    print_stdout_text (cli, text);
  else
    {
      escaped = running_text (text);
      print_stdout_text (cli, escaped);
    }
}

static void
reasoning_appended_cb (ConfabMessage *message,
                       const char    *text,
                       Cli           *cli)
{
  g_autofree char *escaped = NULL;

  if (cli->json)
    {
      emit_event (cli, "reasoning", "text", string_node (text), NULL);
      return;
    }

  escaped = running_text (text);
  print_dimmed (cli, escaped);
  cli->reasoning_open = text[0] != '\0' && text[strlen (text) - 1] != '\n';
}

static char *
format_usage_line (ConfabMessage *message)
{
  ConfabUsage *usage = confab_message_get_usage (message);
  g_autoptr(GString) line = g_string_new (NULL);
  double duration = confab_usage_get_duration (usage);
  double tokens_per_second = confab_usage_get_tokens_per_second (usage);

  if (confab_message_get_model (message) != NULL)
    {
      g_autofree char *model = line_text (confab_message_get_model (message));

      g_string_append_printf (line, "[%s] ", model);
    }

  if (confab_usage_get_reported (usage))
    g_string_append_printf (line, _("%lld prompt + %lld completion = %lld tokens"),
                            (long long) confab_usage_get_prompt_tokens (usage),
                            (long long) confab_usage_get_completion_tokens (usage),
                            (long long) confab_usage_get_total_tokens (usage));
  else
    g_string_append (line, _("no usage reported"));

  if (confab_usage_get_cached_tokens (usage) > 0)
    g_string_append_printf (line, _(", %lld cached"), (long long) confab_usage_get_cached_tokens (usage));
  if (confab_usage_get_reasoning_tokens (usage) > 0)
    g_string_append_printf (line, _(", %lld reasoning"), (long long) confab_usage_get_reasoning_tokens (usage));
  if (confab_usage_get_has_cost (usage))
    g_string_append_printf (line, ", $%.6f", confab_usage_get_cost (usage));
  if (duration >= 0)
    g_string_append_printf (line, ", %.2f s", duration);
  if (tokens_per_second > 0)
    g_string_append_printf (line, _(", %.1f tokens/s"), tokens_per_second);

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static JsonNode *
tool_call_event_node (ConfabToolCall *call)
{
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_int_member (object, "index", confab_tool_call_get_index (call));
  json_object_set_member (object, "id", string_node (confab_tool_call_get_id (call)));
  json_object_set_member (object, "name", string_node (confab_tool_call_get_name (call)));
  json_object_set_member (object, "arguments", string_node (confab_tool_call_get_arguments (call)));

  return json_node_init_object (json_node_alloc (), object);
}

/* An answer left the streaming state: report its tool calls and usage. */
static void
message_state_cb (ConfabMessage *message,
                  GParamSpec    *pspec,
                  Cli           *cli)
{
  GListModel *calls;
  guint n_calls;

  if (confab_message_get_state (message) == CONFAB_MESSAGE_STATE_STREAMING)
    return;

  g_signal_handlers_disconnect_by_data (message, cli);

  calls = confab_message_get_tool_calls (message);
  n_calls = g_list_model_get_n_items (calls);

  if (!cli->json)
    close_reasoning (cli);
  if (!cli->json && !cli->stdout_ends_with_newline && confab_message_get_content_length (message) > 0)
    print_stdout_text (cli, "\n");

  for (guint i = 0; i < n_calls; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);

      if (cli->json)
        {
          g_autoptr(JsonNode) node = tool_call_event_node (call);
          JsonObject *object = json_node_get_object (node);

          json_object_set_string_member (object, "type", "tool_call");
          print_json_line (node);
        }
      else
        {
          g_autofree char *name = line_text (confab_tool_call_get_name (call));
          g_autofree char *arguments = line_text (confab_tool_call_get_arguments (call));

          g_printerr ("→ %s(%s)\n", name, arguments);
        }
    }

  if (cli->json)
    {
      JsonNode *usage = confab_usage_to_json (confab_message_get_usage (message));

      emit_event (cli, "usage",
                  "step", int_node (confab_turn_get_steps (cli->turn)->len - 1),
                  "usage", usage,
                  NULL);
    }
  else
    {
      g_autofree char *line = format_usage_line (message);

      print_dimmed (cli, line);
      fputc ('\n', stderr);
    }
}

static void
step_started_cb (ConfabTurn    *turn,
                 ConfabMessage *message,
                 Cli           *cli)
{
  cli->stdout_ends_with_newline = TRUE;

  g_signal_connect (message, "content-appended", G_CALLBACK (content_appended_cb), cli);
  g_signal_connect (message, "reasoning-appended", G_CALLBACK (reasoning_appended_cb), cli);
  g_signal_connect (message, "notify::state", G_CALLBACK (message_state_cb), cli);
}

static void
tool_finished_cb (ConfabTurn     *turn,
                  ConfabToolCall *call,
                  Cli            *cli)
{
  ConfabToolCallStatus status = confab_tool_call_get_status (call);
  const char *result = confab_tool_call_get_result (call);

  if (cli->json)
    {
      g_autoptr(JsonNode) node = tool_call_event_node (call);
      JsonObject *object = json_node_get_object (node);

      json_object_set_string_member (object, "type", "tool_result");
      json_object_set_string_member (object, "status", confab_tool_call_status_to_string (status));
      json_object_set_member (object, "result", string_node (result));
      json_object_set_member (object, "error", string_node (confab_tool_call_get_error (call)));
      if (confab_tool_call_get_server (call) != NULL)
        json_object_set_string_member (object, "server", confab_tool_call_get_server (call));
      print_json_line (node);
    }
  else
    {
      g_autofree char *name = line_text (confab_tool_call_get_name (call));
      g_autofree char *text = running_text (result);

      g_printerr ("← %s [%s]: %s\n", name, confab_tool_call_status_to_string (status), text);
    }
}

/* Approval */

static void ask_next_approval (Cli *cli);

static void
approval_line_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(ConfabToolCall) call = g_queue_pop_head (&cli->pending_approvals);
  g_autofree char *line = NULL;
  ConfabApproval approval = CONFAB_APPROVAL_DENY;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, NULL);
  if (line != NULL)
    {
      g_strstrip (line);
      if (g_ascii_strcasecmp (line, "y") == 0 || g_ascii_strcasecmp (line, "yes") == 0)
        approval = CONFAB_APPROVAL_ALLOW_ONCE;
      else if (g_ascii_strcasecmp (line, "a") == 0 || g_ascii_strcasecmp (line, "always") == 0)
        approval = CONFAB_APPROVAL_ALLOW_ALWAYS;
    }

  cli->asking = FALSE;

  if (call != NULL &&
      confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL)
    confab_tool_call_resolve_approval (call, approval);

  ask_next_approval (cli);
}

static void
ask_next_approval (Cli *cli)
{
  ConfabToolCall *call;
  g_autofree char *name = NULL;
  g_autofree char *arguments = NULL;

  if (cli->asking || g_queue_is_empty (&cli->pending_approvals))
    {
      /* The terminal is free: a server's question may be waiting for it. */
      if (!cli->asking && cli->elicit != NULL)
        confab_cli_elicit_resume (cli->elicit);
      return;
    }

  /* Always escaped, --raw or not, and on one line: the model writes the arguments, and must
   * not be able to erase or redraw the question the user answers. */
  call = g_queue_peek_head (&cli->pending_approvals);
  name = line_text (confab_tool_call_get_name (call));
  arguments = line_text (confab_tool_call_get_arguments (call));
  g_printerr ("Run %s(%s)? [y/N/a] ", name, arguments);

  if (cli->stdin_lines == NULL)
    {
      g_autoptr(GInputStream) input = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      cli->stdin_lines = g_data_input_stream_new (input);
    }

  cli->asking = TRUE;
  g_data_input_stream_read_line_async (cli->stdin_lines, G_PRIORITY_DEFAULT, cli->cancellable,
                                       approval_line_cb, cli);
}

/* A server's question is answered: approvals may go on. */
static gboolean
terminal_free_cb (gpointer user_data)
{
  ask_next_approval (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
deny_call_cb (gpointer user_data)
{
  ConfabToolCall *call = user_data;

  if (confab_tool_call_get_status (call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL)
    confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_DENY);

  return G_SOURCE_REMOVE;
}

static void
approval_requested_cb (ConfabTurn     *turn,
                       ConfabToolCall *call,
                       Cli            *cli)
{
  if (cli->options.yes)
    {
      confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_ALLOW_ONCE);
      return;
    }

  if (!cli->stdin_tty)
    {
      /* Nobody to ask: no tool runs without consent. Answered from the main loop, so the
       * registry is done setting up its wait first. */
      if (!cli->json)
        {
          g_autofree char *name = line_text (confab_tool_call_get_name (call));
          g_autofree char *arguments = line_text (confab_tool_call_get_arguments (call));

          g_printerr (_("Denied %s(%s): no terminal to ask on (use --yes to allow)\n"),
                      name, arguments);
        }
      g_idle_add_full (G_PRIORITY_DEFAULT, deny_call_cb, g_object_ref (call), g_object_unref);
      return;
    }

  g_queue_push_tail (&cli->pending_approvals, g_object_ref (call));
  ask_next_approval (cli);
}

/* The run */

static void
finish_run (Cli    *cli,
            GError *error)
{
  if (cli->store != NULL && cli->conversation != NULL)
    {
      g_autoptr(GError) store_error = NULL;

      /* A save that failed (disk full, read-only file) fails the run: the answer is not
       * stored, and a script must not read "done". */
      if (!confab_cli_store_finish (cli->store, cli->conversation, &store_error) && error == NULL)
        error = g_steal_pointer (&store_error);
    }

  if (error != NULL)
    g_propagate_error (&cli->error, error);

  g_main_loop_quit (cli->loop);
}

static void
report_step_limit (Cli *cli)
{
  GPtrArray *steps = confab_turn_get_steps (cli->turn);
  ConfabMessage *last = g_ptr_array_index (steps, steps->len - 1);
  GListModel *calls = confab_message_get_tool_calls (last);
  guint n_calls = g_list_model_get_n_items (calls);

  if (cli->json)
    {
      g_autoptr(JsonArray) pending = json_array_new ();

      for (guint i = 0; i < n_calls; i++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
          json_array_add_element (pending, tool_call_event_node (call));
        }

      emit_event (cli, "step_limit",
                  "max_steps", int_node (confab_turn_get_max_steps (cli->turn)),
                  "pending", json_node_init_array (json_node_alloc (), pending),
                  NULL);
    }
  else
    {
      g_printerr (ngettext ("Stopped after %u request (--max-steps); these tool calls were not run:\n",
                            "Stopped after %u requests (--max-steps); these tool calls were not run:\n",
                            confab_turn_get_max_steps (cli->turn)),
                  confab_turn_get_max_steps (cli->turn));
      for (guint i = 0; i < n_calls; i++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
          g_autofree char *name = line_text (confab_tool_call_get_name (call));
          g_autofree char *arguments = line_text (confab_tool_call_get_arguments (call));

          g_printerr ("  %s(%s)\n", name, arguments);
        }
    }
}

static void
turn_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Cli *cli = user_data;
  GError *error = NULL;

  if (!confab_turn_run_finish (CONFAB_TURN (object), result, &error))
    {
      finish_run (cli, error);
      return;
    }

  if (confab_turn_get_hit_step_limit (cli->turn))
    report_step_limit (cli);

  finish_run (cli, NULL);
}

static void
start_turn (Cli *cli)
{
  g_autoptr(ConfabMessage) user = NULL;

  cli->client = confab_client_new ();
  if (cli->idle_timeout > 0)
    confab_client_set_idle_timeout (cli->client, cli->idle_timeout);
  if (cli->max_time >= 0)
    confab_client_set_max_time (cli->client, cli->max_time);

  user = confab_message_new (CONFAB_ROLE_USER, cli->prompt);
  for (guint i = 0; cli->attachments && i < g_list_model_get_n_items (G_LIST_MODEL (cli->attachments)); i++)
    {
      g_autoptr(ConfabAttachment) attachment = g_list_model_get_item (G_LIST_MODEL (cli->attachments), i);
      confab_message_add_attachment (user, attachment);
    }
  confab_conversation_append (cli->conversation, user);

  cli->turn = confab_turn_new (cli->client, cli->provider, cli->conversation,
                               cli->registry, cli->approvals);
  if (cli->options.model != NULL)
    confab_turn_set_model (cli->turn, cli->options.model);
  if (cli->max_steps > 0)
    confab_turn_set_max_steps (cli->turn, cli->max_steps);
  if (cli->max_tool_calls > 0)
    confab_turn_set_max_tool_calls (cli->turn, cli->max_tool_calls);

  g_signal_connect (cli->turn, "step-started", G_CALLBACK (step_started_cb), cli);
  g_signal_connect (cli->turn, "approval-requested", G_CALLBACK (approval_requested_cb), cli);
  g_signal_connect (cli->turn, "tool-finished", G_CALLBACK (tool_finished_cb), cli);

  confab_turn_run_async (cli->turn, cli->cancellable, turn_cb, cli);
}

static void
registry_started_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Cli *cli = user_data;
  GError *error = NULL;
  GListModel *servers;

  if (!confab_tool_registry_start_finish (CONFAB_TOOL_REGISTRY (object), result, &error))
    {
      finish_run (cli, error);
      return;
    }

  /* A server that failed is skipped; say so, the others keep working. */
  servers = confab_tool_registry_get_servers (cli->registry);
  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);
      const char *message = confab_mcp_server_get_error (server);
      g_autofree char *escaped = NULL;

      if (message == NULL)
        continue;

      escaped = running_text (message);
      g_printerr ("confab-cli: %s\n", escaped);
      if (cli->json)
        emit_event (cli, "warning", "message", string_node (message), NULL);
    }

  start_turn (cli);
}

static gboolean
sigint_cb (gpointer user_data)
{
  Cli *cli = user_data;

  cli->interrupted = TRUE;
  g_cancellable_cancel (cli->cancellable);

  return G_SOURCE_CONTINUE;
}

static gboolean
setup_provider (Cli     *cli,
                GError **error)
{
  const char *base_url = cli->options.base_url;

  if (base_url == NULL && cli->conversation != NULL)
    base_url = confab_conversation_get_base_url (cli->conversation);

  if (cli->options.base_url != NULL)
    {
      cli->provider = confab_options_create_provider (&cli->options);
    }
  else
    {
      ConfabProviderList *list = confab_provider_list_get_default ();
      ConfabProvider *active = NULL;
      const char *env_name = cli->options.api_key_env ? cli->options.api_key_env : CONFAB_DEFAULT_API_KEY_ENV;

      confab_mcp_env_add_secret (env_name);

      if (cli->conversation != NULL && confab_conversation_get_provider_name (cli->conversation) != NULL)
        active = confab_provider_list_lookup (list, confab_conversation_get_provider_name (cli->conversation));
      if (active == NULL)
        active = confab_provider_list_get_active (list);

      if (active != NULL)
        {
          g_autoptr(JsonNode) json = confab_provider_to_json (active);

          cli->provider = confab_provider_new_from_json (json, error);
          if (cli->provider == NULL)
            return FALSE;
          if (base_url != NULL)
            confab_provider_set_base_url (cli->provider, base_url);
          if (g_getenv (env_name) != NULL)
            confab_provider_set_api_key (cli->provider, g_getenv (env_name));
        }
      else if (base_url != NULL)
        {
          g_autofree char *url = g_strdup (base_url);

          g_free (cli->options.base_url);
          cli->options.base_url = g_steal_pointer (&url);
          cli->provider = confab_options_create_provider (&cli->options);
        }
    }

  if (cli->provider == NULL)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                           _("No endpoint: pass --base-url URL (for example https://api.groq.com/openai/v1)"));
      return FALSE;
    }

  if (cli->max_tokens > 0)
    confab_provider_set_max_tokens (cli->provider, cli->max_tokens);

  if (cli->extra_body != NULL &&
      !confab_provider_set_extra_body_json (cli->provider, cli->extra_body, error))
    return FALSE;

  return TRUE;
}

static gboolean
setup_conversation (Cli     *cli,
                    GError **error)
{
  if (!cli->no_store)
    {
      cli->store = confab_cli_store_open (error);
      if (cli->store == NULL)
        return FALSE;
    }

  if (cli->continue_id != NULL)
    {
      if (cli->store == NULL)
        {
          g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                               _("--continue needs the store; it cannot be used with --no-store"));
          return FALSE;
        }

      cli->conversation = confab_cli_store_continue (cli->store, cli->continue_id, error);
      if (cli->conversation == NULL ||
          (cli->from_id != NULL && !confab_conversation_branch_after (cli->conversation, cli->from_id, error)))
        return FALSE;
    }
  else if (cli->from_id != NULL)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG, _("--from needs --continue"));
      return FALSE;
    }
  else
    {
      cli->conversation = confab_conversation_new ();
    }

  if (cli->system != NULL)
    confab_conversation_set_system_prompt (cli->conversation, cli->system);

  return TRUE;
}

static gboolean
run (Cli     *cli,
     GError **error)
{
  const char *model;

  cli->cancellable = g_cancellable_new ();
  cli->loop = g_main_loop_new (NULL, FALSE);
  cli->stdin_tty = isatty (STDIN_FILENO);
  cli->stderr_tty = isatty (STDERR_FILENO);
  cli->stdout_ends_with_newline = TRUE;

  if (!setup_conversation (cli, error) || !setup_provider (cli, error))
    return FALSE;

  model = cli->options.model;
  if (model == NULL)
    model = confab_conversation_get_model (cli->conversation);
  if (model == NULL || model[0] == '\0')
    model = confab_provider_get_model (cli->provider);
  if (model == NULL || model[0] == '\0')
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                           _("No model: pass --model ID"));
      return FALSE;
    }

  confab_conversation_set_model (cli->conversation, model);
  if (confab_conversation_get_base_url (cli->conversation) == NULL ||
      cli->options.base_url != NULL)
    confab_conversation_set_base_url (cli->conversation, confab_provider_get_base_url (cli->provider));
  if (confab_conversation_get_provider_name (cli->conversation) == NULL)
    confab_conversation_set_provider_name (cli->conversation, confab_provider_get_name (cli->provider));

  if (cli->store != NULL && !confab_cli_store_begin (cli->store, cli->conversation, error))
    return FALSE;

  g_unix_signal_add (SIGINT, sigint_cb, cli);
  g_unix_signal_add (SIGTERM, sigint_cb, cli);

  /* Servers come from the same mcp.json the GUI uses, plus --mcp for this run. */
  cli->registry = confab_tool_registry_new ();
  {
    g_autofree char *config_path = confab_tool_registry_get_default_config_path ();

    if (!confab_tool_registry_load_config (cli->registry, config_path, error))
      return FALSE;
  }
  for (guint i = 0; cli->options.mcp != NULL && cli->options.mcp[i] != NULL; i++)
    {
      if (!confab_tool_registry_add_command (cli->registry, cli->options.mcp[i], error))
        return FALSE;
    }

  if (g_list_model_get_n_items (confab_tool_registry_get_servers (cli->registry)) > 0)
    {
      g_autofree char *approvals_path = confab_approval_policy_get_default_path ();

      cli->approvals = confab_approval_policy_new (approvals_path);
      confab_approval_policy_set_allow_all (cli->approvals, cli->options.yes);
      /* A server that asks the user (elicitation) is answered on the terminal. */
      cli->elicit = confab_cli_elicit_new (confab_tool_registry_get_servers (cli->registry),
                                           cli->stdin_tty, &cli->stdin_lines, &cli->asking,
                                           terminal_free_cb, cli);

      confab_tool_registry_start_async (cli->registry, cli->cancellable, registry_started_cb, cli);
    }
  else
    {
      g_clear_object (&cli->registry);
      start_turn (cli);
    }

  g_main_loop_run (cli->loop);

  if (cli->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&cli->error));
      return FALSE;
    }

  return TRUE;
}

/* Arguments arrive in the locale's encoding; requests and output are UTF-8. */
static gboolean
ensure_utf8 (char   **text,
             GError **error)
{
  g_autofree char *converted = NULL;

  if (*text == NULL || g_utf8_validate (*text, -1, NULL))
    return TRUE;

  converted = g_locale_to_utf8 (*text, -1, NULL, NULL, NULL);
  if (converted == NULL || !g_utf8_validate (converted, -1, NULL))
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_INVALID_UTF8,
                           _("The prompt or system prompt is not valid text in this locale"));
      return FALSE;
    }

  g_free (*text);
  *text = g_steal_pointer (&converted);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GOptionEntry *shared = NULL;
  Cli cli = { 0 };
  int status = 0;
  const GOptionEntry own_entries[] = {
    { "system", 0, 0, G_OPTION_ARG_STRING, &cli.system, N_("Use TEXT as the system prompt"), N_("TEXT") },
    { "max-tokens", 0, 0, G_OPTION_ARG_INT, &cli.max_tokens, N_("Ask for at most N tokens per answer"), N_("N") },
    { "extra-body", 0, 0, G_OPTION_ARG_STRING, &cli.extra_body,
      N_("Merge the JSON object into every request body"), N_("JSON") },
    { "max-tool-calls", 0, 0, G_OPTION_ARG_INT, &cli.max_tool_calls,
      N_("Fail when one answer asks for more than N tool calls (default 128)"), N_("N") },
    { "max-steps", 0, 0, G_OPTION_ARG_INT, &cli.max_steps,
      N_("Send at most N requests in this turn (default 10)"), N_("N") },
    { "continue", 0, 0, G_OPTION_ARG_STRING, &cli.continue_id,
      N_("Continue the stored conversation ID"), N_("ID") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &cli.from_id,
      N_("With --continue: continue from message MESSAGE_ID, as a new branch"), N_("MESSAGE_ID") },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cli.attach,
      N_("Send FILE with the prompt: an image, a text or code file, a PDF (repeatable)"), N_("FILE") },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &cli.no_store, N_("Do not save the conversation"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli.json, N_("Print one JSON object per line"), NULL },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &cli.raw,
      N_("Print the model’s text exactly as sent, control characters included (for a pipe)"), NULL },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &cli.idle_timeout,
      N_("Give up after SECONDS without a byte from the server (default 60)"), N_("SECONDS") },
    { "max-time", 0, 0, G_OPTION_ARG_INT, &cli.max_time,
      N_("Give up on a request after SECONDS in all, however busy the stream (default 600, 0 for no limit)"),
      N_("SECONDS") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &cli.version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  /* Unset until given: 0 is not a valid step limit or timeout. */
  cli.max_steps = -1;
  cli.idle_timeout = -1;
  cli.max_time = -1;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Subcommands that are not a chat. */
  if (argc > 1 && g_str_equal (argv[1], "decode"))
    {
      if (argc > 3)
        {
          g_printerr ("confab-cli: %s\n", _("usage: confab-cli decode [FILE|-]"));
          return EXIT_USAGE;
        }
      return confab_cli_decode (argc > 2 ? argv[2] : NULL);
    }

  if (argc > 1 && confab_cli_store_is_command (argv[1]))
    return confab_cli_store_command (argc - 1, argv + 1);

  shared = confab_options_get_entries (&cli.options);
  context = g_option_context_new (_("PROMPT"));
  g_option_context_set_summary (context, _("Chat with an OpenAI-compatible endpoint from the terminal."));
  g_option_context_set_description (context,
                                    _("Commands:\n"
                                      "  confab-cli [OPTIONS] PROMPT     run one user turn\n"
                                      "  confab-cli decode [FILE|-]      assemble a raw SSE body (or a go-vcr cassette) into messages\n"
                                      "  confab-cli list [--json]        list stored conversations\n"
                                      "  confab-cli search TEXT [--json] search stored conversations\n"
                                      "  confab-cli export ID [--format markdown|json|openai|cassette] [--output FILE]\n"
                                      "  confab-cli import FILE          import Confab JSON, ChatGPT or Open WebUI chats\n"
                                      "  confab-cli delete ID            delete a stored conversation\n"
                                      "  confab-cli usage [--by provider|model|month] [--json]\n"));
  g_option_context_add_main_entries (context, shared, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, own_entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("confab-cli: %s\n", error->message);
      cli_clear (&cli);
      return EXIT_USAGE;
    }

  if (cli.version)
    {
      g_print ("confab-cli %s\n", PACKAGE_VERSION);
      cli_clear (&cli);
      return 0;
    }

  if (argc < 2)
    error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                                 _("No prompt given (see --help)"));
  else if (cli.max_tokens < 0)
    error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                                 _("--max-tokens takes a number of tokens (0 for no limit)"));
  else if (cli.max_steps == 0 || cli.max_steps < -1 || cli.idle_timeout == 0 || cli.idle_timeout < -1 ||
           cli.max_tool_calls < 0)
    error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                                 _("--max-steps and --idle-timeout take a number of at least 1"));
  else if (cli.max_time < -1)
    error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                                 _("--max-time takes a number of seconds (0 for no limit)"));

  if (error == NULL)
    {
      cli.prompt = g_strjoinv (" ", argv + 1);
      if (!ensure_utf8 (&cli.prompt, &error) || !ensure_utf8 (&cli.system, &error))
        status = EXIT_USAGE;
      else if ((cli.attachments = confab_cli_load_attachments ((const char * const *) cli.attach,
                                                               &error)) == NULL)
        status = EXIT_USAGE;
      else if (!run (&cli, &error))
        status = EXIT_FAILED;
    }
  else
    status = EXIT_USAGE;

  if (error != NULL && cli.interrupted && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Interrupted"));
      status = EXIT_INTERRUPTED;
    }

  if (cli.json)
    {
      if (error != NULL)
        emit_event (&cli, "error",
                    "message", string_node (error->message),
                    "messages", messages_array (&cli),
                    "usage", usage_array (&cli),
                    NULL);
      else
        emit_event (&cli, "done",
                    "messages", messages_array (&cli),
                    "usage", usage_array (&cli),
                    "conversation_id", string_node (cli.conversation ? confab_conversation_get_id (cli.conversation) : NULL),
                    "hit_step_limit", json_node_init_boolean (json_node_alloc (),
                                                              cli.turn && confab_turn_get_hit_step_limit (cli.turn)),
                    NULL);
    }
  else if (error != NULL)
    {
      /* An HTTP error carries the provider's words, an MCP error the server's. */
      g_autofree char *escaped = running_text (error->message);

      if (!cli.stdout_ends_with_newline)
        print_stdout_text (&cli, "\n");
      g_printerr ("confab-cli: %s\n", escaped);
    }

  cli_clear (&cli);

  return status;
}
