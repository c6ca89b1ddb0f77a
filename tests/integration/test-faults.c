/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-faults"

#include "config.h"

#include <string.h>

#include "confab-client.h"
#include "confab-conversation.h"
#include "confab-enums.h"
#include "confab-error.h"
#include "confab-fault-streams.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-replay-server.h"
#include "confab-test-util.h"
#include "confab-turn.h"

/* Fault injection through the core: a user turn (ConfabTurn over ConfabClient) against the
 * replay server's scripted faults. Every fault must end the answer with a clear error that
 * names the cause, keep the text streamed so far, and a Retry — dropping the failed answer
 * and running the turn again, as ConfabSession does — must resend byte for byte the same
 * request and then complete. Runs under valgrind too (test-faults-valgrind). */

#define WAIT_MS 20000

/* The text every broken stream has delivered before it breaks. */


/* Runs one turn to its end; returns whether it succeeded. */
static gboolean
run_turn (ConfabClient        *client,
          ConfabProvider      *provider,
          ConfabConversation  *conversation,
          GError             **error)
{
  g_autoptr(ConfabTurn) turn = confab_turn_new (client, provider, conversation, NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;

  confab_turn_set_model (turn, "no-such-model");
  confab_turn_run_async (turn, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);

  return confab_turn_run_finish (turn, result, error);
}

static void
test_fault (gconstpointer data)
{
  const ConfabFaultCase *fault = data;
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabClient) client = confab_client_new ();
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Say hello");
  g_autoptr(GError) error = NULL;
  g_autofree char *body = fault->body ? fault->body () : g_strdup ("");
  g_autofree char *good = confab_fault_good_stream ();
  ConfabReplayResponse *response;
  ConfabMessage *answer;
  const GError *message_error;
  GPtrArray *requests;
  const char *first_body;
  const char *second_body;

  provider = confab_provider_new ("Faulty", confab_replay_server_get_base_url (server));
  if (fault->short_timeout)
    confab_client_set_idle_timeout (client, 1);
  /* Big bodies go out in big pieces: the point is the size of the line, not the split. */
  confab_replay_server_set_max_piece (server, strlen (body) > 1024 * 1024 ? 256 * 1024 : 16);

  response = confab_replay_server_add_response (server, fault->status, fault->content_type,
                                                body, fault->flags);
  if (fault->retry_after != NULL)
    confab_replay_response_add_header (response, "Retry-After", fault->retry_after);
  confab_replay_server_add_response (server, 200, NULL, good, CONFAB_REPLAY_NONE);

  confab_conversation_append (conversation, user);

  /* The fault */
  g_assert_false (run_turn (client, provider, conversation, &error));
  g_assert_nonnull (error);
  g_test_message ("%s: %s", fault->name, error->message);

  if (fault->code == CONFAB_FAULT_DROPPED)
    /* A dropped connection: the network error or the truncated stream, whichever the
     * transport notices first. */
    g_assert_true (g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_NETWORK) ||
                   g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_TRUNCATED));
  else if (fault->code == CONFAB_FAULT_BAD_UTF8)
    /* Invalid UTF-8 inside JSON: the JSON parser or the text check, both name UTF-8. */
    g_assert_true (g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_INVALID_UTF8) ||
                   g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL));
  else
    g_assert_error (error, CONFAB_ERROR, fault->code);

  for (guint i = 0; i < G_N_ELEMENTS (fault->needles) && fault->needles[i] != NULL; i++)
    if (strstr (error->message, fault->needles[i]) == NULL)
      g_error ("“%s” does not name the cause (%s)", error->message, fault->needles[i]);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
  answer = confab_conversation_get_last_message (conversation);
  g_assert_cmpint (confab_message_get_role (answer), ==, CONFAB_ROLE_ASSISTANT);
  g_assert_cmpint (confab_message_get_state (answer), ==, CONFAB_MESSAGE_STATE_FAILED);
  message_error = confab_message_get_error (answer);
  g_assert_nonnull (message_error);
  g_assert_cmpstr (message_error->message, ==, error->message);
  g_assert_cmpstr (confab_message_get_content (answer), ==, fault->partial);
  g_assert_true (g_utf8_validate (confab_message_get_content (answer), -1, NULL));
  g_assert_cmpint (confab_message_get_retry_after (answer), ==, fault->retry_after_seconds);

  /* Retry: the failed answer goes, the same request goes out again. */
  confab_conversation_truncate (conversation, 1);
  g_clear_error (&error);
  g_assert_true (run_turn (client, provider, conversation, &error));
  g_assert_no_error (error);

  requests = confab_replay_server_get_requests (server);
  g_assert_cmpuint (requests->len, ==, 2);
  first_body = ((ConfabReplayRequest *)g_ptr_array_index (requests, 0))->body;
  second_body = ((ConfabReplayRequest *)g_ptr_array_index (requests, 1))->body;
  g_assert_nonnull (first_body);
  g_assert_cmpstr (second_body, ==, first_body);

  answer = confab_conversation_get_last_message (conversation);
  g_assert_cmpint (confab_message_get_state (answer), ==, CONFAB_MESSAGE_STATE_COMPLETE);
  g_assert_cmpstr (confab_message_get_content (answer), ==, "Hello, world");
  g_assert_null (confab_message_get_error (answer));
  g_assert_cmpstr (confab_message_get_request_body (answer), ==, first_body);

  CONFAB_TEST_WAIT_FOR (confab_replay_server_is_idle (server), WAIT_MS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < confab_n_fault_cases; i++)
    {
      g_autofree char *path = g_strconcat ("/faults/", confab_fault_cases[i].name, NULL);

      g_test_add_data_func (path, &confab_fault_cases[i], test_fault);
    }

  return g_test_run ();
}
