/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-attachment-bar.h"
#include "confab-session.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_COMPOSER (confab_composer_get_type ())

G_DECLARE_FINAL_TYPE (ConfabComposer, confab_composer, CONFAB, COMPOSER, GtkWidget)

/* Where the user writes: a multi-line text view (Enter sends and Shift+Enter adds a line, or
 * Ctrl+Enter sends, per the send-on-enter setting), Send that becomes Stop while an answer
 * streams, the conversation's system prompt in a popover, and the reason when sending is
 * impossible. */
GtkWidget   *confab_composer_new           (void);
void         confab_composer_set_session   (ConfabComposer *self,
                                            ConfabSession  *session);
GtkTextView *confab_composer_get_text_view (ConfabComposer *self);
void         confab_composer_set_text      (ConfabComposer *self,
                                            const char     *text);
/* The text typed. (transfer full) */
char        *confab_composer_dup_text      (ConfabComposer *self);
/* Sends what is typed (like pressing Send); FALSE when nothing was sent. */
gboolean     confab_composer_send          (ConfabComposer *self);
/* The files waiting to be sent with the text (chips above it). (transfer none) */
ConfabAttachmentBar *confab_composer_get_attachment_bar (ConfabComposer *self);
/* Puts @widget beside the system prompt button (say, the MCP resource button). */
void         confab_composer_add_start_widget (ConfabComposer *self,
                                               GtkWidget      *widget);
/* Puts the buttons before the text above it (@compact, for a narrow window) or beside it. */
void         confab_composer_set_compact   (ConfabComposer *self,
                                            gboolean        compact);
/* Moves the keyboard focus to the text. */
void         confab_composer_focus         (ConfabComposer *self);

G_END_DECLS
