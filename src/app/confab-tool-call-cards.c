/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool-call-cards"

#include "config.h"

#include "confab-tool-call.h"
#include "confab-tool-call-card.h"
#include "confab-tool-call-cards.h"

struct _ConfabToolCallCards
{
  GtkWidget   parent_instance;

  GListModel *calls;
};

G_DEFINE_FINAL_TYPE (ConfabToolCallCards, confab_tool_call_cards, GTK_TYPE_WIDGET)

static void
calls_changed (GListModel          *model,
               guint                position,
               guint                removed,
               guint                added,
               ConfabToolCallCards *self)
{
  GtkWidget *child;
  guint i;

  /* Cards of removed calls go; new ones are inserted in call order. */
  child = gtk_widget_get_first_child (GTK_WIDGET (self));
  for (i = 0; i < position && child != NULL; i++)
    child = gtk_widget_get_next_sibling (child);

  for (i = 0; i < removed && child != NULL; i++)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      gtk_widget_unparent (child);
      child = next;
    }

  for (i = 0; i < added; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (model, position + i);
      GtkWidget *card = confab_tool_call_card_new (call);
      GtkWidget *prev = child != NULL ? gtk_widget_get_prev_sibling (child)
                                      : gtk_widget_get_last_child (GTK_WIDGET (self));

      gtk_widget_insert_after (card, GTK_WIDGET (self), prev);
    }

  gtk_widget_set_visible (GTK_WIDGET (self), g_list_model_get_n_items (model) > 0);
}

static void
clear_cards (ConfabToolCallCards *self)
{
  GtkWidget *child;

  if (self->calls != NULL)
    g_signal_handlers_disconnect_by_func (self->calls, calls_changed, self);
  g_clear_object (&self->calls);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
}

void
confab_tool_call_cards_set_calls (ConfabToolCallCards *self,
                                  GListModel          *calls)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL_CARDS (self));
  g_return_if_fail (!calls || G_IS_LIST_MODEL (calls));

  clear_cards (self);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  if (calls == NULL)
    return;

  self->calls = g_object_ref (calls);
  g_signal_connect (self->calls, "items-changed", G_CALLBACK (calls_changed), self);
  calls_changed (self->calls, 0, 0, g_list_model_get_n_items (self->calls), self);
}

static void
confab_tool_call_cards_dispose (GObject *object)
{
  clear_cards (CONFAB_TOOL_CALL_CARDS (object));

  G_OBJECT_CLASS (confab_tool_call_cards_parent_class)->dispose (object);
}

static void
confab_tool_call_cards_class_init (ConfabToolCallCardsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_tool_call_cards_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "box");
}

static void
confab_tool_call_cards_init (ConfabToolCallCards *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
confab_tool_call_cards_new (void)
{
  return g_object_new (CONFAB_TYPE_TOOL_CALL_CARDS, NULL);
}
