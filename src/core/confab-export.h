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
/* The Confab JSON format: "format" is this, "version" the one below. */
#define CONFAB_EXPORT_FORMAT  "confab-conversation"
/* 2: every message of the tree, with parent_id and sibling, and "shown" (1: the branch shown). */
#define CONFAB_EXPORT_VERSION 2

/* The whole conversation, losslessly (README "Confab JSON"): the whole tree of messages and
 * the branch shown, every field of every message,
 * tool calls with arguments, status, times and results, usage and cost, error, request body
 * and raw response (base64); times in microseconds since the epoch.
 * confab_import_confab_json() reads it back to an identical conversation. (transfer full) */
JsonNode *confab_export_json          (ConfabConversation *conversation);
/* The Markdown export into @folder (created if missing): conversation.md, and each attached
 * file once (by content) beside it under the name it was first sent with ("name (2).ext" when
 * two files share a name), linked from its messages (pictures inline). Returns
 * conversation.md. (transfer full) */
GFile    *confab_export_markdown_to_folder (ConfabConversation  *conversation,
                                            GFile               *folder,
                                            GCancellable        *cancellable,
                                            GError             **error);
/* confab_export_json() as pretty-printed text. (transfer full) */
char     *confab_export_json_string   (ConfabConversation *conversation);
/* The chat-completions "messages" array the next request would send: ready to replay as a
 * request body's "messages". (transfer full) */
JsonNode *confab_export_openai        (ConfabConversation *conversation);
char     *confab_export_openai_string (ConfabConversation *conversation);
/* "Start a new chat from here": a new conversation (a new id, the same title and settings)
 * with copies of the shown branch up to @upto, which must be shown (their usage is not
 * copied: those requests were made, and counted, once). (transfer full) */
ConfabConversation *confab_export_fork (ConfabConversation *conversation,
                                        ConfabMessage      *upto);

/* "Use this result and continue" (a tool call run again, @rerun, for @call of an answer on
 * the branch shown): a new version of that answer with @rerun's arguments and result, and
 * its tool results after it (@call's replaced); the next request continues from there. The
 * answer as it was stays as the other version. */
gboolean  confab_export_branch_with_result (ConfabConversation  *conversation,
                                            ConfabToolCall      *call,
                                            ConfabToolCall      *rerun,
                                            GError             **error);

G_END_DECLS
