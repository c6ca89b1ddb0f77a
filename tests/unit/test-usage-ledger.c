/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The usage ledger: every request this Confab made, summed by provider, model and month;
 * it keeps requests whose messages were deleted or regenerated, and never counts a saved
 * (imported) conversation. */
#define G_LOG_DOMAIN "test-usage-ledger"

#include "config.h"

#include <sqlite3.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-store-private.h"
#include "confab-usage.h"
#include "confab-usage-total.h"

static ConfabConversation *
new_conversation (const char *provider,
                  const char *model)
{
  ConfabConversation *conversation = confab_conversation_new ();

  confab_conversation_set_provider_name (conversation, provider);
  confab_conversation_set_model (conversation, model);
  return conversation;
}

/* An answer as the client leaves it: streamed, then complete with the provider's usage. */
static ConfabMessage *
answer (ConfabConversation *conversation,
        gint64              prompt,
        gint64              completion,
        double              cost)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, "");
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) usage = NULL;

  confab_message_set_state (message, CONFAB_MESSAGE_STATE_STREAMING);
  confab_conversation_append (conversation, message);
  confab_message_append_content (message, "An answer.", -1);

  if (cost >= 0)
    json = g_strdup_printf ("{\"prompt_tokens\": %" G_GINT64_FORMAT ", \"completion_tokens\": %" G_GINT64_FORMAT
                            ", \"total_tokens\": %" G_GINT64_FORMAT ", \"cost\": %g}",
                            prompt, completion, prompt + completion, cost);
  else
    json = g_strdup_printf ("{\"prompt_tokens\": %" G_GINT64_FORMAT ", \"completion_tokens\": %" G_GINT64_FORMAT
                            ", \"total_tokens\": %" G_GINT64_FORMAT "}",
                            prompt, completion, prompt + completion);
  usage = json_from_string (json, NULL);
  confab_usage_update_from_json (confab_message_get_usage (message), json_node_get_object (usage));
  confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);

  return g_steal_pointer (&message);
}

static void
ask (ConfabConversation *conversation,
     const char         *question)
{
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, question);

  confab_conversation_append (conversation, user);
}

static ConfabUsageTotal *
find_total (GListModel *totals,
            const char *key)
{
  for (guint i = 0; i < g_list_model_get_n_items (totals); i++)
    {
      g_autoptr(ConfabUsageTotal) total = g_list_model_get_item (totals, i);

      if (g_str_equal (confab_usage_total_get_key (total), key))
        return g_steal_pointer (&total);
    }

  return NULL;
}

static ConfabUsageTotal *
total_for (ConfabStore         *store,
           ConfabUsageGrouping  grouping,
           const char          *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) totals = NULL;

  g_assert_true (confab_store_flush (store, &error));
  g_assert_no_error (error);
  totals = confab_store_usage_totals (store, grouping, &error);
  g_assert_no_error (error);

  return find_total (totals, key);
}

static void
test_requests_counted_as_they_complete (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open_default (&error);
  g_autoptr(ConfabConversation) groq = new_conversation ("Groq", "kimi-k2");
  g_autoptr(ConfabConversation) openrouter = new_conversation ("OpenRouter", "kimi-k2");
  g_autoptr(ConfabUsageTotal) by_groq = NULL;
  g_autoptr(ConfabUsageTotal) by_openrouter = NULL;
  g_autoptr(ConfabUsageTotal) by_model = NULL;
  g_autoptr(ConfabUsageTotal) this_month = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *month = g_date_time_format (now, "%Y-%m");
  g_autoptr(ConfabMessage) first = NULL;
  g_autoptr(ConfabMessage) second = NULL;
  g_autoptr(ConfabMessage) third = NULL;

  g_assert_no_error (error);
  confab_store_track (store, groq);
  confab_store_track (store, openrouter);

  ask (groq, "One");
  first = answer (groq, 100, 20, -1);
  ask (groq, "Two");
  second = answer (groq, 150, 30, -1);
  ask (openrouter, "Three");
  third = answer (openrouter, 10, 5, 0.25);

  by_groq = total_for (store, CONFAB_USAGE_BY_PROVIDER, "Groq");
  g_assert_nonnull (by_groq);
  g_assert_cmpuint (confab_usage_total_get_n_requests (by_groq), ==, 2);
  g_assert_cmpint (confab_usage_total_get_prompt_tokens (by_groq), ==, 250);
  g_assert_cmpint (confab_usage_total_get_completion_tokens (by_groq), ==, 50);
  g_assert_cmpint (confab_usage_total_get_total_tokens (by_groq), ==, 300);
  g_assert_cmpuint (confab_usage_total_get_n_with_cost (by_groq), ==, 0);

  by_openrouter = total_for (store, CONFAB_USAGE_BY_PROVIDER, "OpenRouter");
  g_assert_cmpuint (confab_usage_total_get_n_requests (by_openrouter), ==, 1);
  g_assert_cmpuint (confab_usage_total_get_n_with_cost (by_openrouter), ==, 1);
  g_assert_cmpfloat_with_epsilon (confab_usage_total_get_cost (by_openrouter), 0.25, 1e-9);

  by_model = total_for (store, CONFAB_USAGE_BY_MODEL, "kimi-k2");
  g_assert_cmpuint (confab_usage_total_get_n_requests (by_model), ==, 3);
  g_assert_cmpint (confab_usage_total_get_total_tokens (by_model), ==, 315);

  this_month = confab_store_usage_for_month (store, "Groq", now, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_usage_total_get_key (this_month), ==, month);
  g_assert_cmpuint (confab_usage_total_get_n_requests (this_month), ==, 2);
  g_clear_object (&this_month);

  {
    g_autoptr(ConfabUsageTotal) by_month = total_for (store, CONFAB_USAGE_BY_MONTH, month);

    g_assert_cmpuint (confab_usage_total_get_n_requests (by_month), ==, 3);
  }
}

static void
test_deleted_and_regenerated_requests_stay_counted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open_default (&error);
  g_autoptr(ConfabConversation) conversation = new_conversation ("Groq", "kimi-k2");
  g_autoptr(ConfabMessage) first = NULL;
  g_autoptr(ConfabMessage) regenerated = NULL;
  g_autoptr(ConfabUsageTotal) total = NULL;

  g_assert_no_error (error);
  confab_store_track (store, conversation);
  ask (conversation, "Hello");
  first = answer (conversation, 100, 20, -1);
  g_assert_true (confab_store_flush (store, &error));

  /* Regenerate: the answer goes, a new one comes; both requests were made. */
  confab_conversation_truncate (conversation, 1);
  regenerated = answer (conversation, 100, 25, -1);
  total = total_for (store, CONFAB_USAGE_BY_PROVIDER, "Groq");
  g_assert_cmpuint (confab_usage_total_get_n_requests (total), ==, 2);
  g_assert_cmpint (confab_usage_total_get_total_tokens (total), ==, 245);
  g_clear_object (&total);

  /* Delete the whole conversation: what it cost stays in the ledger. */
  confab_store_untrack (store, conversation);
  g_assert_true (confab_store_delete (store, confab_conversation_get_id (conversation), &error));
  g_assert_no_error (error);
  total = total_for (store, CONFAB_USAGE_BY_PROVIDER, "Groq");
  g_assert_nonnull (total);
  g_assert_cmpuint (confab_usage_total_get_n_requests (total), ==, 2);
}

static void
test_saved_history_is_not_counted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open_default (&error);
  g_autoptr(ConfabConversation) imported = new_conversation ("ChatGPT", "gpt-4o");
  g_autoptr(ConfabMessage) reply = NULL;
  g_autoptr(GListModel) totals = NULL;

  g_assert_no_error (error);
  ask (imported, "From another app");
  reply = answer (imported, 1000, 1000, 2.0);
  g_assert_true (confab_store_save (store, imported, &error));
  g_assert_no_error (error);

  totals = confab_store_usage_totals (store, CONFAB_USAGE_BY_PROVIDER, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (totals), ==, 0);
}

/* A database from before the ledger gets one filled from the usage it stored. */
static void
test_migration_fills_the_ledger (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "confab", NULL);
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autoptr(ConfabUsageTotal) total = NULL;
  sqlite3 *db = NULL;

  /* The schema before the ledger, as an older Confab left it, with one answered question. */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (_confab_store_create_at_version (path, 4, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO conversations (id, title, provider_name, model, created_at, updated_at)"
                                 "  VALUES ('c', 'Before the ledger', 'Groq', 'kimi-k2', 1, 1);"
                                 "INSERT INTO messages (id, conversation_id, position, role, content, state, created_at)"
                                 "  VALUES ('q', 'c', 0, 'user', 'Before the ledger', 'complete', 1),"
                                 "         ('a', 'c', 1, 'assistant', 'Yes', 'complete', 2);"
                                 "INSERT INTO usage (message_id, reported, prompt_tokens, completion_tokens,"
                                 "  total_tokens, has_cost) VALUES ('a', 1, 40, 2, 42, 0);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = confab_store_open (path, &error);
  g_assert_no_error (error);
  total = total_for (store, CONFAB_USAGE_BY_PROVIDER, "Groq");
  g_assert_nonnull (total);
  g_assert_cmpuint (confab_usage_total_get_n_requests (total), ==, 1);
  g_assert_cmpint (confab_usage_total_get_total_tokens (total), ==, 42);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/usage-ledger/requests-counted-as-they-complete", test_requests_counted_as_they_complete);
  g_test_add_func ("/usage-ledger/deleted-and-regenerated-stay-counted", test_deleted_and_regenerated_requests_stay_counted);
  g_test_add_func ("/usage-ledger/saved-history-not-counted", test_saved_history_is_not_counted);
  g_test_add_func ("/usage-ledger/migration-fills-the-ledger", test_migration_fills_the_ledger);

  return g_test_run ();
}
