/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* "Save Turn as Recording…": builds the go-vcr cassette of the turn @message belongs to
 * (see ConfabCassetteWriter) and asks where to save it (.json, or .yaml for go-vcr's own
 * format). When the turn cannot be recorded (a response larger than Confab keeps, a request
 * never recorded), says why in a dialog and writes nothing. */
void confab_recording_export_run (GtkWindow          *parent,
                                  ConfabConversation *conversation,
                                  ConfabMessage      *message);

G_END_DECLS
