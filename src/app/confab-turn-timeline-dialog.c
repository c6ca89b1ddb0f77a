/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-turn-timeline-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation.h"
#include "confab-inspector-dialog.h"
#include "confab-message.h"
#include "confab-recording-export.h"
#include "confab-tool-call-card.h"
#include "confab-tool-call.h"
#include "confab-turn-timeline-dialog.h"
#include "confab-turn-timing.h"

struct _ConfabTurnTimelineDialog
{
  AdwWindow           parent_instance;

  ConfabConversation *conversation;
  ConfabMessage      *anchor;        /* a message of the turn, found again after edits */
  ConfabTurnTimeline *timeline;
  GtkListBox         *list;
  guint               tick_id;
};

G_DEFINE_FINAL_TYPE (ConfabTurnTimelineDialog, confab_turn_timeline_dialog, ADW_TYPE_WINDOW)

static guint
anchor_position (ConfabTurnTimelineDialog *self)
{
  GListModel *model = G_LIST_MODEL (self->conversation);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i);

      if (message == self->anchor)
        return i;
    }
  return G_MAXUINT;
}

static void
rebuild_list (ConfabTurnTimelineDialog *self)
{
  GPtrArray *rows = confab_turn_timeline_get_rows (self->timeline);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  for (guint i = 0; i < rows->len; i++)
    {
      ConfabTiming *timing = g_ptr_array_index (rows, i);
      g_autofree char *text = confab_timing_describe (timing);
      GtkWidget *label = gtk_label_new (text);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_widget_set_margin_start (label, timing->kind == CONFAB_TIMING_TOOL_CALL ? 24 : 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_list_box_append (self->list, row);
    }
}

static gboolean refresh_tick (gpointer data);

static void
refresh (ConfabTurnTimelineDialog *self)
{
  guint position = anchor_position (self);
  GPtrArray *rows;
  gboolean unfinished = FALSE;

  if (position == G_MAXUINT)
    {
      /* The turn was removed (regenerated, edited): nothing left to show. */
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  confab_turn_timeline_set_turn (self->timeline, self->conversation, position);
  rebuild_list (self);

  /* While a request streams or a call waits or runs, the bars grow: look again in a
   * moment (statuses and timings change without the conversation's items changing). */
  rows = confab_turn_timeline_get_rows (self->timeline);
  for (guint i = 0; i < rows->len; i++)
    unfinished |= ((ConfabTiming *) g_ptr_array_index (rows, i))->end < 0;
  if (unfinished && self->tick_id == 0)
    self->tick_id = g_timeout_add (500, refresh_tick, self);
}

static gboolean
refresh_tick (gpointer data)
{
  ConfabTurnTimelineDialog *self = data;

  self->tick_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static void
items_changed_cb (ConfabTurnTimelineDialog *self)
{
  refresh (self);
}

/* A call opens its own card (live, with Run Again… when the main window has tools). */
static void
open_call_card (ConfabTurnTimelineDialog *self,
                ConfabToolCall           *call)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *card = confab_tool_call_card_new (call);

  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_title (GTK_WINDOW (window), confab_tool_call_get_name (call));
  gtk_window_set_default_size (GTK_WINDOW (window), 520, -1);
  gtk_box_append (GTK_BOX (content), adw_header_bar_new ());
  gtk_widget_set_margin_top (card, 12);
  gtk_widget_set_margin_bottom (card, 12);
  gtk_widget_set_margin_start (card, 12);
  gtk_widget_set_margin_end (card, 12);
  gtk_box_append (GTK_BOX (content), card);
  adw_window_set_content (ADW_WINDOW (window), content);
  gtk_window_present (GTK_WINDOW (window));
}

static void
open_row (ConfabTurnTimelineDialog *self,
          guint                     index)
{
  GPtrArray *rows = confab_turn_timeline_get_rows (self->timeline);
  ConfabTiming *timing;
  GtkWidget *inspector;

  if (index >= rows->len)
    return;

  timing = g_ptr_array_index (rows, index);
  if (timing->kind == CONFAB_TIMING_TOOL_CALL)
    {
      open_call_card (self, timing->call);
      return;
    }

  inspector = confab_inspector_dialog_new (GTK_WINDOW (self), timing->message);
  confab_inspector_dialog_set_conversation (CONFAB_INSPECTOR_DIALOG (inspector), self->conversation);
  gtk_window_present (GTK_WINDOW (inspector));
}

static void
timeline_activated_cb (ConfabTurnTimeline       *timeline,
                       guint                     index,
                       ConfabTurnTimelineDialog *self)
{
  open_row (self, index);
}

static void
list_activated_cb (GtkListBox               *list,
                   GtkListBoxRow            *row,
                   ConfabTurnTimelineDialog *self)
{
  guint index = gtk_list_box_row_get_index (row);

  confab_turn_timeline_set_selected (self->timeline, index);
  open_row (self, index);
}

static void
save_clicked_cb (ConfabTurnTimelineDialog *self)
{
  confab_recording_export_run (GTK_WINDOW (self), self->conversation, self->anchor);
}

static GtkWidget *
legend_item (const char *part,
             const char *label)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_box_append (GTK_BOX (box), confab_turn_timeline_swatch_new (part));
  gtk_box_append (GTK_BOX (box), gtk_label_new (label));
  return box;
}

static void
confab_turn_timeline_dialog_dispose (GObject *object)
{
  ConfabTurnTimelineDialog *self = CONFAB_TURN_TIMELINE_DIALOG (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->conversation != NULL)
    g_signal_handlers_disconnect_by_data (self->conversation, self);
  g_clear_object (&self->conversation);
  g_clear_object (&self->anchor);

  G_OBJECT_CLASS (confab_turn_timeline_dialog_parent_class)->dispose (object);
}

static void
confab_turn_timeline_dialog_class_init (ConfabTurnTimelineDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_turn_timeline_dialog_dispose;

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
confab_turn_timeline_dialog_init (ConfabTurnTimelineDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *save = gtk_button_new_from_icon_name ("document-save-as-symbolic");
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *legend = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *list_title = gtk_label_new (_("Rows"));

  gtk_window_set_title (GTK_WINDOW (self), _("Turn Timeline"));
  gtk_window_set_default_size (GTK_WINDOW (self), 900, 560);

  gtk_widget_set_tooltip_text (save, _("Save Turn as Recording…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (save), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Save Turn as Recording…"), -1);
  g_signal_connect_swapped (save, "clicked", G_CALLBACK (save_clicked_cb), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);
  gtk_box_append (GTK_BOX (content), header);

  gtk_widget_set_margin_top (body, 12);
  gtk_widget_set_margin_bottom (body, 12);
  gtk_widget_set_margin_start (body, 12);
  gtk_widget_set_margin_end (body, 12);

  gtk_box_append (GTK_BOX (legend), legend_item ("waiting", _("Waiting for the first byte")));
  gtk_box_append (GTK_BOX (legend), legend_item ("streaming", _("Streaming")));
  gtk_box_append (GTK_BOX (legend), legend_item ("approval", _("Waiting for approval")));
  gtk_box_append (GTK_BOX (legend), legend_item ("running", _("Tool running")));
  gtk_box_append (GTK_BOX (legend), legend_item ("failed", _("Failed")));
  gtk_box_append (GTK_BOX (legend), legend_item ("denied", _("Denied")));
  gtk_box_append (GTK_BOX (body), legend);

  self->timeline = CONFAB_TURN_TIMELINE (confab_turn_timeline_new ());
  g_signal_connect (self->timeline, "row-activated", G_CALLBACK (timeline_activated_cb), self);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->timeline));
  gtk_box_append (GTK_BOX (body), frame);

  gtk_label_set_xalign (GTK_LABEL (list_title), 0);
  gtk_widget_add_css_class (list_title, "heading");
  gtk_box_append (GTK_BOX (body), list_title);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Timeline rows"), -1);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (list_activated_cb), self);
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->list));

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), body);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (content), scroller);

  adw_window_set_content (ADW_WINDOW (self), content);
}

GtkWidget *
confab_turn_timeline_dialog_new (GtkWindow          *parent,
                                 ConfabConversation *conversation,
                                 guint               position)
{
  ConfabTurnTimelineDialog *self;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);
  g_return_val_if_fail (position < g_list_model_get_n_items (G_LIST_MODEL (conversation)), NULL);

  self = g_object_new (CONFAB_TYPE_TURN_TIMELINE_DIALOG, "transient-for", parent, NULL);
  self->conversation = g_object_ref (conversation);
  self->anchor = g_list_model_get_item (G_LIST_MODEL (conversation), position);
  g_signal_connect_swapped (conversation, "items-changed", G_CALLBACK (items_changed_cb), self);

  refresh (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->timeline));

  return GTK_WIDGET (self);
}

ConfabTurnTimeline *
confab_turn_timeline_dialog_get_timeline (ConfabTurnTimelineDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN_TIMELINE_DIALOG (self), NULL);
  return self->timeline;
}

GtkListBox *
confab_turn_timeline_dialog_get_list (ConfabTurnTimelineDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN_TIMELINE_DIALOG (self), NULL);
  return self->list;
}
