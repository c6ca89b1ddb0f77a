/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Branches: a conversation is a tree of messages; edits and regenerated answers are versions
 * of one place; the store keeps the tree and the branch shown, and migrates flat histories. */

#include "config.h"

#include <glib/gstdio.h>
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-export.h"
#include "confab-import.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-store-private.h"
#include "confab-store-summary.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

static ConfabMessage *
add (ConfabConversation *conversation,
     ConfabRole          role,
     const char         *text)
{
  g_autoptr(ConfabMessage) message = confab_message_new (role, text);

  confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
  confab_conversation_append (conversation, message);

  return message;   /* the conversation keeps it */
}

/* The shown branch as "text|text|…". */
static char *
shown (ConfabConversation *conversation)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (conversation)); i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);

      g_string_append_printf (out, "%s%s", i ? "|" : "", confab_message_get_content (message));
    }

  return g_string_free (out, FALSE);
}

#define assert_shown(conversation, expected) \
  G_STMT_START { g_autofree char *s_ = shown (conversation); g_assert_cmpstr (s_, ==, expected); } G_STMT_END

typedef struct { guint position, removed, added, count; } Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Change     *change)
{
  change->position = position;
  change->removed = removed;
  change->added = added;
  change->count++;
}

static void
test_regenerate_keeps_the_answer (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  ConfabMessage *question = add (conversation, CONFAB_ROLE_USER, "Q");
  ConfabMessage *first = add (conversation, CONFAB_ROLE_ASSISTANT, "A1");
  ConfabMessage *second;
  g_autoptr(GPtrArray) siblings = NULL;
  Change change = { 0 };
  guint index;

  g_assert_null (confab_message_get_parent_id (question));
  g_assert_cmpstr (confab_message_get_parent_id (first), ==, confab_message_get_id (question));

  /* Regenerate: the answer's place gets a second version, the first stays in the tree. */
  confab_conversation_rewind (conversation, 1);
  assert_shown (conversation, "Q");
  second = add (conversation, CONFAB_ROLE_ASSISTANT, "A2");
  assert_shown (conversation, "Q|A2");
  g_assert_cmpuint (confab_message_get_sibling_index (second), ==, 1);
  g_assert_cmpuint (confab_conversation_get_n_siblings (conversation, second, &index), ==, 2);
  g_assert_cmpuint (index, ==, 1);
  g_assert_cmpuint (confab_conversation_get_n_siblings (conversation, question, &index), ==, 1);
  g_assert_cmpuint (index, ==, 0);

  siblings = confab_conversation_list_siblings (conversation, second);
  g_assert_cmpuint (siblings->len, ==, 2);
  g_assert_true (g_ptr_array_index (siblings, 0) == first);
  g_assert_true (g_ptr_array_index (siblings, 1) == second);
  g_assert_cmpuint (confab_conversation_get_tree (conversation)->len, ==, 3);

  /* Back to the first version: the views see one message swapped. */
  g_signal_connect (conversation, "items-changed", G_CALLBACK (on_items_changed), &change);
  g_assert_true (confab_conversation_switch_sibling (conversation, second, 0));
  assert_shown (conversation, "Q|A1");
  g_assert_cmpuint (change.count, ==, 1);
  g_assert_cmpuint (change.position, ==, 1);
  g_assert_cmpuint (change.removed, ==, 1);
  g_assert_cmpuint (change.added, ==, 1);
  g_assert_false (confab_conversation_switch_sibling (conversation, first, 2));
}

static void
test_switch_follows_the_branch_shown_last (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  ConfabMessage *q1, *a1, *edit;

  q1 = add (conversation, CONFAB_ROLE_USER, "Q1");
  a1 = add (conversation, CONFAB_ROLE_ASSISTANT, "A1");
  add (conversation, CONFAB_ROLE_USER, "Q2");
  add (conversation, CONFAB_ROLE_ASSISTANT, "A2");

  /* Edit the first question: a new version with its own answers. */
  confab_conversation_rewind (conversation, 0);
  edit = add (conversation, CONFAB_ROLE_USER, "Q1'");
  add (conversation, CONFAB_ROLE_ASSISTANT, "A1'");
  g_assert_null (confab_message_get_parent_id (edit));
  g_assert_cmpuint (confab_conversation_get_n_siblings (conversation, edit, NULL), ==, 2);

  /* The first version comes back with everything under it. */
  g_assert_true (confab_conversation_switch_sibling (conversation, edit, 0));
  assert_shown (conversation, "Q1|A1|Q2|A2");

  /* Under it, another answer to Q1; then away and back: the branch shown last returns. */
  confab_conversation_rewind (conversation, 1);
  add (conversation, CONFAB_ROLE_ASSISTANT, "A1b");
  assert_shown (conversation, "Q1|A1b");
  g_assert_true (confab_conversation_switch_sibling (conversation, q1, 1));
  assert_shown (conversation, "Q1'|A1'");
  g_assert_true (confab_conversation_switch_sibling (conversation, edit, 0));
  assert_shown (conversation, "Q1|A1b");
  g_assert_true (confab_conversation_switch_sibling (conversation, a1, 0));
  assert_shown (conversation, "Q1|A1|Q2|A2");

  /* Showing a message deep in a branch shows the path to it. */
  g_assert_true (confab_conversation_show (conversation, edit));
  assert_shown (conversation, "Q1'|A1'");
}

static void
test_truncate_removes_the_subtree (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autofree char *failed = NULL;

  add (conversation, CONFAB_ROLE_USER, "Q");
  failed = g_strdup (confab_message_get_id (add (conversation, CONFAB_ROLE_ASSISTANT, "broken")));
  add (conversation, CONFAB_ROLE_USER, "Q2");

  /* A retried failure is gone, not a version. */
  confab_conversation_truncate (conversation, 1);
  assert_shown (conversation, "Q");
  g_assert_cmpuint (confab_conversation_get_tree (conversation)->len, ==, 1);
  g_assert_null (confab_conversation_lookup (conversation, failed));
  add (conversation, CONFAB_ROLE_ASSISTANT, "fine");
  g_assert_cmpuint (confab_conversation_get_n_siblings (conversation, confab_conversation_get_last_message (conversation), NULL), ==, 1);
}

/* A branch far deeper than a stack allows recursing over: truncated at its start and
 * repaired (an answer whose call waits, followed by a long chain of tool results). Run on a
 * thread with a 256 KiB stack, so recursion would overflow it. */
static gpointer
deep_branch (gpointer data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  ConfabMessage *answer;
  guint depth = 150000;

  add (conversation, CONFAB_ROLE_USER, "Q");
  answer = add (conversation, CONFAB_ROLE_ASSISTANT, "");
  confab_tool_call_set_id (call, "call_1");
  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  confab_message_add_tool_call (answer, call);
  for (guint i = 0; i < depth; i++)
    {
      g_autoptr(ConfabMessage) result = confab_message_new (CONFAB_ROLE_TOOL, "");

      confab_message_set_tool_call_id (result, i + 1 == depth ? "call_1" : "other");
      confab_conversation_append (conversation, result);
    }

  g_assert_cmpuint (confab_conversation_repair_tool_calls (conversation), ==, 0);
  confab_conversation_truncate (conversation, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 1);
  g_assert_cmpuint (confab_conversation_get_tree (conversation)->len, ==, 1);

  return NULL;
}

static void
test_deep_branch (void)
{
  pthread_attr_t attr;
  pthread_t thread;

  g_assert_cmpint (pthread_attr_init (&attr), ==, 0);
  g_assert_cmpint (pthread_attr_setstacksize (&attr, 256 * 1024), ==, 0);
  g_assert_cmpint (pthread_create (&thread, &attr, deep_branch, NULL), ==, 0);
  g_assert_cmpint (pthread_join (thread, NULL), ==, 0);
  pthread_attr_destroy (&attr);
}

static void
test_lookup_find_and_turns (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(GArray) turns = NULL;
  g_autoptr(ConfabUsage) total = NULL;
  ConfabMessage *hidden, *answer;
  guint start, end;

  add (conversation, CONFAB_ROLE_USER, "Q1");
  hidden = add (conversation, CONFAB_ROLE_ASSISTANT, "A1");
  confab_conversation_rewind (conversation, 1);
  answer = add (conversation, CONFAB_ROLE_ASSISTANT, "A1'");
  add (conversation, CONFAB_ROLE_TOOL, "result");
  add (conversation, CONFAB_ROLE_ASSISTANT, "A1''");
  add (conversation, CONFAB_ROLE_USER, "Q2");

  /* Lookup by id sees the whole tree; positions are in the shown branch. */
  g_assert_true (confab_conversation_lookup (conversation, confab_message_get_id (hidden)) == hidden);
  g_assert_null (confab_conversation_lookup (conversation, "nope"));
  g_assert_cmpint (confab_conversation_find (conversation, hidden), ==, -1);
  g_assert_cmpint (confab_conversation_find (conversation, answer), ==, 1);

  turns = confab_conversation_list_turns (conversation);
  g_assert_cmpuint (turns->len, ==, 2);
  g_assert_cmpuint (g_array_index (turns, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (turns, guint, 1), ==, 4);
  g_assert_true (confab_conversation_get_turn_range (conversation, 2, &start, &end));
  g_assert_cmpuint (start, ==, 0);
  g_assert_cmpuint (end, ==, 4);
  g_assert_false (confab_conversation_get_turn_range (conversation, 5, &start, &end));

  /* The usage of the shown branch: two requests, each counted once. */
  confab_usage_restore (confab_message_get_usage (hidden), TRUE, 1000, 1000, 2000, -1, -1, FALSE, 0, -1, -1);
  confab_usage_restore (confab_message_get_usage (answer), TRUE, 10, 4, 14, -1, -1, FALSE, 0, 0.5, 2.5);
  {
    g_autoptr(ConfabMessage) last = g_list_model_get_item (G_LIST_MODEL (conversation), 3);
    confab_usage_restore (confab_message_get_usage (last), TRUE, 20, 8, 28, -1, -1, TRUE, 0.5, 1.0, 3.0);
  }
  total = confab_conversation_sum_usage (conversation, 0, 5);
  g_assert_cmpint (confab_usage_get_total_tokens (total), ==, 42);
  g_assert_true (confab_usage_get_has_cost (total));
  g_assert_cmpfloat_with_epsilon (confab_usage_get_time_to_first_token (total), 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (confab_usage_get_duration (total), 5.5, 1e-9);
  /* Speed: 12 tokens over 2 + 2 seconds spent generating them. */
  g_assert_cmpfloat_with_epsilon (confab_usage_get_tokens_per_second (total), 3.0, 1e-9);
}

/* A tool call left waiting in a version not shown is repaired too. */
static void
test_repair_every_version (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  ConfabMessage *hidden;

  add (conversation, CONFAB_ROLE_USER, "Q");
  hidden = add (conversation, CONFAB_ROLE_ASSISTANT, "");
  confab_tool_call_set_id (call, "call_1");
  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL);
  confab_message_add_tool_call (hidden, call);
  confab_conversation_rewind (conversation, 1);
  add (conversation, CONFAB_ROLE_ASSISTANT, "A2");

  g_assert_cmpuint (confab_conversation_repair_tool_calls (conversation), ==, 1);
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_FAILED);
}

/* Confab JSON has the whole tree; Markdown and OpenAI the branch shown. */
static void
test_export_round_trip (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabConversation) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *openai = NULL;
  ConfabMessage *a1;

  add (conversation, CONFAB_ROLE_USER, "Q");
  a1 = add (conversation, CONFAB_ROLE_ASSISTANT, "first answer");
  add (conversation, CONFAB_ROLE_USER, "Q2");
  confab_conversation_rewind (conversation, 1);
  add (conversation, CONFAB_ROLE_ASSISTANT, "second answer");
  g_assert_true (confab_conversation_switch_sibling (conversation, a1, 0));

  first = confab_export_json_string (conversation);
  back = confab_import_confab_json (confab_export_json (conversation), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (confab_conversation_get_tree (back)->len, ==, 4);
  assert_shown (back, "Q|first answer|Q2");
  second = confab_export_json_string (back);
  g_assert_cmpstr (first, ==, second);

  markdown = confab_export_markdown (conversation);
  openai = confab_export_openai_string (conversation);
  g_assert_nonnull (strstr (markdown, "first answer"));
  g_assert_null (strstr (markdown, "second answer"));
  g_assert_nonnull (strstr (openai, "first answer"));
  g_assert_null (strstr (openai, "second answer"));
}

/* A file of version 1 (one branch, no parents) still reads as a chain. */
static void
test_import_version_1 (void)
{
  g_autoptr(JsonNode) node = json_from_string ("{\"format\":\"confab-conversation\",\"version\":1,"
                                               "\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},"
                                               "{\"role\":\"assistant\",\"content\":\"A\"}]}", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabConversation) conversation = confab_import_confab_json (node, &error);

  g_assert_no_error (error);
  assert_shown (conversation, "Q|A");
  {
    g_autoptr(ConfabMessage) q = g_list_model_get_item (G_LIST_MODEL (conversation), 0);
    g_autoptr(ConfabMessage) a = g_list_model_get_item (G_LIST_MODEL (conversation), 1);
    g_assert_cmpstr (confab_message_get_parent_id (a), ==, confab_message_get_id (q));
  }
}

static void
test_fork (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabConversation) fork = NULL;
  ConfabMessage *answer;

  confab_conversation_set_model (conversation, "m");
  add (conversation, CONFAB_ROLE_USER, "Q");
  answer = add (conversation, CONFAB_ROLE_ASSISTANT, "A");
  confab_usage_restore (confab_message_get_usage (answer), TRUE, 10, 5, 15, -1, -1, TRUE, 0.1, 0.5, 1.0);
  add (conversation, CONFAB_ROLE_USER, "later");

  fork = confab_export_fork (conversation, answer);
  assert_shown (fork, "Q|A");
  assert_shown (conversation, "Q|A|later");
  g_assert_cmpstr (confab_conversation_get_id (fork), !=, confab_conversation_get_id (conversation));
  /* The list tells the copy from its source. */
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "Q");
  g_assert_cmpstr (confab_conversation_get_title (fork), ==, "Q (Copy)");
  g_assert_cmpstr (confab_conversation_get_model (fork), ==, "m");
  {
    g_autoptr(ConfabMessage) copy = g_list_model_get_item (G_LIST_MODEL (fork), 1);
    g_assert_true (copy != answer);
    g_assert_cmpstr (confab_message_get_id (copy), !=, confab_message_get_id (answer));
    /* That request was made (and counted in the usage ledger) once. */
    g_assert_false (confab_usage_get_reported (confab_message_get_usage (copy)));
  }
}

/* ------------------------------------------------------------------------------------------
 * The store
 * ------------------------------------------------------------------------------------------ */

static char *
db_path (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "confab", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return g_build_filename (dir, "branches.db", NULL);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

static void
test_store_keeps_the_tree_and_the_branch_shown (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autofree char *id = g_strdup (confab_conversation_get_id (conversation));
  ConfabMessage *second;

  g_assert_no_error (error);
  confab_store_track (store, conversation);
  add (conversation, CONFAB_ROLE_USER, "Q");
  add (conversation, CONFAB_ROLE_ASSISTANT, "A1");
  add (conversation, CONFAB_ROLE_USER, "more");
  confab_conversation_rewind (conversation, 1);
  second = add (conversation, CONFAB_ROLE_ASSISTANT, "A2");
  confab_conversation_rewind (conversation, 1);
  add (conversation, CONFAB_ROLE_ASSISTANT, "A3");
  /* The branch shown is the one remembered. */
  g_assert_true (confab_conversation_switch_sibling (conversation, second, 0));
  assert_shown (conversation, "Q|A1|more");
  g_assert_true (confab_store_flush (store, &error));
  g_assert_no_error (error);
  confab_store_untrack (store, conversation);

  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages"), ==, 5);

  loaded = confab_store_load (store, id, &error);
  g_assert_no_error (error);
  assert_shown (loaded, "Q|A1|more");
  g_assert_cmpuint (confab_conversation_get_tree (loaded)->len, ==, 5);
  {
    g_autoptr(ConfabMessage) answer = g_list_model_get_item (G_LIST_MODEL (loaded), 1);
    guint index;

    g_assert_cmpuint (confab_conversation_get_n_siblings (loaded, answer, &index), ==, 3);
    g_assert_cmpuint (index, ==, 0);
    g_assert_true (confab_conversation_switch_sibling (loaded, answer, 2));
    assert_shown (loaded, "Q|A3");
  }

  /* Saved whole (an import, a save): the tree goes as it is. */
  g_assert_true (confab_store_save (store, loaded, &error));
  g_assert_no_error (error);
  g_clear_object (&loaded);
  loaded = confab_store_load (store, id, &error);
  g_assert_no_error (error);
  assert_shown (loaded, "Q|A3");
  g_assert_cmpuint (confab_conversation_get_tree (loaded)->len, ==, 5);
}

/* Exported whole and imported into another database (the staging database and its merge):
 * the same tree, the same branch shown, the same export; importing again adds nothing. */
static void
test_store_import_round_trip (void)
{
  g_autofree char *path = db_path ();
  g_autofree char *file = g_build_filename (g_get_user_data_dir (), "tree.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabConversation) back = NULL;
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(ConfabImportResult) again = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *reexported = NULL;
  ConfabMessage *first;

  g_assert_no_error (error);
  add (conversation, CONFAB_ROLE_USER, "Q");
  first = add (conversation, CONFAB_ROLE_ASSISTANT, "one");
  add (conversation, CONFAB_ROLE_USER, "more");
  add (conversation, CONFAB_ROLE_ASSISTANT, "two");
  confab_conversation_rewind (conversation, 1);
  add (conversation, CONFAB_ROLE_ASSISTANT, "other");
  g_assert_true (confab_conversation_switch_sibling (conversation, first, 0));
  exported = confab_export_json_string (conversation);
  g_assert_true (g_file_set_contents (file, exported, -1, &error));

  result = confab_import_file (store, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_imported, ==, 1);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages"), ==, 5);
  back = confab_store_load (store, confab_conversation_get_id (conversation), &error);
  g_assert_no_error (error);
  assert_shown (back, "Q|one|more|two");
  reexported = confab_export_json_string (back);
  g_assert_cmpstr (reexported, ==, exported);

  again = confab_import_file (store, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_imported, ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages"), ==, 5);
}

/* A version out of sight that changes (a call repaired) is written at its depth. */
static void
test_store_writes_versions_not_shown (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabToolCall) call = confab_tool_call_new (0);
  ConfabMessage *hidden;

  g_assert_no_error (error);
  confab_store_track (store, conversation);
  add (conversation, CONFAB_ROLE_USER, "Q");
  hidden = add (conversation, CONFAB_ROLE_ASSISTANT, "");
  confab_tool_call_set_id (call, "call_1");
  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  confab_message_add_tool_call (hidden, call);
  confab_conversation_rewind (conversation, 1);
  add (conversation, CONFAB_ROLE_ASSISTANT, "A2");
  g_assert_true (confab_store_flush (store, &error));

  confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_FAILED);
  g_assert_true (confab_store_flush (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM tool_calls WHERE status = 'failed'"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT position FROM messages WHERE content = ''"), ==, 1);
  confab_store_untrack (store, conversation);
}

/* Search finds what the branch shown says, not the versions out of sight. */
static void
test_search_follows_the_branch_shown (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(GListModel) hits = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(ConfabStoreSummary) summary = NULL;
  ConfabMessage *zebra;

  g_assert_no_error (error);
  confab_store_track (store, conversation);
  add (conversation, CONFAB_ROLE_USER, "Name an animal");
  zebra = add (conversation, CONFAB_ROLE_ASSISTANT, "A zebra");
  add (conversation, CONFAB_ROLE_USER, "Another");
  add (conversation, CONFAB_ROLE_ASSISTANT, "A okapi");
  confab_conversation_rewind (conversation, 1);
  add (conversation, CONFAB_ROLE_ASSISTANT, "A giraffe");
  g_assert_true (confab_store_flush (store, &error));

  hits = confab_store_search (store, "zebra", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 0);
  g_clear_object (&hits);
  hits = confab_store_search (store, "giraffe", &error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 1);
  summary = g_list_model_get_item (hits, 0);
  g_assert_cmpuint (confab_store_summary_get_n_messages (summary), ==, 2);
  g_clear_object (&summary);

  /* Back to the first answer: now it is the zebra, with its four messages. */
  g_assert_true (confab_conversation_switch_sibling (conversation, confab_conversation_get_last_message (conversation), 0));
  g_assert_true (confab_conversation_get_last_message (conversation) != zebra);
  g_assert_true (confab_store_flush (store, &error));
  g_clear_object (&hits);
  hits = confab_store_search (store, "zebra", &error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 1);
  g_clear_object (&hits);
  hits = confab_store_search (store, "giraffe", &error);
  g_assert_cmpuint (g_list_model_get_n_items (hits), ==, 0);
  list = confab_store_list (store, &error);
  g_assert_no_error (error);
  summary = g_list_model_get_item (list, 0);
  g_assert_cmpuint (confab_store_summary_get_n_messages (summary), ==, 4);
  confab_store_untrack (store, conversation);
}

static void
on_write_failed (ConfabStore  *store,
                 const GError *error,
                 GError      **out)
{
  if (*out == NULL)
    *out = g_error_copy (error);
}

/* Two writers adding a version at one place: the second write fails, the first stays. */
static void
test_store_one_message_per_place (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) failed = NULL;
  g_autoptr(ConfabStore) store = confab_store_open (path, &error);
  g_autoptr(ConfabStore) other = NULL;
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabConversation) copy = NULL;
  g_autofree char *id = g_strdup (confab_conversation_get_id (conversation));
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  add (conversation, CONFAB_ROLE_USER, "Q");
  add (conversation, CONFAB_ROLE_ASSISTANT, "A1");
  g_assert_true (confab_store_save (store, conversation, &error));
  g_assert_no_error (error);

  /* The database itself refuses a second message at a place. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO messages (id, conversation_id, position, role, state, created_at,"
                                 "  parent_id, sibling) SELECT 'intruder', conversation_id, 1, 'assistant',"
                                 "  'complete', 0, parent_id, sibling FROM messages WHERE position = 1",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);

  /* Two connections, each regenerating the answer from what it loaded. */
  other = confab_store_open (path, &error);
  g_assert_no_error (error);
  g_signal_connect (other, "write-failed", G_CALLBACK (on_write_failed), &failed);
  copy = confab_store_load (other, id, &error);
  g_assert_no_error (error);
  g_clear_object (&conversation);
  conversation = confab_store_load (store, id, &error);
  g_assert_no_error (error);

  confab_store_track (store, conversation);
  confab_conversation_rewind (conversation, 1);
  add (conversation, CONFAB_ROLE_ASSISTANT, "mine");
  g_assert_true (confab_store_flush (store, &error));
  g_assert_no_error (error);

  confab_store_track (other, copy);
  confab_conversation_rewind (copy, 1);
  g_test_expect_message ("confab-store", G_LOG_LEVEL_WARNING, "*UNIQUE*");
  add (copy, CONFAB_ROLE_ASSISTANT, "theirs");
  g_test_assert_expected_messages ();
  g_assert_false (confab_store_flush (other, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "UNIQUE"));
  while (failed == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages WHERE content = 'mine'"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages WHERE content = 'theirs'"), ==, 0);
  confab_store_untrack (other, copy);
  confab_store_untrack (store, conversation);
}

/* A database of schema 5 (flat: one message per position) opens as chains. */
static void
test_migration_from_flat_history (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabConversation) again = NULL;
  sqlite3 *db = NULL;

  g_assert_true (_confab_store_create_at_version (path, 5, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO conversations (id, title, created_at, updated_at)"
                                 "  VALUES ('flat', 'Flat', 1, 1), ('empty', 'Empty', 1, 1);"
                                 "INSERT INTO messages (id, conversation_id, position, role, content, state, created_at)"
                                 "  VALUES ('m0', 'flat', 0, 'user', 'Q1', 'complete', 1),"
                                 "         ('m1', 'flat', 1, 'assistant', 'A1', 'complete', 2),"
                                 "         ('m2', 'flat', 3, 'user', 'Q2', 'complete', 3),"
                                 "         ('m3', 'flat', 4, 'assistant', 'A2', 'complete', 4);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==, CONFAB_STORE_SCHEMA_VERSION);

  /* Each message follows the one before it (a gap in positions included). */
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM messages WHERE sibling = 0 AND"
                                    " ((id = 'm0' AND parent_id IS NULL) OR (id = 'm1' AND parent_id = 'm0')"
                                    "  OR (id = 'm2' AND parent_id = 'm1') OR (id = 'm3' AND parent_id = 'm2'))"), ==, 4);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM conversations WHERE id = 'flat' AND shown_leaf = 'm3'"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT position FROM messages WHERE id = 'm3'"), ==, 3);

  loaded = confab_store_load (store, "flat", &error);
  g_assert_no_error (error);
  assert_shown (loaded, "Q1|A1|Q2|A2");

  /* It branches like a new one, and the branch shown is kept. */
  confab_store_track (store, loaded);
  confab_conversation_rewind (loaded, 3);
  add (loaded, CONFAB_ROLE_ASSISTANT, "A2'");
  g_assert_true (confab_store_flush (store, &error));
  g_assert_no_error (error);
  confab_store_untrack (store, loaded);
  again = confab_store_load (store, "flat", &error);
  g_assert_no_error (error);
  assert_shown (again, "Q1|A1|Q2|A2'");
  g_assert_cmpuint (confab_conversation_get_tree (again)->len, ==, 5);

  g_clear_object (&loaded);
  loaded = confab_store_load (store, "empty", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/branches/regenerate-keeps-the-answer", test_regenerate_keeps_the_answer);
  g_test_add_func ("/branches/switch-follows-the-branch-shown-last", test_switch_follows_the_branch_shown_last);
  g_test_add_func ("/branches/truncate-removes-the-subtree", test_truncate_removes_the_subtree);
  g_test_add_func ("/branches/lookup-find-and-turns", test_lookup_find_and_turns);
  g_test_add_func ("/branches/deep-branch", test_deep_branch);
  g_test_add_func ("/branches/repair-every-version", test_repair_every_version);
  g_test_add_func ("/branches/export/round-trip", test_export_round_trip);
  g_test_add_func ("/branches/export/import-version-1", test_import_version_1);
  g_test_add_func ("/branches/export/fork", test_fork);
  g_test_add_func ("/branches/store/keeps-the-tree-and-the-branch-shown", test_store_keeps_the_tree_and_the_branch_shown);
  g_test_add_func ("/branches/store/import-round-trip", test_store_import_round_trip);
  g_test_add_func ("/branches/store/writes-versions-not-shown", test_store_writes_versions_not_shown);
  g_test_add_func ("/branches/store/search-follows-the-branch-shown", test_search_follows_the_branch_shown);
  g_test_add_func ("/branches/store/one-message-per-place", test_store_one_message_per_place);
  g_test_add_func ("/branches/store/migration-from-flat-history", test_migration_from_flat_history);

  return g_test_run ();
}
