/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-server-row"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-mcp-headers-text.h"
#include "confab-mcp-oauth.h"
#include "confab-mcp-oauth-client-row.h"
#include "confab-mcp-secrets.h"
#include "confab-mcp-server.h"
#include "confab-mcp-server-row.h"
#include "confab-preferences-private.h"
#include "confab-secrets.h"
#include "confab-tool.h"

struct _ConfabMcpServerRow
{
  AdwExpanderRow       parent_instance;

  ConfabMcpConfig     *config;
  char                *name;
  GCancellable        *cancellable;
  ConfabMcpServer     *probe;
  ConfabMcpServer     *running;
  ConfabMcpOAuth      *oauth;      /* a remote server's sign-in, for Sign Out */
  char                *checked_status;
  char                *checked_log;
  gboolean             checked_failed;

  /* Template widgets */
  GtkButton           *check_button;
  AdwEntryRow         *command_row;
  GtkSwitch           *enabled_switch;
  AdwEntryRow         *env_row;
  AdwEntryRow         *headers_row;
  GtkLabel            *log_label;
  AdwEntryRow         *name_row;
  ConfabMcpOAuthClientRow *oauth_row;
  AdwEntryRow         *secret_row;
  GtkButton           *sign_out_button;
  AdwActionRow        *sign_out_row;
  AdwActionRow        *status_row;
  AdwEntryRow         *url_row;
};

G_DEFINE_FINAL_TYPE (ConfabMcpServerRow, confab_mcp_server_row, ADW_TYPE_EXPANDER_ROW)

static void update_status (ConfabMcpServerRow *self);

static ConfabMcpServerConfig *
get_entry (ConfabMcpServerRow *self)
{
  return confab_preferences_get_mcp_entry (GTK_WIDGET (self), self->config, self->name);
}

/* Writes @entry (renamed from this row's name when its name differs) and saves. */
static gboolean
put_entry (ConfabMcpServerRow          *self,
           const ConfabMcpServerConfig *entry,
           gboolean                     rebuild)
{
  return confab_preferences_put_mcp_entry (GTK_WIDGET (self), self->config, self->name, entry, rebuild);
}

/* Shows @entry: which rows a local or remote server has, their text, the switch. */
static void
show_entry (ConfabMcpServerRow          *self,
            const ConfabMcpServerConfig *entry)
{
  gboolean remote = confab_mcp_server_config_is_remote (entry);
  gboolean runnable = remote || (entry->command != NULL && *entry->command != '\0');
  g_autofree char *command_line = confab_mcp_server_config_dup_command_line (entry);
  g_autofree char *env_line = confab_mcp_server_config_dup_env_line (entry);
  g_autofree char *headers = NULL;
  g_autofree char *secret_title = NULL;
  g_autofree char *switch_label = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), self->name);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), command_line);
  gtk_widget_set_name (GTK_WIDGET (self), self->name);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), self->name);
  gtk_widget_set_visible (GTK_WIDGET (self->command_row), !remote);
  gtk_widget_set_visible (GTK_WIDGET (self->env_row), !remote);
  gtk_widget_set_visible (GTK_WIDGET (self->url_row), remote);
  gtk_widget_set_visible (GTK_WIDGET (self->headers_row), remote);
  gtk_widget_set_visible (GTK_WIDGET (self->secret_row), remote);
  gtk_widget_set_visible (GTK_WIDGET (self->oauth_row), remote);
  confab_mcp_oauth_client_row_show (self->oauth_row, entry);

  if (!remote)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->command_row), command_line);
      gtk_editable_set_text (GTK_EDITABLE (self->env_row), env_line);
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->url_row), entry->url);
      headers = confab_mcp_headers_to_text ((const char * const *)entry->headers);
      gtk_editable_set_text (GTK_EDITABLE (self->headers_row), headers);

      /* The value never comes back out of the keyring into the window: only its name. */
      if (entry->secret_headers[0] != NULL)
        {
          g_autofree char *names = g_strjoinv (", ", entry->secret_headers);
          /* Translators: "Secret Header: Authorization (in the keyring)" */
          secret_title = g_strdup_printf (_("Secret Header: %s (in the keyring)"), names);
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->secret_row),
                                     secret_title ? secret_title
                                                  : _("Secret Header (Name: value, kept in the keyring)"));
    }

  /* Translators: accessible name of the switch that enables an MCP server. */
  switch_label = g_strdup_printf (_("Use %s"), self->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->enabled_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, switch_label, -1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->enabled_switch), runnable);
  gtk_switch_set_active (self->enabled_switch, !entry->disabled);
}

/* Status ------------------------------------------------------------------------------- */

static const char *
server_state_text (ConfabMcpServerState state)
{
  switch (state)
    {
    case CONFAB_MCP_SERVER_STATE_STOPPED:  return _("Stopped");
    case CONFAB_MCP_SERVER_STATE_STARTING: return _("Starting…");
    case CONFAB_MCP_SERVER_STATE_READY:    return _("Ready");
    case CONFAB_MCP_SERVER_STATE_FAILED:   return _("Failed");
    default:                               return "";
    }
}

static void
describe_server (ConfabMcpServer  *server,
                 const char       *origin,
                 char            **status,
                 char            **log,
                 gboolean         *failed)
{
  ConfabMcpServerState state = confab_mcp_server_get_state (server);

  if (state == CONFAB_MCP_SERVER_STATE_READY)
    {
      GListModel *list = confab_mcp_server_get_tools (server);
      guint n = g_list_model_get_n_items (list);
      g_autofree char *tools = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u tool", "%u tools", n), n);
      g_autoptr(GString) names = g_string_new (NULL);

      /* Which tools, by name (the first few): what the model will be able to call. */
      for (guint i = 0; i < MIN (n, 6); i++)
        {
          g_autoptr(ConfabTool) tool = g_list_model_get_item (list, i);

          if (names->len > 0)
            g_string_append (names, ", ");
          g_string_append (names, confab_tool_get_name (tool));
        }
      if (n > 6)
        g_string_append (names, ", …");

      if (n > 0)
        /* Translators: "Check: Ready, 3 tools: read_file, write_file, list_directory" */
        *status = g_strdup_printf (_("%s: %s, %s: %s"), origin, server_state_text (state), tools, names->str);
      else
        /* Translators: "In use: Ready, 0 tools" */
        *status = g_strdup_printf (_("%s: %s, %s"), origin, server_state_text (state), tools);
    }
  else if (state == CONFAB_MCP_SERVER_STATE_FAILED && confab_mcp_server_get_error (server) != NULL)
    *status = g_strdup_printf (_("%s: %s"), origin, confab_mcp_server_get_error (server));
  else
    *status = g_strdup_printf (_("%s: %s"), origin, server_state_text (state));

  *log = g_strdup (confab_mcp_server_get_log (server));
  *failed = state == CONFAB_MCP_SERVER_STATE_FAILED;
}

/* Status and log of the server this row shows: the application's running one, else the
 * check in progress or the last one's outcome. */
static void
update_status (ConfabMcpServerRow *self)
{
  ConfabMcpServer *server = self->running ? self->running : self->probe;
  g_autofree char *status = NULL;
  g_autofree char *log = NULL;
  gboolean failed = FALSE;

  if (server != NULL)
    describe_server (server, server == self->running ? _("In use") : _("Check"), &status, &log, &failed);
  else if (self->checked_status != NULL)
    {
      status = g_strdup (self->checked_status);
      log = g_strdup (self->checked_log);
      failed = self->checked_failed;
    }
  else if (!gtk_switch_get_active (self->enabled_switch))
    status = g_strdup (_("Disabled"));
  else
    status = g_strdup (_("Not checked yet"));

  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_row), "error");

  adw_action_row_set_subtitle (self->status_row, status);
  gtk_label_set_text (self->log_label, log && *log ? log : _("Nothing logged."));
}

static void
watch (ConfabMcpServerRow *self,
       ConfabMcpServer    *server)
{
  g_signal_connect_object (server, "notify::state", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (server, "notify::error", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (server, "notify::log", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (server, "notify::tools", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
}

static void
drop_probe (ConfabMcpServerRow *self)
{
  if (self->probe == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->probe, self);
  confab_mcp_server_stop (self->probe);
  g_clear_object (&self->probe);
}

static void
probe_started_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ConfabMcpServerRow) self = user_data;
  g_autoptr(GError) error = NULL;

  confab_mcp_server_start_finish (CONFAB_MCP_SERVER (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button), TRUE);

  /* A check only needs the answer: keep it, and do not leave the process running. */
  if (self->probe == CONFAB_MCP_SERVER (object))
    {
      g_clear_pointer (&self->checked_status, g_free);
      g_clear_pointer (&self->checked_log, g_free);
      describe_server (self->probe, _("Check"), &self->checked_status, &self->checked_log,
                       &self->checked_failed);
      drop_probe (self);
    }

  update_status (self);
}

/* Check starts exactly the server the registry would start from this entry. */
static void
check_clicked_cb (ConfabMcpServerRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);
  g_autoptr(GError) error = NULL;

  if (entry == NULL)
    return;

  if (!confab_mcp_server_config_is_remote (entry) && *entry->command == '\0')
    {
      adw_action_row_set_subtitle (self->status_row, _("Set a command first"));
      return;
    }

  drop_probe (self);
  self->probe = confab_mcp_config_create_server (self->config, entry, &error);
  if (self->probe == NULL)
    {
      g_free (self->checked_status);
      self->checked_status = g_strdup_printf (_("%s: %s"), _("Check"), error->message);
      self->checked_failed = TRUE;
      g_clear_pointer (&self->checked_log, g_free);
      if (self->running != NULL)
        g_signal_handlers_disconnect_by_data (self->running, self);
      g_clear_object (&self->running);
      update_status (self);
      return;
    }
  watch (self, self->probe);

  /* The check's result is what the row shows from now on. */
  if (self->running != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->running, self);
      g_clear_object (&self->running);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button), FALSE);
  confab_mcp_server_start_async (self->probe, self->cancellable, probe_started_cb, g_object_ref (self));
  update_status (self);
}

/* Sign-in ------------------------------------------------------------------------------ */

static void
has_token_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ConfabMcpServerRow) self = user_data;
  /* No keyring: nothing to sign out of. */
  gboolean signed_in = confab_mcp_oauth_has_token_finish (CONFAB_MCP_OAUTH (object), result, NULL);

  if (!g_cancellable_is_cancelled (self->cancellable) && CONFAB_MCP_OAUTH (object) == self->oauth)
    gtk_widget_set_visible (GTK_WIDGET (self->sign_out_row), signed_in);
}

/* Sign Out shows when the remote server has a token: the running server's sign-in (so
 * signing out also drops the token it holds), else one for the URL, which finds the same
 * keyring item. */
static void
update_sign_in (ConfabMcpServerRow          *self,
                const ConfabMcpServerConfig *entry)
{
  ConfabMcpOAuth *running = self->running ? confab_mcp_server_get_oauth (self->running) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->sign_out_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_out_button), TRUE);
  if (!confab_mcp_server_config_is_remote (entry))
    {
      g_clear_object (&self->oauth);
      return;
    }

  g_clear_object (&self->oauth);
  self->oauth = running && g_strcmp0 (confab_mcp_oauth_get_server_url (running), entry->url) == 0
                  ? g_object_ref (running) : confab_mcp_oauth_new (self->name, entry->url);

  confab_mcp_oauth_has_token_async (self->oauth, self->cancellable, has_token_cb, g_object_ref (self));
}

static void
signed_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ConfabMcpServerRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  gboolean done = confab_mcp_oauth_sign_out_finish (CONFAB_MCP_OAUTH (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->sign_out_row), !done);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_out_button), TRUE);
  /* Translators: a toast after Sign Out of an MCP server */
  message = done ? g_strdup_printf (_("Signed out of “%s”"), self->name) : g_strdup (error->message);
  confab_preferences_toast (GTK_WIDGET (self), message);
}

static void
sign_out_clicked_cb (ConfabMcpServerRow *self)
{
  if (self->oauth == NULL)
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_out_button), FALSE);
  confab_mcp_oauth_sign_out_async (self->oauth, self->cancellable, signed_out_cb, g_object_ref (self));
}

/* Editing -------------------------------------------------------------------------------- */

typedef struct
{
  char *from;
  char *to;
  char *header;
} SecretMove;

static void
secret_move_free (SecretMove *move)
{
  g_free (move->from);
  g_free (move->to);
  g_free (move->header);
  g_free (move);
}

static void
secret_moved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SecretMove *move = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_mcp_secrets_store_finish (result, &error))
    g_warning ("Could not move the secret header %s of %s: %s", move->header, move->to, error->message);
  else if (move->from != NULL)
    {
      /* Stored under the new name: forget it under the old one. */
      confab_mcp_secrets_store_async (move->from, move->header, NULL, NULL, secret_moved_cb,
                                      g_new0 (SecretMove, 1));
    }
  secret_move_free (move);
}

static void
secret_looked_up_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SecretMove *move = user_data;
  g_autoptr(GError) error = NULL;
  char *value = confab_mcp_secrets_lookup_finish (result, &error);

  if (value == NULL)
    {
      secret_move_free (move);
      return;
    }

  confab_mcp_secrets_store_async (move->to, move->header, value, NULL, secret_moved_cb, move);
  confab_secrets_free (value);
}

/* The keyring keeps a secret header by server name: a renamed server takes it along. */
static void
move_secrets (const ConfabMcpServerConfig *entry,
              const char                  *from,
              const char                  *to)
{
  guint n = entry->secret_headers ? g_strv_length (entry->secret_headers) : 0;

  /* The pre-registered OAuth client's secret is kept the same way. */
  for (guint i = 0; i < n + (entry->oauth_client_secret ? 1 : 0); i++)
    {
      SecretMove *move = g_new0 (SecretMove, 1);

      move->from = g_strdup (from);
      move->to = g_strdup (to);
      move->header = g_strdup (i < n ? entry->secret_headers[i] : CONFAB_MCP_SECRET_OAUTH_CLIENT);
      confab_mcp_secrets_lookup_async (from, move->header, NULL, secret_looked_up_cb, move);
    }
}

static void
name_applied_cb (ConfabMcpServerRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *old_name = NULL;

  if (entry == NULL || *name == '\0' || g_str_equal (name, self->name) ||
      confab_mcp_config_has_server (self->config, name))
    {
      if (*name != '\0' && !g_str_equal (name, self->name))
        confab_preferences_toast (GTK_WIDGET (self), _("Another server already has this name"));
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), self->name);
      confab_preferences_entry_row_reset_apply (self->name_row);
      return;
    }

  g_free (entry->name);
  entry->name = g_strdup (name);
  old_name = g_strdup (self->name);
  if (put_entry (self, entry, TRUE))
    move_secrets (entry, old_name, name);
}

/* NAME=value words (shell quoting) into "NAME=value" strings; FALSE (and a toast) on a
 * word that is not one. */
static gboolean
parse_pairs (ConfabMcpServerRow  *self,
             const char          *text,
             const char          *what,
             GStrv               *pairs_out)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pairs = NULL;

  if (*text != '\0' && !g_shell_parse_argv (text, NULL, &pairs, &error))
    {
      /* Translators: "The environment cannot be read: …" */
      g_autofree char *message = g_strdup_printf (what, error->message);
      confab_preferences_toast (GTK_WIDGET (self), message);
      return FALSE;
    }

  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');

      if (equals == NULL || equals == pairs[i])
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not NAME=value"), pairs[i]);
          confab_preferences_toast (GTK_WIDGET (self), message);
          return FALSE;
        }
    }

  *pairs_out = pairs ? g_steal_pointer (&pairs) : g_new0 (char *, 1);
  return TRUE;
}

static void
command_applied_cb (ConfabMcpServerRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->command_row));
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  gboolean had_command;

  if (entry == NULL)
    return;
  had_command = entry->command != NULL && entry->command[0] != '\0';

  if (*trimmed == '\0')
    argv = g_new0 (char *, 1);
  else if (!g_shell_parse_argv (text, NULL, &argv, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The command cannot be read: %s"), error->message);
      confab_preferences_toast (GTK_WIDGET (self), message);
      return;
    }

  g_free (entry->command);
  entry->command = g_strdup (argv[0] ? argv[0] : "");
  g_strfreev (entry->args);
  entry->args = g_strdupv (argv[0] ? argv + 1 : argv);
  /* A server without a command cannot run: it stays disabled; its first one enables it. */
  if (argv[0] == NULL)
    entry->disabled = TRUE;
  else if (!had_command)
    entry->disabled = FALSE;

  if (put_entry (self, entry, FALSE))
    show_entry (self, entry);
  confab_preferences_entry_row_reset_apply (self->command_row);
}

static void
env_applied_cb (ConfabMcpServerRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);
  g_auto(GStrv) pairs = NULL;

  if (entry == NULL ||
      !parse_pairs (self, gtk_editable_get_text (GTK_EDITABLE (self->env_row)),
                    _("The environment cannot be read: %s"), &pairs))
    return;

  g_strfreev (entry->env);
  entry->env = g_steal_pointer (&pairs);
  put_entry (self, entry, FALSE);
}

static gboolean
url_has_host (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

  return uri != NULL && g_uri_get_host (uri) != NULL && g_uri_get_host (uri)[0] != '\0';
}

static void
url_applied_cb (ConfabMcpServerRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_row))));
  g_autoptr(GUri) uri = NULL;

  if (entry == NULL)
    return;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      confab_preferences_toast (GTK_WIDGET (self), _("The URL must start with https:// or http://"));
      return;
    }

  /* Its first URL (a new one has a bare "https://") enables it, as a first command does. */
  if (!url_has_host (entry->url))
    entry->disabled = FALSE;
  g_free (entry->url);
  entry->url = g_steal_pointer (&url);
  if (put_entry (self, entry, FALSE))
    {
      show_entry (self, entry);
      update_sign_in (self, entry);
    }
  confab_preferences_entry_row_reset_apply (self->url_row);
}

static void
headers_applied_cb (ConfabMcpServerRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);
  g_auto(GStrv) pairs = NULL;
  g_autoptr(GError) error = NULL;

  if (entry == NULL)
    return;

  if (!confab_mcp_headers_from_text (gtk_editable_get_text (GTK_EDITABLE (self->headers_row)), &pairs, &error))
    {
      confab_preferences_toast (GTK_WIDGET (self), error->message);
      return;
    }

  if (!confab_mcp_check_headers (self->name, (const char * const *)pairs, &error))
    {
      confab_preferences_toast (GTK_WIDGET (self), error->message);
      return;
    }

  g_strfreev (entry->headers);
  entry->headers = g_steal_pointer (&pairs);
  put_entry (self, entry, FALSE);
}

static void
secret_stored_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ConfabMcpServerRow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_mcp_secrets_store_finish (result, &error))
    {
      if (!g_cancellable_is_cancelled (self->cancellable))
        confab_preferences_toast (GTK_WIDGET (self), error->message);
      return;
    }

  if (!g_cancellable_is_cancelled (self->cancellable))
    confab_preferences_toast (GTK_WIDGET (self), _("The secret header is in the keyring"));
}

/* "Name: value": the value goes to the keyring, mcp.json only says {"secret": true}.
 * Empty: the secret headers are forgotten, in the file and in the keyring. */
static void
secret_applied_cb (ConfabMcpServerRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->secret_row)));
  g_autofree char *header = NULL;
  g_autoptr(GError) error = NULL;
  const char *colon;
  const char *value;
  const char *check[2] = { text, NULL };

  /* The value is a token: it leaves the entry at once. */
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
  confab_preferences_entry_row_reset_apply (self->secret_row);

  if (entry == NULL)
    return;

  if (*g_strstrip (text) == '\0')
    {
      for (guint i = 0; entry->secret_headers[i] != NULL; i++)
        confab_mcp_secrets_store_async (self->name, entry->secret_headers[i], NULL,
                                        self->cancellable, NULL, NULL);
      g_strfreev (entry->secret_headers);
      entry->secret_headers = g_new0 (char *, 1);
      if (put_entry (self, entry, FALSE))
        show_entry (self, entry);
      return;
    }

  colon = strchr (text, ':');
  if (colon == NULL || !confab_mcp_check_headers (self->name, check, &error))
    {
      confab_preferences_toast (GTK_WIDGET (self),
                                error ? error->message : _("A secret header is “Name: value”"));
      memset (text, 0, strlen (text));
      return;
    }

  header = g_strstrip (g_strndup (text, colon - text));
  value = colon + 1;
  while (*value == ' ')
    value++;

  confab_mcp_secrets_store_async (self->name, header, value, self->cancellable,
                                  secret_stored_cb, g_object_ref (self));
  memset (text, 0, strlen (text));

  if (!g_strv_contains ((const char * const *)entry->secret_headers, header))
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      g_strv_builder_addv (builder, (const char **)entry->secret_headers);
      g_strv_builder_add (builder, header);
      g_strfreev (entry->secret_headers);
      entry->secret_headers = g_strv_builder_end (builder);
    }

  if (put_entry (self, entry, FALSE))
    show_entry (self, entry);
}

static void
enabled_cb (ConfabMcpServerRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = NULL;
  gboolean enabled = gtk_switch_get_active (self->enabled_switch);

  /* The status follows the switch also when the entry changed it (a first command). */
  if (self->config != NULL && (entry = get_entry (self)) != NULL && enabled != !entry->disabled)
    {
      entry->disabled = !enabled;
      put_entry (self, entry, FALSE);
    }
  update_status (self);
}

static void
remove_clicked_cb (ConfabMcpServerRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);
  g_autoptr(GError) error = NULL;

  if (entry == NULL)
    return;

  confab_mcp_config_remove_server (self->config, self->name);
  if (!confab_mcp_config_save (self->config, &error))
    {
      confab_preferences_toast (GTK_WIDGET (self), error->message);
      return;
    }

  for (guint i = 0; entry->secret_headers[i] != NULL; i++)
    confab_mcp_secrets_store_async (self->name, entry->secret_headers[i], NULL, NULL, NULL, NULL);
  if (entry->oauth_client_secret)
    confab_mcp_secrets_store_async (self->name, CONFAB_MCP_SECRET_OAUTH_CLIENT, NULL, NULL, NULL, NULL);

  gtk_widget_activate_action (GTK_WIDGET (self), "prefs.mcp-saved", "b", TRUE);
}

/* GObject ------------------------------------------------------------------------------- */

static void
confab_mcp_server_row_dispose (GObject *object)
{
  ConfabMcpServerRow *self = (ConfabMcpServerRow *)object;

  g_cancellable_cancel (self->cancellable);
  drop_probe (self);
  if (self->running != NULL)
    g_signal_handlers_disconnect_by_data (self->running, self);
  g_clear_object (&self->running);
  g_clear_object (&self->oauth);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MCP_SERVER_ROW);

  G_OBJECT_CLASS (confab_mcp_server_row_parent_class)->dispose (object);
}

static void
confab_mcp_server_row_finalize (GObject *object)
{
  ConfabMcpServerRow *self = (ConfabMcpServerRow *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->config);
  g_free (self->name);
  g_free (self->checked_status);
  g_free (self->checked_log);

  G_OBJECT_CLASS (confab_mcp_server_row_parent_class)->finalize (object);
}

static void
confab_mcp_server_row_class_init (ConfabMcpServerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_mcp_server_row_dispose;
  object_class->finalize = confab_mcp_server_row_finalize;

  g_type_ensure (CONFAB_TYPE_MCP_OAUTH_CLIENT_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-mcp-server-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, check_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, command_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, env_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, headers_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, log_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, name_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, oauth_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, secret_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, sign_out_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, sign_out_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, status_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServerRow, url_row);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, command_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, enabled_cb);
  gtk_widget_class_bind_template_callback (widget_class, env_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, headers_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, secret_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, sign_out_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, url_applied_cb);
}

static void
confab_mcp_server_row_init (ConfabMcpServerRow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
confab_mcp_server_row_new (ConfabMcpConfig *config,
                           const char      *name,
                           ConfabMcpServer *running)
{
  g_autoptr(ConfabMcpServerConfig) entry = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMcpServerRow *self;

  g_return_val_if_fail (CONFAB_IS_MCP_CONFIG (config), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_MCP_SERVER_ROW, NULL);
  self->name = g_strdup (name);

  /* An entry Confab cannot read still gets a row (to fix or remove it); the error shows as
   * its status. */
  entry = confab_mcp_config_get_server (config, name, &error);
  if (entry == NULL)
    {
      entry = confab_mcp_server_config_new (name);
      entry->disabled = TRUE;
      self->checked_status = g_strdup (error->message);
      self->checked_failed = TRUE;
    }
  show_entry (self, entry);
  /* Set after show_entry(): its switch change is not an edit. */
  self->config = g_object_ref (config);
  confab_mcp_oauth_client_row_bind (self->oauth_row, config, name);

  if (running != NULL)
    {
      self->running = g_object_ref (running);
      watch (self, running);
    }
  update_status (self);
  update_sign_in (self, entry);

  return GTK_WIDGET (self);
}

const char *
confab_mcp_server_row_get_name (ConfabMcpServerRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER_ROW (self), NULL);
  return self->name;
}
