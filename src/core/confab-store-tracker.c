/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include <string.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-store-private.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

/* Following a conversation: a ConfabStoreTracker per tracked conversation, a MessageWatch per
 * message, a CallWatch per tool call. Nothing here touches SQLite: changes become rows
 * (confab-store-rows.c) handed to the writer thread. Added messages are committed before
 * on_items_changed() returns; rare changes (state, status, errors) are handed over at once;
 * streamed text, reasoning, arguments and usage mark the message dirty and the dirty set is
 * handed over every CONFAB_STORE_FLUSH_INTERVAL_MS. A watch remembers how much of its text is
 * on disk, so a flush copies only the bytes that arrived since (a piece), and which tool
 * calls changed, so only those are written. */

typedef struct
{
  ConfabToolCall *call;
  gulong          notify_id;
  gboolean        dirty;
} CallWatch;

typedef struct
{
  ConfabStoreTracker *tracker;
  ConfabMessage      *message;
  GPtrArray          *calls;          /* CallWatch, in the order of the message's calls */
  GHashTable         *calls_by_object;/* ConfabToolCall* → CallWatch* */
  GPtrArray          *dirty_calls;    /* CallWatch* with dirty set, to write */
  gulong              handler_ids[6];
  gulong              usage_notify_id;
  gssize              stored_content; /* bytes of the text on disk (row + pieces); -1: unknown */
  gssize              stored_reasoning;
  guint               n_calls_written;
  guint               raw_dirty : 1;
  guint               row_dirty : 1;  /* fields of the row (usage …) changed */
  guint               has_pieces : 1; /* the stored text has pieces to join */
  guint               calls_removed : 1;
} MessageWatch;

struct _ConfabStoreTracker
{
  ConfabStore        *store;
  ConfabConversation *conversation;
  GHashTable         *watches;  /* ConfabMessage* → MessageWatch* */
  gulong              items_changed_id;
  gulong              notify_id;
  guint               n_tree;   /* messages in the tree when last seen */
};

/* Where @message is written: its position in the branch shown, or for a version not shown,
 * its depth in the tree; -1 when it left the conversation. */
static int
find_position (ConfabConversation *conversation,
               ConfabMessage      *message)
{
  int position = confab_conversation_find (conversation, message);
  ConfabMessage *step = message;

  if (position >= 0 || confab_conversation_lookup (conversation, confab_message_get_id (message)) != message)
    return position;

  for (position = 0; (step = confab_conversation_lookup (conversation, confab_message_get_parent_id (step))) != NULL;)
    position++;

  return position;
}

/* The row of what changed in @watch's message since the last one, and notes it as written.
 * Streaming text goes as the bytes that arrived since (a piece); text that is not streaming
 * goes whole, once: when it ends, the pieces are joined into the message. */
static ConfabStoreMessageRow *
watch_take_row (MessageWatch *watch,
                int           position)
{
  ConfabMessage *message = watch->message;
  ConfabStoreMessageRow *row = _confab_store_message_row_new ();
  gboolean streaming = confab_message_get_state (message) == CONFAB_MESSAGE_STATE_STREAMING;
  gssize content_len = confab_message_get_content_length (message);
  const char *reasoning = confab_message_get_reasoning (message);
  gssize reasoning_len = strlen (reasoning);

  row->position = position;

  if (streaming && watch->stored_content >= 0 && watch->stored_reasoning >= 0 &&
      content_len >= watch->stored_content && reasoning_len >= watch->stored_reasoning)
    {
      row->text_mode = CONFAB_STORE_TEXT_APPEND;
      if (content_len > watch->stored_content)
        row->content = g_strdup (confab_message_get_content (message) + watch->stored_content);
      if (reasoning_len > watch->stored_reasoning)
        row->reasoning = g_strdup (reasoning + watch->stored_reasoning);
      if (row->content != NULL || row->reasoning != NULL)
        watch->has_pieces = TRUE;
    }
  else if (!streaming && !watch->has_pieces &&
           watch->stored_content == content_len && watch->stored_reasoning == reasoning_len)
    row->text_mode = CONFAB_STORE_TEXT_NONE;
  else
    {
      row->text_mode = CONFAB_STORE_TEXT_FULL;
      row->content = g_strdup (confab_message_get_content (message));
      row->reasoning = g_strdup (reasoning);
      watch->has_pieces = FALSE;
    }
  watch->stored_content = content_len;
  watch->stored_reasoning = reasoning_len;

  row->id = g_strdup (confab_message_get_id (message));
  if (watch->row_dirty || row->text_mode == CONFAB_STORE_TEXT_FULL)
    _confab_store_message_row_set_fields (row, message);
  watch->row_dirty = FALSE;

  for (guint i = 0; i < watch->dirty_calls->len; i++)
    {
      CallWatch *cw = g_ptr_array_index (watch->dirty_calls, i);

      g_ptr_array_add (row->calls, _confab_store_call_row_new (cw->call));
      cw->dirty = FALSE;
    }
  g_ptr_array_set_size (watch->dirty_calls, 0);
  if (watch->calls_removed)
    {
      row->n_calls = watch->calls->len;
      watch->calls_removed = FALSE;
    }

  if (watch->raw_dirty && !streaming)
    {
      row->raw = confab_message_dup_raw_response (message);
      watch->raw_dirty = FALSE;
    }

  return row;
}

/* Hands @watch's changes to the writer; with @wait, returns once they are committed. */
static void
watch_write (MessageWatch *watch,
             gboolean      wait)
{
  ConfabStore *self = watch->tracker->store;
  ConfabStoreWrite *write;
  int position;

  g_hash_table_remove (self->dirty, watch);

  position = find_position (watch->tracker->conversation, watch->message);
  if (position < 0)
    return;

  write = _confab_store_write_new (confab_conversation_get_id (watch->tracker->conversation));
  write->ledger = TRUE;
  g_ptr_array_add (write->messages, watch_take_row (watch, position));
  _confab_store_push (self, write, wait, NULL);
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  ConfabStore *self = user_data;

  self->flush_source = 0;
  _confab_store_flush_pending (self);

  return G_SOURCE_REMOVE;
}

static void
watch_mark_dirty (MessageWatch *watch)
{
  ConfabStore *self = watch->tracker->store;

  g_hash_table_add (self->dirty, watch);

  if (self->flush_source == 0)
    {
      self->flush_source = g_timeout_add (CONFAB_STORE_FLUSH_INTERVAL_MS, flush_timeout_cb, self);
      g_source_set_name_by_id (self->flush_source, "[confab] store flush");
    }
}

static void
on_text_appended (ConfabMessage *message,
                  const char    *piece,
                  MessageWatch  *watch)
{
  watch_mark_dirty (watch);
}

static void
on_raw_response_appended (ConfabMessage *message,
                          MessageWatch  *watch)
{
  watch->raw_dirty = TRUE;

  if (confab_message_get_state (message) != CONFAB_MESSAGE_STATE_STREAMING)
    watch_mark_dirty (watch);
}

static void
on_message_notify (ConfabMessage *message,
                   GParamSpec    *pspec,
                   MessageWatch  *watch)
{
  const char *name = g_param_spec_get_name (pspec);

  /* Text replaced rather than appended goes whole. */
  if (g_str_equal (name, "content"))
    watch->stored_content = -1;
  else if (g_str_equal (name, "reasoning"))
    watch->stored_reasoning = -1;

  /* state, error, finish reason, model, request body …: rare, handed over at once. */
  watch->row_dirty = TRUE;
  watch_write (watch, FALSE);
}

static void
on_usage_notify (ConfabUsage  *usage,
                 GParamSpec   *pspec,
                 MessageWatch *watch)
{
  watch->row_dirty = TRUE;
  watch_mark_dirty (watch);
}

static void
on_call_notify (ConfabToolCall *call,
                GParamSpec     *pspec,
                MessageWatch   *watch)
{
  const char *name = g_param_spec_get_name (pspec);
  CallWatch *cw = g_hash_table_lookup (watch->calls_by_object, call);

  if (cw != NULL && !cw->dirty)
    {
      cw->dirty = TRUE;
      g_ptr_array_add (watch->dirty_calls, cw);
    }

  /* Arguments grow per fragment: batched like the text. Status, result … at once. */
  if (g_str_equal (name, "arguments") || g_str_equal (name, "duration"))
    watch_mark_dirty (watch);
  else
    watch_write (watch, FALSE);
}

static void
call_watch_free (gpointer data)
{
  CallWatch *cw = data;

  g_clear_signal_handler (&cw->notify_id, cw->call);
  g_clear_object (&cw->call);
  g_free (cw);
}

/* Follows the calls from @position on (@added of them); drops the @removed ones. */
static void
watch_connect_calls (MessageWatch *watch,
                     guint         position,
                     guint         removed,
                     guint         added)
{
  GListModel *calls = confab_message_get_tool_calls (watch->message);

  for (guint i = 0; i < removed && position < watch->calls->len; i++)
    {
      CallWatch *cw = g_ptr_array_index (watch->calls, position);

      g_hash_table_remove (watch->calls_by_object, cw->call);
      g_ptr_array_remove (watch->dirty_calls, cw);
      g_ptr_array_remove_index (watch->calls, position);
    }
  if (removed > 0)
    watch->calls_removed = TRUE;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
      CallWatch *cw;

      if (g_hash_table_contains (watch->calls_by_object, call))
        continue;

      cw = g_new0 (CallWatch, 1);
      cw->call = g_object_ref (call);
      cw->dirty = TRUE;
      g_ptr_array_add (watch->dirty_calls, cw);
      cw->notify_id = g_signal_connect (call, "notify", G_CALLBACK (on_call_notify), watch);
      g_ptr_array_insert (watch->calls, i, cw);
      g_hash_table_insert (watch->calls_by_object, call, cw);
    }
}

static void
on_tool_calls_changed (GListModel   *calls,
                       guint         position,
                       guint         removed,
                       guint         added,
                       MessageWatch *watch)
{
  watch_connect_calls (watch, position, removed, added);
  watch_write (watch, FALSE);
}

static MessageWatch *
message_watch_new (ConfabStoreTracker *tracker,
                   ConfabMessage      *message)
{
  MessageWatch *watch = g_new0 (MessageWatch, 1);

  watch->tracker = tracker;
  watch->message = g_object_ref (message);
  watch->calls = g_ptr_array_new_with_free_func (call_watch_free);
  watch->calls_by_object = g_hash_table_new (NULL, NULL);
  watch->dirty_calls = g_ptr_array_new ();
  watch->stored_content = -1;
  watch->stored_reasoning = -1;
  watch->row_dirty = TRUE;

  watch->handler_ids[0] = g_signal_connect (message, "content-appended", G_CALLBACK (on_text_appended), watch);
  watch->handler_ids[1] = g_signal_connect (message, "reasoning-appended", G_CALLBACK (on_text_appended), watch);
  watch->handler_ids[2] = g_signal_connect (message, "raw-response-appended", G_CALLBACK (on_raw_response_appended), watch);
  watch->handler_ids[3] = g_signal_connect (message, "notify", G_CALLBACK (on_message_notify), watch);
  watch->handler_ids[4] = g_signal_connect (confab_message_get_tool_calls (message), "items-changed",
                                            G_CALLBACK (on_tool_calls_changed), watch);
  watch->usage_notify_id = g_signal_connect (confab_message_get_usage (message), "notify",
                                             G_CALLBACK (on_usage_notify), watch);
  watch_connect_calls (watch, 0, 0, g_list_model_get_n_items (confab_message_get_tool_calls (message)));

  return watch;
}

static void
message_watch_free (MessageWatch *watch)
{
  g_hash_table_remove (watch->tracker->store->dirty, watch);

  g_clear_signal_handler (&watch->handler_ids[0], watch->message);
  g_clear_signal_handler (&watch->handler_ids[1], watch->message);
  g_clear_signal_handler (&watch->handler_ids[2], watch->message);
  g_clear_signal_handler (&watch->handler_ids[3], watch->message);
  g_clear_signal_handler (&watch->handler_ids[4], confab_message_get_tool_calls (watch->message));
  g_clear_signal_handler (&watch->usage_notify_id, confab_message_get_usage (watch->message));
  g_clear_pointer (&watch->calls_by_object, g_hash_table_unref);
  g_clear_pointer (&watch->dirty_calls, g_ptr_array_unref);
  g_clear_pointer (&watch->calls, g_ptr_array_unref);
  g_clear_object (&watch->message);
  g_free (watch);
}

/* Watches every message of the conversation not yet watched; drops watches of removed ones. */
static void
tracker_sync_watches (ConfabStoreTracker *tracker)
{
  GPtrArray *tree = confab_conversation_get_tree (tracker->conversation);
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;

  /* Every message of the tree: the versions not shown are stored too. */
  tracker->n_tree = tree->len;
  for (guint i = 0; i < tree->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (tree, i);

      g_hash_table_add (present, message);
      if (!g_hash_table_contains (tracker->watches, message))
        g_hash_table_insert (tracker->watches, message, message_watch_new (tracker, message));
    }

  g_hash_table_iter_init (&iter, tracker->watches);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_hash_table_contains (present, key))
        g_hash_table_iter_remove (&iter);
    }
}

/* After a whole save: what is in memory is on disk. */
static void
watch_mark_stored (MessageWatch *watch)
{
  ConfabMessage *message = watch->message;

  watch->stored_content = confab_message_get_content_length (message);
  watch->stored_reasoning = strlen (confab_message_get_reasoning (message));
  watch->has_pieces = FALSE;
  watch->row_dirty = FALSE;
  watch->calls_removed = FALSE;
  if (confab_message_get_state (message) != CONFAB_MESSAGE_STATE_STREAMING)
    watch->raw_dirty = FALSE;
  for (guint i = 0; i < watch->dirty_calls->len; i++)
    ((CallWatch *)g_ptr_array_index (watch->dirty_calls, i))->dirty = FALSE;
  g_ptr_array_set_size (watch->dirty_calls, 0);
}

static void
tracker_mark_stored (ConfabStoreTracker *tracker)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, tracker->watches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_remove (tracker->store->dirty, value);
      watch_mark_stored (value);
    }
}

static void
on_items_changed (GListModel         *model,
                  guint               position,
                  guint               removed,
                  guint               added,
                  ConfabStoreTracker *tracker)
{
  ConfabStore *self = tracker->store;
  g_autoptr(GPtrArray) new_messages = g_ptr_array_new_with_free_func (g_object_unref);
  ConfabStoreWrite *write;
  guint n_tree = tracker->n_tree;

  for (guint i = position; i < position + added; i++)
    {
      ConfabMessage *message = g_list_model_get_item (model, i);

      if (g_hash_table_contains (tracker->watches, message))
        g_object_unref (message);   /* a version shown again: stored already */
      else
        g_ptr_array_add (new_messages, message);
    }

  tracker_sync_watches (tracker);

  if (tracker->n_tree < n_tree)
    {
      /* Messages left the tree (a retry): the conversation goes whole, the lost ones go. */
      write = _confab_store_write_new_whole (tracker->conversation);
      write->ledger = TRUE;
      tracker_mark_stored (tracker);
    }
  else
    {
      /* The branch shown (the conversation row) and the messages new to the tree; a
       * version that only went out of sight stays as it is. */
      write = _confab_store_write_new (confab_conversation_get_id (tracker->conversation));
      write->ledger = TRUE;
      write->conversation = _confab_store_conversation_row_new (tracker->conversation);

      for (guint i = 0; i < new_messages->len; i++)
        {
          ConfabMessage *message = g_ptr_array_index (new_messages, i);
          MessageWatch *watch = g_hash_table_lookup (tracker->watches, message);

          g_hash_table_remove (self->dirty, watch);
          g_ptr_array_add (write->messages, watch_take_row (watch, find_position (tracker->conversation, message)));
        }
    }

  /* Added messages (the user's prompt first of all) are committed before this returns:
   * the prompt is on disk before the request is sent. */
  if (_confab_store_push (self, write, TRUE, NULL))
    _confab_store_emit_changed (self);
}

static void
on_conversation_notify (ConfabConversation *conversation,
                        GParamSpec         *pspec,
                        ConfabStoreTracker *tracker)
{
  ConfabStore *self = tracker->store;
  const char *name = g_param_spec_get_name (pspec);
  ConfabStoreWrite *write;

  if (g_str_equal (name, "n-items"))
    return;

  /* updated-at changes with every append, which writes the row itself. */
  if (g_str_equal (name, "updated-at"))
    return;

  write = _confab_store_write_new (confab_conversation_get_id (conversation));
  write->ledger = TRUE;
  write->conversation = _confab_store_conversation_row_new (conversation);

  if (g_str_equal (name, "title"))
    {
      if (_confab_store_push (self, write, TRUE, NULL))
        _confab_store_emit_changed (self);
    }
  else
    _confab_store_push (self, write, FALSE, NULL);
}

void
_confab_store_tracker_free (ConfabStoreTracker *tracker)
{
  g_clear_signal_handler (&tracker->items_changed_id, tracker->conversation);
  g_clear_signal_handler (&tracker->notify_id, tracker->conversation);
  g_clear_pointer (&tracker->watches, g_hash_table_unref);
  if (tracker->store->db != NULL)
    _confab_store_release (tracker->store, confab_conversation_get_id (tracker->conversation));
  g_clear_object (&tracker->conversation);
  g_free (tracker);
}

/* What a load left: which store, and how many messages, so a conversation changed since
 * (a repair appends tool results) is saved whole when tracked. */
typedef struct
{
  ConfabStore *store;
  guint        n_items;
} Loaded;

static GQuark
loaded_quark (void)
{
  return g_quark_from_static_string ("confab-store-loaded");
}

void
_confab_store_mark_loaded (ConfabStore        *self,
                           ConfabConversation *conversation)
{
  Loaded *loaded = g_new0 (Loaded, 1);

  loaded->store = self;
  loaded->n_items = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  g_object_set_qdata_full (G_OBJECT (conversation), loaded_quark (), loaded, g_free);
}

gboolean
_confab_store_take_loaded (ConfabStore        *self,
                           ConfabConversation *conversation)
{
  Loaded *loaded = g_object_steal_qdata (G_OBJECT (conversation), loaded_quark ());
  gboolean unchanged;

  if (loaded == NULL)
    return FALSE;

  unchanged = loaded->store == self &&
              loaded->n_items == g_list_model_get_n_items (G_LIST_MODEL (conversation));
  g_free (loaded);

  return unchanged;
}

gboolean
confab_store_try_track (ConfabStore         *self,
                        ConfabConversation  *conversation,
                        GError             **error)
{
  ConfabStoreTracker *tracker;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), FALSE);

  if (g_hash_table_contains (self->trackers, conversation))
    return TRUE;

  /* One process continues a conversation at a time: two would interleave their turns. */
  if (!_confab_store_claim (self, confab_conversation_get_id (conversation), error))
    return FALSE;

  /* Written in the background; reads wait for it. A conversation as this store just loaded
   * it is on disk already: saving 10,000 messages again would cost the main thread a second
   * before the first frame. */
  if (!_confab_store_take_loaded (self, conversation))
    {
      ConfabStoreWrite *write = _confab_store_write_new_whole (conversation);

      /* Tracked from now on: what it asks of a provider is counted as it completes. */
      write->ledger = TRUE;
      _confab_store_push (self, write, FALSE, NULL);
    }

  tracker = g_new0 (ConfabStoreTracker, 1);
  tracker->store = self;
  tracker->conversation = g_object_ref (conversation);
  tracker->watches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)message_watch_free);
  tracker->items_changed_id = g_signal_connect (conversation, "items-changed",
                                                G_CALLBACK (on_items_changed), tracker);
  tracker->notify_id = g_signal_connect (conversation, "notify",
                                         G_CALLBACK (on_conversation_notify), tracker);
  tracker_sync_watches (tracker);
  tracker_mark_stored (tracker);

  g_hash_table_insert (self->trackers, conversation, tracker);

  return TRUE;
}

void
confab_store_track (ConfabStore        *self,
                    ConfabConversation *conversation)
{
  g_autoptr(GError) error = NULL;

  if (!confab_store_try_track (self, conversation, &error))
    g_warning ("Could not save the conversation: %s", error->message);
}

static void
tracker_flush (ConfabStoreTracker *tracker)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, tracker->watches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MessageWatch *watch = value;

      if (g_hash_table_contains (tracker->store->dirty, watch) || watch->raw_dirty)
        g_ptr_array_add (pending, watch);
    }

  for (guint i = 0; i < pending->len; i++)
    watch_write (g_ptr_array_index (pending, i), FALSE);
}

void
confab_store_untrack (ConfabStore        *self,
                      ConfabConversation *conversation)
{
  ConfabStoreTracker *tracker;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (CONFAB_IS_CONVERSATION (conversation));

  tracker = g_hash_table_lookup (self->trackers, conversation);
  if (tracker == NULL)
    return;

  tracker_flush (tracker);
  g_hash_table_remove (self->trackers, conversation);
}

/* The timer's flush: hands what arrived since the last one to the writer, in one write.
 * This is all the main thread does per flush: copy the new bytes. */
void
_confab_store_flush_pending (ConfabStore *self)
{
  g_autoptr(GHashTable) writes = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gint64 start;
  double ms;

  g_clear_handle_id (&self->flush_source, g_source_remove);

  if (g_hash_table_size (self->dirty) == 0)
    return;

  start = g_get_monotonic_time ();
  writes = g_hash_table_new (NULL, NULL);   /* ConfabStoreTracker* → ConfabStoreWrite* */

  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      MessageWatch *watch = key;
      ConfabStoreWrite *write = g_hash_table_lookup (writes, watch->tracker);
      int position = find_position (watch->tracker->conversation, watch->message);

      if (position < 0)
        continue;

      if (write == NULL)
        {
          write = _confab_store_write_new (confab_conversation_get_id (watch->tracker->conversation));
          write->ledger = TRUE;
          g_hash_table_insert (writes, watch->tracker, write);
        }
      g_ptr_array_add (write->messages, watch_take_row (watch, position));
    }
  g_hash_table_remove_all (self->dirty);

  g_hash_table_iter_init (&iter, writes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    _confab_store_push (self, value, FALSE, NULL);

  ms = (g_get_monotonic_time () - start) / 1000.0;
  self->max_flush_ms = MAX (self->max_flush_ms, ms);
}

ConfabConversation *
confab_store_lookup_tracked (ConfabStore *self,
                             const char  *id)
{
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  g_hash_table_iter_init (&iter, self->trackers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (g_strcmp0 (confab_conversation_get_id (key), id) == 0)
        return key;
    }

  return NULL;
}

/* On dispose: hands over what is pending for every tracked conversation, raw responses of
 * finished messages included (the writer writes them before it stops). */
void
_confab_store_flush_all (ConfabStore *self)
{
  GHashTableIter iter;
  gpointer value;

  _confab_store_flush_pending (self);

  g_hash_table_iter_init (&iter, self->trackers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    tracker_flush (value);
}

gboolean
confab_store_save_all (ConfabStore         *self,
                       GPtrArray           *conversations,
                       GError             **error)
{
  ConfabStoreWrite *first = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (conversations != NULL, FALSE);

  if (conversations->len == 0)
    return TRUE;

  for (guint i = 0; i < conversations->len; i++)
    {
      ConfabStoreWrite *write = _confab_store_write_new_whole (g_ptr_array_index (conversations, i));

      if (first == NULL)
        {
          first = write;
          first->more = g_ptr_array_new_with_free_func ((GDestroyNotify) _confab_store_write_free);
        }
      else
        g_ptr_array_add (first->more, write);
    }

  if (!_confab_store_push (self, first, TRUE, error))
    return FALSE;

  _confab_store_emit_changed (self);

  return TRUE;
}

gboolean
confab_store_save (ConfabStore         *self,
                   ConfabConversation  *conversation,
                   GError             **error)
{
  ConfabStoreTracker *tracker;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), FALSE);

  if (!_confab_store_push (self, _confab_store_write_new_whole (conversation), TRUE, error))
    return FALSE;

  if ((tracker = g_hash_table_lookup (self->trackers, conversation)) != NULL)
    tracker_mark_stored (tracker);

  _confab_store_emit_changed (self);

  return TRUE;
}
