/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-oauth"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-error.h"
#include "confab-mcp-oauth-private.h"

/* One remote server's authorization: the token it sends, and what to do when the server
 * refuses a request (confab-mcp-oauth-private.h). The flow itself is in
 * confab-mcp-oauth-flow.c, the keyring in confab-mcp-oauth-store.c. */

struct _ConfabMcpOAuth
{
  GObject                 parent_instance;

  char                   *server_name;
  char                   *server_url;
  /* The keyring's key: the URL without user, query or fragment. */
  char                   *key;
  SoupSession            *session;

  ConfabMcpOAuthOpenFunc  open_func;
  gpointer                open_data;
  GDestroyNotify          open_destroy;
  char                   *client_id;
  char                   *client_secret;
  char                   *client_metadata_url;

  ConfabMcpOAuthToken    *token;
  /* The access token a refresh was last tried for: never twice for the same. */
  char                   *refreshed;

  guint                   use_keyring : 1;
  guint                   loaded : 1;
  guint                   needs_sign_in : 1;
};

G_DEFINE_FINAL_TYPE (ConfabMcpOAuth, confab_mcp_oauth, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NEEDS_SIGN_IN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  guint                    status;
  ConfabMcpOAuthChallenge  challenge;
  char                    *token_sent;
} Authorize;

static void
authorize_free (Authorize *authorize)
{
  _confab_mcp_oauth_challenge_clear (&authorize->challenge);
  g_free (authorize->token_sent);
  g_free (authorize);
}

static void
set_needs_sign_in (ConfabMcpOAuth *self,
                   gboolean        needs_sign_in)
{
  if (self->needs_sign_in == !!needs_sign_in)
    return;

  self->needs_sign_in = !!needs_sign_in;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_SIGN_IN]);
}

static void
set_token (ConfabMcpOAuth      *self,
           ConfabMcpOAuthToken *token)
{
  g_clear_pointer (&self->token, _confab_mcp_oauth_token_free);
  self->token = token;
}

/* Keeping the token ----------------------------------------------------------------------- */

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* The token works for this session even when the keyring refuses it. */
  if (!_confab_mcp_oauth_store_save_finish (result, &error))
    g_warning ("The sign-in of MCP server “%s” could not be kept: %s",
               CONFAB_MCP_OAUTH (g_task_get_source_object (task))->server_name, error->message);

  g_task_return_boolean (task, TRUE);
}

/* Returns @task TRUE once the token (or its absence) is in the keyring. */
static void
save_and_return (ConfabMcpOAuth *self,
                 GTask          *task)
{
  if (!self->use_keyring)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  _confab_mcp_oauth_store_save_async (self->key, self->token, NULL, on_saved, task);
}

/* Signing in ---------------------------------------------------------------------------- */

static void
on_signed_in (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  ConfabMcpOAuth *self = g_task_get_source_object (task);
  ConfabMcpOAuthToken *token;
  GError *error = NULL;

  token = _confab_mcp_oauth_sign_in_finish (result, &error);
  if (token == NULL)
    {
      /* Nobody could be asked: the user has to sign in. */
      if (self->open_func == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_needs_sign_in (self, TRUE);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_debug ("MCP server “%s”: signed in", self->server_name);
  set_token (self, token);
  set_needs_sign_in (self, FALSE);
  save_and_return (self, task);
}

/* Scopes of @a and @b, each once. */
static char *
join_scopes (const char *a,
             const char *b)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  const char *lists[] = { a, b };
  g_auto(GStrv) joined = NULL;

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      g_auto(GStrv) scopes = g_strsplit (lists[l] ? lists[l] : "", " ", -1);

      for (guint i = 0; scopes[i] != NULL; i++)
        if (scopes[i][0] != '\0' &&
            !g_ptr_array_find_with_equal_func (seen, scopes[i], g_str_equal, NULL))
          {
            g_ptr_array_add (seen, g_strdup (scopes[i]));
            g_strv_builder_add (builder, scopes[i]);
          }
    }

  joined = g_strv_builder_end (builder);
  return joined[0] != NULL ? g_strjoinv (" ", joined) : NULL;
}

/* TRUE when every scope of @wanted is in @granted. */
static gboolean
scopes_cover (const char *granted,
              const char *wanted)
{
  g_auto(GStrv) have = g_strsplit (granted ? granted : "", " ", -1);
  g_auto(GStrv) want = g_strsplit (wanted ? wanted : "", " ", -1);

  for (guint i = 0; want[i] != NULL; i++)
    if (want[i][0] != '\0' && !g_strv_contains ((const char * const *)have, want[i]))
      return FALSE;

  return TRUE;
}

static void
sign_in (ConfabMcpOAuth *self,
         GTask          *task)
{
  Authorize *authorize = g_task_get_task_data (task);
  ConfabMcpOAuthFlowConfig config = { 0 };

  /* Without a way to ask the user, only a client of its own (client credentials) can get a
   * token: say at once that a sign-in is needed, before anything goes on the network. */
  if (self->open_func == NULL && self->client_secret == NULL)
    {
      set_needs_sign_in (self, TRUE);
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                               _("MCP server “%s” needs you to sign in"), self->server_name);
      g_object_unref (task);
      return;
    }

  config.session = self->session;
  config.server_name = self->server_name;
  config.server_url = self->server_url;
  config.open_func = self->open_func;
  config.open_data = self->open_data;
  config.client_id = self->client_id;
  config.client_secret = self->client_secret;
  config.client_metadata_url = self->client_metadata_url;

  _confab_mcp_oauth_sign_in_async (&config, &authorize->challenge, g_task_get_cancellable (task),
                                   on_signed_in, task);
}

/* Refreshing ------------------------------------------------------------------------------- */

static void
on_refreshed (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  ConfabMcpOAuth *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  ConfabMcpOAuthToken *token;

  token = _confab_mcp_oauth_refresh_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  if (token == NULL)
    {
      /* The refresh token is spent or revoked: sign in again. */
      g_debug ("MCP server “%s”: the token could not be refreshed: %s", self->server_name,
               error->message);
      set_token (self, NULL);
      sign_in (self, task);
      return;
    }

  g_debug ("MCP server “%s”: token refreshed", self->server_name);
  set_token (self, token);
  save_and_return (self, task);
}

static void
refresh (ConfabMcpOAuth *self,
         GTask          *task)
{
  g_free (self->refreshed);
  self->refreshed = g_strdup (self->token->access_token);
  _confab_mcp_oauth_refresh_async (self->session, self->token, g_task_get_cancellable (task),
                                   on_refreshed, task);
}

/* Deciding ------------------------------------------------------------------------------- */

static gboolean
expired (const ConfabMcpOAuthToken *token)
{
  return token->expires_at != 0 && token->expires_at <= g_get_real_time () / G_USEC_PER_SEC + 30;
}

static void
decide (ConfabMcpOAuth *self,
        GTask          *task)
{
  Authorize *authorize = g_task_get_task_data (task);
  gboolean can_refresh;

  can_refresh = self->token != NULL && self->token->refresh_token != NULL &&
                g_strcmp0 (self->refreshed, self->token->access_token) != 0;

  if (authorize->status == SOUP_STATUS_FORBIDDEN)
    {
      g_autofree char *scope = NULL;

      if (g_strcmp0 (authorize->challenge.error, "insufficient_scope") != 0)
        {
          g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                                   _("MCP server “%s” refused the request (HTTP 403 Forbidden)"),
                                   self->server_name);
          g_object_unref (task);
          return;
        }

      /* Step-up: ask for what the token has and what the server now wants; never again
       * for scopes already granted, which would go round for ever. */
      if (self->token != NULL && authorize->challenge.scope != NULL &&
          scopes_cover (self->token->scope, authorize->challenge.scope))
        {
          g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_AUTHORIZATION,
                                   _("MCP server “%s” still refuses the request with the scopes it asked for (%s)"),
                                   self->server_name, authorize->challenge.scope);
          g_object_unref (task);
          return;
        }

      scope = join_scopes (self->token ? self->token->scope : NULL, authorize->challenge.scope);
      g_free (authorize->challenge.scope);
      authorize->challenge.scope = g_steal_pointer (&scope);
      sign_in (self, task);
      return;
    }

  /* 401: a token other than the one refused (the keyring's, or one another request just
   * got) is worth a try, unless it has expired. */
  if (self->token != NULL && g_strcmp0 (authorize->token_sent, self->token->access_token) != 0)
    {
      if (expired (self->token) && can_refresh)
        refresh (self, task);
      else
        {
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
        }
      return;
    }

  if (can_refresh)
    {
      refresh (self, task);
      return;
    }

  set_token (self, NULL);
  sign_in (self, task);
}

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  ConfabMcpOAuth *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  ConfabMcpOAuthToken *token;

  token = _confab_mcp_oauth_store_lookup_finish (result, &error);
  if (error != NULL)
    g_debug ("No stored sign-in for MCP server “%s”: %s", self->server_name, error->message);

  self->loaded = TRUE;
  if (token != NULL && self->token == NULL)
    set_token (self, token);
  else
    g_clear_pointer (&token, _confab_mcp_oauth_token_free);

  decide (self, task);
}

void
_confab_mcp_oauth_authorize_async (ConfabMcpOAuth      *self,
                                   guint                status,
                                   const char          *www_authenticate,
                                   const char          *token_sent,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  Authorize *authorize;

  g_return_if_fail (CONFAB_IS_MCP_OAUTH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _confab_mcp_oauth_authorize_async);
  authorize = g_new0 (Authorize, 1);
  authorize->status = status;
  authorize->token_sent = g_strdup (token_sent);
  _confab_mcp_oauth_parse_challenge (www_authenticate, &authorize->challenge);
  g_task_set_task_data (task, authorize, (GDestroyNotify)authorize_free);

  if (self->use_keyring && !self->loaded)
    {
      _confab_mcp_oauth_store_lookup_async (self->key, cancellable, on_loaded, task);
      return;
    }

  decide (self, task);
}

gboolean
_confab_mcp_oauth_authorize_finish (ConfabMcpOAuth  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
_confab_mcp_oauth_get_access_token (ConfabMcpOAuth *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_OAUTH (self), NULL);
  return self->token ? self->token->access_token : NULL;
}

/* Public ------------------------------------------------------------------------------- */

typedef gboolean (*BooleanFinish) (GAsyncResult  *result,
                                   GError       **error);

/* Passes on the answer of the keyring call whose finish function is the task data. */
static void
on_keyring_answer (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BooleanFinish finish = (BooleanFinish) g_task_get_task_data (task);
  GError *error = NULL;
  gboolean value = finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, value);
}

void
confab_mcp_oauth_sign_out_async (ConfabMcpOAuth      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CONFAB_IS_MCP_OAUTH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_mcp_oauth_sign_out_async);
  set_token (self, NULL);
  self->loaded = TRUE;

  if (!self->use_keyring)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  g_task_set_task_data (task, (gpointer) _confab_mcp_oauth_store_save_finish, NULL);
  _confab_mcp_oauth_store_save_async (self->key, NULL, cancellable, on_keyring_answer, task);
}

gboolean
confab_mcp_oauth_sign_out_finish (ConfabMcpOAuth  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
confab_mcp_oauth_has_token_async (ConfabMcpOAuth      *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CONFAB_IS_MCP_OAUTH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_mcp_oauth_has_token_async);
  if (self->token != NULL || !self->use_keyring || self->key == NULL)
    {
      g_task_return_boolean (task, self->token != NULL);
      g_object_unref (task);
      return;
    }

  g_task_set_task_data (task, (gpointer) _confab_mcp_oauth_store_exists_finish, NULL);
  _confab_mcp_oauth_store_exists_async (self->key, cancellable, on_keyring_answer, task);
}

gboolean
confab_mcp_oauth_has_token_finish (ConfabMcpOAuth  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
confab_mcp_oauth_get_server_url (ConfabMcpOAuth *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_OAUTH (self), NULL);
  return self->server_url;
}

void
confab_mcp_oauth_set_open_func (ConfabMcpOAuth         *self,
                                ConfabMcpOAuthOpenFunc  func,
                                gpointer                user_data,
                                GDestroyNotify          destroy)
{
  g_return_if_fail (CONFAB_IS_MCP_OAUTH (self));

  if (self->open_destroy != NULL)
    self->open_destroy (self->open_data);
  self->open_func = func;
  self->open_data = user_data;
  self->open_destroy = destroy;
}

gboolean
confab_mcp_oauth_get_needs_sign_in (ConfabMcpOAuth *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_OAUTH (self), FALSE);
  return self->needs_sign_in;
}

void
confab_mcp_oauth_set_client (ConfabMcpOAuth *self,
                             const char     *client_id,
                             const char     *client_secret)
{
  g_return_if_fail (CONFAB_IS_MCP_OAUTH (self));

  g_free (self->client_id);
  self->client_id = g_strdup (client_id);
  if (self->client_secret != NULL)
    memset (self->client_secret, 0, strlen (self->client_secret));
  g_free (self->client_secret);
  self->client_secret = g_strdup (client_secret);
}

void
confab_mcp_oauth_set_client_metadata_url (ConfabMcpOAuth *self,
                                          const char     *url)
{
  g_return_if_fail (CONFAB_IS_MCP_OAUTH (self));

  g_free (self->client_metadata_url);
  self->client_metadata_url = g_strdup (url);
}

void
confab_mcp_oauth_set_use_keyring (ConfabMcpOAuth *self,
                                  gboolean        use_keyring)
{
  g_return_if_fail (CONFAB_IS_MCP_OAUTH (self));
  self->use_keyring = !!use_keyring;
}

/* GObject ------------------------------------------------------------------------------- */

static void
confab_mcp_oauth_finalize (GObject *object)
{
  ConfabMcpOAuth *self = (ConfabMcpOAuth *)object;

  confab_mcp_oauth_set_open_func (self, NULL, NULL, NULL);
  confab_mcp_oauth_set_client (self, NULL, NULL);
  g_clear_pointer (&self->client_metadata_url, g_free);
  g_clear_pointer (&self->server_name, g_free);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->refreshed, g_free);
  set_token (self, NULL);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (confab_mcp_oauth_parent_class)->finalize (object);
}

static void
confab_mcp_oauth_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ConfabMcpOAuth *self = CONFAB_MCP_OAUTH (object);

  switch (prop_id)
    {
    case PROP_NEEDS_SIGN_IN:
      g_value_set_boolean (value, self->needs_sign_in);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_mcp_oauth_class_init (ConfabMcpOAuthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_mcp_oauth_finalize;
  object_class->get_property = confab_mcp_oauth_get_property;

  properties[PROP_NEEDS_SIGN_IN] =
    g_param_spec_boolean ("needs-sign-in", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_mcp_oauth_init (ConfabMcpOAuth *self)
{
  self->use_keyring = TRUE;
}

ConfabMcpOAuth *
confab_mcp_oauth_new (const char *server_name,
                      const char *server_url)
{
  ConfabMcpOAuth *self;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (server_name != NULL, NULL);
  g_return_val_if_fail (server_url != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_MCP_OAUTH, NULL);
  self->server_name = g_strdup (server_name);
  self->server_url = g_strdup (server_url);
  uri = g_uri_parse (server_url, SOUP_HTTP_URI_FLAGS, NULL);
  self->key = uri ? g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY |
                                                  G_URI_HIDE_FRAGMENT)
                  : g_strdup (server_url);
  self->session = soup_session_new_with_options ("timeout", 60,
                                                 "user-agent", "Confab/" PACKAGE_VERSION,
                                                 NULL);

  return self;
}
