/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-conversation-list"

#include "config.h"

#include "confab-conversation-list-private.h"

/* The search's half of the conversation list: queries run in a worker thread a page at a
 * time (a newer query cancels the one before), and a page is handed to the list view so that
 * no frame pays for all of it: the row objects already there take the new contents, and new
 * rows come a screenful per frame. */

/* Rows added to the list per frame when a search page brings new ones: each new row is a new
 * widget (about a millisecond each, more on a busy machine), and a window shows about 15. */
#define ROWS_PER_FRAME 16

static gboolean
add_pending_rows_cb (GtkWidget     *widget,
                     GdkFrameClock *clock,
                     gpointer       user_data)
{
  ConfabConversationList *self = user_data;
  guint n = MIN (self->pending_rows->len, ROWS_PER_FRAME);
  guint end = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  g_list_store_splice (self->rows, end, 0, self->pending_rows->pdata, n);
  g_ptr_array_remove_range (self->pending_rows, 0, n);
  _confab_conversation_list_rows_changed (self);

  if (self->pending_rows->len > 0)
    return G_SOURCE_CONTINUE;

  self->pending_tick = 0;
  return G_SOURCE_REMOVE;
}

/* Puts @rows in place of the rows from @position on. The row objects already there are kept
 * and take the new contents (GTK 4.8's list view builds a new widget for every new object:
 * replacing a page of 50 for each query typed cost frames); only rows past their end are
 * added or removed. With @a_few_per_frame, rows added beyond the first screenful come
 * ROWS_PER_FRAME per frame. */
void
_confab_conversation_list_show_rows (ConfabConversationList *self,
           guint                   position,
           GListModel             *rows,
           gboolean                a_few_per_frame)
{
  g_autoptr(GPtrArray) added = NULL;
  guint n = g_list_model_get_n_items (rows);
  guint old, kept, changed = 0;

  /* Rows of the page before still waiting: a next page comes after them; anything else
   * replaces them. */
  if (self->pending_rows->len > 0)
    {
      if (position > 0)
        {
          guint end = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

          g_list_store_splice (self->rows, end, 0, self->pending_rows->pdata, self->pending_rows->len);
        }
      g_ptr_array_set_size (self->pending_rows, 0);
    }

  old = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  position = MIN (position, old);
  kept = MIN (n, old - position);

  for (guint i = 0; i < kept; i++)
    {
      g_autoptr(ConfabStoreSummary) row = g_list_model_get_item (G_LIST_MODEL (self->rows), position + i);
      g_autoptr(ConfabStoreSummary) summary = g_list_model_get_item (rows, i);

      changed += confab_store_summary_assign (row, summary);
    }

  added = g_ptr_array_new_full (n - kept, g_object_unref);
  for (guint i = kept; i < n; i++)
    g_ptr_array_add (added, g_list_model_get_item (rows, i));

  if (a_few_per_frame && position + kept + added->len > ROWS_PER_FRAME &&
      gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      guint now = position + kept >= ROWS_PER_FRAME ? 0 : MIN (added->len, ROWS_PER_FRAME - position - kept);

      for (guint i = now; i < added->len; i++)
        g_ptr_array_add (self->pending_rows, g_object_ref (g_ptr_array_index (added, i)));
      g_ptr_array_set_size (added, now);
      if (self->pending_rows->len > 0 && self->pending_tick == 0)
        self->pending_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view),
                                                           add_pending_rows_cb, self, NULL);
    }

  if (added->len > 0 || old - position > kept)
    g_list_store_splice (self->rows, position + kept, old - position - kept, added->pdata, added->len);

  if (changed > 0)
    {
      GHashTableIter iter;
      gpointer item;

      /* The rows on screen show the new contents; whether a row is hidden (its deletion
       * waits for the toast) depends on what it shows now. */
      g_hash_table_iter_init (&iter, self->bound_rows);
      while (g_hash_table_iter_next (&iter, &item, NULL))
        _confab_conversation_list_fill_row (self, item);
      if (g_hash_table_size (self->pending_deletes) > 0)
        gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
    }

  _confab_conversation_list_rows_changed (self);
}

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ConfabConversationList) self = user_data;
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = confab_store_search_finish (CONFAB_STORE (object), result, &error);
  self->n_searches--;

  /* A newer query (or closing) cancelled it: its rows would be stale. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->search_loading = FALSE;

  if (rows == NULL)
    {
      g_warning ("Could not search the conversations: %s", error->message);
      return;
    }

  self->search_more = g_list_model_get_n_items (rows) == CONFAB_CONVERSATION_LIST_PAGE;
  _confab_conversation_list_show_rows (self, self->search_offset, rows, TRUE);
  self->search_offset += g_list_model_get_n_items (rows);
}

/* Searches off the main thread, a page at a time; the search before is cancelled. */
void
_confab_conversation_list_start_search (ConfabConversationList *self,
              const char             *text,
              guint                   offset)
{
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->search_cancellable = g_cancellable_new ();

  if (text != self->search_text)
    {
      g_free (self->search_text);
      self->search_text = g_strdup (text);
    }
  self->search_offset = offset;
  self->search_loading = TRUE;
  self->search_more = FALSE;

  self->n_searches++;
  confab_store_search_async (self->store, text, offset, CONFAB_CONVERSATION_LIST_PAGE,
                             self->search_cancellable, search_done_cb, g_object_ref (self));
}

/* Scrolled near the end of a search's rows: the next page. */
void
_confab_conversation_list_on_scrolled (GtkAdjustment          *adjustment,
             ConfabConversationList *self)
{
  double end = gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment);

  if (self->search_more && !self->search_loading && self->search_text != NULL &&
      end >= gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) / 2)
    _confab_conversation_list_start_search (self, self->search_text, self->search_offset);
}

gboolean
confab_conversation_list_is_searching (ConfabConversationList *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_LIST (self), FALSE);

  return self->n_searches > 0 || self->pending_rows->len > 0;
}

/* Unmapped, no frame comes to add the rows still waiting: they go in now. */
void
_confab_conversation_list_flush_rows (ConfabConversationList *self)
{
  if (self->pending_rows->len > 0)
    {
      guint end = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

      g_list_store_splice (self->rows, end, 0, self->pending_rows->pdata, self->pending_rows->len);
      g_ptr_array_set_size (self->pending_rows, 0);
      _confab_conversation_list_rows_changed (self);
    }
}
