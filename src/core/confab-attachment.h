/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_ATTACHMENT (confab_attachment_get_type ())

G_DECLARE_FINAL_TYPE (ConfabAttachment, confab_attachment, CONFAB, ATTACHMENT, GObject)

typedef enum {
  CONFAB_ATTACHMENT_IMAGE,   /* sent as an image_url part with a data: URL */
  CONFAB_ATTACHMENT_TEXT,    /* a text or code file, sent as a text part in a fenced block */
  CONFAB_ATTACHMENT_PDF,     /* sent as a text part with the text poppler extracted */
} ConfabAttachmentKind;

#define CONFAB_ATTACHMENT_DEFAULT_LONG_EDGE        2048
#define CONFAB_ATTACHMENT_DEFAULT_MAX_FILE_SIZE    (20 * 1024 * 1024)
#define CONFAB_ATTACHMENT_DEFAULT_MAX_MESSAGE_SIZE (50 * 1024 * 1024)

/* What an attachment may be and how images are prepared. */
typedef struct
{
  guint       max_long_edge;     /* images larger than this are downscaled (pixels) */
  gsize       max_file_size;     /* bytes of one file as picked */
  gsize       max_message_size;  /* bytes one message may send for all its attachments */
  const char *detail;            /* image_url "detail": "auto", "low" or "high" */
} ConfabAttachmentLimits;

/* The defaults: 2048 px, 20 MiB per file, 50 MiB per message, detail "auto". */
void                  confab_attachment_limits_init          (ConfabAttachmentLimits *limits);
/* The limits the user set: attachment-max-long-edge, attachment-image-detail,
 * attachment-max-file-size and attachment-max-message-size (MiB). */
void                  confab_attachment_limits_init_from_settings (ConfabAttachmentLimits *limits,
                                                              GSettings              *settings);

/* Reads, sniffs and prepares @bytes (an image is decoded and downscaled, a PDF's text
 * extracted, a text file checked). @mime_type may be NULL (guessed from @name and the bytes),
 * @limits NULL for the defaults. Fails with CONFAB_ERROR_ATTACHMENT and a sentence naming
 * the file. (transfer full) */
ConfabAttachment     *confab_attachment_new_from_bytes       (const char             *name,
                                                              const char             *mime_type,
                                                              GBytes                 *bytes,
                                                              const ConfabAttachmentLimits *limits,
                                                              GError                **error);
/* The same for a file; a file over the size limit is refused before it is read. Blocking. */
ConfabAttachment     *confab_attachment_new_from_file        (GFile                  *file,
                                                              const ConfabAttachmentLimits *limits,
                                                              GCancellable           *cancellable,
                                                              GError                **error);
/* confab_attachment_new_from_file in a worker thread. */
void                  confab_attachment_new_from_file_async  (GFile                  *file,
                                                              const ConfabAttachmentLimits *limits,
                                                              GCancellable           *cancellable,
                                                              GAsyncReadyCallback     callback,
                                                              gpointer                user_data);
ConfabAttachment     *confab_attachment_new_from_file_finish (GAsyncResult           *result,
                                                              GError                **error);
/* An attachment as the store kept it: @data is what is sent (the prepared image, the text
 * file, the PDF), nothing is decoded again; @width and @height as get_width() gave them.
 * (transfer full) */
ConfabAttachment     *confab_attachment_new_stored           (const char             *name,
                                                              const char             *mime_type,
                                                              ConfabAttachmentKind    kind,
                                                              const char             *sha256,
                                                              GBytes                 *data,
                                                              const char             *text,
                                                              guint                   n_pages,
                                                              guint                   width,
                                                              guint                   height,
                                                              const char             *detail);

const char           *confab_attachment_get_name             (ConfabAttachment       *self);
ConfabAttachmentKind  confab_attachment_get_kind             (ConfabAttachment       *self);
/* The MIME type of the file as picked ("image/gif", "text/x-csrc", "application/pdf"). */
const char           *confab_attachment_get_mime_type        (ConfabAttachment       *self);
/* The bytes as picked (for an attachment from the store: the stored data). (transfer none) */
GBytes               *confab_attachment_get_bytes            (ConfabAttachment       *self);
/* Lowercase hex SHA-256 of get_data() (what is sent and stored): the store's key. */
const char           *confab_attachment_get_sha256           (ConfabAttachment       *self);
/* What is sent and stored: the re-encoded image (or the original when it was small enough
 * and in a format providers take), else the bytes. (transfer none) */
GBytes               *confab_attachment_get_data             (ConfabAttachment       *self);
/* The MIME type of get_data() (an image re-encoded from GIF is "image/png"). */
const char           *confab_attachment_get_data_mime_type   (ConfabAttachment       *self);
/* Image size after preparation, 0 when unknown. */
guint                 confab_attachment_get_width            (ConfabAttachment       *self);
guint                 confab_attachment_get_height           (ConfabAttachment       *self);
/* The text of a text file, or the text extracted from a PDF with page markers; NULL for images. */
const char           *confab_attachment_get_text             (ConfabAttachment       *self);
/* Pages of a PDF, 0 otherwise. */
guint                 confab_attachment_get_n_pages          (ConfabAttachment       *self);
/* Pages of a PDF without any text (scanned pages). */
guint                 confab_attachment_get_n_empty_pages    (ConfabAttachment       *self);
const char           *confab_attachment_get_detail           (ConfabAttachment       *self);
/* Bytes this attachment adds to a request (base64 for images). */
gsize                 confab_attachment_get_request_size     (ConfabAttachment       *self);
/* A short line for chips and listings: "photo.png · 1024×768", "report.pdf · 3 pages". (transfer full) */
char                 *confab_attachment_describe             (ConfabAttachment       *self);
/* The chat-completions content part: {"type":"image_url",…} or {"type":"text",…}. (transfer full) */
JsonNode             *confab_attachment_to_content_part      (ConfabAttachment       *self);

/* Checks the total request size of @attachments (a GListModel of ConfabAttachment) against
 * @limits; FALSE with CONFAB_ERROR_ATTACHMENT saying by how much it is over. */
gboolean              confab_attachments_check_message_size  (GListModel             *attachments,
                                                              const ConfabAttachmentLimits *limits,
                                                              GError                **error);

/* A copy of a request body with the base64 of every data: URL replaced by "…" (images are
 * stored once as attachments, not inside every stored request). NULL for NULL. (transfer full) */
char                 *confab_attachment_elide_data_urls      (const char             *body);

/* When a provider refused a request that carried images with a 4xx that speaks about images
 * or vision, a CONFAB_ERROR_IMAGES_REFUSED error naming the cause; else NULL. (transfer full) */
GError               *confab_attachment_explain_refusal      (guint                   status,
                                                              const char             *request_body,
                                                              const GError           *http_error);

G_END_DECLS
