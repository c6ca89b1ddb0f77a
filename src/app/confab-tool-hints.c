/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool-hints"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-escape.h"
#include "confab-tool-hints.h"

struct _ConfabToolHints
{
  GtkWidget       parent_instance;

  ConfabToolCall *call;
  GSignalGroup   *call_signals;

  GtkWidget      *box;
  GtkLabel       *read_only;
  GtkLabel       *destructive;
  GtkLabel       *open_world;
  GtkLabel       *source;
};

G_DEFINE_FINAL_TYPE (ConfabToolHints, confab_tool_hints, GTK_TYPE_WIDGET)

/* -1 when the server did not say, else its boolean. */
static int
get_hint (JsonObject *annotations,
          const char *name)
{
  JsonNode *node = annotations ? json_object_get_member (annotations, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return -1;
  return json_node_get_boolean (node) ? 1 : 0;
}

static void
show_line (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
}

static void
update (ConfabToolHints *self)
{
  JsonObject *annotations = self->call ? confab_tool_call_get_annotations (self->call) : NULL;
  int read_only = get_hint (annotations, "readOnlyHint");
  int destructive = get_hint (annotations, "destructiveHint");
  int open_world = get_hint (annotations, "openWorldHint");
  g_autofree char *server = NULL;
  g_autofree char *source = NULL;

  if (self->call == NULL ||
      confab_tool_call_get_status (self->call) != CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL ||
      (read_only < 0 && destructive < 0 && open_world < 0))
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }

  show_line (self->read_only, read_only == 1 ? _("The server says this tool only reads.") : NULL);
  /* destructiveHint means something only for a tool that writes. */
  show_line (self->destructive,
             read_only == 1 || destructive < 0 ? NULL :
             destructive == 1 ? _("The server says this tool may delete or overwrite things.")
                              : _("The server says this tool only adds, never deletes or overwrites."));
  show_line (self->open_world,
             open_world < 0 ? NULL :
             open_world == 1 ? _("The server says this tool reaches the internet or other outside services.")
                             : _("The server says this tool stays within its own data."));

  server = confab_escape_text (confab_tool_call_get_server (self->call) ? confab_tool_call_get_server (self->call) : "?",
                               -1, CONFAB_ESCAPE_DEFAULT);
  /* Translators: %s is an MCP server's name; the lines above are what it says about a tool */
  source = g_strdup_printf (_("Hints from the server “%s”: Confab cannot check them. Approve only what you trust."), server);
  gtk_label_set_text (self->source, source);

  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
}

static void
confab_tool_hints_dispose (GObject *object)
{
  ConfabToolHints *self = CONFAB_TOOL_HINTS (object);

  g_clear_object (&self->call_signals);
  g_clear_object (&self->call);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (confab_tool_hints_parent_class)->dispose (object);
}

static void
confab_tool_hints_class_init (ConfabToolHintsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_tool_hints_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static GtkLabel *
add_label (ConfabToolHints *self,
           const char      *name,
           const char      *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_name (label, name);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (self->box), label);

  return GTK_LABEL (label);
}

static void
confab_tool_hints_init (ConfabToolHints *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->read_only = add_label (self, "hint_read_only", NULL);
  self->destructive = add_label (self, "hint_destructive", NULL);
  self->open_world = add_label (self, "hint_open_world", NULL);
  self->source = add_label (self, "hints_source", "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->source), "caption");

  self->call_signals = g_signal_group_new (CONFAB_TYPE_TOOL_CALL);
  g_signal_group_connect_swapped (self->call_signals, "notify::status", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->call_signals, "notify::server", G_CALLBACK (update), self);

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
confab_tool_hints_new (void)
{
  return g_object_new (CONFAB_TYPE_TOOL_HINTS, NULL);
}

void
confab_tool_hints_set_call (ConfabToolHints *self,
                            ConfabToolCall  *call)
{
  g_return_if_fail (CONFAB_IS_TOOL_HINTS (self));
  g_return_if_fail (!call || CONFAB_IS_TOOL_CALL (call));

  if (!g_set_object (&self->call, call))
    return;

  g_signal_group_set_target (self->call_signals, call);
  update (self);
}
