/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_USAGE (confab_usage_get_type ())

G_DECLARE_FINAL_TYPE (ConfabUsage, confab_usage, CONFAB, USAGE, GObject)

/* Token counts and timings of one request. Counts are -1 until the provider reports them. */
ConfabUsage *confab_usage_new                    (void);
/* Replaces the provider-reported counts with those of a chat-completions "usage" object.
 * A request's usage is the last one it reports, never a sum. */
void         confab_usage_update_from_json       (ConfabUsage *self,
                                                  JsonObject  *usage);
/* TRUE once the provider reported a usage object for this request. */
gboolean     confab_usage_get_reported           (ConfabUsage *self);
gint64       confab_usage_get_prompt_tokens      (ConfabUsage *self);
gint64       confab_usage_get_completion_tokens  (ConfabUsage *self);
gint64       confab_usage_get_total_tokens       (ConfabUsage *self);
gint64       confab_usage_get_cached_tokens      (ConfabUsage *self);
gint64       confab_usage_get_reasoning_tokens   (ConfabUsage *self);
/* Cost in the provider's currency (USD for OpenRouter); has_cost is FALSE when not reported. */
gboolean     confab_usage_get_has_cost           (ConfabUsage *self);
double       confab_usage_get_cost               (ConfabUsage *self);
/* Client-side timings, in seconds; -1 when unknown. */
double       confab_usage_get_time_to_first_token (ConfabUsage *self);
double       confab_usage_get_duration           (ConfabUsage *self);
/* completion_tokens / (duration - time_to_first_token); -1 when unknown. */
double       confab_usage_get_tokens_per_second  (ConfabUsage *self);
void         confab_usage_set_timings            (ConfabUsage *self,
                                                  double       time_to_first_token,
                                                  double       duration);
/* Restores every field at once (the store uses it). */
void         confab_usage_restore                (ConfabUsage *self,
                                                  gboolean     reported,
                                                  gint64       prompt_tokens,
                                                  gint64       completion_tokens,
                                                  gint64       total_tokens,
                                                  gint64       cached_tokens,
                                                  gint64       reasoning_tokens,
                                                  gboolean     has_cost,
                                                  double       cost,
                                                  double       time_to_first_token,
                                                  double       duration);
/* The usage as the provider reported it, in chat-completions shape, or NULL when none
 * was reported. (transfer full) */
JsonNode    *confab_usage_to_json                (ConfabUsage *self);
/* Adds @other's counts into @self (for conversation and turn totals; unknown counts as 0). */
void         confab_usage_add                    (ConfabUsage *self,
                                                  ConfabUsage *other);

G_END_DECLS
