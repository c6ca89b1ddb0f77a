/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-usage.h"
#include "confab-usage-sidebar.h"
#include "panels-test-util.h"

/* Applies every "usage" object of a recorded SSE body to @usage, in order, as the client does
 * while it streams (Groq reports usage twice per request: it must not add up). */
static void
apply_recorded_usage (ConfabUsage *usage,
                      const char  *sse_body)
{
  g_auto(GStrv) lines = g_strsplit (sse_body, "\n", -1);
  guint reported = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *chunk;
      JsonNode *node;

      if (!g_str_has_prefix (lines[i], "data: ") || g_str_equal (lines[i], "data: [DONE]"))
        continue;

      g_assert_true (json_parser_load_from_data (parser, lines[i] + 6, -1, NULL));
      chunk = json_node_get_object (json_parser_get_root (parser));
      node = json_object_get_member (chunk, "usage");
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        {
          confab_usage_update_from_json (usage, json_node_get_object (node));
          reported++;
        }
    }

  g_assert_cmpuint (reported, >, 0);
}

/* The recorded response bodies of a cassette, one per request. (transfer full) */
static GPtrArray *
load_cassette (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("CONFAB_CASSETTES_DIR"), name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *bodies = g_ptr_array_new_with_free_func (g_free);
  JsonArray *interactions;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  interactions = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                               "interactions");
  for (guint i = 0; i < json_array_get_length (interactions); i++)
    {
      JsonObject *interaction = json_array_get_object_element (interactions, i);
      JsonObject *response = json_object_get_object_member (interaction, "response");

      g_ptr_array_add (bodies, g_strdup (json_object_get_string_member (response, "body")));
    }

  return bodies;
}

/* Appends a turn as a replayed cassette leaves it: the user message, then per request an
 * assistant message with its usage, and a tool message after each request but the last. */
static void
append_cassette_turn (ConfabConversation *conversation,
                      const char         *cassette,
                      const char         *prompt)
{
  g_autoptr(GPtrArray) bodies = load_cassette (cassette);
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, prompt);

  confab_conversation_append (conversation, user);

  for (guint i = 0; i < bodies->len; i++)
    {
      g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);

      confab_message_set_model (assistant, "moonshotai/kimi-k2");
      apply_recorded_usage (confab_message_get_usage (assistant), g_ptr_array_index (bodies, i));

      if (i + 1 < bodies->len)
        {
          g_autoptr(ConfabMessage) tool = confab_message_new (CONFAB_ROLE_TOOL, "40 C");
          ConfabToolCall *call = confab_message_ensure_tool_call (assistant, 0);

          confab_tool_call_set_name (call, "get_weather");
          confab_conversation_append (conversation, assistant);
          confab_conversation_append (conversation, tool);
        }
      else
        confab_conversation_append (conversation, assistant);
    }
}

static const char *
value (GtkWidget  *sidebar,
       const char *section,
       const char *field)
{
  return panels_test_label (panels_test_get (sidebar, section), field);
}

static GtkWidget *
new_sidebar (ConfabConversation *conversation)
{
  GtkWidget *sidebar = confab_usage_sidebar_new ();

  g_object_ref_sink (sidebar);
  confab_usage_sidebar_set_conversation (CONFAB_USAGE_SIDEBAR (sidebar), conversation);

  return sidebar;
}

static void
test_openrouter_simple (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  GtkWidget *sidebar;

  append_cassette_turn (conversation, "simple_streaming_openrouter-groq-kimi-k2.json", "Say hi in Portuguese");
  sidebar = new_sidebar (conversation);

  g_assert_cmpstr (value (sidebar, "request-1", "prompt"), ==, "20");
  g_assert_cmpstr (value (sidebar, "request-1", "completion"), ==, "4");
  g_assert_cmpstr (value (sidebar, "request-1", "total"), ==, "24");
  g_assert_cmpstr (value (sidebar, "request-1", "cached"), ==, "0");
  g_assert_cmpstr (value (sidebar, "request-1", "reasoning"), ==, "0");
  g_assert_cmpstr (value (sidebar, "request-1", "cost"), ==, "$0.000032");
  /* No timings were measured: unknown, not zero. */
  g_assert_cmpstr (value (sidebar, "request-1", "time-to-first-token"), ==, "—");
  g_assert_cmpstr (value (sidebar, "request-1", "duration"), ==, "—");
  g_assert_cmpstr (value (sidebar, "request-1", "speed"), ==, "—");
  g_assert_null (panels_test_find (sidebar, "request-2"));

  g_assert_cmpstr (value (sidebar, "turn-total", "total"), ==, "24");
  g_assert_cmpstr (value (sidebar, "turn-total", "cost"), ==, "$0.000032");
  g_assert_cmpstr (value (sidebar, "conversation-total", "prompt"), ==, "20");
  g_assert_cmpstr (value (sidebar, "conversation-total", "cost"), ==, "$0.000032");
  g_assert_cmpstr (panels_test_label (sidebar, "turn_label"), ==, "Turn 1 of 1");

  g_assert_finalize_object (sidebar);
}

static void
test_groq_tool_loop (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  GtkWidget *sidebar;

  append_cassette_turn (conversation, "tool_streaming_groq-kimi-k2.json", "Weather in Lisbon?");
  sidebar = new_sidebar (conversation);

  /* Two requests in one turn, each with the usage it reported (twice, never summed). */
  g_assert_cmpstr (value (sidebar, "request-1", "prompt"), ==, "99");
  g_assert_cmpstr (value (sidebar, "request-1", "completion"), ==, "32");
  g_assert_cmpstr (value (sidebar, "request-1", "total"), ==, "131");
  g_assert_cmpstr (value (sidebar, "request-2", "prompt"), ==, "150");
  g_assert_cmpstr (value (sidebar, "request-2", "completion"), ==, "23");
  g_assert_cmpstr (value (sidebar, "request-2", "total"), ==, "173");
  g_assert_null (panels_test_find (sidebar, "request-3"));

  /* Groq reports neither cost nor cached tokens. */
  g_assert_cmpstr (value (sidebar, "request-1", "cost"), ==, "—");
  g_assert_cmpstr (value (sidebar, "request-1", "cached"), ==, "—");

  g_assert_cmpstr (value (sidebar, "turn-total", "prompt"), ==, "249");
  g_assert_cmpstr (value (sidebar, "turn-total", "completion"), ==, "55");
  g_assert_cmpstr (value (sidebar, "turn-total", "total"), ==, "304");
  g_assert_cmpstr (value (sidebar, "turn-total", "cost"), ==, "—");
  g_assert_cmpstr (value (sidebar, "conversation-total", "total"), ==, "304");

  g_assert_finalize_object (sidebar);
}

static void
test_turns_and_running_total (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  GtkWidget *sidebar;

  append_cassette_turn (conversation, "tool_streaming_groq-kimi-k2.json", "Weather in Lisbon?");
  sidebar = new_sidebar (conversation);
  append_cassette_turn (conversation, "multi_tool_streaming_groq-kimi-k2.json", "2+3 and 2*3?");
  append_cassette_turn (conversation, "simple_streaming_openrouter-groq-kimi-k2.json", "Say hi");

  /* The sidebar follows the latest turn. */
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (panels_test_label (sidebar, "turn_label"), "Turn 3 of 3") == 0, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (value (sidebar, "turn-total", "total"), ==, "24");
  g_assert_null (panels_test_find (sidebar, "request-2"));

  /* 131 + 173 + 262 + 318 + 24 */
  g_assert_cmpstr (value (sidebar, "conversation-total", "prompt"), ==, "765");
  g_assert_cmpstr (value (sidebar, "conversation-total", "completion"), ==, "143");
  g_assert_cmpstr (value (sidebar, "conversation-total", "total"), ==, "908");
  g_assert_cmpstr (value (sidebar, "conversation-total", "cost"), ==, "$0.000032");

  /* The second turn: user message at position 4 (user, assistant, tool, assistant before it). */
  confab_usage_sidebar_set_turn (CONFAB_USAGE_SIDEBAR (sidebar), 5);
  g_assert_cmpstr (panels_test_label (sidebar, "turn_label"), ==, "Turn 2 of 3");
  g_assert_cmpstr (value (sidebar, "request-1", "total"), ==, "262");
  g_assert_cmpstr (value (sidebar, "request-2", "total"), ==, "318");
  g_assert_cmpstr (value (sidebar, "turn-total", "prompt"), ==, "496");
  g_assert_cmpstr (value (sidebar, "turn-total", "total"), ==, "580");
  g_assert_cmpstr (value (sidebar, "conversation-total", "total"), ==, "908");

  /* Turn navigation. */
  gtk_widget_activate_action (sidebar, "usage.previous-turn", NULL);
  g_assert_cmpstr (panels_test_label (sidebar, "turn_label"), ==, "Turn 1 of 3");
  g_assert_cmpstr (value (sidebar, "turn-total", "total"), ==, "304");
  gtk_widget_activate_action (sidebar, "usage.next-turn", NULL);
  gtk_widget_activate_action (sidebar, "usage.next-turn", NULL);
  g_assert_cmpstr (panels_test_label (sidebar, "turn_label"), ==, "Turn 3 of 3");

  confab_usage_sidebar_set_turn (CONFAB_USAGE_SIDEBAR (sidebar), G_MAXUINT);
  g_assert_cmpstr (panels_test_label (sidebar, "turn_label"), ==, "Turn 3 of 3");

  g_assert_finalize_object (sidebar);
}

static void
test_live_while_streaming (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Weather?");
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GPtrArray) bodies = load_cassette ("tool_streaming_groq-kimi-k2.json");
  GtkWidget *sidebar = new_sidebar (conversation);

  g_assert_true (gtk_widget_get_visible (panels_test_get (sidebar, "empty_label")));

  confab_conversation_append (conversation, user);
  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, assistant);

  /* Streaming, nothing reported yet: unknown values. */
  CONFAB_TEST_WAIT_FOR (panels_test_find (sidebar, "request-1") != NULL, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (value (sidebar, "request-1", "prompt"), ==, "—");
  g_assert_cmpstr (value (sidebar, "turn-total", "total"), ==, "—");

  apply_recorded_usage (confab_message_get_usage (assistant), g_ptr_array_index (bodies, 0));
  confab_usage_set_timings (confab_message_get_usage (assistant), 0.5, 1.5);
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (value (sidebar, "request-1", "total"), "131") == 0, PANELS_TEST_TIMEOUT_MS);
  CONFAB_TEST_WAIT_FOR (g_strcmp0 (value (sidebar, "request-1", "duration"), "1.50 s") == 0, PANELS_TEST_TIMEOUT_MS);
  g_assert_cmpstr (value (sidebar, "request-1", "time-to-first-token"), ==, "0.50 s");
  /* 32 tokens in the second after the first token */
  g_assert_cmpstr (value (sidebar, "request-1", "speed"), ==, "32.0 tokens/s");
  g_assert_cmpstr (value (sidebar, "conversation-total", "total"), ==, "131");
  g_assert_false (gtk_widget_get_visible (panels_test_get (sidebar, "empty_label")));

  /* A new conversation replaces everything. */
  confab_usage_sidebar_set_conversation (CONFAB_USAGE_SIDEBAR (sidebar), NULL);
  g_assert_null (panels_test_find (sidebar, "request-1"));
  g_assert_true (gtk_widget_get_visible (panels_test_get (sidebar, "empty_label")));

  g_assert_finalize_object (sidebar);
}

static void
append_answer_with_cost (ConfabConversation *conversation,
                         const char         *usage_json)
{
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, "ok");
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, usage_json, -1, NULL));
  confab_usage_update_from_json (confab_message_get_usage (assistant),
                                 json_node_get_object (json_parser_get_root (parser)));
  confab_conversation_append (conversation, assistant);
}

static void
test_cost_decimals (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "hi");
  GtkWidget *sidebar;

  confab_conversation_append (conversation, user);
  append_answer_with_cost (conversation, "{\"prompt_tokens\": 1, \"completion_tokens\": 1, \"cost\": 1.5}");
  append_answer_with_cost (conversation, "{\"prompt_tokens\": 1, \"completion_tokens\": 1, \"cost\": 0.0123}");
  append_answer_with_cost (conversation, "{\"prompt_tokens\": 1, \"completion_tokens\": 1, \"cost\": 0}");
  sidebar = new_sidebar (conversation);

  g_assert_cmpstr (value (sidebar, "request-1", "cost"), ==, "$1.50");
  g_assert_cmpstr (value (sidebar, "request-2", "cost"), ==, "$0.012");
  g_assert_cmpstr (value (sidebar, "request-3", "cost"), ==, "$0.00");
  g_assert_cmpstr (value (sidebar, "turn-total", "cost"), ==, "$1.51");
  /* Totals fill in prompt + completion when the provider gives no total. */
  g_assert_cmpstr (value (sidebar, "turn-total", "total"), ==, "6");

  g_assert_finalize_object (sidebar);
}

int
main (int   argc,
      char *argv[])
{
  panels_test_init (&argc, &argv);
  gtk_init ();

  g_test_add_func ("/usage-sidebar/openrouter-simple-with-cost", test_openrouter_simple);
  g_test_add_func ("/usage-sidebar/groq-tool-loop-two-requests", test_groq_tool_loop);
  g_test_add_func ("/usage-sidebar/turns-and-running-total", test_turns_and_running_total);
  g_test_add_func ("/usage-sidebar/live-while-streaming", test_live_while_streaming);
  g_test_add_func ("/usage-sidebar/cost-decimals", test_cost_decimals);

  return g_test_run ();
}
