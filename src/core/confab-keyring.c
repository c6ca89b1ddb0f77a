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

typedef gboolean (*FinishFunc) (GAsyncResult  *result,
                                GError       **error);

/* After a store or a clear; the task data is secret_password_store_finish() or
 * secret_password_clear_finish(). */
static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FinishFunc finish = (FinishFunc) g_task_get_task_data (task);
  GError *error = NULL;

  /* A clear's FALSE without an error means there was nothing to remove. */
  finish (result, &error);
  if (error != NULL)
    return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
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

typedef enum
{
  STORE,
  LOOKUP,
  CLEAR,
  EXISTS,
} Call;

/* The libsecret call for @call, with the attributes of @va (name/value pairs, NULL-terminated).
 * A store of no secret is a clear. */
static void
start (Call                 call,
       const SecretSchema  *schema,
       const char          *label,
       const char          *secret,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data,
       gpointer             source_tag,
       va_list              va)
{
  g_autoptr(GHashTable) attributes = secret_attributes_buildv (schema, va);
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (call == STORE && (secret == NULL || *secret == '\0'))
    call = CLEAR;

  switch (call)
    {
    case STORE:
      g_task_set_task_data (task, (gpointer) secret_password_store_finish, NULL);
      /* libsecret copies @secret before it returns. */
      secret_password_storev (schema, attributes, SECRET_COLLECTION_DEFAULT, label, secret,
                              cancellable, done_cb, task);
      break;
    case CLEAR:
      g_task_set_task_data (task, (gpointer) secret_password_clear_finish, NULL);
      secret_password_clearv (schema, attributes, cancellable, done_cb, task);
      break;
    case LOOKUP:
      secret_password_lookupv (schema, attributes, cancellable, lookup_cb, task);
      break;
    case EXISTS:
      /* Without SECRET_SEARCH_UNLOCK: a locked keyring is not asked to open for this. */
      secret_password_searchv (schema, attributes, SECRET_SEARCH_NONE, cancellable, search_cb, task);
      break;
    default:
      g_assert_not_reached ();
    }
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
  va_list va;

  g_return_if_fail (schema != NULL);

  va_start (va, user_data);
  start (STORE, schema, label, secret, cancellable, callback, user_data,
         confab_keyring_store_async, va);
  va_end (va);
}

gboolean
confab_keyring_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
confab_keyring_lookup_async (const SecretSchema  *schema,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data,
                             ...)
{
  va_list va;

  g_return_if_fail (schema != NULL);

  va_start (va, user_data);
  start (LOOKUP, schema, NULL, NULL, cancellable, callback, user_data,
         confab_keyring_lookup_async, va);
  va_end (va);
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
  va_list va;

  g_return_if_fail (schema != NULL);

  va_start (va, user_data);
  start (CLEAR, schema, NULL, NULL, cancellable, callback, user_data,
         confab_keyring_clear_async, va);
  va_end (va);
}

gboolean
confab_keyring_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
confab_keyring_exists_async (const SecretSchema  *schema,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data,
                             ...)
{
  va_list va;

  g_return_if_fail (schema != NULL);

  va_start (va, user_data);
  start (EXISTS, schema, NULL, NULL, cancellable, callback, user_data,
         confab_keyring_exists_async, va);
  va_end (va);
}

gboolean
confab_keyring_exists_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
