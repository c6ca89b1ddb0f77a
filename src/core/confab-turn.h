/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TURN (confab_turn_get_type ())

#define CONFAB_TURN_DEFAULT_MAX_STEPS 10
/* Tool calls one answer may ask for; past it none runs and the turn fails, saying so. */
#define CONFAB_TURN_DEFAULT_MAX_TOOL_CALLS 128
/* Bytes of one tool result sent to the model; the rest is cut, with a note saying so (the
 * whole result stays on the call, for the user). */
#define CONFAB_TURN_DEFAULT_MAX_TOOL_RESULT (256 * 1024)

G_DECLARE_FINAL_TYPE (ConfabTurn, confab_turn, CONFAB, TURN, GObject)

/* One user turn: request, stream, run approved tools, request again … until an answer
 * without tool calls or the step limit. The user message is already in @conversation.
 * Signals:
 *   ::step-started (ConfabMessage *assistant)  a request began; the message is in the conversation
 *   ::approval-requested (ConfabToolCall *call) the call waits; answer with
 *                                               confab_tool_call_resolve_approval()
 *   ::tool-finished (ConfabToolCall *call)       a result (or error/denial) is ready */
ConfabTurn   *confab_turn_new              (ConfabClient         *client,
                                            ConfabProvider       *provider,
                                            ConfabConversation   *conversation,
                                            ConfabToolRegistry   *tools,
                                            ConfabApprovalPolicy *approvals);
guint         confab_turn_get_max_steps    (ConfabTurn           *self);
void          confab_turn_set_max_steps    (ConfabTurn           *self,
                                            guint                 max_steps);
guint         confab_turn_get_max_tool_calls (ConfabTurn         *self);
void          confab_turn_set_max_tool_calls (ConfabTurn         *self,
                                              guint               max_tool_calls);
gsize         confab_turn_get_max_tool_result (ConfabTurn        *self);
void          confab_turn_set_max_tool_result (ConfabTurn        *self,
                                               gsize              max_bytes);
/* The model used for requests; defaults to the conversation's, then the provider's. */
const char   *confab_turn_get_model        (ConfabTurn           *self);
void          confab_turn_set_model        (ConfabTurn           *self,
                                            const char           *model);
/* The conversation the turn adds to. (transfer none) */
ConfabConversation *confab_turn_get_conversation (ConfabTurn     *self);
/* The assistant messages this turn produced, one per request. (transfer none) */
GPtrArray    *confab_turn_get_steps        (ConfabTurn           *self);
/* TRUE when the step limit stopped the turn with tool calls that were not run. */
gboolean      confab_turn_get_hit_step_limit (ConfabTurn         *self);
void          confab_turn_run_async        (ConfabTurn           *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean      confab_turn_run_finish       (ConfabTurn           *self,
                                            GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
