/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-turn-timing"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-turn-timing.h"
#include "confab-usage.h"

/* Where the times come from: a request is sent when its assistant message is created (the
 * turn creates it right before the request goes out, and the store keeps created_at); the
 * client measures the first byte and the end from there (ConfabUsage time_to_first_token
 * and duration). A tool call stamps the wall-clock time it enters each status
 * (confab_tool_call_get_status_time), also kept by the store. */

void
confab_timing_free (ConfabTiming *timing)
{
  if (timing == NULL)
    return;
  g_clear_object (&timing->message);
  g_clear_object (&timing->call);
  g_free (timing->label);
  g_free (timing->detail);
  g_free (timing);
}

static char *
seconds (gint64 usec)
{
  /* Translators: a duration in seconds on the turn timeline. */
  return g_strdup_printf (_("%.2f s"), usec / (double) G_USEC_PER_SEC);
}

static char *
request_detail (ConfabTiming *timing)
{
  ConfabUsage *usage = confab_message_get_usage (timing->message);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (timing->mark >= 0)
    {
      g_autofree char *s = seconds (timing->mark - timing->start);
      g_ptr_array_add (parts, g_strdup_printf (_("first byte %s"), s));
    }
  if (timing->end >= 0)
    g_ptr_array_add (parts, seconds (timing->end - timing->start));
  if (confab_usage_get_total_tokens (usage) >= 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lld token", "%lld tokens",
                                                          (gulong) confab_usage_get_total_tokens (usage)),
                                             (long long) confab_usage_get_total_tokens (usage)));
  if (confab_usage_get_has_cost (usage))
    g_ptr_array_add (parts, g_strdup_printf ("$%.4f", confab_usage_get_cost (usage)));
  if (confab_message_get_state (timing->message) == CONFAB_MESSAGE_STATE_FAILED)
    g_ptr_array_add (parts, g_strdup (_("failed")));

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

static const char *
status_text (ConfabToolCallStatus status)
{
  switch (status)
    {
    case CONFAB_TOOL_CALL_STATUS_STREAMING:        return _("streaming");
    case CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL: return _("waiting for approval");
    case CONFAB_TOOL_CALL_STATUS_RUNNING:          return _("running");
    case CONFAB_TOOL_CALL_STATUS_DONE:             return _("done");
    case CONFAB_TOOL_CALL_STATUS_FAILED:           return _("failed");
    case CONFAB_TOOL_CALL_STATUS_DENIED:           return _("denied");
    default:                                       return "";
    }
}

static char *
call_detail (ConfabTiming *timing)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char *result = confab_tool_call_get_result (timing->call);

  if (timing->start >= 0 && timing->mark > timing->start)
    {
      g_autofree char *s = seconds (timing->mark - timing->start);
      g_ptr_array_add (parts, g_strdup_printf (_("approval %s"), s));
    }
  if (timing->mark >= 0 && timing->end >= timing->mark)
    {
      g_autofree char *s = seconds (timing->end - timing->mark);
      g_ptr_array_add (parts, g_strdup_printf (_("ran %s"), s));
    }
  if (result != NULL)
    {
      g_autofree char *size = g_format_size (strlen (result));
      g_ptr_array_add (parts, g_strdup_printf (_("result %s"), size));
    }
  g_ptr_array_add (parts, g_strdup (status_text (confab_tool_call_get_status (timing->call))));

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

static gint64
relative (gint64 wall,
          gint64 origin)
{
  return wall > 0 ? wall - origin : -1;
}

static gint64
finished_time (ConfabToolCall *call)
{
  return MAX (MAX (confab_tool_call_get_status_time (call, CONFAB_TOOL_CALL_STATUS_DONE),
                   confab_tool_call_get_status_time (call, CONFAB_TOOL_CALL_STATUS_FAILED)),
              confab_tool_call_get_status_time (call, CONFAB_TOOL_CALL_STATUS_DENIED));
}

GPtrArray *
confab_turn_timing_collect (ConfabConversation *conversation,
                            guint               position,
                            gint64             *duration)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_timing_free);
  GListModel *model;
  gint64 origin = 0;
  gint64 last = 0;
  guint start, end;
  guint step = 0;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), rows);

  if (duration != NULL)
    *duration = 0;

  if (!confab_conversation_get_turn_range (conversation, position, &start, &end))
    return rows;

  model = G_LIST_MODEL (conversation);
  for (guint i = start; i < end; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i);
      ConfabUsage *usage;
      ConfabTiming *request;
      GListModel *calls;
      double ttft, took;

      if (confab_message_get_role (message) != CONFAB_ROLE_ASSISTANT)
        continue;

      if (origin == 0)
        origin = confab_message_get_created_at (message);

      usage = confab_message_get_usage (message);
      ttft = confab_usage_get_time_to_first_token (usage);
      took = confab_usage_get_duration (usage);

      request = g_new0 (ConfabTiming, 1);
      request->kind = CONFAB_TIMING_REQUEST;
      request->step = ++step;
      request->message = g_object_ref (message);
      request->start = relative (confab_message_get_created_at (message), origin);
      request->mark = request->start >= 0 && ttft >= 0 ? request->start + (gint64) (ttft * G_USEC_PER_SEC) : -1;
      request->end = request->start >= 0 && took >= 0 ? request->start + (gint64) (took * G_USEC_PER_SEC) : -1;
      /* Translators: a row of the turn timeline: the N-th request of the tool loop. */
      request->label = g_strdup_printf (_("Request %u"), step);
      request->detail = request_detail (request);
      last = MAX (last, MAX (request->end, request->start));
      g_ptr_array_add (rows, request);

      calls = confab_message_get_tool_calls (message);
      for (guint c = 0; c < g_list_model_get_n_items (calls); c++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, c);
          ConfabTiming *row = g_new0 (ConfabTiming, 1);
          gint64 asked = confab_tool_call_get_status_time (call, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL);
          gint64 running = confab_tool_call_get_status_time (call, CONFAB_TOOL_CALL_STATUS_RUNNING);

          row->kind = CONFAB_TIMING_TOOL_CALL;
          row->step = step;
          row->lane = c;
          row->message = g_object_ref (message);
          row->call = g_object_ref (call);
          row->mark = relative (running, origin);
          row->start = asked > 0 ? relative (asked, origin) : row->mark;
          row->end = relative (finished_time (call), origin);
          if (row->start < 0)
            row->start = row->end;
          row->label = g_strdup (confab_tool_call_get_name (call) ? confab_tool_call_get_name (call) : "?");
          row->detail = call_detail (row);
          last = MAX (last, row->end);
          g_ptr_array_add (rows, row);
        }
    }

  if (duration != NULL)
    *duration = MAX (last, 0);

  return rows;
}

char *
confab_timing_describe (ConfabTiming *timing)
{
  g_autofree char *at = NULL;

  g_return_val_if_fail (timing != NULL, NULL);

  if (timing->start < 0)
    /* Translators: an accessible timeline row whose times were not recorded. */
    return g_strdup_printf (_("%s: times not recorded; %s"), timing->label, timing->detail);

  at = seconds (timing->start);
  if (timing->kind == CONFAB_TIMING_REQUEST)
    /* Translators: an accessible timeline row: "Request 1, sent at 0.00 s: first byte 0.21 s · 1.02 s · 318 tokens". */
    return g_strdup_printf (_("%s, sent at %s: %s"), timing->label, at, timing->detail);

  /* Translators: an accessible timeline row: "Tool add (request 1), from 1.10 s: ran 0.01 s · result 1 byte · done". */
  return g_strdup_printf (_("Tool %s (request %u), from %s: %s"), timing->label, timing->step, at, timing->detail);
}
