/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint count;
} ItemsChanged;

static void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *record)
{
  record->position = position;
  record->removed = removed;
  record->added = added;
  record->count++;
}

static void
on_content_appended (ConfabMessage *message,
                     const char    *piece,
                     GString       *pieces)
{
  g_string_append_printf (pieces, "[%s]", piece);
}

static void
test_conversation_items_changed_only_for_messages (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Hello");
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  ItemsChanged record = { 0 };

  g_signal_connect (conversation, "items-changed", G_CALLBACK (on_items_changed), &record);

  confab_conversation_append (conversation, user);
  g_assert_cmpuint (record.count, ==, 1);
  g_assert_cmpuint (record.position, ==, 0);
  g_assert_cmpuint (record.added, ==, 1);

  confab_conversation_append (conversation, assistant);
  g_assert_cmpuint (record.count, ==, 2);
  g_assert_cmpuint (record.position, ==, 1);

  /* Text growth must not touch the list. */
  for (guint i = 0; i < 100; i++)
    confab_message_append_content (assistant, "token ", -1);
  g_assert_cmpuint (record.count, ==, 2);

  confab_conversation_truncate (conversation, 1);
  g_assert_cmpuint (record.count, ==, 3);
  g_assert_cmpuint (record.removed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 1);
}

static void
test_message_content_appended_carries_piece (void)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GString) pieces = g_string_new (NULL);

  g_signal_connect (message, "content-appended", G_CALLBACK (on_content_appended), pieces);

  confab_message_append_content (message, "Ol", -1);
  confab_message_append_content (message, "á!xyz", 2);
  confab_message_append_content (message, "", 0);

  g_assert_cmpstr (pieces->str, ==, "[Ol][á]");
  g_assert_cmpstr (confab_message_get_content (message), ==, "Olá");
}

/* Bytes the allocator holds for the content (0 where this cannot be observed). */
static gsize
content_allocation (ConfabMessage *message)
{
#ifdef __GLIBC__
  return malloc_usable_size ((void *)confab_message_get_content (message));
#else
  return 0;
#endif
}

/* A streamed answer grows by doubling; once complete its content keeps no slack (half of
 * a long answer), stays the same text, and pieces appended after that still arrive. */
static void
test_message_complete_gives_back_slack (void)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(ConfabMessage) loaded = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GString) pieces = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  gsize len;

  g_signal_connect (message, "content-appended", G_CALLBACK (on_content_appended), pieces);
  confab_message_set_state (message, CONFAB_MESSAGE_STATE_STREAMING);
  /* 300 KB: the string doubles to 512 KB. */
  for (guint i = 0; i < 300 * 16; i++)
    {
      g_autofree char *piece = g_strdup_printf ("%063u\n", i);

      confab_message_append_content (message, piece, -1);
      confab_message_append_raw_response (message, (const guint8 *)piece, strlen (piece));
      g_string_append (expected, piece);
    }
  len = confab_message_get_content_length (message);
  g_assert_cmpuint (len, ==, expected->len);
  if (content_allocation (message) != 0)
    g_assert_cmpuint (content_allocation (message), >, len + len / 4);

  confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
  g_assert_cmpuint (confab_message_get_content_length (message), ==, expected->len);
  g_assert_cmpstr (confab_message_get_content (message), ==, expected->str);
  if (content_allocation (message) != 0)
    g_assert_cmpuint (content_allocation (message), <, len + 4096 + 1);
  {
    g_autoptr(GBytes) raw = confab_message_dup_raw_response (message);
    gsize raw_len;
    const char *raw_data = g_bytes_get_data (raw, &raw_len);

    g_assert_cmpmem (raw_data, raw_len, expected->str, expected->len);
#ifdef __GLIBC__
    g_assert_cmpuint (malloc_usable_size ((void *)raw_data), <, raw_len + 4096 + 1);
#endif
  }
  /* The raw stream can still grow (a continued stream). */
  confab_message_append_raw_response (message, (const guint8 *)"raw", 3);
  {
    g_autoptr(GBytes) raw = confab_message_dup_raw_response (message);

    g_assert_cmpuint (g_bytes_get_size (raw), ==, expected->len + 3);
  }

  /* Appending still works (a continued stream). */
  confab_message_append_content (message, "tail", -1);
  g_string_append (expected, "tail");
  g_assert_cmpstr (confab_message_get_content (message), ==, expected->str);
  g_assert_true (g_str_has_suffix (pieces->str, "[tail]"));

  /* Loaded content is exact too. */
  confab_message_set_content (loaded, expected->str);
  g_assert_cmpstr (confab_message_get_content (loaded), ==, expected->str);
  if (content_allocation (loaded) != 0)
    g_assert_cmpuint (content_allocation (loaded), <, expected->len + 4096 + 1);
}

static void
test_conversation_title_from_first_user_message (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "  What's the weather in Florence?\nAnd Rome?");
  g_autofree char *long_title = NULL;
  g_autofree char *long_text = g_strnfill (200, 'a');

  confab_conversation_append (conversation, user);
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "What's the weather in Florence?");

  long_title = confab_conversation_make_title (long_text);
  g_assert_cmpint (g_utf8_strlen (long_title, -1), ==, 60);
  g_assert_true (g_str_has_suffix (long_title, "…"));
}

static void
test_conversation_serializes_request_messages (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "What's the weather in Florence,Italy?");
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, "I'll check.");
  g_autoptr(ConfabMessage) tool = confab_message_new (CONFAB_ROLE_TOOL, "40 C");
  g_autoptr(JsonNode) messages = NULL;
  g_autofree char *json = NULL;
  ConfabToolCall *call;

  confab_conversation_set_system_prompt (conversation, "You are a helpful assistant");
  confab_message_append_reasoning (assistant, "secret thoughts", -1);
  call = confab_message_ensure_tool_call (assistant, 0);
  confab_tool_call_set_id (call, "functions.weather:0");
  confab_tool_call_set_name (call, "weather");
  confab_tool_call_append_arguments (call, "{\"location\": ", -1);
  confab_tool_call_append_arguments (call, "\"Florence,Italy\"}", -1);
  g_assert_true (confab_message_ensure_tool_call (assistant, 0) == call);
  confab_message_set_tool_call_id (tool, "functions.weather:0");

  confab_conversation_append (conversation, user);
  confab_conversation_append (conversation, assistant);
  confab_conversation_append (conversation, tool);

  messages = confab_conversation_to_messages_json (conversation);
  json = json_to_string (messages, FALSE);

  /* Arguments travel byte for byte (the space after the colon stays); no reasoning. */
  g_assert_cmpstr (json, ==,
                   "[{\"role\":\"system\",\"content\":\"You are a helpful assistant\"},"
                   "{\"role\":\"user\",\"content\":\"What's the weather in Florence,Italy?\"},"
                   "{\"role\":\"assistant\",\"content\":\"I'll check.\",\"tool_calls\":[{\"id\":\"functions.weather:0\","
                   "\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"location\\\": \\\"Florence,Italy\\\"}\"}}]},"
                   "{\"role\":\"tool\",\"content\":\"40 C\",\"tool_call_id\":\"functions.weather:0\"}]");
}

static void
test_tool_calls_ordered_by_index (void)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(ConfabToolCall) first = NULL;
  g_autoptr(ConfabToolCall) second = NULL;

  confab_message_ensure_tool_call (message, 1);
  confab_message_ensure_tool_call (message, 0);

  first = g_list_model_get_item (confab_message_get_tool_calls (message), 0);
  second = g_list_model_get_item (confab_message_get_tool_calls (message), 1);
  g_assert_cmpuint (confab_tool_call_get_index (first), ==, 0);
  g_assert_cmpuint (confab_tool_call_get_index (second), ==, 1);
}

static void
test_tool_call_pretty_arguments_tolerate_partial_json (void)
{
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  g_autofree char *partial = NULL;
  g_autofree char *whole = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) parsed = NULL;

  confab_tool_call_append_arguments (call, "{\"a\":2,\"b\":{\"c\":\"x, y", -1);
  partial = confab_tool_call_dup_pretty_arguments (call);
  g_assert_cmpstr (partial, ==, "{\n  \"a\": 2,\n  \"b\": {\n    \"c\": \"x, y");

  parsed = confab_tool_call_parse_arguments (call, &error);
  g_assert_null (parsed);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TOOL);

  confab_tool_call_append_arguments (call, "\"},\"d\":[]}", -1);
  whole = confab_tool_call_dup_pretty_arguments (call);
  g_assert_cmpstr (whole, ==, "{\n  \"a\": 2,\n  \"b\": {\n    \"c\": \"x, y\"\n  },\n  \"d\": []\n}");
}

static void
test_tool_call_approval_resolves_once (void)
{
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  int resolved = 0;

  g_signal_connect_swapped (call, "approval-resolved", G_CALLBACK (g_atomic_int_inc), &resolved);

  /* Not pending: nothing happens. */
  confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_ALLOW_ONCE);
  g_assert_cmpint (resolved, ==, 0);

  confab_tool_call_request_approval (call);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL);
  g_assert_cmpint (confab_tool_call_get_status_time (call, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL), >, 0);
  confab_tool_call_resolve_approval (call, CONFAB_APPROVAL_ALLOW_ONCE);
  g_assert_cmpint (resolved, ==, 1);
}

static void
test_usage_last_report_wins (void)
{
  g_autoptr(ConfabUsage) usage = confab_usage_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ConfabUsage) total = confab_usage_new ();

  g_assert_false (confab_usage_get_reported (usage));

  g_assert_true (json_parser_load_from_data (parser,
                 "{\"prompt_tokens\":99,\"completion_tokens\":32,\"total_tokens\":131}", -1, NULL));
  confab_usage_update_from_json (usage, json_node_get_object (json_parser_get_root (parser)));
  g_assert_true (json_parser_load_from_data (parser,
                 "{\"prompt_tokens\":20,\"completion_tokens\":4,\"total_tokens\":24,\"cost\":0.000032,"
                 "\"prompt_tokens_details\":{\"cached_tokens\":3},"
                 "\"completion_tokens_details\":{\"reasoning_tokens\":1}}", -1, NULL));
  confab_usage_update_from_json (usage, json_node_get_object (json_parser_get_root (parser)));

  g_assert_cmpint (confab_usage_get_prompt_tokens (usage), ==, 20);
  g_assert_cmpint (confab_usage_get_completion_tokens (usage), ==, 4);
  g_assert_cmpint (confab_usage_get_total_tokens (usage), ==, 24);
  g_assert_cmpint (confab_usage_get_cached_tokens (usage), ==, 3);
  g_assert_cmpint (confab_usage_get_reasoning_tokens (usage), ==, 1);
  g_assert_true (confab_usage_get_has_cost (usage));
  g_assert_cmpfloat_with_epsilon (confab_usage_get_cost (usage), 0.000032, 1e-12);

  confab_usage_set_timings (usage, 0.5, 2.5);
  g_assert_cmpfloat_with_epsilon (confab_usage_get_tokens_per_second (usage), 2.0, 1e-9);

  confab_usage_add (total, usage);
  confab_usage_add (total, usage);
  g_assert_cmpint (confab_usage_get_total_tokens (total), ==, 48);
  g_assert_cmpfloat_with_epsilon (confab_usage_get_cost (total), 0.000064, 1e-12);
}

/* An answer that came in one burst (all its tokens with the first) has no speed, alone or
 * in a sum: no millions of tokens a second. */
static void
test_usage_speed_of_a_burst_is_unknown (void)
{
  g_autoptr(ConfabUsage) burst = confab_usage_new ();
  g_autoptr(ConfabUsage) timed = confab_usage_new ();
  g_autoptr(ConfabUsage) total = confab_usage_new ();
  g_autoptr(ConfabUsage) bursts = confab_usage_new ();

  confab_usage_restore (burst, TRUE, 10, 400, 410, -1, -1, FALSE, 0, 0.8, 0.80001);
  g_assert_cmpfloat (confab_usage_get_tokens_per_second (burst), <, 0);

  confab_usage_restore (timed, TRUE, 10, 20, 30, -1, -1, FALSE, 0, 0.5, 2.5);
  g_assert_cmpfloat_with_epsilon (confab_usage_get_tokens_per_second (timed), 10.0, 1e-9);

  /* The sum's speed is the timed request's alone. */
  confab_usage_add (total, burst);
  confab_usage_add (total, timed);
  g_assert_cmpint (confab_usage_get_completion_tokens (total), ==, 420);
  g_assert_cmpfloat_with_epsilon (confab_usage_get_tokens_per_second (total), 10.0, 1e-9);

  /* Bursts only: unknown, not the summed duration's guess. */
  confab_usage_add (bursts, burst);
  confab_usage_add (bursts, burst);
  g_assert_cmpfloat (confab_usage_get_tokens_per_second (bursts), <, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/model/usage/speed-of-a-burst-is-unknown", test_usage_speed_of_a_burst_is_unknown);
  g_test_add_func ("/model/conversation/items-changed-only-for-messages", test_conversation_items_changed_only_for_messages);
  g_test_add_func ("/model/conversation/title-from-first-user-message", test_conversation_title_from_first_user_message);
  g_test_add_func ("/model/conversation/serializes-request-messages", test_conversation_serializes_request_messages);
  g_test_add_func ("/model/message/content-appended-carries-piece", test_message_content_appended_carries_piece);
  g_test_add_func ("/model/message/complete-gives-back-slack", test_message_complete_gives_back_slack);
  g_test_add_func ("/model/message/tool-calls-ordered-by-index", test_tool_calls_ordered_by_index);
  g_test_add_func ("/model/tool-call/pretty-arguments-tolerate-partial-json", test_tool_call_pretty_arguments_tolerate_partial_json);
  g_test_add_func ("/model/tool-call/approval-resolves-once", test_tool_call_approval_resolves_once);
  g_test_add_func ("/model/usage/last-report-wins", test_usage_last_report_wins);

  return g_test_run ();
}
