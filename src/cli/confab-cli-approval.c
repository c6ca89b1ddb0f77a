/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <unistd.h>

#include "confab-approval-policy.h"
#include "confab-cli-elicit.h"
#include "confab-cli-private.h"
#include "confab-tool-call.h"

/* Tool calls that wait for consent, asked one at a time on the terminal. */

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
      else if (g_ascii_strcasecmp (line, "c") == 0 || g_ascii_strcasecmp (line, "chat") == 0)
        approval = CONFAB_APPROVAL_ALLOW_CHAT;
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
  name = confab_cli_line_text (confab_tool_call_get_name (call));
  arguments = confab_cli_line_text (confab_tool_call_get_arguments (call));
  /* The answers, as the app's card offers them (the log names them the same way). */
  if (!cli->approval_legend_shown)
    {
      g_printerr ("%s\n", _("Tool calls: y allows once, c for this chat, a always (this server’s tool), N denies."));
      cli->approval_legend_shown = TRUE;
    }
  g_printerr ("Run %s(%s)? [y/N/c/a] ", name, arguments);

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
gboolean
confab_cli_terminal_free_cb (gpointer user_data)
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

void
confab_cli_approval_requested_cb (ConfabSession      *session,
                                  ConfabConversation *conversation,
                                  ConfabToolCall     *call,
                                  Cli                *cli)
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
          g_autofree char *name = confab_cli_line_text (confab_tool_call_get_name (call));
          g_autofree char *arguments = confab_cli_line_text (confab_tool_call_get_arguments (call));

          g_printerr (_("Denied %s(%s): no terminal to ask on (use --yes to allow)\n"),
                      name, arguments);
        }
      g_idle_add_full (G_PRIORITY_DEFAULT, deny_call_cb, g_object_ref (call), g_object_unref);
      return;
    }

  g_queue_push_tail (&cli->pending_approvals, g_object_ref (call));
  ask_next_approval (cli);
}
