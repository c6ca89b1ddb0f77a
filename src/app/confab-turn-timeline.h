/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TURN_TIMELINE (confab_turn_timeline_get_type ())

G_DECLARE_FINAL_TYPE (ConfabTurnTimeline, confab_turn_timeline, CONFAB, TURN_TIMELINE, GtkWidget)

/* A turn as a waterfall on one time axis, drawn with GtkSnapshot: a row per request (sent →
 * first byte → done) and per tool call (approval wait → running → finished), calls of one
 * request side by side under it. Focusable: Up/Down (Home/End) select a row, Enter or a
 * click activates it (::row-activated (guint index)). Colours follow the light or dark
 * style; the rows are ConfabTiming (confab-turn-timing.h). */
GtkWidget *confab_turn_timeline_new          (void);
/* A small square in the colour the timeline uses for @part ("waiting", "streaming",
 * "approval", "running", "failed", "denied"), for a legend. */
GtkWidget *confab_turn_timeline_swatch_new   (const char         *part);
/* Shows the turn of the message at @position in @conversation (re-read on each call). */
void       confab_turn_timeline_set_turn     (ConfabTurnTimeline *self,
                                              ConfabConversation *conversation,
                                              guint               position);
/* The rows shown. (transfer none) (element-type ConfabTiming) */
GPtrArray *confab_turn_timeline_get_rows     (ConfabTurnTimeline *self);
/* The selected row, G_MAXUINT when none. */
guint      confab_turn_timeline_get_selected (ConfabTurnTimeline *self);
void       confab_turn_timeline_set_selected (ConfabTurnTimeline *self,
                                              guint               index);

G_END_DECLS
