/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-attach"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-escape.h"
#include "confab-mcp-attach.h"
#include "confab-two-line-row.h"
#include "confab-mcp-server.h"
#include "confab-tool-registry.h"

struct _ConfabMcpAttach
{
  GtkWidget      parent_instance;

  ConfabSession *session;
  GtkTextView   *text_view;
  GCancellable  *cancellable;
  guint          pending;
  guint          n_rows;

  GtkWidget     *button;
  GtkWidget     *popover;
  GtkListBox    *list;
  GtkLabel      *status_label;
};

G_DEFINE_FINAL_TYPE (ConfabMcpAttach, confab_mcp_attach, GTK_TYPE_WIDGET)

static void
set_status (ConfabMcpAttach *self,
            const char      *text)
{
  gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
}

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ConfabMcpServer *server = CONFAB_MCP_SERVER (object);
  g_autoptr(GtkWidget) row = user_data;
  ConfabMcpAttach *self;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *block = NULL;
  GtkTextBuffer *buffer;
  GtkTextIter end;

  node = confab_mcp_server_read_resource_finish (server, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = g_object_get_data (G_OBJECT (row), "attach");
  if (node == NULL)
    {
      set_status (self, error->message);
      return;
    }

  text = confab_mcp_resource_result_to_text (node);
  /* Translators: a resource from an MCP server put into a message: its URI and server */
  block = g_strdup_printf (_("Resource %s from “%s”:"), (const char *)g_object_get_data (G_OBJECT (row), "uri"),
                           confab_mcp_server_get_name (server));
  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_end_iter (buffer, &end);
  if (gtk_text_buffer_get_char_count (buffer) > 0)
    gtk_text_buffer_insert (buffer, &end, "\n\n", -1);
  gtk_text_buffer_insert (buffer, &end, block, -1);
  gtk_text_buffer_insert (buffer, &end, "\n", -1);
  gtk_text_buffer_insert (buffer, &end, text, -1);

  gtk_popover_popdown (GTK_POPOVER (self->popover));
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
row_activated_cb (ConfabMcpAttach *self,
                  GtkListBoxRow   *row)
{
  ConfabMcpServer *server = g_object_get_data (G_OBJECT (row), "server");
  const char *uri = g_object_get_data (G_OBJECT (row), "uri");

  if (server == NULL || uri == NULL)
    return;

  g_object_set_data (G_OBJECT (row), "attach", self);
  set_status (self, _("Reading…"));
  confab_mcp_server_read_resource_async (server, uri, self->cancellable, on_read, g_object_ref (row));
}

static void
add_row (ConfabMcpAttach *self,
         ConfabMcpServer *server,
         JsonObject      *resource)
{
  const char *uri = json_object_get_string_member_with_default (resource, "uri", NULL);
  const char *title = json_object_get_string_member_with_default (resource, "title", NULL);
  g_autofree char *name = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  if (uri == NULL)
    return;
  if (title == NULL)
    title = json_object_get_string_member_with_default (resource, "name", uri);

  row = gtk_list_box_row_new ();
  name = g_strdup_printf ("resource-%u", self->n_rows++);
  gtk_widget_set_name (row, name);
  g_object_set_data_full (G_OBJECT (row), "server", g_object_ref (server), g_object_unref);
  g_object_set_data_full (G_OBJECT (row), "uri", g_strdup (uri), g_free);

  shown = confab_escape_text (title, -1, CONFAB_ESCAPE_DEFAULT);
  {
    g_autofree char *escaped_uri = confab_escape_text (uri, -1, CONFAB_ESCAPE_DEFAULT);

    /* Translators: a resource's URI and the MCP server that offers it */
    subtitle = g_strdup_printf (_("%s on %s"), escaped_uri, confab_mcp_server_get_name (server));
  }
  confab_two_line_row_fill (GTK_LIST_BOX_ROW (row), shown, subtitle, PANGO_ELLIPSIZE_MIDDLE);

  gtk_list_box_append (self->list, row);
}

static void
on_listed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ConfabMcpServer *server = CONFAB_MCP_SERVER (object);
  ConfabMcpAttach *self = user_data;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;

  list = confab_mcp_server_list_resources_finish (server, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->pending--;
  if (list != NULL)
    {
      JsonArray *array = json_node_get_array (list);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)))
          add_row (self, server, json_array_get_object_element (array, i));
    }
  else
    g_debug ("%s", error->message);

  if (self->pending == 0)
    set_status (self, self->n_rows == 0 ? _("The tool servers offer no resources.") : NULL);
}

/* Lists the resources anew, each time the popover opens. */
static void
refresh (ConfabMcpAttach *self)
{
  ConfabToolRegistry *tools;
  GListModel *servers;
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->pending = 0;
  self->n_rows = 0;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  tools = confab_session_get_tools (self->session);
  servers = tools ? confab_tool_registry_get_servers (tools) : NULL;
  for (guint i = 0; servers != NULL && i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      if (confab_mcp_server_get_state (server) != CONFAB_MCP_SERVER_STATE_READY)
        continue;
      self->pending++;
      confab_mcp_server_list_resources_async (server, self->cancellable, on_listed, self);
    }

  set_status (self, self->pending > 0 ? _("Listing resources…") : _("No tool server is running."));
}

void
confab_mcp_attach_popup (ConfabMcpAttach *self)
{
  g_return_if_fail (CONFAB_IS_MCP_ATTACH (self));

  gtk_menu_button_popup (GTK_MENU_BUTTON (self->button));
}

static void
confab_mcp_attach_dispose (GObject *object)
{
  ConfabMcpAttach *self = CONFAB_MCP_ATTACH (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->text_view);
  g_clear_pointer (&self->button, gtk_widget_unparent);

  G_OBJECT_CLASS (confab_mcp_attach_parent_class)->dispose (object);
}

static void
confab_mcp_attach_class_init (ConfabMcpAttachClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_mcp_attach_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
confab_mcp_attach_init (ConfabMcpAttach *self)
{
  GtkWidget *box, *scroller;

  self->button = gtk_menu_button_new ();
  gtk_widget_set_name (self->button, "resource_button");
  /* Not the paper clip of file attachments beside it: these come from the tool servers. */
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->button), "network-server-symbolic");
  gtk_widget_set_tooltip_text (self->button, _("Attach a Resource from a Tool Server"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Attach a Resource from a Tool Server"),
                                  -1);
  gtk_widget_set_valign (self->button, GTK_ALIGN_END);
  gtk_widget_set_parent (self->button, GTK_WIDGET (self));

  self->popover = gtk_popover_new ();
  gtk_popover_set_position (GTK_POPOVER (self->popover), GTK_POS_TOP);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->status_label), "attach_status");
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_label_set_max_width_chars (self->status_label, 40);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_label));
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_widget_set_size_request (scroller, 300, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->list));
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_popover_set_child (GTK_POPOVER (self->popover), box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->button), self->popover);
  g_signal_connect_swapped (self->popover, "show", G_CALLBACK (refresh), self);
}

GtkWidget *
confab_mcp_attach_new (ConfabSession *session,
                       GtkTextView   *text_view)
{
  ConfabMcpAttach *self;

  g_return_val_if_fail (CONFAB_IS_SESSION (session), NULL);
  g_return_val_if_fail (GTK_IS_TEXT_VIEW (text_view), NULL);

  self = g_object_new (CONFAB_TYPE_MCP_ATTACH, NULL);
  self->session = g_object_ref (session);
  self->text_view = g_object_ref (text_view);

  return GTK_WIDGET (self);
}
