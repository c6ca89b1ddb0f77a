/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* Checks made before a message is sent, each a sentence for the user when it warns. */

/* The context length of @model when Confab knows it (the presets' models), else 0. */
gint64  confab_model_get_known_context_length (const char         *model);
/* About how many tokens the conversation's next request carries with @new_text: the last
 * request's reported prompt and completion tokens plus what came after them (four bytes a
 * token), or four bytes a token for all of it when nothing was reported. */
gint64  confab_send_check_estimate_tokens     (ConfabConversation *conversation,
                                               const char         *new_text);
/* A warning when the estimate reaches 90 % of @context_length (0: unknown, no warning).
 * (transfer full) */
char   *confab_send_check_context             (ConfabConversation *conversation,
                                               const char         *new_text,
                                               gint64              context_length);
/* A warning when the ledger's cost for @provider_name this month has reached @budget
 * (<= 0: no budget). (transfer full) */
char   *confab_send_check_budget              (ConfabStore        *store,
                                               const char         *provider_name,
                                               double              budget,
                                               GDateTime          *now);

G_END_DECLS
