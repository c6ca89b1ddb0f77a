/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-code-blocks"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "confab-application.h"
#include "confab-chat-view.h"
#include "confab-composer.h"
#include "confab-conversation.h"
#include "confab-markdown-view-private.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-replay-server.h"
#include "confab-test-chat.h"
#include "confab-test-util.h"
#include "confab-window.h"

/* A long answer with many code blocks, streamed into the real window: memory stays
 * bounded (no GtkSourceView, nor any other per-block text view, is kept alive per block),
 * and a block pages away keeps no header widgets; what the user sees is unchanged: every
 * block's code is in the answer's text, where it can be selected and copied; a block
 * scrolled back into view shows its code highlighted (the keyword's pixels have the style
 * scheme's keyword colour, and the other scheme's once the style turns dark or light), its
 * header names the language and its Copy button copies the code. Before, each block was a GtkSourceView: 60 of them. */

#define WAIT_MS   20000
#define N_BLOCKS  60

static GString *answer;

static char *
block_code (guint n)
{
  return g_strdup_printf ("def step_%u(values):\n    return [v * %u for v in values]", n, n);
}

static void
make_answer (void)
{
  answer = g_string_new (NULL);
  for (guint n = 1; n <= N_BLOCKS; n++)
    {
      g_autofree char *code = block_code (n);

      g_string_append_printf (answer,
                              "Step %u multiplies every value by %u. The function below does it in one "
                              "line; the paragraph around it is long enough to wrap over a couple of lines "
                              "in a window of ordinary width, as answers usually are.\n\n"
                              "```python\n%s\n```\n\n", n, n, code);
    }
  g_string_append (answer, "That is all.");
}

/* The answer in 48-byte deltas, one SSE event each. */
static GPtrArray *
make_pieces (void)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);

  for (gsize at = 0; at < answer->len; at += 48)
    {
      g_autofree char *delta = g_strndup (answer->str + at, MIN (48, answer->len - at));

      g_ptr_array_add (pieces, confab_test_sse_content (delta));
    }
  g_ptr_array_add (pieces,
                   g_strdup ("data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                             "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));
  g_ptr_array_add (pieces, NULL);

  return pieces;
}

/* ---------------------------------------------------------------------------------------- */

typedef void (*WindowTest) (ConfabWindow *window);

static void
on_activate (GApplication *app,
             WindowTest    func)
{
  ConfabWindow *window = CONFAB_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));

  g_assert_nonnull (window);
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)), WAIT_MS);
  func (window);
  gtk_window_close (GTK_WINDOW (window));
  g_application_quit (app);
}

static void
run_app (const char *base_url,
         WindowTest  func)
{
  g_autoptr(ConfabApplication) app = confab_application_new ();
  const char *argv[] = { "confab", "--base-url", base_url, "--model", "test-model", NULL };

  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), func);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 5, (char **) argv), ==, 0);
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

static guint
count_type (GtkWidget *widget,
            GType      type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (widget, type) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    n += count_type (child, type);

  return n;
}

static void
collect_with_class (GtkWidget  *widget,
                    const char *css_class,
                    GPtrArray  *found)
{
  if (gtk_widget_has_css_class (widget, css_class))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_with_class (child, css_class, found);
}

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The text view of @view's answer that holds @needle in its own buffer, and where. */
static GtkTextView *
find_in_text (ConfabMarkdownView *view,
              const char         *needle,
              GtkTextIter        *match_start,
              GtkTextIter        *match_end)
{
  for (guint i = 0; i < confab_markdown_view_get_n_segments (view); i++)
    {
      GtkTextView *segment = confab_markdown_view_get_segment (view, i);
      GtkTextIter start;

      gtk_text_buffer_get_start_iter (gtk_text_view_get_buffer (segment), &start);
      if (gtk_text_iter_forward_search (&start, needle, 0, match_start, match_end, NULL))
        return segment;
    }

  return NULL;
}

/* The text on the clipboard, set by this process: a string (gdk_clipboard_set_text) or a
 * copy of the selected part of a text buffer (GtkTextView's copy). */
static char *
read_clipboard (GtkWidget *widget)
{
  GdkContentProvider *content = gdk_clipboard_get_content (gtk_widget_get_clipboard (widget));
  g_auto(GValue) string = G_VALUE_INIT;
  g_auto(GValue) buffer = G_VALUE_INIT;

  g_assert_nonnull (content);
  g_value_init (&string, G_TYPE_STRING);
  if (gdk_content_provider_get_value (content, &string, NULL))
    return g_value_dup_string (&string);

  g_value_init (&buffer, GTK_TYPE_TEXT_BUFFER);
  if (gdk_content_provider_get_value (content, &buffer, NULL))
    {
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (g_value_get_object (&buffer), &start, &end);
      return gtk_text_iter_get_text (&start, &end);
    }

  g_assert_not_reached ();
}

/* The colour Adwaita gives Python's keywords (python3:keyword → def:keyword →
 * def:statement), in the current light or dark style. */
static void
keyword_colour (GdkRGBA *colour)
{
  GtkSourceStyleScheme *scheme =
    gtk_source_style_scheme_manager_get_scheme (gtk_source_style_scheme_manager_get_default (),
                                                adw_style_manager_get_dark (adw_style_manager_get_default ())
                                                  ? "Adwaita-dark" : "Adwaita");
  GtkSourceStyle *style = gtk_source_style_scheme_get_style (scheme, "def:statement");
  g_autofree char *spec = NULL;

  g_assert_nonnull (style);
  g_object_get (style, "foreground", &spec, NULL);
  g_assert_true (gdk_rgba_parse (colour, spec));
}

/* How many pixels of @rect (in @segment's coordinates), as the window renders @segment,
 * have @colour (within a few levels: antialiasing). */
static guint
count_pixels (GtkTextView          *segment,
              const GdkRectangle   *rect,
              const GdkRGBA        *colour)
{
  GtkWidget *widget = GTK_WIDGET (segment);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  guint n = 0;

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  pixels = g_malloc (width * height * 4);
  gdk_texture_download (texture, pixels, width * 4);

  for (int y = MAX (rect->y, 0); y < MIN (rect->y + rect->height, height); y++)
    for (int x = MAX (rect->x, 0); x < MIN (rect->x + rect->width, width); x++)
      {
        /* Cairo's ARGB32, premultiplied; text is opaque where the glyph is solid. */
        const guchar *p = pixels + y * width * 4 + x * 4;

        if (p[3] == 255 && ABS (p[2] - colour->red * 255) <= 8 &&
            ABS (p[1] - colour->green * 255) <= 8 && ABS (p[0] - colour->blue * 255) <= 8)
          n++;
      }

  return n;
}

/* The header of the code block whose code starts at @y in @segment: the last above it. */
static GtkWidget *
header_above (GtkTextView *segment,
              int          y)
{
  g_autoptr(GPtrArray) headers = g_ptr_array_new ();
  GtkWidget *header = NULL;
  double best = -G_MAXDOUBLE;

  collect_with_class (GTK_WIDGET (segment), "code-block-header", headers);
  for (guint i = 0; i < headers->len; i++)
    {
      GtkWidget *candidate = g_ptr_array_index (headers, i);
      graphene_point_t top;

      if (gtk_widget_compute_point (candidate, GTK_WIDGET (segment), &GRAPHENE_POINT_INIT (0, 0), &top) &&
          top.y < y && top.y > best)
        {
          best = top.y;
          header = candidate;
        }
    }

  return header;
}

static void
check_code_blocks (ConfabWindow *window)
{
  ConfabChatView *chat = confab_window_get_chat_view (window);
  GtkWidget *scroller = gtk_widget_get_parent (GTK_WIDGET (confab_chat_view_get_list_view (chat)));
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  ConfabMessage *message;
  ConfabMessageRow *row;
  ConfabMarkdownView *view;
  g_autofree char *shown = NULL;
  guint max_source_views = 0, frames = 0;
  gint64 frame0;

  confab_test_type_and_send (window, "Show me sixty small functions.");
  CONFAB_TEST_WAIT_FOR (confab_test_message_at (window, 1) != NULL, WAIT_MS);
  message = confab_test_message_at (window, 1);

  /* While it streams, after every painted frame: no text view per block. */
  frame0 = gdk_frame_clock_get_frame_counter (clock);
  while (confab_message_get_state (message) == CONFAB_MESSAGE_STATE_STREAMING ||
         gdk_frame_clock_get_frame_counter (clock) < frame0 + 2)
    {
      gint64 frame = gdk_frame_clock_get_frame_counter (clock);

      CONFAB_TEST_WAIT_FOR (gdk_frame_clock_get_frame_counter (clock) > frame ||
                            (gtk_widget_queue_draw (GTK_WIDGET (window)), FALSE), WAIT_MS);
      max_source_views = MAX (max_source_views, count_type (GTK_WIDGET (window), GTK_SOURCE_TYPE_VIEW));
      frames++;
    }
  wait_painted (window, 3);
  row = confab_chat_view_find_row (chat, message);
  g_assert_nonnull (row);
  view = confab_message_row_get_content_view (row);
  g_assert_cmpstr (confab_markdown_view_get_source (view), ==, answer->str);
  g_test_message ("%u frames while streaming; at most %u GtkSourceViews, %u code blocks, %u segments",
                  frames, max_source_views, confab_markdown_view_get_n_code_blocks (view),
                  confab_markdown_view_get_n_segments (view));
  g_assert_cmpuint (frames, >, 10);
  g_assert_cmpuint (confab_markdown_view_get_n_code_blocks (view), ==, N_BLOCKS);
  /* Bounded: not one per block (60 before). */
  g_assert_cmpuint (max_source_views, <=, 2);
  g_assert_cmpuint (count_type (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW), <=,
                    confab_markdown_view_get_n_segments (view) + 2);

  /* Every block's code is in the answer's text, whole, in a text view the user selects
   * text in; selecting one and copying it gives the code. */
  shown = confab_markdown_view_dup_display_text (view);
  for (guint n = 1; n <= N_BLOCKS; n++)
    {
      g_autofree char *code = block_code (n);
      GtkTextIter start, end;

      g_assert_nonnull (strstr (shown, code));
      g_assert_nonnull (find_in_text (view, code, &start, &end));
    }
  {
    g_autofree char *code = block_code (7);
    g_autofree char *copied = NULL;
    GtkTextIter start, end;
    GtkTextView *segment = find_in_text (view, code, &start, &end);

    gtk_text_buffer_select_range (gtk_text_view_get_buffer (segment), &start, &end);
    g_signal_emit_by_name (segment, "copy-clipboard");
    copied = read_clipboard (GTK_WIDGET (segment));
    g_assert_cmpstr (copied, ==, code);
  }

  /* The tenth block, scrolled back into view (it was pages away): its header names the
   * language, its Copy button copies the code, and the code is drawn highlighted. */
  {
    g_autofree char *code = block_code (10);
    g_autofree char *copied = NULL;
    GtkTextIter start, end;
    GtkTextView *segment = find_in_text (view, code, &start, &end);
    graphene_point_t point;
    GdkRectangle keyword;
    GtkWidget *header = NULL, *copy;
    GdkRGBA colour;
    guint keyword_pixels;
    int wx, wy;

    g_assert_nonnull (segment);
    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (segment), scroller, &GRAPHENE_POINT_INIT (0, 0), &point));
    gtk_text_view_get_iter_location (segment, &start, &keyword);
    gtk_text_view_buffer_to_window_coords (segment, GTK_TEXT_WINDOW_WIDGET, keyword.x, keyword.y, &wx, &wy);
    g_assert_cmpfloat (point.y + wy, <, -gtk_widget_get_height (scroller));
    /* Pages away, its header keeps no widgets (they are memory, per block). */
    header = header_above (segment, wy);
    g_assert_nonnull (header);
    g_assert_null (find_type (header, GTK_TYPE_LABEL));
    g_assert_null (find_type (header, GTK_TYPE_BUTTON));
    gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_value (vadjustment) + point.y + wy -
                                           gtk_widget_get_height (scroller) / 2.0);
    wait_painted (window, 3);
    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (segment), scroller,
                                             &GRAPHENE_POINT_INIT (wx, wy), &point));
    g_assert_cmpfloat (point.y, >, 0);
    g_assert_cmpfloat (point.y, <, gtk_widget_get_height (scroller));

    header = header_above (segment, wy);
    g_assert_nonnull (header);
    g_assert_true (gtk_widget_get_mapped (header));
    {
      GtkWidget *label = find_type (header, GTK_TYPE_LABEL);

      g_assert_nonnull (label);
      g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "Python"));
    }
    copy = find_type (header, GTK_TYPE_BUTTON);
    g_assert_nonnull (copy);
    gdk_clipboard_set_text (gtk_widget_get_clipboard (copy), "");
    g_signal_emit_by_name (copy, "clicked");
    copied = read_clipboard (copy);
    g_assert_cmpstr (copied, ==, code);

    /* "def" drawn in the keyword colour; "step_10" (a function name: another colour, or
     * none) is the control. */
    keyword_colour (&colour);
    {
      GtkTextIter after = start;
      GdkRectangle last;
      int x2, y2;

      gtk_text_iter_forward_chars (&after, 3);
      gtk_text_view_get_iter_location (segment, &after, &last);
      gtk_text_view_buffer_to_window_coords (segment, GTK_TEXT_WINDOW_WIDGET, last.x, last.y, &x2, &y2);
      keyword.x = wx;
      keyword.y = wy;
      keyword.width = x2 - wx;
    }
    keyword_pixels = count_pixels (segment, &keyword, &colour);
    g_test_message ("\"def\" of block 10: %u pixels of the keyword colour", keyword_pixels);
    g_assert_cmpuint (keyword_pixels, >, 5);
    {
      GdkRectangle name = keyword;

      name.x += keyword.width * 2;
      g_assert_cmpuint (count_pixels (segment, &name, &colour), ==, 0);
    }

    /* The style turns dark (or light): the code is drawn with the other scheme's colours. */
    {
      AdwStyleManager *style = adw_style_manager_get_default ();
      gboolean dark = adw_style_manager_get_dark (style);
      GdkRGBA other;

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_LIGHT : ADW_COLOR_SCHEME_FORCE_DARK);
      g_assert_true (adw_style_manager_get_dark (style) != dark);
      wait_painted (window, 3);
      keyword_colour (&other);
      g_assert_false (gdk_rgba_equal (&other, &colour));
      keyword_pixels = count_pixels (segment, &keyword, &other);
      g_test_message ("\"def\" of block 10 in the %s style: %u pixels of its keyword colour",
                      dark ? "light" : "dark", keyword_pixels);
      g_assert_cmpuint (keyword_pixels, >, 5);
      g_assert_cmpuint (count_pixels (segment, &keyword, &colour), ==, 0);
      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
    }
  }
}

static void
test_code_blocks_bounded (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GPtrArray) pieces = make_pieces ();

  confab_replay_server_add_response_pieces (server, 200, NULL, (const char * const *) pieces->pdata,
                                            CONFAB_REPLAY_NONE);
  confab_replay_server_set_piece_delay (server, 2);
  run_app (confab_replay_server_get_base_url (server), check_code_blocks);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) mime_dirs = g_ptr_array_new_with_free_func (g_free);
  const char * const *data_dirs = g_get_system_data_dirs ();

  /* The isolated XDG dirs hide the MIME database (the app's SVG icon): add it back. */
  for (guint i = 0; data_dirs[i] != NULL; i++)
    g_ptr_array_add (mime_dirs, g_build_filename (data_dirs[i], "mime", NULL));
  g_ptr_array_add (mime_dirs, NULL);

  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_content_type_set_mime_dirs ((const char * const *) mime_dirs->pdata);
  gtk_init ();
  adw_init ();
  /* The isolated XDG dirs hide GtkSourceView's languages and styles: add them back. */
  for (guint i = 0; data_dirs[i] != NULL; i++)
    {
      g_autofree char *languages = g_build_filename (data_dirs[i], "gtksourceview-5", "language-specs", NULL);
      g_autofree char *styles = g_build_filename (data_dirs[i], "gtksourceview-5", "styles", NULL);

      gtk_source_language_manager_append_search_path (gtk_source_language_manager_get_default (), languages);
      gtk_source_style_scheme_manager_append_search_path (gtk_source_style_scheme_manager_get_default (), styles);
    }
  make_answer ();

  g_test_add_func ("/code-blocks/bounded", test_code_blocks_bounded);

  return g_test_run ();
}
