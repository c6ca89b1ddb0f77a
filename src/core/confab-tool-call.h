/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "confab-enums.h"
#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TOOL_CALL (confab_tool_call_get_type ())

G_DECLARE_FINAL_TYPE (ConfabToolCall, confab_tool_call, CONFAB, TOOL_CALL, GObject)

ConfabToolCall       *confab_tool_call_new                 (guint                 index);
guint                 confab_tool_call_get_index           (ConfabToolCall       *self);
const char           *confab_tool_call_get_id              (ConfabToolCall       *self);
void                  confab_tool_call_set_id              (ConfabToolCall       *self,
                                                            const char           *id);
const char           *confab_tool_call_get_name            (ConfabToolCall       *self);
void                  confab_tool_call_set_name            (ConfabToolCall       *self,
                                                            const char           *name);
/* The MCP server that offers the tool, NULL until the tool is resolved. */
const char           *confab_tool_call_get_server          (ConfabToolCall       *self);
void                  confab_tool_call_set_server          (ConfabToolCall       *self,
                                                            const char           *server);
/* Arguments exactly as streamed, byte for byte; never re-serialized. */
const char           *confab_tool_call_get_arguments       (ConfabToolCall       *self);
/* Appends a streamed fragment; emits ::arguments-appended and notifies "arguments". */
void                  confab_tool_call_append_arguments    (ConfabToolCall       *self,
                                                            const char           *fragment,
                                                            gssize                len);
void                  confab_tool_call_set_arguments       (ConfabToolCall       *self,
                                                            const char           *arguments);
/* The arguments indented for display; tolerates JSON that is still incomplete. (transfer full) */
char                 *confab_tool_call_dup_pretty_arguments (ConfabToolCall      *self);
/* The arguments parsed; NULL and @error set when they are not valid JSON. (transfer full) */
JsonNode             *confab_tool_call_parse_arguments     (ConfabToolCall       *self,
                                                            GError              **error);
ConfabToolCallStatus  confab_tool_call_get_status          (ConfabToolCall       *self);
/* Sets the status and stamps the time it was entered (see get_status_time). */
void                  confab_tool_call_set_status          (ConfabToolCall       *self,
                                                            ConfabToolCallStatus  status);
/* Wall-clock time (g_get_real_time) the call entered @status, 0 if it never did. */
gint64                confab_tool_call_get_status_time     (ConfabToolCall       *self,
                                                            ConfabToolCallStatus  status);
/* Seconds from running to done/failed; -1 until finished. */
double                confab_tool_call_get_duration        (ConfabToolCall       *self);
/* The text sent back to the model as the tool message content. */
const char           *confab_tool_call_get_result          (ConfabToolCall       *self);
void                  confab_tool_call_set_result          (ConfabToolCall       *self,
                                                            const char           *result);
/* The MCP content items of the result (images, resources …) kept for display, or NULL. */
JsonNode             *confab_tool_call_get_result_content  (ConfabToolCall       *self);
void                  confab_tool_call_set_result_content  (ConfabToolCall       *self,
                                                            JsonNode             *content);
/* A human-readable error when the call failed or was denied, else NULL. */
const char           *confab_tool_call_get_error           (ConfabToolCall       *self);
void                  confab_tool_call_set_error           (ConfabToolCall       *self,
                                                            const char           *error);
/* Puts the call in pending-approval; a front end answers with resolve_approval(). */
void                  confab_tool_call_request_approval    (ConfabToolCall       *self);
/* Answers a pending approval request: emits ::approval-resolved with @approval. */
void                  confab_tool_call_resolve_approval    (ConfabToolCall       *self,
                                                            ConfabApproval        approval);
/* Progress the server reported while the call runs (notifications/progress); emits
 * ::progress-changed. @total <= 0 means unknown; @message may be NULL. */
void                  confab_tool_call_set_progress        (ConfabToolCall       *self,
                                                            double                progress,
                                                            double                total,
                                                            const char           *message);
/* FALSE until progress was reported; @total gets -1 when unknown. */
gboolean              confab_tool_call_get_progress        (ConfabToolCall       *self,
                                                            double               *progress,
                                                            double               *total);
const char           *confab_tool_call_get_progress_message (ConfabToolCall      *self);
/* What the server says about the tool (its tools/list "annotations"), set when the tool is
 * resolved, before approval is asked; NULL when it said nothing. (transfer none) */
JsonObject           *confab_tool_call_get_annotations     (ConfabToolCall       *self);
void                  confab_tool_call_set_annotations     (ConfabToolCall       *self,
                                                            JsonObject           *annotations);
/* The result's "structuredContent" kept for display (not stored), or NULL. (transfer none) */
JsonNode             *confab_tool_call_get_structured_content (ConfabToolCall    *self);
void                  confab_tool_call_set_structured_content (ConfabToolCall    *self,
                                                               JsonNode          *structured_content);
/* The call in chat-completions shape: {"id","type":"function","function":{"name","arguments"}}. */
JsonNode             *confab_tool_call_to_json             (ConfabToolCall       *self);
/* Restores timings from the store. */
void                  confab_tool_call_restore_times       (ConfabToolCall       *self,
                                                            const gint64         *status_times,
                                                            guint                 n_status_times);

G_END_DECLS
