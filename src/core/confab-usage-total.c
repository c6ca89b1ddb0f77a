/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-usage-total"

#include "config.h"

#include <string.h>

#include "confab-usage-total.h"

struct _ConfabUsageTotal
{
  GObject  parent_instance;

  char    *key;
  guint    n_requests;
  gint64   tokens[5];   /* prompt, completion, total, cached, reasoning */
  guint    n_with_cost;
  double   cost;
};

G_DEFINE_FINAL_TYPE (ConfabUsageTotal, confab_usage_total, G_TYPE_OBJECT)

static void
confab_usage_total_finalize (GObject *object)
{
  ConfabUsageTotal *self = CONFAB_USAGE_TOTAL (object);

  g_free (self->key);

  G_OBJECT_CLASS (confab_usage_total_parent_class)->finalize (object);
}

static void
confab_usage_total_class_init (ConfabUsageTotalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = confab_usage_total_finalize;
}

static void
confab_usage_total_init (ConfabUsageTotal *self)
{
}

ConfabUsageTotal *
confab_usage_total_new (const char   *key,
                        guint         n_requests,
                        const gint64  tokens[5],
                        guint         n_with_cost,
                        double        cost)
{
  ConfabUsageTotal *self = g_object_new (CONFAB_TYPE_USAGE_TOTAL, NULL);

  self->key = g_strdup (key != NULL ? key : "");
  self->n_requests = n_requests;
  memcpy (self->tokens, tokens, sizeof self->tokens);
  self->n_with_cost = n_with_cost;
  self->cost = cost;

  return self;
}

const char *
confab_usage_total_get_key (ConfabUsageTotal *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_TOTAL (self), NULL);
  return self->key;
}

guint
confab_usage_total_get_n_requests (ConfabUsageTotal *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_TOTAL (self), 0);
  return self->n_requests;
}

gint64
confab_usage_total_get_prompt_tokens (ConfabUsageTotal *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_TOTAL (self), 0);
  return self->tokens[0];
}

gint64
confab_usage_total_get_completion_tokens (ConfabUsageTotal *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_TOTAL (self), 0);
  return self->tokens[1];
}

gint64
confab_usage_total_get_total_tokens (ConfabUsageTotal *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_TOTAL (self), 0);
  return self->tokens[2];
}

gint64
confab_usage_total_get_cached_tokens (ConfabUsageTotal *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_TOTAL (self), 0);
  return self->tokens[3];
}

gint64
confab_usage_total_get_reasoning_tokens (ConfabUsageTotal *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_TOTAL (self), 0);
  return self->tokens[4];
}

double
confab_usage_total_get_cost (ConfabUsageTotal *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_TOTAL (self), 0.0);
  return self->cost;
}

guint
confab_usage_total_get_n_with_cost (ConfabUsageTotal *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_TOTAL (self), 0);
  return self->n_with_cost;
}
