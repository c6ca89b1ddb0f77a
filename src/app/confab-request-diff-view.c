/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-request-diff-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-json-diff.h"
#include "confab-request-diff-view.h"

/* Values longer than this are cut in the one-line summary; the expander shows them whole
 * (up to MAX_PRETTY characters, so a huge tool result cannot stall the dialog). */
#define SUMMARY_CHARS 160
#define MAX_PRETTY (64 * 1024)

struct _ConfabRequestDiffView
{
  GtkWidget   parent_instance;

  GtkWidget  *scroller;
  GtkListBox *list;
  GtkLabel   *header;
  GtkLabel   *message_label;
  GPtrArray  *row_texts;   /* char * */
  char       *message;
};

G_DEFINE_FINAL_TYPE (ConfabRequestDiffView, confab_request_diff_view, GTK_TYPE_WIDGET)

static const char *
kind_label (ConfabJsonDiffKind kind)
{
  switch (kind)
    {
    /* Translators: kinds of difference between two requests, shown before a JSON path. */
    case CONFAB_JSON_DIFF_ADDED:   return _("Added");
    case CONFAB_JSON_DIFF_REMOVED: return _("Removed");
    case CONFAB_JSON_DIFF_CHANGED:
    default:                       return _("Changed");
    }
}

static const char *
kind_class (ConfabJsonDiffKind kind)
{
  switch (kind)
    {
    case CONFAB_JSON_DIFF_ADDED:   return "diff-added";
    case CONFAB_JSON_DIFF_REMOVED: return "diff-removed";
    case CONFAB_JSON_DIFF_CHANGED:
    default:                       return "diff-changed";
    }
}

static GtkWidget *
value_label (const char *text,
             gboolean    dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "monospace");
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static char *
pretty (JsonNode *value)
{
  g_autofree char *text = json_to_string (value, TRUE);

  if (strlen (text) > MAX_PRETTY)
    return g_strdup_printf ("%.*s\n…", MAX_PRETTY, text);
  return g_steal_pointer (&text);
}

/* The one-line summary of an added message says who speaks: "assistant, 1 tool call". */
static char *
describe_message (JsonNode *value)
{
  JsonObject *object;
  const char *role;
  JsonNode *calls;

  if (value == NULL || !JSON_NODE_HOLDS_OBJECT (value))
    return NULL;
  object = json_node_get_object (value);
  role = json_object_get_string_member_with_default (object, "role", NULL);
  if (role == NULL)
    return NULL;

  calls = json_object_get_member (object, "tool_calls");
  if (calls != NULL && JSON_NODE_HOLDS_ARRAY (calls))
    {
      guint n = json_array_get_length (json_node_get_array (calls));

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s message with %u tool call",
                                           "%s message with %u tool calls", n), role, n);
    }
  if (g_str_equal (role, "tool"))
    return g_strdup_printf (_("tool result for %s"),
                            json_object_get_string_member_with_default (object, "tool_call_id", "?"));
  return g_strdup_printf (_("%s message"), role);
}

static GtkWidget *
row_new (ConfabJsonDiffEntry *entry,
         char               **accessible_text)
{
  JsonNode *value = entry->new_value ? entry->new_value : entry->old_value;
  g_autofree char *summary = NULL;
  g_autofree char *what = describe_message (value);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *head = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *badge = gtk_label_new (kind_label (entry->kind));
  GtkWidget *path = gtk_label_new (entry->path);

  gtk_widget_add_css_class (row, kind_class (entry->kind));
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);

  gtk_widget_add_css_class (badge, "diff-badge");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (path), 0);
  gtk_label_set_selectable (GTK_LABEL (path), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (path), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (path, "monospace");
  gtk_widget_add_css_class (path, "heading");
  gtk_box_append (GTK_BOX (head), badge);
  gtk_box_append (GTK_BOX (head), path);
  if (what != NULL)
    {
      GtkWidget *label = gtk_label_new (what);

      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (head), label);
    }
  gtk_box_append (GTK_BOX (box), head);

  if (entry->kind == CONFAB_JSON_DIFF_CHANGED)
    {
      g_autofree char *old_text = confab_json_diff_describe (entry->old_value, SUMMARY_CHARS);
      g_autofree char *new_text = confab_json_diff_describe (entry->new_value, SUMMARY_CHARS);
      g_autofree char *was = g_strdup_printf (_("was %s"), old_text);

      gtk_box_append (GTK_BOX (box), value_label (was, TRUE));
      gtk_box_append (GTK_BOX (box), value_label (new_text, FALSE));
      summary = g_strdup_printf (_("%s, was %s"), new_text, old_text);
    }
  else if (JSON_NODE_HOLDS_OBJECT (value) || JSON_NODE_HOLDS_ARRAY (value))
    {
      g_autofree char *text = pretty (value);
      g_autofree char *line = confab_json_diff_describe (value, SUMMARY_CHARS);
      GtkWidget *expander = gtk_expander_new (line);

      gtk_label_set_ellipsize (GTK_LABEL (gtk_expander_get_label_widget (GTK_EXPANDER (expander))), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (gtk_expander_get_label_widget (GTK_EXPANDER (expander)), "monospace");
      gtk_expander_set_child (GTK_EXPANDER (expander), value_label (text, FALSE));
      /* An added message is what one wants to read: open it. */
      gtk_expander_set_expanded (GTK_EXPANDER (expander), entry->kind == CONFAB_JSON_DIFF_ADDED && what != NULL);
      gtk_box_append (GTK_BOX (box), expander);
      summary = g_steal_pointer (&line);
    }
  else
    {
      summary = confab_json_diff_describe (value, SUMMARY_CHARS);
      gtk_box_append (GTK_BOX (box), value_label (summary, FALSE));
    }

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  *accessible_text = g_strdup_printf ("%s %s%s%s: %s", kind_label (entry->kind), entry->path,
                                      what ? ", " : "", what ? what : "", summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, *accessible_text, -1);

  return row;
}

static void
show_message (ConfabRequestDiffView *self,
              const char            *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->message_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->list), message == NULL);
}

void
confab_request_diff_view_set_requests (ConfabRequestDiffView *self,
                                       const char            *previous_body,
                                       const char            *body)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  guint added = 0, removed = 0, changed = 0;

  g_return_if_fail (CONFAB_IS_REQUEST_DIFF_VIEW (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_ptr_array_set_size (self->row_texts, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->header), FALSE);

  if (body == NULL || *body == '\0')
    {
      show_message (self, _("No request was recorded for this message."));
      return;
    }
  if (previous_body == NULL)
    {
      show_message (self, _("This is the first request of the conversation: there is nothing to compare it with."));
      return;
    }

  entries = confab_json_diff_strings (previous_body, body, &error);
  if (entries == NULL)
    {
      show_message (self, error->message);
      return;
    }
  if (entries->len == 0)
    {
      show_message (self, _("This request is the same as the previous one."));
      return;
    }

  show_message (self, NULL);
  for (guint i = 0; i < entries->len; i++)
    {
      ConfabJsonDiffEntry *entry = g_ptr_array_index (entries, i);
      char *text = NULL;

      gtk_list_box_append (self->list, row_new (entry, &text));
      g_ptr_array_add (self->row_texts, text);
      added += entry->kind == CONFAB_JSON_DIFF_ADDED;
      removed += entry->kind == CONFAB_JSON_DIFF_REMOVED;
      changed += entry->kind == CONFAB_JSON_DIFF_CHANGED;
    }

  {
    /* Translators: a summary above the differences between two requests. */
    g_autofree char *summary = g_strdup_printf (_("Compared with the previous request: %u added, %u removed, %u changed"),
                                                added, removed, changed);

    gtk_label_set_text (self->header, summary);
    gtk_widget_set_visible (GTK_WIDGET (self->header), TRUE);
  }
}

GStrv
confab_request_diff_view_dup_row_texts (ConfabRequestDiffView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (CONFAB_IS_REQUEST_DIFF_VIEW (self), NULL);

  for (guint i = 0; i < self->row_texts->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->row_texts, i));
  return g_strv_builder_end (builder);
}

const char *
confab_request_diff_view_get_message (ConfabRequestDiffView *self)
{
  g_return_val_if_fail (CONFAB_IS_REQUEST_DIFF_VIEW (self), NULL);
  return self->message;
}

static void
confab_request_diff_view_dispose (GObject *object)
{
  ConfabRequestDiffView *self = CONFAB_REQUEST_DIFF_VIEW (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_pointer (&self->row_texts, g_ptr_array_unref);
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (confab_request_diff_view_parent_class)->dispose (object);
}

static void
confab_request_diff_view_class_init (ConfabRequestDiffViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_request_diff_view_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "requestdiff");
}

static void
confab_request_diff_view_init (ConfabRequestDiffView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  self->row_texts = g_ptr_array_new_with_free_func (g_free);

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->header = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->header, 0);
  gtk_label_set_wrap (self->header, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->header), "heading");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->header));

  self->message_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->message_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
  gtk_widget_set_vexpand (GTK_WIDGET (self->message_label), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->message_label));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_valign (GTK_WIDGET (self->list), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Differences from the previous request"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list));

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), box);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  show_message (self, _("No request was recorded for this message."));
}

GtkWidget *
confab_request_diff_view_new (void)
{
  return g_object_new (CONFAB_TYPE_REQUEST_DIFF_VIEW, NULL);
}
