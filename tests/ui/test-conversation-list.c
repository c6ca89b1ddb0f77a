/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-conversation-list"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-conversation-list.h"
#include "confab-message.h"
#include "confab-store.h"

static ConfabConversation *
save_simple (ConfabStore *store,
             const char  *prompt,
             gint64       updated_at)
{
  ConfabConversation *conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, prompt);

  confab_conversation_append (conversation, user);
  confab_conversation_set_updated_at (conversation, updated_at);
  g_assert_true (confab_store_save (store, conversation, NULL));

  return conversation;
}

static const char *
title_at (GListModel *model,
          guint       position)
{
  g_autoptr(ConfabStoreSummary) summary = g_list_model_get_item (model, position);

  /* The summary lives in the list store, so the string outlives this ref. */
  return summary ? confab_store_summary_get_title (summary) : NULL;
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Iterates until the list's search is back (it runs in a worker thread), or fails. */
static void
wait_for_search (GtkWidget *list)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (confab_conversation_list_is_searching (CONFAB_CONVERSATION_LIST (list)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
on_activated (GtkWidget  *list,
              const char *id,
              char      **out)
{
  g_free (*out);
  *out = g_strdup (id);
}

static void
test_list_search_delete_undo (void)
{
  g_autoptr(ConfabStore) store = confab_store_open_default (NULL);
  g_autoptr(ConfabConversation) old = save_simple (store, "Risotto with saffron", 1000);
  g_autoptr(ConfabConversation) recent = save_simple (store, "Trains to Florence", 2000);
  g_autofree char *activated = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list = confab_conversation_list_new (store);
  GListModel *model = confab_conversation_list_get_model (CONFAB_CONVERSATION_LIST (list));
  GtkWidget *search;

  gtk_window_set_child (GTK_WINDOW (window), list);
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (list, "conversation-activated", G_CALLBACK (on_activated), &activated);

  /* Most recent first. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpstr (title_at (model, 0), ==, "Trains to Florence");
  g_assert_cmpstr (title_at (model, 1), ==, "Risotto with saffron");

  /* New conversations show up by themselves. */
  {
    g_autoptr(ConfabConversation) newest = save_simple (store, "Newest one", 3000);
    iterate ();
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
    g_assert_cmpstr (title_at (model, 0), ==, "Newest one");
    g_assert_true (confab_store_delete (store, confab_conversation_get_id (newest), NULL));
    iterate ();
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  }

  /* The search field filters through the full-text index; Enter opens the best match. */
  confab_conversation_list_focus_search (CONFAB_CONVERSATION_LIST (list));
  search = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (search);
  g_assert_true (GTK_IS_SEARCH_ENTRY (search) || GTK_IS_SEARCH_ENTRY (gtk_widget_get_parent (search)));
  search = GTK_IS_SEARCH_ENTRY (search) ? search : gtk_widget_get_parent (search);
  gtk_editable_set_text (GTK_EDITABLE (search), "saffron");
  g_signal_emit_by_name (search, "search-changed");
  wait_for_search (list);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_cmpstr (title_at (model, 0), ==, "Risotto with saffron");
  g_signal_emit_by_name (search, "activate");
  g_assert_cmpstr (activated, ==, confab_conversation_get_id (old));
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  g_signal_emit_by_name (search, "search-changed");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  /* A query changed before its search is back cancels it: the older one's rows (Risotto
   * alone) never show, at any iteration, until every search has called back. (The text is
   * edited, not set: setting it empties it first, which lists everything.) */
  gtk_editable_set_text (GTK_EDITABLE (search), "saffron");
  g_signal_emit_by_name (search, "search-changed");
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    int position = 0;

    gtk_editable_insert_text (GTK_EDITABLE (search), "trains ", -1, &position);
    g_signal_emit_by_name (search, "search-changed");
    while (confab_conversation_list_is_searching (CONFAB_CONVERSATION_LIST (list)))
      {
        g_assert_false (g_list_model_get_n_items (model) == 1 &&
                        g_strcmp0 (title_at (model, 0), "Risotto with saffron") == 0);
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
  }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, "trains saffron");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  g_signal_emit_by_name (search, "search-changed");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  /* Delete hides the row at once but keeps the conversation until the toast goes. */
  g_assert_true (gtk_widget_activate_action (list, "conversation-list.delete", "s",
                                             confab_conversation_get_id (recent)));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_true (confab_store_contains (store, confab_conversation_get_id (recent)));

  /* Undo brings it back, still stored. */
  g_assert_true (gtk_widget_activate_action (list, "conversation-list.undo-delete", "s",
                                             confab_conversation_get_id (recent)));
  iterate ();
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_true (confab_store_contains (store, confab_conversation_get_id (recent)));

  /* Rename goes to the store and the row follows. */
  g_assert_true (confab_store_rename (store, confab_conversation_get_id (old), "Dinner plans", NULL));
  iterate ();
  g_assert_cmpstr (title_at (model, 1), ==, "Dinner plans");

  /* Deleted again and the window closes before the toast expires: it is gone for good. */
  g_assert_true (gtk_widget_activate_action (list, "conversation-list.delete", "s",
                                             confab_conversation_get_id (recent)));
  g_assert_true (confab_store_contains (store, confab_conversation_get_id (recent)));
  gtk_window_destroy (GTK_WINDOW (window));
  iterate ();
  g_assert_false (confab_store_contains (store, confab_conversation_get_id (recent)));
  g_assert_true (confab_store_contains (store, confab_conversation_get_id (old)));
}

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static void
test_rename_dialog_and_selected_delete (void)
{
  g_autoptr(ConfabStore) store = confab_store_open_default (NULL);
  g_autoptr(ConfabConversation) conversation = save_simple (store, "Old <b>title</b>", 1000);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list = confab_conversation_list_new (store);
  GListModel *model = confab_conversation_list_get_model (CONFAB_CONVERSATION_LIST (list));
  const char *id = confab_conversation_get_id (conversation);
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  gtk_window_set_child (GTK_WINDOW (window), list);
  gtk_window_present (GTK_WINDOW (window));

  /* The window marks the open conversation; F2 / the menu renames it through a dialog. */
  confab_conversation_list_set_active (CONFAB_CONVERSATION_LIST (list), id);
  g_assert_true (gtk_widget_activate_action (list, "conversation-list.rename-selected", NULL));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  entry = adw_message_dialog_get_extra_child (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Old <b>title</b>");
  gtk_editable_set_text (GTK_EDITABLE (entry), "  New title  ");
  adw_message_dialog_response (dialog, "rename");
  gtk_window_destroy (GTK_WINDOW (dialog));
  iterate ();
  g_assert_cmpstr (title_at (model, 0), ==, "New title");

  /* Delete on the selected row (the Delete key's action) hides it; undo is still possible. */
  g_assert_true (gtk_widget_activate_action (list, "conversation-list.delete-selected", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_true (confab_store_contains (store, id));

  gtk_window_destroy (GTK_WINDOW (window));
  iterate ();
  g_assert_false (confab_store_contains (store, id));
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Counts the mapped labels under @widget whose text has @word. */
static guint
count_labels_with (GtkWidget  *widget,
                   const char *word)
{
  guint n = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), word) != NULL)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_labels_with (child, word);
  return n;
}

/* Types @text into the search field, without waiting for the field's delay. The new text
 * goes in before the old goes out: an empty field lists every conversation at once. */
static void
start_query (GtkWidget  *list,
             const char *text)
{
  GtkWidget *search;
  int old_len, position;

  confab_conversation_list_focus_search (CONFAB_CONVERSATION_LIST (list));
  search = gtk_root_get_focus (gtk_widget_get_root (list));
  while (search != NULL && !GTK_IS_SEARCH_ENTRY (search))
    search = gtk_widget_get_parent (search);
  g_assert_nonnull (search);

  old_len = g_utf8_strlen (gtk_editable_get_text (GTK_EDITABLE (search)), -1);
  position = old_len;
  gtk_editable_insert_text (GTK_EDITABLE (search), text, -1, &position);
  gtk_editable_delete_text (GTK_EDITABLE (search), 0, old_len);
  g_signal_emit_by_name (search, "search-changed");
}

static void
type_query (GtkWidget  *list,
            const char *text)
{
  start_query (list, text);
  wait_for_search (list);
  /* Drawn: the rows on screen are laid out with what they show. */
  for (guint i = 0; i < 3; i++)
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      GdkFrameClock *clock = gtk_widget_get_frame_clock (list);
      gint64 frame = gdk_frame_clock_get_frame_counter (clock);

      gtk_widget_queue_draw (list);
      while (gdk_frame_clock_get_frame_counter (clock) == frame)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, TRUE);
        }
    }
}

/* The first mapped label under @widget whose text has @word. */
static GtkWidget *
find_label_with (GtkWidget  *widget,
                 const char *word)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_text (GTK_LABEL (widget)), word) != NULL)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with (child, word);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A search hit deep in a long message: its row's snippet shows the word searched for. It
 * began at the sentence, twelve words before it, and the sidebar's width cut it off before
 * the word ("…Day item number 1, with e…"). */
static void
test_snippet_shows_match (void)
{
  g_autoptr(ConfabStore) store = confab_store_open_default (NULL);
  g_autoptr(ConfabConversation) plan = confab_conversation_new ();
  g_autoptr(ConfabMessage) answer = confab_message_new (CONFAB_ROLE_ASSISTANT,
    "Here is a short plan for the week.\n\n"
    "1. Day item number 1, with enough words to wrap in a narrow window\n"
    "2. Day item number 2, with enough words to wrap in a narrow window\n");
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "Plan my week");
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list = confab_conversation_list_new (store);
  g_autoptr(PangoLayout) upto = NULL;
  GtkWidget *label;
  const char *text, *match;
  int width;

  confab_conversation_set_title (plan, "Week plan");
  confab_conversation_append (plan, user);
  confab_conversation_append (plan, answer);
  g_assert_true (confab_store_save (store, plan, NULL));

  /* As wide as the sidebar. */
  gtk_window_set_default_size (GTK_WINDOW (window), 260, 400);
  gtk_window_set_child (GTK_WINDOW (window), list);
  gtk_window_present (GTK_WINDOW (window));

  type_query (list, "narrow");
  label = find_label_with (list, "narrow");
  g_assert_nonnull (label);
  text = gtk_label_get_text (GTK_LABEL (label));
  g_test_message ("snippet: %s", text);
  match = strstr (text, "narrow");

  /* The text up to the end of the word fits the label's width, so it is drawn, not
   * ellipsized away. */
  {
    g_autofree char *prefix = g_strndup (text, match + strlen ("narrow") - text);

    upto = gtk_widget_create_pango_layout (label, prefix);
    pango_layout_get_pixel_size (upto, &width, NULL);
  }
  g_assert_cmpint (gtk_widget_get_width (label), >, 0);
  g_assert_cmpint (width, <=, gtk_widget_get_width (label));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A new query's page takes the place of the rows shown: the first page only (50 rows), in
 * the row widgets already there (GTK 4.8 builds a new widget for each new row object, which
 * cost frames at every keystroke), showing the new results. Rows beyond the first screenful
 * come a few per frame, and the search counts as running until they are all in. */
static void
test_search_pages_reuse_rows (void)
{
  g_autoptr(ConfabStore) store = confab_store_open_default (NULL);
  g_autoptr(GHashTable) widgets = g_hash_table_new (NULL, NULL);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list = confab_conversation_list_new (store);
  GListModel *model = confab_conversation_list_get_model (CONFAB_CONVERSATION_LIST (list));
  GtkWidget *list_view;
  guint n_rows = 0, reused = 0;

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *alpha = g_strdup_printf ("alpha question %u", i);
      g_autofree char *beta = g_strdup_printf ("beta question %u", i);
      g_autoptr(ConfabConversation) a = save_simple (store, alpha, 1000 + i);
      g_autoptr(ConfabConversation) b = save_simple (store, beta, 2000 + i);
    }
  {
    g_autoptr(ConfabConversation) g = save_simple (store, "gamma alone", 5000);
  }

  gtk_window_set_default_size (GTK_WINDOW (window), 400, 600);
  gtk_window_set_child (GTK_WINDOW (window), list);
  gtk_window_present (GTK_WINDOW (window));
  list_view = find_list_view (list);
  g_assert_nonnull (list_view);

  type_query (list, "alpha");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 50);
  g_assert_cmpuint (count_labels_with (list_view, "alpha"), >, 0);
  for (GtkWidget *row = gtk_widget_get_first_child (list_view); row != NULL; row = gtk_widget_get_next_sibling (row))
    g_hash_table_add (widgets, gtk_widget_get_first_child (row));

  type_query (list, "beta");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 50);
  for (GtkWidget *row = gtk_widget_get_first_child (list_view); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      n_rows++;
      reused += g_hash_table_contains (widgets, gtk_widget_get_first_child (row));
    }
  g_assert_cmpuint (n_rows, >, 0);
  g_assert_cmpuint (reused, ==, n_rows);
  g_assert_cmpuint (count_labels_with (list_view, "alpha"), ==, 0);
  g_assert_cmpuint (count_labels_with (list_view, "beta"), >, 0);

  /* From one row to a page: all 50 are there once the search no longer runs. */
  type_query (list, "gamma");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  start_query (list, "alpha");
  wait_for_search (list);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 50);
  for (guint i = 0; i < 50; i++)
    g_assert_true (g_str_has_prefix (title_at (model, i), "alpha"));

  gtk_window_destroy (GTK_WINDOW (window));
  iterate ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  adw_init ();
  /* Toasts appear and go without animations, so the test need not wait for frames. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/conversation-list/list-search-delete-undo", test_list_search_delete_undo);
  g_test_add_func ("/conversation-list/rename-dialog-and-selected-delete", test_rename_dialog_and_selected_delete);
  g_test_add_func ("/conversation-list/search-pages-reuse-rows", test_search_pages_reuse_rows);
  g_test_add_func ("/conversation-list/snippet-shows-match", test_snippet_shows_match);

  return g_test_run ();
}
