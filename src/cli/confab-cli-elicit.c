/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <unistd.h>

#include "confab-cli-elicit.h"
#include "confab-mcp-elicitation.h"
#include "confab-mcp-server.h"

/* An MCP server's elicitation/create on the terminal: the question, then one line per
 * field of its schema (Enter keeps the default). Without a terminal the request is
 * declined, as the core does when nobody answers. */

struct _ConfabCliElicit
{
  GDataInputStream **lines;
  /* The terminal is shared with the approvals: one question at a time. */
  gboolean          *busy;
  GSourceFunc        free_cb;
  gpointer           free_data;
  GCancellable      *cancellable;
  GQueue             queue;      /* ConfabMcpElicitation waiting their turn */
  gboolean           interactive;

  /* The one being asked */
  ConfabMcpElicitation *current;
  GList             *fields;     /* names of its schema's properties */
  GList             *field;      /* the one asked now, NULL while asking accept/decline */
  JsonObject        *content;
};

static void ask (ConfabCliElicit *self);

static JsonObject *
property_of (ConfabCliElicit *self,
             const char      *name)
{
  JsonObject *schema = confab_mcp_elicitation_get_requested_schema (self->current);
  JsonObject *properties;

  if (schema == NULL || !json_object_has_member (schema, "properties"))
    return NULL;
  properties = json_object_get_object_member (schema, "properties");
  if (properties == NULL || !json_object_has_member (properties, name))
    return NULL;

  return json_object_get_object_member (properties, name);
}

/* Reads @text as @property's type into @self->content; FALSE when it is not one. */
static gboolean
set_field (ConfabCliElicit *self,
           const char      *name,
           JsonObject      *property,
           const char      *text)
{
  const char *type = json_object_get_string_member_with_default (property, "type", "string");
  JsonArray *choices = json_object_has_member (property, "enum")
                       ? json_object_get_array_member (property, "enum") : NULL;

  if (g_str_equal (type, "integer"))
    {
      gint64 value;

      if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
        return FALSE;
      json_object_set_int_member (self->content, name, value);
    }
  else if (g_str_equal (type, "number"))
    {
      char *end = NULL;
      double value = g_ascii_strtod (text, &end);

      if (end == text || *end != '\0')
        return FALSE;
      json_object_set_double_member (self->content, name, value);
    }
  else if (g_str_equal (type, "boolean"))
    {
      if (g_ascii_strcasecmp (text, "y") == 0 || g_ascii_strcasecmp (text, "yes") == 0 ||
          g_ascii_strcasecmp (text, "true") == 0)
        json_object_set_boolean_member (self->content, name, TRUE);
      else if (g_ascii_strcasecmp (text, "n") == 0 || g_ascii_strcasecmp (text, "no") == 0 ||
               g_ascii_strcasecmp (text, "false") == 0)
        json_object_set_boolean_member (self->content, name, FALSE);
      else
        return FALSE;
    }
  else if (g_str_equal (type, "array"))
    {
      g_auto(GStrv) items = g_strsplit (text, ",", -1);
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; items[i] != NULL; i++)
        json_array_add_string_element (array, g_strstrip (items[i]));
      json_object_set_array_member (self->content, name, json_array_ref (array));
    }
  else
    {
      gboolean found = choices == NULL;

      for (guint i = 0; choices != NULL && i < json_array_get_length (choices); i++)
        found |= g_strcmp0 (json_array_get_string_element (choices, i), text) == 0;
      if (!found)
        return FALSE;
      json_object_set_string_member (self->content, name, text);
    }

  return TRUE;
}

static void
finish (ConfabCliElicit *self,
        const char      *action)
{
  if (g_str_equal (action, "accept"))
    {
      g_autoptr(JsonNode) content = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (content, self->content);
      confab_mcp_elicitation_accept (self->current, content);
    }
  else if (g_str_equal (action, "cancel"))
    confab_mcp_elicitation_cancel (self->current);
  else
    confab_mcp_elicitation_decline (self->current);

  g_clear_object (&self->current);
  g_clear_pointer (&self->content, json_object_unref);
  g_list_free_full (g_steal_pointer (&self->fields), g_free);
  self->field = NULL;
  *self->busy = FALSE;

  ask (self);
  if (!*self->busy && self->free_cb != NULL)
    self->free_cb (self->free_data);
}

static void prompt (ConfabCliElicit *self);

static void
on_line (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ConfabCliElicit *self = user_data;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* The end of input (or a line that is not text) answers nothing: cancel. */
  if (line == NULL)
    {
      finish (self, "cancel");
      return;
    }

  g_strstrip (line);

  if (self->field == NULL)
    {
      if (g_ascii_strcasecmp (line, "y") == 0 || g_ascii_strcasecmp (line, "yes") == 0)
        {
          self->field = self->fields;
          if (self->field == NULL)
            finish (self, "accept");
          else
            prompt (self);
        }
      else
        finish (self, g_ascii_strcasecmp (line, "c") == 0 ? "cancel" : "decline");
      return;
    }

  if (*line != '\0' &&
      !set_field (self, self->field->data, property_of (self, self->field->data), line))
    {
      g_printerr (_("“%s” does not fit; try again.\n"), line);
      prompt (self);
      return;
    }

  self->field = self->field->next;
  if (self->field == NULL)
    finish (self, "accept");
  else
    prompt (self);
}

/* Asks for the current field (or accept/decline), then waits for its line. */
static void
prompt (ConfabCliElicit *self)
{
  if (self->field == NULL)
    g_printerr (_("Answer? [y/N/c] "));
  else
    {
      const char *name = self->field->data;
      JsonObject *property = property_of (self, name);
      const char *title = json_object_get_string_member_with_default (property, "title", name);
      const char *description = json_object_get_string_member_with_default (property, "description", NULL);
      JsonNode *value = json_object_get_member (self->content, name);
      g_autofree char *shown = value ? json_to_string (value, FALSE) : NULL;

      g_printerr ("  %s", title);
      if (description != NULL)
        g_printerr (" (%s)", description);
      if (shown != NULL)
        g_printerr (" [%s]", shown);
      g_printerr (": ");
    }

  if (*self->lines == NULL)
    {
      g_autoptr(GInputStream) input = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      *self->lines = g_data_input_stream_new (input);
    }

  g_data_input_stream_read_line_async (*self->lines, G_PRIORITY_DEFAULT, self->cancellable,
                                       on_line, self);
}

static void
ask (ConfabCliElicit *self)
{
  JsonObject *schema;
  g_autoptr(JsonNode) defaults = NULL;

  if (self->current != NULL || *self->busy || g_queue_is_empty (&self->queue))
    return;

  *self->busy = TRUE;
  self->current = g_queue_pop_head (&self->queue);
  defaults = confab_mcp_elicitation_dup_defaults (self->current);
  self->content = json_object_ref (json_node_get_object (defaults));

  schema = confab_mcp_elicitation_get_requested_schema (self->current);
  if (schema != NULL && json_object_has_member (schema, "properties") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (schema, "properties")))
    {
      JsonObject *properties = json_object_get_object_member (schema, "properties");
      g_autoptr(GList) names = json_object_get_members (properties);

      for (const GList *l = names; l != NULL; l = l->next)
        if (JSON_NODE_HOLDS_OBJECT (json_object_get_member (properties, l->data)))
          self->fields = g_list_append (self->fields, g_strdup (l->data));
    }

  g_printerr (_("\nMCP server “%s” asks: %s\n"),
              confab_mcp_elicitation_get_server_name (self->current),
              confab_mcp_elicitation_get_message (self->current));
  prompt (self);
}

static gboolean
on_elicit (ConfabMcpServer      *server,
           ConfabMcpElicitation *elicitation,
           ConfabCliElicit      *self)
{
  if (!self->interactive)
    {
      g_printerr (_("Declined what MCP server “%s” asks (“%s”): no terminal to ask on\n"),
                  confab_mcp_elicitation_get_server_name (elicitation),
                  confab_mcp_elicitation_get_message (elicitation));
      return FALSE;
    }

  g_queue_push_tail (&self->queue, g_object_ref (elicitation));
  ask (self);
  return TRUE;
}

ConfabCliElicit *
confab_cli_elicit_new (GListModel        *servers,
                       gboolean           interactive,
                       GDataInputStream **lines,
                       gboolean          *busy,
                       GSourceFunc        free_cb,
                       gpointer           free_data)
{
  ConfabCliElicit *self = g_new0 (ConfabCliElicit, 1);

  self->interactive = interactive;
  self->lines = lines;
  self->busy = busy;
  self->free_cb = free_cb;
  self->free_data = free_data;
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->queue);

  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      g_signal_connect (server, "elicit", G_CALLBACK (on_elicit), self);
    }

  return self;
}

void
confab_cli_elicit_resume (ConfabCliElicit *self)
{
  ask (self);
}

void
confab_cli_elicit_free (ConfabCliElicit *self,
                        GListModel      *servers)
{
  for (guint i = 0; servers != NULL && i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      g_signal_handlers_disconnect_by_data (server, self);
    }

  /* What was never answered is declined as it goes. */
  g_cancellable_cancel (self->cancellable);
  g_queue_clear_full (&self->queue, g_object_unref);
  if (self->current != NULL)
    *self->busy = FALSE;
  g_clear_object (&self->current);
  g_clear_pointer (&self->content, json_object_unref);
  g_list_free_full (self->fields, g_free);
  g_clear_object (&self->cancellable);
  g_free (self);
}
