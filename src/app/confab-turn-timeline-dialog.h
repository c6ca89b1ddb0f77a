/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-turn-timeline.h"
#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TURN_TIMELINE_DIALOG (confab_turn_timeline_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ConfabTurnTimelineDialog, confab_turn_timeline_dialog, CONFAB, TURN_TIMELINE_DIALOG, AdwWindow)

/* The turn of the message at @position as a timeline (ConfabTurnTimeline), with a legend
 * and the same rows as a list of sentences for screen readers. Activating a row opens that
 * request in the inspector, or that call's card. Follows the conversation while it is
 * open. */
GtkWidget          *confab_turn_timeline_dialog_new          (GtkWindow                *parent,
                                                              ConfabConversation       *conversation,
                                                              guint                     position);
/* (transfer none) */
ConfabTurnTimeline *confab_turn_timeline_dialog_get_timeline (ConfabTurnTimelineDialog *self);
/* The accessible list of the rows. (transfer none) */
GtkListBox         *confab_turn_timeline_dialog_get_list     (ConfabTurnTimelineDialog *self);

G_END_DECLS
