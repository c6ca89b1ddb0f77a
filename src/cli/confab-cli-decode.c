/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <unistd.h>

#include "confab-cassette.h"
#include "confab-cli-decode.h"
#include "confab-conversation.h"
#include "confab-export.h"
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
      char head[64];
      gsize n_head = 0;

      stream = G_INPUT_STREAM (g_file_read (file, NULL, &error));
      if (stream == NULL)
        {
          g_printerr ("confab-cli: %s\n", error->message);
          return 2;
        }

      /* A go-vcr cassette (JSON, or YAML): the whole recording as a conversation. */
      if (g_input_stream_read_all (stream, head, sizeof head, &n_head, NULL, NULL) &&
          confab_cassette_sniff (head, n_head))
        {
          g_autoptr(ConfabConversation) conversation = NULL;
          g_autofree char *text = NULL;
          g_autofree char *local = g_file_get_path (file);

          g_clear_object (&stream);
          if ((conversation = confab_cassette_read (local ? local : path, &error)) == NULL)
            {
              g_printerr ("confab-cli: %s\n", error->message);
              return 1;
            }
          text = confab_export_json_string (conversation);
          fputs (text, stdout);
          fflush (stdout);
          return 0;
        }
      if (!g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, NULL, &error))
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
