/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-servers-page"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-accessible.h"
#include "confab-mcp-config.h"
#include "confab-mcp-server.h"
#include "confab-mcp-server-row.h"
#include "confab-mcp-servers-page.h"
#include "confab-preferences-private.h"

struct _ConfabMcpServersPage
{
  AdwPreferencesPage   parent_instance;

  ConfabToolRegistry  *registry;
  /* The one reader and writer of mcp.json; the rows edit through it. */
  ConfabMcpConfig     *config;
  gboolean             readable;

  /* Template widgets */
  GtkButton           *add_remote_button;
  GtkButton           *add_server_button;
  AdwPreferencesGroup *mcp_group;
  GtkListBox          *mcp_list;
};

G_DEFINE_FINAL_TYPE (ConfabMcpServersPage, confab_mcp_servers_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  CONFIG_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
load_mcp_config (ConfabMcpServersPage *self)
{
  g_autoptr(GError) error = NULL;

  self->readable = confab_mcp_config_load (self->config, &error);
  if (!self->readable)
    {
      /* Translators: %s is why mcp.json cannot be used; it is left as it is. */
      g_autofree char *message = g_strdup_printf (_("%s It is left as it is."), error->message);
      adw_preferences_group_set_description (self->mcp_group, message);
    }
}

static ConfabMcpServer *
find_running_server (ConfabMcpServersPage *self,
                     const char           *name)
{
  GListModel *servers;

  if (self->registry == NULL)
    return NULL;

  servers = confab_tool_registry_get_servers (self->registry);
  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      if (g_strcmp0 (confab_mcp_server_get_name (server), name) == 0)
        return g_steal_pointer (&server);
    }

  return NULL;
}

static void
rebuild_mcp_rows (ConfabMcpServersPage *self)
{
  g_auto(GStrv) names = NULL;
  GtkWidget *child, *next;

  /* The rows only: the placeholder ("No tool servers yet") stays. */
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->mcp_list)); child != NULL; child = next)
    {
      next = gtk_widget_get_next_sibling (child);
      if (GTK_IS_LIST_BOX_ROW (child))
        gtk_list_box_remove (self->mcp_list, child);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_server_button), self->readable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_remote_button), self->readable);
  if (!self->readable)
    return;

  names = confab_mcp_config_dup_names (self->config);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(ConfabMcpServer) running = find_running_server (self, names[i]);

      gtk_list_box_append (self->mcp_list, confab_mcp_server_row_new (self->config, names[i], running));
    }
  /* The list stays shown when empty: its placeholder says so and what to do. */
}

static void
mcp_saved_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ConfabMcpServersPage *self = CONFAB_MCP_SERVERS_PAGE (widget);

  g_signal_emit (self, signals[CONFIG_CHANGED], 0);

  if (g_variant_get_boolean (parameter))
    rebuild_mcp_rows (self);
}

static void
add_server (ConfabMcpServersPage *self,
            gboolean              remote)
{
  g_autoptr(ConfabMcpServerConfig) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  const char *base = remote ? "remote" : "server";
  GtkWidget *row;

  if (!self->readable)
    return;

  name = g_strdup (base);
  for (guint i = 2; confab_mcp_config_has_server (self->config, name); i++)
    {
      g_free (name);
      name = g_strdup_printf ("%s-%u", base, i);
    }

  /* Disabled until it has a command or a URL, so the file always loads. */
  entry = confab_mcp_server_config_new (name);
  entry->disabled = TRUE;
  if (remote)
    {
      g_clear_pointer (&entry->command, g_free);
      entry->url = g_strdup ("https://");
    }

  if (!confab_mcp_config_set_server (self->config, NULL, entry, &error) ||
      !confab_mcp_config_save (self->config, &error))
    {
      confab_preferences_toast (GTK_WIDGET (self), error->message);
      return;
    }

  g_signal_emit (self, signals[CONFIG_CHANGED], 0);
  rebuild_mcp_rows (self);

  /* The new server's row opens on what is left to fill in (the list's last child is its
   * placeholder, not a row). */
  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->mcp_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (CONFAB_IS_MCP_SERVER_ROW (row) &&
          g_strcmp0 (confab_mcp_server_row_get_name (CONFAB_MCP_SERVER_ROW (row)), name) == 0)
        {
          adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
          break;
        }
    }
}

static void
add_mcp_server_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  add_server (CONFAB_MCP_SERVERS_PAGE (widget), FALSE);
}

static void
add_remote_mcp_server_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  add_server (CONFAB_MCP_SERVERS_PAGE (widget), TRUE);
}

static void
confab_mcp_servers_page_dispose (GObject *object)
{
  ConfabMcpServersPage *self = (ConfabMcpServersPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MCP_SERVERS_PAGE);

  g_clear_object (&self->registry);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (confab_mcp_servers_page_parent_class)->dispose (object);
}

static void
confab_mcp_servers_page_class_init (ConfabMcpServersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_mcp_servers_page_dispose;

  /**
   * ConfabMcpServersPage::config-changed:
   *
   * mcp.json was written.
   */
  signals[CONFIG_CHANGED] =
    g_signal_new ("config-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-mcp-servers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServersPage, add_remote_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServersPage, add_server_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServersPage, mcp_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServersPage, mcp_list);

  gtk_widget_class_install_action (widget_class, "prefs.add-mcp-server", NULL, add_mcp_server_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-remote-mcp-server", NULL, add_remote_mcp_server_action);
  gtk_widget_class_install_action (widget_class, "prefs.mcp-saved", "b", mcp_saved_action);

  g_type_ensure (CONFAB_TYPE_MCP_SERVER_ROW);
}

static void
confab_mcp_servers_page_init (ConfabMcpServersPage *self)
{
  g_autofree char *description = NULL;
  g_autofree char *path = confab_mcp_config_get_default_path ();

  gtk_widget_init_template (GTK_WIDGET (self));
  confab_accessible_name_mnemonic_buttons (GTK_WIDGET (self));

  self->config = confab_mcp_config_new (path);
  /* Translators: %s is the path of mcp.json. */
  description = g_strdup_printf (_("Tools the model may call, from the servers in %s. "
                                   "Changes apply to new chats."), path);
  adw_preferences_group_set_description (self->mcp_group, description);

  load_mcp_config (self);
  rebuild_mcp_rows (self);
}

void
confab_mcp_servers_page_set_tool_registry (ConfabMcpServersPage *self,
                                           ConfabToolRegistry   *registry)
{
  g_return_if_fail (CONFAB_IS_MCP_SERVERS_PAGE (self));
  g_return_if_fail (!registry || CONFAB_IS_TOOL_REGISTRY (registry));

  if (g_set_object (&self->registry, registry))
    rebuild_mcp_rows (self);
}
