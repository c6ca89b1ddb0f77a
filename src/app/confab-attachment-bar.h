/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-attachment.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ATTACHMENT_BAR (confab_attachment_bar_get_type ())

G_DECLARE_FINAL_TYPE (ConfabAttachmentBar, confab_attachment_bar, CONFAB, ATTACHMENT_BAR, GtkWidget)

/* A row of chips, one per attachment: a thumbnail (or an icon), the name and what it is.
 * Clicking a chip opens a preview (the picture, or the text sent for a file or PDF). When
 * editable, each chip has a remove button that takes it out of the model (a GListStore).
 * It also shows why a file could not be attached. Empty and without an error, it takes no room. */
GtkWidget  *confab_attachment_bar_new        (void);
/* A GListModel of ConfabAttachment. */
void        confab_attachment_bar_set_model  (ConfabAttachmentBar *self,
                                              GListModel          *model);
GListModel *confab_attachment_bar_get_model  (ConfabAttachmentBar *self);
void        confab_attachment_bar_set_editable (ConfabAttachmentBar *self,
                                              gboolean             editable);
/* Shows @message (a GError's text) under the chips; NULL hides it. */
void        confab_attachment_bar_set_error  (ConfabAttachmentBar *self,
                                              const char          *message);
const char *confab_attachment_bar_get_error  (ConfabAttachmentBar *self);
/* Adding (an editable bar owns a GListStore): files are read and prepared in a worker
 * thread with the limits of the attachment-* settings; what cannot be attached is said in
 * the bar, and nothing else is lost. */
void        confab_attachment_bar_add_file   (ConfabAttachmentBar *self,
                                              GFile               *file);
/* A pasted or dropped picture, attached as a PNG; FALSE (and the error shown) when refused. */
gboolean    confab_attachment_bar_add_texture (ConfabAttachmentBar *self,
                                              GdkTexture          *texture);
/* Ctrl+V: when @clipboard holds files, or a picture and no text, attaches them and returns
 * TRUE; otherwise FALSE (the text view pastes the text). */
gboolean    confab_attachment_bar_paste      (ConfabAttachmentBar *self,
                                              GdkClipboard        *clipboard);
/* Opens the file chooser (GtkFileDialog on GTK 4.10+, GtkFileChooserNative before), portal
 * backed in the Flatpak, and attaches what is picked. */
void        confab_attachment_bar_choose_files (ConfabAttachmentBar *self);
/* A drop target for files and pictures, to put on the window. (transfer full) */
GtkDropTarget *confab_attachment_bar_create_drop_target (ConfabAttachmentBar *self);
/* Files still being read. */
guint       confab_attachment_bar_get_n_loading (ConfabAttachmentBar *self);
/* Checks the attachments against the per-message limit; FALSE shows why. */
gboolean    confab_attachment_bar_check      (ConfabAttachmentBar *self);
/* Empties the model and the error (after sending). */
void        confab_attachment_bar_clear      (ConfabAttachmentBar *self);
/* Opens the preview of @attachment, transient for @parent's window. (transfer none) */
GtkWindow  *confab_attachment_bar_present_preview (GtkWidget      *parent,
                                              ConfabAttachment    *attachment);

G_END_DECLS
