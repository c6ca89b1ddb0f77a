/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The checks before sending: the conversation's size against the model's context, and this
 * month's cost against the provider's budget. */
#define G_LOG_DOMAIN "test-send-check"

#include "config.h"

#include <string.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-send-check.h"
#include "confab-store.h"
#include "confab-usage.h"

static void
append (ConfabConversation *conversation,
        ConfabRole          role,
        const char         *text,
        const char         *usage_json)
{
  g_autoptr(ConfabMessage) message = confab_message_new (role, text);

  if (usage_json != NULL)
    {
      g_autoptr(JsonNode) usage = json_from_string (usage_json, NULL);

      confab_usage_update_from_json (confab_message_get_usage (message), json_node_get_object (usage));
    }
  confab_conversation_append (conversation, message);
}

static void
test_known_context_lengths (void)
{
  g_assert_cmpint (confab_model_get_known_context_length ("moonshotai/kimi-k2-instruct-0905"), ==, 262144);
  g_assert_cmpint (confab_model_get_known_context_length ("gpt-4o"), ==, 128000);
  g_assert_cmpint (confab_model_get_known_context_length ("my-local-model"), ==, 0);
  g_assert_cmpint (confab_model_get_known_context_length (NULL), ==, 0);
}

static void
test_estimate_uses_reported_usage (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autofree char *long_text = g_strnfill (4000, 'x');

  /* Nothing reported: four bytes a token. */
  append (conversation, CONFAB_ROLE_USER, long_text, NULL);
  g_assert_cmpint (confab_send_check_estimate_tokens (conversation, "abcd"), ==, 1001);

  /* The provider's count for everything up to its answer, plus what came after. */
  append (conversation, CONFAB_ROLE_ASSISTANT, "ok",
          "{\"prompt_tokens\": 900, \"completion_tokens\": 100, \"total_tokens\": 1000}");
  append (conversation, CONFAB_ROLE_USER, long_text, NULL);
  g_assert_cmpint (confab_send_check_estimate_tokens (conversation, NULL), ==, 2000);
}

static void
test_context_warning_near_the_limit (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autofree char *warning = NULL;

  append (conversation, CONFAB_ROLE_ASSISTANT, "ok",
          "{\"prompt_tokens\": 880, \"completion_tokens\": 10, \"total_tokens\": 890}");
  g_assert_null (confab_send_check_context (conversation, "short", 1000));      /* 891 < 900 */
  g_assert_null (confab_send_check_context (conversation, "short", 0));         /* unknown */

  warning = confab_send_check_context (conversation, "some fifty bytes of text, enough to reach the limit", 1000);
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (warning, "1000"));
}

static void
test_budget_warning_once_reached (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open_default (&error);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *under = NULL;
  g_autofree char *reached = NULL;
  g_autoptr(ConfabMessage) answer = confab_message_new (CONFAB_ROLE_ASSISTANT, "");
  g_autoptr(JsonNode) usage = json_from_string ("{\"prompt_tokens\": 10, \"completion_tokens\": 1,"
                                                " \"total_tokens\": 11, \"cost\": 1.5}", NULL);

  g_assert_no_error (error);
  confab_conversation_set_provider_name (conversation, "OpenRouter");
  confab_store_track (store, conversation);
  append (conversation, CONFAB_ROLE_USER, "Hi", NULL);
  confab_message_set_state (answer, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, answer);
  confab_usage_update_from_json (confab_message_get_usage (answer), json_node_get_object (usage));
  confab_message_set_state (answer, CONFAB_MESSAGE_STATE_COMPLETE);
  g_assert_true (confab_store_flush (store, &error));

  under = confab_send_check_budget (store, "OpenRouter", 2.0, now);
  g_assert_null (under);
  g_assert_null (confab_send_check_budget (store, "OpenRouter", 0, now));     /* no budget */
  g_assert_null (confab_send_check_budget (store, "Groq", 1.0, now));         /* nothing spent */

  reached = confab_send_check_budget (store, "OpenRouter", 1.5, now);
  g_assert_nonnull (reached);
  g_assert_nonnull (strstr (reached, "OpenRouter"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/send-check/known-context-lengths", test_known_context_lengths);
  g_test_add_func ("/send-check/estimate-uses-reported-usage", test_estimate_uses_reported_usage);
  g_test_add_func ("/send-check/context-warning-near-the-limit", test_context_warning_near_the_limit);
  g_test_add_func ("/send-check/budget-warning-once-reached", test_budget_warning_once_reached);

  return g_test_run ();
}
