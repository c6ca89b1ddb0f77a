/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Chunk JSON into the delta accumulator: never crash, never leak, and the message it builds
 * always holds valid UTF-8 and serializes to JSON. */
#include "config.h"

#include <string.h>

#include "confab-delta-accumulator.h"
#include "confab-message.h"
#include "confab-tool-call.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(ConfabDeltaAccumulator) accumulator = confab_delta_accumulator_new (message);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *p = (const char *) data;
  const char *end = p + size;
  GListModel *calls;

  /* Each input line is one data payload, as the SSE reader would hand it over. */
  while (p < end && error == NULL)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl : end;

      confab_delta_accumulator_feed_data (accumulator, p, line_end - p, &error);
      p = nl ? nl + 1 : end;
    }

  if (error == NULL)
    confab_delta_accumulator_finish (accumulator, NULL);

  if (!g_utf8_validate (confab_message_get_content (message), -1, NULL))
    g_error ("content is not valid UTF-8");
  if (!g_utf8_validate (confab_message_get_reasoning (message), -1, NULL))
    g_error ("reasoning is not valid UTF-8");

  calls = confab_message_get_tool_calls (message);
  for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
      g_autofree char *pretty = confab_tool_call_dup_pretty_arguments (call);
      (void) pretty;
    }

  json = confab_message_to_json (message);
  text = json_to_string (json, FALSE);

  return 0;
}
