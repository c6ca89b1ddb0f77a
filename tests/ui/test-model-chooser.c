/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The model chooser of the chat header follows the session it is given, and only that one. */
#include "config.h"

#include <adwaita.h>

#include "confab-conversation.h"
#include "confab-model-chooser.h"
#include "confab-provider.h"
#include "confab-session.h"
#include "panels-test-util.h"

static const char *
button_label (GtkWidget *chooser)
{
  return gtk_menu_button_get_label (GTK_MENU_BUTTON (panels_test_get (chooser, "model_button")));
}

static void
test_model_chooser_rebinds (void)
{
  g_autoptr(ConfabSession) first = confab_session_new ();
  g_autoptr(ConfabSession) second = confab_session_new ();
  g_autoptr(ConfabProvider) provider = confab_provider_new ("Local", "http://127.0.0.1:9/v1");
  GtkWidget *chooser = g_object_ref_sink (confab_model_chooser_new ());
  guint chosen = 0;

  confab_session_set_provider (first, provider);
  confab_session_set_provider (second, provider);

  g_assert_cmpstr (button_label (chooser), ==, "Choose a Model");
  confab_model_chooser_set_session (CONFAB_MODEL_CHOOSER (chooser), first);
  confab_session_set_model (first, "first-model");
  g_assert_cmpstr (button_label (chooser), ==, "first-model");

  /* Given another session, the old one no longer moves the label. */
  confab_model_chooser_set_session (CONFAB_MODEL_CHOOSER (chooser), second);
  g_assert_cmpstr (button_label (chooser), ==, "Choose a Model");
  confab_session_set_model (first, "elsewhere");
  g_assert_cmpstr (button_label (chooser), ==, "Choose a Model");
  confab_session_set_model (second, "second-model");
  g_assert_cmpstr (button_label (chooser), ==, "second-model");

  /* The session's conversation changes: its model shows. */
  {
    g_autoptr(ConfabConversation) conversation = confab_conversation_new ();

    confab_conversation_set_model (conversation, "kept-model");
    confab_session_set_conversation (second, conversation);
    g_assert_cmpstr (button_label (chooser), ==, "kept-model");
  }

  /* Typed in: the session's model, trimmed, and ::model-chosen for the window. */
  g_signal_connect_swapped (chooser, "model-chosen", G_CALLBACK (g_atomic_int_inc), &chosen);
  gtk_editable_set_text (GTK_EDITABLE (panels_test_get (chooser, "model_entry")), "  typed/model  ");
  g_signal_emit_by_name (panels_test_get (chooser, "model_entry"), "activate");
  g_assert_cmpstr (confab_session_get_model (second), ==, "typed/model");
  g_assert_cmpuint (chosen, ==, 1);

  /* Gone with its session still alive: nothing is left connected to it. */
  g_object_unref (chooser);
  confab_session_set_model (second, "after");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/model-chooser/rebinds", test_model_chooser_rebinds);

  return g_test_run ();
}
