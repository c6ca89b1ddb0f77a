/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-markdown-view"

#include "config.h"

#include <string.h>

#include "confab-code-block.h"
#include "confab-markdown-links.h"
#include "confab-markdown-renderer.h"
#include "confab-markdown-scanner.h"
#include "confab-markdown-source.h"
#include "confab-markdown-segment.h"
#include "confab-markdown-table.h"
#include "confab-markdown-view-private.h"

/* The open trailing block is re-rendered with md4c while it is at most this long; longer,
 * it grows as plain text until it closes, so a frame never costs more than this. */
#define TAIL_RENDER_LIMIT 4096
/* Closed blocks go into text views ("segments") of about this many source bytes: only the
 * last segment changes while text streams, so GTK re-measures and re-snapshots only it (the
 * others keep their cached render nodes), whatever the length of the message. */
#define SEGMENT_BYTES 8192
/* At most this much new text is laid out per frame while streaming; a burst larger than
 * that (a fast provider, a stalled main loop) is spread over the next frames. */
#define FRAME_BUDGET_BYTES (16 * 1024)

struct _ConfabMarkdownView
{
  GtkWidget              parent_instance;

  /* ConfabMarkdownSegment children, in order; @current is the last. */
  GPtrArray             *segments;
  GtkWidget             *current;
  /* Source offset where @current's blocks start. */
  gsize                  segment_start;
  GArray                *links;         /* ConfabMarkdownLink */

  /* With a source function, only what may be rendered again is held: the open block
   * after @committed (in plain mode, nothing). */
  ConfabMarkdownSource   source;
  /* Bytes of the source rendered as closed blocks (before tail_mark in the buffer). */
  gsize                  committed;
  /* How the blocks after @committed join those before it. */
  ConfabMarkdownJoin     join;
  ConfabMarkdownScanner  scanner;
  /* Bytes of the tail shown as plain text after the last tail rendering (0: rendered). */
  gsize                  tail_plain_from;

  GtkTextMark           *tail_mark;
  GPtrArray             *code_blocks;
  /* The width code blocks are given (the text width), and the idle that applies it. */
  int                    code_width;
  guint                  code_width_idle;

  /* The scrolled window the view is shown in, while mapped: only the segments near its
   * viewport are drawn. */
  GtkWidget             *scroller;
  GtkAdjustment         *vadjustment;
  /* Releases the segments drawn earlier and now far from the viewport. */
  guint                  release_idle;

  guint                  tick_id;
  guint                  dirty : 1;
  guint                  plain : 1;
  guint                  streaming : 1;
};

G_DEFINE_FINAL_TYPE (ConfabMarkdownView, confab_markdown_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PLAIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
source_at (ConfabMarkdownView *self,
           gsize               offset)
{
  return confab_markdown_source_at (&self->source, offset);
}

static gsize
source_len (ConfabMarkdownView *self)
{
  return confab_markdown_source_get_len (&self->source);
}

/* Drops the source before what may be rendered again, if its owner keeps it. */
static void
release_rendered (ConfabMarkdownView *self)
{
  confab_markdown_source_release (&self->source,
                                  self->plain ? self->committed + self->tail_plain_from : self->committed);
}

static GtkTextBuffer *
current_buffer (ConfabMarkdownView *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->current));
}

static void
add_segment (ConfabMarkdownView *self)
{
  GtkWidget *segment = confab_markdown_segment_new (confab_markdown_get_tag_table ());
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (segment));
  GtkTextIter end;

  if (self->segments->len > 0)
    gtk_widget_set_margin_top (segment, 12);

  gtk_text_buffer_get_end_iter (buffer, &end);
  self->tail_mark = gtk_text_buffer_create_mark (buffer, "confab-tail", &end, TRUE);
  confab_markdown_links_attach (self->links, segment);

  gtk_widget_insert_before (segment, GTK_WIDGET (self), NULL);
  g_ptr_array_add (self->segments, g_object_ref (segment));
  self->current = segment;
  self->segment_start = self->committed;
}

/* Renders source[from, from + len) at the end of the current segment; @tables are tables
 * to show again (see delete_tail). */
static void
render (ConfabMarkdownView *self,
        gsize               from,
        gsize               len,
        gboolean            full,
        GPtrArray          *tables)
{
  ConfabMarkdownTarget target = {
    GTK_TEXT_VIEW (self->current), self->links, self->code_blocks, self->code_width, tables,
  };

  confab_markdown_render (&target, source_at (self, from), len,
                          self->join == CONFAB_MARKDOWN_JOIN_LINE ? 1 : 2, full, self->plain);
  confab_markdown_segment_changed (CONFAB_MARKDOWN_SEGMENT (self->current));
}

/* ---------------------------------------------------------------------------------------- */
/* Incremental rendering                                                                    */

/* Deletes what is shown after the tail mark (the open block, provisionally). With @tables,
 * the tables shown there are added to it (kept alive), in order: the tail rendered again
 * shows them again, updated, rather than new ones — while a table streams, only its new
 * rows are built in each frame, not the whole table. */
static void
delete_tail (ConfabMarkdownView *self,
             GPtrArray          *tables)
{
  GtkTextBuffer *buffer = current_buffer (self);
  GtkTextIter start, end;

  gtk_text_buffer_get_iter_at_mark (buffer, &start, self->tail_mark);
  if (tables != NULL)
    confab_markdown_table_collect (&start, tables);
  confab_markdown_links_truncate (self->links, self->current, gtk_text_iter_get_offset (&start));
  gtk_text_buffer_get_end_iter (buffer, &end);
  if (!gtk_text_iter_equal (&start, &end))
    {
      gtk_text_buffer_delete (buffer, &start, &end);
      confab_markdown_segment_changed (CONFAB_MARKDOWN_SEGMENT (self->current));
    }
}

static void
move_tail_mark_to_end (ConfabMarkdownView *self)
{
  GtkTextBuffer *buffer = current_buffer (self);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_move_mark (buffer, self->tail_mark, &end);
}

/* Renders source[committed, upto) as closed blocks in place of the tail; @join is how what
 * comes after @upto joins them. */
static void
commit (ConfabMarkdownView *self,
        gsize               upto,
        ConfabMarkdownJoin  join)
{
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_object_unref);

  if (upto <= self->committed)
    return;

  delete_tail (self, tables);
  if (self->committed - self->segment_start >= SEGMENT_BYTES)
    add_segment (self);
  render (self, self->committed, upto - self->committed, TRUE, tables);
  move_tail_mark_to_end (self);
  self->committed = upto;
  self->join = join;
  self->tail_plain_from = 0;
  release_rendered (self);
}

/* Reads the lines that arrived (at most @budget bytes, 0: all) and commits the blocks they
 * close. TRUE if lines are left for the next frame. */
static gboolean
commit_closed (ConfabMarkdownView *self,
               gsize               budget)
{
  gboolean more = confab_markdown_scanner_scan_window (&self->scanner,
                                                       source_at (self, confab_markdown_source_get_base (&self->source)),
                                                       confab_markdown_source_get_base (&self->source),
                                                       source_len (self), budget);

  commit (self, confab_markdown_scanner_get_boundary (&self->scanner),
          confab_markdown_scanner_get_join (&self->scanner));
  return more;
}

static void
render_tail (ConfabMarkdownView *self)
{
  GtkTextBuffer *buffer = current_buffer (self);
  gsize tail_len = source_len (self) - self->committed;
  GtkTextIter end;

  if (self->plain)
    {
      /* Plain text: the tail is the text itself, appended as it comes. */
      gsize from = self->committed + self->tail_plain_from;

      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, source_at (self, from), source_len (self) - from);
      self->tail_plain_from = tail_len;
      confab_markdown_segment_changed (CONFAB_MARKDOWN_SEGMENT (self->current));
      release_rendered (self);
      return;
    }

  if (tail_len <= TAIL_RENDER_LIMIT || self->tail_plain_from == 0)
    {
      /* The open block, provisionally (code as text until its fence closes). */
      g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_object_unref);

      delete_tail (self, tables);
      render (self, self->committed, tail_len, FALSE, tables);
      self->tail_plain_from = tail_len > TAIL_RENDER_LIMIT ? tail_len : 0;
    }
  else
    {
      /* A long open block: grow it as plain text until it closes. */
      gsize from = self->committed + self->tail_plain_from;
      GtkTextIter start;
      int offset;

      gtk_text_buffer_get_end_iter (buffer, &end);
      offset = gtk_text_iter_get_offset (&end);
      gtk_text_buffer_insert (buffer, &end, source_at (self, from), source_len (self) - from);
      if (confab_markdown_scanner_in_fence (&self->scanner))
        {
          gtk_text_buffer_get_iter_at_offset (buffer, &start, offset);
          gtk_text_buffer_get_end_iter (buffer, &end);
          gtk_text_buffer_apply_tag_by_name (buffer, "code-block", &start, &end);
        }
      self->tail_plain_from = tail_len;
      confab_markdown_segment_changed (CONFAB_MARKDOWN_SEGMENT (self->current));
    }
}

static void schedule_render (ConfabMarkdownView *self);

static void
render_pending (ConfabMarkdownView *self)
{
  if (!self->dirty)
    return;

  self->dirty = FALSE;

  if (self->plain)
    {
      render_tail (self);
      return;
    }

  if (!self->streaming)
    {
      /* Everything, closed blocks committed along the way (so a long text is cut into
       * segments), the rest as the last block. */
      while (commit_closed (self, SEGMENT_BYTES))
        ;
      commit (self, source_len (self), CONFAB_MARKDOWN_JOIN_BLOCK);
      return;
    }

  if (commit_closed (self, FRAME_BUDGET_BYTES))
    {
      /* The open block is shown once the burst is laid out. */
      schedule_render (self);
      return;
    }

  render_tail (self);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (widget);

  self->tick_id = 0;
  render_pending (self);

  return G_SOURCE_REMOVE;
}

/* Renders in the next frame's update phase: what arrived before a frame is laid out and
 * painted in that frame. */
static void
schedule_render (ConfabMarkdownView *self)
{
  self->dirty = TRUE;

  if (self->tick_id != 0)
    return;

  if (gtk_widget_get_realized (GTK_WIDGET (self)))
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
  /* Unrealized: rendered on realize. */
}

static void
clear_all (ConfabMarkdownView *self)
{
  GtkTextBuffer *buffer;

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }

  confab_markdown_source_reset (&self->source);
  self->committed = 0;
  self->join = CONFAB_MARKDOWN_JOIN_BLOCK;
  confab_markdown_scanner_reset (&self->scanner);
  self->tail_plain_from = 0;
  self->dirty = FALSE;

  /* Back to one empty segment (kept: rows are rebound often). */
  while (self->segments->len > 1)
    {
      GtkWidget *segment = g_ptr_array_steal_index (self->segments, self->segments->len - 1);

      gtk_widget_unparent (segment);
      g_object_unref (segment);
    }
  self->current = g_ptr_array_index (self->segments, 0);
  self->segment_start = 0;
  buffer = current_buffer (self);
  self->tail_mark = gtk_text_buffer_get_mark (buffer, "confab-tail");
  g_array_set_size (self->links, 0);

  gtk_text_buffer_set_text (buffer, "", 0);
  g_ptr_array_set_size (self->code_blocks, 0);
  move_tail_mark_to_end (self);
  confab_markdown_segment_changed (CONFAB_MARKDOWN_SEGMENT (self->current));
}

/* ---------------------------------------------------------------------------------------- */

/* ---------------------------------------------------------------------------------------- */
/* Drawing only what can be seen                                                            */

/* A long answer is many segments; its row is drawn whole by GtkListView, and every text
 * node drawn costs the renderer, on screen or not, so the frame cost would grow with the
 * length of the answer. Only the segments within a page of the viewport are drawn; the view
 * is drawn again when the viewport moves. */
static void
viewport_moved (GtkAdjustment      *adjustment,
                ConfabMarkdownView *self)
{
  if (self->segments->len > 1)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
confab_markdown_view_map (GtkWidget *widget)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (widget);

  GTK_WIDGET_CLASS (confab_markdown_view_parent_class)->map (widget);

  self->scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  if (self->scroller != NULL)
    {
      self->vadjustment = g_object_ref (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller)));
      g_signal_connect (self->vadjustment, "value-changed", G_CALLBACK (viewport_moved), self);
      g_signal_connect (self->vadjustment, "changed", G_CALLBACK (viewport_moved), self);
    }
}

static void
confab_markdown_view_unmap (GtkWidget *widget)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (widget);

  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, viewport_moved, self);
  g_clear_object (&self->vadjustment);
  self->scroller = NULL;

  GTK_WIDGET_CLASS (confab_markdown_view_parent_class)->unmap (widget);
}

/* The viewport in the view's coordinates, @pages of its height added above and below. */
static gboolean
get_viewport (ConfabMarkdownView *self,
              double              pages,
              graphene_rect_t    *viewport)
{
  if (self->segments->len <= 1 || self->scroller == NULL ||
      !gtk_widget_compute_bounds (self->scroller, GTK_WIDGET (self), viewport))
    return FALSE;

  viewport->origin.y -= pages * viewport->size.height;
  viewport->size.height *= 1 + 2 * pages;
  return TRUE;
}

static gboolean
outside (GtkWidget             *child,
         GtkWidget             *parent,
         const graphene_rect_t *viewport)
{
  graphene_rect_t bounds;

  return gtk_widget_compute_bounds (child, parent, &bounds) &&
         (bounds.origin.y > viewport->origin.y + viewport->size.height ||
          bounds.origin.y + bounds.size.height < viewport->origin.y);
}

/* Segments more than two pages away drop the layouts GTK keeps of their lines once drawn:
 * an answer's memory is then that of its text (and its code blocks' headers), not of
 * its text laid out. */
static gboolean
release_far_segments (gpointer user_data)
{
  ConfabMarkdownView *self = user_data;
  graphene_rect_t far;

  self->release_idle = 0;
  if (!get_viewport (self, 2, &far))
    return G_SOURCE_REMOVE;

  for (guint i = 0; i < self->segments->len; i++)
    {
      GtkWidget *segment = g_ptr_array_index (self->segments, i);

      if (segment != self->current &&
          confab_markdown_segment_get_drawn (CONFAB_MARKDOWN_SEGMENT (segment)) &&
          outside (segment, GTK_WIDGET (self), &far))
        confab_markdown_segment_release (CONFAB_MARKDOWN_SEGMENT (segment));
    }

  return G_SOURCE_REMOVE;
}

static void
confab_markdown_view_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (widget);
  graphene_rect_t viewport, far;
  gboolean cull;

  /* A page above and below are drawn as well. */
  cull = get_viewport (self, 1, &viewport);
  if (cull)
    get_viewport (self, 2, &far);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (cull && outside (child, widget, &viewport))
        {
          if (self->release_idle == 0 && child != self->current &&
              confab_markdown_segment_get_drawn (CONFAB_MARKDOWN_SEGMENT (child)) &&
              outside (child, widget, &far))
            self->release_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, release_far_segments, self, NULL);
          continue;
        }

      gtk_widget_snapshot_child (widget, child, snapshot);
    }
}

static void
confab_markdown_view_realize (GtkWidget *widget)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (widget);

  GTK_WIDGET_CLASS (confab_markdown_view_parent_class)->realize (widget);

  if (self->dirty)
    render_pending (self);
}

static gboolean
apply_code_width (gpointer user_data)
{
  ConfabMarkdownView *self = user_data;

  self->code_width_idle = 0;
  for (guint i = 0; i < self->code_blocks->len; i++)
    confab_code_block_set_width (g_ptr_array_index (self->code_blocks, i), self->code_width);
  for (guint i = 0; i < self->segments->len; i++)
    for (GtkWidget *child = gtk_widget_get_first_child (g_ptr_array_index (self->segments, i));
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (CONFAB_IS_MARKDOWN_TABLE (child))
        confab_markdown_table_set_max_width (CONFAB_MARKDOWN_TABLE (child), self->code_width);

  return G_SOURCE_REMOVE;
}

static void
confab_markdown_view_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (widget);
  int target;

  /* Code blocks span the text width, tables at most that. Their size is changed after this allocation, never
   * during it: a resize queued while the list lays out is lost. */
  target = width - gtk_text_view_get_left_margin (GTK_TEXT_VIEW (self->current))
                 - gtk_text_view_get_right_margin (GTK_TEXT_VIEW (self->current)) - 4;
  target = MAX (target, 40);

  if (target != self->code_width)
    {
      self->code_width = target;
      if (self->code_width_idle == 0)
        self->code_width_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_code_width, self, NULL);
    }

  /* The segments, stacked. */
  {
    int y = 0;

    for (GtkWidget *child = gtk_widget_get_first_child (widget);
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      {
        int child_height = 0;

        if (!gtk_widget_should_layout (child))
          continue;

        gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &child_height, NULL, NULL, NULL);
        gtk_widget_size_allocate (child, &(GtkAllocation) { 0, y, width, child_height }, -1);
        y += child_height;
      }
  }
}

static void
confab_markdown_view_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  *minimum = *natural = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min = 0, child_nat = 0;

      if (!gtk_widget_should_layout (child))
        continue;

      gtk_widget_measure (child, orientation, for_size, &child_min, &child_nat, NULL, NULL);
      if (orientation == GTK_ORIENTATION_VERTICAL)
        {
          *minimum += child_min;
          *natural += child_nat;
        }
      else
        {
          *minimum = MAX (*minimum, child_min);
          *natural = MAX (*natural, child_nat);
        }
    }
}

static void
confab_markdown_view_dispose (GObject *object)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_ptr_array_set_size (self->code_blocks, 0);
  g_clear_handle_id (&self->code_width_idle, g_source_remove);
  g_clear_handle_id (&self->release_idle, g_source_remove);
  if (self->segments != NULL)
    {
      for (guint i = 0; i < self->segments->len; i++)
        gtk_widget_unparent (g_ptr_array_index (self->segments, i));
      g_ptr_array_set_size (self->segments, 0);
    }
  self->current = NULL;

  G_OBJECT_CLASS (confab_markdown_view_parent_class)->dispose (object);
}

static void
confab_markdown_view_finalize (GObject *object)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  confab_markdown_source_clear (&self->source);
  g_ptr_array_unref (self->code_blocks);
  g_ptr_array_unref (self->segments);
  g_array_unref (self->links);

  G_OBJECT_CLASS (confab_markdown_view_parent_class)->finalize (object);
}

static void
confab_markdown_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLAIN:
      g_value_set_boolean (value, self->plain);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLAIN:
      confab_markdown_view_set_plain (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_view_class_init (ConfabMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_markdown_view_dispose;
  object_class->finalize = confab_markdown_view_finalize;
  object_class->get_property = confab_markdown_view_get_property;
  object_class->set_property = confab_markdown_view_set_property;

  widget_class->realize = confab_markdown_view_realize;
  widget_class->map = confab_markdown_view_map;
  widget_class->unmap = confab_markdown_view_unmap;
  widget_class->snapshot = confab_markdown_view_snapshot;
  widget_class->size_allocate = confab_markdown_view_size_allocate;
  widget_class->measure = confab_markdown_view_measure;

  properties[PROP_PLAIN] =
    g_param_spec_boolean ("plain", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "markdownview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_markdown_view_init (ConfabMarkdownView *self)
{
  confab_markdown_source_init (&self->source);
  self->code_blocks = g_ptr_array_new ();
  self->segments = g_ptr_array_new_with_free_func (g_object_unref);
  self->links = confab_markdown_links_new ();

  add_segment (self);
}

GtkWidget *
confab_markdown_view_new (void)
{
  return g_object_new (CONFAB_TYPE_MARKDOWN_VIEW, NULL);
}

gboolean
confab_markdown_view_get_plain (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), FALSE);
  return self->plain;
}

void
confab_markdown_view_set_plain (ConfabMarkdownView *self,
                                gboolean            plain)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  plain = !!plain;
  if (self->plain == plain)
    return;

  self->plain = plain;
  text = g_strdup (confab_markdown_view_get_source (self));
  confab_markdown_view_set_text (self, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAIN]);
}

void
confab_markdown_view_set_text (ConfabMarkdownView *self,
                               const char         *text)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  clear_all (self);
  self->streaming = FALSE;
  if (text == NULL || *text == '\0')
    return;

  confab_markdown_source_append (&self->source, text, strlen (text));
  self->dirty = TRUE;
  render_pending (self);
}

void
confab_markdown_view_append_text (ConfabMarkdownView *self,
                                  const char         *text,
                                  gssize              len)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  if (text == NULL)
    return;
  if (len < 0)
    len = strlen (text);
  if (len == 0)
    return;

  self->streaming = TRUE;
  confab_markdown_source_append (&self->source, text, len);
  schedule_render (self);
}

void
confab_markdown_view_finish (ConfabMarkdownView *self)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  if (!self->streaming)
    return;

  self->streaming = FALSE;
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }

  /* The source grew by doubling: give back what it will not use (up to half of it). */
  confab_markdown_source_shrink (&self->source);

  /* The tail was shown while streaming; render it as a complete block now. */
  /* (Rendering it deletes the provisional one, its tables kept and updated.) */
  if (!self->plain)
    self->tail_plain_from = 0;
  self->dirty = TRUE;
  render_pending (self);
}

void
confab_markdown_view_flush (ConfabMarkdownView *self)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  /* Everything now, whatever the frame budget. */
  do
    {
      if (self->tick_id != 0)
        {
          gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
          self->tick_id = 0;
        }
      render_pending (self);
    }
  while (self->dirty);
}

const char *
confab_markdown_view_get_source (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), NULL);
  return confab_markdown_source_get_text (&self->source);
}

void
confab_markdown_view_set_source_func (ConfabMarkdownView       *self,
                                      ConfabMarkdownSourceFunc  func,
                                      gpointer                  user_data,
                                      GDestroyNotify            destroy)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  /* Without one the view keeps the whole source: what was dropped cannot be shown again. */
  if (func == NULL && confab_markdown_source_get_base (&self->source) > 0)
    confab_markdown_view_set_text (self, NULL);
  confab_markdown_source_set_func (&self->source, func, user_data, destroy);
  release_rendered (self);
}

char *
confab_markdown_view_dup_display_text (ConfabMarkdownView *self)
{
  GString *out;

  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), NULL);

  out = g_string_new (NULL);

  for (guint seg = 0; seg < self->segments->len; seg++)
    {
      GtkTextView *segment = g_ptr_array_index (self->segments, seg);

      /* Segments are separate blocks, as if a blank line were between them. */
      if (seg > 0 && gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (segment)) > 0)
        g_string_append (out, "\n\n");
      confab_markdown_segment_append_display_text (CONFAB_MARKDOWN_SEGMENT (segment), out);
    }

  return g_string_free (out, FALSE);
}

guint
confab_markdown_view_get_n_code_blocks (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), 0);
  return self->code_blocks->len;
}

guint
confab_markdown_view_get_n_segments (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), 0);
  return self->segments->len;
}

GtkTextView *
confab_markdown_view_get_segment (ConfabMarkdownView *self,
                                  guint               index)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), NULL);
  g_return_val_if_fail (index < self->segments->len, NULL);
  return g_ptr_array_index (self->segments, index);
}

gboolean
confab_markdown_view_get_pending (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), FALSE);
  return self->dirty;
}

gsize
confab_markdown_view_get_held_source (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), 0);
  return confab_markdown_source_get_held (&self->source);
}
