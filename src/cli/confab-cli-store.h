/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-store.h"
#include "confab-types.h"

G_BEGIN_DECLS

/* The store side of confab-cli. How confab-cli.c wires it:
 *
 * Subcommands, before parsing the chat options:
 *
 *     if (argc > 1 && confab_cli_store_is_command (argv[1]))
 *       return confab_cli_store_command (argc - 1, argv + 1);
 *
 *   confab-cli list [--json]
 *   confab-cli search TEXT [--json]
 *   confab-cli export ID [--format markdown|json] [--output FILE]   (default markdown, stdout)
 *   confab-cli delete ID
 *
 * A chat run persists unless --no-store:
 *
 *     g_autoptr(ConfabStore) store = confab_cli_store_open (&error);
 *     if (store == NULL) → print error->message, exit 1 (a corrupt or newer DB is not touched)
 *
 *     if (continue_id != NULL)
 *       conversation = confab_cli_store_continue (store, continue_id, &error);
 *         → NULL + error when there is no such conversation (exit 1). The conversation comes
 *           back with its stored history, model, system prompt, base URL and provider name;
 *           use them where --model / --system / --base-url were not given
 *           (confab_conversation_get_model () etc.), and send exactly its messages.
 *     else
 *       conversation = confab_conversation_new () + set_model / set_system_prompt /
 *                      set_base_url / set_provider_name from the options;
 *
 *     confab_cli_store_begin (store, conversation, &error);
 *         → saves it and tracks it: from here on, appending the user message commits it
 *           before the request is sent, and streamed text is written every 250 ms.
 *     … append the user message, run the turn …
 *     confab_cli_store_finish (store, conversation);
 *         → writes what is pending and stops tracking; call it before printing the final
 *           --json line, whose "conversation_id" is confab_conversation_get_id (conversation).
 *
 * With --no-store, "conversation_id" can still be the (unsaved) id, or null.
 */

/* TRUE for "list", "search", "export", "delete". */
gboolean            confab_cli_store_is_command (const char          *name);
/* Runs a subcommand; argv[0] is its name. Returns the exit status. */
int                 confab_cli_store_command    (int                  argc,
                                                 char               **argv);
/* Opens $XDG_DATA_HOME/confab/confab.db. (transfer full) */
ConfabStore        *confab_cli_store_open       (GError             **error);
/* Loads a stored conversation for --continue. (transfer full) */
ConfabConversation *confab_cli_store_continue   (ConfabStore         *store,
                                                 const char          *id,
                                                 GError             **error);
/* Saves @conversation and follows it (confab_store_track). */
/* FALSE (CONFAB_ERROR_STORE_BUSY) when another running process continues it. */
gboolean            confab_cli_store_begin      (ConfabStore         *store,
                                                 ConfabConversation  *conversation,
                                                 GError             **error);
/* Writes everything pending and stops following @conversation. FALSE if the last write
 * failed. */
gboolean            confab_cli_store_finish     (ConfabStore         *store,
                                                 ConfabConversation  *conversation,
                                                 GError             **error);

G_END_DECLS
