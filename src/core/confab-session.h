/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_SESSION (confab_session_get_type ())

G_DECLARE_FINAL_TYPE (ConfabSession, confab_session, CONFAB, SESSION, GObject)

/* Ties the shown conversation to the client, the provider and the context's tools and
 * approvals: chooses the model, sends, stops, retries, regenerates and edits. One per window,
 * one per confab-cli run.
 * Signals:
 *   ::turn-started (ConfabTurn *turn)  a turn was made for the shown conversation and is
 *                                    about to send its first request (set limits, listen)
 *   ::turn-finished (GError *error)  a turn of the shown conversation ended (error NULL on
 *                                    success, cancelled on stop)
 *   ::running-changed (ConfabConversation *conversation, gboolean running)
 *                                    a turn started or ended in @conversation, shown or not:
 *                                    a turn goes on when the window shows another conversation
 *   ::approval-requested (ConfabConversation *conversation, ConfabToolCall *call)
 *                                    a tool call of @conversation waits for the user's consent */
/* A session with a context of its own (tests, the recording window). */
ConfabSession        *confab_session_new              (void);
ConfabSession        *confab_session_new_for_context  (ConfabContext        *context);
ConfabContext        *confab_session_get_context      (ConfabSession        *self);
ConfabClient         *confab_session_get_client       (ConfabSession        *self);
ConfabProvider       *confab_session_get_provider     (ConfabSession        *self);
/* NULL: no provider configured (the composer says so). */
void                  confab_session_set_provider     (ConfabSession        *self,
                                                       ConfabProvider       *provider);
ConfabConversation   *confab_session_get_conversation (ConfabSession        *self);
/* A turn running in the conversation shown before goes on in the background. */
void                  confab_session_set_conversation (ConfabSession        *self,
                                                       ConfabConversation   *conversation);
/* The context's, for the next turn. (transfer none) */
ConfabToolRegistry   *confab_session_get_tools        (ConfabSession        *self);
ConfabApprovalPolicy *confab_session_get_approvals    (ConfabSession        *self);
/* The model for the next request: the conversation's, else the provider's. */
const char           *confab_session_get_model        (ConfabSession        *self);
/* Sets the conversation's model (and remembers it for new conversations). */
void                  confab_session_set_model        (ConfabSession        *self,
                                                       const char           *model);
/* TRUE while a turn runs in the shown conversation. */
gboolean              confab_session_get_busy         (ConfabSession        *self);
/* TRUE while a turn runs in @conversation (shown or in the background). */
gboolean              confab_session_is_running       (ConfabSession        *self,
                                                       ConfabConversation   *conversation);
/* Turns running in any conversation, shown or in the background. */
guint                 confab_session_get_n_running    (ConfabSession        *self);
/* Why sending is impossible now (no provider, no model), or NULL. */
const char           *confab_session_get_blocked_reason (ConfabSession      *self);
/* Appends a user message with @text and runs a turn. */
gboolean              confab_session_send             (ConfabSession        *self,
                                                       const char           *text,
                                                       GError              **error);
/* The same with files: @attachments (a GListModel of ConfabAttachment, may be NULL) go with
 * the message; @text may be empty when there are attachments. */
gboolean              confab_session_send_with_attachments (ConfabSession   *self,
                                                       const char           *text,
                                                       GListModel           *attachments,
                                                       GError              **error);
/* Cancels the turn of the shown conversation; the partial answer stays. */
void                  confab_session_stop             (ConfabSession        *self);
/* Cancels every running turn, in the background too (closing the window). */
void                  confab_session_stop_all         (ConfabSession        *self);
/* Resends the request that produced @failed: drops it (and what follows) and runs again. */
gboolean              confab_session_retry            (ConfabSession        *self,
                                                       ConfabMessage        *failed,
                                                       GError              **error);
/* Drops the answer to the user message before @assistant and asks again. */
gboolean              confab_session_regenerate       (ConfabSession        *self,
                                                       ConfabMessage        *assistant,
                                                       GError              **error);
/* Replaces @user and everything after it with a user message of @text, then runs a turn. */
gboolean              confab_session_edit_and_resend  (ConfabSession        *self,
                                                       ConfabMessage        *user,
                                                       const char           *text,
                                                       GError              **error);
/* The position of @message in the conversation, or -1. */
int                   confab_session_find_message     (ConfabSession        *self,
                                                       ConfabMessage        *message);
/* The first tool call of the shown conversation's running turn that waits for approval,
 * or NULL. (transfer none) */
ConfabToolCall       *confab_session_get_waiting_call (ConfabSession        *self);
/* The message with this id, or NULL. (transfer none) */
ConfabMessage        *confab_session_lookup_message   (ConfabSession        *self,
                                                       const char           *id);

/* "Use this result and continue": @rerun (a tool call run again for @call) becomes a new
 * version of the answer that made @call, and the turn continues from it. */
gboolean              confab_session_continue_with_result (ConfabSession   *self,
                                                           ConfabToolCall  *call,
                                                           ConfabToolCall  *rerun,
                                                           GError         **error);

G_END_DECLS
