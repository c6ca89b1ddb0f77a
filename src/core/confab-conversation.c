/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-conversation"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-usage.h"
#include "confab-util-private.h"

#define TITLE_MAX_CHARS 60

struct _ConfabConversation
{
  GObject    parent_instance;

  GPtrArray  *messages;     /* the shown branch: the items of the GListModel */
  GPtrArray  *all;          /* every message of the tree, each after its parent */
  GHashTable *by_id;        /* id → ConfabMessage* */
  GHashTable *children;     /* parent (the conversation for first messages) → GPtrArray of
                             * its children by sibling index */
  GHashTable *shown_child;  /* parent (the conversation) → the child shown last under it */
  char       *id;
  char      *title;
  char      *system_prompt;
  char      *provider_name;
  char      *base_url;
  char      *model;
  gint64     created_at;
  gint64     updated_at;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabConversation, confab_conversation, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_SYSTEM_PROMPT,
  PROP_PROVIDER_NAME,
  PROP_BASE_URL,
  PROP_MODEL,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
confab_conversation_get_item_type (GListModel *model)
{
  return CONFAB_TYPE_MESSAGE;
}

static guint
confab_conversation_get_n_items (GListModel *model)
{
  return CONFAB_CONVERSATION (model)->messages->len;
}

static gpointer
confab_conversation_get_item (GListModel *model,
                              guint       position)
{
  ConfabConversation *self = CONFAB_CONVERSATION (model);

  if (position >= self->messages->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->messages, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = confab_conversation_get_item_type;
  iface->get_n_items = confab_conversation_get_n_items;
  iface->get_item = confab_conversation_get_item;
}

static void
confab_conversation_finalize (GObject *object)
{
  ConfabConversation *self = (ConfabConversation *)object;

  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->shown_child, g_hash_table_unref);
  g_clear_pointer (&self->children, g_hash_table_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->all, g_ptr_array_unref);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->system_prompt, g_free);
  g_clear_pointer (&self->provider_name, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->model, g_free);

  G_OBJECT_CLASS (confab_conversation_parent_class)->finalize (object);
}

static void
confab_conversation_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabConversation *self = CONFAB_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_ID:            g_value_set_string (value, self->id); break;
    case PROP_TITLE:         g_value_set_string (value, self->title); break;
    case PROP_SYSTEM_PROMPT: g_value_set_string (value, self->system_prompt); break;
    case PROP_PROVIDER_NAME: g_value_set_string (value, self->provider_name); break;
    case PROP_BASE_URL:      g_value_set_string (value, self->base_url); break;
    case PROP_MODEL:         g_value_set_string (value, self->model); break;
    case PROP_CREATED_AT:    g_value_set_int64 (value, self->created_at); break;
    case PROP_UPDATED_AT:    g_value_set_int64 (value, self->updated_at); break;
    case PROP_N_ITEMS:       g_value_set_uint (value, self->messages->len); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabConversation *self = CONFAB_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_ID:            confab_conversation_set_id (self, g_value_get_string (value)); break;
    case PROP_TITLE:         confab_conversation_set_title (self, g_value_get_string (value)); break;
    case PROP_SYSTEM_PROMPT: confab_conversation_set_system_prompt (self, g_value_get_string (value)); break;
    case PROP_PROVIDER_NAME: confab_conversation_set_provider_name (self, g_value_get_string (value)); break;
    case PROP_BASE_URL:      confab_conversation_set_base_url (self, g_value_get_string (value)); break;
    case PROP_MODEL:         confab_conversation_set_model (self, g_value_get_string (value)); break;
    case PROP_CREATED_AT:    confab_conversation_set_created_at (self, g_value_get_int64 (value)); break;
    case PROP_UPDATED_AT:    confab_conversation_set_updated_at (self, g_value_get_int64 (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_class_init (ConfabConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  object_class->finalize = confab_conversation_finalize;
  object_class->get_property = confab_conversation_get_property;
  object_class->set_property = confab_conversation_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, rw);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_SYSTEM_PROMPT] = g_param_spec_string ("system-prompt", NULL, NULL, NULL, rw);
  properties[PROP_PROVIDER_NAME] = g_param_spec_string ("provider-name", NULL, NULL, NULL, rw);
  properties[PROP_BASE_URL] = g_param_spec_string ("base-url", NULL, NULL, NULL, rw);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, rw);
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_UPDATED_AT] = g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_conversation_init (ConfabConversation *self)
{
  self->messages = g_ptr_array_new_with_free_func (g_object_unref);
  self->all = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->children = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_ptr_array_unref);
  self->shown_child = g_hash_table_new (NULL, NULL);
  self->id = g_uuid_string_random ();
  self->created_at = self->updated_at = g_get_real_time ();
}

ConfabConversation *
confab_conversation_new (void)
{
  return g_object_new (CONFAB_TYPE_CONVERSATION, NULL);
}

#define DEFINE_STRING_ACCESSORS(field, PROP)                                   \
const char *                                                                   \
confab_conversation_get_##field (ConfabConversation *self)                     \
{                                                                              \
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);                  \
  return self->field;                                                          \
}                                                                              \
                                                                               \
void                                                                           \
confab_conversation_set_##field (ConfabConversation *self,                     \
                                 const char         *field)                    \
{                                                                              \
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));                            \
  if (_confab_set_str (&self->field, field))                                   \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);              \
}

DEFINE_STRING_ACCESSORS (id, PROP_ID)
DEFINE_STRING_ACCESSORS (title, PROP_TITLE)
DEFINE_STRING_ACCESSORS (system_prompt, PROP_SYSTEM_PROMPT)
DEFINE_STRING_ACCESSORS (provider_name, PROP_PROVIDER_NAME)
DEFINE_STRING_ACCESSORS (base_url, PROP_BASE_URL)
DEFINE_STRING_ACCESSORS (model, PROP_MODEL)

#undef DEFINE_STRING_ACCESSORS

gint64
confab_conversation_get_created_at (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), 0);
  return self->created_at;
}

void
confab_conversation_set_created_at (ConfabConversation *self,
                                    gint64              created_at)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));

  if (self->created_at == created_at)
    return;

  self->created_at = created_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED_AT]);
}

gint64
confab_conversation_get_updated_at (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), 0);
  return self->updated_at;
}

void
confab_conversation_set_updated_at (ConfabConversation *self,
                                    gint64              updated_at)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));

  if (self->updated_at == updated_at)
    return;

  self->updated_at = updated_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED_AT]);
}

char *
confab_conversation_make_title (const char *text)
{
  g_autofree char *line = NULL;
  const char *end;
  glong n_chars;

  if (text == NULL)
    return g_strdup ("");

  while (g_ascii_isspace (*text))
    text++;

  end = strchr (text, '\n');
  line = end ? g_strndup (text, end - text) : g_strdup (text);
  g_strstrip (line);

  if (!g_utf8_validate (line, -1, NULL))
    return g_utf8_make_valid (line, -1);

  n_chars = g_utf8_strlen (line, -1);
  if (n_chars > TITLE_MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (line, 0, TITLE_MAX_CHARS - 1);
      g_strchomp (cut);
      return g_strconcat (cut, "…", NULL);
    }

  return g_steal_pointer (&line);
}

/* The key of the message @parent_id in children and shown_child: the message, or the
 * conversation itself for first messages (NULL); NULL when there is no such message. */
static gpointer
parent_key (ConfabConversation *self,
            const char         *parent_id)
{
  return parent_id != NULL ? g_hash_table_lookup (self->by_id, parent_id) : self;
}

static GPtrArray *
children_of (ConfabConversation *self,
             const char         *parent_id)
{
  gpointer key = parent_key (self, parent_id);

  return key != NULL ? g_hash_table_lookup (self->children, key) : NULL;
}

/* Puts @message into the tree (not into the shown branch) with the parent and sibling
 * index it has; an index already taken moves it after the last sibling. */
static void
tree_add (ConfabConversation *self,
          ConfabMessage      *message)
{
  const char *parent_id = confab_message_get_parent_id (message);
  GPtrArray *siblings = children_of (self, parent_id);
  guint index = confab_message_get_sibling_index (message);
  guint at;

  if (siblings == NULL)
    {
      siblings = g_ptr_array_new ();
      g_hash_table_insert (self->children, parent_key (self, parent_id), siblings);
    }

  for (at = siblings->len; at > 0; at--)
    {
      guint before = confab_message_get_sibling_index (g_ptr_array_index (siblings, at - 1));

      if (before < index)
        break;
      if (before == index)
        {
          index = confab_message_get_sibling_index (g_ptr_array_index (siblings, siblings->len - 1)) + 1;
          at = siblings->len;
          break;
        }
    }
  confab_message_set_parent (message, parent_id, index);
  g_ptr_array_insert (siblings, at, message);

  g_ptr_array_add (self->all, g_object_ref (message));
  g_hash_table_insert (self->by_id, g_strdup (confab_message_get_id (message)), message);
}

static void
emit_changed (ConfabConversation *self,
              guint               position,
              guint               removed,
              guint               added)
{
  if (removed == 0 && added == 0)
    return;

  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
title_from (ConfabConversation *self,
            ConfabMessage      *message)
{
  g_autofree char *title = NULL;

  if ((self->title != NULL && self->title[0] != '\0') ||
      confab_message_get_role (message) != CONFAB_ROLE_USER)
    return;

  title = confab_conversation_make_title (confab_message_get_content (message));

  /* A picture or a file sent without text: the conversation is named after it. */
  if (title[0] == '\0' && confab_message_get_n_attachments (message) > 0)
    {
      g_autoptr(ConfabAttachment) first = g_list_model_get_item (confab_message_get_attachments (message), 0);

      g_free (title);
      title = g_strdup (confab_attachment_get_name (first));
    }
  confab_conversation_set_title (self, title);
}

void
confab_conversation_append (ConfabConversation *self,
                            ConfabMessage      *message)
{
  ConfabMessage *parent;
  GPtrArray *siblings;
  guint position;

  g_return_if_fail (CONFAB_IS_CONVERSATION (self));
  g_return_if_fail (CONFAB_IS_MESSAGE (message));
  g_return_if_fail (confab_conversation_lookup (self, confab_message_get_id (message)) == NULL);

  parent = confab_conversation_get_last_message (self);
  siblings = children_of (self, parent ? confab_message_get_id (parent) : NULL);
  confab_message_set_parent (message, parent ? confab_message_get_id (parent) : NULL,
                             siblings != NULL && siblings->len > 0
                             ? confab_message_get_sibling_index (g_ptr_array_index (siblings, siblings->len - 1)) + 1
                             : 0);
  tree_add (self, message);
  g_hash_table_insert (self->shown_child, parent ? (gpointer) parent : self, message);

  position = self->messages->len;
  g_ptr_array_add (self->messages, g_object_ref (message));

  title_from (self, message);
  confab_conversation_set_updated_at (self, g_get_real_time ());

  emit_changed (self, position, 0, 1);
}

gboolean
confab_conversation_add_message (ConfabConversation *self,
                                 ConfabMessage      *message)
{
  const char *parent_id;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);

  parent_id = confab_message_get_parent_id (message);
  if ((parent_id != NULL && !g_hash_table_contains (self->by_id, parent_id)) ||
      g_hash_table_contains (self->by_id, confab_message_get_id (message)))
    return FALSE;

  tree_add (self, message);
  title_from (self, message);

  return TRUE;
}

/* Drops @message and everything under it from the tree (without recursing: a branch may be
 * thousands of messages deep). */
static void
tree_remove (ConfabConversation *self,
             ConfabMessage      *message)
{
  g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);
  gpointer parent = parent_key (self, confab_message_get_parent_id (message));
  GPtrArray *siblings = parent ? g_hash_table_lookup (self->children, parent) : NULL;

  if (parent != NULL && g_hash_table_lookup (self->shown_child, parent) == message)
    g_hash_table_remove (self->shown_child, parent);
  if (siblings != NULL)
    g_ptr_array_remove (siblings, message);

  g_ptr_array_add (doomed, g_object_ref (message));
  for (guint i = 0; i < doomed->len; i++)
    {
      ConfabMessage *gone = g_ptr_array_index (doomed, i);
      GPtrArray *children = g_hash_table_lookup (self->children, gone);

      for (guint c = 0; children != NULL && c < children->len; c++)
        g_ptr_array_add (doomed, g_object_ref (g_ptr_array_index (children, c)));
      g_hash_table_remove (self->children, gone);
      g_hash_table_remove (self->shown_child, gone);
      g_hash_table_remove (self->by_id, confab_message_get_id (gone));
    }

  /* One pass over the tree rather than one search per message. */
  {
    g_autoptr(GPtrArray) kept = g_ptr_array_new_full (self->all->len, g_object_unref);

    for (guint i = 0; i < self->all->len; i++)
      {
        ConfabMessage *item = g_ptr_array_index (self->all, i);

        if (g_hash_table_lookup (self->by_id, confab_message_get_id (item)) == item)
          g_ptr_array_add (kept, g_object_ref (item));
      }
    g_ptr_array_set_size (self->all, 0);
    for (guint i = 0; i < kept->len; i++)
      g_ptr_array_add (self->all, g_object_ref (g_ptr_array_index (kept, i)));
  }
}

void
confab_conversation_truncate (ConfabConversation *self,
                              guint               position)
{
  guint removed;

  g_return_if_fail (CONFAB_IS_CONVERSATION (self));

  if (position >= self->messages->len)
    return;

  tree_remove (self, g_ptr_array_index (self->messages, position));
  removed = self->messages->len - position;
  g_ptr_array_remove_range (self->messages, position, removed);

  emit_changed (self, position, removed, 0);
}

void
confab_conversation_rewind (ConfabConversation *self,
                            guint               position)
{
  guint removed;

  g_return_if_fail (CONFAB_IS_CONVERSATION (self));

  if (position >= self->messages->len)
    return;

  removed = self->messages->len - position;
  g_ptr_array_remove_range (self->messages, position, removed);

  emit_changed (self, position, removed, 0);
}

/* The child to show under @key (a message, or the conversation for the first messages): the
 * one shown last, else the newest. */
static ConfabMessage *
child_to_show (ConfabConversation *self,
               gpointer            key)
{
  ConfabMessage *child = g_hash_table_lookup (self->shown_child, key);
  GPtrArray *children;

  if (child != NULL)
    return child;

  children = g_hash_table_lookup (self->children, key);
  if (children == NULL || children->len == 0)
    return NULL;

  return g_ptr_array_index (children, children->len - 1);
}

gboolean
confab_conversation_show (ConfabConversation *self,
                          ConfabMessage      *message)
{
  g_autoptr(GPtrArray) path = NULL;
  ConfabMessage *step;
  guint common = 0;
  guint removed;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (message == NULL || CONFAB_IS_MESSAGE (message), FALSE);

  if (message != NULL && g_hash_table_lookup (self->by_id, confab_message_get_id (message)) != message)
    return FALSE;

  /* Up from @message to the first message, then down from it through the children shown
   * last (or the newest). */
  if (message == NULL)
    message = child_to_show (self, self);

  path = g_ptr_array_new_with_free_func (g_object_unref);
  for (step = message; step != NULL; step = confab_conversation_lookup (self, confab_message_get_parent_id (step)))
    g_ptr_array_add (path, g_object_ref (step));
  for (guint i = 0; i < path->len / 2; i++)
    {
      gpointer first = path->pdata[i];

      path->pdata[i] = path->pdata[path->len - 1 - i];
      path->pdata[path->len - 1 - i] = first;
    }

  for (step = message; step != NULL && (step = child_to_show (self, step)) != NULL;)
    g_ptr_array_add (path, g_object_ref (step));

  for (guint i = 0; i < path->len; i++)
    g_hash_table_insert (self->shown_child, i > 0 ? g_ptr_array_index (path, i - 1) : (gpointer) self,
                         g_ptr_array_index (path, i));

  while (common < path->len && common < self->messages->len &&
         g_ptr_array_index (path, common) == g_ptr_array_index (self->messages, common))
    common++;

  removed = self->messages->len - common;
  g_ptr_array_remove_range (self->messages, common, removed);
  for (guint i = common; i < path->len; i++)
    g_ptr_array_add (self->messages, g_object_ref (g_ptr_array_index (path, i)));

  emit_changed (self, common, removed, path->len - common);

  return TRUE;
}

gboolean
confab_conversation_branch_after (ConfabConversation  *self,
                                  const char          *message_id,
                                  GError             **error)
{
  ConfabMessage *message;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (message_id != NULL, FALSE);

  message = confab_conversation_lookup (self, message_id);
  if (message == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("There is no message %s in this conversation"), message_id);
      return FALSE;
    }

  confab_conversation_show (self, message);
  confab_conversation_rewind (self, confab_conversation_find (self, message) + 1);

  return TRUE;
}

GPtrArray *
confab_conversation_list_siblings (ConfabConversation *self,
                                   ConfabMessage      *message)
{
  GPtrArray *siblings;
  GPtrArray *copy;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), NULL);

  copy = g_ptr_array_new_with_free_func (g_object_unref);
  siblings = children_of (self, confab_message_get_parent_id (message));
  for (guint i = 0; siblings != NULL && i < siblings->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (siblings, i)));

  return copy;
}

guint
confab_conversation_get_n_siblings (ConfabConversation *self,
                                    ConfabMessage      *message,
                                    guint              *index)
{
  GPtrArray *siblings;
  guint at = 0;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), 0);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), 0);

  siblings = children_of (self, confab_message_get_parent_id (message));
  if (siblings == NULL || !g_ptr_array_find (siblings, message, &at))
    {
      if (index != NULL)
        *index = 0;
      return 1;
    }

  if (index != NULL)
    *index = at;

  return siblings->len;
}

gboolean
confab_conversation_switch_sibling (ConfabConversation *self,
                                    ConfabMessage      *message,
                                    guint               index)
{
  GPtrArray *siblings;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);

  siblings = children_of (self, confab_message_get_parent_id (message));
  if (siblings == NULL || index >= siblings->len || !g_ptr_array_find (siblings, message, NULL))
    return FALSE;

  return confab_conversation_show (self, g_ptr_array_index (siblings, index));
}

GPtrArray *
confab_conversation_get_children (ConfabConversation *self,
                                  ConfabMessage      *message)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  return g_hash_table_lookup (self->children, message ? (gpointer) message : self);
}

GPtrArray *
confab_conversation_get_tree (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);
  return self->all;
}

ConfabMessage *
confab_conversation_lookup (ConfabConversation *self,
                            const char         *id)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  if (id == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_id, id);
}

int
confab_conversation_find (ConfabConversation *self,
                          ConfabMessage      *message)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), -1);

  /* From the end: what is asked about is nearly always near it. */
  for (guint i = self->messages->len; i > 0; i--)
    if (g_ptr_array_index (self->messages, i - 1) == message)
      return i - 1;

  return -1;
}

gboolean
confab_conversation_get_turn_range (ConfabConversation *self,
                                    guint               position,
                                    guint              *start,
                                    guint              *end)
{
  guint n;
  guint i;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);

  n = self->messages->len;
  if (position >= n)
    return FALSE;

  for (i = position + 1; i > 0; i--)
    if (confab_message_get_role (g_ptr_array_index (self->messages, i - 1)) == CONFAB_ROLE_USER)
      break;
  if (start != NULL)
    *start = i > 0 ? i - 1 : 0;

  for (i = position + 1; i < n; i++)
    if (confab_message_get_role (g_ptr_array_index (self->messages, i)) == CONFAB_ROLE_USER)
      break;
  if (end != NULL)
    *end = i;

  return TRUE;
}

GArray *
confab_conversation_list_turns (ConfabConversation *self)
{
  GArray *starts;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  starts = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < self->messages->len; i++)
    {
      /* Answers before any user message (a restored or odd conversation) form a turn too. */
      if (i == 0 || confab_message_get_role (g_ptr_array_index (self->messages, i)) == CONFAB_ROLE_USER)
        g_array_append_val (starts, i);
    }

  return starts;
}

ConfabUsage *
confab_conversation_sum_usage (ConfabConversation *self,
                               guint               start,
                               guint               end)
{
  ConfabUsage *sum;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  sum = confab_usage_new ();
  for (guint i = start; i < end && i < self->messages->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (self->messages, i);

      if (confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT)
        confab_usage_add (sum, confab_message_get_usage (message));
    }

  return sum;
}

ConfabMessage *
confab_conversation_get_last_message (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  if (self->messages->len == 0)
    return NULL;

  return g_ptr_array_index (self->messages, self->messages->len - 1);
}
