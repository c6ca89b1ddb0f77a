/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-chat-view.h"
#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_RECORDING_WINDOW (confab_recording_window_get_type ())

G_DECLARE_FINAL_TYPE (ConfabRecordingWindow, confab_recording_window, CONFAB, RECORDING_WINDOW, AdwWindow)

/* A go-vcr cassette shown as a read-only conversation (no composer; regenerate, retry and
 * edit are off): messages, tool calls as cards, usage, and the inspector (raw request and
 * SSE of each answer). Nothing is stored. */
GtkWidget      *confab_recording_window_new_for_file (GtkWindow   *parent,
                                                      GFile       *file,
                                                      GError     **error);
/* Asks for a cassette, then shows it (or says why it cannot be opened). */
void            confab_recording_window_choose       (GtkWindow   *parent);
ConfabChatView *confab_recording_window_get_chat_view (ConfabRecordingWindow *self);

G_END_DECLS
