/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-elicitation-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "confab-elicitation-dialog.h"
#include "confab-escape.h"
#include "confab-mcp-server.h"

/* An MCP server asks the user for something (elicitation/create, form mode). The form is
 * built from the requested schema, a flat object of primitive properties:
 *
 *   string (minLength, maxLength)        → GtkEntry
 *   string with "enum" (or "oneOf")      → GtkDropDown (titles from enumNames / oneOf)
 *   number, integer (minimum, maximum)   → GtkEntry, parsed and checked on Accept
 *   boolean                              → GtkCheckButton
 *   array of enum strings (multi-choice) → one GtkCheckButton per choice
 *
 * Every field widget is named "field-NAME". What the server sends is shown as text, never
 * markup, with controls shown as codes. */

typedef enum {
  FIELD_STRING,
  FIELD_ENUM,
  FIELD_NUMBER,
  FIELD_INTEGER,
  FIELD_BOOLEAN,
  FIELD_MULTI,
} FieldKind;

typedef struct
{
  char       *name;
  char       *title;
  FieldKind   kind;
  gboolean    required;
  JsonObject *property;
  GtkWidget  *widget;
  GPtrArray  *values;   /* enum values (char *), FIELD_ENUM and FIELD_MULTI */
  GPtrArray  *checks;   /* GtkCheckButton per value, FIELD_MULTI */
} Field;

struct _ConfabElicitationDialog
{
  AdwWindow             parent_instance;

  ConfabMcpElicitation *elicitation;
  GPtrArray            *fields;

  GtkLabel             *server_label;
  GtkLabel             *message_label;
  GtkGrid              *fields_grid;
  GtkLabel             *error_label;
  GtkWidget            *accept_button;
  GtkWidget            *decline_button;
  GtkWidget            *cancel_button;
};

G_DEFINE_FINAL_TYPE (ConfabElicitationDialog, confab_elicitation_dialog, ADW_TYPE_WINDOW)

static void
field_free (Field *field)
{
  g_free (field->name);
  g_free (field->title);
  g_clear_pointer (&field->property, json_object_unref);
  g_clear_pointer (&field->values, g_ptr_array_unref);
  g_clear_pointer (&field->checks, g_ptr_array_unref);
  g_free (field);
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
get_number (JsonObject *object,
            const char *name,
            double     *value)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *value = (double)json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

static char *
escaped (const char *text)
{
  return confab_escape_text (text ? text : "", -1, CONFAB_ESCAPE_KEEP_NEWLINES);
}

/* The choices of an enum: "enum" with optional "enumNames", or "oneOf" of {const, title}.
 * @values gets the values, @titles what to show. FALSE when there are none. */
static gboolean
collect_choices (JsonObject *schema,
                 GPtrArray  *values,
                 GPtrArray  *titles)
{
  JsonArray *choices = get_array (schema, "enum");
  JsonArray *names = get_array (schema, "enumNames");

  if (choices != NULL)
    {
      for (guint i = 0; i < json_array_get_length (choices); i++)
        {
          JsonNode *node = json_array_get_element (choices, i);
          JsonNode *name = names && i < json_array_get_length (names) ? json_array_get_element (names, i) : NULL;

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
            continue;
          g_ptr_array_add (values, g_strdup (json_node_get_string (node)));
          if (name != NULL && JSON_NODE_HOLDS_VALUE (name) && json_node_get_value_type (name) == G_TYPE_STRING)
            g_ptr_array_add (titles, escaped (json_node_get_string (name)));
          else
            g_ptr_array_add (titles, escaped (json_node_get_string (node)));
        }
    }
  else
    {
      JsonArray *one_of = get_array (schema, "oneOf");

      if (one_of == NULL)
        one_of = get_array (schema, "anyOf");
      for (guint i = 0; one_of != NULL && i < json_array_get_length (one_of); i++)
        {
          JsonNode *node = json_array_get_element (one_of, i);
          JsonObject *choice = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          const char *value = get_string (choice, "const");

          if (value == NULL)
            continue;
          g_ptr_array_add (values, g_strdup (value));
          g_ptr_array_add (titles, escaped (get_string (choice, "title") ? get_string (choice, "title") : value));
        }
    }

  return values->len > 0;
}

static GtkWidget *
build_field_widget (Field *field)
{
  JsonNode *def = json_object_get_member (field->property, "default");
  const char *type = get_string (field->property, "type");
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);

  field->values = g_ptr_array_new_with_free_func (g_free);

  if (g_strcmp0 (type, "array") == 0 && collect_choices (get_object (field->property, "items"), field->values, titles))
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      JsonArray *defaults = def && JSON_NODE_HOLDS_ARRAY (def) ? json_node_get_array (def) : NULL;

      field->kind = FIELD_MULTI;
      field->checks = g_ptr_array_new ();
      for (guint i = 0; i < field->values->len; i++)
        {
          GtkWidget *check = gtk_check_button_new_with_label (titles->pdata[i]);
          g_autofree char *check_name = g_strdup_printf ("field-%s-%u", field->name, i);

          gtk_widget_set_name (check, check_name);
          for (guint j = 0; defaults != NULL && j < json_array_get_length (defaults); j++)
            if (g_strcmp0 (json_array_get_string_element (defaults, j), field->values->pdata[i]) == 0)
              gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
          g_ptr_array_add (field->checks, check);
          gtk_box_append (GTK_BOX (box), check);
        }
      return box;
    }

  if (g_strcmp0 (type, "string") == 0 && collect_choices (field->property, field->values, titles))
    {
      GtkWidget *dropdown;
      const char *default_value = get_string (field->property, "default");

      g_ptr_array_add (titles, NULL);
      field->kind = FIELD_ENUM;
      dropdown = gtk_drop_down_new_from_strings ((const char * const *)titles->pdata);
      for (guint i = 0; i < field->values->len; i++)
        if (g_strcmp0 (field->values->pdata[i], default_value) == 0)
          gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), i);
      return dropdown;
    }

  if (g_strcmp0 (type, "boolean") == 0)
    {
      GtkWidget *check = gtk_check_button_new ();

      field->kind = FIELD_BOOLEAN;
      if (def != NULL && JSON_NODE_HOLDS_VALUE (def) && json_node_get_value_type (def) == G_TYPE_BOOLEAN)
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check), json_node_get_boolean (def));
      return check;
    }

  if (g_strcmp0 (type, "number") == 0 || g_strcmp0 (type, "integer") == 0)
    {
      GtkWidget *entry = gtk_entry_new ();
      double value;

      field->kind = g_strcmp0 (type, "integer") == 0 ? FIELD_INTEGER : FIELD_NUMBER;
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), field->kind == FIELD_INTEGER ? GTK_INPUT_PURPOSE_DIGITS
                                                                                    : GTK_INPUT_PURPOSE_NUMBER);
      if (get_number (field->property, "default", &value))
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];

          if (field->kind == FIELD_INTEGER)
            g_snprintf (buffer, sizeof buffer, "%.0f", value);
          else
            g_ascii_dtostr (buffer, sizeof buffer, value);
          gtk_editable_set_text (GTK_EDITABLE (entry), buffer);
        }
      return entry;
    }

  /* A string, or a type Confab does not know, asked for as text. */
  {
    GtkWidget *entry = gtk_entry_new ();
    const char *format = get_string (field->property, "format");

    field->kind = FIELD_STRING;
    if (g_strcmp0 (format, "email") == 0)
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_EMAIL);
    else if (g_strcmp0 (format, "uri") == 0)
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_URL);
    if (get_string (field->property, "default") != NULL)
      gtk_editable_set_text (GTK_EDITABLE (entry), get_string (field->property, "default"));
    return entry;
  }
}

static void
build_form (ConfabElicitationDialog *self)
{
  JsonObject *schema = confab_mcp_elicitation_get_requested_schema (self->elicitation);
  JsonObject *properties = get_object (schema, "properties");
  JsonArray *required = get_array (schema, "required");
  g_autoptr(GList) names = properties ? json_object_get_members (properties) : NULL;
  int row = 0;

  for (const GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *property = get_object (properties, l->data);
      const char *description;
      g_autofree char *widget_name = NULL;
      g_autofree char *label_text = NULL;
      GtkWidget *label;
      Field *field;

      if (property == NULL)
        continue;

      field = g_new0 (Field, 1);
      field->name = g_strdup (l->data);
      field->property = json_object_ref (property);
      field->title = escaped (get_string (property, "title") ? get_string (property, "title") : l->data);
      for (guint i = 0; required != NULL && i < json_array_get_length (required); i++)
        {
          JsonNode *node = json_array_get_element (required, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
              g_str_equal (json_node_get_string (node), l->data))
            field->required = TRUE;
        }

      field->widget = build_field_widget (field);
      widget_name = g_strdup_printf ("field-%s", field->name);
      gtk_widget_set_name (field->widget, widget_name);
      gtk_widget_set_hexpand (field->widget, TRUE);

      /* Translators: a required field of a form a tool server asks the user to fill in */
      label_text = field->required ? g_strdup_printf (_("%s (required)"), field->title) : g_strdup (field->title);
      label = gtk_label_new (label_text);
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_mnemonic_widget (GTK_LABEL (label), field->widget);
      gtk_grid_attach (self->fields_grid, label, 0, row, 1, 1);
      gtk_grid_attach (self->fields_grid, field->widget, 1, row, 1, 1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (field->widget),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label_text,
                                      GTK_ACCESSIBLE_PROPERTY_REQUIRED, field->required,
                                      -1);
      row++;

      description = get_string (property, "description");
      if (description != NULL && *description != '\0')
        {
          g_autofree char *text = escaped (description);
          GtkWidget *hint = gtk_label_new (text);

          gtk_label_set_xalign (GTK_LABEL (hint), 0);
          gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
          gtk_widget_add_css_class (hint, "dim-label");
          gtk_widget_add_css_class (hint, "caption");
          gtk_grid_attach (self->fields_grid, hint, 1, row++, 1, 1);
        }

      g_ptr_array_add (self->fields, field);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->fields_grid), row > 0);
}

static void
show_error (ConfabElicitationDialog *self,
            Field                   *field,
            const char              *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  if (field != NULL)
    gtk_widget_grab_focus (field->widget);
}

/* The value of @field as JSON, NULL when left empty; FALSE (and a message the user can
 * read in @error_message) when it breaks the schema. */
static gboolean
read_field (Field     *field,
            JsonNode **value,
            char     **error_message)
{
  *value = NULL;

  switch (field->kind)
    {
    case FIELD_BOOLEAN:
      *value = json_node_init_boolean (json_node_alloc (),
                                       gtk_check_button_get_active (GTK_CHECK_BUTTON (field->widget)));
      return TRUE;

    case FIELD_ENUM:
      {
        guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (field->widget));

        if (selected < field->values->len)
          *value = json_node_init_string (json_node_alloc (), field->values->pdata[selected]);
        return TRUE;
      }

    case FIELD_MULTI:
      {
        g_autoptr(JsonArray) array = json_array_new ();
        double min_items, max_items;

        for (guint i = 0; i < field->checks->len; i++)
          if (gtk_check_button_get_active (field->checks->pdata[i]))
            json_array_add_string_element (array, field->values->pdata[i]);
        if (get_number (field->property, "minItems", &min_items) && json_array_get_length (array) < min_items)
          {
            *error_message = g_strdup_printf (_("Choose at least %.0f for “%s”."), min_items, field->title);
            return FALSE;
          }
        if (get_number (field->property, "maxItems", &max_items) && json_array_get_length (array) > max_items)
          {
            *error_message = g_strdup_printf (_("Choose at most %.0f for “%s”."), max_items, field->title);
            return FALSE;
          }
        if (json_array_get_length (array) > 0 || field->required)
          *value = json_node_init_array (json_node_alloc (), array);
        return TRUE;
      }

    case FIELD_NUMBER:
    case FIELD_INTEGER:
      {
        g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (field->widget))));
        double number, limit;
        char *end = NULL;

        if (*text == '\0')
          return TRUE;

        number = g_ascii_strtod (text, &end);
        if (end == text || *end != '\0' || !isfinite (number))
          {
            *error_message = g_strdup_printf (_("“%s” must be a number."), field->title);
            return FALSE;
          }
        if (field->kind == FIELD_INTEGER && (number != floor (number) || fabs (number) > 9007199254740992.0))
          {
            *error_message = g_strdup_printf (_("“%s” must be a whole number."), field->title);
            return FALSE;
          }
        if (get_number (field->property, "minimum", &limit) && number < limit)
          {
            *error_message = g_strdup_printf (_("“%s” must be at least %g."), field->title, limit);
            return FALSE;
          }
        if (get_number (field->property, "maximum", &limit) && number > limit)
          {
            *error_message = g_strdup_printf (_("“%s” must be at most %g."), field->title, limit);
            return FALSE;
          }
        if (field->kind == FIELD_INTEGER)
          *value = json_node_init_int (json_node_alloc (), (gint64)number);
        else
          *value = json_node_init_double (json_node_alloc (), number);
        return TRUE;
      }

    case FIELD_STRING:
    default:
      {
        const char *text = gtk_editable_get_text (GTK_EDITABLE (field->widget));
        glong length = g_utf8_strlen (text, -1);
        double limit;

        if (*text == '\0')
          return TRUE;
        if (get_number (field->property, "minLength", &limit) && length < limit)
          {
            *error_message = g_strdup_printf (_("“%s” must be at least %.0f characters long."), field->title, limit);
            return FALSE;
          }
        if (get_number (field->property, "maxLength", &limit) && length > limit)
          {
            *error_message = g_strdup_printf (_("“%s” must be at most %.0f characters long."), field->title, limit);
            return FALSE;
          }
        *value = json_node_init_string (json_node_alloc (), text);
        return TRUE;
      }
    }
}

static void
accept_clicked (ConfabElicitationDialog *self)
{
  g_autoptr(JsonObject) content = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = self->fields->pdata[i];
      g_autofree char *message = NULL;
      JsonNode *value = NULL;

      if (!read_field (field, &value, &message))
        {
          show_error (self, field, message);
          return;
        }
      if (value == NULL && field->required)
        {
          message = g_strdup_printf (_("“%s” is required."), field->title);
          show_error (self, field, message);
          return;
        }
      if (value != NULL)
        json_object_set_member (content, field->name, value);
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, content);
  confab_mcp_elicitation_accept (self->elicitation, node);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
decline_clicked (ConfabElicitationDialog *self)
{
  confab_mcp_elicitation_decline (self->elicitation);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cancel_clicked (ConfabElicitationDialog *self)
{
  confab_mcp_elicitation_cancel (self->elicitation);
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
confab_elicitation_dialog_close_request (GtkWindow *window)
{
  ConfabElicitationDialog *self = CONFAB_ELICITATION_DIALOG (window);

  /* Closing without choosing is a cancel, not a no. */
  if (self->elicitation != NULL)
    confab_mcp_elicitation_cancel (self->elicitation);

  return GTK_WINDOW_CLASS (confab_elicitation_dialog_parent_class)->close_request (window);
}

static void
confab_elicitation_dialog_dispose (GObject *object)
{
  ConfabElicitationDialog *self = CONFAB_ELICITATION_DIALOG (object);

  if (self->elicitation != NULL)
    confab_mcp_elicitation_cancel (self->elicitation);
  g_clear_object (&self->elicitation);
  g_clear_pointer (&self->fields, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_elicitation_dialog_parent_class)->dispose (object);
}

static void
confab_elicitation_dialog_class_init (ConfabElicitationDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = confab_elicitation_dialog_dispose;
  window_class->close_request = confab_elicitation_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/confab/Confab/confab-elicitation-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabElicitationDialog, server_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabElicitationDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabElicitationDialog, fields_grid);
  gtk_widget_class_bind_template_child (widget_class, ConfabElicitationDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabElicitationDialog, accept_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabElicitationDialog, decline_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabElicitationDialog, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, accept_clicked);
  gtk_widget_class_bind_template_callback (widget_class, decline_clicked);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
confab_elicitation_dialog_init (ConfabElicitationDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify)field_free);
}

GtkWidget *
confab_elicitation_dialog_new (ConfabMcpElicitation *elicitation)
{
  ConfabElicitationDialog *self;
  g_autofree char *server = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *message = NULL;

  g_return_val_if_fail (CONFAB_IS_MCP_ELICITATION (elicitation), NULL);

  self = g_object_new (CONFAB_TYPE_ELICITATION_DIALOG, NULL);
  self->elicitation = g_object_ref (elicitation);

  server = escaped (confab_mcp_elicitation_get_server_name (elicitation));
  /* Translators: %s is the name of an MCP tool server from the user's configuration */
  heading = g_strdup_printf (_("The tool server “%s” asks"), server);
  gtk_label_set_text (self->server_label, heading);
  message = escaped (confab_mcp_elicitation_get_message (elicitation));
  gtk_label_set_text (self->message_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), *message != '\0');
  build_form (self);

  return GTK_WIDGET (self);
}

ConfabMcpElicitation *
confab_elicitation_dialog_get_elicitation (ConfabElicitationDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_ELICITATION_DIALOG (self), NULL);
  return self->elicitation;
}

static gboolean
elicit_cb (ConfabMcpServer      *server,
           ConfabMcpElicitation *elicitation,
           GtkWindow            *parent)
{
  GtkWidget *dialog = confab_elicitation_dialog_new (elicitation);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

void
confab_elicitation_dialog_watch_registry (ConfabToolRegistry *registry,
                                          GtkWindow          *parent)
{
  GListModel *servers;

  g_return_if_fail (CONFAB_IS_TOOL_REGISTRY (registry));
  g_return_if_fail (GTK_IS_WINDOW (parent));

  servers = confab_tool_registry_get_servers (registry);
  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      g_signal_connect_object (server, "elicit", G_CALLBACK (elicit_cb), parent, 0);
    }
}
