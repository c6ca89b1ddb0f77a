/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-message-editor"

#include "config.h"

#include "confab-message-editor.h"

struct _ConfabMessageEditor
{
  GtkWidget    parent_instance;

  GtkWidget   *box;
  GtkTextView *text_view;

  guint        reveal_tick;
  guint        reveal_frames;   /* frames left to settle in */
  guint        reveal_still;    /* frames in a row it was in view */
};

/* Frames the editor has to get into view after it is shown (the list lays out its row
 * again as it grows), and the room it keeps from the view's edges. */
#define REVEAL_FRAMES 60
#define REVEAL_STILL  3
#define REVEAL_MARGIN 12.0

G_DEFINE_FINAL_TYPE (ConfabMessageEditor, confab_message_editor, GTK_TYPE_WIDGET)

enum {
  SEND,
  CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
editor_cancel (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  g_signal_emit (widget, signals[CANCELLED], 0);
}

static void
editor_send (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  g_autofree char *text = confab_message_editor_get_text (CONFAB_MESSAGE_EDITOR (widget));

  g_strstrip (text);
  if (*text == '\0')
    return;

  g_signal_emit (widget, signals[SEND], 0, text);
}

/* Shown in place of a message of a scrolled conversation, the editor can be (partly) out of
 * view: the list keeps the row's end where it was as it grows, and the focus in the text
 * field does not scroll a list. It is scrolled into view, its text field first (when it is
 * taller than the view, its top); moving the view up stops the chat from following its end,
 * as any scroll up does. */
static gboolean
reveal_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  ConfabMessageEditor *self = CONFAB_MESSAGE_EDITOR (widget);
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;
  double top, bottom, height, delta = 0;

  if (self->reveal_frames == 0 || !gtk_widget_get_visible (widget) || scroller == NULL)
    {
      self->reveal_tick = 0;
      return G_SOURCE_REMOVE;
    }
  self->reveal_frames--;

  if (!gtk_widget_get_mapped (widget) || !gtk_widget_compute_bounds (widget, scroller, &bounds) ||
      bounds.size.height <= 0)
    return G_SOURCE_CONTINUE;

  top = bounds.origin.y;
  bottom = top + bounds.size.height;
  height = gtk_widget_get_height (scroller);
  if (top < REVEAL_MARGIN)
    delta = top - REVEAL_MARGIN;
  else if (bottom > height - REVEAL_MARGIN)
    delta = MIN (bottom - height + REVEAL_MARGIN, top - REVEAL_MARGIN);

  if (ABS (delta) < 1)
    {
      if (++self->reveal_still >= REVEAL_STILL)
        {
          self->reveal_tick = 0;
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;
    }

  self->reveal_still = 0;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_set_value (adjustment,
                            CLAMP (gtk_adjustment_get_value (adjustment) + delta,
                                   gtk_adjustment_get_lower (adjustment),
                                   gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment)));
  return G_SOURCE_CONTINUE;
}

static void
stop_reveal (ConfabMessageEditor *self)
{
  if (self->reveal_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->reveal_tick);
  self->reveal_tick = 0;
}

static void
confab_message_editor_dispose (GObject *object)
{
  stop_reveal (CONFAB_MESSAGE_EDITOR (object));
  gtk_widget_dispose_template (GTK_WIDGET (object), CONFAB_TYPE_MESSAGE_EDITOR);

  G_OBJECT_CLASS (confab_message_editor_parent_class)->dispose (object);
}

static void
confab_message_editor_class_init (ConfabMessageEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_message_editor_dispose;

  signals[SEND] = g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/confab/Confab/confab-message-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageEditor, box);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageEditor, text_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messageeditor");

  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, editor_cancel);
  gtk_widget_class_install_action (widget_class, "editor.send", NULL, editor_send);
  /* Escape leaves the edit as Cancel does (the window's Escape only stops an answer). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "editor.cancel", NULL);
}

static void
confab_message_editor_init (ConfabMessageEditor *self)
{
  static const guint enter_keys[] = { GDK_KEY_Return, GDK_KEY_KP_Enter, GDK_KEY_ISO_Enter };
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Ctrl+Enter sends, as from the composer; Enter adds a line. Captured before the text
   * view, which would take it as a new line too. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (enter_keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (enter_keys[i], GDK_CONTROL_MASK),
                                                            gtk_named_action_new ("editor.send")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}

GtkWidget *
confab_message_editor_new (void)
{
  return g_object_new (CONFAB_TYPE_MESSAGE_EDITOR, NULL);
}

void
confab_message_editor_begin (ConfabMessageEditor *self,
                             const char          *text)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_EDITOR (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text ? text : "", -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));

  stop_reveal (self);
  self->reveal_frames = REVEAL_FRAMES;
  self->reveal_still = 0;
  self->reveal_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), reveal_tick_cb, NULL, NULL);
}

char *
confab_message_editor_get_text (ConfabMessageEditor *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (CONFAB_IS_MESSAGE_EDITOR (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
