/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-export.h"
#include "confab-import.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-test-util.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

static char *
temp_db_path (void)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives each test its own XDG_DATA_HOME. */
  return confab_store_get_default_path ();
}

/* A value read with a separate connection, as another process would see it. */
static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    result = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return result;
}

static void
exec_script (const char *path,
             const char *sql)
{
  sqlite3 *db = NULL;
  char *errmsg = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    g_error ("script failed: %s", errmsg);
  sqlite3_close (db);
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static ConfabConversation *
make_full_conversation (void)
{
  ConfabConversation *conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "  What is the weather in Florence?\nThanks");
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, "Let me check.");
  g_autoptr(ConfabMessage) tool = confab_message_new (CONFAB_ROLE_TOOL, "Sunny, 24 °C");
  g_autoptr(ConfabMessage) failed = confab_message_new (CONFAB_ROLE_ASSISTANT, "It is sunny and");
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  g_autoptr(ConfabToolCall) denied = confab_tool_call_new (1);
  g_autoptr(JsonNode) usage_json = json_from_string ("{\"prompt_tokens\": 120, \"completion_tokens\": 20,"
                                                     " \"total_tokens\": 140, \"cost\": 0.00042,"
                                                     " \"prompt_tokens_details\": {\"cached_tokens\": 64},"
                                                     " \"completion_tokens_details\": {\"reasoning_tokens\": 7}}",
                                                     NULL);
  g_autoptr(JsonNode) content = json_from_string ("[{\"type\": \"text\", \"text\": \"Sunny\"}]", NULL);
  g_autoptr(GError) error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_HTTP, "HTTP 429: slow down");
  g_autoptr(GBytes) raw = g_bytes_new_static ("data: {\"choices\":[]}\n\n", 22);
  gint64 times[6] = { 11, 22, 33, 44, 0, 0 };

  confab_conversation_set_system_prompt (conversation, "Be brief.");
  confab_conversation_set_provider_name (conversation, "Groq");
  confab_conversation_set_base_url (conversation, "https://api.groq.com/openai/v1");
  confab_conversation_set_model (conversation, "llama-3.3-70b-versatile");
  confab_conversation_set_created_at (conversation, 1700000000000000);

  confab_message_set_created_at (user, 1700000000000001);
  confab_conversation_append (conversation, user);

  confab_message_set_reasoning (assistant, "The user wants weather.");
  confab_message_set_finish_reason (assistant, "tool_calls");
  confab_message_set_model (assistant, "llama-3.3-70b-versatile");
  confab_message_set_request_body (assistant, "{\"model\":\"llama-3.3-70b-versatile\",\"stream\":true}");
  confab_message_set_raw_response (assistant, raw);
  confab_message_set_created_at (assistant, 1700000000000002);
  confab_usage_update_from_json (confab_message_get_usage (assistant), json_node_get_object (usage_json));
  confab_usage_set_timings (confab_message_get_usage (assistant), 0.25, 1.5);
  confab_tool_call_set_id (call, "call_1");
  confab_tool_call_set_name (call, "get_weather");
  confab_tool_call_set_server (call, "weather");
  confab_tool_call_set_arguments (call, "{\"location\": \"Florence,Italy\"}");
  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_DONE);
  confab_tool_call_restore_times (call, times, G_N_ELEMENTS (times));
  confab_tool_call_set_result (call, "Sunny, 24 °C");
  confab_tool_call_set_result_content (call, content);
  confab_message_add_tool_call (assistant, call);
  confab_tool_call_set_id (denied, "call_2");
  confab_tool_call_set_name (denied, "rm_rf");
  confab_tool_call_set_arguments (denied, "{}");
  confab_tool_call_set_status (denied, CONFAB_TOOL_CALL_STATUS_DENIED);
  confab_tool_call_set_error (denied, "Denied by the user");
  confab_message_add_tool_call (assistant, denied);
  confab_conversation_append (conversation, assistant);

  confab_message_set_tool_call_id (tool, "call_1");
  confab_conversation_append (conversation, tool);

  confab_message_set_retry_after (failed, 30);
  confab_message_fail (failed, error);
  confab_conversation_append (conversation, failed);

  return conversation;
}

static void
assert_usage_equal (ConfabUsage *a,
                    ConfabUsage *b)
{
  g_assert_cmpint (confab_usage_get_reported (a), ==, confab_usage_get_reported (b));
  g_assert_cmpint (confab_usage_get_prompt_tokens (a), ==, confab_usage_get_prompt_tokens (b));
  g_assert_cmpint (confab_usage_get_completion_tokens (a), ==, confab_usage_get_completion_tokens (b));
  g_assert_cmpint (confab_usage_get_total_tokens (a), ==, confab_usage_get_total_tokens (b));
  g_assert_cmpint (confab_usage_get_cached_tokens (a), ==, confab_usage_get_cached_tokens (b));
  g_assert_cmpint (confab_usage_get_reasoning_tokens (a), ==, confab_usage_get_reasoning_tokens (b));
  g_assert_cmpint (confab_usage_get_has_cost (a), ==, confab_usage_get_has_cost (b));
  g_assert_cmpfloat (confab_usage_get_cost (a), ==, confab_usage_get_cost (b));
  g_assert_cmpfloat (confab_usage_get_time_to_first_token (a), ==, confab_usage_get_time_to_first_token (b));
  g_assert_cmpfloat (confab_usage_get_duration (a), ==, confab_usage_get_duration (b));
}

static void
assert_conversations_equal (ConfabConversation *a,
                            ConfabConversation *b)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (a));

  g_assert_cmpstr (confab_conversation_get_id (a), ==, confab_conversation_get_id (b));
  g_assert_cmpstr (confab_conversation_get_title (a), ==, confab_conversation_get_title (b));
  g_assert_cmpstr (confab_conversation_get_system_prompt (a), ==, confab_conversation_get_system_prompt (b));
  g_assert_cmpstr (confab_conversation_get_provider_name (a), ==, confab_conversation_get_provider_name (b));
  g_assert_cmpstr (confab_conversation_get_base_url (a), ==, confab_conversation_get_base_url (b));
  g_assert_cmpstr (confab_conversation_get_model (a), ==, confab_conversation_get_model (b));
  g_assert_cmpint (confab_conversation_get_created_at (a), ==, confab_conversation_get_created_at (b));
  g_assert_cmpint (confab_conversation_get_updated_at (a), ==, confab_conversation_get_updated_at (b));
  g_assert_cmpuint (n, ==, g_list_model_get_n_items (G_LIST_MODEL (b)));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) ma = g_list_model_get_item (G_LIST_MODEL (a), i);
      g_autoptr(ConfabMessage) mb = g_list_model_get_item (G_LIST_MODEL (b), i);
      g_autoptr(GBytes) raw_a = confab_message_dup_raw_response (ma);
      g_autoptr(GBytes) raw_b = confab_message_dup_raw_response (mb);
      GListModel *calls_a = confab_message_get_tool_calls (ma);
      GListModel *calls_b = confab_message_get_tool_calls (mb);
      const GError *ea = confab_message_get_error (ma);
      const GError *eb = confab_message_get_error (mb);

      g_assert_cmpstr (confab_message_get_id (ma), ==, confab_message_get_id (mb));
      g_assert_cmpint (confab_message_get_role (ma), ==, confab_message_get_role (mb));
      g_assert_cmpstr (confab_message_get_content (ma), ==, confab_message_get_content (mb));
      g_assert_cmpstr (confab_message_get_reasoning (ma), ==, confab_message_get_reasoning (mb));
      g_assert_cmpstr (confab_message_get_tool_call_id (ma), ==, confab_message_get_tool_call_id (mb));
      g_assert_cmpstr (confab_message_get_finish_reason (ma), ==, confab_message_get_finish_reason (mb));
      g_assert_cmpint (confab_message_get_state (ma), ==, confab_message_get_state (mb));
      g_assert_cmpint (confab_message_get_retry_after (ma), ==, confab_message_get_retry_after (mb));
      g_assert_cmpstr (confab_message_get_model (ma), ==, confab_message_get_model (mb));
      g_assert_cmpint (confab_message_get_created_at (ma), ==, confab_message_get_created_at (mb));
      g_assert_cmpstr (confab_message_get_request_body (ma), ==, confab_message_get_request_body (mb));
      g_assert_true (g_bytes_equal (raw_a, raw_b));
      g_assert_true ((ea == NULL) == (eb == NULL));
      if (ea != NULL)
        {
          g_assert_error (eb, ea->domain, ea->code);
          g_assert_cmpstr (ea->message, ==, eb->message);
        }
      assert_usage_equal (confab_message_get_usage (ma), confab_message_get_usage (mb));

      g_assert_cmpuint (g_list_model_get_n_items (calls_a), ==, g_list_model_get_n_items (calls_b));
      for (guint j = 0; j < g_list_model_get_n_items (calls_a); j++)
        {
          g_autoptr(ConfabToolCall) ca = g_list_model_get_item (calls_a, j);
          g_autoptr(ConfabToolCall) cb = g_list_model_get_item (calls_b, j);
          JsonNode *rca = confab_tool_call_get_result_content (ca);
          JsonNode *rcb = confab_tool_call_get_result_content (cb);

          g_assert_cmpuint (confab_tool_call_get_index (ca), ==, confab_tool_call_get_index (cb));
          g_assert_cmpstr (confab_tool_call_get_id (ca), ==, confab_tool_call_get_id (cb));
          g_assert_cmpstr (confab_tool_call_get_name (ca), ==, confab_tool_call_get_name (cb));
          g_assert_cmpstr (confab_tool_call_get_server (ca), ==, confab_tool_call_get_server (cb));
          g_assert_cmpstr (confab_tool_call_get_arguments (ca), ==, confab_tool_call_get_arguments (cb));
          g_assert_cmpint (confab_tool_call_get_status (ca), ==, confab_tool_call_get_status (cb));
          g_assert_cmpstr (confab_tool_call_get_result (ca), ==, confab_tool_call_get_result (cb));
          g_assert_cmpstr (confab_tool_call_get_error (ca), ==, confab_tool_call_get_error (cb));
          g_assert_true ((rca == NULL) == (rcb == NULL));
          if (rca != NULL)
            g_assert_true (json_node_equal (rca, rcb));
          for (guint s = 0; s <= CONFAB_TOOL_CALL_STATUS_DENIED; s++)
            g_assert_cmpint (confab_tool_call_get_status_time (ca, s), ==, confab_tool_call_get_status_time (cb, s));
          g_assert_cmpfloat (confab_tool_call_get_duration (ca), ==, confab_tool_call_get_duration (cb));
        }
    }
}

static void
test_round_trip (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_save (store, conversation, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* A fresh connection: nothing comes from memory. */
  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  loaded = confab_store_load (store, confab_conversation_get_id (conversation), &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);

  g_assert_cmpstr (confab_conversation_get_title (loaded), ==, "What is the weather in Florence?");
  assert_conversations_equal (conversation, loaded);

  /* What the next request sends is the same. */
  {
    g_autoptr(JsonNode) before = confab_conversation_to_messages_json (conversation);
    g_autoptr(JsonNode) after = confab_conversation_to_messages_json (loaded);
    g_assert_true (json_node_equal (before, after));
  }
}

static void
test_load_missing (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabConversation) loaded = confab_store_load (store, "no-such-id", &error);

  g_assert_null (loaded);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE);
}

static void
test_schema (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *mode = NULL;

  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_store_get_path (store), ==, path);
  g_assert_true (g_str_has_suffix (path, "/confab/confab.db"));

  version = query_text (path, "PRAGMA user_version");
  g_assert_cmpint (atoi (version), ==, CONFAB_STORE_SCHEMA_VERSION);
  mode = query_text (path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
}

static void
test_user_message_committed_at_once (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Hello there");
  g_autofree char *sql = NULL;
  g_autofree char *content = NULL;
  g_autofree char *title = NULL;

  confab_store_track (store, conversation);
  confab_conversation_append (conversation, user);

  /* No main-loop iteration: it is on disk as soon as append returns. */
  sql = g_strdup_printf ("SELECT content FROM messages WHERE id = '%s'", confab_message_get_id (user));
  content = query_text (path, sql);
  g_assert_cmpstr (content, ==, "Hello there");
  title = query_text (path, "SELECT title FROM conversations");
  g_assert_cmpstr (title, ==, "Hello there");

  confab_store_untrack (store, conversation);
}

static void
test_streaming_batched (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Count");
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *sql = NULL;
  g_autofree char *state = NULL;
  g_autofree char *raw_size = NULL;
  guint writes_before;
  gint64 started;

  confab_store_track (store, conversation);
  confab_conversation_append (conversation, user);
  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, assistant);
  /* While it streams, the text on disk is the row's and the pieces appended since. */
  sql = g_strdup_printf ("SELECT content || coalesce ((SELECT group_concat (text, '') FROM"
                         " (SELECT text FROM message_pieces p WHERE p.message_id = m.id AND kind = 0 ORDER BY seq)), '')"
                         " FROM messages m WHERE id = '%s'", confab_message_get_id (assistant));

  /* A thousand pieces in a burst are one write, not a thousand. */
  g_assert_true (confab_store_flush (store, NULL));
  writes_before = confab_store_get_n_writes (store);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *piece = g_strdup_printf ("%u ", i);

      confab_message_append_content (assistant, piece, -1);
      confab_message_append_reasoning (assistant, "r", -1);
      confab_message_append_raw_response (assistant, (const guint8 *)"data: x\n\n", 9);
      g_string_append (expected, piece);
    }
  g_assert_cmpuint (confab_store_get_n_writes (store), ==, writes_before);

  started = g_get_monotonic_time ();
  {
    g_autofree char *content = NULL;
    /* The write happens on the writer thread: poll (a tick wakes the loop to look again). */
    guint tick = g_timeout_add (10, tick_cb, NULL);

    CONFAB_TEST_WAIT_FOR ((g_free (content), content = query_text (path, sql),
                           g_strcmp0 (content, expected->str) == 0), 5000);
    g_source_remove (tick);
  }
  /* One interval after the burst, give or take a loaded CI machine. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 8 * CONFAB_STORE_FLUSH_INTERVAL_MS * 1000);
  g_assert_true (confab_store_flush (store, NULL));
  g_assert_cmpuint (confab_store_get_n_writes (store), ==, writes_before + 1);

  /* The raw response waits for the end; leaving streaming writes everything at once. */
  {
    g_autofree char *raw_sql = g_strdup_printf ("SELECT raw_response_size FROM messages WHERE id = '%s'",
                                                confab_message_get_id (assistant));
    raw_size = query_text (path, raw_sql);
    g_assert_cmpstr (raw_size, ==, "0");
    confab_message_append_content (assistant, "done", -1);
    confab_message_set_finish_reason (assistant, "stop");
    confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_COMPLETE);
    g_assert_true (confab_store_flush (store, NULL));
    g_free (raw_size);
    raw_size = query_text (path, raw_sql);
    g_assert_cmpstr (raw_size, ==, "9000");
  }

  {
    g_autofree char *state_sql = g_strdup_printf ("SELECT state || ':' || finish_reason || ':' || length (content)"
                                                  " FROM messages WHERE id = '%s'",
                                                  confab_message_get_id (assistant));
    g_autofree char *want = g_strdup_printf ("complete:stop:%zu", expected->len + 4);
    state = query_text (path, state_sql);
    g_assert_cmpstr (state, ==, want);
  }

  g_test_message ("store writes: %u, slowest %.3f ms", confab_store_get_n_writes (store),
                  confab_store_get_max_write_ms (store));
  confab_store_untrack (store, conversation);
}

static void
test_tool_call_tracked (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  ConfabToolCall *call;
  g_autofree char *status = NULL;

  confab_store_track (store, conversation);
  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, assistant);

  call = confab_message_ensure_tool_call (assistant, 0);
  confab_tool_call_set_id (call, "call_9");
  confab_tool_call_set_name (call, "search");
  confab_tool_call_append_arguments (call, "{\"q\": ", -1);
  confab_tool_call_append_arguments (call, "\"x\"}", -1);
  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_RUNNING);

  /* A status change is written at once (handed to the writer thread, no timer), with the
   * arguments streamed so far. */
  g_assert_true (confab_store_flush (store, NULL));
  status = query_text (path, "SELECT status || ' ' || name || ' ' || arguments FROM tool_calls");
  g_assert_cmpstr (status, ==, "running search {\"q\": \"x\"}");

  confab_tool_call_set_result (call, "found");
  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_DONE);
  g_assert_true (confab_store_flush (store, NULL));
  g_free (status);
  status = query_text (path, "SELECT status || ' ' || result FROM tool_calls");
  g_assert_cmpstr (status, ==, "done found");

  confab_store_untrack (store, conversation);
}

static void
test_truncate_deletes (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autoptr(ConfabMessage) again = confab_message_new (CONFAB_ROLE_ASSISTANT, "Again");
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autofree char *count = NULL;

  confab_store_track (store, conversation);
  confab_conversation_truncate (conversation, 1);
  count = query_text (path, "SELECT count (*) FROM messages");
  g_assert_cmpstr (count, ==, "1");
  g_free (count);
  count = query_text (path, "SELECT count (*) FROM tool_calls");
  g_assert_cmpstr (count, ==, "0");

  confab_conversation_append (conversation, again);
  loaded = confab_store_load (store, confab_conversation_get_id (conversation), NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 2);
  assert_conversations_equal (conversation, loaded);

  confab_store_untrack (store, conversation);
}

static void
test_interrupted_recovered (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabStore) reopened = NULL;
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Tell me a story");
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(ConfabMessage) restored = NULL;
  g_autoptr(GError) error = NULL;

  confab_store_track (store, conversation);
  confab_conversation_append (conversation, user);
  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, assistant);
  confab_message_append_content (assistant, "Once upon a time", -1);
  g_assert_true (confab_store_flush (store, &error));
  g_assert_no_error (error);

  /* Another start while the first never finished: as after kill -9. */
  reopened = confab_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (confab_store_get_n_recovered (reopened), ==, 1);

  loaded = confab_store_load (reopened, confab_conversation_get_id (conversation), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 2);
  restored = g_list_model_get_item (G_LIST_MODEL (loaded), 1);
  g_assert_cmpstr (confab_message_get_content (restored), ==, "Once upon a time");
  g_assert_cmpint (confab_message_get_state (restored), ==, CONFAB_MESSAGE_STATE_INTERRUPTED);

  /* Drop the first store without letting it write the end. */
  confab_store_untrack (store, conversation);
}

static void
test_live_writer_not_interrupted (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, "Streaming in another window");
  g_autofree char *sql = NULL;
  g_autofree char *state = NULL;

  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, assistant);
  g_assert_true (confab_store_save (store, conversation, NULL));
  g_clear_object (&store);

  /* Written by a process that is still running (pid 1 always is): left alone. */
  sql = g_strdup_printf ("UPDATE messages SET writer = '%s:1'", g_get_host_name ());
  exec_script (path, sql);
  store = confab_store_open (path, NULL);
  g_assert_cmpuint (confab_store_get_n_recovered (store), ==, 0);
  state = query_text (path, "SELECT state FROM messages");
  g_assert_cmpstr (state, ==, "streaming");
  g_clear_object (&store);

  /* Written by a process that is gone: interrupted. */
  g_free (sql);
  sql = g_strdup_printf ("UPDATE messages SET writer = '%s:%d'", g_get_host_name (), G_MAXINT);
  exec_script (path, sql);
  store = confab_store_open (path, NULL);
  g_assert_cmpuint (confab_store_get_n_recovered (store), ==, 1);
  g_free (state);
  state = query_text (path, "SELECT state FROM messages");
  g_assert_cmpstr (state, ==, "interrupted");
}

static void
test_migrate_from_v1 (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *script_path = g_test_build_filename (G_TEST_DIST, "data", "store", "v1.sql", NULL);
  g_autofree char *script = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabMessage) assistant = NULL;
  g_autoptr(ConfabMessage) last = NULL;
  g_autoptr(ConfabToolCall) call = NULL;
  g_autoptr(GListModel) hits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  g_assert_true (g_file_get_contents (script_path, &script, NULL, NULL));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  exec_script (path, script);

  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  version = query_text (path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (CONFAB_STORE_SCHEMA_VERSION));
  g_assert_cmpuint (confab_store_get_n_recovered (store), ==, 1);

  loaded = confab_store_load (store, "v1-conversation", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_conversation_get_title (loaded), ==, "Weather in Florence");
  g_assert_cmpstr (confab_conversation_get_model (loaded), ==, "llama-3.3-70b-versatile");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 4);

  assistant = g_list_model_get_item (G_LIST_MODEL (loaded), 1);
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (assistant)), ==, 140);
  call = g_list_model_get_item (confab_message_get_tool_calls (assistant), 0);
  g_assert_cmpstr (confab_tool_call_get_arguments (call), ==, "{\"location\": \"Florence,Italy\"}");
  g_assert_cmpfloat (confab_tool_call_get_duration (call), ==, 1.5);

  last = g_list_model_get_item (G_LIST_MODEL (loaded), 3);
  g_assert_cmpint (confab_message_get_state (last), ==, CONFAB_MESSAGE_STATE_INTERRUPTED);
  g_assert_cmpstr (confab_message_get_content (last), ==, "It is sunny and warm");

  /* Version 2 indexes titles, the ones written by version 1 included. */
  hits = confab_store_search (store, "Florence weather", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 1);
  g_clear_object (&hits);
  hits = confab_store_search (store, "Weath", &error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 1);
}

static void
test_new_file_is_migrated_from_zero (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  /* An empty file is a database at version 0. */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "", 0, NULL));

  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  version = query_text (path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (CONFAB_STORE_SCHEMA_VERSION));
}

static void
assert_refused_untouched (const char *contents,
                          gsize       len,
                          int         code)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *after = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gsize after_len;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, len, NULL));

  store = confab_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, CONFAB_ERROR, code);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, path));

  g_assert_true (g_file_get_contents (path, &after, &after_len, NULL));
  g_assert_cmpmem (after, after_len, contents, len);
}

static void
test_corrupt_refused (void)
{
  g_autoptr(GString) garbage = g_string_new (NULL);

  for (guint i = 0; i < 8192; i++)
    g_string_append_c (garbage, (char)(g_test_rand_int () & 0xff));

  assert_refused_untouched (garbage->str, garbage->len, CONFAB_ERROR_STORE);
}

static void
test_newer_version_refused (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  exec_script (path, "CREATE TABLE future (x); INSERT INTO future VALUES (42); PRAGMA user_version = 99;");
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpint (g_unlink (path), ==, 0);

  assert_refused_untouched (contents, len, CONFAB_ERROR_STORE_VERSION);
}

static ConfabConversation *
save_simple (ConfabStore *store,
             const char  *prompt,
             const char  *answer)
{
  ConfabConversation *conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, prompt);
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, answer);

  confab_conversation_append (conversation, user);
  confab_conversation_append (conversation, assistant);
  g_assert_true (confab_store_save (store, conversation, NULL));

  return conversation;
}

static void
test_search (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabConversation) a = save_simple (store, "Recipe for risotto", "Use arborio rice and saffron.");
  g_autoptr(ConfabConversation) b = save_simple (store, "Trains to Florence", "The Frecciarossa takes 37 minutes.");
  g_autoptr(GListModel) hits = NULL;
  g_autoptr(ConfabStoreSummary) hit = NULL;
  g_autoptr(GError) error = NULL;

  hits = confab_store_search (store, "saffron", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 1);
  hit = g_list_model_get_item (hits, 0);
  g_assert_cmpstr (confab_store_summary_get_id (hit), ==, confab_conversation_get_id (a));
  g_assert_cmpstr (confab_store_summary_get_title (hit), ==, "Recipe for risotto");
  g_assert_nonnull (strstr (confab_store_summary_get_snippet (hit), "saffron"));
  g_clear_object (&hit);
  g_clear_object (&hits);

  /* Prefix of the last word, all words required, case-insensitive. */
  hits = confab_store_search (store, "frecciarossa MIN", &error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 1);
  hit = g_list_model_get_item (hits, 0);
  g_assert_cmpstr (confab_store_summary_get_id (hit), ==, confab_conversation_get_id (b));
  g_clear_object (&hit);
  g_clear_object (&hits);

  hits = confab_store_search (store, "saffron Frecciarossa", &error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 0);
  g_clear_object (&hits);

  /* FTS syntax typed by a user is just text, never an error. */
  hits = confab_store_search (store, "\"risotto AND (NEAR* -", &error);
  g_assert_no_error (error);
  g_clear_object (&hits);
  hits = confab_store_search (store, "   ", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 0);
  g_clear_object (&hits);

  /* Renamed titles are found by their new name. */
  g_assert_true (confab_store_rename (store, confab_conversation_get_id (b), "Rail journey", &error));
  hits = confab_store_search (store, "journey", &error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 1);
  hit = g_list_model_get_item (hits, 0);
  g_assert_cmpstr (confab_store_summary_get_title (hit), ==, "Rail journey");
}

static void
test_list_most_recent_first (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabConversation) a = save_simple (store, "First", "1");
  g_autoptr(ConfabConversation) b = save_simple (store, "Second", "2");
  g_autoptr(GListModel) list = NULL;
  g_autoptr(ConfabStoreSummary) top = NULL;

  confab_conversation_set_updated_at (a, confab_conversation_get_updated_at (b) + 10);
  g_assert_true (confab_store_save (store, a, NULL));

  list = confab_store_list (store, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  top = g_list_model_get_item (list, 0);
  g_assert_cmpstr (confab_store_summary_get_title (top), ==, "First");
  g_assert_cmpuint (confab_store_summary_get_n_messages (top), ==, 2);
}

static void
count_cb (ConfabStore *store,
          guint       *count)
{
  (*count)++;
}

static void
test_delete (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autoptr(ConfabConversation) other = save_simple (store, "Keep me", "kept");
  g_autoptr(GListModel) hits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *counts = NULL;
  guint changed = 0;

  confab_store_track (store, conversation);
  g_signal_connect (store, "changed", G_CALLBACK (count_cb), &changed);

  g_assert_true (confab_store_delete (store, confab_conversation_get_id (conversation), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_null (confab_store_lookup_tracked (store, confab_conversation_get_id (conversation)));
  g_assert_false (confab_store_contains (store, confab_conversation_get_id (conversation)));
  g_assert_true (confab_store_contains (store, confab_conversation_get_id (other)));

  /* Everything in it went with it (foreign keys cascade), the index included. */
  counts = query_text (path, "SELECT (SELECT count (*) FROM messages) || ' ' || (SELECT count (*) FROM tool_calls)"
                             " || ' ' || (SELECT count (*) FROM usage)");
  g_assert_cmpstr (counts, ==, "2 0 2");
  hits = confab_store_search (store, "Florence", &error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 0);

  /* The conversation is no longer followed: appending does not resurrect it. */
  {
    g_autoptr(ConfabMessage) late = confab_message_new (CONFAB_ROLE_USER, "late");
    confab_conversation_append (conversation, late);
    g_assert_false (confab_store_contains (store, confab_conversation_get_id (conversation)));
  }
}

static void
test_export_markdown (void)
{
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autofree char *md = confab_export_markdown (conversation);

  g_test_message ("%s", md);
  g_assert_true (g_str_has_prefix (md, "# What is the weather in Florence?\n"));
  g_assert_nonnull (strstr (md, "- Model: llama-3.3-70b-versatile\n"));
  g_assert_nonnull (strstr (md, "## System\n\n> Be brief.\n"));
  g_assert_nonnull (strstr (md, "## User\n\n  What is the weather in Florence?\nThanks\n"));
  g_assert_nonnull (strstr (md, "> The user wants weather.\n"));
  g_assert_nonnull (strstr (md, "**Tool call** `get_weather` (done)\n\n```json tool-call get_weather\n{\n"));
  g_assert_nonnull (strstr (md, "  \"location\": \"Florence,Italy\"\n}\n```\n"));
  g_assert_nonnull (strstr (md, "## Tool result\n\n`call_1`\n\n```\nSunny, 24 °C\n```\n"));
  g_assert_nonnull (strstr (md, "_Failed: HTTP 429: slow down_"));
  g_assert_nonnull (strstr (md, "_Usage: 120 prompt + 20 completion = 140 tokens, cost 0.00042_"));
  g_assert_true (g_str_has_suffix (md, "\n"));
  g_assert_false (g_str_has_suffix (md, "\n\n"));
}

static void
test_export_markdown_fence (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) tool = confab_message_new (CONFAB_ROLE_TOOL, "a ``` b ```` c");
  g_autofree char *md = NULL;

  confab_conversation_append (conversation, tool);
  md = confab_export_markdown (conversation);
  g_assert_nonnull (strstr (md, "\n`````\na ``` b ```` c\n`````\n"));
}

static void
test_export_json (void)
{
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autofree char *text = confab_export_json_string (conversation);
  g_autoptr(JsonNode) root = json_from_string (text, NULL);
  g_autoptr(ConfabConversation) back = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonObject *assistant;
  JsonObject *call;

  g_assert_nonnull (root);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "confab-conversation");
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, CONFAB_EXPORT_VERSION);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, confab_conversation_get_id (conversation));
  g_assert_cmpstr (json_object_get_string_member (object, "model"), ==, "llama-3.3-70b-versatile");
  g_assert_cmpint (json_object_get_int_member (object, "created_at"), ==, 1700000000000000);

  /* Tool calls with arguments and results, usage and cost, in the message. */
  assistant = json_array_get_object_element (json_object_get_array_member (object, "messages"), 1);
  g_assert_cmpstr (json_object_get_string_member (assistant, "reasoning"), ==, "The user wants weather.");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (assistant, "usage"), "total_tokens"), ==, 140);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (assistant, "usage"), "cost"), ==, 0.00042);
  call = json_array_get_object_element (json_object_get_array_member (assistant, "tool_calls"), 0);
  g_assert_cmpstr (json_object_get_string_member (call, "arguments"), ==, "{\"location\": \"Florence,Italy\"}");
  g_assert_cmpstr (json_object_get_string_member (call, "result"), ==, "Sunny, 24 °C");
  g_assert_cmpstr (json_object_get_string_member (call, "status"), ==, "done");

  /* Read back, it is the same conversation, field for field. */
  back = confab_import_confab_json (root, &error);
  g_assert_no_error (error);
  assert_conversations_equal (conversation, back);
}

/* Export, import into another database, load: identical. */
static void
test_export_json_round_trip (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *other_path = g_build_filename (dir, "other.db", NULL);
  g_autofree char *file = g_build_filename (dir, "export.json", NULL);
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autoptr(ConfabConversation) stored = NULL;
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabStore) other = confab_store_open (other_path, NULL);
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (confab_store_save (store, conversation, &error));
  stored = confab_store_load (store, confab_conversation_get_id (conversation), &error);
  g_assert_no_error (error);
  text = confab_export_json_string (stored);
  g_assert_true (g_file_set_contents (file, text, -1, &error));

  result = confab_import_file (other, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->format, ==, CONFAB_IMPORT_FORMAT_CONFAB);
  g_assert_cmpuint (result->n_imported, ==, 1);
  g_clear_object (&other);

  other = confab_store_open (other_path, &error);
  loaded = confab_store_load (other, confab_conversation_get_id (conversation), &error);
  g_assert_no_error (error);
  assert_conversations_equal (stored, loaded);
}

static void
test_export_openai (void)
{
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autofree char *text = confab_export_openai_string (conversation);
  g_autoptr(JsonNode) root = json_from_string (text, NULL);
  g_autoptr(JsonNode) expected = confab_conversation_to_messages_json (conversation);

  g_assert_nonnull (root);
  g_assert_true (json_node_equal (root, expected));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (root), 0), "role"), ==, "system");
}

static void
test_write_benchmark (void)
{
  g_autofree char *path = temp_db_path ();
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GError) error = NULL;
  double worst = 0;
  gint64 total = 0;

  /* A long history, then a 64 KiB answer flushed in 64 batches: each batch is one
   * transaction on the main thread; the slowest must stay well inside a 16 ms frame. */
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(ConfabMessage) m = confab_message_new (i % 2 ? CONFAB_ROLE_ASSISTANT : CONFAB_ROLE_USER,
                                                       "Some earlier text of reasonable length for an index.");
      confab_conversation_append (conversation, m);
    }
  confab_store_track (store, conversation);
  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, assistant);

  for (guint batch = 0; batch < 64; batch++)
    {
      gint64 start;
      double ms;

      for (guint i = 0; i < 64; i++)
        confab_message_append_content (assistant, "word word word word word word word word word word ", 16);

      start = g_get_monotonic_time ();
      g_assert_true (confab_store_flush (store, &error));
      ms = (g_get_monotonic_time () - start) / 1000.0;
      worst = MAX (worst, ms);
      total += g_get_monotonic_time () - start;
    }

  g_test_message ("batch write of a growing 64 KiB message: mean %.3f ms, worst %.3f ms",
                  total / 64 / 1000.0, worst);
  /* The numbers are for the report; the bound only catches a pathological regression
   * (a loaded CI machine must not fail it). */
  g_assert_cmpfloat (total / 64 / 1000.0, <, 16.0);
  g_assert_cmpfloat (worst, <, 500.0);

  confab_message_set_state (assistant, CONFAB_MESSAGE_STATE_COMPLETE);
  confab_store_untrack (store, conversation);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/schema/wal-and-version", test_schema);
  g_test_add_func ("/store/round-trip/every-field", test_round_trip);
  g_test_add_func ("/store/load/missing-id", test_load_missing);
  g_test_add_func ("/store/track/user-message-committed-at-once", test_user_message_committed_at_once);
  g_test_add_func ("/store/track/streaming-is-batched", test_streaming_batched);
  g_test_add_func ("/store/track/tool-call-status-written-at-once", test_tool_call_tracked);
  g_test_add_func ("/store/track/truncate-deletes-messages", test_truncate_deletes);
  g_test_add_func ("/store/recovery/streaming-marked-interrupted", test_interrupted_recovered);
  g_test_add_func ("/store/recovery/live-writer-left-alone", test_live_writer_not_interrupted);
  g_test_add_func ("/store/migrate/from-v0-empty-file", test_new_file_is_migrated_from_zero);
  g_test_add_func ("/store/migrate/from-v1", test_migrate_from_v1);
  g_test_add_func ("/store/open/corrupt-refused-untouched", test_corrupt_refused);
  g_test_add_func ("/store/open/newer-version-refused-untouched", test_newer_version_refused);
  g_test_add_func ("/store/search/text-and-titles", test_search);
  g_test_add_func ("/store/list/most-recent-first", test_list_most_recent_first);
  g_test_add_func ("/store/delete/cascades", test_delete);
  g_test_add_func ("/store/export/markdown", test_export_markdown);
  g_test_add_func ("/store/export/markdown-fence-longer-than-content", test_export_markdown_fence);
  g_test_add_func ("/store/export/json", test_export_json);
  g_test_add_func ("/store/export/json-round-trip", test_export_json_round_trip);
  g_test_add_func ("/store/export/openai", test_export_openai);
  g_test_add_func ("/store/benchmark/batch-write-time", test_write_benchmark);

  return g_test_run ();
}
