/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MESSAGE_ERROR (confab_message_error_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMessageError, confab_message_error, CONFAB, MESSAGE_ERROR, GtkWidget)

/* Why a message failed, in its row: the error (and how long the provider asks to wait),
 * the HTTP error body under Details, Check API Key (401, 403) and Retry (row.retry). */
GtkWidget  *confab_message_error_new      (void);
/* Shows the failure of @message (failed or interrupted). */
void        confab_message_error_show     (ConfabMessageError *self,
                                           ConfabMessage      *message);
/* The error text shown. */
const char *confab_message_error_get_text (ConfabMessageError *self);

G_END_DECLS
