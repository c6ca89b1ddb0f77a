/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-test-attachments"

#include "config.h"

#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "confab-test-attachments.h"

GBytes *
confab_test_tiny_png (void)
{
  gsize len = 0;
  guchar *data = g_base64_decode (CONFAB_TEST_TINY_PNG_BASE64, &len);

  return g_bytes_new_take (data, len);
}

GBytes *
confab_test_two_frame_gif (void)
{
  static const guint8 gif[] =
    "\x47\x49\x46\x38\x39\x61\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\xff"
    "\x21\xf9\x04\x00\x0a\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00"
    "\x21\xf9\x04\x00\x0a\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x4c\x01\x00"
    "\x3b";

  return g_bytes_new_static (gif, sizeof gif - 1);
}

GBytes *
confab_test_make_image (int         width,
                        int         height,
                        gboolean    alpha,
                        const char *format)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  g_autoptr(GError) error = NULL;
  g_autofree char *buffer = NULL;
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);
  gsize size = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = pixels + y * stride + x * channels;

        p[0] = x < width / 2 ? 255 : 0;
        p[1] = 0;
        p[2] = x < width / 2 ? 0 : 255;
        if (alpha)
          p[3] = 255;
      }

  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, format, &error, NULL));
  g_assert_no_error (error);

  return g_bytes_new_take (g_steal_pointer (&buffer), size);
}

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
confab_test_make_pdf (const char * const *pages,
                      guint               n_pages)
{
  GByteArray *out = g_byte_array_new ();
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (write_cb, out, 595, 842);
  cairo_t *cr = cairo_create (surface);

  for (guint i = 0; i < n_pages; i++)
    {
      if (pages[i] != NULL && pages[i][0] != '\0')
        {
          cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
          cairo_set_font_size (cr, 14);
          cairo_move_to (cr, 72, 72);
          cairo_show_text (cr, pages[i]);
        }
      else
        {
          /* A "scanned" page: only a picture-like rectangle, no text layer. */
          cairo_rectangle (cr, 72, 72, 200, 100);
          cairo_fill (cr);
        }
      cairo_show_page (cr);
    }

  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  return g_byte_array_free_to_bytes (out);
}

char *
confab_test_write_file (const char *dir,
                        const char *name,
                        GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);

  return path;
}
