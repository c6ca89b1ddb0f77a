/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-usage"

#include "config.h"

#include "confab-json-private.h"
#include "confab-usage.h"

struct _ConfabUsage
{
  GObject   parent_instance;

  JsonNode *raw;
  gint64    prompt_tokens;
  gint64    completion_tokens;
  gint64    total_tokens;
  gint64    cached_tokens;
  gint64    reasoning_tokens;
  double    cost;
  double    time_to_first_token;
  double    duration;
  gint64    generated;   /* a sum: completion tokens and seconds spent generating them */
  double    generating;  /* (0 and not summed: the speed comes from the fields above) */
  guint     summed : 1;
  guint     reported : 1;
  guint     has_cost : 1;
};

/* Seconds of generation below which a speed is not a measurement. */
#define CONFAB_USAGE_MIN_GENERATING 0.1

G_DEFINE_FINAL_TYPE (ConfabUsage, confab_usage, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REPORTED,
  PROP_PROMPT_TOKENS,
  PROP_COMPLETION_TOKENS,
  PROP_TOTAL_TOKENS,
  PROP_CACHED_TOKENS,
  PROP_REASONING_TOKENS,
  PROP_HAS_COST,
  PROP_COST,
  PROP_TIME_TO_FIRST_TOKEN,
  PROP_DURATION,
  PROP_TOKENS_PER_SECOND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_usage_finalize (GObject *object)
{
  ConfabUsage *self = (ConfabUsage *)object;

  g_clear_pointer (&self->raw, json_node_unref);

  G_OBJECT_CLASS (confab_usage_parent_class)->finalize (object);
}

static void
confab_usage_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ConfabUsage *self = CONFAB_USAGE (object);

  switch (prop_id)
    {
    case PROP_REPORTED:            g_value_set_boolean (value, self->reported); break;
    case PROP_PROMPT_TOKENS:       g_value_set_int64 (value, self->prompt_tokens); break;
    case PROP_COMPLETION_TOKENS:   g_value_set_int64 (value, self->completion_tokens); break;
    case PROP_TOTAL_TOKENS:        g_value_set_int64 (value, self->total_tokens); break;
    case PROP_CACHED_TOKENS:       g_value_set_int64 (value, self->cached_tokens); break;
    case PROP_REASONING_TOKENS:    g_value_set_int64 (value, self->reasoning_tokens); break;
    case PROP_HAS_COST:            g_value_set_boolean (value, self->has_cost); break;
    case PROP_COST:                g_value_set_double (value, self->cost); break;
    case PROP_TIME_TO_FIRST_TOKEN: g_value_set_double (value, self->time_to_first_token); break;
    case PROP_DURATION:            g_value_set_double (value, self->duration); break;
    case PROP_TOKENS_PER_SECOND:   g_value_set_double (value, confab_usage_get_tokens_per_second (self)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
int64_property (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, -1, G_MAXINT64, -1,
                             (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

static GParamSpec *
double_property (const char *name)
{
  return g_param_spec_double (name, NULL, NULL, -1, G_MAXDOUBLE, -1,
                              (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

static void
confab_usage_class_init (ConfabUsageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_usage_finalize;
  object_class->get_property = confab_usage_get_property;

  properties[PROP_REPORTED] =
    g_param_spec_boolean ("reported", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PROMPT_TOKENS] = int64_property ("prompt-tokens");
  properties[PROP_COMPLETION_TOKENS] = int64_property ("completion-tokens");
  properties[PROP_TOTAL_TOKENS] = int64_property ("total-tokens");
  properties[PROP_CACHED_TOKENS] = int64_property ("cached-tokens");
  properties[PROP_REASONING_TOKENS] = int64_property ("reasoning-tokens");
  properties[PROP_HAS_COST] =
    g_param_spec_boolean ("has-cost", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_COST] = double_property ("cost");
  properties[PROP_TIME_TO_FIRST_TOKEN] = double_property ("time-to-first-token");
  properties[PROP_DURATION] = double_property ("duration");
  properties[PROP_TOKENS_PER_SECOND] = double_property ("tokens-per-second");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_usage_init (ConfabUsage *self)
{
  self->prompt_tokens = -1;
  self->completion_tokens = -1;
  self->total_tokens = -1;
  self->cached_tokens = -1;
  self->reasoning_tokens = -1;
  self->cost = -1;
  self->time_to_first_token = -1;
  self->duration = -1;
}

ConfabUsage *
confab_usage_new (void)
{
  return g_object_new (CONFAB_TYPE_USAGE, NULL);
}

static gint64
member_int (JsonObject *object,
            const char *name)
{
  /* Token counts: a count that is not a whole number in range is not reported. */
  return _confab_json_get_int_range (object, name, 0, G_MAXINT64, -1);
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

void
confab_usage_update_from_json (ConfabUsage *self,
                               JsonObject  *usage)
{
  JsonNode *cost;

  g_return_if_fail (CONFAB_IS_USAGE (self));
  g_return_if_fail (usage != NULL);

  g_object_freeze_notify (G_OBJECT (self));

  g_clear_pointer (&self->raw, json_node_unref);
  self->raw = json_node_init_object (json_node_alloc (), usage);

  self->prompt_tokens = member_int (usage, "prompt_tokens");
  self->completion_tokens = member_int (usage, "completion_tokens");
  self->total_tokens = member_int (usage, "total_tokens");
  /* OpenAI/OpenRouter nest cached and reasoning counts; some servers put them at the top. */
  self->cached_tokens = member_int (member_object (usage, "prompt_tokens_details"), "cached_tokens");
  if (self->cached_tokens < 0)
    self->cached_tokens = member_int (usage, "cached_tokens");
  self->reasoning_tokens = member_int (member_object (usage, "completion_tokens_details"), "reasoning_tokens");
  if (self->reasoning_tokens < 0)
    self->reasoning_tokens = member_int (usage, "reasoning_tokens");
  if (self->total_tokens < 0 && self->prompt_tokens >= 0 && self->completion_tokens >= 0)
    self->total_tokens = self->prompt_tokens + self->completion_tokens;

  cost = json_object_get_member (usage, "cost");
  self->has_cost = cost != NULL && JSON_NODE_HOLDS_VALUE (cost) &&
                   (json_node_get_value_type (cost) == G_TYPE_DOUBLE ||
                    json_node_get_value_type (cost) == G_TYPE_INT64);
  self->cost = self->has_cost ? json_node_get_double (cost) : -1;
  self->reported = TRUE;

  for (guint i = PROP_REPORTED; i <= PROP_COST; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKENS_PER_SECOND]);

  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
confab_usage_get_reported (ConfabUsage *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE (self), FALSE);
  return self->reported;
}

gint64
confab_usage_get_prompt_tokens (ConfabUsage *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE (self), -1);
  return self->prompt_tokens;
}

gint64
confab_usage_get_completion_tokens (ConfabUsage *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE (self), -1);
  return self->completion_tokens;
}

gint64
confab_usage_get_total_tokens (ConfabUsage *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE (self), -1);
  return self->total_tokens;
}

gint64
confab_usage_get_cached_tokens (ConfabUsage *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE (self), -1);
  return self->cached_tokens;
}

gint64
confab_usage_get_reasoning_tokens (ConfabUsage *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE (self), -1);
  return self->reasoning_tokens;
}

gboolean
confab_usage_get_has_cost (ConfabUsage *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE (self), FALSE);
  return self->has_cost;
}

double
confab_usage_get_cost (ConfabUsage *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE (self), -1);
  return self->cost;
}

double
confab_usage_get_time_to_first_token (ConfabUsage *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE (self), -1);
  return self->time_to_first_token;
}

double
confab_usage_get_duration (ConfabUsage *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE (self), -1);
  return self->duration;
}

double
confab_usage_get_tokens_per_second (ConfabUsage *self)
{
  double generating;

  g_return_val_if_fail (CONFAB_IS_USAGE (self), -1);

  if (self->generating > 0)
    return (double) self->generated / self->generating;
  if (self->summed)
    return -1;

  if (self->completion_tokens < 0 || self->duration <= 0)
    return -1;

  /* Generation speed excludes the wait for the first token. An answer that came in one
   * burst (a cache, a proxy that buffers) was not timed: no speed rather than millions of
   * tokens a second. */
  generating = self->duration - MAX (self->time_to_first_token, 0);
  if (generating < CONFAB_USAGE_MIN_GENERATING)
    return -1;

  return (double) self->completion_tokens / generating;
}

void
confab_usage_set_timings (ConfabUsage *self,
                          double       time_to_first_token,
                          double       duration)
{
  g_return_if_fail (CONFAB_IS_USAGE (self));

  g_object_freeze_notify (G_OBJECT (self));

  if (self->time_to_first_token != time_to_first_token)
    {
      self->time_to_first_token = time_to_first_token;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_TO_FIRST_TOKEN]);
    }

  if (self->duration != duration)
    {
      self->duration = duration;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKENS_PER_SECOND]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
confab_usage_restore (ConfabUsage *self,
                      gboolean     reported,
                      gint64       prompt_tokens,
                      gint64       completion_tokens,
                      gint64       total_tokens,
                      gint64       cached_tokens,
                      gint64       reasoning_tokens,
                      gboolean     has_cost,
                      double       cost,
                      double       time_to_first_token,
                      double       duration)
{
  g_return_if_fail (CONFAB_IS_USAGE (self));

  g_object_freeze_notify (G_OBJECT (self));

  self->reported = !!reported;
  self->prompt_tokens = prompt_tokens;
  self->completion_tokens = completion_tokens;
  self->total_tokens = total_tokens;
  self->cached_tokens = cached_tokens;
  self->reasoning_tokens = reasoning_tokens;
  self->has_cost = !!has_cost;
  self->cost = has_cost ? cost : -1;
  self->time_to_first_token = time_to_first_token;
  self->duration = duration;
  self->generated = 0;
  self->generating = 0;
  self->summed = FALSE;
  g_clear_pointer (&self->raw, json_node_unref);

  for (guint i = PROP_REPORTED; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);

  g_object_thaw_notify (G_OBJECT (self));
}

static void
add_int_member (JsonObject *object,
                const char *name,
                gint64      value)
{
  if (value >= 0)
    json_object_set_int_member (object, name, value);
}

JsonNode *
confab_usage_to_json (ConfabUsage *self)
{
  g_autoptr(JsonObject) object = NULL;

  g_return_val_if_fail (CONFAB_IS_USAGE (self), NULL);

  if (!self->reported)
    return NULL;

  if (self->raw != NULL)
    return json_node_copy (self->raw);

  /* Restored from the store: rebuild the same shape from the counts. */
  object = json_object_new ();
  add_int_member (object, "prompt_tokens", self->prompt_tokens);
  add_int_member (object, "completion_tokens", self->completion_tokens);
  add_int_member (object, "total_tokens", self->total_tokens);
  if (self->has_cost)
    json_object_set_double_member (object, "cost", self->cost);
  if (self->cached_tokens >= 0)
    {
      JsonObject *details = json_object_new ();
      json_object_set_int_member (details, "cached_tokens", self->cached_tokens);
      json_object_set_object_member (object, "prompt_tokens_details", details);
    }
  if (self->reasoning_tokens >= 0)
    {
      JsonObject *details = json_object_new ();
      json_object_set_int_member (details, "reasoning_tokens", self->reasoning_tokens);
      json_object_set_object_member (object, "completion_tokens_details", details);
    }

  return json_node_init_object (json_node_alloc (), object);
}

static gint64
sum_known (gint64 a,
           gint64 b)
{
  if (a < 0 && b < 0)
    return -1;
  return MAX (a, 0) + MAX (b, 0);
}

static double
sum_known_double (double a,
                  double b)
{
  if (a < 0 && b < 0)
    return -1;
  return MAX (a, 0) + MAX (b, 0);
}

/* The tokens @usage generated and the seconds it spent on them (after the first token). */
static void
generation (ConfabUsage *usage,
            gint64      *tokens,
            double      *seconds)
{
  *tokens = usage->generated;
  *seconds = usage->generating;

  if (usage->summed || usage->completion_tokens < 0 || usage->duration <= 0)
    return;

  *seconds = usage->duration - MAX (usage->time_to_first_token, 0);
  *tokens = usage->completion_tokens;
  /* Not timed (one burst): it adds nothing to a sum's speed. */
  if (*seconds < CONFAB_USAGE_MIN_GENERATING)
    {
      *seconds = 0;
      *tokens = 0;
    }
}

void
confab_usage_add (ConfabUsage *self,
                  ConfabUsage *other)
{
  gint64 tokens, other_tokens;
  double seconds, other_seconds;

  g_return_if_fail (CONFAB_IS_USAGE (self));
  g_return_if_fail (CONFAB_IS_USAGE (other));

  if (!other->reported && other->duration < 0 && other->time_to_first_token < 0)
    return;

  generation (self, &tokens, &seconds);
  generation (other, &other_tokens, &other_seconds);

  confab_usage_restore (self,
                        self->reported || other->reported,
                        sum_known (self->prompt_tokens, other->prompt_tokens),
                        sum_known (self->completion_tokens, other->completion_tokens),
                        sum_known (self->total_tokens, other->total_tokens),
                        sum_known (self->cached_tokens, other->cached_tokens),
                        sum_known (self->reasoning_tokens, other->reasoning_tokens),
                        self->has_cost || other->has_cost,
                        sum_known_double (self->cost, other->cost),
                        self->time_to_first_token < 0 ? other->time_to_first_token : self->time_to_first_token,
                        sum_known_double (self->duration, other->duration));

  /* A sum's speed is the tokens over the time spent generating them, request by request. */
  self->generated = tokens + other_tokens;
  self->generating = seconds + other_seconds;
  self->summed = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKENS_PER_SECOND]);
}
