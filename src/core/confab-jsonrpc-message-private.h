/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* JSON-RPC 2.0 messages as ConfabJsonrpcConnection writes and reads them. Builders copy
 * what they are given and return a new node (transfer full). */

/* {"jsonrpc":"2.0","id":@id,"method":@method,"params":@params}; without params when NULL. */
JsonNode *_confab_jsonrpc_message_new_request          (const char *method,
                                                        guint       id,
                                                        JsonNode   *params);
/* The same without an id. */
JsonNode *_confab_jsonrpc_message_new_notification     (const char *method,
                                                        JsonNode   *params);
/* The answer to request @id: {"result": @result} (NULL: {}), or {"error": {"code", "message"}}
 * when @error_message is set. */
JsonNode *_confab_jsonrpc_message_new_reply            (JsonNode   *id,
                                                        JsonNode   *result,
                                                        int         error_code,
                                                        const char *error_message);
/* The params of notifications/cancelled: {"requestId": @id, "reason": @reason}. */
JsonNode *_confab_jsonrpc_message_new_cancelled_params (guint       id,
                                                        const char *reason);
/* @message as one line: compact JSON (which never holds a raw newline) and "\n". */
GBytes   *_confab_jsonrpc_message_to_line              (JsonNode   *message);
/* A request id as Confab numbers its requests: an integer, exactly. A string "2" or a 2.0 is
 * another id, not request 2; FALSE for those. */
gboolean  _confab_jsonrpc_message_get_id               (JsonNode   *node,
                                                        guint      *id);
/* A copy of @params (an object) with _meta.progressToken = @token. (transfer full) */
JsonNode *_confab_jsonrpc_message_with_progress_token  (JsonNode   *params,
                                                        guint       token);
/* The first character of @line that is not a blank, or 0 for a blank line. */
char      _confab_jsonrpc_line_first_char              (const char *line,
                                                        gsize       len);
/* A message starts with { or [ (a batch); any other non-blank line on a server's stdout is
 * a banner or a stray print of a server that logs to the wrong stream. */
gboolean  _confab_jsonrpc_line_is_banner               (const char *line,
                                                        gsize       len);

G_END_DECLS
