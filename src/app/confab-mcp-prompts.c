/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-prompts"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-escape.h"
#include "confab-mcp-prompts.h"
#include "confab-two-line-row.h"
#include "confab-mcp-server.h"
#include "confab-tool-registry.h"

struct _ConfabMcpPrompts
{
  GtkWidget        parent_instance;

  ConfabSession   *session;
  GtkTextView     *text_view;
  GCancellable    *cancellable;
  guint            pending;
  guint            n_rows;

  /* The prompt whose arguments are asked for. */
  ConfabMcpServer *server;
  JsonObject      *prompt;
  GPtrArray       *entries;

  GtkWidget       *button;
  GtkWidget       *popover;
  GtkStack        *stack;
  GtkListBox      *list;
  GtkLabel        *status_label;
  GtkBox          *form_box;
  GtkLabel        *form_title;
  GtkLabel        *error_label;
};

G_DEFINE_FINAL_TYPE (ConfabMcpPrompts, confab_mcp_prompts, GTK_TYPE_WIDGET)

static void
set_label (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
}

/* What follows a leading "/" in the message, or NULL when it does not start a command. */
static char *
dup_filter (ConfabMcpPrompts *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (text[0] != '/' || strpbrk (text, " \t\n") != NULL)
    return NULL;
  return g_utf8_strdown (text + 1, -1);
}

static void
apply_filter (ConfabMcpPrompts *self)
{
  g_autofree char *filter = dup_filter (self);
  guint shown = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *name = g_object_get_data (G_OBJECT (row), "lowercase-name");
      gboolean visible = filter == NULL || (name != NULL && g_str_has_prefix (name, filter));

      gtk_widget_set_visible (row, visible);
      shown += visible;
    }

  if (self->pending == 0)
    set_label (self->status_label, self->n_rows == 0 ? _("The tool servers offer no prompts.")
                                   : shown == 0 ? _("No prompt starts like that.") : NULL);
}

static void
on_prompt (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ConfabMcpServer *server = CONFAB_MCP_SERVER (object);
  ConfabMcpPrompts *self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  node = confab_mcp_server_get_prompt_finish (server, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL)
    {
      set_label (self->error_label, error->message);
      gtk_stack_set_visible_child_name (self->stack, "form");
      return;
    }

  text = confab_mcp_prompt_result_to_text (node);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
  gtk_popover_popdown (GTK_POPOVER (self->popover));
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
insert_clicked_cb (ConfabMcpPrompts *self)
{
  g_autoptr(JsonObject) arguments = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  for (guint i = 0; self->entries != NULL && i < self->entries->len; i++)
    {
      GtkWidget *entry = self->entries->pdata[i];
      const char *name = g_object_get_data (G_OBJECT (entry), "argument");
      const char *value = gtk_editable_get_text (GTK_EDITABLE (entry));

      if (*value == '\0')
        {
          if (g_object_get_data (G_OBJECT (entry), "required") != NULL)
            {
              g_autofree char *message = g_strdup_printf (_("“%s” is required."), name);

              set_label (self->error_label, message);
              gtk_widget_grab_focus (entry);
              return;
            }
          continue;
        }
      json_object_set_string_member (arguments, name, value);
    }

  set_label (self->error_label, NULL);
  node = json_node_init_object (json_node_alloc (), arguments);
  confab_mcp_server_get_prompt_async (self->server,
                                      json_object_get_string_member (self->prompt, "name"),
                                      node, self->cancellable, on_prompt, self);
}

static void
show_form (ConfabMcpPrompts *self)
{
  JsonArray *arguments = json_object_get_array_member (self->prompt, "arguments");
  GtkWidget *child;
  g_autofree char *title = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->form_box))) != NULL)
    gtk_box_remove (self->form_box, child);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  self->entries = g_ptr_array_new ();

  title = confab_escape_text (json_object_get_string_member_with_default (self->prompt, "title",
                                json_object_get_string_member (self->prompt, "name")),
                              -1, CONFAB_ESCAPE_DEFAULT);
  gtk_label_set_text (self->form_title, title);
  set_label (self->error_label, NULL);

  for (guint i = 0; i < json_array_get_length (arguments); i++)
    {
      JsonNode *element = json_array_get_element (arguments, i);
      JsonObject *argument = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *name = argument ? json_object_get_string_member_with_default (argument, "name", NULL) : NULL;
      gboolean required = argument && json_object_get_boolean_member_with_default (argument, "required", FALSE);
      const char *description = argument ? json_object_get_string_member_with_default (argument, "description", NULL) : NULL;
      g_autofree char *widget_name = NULL;
      g_autofree char *label_text = NULL;
      g_autofree char *escaped = NULL;
      GtkWidget *label, *entry;

      if (name == NULL)
        continue;

      escaped = confab_escape_text (name, -1, CONFAB_ESCAPE_DEFAULT);
      label_text = required ? g_strdup_printf (_("%s (required)"), escaped) : g_strdup (escaped);
      label = gtk_label_new (label_text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_box_append (self->form_box, label);

      entry = gtk_entry_new ();
      widget_name = g_strdup_printf ("prompt_arg-%s", name);
      gtk_widget_set_name (entry, widget_name);
      g_object_set_data_full (G_OBJECT (entry), "argument", g_strdup (name), g_free);
      if (required)
        g_object_set_data (G_OBJECT (entry), "required", GINT_TO_POINTER (1));
      if (description != NULL)
        {
          g_autofree char *placeholder = confab_escape_text (description, -1, CONFAB_ESCAPE_DEFAULT);
          gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
        }
      gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry);
      g_signal_connect_swapped (entry, "activate", G_CALLBACK (insert_clicked_cb), self);
      gtk_box_append (self->form_box, entry);
      g_ptr_array_add (self->entries, entry);
    }

  gtk_stack_set_visible_child_name (self->stack, "form");
  if (self->entries->len > 0)
    gtk_widget_grab_focus (self->entries->pdata[0]);
}

static void
row_activated_cb (ConfabMcpPrompts *self,
                  GtkListBoxRow    *row)
{
  JsonObject *prompt = g_object_get_data (G_OBJECT (row), "prompt");
  JsonArray *arguments;

  g_set_object (&self->server, g_object_get_data (G_OBJECT (row), "server"));
  g_clear_pointer (&self->prompt, json_object_unref);
  self->prompt = json_object_ref (prompt);

  arguments = json_object_has_member (prompt, "arguments") &&
              JSON_NODE_HOLDS_ARRAY (json_object_get_member (prompt, "arguments"))
                ? json_object_get_array_member (prompt, "arguments") : NULL;
  if (arguments != NULL && json_array_get_length (arguments) > 0)
    show_form (self);
  else
    {
      g_clear_pointer (&self->entries, g_ptr_array_unref);
      insert_clicked_cb (self);
    }
}

static void
add_row (ConfabMcpPrompts *self,
         ConfabMcpServer  *server,
         JsonObject       *prompt)
{
  const char *name = json_object_get_string_member_with_default (prompt, "name", NULL);
  const char *description = json_object_get_string_member_with_default (prompt, "description", NULL);
  g_autofree char *widget_name = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  if (name == NULL || *name == '\0')
    return;

  row = gtk_list_box_row_new ();
  widget_name = g_strdup_printf ("prompt-%s", name);
  gtk_widget_set_name (row, widget_name);
  g_object_set_data_full (G_OBJECT (row), "server", g_object_ref (server), g_object_unref);
  g_object_set_data_full (G_OBJECT (row), "prompt", json_object_ref (prompt), (GDestroyNotify)json_object_unref);
  g_object_set_data_full (G_OBJECT (row), "lowercase-name", g_utf8_strdown (name, -1), g_free);
  self->n_rows++;

  {
    g_autofree char *command = g_strdup_printf ("/%s", name);

    shown = confab_escape_text (command, -1, CONFAB_ESCAPE_DEFAULT);
  }
  {
    g_autofree char *escaped = confab_escape_text (description ? description : "", -1, CONFAB_ESCAPE_DEFAULT);

    /* Translators: a prompt's description and the MCP server that offers it */
    subtitle = g_strdup_printf (_("%s — %s"), escaped, confab_mcp_server_get_name (server));
  }
  confab_two_line_row_fill (GTK_LIST_BOX_ROW (row), shown, subtitle, PANGO_ELLIPSIZE_END);

  gtk_list_box_append (self->list, row);
}

static void
on_listed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ConfabMcpServer *server = CONFAB_MCP_SERVER (object);
  ConfabMcpPrompts *self = user_data;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;

  list = confab_mcp_server_list_prompts_finish (server, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->pending--;
  confab_two_line_row_add_listed (list, error, server, (ConfabListedFunc) add_row, self);

  apply_filter (self);
}

static void
refresh (ConfabMcpPrompts *self)
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
  gtk_stack_set_visible_child_name (self->stack, "list");

  tools = confab_session_get_tools (self->session);
  servers = tools ? confab_tool_registry_get_servers (tools) : NULL;
  for (guint i = 0; servers != NULL && i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      if (confab_mcp_server_get_state (server) != CONFAB_MCP_SERVER_STATE_READY)
        continue;
      self->pending++;
      confab_mcp_server_list_prompts_async (server, self->cancellable, on_listed, self);
    }

  set_label (self->status_label, self->pending > 0 ? _("Listing prompts…") : _("No tool server is running."));
}

void
confab_mcp_prompts_popup (ConfabMcpPrompts *self)
{
  g_return_if_fail (CONFAB_IS_MCP_PROMPTS (self));

  gtk_popover_set_autohide (GTK_POPOVER (self->popover), TRUE);
  gtk_menu_button_popup (GTK_MENU_BUTTON (self->button));
}

/* "/" typed at the start of an empty message opens the menu; more letters filter it. */
static void
buffer_changed_cb (ConfabMcpPrompts *self)
{
  g_autofree char *filter = dup_filter (self);

  if (filter == NULL)
    {
      if (gtk_widget_get_visible (self->popover) &&
          g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "list") == 0)
        gtk_popover_popdown (GTK_POPOVER (self->popover));
      return;
    }

  if (!gtk_widget_get_visible (self->popover))
    {
      /* Opened by typing: the keyboard stays in the message. */
      gtk_popover_set_autohide (GTK_POPOVER (self->popover), FALSE);
      gtk_menu_button_popup (GTK_MENU_BUTTON (self->button));
    }
  else
    apply_filter (self);
}

static void
confab_mcp_prompts_dispose (GObject *object)
{
  ConfabMcpPrompts *self = CONFAB_MCP_PROMPTS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->text_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_text_view_get_buffer (self->text_view), self);
  g_clear_object (&self->session);
  g_clear_object (&self->text_view);
  g_clear_object (&self->server);
  g_clear_pointer (&self->prompt, json_object_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->button, gtk_widget_unparent);

  G_OBJECT_CLASS (confab_mcp_prompts_parent_class)->dispose (object);
}

static void
confab_mcp_prompts_class_init (ConfabMcpPromptsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_mcp_prompts_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
confab_mcp_prompts_init (ConfabMcpPrompts *self)
{
  GtkWidget *list_page, *form_page, *scroller, *insert;

  self->button = gtk_menu_button_new ();
  gtk_widget_set_name (self->button, "prompts_button");
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->button), "view-list-bullet-symbolic");
  gtk_widget_set_tooltip_text (self->button, _("Prompts from Tool Servers (type /)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Prompts from Tool Servers"),
                                  -1);
  gtk_widget_set_valign (self->button, GTK_ALIGN_END);
  gtk_widget_set_parent (self->button, GTK_WIDGET (self));

  self->popover = gtk_popover_new ();
  gtk_popover_set_position (GTK_POPOVER (self->popover), GTK_POS_TOP);
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_vhomogeneous (self->stack, FALSE);

  list_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->status_label), "prompts_status");
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_box_append (GTK_BOX (list_page), GTK_WIDGET (self->status_label));
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_widget_set_size_request (scroller, 300, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->list));
  gtk_box_append (GTK_BOX (list_page), scroller);
  gtk_stack_add_named (self->stack, list_page, "list");

  form_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->form_title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->form_title, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->form_title), "heading");
  gtk_box_append (GTK_BOX (form_page), GTK_WIDGET (self->form_title));
  self->form_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 4));
  gtk_box_append (GTK_BOX (form_page), GTK_WIDGET (self->form_box));
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->error_label), "prompt_error");
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (form_page), GTK_WIDGET (self->error_label));
  insert = gtk_button_new_with_mnemonic (_("_Insert Prompt"));
  gtk_widget_set_name (insert, "prompt_insert_button");
  gtk_widget_add_css_class (insert, "suggested-action");
  gtk_widget_set_halign (insert, GTK_ALIGN_END);
  g_signal_connect_swapped (insert, "clicked", G_CALLBACK (insert_clicked_cb), self);
  gtk_box_append (GTK_BOX (form_page), insert);
  gtk_stack_add_named (self->stack, form_page, "form");

  gtk_popover_set_child (GTK_POPOVER (self->popover), GTK_WIDGET (self->stack));
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->button), self->popover);
  g_signal_connect_swapped (self->popover, "show", G_CALLBACK (refresh), self);
}

GtkWidget *
confab_mcp_prompts_new (ConfabSession *session,
                        GtkTextView   *text_view)
{
  ConfabMcpPrompts *self;

  g_return_val_if_fail (CONFAB_IS_SESSION (session), NULL);
  g_return_val_if_fail (GTK_IS_TEXT_VIEW (text_view), NULL);

  self = g_object_new (CONFAB_TYPE_MCP_PROMPTS, NULL);
  self->session = g_object_ref (session);
  self->text_view = g_object_ref (text_view);
  g_signal_connect_swapped (gtk_text_view_get_buffer (text_view), "changed",
                            G_CALLBACK (buffer_changed_cb), self);

  return GTK_WIDGET (self);
}
