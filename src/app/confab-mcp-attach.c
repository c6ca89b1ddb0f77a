/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-attach"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-attachment-bar.h"
#include "confab-composer.h"
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
  GCancellable  *cancellable_attached;
  guint          pending;
  guint          n_rows;
  guint          n_templates;

  /* Resources put into the message, followed for updates until it is sent. */
  GPtrArray     *attached;

  GtkWidget     *button;
  GtkWidget     *popover;
  GtkWidget     *scroller;
  GtkListBox    *list;
  GtkLabel      *status_label;
  GtkWidget     *form;
  GtkLabel      *form_title;
  GtkWidget     *form_fields;
  ConfabMcpServer *form_server;
  char          *form_template;
};

/* A resource in the composer's text: the marks around its text, which an update of the
 * resource (notifications/resources/updated, after resources/subscribe) replaces. */
typedef struct
{
  ConfabMcpAttach *self;
  ConfabMcpServer *server;
  char            *uri;
  GtkTextMark     *start;
  GtkTextMark     *end;
  gulong           updated_handler;
} Attached;

G_DEFINE_FINAL_TYPE (ConfabMcpAttach, confab_mcp_attach, GTK_TYPE_WIDGET)

static void on_updated (ConfabMcpServer *server,
                        const char      *uri,
                        Attached        *attached);

static void
on_subscribed (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A server without subscriptions still gave the text once. */
  if (!confab_mcp_server_subscribe_resource_finish (CONFAB_MCP_SERVER (object), result, &error))
    g_debug ("No updates of %s: %s", (const char *)user_data, error->message);
  g_free (user_data);
}

static void
attached_free (Attached *attached)
{
  GtkTextBuffer *buffer = gtk_text_mark_get_buffer (attached->start);

  g_clear_signal_handler (&attached->updated_handler, attached->server);
  if (confab_mcp_server_get_state (attached->server) == CONFAB_MCP_SERVER_STATE_READY)
    confab_mcp_server_subscribe_resource_async (attached->server, attached->uri, FALSE, NULL,
                                                on_subscribed, g_strdup (attached->uri));
  if (buffer != NULL)
    {
      gtk_text_buffer_delete_mark (buffer, attached->start);
      gtk_text_buffer_delete_mark (buffer, attached->end);
    }
  g_object_unref (attached->start);
  g_object_unref (attached->end);
  g_object_unref (attached->server);
  g_free (attached->uri);
  g_free (attached);
}

/* Follows @uri of @server, whose text is now between @start and @end of the buffer. */
static void
attach_follow (ConfabMcpAttach *self,
               ConfabMcpServer *server,
               const char      *uri,
               GtkTextIter     *start,
               GtkTextIter     *end)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  Attached *attached = g_new0 (Attached, 1);

  attached->self = self;
  attached->server = g_object_ref (server);
  attached->uri = g_strdup (uri);
  /* An update deletes the text and inserts the new one at the start mark: the start stays
   * before it, the end moves after it. */
  attached->start = g_object_ref (gtk_text_buffer_create_mark (buffer, NULL, start, TRUE));
  attached->end = g_object_ref (gtk_text_buffer_create_mark (buffer, NULL, end, FALSE));
  attached->updated_handler = g_signal_connect (server, "resource-updated", G_CALLBACK (on_updated), attached);
  g_ptr_array_add (self->attached, attached);

  confab_mcp_server_subscribe_resource_async (server, uri, TRUE, self->cancellable_attached,
                                              on_subscribed, g_strdup (uri));
}

static void
on_reread (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autofree char *uri = user_data;
  ConfabMcpServer *server = CONFAB_MCP_SERVER (object);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  ConfabMcpAttach *self;
  GtkTextBuffer *buffer;

  node = confab_mcp_server_read_resource_finish (server, result, &error);
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not read the updated %s: %s", uri, error->message);
      return;
    }

  self = g_object_get_data (G_OBJECT (server), "confab-attach");
  if (self == NULL)
    return;

  text = confab_mcp_resource_result_to_text (node);
  buffer = gtk_text_view_get_buffer (self->text_view);
  for (guint i = 0; i < self->attached->len; i++)
    {
      Attached *attached = self->attached->pdata[i];
      GtkTextIter start, end;

      if (attached->server != server || !g_str_equal (attached->uri, uri))
        continue;

      gtk_text_buffer_get_iter_at_mark (buffer, &start, attached->start);
      gtk_text_buffer_get_iter_at_mark (buffer, &end, attached->end);
      gtk_text_buffer_begin_user_action (buffer);
      gtk_text_buffer_delete (buffer, &start, &end);
      gtk_text_buffer_insert (buffer, &start, text, -1);
      gtk_text_buffer_end_user_action (buffer);
    }
}

static void
on_updated (ConfabMcpServer *server,
            const char      *uri,
            Attached        *attached)
{
  if (!g_str_equal (uri, attached->uri))
    return;

  g_object_set_data (G_OBJECT (server), "confab-attach", attached->self);
  confab_mcp_server_read_resource_async (server, uri, attached->self->cancellable_attached,
                                         on_reread, g_strdup (uri));
}

/* Sent (or cleared): nothing to follow any more. */
static void
buffer_changed_cb (ConfabMcpAttach *self,
                   GtkTextBuffer   *buffer)
{
  if (self->attached->len > 0 && gtk_text_buffer_get_char_count (buffer) == 0)
    g_ptr_array_set_size (self->attached, 0);
}

static void
set_status (ConfabMcpAttach *self,
            const char      *text)
{
  gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
}

/* A resource's pictures go to the model as image content, as pictures the user attaches: in
 * the composer's attachment bar, where they show (and can be taken out). */
static void
attach_images (ConfabMcpAttach *self,
               JsonNode        *node)
{
  GtkWidget *composer = gtk_widget_get_ancestor (GTK_WIDGET (self), CONFAB_TYPE_COMPOSER);
  ConfabAttachmentBar *bar = composer ? confab_composer_get_attachment_bar (CONFAB_COMPOSER (composer)) : NULL;
  GListModel *model = bar ? confab_attachment_bar_get_model (bar) : NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  ConfabAttachmentLimits limits;

  if (!G_IS_LIST_STORE (model))
    return;

  confab_attachment_limits_init_from_settings (&limits, settings);
  images = confab_mcp_resource_result_to_images (node, &limits, &error);
  if (images == NULL)
    {
      confab_attachment_bar_set_error (bar, error->message);
      return;
    }
  g_list_store_splice (G_LIST_STORE (model), g_list_model_get_n_items (model), 0, images->pdata, images->len);
  confab_attachment_bar_check (bar);
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
  /* The heading confab-cli --resource writes too (confab_mcp_resource_block()). */
  block = confab_mcp_resource_heading (g_object_get_data (G_OBJECT (row), "uri"),
                                       confab_mcp_server_get_name (server));
  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_end_iter (buffer, &end);
  if (gtk_text_buffer_get_char_count (buffer) > 0)
    gtk_text_buffer_insert (buffer, &end, "\n\n", -1);
  gtk_text_buffer_insert (buffer, &end, block, -1);
  gtk_text_buffer_insert (buffer, &end, "\n", -1);
  {
    int offset = gtk_text_iter_get_offset (&end);
    GtkTextIter start;

    gtk_text_buffer_insert (buffer, &end, text, -1);
    gtk_text_buffer_get_iter_at_offset (buffer, &start, offset);
    /* Until it is sent, a newer version of the resource replaces this text. */
    attach_follow (self, server, g_object_get_data (G_OBJECT (row), "uri"), &start, &end);
  }

  attach_images (self, node);
  gtk_popover_popdown (GTK_POPOVER (self->popover));
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
show_form (ConfabMcpAttach *self,
           ConfabMcpServer *server,
           const char      *uri_template,
           const char      *title)
{
  g_auto(GStrv) variables = confab_mcp_uri_template_get_variables (uri_template);
  GtkWidget *child;
  GtkWidget *first = NULL;

  g_set_object (&self->form_server, server);
  g_free (self->form_template);
  self->form_template = g_strdup (uri_template);

  while ((child = gtk_widget_get_first_child (self->form_fields)) != NULL)
    gtk_box_remove (GTK_BOX (self->form_fields), child);

  gtk_label_set_text (self->form_title, title);
  for (guint i = 0; variables[i] != NULL; i++)
    {
      GtkWidget *entry = gtk_entry_new ();
      g_autofree char *name = g_strdup_printf ("var-%s", variables[i]);

      gtk_widget_set_name (entry, name);
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), variables[i]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, variables[i], -1);
      g_object_set_data_full (G_OBJECT (entry), "variable", g_strdup (variables[i]), g_free);
      gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
      gtk_box_append (GTK_BOX (self->form_fields), entry);
      if (first == NULL)
        first = entry;
    }

  gtk_widget_set_visible (self->scroller, FALSE);
  gtk_widget_set_visible (self->form, TRUE);
  set_status (self, NULL);
  if (first != NULL)
    gtk_widget_grab_focus (first);
}

/* The template filled in from the form: read like a listed resource. */
static void
form_read_cb (ConfabMcpAttach *self)
{
  g_autoptr(JsonObject) values = json_object_new ();
  g_autofree char *uri = NULL;
  GtkWidget *row;

  if (self->form_server == NULL || self->form_template == NULL)
    return;

  for (GtkWidget *entry = gtk_widget_get_first_child (self->form_fields);
       entry != NULL;
       entry = gtk_widget_get_next_sibling (entry))
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

      if (*text != '\0')
        json_object_set_string_member (values, g_object_get_data (G_OBJECT (entry), "variable"), text);
    }

  uri = confab_mcp_uri_template_expand (self->form_template, values);

  /* The same path as a listed resource: a row that is not shown carries server and URI. */
  row = g_object_ref_sink (gtk_list_box_row_new ());
  g_object_set_data_full (G_OBJECT (row), "server", g_object_ref (self->form_server), g_object_unref);
  g_object_set_data_full (G_OBJECT (row), "uri", g_strdup (uri), g_free);
  g_object_set_data (G_OBJECT (row), "attach", self);
  set_status (self, _("Reading…"));
  confab_mcp_server_read_resource_async (self->form_server, uri, self->cancellable, on_read, row);
}

static void
row_activated_cb (ConfabMcpAttach *self,
                  GtkListBoxRow   *row)
{
  ConfabMcpServer *server = g_object_get_data (G_OBJECT (row), "server");
  const char *uri = g_object_get_data (G_OBJECT (row), "uri");
  const char *uri_template = g_object_get_data (G_OBJECT (row), "uri-template");

  if (server != NULL && uri_template != NULL)
    {
      show_form (self, server, uri_template, g_object_get_data (G_OBJECT (row), "title"));
      return;
    }

  if (server == NULL || uri == NULL)
    return;

  g_object_set_data (G_OBJECT (row), "attach", self);
  set_status (self, _("Reading…"));
  confab_mcp_server_read_resource_async (server, uri, self->cancellable, on_read, g_object_ref (row));
}

/* A row of the list for @server, named @name, with @title over @caption (markup-escaped). */
static GtkWidget *
append_row (ConfabMcpAttach *self,
            ConfabMcpServer *server,
            const char      *name,
            const char      *title,
            const char      *caption)
{
  GtkWidget *row = gtk_list_box_row_new ();
  g_autofree char *shown = confab_escape_text (title, -1, CONFAB_ESCAPE_DEFAULT);

  gtk_widget_set_name (row, name);
  g_object_set_data_full (G_OBJECT (row), "server", g_object_ref (server), g_object_unref);
  confab_two_line_row_fill (GTK_LIST_BOX_ROW (row), shown, caption, PANGO_ELLIPSIZE_MIDDLE);
  gtk_list_box_append (self->list, row);

  return row;
}

static void
add_row (ConfabMcpAttach *self,
         ConfabMcpServer *server,
         JsonObject      *resource)
{
  const char *uri = json_object_get_string_member_with_default (resource, "uri", NULL);
  const char *title = json_object_get_string_member_with_default (resource, "title", NULL);
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped_uri = NULL;
  GtkWidget *row;

  if (uri == NULL)
    return;
  if (title == NULL)
    title = json_object_get_string_member_with_default (resource, "name", uri);

  name = g_strdup_printf ("resource-%u", self->n_rows++);
  escaped_uri = confab_escape_text (uri, -1, CONFAB_ESCAPE_DEFAULT);
  /* Translators: a resource's URI and the MCP server that offers it */
  subtitle = g_strdup_printf (_("%s on %s"), escaped_uri, confab_mcp_server_get_name (server));
  row = append_row (self, server, name, title, subtitle);
  g_object_set_data_full (G_OBJECT (row), "uri", g_strdup (uri), g_free);
}

static void
add_template_row (ConfabMcpAttach *self,
                  ConfabMcpServer *server,
                  JsonObject      *resource_template)
{
  guint index = self->n_templates++;
  const char *uri_template = json_object_get_string_member_with_default (resource_template, "uriTemplate", NULL);
  const char *title = json_object_get_string_member_with_default (resource_template, "title", NULL);
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;
  GtkWidget *row;

  if (uri_template == NULL)
    return;
  if (title == NULL)
    title = json_object_get_string_member_with_default (resource_template, "name", uri_template);

  name = g_strdup_printf ("template-%u", index);
  escaped = confab_escape_text (uri_template, -1, CONFAB_ESCAPE_DEFAULT);
  /* Translators: a resource template (a URI with blanks to fill in) and its MCP server */
  subtitle = g_strdup_printf (_("%s on %s, to fill in"), escaped, confab_mcp_server_get_name (server));
  row = append_row (self, server, name, title, subtitle);
  g_object_set_data_full (G_OBJECT (row), "uri-template", g_strdup (uri_template), g_free);
  g_object_set_data_full (G_OBJECT (row), "title", g_strdup (title), g_free);
}

/* The resources or the templates of one server have come (or not). */
static void
listed (ConfabMcpAttach  *self,
        ConfabMcpServer  *server,
        JsonNode         *list,
        const GError     *error,
        ConfabListedFunc  add)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->pending--;
  confab_two_line_row_add_listed (list, error, server, add, self);
  if (self->pending == 0)
    set_status (self, self->n_rows + self->n_templates == 0 ? _("The tool servers offer no resources.") : NULL);
}

static void
on_templates_listed (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ConfabMcpServer *server = CONFAB_MCP_SERVER (object);
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;

  list = confab_mcp_server_list_resource_templates_finish (server, result, &error);
  listed (user_data, server, list, error, (ConfabListedFunc) add_template_row);
}

static void
on_listed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ConfabMcpServer *server = CONFAB_MCP_SERVER (object);
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;

  list = confab_mcp_server_list_resources_finish (server, result, &error);
  listed (user_data, server, list, error, (ConfabListedFunc) add_row);
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
  self->n_templates = 0;
  gtk_widget_set_visible (self->form, FALSE);
  gtk_widget_set_visible (self->scroller, TRUE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  tools = confab_session_get_tools (self->session);
  servers = tools ? confab_tool_registry_get_servers (tools) : NULL;
  for (guint i = 0; servers != NULL && i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      if (confab_mcp_server_get_state (server) != CONFAB_MCP_SERVER_STATE_READY)
        continue;
      self->pending += 2;
      confab_mcp_server_list_resources_async (server, self->cancellable, on_listed, self);
      confab_mcp_server_list_resource_templates_async (server, self->cancellable, on_templates_listed, self);
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
  g_cancellable_cancel (self->cancellable_attached);
  g_clear_object (&self->cancellable_attached);
  g_clear_pointer (&self->attached, g_ptr_array_unref);
  if (self->text_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_text_view_get_buffer (self->text_view), self);
  g_clear_object (&self->form_server);
  g_clear_pointer (&self->form_template, g_free);
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

  self->attached = g_ptr_array_new_with_free_func ((GDestroyNotify)attached_free);
  self->cancellable_attached = g_cancellable_new ();

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
  self->scroller = scroller;

  /* A template's blanks, one entry each, and Read. */
  {
    GtkWidget *read = gtk_button_new_with_mnemonic (_("_Read and Attach"));

    self->form = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_widget_set_name (self->form, "template_form");
    gtk_widget_set_visible (self->form, FALSE);
    self->form_title = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->form_title, 0);
    gtk_widget_add_css_class (GTK_WIDGET (self->form_title), "heading");
    gtk_box_append (GTK_BOX (self->form), GTK_WIDGET (self->form_title));
    self->form_fields = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_box_append (GTK_BOX (self->form), self->form_fields);
    gtk_widget_set_name (read, "template_read");
    gtk_widget_add_css_class (read, "suggested-action");
    gtk_widget_set_halign (read, GTK_ALIGN_END);
    g_signal_connect_swapped (read, "clicked", G_CALLBACK (form_read_cb), self);
    gtk_box_append (GTK_BOX (self->form), read);
    gtk_box_append (GTK_BOX (box), self->form);
  }
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
  g_signal_connect_object (gtk_text_view_get_buffer (text_view), "changed",
                           G_CALLBACK (buffer_changed_cb), self, G_CONNECT_SWAPPED);

  return GTK_WIDGET (self);
}
