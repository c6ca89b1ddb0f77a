/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-session.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MODEL_CHOOSER (confab_model_chooser_get_type ())

G_DECLARE_FINAL_TYPE (ConfabModelChooser, confab_model_chooser, CONFAB, MODEL_CHOOSER, GtkWidget)

/* The model of the chat header: a button naming the session's model, and a popover that
 * lists the provider's models (GET /models, else the ones typed in Preferences) and takes
 * free text. Choosing sets the session's model and remembers it in "last-model".
 * Property "session". Signal ::model-chosen () once the user picked one (the popover is
 * closed; the window puts the keyboard back in the composer). */
GtkWidget     *confab_model_chooser_new         (void);
ConfabSession *confab_model_chooser_get_session (ConfabModelChooser *self);
void           confab_model_chooser_set_session (ConfabModelChooser *self,
                                                 ConfabSession      *session);
/* Asks the provider for its models again on the next opening (its key or address may have
 * changed). */
void           confab_model_chooser_reset       (ConfabModelChooser *self);

G_END_DECLS
