/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-markdown-links"

#include "config.h"

#include "confab-markdown-links.h"

static void
link_clear (ConfabMarkdownLink *link)
{
  g_clear_pointer (&link->url, g_free);
}

GArray *
confab_markdown_links_new (void)
{
  GArray *links = g_array_new (FALSE, FALSE, sizeof (ConfabMarkdownLink));

  g_array_set_clear_func (links, (GDestroyNotify) link_clear);
  return links;
}

void
confab_markdown_links_truncate (GArray    *links,
                                GtkWidget *segment,
                                int        offset)
{
  /* Links are in text order: the ones from @offset on are at the end. */
  while (links->len > 0)
    {
      ConfabMarkdownLink *last = &g_array_index (links, ConfabMarkdownLink, links->len - 1);

      if (last->segment != segment || last->start < offset)
        break;
      g_array_set_size (links, links->len - 1);
    }
}

const char *
confab_markdown_links_lookup (GArray    *links,
                              GtkWidget *segment,
                              int        offset)
{
  for (guint i = 0; i < links->len; i++)
    {
      const ConfabMarkdownLink *link = &g_array_index (links, ConfabMarkdownLink, i);

      if (link->segment == segment && offset >= link->start && offset < link->end)
        return link->url;
    }

  return NULL;
}

static const char *
url_at (GArray    *links,
        GtkWidget *segment,
        double     x,
        double     y)
{
  GtkTextIter iter;
  int bx, by;

  gtk_text_view_window_to_buffer_coords (GTK_TEXT_VIEW (segment), GTK_TEXT_WINDOW_WIDGET,
                                         x, y, &bx, &by);
  if (!gtk_text_view_get_iter_at_location (GTK_TEXT_VIEW (segment), &iter, bx, by))
    return NULL;

  return confab_markdown_links_lookup (links, segment, gtk_text_iter_get_offset (&iter));
}

static void
open_url (GtkWidget  *widget,
          const char *url)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://") &&
      !g_str_has_prefix (url, "mailto:"))
    {
      g_debug ("Not opening a link that is not web or mail");
      return;
    }

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (url);

    gtk_uri_launcher_launch (launcher, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                             NULL, NULL, NULL);
  }
#else
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, GDK_CURRENT_TIME);
#endif
}

static void
click_released (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                GArray          *links)
{
  GtkWidget *segment = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (segment));
  GtkTextIter start, end;
  const char *url;

  if (gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)) > 1)
    return;

  /* A drag that selected text is not a click. */
  gtk_text_buffer_get_selection_bounds (buffer, &start, &end);
  if (gtk_text_iter_get_offset (&start) != gtk_text_iter_get_offset (&end))
    return;

  url = url_at (links, segment, x, y);
  if (url != NULL)
    open_url (segment, url);
}

static void
motion (GtkEventControllerMotion *controller,
        double                    x,
        double                    y,
        GArray                   *links)
{
  GtkWidget *segment = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  gboolean hovering = url_at (links, segment, x, y) != NULL;
  gboolean was = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (segment), "confab-hovering-link"));

  if (hovering == was)
    return;

  g_object_set_data (G_OBJECT (segment), "confab-hovering-link", GINT_TO_POINTER (hovering));
  gtk_widget_set_cursor_from_name (segment, hovering ? "pointer" : "text");
}

void
confab_markdown_links_attach (GArray    *links,
                              GtkWidget *segment)
{
  GtkEventController *controller;

  g_return_if_fail (links != NULL);
  g_return_if_fail (GTK_IS_TEXT_VIEW (segment));

  controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  g_signal_connect (controller, "released", G_CALLBACK (click_released), links);
  gtk_widget_add_controller (segment, controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion), links);
  gtk_widget_add_controller (segment, controller);
}
