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
/* Appends @message; sets the title from the first user message when there is none. */
void                confab_conversation_append              (ConfabConversation *self,
                                                             ConfabMessage      *message);
/* Removes the messages from @position to the end (regenerate, edit and resend). */
void                confab_conversation_truncate            (ConfabConversation *self,
                                                             guint               position);
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
