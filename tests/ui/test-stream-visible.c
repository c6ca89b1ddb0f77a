/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-stream-visible"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "confab-application.h"
#include "confab-chat-view.h"
#include "confab-code-block.h"
#include "confab-composer.h"
#include "confab-conversation-list.h"
#include "confab-conversation.h"
#include "confab-markdown-renderer.h"
#include "confab-markdown-table.h"
#include "confab-markdown-view-private.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-replay-server.h"
#include "confab-store.h"
#include "confab-test-app.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"
#include "confab-window.h"

/* What a user sees while an answer streams, in the real window: a multi-block answer comes
 * from the replay server in 6–7 character deltas, slowly, and after every painted frame the
 * test looks at the screen: the streaming row is mapped, every block that has closed so far
 * is rendered in it (only the block still being written may be provisional), and the end of
 * the text is inside the viewport while the view follows. Scrolling up (wheel, keyboard)
 * stops following and keeps the viewport where the user put it, with a "jump to newest"
 * button; back at the bottom, following resumes. A stored conversation of a few hundred
 * messages opens at its newest message. The table is a grid (ConfabMarkdownTable) from the
 * frame its first row arrives, the same one growing row by row; the code block is a card
 * aligned with the text, its code inset. */

#define WAIT_MS   20000
#define DELAY_MS  8

/* ---------------------------------------------------------------------------------------- */
/* The answer: its blocks, and what each looks like once rendered                           */

typedef struct
{
  const char *source;     /* Markdown, as streamed */
  const char *shown[3];   /* texts the rendered block shows (NULL-terminated) */
  const char *tag;        /* a tag the rendered text carries, or NULL */
  const char *not_shown;  /* Markdown syntax a rendered block no longer shows, or NULL */
  gboolean    code;       /* a code block: shown as a GtkSourceView */
} Block;

/* The table: its columns aligned left, right and centred; inline Markdown in its cells. */
#define TABLE_BLOCK  33
#define TABLE_HEAD   "| Name | Value | Note |\n|:-----|------:|:----:|\n"
#define TABLE_ALPHA  "| alpha | 1 | *first* |\n"
#define TABLE_BETA   "| beta | 2 | `b` |\n"

static GPtrArray *blocks;      /* Block * */
static GString   *answer;
static GArray    *block_ends;  /* gsize: where each block's source ends in @answer */

static void
add_block (const char *source,
           const char *shown0,
           const char *shown1,
           const char *tag,
           const char *not_shown,
           gboolean    code)
{
  Block *block = g_new0 (Block, 1);
  gsize end;

  block->source = g_intern_string (source);
  block->shown[0] = g_intern_string (shown0);
  block->shown[1] = g_intern_string (shown1);
  block->tag = g_intern_string (tag);
  block->not_shown = g_intern_string (not_shown);
  block->code = code;
  g_ptr_array_add (blocks, block);
  g_string_append (answer, source);
  end = answer->len;
  g_array_append_val (block_ends, end);
}

static void
make_answer (void)
{
  blocks = g_ptr_array_new_with_free_func (g_free);
  answer = g_string_new (NULL);
  block_ends = g_array_new (FALSE, FALSE, sizeof (gsize));

  /* As models write: a heading directly followed by its paragraph, a list right after a
   * paragraph line, no blank line where none is needed. */
  add_block ("# Streaming check\n", "Streaming check", NULL, "h1", "# Streaming", FALSE);
  add_block ("A one-line paragraph before the list.\n",
             "A one-line paragraph before the list.", NULL, NULL, NULL, FALSE);
  for (guint i = 1; i <= 30; i++)
    {
      g_autofree char *source = g_strdup_printf ("%u. Item number %u of the list, long enough to wrap "
                                                 "onto a second line in a window of ordinary size\n", i, i);
      g_autofree char *shown = g_strdup_printf ("%u. Item number %u of the list", i, i);

      add_block (source, shown, NULL, "list-1", NULL, FALSE);
    }
  add_block ("\n```c\nint\nmain (void)\n{\n  return 0;\n}\n```\n",
             "main (void)", NULL, NULL, "```", TRUE);
  add_block ("\n" TABLE_HEAD TABLE_ALPHA TABLE_BETA,
             "Name \u2502 Value \u2502 Note", "beta \u2502 2 \u2502 b", NULL, "| alpha", FALSE);
  add_block ("\n## Second heading\n", "Second heading", NULL, "h2", "## Second", FALSE);
  add_block ("> A quoted line, as answers cite what they answer.\n\n",
             "A quoted line, as answers cite", NULL, "quote", "> A quoted", FALSE);
  add_block ("The last paragraph is still being written when the stream ends.",
             "The last paragraph", NULL, NULL, NULL, FALSE);
}

/* How many blocks are closed once @len bytes have arrived: a block is closed when the
 * first character of a later block (not a blank line) has arrived. */
static guint
n_closed_blocks (gsize len)
{
  guint closed = 0;

  for (guint i = 0; i + 1 < blocks->len; i++)
    {
      gsize next_start = g_array_index (block_ends, gsize, i);
      const char *next = answer->str + next_start;

      while (*next == '\n')
        next++, next_start++;
      if (len > next_start)
        closed = i + 1;
    }

  return closed;
}

/* ---------------------------------------------------------------------------------------- */
/* The server's body: 6–7 character deltas                                                   */

/* One SSE event per piece, one piece per write: the answer in 6 and 7 byte deltas. */
static GPtrArray *
make_pieces (void)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  gsize at = 0;

  for (guint i = 0; at < answer->len; i++)
    {
      gsize len = MIN (i % 2 == 0 ? 6 : 7, answer->len - at);
      g_autofree char *delta = g_strndup (answer->str + at, len);

      g_ptr_array_add (pieces, confab_test_sse_content (delta));
      at += len;
    }
  g_ptr_array_add (pieces,
                   g_strdup ("data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                             "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));
  g_ptr_array_add (pieces, NULL);

  return pieces;
}

/* ---------------------------------------------------------------------------------------- */
/* The application                                                                          */

/* The real application on @base_url with the model "test-model". */
static void
run_app (const char           *base_url,
         ConfabTestWindowFunc  func,
         gpointer              data)
{
  const char *args[] = { "--base-url", base_url, "--model", "test-model", NULL };

  confab_test_run_app (args, func, data);
}

/* Presses @keyval with @mods through the shortcuts of @widget and its ancestors (the chat
 * view's are global: the window routes them whatever has the focus). TRUE if handled. */
static gboolean
press_key (GtkWidget       *widget,
           guint            keyval,
           GdkModifierType  mods)
{
  g_autoptr(GtkShortcutTrigger) trigger = gtk_keyval_trigger_new (keyval, mods);

  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    {
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

      for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
        {
          g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

          if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
            continue;

          for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
            {
              g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

              if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger) &&
                  gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                                gtk_shortcut_get_arguments (shortcut)))
                return TRUE;
            }
        }
    }

  return FALSE;
}

/* One click of a mouse wheel (@dy: -1 up, 1 down) over the messages, as GTK delivers it:
 * to the scrolled window's scroll controllers of the capture phase, then of the bubble
 * phase (its own, which scrolls). */
static void
wheel (GtkWidget *scroller,
       double     dy)
{
  const GtkPropagationPhase phases[] = { GTK_PHASE_CAPTURE, GTK_PHASE_BUBBLE };
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (scroller);
  guint delivered = 0;

  for (guint p = 0; p < G_N_ELEMENTS (phases); p++)
    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
        gboolean handled = FALSE;

        if (!GTK_IS_EVENT_CONTROLLER_SCROLL (controller) ||
            gtk_event_controller_get_propagation_phase (controller) != phases[p])
          continue;
        g_signal_emit_by_name (controller, "scroll", 0.0, dy, &handled);
        delivered++;
        if (handled)
          return;
      }
  g_assert_cmpuint (delivered, >, 0);
}

/* What the window shows, as its renderer draws it. (transfer full) */
static GdkTexture *
render_window (GtkWidget *widget)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GdkTexture *texture;
  GdkRGBA background;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

G_GNUC_BEGIN_IGNORE_DEPRECATIONS   /* GtkStyleContext, deprecated in GTK 4.10 */
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "window_bg_color", &background));
G_GNUC_END_IGNORE_DEPRECATIONS
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_nonnull (texture);
  return texture;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = render_window (widget);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  const char *env = g_getenv ("CONFAB_SCREENSHOT_DIR");

  /* A test artifact: in $CONFAB_SCREENSHOT_DIR, else beside the test program. */
  dir = g_strdup (env != NULL && *env != '\0' ? env : g_test_get_dir (G_TEST_BUILT));
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* ---------------------------------------------------------------------------------------- */
/* What the user sees, frame by frame                                                       */

typedef enum {
  PHASE_FOLLOW,         /* following the end */
  PHASE_SCROLLED_UP,    /* the user scrolled up: the viewport stays */
  PHASE_FOLLOW_AGAIN,   /* back at the bottom: following */
  PHASE_KEYS,           /* Page Up, Ctrl+Home, Ctrl+End, Page Down, wheel */
  PHASE_FOLLOW_END,
} Phase;

typedef struct
{
  ConfabWindow   *window;
  ConfabChatView *chat;
  GtkWidget      *scroller;
  GtkAdjustment  *vadjustment;
  ConfabMessage  *message;
  Phase           phase;
  guint           frames;        /* frames checked while streaming */
  guint           max_closed;
  double          held_value;    /* the value the user scrolled to */
  guint           held_frames;
  guint           cut_frames;    /* consecutive frames with text cut off */
  GtkWidget      *table;         /* the table, once a row of it arrived (weak) */
  guint           table_frames;  /* frames that showed it a grid before it closed */
  gboolean        table_screenshot;
  gboolean        screenshot;
  gboolean        failed;
} Watch;

static gboolean
has_tag_at (ConfabMarkdownView *view,
            const char         *needle,
            const char         *tag_name)
{
  for (guint i = 0; i < confab_markdown_view_get_n_segments (view); i++)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (confab_markdown_view_get_segment (view, i));
      GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
      GtkTextIter start, match_start, match_end;

      gtk_text_buffer_get_start_iter (buffer, &start);
      if (gtk_text_iter_forward_search (&start, needle, 0, &match_start, &match_end, NULL))
        return tag != NULL && gtk_text_iter_has_tag (&match_start, tag);
    }

  return FALSE;
}

/* Where the end of @view's text is, in @target's coordinates. */
static double
text_bottom_in (ConfabMarkdownView *view,
                GtkWidget          *target)
{
  GtkTextView *last = confab_markdown_view_get_segment (view, confab_markdown_view_get_n_segments (view) - 1);
  graphene_point_t point;
  GtkTextIter end;
  int y, height, wx, wy;

  gtk_text_buffer_get_end_iter (gtk_text_view_get_buffer (last), &end);
  gtk_text_view_get_line_yrange (last, &end, &y, &height);
  gtk_text_view_buffer_to_window_coords (last, GTK_TEXT_WINDOW_WIDGET, 0, y + height, &wx, &wy);
  if (!gtk_widget_compute_point (GTK_WIDGET (last), target, &GRAPHENE_POINT_INIT (wx, wy), &point))
    return G_MAXDOUBLE;

  return point.y;
}

#define CHECK(cond, ...)                                                           \
  G_STMT_START {                                                                   \
    if (!(cond))                                                                   \
      {                                                                            \
        g_autofree char *_what = g_strdup_printf (__VA_ARGS__);                    \
        g_test_message ("frame %u (%zu of %zu bytes): %s", watch->frames,          \
                        strlen (confab_message_get_content (watch->message)),      \
                        answer->len, _what);                                       \
        watch->failed = TRUE;                                                      \
        return;                                                                    \
      }                                                                            \
  } G_STMT_END

static void
check_frame (Watch *watch)
{
  const char *content = confab_message_get_content (watch->message);
  ConfabMessageRow *row;
  ConfabMarkdownView *view;
  g_autofree char *shown = NULL;
  guint closed;

  watch->frames++;

  /* (a) The streaming row is on screen. */
  row = confab_chat_view_find_row (watch->chat, watch->message);
  CHECK (row != NULL, "the streaming row is not built");
  CHECK (gtk_widget_get_mapped (GTK_WIDGET (row)), "the streaming row is not mapped");
  view = confab_message_row_get_content_view (row);

  /* (b) Every block closed so far is rendered (the text views' buffers: what is drawn). */
  shown = confab_markdown_view_dup_display_text (view);
  closed = n_closed_blocks (strlen (content));
  watch->max_closed = MAX (watch->max_closed, closed);
  for (guint i = 0; i < closed; i++)
    {
      const Block *block = g_ptr_array_index (blocks, i);

      for (guint j = 0; block->shown[j] != NULL; j++)
        CHECK (strstr (shown, block->shown[j]) != NULL,
               "block %u closed, \"%s\" not shown; shown:\n%s", i, block->shown[j], shown);
      if (block->tag != NULL)
        CHECK (has_tag_at (view, block->shown[0], block->tag),
               "block %u closed, \"%s\" not rendered (no %s tag)", i, block->shown[0], block->tag);
      if (block->not_shown != NULL)
        CHECK (strstr (shown, block->not_shown) == NULL,
               "block %u closed, its Markdown \"%s\" still shows:\n%s", i, block->not_shown, shown);
      if (block->code)
        CHECK (confab_markdown_view_get_n_code_blocks (view) >= 1, "the closed code block is not a code view");
    }

  /* The table is a grid from the frame its first row arrives, before it closes: the same
   * widget from frame to frame (its new rows are built, not the whole table again). */
  {
    gsize start = g_array_index (block_ends, gsize, TABLE_BLOCK - 1) + 1;
    gsize len = strlen (content);
    guint rows = (len >= start + strlen (TABLE_HEAD)) + (len >= start + strlen (TABLE_HEAD TABLE_ALPHA)) +
                 (len >= start + strlen (TABLE_HEAD TABLE_ALPHA TABLE_BETA));
    GtkWidget *table = confab_test_find_widget_of_type (GTK_WIDGET (view), CONFAB_TYPE_MARKDOWN_TABLE);

    if (len > start + strlen (TABLE_HEAD))
      {
        CHECK (table != NULL, "a row of the table arrived, no table shown");
        CHECK (gtk_widget_get_mapped (table), "the table is not mapped");
        CHECK (watch->table == NULL || watch->table == table, "the table was built again");
        CHECK (confab_markdown_table_get_n_columns (CONFAB_MARKDOWN_TABLE (table)) == 3,
               "the table has %u columns", confab_markdown_table_get_n_columns (CONFAB_MARKDOWN_TABLE (table)));
        CHECK (confab_markdown_table_get_n_rows (CONFAB_MARKDOWN_TABLE (table)) >= rows,
               "%u rows of the table arrived, %u shown", rows,
               confab_markdown_table_get_n_rows (CONFAB_MARKDOWN_TABLE (table)));
        if (watch->table == NULL)
          g_set_weak_pointer (&watch->table, table);
        if (closed <= TABLE_BLOCK)
          watch->table_frames++;
        /* A frame of the table streaming: its second body row arriving. */
        if (closed <= TABLE_BLOCK && rows == 2 && len > start + strlen (TABLE_HEAD TABLE_ALPHA) + 4 &&
            !watch->table_screenshot)
          {
            save_screenshot (GTK_WIDGET (watch->window), "confab-stream-table.png");
            watch->table_screenshot = TRUE;
          }
      }
  }

  /* …and laid out: the text view is as tall as its text, none of it cut off (a code block
   * settling its size may take one more frame, never two). */
  {
    double bottom = text_bottom_in (view, GTK_WIDGET (view));
    int height = gtk_widget_get_height (GTK_WIDGET (view));

    int lines = 0;

    /* GTK's own line positions count lines it did not lay out yet as empty: also ask for
     * the least height the lines can take (12 px each). */
    for (guint i = 0; i < confab_markdown_view_get_n_segments (view); i++)
      lines += gtk_text_buffer_get_line_count (gtk_text_view_get_buffer (confab_markdown_view_get_segment (view, i)));
    if (height < lines * 12)
      bottom = MAX (bottom, lines * 12);

    watch->cut_frames = bottom <= height + 1 ? 0 : watch->cut_frames + 1;
    CHECK (watch->cut_frames <= 1, "the text ends at %.0f, below the %d px the text view shows, "
           "for %u frames", bottom, height, watch->cut_frames);
  }

  /* (c) While following, the end of the text is in the viewport. */
  if (confab_chat_view_get_following (watch->chat))
    {
      double bottom = text_bottom_in (view, watch->scroller);
      int height = gtk_widget_get_height (watch->scroller);

      CHECK (bottom > 0 && bottom <= height + 1,
             "following, but the end of the text is at %.0f of a %d px viewport", bottom, height);
    }

  if (!watch->screenshot && closed >= 34)
    {
      save_screenshot (GTK_WIDGET (watch->window), "confab-stream-mid.png");
      watch->screenshot = TRUE;
    }
}

static void
after_paint (GdkFrameClock *clock,
             Watch         *watch)
{
  if (watch->failed || watch->message == NULL ||
      confab_message_get_state (watch->message) != CONFAB_MESSAGE_STATE_STREAMING ||
      *confab_message_get_content (watch->message) == '\0')
    return;

  check_frame (watch);

  /* (d) Scrolled up by the user: the viewport stays where they put it. */
  if (watch->phase == PHASE_SCROLLED_UP)
    {
      double value = gtk_adjustment_get_value (watch->vadjustment);

      if (ABS (value - watch->held_value) > 0.5 || confab_chat_view_get_following (watch->chat))
        {
          g_test_message ("frame %u: scrolled up to %.0f, now at %.0f (following %d)", watch->frames,
                          watch->held_value, value, confab_chat_view_get_following (watch->chat));
          watch->failed = TRUE;
        }
      watch->held_frames++;
    }
}

static gsize
arrived (Watch *watch)
{
  return strlen (confab_message_get_content (watch->message));
}

static gboolean
streaming (Watch *watch)
{
  return confab_message_get_state (watch->message) == CONFAB_MESSAGE_STATE_STREAMING;
}

/* Waits until @len bytes of the answer arrived (the stream must still be going). */
static void
wait_arrived (Watch *watch,
              gsize  len)
{
  CONFAB_TEST_WAIT_FOR (watch->failed || arrived (watch) >= len || !streaming (watch), WAIT_MS);
  g_assert_false (watch->failed);
  g_assert_true (streaming (watch));
}

static void
wait_painted (ConfabWindow *window,
              guint         n)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gint64 start = gdk_frame_clock_get_frame_counter (clock);

  CONFAB_TEST_WAIT_FOR (gdk_frame_clock_get_frame_counter (clock) >= start + n ||
                        (gtk_widget_queue_draw (GTK_WIDGET (window)), FALSE), WAIT_MS);
}

/* Scrolled up (by @how): following stops, the jump button shows, the viewport stays. */
static void
assert_holds (Watch *watch,
              gsize  until)
{
  GtkWidget *jump = confab_test_find_widget_with_class (GTK_WIDGET (watch->chat), "jump-to-newest");

  g_assert_false (confab_chat_view_get_following (watch->chat));
  g_assert_nonnull (jump);
  watch->held_value = gtk_adjustment_get_value (watch->vadjustment);
  watch->held_frames = 0;
  watch->phase = PHASE_SCROLLED_UP;
  wait_arrived (watch, until);
  g_assert_cmpuint (watch->held_frames, >, 2);
  g_assert_true (gtk_widget_get_mapped (jump));
  g_assert_cmpfloat (ABS (gtk_adjustment_get_value (watch->vadjustment) - watch->held_value), <=, 0.5);
}

static gsize
block_end (guint index)
{
  return g_array_index (block_ends, gsize, index);
}

/* ---------------------------------------------------------------------------------------- */
/* The finished answer: its table and its code block, as drawn                              */

/* The colour of the pixel at @x, @y of @texture (0xAARRGGBB). */
static guint32
pixel_at (GdkTexture *texture,
          double      x,
          double      y)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guint32 *data = g_new (guint32, (gsize) width * height);

  g_assert_true (x >= 0 && x < width && y >= 0 && y < height);
  gdk_texture_download (texture, (guchar *) data, width * 4);
  return data[(int) y * width + (int) x];
}

static int
color_distance (guint32 a,
                guint32 b)
{
  int d = 0;

  for (guint shift = 0; shift < 24; shift += 8)
    d += ABS ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff));
  return d;
}

/* The code block is a card aligned with the text column, its code inset by the padding; the
 * card is drawn (its inside, left of the code, is not the window's background). */
static void
check_code_card (ConfabWindow       *window,
                 ConfabMarkdownView *view)
{
  GtkWidget *header = confab_test_find_widget_of_type (GTK_WIDGET (view), CONFAB_TYPE_CODE_BLOCK);
  g_autoptr(GdkTexture) texture = NULL;
  graphene_point_t code, text;
  graphene_rect_t box;
  guint32 inside, outside;

  g_assert_nonnull (header);
  g_assert_true (gtk_widget_get_mapped (header));
  g_assert_true (gtk_widget_compute_bounds (header, GTK_WIDGET (window), &box));
  code = confab_test_markdown_text_point (view, "main (void)", GTK_WIDGET (window));
  text = confab_test_markdown_text_point (view, "A one-line paragraph", GTK_WIDGET (window));
  g_test_message ("text at x %.0f, code block header at x %.0f, its code at x %.0f",
                  text.x, box.origin.x, code.x);
  g_assert_cmpfloat (ABS (box.origin.x - text.x), <=, 1);
  g_assert_cmpfloat (ABS (code.x - box.origin.x - CONFAB_MARKDOWN_CODE_PADDING), <=, 1);

  texture = render_window (GTK_WIDGET (window));
  inside = pixel_at (texture, box.origin.x + CONFAB_MARKDOWN_CODE_PADDING / 2, code.y + 4);
  outside = pixel_at (texture, box.origin.x - 6, code.y + 4);
  g_test_message ("card %08x, beside it %08x", inside, outside);
  g_assert_cmpint (color_distance (inside, outside), >=, 6);
}

/* The finished table: a grid of 3 × 3 labels, the header's and the cells' text rendered (no
 * Markdown left), aligned as the delimiter row says, announced as a grid, inside the
 * viewport. */
static void
check_table (ConfabMarkdownView *view,
             GtkWidget          *scroller)
{
  static const char * const texts[3][3] = {
    { "Name", "Value", "Note" }, { "alpha", "1", "first" }, { "beta", "2", "b" },
  };
  static const float xaligns[3] = { 0.0f, 1.0f, 0.5f };
  GtkWidget *widget = confab_test_find_widget_of_type (GTK_WIDGET (view), CONFAB_TYPE_MARKDOWN_TABLE);
  ConfabMarkdownTable *table = CONFAB_MARKDOWN_TABLE (widget);
  double left[3][3], right[3][3];
  graphene_rect_t bounds;

  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)), ==, GTK_ACCESSIBLE_ROLE_GRID);
  g_assert_cmpuint (confab_markdown_table_get_n_rows (table), ==, 3);
  g_assert_cmpuint (confab_markdown_table_get_n_columns (table), ==, 3);

  for (guint r = 0; r < 3; r++)
    for (guint c = 0; c < 3; c++)
      {
        GtkWidget *cell = confab_markdown_table_get_cell (table, r, c);
        PangoLayout *layout;
        PangoRectangle logical;
        int x;

        g_assert_true (GTK_IS_LABEL (cell));
        g_assert_true (gtk_widget_get_mapped (cell));
        g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, texts[r][c]);
        g_assert_false (gtk_label_get_use_markup (GTK_LABEL (cell)));
        g_assert_true (gtk_label_get_selectable (GTK_LABEL (cell)));
        g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (cell)), ==, xaligns[c]);
        g_assert_true (gtk_widget_has_css_class (cell, r == 0 ? "header" : "cell"));
        g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (cell)), ==,
                         r == 0 ? GTK_ACCESSIBLE_ROLE_COLUMN_HEADER : GTK_ACCESSIBLE_ROLE_GRID_CELL);

        /* Where its text is drawn, in the table. */
        layout = gtk_label_get_layout (GTK_LABEL (cell));
        gtk_label_get_layout_offsets (GTK_LABEL (cell), &x, NULL);
        pango_layout_get_pixel_extents (layout, NULL, &logical);
        g_assert_true (gtk_widget_compute_bounds (cell, widget, &bounds));
        left[r][c] = bounds.origin.x + x + logical.x;
        right[r][c] = left[r][c] + logical.width;
      }

  /* Aligned on screen: the left column's texts start together, the right column's end
   * together, the centred column's are centred on one another. */
  g_assert_cmpfloat (ABS (left[1][0] - left[2][0]), <=, 1);
  g_assert_cmpfloat (ABS (left[0][0] - left[1][0]), <=, 1);
  g_assert_cmpfloat (ABS (right[0][1] - right[1][1]), <=, 1);
  g_assert_cmpfloat (left[1][1], >, left[0][1] + 5);
  g_assert_cmpfloat (ABS ((left[1][2] + right[1][2]) - (left[2][2] + right[2][2])), <=, 2);
  g_assert_cmpfloat (left[2][2], >, left[1][2] + 5);

  /* "*first*" in italics, as a Pango attribute of the label (not markup). */
  {
    PangoAttrList *attrs = gtk_label_get_attributes (GTK_LABEL (confab_markdown_table_get_cell (table, 1, 2)));
    g_autoptr(PangoAttrIterator) iter = NULL;
    PangoAttribute *style;

    g_assert_nonnull (attrs);
    iter = pango_attr_list_get_iterator (attrs);
    style = pango_attr_iterator_get (iter, PANGO_ATTR_STYLE);
    g_assert_nonnull (style);
    g_assert_cmpint (((PangoAttrInt *) style)->value, ==, PANGO_STYLE_ITALIC);
  }

  /* Aligned with the text column. */
  {
    graphene_point_t text = confab_test_markdown_text_point (view, "A one-line paragraph", scroller);

    g_assert_true (gtk_widget_compute_bounds (widget, scroller, &bounds));
    g_test_message ("text at x %.0f, table at x %.0f", text.x, bounds.origin.x);
  }

  /* On screen. */
  g_assert_true (gtk_widget_compute_bounds (widget, scroller, &bounds));
  g_test_message ("table at %.0f,%.0f %.0fx%.0f of a %dx%d viewport", bounds.origin.x, bounds.origin.y,
                  bounds.size.width, bounds.size.height,
                  gtk_widget_get_width (scroller), gtk_widget_get_height (scroller));
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (scroller) + 1);
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (scroller) + 1);
}

/* Stands for a main loop that never goes idle while frames keep coming (a slow renderer, a
 * busy provider): always ready, below redraw priority but above GtkTextView's layout idles
 * (GDK_PRIORITY_REDRAW + 5), which therefore never run during the stream. */
static gboolean
keep_busy (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
check_stream (ConfabWindow *window,
              gpointer      data)
{
  Watch watch = { 0 };
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  GtkWidget *jump;
  gulong id;
  guint busy;

  watch.window = window;
  watch.chat = confab_window_get_chat_view (window);
  watch.scroller = gtk_widget_get_parent (GTK_WIDGET (confab_chat_view_get_list_view (watch.chat)));
  watch.vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (watch.scroller));
  g_assert_true (GTK_IS_SCROLLED_WINDOW (watch.scroller));
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), &watch);
  busy = g_idle_add_full (GDK_PRIORITY_REDRAW + 2, keep_busy, NULL, NULL);

  confab_test_type_and_send (window, "Show me every kind of block.");
  CONFAB_TEST_WAIT_FOR (confab_test_message_at (window, 1) != NULL, WAIT_MS);
  watch.message = confab_test_message_at (window, 1);

  /* Following while the heading, the paragraph and half the list stream. */
  wait_arrived (&watch, block_end (17));
  g_assert_true (confab_chat_view_get_following (watch.chat));

  /* A wheel click up: following stops at once, the view stays where the wheel put it. */
  {
    double before = gtk_adjustment_get_value (watch.vadjustment);

    wheel (watch.scroller, -1);
    g_assert_cmpfloat (gtk_adjustment_get_value (watch.vadjustment), <, before);
    assert_holds (&watch, block_end (22));
  }

  /* Back at the bottom (the user scrolls down to the end): following again. */
  watch.phase = PHASE_FOLLOW_AGAIN;
  gtk_adjustment_set_value (watch.vadjustment,
                            gtk_adjustment_get_upper (watch.vadjustment) - gtk_adjustment_get_page_size (watch.vadjustment));
  g_assert_true (confab_chat_view_get_following (watch.chat));
  wait_arrived (&watch, block_end (28));

  /* The keyboard, whatever has the focus (the composer): Page Up scrolls up and holds, the
   * jump button brings the view back, Ctrl+Home goes to the top, Ctrl+End to the end. */
  watch.phase = PHASE_KEYS;
  {
    double before = gtk_adjustment_get_value (watch.vadjustment);

    g_assert_true (press_key (GTK_WIDGET (watch.chat), GDK_KEY_Page_Up, 0));
    g_assert_cmpfloat (gtk_adjustment_get_value (watch.vadjustment), <, before);
    assert_holds (&watch, block_end (31));
  }
  jump = confab_test_find_widget_with_class (GTK_WIDGET (watch.chat), "jump-to-newest");
  g_signal_emit_by_name (jump, "clicked");
  watch.phase = PHASE_FOLLOW_AGAIN;
  g_assert_true (confab_chat_view_get_following (watch.chat));
  wait_painted (window, 2);
  g_assert_false (gtk_widget_get_visible (jump));

  g_assert_true (press_key (GTK_WIDGET (watch.chat), GDK_KEY_Home, GDK_CONTROL_MASK));
  g_assert_false (confab_chat_view_get_following (watch.chat));
  g_assert_cmpfloat (gtk_adjustment_get_value (watch.vadjustment), <, 1);
  wait_painted (window, 2);
  g_assert_true (press_key (GTK_WIDGET (watch.chat), GDK_KEY_End, GDK_CONTROL_MASK));
  g_assert_true (confab_chat_view_get_following (watch.chat));
  wait_painted (window, 2);
  g_assert_true (press_key (GTK_WIDGET (watch.chat), GDK_KEY_Page_Up, 0));
  g_assert_false (confab_chat_view_get_following (watch.chat));
  g_assert_true (press_key (GTK_WIDGET (watch.chat), GDK_KEY_Page_Down, 0));
  wait_painted (window, 2);

  /* To the end: every frame till then checked. */
  watch.phase = PHASE_FOLLOW_END;
  confab_chat_view_scroll_to_bottom (watch.chat);
  wait_arrived (&watch, block_end (blocks->len - 2) + 10);
  CONFAB_TEST_WAIT_FOR (watch.failed || !streaming (&watch), WAIT_MS);
  g_signal_handler_disconnect (clock, id);
  g_source_remove (busy);

  g_test_message ("%u frames checked while streaming, %u of %u blocks closed at the last",
                  watch.frames, watch.max_closed, blocks->len);
  g_assert_false (watch.failed);
  g_assert_cmpuint (watch.max_closed, ==, blocks->len - 1);
  g_assert_cmpuint (watch.frames, >, 50);
  g_assert_true (watch.screenshot);
  g_test_message ("%u frames showed the table as a grid before it closed", watch.table_frames);
  g_assert_cmpuint (watch.table_frames, >, 0);
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (confab_window_get_session (window)), WAIT_MS);
  /* And the finished answer, as it stays on screen. */
  wait_painted (window, 2);
  save_screenshot (GTK_WIDGET (window), "confab-stream-end.png");

  {
    ConfabMessageRow *row = confab_chat_view_find_row (watch.chat, watch.message);
    ConfabMarkdownView *view;

    g_assert_nonnull (row);
    view = confab_message_row_get_content_view (row);
    /* The streamed table is the one that stays. */
    g_assert_true (watch.table != NULL &&
                   watch.table == confab_test_find_widget_of_type (GTK_WIDGET (view), CONFAB_TYPE_MARKDOWN_TABLE));
    g_clear_weak_pointer (&watch.table);
    check_table (view, watch.scroller);
    check_code_card (window, view);

    /* The same in the dark style. */
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
    wait_painted (window, 2);
    check_code_card (window, view);
    save_screenshot (GTK_WIDGET (window), "confab-stream-end-dark.png");
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  }
}

static void
test_stream_visible (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GPtrArray) pieces = make_pieces ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  confab_replay_server_add_response_pieces (server, 200, NULL, (const char * const *) pieces->pdata,
                                            CONFAB_REPLAY_NONE);
  confab_replay_server_set_piece_delay (server, DELAY_MS);
  /* The chat as wide as with the usage sidebar open (hidden by default), so the answer
   * outgrows the view at the point the test scrolls up. */
  g_settings_set_boolean (settings, "show-usage-sidebar", TRUE);
  run_app (confab_replay_server_get_base_url (server), check_stream, NULL);
  g_settings_reset (settings, "show-usage-sidebar");
}

/* ---------------------------------------------------------------------------------------- */
/* A stored conversation opens at its newest message                                        */

#define N_STORED 300

static void
check_opens_at_newest (ConfabWindow *window,
                       gpointer      data)
{
  const char *id = data;
  GtkWidget *list = confab_test_find_widget_of_type (GTK_WIDGET (window), CONFAB_TYPE_CONVERSATION_LIST);
  ConfabChatView *chat = confab_window_get_chat_view (window);
  GtkWidget *scroller = gtk_widget_get_parent (GTK_WIDGET (confab_chat_view_get_list_view (chat)));
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  ConfabMessage *newest;
  ConfabMessageRow *row;
  graphene_point_t top;

  g_assert_nonnull (list);
  g_signal_emit_by_name (list, "conversation-activated", id);
  g_assert_cmpstr (confab_conversation_get_id (confab_session_get_conversation (confab_window_get_session (window))), ==, id);
  newest = confab_test_message_at (window, N_STORED - 1);
  g_assert_nonnull (newest);

  /* Within a few frames the newest message is on screen, its end at the bottom. */
  wait_painted (window, 3);
  CONFAB_TEST_WAIT_FOR ((row = confab_chat_view_find_row (chat, newest)) != NULL &&
                        gtk_widget_get_mapped (GTK_WIDGET (row)), WAIT_MS);
  wait_painted (window, 3);
  g_assert_true (confab_chat_view_get_following (chat));
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (row), scroller, &GRAPHENE_POINT_INIT (0, 0), &top));
  g_test_message ("newest row at %.0f of %d; value %.0f, upper %.0f, page %.0f", top.y,
                  gtk_widget_get_height (scroller), gtk_adjustment_get_value (vadjustment),
                  gtk_adjustment_get_upper (vadjustment), gtk_adjustment_get_page_size (vadjustment));
  g_assert_cmpfloat (top.y, >=, 0);
  g_assert_cmpfloat (top.y + gtk_widget_get_height (GTK_WIDGET (row)), <=, gtk_widget_get_height (scroller) + 1);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), >=,
                     gtk_adjustment_get_upper (vadjustment) - gtk_adjustment_get_page_size (vadjustment) - 1);
}

static void
test_stored_opens_at_newest (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open_default (&error);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *id = NULL;

  g_assert_no_error (error);
  confab_conversation_set_title (conversation, "A few hundred messages");
  for (guint i = 0; i < N_STORED; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message %u.\n\nWith a second paragraph, long enough to "
                                               "wrap in a narrow window: %s", i,
                                               i % 7 == 0 ? "\n\n- a list\n- of two" : "plain.");
      g_autoptr(ConfabMessage) message = confab_message_new (i % 2 == 0 ? CONFAB_ROLE_USER : CONFAB_ROLE_ASSISTANT, text);

      confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
      confab_conversation_append (conversation, message);
    }
  g_assert_true (confab_store_save (store, conversation, &error));
  g_assert_no_error (error);
  id = g_strdup (confab_conversation_get_id (conversation));
  g_clear_object (&store);

  /* A provider (that is never asked): the window shows the chat, not the welcome page. */
  run_app (confab_replay_server_get_base_url (server), check_opens_at_newest, id);
}

int
main (int   argc,
      char *argv[])
{
  const char * const *data_dirs = g_get_system_data_dirs ();

  /* Software GL under Xvfb takes tens of ms per frame of this window on a loaded machine;
   * what is checked (buffers, layout, scrolling) is the same with the cairo renderer. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  confab_test_init_isolated (&argc, &argv);
  gtk_init ();
  adw_init ();
  for (guint i = 0; data_dirs[i] != NULL; i++)
    {
      g_autofree char *languages = g_build_filename (data_dirs[i], "gtksourceview-5", "language-specs", NULL);
      g_autofree char *styles = g_build_filename (data_dirs[i], "gtksourceview-5", "styles", NULL);

      gtk_source_language_manager_append_search_path (gtk_source_language_manager_get_default (), languages);
      gtk_source_style_scheme_manager_append_search_path (gtk_source_style_scheme_manager_get_default (), styles);
    }
  make_answer ();

  g_test_add_func ("/stream/visible", test_stream_visible);
  g_test_add_func ("/stream/stored-opens-at-newest", test_stored_opens_at_newest);

  return g_test_run ();
}
