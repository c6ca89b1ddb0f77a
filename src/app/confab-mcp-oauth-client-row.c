/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-oauth-client-row"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-mcp-oauth-client-row.h"
#include "confab-mcp-secrets.h"
#include "confab-preferences-private.h"
#include "confab-secrets.h"

typedef enum {
  SECRET_NONE,     /* the file names no secret */
  SECRET_SET,      /* the file names one (and the keyring has it, or has not answered yet) */
  SECRET_MISSING,  /* the file names one the keyring does not have */
} SecretState;

struct _ConfabMcpOAuthClientRow
{
  AdwExpanderRow       parent_instance;

  ConfabMcpConfig     *config;
  char                *name;
  GCancellable        *cancellable;
  char                *client_id;
  char                *lookup_server;   /* whose secret the keyring is asked about */
  SecretState          secret;
  guint                lookup_serial;

  /* Template widgets */
  GtkButton           *forget_button;
  AdwEntryRow         *id_row;
  AdwEntryRow         *secret_row;
};

G_DEFINE_FINAL_TYPE (ConfabMcpOAuthClientRow, confab_mcp_oauth_client_row, ADW_TYPE_EXPANDER_ROW)

static ConfabMcpServerConfig *
get_entry (ConfabMcpOAuthClientRow *self)
{
  if (self->config == NULL)
    return NULL;

  return confab_preferences_get_mcp_entry (GTK_WIDGET (self), self->config, self->name);
}

/* Writes @entry and saves; the application then builds its servers from the file again. */
static gboolean
put_entry (ConfabMcpOAuthClientRow     *self,
           const ConfabMcpServerConfig *entry)
{
  return confab_preferences_put_mcp_entry (GTK_WIDGET (self), self->config, self->name, entry, FALSE);
}

/* Subtitle, the secret row's title and sensitivity, the Forget button: from the client ID
 * and what is known of the secret. */
static void
update (ConfabMcpOAuthClientRow *self)
{
  g_autofree char *subtitle = NULL;
  const char *secret_title;
  const char *explanation = NULL;

  if (self->client_id == NULL)
    {
      subtitle = g_strdup (_("None: Confab registers itself with the server’s sign-in. A server that "
                             "does not allow that needs a client ID from its administrator."));
      secret_title = _("Client Secret (needs an ID)");
      explanation = _("A client secret belongs to a client ID: set the client ID first");
    }
  else
    {
      switch (self->secret)
        {
        case SECRET_SET:
          /* Translators: the subtitle of "OAuth Client"; %s is the client ID */
          subtitle = g_strdup_printf (_("Registered beforehand: “%s”, its secret in the keyring. "
                                        "Used from the next sign-in."), self->client_id);
          secret_title = _("Client Secret: set");
          break;

        case SECRET_MISSING:
          /* Translators: the subtitle of "OAuth Client"; %s is the client ID */
          subtitle = g_strdup_printf (_("Registered beforehand: “%s”. Its secret is missing from "
                                        "the keyring: enter it again."), self->client_id);
          secret_title = _("Client Secret: missing");
          explanation = _("The keyring does not have this client’s secret: enter it again");
          break;

        case SECRET_NONE:
        default:
          /* Translators: the subtitle of "OAuth Client"; %s is the client ID */
          subtitle = g_strdup_printf (_("Registered beforehand: “%s”, without a secret. "
                                        "Used from the next sign-in."), self->client_id);
          secret_title = _("Client Secret (optional)");
          break;
        }
      if (self->secret != SECRET_MISSING)
        explanation = _("The secret is kept in the keyring, never in mcp.json");
    }

  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), subtitle);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->secret_row), secret_title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->secret_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, explanation, -1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->secret_row), self->client_id != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->forget_button),
                          self->client_id != NULL && self->secret != SECRET_NONE);

  if (self->secret == SECRET_MISSING && self->client_id != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->secret_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->secret_row), "error");
}

typedef struct
{
  ConfabMcpOAuthClientRow *self;
  guint                    serial;
} Lookup;

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(ConfabMcpOAuthClientRow) self = lookup->self;
  g_autoptr(GError) error = NULL;
  guint serial = lookup->serial;
  char *value = confab_mcp_secrets_lookup_finish (result, &error);
  gboolean present = value != NULL;

  g_free (lookup);
  /* Only whether it is there: the value is wiped at once. */
  confab_secrets_free (value);

  /* No keyring to ask: say nothing worse than what the file says. */
  if (error != NULL || g_cancellable_is_cancelled (self->cancellable) ||
      serial != self->lookup_serial || self->secret == SECRET_NONE)
    return;

  self->secret = present ? SECRET_SET : SECRET_MISSING;
  update (self);
}

/* Whether the keyring holds the secret the file names (a later look-up wins). Asked when
 * the row shows on screen, not when it is built: a renamed server's row is built before its
 * secret has moved to the new name. */
static void
look_up_secret (ConfabMcpOAuthClientRow *self)
{
  Lookup *lookup;

  self->lookup_serial++;
  if (self->secret == SECRET_NONE || self->lookup_server == NULL)
    return;

  lookup = g_new0 (Lookup, 1);
  lookup->self = g_object_ref (self);
  lookup->serial = self->lookup_serial;
  confab_mcp_secrets_lookup_async (self->lookup_server, CONFAB_MCP_SECRET_OAUTH_CLIENT,
                                   self->cancellable, looked_up_cb, lookup);
}

/* Editing ------------------------------------------------------------------------------- */

static void
forgotten_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ConfabMcpOAuthClientRow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_mcp_secrets_store_finish (result, &error) &&
      !g_cancellable_is_cancelled (self->cancellable))
    confab_preferences_toast (GTK_WIDGET (self), error->message);
}

/* The file first (it no longer names the secret, so no server waits for it), then the
 * keyring. */
static void
forget_secret (ConfabMcpOAuthClientRow *self,
               ConfabMcpServerConfig   *entry,
               gboolean                 drop_id)
{
  gboolean had_secret = entry->oauth_client_secret;

  entry->oauth_client_secret = FALSE;
  if (drop_id)
    g_clear_pointer (&entry->oauth_client_id, g_free);

  if (!put_entry (self, entry))
    return;

  if (had_secret)
    confab_mcp_secrets_store_async (self->name, CONFAB_MCP_SECRET_OAUTH_CLIENT, NULL, NULL,
                                    forgotten_cb, g_object_ref (self));
  confab_mcp_oauth_client_row_show (self, entry);
}

/* A client ID is printable ASCII (RFC 6749, appendix A.1). */
static gboolean
client_id_is_valid (const char *id)
{
  for (const guchar *p = (const guchar *)id; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e)
      return FALSE;

  return TRUE;
}

static void
apply_id (ConfabMcpOAuthClientRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);
  g_autofree char *id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->id_row))));

  if (entry == NULL)
    return;

  /* Empty: back to dynamic registration, and a secret without its client goes too. */
  if (*id == '\0')
    {
      if (entry->oauth_client_id != NULL)
        forget_secret (self, entry, TRUE);
      return;
    }

  if (!client_id_is_valid (id))
    {
      confab_preferences_toast (GTK_WIDGET (self),
                                _("A client ID is plain text: letters, digits and punctuation"));
      return;
    }

  if (g_strcmp0 (id, entry->oauth_client_id) != 0)
    {
      g_free (entry->oauth_client_id);
      entry->oauth_client_id = g_steal_pointer (&id);
      if (!put_entry (self, entry))
        return;
    }

  /* The ID as stored (trimmed). */
  confab_mcp_oauth_client_row_show (self, entry);
}

static void
id_applied_cb (ConfabMcpOAuthClientRow *self)
{
  apply_id (self);
  confab_preferences_entry_row_reset_apply (self->id_row);
}

static void
secret_stored_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ConfabMcpOAuthClientRow) self = user_data;
  g_autoptr(ConfabMcpServerConfig) entry = NULL;
  g_autoptr(GError) error = NULL;
  gboolean live = !g_cancellable_is_cancelled (self->cancellable);

  if (!confab_mcp_secrets_store_finish (result, &error))
    {
      if (live)
        confab_preferences_toast (GTK_WIDGET (self), error->message);
      return;
    }

  /* The keyring has it: now the file may say so (even if the window closed meanwhile). */
  entry = get_entry (self);
  if (entry == NULL)
    return;

  if (entry->oauth_client_id == NULL)
    {
      /* The client went while the keyring worked: so does its secret. */
      confab_mcp_secrets_store_async (self->name, CONFAB_MCP_SECRET_OAUTH_CLIENT, NULL, NULL, NULL, NULL);
      return;
    }

  if (!entry->oauth_client_secret)
    {
      entry->oauth_client_secret = TRUE;
      if (!put_entry (self, entry))
        return;
    }

  if (live)
    {
      confab_mcp_oauth_client_row_show (self, entry);
      confab_preferences_toast (GTK_WIDGET (self), _("The client secret is in the keyring"));
    }
}

/* The secret goes to the keyring first; mcp.json says {"secret": true} once it is there.
 * Empty: the secret is forgotten. */
static void
secret_applied_cb (ConfabMcpOAuthClientRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->secret_row)));
  gsize text_len = strlen (text);

  /* The secret leaves the entry at once. */
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
  confab_preferences_entry_row_reset_apply (self->secret_row);

  if (entry == NULL || entry->oauth_client_id == NULL)
    {
      if (entry != NULL)
        confab_preferences_toast (GTK_WIDGET (self), _("Set the client ID first"));
    }
  else if (*g_strstrip (text) == '\0')
    {
      if (entry->oauth_client_secret)
        forget_secret (self, entry, FALSE);
    }
  else
    /* Not cancelled with the row: a secret the user gave is not lost halfway. */
    confab_mcp_secrets_store_async (self->name, CONFAB_MCP_SECRET_OAUTH_CLIENT, text, NULL,
                                    secret_stored_cb, g_object_ref (self));

  /* All of it: stripping may have ended the string early. */
  memset (text, 0, text_len);
}

static void
forget_clicked_cb (ConfabMcpOAuthClientRow *self)
{
  g_autoptr(ConfabMcpServerConfig) entry = get_entry (self);

  if (entry != NULL && entry->oauth_client_secret)
    forget_secret (self, entry, FALSE);
}

/* GObject ------------------------------------------------------------------------------- */

static void
confab_mcp_oauth_client_row_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (confab_mcp_oauth_client_row_parent_class)->map (widget);

  /* Each time it shows: the keyring may have changed meanwhile (secret-tool, a rename). */
  look_up_secret (CONFAB_MCP_OAUTH_CLIENT_ROW (widget));
}

static void
confab_mcp_oauth_client_row_dispose (GObject *object)
{
  ConfabMcpOAuthClientRow *self = (ConfabMcpOAuthClientRow *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MCP_OAUTH_CLIENT_ROW);

  G_OBJECT_CLASS (confab_mcp_oauth_client_row_parent_class)->dispose (object);
}

static void
confab_mcp_oauth_client_row_finalize (GObject *object)
{
  ConfabMcpOAuthClientRow *self = (ConfabMcpOAuthClientRow *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->config);
  g_free (self->name);
  g_free (self->client_id);
  g_free (self->lookup_server);

  G_OBJECT_CLASS (confab_mcp_oauth_client_row_parent_class)->finalize (object);
}

static void
confab_mcp_oauth_client_row_class_init (ConfabMcpOAuthClientRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_mcp_oauth_client_row_dispose;
  object_class->finalize = confab_mcp_oauth_client_row_finalize;
  widget_class->map = confab_mcp_oauth_client_row_map;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-mcp-oauth-client-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpOAuthClientRow, forget_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpOAuthClientRow, id_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpOAuthClientRow, secret_row);
  gtk_widget_class_bind_template_callback (widget_class, forget_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, id_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, secret_applied_cb);
}

static void
confab_mcp_oauth_client_row_init (ConfabMcpOAuthClientRow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

void
confab_mcp_oauth_client_row_bind (ConfabMcpOAuthClientRow *self,
                                  ConfabMcpConfig         *config,
                                  const char              *name)
{
  g_return_if_fail (CONFAB_IS_MCP_OAUTH_CLIENT_ROW (self));
  g_return_if_fail (CONFAB_IS_MCP_CONFIG (config));
  g_return_if_fail (name != NULL);

  g_set_object (&self->config, config);
  g_free (self->name);
  self->name = g_strdup (name);
}

void
confab_mcp_oauth_client_row_show (ConfabMcpOAuthClientRow     *self,
                                  const ConfabMcpServerConfig *entry)
{
  g_return_if_fail (CONFAB_IS_MCP_OAUTH_CLIENT_ROW (self));
  g_return_if_fail (entry != NULL);

  g_free (self->client_id);
  self->client_id = g_strdup (entry->oauth_client_id);
  self->secret = entry->oauth_client_id != NULL && entry->oauth_client_secret ? SECRET_SET : SECRET_NONE;

  g_free (self->lookup_server);
  self->lookup_server = g_strdup (entry->name);

  gtk_editable_set_text (GTK_EDITABLE (self->id_row), self->client_id ? self->client_id : "");
  update (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    look_up_secret (self);
  else
    /* A look-up still under way speaks of what the row showed before. */
    self->lookup_serial++;
}
