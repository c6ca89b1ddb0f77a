/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-preferences-window"

#include "config.h"

#include "confab-backups.h"
#include "confab-mcp-servers-page.h"
#include "confab-preferences-window.h"
#include "confab-providers-page.h"

struct _ConfabPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  ConfabProviderList   *providers;
  ConfabToolRegistry   *registry;
  GSettings            *settings;

  /* Template widgets */
  ConfabMcpServersPage *mcp_servers_page;
  ConfabProvidersPage  *providers_page;
  AdwActionRow         *send_on_enter_row;
  GtkSwitch            *send_on_enter_switch;
  GtkTextView          *system_prompt_view;
  AdwPreferencesPage   *general_page;
};

G_DEFINE_FINAL_TYPE (ConfabPreferencesWindow, confab_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_PROVIDERS,
  PROP_TOOL_REGISTRY,
  N_PROPS
};

enum {
  MCP_CONFIG_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
mcp_config_changed_cb (ConfabPreferencesWindow *self)
{
  g_signal_emit (self, signals[MCP_CONFIG_CHANGED], 0);
}

/* The pages own their actions; the window answers them too, so that they can be
 * activated on the window as before the pages were split out of it. */
static void
forward_providers_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (widget);

  gtk_widget_activate_action_variant (GTK_WIDGET (self->providers_page), action_name, parameter);
}

static void
forward_mcp_servers_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (widget);

  gtk_widget_activate_action_variant (GTK_WIDGET (self->mcp_servers_page), action_name, parameter);
}

static void
setup_general_page (ConfabPreferencesWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    {
      g_warning ("The GSettings schema %s is not installed; general settings are unavailable", APP_ID);
      gtk_widget_set_sensitive (GTK_WIDGET (self->send_on_enter_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->system_prompt_view), FALSE);
      return;
    }

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "send-on-enter", self->send_on_enter_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "default-system-prompt",
                   gtk_text_view_get_buffer (self->system_prompt_view), "text",
                   G_SETTINGS_BIND_DEFAULT);
}

static void
confab_preferences_window_constructed (GObject *object)
{
  ConfabPreferencesWindow *self = (ConfabPreferencesWindow *)object;

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->constructed (object);

  /* The list is the application's (confab_context_get_providers); never one read twice. */
  g_assert (self->providers != NULL);

  confab_providers_page_set_providers (self->providers_page, self->providers);

  setup_general_page (self);
}

static gboolean
confab_preferences_window_close_request (GtkWindow *window)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (window);

  confab_providers_page_flush (self->providers_page);

  return GTK_WINDOW_CLASS (confab_preferences_window_parent_class)->close_request (window);
}

static void
confab_preferences_window_dispose (GObject *object)
{
  ConfabPreferencesWindow *self = (ConfabPreferencesWindow *)object;

  /* Save while the window can still show a toast about it. */
  if (self->providers_page != NULL)
    confab_providers_page_flush (self->providers_page);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_PREFERENCES_WINDOW);

  g_clear_object (&self->settings);
  g_clear_object (&self->registry);
  g_clear_object (&self->providers);

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->dispose (object);
}

static void
confab_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PROVIDERS:
      g_value_set_object (value, self->providers);
      break;

    case PROP_TOOL_REGISTRY:
      g_value_set_object (value, self->registry);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PROVIDERS:
      self->providers = g_value_dup_object (value);
      break;

    case PROP_TOOL_REGISTRY:
      confab_preferences_window_set_tool_registry (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_preferences_window_class_init (ConfabPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = confab_preferences_window_constructed;
  object_class->dispose = confab_preferences_window_dispose;
  object_class->get_property = confab_preferences_window_get_property;
  object_class->set_property = confab_preferences_window_set_property;

  window_class->close_request = confab_preferences_window_close_request;

  properties[PROP_PROVIDERS] =
    g_param_spec_object ("providers", NULL, NULL, CONFAB_TYPE_PROVIDER_LIST,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TOOL_REGISTRY] =
    g_param_spec_object ("tool-registry", NULL, NULL, CONFAB_TYPE_TOOL_REGISTRY,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabPreferencesWindow::mcp-config-changed:
   *
   * mcp.json was written; reload the tool registry for new chats.
   */
  signals[MCP_CONFIG_CHANGED] =
    g_signal_new ("mcp-config-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (CONFAB_TYPE_MCP_SERVERS_PAGE);
  g_type_ensure (CONFAB_TYPE_PROVIDERS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, mcp_servers_page);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, providers_page);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, general_page);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, send_on_enter_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, send_on_enter_switch);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, system_prompt_view);
  gtk_widget_class_bind_template_callback (widget_class, mcp_config_changed_cb);

  gtk_widget_class_install_action (widget_class, "prefs.add-preset", "u", forward_providers_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-custom", NULL, forward_providers_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-mcp-server", NULL, forward_mcp_servers_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-remote-mcp-server", NULL, forward_mcp_servers_action);
}

static void
confab_preferences_window_init (ConfabPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
confab_preferences_window_new_for_providers (GtkWindow          *parent,
                                             ConfabProviderList *providers)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CONFAB_IS_PROVIDER_LIST (providers), NULL);

  return g_object_new (CONFAB_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       "providers", providers,
                       NULL);
}

void
confab_preferences_window_set_tool_registry (ConfabPreferencesWindow *self,
                                             ConfabToolRegistry      *registry)
{
  g_return_if_fail (CONFAB_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (!registry || CONFAB_IS_TOOL_REGISTRY (registry));

  if (!g_set_object (&self->registry, registry))
    return;

  confab_mcp_servers_page_set_tool_registry (self->mcp_servers_page, registry);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL_REGISTRY]);
}


static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

void
confab_preferences_window_show_provider (ConfabPreferencesWindow *self,
                                         const char              *name)
{
  GtkWidget *row;

  g_return_if_fail (CONFAB_IS_PREFERENCES_WINDOW (self));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (self), "providers");
  if (name == NULL)
    return;

  /* Rows are named after their provider; its API key row is "api-key". */
  row = find_named (GTK_WIDGET (self->providers_page), name);
  if (row == NULL || !ADW_IS_EXPANDER_ROW (row))
    return;

  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  row = find_named (row, "api-key");
  if (row != NULL)
    gtk_widget_grab_focus (row);
}

void
confab_preferences_window_add_backups (ConfabPreferencesWindow *self,
                                       ConfabStore             *store)
{
  g_return_if_fail (CONFAB_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (CONFAB_IS_STORE (store));

  adw_preferences_page_add (self->general_page, ADW_PREFERENCES_GROUP (confab_backups_group_new (store)));
}
