/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a chat run of confab-cli takes from its tool servers, as the app's composer does:
 *
 *   --resource SERVER URI             the resource's text goes with the message, under a line
 *                                     naming it and its server (repeatable)
 *   --prompt SERVER NAME [--arg NAME=VALUE …]
 *                                     the prompt's messages start the message, as the "/"
 *                                     menu puts them into the composer
 *
 * SERVER is the name of a running server of the run (mcp.json or --mcp). The message is the
 * prompt's text, then PROMPT (which may be left out), then each resource, apart by a blank
 * line. */
typedef struct _ConfabCliMcpInput ConfabCliMcpInput;

/* Takes the options above out of @argv (they take two words, which GOptionContext cannot
 * parse); NULL and @error on a malformed one. Words after "--" are left alone. */
ConfabCliMcpInput *confab_cli_mcp_input_take_options (int                 *argc,
                                                      char               **argv,
                                                      GError             **error);
/* The options for --help (a value GOptionContext sees is an error naming the right shape). */
GOptionGroup      *confab_cli_mcp_input_get_option_group (void);
/* Whether @self (may be NULL) asks for no resource and no prompt. */
gboolean           confab_cli_mcp_input_is_empty      (ConfabCliMcpInput   *self);
/* Reads the resources and gets the prompt from @servers (ConfabMcpServer, started), and
 * makes the message from them and @prompt; a resource's pictures are appended to
 * @attachments (ConfabAttachment), to go as image content. */
void               confab_cli_mcp_input_prepare_async (ConfabCliMcpInput   *self,
                                                       GListModel          *servers,
                                                       const char          *prompt,
                                                       GListStore          *attachments,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char              *confab_cli_mcp_input_prepare_finish (ConfabCliMcpInput  *self,
                                                        GAsyncResult       *result,
                                                        GError            **error);
void               confab_cli_mcp_input_free          (ConfabCliMcpInput   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabCliMcpInput, confab_cli_mcp_input_free)

G_END_DECLS
