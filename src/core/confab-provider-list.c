/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-provider-list"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "confab-error.h"
#include "confab-provider.h"
#include "confab-provider-list.h"
#include "confab-secrets.h"
#include "confab-util-private.h"

struct _ConfabProviderList
{
  GObject         parent_instance;

  GListStore     *store;
  char           *path;
  /* The active provider once resolved; the name alone while it is not in the list. */
  ConfabProvider *active;
  char           *active_name;
  /* The file exists but could not be read: keep it aside before writing over it. */
  guint           file_unreadable : 1;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabProviderList, confab_provider_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_PATH,
  PROP_ACTIVE,
  PROP_ACTIVE_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
confab_provider_list_get_item_type (GListModel *model)
{
  return CONFAB_TYPE_PROVIDER;
}

static guint
confab_provider_list_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (CONFAB_PROVIDER_LIST (model)->store));
}

static gpointer
confab_provider_list_get_item (GListModel *model,
                               guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (CONFAB_PROVIDER_LIST (model)->store), position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = confab_provider_list_get_item_type;
  iface->get_n_items = confab_provider_list_get_n_items;
  iface->get_item = confab_provider_list_get_item;
}

static void
store_items_changed_cb (ConfabProviderList *self,
                        guint               position,
                        guint               removed,
                        guint               added,
                        GListModel         *store)
{
  g_assert (CONFAB_IS_PROVIDER_LIST (self));

  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
provider_name_changed_cb (ConfabProviderList *self,
                          GParamSpec         *pspec,
                          ConfabProvider     *provider)
{
  g_assert (CONFAB_IS_PROVIDER_LIST (self));

  /* Renaming the active provider keeps it active under its new name. */
  if (provider == self->active)
    {
      _confab_set_str (&self->active_name, confab_provider_get_name (provider));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_NAME]);
    }
}

static void
confab_provider_list_dispose (GObject *object)
{
  ConfabProviderList *self = (ConfabProviderList *)object;

  if (self->store != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(ConfabProvider) provider = g_list_model_get_item (G_LIST_MODEL (self->store), i);
          g_signal_handlers_disconnect_by_func (provider, provider_name_changed_cb, self);
        }
    }

  self->active = NULL;
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_provider_list_parent_class)->dispose (object);
}

static void
confab_provider_list_finalize (GObject *object)
{
  ConfabProviderList *self = (ConfabProviderList *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->active_name, g_free);

  G_OBJECT_CLASS (confab_provider_list_parent_class)->finalize (object);
}

static void
confab_provider_list_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabProviderList *self = CONFAB_PROVIDER_LIST (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_ACTIVE:
      g_value_set_object (value, confab_provider_list_get_active (self));
      break;

    case PROP_ACTIVE_NAME:
      g_value_set_string (value, confab_provider_list_get_active_name (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_provider_list_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabProviderList *self = CONFAB_PROVIDER_LIST (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      if (self->path == NULL)
        self->path = confab_provider_list_get_default_path ();
      break;

    case PROP_ACTIVE_NAME:
      confab_provider_list_set_active (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_provider_list_class_init (ConfabProviderListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_provider_list_dispose;
  object_class->finalize = confab_provider_list_finalize;
  object_class->get_property = confab_provider_list_get_property;
  object_class->set_property = confab_provider_list_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ACTIVE] =
    g_param_spec_object ("active", NULL, NULL, CONFAB_TYPE_PROVIDER,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ACTIVE_NAME] =
    g_param_spec_string ("active-name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_provider_list_init (ConfabProviderList *self)
{
  self->store = g_list_store_new (CONFAB_TYPE_PROVIDER);
  g_signal_connect_object (self->store, "items-changed",
                           G_CALLBACK (store_items_changed_cb), self, G_CONNECT_SWAPPED);
}

ConfabProviderList *
confab_provider_list_new (const char *path)
{
  return g_object_new (CONFAB_TYPE_PROVIDER_LIST, "path", path, NULL);
}

char *
confab_provider_list_get_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "confab", "providers.json", NULL);
}

const char *
confab_provider_list_get_path (ConfabProviderList *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (self), NULL);
  return self->path;
}

static void
notify_active (ConfabProviderList *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_NAME]);
}

static void
clear_store (ConfabProviderList *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabProvider) provider = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      g_signal_handlers_disconnect_by_func (provider, provider_name_changed_cb, self);
    }

  self->active = NULL;
  g_list_store_remove_all (self->store);
}

gboolean
confab_provider_list_load (ConfabProviderList  *self,
                           GError             **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autofree char *contents = NULL;
  JsonObject *root_object;
  JsonNode *root;
  JsonNode *list;
  gsize length;

  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (self), FALSE);

  if (!g_file_get_contents (self->path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          clear_store (self);
          notify_active (self);
          return TRUE;
        }

      self->file_unreadable = TRUE;
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("Could not read %s: %s"), self->path, local_error->message);
      return FALSE;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, contents, length, &local_error))
    {
      self->file_unreadable = TRUE;
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("%s is not valid JSON: %s"), self->path, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      self->file_unreadable = TRUE;
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("%s must hold a JSON object"), self->path);
      return FALSE;
    }

  root_object = json_node_get_object (root);
  providers = g_ptr_array_new_with_free_func (g_object_unref);

  list = json_object_get_member (root_object, "providers");
  if (list != NULL && JSON_NODE_HOLDS_ARRAY (list))
    {
      JsonArray *array = json_node_get_array (list);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autoptr(GError) provider_error = NULL;
          ConfabProvider *provider;

          provider = confab_provider_new_from_json (json_array_get_element (array, i), &provider_error);
          if (provider == NULL)
            {
              /* One broken entry must not lose the others. */
              g_warning ("Skipping provider %u of %s: %s", i, self->path, provider_error->message);
              continue;
            }

          g_ptr_array_add (providers, provider);
        }
    }

  self->file_unreadable = FALSE;
  clear_store (self);
  g_free (self->active_name);
  self->active_name = g_strdup (json_object_get_string_member_with_default (root_object, "active", NULL));

  for (guint i = 0; i < providers->len; i++)
    confab_provider_list_add (self, g_ptr_array_index (providers, i));

  notify_active (self);

  return TRUE;
}

gboolean
confab_provider_list_save (ConfabProviderList  *self,
                           GError             **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;
  const char *active_name;
  guint n;

  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (self), FALSE);

  json_builder_begin_object (builder);

  active_name = confab_provider_list_get_active_name (self);
  if (active_name != NULL)
    {
      json_builder_set_member_name (builder, "active");
      json_builder_add_string_value (builder, active_name);
    }

  json_builder_set_member_name (builder, "providers");
  json_builder_begin_array (builder);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabProvider) provider = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      /* confab_provider_to_json() never includes the API key. */
      json_builder_add_value (builder, confab_provider_to_json (provider));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  contents = json_generator_to_data (generator, NULL);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("Could not create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* Never write over a hand-edited file that failed to load: the user may want it back. */
  if (self->file_unreadable)
    {
      g_autofree char *aside = g_strconcat (self->path, ".broken", NULL);

      if (g_rename (self->path, aside) == 0)
        g_warning ("%s could not be read; it was kept as %s", self->path, aside);
      self->file_unreadable = FALSE;
    }

  if (!g_file_set_contents_full (self->path, contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("Could not save the providers: %s"), local_error->message);
      return FALSE;
    }

  return TRUE;
}

ConfabProvider *
confab_provider_list_lookup (ConfabProviderList *self,
                             const char         *name)
{
  guint n;

  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (self), NULL);

  if (name == NULL)
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabProvider) provider = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (g_strcmp0 (confab_provider_get_name (provider), name) == 0)
        return provider;
    }

  return NULL;
}

char *
confab_provider_list_make_unique_name (ConfabProviderList *self,
                                       const char         *base)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (self), NULL);

  if (base == NULL || *base == '\0')
    base = _("Provider");

  if (confab_provider_list_lookup (self, base) == NULL)
    return g_strdup (base);

  for (guint i = 2; ; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s %u", base, i);

      if (confab_provider_list_lookup (self, name) == NULL)
        return g_steal_pointer (&name);
    }
}

void
confab_provider_list_add (ConfabProviderList *self,
                          ConfabProvider     *provider)
{
  g_autofree char *name = NULL;
  gboolean was_empty;

  g_return_if_fail (CONFAB_IS_PROVIDER_LIST (self));
  g_return_if_fail (CONFAB_IS_PROVIDER (provider));

  name = confab_provider_list_make_unique_name (self, confab_provider_get_name (provider));
  confab_provider_set_name (provider, name);

  was_empty = g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0;

  g_signal_connect_object (provider, "notify::name",
                           G_CALLBACK (provider_name_changed_cb), self, G_CONNECT_SWAPPED);
  g_list_store_append (self->store, provider);

  if (self->active == NULL && g_strcmp0 (self->active_name, name) == 0)
    {
      self->active = provider;
      notify_active (self);
    }
  else if (was_empty && self->active == NULL)
    notify_active (self);
}

void
confab_provider_list_remove (ConfabProviderList *self,
                             ConfabProvider     *provider)
{
  guint position;

  g_return_if_fail (CONFAB_IS_PROVIDER_LIST (self));
  g_return_if_fail (CONFAB_IS_PROVIDER (provider));

  if (!g_list_store_find (self->store, provider, &position))
    return;

  g_signal_handlers_disconnect_by_func (provider, provider_name_changed_cb, self);

  if (provider == self->active)
    {
      self->active = NULL;
      g_clear_pointer (&self->active_name, g_free);
    }

  g_list_store_remove (self->store, position);
  notify_active (self);
}

ConfabProvider *
confab_provider_list_get_active (ConfabProviderList *self)
{
  g_autoptr(ConfabProvider) first = NULL;
  ConfabProvider *named;

  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (self), NULL);

  if (self->active != NULL)
    return self->active;

  named = confab_provider_list_lookup (self, self->active_name);
  if (named != NULL)
    return named;

  first = g_list_model_get_item (G_LIST_MODEL (self->store), 0);

  return first;  /* the store keeps its reference */
}

const char *
confab_provider_list_get_active_name (ConfabProviderList *self)
{
  ConfabProvider *active;

  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (self), NULL);

  active = confab_provider_list_get_active (self);
  if (active != NULL)
    return confab_provider_get_name (active);

  return self->active_name;
}

void
confab_provider_list_set_active (ConfabProviderList *self,
                                 const char         *name)
{
  ConfabProvider *provider;

  g_return_if_fail (CONFAB_IS_PROVIDER_LIST (self));

  provider = confab_provider_list_lookup (self, name);
  if (provider == self->active && g_strcmp0 (name, self->active_name) == 0)
    return;

  self->active = provider;
  _confab_set_str (&self->active_name, name);
  notify_active (self);
}

typedef struct
{
  guint   pending;
  GError *error;
} LoadKeys;

static void
load_keys_free (LoadKeys *state)
{
  g_clear_error (&state->error);
  g_free (state);
}

typedef struct
{
  GTask          *task;
  ConfabProvider *provider;
} LoadKey;

static void
load_keys_lookup_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LoadKey *lookup = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&lookup->task);
  g_autoptr(ConfabProvider) provider = g_steal_pointer (&lookup->provider);
  g_autoptr(GError) error = NULL;
  LoadKeys *state = g_task_get_task_data (task);
  char *key;

  g_free (lookup);

  key = confab_secrets_lookup_finish (result, &error);
  if (key != NULL)
    confab_provider_set_api_key (provider, key);
  else if (error != NULL && state->error == NULL)
    state->error = g_steal_pointer (&error);
  confab_secrets_free (key);

  if (--state->pending > 0)
    return;

  if (state->error != NULL)
    g_task_return_error (task, g_steal_pointer (&state->error));
  else
    g_task_return_boolean (task, TRUE);
}

void
confab_provider_list_load_keys_async (ConfabProviderList  *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadKeys *state;
  guint n;

  g_return_if_fail (CONFAB_IS_PROVIDER_LIST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_provider_list_load_keys_async);

  state = g_new0 (LoadKeys, 1);
  g_task_set_task_data (task, state, (GDestroyNotify) load_keys_free);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  if (n == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Lookups run in parallel; the last one to answer completes the task. */
  state->pending = n;
  for (guint i = 0; i < n; i++)
    {
      LoadKey *lookup = g_new0 (LoadKey, 1);

      lookup->task = g_object_ref (task);
      lookup->provider = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      confab_secrets_lookup_async (confab_provider_get_name (lookup->provider), cancellable,
                                   load_keys_lookup_cb, lookup);
    }
}

gboolean
confab_provider_list_load_keys_finish (ConfabProviderList  *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  char *old_name;
  char *new_name;
} KeyMove;

static void
key_move_free (KeyMove *move)
{
  g_free (move->old_name);
  g_free (move->new_name);
  g_free (move);
}

static void
key_move_cleared_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  KeyMove *move = user_data;

  confab_secrets_clear_finish (result, NULL);
  key_move_free (move);
}

static void
key_move_stored_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  KeyMove *move = user_data;
  g_autoptr(GError) error = NULL;

  /* Forget the old entry only once the new one is safe. */
  if (!confab_secrets_store_finish (result, &error))
    {
      g_warning ("Could not move the API key of %s to %s: %s", move->old_name, move->new_name, error->message);
      key_move_free (move);
      return;
    }

  confab_secrets_clear_async (move->old_name, NULL, key_move_cleared_cb, move);
}

static void
key_move_looked_up_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  KeyMove *move = user_data;
  char *key = confab_secrets_lookup_finish (result, NULL);

  if (key == NULL)
    {
      key_move_free (move);
      return;
    }

  confab_secrets_store_async (move->new_name, key, NULL, key_move_stored_cb, move);
  confab_secrets_free (key);
}

char *
confab_provider_list_rename (ConfabProviderList *self,
                             ConfabProvider     *provider,
                             const char         *wanted)
{
  g_autofree char *stripped = NULL;
  g_autofree char *old_name = NULL;
  char *new_name;
  KeyMove *move;

  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (self), NULL);
  g_return_val_if_fail (CONFAB_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (wanted != NULL, NULL);

  stripped = g_strstrip (g_strdup (wanted));
  old_name = g_strdup (confab_provider_get_name (provider));
  if (*stripped == '\0' || g_strcmp0 (stripped, old_name) == 0)
    return NULL;

  new_name = confab_provider_list_make_unique_name (self, stripped);
  confab_provider_set_name (provider, new_name);

  /* The keyring is keyed by provider name: a renamed provider takes its key along. */
  move = g_new0 (KeyMove, 1);
  move->old_name = g_steal_pointer (&old_name);
  move->new_name = g_strdup (new_name);
  confab_secrets_lookup_async (move->old_name, NULL, key_move_looked_up_cb, move);

  return new_name;
}

static void
key_stored_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!confab_secrets_store_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
confab_provider_list_set_key_async (ConfabProviderList  *self,
                                    ConfabProvider      *provider,
                                    const char          *key,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CONFAB_IS_PROVIDER_LIST (self));
  g_return_if_fail (CONFAB_IS_PROVIDER (provider));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_provider_list_set_key_async);

  if (key != NULL && *key == '\0')
    key = NULL;
  confab_provider_set_api_key (provider, key);
  confab_secrets_store_async (confab_provider_get_name (provider), key ? key : "", cancellable,
                              key_stored_cb, g_steal_pointer (&task));
}

gboolean
confab_provider_list_set_key_finish (ConfabProviderList  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
