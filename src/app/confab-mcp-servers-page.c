/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-servers-page"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-accessible.h"
#include "confab-mcp-server.h"
#include "confab-mcp-servers-page.h"
#include "confab-preferences-private.h"
#include "confab-tool.h"

struct _ConfabMcpServersPage
{
  AdwPreferencesPage   parent_instance;

  ConfabToolRegistry  *registry;
  char                *mcp_path;
  JsonObject          *mcp_root;

  /* Template widgets */
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

static void rebuild_mcp_rows (ConfabMcpServersPage *self);

static JsonObject *
mcp_servers (ConfabMcpServersPage *self)
{
  JsonNode *node;

  if (self->mcp_root == NULL)
    return NULL;

  node = json_object_get_member (self->mcp_root, "mcpServers");
  if (node == NULL)
    {
      json_object_set_object_member (self->mcp_root, "mcpServers", json_object_new ());
      node = json_object_get_member (self->mcp_root, "mcpServers");
    }

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
load_mcp_config (ConfabMcpServersPage *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_clear_pointer (&self->mcp_root, json_object_unref);

  if (!g_file_test (self->mcp_path, G_FILE_TEST_EXISTS))
    {
      self->mcp_root = json_object_new ();
      return;
    }

  if (!json_parser_load_from_file (parser, self->mcp_path, &error))
    {
      g_autofree char *message = g_strdup_printf (_("%s cannot be read: %s"), self->mcp_path, error->message);
      adw_preferences_group_set_description (self->mcp_group, message);
      return;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (json_object_has_member (json_node_get_object (root), "mcpServers") &&
       !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "mcpServers"))))
    {
      g_autofree char *message = g_strdup_printf (_("%s is not in the {\"mcpServers\": {…}} shape"), self->mcp_path);
      adw_preferences_group_set_description (self->mcp_group, message);
      return;
    }

  /* Keep the whole file: members Confab does not know survive a save. */
  self->mcp_root = json_object_ref (json_node_get_object (root));
}

static gboolean
save_mcp_config (ConfabMcpServersPage *self)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;

  if (self->mcp_root == NULL)
    return FALSE;

  root = json_node_init_object (json_node_alloc (), self->mcp_root);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  contents = json_generator_to_data (generator, NULL);

  dir = g_path_get_dirname (self->mcp_path);
  g_mkdir_with_parents (dir, 0700);

  /* The environment of a server can hold tokens: keep the file private. */
  if (!g_file_set_contents_full (self->mcp_path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &error))
    {
      confab_preferences_toast (GTK_WIDGET (self), error->message);
      return FALSE;
    }

  g_signal_emit (self, signals[CONFIG_CHANGED], 0);

  return TRUE;
}

typedef struct
{
  ConfabMcpServersPage    *self;
  char                    *name;
  GCancellable            *cancellable;
  ConfabMcpServer         *probe;
  ConfabMcpServer         *running;
  AdwExpanderRow          *expander;
  GtkSwitch               *enabled;
  AdwActionRow            *status_row;
  GtkLabel                *log_label;
  GtkButton               *check_button;
  char                    *checked_status;
  char                    *checked_log;
  gboolean                 checked_failed;
} ServerRow;

static void
server_row_free (ServerRow *row)
{
  g_cancellable_cancel (row->cancellable);
  g_clear_object (&row->cancellable);
  if (row->probe != NULL)
    {
      g_signal_handlers_disconnect_by_data (row->probe, row);
      confab_mcp_server_stop (row->probe);
    }
  g_clear_object (&row->probe);
  if (row->running != NULL)
    g_signal_handlers_disconnect_by_data (row->running, row);
  g_clear_object (&row->running);
  g_free (row->checked_status);
  g_free (row->checked_log);
  g_free (row->name);
  g_free (row);
}

static ServerRow *
server_row_get (GtkWidget *widget)
{
  return g_object_get_data (G_OBJECT (widget), "confab-server-row");
}

static JsonObject *
server_row_entry (ServerRow *row)
{
  JsonObject *servers = mcp_servers (row->self);
  JsonNode *node;

  if (servers == NULL)
    return NULL;

  node = json_object_get_member (servers, row->name);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

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
server_row_update_status (ServerRow *row)
{
  ConfabMcpServer *server = row->running ? row->running : row->probe;
  JsonObject *entry = server_row_entry (row);
  g_autofree char *status = NULL;
  g_autofree char *log = NULL;
  gboolean failed = FALSE;

  if (server != NULL)
    describe_server (server, server == row->running ? _("In use") : _("Check"), &status, &log, &failed);
  else if (row->checked_status != NULL)
    {
      status = g_strdup (row->checked_status);
      log = g_strdup (row->checked_log);
      failed = row->checked_failed;
    }
  else if (entry != NULL && json_object_get_boolean_member_with_default (entry, "disabled", FALSE))
    status = g_strdup (_("Disabled"));
  else
    status = g_strdup (_("Not checked yet"));

  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (row->status_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row->status_row), "error");

  adw_action_row_set_subtitle (row->status_row, status);
  gtk_label_set_text (row->log_label, log && *log ? log : _("Nothing logged."));
}

static void
server_row_watch (ServerRow       *row,
                  ConfabMcpServer *server)
{
  g_signal_connect_swapped (server, "notify::state", G_CALLBACK (server_row_update_status), row);
  g_signal_connect_swapped (server, "notify::error", G_CALLBACK (server_row_update_status), row);
  g_signal_connect_swapped (server, "notify::log", G_CALLBACK (server_row_update_status), row);
  g_signal_connect_swapped (server, "notify::tools", G_CALLBACK (server_row_update_status), row);
}

static void
probe_started_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GtkWidget) expander = user_data;
  g_autoptr(GError) error = NULL;
  ServerRow *row = server_row_get (expander);

  confab_mcp_server_start_finish (CONFAB_MCP_SERVER (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || row == NULL ||
      g_cancellable_is_cancelled (row->cancellable))
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (row->check_button), TRUE);

  /* A check only needs the answer: keep it, and do not leave the process running. */
  if (row->probe == CONFAB_MCP_SERVER (object))
    {
      g_clear_pointer (&row->checked_status, g_free);
      g_clear_pointer (&row->checked_log, g_free);
      describe_server (row->probe, _("Check"), &row->checked_status, &row->checked_log, &row->checked_failed);
      g_signal_handlers_disconnect_by_data (row->probe, row);
      confab_mcp_server_stop (row->probe);
      g_clear_object (&row->probe);
    }

  server_row_update_status (row);
}

static void
check_clicked_cb (GtkButton *button,
                  GtkWidget *expander)
{
  ServerRow *row = server_row_get (expander);
  JsonObject *entry = server_row_entry (row);
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;

  if (entry == NULL)
    return;

  argv = confab_mcp_entry_argv (entry);
  if (argv[0] == NULL || *argv[0] == '\0')
    {
      adw_action_row_set_subtitle (row->status_row, _("Set a command first"));
      return;
    }

  env = confab_mcp_entry_env (entry);

  if (row->probe != NULL)
    {
      g_signal_handlers_disconnect_by_data (row->probe, row);
      confab_mcp_server_stop (row->probe);
      g_clear_object (&row->probe);
    }

  row->probe = confab_mcp_server_new (row->name, (const char * const *) argv, (const char * const *) env);
  server_row_watch (row, row->probe);

  /* The check's result is what the row shows from now on. */
  if (row->running != NULL)
    {
      g_signal_handlers_disconnect_by_data (row->running, row);
      g_clear_object (&row->running);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  confab_mcp_server_start_async (row->probe, row->cancellable, probe_started_cb, g_object_ref (expander));
  server_row_update_status (row);
}

static void
server_name_applied_cb (AdwEntryRow *entry,
                        GtkWidget   *expander)
{
  ServerRow *row = server_row_get (expander);
  ConfabMcpServersPage *self = row->self;
  JsonObject *servers = mcp_servers (self);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  JsonObject *old_entry = server_row_entry (row);

  if (servers == NULL || old_entry == NULL || *name == '\0' || g_str_equal (name, row->name) ||
      json_object_has_member (servers, name))
    {
      if (*name != '\0' && !g_str_equal (name, row->name))
        confab_preferences_toast (GTK_WIDGET (self), _("Another server already has this name"));
      gtk_editable_set_text (GTK_EDITABLE (entry), row->name);
      return;
    }

  json_object_set_object_member (servers, name, json_object_ref (old_entry));
  json_object_remove_member (servers, row->name);
  save_mcp_config (self);
  rebuild_mcp_rows (self);
}

static void
server_command_applied_cb (AdwEntryRow *entry,
                           GtkWidget   *expander)
{
  ServerRow *row = server_row_get (expander);
  JsonObject *server = server_row_entry (row);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *command_line = NULL;
  g_autofree char *trimmed = NULL;
  JsonArray *args;

  if (server == NULL)
    return;

  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0')
    argv = g_new0 (char *, 1);
  else if (!g_shell_parse_argv (text, NULL, &argv, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The command cannot be read: %s"), error->message);
      confab_preferences_toast (GTK_WIDGET (row->self), message);
      return;
    }

  json_object_set_string_member (server, "command", argv[0] ? argv[0] : "");
  args = json_array_new ();
  for (guint i = 1; argv[0] && argv[i]; i++)
    json_array_add_string_element (args, argv[i]);
  json_object_set_array_member (server, "args", args);

  /* A server without a command cannot run: it stays disabled. */
  if (argv[0] == NULL)
    json_object_set_boolean_member (server, "disabled", TRUE);

  command_line = confab_mcp_entry_command_line (server);
  adw_expander_row_set_subtitle (row->expander, command_line);
  gtk_widget_set_sensitive (GTK_WIDGET (row->enabled), argv[0] != NULL);
  gtk_switch_set_active (row->enabled, !json_object_get_boolean_member_with_default (server, "disabled", FALSE));
  save_mcp_config (row->self);
}

static void
server_env_applied_cb (AdwEntryRow *entry,
                       GtkWidget   *expander)
{
  ServerRow *row = server_row_get (expander);
  JsonObject *server = server_row_entry (row);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pairs = NULL;
  JsonObject *env;

  if (server == NULL)
    return;

  if (*text != '\0' && !g_shell_parse_argv (text, NULL, &pairs, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The environment cannot be read: %s"), error->message);
      confab_preferences_toast (GTK_WIDGET (row->self), message);
      return;
    }

  env = json_object_new ();
  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');
      g_autofree char *key = NULL;

      if (equals == NULL || equals == pairs[i])
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not NAME=value"), pairs[i]);
          confab_preferences_toast (GTK_WIDGET (row->self), message);
          json_object_unref (env);
          return;
        }

      key = g_strndup (pairs[i], equals - pairs[i]);
      json_object_set_string_member (env, key, equals + 1);
    }

  if (json_object_get_size (env) > 0)
    json_object_set_object_member (server, "env", env);
  else
    {
      json_object_unref (env);
      if (json_object_has_member (server, "env"))
        json_object_remove_member (server, "env");
    }

  save_mcp_config (row->self);
}

static void
server_enabled_cb (GtkSwitch  *widget,
                   GParamSpec *pspec,
                   GtkWidget  *expander)
{
  ServerRow *row = server_row_get (expander);
  JsonObject *server = server_row_entry (row);
  gboolean enabled = gtk_switch_get_active (widget);

  if (server == NULL ||
      enabled == !json_object_get_boolean_member_with_default (server, "disabled", FALSE))
    return;

  if (enabled)
    json_object_remove_member (server, "disabled");
  else
    json_object_set_boolean_member (server, "disabled", TRUE);

  save_mcp_config (row->self);
  server_row_update_status (row);
}

static void
server_remove_clicked_cb (GtkButton *button,
                          GtkWidget *expander)
{
  ServerRow *row = server_row_get (expander);
  ConfabMcpServersPage *self = row->self;
  JsonObject *servers = mcp_servers (self);

  if (servers == NULL)
    return;

  json_object_remove_member (servers, row->name);
  save_mcp_config (self);
  rebuild_mcp_rows (self);
}

static ConfabMcpServer *
find_running_server (ConfabMcpServersPage *self,
                     const char           *name)
{
  GListModel *servers;
  guint n;

  if (self->registry == NULL)
    return NULL;

  servers = confab_tool_registry_get_servers (self->registry);
  n = g_list_model_get_n_items (servers);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      if (g_strcmp0 (confab_mcp_server_get_name (server), name) == 0)
        return g_steal_pointer (&server);
    }

  return NULL;
}

static GtkWidget *
create_server_row (ConfabMcpServersPage *self,
                   const char           *name,
                   JsonObject           *entry)
{
  g_autofree char *command_line = confab_mcp_entry_command_line (entry);
  g_autofree char *env_line = confab_mcp_entry_env_line (entry);
  g_autofree char *switch_label = NULL;
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *row;
  GtkWidget *button;
  GtkWidget *log_expander;
  GtkWidget *scroller;
  GtkWidget *label;
  ServerRow *data;

  /* Server names, command lines and server errors are text, never markup ("a && b <c>"). */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);

  gtk_widget_set_name (expander, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), name);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (expander), FALSE);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), command_line);

  data = g_new0 (ServerRow, 1);
  data->self = self;
  data->name = g_strdup (name);
  data->cancellable = g_cancellable_new ();
  data->expander = ADW_EXPANDER_ROW (expander);
  g_object_set_data_full (G_OBJECT (expander), "confab-server-row", data, (GDestroyNotify) server_row_free);
  g_signal_connect_swapped (expander, "destroy", G_CALLBACK (g_cancellable_cancel), data->cancellable);

  data->enabled = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (data->enabled), GTK_ALIGN_CENTER);
  gtk_widget_set_name (GTK_WIDGET (data->enabled), "enabled");
  /* Translators: accessible name of the switch that enables an MCP server. */
  switch_label = g_strdup_printf (_("Use %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (data->enabled), GTK_ACCESSIBLE_PROPERTY_LABEL, switch_label, -1);
  gtk_switch_set_active (data->enabled, !json_object_get_boolean_member_with_default (entry, "disabled", FALSE));
  gtk_widget_set_sensitive (GTK_WIDGET (data->enabled),
                            *json_object_get_string_member_with_default (entry, "command", "") != '\0');
  g_signal_connect (data->enabled, "notify::active", G_CALLBACK (server_enabled_cb), expander);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), GTK_WIDGET (data->enabled));

  row = GTK_WIDGET (confab_preferences_entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Name"), name, G_CALLBACK (server_name_applied_cb)));
  gtk_widget_set_name (row, "name");
  row = GTK_WIDGET (confab_preferences_entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Command and Arguments"), command_line,
                                                   G_CALLBACK (server_command_applied_cb)));
  gtk_widget_set_name (row, "command");
  row = GTK_WIDGET (confab_preferences_entry_row (expander, ADW_TYPE_ENTRY_ROW, _("Environment (NAME=value …)"), env_line,
                                                   G_CALLBACK (server_env_applied_cb)));
  gtk_widget_set_name (row, "env");

  data->status_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (data->status_row), FALSE);
  gtk_widget_set_name (GTK_WIDGET (data->status_row), "status");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->status_row), _("Status"));
  button = gtk_button_new_with_mnemonic (_("_Check"));
  gtk_widget_set_name (button, "check-button");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Start the server once and list its tools"));
  g_signal_connect (button, "clicked", G_CALLBACK (check_clicked_cb), expander);
  adw_action_row_add_suffix (data->status_row, button);
  data->check_button = GTK_BUTTON (button);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), GTK_WIDGET (data->status_row));

  row = adw_preferences_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Log"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  log_expander = gtk_expander_new_with_mnemonic (_("Server _Log"));
  gtk_widget_set_name (log_expander, "log-expander");
  gtk_widget_set_margin_top (log_expander, 8);
  gtk_widget_set_margin_bottom (log_expander, 8);
  gtk_widget_set_margin_start (log_expander, 12);
  gtk_widget_set_margin_end (log_expander, 12);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 240);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  label = gtk_label_new (NULL);
  gtk_widget_set_name (label, "log");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "caption");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), label);
  gtk_expander_set_child (GTK_EXPANDER (log_expander), scroller);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), log_expander);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
  data->log_label = GTK_LABEL (label);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Remove this server"));
  button = gtk_button_new_with_mnemonic (_("_Remove"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "destructive-action");
  g_signal_connect (button, "clicked", G_CALLBACK (server_remove_clicked_cb), expander);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  data->running = find_running_server (self, name);
  if (data->running != NULL)
    server_row_watch (data, data->running);
  server_row_update_status (data);

  return expander;
}

static void
rebuild_mcp_rows (ConfabMcpServersPage *self)
{
  JsonObject *servers = mcp_servers (self);
  g_autoptr(GList) names = NULL;
  GtkWidget *child, *next;

  /* The rows only: the placeholder ("No tool servers yet") stays. */
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->mcp_list)); child != NULL; child = next)
    {
      next = gtk_widget_get_next_sibling (child);
      if (GTK_IS_LIST_BOX_ROW (child))
        gtk_list_box_remove (self->mcp_list, child);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_server_button), servers != NULL);
  if (servers == NULL)
    return;

  names = json_object_get_members (servers);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (servers, l->data);

      if (JSON_NODE_HOLDS_OBJECT (node))
        gtk_list_box_append (self->mcp_list, create_server_row (self, l->data, json_node_get_object (node)));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->mcp_list), json_object_get_size (servers) > 0);
}

static void
add_mcp_server_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ConfabMcpServersPage *self = CONFAB_MCP_SERVERS_PAGE (widget);
  JsonObject *servers = mcp_servers (self);
  g_autofree char *name = NULL;
  JsonObject *entry;
  GtkWidget *last;

  if (servers == NULL)
    return;

  name = g_strdup ("server");
  for (guint i = 2; json_object_has_member (servers, name); i++)
    {
      g_free (name);
      name = g_strdup_printf ("server-%u", i);
    }

  /* Disabled until it has a command, so the file always loads. */
  entry = json_object_new ();
  json_object_set_string_member (entry, "command", "");
  json_object_set_array_member (entry, "args", json_array_new ());
  json_object_set_boolean_member (entry, "disabled", TRUE);
  json_object_set_object_member (servers, name, entry);

  save_mcp_config (self);
  rebuild_mcp_rows (self);

  last = gtk_widget_get_last_child (GTK_WIDGET (self->mcp_list));
  if (ADW_IS_EXPANDER_ROW (last))
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (last), TRUE);
}

static void
confab_mcp_servers_page_dispose (GObject *object)
{
  ConfabMcpServersPage *self = (ConfabMcpServersPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MCP_SERVERS_PAGE);

  g_clear_object (&self->registry);
  g_clear_pointer (&self->mcp_root, json_object_unref);
  g_clear_pointer (&self->mcp_path, g_free);

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
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServersPage, add_server_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServersPage, mcp_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabMcpServersPage, mcp_list);

  gtk_widget_class_install_action (widget_class, "prefs.add-mcp-server", NULL, add_mcp_server_action);
}

static void
confab_mcp_servers_page_init (ConfabMcpServersPage *self)
{
  g_autofree char *description = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  confab_accessible_name_mnemonic_buttons (GTK_WIDGET (self));

  self->mcp_path = confab_tool_registry_get_default_config_path ();
  /* Translators: %s is the path of mcp.json. */
  description = g_strdup_printf (_("Tools the model may call, from the servers in %s. "
                                   "Changes apply to new chats."), self->mcp_path);
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
