/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* Turns a chat-completions SSE stream into one ConfabMessage: content, reasoning, tool calls
 * (whole or fragmented, parallel by index), finish reason, usage. Owns its SSE reader. */
ConfabDeltaAccumulator *confab_delta_accumulator_new          (ConfabMessage           *message);
void                    confab_delta_accumulator_free         (ConfabDeltaAccumulator  *self);
/* (transfer none) */
ConfabMessage          *confab_delta_accumulator_get_message  (ConfabDeltaAccumulator  *self);
/* Raw response bytes, any split. FALSE with @error (CONFAB_ERROR_PROTOCOL, _PROVIDER,
 * _LINE_TOO_LONG …) when the stream cannot go on; the message keeps what it has. */
gboolean                confab_delta_accumulator_feed_bytes   (ConfabDeltaAccumulator  *self,
                                                               const char              *data,
                                                               gsize                    len,
                                                               GError                 **error);
/* One SSE data payload (already framed). "[DONE]" marks the end. */
gboolean                confab_delta_accumulator_feed_data    (ConfabDeltaAccumulator  *self,
                                                               const char              *data,
                                                               gsize                    len,
                                                               GError                 **error);
/* TRUE once "[DONE]" arrived. */
gboolean                confab_delta_accumulator_is_done      (ConfabDeltaAccumulator  *self);
/* TRUE once any choice carried a finish_reason. */
gboolean                confab_delta_accumulator_has_finish_reason (ConfabDeltaAccumulator *self);
/* TRUE once text, reasoning or a tool call arrived (time to first token). */
gboolean                confab_delta_accumulator_has_output   (ConfabDeltaAccumulator  *self);
/* Clean end of input. FALSE with CONFAB_ERROR_TRUNCATED when neither [DONE] nor a finish
 * reason came ("the stream ended before the answer was complete"). */
gboolean                confab_delta_accumulator_finish       (ConfabDeltaAccumulator  *self,
                                                               GError                 **error);

/* Reads @stream to its end (64 KB at a time), feeding the bytes, then finishes: what
 * `confab-cli decode` needs. FALSE with @error as feed_bytes or finish would give it, or the
 * stream's own read error. The message keeps what it has either way. */
gboolean                confab_delta_accumulator_read_stream  (ConfabDeltaAccumulator  *self,
                                                               GInputStream            *stream,
                                                               GCancellable            *cancellable,
                                                               GError                 **error);
/* The limit on one SSE line (and one event's data); see confab_sse_reader_set_max_line(). */
void                    confab_delta_accumulator_set_max_line (ConfabDeltaAccumulator  *self,
                                                               gsize                    max_line);
/* Why the stream failed (the error feed or finish returned), NULL while it has not. */
const GError           *confab_delta_accumulator_get_error    (ConfabDeltaAccumulator  *self);
/* The assembled answer, for `confab-cli decode` and debugging: {"message": the assistant
 * message in chat-completions shape (content, tool_calls with raw arguments), "reasoning":
 * text or null, "finish_reason": text or null, "model": text or null, "usage": the last
 * usage object reported or null, "done": whether [DONE] came, "error": text or null}.
 * (transfer full) */
JsonNode               *confab_delta_accumulator_to_json      (ConfabDeltaAccumulator  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabDeltaAccumulator, confab_delta_accumulator_free)

G_END_DECLS
