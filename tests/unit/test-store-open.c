/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Opening a stored conversation in a window tracks it; tracking one just loaded must not
 * save it again (for 10,000 messages that cost the main thread a second before the first
 * frame), while one changed since its load is saved whole. */
#define G_LOG_DOMAIN "test-store-open"

#include "config.h"

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-store.h"

#define N_MESSAGES 200

static char *
store_conversation (ConfabStore *store)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message %u", i);
      g_autoptr(ConfabMessage) message = confab_message_new (i % 2 ? CONFAB_ROLE_ASSISTANT : CONFAB_ROLE_USER, text);

      confab_conversation_append (conversation, message);
    }
  g_assert_true (confab_store_save (store, conversation, &error));
  g_assert_no_error (error);

  return g_strdup (confab_conversation_get_id (conversation));
}

static void
test_loaded_conversation_not_saved_again (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open_default (&error);
  g_autofree char *id = store_conversation (store);
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabMessage) more = confab_message_new (CONFAB_ROLE_USER, "One more");
  g_autoptr(ConfabConversation) again = NULL;
  guint writes;

  g_assert_true (confab_store_flush (store, &error));
  writes = confab_store_get_n_writes (store);

  loaded = confab_store_load (store, id, &error);
  g_assert_no_error (error);
  confab_store_track (store, loaded);
  g_assert_true (confab_store_flush (store, &error));
  g_assert_cmpuint (confab_store_get_n_writes (store), ==, writes);

  /* What happens next is written as usual. */
  confab_conversation_append (loaded, more);
  g_assert_true (confab_store_flush (store, &error));
  g_assert_cmpuint (confab_store_get_n_writes (store), >, writes);
  confab_store_untrack (store, loaded);

  again = confab_store_load (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, N_MESSAGES + 1);
}

static void
test_changed_since_load_is_saved (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = confab_store_open_default (&error);
  g_autofree char *id = store_conversation (store);
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(ConfabConversation) again = NULL;
  g_autoptr(ConfabMessage) repaired = confab_message_new (CONFAB_ROLE_TOOL, "Not run");

  loaded = confab_store_load (store, id, &error);
  g_assert_no_error (error);
  /* Changed between load and track, as a repair of unanswered tool calls does. */
  confab_conversation_append (loaded, repaired);
  confab_store_track (store, loaded);
  g_assert_true (confab_store_flush (store, &error));
  confab_store_untrack (store, loaded);

  again = confab_store_load (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, N_MESSAGES + 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store-open/loaded-not-saved-again", test_loaded_conversation_not_saved_again);
  g_test_add_func ("/store-open/changed-since-load-saved", test_changed_since_load_is_saved);

  return g_test_run ();
}
