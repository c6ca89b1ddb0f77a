/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-attachment"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <poppler.h>

#include "confab-attachment.h"
#include "confab-error.h"

/* Decoded images above this many pixels are refused: a small file can claim a huge canvas. */
#define MAX_IMAGE_PIXELS (100u * 1000u * 1000u)

struct _ConfabAttachment
{
  GObject               parent_instance;

  char                 *name;
  char                 *mime_type;
  GBytes               *bytes;
  char                 *sha256;
  GBytes               *data;
  char                 *data_mime_type;
  char                 *text;
  char                 *detail;
  guint                 width;
  guint                 height;
  guint                 n_pages;
  guint                 n_empty_pages;
  ConfabAttachmentKind  kind;
};

G_DEFINE_FINAL_TYPE (ConfabAttachment, confab_attachment, G_TYPE_OBJECT)

static void
confab_attachment_finalize (GObject *object)
{
  ConfabAttachment *self = (ConfabAttachment *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->mime_type, g_free);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->sha256, g_free);
  g_clear_pointer (&self->data, g_bytes_unref);
  g_clear_pointer (&self->data_mime_type, g_free);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->detail, g_free);

  G_OBJECT_CLASS (confab_attachment_parent_class)->finalize (object);
}

static void
confab_attachment_class_init (ConfabAttachmentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = confab_attachment_finalize;
}

static void
confab_attachment_init (ConfabAttachment *self)
{
}

void
confab_attachment_limits_init (ConfabAttachmentLimits *limits)
{
  limits->max_long_edge = CONFAB_ATTACHMENT_DEFAULT_LONG_EDGE;
  limits->max_file_size = CONFAB_ATTACHMENT_DEFAULT_MAX_FILE_SIZE;
  limits->max_message_size = CONFAB_ATTACHMENT_DEFAULT_MAX_MESSAGE_SIZE;
  limits->detail = "auto";
}

void
confab_attachment_limits_init_from_settings (ConfabAttachmentLimits *limits,
                                             GSettings              *settings)
{
  g_autofree char *detail = NULL;

  confab_attachment_limits_init (limits);
  if (settings == NULL)
    return;

  limits->max_long_edge = g_settings_get_uint (settings, "attachment-max-long-edge");
  limits->max_file_size = (gsize) g_settings_get_uint (settings, "attachment-max-file-size") * 1024 * 1024;
  limits->max_message_size = (gsize) g_settings_get_uint (settings, "attachment-max-message-size") * 1024 * 1024;
  detail = g_settings_get_string (settings, "attachment-image-detail");
  limits->detail = g_intern_string (detail);
}

static const ConfabAttachmentLimits *
limits_or_default (const ConfabAttachmentLimits *limits,
                   ConfabAttachmentLimits       *storage)
{
  if (limits != NULL)
    return limits;

  confab_attachment_limits_init (storage);
  return storage;
}

static gboolean
too_big (const char                   *name,
         gsize                         size,
         const ConfabAttachmentLimits *limits,
         GError                      **error)
{
  g_autofree char *have = NULL;
  g_autofree char *max = NULL;

  if (size <= limits->max_file_size)
    return FALSE;

  have = g_format_size (size);
  max = g_format_size (limits->max_file_size);
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
               _("“%s” is too large to attach (%s; the limit is %s per file)"), name, have, max);
  return TRUE;
}

/* Images */

static gboolean
is_sendable_image_type (const char *mime_type)
{
  return g_strcmp0 (mime_type, "image/png") == 0 ||
         g_strcmp0 (mime_type, "image/jpeg") == 0 ||
         g_strcmp0 (mime_type, "image/webp") == 0;
}

typedef struct
{
  guint max_long_edge;
  int   original_width;
  int   original_height;
  gboolean too_many_pixels;
} SizeData;

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  SizeData        *size)
{
  size->original_width = width;
  size->original_height = height;

  if ((guint64) width * (guint64) height > MAX_IMAGE_PIXELS)
    {
      /* A size of 0 tells the loader to stop before it allocates the picture (the
       * convention gdk_pixbuf_get_file_info() relies on); the image is refused below. */
      size->too_many_pixels = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }

  if ((guint) MAX (width, height) > size->max_long_edge && size->max_long_edge > 0)
    {
      double scale = (double) size->max_long_edge / MAX (width, height);

      gdk_pixbuf_loader_set_size (loader,
                                  MAX (1, (int) (width * scale + 0.5)),
                                  MAX (1, (int) (height * scale + 0.5)));
    }
}

static gboolean
prepare_image (ConfabAttachment             *self,
               const ConfabAttachmentLimits *limits,
               GError                      **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *buffer = NULL;
  SizeData size = { limits->max_long_edge, 0, 0, FALSE };
  GdkPixbuf *pixbuf;
  gsize buffer_size = 0;
  gboolean scaled;
  gboolean ok;

  loader = gdk_pixbuf_loader_new_with_mime_type (self->mime_type, &local_error);
  if (loader == NULL)
    {
      /* No loader for this type (WebP without webp-pixbuf-loader): sent as it is when the
       * provider takes the format, but it cannot be downscaled or previewed. */
      if (is_sendable_image_type (self->mime_type))
        {
          self->data = g_bytes_ref (self->bytes);
          self->data_mime_type = g_strdup (self->mime_type);
          return TRUE;
        }

      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                   _("“%s” is an image type Confab cannot read (%s)"), self->name, self->mime_type);
      return FALSE;
    }

  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &size);
  ok = gdk_pixbuf_loader_write_bytes (loader, self->bytes, &local_error);
  /* Close even after a failed write, so the loader does not warn when finalized. */
  if (!gdk_pixbuf_loader_close (loader, ok ? &local_error : NULL))
    ok = FALSE;

  if (size.too_many_pixels)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                   _("“%s” is too large an image to attach (%d × %d pixels)"),
                   self->name, size.original_width, size.original_height);
      return FALSE;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (!ok || pixbuf == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                   _("“%s” is not a readable image: %s"), self->name,
                   local_error ? local_error->message : _("the decoder gave no picture"));
      return FALSE;
    }

  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  self->width = gdk_pixbuf_get_width (oriented);
  self->height = gdk_pixbuf_get_height (oriented);
  scaled = (self->width != (guint) size.original_width || self->height != (guint) size.original_height) &&
           (self->width != (guint) size.original_height || self->height != (guint) size.original_width);

  /* Small enough and in a format providers take: the picked bytes go out unchanged. */
  if (!scaled && is_sendable_image_type (self->mime_type))
    {
      self->data = g_bytes_ref (self->bytes);
      self->data_mime_type = g_strdup (self->mime_type);
      return TRUE;
    }

  /* GIF (first frame), BMP, TIFF… or a downscaled picture: PNG keeps transparency, JPEG
   * is much smaller for photographs. */
  if (gdk_pixbuf_get_has_alpha (oriented) || g_strcmp0 (self->mime_type, "image/png") == 0 ||
      g_strcmp0 (self->mime_type, "image/gif") == 0)
    {
      ok = gdk_pixbuf_save_to_buffer (oriented, &buffer, &buffer_size, "png", &local_error, NULL);
      self->data_mime_type = g_strdup ("image/png");
    }
  else
    {
      ok = gdk_pixbuf_save_to_buffer (oriented, &buffer, &buffer_size, "jpeg", &local_error,
                                      "quality", "90", NULL);
      self->data_mime_type = g_strdup ("image/jpeg");
    }

  if (!ok)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                   _("“%s” could not be re-encoded: %s"), self->name, local_error->message);
      return FALSE;
    }

  self->data = g_bytes_new_take (g_steal_pointer (&buffer), buffer_size);
  return TRUE;
}

/* PDF */

static gboolean
prepare_pdf (ConfabAttachment  *self,
             GError           **error)
{
  /* Poppler 22 has no g_autoptr support: the document is held as a GObject. */
  g_autoptr(GObject) document_object = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  PopplerDocument *document;
  int n_pages;

  document = poppler_document_new_from_bytes (self->bytes, NULL, &local_error);
  if (document == NULL)
    {
      if (g_error_matches (local_error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
        g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                     _("“%s” is protected by a password; save an unprotected copy to attach it"),
                     self->name);
      else
        g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                     _("“%s” is not a readable PDF: %s"), self->name, local_error->message);
      return FALSE;
    }
  document_object = G_OBJECT (document);

  n_pages = poppler_document_get_n_pages (document);
  if (n_pages <= 0)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                   _("“%s” is a PDF without pages"), self->name);
      return FALSE;
    }

  for (int i = 0; i < n_pages; i++)
    {
      g_autoptr(GObject) page = G_OBJECT (poppler_document_get_page (document, i));
      g_autofree char *page_text = page ? poppler_page_get_text (POPPLER_PAGE (page)) : NULL;
      g_autofree char *valid = page_text ? g_utf8_make_valid (page_text, -1) : NULL;

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "--- Page %d of %d ---\n", i + 1, n_pages);

      if (valid != NULL)
        g_strstrip (valid);

      if (valid == NULL || valid[0] == '\0')
        {
          self->n_empty_pages++;
          g_string_append (text, "[This page has no text layer; it may be a scanned image. "
                                 "Its content is not included.]\n");
        }
      else
        {
          g_string_append (text, valid);
          g_string_append_c (text, '\n');
        }
    }

  self->n_pages = n_pages;
  self->text = g_string_free (g_steal_pointer (&text), FALSE);
  self->data = g_bytes_ref (self->bytes);
  self->data_mime_type = g_strdup (self->mime_type);
  return TRUE;
}

/* Text */

static gboolean
prepare_text (ConfabAttachment  *self,
              GError           **error)
{
  gsize size;
  const char *data = g_bytes_get_data (self->bytes, &size);

  /* A NUL byte is the surest sign of a binary file; text files never have one. */
  if (size > 0 && memchr (data, '\0', size) != NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                   _("“%s” is not a text file, an image or a PDF, so it cannot be attached"),
                   self->name);
      return FALSE;
    }

  /* Latin-1 and other legacy encodings: invalid bytes become U+FFFD rather than being refused. */
  self->text = g_utf8_make_valid (data, size);
  self->data = g_bytes_ref (self->bytes);
  self->data_mime_type = g_strdup (self->mime_type);
  return TRUE;
}

static char *
guess_mime_type (const char *name,
                 GBytes     *bytes)
{
  g_autofree char *content_type = NULL;
  g_autofree char *sniffed = NULL;
  gsize size;
  const guchar *data = g_bytes_get_data (bytes, &size);
  gboolean uncertain = TRUE;
  char *mime_type;

  /* What the bytes say wins for pictures and PDFs (a GIF saved as .png is a GIF); for text
   * the name says more (main.c is C, not just text). */
  sniffed = g_content_type_guess (NULL, data, MIN (size, 4096), &uncertain);
  if (!uncertain && sniffed != NULL &&
      (g_content_type_is_mime_type (sniffed, "application/pdf") ||
       (g_str_has_prefix (sniffed, "image/") && !g_content_type_is_mime_type (sniffed, "image/svg+xml"))))
    content_type = g_steal_pointer (&sniffed);
  else
    content_type = g_content_type_guess (name, data, MIN (size, 4096), NULL);
  mime_type = g_content_type_get_mime_type (content_type);
  if (mime_type == NULL)
    mime_type = g_strdup ("application/octet-stream");

  return mime_type;
}

ConfabAttachment *
confab_attachment_new_from_bytes (const char                   *name,
                                  const char                   *mime_type,
                                  GBytes                       *bytes,
                                  const ConfabAttachmentLimits *limits,
                                  GError                      **error)
{
  g_autoptr(ConfabAttachment) self = NULL;
  ConfabAttachmentLimits storage;
  gboolean ok;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (bytes != NULL, NULL);

  limits = limits_or_default (limits, &storage);

  if (too_big (name, g_bytes_get_size (bytes), limits, error))
    return NULL;

  self = g_object_new (CONFAB_TYPE_ATTACHMENT, NULL);
  self->name = g_strdup (name);
  self->bytes = g_bytes_ref (bytes);
  self->mime_type = mime_type ? g_strdup (mime_type) : guess_mime_type (name, bytes);
  self->detail = g_strdup (limits->detail ? limits->detail : "auto");

  if (g_str_has_prefix (self->mime_type, "image/") &&
      g_strcmp0 (self->mime_type, "image/svg+xml") != 0)
    {
      self->kind = CONFAB_ATTACHMENT_IMAGE;
      ok = prepare_image (self, limits, error);
    }
  else if (g_strcmp0 (self->mime_type, "application/pdf") == 0)
    {
      self->kind = CONFAB_ATTACHMENT_PDF;
      ok = prepare_pdf (self, error);
    }
  else
    {
      self->kind = CONFAB_ATTACHMENT_TEXT;
      ok = prepare_text (self, error);
    }

  if (!ok)
    return NULL;

  self->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, self->data);

  return g_steal_pointer (&self);
}

ConfabAttachment *
confab_attachment_new_from_file (GFile                        *file,
                                 const ConfabAttachmentLimits *limits,
                                 GCancellable                 *cancellable,
                                 GError                      **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *contents = NULL;
  ConfabAttachmentLimits storage;
  const char *name;
  gsize length = 0;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  limits = limits_or_default (limits, &storage);

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (info == NULL)
    {
      g_autofree char *parse_name = g_file_get_parse_name (file);

      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                   _("Could not open “%s”: %s"), parse_name, local_error->message);
      return NULL;
    }

  name = g_file_info_get_display_name (info);
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                   _("“%s” is a folder; attach the files in it instead"), name);
      return NULL;
    }

  if (too_big (name, g_file_info_get_size (info), limits, error))
    return NULL;

  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, &local_error))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                   _("Could not read “%s”: %s"), name, local_error->message);
      return NULL;
    }

  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  /* The type is sniffed from the name and the bytes, as for pasted data. */
  return confab_attachment_new_from_bytes (name, NULL, bytes, limits, error);
}

typedef struct
{
  GFile                  *file;
  ConfabAttachmentLimits  limits;
  char                   *detail;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->file);
  g_clear_pointer (&data->detail, g_free);
  g_free (data);
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;
  ConfabAttachment *attachment;

  attachment = confab_attachment_new_from_file (data->file, &data->limits, cancellable, &error);
  if (attachment == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, attachment, g_object_unref);
}

void
confab_attachment_new_from_file_async (GFile                        *file,
                                       const ConfabAttachmentLimits *limits,
                                       GCancellable                 *cancellable,
                                       GAsyncReadyCallback           callback,
                                       gpointer                      user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;
  ConfabAttachmentLimits storage;

  g_return_if_fail (G_IS_FILE (file));

  limits = limits_or_default (limits, &storage);

  data = g_new0 (LoadData, 1);
  data->file = g_object_ref (file);
  data->limits = *limits;
  data->detail = g_strdup (limits->detail);
  data->limits.detail = data->detail;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_attachment_new_from_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_in_thread);
}

ConfabAttachment *
confab_attachment_new_from_file_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

ConfabAttachment *
confab_attachment_new_stored (const char           *name,
                              const char           *mime_type,
                              ConfabAttachmentKind  kind,
                              const char           *sha256,
                              GBytes               *data,
                              const char           *text,
                              guint                 n_pages,
                              guint                 width,
                              guint                 height,
                              const char           *detail)
{
  ConfabAttachment *self;

  g_return_val_if_fail (data != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_ATTACHMENT, NULL);
  self->name = g_strdup (name ? name : "");
  self->mime_type = g_strdup (mime_type ? mime_type : "application/octet-stream");
  self->kind = kind;
  self->bytes = g_bytes_ref (data);
  self->data = g_bytes_ref (data);
  self->data_mime_type = g_strdup (self->mime_type);
  self->sha256 = sha256 ? g_strdup (sha256) : g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  self->n_pages = n_pages;
  self->detail = g_strdup (detail ? detail : "auto");

  if (kind == CONFAB_ATTACHMENT_TEXT && text == NULL)
    self->text = g_utf8_make_valid (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  else
    self->text = g_strdup (text);

  if (kind == CONFAB_ATTACHMENT_PDF && self->text != NULL)
    {
      for (const char *p = self->text; (p = strstr (p, "[This page has no text layer")); p++)
        self->n_empty_pages++;
    }

  self->width = width;
  self->height = height;

  return self;
}

const char *
confab_attachment_get_name (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), NULL);
  return self->name;
}

ConfabAttachmentKind
confab_attachment_get_kind (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), CONFAB_ATTACHMENT_TEXT);
  return self->kind;
}

const char *
confab_attachment_get_mime_type (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), NULL);
  return self->mime_type;
}

GBytes *
confab_attachment_get_bytes (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), NULL);
  return self->bytes;
}

const char *
confab_attachment_get_sha256 (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), NULL);
  return self->sha256;
}

GBytes *
confab_attachment_get_data (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), NULL);
  return self->data;
}

const char *
confab_attachment_get_data_mime_type (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), NULL);
  return self->data_mime_type;
}

guint
confab_attachment_get_width (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), 0);
  return self->width;
}

guint
confab_attachment_get_height (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), 0);
  return self->height;
}

const char *
confab_attachment_get_text (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), NULL);
  return self->text;
}

guint
confab_attachment_get_n_pages (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), 0);
  return self->n_pages;
}

guint
confab_attachment_get_n_empty_pages (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), 0);
  return self->n_empty_pages;
}

const char *
confab_attachment_get_detail (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), NULL);
  return self->detail;
}

static char *
text_part_text (ConfabAttachment *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *text = self->text ? self->text : "";
  g_autofree char *fence = NULL;
  guint longest = 0, run = 0;
  const char *dot;
  g_autofree char *info = NULL;

  if (self->kind == CONFAB_ATTACHMENT_PDF)
    {
      g_string_append_printf (out, "Attached PDF: %s (%u %s", self->name, self->n_pages,
                              self->n_pages == 1 ? "page" : "pages");
      if (self->n_empty_pages > 0)
        g_string_append_printf (out, ", %u without text", self->n_empty_pages);
      g_string_append (out, ")\n\n");
      g_string_append (out, text);
      return g_string_free (g_steal_pointer (&out), FALSE);
    }

  /* A fence longer than any run of backticks inside, so the block cannot end early. */
  for (const char *p = text; *p; p++)
    {
      run = (*p == '`') ? run + 1 : 0;
      longest = MAX (longest, run);
    }
  fence = g_strnfill (MAX (3, longest + 1), '`');

  /* The extension as the info string, when it is a plain word ("c", "py", "rs"). */
  dot = strrchr (self->name, '.');
  if (dot != NULL && dot[1] != '\0' && strlen (dot + 1) <= 10)
    {
      info = g_ascii_strdown (dot + 1, -1);
      for (const char *p = info; *p; p++)
        if (!g_ascii_isalnum (*p))
          g_clear_pointer (&info, g_free);
    }

  g_string_append_printf (out, "Attached file: %s\n\n%s%s\n%s", self->name, fence,
                          info ? info : "", text);
  if (text[0] == '\0' || text[strlen (text) - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append (out, fence);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
data_url (ConfabAttachment *self)
{
  gsize size;
  const guchar *data = g_bytes_get_data (self->data, &size);
  g_autofree char *base64 = g_base64_encode (data, size);

  return g_strconcat ("data:", self->data_mime_type, ";base64,", base64, NULL);
}

gsize
confab_attachment_get_request_size (ConfabAttachment *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), 0);

  if (self->kind == CONFAB_ATTACHMENT_IMAGE)
    return (g_bytes_get_size (self->data) + 2) / 3 * 4;

  return self->text ? strlen (self->text) : 0;
}

char *
confab_attachment_describe (ConfabAttachment *self)
{
  g_autofree char *size = NULL;

  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), NULL);

  switch (self->kind)
    {
    case CONFAB_ATTACHMENT_IMAGE:
      if (self->width > 0)
        return g_strdup_printf ("%s · %u × %u", self->name, self->width, self->height);
      break;
    case CONFAB_ATTACHMENT_PDF:
      return g_strdup_printf (ngettext ("%s · %u page", "%s · %u pages",
                                           self->n_pages),
                              self->name, self->n_pages);
    case CONFAB_ATTACHMENT_TEXT:
    default:
      break;
    }

  size = g_format_size (g_bytes_get_size (self->bytes));
  return g_strdup_printf ("%s · %s", self->name, size);
}

JsonNode *
confab_attachment_to_content_part (ConfabAttachment *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (CONFAB_IS_ATTACHMENT (self), NULL);

  json_builder_begin_object (builder);
  if (self->kind == CONFAB_ATTACHMENT_IMAGE)
    {
      g_autofree char *url = data_url (self);

      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "image_url");
      json_builder_set_member_name (builder, "image_url");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, url);
      json_builder_set_member_name (builder, "detail");
      json_builder_add_string_value (builder, self->detail);
      json_builder_end_object (builder);
    }
  else
    {
      g_autofree char *text = text_part_text (self);

      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "text");
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, text);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
