/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tail-model"

#include "config.h"

#include "confab-tail-model.h"

struct _ConfabTailModel
{
  GObject     parent_instance;
  GListModel *source;
  guint       offset;
  guint       n_items;   /* of the source, as last seen */
};

static GType
confab_tail_model_get_item_type (GListModel *model)
{
  return G_TYPE_OBJECT;
}

static guint
confab_tail_model_get_n_items (GListModel *model)
{
  ConfabTailModel *self = CONFAB_TAIL_MODEL (model);

  return self->n_items - self->offset;
}

static gpointer
confab_tail_model_get_item (GListModel *model,
                            guint       position)
{
  ConfabTailModel *self = CONFAB_TAIL_MODEL (model);

  if (position >= self->n_items - self->offset)
    return NULL;
  return g_list_model_get_item (self->source, self->offset + position);
}

static void
confab_tail_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = confab_tail_model_get_item_type;
  iface->get_n_items = confab_tail_model_get_n_items;
  iface->get_item = confab_tail_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabTailModel, confab_tail_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, confab_tail_model_list_model_init))

void
confab_tail_model_source_changed (GListModel      *source,
                     guint            position,
                     guint            removed,
                     guint            added,
                     ConfabTailModel *self)
{
  self->n_items = self->n_items - removed + added;

  if (position >= self->offset)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), position - self->offset, removed, added);
    }
  else if (position + removed <= self->offset)
    {
      /* All before the shown part: the same items stay shown. */
      self->offset = self->offset - removed + added;
    }
  else
    {
      /* Reaches into the shown part: it now starts at the change. */
      guint removed_shown = position + removed - self->offset;

      self->offset = position;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed_shown, added);
    }
}

static void
confab_tail_model_dispose (GObject *object)
{
  ConfabTailModel *self = CONFAB_TAIL_MODEL (object);

  if (self->source != NULL)
    g_signal_handlers_disconnect_by_func (self->source, confab_tail_model_source_changed, self);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (confab_tail_model_parent_class)->dispose (object);
}

static void
confab_tail_model_class_init (ConfabTailModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_tail_model_dispose;
}

static void
confab_tail_model_init (ConfabTailModel *self)
{
}

ConfabTailModel *
confab_tail_model_new (GListModel *source)
{
  ConfabTailModel *self = g_object_new (CONFAB_TYPE_TAIL_MODEL, NULL);

  self->source = g_object_ref (source);
  self->n_items = g_list_model_get_n_items (source);
  g_signal_connect (source, "items-changed", G_CALLBACK (confab_tail_model_source_changed), self);

  return self;
}

/* Shows the newest @window items of the source, whatever it holds now (a new conversation). */
void
confab_tail_model_reset (ConfabTailModel *self,
                         guint            window)
{
  guint before = self->n_items - self->offset;

  self->n_items = g_list_model_get_n_items (self->source);
  self->offset = self->n_items > window ? self->n_items - window : 0;
  if (before > 0 || self->n_items > self->offset)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, before, self->n_items - self->offset);
}

/* Shows up to @count more of the older items; returns how many. */
guint
confab_tail_model_grow (ConfabTailModel *self,
                        guint            count)
{
  count = MIN (count, self->offset);
  if (count == 0)
    return 0;

  self->offset -= count;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, count);
  return count;
}

guint
confab_tail_model_get_offset (ConfabTailModel *self)
{
  g_return_val_if_fail (CONFAB_IS_TAIL_MODEL (self), 0);
  return self->offset;
}
