/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-store"

#include "config.h"

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-store-private.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

/* Following a conversation: a ConfabStoreTracker per tracked conversation, a MessageWatch per
 * message, a CallWatch per tool call. Added messages and rare changes (state, status, errors)
 * are written at once; streamed text, reasoning, arguments and usage mark the message dirty
 * and the dirty set is written every CONFAB_STORE_FLUSH_INTERVAL_MS in one transaction. */

typedef struct
{
  ConfabToolCall *call;
  gulong          notify_id;
} CallWatch;

typedef struct
{
  ConfabStoreTracker *tracker;
  ConfabMessage      *message;
  GPtrArray          *calls;        /* CallWatch */
  gulong              handler_ids[6];
  gulong              usage_notify_id;
  guint               raw_dirty : 1;
} MessageWatch;

struct _ConfabStoreTracker
{
  ConfabStore        *store;
  ConfabConversation *conversation;
  GHashTable         *watches;  /* ConfabMessage* → MessageWatch* */
  gulong              items_changed_id;
  gulong              notify_id;
};

static int
find_position (ConfabConversation *conversation,
               ConfabMessage      *message)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

  for (guint i = n; i > 0; i--)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (G_LIST_MODEL (conversation), i - 1);

      if (item == message)
        return i - 1;
    }

  return -1;
}

static void
warn_write_failed (GError *error)
{
  g_warning ("Could not save the conversation: %s", error->message);
}

/* Writes the watched message at @position inside the open transaction, with its raw response
 * once it has stopped streaming; *@wrote_raw says whether that went too. */
static gboolean
watch_write_locked (MessageWatch  *watch,
                    int            position,
                    gboolean      *wrote_raw,
                    GError       **error)
{
  gboolean with_raw = watch->raw_dirty &&
                      confab_message_get_state (watch->message) != CONFAB_MESSAGE_STATE_STREAMING;

  *wrote_raw = FALSE;

  if (!_confab_store_write_message (watch->tracker->store, watch->tracker->conversation, position,
                                    watch->message, with_raw, error))
    return FALSE;

  *wrote_raw = with_raw;

  return TRUE;
}

/* Writes one watched message now, in its own transaction unless one is open. */
static void
watch_write (MessageWatch *watch)
{
  ConfabStore *self = watch->tracker->store;
  g_autoptr(GError) error = NULL;
  gboolean wrote_raw;
  gboolean ok;
  int position;

  g_hash_table_remove (self->dirty, watch);

  position = find_position (watch->tracker->conversation, watch->message);
  if (position < 0)
    return;

  if (!_confab_store_begin (self, &error))
    {
      warn_write_failed (error);
      return;
    }
  ok = watch_write_locked (watch, position, &wrote_raw, &error);
  if (!_confab_store_commit (self, ok, ok ? &error : NULL))
    warn_write_failed (error);
  else if (wrote_raw)
    watch->raw_dirty = FALSE;
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  ConfabStore *self = user_data;
  g_autoptr(GError) error = NULL;

  self->flush_source = 0;

  if (!confab_store_flush (self, &error))
    warn_write_failed (error);

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
  /* state, error, finish reason, model, request body …: rare, written at once. */
  watch_write (watch);
}

static void
on_usage_notify (ConfabUsage  *usage,
                 GParamSpec   *pspec,
                 MessageWatch *watch)
{
  watch_mark_dirty (watch);
}

static void
on_call_notify (ConfabToolCall *call,
                GParamSpec     *pspec,
                MessageWatch   *watch)
{
  const char *name = g_param_spec_get_name (pspec);

  /* Arguments grow per fragment: batched like the text. Status, result … at once. */
  if (g_str_equal (name, "arguments") || g_str_equal (name, "duration"))
    watch_mark_dirty (watch);
  else
    watch_write (watch);
}

static void
call_watch_free (gpointer data)
{
  CallWatch *cw = data;

  g_clear_signal_handler (&cw->notify_id, cw->call);
  g_clear_object (&cw->call);
  g_free (cw);
}

static void
watch_connect_calls (MessageWatch *watch)
{
  GListModel *calls = confab_message_get_tool_calls (watch->message);
  guint n = g_list_model_get_n_items (calls);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
      gboolean known = FALSE;

      for (guint j = 0; j < watch->calls->len && !known; j++)
        known = ((CallWatch *)g_ptr_array_index (watch->calls, j))->call == call;

      if (!known)
        {
          CallWatch *cw = g_new0 (CallWatch, 1);

          cw->call = g_object_ref (call);
          cw->notify_id = g_signal_connect (call, "notify", G_CALLBACK (on_call_notify), watch);
          g_ptr_array_add (watch->calls, cw);
        }
    }
}

static void
on_tool_calls_changed (GListModel   *calls,
                       guint         position,
                       guint         removed,
                       guint         added,
                       MessageWatch *watch)
{
  watch_connect_calls (watch);
  watch_write (watch);
}

static MessageWatch *
message_watch_new (ConfabStoreTracker *tracker,
                   ConfabMessage      *message)
{
  MessageWatch *watch = g_new0 (MessageWatch, 1);

  watch->tracker = tracker;
  watch->message = g_object_ref (message);
  watch->calls = g_ptr_array_new_with_free_func (call_watch_free);

  watch->handler_ids[0] = g_signal_connect (message, "content-appended", G_CALLBACK (on_text_appended), watch);
  watch->handler_ids[1] = g_signal_connect (message, "reasoning-appended", G_CALLBACK (on_text_appended), watch);
  watch->handler_ids[2] = g_signal_connect (message, "raw-response-appended", G_CALLBACK (on_raw_response_appended), watch);
  watch->handler_ids[3] = g_signal_connect (message, "notify", G_CALLBACK (on_message_notify), watch);
  watch->handler_ids[4] = g_signal_connect (confab_message_get_tool_calls (message), "items-changed",
                                            G_CALLBACK (on_tool_calls_changed), watch);
  watch->usage_notify_id = g_signal_connect (confab_message_get_usage (message), "notify",
                                             G_CALLBACK (on_usage_notify), watch);
  watch_connect_calls (watch);

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
  g_clear_pointer (&watch->calls, g_ptr_array_unref);
  g_clear_object (&watch->message);
  g_free (watch);
}

/* Watches every message of the conversation not yet watched; drops watches of removed ones. */
static void
tracker_sync_watches (ConfabStoreTracker *tracker)
{
  GListModel *model = G_LIST_MODEL (tracker->conversation);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i);

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

static void
on_items_changed (GListModel         *model,
                  guint               position,
                  guint               removed,
                  guint               added,
                  ConfabStoreTracker *tracker)
{
  ConfabStore *self = tracker->store;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  tracker_sync_watches (tracker);

  if (!_confab_store_begin (self, &error))
    {
      warn_write_failed (error);
      return;
    }

  if (removed > 0)
    ok = _confab_store_save_locked (self, tracker->conversation, &error);
  else
    {
      ok = _confab_store_write_conversation_row (self, tracker->conversation, &error);

      /* Added messages (the user's prompt first of all) are committed right now. */
      for (guint i = position; ok && i < position + added; i++)
        {
          g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i);
          MessageWatch *watch = g_hash_table_lookup (tracker->watches, message);

          g_hash_table_remove (self->dirty, watch);
          ok = _confab_store_write_message (self, tracker->conversation, i, message,
                                            confab_message_get_state (message) != CONFAB_MESSAGE_STATE_STREAMING,
                                            &error);
        }
    }

  if (!_confab_store_commit (self, ok, ok ? &error : NULL))
    warn_write_failed (error);
  else
    _confab_store_emit_changed (self);
}

static void
on_conversation_notify (ConfabConversation *conversation,
                        GParamSpec         *pspec,
                        ConfabStoreTracker *tracker)
{
  ConfabStore *self = tracker->store;
  g_autoptr(GError) error = NULL;
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "n-items"))
    return;

  /* updated-at changes with every append, which writes the row itself. */
  if (g_str_equal (name, "updated-at"))
    return;

  if (!_confab_store_write_conversation_row (self, conversation, &error))
    warn_write_failed (error);
  else if (g_str_equal (name, "title"))
    _confab_store_emit_changed (self);
}

void
_confab_store_tracker_free (ConfabStoreTracker *tracker)
{
  g_clear_signal_handler (&tracker->items_changed_id, tracker->conversation);
  g_clear_signal_handler (&tracker->notify_id, tracker->conversation);
  g_clear_pointer (&tracker->watches, g_hash_table_unref);
  g_clear_object (&tracker->conversation);
  g_free (tracker);
}

void
confab_store_track (ConfabStore        *self,
                    ConfabConversation *conversation)
{
  g_autoptr(GError) error = NULL;
  ConfabStoreTracker *tracker;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (CONFAB_IS_CONVERSATION (conversation));

  if (g_hash_table_contains (self->trackers, conversation))
    return;

  if (!confab_store_save (self, conversation, &error))
    warn_write_failed (error);

  tracker = g_new0 (ConfabStoreTracker, 1);
  tracker->store = self;
  tracker->conversation = g_object_ref (conversation);
  tracker->watches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)message_watch_free);
  tracker->items_changed_id = g_signal_connect (conversation, "items-changed",
                                                G_CALLBACK (on_items_changed), tracker);
  tracker->notify_id = g_signal_connect (conversation, "notify",
                                         G_CALLBACK (on_conversation_notify), tracker);
  tracker_sync_watches (tracker);

  g_hash_table_insert (self->trackers, conversation, tracker);
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
    watch_write (g_ptr_array_index (pending, i));
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

gboolean
confab_store_flush (ConfabStore  *self,
                    GError      **error)
{
  g_autoptr(GPtrArray) pending = NULL;
  GHashTableIter iter;
  gpointer key;
  gboolean ok = TRUE;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);

  g_clear_handle_id (&self->flush_source, g_source_remove);

  if (g_hash_table_size (self->dirty) == 0)
    return TRUE;

  pending = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (pending, key);
  g_hash_table_remove_all (self->dirty);

  /* All pending messages in one transaction. */
  if (!_confab_store_begin (self, error))
    return FALSE;

  for (guint i = 0; ok && i < pending->len; i++)
    {
      MessageWatch *watch = g_ptr_array_index (pending, i);
      int position = find_position (watch->tracker->conversation, watch->message);
      gboolean wrote_raw;

      if (position < 0)
        continue;

      ok = watch_write_locked (watch, position, &wrote_raw, error);
      if (ok && wrote_raw)
        watch->raw_dirty = FALSE;
    }

  return _confab_store_commit (self, ok, ok ? error : NULL);
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

/* On dispose: writes what is pending for every tracked conversation, raw responses of
 * finished messages included. */
void
_confab_store_flush_all (ConfabStore *self)
{
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;

  if (!confab_store_flush (self, &error))
    warn_write_failed (error);

  /* Raw responses of finished messages not yet written. */
  g_hash_table_iter_init (&iter, self->trackers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    tracker_flush (value);
}
