/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-markdown-segment"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-code-block.h"
#include "confab-markdown-renderer.h"
#include "confab-markdown-segment.h"
#include "confab-markdown-table.h"

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
   * the lines already hold the child: a code block or a table would leave that much empty
   * space under the text. Take it back off so the segment is as tall as its lines. */
  {
    int child_min = 0, child_nat = 0;

    for (GtkWidget *child = gtk_widget_get_first_child (widget);
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      {
        int min = 0, nat = 0;

        if (!confab_code_block_is_block (child) && !CONFAB_IS_MARKDOWN_TABLE (child))
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

/* ---------------------------------------------------------------------------------------- */
/* Code blocks as cards                                                                     */

/* A code block is lines of this text view (its header's line, tagged "code-block-header",
 * then its code, tagged "code-block", inset by the tag's margins): no widget holds them, so
 * their card is drawn here, under the text, around those lines, from the margin of the text
 * they are in (the header's, or the code's less its padding) to the right edge. It is the
 * text's colour, faint, as Adwaita draws cards on a view. */
static void
append_card (GtkTextView       *view,
             GtkSnapshot       *snapshot,
             const GtkTextIter *first,
             const GtkTextIter *last,
             gboolean           has_header,
             const GdkRGBA     *color)
{
  GdkRGBA fill = *color, border = *color;
  GdkRectangle visible, location;
  GskRoundedRect outline;
  int top, bottom, height, left;

  gtk_text_view_get_visible_rect (view, &visible);
  gtk_text_view_get_iter_location (view, first, &location);
  left = CLAMP (location.x - (has_header ? 0 : CONFAB_MARKDOWN_CODE_PADDING), visible.x, visible.x + visible.width - 1);
  gtk_text_view_get_line_yrange (view, first, &top, NULL);
  gtk_text_view_get_line_yrange (view, last, &bottom, &height);
  bottom += height - gtk_text_view_get_pixels_below_lines (view);

  fill.alpha *= 0.06f;
  border.alpha *= 0.12f;
  gsk_rounded_rect_init_from_rect (&outline,
                                   &GRAPHENE_RECT_INIT (left, top, visible.x + visible.width - left, MAX (bottom - top, 1)),
                                   8);
  gtk_snapshot_push_rounded_clip (snapshot, &outline);
  gtk_snapshot_append_color (snapshot, &fill, &outline.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_append_border (snapshot, &outline,
                              (float[4]) { 1, 1, 1, 1 },
                              (GdkRGBA[4]) { border, border, border, border });
}

/* Moves @iter to where @tag is next on (itself if it is on there); FALSE if nowhere. */
static gboolean
forward_to_tag_on (GtkTextIter *iter,
                   GtkTextTag  *tag)
{
  if (gtk_text_iter_has_tag (iter, tag))
    return TRUE;
  return gtk_text_iter_forward_to_tag_toggle (iter, tag) && gtk_text_iter_has_tag (iter, tag);
}

static void
confab_markdown_segment_snapshot_layer (GtkTextView      *view,
                                        GtkTextViewLayer  layer,
                                        GtkSnapshot      *snapshot)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  GtkTextTag *code = gtk_text_tag_table_lookup (table, "code-block");
  GtkTextTag *header = gtk_text_tag_table_lookup (table, "code-block-header");
  GtkTextIter iter;
  GdkRGBA color;

  if (layer != GTK_TEXT_VIEW_LAYER_BELOW_TEXT || code == NULL || header == NULL)
    return;

#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (GTK_WIDGET (view), &color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (view)), &color);
#endif

  gtk_text_buffer_get_start_iter (buffer, &iter);
  for (;;)
    {
      GtkTextIter at_code = iter, at_header = iter, first, last;
      gboolean has_code = forward_to_tag_on (&at_code, code);
      gboolean has_header = forward_to_tag_on (&at_header, header);

      if (!has_code && !has_header)
        break;
      first = !has_header || (has_code && gtk_text_iter_compare (&at_code, &at_header) < 0) ? at_code : at_header;

      /* The card goes on while its lines have either tag. */
      last = first;
      while (!gtk_text_iter_is_end (&last))
        {
          GtkTextTag *on = gtk_text_iter_has_tag (&last, code) ? code :
                           gtk_text_iter_has_tag (&last, header) ? header : NULL;

          if (on == NULL)
            break;
          gtk_text_iter_forward_to_tag_toggle (&last, on);
        }
      iter = last;
      gtk_text_iter_backward_char (&last);
      append_card (view, snapshot, &first, &last, gtk_text_iter_has_tag (&first, header), &color);
      if (gtk_text_iter_is_end (&iter))
        break;
    }
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
  GTK_TEXT_VIEW_CLASS (klass)->snapshot_layer = confab_markdown_segment_snapshot_layer;
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

void
confab_markdown_segment_append_display_text (ConfabMarkdownSegment *self,
                                             GString               *out)
{
  GtkTextIter iter;

  g_return_if_fail (CONFAB_IS_MARKDOWN_SEGMENT (self));

  gtk_text_buffer_get_start_iter (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)), &iter);
  while (!gtk_text_iter_is_end (&iter))
    {
      GtkTextChildAnchor *anchor = gtk_text_iter_get_child_anchor (&iter);

      if (anchor != NULL)
        {
          guint n_widgets = 0;
          g_autofree GtkWidget **widgets = gtk_text_child_anchor_get_widgets (anchor, &n_widgets);

          /* An anchor shows no text, nor does the line of a code block's header (its code
           * follows, as text); a table shows its cells. */
          gtk_text_iter_forward_char (&iter);
          if (n_widgets > 0 && CONFAB_IS_MARKDOWN_TABLE (widgets[0]))
            {
              g_autofree char *cells = confab_markdown_table_dup_text (CONFAB_MARKDOWN_TABLE (widgets[0]));

              g_string_append (out, cells);
            }
          else if (n_widgets > 0 && confab_code_block_is_block (widgets[0]) && gtk_text_iter_get_char (&iter) == '\n')
            gtk_text_iter_forward_char (&iter);
          continue;
        }

      g_string_append_unichar (out, gtk_text_iter_get_char (&iter));
      gtk_text_iter_forward_char (&iter);
    }
}
