/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MESSAGE_EDITOR (confab_message_editor_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMessageEditor, confab_message_editor, CONFAB, MESSAGE_EDITOR, GtkWidget)

/* The inline editor of a sent message (Edit and Resend): its text, Cancel (or Escape) and
 * Send. Emits ::send with the text (trimmed, never empty) and ::cancelled. */
GtkWidget *confab_message_editor_new      (void);
/* Starts editing @text: puts it in the editor and the keyboard focus in it, and scrolls the
 * editor into view once it is laid out (in a GtkScrolledWindow). */
void       confab_message_editor_begin    (ConfabMessageEditor *self,
                                           const char          *text);
/* The text as it stands. (transfer full) */
char      *confab_message_editor_get_text (ConfabMessageEditor *self);

G_END_DECLS
