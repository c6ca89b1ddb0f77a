/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cassette"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "confab-approval-policy.h"
#include "confab-cassette-writer.h"
#include "confab-client.h"
#include "confab-conversation.h"
#include "confab-mcp-server.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-replay-server.h"
#include "confab-store.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"
#include "confab-turn.h"
#include "confab-turn-timing.h"

/* Save as recording, round trip: a turn recorded through the replay server (a real tool
 * loop with the test MCP server) is stored, loaded back, written as a cassette, and that
 * file replayed against the replay server reproduces the turn: the same request bodies
 * (the server compares each with the written one) and the same final messages. */

#define WAIT_MS 15000
#define MODEL "moonshotai/kimi-k2-instruct-0905"

typedef struct
{
  ConfabClient         *client;
  ConfabToolRegistry   *registry;
  ConfabApprovalPolicy *approvals;
  char                 *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *quoted = g_shell_quote (g_getenv ("CONFAB_TEST_MCP_SERVER"));
  g_autofree char *command = g_strdup_printf ("%s --tools %s", quoted, (const char *) data);
  g_autofree char *approvals_path = confab_approval_policy_get_default_path ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  fixture->client = confab_client_new ();
  fixture->registry = confab_tool_registry_new ();
  g_assert_true (confab_tool_registry_add_command (fixture->registry, command, &error));
  confab_tool_registry_start_async (fixture->registry, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_tool_registry_start_finish (fixture->registry, result, &error));
  g_assert_no_error (error);

  fixture->approvals = confab_approval_policy_new (approvals_path);
  confab_approval_policy_set_allow_all (fixture->approvals, TRUE);
  /* G_TEST_OPTION_ISOLATE_DIRS: a fresh directory per test, removed afterwards. */
  fixture->dir = g_build_filename (g_get_user_cache_dir (), "cassette", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  confab_tool_registry_stop (fixture->registry);
  g_clear_object (&fixture->registry);
  g_clear_object (&fixture->approvals);
  g_clear_object (&fixture->client);
  g_free (fixture->dir);
}

/* Runs the turn of the first request of @requests (system prompt + user prompt) against a
 * replay server loaded with @cassette_path; returns the conversation. */
static ConfabConversation *
replay (Fixture             *fixture,
        const char          *cassette_path,
        const char          *system_prompt,
        const char          *user_prompt,
        GPtrArray          **bodies_sent)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, user_prompt);
  g_autoptr(ConfabTurn) turn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *requests;

  g_assert_true (confab_replay_server_load_cassette (server, cassette_path, &error));
  g_assert_no_error (error);

  provider = confab_provider_new ("Replay", confab_replay_server_get_base_url (server));
  confab_provider_set_max_tokens (provider, 4000);
  confab_conversation_set_provider_name (conversation, "Replay");
  confab_conversation_set_base_url (conversation, confab_replay_server_get_base_url (server));
  confab_conversation_set_system_prompt (conversation, system_prompt);
  confab_conversation_append (conversation, user);

  turn = confab_turn_new (fixture->client, provider, conversation, fixture->registry, fixture->approvals);
  confab_turn_set_model (turn, MODEL);
  confab_turn_run_async (turn, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  g_assert_true (confab_turn_run_finish (turn, result, &error));
  g_assert_no_error (error);

  confab_replay_server_assert_no_mismatches (server);
  g_assert_cmpuint (confab_replay_server_get_n_pending (server), ==, 0);

  requests = confab_replay_server_get_requests (server);
  *bodies_sent = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < requests->len; i++)
    g_ptr_array_add (*bodies_sent, g_strdup (((ConfabReplayRequest *) g_ptr_array_index (requests, i))->body));

  return g_steal_pointer (&conversation);
}

static char *
message_prompt (const char *request_body,
                guint       index)
{
  g_autoptr(JsonNode) root = json_from_string (request_body, NULL);
  JsonArray *messages = json_object_get_array_member (json_node_get_object (root), "messages");

  return g_strdup (json_object_get_string_member (json_array_get_object_element (messages, index), "content"));
}

static void
assert_same_messages (ConfabConversation *a,
                      ConfabConversation *b)
{
  g_autoptr(JsonNode) ja = confab_conversation_to_messages_json (a);
  g_autoptr(JsonNode) jb = confab_conversation_to_messages_json (b);
  g_autofree char *difference = NULL;

  if (!confab_json_equal (ja, jb, &difference))
    g_error ("the replayed turn differs: %s", difference);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (a)), ==, g_list_model_get_n_items (G_LIST_MODEL (b)));
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *name = "multi_tool_streaming_groq-kimi-k2.json";
  g_autoptr(GPtrArray) recorded_requests = NULL;
  g_autoptr(GPtrArray) recorded_responses = NULL;
  g_autoptr(GPtrArray) first_bodies = NULL;
  g_autoptr(GPtrArray) second_bodies = NULL;
  g_autoptr(GPtrArray) written_requests = NULL;
  g_autoptr(GPtrArray) written_responses = NULL;
  g_autoptr(ConfabConversation) recorded = NULL;
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabConversation) replayed = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabCassetteWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *system_prompt = NULL;
  g_autofree char *user_prompt = NULL;
  g_autofree char *db = g_build_filename (fixture->dir, "confab.db", NULL);
  g_autofree char *path = g_build_filename (fixture->dir, "turn.json", NULL);
  g_autofree char *text = NULL;

  g_assert_true (confab_cassette_load (name, &recorded_requests, &recorded_responses, &error));
  system_prompt = message_prompt (g_ptr_array_index (recorded_requests, 0), 0);
  user_prompt = message_prompt (g_ptr_array_index (recorded_requests, 0), 1);

  /* 1. The turn as it really happened, stored and read back as the app would. */
  recorded = replay (fixture, name, system_prompt, user_prompt, &first_bodies);
  store = confab_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_save (store, recorded, &error));
  g_assert_no_error (error);
  loaded = confab_store_load (store, confab_conversation_get_id (recorded), &error);
  g_assert_no_error (error);

  /* The timeline reads the same times from the store as from the live turn. */
  {
    g_autoptr(GPtrArray) live = confab_turn_timing_collect (recorded, 1, NULL);
    g_autoptr(GPtrArray) stored = confab_turn_timing_collect (loaded, 1, NULL);

    g_assert_cmpuint (live->len, ==, 4);
    g_assert_cmpuint (stored->len, ==, live->len);
    for (guint i = 0; i < live->len; i++)
      {
        ConfabTiming *a = g_ptr_array_index (live, i);
        ConfabTiming *b = g_ptr_array_index (stored, i);

        g_assert_cmpstr (b->label, ==, a->label);
        g_assert_cmpstr (b->detail, ==, a->detail);
        g_assert_cmpint (b->start, ==, a->start);
        g_assert_cmpint (b->mark, ==, a->mark);
        g_assert_cmpint (b->end, ==, a->end);
        g_assert_cmpint (a->end, >=, 0);
      }
  }

  /* 2. Saved as a recording. */
  writer = confab_cassette_writer_new (loaded, NULL);
  g_assert_true (confab_cassette_writer_add_turn_at (writer, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (confab_cassette_writer_get_n_interactions (writer), ==, 2);
  text = confab_cassette_writer_to_data (writer, CONFAB_CASSETTE_FORMAT_JSON);
  g_assert_true (g_file_set_contents (path, text, -1, &error));

  /* The file holds what was sent and received, byte for byte. */
  g_assert_true (confab_cassette_load (path, &written_requests, &written_responses, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written_requests->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (written_requests, i), ==, g_ptr_array_index (first_bodies, i));
      g_assert_cmpstr (g_ptr_array_index (written_responses, i), ==, g_ptr_array_index (recorded_responses, i));
    }

  /* 3. Replayed: the server checks each request body against the written one. */
  replayed = replay (fixture, path, system_prompt, user_prompt, &second_bodies);
  g_assert_cmpuint (second_bodies->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (g_ptr_array_index (second_bodies, i), ==, g_ptr_array_index (first_bodies, i));
  assert_same_messages (recorded, replayed);
  g_assert_cmpstr (confab_message_get_content (confab_conversation_get_last_message (replayed)), ==,
                   confab_message_get_content (confab_conversation_get_last_message (recorded)));
}

/* The turn the CLI ran and stored, exported with the CLI: the request it sends when the
 * export is replayed is the same, and so is the answer. */
static ConfabCliResult *
cli_turn (ConfabReplayServer *server,
          const char         *system_prompt,
          const char         *user_prompt)
{
  g_autofree char *quoted = g_shell_quote (g_getenv ("CONFAB_TEST_MCP_SERVER"));
  g_autofree char *command = g_strdup_printf ("%s --tools add,multiply", quoted);
  const char *args[] = { "--base-url", confab_replay_server_get_base_url (server), "--model", MODEL,
                         "--mcp", command, "--yes", "--system", system_prompt, "--max-tokens", "4000",
                         "--json", user_prompt, NULL };

  return confab_test_run_cli (args, NULL, NULL, WAIT_MS);
}

static JsonObject *
last_event (ConfabCliResult  *result,
            GPtrArray       **keep)
{
  *keep = confab_test_parse_json_lines (result->stdout_text);
  g_assert_cmpuint ((*keep)->len, >, 0);
  return json_node_get_object (g_ptr_array_index (*keep, (*keep)->len - 1));
}

static void
test_cli_round_trip (void)
{
  const char *name = "multi_tool_streaming_groq-kimi-k2.json";
  g_autoptr(ConfabReplayServer) first_server = confab_replay_server_new ();
  g_autoptr(ConfabReplayServer) second_server = confab_replay_server_new ();
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GPtrArray) first_lines = NULL;
  g_autoptr(GPtrArray) second_lines = NULL;
  g_autoptr(ConfabCliResult) first = NULL;
  g_autoptr(ConfabCliResult) exported = NULL;
  g_autoptr(ConfabCliResult) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *system_prompt = NULL;
  g_autofree char *user_prompt = NULL;
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "exported.yaml", NULL);
  g_autofree char *json_path = g_build_filename (g_get_user_cache_dir (), "exported.json", NULL);
  g_autofree char *difference = NULL;
  const char *id;
  JsonObject *done1, *done2;

  g_assert_true (confab_cassette_load (name, &requests, &responses, &error));
  system_prompt = message_prompt (g_ptr_array_index (requests, 0), 0);
  user_prompt = message_prompt (g_ptr_array_index (requests, 0), 1);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);

  g_assert_true (confab_replay_server_load_cassette (first_server, name, &error));
  first = cli_turn (first_server, system_prompt, user_prompt);
  g_assert_cmpint (first->exit_status, ==, 0);
  done1 = last_event (first, &first_lines);
  id = json_object_get_string_member (done1, "conversation_id");
  g_assert_nonnull (id);

  {
    const char *args[] = { "export", id, "--format", "cassette", "--output", json_path, NULL };

    exported = confab_test_run_cli (args, NULL, NULL, WAIT_MS);
    g_assert_cmpint (exported->exit_status, ==, 0);
  }

  g_assert_true (confab_replay_server_load_cassette (second_server, json_path, &error));
  g_assert_no_error (error);
  second = cli_turn (second_server, system_prompt, user_prompt);
  g_assert_cmpint (second->exit_status, ==, 0);
  confab_replay_server_assert_no_mismatches (second_server);
  g_assert_cmpuint (confab_replay_server_get_n_pending (second_server), ==, 0);
  done2 = last_event (second, &second_lines);

  if (!confab_json_equal (json_object_get_member (done1, "messages"), json_object_get_member (done2, "messages"),
                          &difference))
    g_error ("the replayed CLI turn differs: %s", difference);

  /* --yaml writes the same recording in go-vcr's own format. */
  {
    const char *args[] = { "export", id, "--format", "cassette", "--yaml", "--output", path, NULL };
    g_autoptr(ConfabCliResult) yaml = confab_test_run_cli (args, NULL, NULL, WAIT_MS);
    g_autofree char *text = NULL;

    g_assert_cmpint (yaml->exit_status, ==, 0);
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_true (g_str_has_prefix (text, "---\nversion: 2\ninteractions:\n    - id: 0\n"));
    g_assert_nonnull (strstr (text, "    - id: 1\n"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/cassette/round-trip-multi-tool", Fixture, "add,multiply",
              fixture_set_up, test_round_trip, fixture_tear_down);

  g_test_add_func ("/cassette/cli-round-trip-multi-tool", test_cli_round_trip);

  return g_test_run ();
}
