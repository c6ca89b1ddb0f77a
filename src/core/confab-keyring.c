/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-keyring"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-error.h"
#include "confab-keyring.h"

void
confab_keyring_free (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

/* libsecret reports its own errors; put them in CONFAB_ERROR with a readable prefix. */
static void
return_error (GTask  *task,
              GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, error);
  else
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                               _("The keyring could not be used: %s"), error->message);
      g_error_free (error);
    }
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
clearv (const SecretSchema *schema,
        GHashTable         *attributes,
        GCancellable       *cancellable,
        GTask              *task)
{
  secret_password_clearv (schema, attributes, cancellable, clear_cb, task);
}

void
confab_keyring_store_async (const SecretSchema  *schema,
                            const char          *label,
                            const char          *secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data,
                            ...)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;
  va_list va;

  g_return_if_fail (schema != NULL);

  va_start (va, user_data);
  attributes = secret_attributes_buildv (schema, va);
  va_end (va);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_keyring_store_async);

  if (secret == NULL || *secret == '\0')
    clearv (schema, attributes, cancellable, task);
  else
    /* libsecret copies @secret before it returns. */
    secret_password_storev (schema, attributes, SECRET_COLLECTION_DEFAULT, label, secret,
                            cancellable, store_cb, task);
}

gboolean
confab_keyring_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      return_error (task, error);
      return;
    }

  if (secret == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  g_task_return_pointer (task, g_strdup (secret), (GDestroyNotify) confab_keyring_free);
  secret_password_free (secret);
}

void
confab_keyring_lookup_async (const SecretSchema  *schema,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data,
                             ...)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;
  va_list va;

  g_return_if_fail (schema != NULL);

  va_start (va, user_data);
  attributes = secret_attributes_buildv (schema, va);
  va_end (va);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_keyring_lookup_async);
  secret_password_lookupv (schema, attributes, cancellable, lookup_cb, task);
}

char *
confab_keyring_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
confab_keyring_clear_async (const SecretSchema  *schema,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data,
                            ...)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;
  va_list va;

  g_return_if_fail (schema != NULL);

  va_start (va, user_data);
  attributes = secret_attributes_buildv (schema, va);
  va_end (va);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_keyring_clear_async);
  clearv (schema, attributes, cancellable, task);
}

gboolean
confab_keyring_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *items = secret_password_search_finish (result, &error);

  if (error != NULL)
    return_error (task, error);
  else
    g_task_return_boolean (task, items != NULL);
  g_list_free_full (items, g_object_unref);
}

void
confab_keyring_exists_async (const SecretSchema  *schema,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data,
                             ...)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;
  va_list va;

  g_return_if_fail (schema != NULL);

  va_start (va, user_data);
  attributes = secret_attributes_buildv (schema, va);
  va_end (va);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_keyring_exists_async);
  /* Without SECRET_SEARCH_UNLOCK: a locked keyring is not asked to open for this. */
  secret_password_searchv (schema, attributes, SECRET_SEARCH_NONE, cancellable, search_cb,
                           task);
}

gboolean
confab_keyring_exists_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
