/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "confab-cli-private.h"
#include "confab-conversation.h"
#include "confab-escape.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-turn.h"
#include "confab-usage.h"

/* What confab-cli prints while a turn runs: text on stdout, reasoning, tool calls and usage
 * on stderr, or one JSON object per line with --json. */

static void
print_json_line (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* {"type": @type, name: JsonNode (taken), …} */
void
confab_cli_emit_event (Cli        *cli,
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

JsonNode *
confab_cli_string_node (const char *text)
{
  if (text == NULL)
    return json_node_new (JSON_NODE_NULL);

  return json_node_init_string (json_node_alloc (), text);
}

JsonNode *
confab_cli_int_node (gint64 value)
{
  return json_node_init_int (json_node_alloc (), value);
}

JsonNode *
confab_cli_usage_array (Cli *cli)
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

JsonNode *
confab_cli_messages_array (Cli *cli)
{
  if (cli->conversation == NULL)
    return json_node_init_array (json_node_alloc (), json_array_new ());

  return confab_conversation_to_messages_json (cli->conversation);
}

/* What a model, a tool or an MCP server wrote, as the terminal shows it: controls and bidi
 * overrides as their codes (confab-escape.h), so nothing it sends can move the cursor, hide
 * text, set the title or the clipboard, or draw a fake approval prompt. On one line, or with
 * its line feeds and tabs. (transfer full) */
char *
confab_cli_line_text (const char *text)
{
  return confab_escape_text (text ? text : "?", -1, CONFAB_ESCAPE_DEFAULT);
}

char *
confab_cli_running_text (const char *text)
{
  return confab_escape_text (text ? text : "", -1, CONFAB_ESCAPE_KEEP_NEWLINES);
}

void
confab_cli_print_stdout_text (Cli        *cli,
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
      confab_cli_emit_event (cli, "text", "text", confab_cli_string_node (text), NULL);
      return;
    }

  close_reasoning (cli);
  if (cli->raw)
    confab_cli_print_stdout_text (cli, text);
  else
    {
      escaped = confab_cli_running_text (text);
      confab_cli_print_stdout_text (cli, escaped);
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
      confab_cli_emit_event (cli, "reasoning", "text", confab_cli_string_node (text), NULL);
      return;
    }

  escaped = confab_cli_running_text (text);
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
      g_autofree char *model = confab_cli_line_text (confab_message_get_model (message));

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
  json_object_set_member (object, "id", confab_cli_string_node (confab_tool_call_get_id (call)));
  json_object_set_member (object, "name", confab_cli_string_node (confab_tool_call_get_name (call)));
  json_object_set_member (object, "arguments", confab_cli_string_node (confab_tool_call_get_arguments (call)));

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
    confab_cli_print_stdout_text (cli, "\n");

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
          g_autofree char *name = confab_cli_line_text (confab_tool_call_get_name (call));
          g_autofree char *arguments = confab_cli_line_text (confab_tool_call_get_arguments (call));

          g_printerr ("→ %s(%s)\n", name, arguments);
        }
    }

  if (cli->json)
    {
      JsonNode *usage = confab_usage_to_json (confab_message_get_usage (message));

      confab_cli_emit_event (cli, "usage",
                  "step", confab_cli_int_node (confab_turn_get_steps (cli->turn)->len - 1),
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

void
confab_cli_step_started_cb (ConfabTurn    *turn,
                            ConfabMessage *message,
                            Cli           *cli)
{
  cli->stdout_ends_with_newline = TRUE;

  g_signal_connect (message, "content-appended", G_CALLBACK (content_appended_cb), cli);
  g_signal_connect (message, "reasoning-appended", G_CALLBACK (reasoning_appended_cb), cli);
  g_signal_connect (message, "notify::state", G_CALLBACK (message_state_cb), cli);
}

void
confab_cli_tool_finished_cb (ConfabTurn     *turn,
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
      json_object_set_member (object, "result", confab_cli_string_node (result));
      json_object_set_member (object, "error", confab_cli_string_node (confab_tool_call_get_error (call)));
      if (confab_tool_call_get_server (call) != NULL)
        json_object_set_string_member (object, "server", confab_tool_call_get_server (call));
      print_json_line (node);
    }
  else
    {
      g_autofree char *name = confab_cli_line_text (confab_tool_call_get_name (call));
      g_autofree char *text = confab_cli_running_text (result);

      g_printerr ("← %s [%s]: %s\n", name, confab_tool_call_status_to_string (status), text);
    }
}

void
confab_cli_report_step_limit (Cli *cli)
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

      confab_cli_emit_event (cli, "step_limit",
                  "max_steps", confab_cli_int_node (confab_turn_get_max_steps (cli->turn)),
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
          g_autofree char *name = confab_cli_line_text (confab_tool_call_get_name (call));
          g_autofree char *arguments = confab_cli_line_text (confab_tool_call_get_arguments (call));

          g_printerr ("  %s(%s)\n", name, arguments);
        }
    }
}
