/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "confab-cli-elicit.h"
#include "confab-cli-private.h"
#include "confab-cli-store.h"
#include "confab-client.h"
#include "confab-context.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-escape.h"
#include "confab-mcp-env.h"
#include "confab-mcp-oauth.h"
#include "confab-mcp-server.h"
#include "confab-options.h"
#include "confab-provider-list.h"
#include "confab-provider.h"
#include "confab-session.h"
#include "confab-tool-registry.h"
#include "confab-turn.h"

/* One chat turn of confab-cli: the store, the provider, the tools of a ConfabContext and a
 * ConfabSession that sends the prompt. */

static void start_turn (Cli *cli);

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
turn_finished_cb (ConfabSession *session,
                  const GError  *error,
                  Cli           *cli)
{
  if (error != NULL)
    {
      finish_run (cli, g_error_copy (error));
      return;
    }

  if (confab_turn_get_hit_step_limit (cli->turn))
    confab_cli_report_step_limit (cli);

  finish_run (cli, NULL);
}

/* The session made the turn: the limits of this run, and its output. */
static void
turn_started_cb (ConfabSession *session,
                 ConfabTurn    *turn,
                 Cli           *cli)
{
  g_set_object (&cli->turn, turn);
  if (cli->max_steps > 0)
    confab_turn_set_max_steps (turn, cli->max_steps);
  if (cli->max_tool_calls > 0)
    confab_turn_set_max_tool_calls (turn, cli->max_tool_calls);

  g_signal_connect (turn, "step-started", G_CALLBACK (confab_cli_step_started_cb), cli);
  g_signal_connect (turn, "tool-finished", G_CALLBACK (confab_cli_tool_finished_cb), cli);
}

static void
mcp_input_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Cli *cli = user_data;
  GError *error = NULL;
  char *message = confab_cli_mcp_input_prepare_finish (cli->mcp_input, result, &error);

  g_clear_pointer (&cli->mcp_input, confab_cli_mcp_input_free);
  if (message == NULL)
    finish_run (cli, error);
  else
    {
      g_free (cli->prompt);
      cli->prompt = message;
      start_turn (cli);
    }
}

static void
start_turn (Cli *cli)
{
  GError *error = NULL;

  /* --resource and --prompt: read from the running servers first. */
  if (!confab_cli_mcp_input_is_empty (cli->mcp_input))
    {
      confab_cli_mcp_input_prepare_async (cli->mcp_input,
                                          confab_tool_registry_get_servers (confab_context_get_tools (cli->context)),
                                          cli->prompt, cli->attachments, cli->cancellable,
                                          mcp_input_ready_cb, cli);
      return;
    }

  if (!confab_session_send_with_attachments (cli->session, cli->prompt,
                                             G_LIST_MODEL (cli->attachments), &error))
    finish_run (cli, error);
}

/* The sign-in page of a remote MCP server (OAuth): the user opens it in a browser on this
 * computer, which comes back to Confab's listener on 127.0.0.1 to finish. */
static void
print_sign_in_uri (const char *server_name,
                   const char *uri,
                   gpointer    user_data)
{
  g_autofree char *name = confab_escape_text (server_name, -1, CONFAB_ESCAPE_DEFAULT);
  g_autofree char *address = confab_escape_text (uri, -1, CONFAB_ESCAPE_DEFAULT);

  g_printerr (_("The tool server “%s” needs you to sign in. Open this address in a browser on this computer:\n%s\n"),
              name, address);
}

static void
offer_sign_in (GListModel *servers)
{
  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);
      ConfabMcpOAuth *oauth = confab_mcp_server_get_oauth (server);

      if (oauth != NULL)
        confab_mcp_oauth_set_open_func (oauth, print_sign_in_uri, NULL, NULL);
    }
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
  servers = confab_tool_registry_get_servers (CONFAB_TOOL_REGISTRY (object));
  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);
      const char *message = confab_mcp_server_get_error (server);
      g_autofree char *escaped = NULL;

      if (message == NULL)
        continue;

      escaped = confab_cli_running_text (message);
      g_printerr ("confab-cli: %s\n", escaped);
      if (cli->json)
        confab_cli_emit_event (cli, "warning", "message", confab_cli_string_node (message), NULL);
    }

  start_turn (cli);
}

static gboolean
sigint_cb (gpointer user_data)
{
  Cli *cli = user_data;

  cli->interrupted = TRUE;
  g_cancellable_cancel (cli->cancellable);
  if (cli->session != NULL)
    confab_session_stop (cli->session);

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
      ConfabProviderList *list = confab_context_get_providers (cli->context);
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
      cli->store = confab_store_open_default (error);
      if (cli->store == NULL)
        return FALSE;
      confab_context_set_store (cli->context, cli->store);
    }

  if (cli->continue_id != NULL)
    {
      if (cli->store == NULL)
        {
          g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                               _("--continue needs the store; it cannot be used with --no-store"));
          return FALSE;
        }

      cli->conversation = confab_store_load (cli->store, cli->continue_id, error);
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

gboolean
confab_cli_run (Cli     *cli,
                GError **error)
{
  ConfabToolRegistry *tools;
  const char *model;

  cli->cancellable = g_cancellable_new ();
  cli->loop = g_main_loop_new (NULL, FALSE);
  cli->context = confab_context_new ();
  cli->stdin_tty = isatty (STDIN_FILENO);
  cli->stderr_tty = isatty (STDERR_FILENO);
  cli->stdout_ends_with_newline = TRUE;

  if (!setup_conversation (cli, error) || !setup_provider (cli, error))
    return FALSE;

  cli->session = confab_session_new_for_context (cli->context);
  confab_session_set_provider (cli->session, cli->provider);
  confab_session_set_conversation (cli->session, cli->conversation);
  if (cli->options.model != NULL)
    confab_session_set_model (cli->session, cli->options.model);
  if (cli->idle_timeout > 0)
    confab_client_set_idle_timeout (confab_session_get_client (cli->session), cli->idle_timeout);
  if (cli->max_time >= 0)
    confab_client_set_max_time (confab_session_get_client (cli->session), cli->max_time);
  g_signal_connect (cli->session, "turn-started", G_CALLBACK (turn_started_cb), cli);
  g_signal_connect (cli->session, "turn-finished", G_CALLBACK (turn_finished_cb), cli);
  g_signal_connect (cli->session, "approval-requested", G_CALLBACK (confab_cli_approval_requested_cb), cli);

  model = confab_session_get_model (cli->session);
  if (model == NULL)
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

  if (cli->store != NULL && !confab_store_try_track (cli->store, cli->conversation, error))
    return FALSE;

  g_unix_signal_add (SIGINT, sigint_cb, cli);
  g_unix_signal_add (SIGTERM, sigint_cb, cli);

  /* Servers come from the same mcp.json the GUI uses, plus --mcp for this run. */
  confab_context_set_extra_servers (cli->context, (const char * const *) cli->options.mcp);
  confab_context_set_allow_all (cli->context, cli->options.yes);
  if (!confab_context_reload_tools (cli->context, error))
    return FALSE;

  tools = confab_context_get_tools (cli->context);
  if (g_list_model_get_n_items (confab_tool_registry_get_servers (tools)) > 0)
    {
      /* A server that asks the user (elicitation) is answered on the terminal. */
      cli->elicit = confab_cli_elicit_new (confab_tool_registry_get_servers (tools),
                                           cli->stdin_tty, &cli->stdin_lines, &cli->asking,
                                           confab_cli_terminal_free_cb, cli);
      /* A remote server that wants a sign-in (OAuth) gets one from a user at the terminal;
       * a script gets the error at once rather than a wait for a browser. */
      if (cli->stdin_tty)
        offer_sign_in (confab_tool_registry_get_servers (tools));

      confab_tool_registry_start_async (tools, cli->cancellable, registry_started_cb, cli);
    }
  else
    start_turn (cli);

  g_main_loop_run (cli->loop);

  if (cli->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&cli->error));
      return FALSE;
    }

  return TRUE;
}
