/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store-cli"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-replay-server.h"
#include "confab-store.h"
#include "confab-test-util.h"
#include "confab-usage.h"

#define CLI_TIMEOUT_MS 20000

static const char hello_body[] =
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n"
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there!\"},\"finish_reason\":\"stop\"}]}\n\n"
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}\n\n"
  "data: [DONE]\n\n";

static const char second_body[] =
  "data: {\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Fine, thanks.\"},\"finish_reason\":\"stop\"}]}\n\n"
  "data: [DONE]\n\n";

/* The stream stops here and the server never ends the response. */
static const char stalled_body[] =
  "data: {\"id\":\"c3\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Once upon\"},\"finish_reason\":null}]}\n\n"
  "data: {\"id\":\"c3\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" a time\"},\"finish_reason\":null}]}\n\n";

static ConfabCliResult *
run_cli (const char * const *args)
{
  return confab_test_run_cli (args, NULL, NULL, CLI_TIMEOUT_MS);
}

static JsonObject *
last_line (ConfabCliResult *result,
           GPtrArray      **keep)
{
  *keep = confab_test_parse_json_lines (result->stdout_text);
  g_assert_cmpuint ((*keep)->len, >, 0);

  return json_node_get_object (g_ptr_array_index (*keep, (*keep)->len - 1));
}

/* Runs one successful turn and returns the conversation id from the final --json line. */
static char *
first_turn (ConfabReplayServer *server)
{
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  const char *args[] = { "--base-url", confab_replay_server_get_base_url (server),
                         "--model", "m", "--system", "Be brief.", "--json",
                         "Say hello", NULL };
  JsonObject *done;

  confab_replay_server_add_response (server, 200, NULL, hello_body, CONFAB_REPLAY_NONE);
  result = run_cli (args);
  g_test_message ("stderr: %s", result->stderr_text);
  g_assert_cmpint (result->exit_status, ==, 0);

  done = last_line (result, &lines);
  g_assert_cmpstr (json_object_get_string_member (done, "type"), ==, "done");
  g_assert_true (json_object_has_member (done, "conversation_id"));

  return g_strdup (json_object_get_string_member (done, "conversation_id"));
}

static void
test_run_is_stored (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *id = first_turn (server);
  g_autoptr(ConfabStore) store = confab_store_open_default (NULL);
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(ConfabMessage) user = NULL;
  g_autoptr(ConfabMessage) assistant = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (id);
  conversation = confab_store_load (store, id, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "Say hello");
  g_assert_cmpstr (confab_conversation_get_model (conversation), ==, "m");
  g_assert_cmpstr (confab_conversation_get_system_prompt (conversation), ==, "Be brief.");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
  user = g_list_model_get_item (G_LIST_MODEL (conversation), 0);
  assistant = g_list_model_get_item (G_LIST_MODEL (conversation), 1);
  g_assert_cmpstr (confab_message_get_content (user), ==, "Say hello");
  g_assert_cmpstr (confab_message_get_content (assistant), ==, "Hello there!");
  g_assert_cmpint (confab_message_get_state (assistant), ==, CONFAB_MESSAGE_STATE_COMPLETE);
  g_assert_cmpstr (confab_message_get_finish_reason (assistant), ==, "stop");
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (assistant)), ==, 15);
  g_assert_nonnull (confab_message_get_request_body (assistant));

  /* The inspector's raw response came back too (stored compressed). */
  {
    g_autoptr(GBytes) raw = confab_message_dup_raw_response (assistant);
    g_assert_cmpmem (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), hello_body, strlen (hello_body));
  }
}

static void
test_continue_sends_stored_history (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *id = first_turn (server);
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autofree char *expected_text = NULL;
  ConfabReplayRequest *first_request;
  ConfabReplayResponse *response;
  JsonArray *messages;
  JsonObject *done;
  JsonObject *message;
  /* No --model and no --system: both come from the store. */
  const char *args[] = { "--base-url", confab_replay_server_get_base_url (server),
                         "--continue", id, "--json", "And how are you?", NULL };

  /* What the second request must be: the first one, with the answer and the new prompt. */
  first_request = g_ptr_array_index (confab_replay_server_get_requests (server), 0);
  expected = json_from_string (first_request->body, NULL);
  g_assert_nonnull (expected);
  messages = json_object_get_array_member (json_node_get_object (expected), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  message = json_object_new ();
  json_object_set_string_member (message, "role", "assistant");
  json_object_set_string_member (message, "content", "Hello there!");
  json_array_add_object_element (messages, message);
  message = json_object_new ();
  json_object_set_string_member (message, "role", "user");
  json_object_set_string_member (message, "content", "And how are you?");
  json_array_add_object_element (messages, message);
  expected_text = json_to_string (expected, FALSE);

  response = confab_replay_server_add_response (server, 200, NULL, second_body, CONFAB_REPLAY_NONE);
  confab_replay_response_set_expected_body (response, expected_text);

  result = run_cli (args);
  g_test_message ("stderr: %s", result->stderr_text);
  g_assert_cmpint (result->exit_status, ==, 0);
  confab_replay_server_assert_no_mismatches (server);
  g_assert_cmpuint (confab_replay_server_get_n_served (server), ==, 2);

  done = last_line (result, &lines);
  g_assert_cmpstr (json_object_get_string_member (done, "type"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (done, "conversation_id"), ==, id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (done, "messages")), ==, 5);

  /* The store has the four messages, in order. */
  {
    g_autoptr(ConfabStore) store = confab_store_open_default (NULL);
    g_autoptr(ConfabConversation) conversation = confab_store_load (store, id, NULL);
    g_autoptr(ConfabMessage) last = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 4);
    last = g_list_model_get_item (G_LIST_MODEL (conversation), 3);
    g_assert_cmpstr (confab_message_get_content (last), ==, "Fine, thanks.");
  }
}

/* --from: the next prompt follows that message, as a new branch beside what followed it. */
static void
test_continue_from_message (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *id = first_turn (server);
  g_autoptr(ConfabCliResult) result = NULL;
  g_autoptr(ConfabCliResult) refused = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(ConfabMessage) answer = NULL;
  g_autoptr(ConfabMessage) branch = NULL;
  g_autofree char *answer_id = NULL;
  ConfabReplayRequest *request;
  const char *more[] = { "--base-url", confab_replay_server_get_base_url (server),
                         "--continue", id, "--json", "And how are you?", NULL };
  const char *from[] = { "--base-url", confab_replay_server_get_base_url (server),
                         "--continue", id, "--from", NULL, "--json", "Something else", NULL };
  const char *unknown[] = { "--base-url", confab_replay_server_get_base_url (server),
                            "--continue", id, "--from", "no-such-message", "hi", NULL };

  confab_replay_server_add_response (server, 200, NULL, second_body, CONFAB_REPLAY_NONE);
  g_clear_pointer (&result, confab_cli_result_free);
  result = run_cli (more);
  g_assert_cmpint (result->exit_status, ==, 0);

  store = confab_store_open_default (NULL);
  conversation = confab_store_load (store, id, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 4);
  answer = g_list_model_get_item (G_LIST_MODEL (conversation), 1);
  answer_id = g_strdup (confab_message_get_id (answer));
  g_clear_object (&answer);
  g_clear_object (&conversation);
  g_clear_object (&store);

  from[5] = answer_id;
  confab_replay_server_add_response (server, 200, NULL, second_body, CONFAB_REPLAY_NONE);
  g_clear_pointer (&result, confab_cli_result_free);
  result = run_cli (from);
  g_test_message ("stderr: %s", result->stderr_text);
  g_assert_cmpint (result->exit_status, ==, 0);

  /* The request had the history up to that answer, not what followed it. */
  request = g_ptr_array_index (confab_replay_server_get_requests (server), 2);
  g_assert_nonnull (strstr (request->body, "Something else"));
  g_assert_null (strstr (request->body, "And how are you?"));

  /* Both branches are stored; the new one is shown. */
  store = confab_store_open_default (NULL);
  conversation = confab_store_load (store, id, NULL);
  g_assert_cmpuint (confab_conversation_get_tree (conversation)->len, ==, 6);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 4);
  branch = g_list_model_get_item (G_LIST_MODEL (conversation), 2);
  g_assert_cmpstr (confab_message_get_content (branch), ==, "Something else");
  g_assert_cmpuint (confab_conversation_get_n_siblings (conversation, branch, NULL), ==, 2);

  refused = run_cli (unknown);
  g_assert_cmpint (refused->exit_status, !=, 0);
  g_assert_nonnull (strstr (refused->stderr_text, "no-such-message"));
  g_assert_cmpuint (confab_replay_server_get_n_served (server), ==, 3);
}

static void
test_continue_unknown_id (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabCliResult) result = NULL;
  const char *args[] = { "--base-url", confab_replay_server_get_base_url (server),
                         "--continue", "no-such-conversation", "hello", NULL };

  result = run_cli (args);
  g_assert_cmpint (result->exit_status, !=, 0);
  g_assert_nonnull (strstr (result->stderr_text, "no-such-conversation"));
  g_assert_cmpuint (confab_replay_server_get_n_served (server), ==, 0);
}

static void
test_list_search_export (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *id = first_turn (server);
  g_autofree char *out_path = g_build_filename (g_get_user_cache_dir (), "export.md", NULL);
  g_autofree char *markdown = NULL;

  {
    const char *args[] = { "list", NULL };
    g_autoptr(ConfabCliResult) result = run_cli (args);

    g_assert_cmpint (result->exit_status, ==, 0);
    g_assert_nonnull (strstr (result->stdout_text, id));
    g_assert_nonnull (strstr (result->stdout_text, "Say hello"));
  }

  {
    const char *args[] = { "search", "there", "--json", NULL };
    g_autoptr(ConfabCliResult) result = run_cli (args);
    g_autoptr(JsonNode) root = NULL;
    JsonObject *hit;

    g_assert_cmpint (result->exit_status, ==, 0);
    root = json_from_string (result->stdout_text, NULL);
    g_assert_nonnull (root);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
    hit = json_array_get_object_element (json_node_get_array (root), 0);
    g_assert_cmpstr (json_object_get_string_member (hit, "id"), ==, id);
    g_assert_nonnull (strstr (json_object_get_string_member (hit, "snippet"), "there"));
  }

  {
    const char *args[] = { "search", "nothing-like-this", NULL };
    g_autoptr(ConfabCliResult) result = run_cli (args);

    g_assert_cmpint (result->exit_status, ==, 0);
    g_assert_cmpstr (result->stdout_text, ==, "");
  }

  {
    const char *args[] = { "export", id, "--format", "openai", NULL };
    g_autoptr(ConfabCliResult) result = run_cli (args);
    g_autoptr(JsonNode) root = NULL;
    JsonArray *messages;

    g_assert_cmpint (result->exit_status, ==, 0);
    root = json_from_string (result->stdout_text, NULL);
    g_assert_nonnull (root);
    messages = json_node_get_array (root);
    g_assert_cmpuint (json_array_get_length (messages), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "role"), ==, "system");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 2), "content"), ==, "Hello there!");
  }

  {
    g_autofree char *json_path = g_build_filename (g_get_user_cache_dir (), "export.json", NULL);
    const char *args[] = { "export", id, "--format", "json", "--output", json_path, NULL };
    const char *delete_args[] = { "delete", id, NULL };
    const char *import_args[] = { "import", json_path, NULL };
    g_autoptr(ConfabCliResult) result = NULL;
    g_autoptr(ConfabCliResult) deleted = NULL;
    g_autoptr(ConfabCliResult) imported = NULL;
    g_autoptr(ConfabCliResult) again = NULL;
    g_autoptr(ConfabCliResult) exported = NULL;
    g_autofree char *before = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonObject *object;
    JsonArray *messages;

    g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
    result = run_cli (args);
    g_assert_cmpint (result->exit_status, ==, 0);
    g_assert_true (g_file_get_contents (json_path, &before, NULL, NULL));
    root = json_from_string (before, NULL);
    g_assert_nonnull (root);
    object = json_node_get_object (root);
    g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "confab-conversation");
    messages = json_object_get_array_member (object, "messages");
    g_assert_cmpuint (json_array_get_length (messages), ==, 2);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_array_get_object_element (messages, 1), "usage"),
                                                 "total_tokens"), ==, 15);

    /* Deleted, imported back: exported again, the same document. */
    deleted = run_cli (delete_args);
    g_assert_cmpint (deleted->exit_status, ==, 0);
    imported = run_cli (import_args);
    g_test_message ("import: %s%s", imported->stdout_text, imported->stderr_text);
    g_assert_cmpint (imported->exit_status, ==, 0);
    g_assert_nonnull (strstr (imported->stdout_text, "1 imported, 0 already there"));
    again = run_cli (import_args);
    g_assert_cmpint (again->exit_status, ==, 0);
    g_assert_nonnull (strstr (again->stdout_text, "0 imported, 1 already there"));
    exported = run_cli ((const char *[]) { "export", id, "--format", "json", NULL });
    g_assert_cmpint (exported->exit_status, ==, 0);
    g_assert_cmpstr (exported->stdout_text, ==, before);
  }

  {
    const char *args[] = { "export", id, "--format", "markdown", "--output", out_path, NULL };
    g_autoptr(ConfabCliResult) result = NULL;

    g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
    result = run_cli (args);
    g_test_message ("stderr: %s", result->stderr_text);
    g_assert_cmpint (result->exit_status, ==, 0);
    g_assert_cmpstr (result->stdout_text, ==, "");
    g_assert_true (g_file_get_contents (out_path, &markdown, NULL, NULL));
    g_assert_true (g_str_has_prefix (markdown, "# Say hello\n"));
    g_assert_nonnull (strstr (markdown, "## User\n\nSay hello\n"));
    g_assert_nonnull (strstr (markdown, "Hello there!\n"));
  }

  {
    const char *args[] = { "export", "no-such-id", NULL };
    g_autoptr(ConfabCliResult) result = run_cli (args);

    g_assert_cmpint (result->exit_status, !=, 0);
  }
}

static void
test_corrupt_database_untouched (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *after = NULL;
  static const char garbage[] = "this is not a database, it is a grocery list: eggs, milk, bread\n";
  gsize after_len;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, garbage, -1, NULL));

  {
    const char *args[] = { "list", NULL };
    g_autoptr(ConfabCliResult) result = run_cli (args);

    g_assert_cmpint (result->exit_status, !=, 0);
    g_assert_nonnull (strstr (result->stderr_text, "not a Confab database"));
  }

  {
    g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
    const char *args[] = { "--base-url", confab_replay_server_get_base_url (server),
                           "--model", "m", "hello", NULL };
    g_autoptr(ConfabCliResult) result = run_cli (args);

    g_assert_cmpint (result->exit_status, !=, 0);
    g_assert_cmpuint (confab_replay_server_get_n_served (server), ==, 0);
  }

  g_assert_true (g_file_get_contents (path, &after, &after_len, NULL));
  g_assert_cmpmem (after, after_len, garbage, strlen (garbage));
}

static void
test_newer_database_untouched (void)
{
  g_autofree char *path = confab_store_get_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  sqlite3 *db = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE future (x); PRAGMA user_version = 99;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (g_file_get_contents (path, &before, &before_len, NULL));

  {
    const char *args[] = { "search", "anything", NULL };
    g_autoptr(ConfabCliResult) result = run_cli (args);

    g_assert_cmpint (result->exit_status, !=, 0);
    g_assert_nonnull (strstr (result->stderr_text, "newer Confab"));
  }

  g_assert_true (g_file_get_contents (path, &after, &after_len, NULL));
  g_assert_cmpmem (after, after_len, before, before_len);
}

/* The assistant text as stored right now, read the way another process would. */
static char *
stored_assistant_text (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT content || coalesce ((SELECT group_concat (text, '') FROM"
                                  " (SELECT text FROM message_pieces p WHERE p.message_id = m.id AND kind = 0"
                                  "  ORDER BY seq)), '') FROM messages m WHERE role = 'assistant'",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *)sqlite3_column_text (stmt, 0));

  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return text;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *)user_data = TRUE;
}

static void
test_kill_during_stream (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(ConfabStoreSummary) summary = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(ConfabMessage) user = NULL;
  g_autoptr(ConfabMessage) assistant = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = confab_store_get_default_path ();
  g_autofree char *text = NULL;
  gboolean exited = FALSE;
  guint tick;
  const char *argv[] = { g_getenv ("CONFAB_CLI"), "--base-url", confab_replay_server_get_base_url (server),
                         "--model", "m", "--json", "Tell me a story", NULL };

  confab_replay_server_add_response (server, 200, NULL, stalled_body, CONFAB_REPLAY_STALL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  /* Wait until the streamed text is on disk (polled; the server runs in this loop). */
  tick = g_timeout_add (20, tick_cb, NULL);
  CONFAB_TEST_WAIT_FOR ((g_free (text), text = stored_assistant_text (path),
                         g_strcmp0 (text, "Once upon a time") == 0), CLI_TIMEOUT_MS);
  g_source_remove (tick);

  /* It is on disk as appended pieces (the message row itself has not grown). */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count (*) FROM message_pieces", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), >, 0);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }

  /* kill -9: no handler, no flush, no goodbye. */
  g_subprocess_force_exit (process);
  g_subprocess_wait_async (process, NULL, exited_cb, &exited);
  CONFAB_TEST_WAIT_FOR (exited, CLI_TIMEOUT_MS);
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);

  store = confab_store_open_default (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (confab_store_get_n_recovered (store), ==, 1);

  list = confab_store_list (store, &error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  summary = g_list_model_get_item (list, 0);
  conversation = confab_store_load (store, confab_store_summary_get_id (summary), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);

  user = g_list_model_get_item (G_LIST_MODEL (conversation), 0);
  g_assert_cmpstr (confab_message_get_content (user), ==, "Tell me a story");
  assistant = g_list_model_get_item (G_LIST_MODEL (conversation), 1);
  g_assert_cmpstr (confab_message_get_content (assistant), ==, "Once upon a time");
  g_assert_cmpint (confab_message_get_state (assistant), ==, CONFAB_MESSAGE_STATE_INTERRUPTED);

  /* Recovery joined the pieces into the message, and so indexed it. */
  {
    g_autoptr(GListModel) hits = confab_store_search (store, "upon", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 1);
  }
}

static GSubprocess *
spawn_cli (const char * const *args,
           GSpawnChildSetupFunc child_setup)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (gpointer)g_getenv ("CONFAB_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  if (child_setup != NULL)
    g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  return process;
}

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
} Output;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Output *output = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &output->out, &output->err, NULL);
  output->done = TRUE;
}

static int
wait_cli (GSubprocess *process,
          Output      *output)
{
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, output);
  CONFAB_TEST_WAIT_FOR (output->done, CLI_TIMEOUT_MS);
  g_assert_true (g_subprocess_get_if_exited (process));

  return g_subprocess_get_exit_status (process);
}

static void
test_concurrent_first_runs (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *processes[6];
  Output outputs[6] = { { 0 } };
  const char *args[] = { "--base-url", confab_replay_server_get_base_url (server),
                         "--model", "m", "--json", "Say hello", NULL };

  /* Six first runs at once on a database that does not exist yet: each migrates, or finds
   * it migrated, inside its write transaction; all succeed. */
  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    confab_replay_server_add_response (server, 200, NULL, hello_body, CONFAB_REPLAY_NONE);
  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    processes[i] = spawn_cli (args, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      int status = wait_cli (processes[i], &outputs[i]);

      g_test_message ("run %u: %s%s", i, outputs[i].err, status != 0 ? outputs[i].out : "");
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (outputs[i].out, "\"type\":\"done\""));
      g_free (outputs[i].out);
      g_free (outputs[i].err);
      g_object_unref (processes[i]);
    }

  store = confab_store_open_default (&error);
  g_assert_no_error (error);
  list = confab_store_list (store, &error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, G_N_ELEMENTS (processes));
}

/* TRUE once a message is streaming in the database at @path. */
static gboolean
has_streaming_message (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT 1 FROM messages WHERE state = 'streaming'", -1, &stmt, NULL) == SQLITE_OK)
    found = sqlite3_step (stmt) == SQLITE_ROW;

  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return found;
}

static void
test_continue_busy_refused (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *id = first_turn (server);
  g_autofree char *path = confab_store_get_default_path ();
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  Output output = { 0 };
  guint tick;
  const char *args[] = { "--base-url", confab_replay_server_get_base_url (server),
                         "--model", "m", "--json", "--continue", id, "Go on", NULL };

  /* The first --continue streams (and stalls); the second is refused with a clear error,
   * before it writes anything. */
  confab_replay_server_add_response (server, 200, NULL, stalled_body, CONFAB_REPLAY_STALL);
  first = spawn_cli (args, NULL);
  tick = g_timeout_add (20, tick_cb, NULL);
  CONFAB_TEST_WAIT_FOR (has_streaming_message (path), CLI_TIMEOUT_MS);
  g_source_remove (tick);

  second = spawn_cli (args, NULL);
  g_assert_cmpint (wait_cli (second, &output), !=, 0);
  g_test_message ("stdout: %s stderr: %s", output.out, output.err);
  g_assert_nonnull (strstr (output.out, "\"type\":\"error\""));
  g_assert_nonnull (strstr (output.out, "busy in another window or process"));
  g_assert_cmpuint (confab_replay_server_get_n_served (server), ==, 2);
  g_free (output.out);
  g_free (output.err);

  g_subprocess_force_exit (first);
  {
    gboolean exited = FALSE;

    g_subprocess_wait_async (first, NULL, exited_cb, &exited);
    CONFAB_TEST_WAIT_FOR (exited, CLI_TIMEOUT_MS);
  }
}

/* Files may not grow past 256 KiB in the child: a full disk, as far as SQLite can tell. */
static void
limit_file_size (gpointer user_data)
{
  struct rlimit limit = { 256 * 1024, 256 * 1024 };

  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static void
test_full_disk_fails_the_run (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *last;
  Output output = { 0 };
  const char *args[] = { "--base-url", confab_replay_server_get_base_url (server),
                         "--model", "m", "--json", "Write a lot", NULL };

  /* The database exists (so the run gets as far as the answer); the answer, 1 MB, does
   * not fit. */
  {
    const char *list_args[] = { "list", NULL };
    g_autoptr(ConfabCliResult) listed = run_cli (list_args);

    g_assert_cmpint (listed->exit_status, ==, 0);
  }

  for (guint i = 0; i < 1024; i++)
    g_string_append (body, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                           "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt "
                           "ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation "
                           "ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in "
                           "reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur "
                           "sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id "
                           "est laborum. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
                           "tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis "
                           "nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute "
                           "irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla "
                           "pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia "
                           "deserunt mollit anim id est laborum.\"},\"finish_reason\":null}]}\n\n");
  g_string_append (body, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                         "data: [DONE]\n\n");
  confab_replay_server_add_response (server, 200, NULL, body->str, CONFAB_REPLAY_WHOLE);

  process = spawn_cli (args, limit_file_size);
  g_assert_cmpint (wait_cli (process, &output), !=, 0);
  g_test_message ("stderr: %s", output.err);

  /* Not "done": an error event that says the answer was not saved. */
  lines = confab_test_parse_json_lines (output.out);
  g_assert_cmpuint (lines->len, >, 0);
  last = json_node_get_object (g_ptr_array_index (lines, lines->len - 1));
  g_assert_cmpstr (json_object_get_string_member (last, "type"), ==, "error");
  g_assert_nonnull (strstr (json_object_get_string_member (last, "message"), "Could not save the conversation"));
  g_free (output.out);
  g_free (output.err);
}

/* The child runs as nobody when the test runs as root (root writes any file). */
static void
become_nobody (gpointer user_data)
{
  if (getuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
    _exit (99);
}

static void
test_read_only_database_fails_the_run (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *home = g_dir_make_tmp ("confab-ro-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (home, "data", NULL);
  g_autofree char *dir = g_build_filename (data, "confab", NULL);
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *last;
  Output output = { 0 };
  int status;
  g_autofree char *cli = g_build_filename (home, "confab-cli", NULL);
  const char *argv[] = { cli, "--base-url", confab_replay_server_get_base_url (server),
                         "--model", "m", "--json", "Say hello", NULL };

  /* nobody may not reach the build tree (a checkout under a private folder): it runs a copy
   * of confab-cli from the test's own folder. */
  {
    g_autoptr(GFile) from = g_file_new_for_path (g_getenv ("CONFAB_CLI"));
    g_autoptr(GFile) to = g_file_new_for_path (cli);

    g_assert_true (g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_chmod (cli, 0755), ==, 0);
  }

  /* A healthy database the user may read but not write, in folders it may write (so the
   * WAL can be opened: only the writes fail). */
  {
    g_autoptr(ConfabStore) store = NULL;

    g_assert_cmpint (g_mkdir_with_parents (dir, 0777), ==, 0);
    store = confab_store_open (path, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (g_chmod (home, 0777), ==, 0);
  g_assert_cmpint (g_chmod (data, 0777), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0777), ==, 0);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_chmod (wal, 0666);
    g_chmod (shm, 0666);
  }

  confab_replay_server_add_response (server, 200, NULL, hello_body, CONFAB_REPLAY_NONE);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", home, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, become_nobody, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  status = wait_cli (process, &output);
  g_test_message ("stdout: %s\nstderr: %s", output.out, output.err);
  if (status == 99)
    {
      g_test_skip ("running as root and could not switch to the user nobody to meet file permissions");
      g_free (output.out);
      g_free (output.err);
      g_chmod (path, 0644);
      return;
    }
  g_assert_cmpint (status, !=, 0);
  lines = confab_test_parse_json_lines (output.out);
  g_assert_cmpuint (lines->len, >, 0);
  last = json_node_get_object (g_ptr_array_index (lines, lines->len - 1));
  g_assert_cmpstr (json_object_get_string_member (last, "type"), ==, "error");
  g_assert_nonnull (strstr (json_object_get_string_member (last, "message"), "ermission denied"));
  g_assert_null (strstr (json_object_get_string_member (last, "message"), "damaged"));
  g_free (output.out);
  g_free (output.err);

  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (path);
    g_rmdir (dir);
    g_rmdir (data);
    g_rmdir (home);
  }
}

/* export --format cassette: the stored turn as a go-vcr recording, JSON by default,
 * YAML with --yaml; a turn that does not exist is a readable error. */
static void
test_export_cassette (void)
{
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autofree char *id = first_turn (server);
  const char *json_args[] = { "export", id, "--format", "cassette", NULL };
  const char *yaml_args[] = { "export", id, "--format", "cassette", "--yaml", NULL };
  const char *bad_args[] = { "export", id, "--format", "cassette", "--turn", "5", NULL };
  const char *negative_args[] = { "export", id, "--format", "cassette", "--turn", "-1", NULL };
  g_autoptr(ConfabCliResult) json = run_cli (json_args);
  g_autoptr(ConfabCliResult) yaml = run_cli (yaml_args);
  g_autoptr(ConfabCliResult) bad = run_cli (bad_args);
  g_autoptr(ConfabCliResult) negative = run_cli (negative_args);
  g_autoptr(JsonNode) root = NULL;
  ConfabReplayRequest *sent;
  JsonArray *interactions;
  JsonObject *interaction;

  g_assert_cmpint (json->exit_status, ==, 0);
  root = json_from_string (json->stdout_text, NULL);
  g_assert_nonnull (root);
  interactions = json_object_get_array_member (json_node_get_object (root), "interactions");
  g_assert_cmpuint (json_array_get_length (interactions), ==, 1);
  interaction = json_array_get_object_element (interactions, 0);
  sent = g_ptr_array_index (confab_replay_server_get_requests (server), 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (interaction, "request"), "body"), ==,
                   sent->body);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (interaction, "response"), "body"), ==,
                   hello_body);

  g_assert_cmpint (yaml->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (yaml->stdout_text, "---\nversion: 2\n"));

  g_assert_cmpint (bad->exit_status, ==, 1);
  g_assert_nonnull (strstr (bad->stderr_text, "There is no turn 5"));
  g_assert_cmpint (negative->exit_status, ==, 2);
  g_assert_nonnull (strstr (negative->stderr_text, "--turn counts from 1"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store-cli/run-is-stored", test_run_is_stored);
  g_test_add_func ("/store-cli/continue-sends-stored-history", test_continue_sends_stored_history);
  g_test_add_func ("/store-cli/continue-unknown-id", test_continue_unknown_id);
  g_test_add_func ("/store-cli/continue-from-message", test_continue_from_message);
  g_test_add_func ("/store-cli/list-search-export", test_list_search_export);
  g_test_add_func ("/store-cli/export-cassette", test_export_cassette);
  g_test_add_func ("/store-cli/corrupt-database-untouched", test_corrupt_database_untouched);
  g_test_add_func ("/store-cli/newer-database-untouched", test_newer_database_untouched);
  g_test_add_func ("/store-cli/kill-9-during-stream", test_kill_during_stream);
  g_test_add_func ("/store-cli/concurrent-first-runs", test_concurrent_first_runs);
  g_test_add_func ("/store-cli/continue-busy-refused", test_continue_busy_refused);
  g_test_add_func ("/store-cli/full-disk-fails-the-run", test_full_disk_fails_the_run);
  g_test_add_func ("/store-cli/read-only-database-fails-the-run", test_read_only_database_fails_the_run);

  return g_test_run ();
}
