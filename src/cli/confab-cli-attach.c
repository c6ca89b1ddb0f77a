/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include "confab-attachment.h"
#include "confab-cli-attach.h"

GListStore *
confab_cli_load_attachments (const char * const  *paths,
                             GError             **error)
{
  g_autoptr(GListStore) attachments = g_list_store_new (CONFAB_TYPE_ATTACHMENT);
  ConfabAttachmentLimits limits;

  confab_attachment_limits_init (&limits);

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (paths[i]);
      g_autoptr(ConfabAttachment) attachment = NULL;

      attachment = confab_attachment_new_from_file (file, &limits, NULL, error);
      if (attachment == NULL)
        return NULL;

      g_list_store_append (attachments, attachment);
    }

  if (!confab_attachments_check_message_size (G_LIST_MODEL (attachments), &limits, error))
    return NULL;

  return g_steal_pointer (&attachments);
}
