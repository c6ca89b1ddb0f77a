/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_USAGE_TOTAL (confab_usage_total_get_type ())

G_DECLARE_FINAL_TYPE (ConfabUsageTotal, confab_usage_total, CONFAB, USAGE_TOTAL, GObject)

/* One row of confab_store_usage_totals(): the requests of one provider, model or month. */
ConfabUsageTotal *confab_usage_total_new                   (const char       *key,
                                                            guint             n_requests,
                                                            const gint64      tokens[5],
                                                            guint             n_with_cost,
                                                            double            cost);
/* The provider's name, the model id or the month ("2026-12"); "" when unknown. */
const char       *confab_usage_total_get_key               (ConfabUsageTotal *self);
guint             confab_usage_total_get_n_requests        (ConfabUsageTotal *self);
gint64            confab_usage_total_get_prompt_tokens     (ConfabUsageTotal *self);
gint64            confab_usage_total_get_completion_tokens (ConfabUsageTotal *self);
gint64            confab_usage_total_get_total_tokens      (ConfabUsageTotal *self);
gint64            confab_usage_total_get_cached_tokens     (ConfabUsageTotal *self);
gint64            confab_usage_total_get_reasoning_tokens  (ConfabUsageTotal *self);
/* The summed cost of the requests whose provider reported one, and how many did: a total
 * is only complete when every request had a cost. */
double            confab_usage_total_get_cost              (ConfabUsageTotal *self);
guint             confab_usage_total_get_n_with_cost       (ConfabUsageTotal *self);

G_END_DECLS
