/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* A readable Markdown document of the conversation: title, model, each message under a
 * heading, reasoning quoted, tool calls and tool results as fenced blocks, usage and
 * failures as notes. Model text is written as it is (it is already Markdown). (transfer full) */
char     *confab_export_markdown (ConfabConversation *conversation);
/* The Markdown export into @folder (created if missing): conversation.md, and each attached
 * file once (by content) beside it under the name it was first sent with ("name (2).ext" when
 * two files share a name), linked from its messages (pictures inline). Returns
 * conversation.md. (transfer full) */
GFile    *confab_export_markdown_to_folder (ConfabConversation  *conversation,
                                            GFile               *folder,
                                            GCancellable        *cancellable,
                                            GError             **error);
/* {"id", "title", "provider", "base_url", "model", "created_at", "updated_at",
 *  "messages": the chat-completions messages array (what the next request would send),
 *  "usage": one entry per assistant message (request), null where none was reported}
 * (transfer full) */
JsonNode *confab_export_json     (ConfabConversation *conversation);
/* confab_export_json() as pretty-printed text. (transfer full) */
char     *confab_export_json_string (ConfabConversation *conversation);

G_END_DECLS
