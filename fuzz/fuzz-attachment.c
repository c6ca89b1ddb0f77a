/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Files a user might attach: whatever bytes, named as a PDF, a text file or a picture, go
 * through the same preparation as a picked file (poppler's text extraction, the UTF-8 and
 * binary checks, gdk-pixbuf decoding and downscaling). Never crash, never leak; either an
 * attachment whose content part is valid JSON with valid UTF-8, or a CONFAB_ERROR_ATTACHMENT
 * error that names the file. The store's copy (new_stored) gives the same part.
 *
 * Input: the first byte picks the name (and so the sniffing): 0 report.pdf (application/pdf
 * forced), 1 notes.txt (sniffed), 2 picture.png (sniffed), 3 anim.gif (sniffed), 4 data
 * with no extension; the rest is the file. */
#include "config.h"

#include <string.h>

#include "confab-attachment.h"
#include "confab-error.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const char * const names[] = { "report.pdf", "notes.txt", "picture.png", "anim.gif", "data" };
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(ConfabAttachment) stored = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) part = NULL;
  g_autoptr(JsonNode) stored_part = NULL;
  g_autofree char *json = NULL;
  g_autofree char *describe = NULL;
  g_autofree char *elided = NULL;
  g_autofree char *text = NULL;
  ConfabAttachmentLimits limits;
  guint pick;

  if (size < 1)
    return 0;

  pick = data[0] % G_N_ELEMENTS (names);
  bytes = g_bytes_new (data + 1, size - 1);

  confab_attachment_limits_init (&limits);
  limits.max_long_edge = 64;              /* keeps each run fast */
  limits.max_file_size = 1024 * 1024;

  attachment = confab_attachment_new_from_bytes (names[pick], pick == 0 ? "application/pdf" : NULL,
                                                 bytes, &limits, &error);
  if (attachment == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT));
      g_assert_nonnull (strstr (error->message, names[pick]));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  g_assert_no_error (error);
  if (confab_attachment_get_text (attachment) != NULL)
    g_assert_true (g_utf8_validate (confab_attachment_get_text (attachment), -1, NULL));
  if (confab_attachment_get_kind (attachment) == CONFAB_ATTACHMENT_IMAGE &&
      confab_attachment_get_width (attachment) > 0)
    g_assert_cmpuint (MAX (confab_attachment_get_width (attachment), confab_attachment_get_height (attachment)), <=, 64);

  describe = confab_attachment_describe (attachment);
  g_assert_true (g_utf8_validate (describe, -1, NULL));

  part = confab_attachment_to_content_part (attachment);
  json = json_to_string (part, FALSE);
  g_assert_true (g_utf8_validate (json, -1, NULL));
  elided = confab_attachment_elide_data_urls (json);
  g_assert_nonnull (elided);

  /* What the store keeps gives the same part back. */
  stored = confab_attachment_new_stored (confab_attachment_get_name (attachment),
                                         confab_attachment_get_data_mime_type (attachment),
                                         confab_attachment_get_kind (attachment),
                                         confab_attachment_get_sha256 (attachment),
                                         confab_attachment_get_data (attachment),
                                         confab_attachment_get_text (attachment),
                                         confab_attachment_get_n_pages (attachment),
                                         confab_attachment_get_width (attachment),
                                         confab_attachment_get_height (attachment),
                                         confab_attachment_get_detail (attachment));
  stored_part = confab_attachment_to_content_part (stored);
  g_assert_true (json_node_equal (part, stored_part));

  /* The raw input as a request body: eliding data: URLs never reads past the end. */
  text = g_strndup ((const char *) data + 1, size - 1);
  g_free (confab_attachment_elide_data_urls (text));

  return 0;
}
