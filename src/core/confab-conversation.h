/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CONVERSATION (confab_conversation_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversation, confab_conversation, CONFAB, CONVERSATION, GObject)

/* A GListModel of ConfabMessage. items-changed fires only when messages are added or
 * removed, never when their text grows. */
ConfabConversation *confab_conversation_new                 (void);
/* A random UUID string; the store's key and confab-cli's conversation_id. */
const char         *confab_conversation_get_id              (ConfabConversation *self);
void                confab_conversation_set_id              (ConfabConversation *self,
                                                             const char         *id);
const char         *confab_conversation_get_title           (ConfabConversation *self);
void                confab_conversation_set_title           (ConfabConversation *self,
                                                             const char         *title);
/* Sent as the first message of every request when not empty. */
const char         *confab_conversation_get_system_prompt   (ConfabConversation *self);
void                confab_conversation_set_system_prompt   (ConfabConversation *self,
                                                             const char         *system_prompt);
/* The provider profile name, base URL and model this conversation talks to. */
const char         *confab_conversation_get_provider_name   (ConfabConversation *self);
void                confab_conversation_set_provider_name   (ConfabConversation *self,
                                                             const char         *provider_name);
const char         *confab_conversation_get_base_url        (ConfabConversation *self);
void                confab_conversation_set_base_url        (ConfabConversation *self,
                                                             const char         *base_url);
const char         *confab_conversation_get_model           (ConfabConversation *self);
void                confab_conversation_set_model           (ConfabConversation *self,
                                                             const char         *model);
gint64              confab_conversation_get_created_at      (ConfabConversation *self);
void                confab_conversation_set_created_at      (ConfabConversation *self,
                                                             gint64              created_at);
gint64              confab_conversation_get_updated_at      (ConfabConversation *self);
void                confab_conversation_set_updated_at      (ConfabConversation *self,
                                                             gint64              updated_at);
/* Appends @message to the shown branch, as the newest child of the last shown message
 * (its parent and sibling index are set); sets the title from the first user message when
 * there is none. */
void                confab_conversation_append              (ConfabConversation *self,
                                                             ConfabMessage      *message);
/* Loading: puts @message into the tree with the parent and sibling index it has, without
 * showing it (see confab_conversation_show()); the title comes from the first user message
 * when there is none. FALSE, and nothing added, when its parent is not in the tree or its
 * id is already. */
gboolean            confab_conversation_add_message         (ConfabConversation *self,
                                                             ConfabMessage      *message);
/* Removes the shown messages from @position on, and everything under them, from the tree
 * (a failed answer retried). */
void                confab_conversation_truncate            (ConfabConversation *self,
                                                             guint               position);
/* Shows the branch only up to @position; the messages after stay in the tree, and the next
 * append there becomes a new version beside them (edit and resend, regenerate). */
void                confab_conversation_rewind              (ConfabConversation *self,
                                                             guint               position);
/* Shows the branch through @message (NULL: from the first messages): up to it, then down
 * through the version shown last under each message (or the newest). The conversation
 * remembers it. FALSE when @message is not in the tree. */
gboolean            confab_conversation_show                (ConfabConversation *self,
                                                             ConfabMessage      *message);
/* Shows the branch through message @message_id up to it: what is sent next continues from
 * it, as a new branch. FALSE and @error when there is no such message. */
gboolean            confab_conversation_branch_after        (ConfabConversation  *self,
                                                             const char          *message_id,
                                                             GError             **error);
/* The versions of @message's place (itself included), in order. (transfer container) */
GPtrArray          *confab_conversation_list_siblings       (ConfabConversation *self,
                                                             ConfabMessage      *message);
/* How many versions @message's place has (1 without siblings); @index: which one it is. */
guint               confab_conversation_get_n_siblings      (ConfabConversation *self,
                                                             ConfabMessage      *message,
                                                             guint              *index);
/* Shows version @index of @message's place and the branch under it. */
gboolean            confab_conversation_switch_sibling      (ConfabConversation *self,
                                                             ConfabMessage      *message,
                                                             guint               index);
/* The children of @message (NULL: the first messages) by sibling index, or NULL when it has
 * none. (transfer none) */
GPtrArray          *confab_conversation_get_children        (ConfabConversation *self,
                                                             ConfabMessage      *message);
/* Every message of the tree, shown or not, each after its parent. (transfer none) */
GPtrArray          *confab_conversation_get_tree            (ConfabConversation *self);
/* The message of the tree with this id, or NULL. (transfer none) */
ConfabMessage      *confab_conversation_lookup              (ConfabConversation *self,
                                                             const char         *id);
/* The position of @message in the shown branch, or -1. */
int                 confab_conversation_find                (ConfabConversation *self,
                                                             ConfabMessage      *message);
/* The turn around the shown message at @position: [*@start, *@end) runs from the user
 * message at or before it up to the next user message (answers before any user message
 * form a turn too). FALSE when @position is out of range. */
gboolean            confab_conversation_get_turn_range      (ConfabConversation *self,
                                                             guint               position,
                                                             guint              *start,
                                                             guint              *end);
/* Where each turn of the shown branch starts. (transfer full) (element-type guint) */
GArray             *confab_conversation_list_turns          (ConfabConversation *self);
/* The sum (confab_usage_add()) of the answers' usage from @start to @end of the shown
 * branch. (transfer full) */
ConfabUsage        *confab_conversation_sum_usage           (ConfabConversation *self,
                                                             guint               start,
                                                             guint               end);
/* The last message, or NULL. (transfer none) */
ConfabMessage      *confab_conversation_get_last_message    (ConfabConversation *self);
/* The chat-completions "messages" array: the system prompt, then every message as it
 * stands (a failed or partial answer included); reasoning is never sent. A tool call
 * without a tool message (a stopped turn) gets one saying it was not run, so the history
 * is always one a provider accepts. (transfer full) */
JsonNode           *confab_conversation_to_messages_json    (ConfabConversation *self);
/* For a conversation read back from disk: tool calls left waiting (approval, running) by a
 * turn that no longer runs are marked failed, "not run". Returns how many. Never call it
 * on a conversation whose turn is running. */
guint               confab_conversation_repair_tool_calls   (ConfabConversation *self);
/* A title from the first user message: first line, trimmed, at most 60 characters. */
char               *confab_conversation_make_title          (const char         *text);

G_END_DECLS
