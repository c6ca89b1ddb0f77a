/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-attachment.h"
#include "confab-enums.h"
#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MESSAGE (confab_message_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMessage, confab_message, CONFAB, MESSAGE, GObject)

ConfabMessage      *confab_message_new                 (ConfabRole          role,
                                                        const char         *content);
/* A stable random id (UUID string) the store keys the message by; set it before the message
 * goes into a conversation (which finds its messages by id). */
const char         *confab_message_get_id              (ConfabMessage      *self);
void                confab_message_set_id              (ConfabMessage      *self,
                                                        const char         *id);
/* Where the message stands in the conversation's tree: the id of the message it follows
 * (NULL for a first message) and its index among that message's children (the versions
 * of one place: an edit, a regenerated answer). The conversation sets them. */
const char         *confab_message_get_parent_id       (ConfabMessage      *self);
guint               confab_message_get_sibling_index   (ConfabMessage      *self);
void                confab_message_set_parent          (ConfabMessage      *self,
                                                        const char         *parent_id,
                                                        guint               sibling_index);
ConfabRole          confab_message_get_role            (ConfabMessage      *self);
const char         *confab_message_get_content         (ConfabMessage      *self);
gsize               confab_message_get_content_length  (ConfabMessage      *self);
/* Replaces the whole content; notifies "content". */
void                confab_message_set_content         (ConfabMessage      *self,
                                                        const char         *content);
/* Appends a streamed piece: emits ::content-appended with just that piece.
 * "content" is not notified per piece, so views append instead of re-reading. */
void                confab_message_append_content      (ConfabMessage      *self,
                                                        const char         *text,
                                                        gssize              len);
/* Thinking text (reasoning_content / reasoning), kept apart and never sent back. */
const char         *confab_message_get_reasoning       (ConfabMessage      *self);
void                confab_message_set_reasoning       (ConfabMessage      *self,
                                                        const char         *reasoning);
/* Emits ::reasoning-appended with just the piece. */
void                confab_message_append_reasoning    (ConfabMessage      *self,
                                                        const char         *text,
                                                        gssize              len);
/* A GListModel of ConfabToolCall in index order. (transfer none) */
GListModel         *confab_message_get_tool_calls      (ConfabMessage      *self);
/* The call with this streaming index, creating it (and appending it to the list) if new. */
ConfabToolCall     *confab_message_ensure_tool_call    (ConfabMessage      *self,
                                                        guint               index);
void                confab_message_add_tool_call       (ConfabMessage      *self,
                                                        ConfabToolCall     *call);
guint               confab_message_get_n_tool_calls    (ConfabMessage      *self);
/* For role=tool: the id of the call this message answers. */
const char         *confab_message_get_tool_call_id    (ConfabMessage      *self);
void                confab_message_set_tool_call_id    (ConfabMessage      *self,
                                                        const char         *tool_call_id);
const char         *confab_message_get_finish_reason   (ConfabMessage      *self);
void                confab_message_set_finish_reason   (ConfabMessage      *self,
                                                        const char         *finish_reason);
ConfabMessageState  confab_message_get_state           (ConfabMessage      *self);
void                confab_message_set_state           (ConfabMessage      *self,
                                                        ConfabMessageState  state);
/* Why the message failed, NULL otherwise. */
const GError       *confab_message_get_error           (ConfabMessage      *self);
/* Sets state=failed (or cancelled for G_IO_ERROR_CANCELLED) and the error; keeps the text. */
void                confab_message_fail                (ConfabMessage      *self,
                                                        const GError       *error);
/* Seconds the provider asked us to wait (Retry-After), -1 when it did not say. */
int                 confab_message_get_retry_after     (ConfabMessage      *self);
void                confab_message_set_retry_after     (ConfabMessage      *self,
                                                        int                 seconds);
/* The HTTP status of a request that failed with one (401, 502 …), else 0. Set before the
 * message fails, so a front end can offer what fits (check the API key on 401/403). */
guint               confab_message_get_http_status     (ConfabMessage      *self);
void                confab_message_set_http_status     (ConfabMessage      *self,
                                                        guint               status);
/* The HTTP exchange of the request that produced this message, secrets redacted (see
 * confab-exchange.h), or NULL; the client fills it in while the request runs. (transfer none) */
JsonNode           *confab_message_get_exchange        (ConfabMessage      *self);
void                confab_message_set_exchange        (ConfabMessage      *self,
                                                        JsonNode           *exchange);
/* Usage of the request that produced this assistant message. (transfer none) */
ConfabUsage        *confab_message_get_usage           (ConfabMessage      *self);
/* The model that answered (assistant messages). */
const char         *confab_message_get_model           (ConfabMessage      *self);
void                confab_message_set_model           (ConfabMessage      *self,
                                                        const char         *model);
/* Wall-clock creation time, microseconds since the epoch. */
gint64              confab_message_get_created_at      (ConfabMessage      *self);
void                confab_message_set_created_at      (ConfabMessage      *self,
                                                        gint64              created_at);
/* The exact request body that produced this assistant message (for the inspector). */
const char         *confab_message_get_request_body    (ConfabMessage      *self);
void                confab_message_set_request_body    (ConfabMessage      *self,
                                                        const char         *body);
/* The raw bytes received for it (SSE or an error body), for the inspector. */
GBytes             *confab_message_dup_raw_response   (ConfabMessage      *self);
void                confab_message_append_raw_response (ConfabMessage      *self,
                                                        const guint8       *data,
                                                        gsize               len);
void                confab_message_set_raw_response   (ConfabMessage      *self,
                                                        GBytes             *bytes);
/* Files sent with a user message: a GListModel of ConfabAttachment. (transfer none) */
GListModel         *confab_message_get_attachments     (ConfabMessage      *self);
guint               confab_message_get_n_attachments   (ConfabMessage      *self);
void                confab_message_add_attachment      (ConfabMessage      *self,
                                                        ConfabAttachment   *attachment);
void                confab_message_remove_attachment   (ConfabMessage      *self,
                                                        guint               position);
/* The message in chat-completions request shape (no reasoning); a user message with
 * attachments has an array of content parts: its text, then one part per attachment. (no reasoning). (transfer full) */
JsonNode           *confab_message_to_json             (ConfabMessage      *self);

G_END_DECLS
