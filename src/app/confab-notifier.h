/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-session.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_NOTIFIER (confab_notifier_get_type ())

G_DECLARE_FINAL_TYPE (ConfabNotifier, confab_notifier, CONFAB, NOTIFIER, GObject)

/* Desktop notifications for @session's turns while @window is not in front: an answer or a
 * tool run finished (or failed), a tool call waits for approval. Clicking one runs
 * app.show-conversation (answers) or app.review-tool-call (approvals) with the
 * conversation's id. A notification never carries a tool call's arguments, so consent is
 * only ever given on the card. */
ConfabNotifier *confab_notifier_new (GtkWindow     *window,
                                     ConfabSession *session);

/* A tool run that took at least this long and finished while the window was out of sight
 * is announced (the answer's notification replaces it); a quick one is not, as the answer
 * follows at once. */
#define CONFAB_NOTIFIER_DEFAULT_LONG_TOOL_SECONDS 10.0

void            confab_notifier_set_long_tool_seconds (ConfabNotifier *self,
                                                       double          seconds);

/* The notification ids, for withdrawing one. (transfer full) */
char           *confab_notifier_dup_answer_id   (const char *conversation_id);
char           *confab_notifier_dup_approval_id (const char *conversation_id);

G_END_DECLS
