/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-markdown-view.h"
#include "confab-message-row.h"
#include "confab-window.h"

G_BEGIN_DECLS

/* What the chat UI tests drive in the real window (run by confab-test-app.h). */

/* How long the waits below wait before they fail the test. */
#define CONFAB_TEST_CHAT_WAIT_MS 15000

/* One SSE chunk of an OpenAI-style stream with @content as its delta. (transfer full) */
char             *confab_test_sse_content          (const char         *content);
/* A complete answer streamed as @pieces (NULL-terminated); finished unless @open. */
char             *confab_test_sse_answer           (const char * const *pieces,
                                                    gboolean            open);

/* The message at @position of the window's conversation. (transfer none) */
ConfabMessage    *confab_test_message_at           (ConfabWindow       *window,
                                                    guint               position);
guint             confab_test_n_messages           (ConfabWindow       *window);
/* Types @text in the composer and presses Enter (through the composer's key handler);
 * asserts that the key was handled. */
void              confab_test_type_and_send        (ConfabWindow       *window,
                                                    const char         *text);
/* The same, and asserts that a turn runs. */
void              confab_test_type_and_press_enter (ConfabWindow       *window,
                                                    const char         *text);
/* Waits for the session to be idle. */
void              confab_test_wait_idle            (ConfabWindow       *window);
/* Waits for the row of @message and returns it. (transfer none) */
ConfabMessageRow *confab_test_wait_for_row         (ConfabWindow       *window,
                                                    ConfabMessage      *message);
/* The text the row shows, once its pending text is drawn. (transfer full) */
char             *confab_test_row_text             (ConfabMessageRow   *row);
/* Where the text @needle starts in @view, in @target's coordinates (its top left); fails
 * the test when @view does not show it. */
graphene_point_t  confab_test_markdown_text_point  (ConfabMarkdownView *view,
                                                    const char         *needle,
                                                    GtkWidget          *target);

/* Waits until the main loop is idle, then for a few frames of @widget's window. */
void              confab_test_wait_frames          (GtkWidget          *widget);
/* Renders @widget and, when CONFAB_SCREENSHOT_DIR is set, writes it there as @name. */
void              confab_test_save_screenshot      (GtkWidget          *widget,
                                                    const char         *name);

/* Writes what @widget draws as CONFAB_SCREENSHOT_DIR/@name; nothing when it is not set. */
void              confab_test_save_screenshot_if_asked (GtkWidget      *widget,
                                                        const char     *name);

G_END_DECLS
