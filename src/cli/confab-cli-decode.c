/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <unistd.h>

#include "confab-cli-decode.h"
#include "confab-delta-accumulator.h"
#include "confab-escape.h"
#include "confab-message.h"

/* Large blocks: this is also the decoder benchmark, so the loop stays out of the way. */
#define DECODE_BLOCK_SIZE (1024 * 1024)

int
confab_cli_decode (const char *path)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(ConfabDeltaAccumulator) accumulator = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) stream_error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree guint8 *buffer = NULL;
  g_autofree char *json = NULL;
  gboolean ok = TRUE;

  if (path == NULL || g_str_equal (path, "-"))
    {
      stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

      stream = G_INPUT_STREAM (g_file_read (file, NULL, &error));
      if (stream == NULL)
        {
          g_printerr ("confab-cli: %s\n", error->message);
          return 2;
        }
    }

  confab_message_set_state (message, CONFAB_MESSAGE_STATE_STREAMING);
  accumulator = confab_delta_accumulator_new (message);
  buffer = g_malloc (DECODE_BLOCK_SIZE);

  for (;;)
    {
      gssize n_read = g_input_stream_read (stream, buffer, DECODE_BLOCK_SIZE, NULL, &error);

      if (n_read < 0)
        {
          g_printerr ("confab-cli: %s\n", error->message);
          return 2;
        }

      if (n_read == 0)
        break;

      if (!confab_delta_accumulator_feed_bytes (accumulator, (const char *) buffer, n_read, &stream_error))
        {
          ok = FALSE;
          break;
        }

      if (confab_delta_accumulator_is_done (accumulator))
        break;
    }

  if (ok && !confab_delta_accumulator_is_done (accumulator))
    ok = confab_delta_accumulator_finish (accumulator, &stream_error);

  if (ok)
    confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
  else
    confab_message_fail (message, stream_error);

  result = confab_delta_accumulator_to_json (accumulator);
  json = json_to_string (result, TRUE);
  fputs (json, stdout);
  fputc ('\n', stdout);
  fflush (stdout);

  if (!ok)
    {
      /* An error object in the stream carries the provider's words. */
      g_autofree char *escaped = confab_escape_text (stream_error->message, -1, CONFAB_ESCAPE_KEEP_NEWLINES);

      g_printerr ("confab-cli: %s\n", escaped);
      return 1;
    }

  return 0;
}
