/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-chat-view-window"

#include "config.h"

#include <adwaita.h>

#include "confab-chat-view.h"
#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-session.h"
#include "confab-test-util.h"

/* A long conversation opens on its newest messages only (rows are costly to build); scrolling
 * to the top shows older ones, and new messages still come in at the end. */

#define N_MESSAGES 500
#define WAIT_MS    10000

static guint
count_rows (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += CONFAB_IS_MESSAGE_ROW (child) ? 1 : count_rows (child);

  return n;
}

typedef struct
{
  GtkWidget *window;
  guint      painted;
} Frames;

static void
after_paint (GdkFrameClock *clock,
             Frames        *frames)
{
  frames->painted++;
  gtk_widget_queue_draw (frames->window);   /* keep frames coming */
}

/* Iterates until @window has painted @count more frames. */
static void
wait_frames (GtkWidget *window,
             guint      count)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  Frames frames = { window, 0 };
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), &frames);

  gtk_widget_queue_draw (window);
  CONFAB_TEST_WAIT_FOR (frames.painted >= count, WAIT_MS);
  g_signal_handler_disconnect (clock, id);
}

static ConfabConversation *
make_conversation (guint count)
{
  ConfabConversation *conversation = confab_conversation_new ();

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message %u, with a line long enough to be an ordinary one.", i);
      g_autoptr(ConfabMessage) message =
        confab_message_new (i % 2 == 0 ? CONFAB_ROLE_USER : CONFAB_ROLE_ASSISTANT, text);

      confab_message_set_state (message, CONFAB_MESSAGE_STATE_COMPLETE);
      confab_conversation_append (conversation, message);
    }

  return conversation;
}

static ConfabMessage *
message_at (ConfabConversation *conversation,
            guint               position)
{
  g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), position);

  return message;   /* the conversation holds it */
}

static void
test_long_conversation_opens_on_newest (void)
{
  g_autoptr(ConfabSession) session = confab_session_new ();
  g_autoptr(ConfabConversation) conversation = make_conversation (N_MESSAGES);
  g_autoptr(ConfabMessage) appended = NULL;
  GtkWidget *window, *view;
  GListModel *shown;
  GtkAdjustment *vadjustment;
  guint n_shown, n_rows;
  double value;

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  view = confab_chat_view_new ();
  confab_chat_view_set_session (CONFAB_CHAT_VIEW (view), session);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  CONFAB_TEST_WAIT_FOR (gtk_widget_get_mapped (window), WAIT_MS);

  confab_session_set_conversation (session, conversation);
  wait_frames (window, 3);

  shown = G_LIST_MODEL (gtk_list_view_get_model (confab_chat_view_get_list_view (CONFAB_CHAT_VIEW (view))));
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (confab_chat_view_get_list_view (CONFAB_CHAT_VIEW (view))));
  n_shown = g_list_model_get_n_items (shown);
  n_rows = count_rows (view);
  g_test_message ("opened: %u messages shown, %u rows built", n_shown, n_rows);
  g_assert_cmpuint (n_shown, <, 100);
  g_assert_cmpuint (n_rows, >, 0);
  g_assert_cmpuint (n_rows, <, 100);
  g_assert_true (confab_chat_view_get_following (CONFAB_CHAT_VIEW (view)));
  /* Opening builds only about a screenful or two of rows (each row built is time before the
   * first frame: 50 cost a 10,000-message open a quarter of its time), and they fill the view. */
  g_assert_cmpuint (n_rows, <=, 24);
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment), >, gtk_adjustment_get_page_size (vadjustment));

  /* The newest message is on screen; the oldest is not built. */
  g_assert_nonnull (confab_chat_view_find_row (CONFAB_CHAT_VIEW (view), message_at (conversation, N_MESSAGES - 1)));
  g_assert_null (confab_chat_view_find_row (CONFAB_CHAT_VIEW (view), message_at (conversation, 0)));

  /* Scrolling to the top shows older messages, once: what was on screen stays put, so the
   * view is no longer at the top and does not keep growing. */
  gtk_adjustment_set_value (vadjustment, 0);
  CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (shown) > n_shown, WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (shown), <, N_MESSAGES);
  wait_frames (window, 3);
  value = gtk_adjustment_get_value (vadjustment);
  g_test_message ("grown to %u messages, value %.0f of %.0f", g_list_model_get_n_items (shown), value,
                  gtk_adjustment_get_upper (vadjustment));
  g_assert_cmpfloat (value, >, 0);
  n_shown = g_list_model_get_n_items (shown);
  wait_frames (window, 3);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, n_shown);

  /* At the top again and again, the whole conversation, down to the first message. */
  while (g_list_model_get_n_items (shown) < N_MESSAGES)
    {
      n_shown = g_list_model_get_n_items (shown);
      gtk_adjustment_set_value (vadjustment, 0);
      CONFAB_TEST_WAIT_FOR (g_list_model_get_n_items (shown) > n_shown, WAIT_MS);
      wait_frames (window, 1);
    }
  gtk_adjustment_set_value (vadjustment, 0);
  CONFAB_TEST_WAIT_FOR (confab_chat_view_find_row (CONFAB_CHAT_VIEW (view), message_at (conversation, 0)) != NULL,
                        WAIT_MS);

  /* A new message at the end is shown and, back at the bottom, built. */
  appended = confab_message_new (CONFAB_ROLE_USER, "The newest message");
  confab_conversation_append (conversation, appended);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, N_MESSAGES + 1);
  confab_chat_view_scroll_to_bottom (CONFAB_CHAT_VIEW (view));
  CONFAB_TEST_WAIT_FOR (confab_chat_view_find_row (CONFAB_CHAT_VIEW (view), appended) != NULL, WAIT_MS);

  /* Another conversation starts over on its newest messages. */
  {
    g_autoptr(ConfabConversation) other = make_conversation (N_MESSAGES);

    confab_session_set_conversation (session, other);
    wait_frames (window, 3);
    g_assert_cmpuint (g_list_model_get_n_items (shown), <, 100);
    g_assert_nonnull (confab_chat_view_find_row (CONFAB_CHAT_VIEW (view), message_at (other, N_MESSAGES - 1)));
    confab_session_set_conversation (session, NULL);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/chat-view/long-conversation-opens-on-newest", test_long_conversation_opens_on_newest);

  return g_test_run ();
}
