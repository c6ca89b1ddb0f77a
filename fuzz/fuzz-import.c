/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The importers (Confab JSON, ChatGPT, Open WebUI through the yajl adapter) and the go-vcr
 * cassette reader (JSON, and YAML with libyaml) on arbitrary files: nothing may crash or
 * leak, and a file is either read whole or refused with an error. The first byte picks the
 * reader. */
#include "config.h"

#include <gio/gio.h>

#include "confab-cassette.h"
#include "confab-conversation.h"
#include "confab-import.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;

  if (size < 1)
    return 0;

  if (data[0] & 1)
    {
      g_autoptr(ConfabConversation) conversation = NULL;

      conversation = confab_cassette_read_data ((const char *) data + 1, size - 1, "fuzz", &error);

      if ((conversation == NULL) == (error == NULL))
        g_error ("the cassette reader returned %s and %s", conversation ? "a conversation" : "nothing",
                 error ? "an error" : "no error");
    }
  else
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data + 1, size - 1, NULL);
      g_autoptr(ConfabImportResult) result = confab_import_read (stream, size - 1, NULL, NULL, NULL, &error);

      if ((result == NULL) == (error == NULL))
        g_error ("the importer returned %s and %s", result ? "a result" : "nothing", error ? "an error" : "no error");
      if (result != NULL && result->conversations->len != result->ids->len)
        g_error ("%u conversations but %u ids", result->conversations->len, result->ids->len);
    }

  return 0;
}
