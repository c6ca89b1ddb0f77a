/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-cli-elicit.h"
#include "confab-cli-mcp-input.h"
#include "confab-options.h"
#include "confab-session.h"
#include "confab-types.h"

G_BEGIN_DECLS

/* What confab-cli.c (options), confab-cli-chat.c (the run), confab-cli-output.c (what the
 * terminal or a --json reader sees) and confab-cli-approval.c (questions on the terminal)
 * share for one chat run. */

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
  ConfabContext         *context;       /* the store, providers, tools and approvals */
  ConfabSession         *session;       /* chooses the model, runs the turn */
  ConfabProvider        *provider;
  ConfabConversation    *conversation;
  ConfabStore           *store;
  ConfabTurn            *turn;          /* the session's, once it started */
  GError                *error;
  char                  *prompt;
  char                 **attach;        /* --attach FILE … */
  GListStore            *attachments;   /* ConfabAttachment, read before the run */
  ConfabCliMcpInput     *mcp_input;     /* --resource, --prompt */

  /* approvals asked on the terminal, one at a time */
  GQueue                 pending_approvals;
  GDataInputStream      *stdin_lines;
  ConfabCliElicit       *elicit;
  gboolean               asking;
  gboolean               approval_legend_shown;

  gboolean               stdin_tty;
  gboolean               stderr_tty;
  gboolean               stdout_ends_with_newline;
  gboolean               reasoning_open;   /* thinking text on stderr wants a line end */
  gboolean               interrupted;
} Cli;

/* The run: opens the store, sets up the provider and tools, sends the prompt through a
 * session and waits for the answer. */
gboolean  confab_cli_run                    (Cli                *cli,
                                             GError            **error);

/* Output */

/* Prints {"type": @type, name: JsonNode (taken), …} as one line. */
void      confab_cli_emit_event             (Cli                *cli,
                                             const char         *type,
                                             ...) G_GNUC_NULL_TERMINATED;
JsonNode *confab_cli_string_node            (const char         *text);
JsonNode *confab_cli_int_node               (gint64              value);
/* The usage of each step of the turn, as JSON. */
JsonNode *confab_cli_usage_array            (Cli                *cli);
/* The conversation's messages, as JSON. */
JsonNode *confab_cli_messages_array         (Cli                *cli);
/* What a model, a tool or a server wrote, escaped for the terminal: on one line, or with
 * its line feeds and tabs. (transfer full) */
char     *confab_cli_line_text              (const char         *text);
char     *confab_cli_running_text           (const char         *text);
void      confab_cli_print_stdout_text      (Cli                *cli,
                                             const char         *text);
/* A request of the turn began: its text, reasoning, tool calls and usage are printed. */
void      confab_cli_step_started_cb        (ConfabTurn         *turn,
                                             ConfabMessage      *message,
                                             Cli                *cli);
void      confab_cli_tool_finished_cb       (ConfabTurn         *turn,
                                             ConfabToolCall     *call,
                                             Cli                *cli);
/* --max-steps stopped the turn: which calls were not run. */
void      confab_cli_report_step_limit      (Cli                *cli);

/* Approval */

/* A tool call waits: allowed with --yes, asked on the terminal, else denied. */
void      confab_cli_approval_requested_cb  (ConfabSession      *session,
                                             ConfabConversation *conversation,
                                             ConfabToolCall     *call,
                                             Cli                *cli);
/* A server's question is answered: approvals may go on. */
gboolean  confab_cli_terminal_free_cb       (gpointer            user_data);

G_END_DECLS
