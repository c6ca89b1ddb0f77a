/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-attachment"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-attachment.h"
#include "confab-error.h"

/* What attachments mean for a request, apart from the parts themselves: the size of a
 * message, a provider refusing pictures, and request bodies stored without their base64. */

gboolean
confab_attachments_check_message_size (GListModel                   *attachments,
                                       const ConfabAttachmentLimits *limits,
                                       GError                      **error)
{
  ConfabAttachmentLimits storage;
  guint n = g_list_model_get_n_items (attachments);
  gsize total = 0;

  if (limits == NULL)
    {
      confab_attachment_limits_init (&storage);
      limits = &storage;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabAttachment) attachment = g_list_model_get_item (attachments, i);

      total += confab_attachment_get_request_size (attachment);
    }

  if (total > limits->max_message_size)
    {
      g_autofree char *have = g_format_size (total);
      g_autofree char *max = g_format_size (limits->max_message_size);

      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_ATTACHMENT,
                   _("The attachments are too large to send together (%s; the limit is %s per "
                     "message). Remove some and send them in another message."), have, max);
      return FALSE;
    }

  return TRUE;
}

GError *
confab_attachment_explain_refusal (guint         status,
                                   const char   *request_body,
                                   const GError *http_error)
{
  static const char * const words[] = { "image", "vision", "multimodal", "multi-modal", "content type" };
  g_autofree char *lower = NULL;
  gboolean about_images = FALSE;

  if (status < 400 || status >= 500 || request_body == NULL || http_error == NULL)
    return NULL;

  if (strstr (request_body, "\"image_url\"") == NULL)
    return NULL;

  lower = g_utf8_strdown (http_error->message, -1);
  for (guint i = 0; i < G_N_ELEMENTS (words) && !about_images; i++)
    about_images = strstr (lower, words[i]) != NULL;

  if (!about_images)
    return NULL;

  return g_error_new (CONFAB_ERROR, CONFAB_ERROR_IMAGES_REFUSED,
                      _("This model does not accept images. Your message and its attachments are "
                        "kept: pick a model with vision and retry. (%s)"), http_error->message);
}

char *
confab_attachment_elide_data_urls (const char *body)
{
  GString *out;
  const char *p;
  const char *marker;

  if (body == NULL)
    return NULL;

  if (strstr (body, ";base64,") == NULL)
    return g_strdup (body);

  out = g_string_sized_new (strlen (body) / 4);
  p = body;
  while ((marker = strstr (p, ";base64,")) != NULL)
    {
      const char *end = marker + strlen (";base64,");
      const char *start = marker;

      /* Only a JSON string that is a data: URL ("data:image/png;base64,…"), not any text
       * that happens to contain the marker. */
      while (start > p && start[-1] != '"' && marker - start < 128)
        start--;
      if (start == body || start[-1] != '"' || !g_str_has_prefix (start, "data:"))
        {
          g_string_append_len (out, p, end - p);
          p = end;
          continue;
        }

      while (g_ascii_isalnum (*end) || *end == '+' || *end == '/' || *end == '=' || *end == '\\')
        end++;

      g_string_append_len (out, p, marker + strlen (";base64,") - p);
      g_string_append (out, "…");
      p = end;
    }
  g_string_append (out, p);

  return g_string_free (out, FALSE);
}
