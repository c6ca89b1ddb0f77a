/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-export.h"
#include "confab-import.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-tool-call.h"
#include "confab-usage.h"
#include "confab-test-util.h"

/* A fresh database in the test's own data directory (G_TEST_OPTION_ISOLATE_DIRS removes it). */
static char *
temp_db_path (void)
{
  static guint n;
  g_autofree char *name = g_strdup_printf ("db%u", n++);

  return g_build_filename (g_get_user_data_dir (), name, "confab.db", NULL);
}

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "import", name, NULL);
}

static ConfabMessage *
message_at (ConfabConversation *conversation,
            guint               i)
{
  g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);

  g_assert_nonnull (message);
  return message; /* the conversation keeps it */
}

static ConfabToolCall *
call_at (ConfabMessage *message,
         guint          i)
{
  g_autoptr(ConfabToolCall) call = g_list_model_get_item (confab_message_get_tool_calls (message), i);

  g_assert_nonnull (call);
  return call;
}

static guint
count_conversations (ConfabStore *store)
{
  g_autoptr(GListModel) list = confab_store_list (store, NULL);

  return g_list_model_get_n_items (list);
}

static void
test_chatgpt (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *file = fixture ("chatgpt.json");
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(ConfabImportResult) again = NULL;
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessage *m;

  result = confab_import_file (store, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->format, ==, CONFAB_IMPORT_FORMAT_CHATGPT);
  g_assert_cmpuint (result->n_imported, ==, 2);
  g_assert_cmpuint (result->n_skipped, ==, 0);
  g_assert_cmpuint (result->n_other_branches, ==, 1);

  loaded = confab_store_load (store, g_ptr_array_index (result->ids, 0), &error);
  g_assert_no_error (error);

  g_assert_cmpstr (confab_conversation_get_title (loaded), ==, "Weather and a plot");
  g_assert_cmpstr (confab_conversation_get_model (loaded), ==, "gpt-4o");
  g_assert_cmpint (confab_conversation_get_created_at (loaded), ==, 1700000000500000);
  g_assert_cmpint (confab_conversation_get_updated_at (loaded), ==, 1700000600250000);
  /* The custom instructions (hidden context) as the system prompt. */
  g_assert_cmpstr (confab_conversation_get_system_prompt (loaded), ==, "I live in Florence.\n\nAnswer briefly.");

  /* The current branch shown: user, the python call, its output, the final answer. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 4);
  m = message_at (loaded, 0);
  g_assert_cmpint (confab_message_get_role (m), ==, CONFAB_ROLE_USER);
  g_assert_cmpstr (confab_message_get_content (m), ==,
                   "[Image: file-service://file-abc]\n\nPlot the temperatures in this picture");
  g_assert_cmpint (confab_message_get_created_at (m), ==, 1700000001000000);

  m = message_at (loaded, 1);
  g_assert_cmpint (confab_message_get_role (m), ==, CONFAB_ROLE_ASSISTANT);
  g_assert_cmpuint (confab_message_get_n_tool_calls (m), ==, 1);
  g_assert_cmpstr (confab_tool_call_get_name (call_at (m, 0)), ==, "python");
  g_assert_cmpstr (confab_tool_call_get_arguments (call_at (m, 0)), ==, "{\"input\":\"plot([21, 24, 19])\"}");
  g_assert_cmpstr (confab_tool_call_get_result (call_at (m, 0)), ==, "<plot>");

  m = message_at (loaded, 2);
  g_assert_cmpint (confab_message_get_role (m), ==, CONFAB_ROLE_TOOL);
  g_assert_cmpstr (confab_message_get_tool_call_id (m), ==, "n-code");

  m = message_at (loaded, 3);
  g_assert_cmpstr (confab_message_get_content (m), ==, "The peak is **24 °C**.");
  g_assert_cmpstr (confab_message_get_reasoning (m), ==, "**Reading the plot**\n\nPeak is 24.");
  g_assert_cmpstr (confab_message_get_model (m), ==, "gpt-4o");

  /* Every branch is kept: the regenerated answer is the other version of the first one. */
  g_assert_cmpuint (confab_conversation_get_tree (loaded)->len, ==, 5);
  m = message_at (loaded, 1);
  g_assert_cmpuint (confab_conversation_get_n_siblings (loaded, m, NULL), ==, 2);
  g_assert_true (confab_conversation_switch_sibling (loaded, m, 0));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 2);
  g_assert_cmpstr (confab_message_get_content (message_at (loaded, 1)), ==, "An earlier answer that was regenerated.");

  /* Missing current_node, title and times: the last leaf, a title from the text. */
  {
    g_autoptr(ConfabConversation) second = confab_store_load (store, (const char *) g_ptr_array_index (result->ids, 1), &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (second)), ==, 1);
    g_assert_cmpstr (confab_conversation_get_title (second), ==, "No current node, no times");
  }

  /* Again: nothing new, nothing duplicated. */
  again = confab_import_file (store, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_imported, ==, 0);
  g_assert_cmpuint (again->n_skipped, ==, 2);
  g_assert_cmpuint (count_conversations (store), ==, 2);
}

static void
test_open_webui (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *file = fixture ("open-webui.json");
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessage *m;

  result = confab_import_file (store, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->format, ==, CONFAB_IMPORT_FORMAT_OPEN_WEBUI);
  g_assert_cmpuint (result->n_imported, ==, 1);
  g_assert_cmpuint (result->n_other_branches, ==, 1);

  loaded = confab_store_load (store, (const char *) g_ptr_array_index (result->ids, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_conversation_get_title (loaded), ==, "Ollama and tools");
  g_assert_cmpstr (confab_conversation_get_model (loaded), ==, "llama3.1:8b");
  g_assert_cmpint (confab_conversation_get_created_at (loaded), ==, G_GINT64_CONSTANT (1720000000) * G_USEC_PER_SEC);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 3);

  m = message_at (loaded, 0);
  g_assert_cmpstr (confab_message_get_content (m), ==, "What time is it in Tokyo?\n\n[Image: embedded]");

  m = message_at (loaded, 1);
  g_assert_cmpstr (confab_message_get_content (m), ==, "It is 21:04 in Tokyo.");
  g_assert_cmpstr (confab_message_get_model (m), ==, "llama3.1:8b");
  g_assert_cmpuint (confab_message_get_n_tool_calls (m), ==, 1);
  g_assert_cmpstr (confab_tool_call_get_id (call_at (m, 0)), ==, "call_7");
  g_assert_cmpstr (confab_tool_call_get_name (call_at (m, 0)), ==, "get_time");
  g_assert_cmpstr (confab_tool_call_get_arguments (call_at (m, 0)), ==, "{\"tz\": \"Asia/Tokyo\"}");
  g_assert_cmpstr (confab_tool_call_get_result (call_at (m, 0)), ==, "21:04");
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (m)), ==, 59);

  /* The branch that was shown (currentId), multi-part content joined. */
  m = message_at (loaded, 2);
  g_assert_cmpstr (confab_message_get_content (m), ==, "Thanks!\n\n[image_url]");

  /* The abandoned edit is kept as the other version. */
  g_assert_cmpuint (confab_conversation_get_tree (loaded)->len, ==, 4);
  g_assert_cmpuint (confab_conversation_get_n_siblings (loaded, m, NULL), ==, 2);
  g_assert_true (confab_conversation_switch_sibling (loaded, m, 0));
  g_assert_cmpstr (confab_message_get_content (message_at (loaded, 2)), ==, "An edit that was abandoned");
}

/* Confab JSON with only the required fields: defaults for the rest, unknown members
 * ignored, an id from the content (so importing it twice adds nothing). */
static void
test_confab_minimal (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *file = fixture ("confab-minimal.json");
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(ConfabImportResult) again = NULL;
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessage *m;

  result = confab_import_file (store, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->format, ==, CONFAB_IMPORT_FORMAT_CONFAB);
  g_assert_cmpuint (result->n_imported, ==, 1);
  loaded = confab_store_load (store, (const char *) g_ptr_array_index (result->ids, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_conversation_get_title (loaded), ==, "Hand-written");
  m = message_at (loaded, 1);
  g_assert_cmpint (confab_message_get_state (m), ==, CONFAB_MESSAGE_STATE_COMPLETE);
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (m)), ==, 3);
  g_assert_cmpstr (confab_tool_call_get_name (call_at (m, 0)), ==, "noop");
  g_assert_cmpint (confab_tool_call_get_status (call_at (m, 0)), ==, CONFAB_TOOL_CALL_STATUS_DONE);

  again = confab_import_file (store, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_imported, ==, 0);
  g_assert_cmpuint (count_conversations (store), ==, 1);
}

static void
assert_refused (const char *name,
                const char *expected)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *file = fixture (name);
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = confab_import_file (store, file, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT);
  g_test_message ("%s: %s", name, error->message);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_cmpuint (count_conversations (store), ==, 0);
}

static void
test_refused (void)
{
  assert_refused ("unknown.json", "not an export Confab can import");
  /* The first conversation is fine: still nothing is imported. */
  assert_refused ("mixed.json", "Conversation 2");
  assert_refused ("truncated.json", "not valid JSON");
  assert_refused ("confab-newer.json", "newer Confab");
}

static void
test_cancelled (void)
{
  g_autofree char *file = fixture ("chatgpt.json");
  g_autoptr(GFile) gfile = g_file_new_for_path (file);
  g_autoptr(GFileInputStream) stream = g_file_read (gfile, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  result = confab_import_read (G_INPUT_STREAM (stream), 0, NULL, NULL, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Into a store: nothing written. */
  {
    g_autofree char *path = temp_db_path ();
    g_autoptr(ConfabStore) store = confab_store_open (path, NULL);

    g_assert_null (confab_import_file (store, file, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpuint (count_conversations (store), ==, 0);
  }
}

static void
import_done (GObject      *source,
             GAsyncResult *res,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (res);
}

/* The GUI's path: in a worker thread, into the store; ::changed on the calling thread. */
static void
changed_cb (ConfabStore *store,
            gpointer     user_data)
{
  static GThread *main_thread;

  if (main_thread == NULL)
    main_thread = g_object_get_data (G_OBJECT (store), "test-main-thread");
  g_assert_true (g_thread_self () == main_thread);
  (*(guint *) user_data)++;
}

static void
test_async (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *file_path = fixture ("open-webui.json");
  g_autoptr(GFile) file = g_file_new_for_path (file_path);
  g_autoptr(ConfabStore) store = confab_store_open (path, NULL);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  g_object_set_data (G_OBJECT (store), "test-main-thread", g_thread_self ());
  g_signal_connect (store, "changed", G_CALLBACK (changed_cb), &changed);
  confab_import_file_async (store, file, NULL, NULL, NULL, import_done, &res);
  CONFAB_TEST_WAIT_FOR (res != NULL, 10000);
  result = confab_import_file_finish (store, res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_imported, ==, 1);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (count_conversations (store), ==, 1);
}

/* A generated ChatGPT export of many conversations is read one at a time: the progress
 * callback sees it grow, and the result holds every conversation. */
static void
progress_cb (goffset  bytes_read,
             goffset  size,
             gpointer user_data)
{
  goffset *last = user_data;

  g_assert_cmpint (bytes_read, >=, *last);
  *last = bytes_read;
}

static void
test_streamed (void)
{
  g_autoptr(GString) json = g_string_new ("[");
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  goffset last = 0;
  gsize len;

  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (json, "%s{\"id\": \"c%u\", \"title\": \"T%u\", \"current_node\": \"b\", \"mapping\": {"
                            "\"a\": {\"id\": \"a\", \"message\": null, \"parent\": null, \"children\": [\"b\"]},"
                            "\"b\": {\"id\": \"b\", \"parent\": \"a\", \"children\": [], \"message\": {\"id\": \"m%u\","
                            " \"author\": {\"role\": \"user\"}, \"content\": {\"content_type\": \"text\", \"parts\": [\"%u\"]}}}}}",
                            i ? "," : "", i, i, i, i);
  g_string_append (json, "]");
  len = json->len;
  stream = g_memory_input_stream_new_from_data (g_string_free (g_steal_pointer (&json), FALSE), len, g_free);

  result = confab_import_read (stream, len, progress_cb, &last, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->conversations->len, ==, 2000);
  g_assert_cmpint (last, ==, len);
  g_assert_cmpstr (confab_conversation_get_title (g_ptr_array_index (result->conversations, 1999)), ==, "T1999");
}

/* A million nested arrays: refused with a message, no stack overflow. */
static void
test_deep_nesting (void)
{
  gsize depth = 1000000;
  char *json = g_malloc (2 * depth);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  memset (json, '[', depth);
  memset (json + depth, ']', depth);
  stream = g_memory_input_stream_new_from_data (json, 2 * depth, g_free);

  result = confab_import_read (stream, 2 * depth, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT);
  g_assert_nonnull (strstr (error->message, "levels deep"));
}

/* Times that are no times (found by fuzz-import: 1.7e62 seconds overflowed the conversion)
 * are taken as missing. */
static void
test_absurd_times (void)
{
  static const char json[] =
    "[{\"id\": \"t\", \"create_time\": 1.7e62, \"update_time\": -5, \"current_node\": \"b\", \"mapping\": {"
    "\"a\": {\"id\": \"a\", \"message\": null, \"parent\": null, \"children\": [\"b\"]},"
    "\"b\": {\"id\": \"b\", \"parent\": \"a\", \"children\": [], \"message\": {\"id\": \"m\","
    " \"create_time\": 9223372036854775807, \"author\": {\"role\": \"user\"},"
    " \"content\": {\"content_type\": \"text\", \"parts\": [\"x\"]}}}}}]";
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (json, sizeof json - 1, NULL);
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ConfabConversation *conversation;

  result = confab_import_read (stream, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  conversation = g_ptr_array_index (result->conversations, 0);
  g_assert_cmpint (confab_conversation_get_created_at (conversation), ==, 0);
  g_assert_cmpint (confab_conversation_get_updated_at (conversation), ==, 0);
  g_assert_cmpint (confab_message_get_created_at (message_at (conversation, 0)), ==, 0);
}

/* An encoded surrogate (yajl lets it by) is refused, not stored. */
static void
test_invalid_utf8 (void)
{
  static const char json[] = "[{\"format\": \"confab-conversation\", \"version\": 1, \"messages\":"
                             " [{\"role\": \"user\", \"content\": \"a\xed\xa0\x80" "b\"}]}]";
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (json, sizeof json - 1, NULL);
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = confab_import_read (stream, 0, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_INVALID_UTF8);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/import/chatgpt", test_chatgpt);
  g_test_add_func ("/import/open-webui", test_open_webui);
  g_test_add_func ("/import/confab-minimal", test_confab_minimal);
  g_test_add_func ("/import/refused-nothing-partial", test_refused);
  g_test_add_func ("/import/cancelled", test_cancelled);
  g_test_add_func ("/import/async", test_async);
  g_test_add_func ("/import/streamed", test_streamed);
  g_test_add_func ("/import/deep-nesting", test_deep_nesting);
  g_test_add_func ("/import/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/import/absurd-times", test_absurd_times);

  return g_test_run ();
}
