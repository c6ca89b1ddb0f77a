/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-turn-timeline"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-turn-timeline.h"
#include "confab-turn-timing.h"

/* Geometry, in pixels. The label column holds the row's name and its numbers; the bars
 * share one axis to its right, so a gap between two bars is the time nothing happened
 * (the model thinking, the user deciding). */
#define AXIS_HEIGHT  28
#define ROW_HEIGHT   44
#define LABEL_WIDTH  300
#define INDENT       16
#define BAR_HEIGHT   14
#define PADDING      8
#define MIN_AXIS_US  1000

struct _ConfabTurnTimeline
{
  GtkWidget  parent_instance;

  GPtrArray *rows;        /* ConfabTiming * */
  gint64     duration;
  guint      selected;
};

G_DEFINE_FINAL_TYPE (ConfabTurnTimeline, confab_turn_timeline, GTK_TYPE_WIDGET)

enum {
  ROW_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The libadwaita palette's middle tones: legible on both the light and the dark window
 * background; text is drawn in the widget's own foreground colour. */
static const GdkRGBA waiting_color   = { 0.208, 0.518, 0.894, 0.35 };  /* blue 3, faint: sent → first byte */
static const GdkRGBA streaming_color = { 0.208, 0.518, 0.894, 1.0 };   /* blue 3: first byte → done */
static const GdkRGBA approval_color  = { 0.961, 0.761, 0.067, 0.9 };   /* yellow 4 */
static const GdkRGBA running_color   = { 0.180, 0.761, 0.494, 1.0 };   /* green 4 */
static const GdkRGBA failed_color    = { 0.878, 0.106, 0.141, 1.0 };   /* red 3 */
static const GdkRGBA denied_color    = { 0.604, 0.600, 0.588, 1.0 };   /* light 5 */

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        data)
{
  const GdkRGBA *color = data;

  gdk_cairo_set_source_rgba (cr, color);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

GtkWidget *
confab_turn_timeline_swatch_new (const char *part)
{
  static const struct { const char *name; const GdkRGBA *color; } parts[] = {
    { "waiting", &waiting_color }, { "streaming", &streaming_color }, { "approval", &approval_color },
    { "running", &running_color }, { "failed", &failed_color }, { "denied", &denied_color },
  };
  GtkWidget *area = gtk_drawing_area_new ();

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (g_strcmp0 (part, parts[i].name) == 0)
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_swatch, (gpointer) parts[i].color, NULL);

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 14);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 14);
  gtk_widget_set_valign (area, GTK_ALIGN_CENTER);
  return area;
}

static void
get_foreground (ConfabTurnTimeline *self,
                GdkRGBA            *color)
{
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), color);
G_GNUC_END_IGNORE_DEPRECATIONS
}

static double
x_for (ConfabTurnTimeline *self,
       int                 width,
       gint64              usec)
{
  double span = MAX (self->duration, MIN_AXIS_US);
  double axis = MAX (width - LABEL_WIDTH - 2 * PADDING, 1);

  return LABEL_WIDTH + PADDING + axis * CLAMP (usec, 0, span) / span;
}

static void
bar (GtkSnapshot   *snapshot,
     double         x0,
     double         x1,
     double         y,
     const GdkRGBA *color)
{
  /* A bar is at least two pixels wide, so an instant still shows. */
  graphene_rect_t rect = GRAPHENE_RECT_INIT (x0, y, MAX (x1 - x0, 2), BAR_HEIGHT);

  gtk_snapshot_append_color (snapshot, color, &rect);
}

static void
text (GtkWidget     *widget,
      GtkSnapshot   *snapshot,
      const char    *string,
      double         x,
      double         y,
      int            width,
      gboolean       small,
      const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, string);

  if (small)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  if (width > 0)
    {
      pango_layout_set_width (layout, width * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* A tick every 1, 2 or 5 × 10^k milliseconds, at most eight of them. */
static gint64
tick_step (gint64 span)
{
  static const int factors[] = { 1, 2, 5 };
  gint64 unit = 1000;

  for (;;)
    for (guint i = 0; i < G_N_ELEMENTS (factors); i++)
      {
        gint64 step = unit * factors[i];

        if (span / step <= 8)
          return step;
        if (i == G_N_ELEMENTS (factors) - 1)
          unit *= 10;
      }
}

static void
draw_axis (ConfabTurnTimeline *self,
           GtkSnapshot        *snapshot,
           int                 width,
           int                 height,
           const GdkRGBA      *fg)
{
  GdkRGBA line = *fg;
  gint64 span = MAX (self->duration, MIN_AXIS_US);
  gint64 step = tick_step (span);

  line.alpha = 0.15;
  for (gint64 t = 0; t <= span; t += step)
    {
      double x = x_for (self, width, t);
      g_autofree char *label = t < G_USEC_PER_SEC && step < G_USEC_PER_SEC
                               ? g_strdup_printf (_("%d ms"), (int) (t / 1000))
                               : g_strdup_printf (_("%.1f s"), t / (double) G_USEC_PER_SEC);

      gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (x, AXIS_HEIGHT - 4, 1, height - AXIS_HEIGHT + 4));
      text (GTK_WIDGET (self), snapshot, label, x + 2, 4, 0, TRUE, fg);
    }
}

static void
draw_row (ConfabTurnTimeline *self,
          GtkSnapshot        *snapshot,
          ConfabTiming       *row,
          guint               index,
          int                 width,
          const GdkRGBA      *fg)
{
  double y = AXIS_HEIGHT + index * ROW_HEIGHT;
  double bar_y = y + (ROW_HEIGHT - BAR_HEIGHT) / 2.0;
  int indent = row->kind == CONFAB_TIMING_TOOL_CALL ? INDENT : 0;
  GdkRGBA dim = *fg;

  dim.alpha = 0.65;

  if (index == self->selected)
    {
      GdkRGBA highlight = *fg;
      gboolean focused = gtk_widget_has_focus (GTK_WIDGET (self));

      highlight.alpha = 0.08;
      gtk_snapshot_append_color (snapshot, &highlight, &GRAPHENE_RECT_INIT (0, y, width, ROW_HEIGHT));
      if (focused)
        {
          GskRoundedRect outline;
          float widths[4] = { 2, 2, 2, 2 };
          GdkRGBA colors[4] = { streaming_color, streaming_color, streaming_color, streaming_color };

          gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (1, y + 1, width - 2, ROW_HEIGHT - 2), 4);
          gtk_snapshot_append_border (snapshot, &outline, widths, colors);
        }
    }

  text (GTK_WIDGET (self), snapshot, row->label, PADDING + indent, y + 4, LABEL_WIDTH - PADDING - indent, FALSE, fg);
  text (GTK_WIDGET (self), snapshot, row->detail, PADDING + indent, y + 23, LABEL_WIDTH - PADDING - indent, TRUE, &dim);

  if (row->start < 0)
    return;

  if (row->kind == CONFAB_TIMING_REQUEST)
    {
      gint64 first = row->mark >= 0 ? row->mark : row->end;
      gint64 end = row->end >= 0 ? row->end : self->duration;

      if (first >= 0)
        bar (snapshot, x_for (self, width, row->start), x_for (self, width, first), bar_y, &waiting_color);
      bar (snapshot, x_for (self, width, first >= 0 ? first : row->start), x_for (self, width, end), bar_y,
           confab_message_get_error (row->message) ? &failed_color : &streaming_color);
    }
  else
    {
      ConfabToolCallStatus status = confab_tool_call_get_status (row->call);
      gint64 end = row->end >= 0 ? row->end : self->duration;
      const GdkRGBA *color = status == CONFAB_TOOL_CALL_STATUS_FAILED ? &failed_color
                           : status == CONFAB_TOOL_CALL_STATUS_DENIED ? &denied_color
                           : &running_color;

      if (row->mark > row->start || (row->mark < 0 && status == CONFAB_TOOL_CALL_STATUS_DENIED))
        bar (snapshot, x_for (self, width, row->start),
             x_for (self, width, row->mark >= 0 ? row->mark : end), bar_y, &approval_color);
      if (row->mark >= 0)
        bar (snapshot, x_for (self, width, row->mark), x_for (self, width, end), bar_y, color);
    }
}

static void
confab_turn_timeline_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  ConfabTurnTimeline *self = CONFAB_TURN_TIMELINE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA fg;

  get_foreground (self, &fg);

  if (self->rows->len == 0)
    {
      text (widget, snapshot, _("Nothing was sent in this turn yet."), PADDING, PADDING, width - 2 * PADDING, FALSE, &fg);
      return;
    }

  draw_axis (self, snapshot, width, height, &fg);
  for (guint i = 0; i < self->rows->len; i++)
    draw_row (self, snapshot, g_ptr_array_index (self->rows, i), i, width, &fg);
}

static void
confab_turn_timeline_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  ConfabTurnTimeline *self = CONFAB_TURN_TIMELINE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = LABEL_WIDTH + 160;
      *natural = LABEL_WIDTH + 520;
    }
  else
    *minimum = *natural = AXIS_HEIGHT + MAX (self->rows->len, 1) * ROW_HEIGHT + PADDING;
}

static void
select_and_announce (ConfabTurnTimeline *self,
                     guint               index)
{
  if (self->rows->len == 0)
    return;

  index = MIN (index, self->rows->len - 1);
  if (index == self->selected)
    return;

  self->selected = index;
  {
    g_autofree char *description = confab_timing_describe (g_ptr_array_index (self->rows, index));

    /* The selected row is what a screen reader reads for the focused drawing. */
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                ConfabTurnTimeline    *self)
{
  guint last = self->rows->len > 0 ? self->rows->len - 1 : 0;
  guint current = self->selected == G_MAXUINT ? 0 : self->selected;

  if (self->rows->len == 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      select_and_announce (self, self->selected == G_MAXUINT ? 0 : MIN (current + 1, last));
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      select_and_announce (self, current > 0 ? current - 1 : 0);
      return TRUE;
    case GDK_KEY_Home:
      select_and_announce (self, 0);
      return TRUE;
    case GDK_KEY_End:
      select_and_announce (self, last);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      if (self->selected != G_MAXUINT)
        g_signal_emit (self, signals[ROW_ACTIVATED], 0, self->selected);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
pressed_cb (GtkGestureClick    *gesture,
            int                 n_press,
            double              x,
            double              y,
            ConfabTurnTimeline *self)
{
  guint index;

  if (y < AXIS_HEIGHT || self->rows->len == 0)
    return;

  index = (guint) ((y - AXIS_HEIGHT) / ROW_HEIGHT);
  if (index >= self->rows->len)
    return;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  select_and_announce (self, index);
  g_signal_emit (self, signals[ROW_ACTIVATED], 0, index);
}

static void
focus_changed_cb (ConfabTurnTimeline *self)
{
  if (gtk_widget_has_focus (GTK_WIDGET (self)) && self->selected == G_MAXUINT)
    select_and_announce (self, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
confab_turn_timeline_finalize (GObject *object)
{
  ConfabTurnTimeline *self = CONFAB_TURN_TIMELINE (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_turn_timeline_parent_class)->finalize (object);
}

static void
confab_turn_timeline_class_init (ConfabTurnTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = confab_turn_timeline_finalize;
  widget_class->snapshot = confab_turn_timeline_snapshot;
  widget_class->measure = confab_turn_timeline_measure;

  /**
   * ConfabTurnTimeline::row-activated:
   * @index: the row
   *
   * A row was clicked, or Enter pressed on the selected row.
   */
  signals[ROW_ACTIVATED] =
    g_signal_new ("row-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "turntimeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
confab_turn_timeline_init (ConfabTurnTimeline *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_timing_free);
  self->selected = G_MAXUINT;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);

  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (self, "notify::has-focus", G_CALLBACK (focus_changed_cb), NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Turn timeline: use the arrow keys to move between rows"), -1);
}

GtkWidget *
confab_turn_timeline_new (void)
{
  return g_object_new (CONFAB_TYPE_TURN_TIMELINE, NULL);
}

void
confab_turn_timeline_set_turn (ConfabTurnTimeline *self,
                               ConfabConversation *conversation,
                               guint               position)
{
  g_return_if_fail (CONFAB_IS_TURN_TIMELINE (self));

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  self->rows = confab_turn_timing_collect (conversation, position, &self->duration);
  if (self->selected != G_MAXUINT && self->selected >= self->rows->len)
    self->selected = G_MAXUINT;

  gtk_widget_queue_resize (GTK_WIDGET (self));
}

GPtrArray *
confab_turn_timeline_get_rows (ConfabTurnTimeline *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN_TIMELINE (self), NULL);
  return self->rows;
}

guint
confab_turn_timeline_get_selected (ConfabTurnTimeline *self)
{
  g_return_val_if_fail (CONFAB_IS_TURN_TIMELINE (self), G_MAXUINT);
  return self->selected;
}

void
confab_turn_timeline_set_selected (ConfabTurnTimeline *self,
                                   guint               index)
{
  g_return_if_fail (CONFAB_IS_TURN_TIMELINE (self));
  select_and_announce (self, index);
}
