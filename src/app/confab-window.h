/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-application.h"
#include "confab-chat-view.h"
#include "confab-composer.h"
#include "confab-notifier.h"
#include "confab-session.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_WINDOW (confab_window_get_type ())

G_DECLARE_FINAL_TYPE (ConfabWindow, confab_window, CONFAB, WINDOW, AdwApplicationWindow)

ConfabWindow   *confab_window_new                   (ConfabApplication *application);
/* A quick ask: a small window for a one-off question, kept out of the history until the
 * user promotes it (win.promote) to an ordinary conversation. */
ConfabWindow   *confab_window_new_quick             (ConfabApplication *application);
gboolean        confab_window_get_quick             (ConfabWindow      *self);
/* The window's session: its conversation, provider, tools. (transfer none) */
ConfabSession  *confab_window_get_session           (ConfabWindow      *self);
/* What tells the desktop about the window's turns. (transfer none) */
ConfabNotifier *confab_window_get_notifier          (ConfabWindow      *self);
/* Shows the stored conversation @id (as activating it in the list does); FALSE with a
 * warning when there is no such conversation. */
gboolean        confab_window_open_conversation     (ConfabWindow      *self,
                                                     const char        *id);
/* Brings the window forward on the conversation @conversation_id with the keyboard focus on
 * the card of its tool call that waits for approval; FALSE when none waits. */
gboolean        confab_window_review_approval       (ConfabWindow      *self,
                                                     const char        *conversation_id);
/* Opens the conversation list searching for @text. */
void            confab_window_search                (ConfabWindow      *self,
                                                     const char        *text);
ConfabChatView *confab_window_get_chat_view         (ConfabWindow      *self);
ConfabComposer *confab_window_get_composer          (ConfabWindow      *self);
/* The usage sidebar widget on the right. (transfer none) */
GtkWidget      *confab_window_get_usage_sidebar     (ConfabWindow      *self);
/* "welcome" (no provider: the first-run page) or "chat". */
const char     *confab_window_get_visible_page      (ConfabWindow      *self);

G_END_DECLS
