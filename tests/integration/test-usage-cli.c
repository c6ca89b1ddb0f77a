/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `confab-cli usage`: the ledger's sums equal the usage stored with the answers, and stay
 * when a conversation is deleted. */
#define G_LOG_DOMAIN "test-usage-cli"

#include "config.h"

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-replay-server.h"
#include "confab-store.h"
#include "confab-test-util.h"
#include <string.h>

#include "confab-usage.h"

#define CLI_TIMEOUT_MS 20000

static const char answer_body[] =
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":\"stop\"}]}\n\n"
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15,\"cost\":0.002}}\n\n"
  "data: [DONE]\n\n";

static char *
ask (ConfabReplayServer *server,
     const char         *prompt)
{
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  const char *args[] = { "--base-url", confab_replay_server_get_base_url (server),
                         "--model", "m", "--json", prompt, NULL };
  JsonObject *done;

  confab_replay_server_add_response (server, 200, NULL, answer_body, CONFAB_REPLAY_NONE);
  result = confab_test_run_cli (args, NULL, NULL, CLI_TIMEOUT_MS);
  g_assert_cmpint (result->exit_status, ==, 0);
  lines = confab_test_parse_json_lines (result->stdout_text);
  done = json_node_get_object (g_ptr_array_index (lines, lines->len - 1));
  g_assert_cmpstr (json_object_get_string_member (done, "type"), ==, "done");

  return g_strdup (json_object_get_string_member (done, "conversation_id"));
}

static JsonObject *
usage_line (GPtrArray **keep)
{
  const char *args[] = { "usage", "--json", NULL };
  g_autoptr(ConfabCliResult) result = confab_test_run_cli (args, NULL, NULL, CLI_TIMEOUT_MS);

  g_assert_cmpint (result->exit_status, ==, 0);
  *keep = confab_test_parse_json_lines (result->stdout_text);
  g_assert_cmpuint ((*keep)->len, ==, 1);

  return json_node_get_object (g_ptr_array_index (*keep, 0));
}

/* What the store kept with the answers, summed as a check of the ledger. */
static gint64
stored_total_tokens (const char * const *ids)
{
  g_autoptr(ConfabStore) store = confab_store_open_default (NULL);
  gint64 sum = 0;

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(ConfabConversation) conversation = confab_store_load (store, ids[i], NULL);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

      for (guint j = 0; j < n; j++)
        {
          g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), j);

          if (confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT)
            sum += confab_usage_get_total_tokens (confab_message_get_usage (message));
        }
    }

  return sum;
}

static void
test_usage_sums_and_survives_delete (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *first = ask (server, "One");
  g_autofree char *second = ask (server, "Two");
  const char *ids[] = { first, second, NULL };
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(ConfabCliResult) deleted = NULL;
  g_autoptr(ConfabCliResult) table = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *month = g_date_time_format (now, "%Y-%m");
  const char *delete_args[] = { "delete", first, NULL };
  const char *month_args[] = { "usage", "--by", "month", NULL };
  JsonObject *line;

  line = usage_line (&lines);
  g_assert_cmpint (json_object_get_int_member (line, "requests"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (line, "total_tokens"), ==, stored_total_tokens (ids));
  g_assert_cmpint (json_object_get_int_member (line, "total_tokens"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (line, "requests_with_cost"), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (line, "cost"), 0.004, 1e-9);
  g_clear_pointer (&lines, g_ptr_array_unref);

  deleted = confab_test_run_cli (delete_args, NULL, NULL, CLI_TIMEOUT_MS);
  g_assert_cmpint (deleted->exit_status, ==, 0);
  line = usage_line (&lines);
  g_assert_cmpint (json_object_get_int_member (line, "requests"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (line, "total_tokens"), ==, 30);

  table = confab_test_run_cli (month_args, NULL, NULL, CLI_TIMEOUT_MS);
  g_assert_cmpint (table->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (table->stdout_text, "MONTH"));
  g_assert_nonnull (strstr (table->stdout_text, month));
  g_assert_nonnull (strstr (table->stdout_text, "0.0040"));
}

static void
test_usage_refuses_unknown_grouping (void)
{
  const char *args[] = { "usage", "--by", "weekday", NULL };
  g_autoptr(ConfabCliResult) result = confab_test_run_cli (args, NULL, NULL, CLI_TIMEOUT_MS);

  g_assert_cmpint (result->exit_status, ==, 2);
  g_assert_nonnull (strstr (result->stderr_text, "provider, model or month"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/usage-cli/sums-and-survives-delete", test_usage_sums_and_survives_delete);
  g_test_add_func ("/usage-cli/unknown-grouping", test_usage_refuses_unknown_grouping);

  return g_test_run ();
}
