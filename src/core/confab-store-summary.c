/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include "confab-store-private.h"
#include "confab-store-summary.h"

struct _ConfabStoreSummary
{
  GObject  parent_instance;
  char    *id;
  char    *title;
  char    *snippet;
  char    *model;
  gint64   updated_at;
  guint    n_messages;
};

G_DEFINE_FINAL_TYPE (ConfabStoreSummary, confab_store_summary, G_TYPE_OBJECT)

enum {
  SUMMARY_PROP_0,
  SUMMARY_PROP_ID,
  SUMMARY_PROP_TITLE,
  SUMMARY_PROP_SNIPPET,
  SUMMARY_PROP_MODEL,
  SUMMARY_PROP_UPDATED_AT,
  SUMMARY_PROP_N_MESSAGES,
  SUMMARY_N_PROPS
};

static GParamSpec *summary_properties[SUMMARY_N_PROPS];

static void
confab_store_summary_finalize (GObject *object)
{
  ConfabStoreSummary *self = (ConfabStoreSummary *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->snippet, g_free);
  g_clear_pointer (&self->model, g_free);

  G_OBJECT_CLASS (confab_store_summary_parent_class)->finalize (object);
}

static void
confab_store_summary_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabStoreSummary *self = CONFAB_STORE_SUMMARY (object);

  switch (prop_id)
    {
    case SUMMARY_PROP_ID:         g_value_set_string (value, self->id); break;
    case SUMMARY_PROP_TITLE:      g_value_set_string (value, self->title); break;
    case SUMMARY_PROP_SNIPPET:    g_value_set_string (value, self->snippet); break;
    case SUMMARY_PROP_MODEL:      g_value_set_string (value, self->model); break;
    case SUMMARY_PROP_UPDATED_AT: g_value_set_int64 (value, self->updated_at); break;
    case SUMMARY_PROP_N_MESSAGES: g_value_set_uint (value, self->n_messages); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_store_summary_class_init (ConfabStoreSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  object_class->finalize = confab_store_summary_finalize;
  object_class->get_property = confab_store_summary_get_property;

  summary_properties[SUMMARY_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  summary_properties[SUMMARY_PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  summary_properties[SUMMARY_PROP_SNIPPET] = g_param_spec_string ("snippet", NULL, NULL, NULL, ro);
  summary_properties[SUMMARY_PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, ro);
  summary_properties[SUMMARY_PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  summary_properties[SUMMARY_PROP_N_MESSAGES] =
    g_param_spec_uint ("n-messages", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, SUMMARY_N_PROPS, summary_properties);
}

static void
confab_store_summary_init (ConfabStoreSummary *self)
{
}

ConfabStoreSummary *
_confab_store_summary_new (const char *id,
                           const char *title,
                           const char *snippet,
                           const char *model,
                           gint64      updated_at,
                           guint       n_messages)
{
  ConfabStoreSummary *self = g_object_new (CONFAB_TYPE_STORE_SUMMARY, NULL);

  self->id = g_strdup (id);
  self->title = g_strdup (title ?: "");
  self->snippet = g_strdup (snippet);
  self->model = g_strdup (model);
  self->updated_at = updated_at;
  self->n_messages = n_messages;

  return self;
}

const char *
confab_store_summary_get_id (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), NULL);
  return self->id;
}

const char *
confab_store_summary_get_title (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), NULL);
  return self->title;
}

const char *
confab_store_summary_get_snippet (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), NULL);
  return self->snippet;
}

const char *
confab_store_summary_get_model (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), NULL);
  return self->model;
}

gint64
confab_store_summary_get_updated_at (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), 0);
  return self->updated_at;
}

guint
confab_store_summary_get_n_messages (ConfabStoreSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), 0);
  return self->n_messages;
}

static gboolean
assign_string (ConfabStoreSummary  *self,
               char               **field,
               const char          *value,
               guint                prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), summary_properties[prop]);
  return TRUE;
}

gboolean
confab_store_summary_assign (ConfabStoreSummary *self,
                             ConfabStoreSummary *other)
{
  gboolean changed = FALSE;

  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_STORE_SUMMARY (other), FALSE);

  if (self == other)
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  changed |= assign_string (self, &self->id, other->id, SUMMARY_PROP_ID);
  changed |= assign_string (self, &self->title, other->title, SUMMARY_PROP_TITLE);
  changed |= assign_string (self, &self->snippet, other->snippet, SUMMARY_PROP_SNIPPET);
  changed |= assign_string (self, &self->model, other->model, SUMMARY_PROP_MODEL);
  if (self->updated_at != other->updated_at)
    {
      self->updated_at = other->updated_at;
      g_object_notify_by_pspec (G_OBJECT (self), summary_properties[SUMMARY_PROP_UPDATED_AT]);
      changed = TRUE;
    }
  if (self->n_messages != other->n_messages)
    {
      self->n_messages = other->n_messages;
      g_object_notify_by_pspec (G_OBJECT (self), summary_properties[SUMMARY_PROP_N_MESSAGES]);
      changed = TRUE;
    }
  g_object_thaw_notify (G_OBJECT (self));

  return changed;
}
