/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-faults-ui"

#include "config.h"

#include <adwaita.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "confab-chat-view.h"
#include "confab-client.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-fault-streams.h"
#include "confab-markdown-view-private.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-provider.h"
#include "confab-replay-server.h"
#include "confab-session.h"
#include "confab-test-util.h"

/* Fault injection through the GUI: the real ConfabChatView and ConfabSession in a window,
 * over the replay server's scripted faults. Where the answer stopped, the row shows the
 * partial text and an in-line error naming the cause; its Retry button (row.retry) resends
 * byte for byte the same request, and the row then shows the whole answer, error gone. */

#define WAIT_MS 20000


static ConfabMessageRow *
wait_for_row (ConfabChatView *view,
              ConfabMessage  *message)
{
  ConfabMessageRow *row = NULL;

  CONFAB_TEST_WAIT_FOR ((row = confab_chat_view_find_row (view, message)) != NULL, WAIT_MS);
  confab_chat_view_flush (view);

  return row;
}

static char *
shown_text (ConfabMessageRow *row)
{
  ConfabMarkdownView *content = confab_message_row_get_content_view (row);

  if (!gtk_widget_get_visible (GTK_WIDGET (content)))
    return g_strdup ("");

  return confab_markdown_view_dup_display_text (content);
}

static void
test_fault_ui (gconstpointer data)
{
  const ConfabFaultCase *fault = data;
  g_autoptr(ConfabReplayServer) server = confab_replay_server_new ();
  g_autoptr(ConfabSession) session = confab_session_new ();
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = fault->body ();
  g_autofree char *good = confab_fault_good_stream ();
  g_autofree char *text = NULL;
  ConfabReplayResponse *response;
  ConfabConversation *conversation;
  ConfabMessage *answer;
  ConfabMessageRow *row;
  ConfabReplayRequest *first, *second;
  const char *error_text;
  GtkWidget *window;
  GtkWidget *view;

  provider = confab_provider_new ("Faulty", confab_replay_server_get_base_url (server));
  confab_session_set_provider (session, provider);
  confab_session_set_model (session, "no-such-model");
  if (fault->short_timeout)
    confab_client_set_idle_timeout (confab_session_get_client (session), 1);
  confab_replay_server_set_max_piece (server, strlen (body) > 1024 * 1024 ? 256 * 1024 : 16);

  response = confab_replay_server_add_response (server, fault->status, fault->content_type, body, fault->flags);
  if (fault->retry_after != NULL)
    confab_replay_response_add_header (response, "Retry-After", fault->retry_after);
  confab_replay_server_add_response (server, 200, NULL, good, CONFAB_REPLAY_NONE);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  view = confab_chat_view_new ();
  confab_chat_view_set_session (CONFAB_CHAT_VIEW (view), session);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (window), WAIT_MS);

  /* The fault, as the user sees it. */
  g_assert_true (confab_session_send (session, "Say hello", &error));
  g_assert_no_error (error);
  CONFAB_TEST_WAIT_FOR (!confab_session_get_busy (session), WAIT_MS);

  conversation = confab_session_get_conversation (session);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
  answer = confab_conversation_get_last_message (conversation);
  g_assert_nonnull (confab_message_get_error (answer));

  row = wait_for_row (CONFAB_CHAT_VIEW (view), answer);
  text = shown_text (row);
  g_assert_cmpstr (text, ==, fault->partial);
  error_text = confab_message_row_get_error_text (row);
  g_assert_nonnull (error_text);
  g_test_message ("%s: %s", fault->name, error_text);
  /* The provider's message as the core reports it, then the wait it asked for, if any. */
  g_assert_true (g_str_has_prefix (error_text, confab_message_get_error (answer)->message));
  if (fault->retry_after != NULL)
    {
      g_autofree char *wait = g_strdup_printf ("wait %s seconds before you retry", fault->retry_after);
      g_assert_nonnull (strstr (error_text, wait));
    }
  else
    g_assert_cmpstr (error_text, ==, confab_message_get_error (answer)->message);
  for (guint i = 0; i < G_N_ELEMENTS (fault->needles) && fault->needles[i] != NULL; i++)
    if (strstr (error_text, fault->needles[i]) == NULL)
      g_error ("“%s” does not name the cause (%s)", error_text, fault->needles[i]);

  /* Retry from the row. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.retry", NULL));
  CONFAB_TEST_WAIT_FOR (confab_replay_server_get_requests (server)->len == 2 &&
                        !confab_session_get_busy (session), WAIT_MS);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
  answer = confab_conversation_get_last_message (conversation);
  g_assert_cmpint (confab_message_get_state (answer), ==, CONFAB_MESSAGE_STATE_COMPLETE);
  row = wait_for_row (CONFAB_CHAT_VIEW (view), answer);
  g_clear_pointer (&text, g_free);
  text = shown_text (row);
  g_assert_cmpstr (text, ==, "Hello, world");
  g_assert_null (confab_message_row_get_error_text (row));

  first = g_ptr_array_index (confab_replay_server_get_requests (server), 0);
  second = g_ptr_array_index (confab_replay_server_get_requests (server), 1);
  g_assert_nonnull (first->body);
  g_assert_cmpstr (second->body, ==, first->body);

  gtk_window_destroy (GTK_WINDOW (window));
  CONFAB_TEST_WAIT_FOR (confab_replay_server_is_idle (server), WAIT_MS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  gtk_source_init ();

  for (guint i = 0; i < confab_n_fault_cases; i++)
    {
      g_autofree char *path = g_strconcat ("/ui/faults/", confab_fault_cases[i].name, NULL);

      g_test_add_data_func (path, &confab_fault_cases[i], test_fault_ui);
    }

  return g_test_run ();
}
