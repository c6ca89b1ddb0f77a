/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "confab-cli-attach.h"
#include "confab-cli-decode.h"
#include "confab-cli-elicit.h"
#include "confab-cli-private.h"
#include "confab-cli-mcp.h"
#include "confab-cli-store.h"
#include "confab-context.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-options.h"
#include "confab-tool-registry.h"
#include "confab-turn.h"

/* confab-cli: the command line (subcommands, options, their checks) and the last line it
 * prints; the chat run itself is confab-cli-chat.c. */

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
  g_clear_pointer (&cli->mcp_input, confab_cli_mcp_input_free);
  g_queue_clear_full (&cli->pending_approvals, g_object_unref);
  if (cli->elicit != NULL)
    confab_cli_elicit_free (cli->elicit, confab_tool_registry_get_servers (confab_context_get_tools (cli->context)));
  g_clear_object (&cli->stdin_lines);
  g_clear_object (&cli->turn);
  g_clear_object (&cli->session);
  /* Stops the tool servers. */
  g_clear_object (&cli->context);
  g_clear_object (&cli->conversation);
  g_clear_object (&cli->store);
  g_clear_object (&cli->provider);
  g_clear_object (&cli->cancellable);
  g_clear_pointer (&cli->loop, g_main_loop_unref);
  g_clear_error (&cli->error);
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
  if (argc > 1 && g_str_equal (argv[1], "mcp"))
    return confab_cli_mcp_command (argc - 1, argv + 1);

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
                                      "  confab-cli import FILE          import Confab JSON, ChatGPT, Open WebUI or Alpaca chats\n"
                                      "  confab-cli delete ID            delete a stored conversation\n"
                                      "  confab-cli usage [--by provider|model|month] [--json]\n"
                                      "  confab-cli mcp servers|tools|resources|read|prompts|prompt|decisions …\n"));
  g_option_context_add_main_entries (context, shared, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, own_entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, confab_cli_mcp_input_get_option_group ());

  if ((cli.mcp_input = confab_cli_mcp_input_take_options (&argc, argv, &error)) == NULL ||
      !g_option_context_parse (context, &argc, &argv, &error))
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

  if (argc < 2 && confab_cli_mcp_input_is_empty (cli.mcp_input))
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
      else if (!confab_cli_run (&cli, &error))
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
        confab_cli_emit_event (&cli, "error",
                    "message", confab_cli_string_node (error->message),
                    "messages", confab_cli_messages_array (&cli),
                    "usage", confab_cli_usage_array (&cli),
                    NULL);
      else
        confab_cli_emit_event (&cli, "done",
                    "messages", confab_cli_messages_array (&cli),
                    "usage", confab_cli_usage_array (&cli),
                    "conversation_id", confab_cli_string_node (cli.conversation ? confab_conversation_get_id (cli.conversation) : NULL),
                    "hit_step_limit", json_node_init_boolean (json_node_alloc (),
                                                              cli.turn && confab_turn_get_hit_step_limit (cli.turn)),
                    NULL);
    }
  else if (error != NULL)
    {
      /* An HTTP error carries the provider's words, an MCP error the server's. */
      g_autofree char *escaped = confab_cli_running_text (error->message);

      if (!cli.stdout_ends_with_newline)
        confab_cli_print_stdout_text (&cli, "\n");
      g_printerr ("confab-cli: %s\n", escaped);
    }

  cli_clear (&cli);

  return status;
}
