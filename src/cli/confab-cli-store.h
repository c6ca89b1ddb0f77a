/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-store.h"
#include "confab-types.h"

G_BEGIN_DECLS

/* The store side of confab-cli: the subcommands that read the history (list, search,
 * export, import, delete), and the end of a chat run that saves. A chat run opens the store
 * with confab_store_open_default(), continues with confab_store_load() and follows the
 * conversation with confab_store_try_track(), whose writes are committed before a request is
 * sent and streamed text every 250 ms; confab_cli_store_finish() ends it. */

/* TRUE for "list", "search", "export", "import", "delete", "usage". */
gboolean            confab_cli_store_is_command (const char          *name);
/* Runs a subcommand; argv[0] is its name. Returns the exit status. */
int                 confab_cli_store_command    (int                  argc,
                                                 char               **argv);
/* Writes everything pending and stops following @conversation. FALSE if the last write
 * failed. */
gboolean            confab_cli_store_finish     (ConfabStore         *store,
                                                 ConfabConversation  *conversation,
                                                 GError             **error);

G_END_DECLS
