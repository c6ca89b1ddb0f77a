/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-markdown-segment"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-code-block.h"
#include "confab-markdown-segment.h"

/* Lines are laid out down to this height when the text changed (more than any segment). */
#define LAYOUT_ALL_HEIGHT (1 << 22)

struct _ConfabMarkdownSegment
{
  GtkTextView parent_instance;

  guint       resize_idle;
  guint       headers_idle;
  int         laid_out_width;   /* every line is laid out at this width (0: not known) */
  guint       drawn : 1;        /* drawn since the last release: GTK keeps its lines' layouts */
  guint       released : 1;     /* released, not drawn since */
};

G_DEFINE_FINAL_TYPE (ConfabMarkdownSegment, confab_markdown_segment, GTK_TYPE_TEXT_VIEW)

/* GtkTextView validates (lays out) the lines of its allocated height in size_allocate, the
 * rest in idles at a priority below redraw: while an answer streams, frames keep coming and
 * those idles starve, so the height asked for stays that of the lines already laid out. An
 * allocation of the full height (then the real one back) lays out every line now. */
static void
lay_out_all (ConfabMarkdownSegment *self,
             int                    width)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkWidgetClass *parent_class = GTK_WIDGET_CLASS (confab_markdown_segment_parent_class);
  int allocated_width = gtk_widget_get_width (widget);
  int allocated_height = gtk_widget_get_height (widget);

  if (width <= 0 || width == self->laid_out_width)
    return;

  self->laid_out_width = width;
  parent_class->size_allocate (widget, width, LAYOUT_ALL_HEIGHT, -1);
  /* Back to the allocation it has; at another width an allocation at this one follows (a
   * different width would lay the lines out again). */
  if (allocated_width == width && allocated_height > 0)
    parent_class->size_allocate (widget, allocated_width, allocated_height, -1);
}

static void
confab_markdown_segment_measure (GtkWidget      *widget,
                                 GtkOrientation  orientation,
                                 int             for_size,
                                 int            *minimum,
                                 int            *natural,
                                 int            *minimum_baseline,
                                 int            *natural_baseline)
{
  ConfabMarkdownSegment *self = CONFAB_MARKDOWN_SEGMENT (widget);

  if (orientation == GTK_ORIENTATION_VERTICAL)
    lay_out_all (self, for_size > 0 ? for_size : gtk_widget_get_width (widget));

  GTK_WIDGET_CLASS (confab_markdown_segment_parent_class)->measure (widget, orientation, for_size,
                                                                    minimum, natural,
                                                                    minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN (*minimum, 80);
      return;
    }

  /* GtkTextView (GTK 4.8) adds the tallest anchored child to the height of its lines, but
   * the lines already hold the child: a code block would leave that much empty space under
   * the text. Take it back off so the segment is as tall as its lines. */
  {
    int child_min = 0, child_nat = 0;

    for (GtkWidget *child = gtk_widget_get_first_child (widget);
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      {
        int min = 0, nat = 0;

        if (!confab_code_block_is_block (child))
          continue;

        gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, for_size, &min, &nat, NULL, NULL);
        child_min = MAX (child_min, min);
        child_nat = MAX (child_nat, nat);
      }

    *minimum = MAX (0, *minimum - child_min);
    *natural = MAX (*minimum, *natural - child_nat);
  }
}

static gboolean
segment_queue_resize (gpointer user_data)
{
  ConfabMarkdownSegment *self = user_data;

  self->resize_idle = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));

  return G_SOURCE_REMOVE;
}

static void
confab_markdown_segment_size_allocate (GtkWidget *widget,
                                       int        width,
                                       int        height,
                                       int        baseline)
{
  ConfabMarkdownSegment *self = CONFAB_MARKDOWN_SEGMENT (widget);
  int before = 0, after = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &before, NULL, NULL, NULL);
  GTK_WIDGET_CLASS (confab_markdown_segment_parent_class)->size_allocate (widget, width, height, baseline);

  /* Allocating lays out the lines at the new width (and the code blocks' lines at their new
   * size), which changes the height the text view asks for; the resize it queues meanwhile
   * is lost, as it comes during the allocation. Queue it again once this layout is done, or
   * the segment keeps a stale height (empty space under the text, or text cut off). */
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &after, NULL, NULL, NULL);
  if (after != before && self->resize_idle == 0)
    self->resize_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, segment_queue_resize, self, NULL);
}

/* Drawn again after a release: its code blocks' headers are built again (not during a
 * snapshot; the segment is drawn a page ahead of the viewport, so before they show). */
static gboolean
build_headers (gpointer user_data)
{
  ConfabMarkdownSegment *self = user_data;

  self->headers_idle = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (confab_code_block_is_block (child))
      confab_code_block_ensure (child);

  return G_SOURCE_REMOVE;
}

static void
confab_markdown_segment_snapshot (GtkWidget   *widget,
                                  GtkSnapshot *snapshot)
{
  ConfabMarkdownSegment *self = CONFAB_MARKDOWN_SEGMENT (widget);

  if (self->released && self->headers_idle == 0)
    self->headers_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, build_headers, self, NULL);
  self->released = FALSE;
  self->drawn = TRUE;

  GTK_WIDGET_CLASS (confab_markdown_segment_parent_class)->snapshot (widget, snapshot);
}

static void
confab_markdown_segment_dispose (GObject *object)
{
  ConfabMarkdownSegment *self = CONFAB_MARKDOWN_SEGMENT (object);

  g_clear_handle_id (&self->resize_idle, g_source_remove);
  g_clear_handle_id (&self->headers_idle, g_source_remove);

  G_OBJECT_CLASS (confab_markdown_segment_parent_class)->dispose (object);
}

static void
confab_markdown_segment_class_init (ConfabMarkdownSegmentClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_markdown_segment_dispose;
  GTK_WIDGET_CLASS (klass)->measure = confab_markdown_segment_measure;
  GTK_WIDGET_CLASS (klass)->size_allocate = confab_markdown_segment_size_allocate;
  GTK_WIDGET_CLASS (klass)->snapshot = confab_markdown_segment_snapshot;
}

static void
confab_markdown_segment_init (ConfabMarkdownSegment *self)
{
}

GtkWidget *
confab_markdown_segment_new (GtkTextTagTable *tags)
{
  g_autoptr(GtkTextBuffer) buffer = g_object_new (GTK_TYPE_TEXT_BUFFER, "tag-table", tags, NULL);
  GtkWidget *segment;

  /* Read-only: no undo history (it would keep every piece of text rendered and deleted). */
  gtk_text_buffer_set_enable_undo (buffer, FALSE);

  segment = g_object_new (CONFAB_TYPE_MARKDOWN_SEGMENT,
                          "buffer", buffer,
                          "editable", FALSE,
                          "cursor-visible", FALSE,
                          "wrap-mode", GTK_WRAP_WORD_CHAR,
                          "pixels-below-lines", 2,
                          NULL);
  gtk_widget_add_css_class (segment, "markdown");
  /* A screen reader would name it after its type: it is the message's text. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (segment), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Message text"), -1);

  return segment;
}

void
confab_markdown_segment_changed (ConfabMarkdownSegment *self)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_SEGMENT (self));

  self->laid_out_width = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

gboolean
confab_markdown_segment_get_drawn (ConfabMarkdownSegment *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_SEGMENT (self), FALSE);
  return self->drawn;
}

void
confab_markdown_segment_release (ConfabMarkdownSegment *self)
{
  GtkTextView *view = GTK_TEXT_VIEW (self);
  int pixels;

  g_return_if_fail (CONFAB_IS_MARKDOWN_SEGMENT (self));

  if (!self->drawn)
    return;

  /* GtkTextView keeps, for every line it drew, its Pango layout and render node (up to 250
   * lines, for 20 s after its last draw): for a segment that is all drawn, all of its
   * text laid out, 50-100 bytes per character. A change of its default style is the one
   * public way to drop them; the lines keep their sizes (no resize) and are laid out again
   * when drawn. */
  self->drawn = FALSE;
  self->released = TRUE;
  g_clear_handle_id (&self->headers_idle, g_source_remove);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (confab_code_block_is_block (child))
      confab_code_block_release (child);
  pixels = gtk_text_view_get_pixels_below_lines (view);
  gtk_text_view_set_pixels_below_lines (view, pixels + 1);
  gtk_text_view_set_pixels_below_lines (view, pixels);
}
