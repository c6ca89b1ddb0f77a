/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-recording-window"

#include "config.h"

#include <adwaita.h>

#include "confab-cassette.h"
#include "confab-chat-view.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-recording-window.h"
#include "confab-session.h"

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
open_one (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GtkWidget *window = confab_recording_window_new_for_file (NULL, file, &error);
  ConfabChatView *view;
  ConfabConversation *conversation;
  guint n;

  g_test_message ("%s", path);
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (window));
  iterate ();

  view = confab_recording_window_get_chat_view (CONFAB_RECORDING_WINDOW (window));
  conversation = confab_session_get_conversation (confab_chat_view_get_session (view));
  n = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  g_assert_cmpuint (n, >=, 2);
  confab_chat_view_flush (view);

  /* The first answer has a row, and nothing can be re-sent from a recording. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) m = g_list_model_get_item (G_LIST_MODEL (conversation), i);

      if (confab_message_get_role (m) != CONFAB_ROLE_ASSISTANT)
        continue;
      g_assert_nonnull (confab_chat_view_find_row (view, m));
      gtk_widget_activate_action (GTK_WIDGET (view), "chat.regenerate", "s", confab_message_get_id (m));
      gtk_widget_activate_action (GTK_WIDGET (view), "chat.retry", "s", confab_message_get_id (m));
      break;
    }
  iterate ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, n);

  gtk_window_destroy (GTK_WINDOW (window));
  iterate ();
}

/* Every recording in ../shared/cassettes opens as a conversation (and the YAML ones). */
static void
test_every_cassette (void)
{
  const char *dir_path = g_getenv ("CONFAB_CASSETTES_DIR");
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n_files = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);

      if (!g_str_has_suffix (name, ".json"))
        continue;
      open_one (path);
      n_files++;
    }
  g_assert_cmpuint (n_files, >=, 3);

  if (confab_cassette_supports_yaml ())
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "cassettes", "tool_streaming_groq-kimi-k2.yaml", NULL);
      open_one (path);
    }
}

static void
test_not_a_cassette (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "import", "unknown.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_null (confab_recording_window_new_for_file (NULL, file, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/recording-window/every-cassette", test_every_cassette);
  g_test_add_func ("/recording-window/not-a-cassette", test_not_a_cassette);

  return g_test_run ();
}
