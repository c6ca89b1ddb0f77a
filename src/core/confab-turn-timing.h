/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "confab-types.h"

G_BEGIN_DECLS

typedef enum {
  CONFAB_TIMING_REQUEST,    /* one request of the tool loop */
  CONFAB_TIMING_TOOL_CALL,  /* one tool call that request asked for */
} ConfabTimingKind;

/* One row of a turn's timeline. Times are microseconds from the start of the turn's first
 * request; -1 where unknown (a store from before the timing was kept, or still running).
 *   request:   start = sent, mark = first byte, end = done
 *   tool call: start = asked for approval (or started running when none was needed),
 *              mark = started running (the end of the approval wait), end = finished */
typedef struct
{
  ConfabTimingKind  kind;
  guint             step;          /* the request (1-based) the row belongs to */
  guint             lane;          /* tool calls of one request: 0, 1 … (drawn side by side) */
  ConfabMessage    *message;       /* the assistant message of the request */
  ConfabToolCall   *call;          /* tool rows only */
  gint64            start;
  gint64            mark;
  gint64            end;
  char             *label;         /* "Request 1", or the tool's name */
  char             *detail;        /* "first byte 0.21 s · 1.02 s · 318 tokens · $0.0012" … */
} ConfabTiming;

void       confab_timing_free            (ConfabTiming       *timing);

/* The rows of the turn containing the message at @position: each request, then the tool
 * calls it produced, in order. @duration (optional) gets the span of the whole turn in
 * microseconds (0 when nothing is known). (transfer full) (element-type ConfabTiming) */
GPtrArray *confab_turn_timing_collect    (ConfabConversation *conversation,
                                          guint               position,
                                          gint64             *duration);
/* The row as one sentence, for the accessible list ("Request 1: sent at 0.00 s, first byte
 * after 0.21 s, done after 1.02 s, 318 tokens"). (transfer full) */
char      *confab_timing_describe        (ConfabTiming       *timing);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabTiming, confab_timing_free)

G_END_DECLS
