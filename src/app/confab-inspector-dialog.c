/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-inspector-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <json-glib/json-glib.h>

#include "confab-conversation.h"
#include "confab-inspector-dialog.h"
#include "confab-message.h"
#include "confab-recording-export.h"
#include "confab-request-diff-view.h"
#include "confab-turn-timeline-dialog.h"

struct _ConfabInspectorDialog
{
  AdwWindow      parent_instance;

  ConfabMessage      *message;
  ConfabConversation *conversation;

  AdwViewStack  *view_stack;
  ConfabRequestDiffView *diff_view;
  GtkSourceView *request_view;
  GtkSourceView *response_view;
  GtkSourceView *exchange_view;
  GtkWidget     *copy_button;
};

G_DEFINE_FINAL_TYPE (ConfabInspectorDialog, confab_inspector_dialog, ADW_TYPE_WINDOW)

static char *
dup_view_text (GtkSourceView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
copy_clicked (ConfabInspectorDialog *self)
{
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);
  g_autofree char *text = NULL;

  if (g_strcmp0 (page, "response") == 0)
    text = dup_view_text (self->response_view);
  else if (g_strcmp0 (page, "exchange") == 0)
    text = dup_view_text (self->exchange_view);
  else
    text = dup_view_text (self->request_view);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

static void
update_scheme (GtkSourceBuffer *buffer)
{
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  gtk_source_buffer_set_style_scheme (buffer,
                                      gtk_source_style_scheme_manager_get_scheme (schemes, dark ? "Adwaita-dark" : "Adwaita"));
}

static void
dark_changed (AdwStyleManager *manager,
              GParamSpec      *pspec,
              GtkSourceBuffer *buffer)
{
  update_scheme (buffer);
}

static void
setup_view (GtkSourceView *view,
            const char    *language_id,
            const char    *text)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();

  if (language_id != NULL)
    gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (languages, language_id));
  /* The scheme follows the light or dark style, also while the dialog is open. */
  update_scheme (buffer);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (dark_changed), buffer, 0);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), text, -1);
}

static char *
pretty_json (const char *body)
{
  g_autoptr(JsonNode) node = NULL;

  if (body == NULL || *body == '\0')
    return g_strdup (_("No request was recorded for this message."));

  node = json_from_string (body, NULL);
  if (node == NULL)
    return g_strdup (body);

  return json_to_string (node, TRUE);
}

static char *
raw_text (GBytes *bytes)
{
  gsize len = 0;
  const char *data;

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return g_strdup (_("Nothing was received for this message."));

  data = g_bytes_get_data (bytes, &len);
  /* Shown as received; bytes that are not UTF-8 become U+FFFD. */
  return g_utf8_make_valid (data, len);
}

/* Turn-level tools need the conversation the message is in. */
static void
update_turn_actions (ConfabInspectorDialog *self)
{
  gboolean known = self->conversation != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.compare", known);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.timeline", known);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.save-recording", known);
}

static guint
message_position (ConfabInspectorDialog *self)
{
  GListModel *model = G_LIST_MODEL (self->conversation);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (model, i);

      if (item == self->message)
        return i;
    }
  return G_MAXUINT;
}

static void
compare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ConfabInspectorDialog *self = CONFAB_INSPECTOR_DIALOG (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "changes");
}

static void
timeline_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  ConfabInspectorDialog *self = CONFAB_INSPECTOR_DIALOG (widget);
  guint position = message_position (self);
  GtkWidget *dialog;

  if (position == G_MAXUINT)
    return;

  dialog = confab_turn_timeline_dialog_new (GTK_WINDOW (self), self->conversation, position);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
save_recording_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  ConfabInspectorDialog *self = CONFAB_INSPECTOR_DIALOG (widget);

  confab_recording_export_run (GTK_WINDOW (self), self->conversation, self->message);
}

static void
append_headers (GString    *text,
                const char *heading,
                JsonObject *object,
                const char *member)
{
  JsonArray *headers = json_object_has_member (object, member) ? json_object_get_array_member (object, member) : NULL;

  g_string_append_printf (text, "\n%s\n", heading);
  for (guint i = 0; headers != NULL && i < json_array_get_length (headers); i++)
    {
      JsonArray *pair = json_array_get_array_element (headers, i);

      g_string_append_printf (text, "%s: %s\n",
                              json_array_get_string_element (pair, 0),
                              json_array_get_string_element (pair, 1));
    }
}

static void
append_time (GString    *text,
             const char *label,
             JsonObject *object,
             const char *member)
{
  if (json_object_has_member (object, member))
    /* Translators: "First byte: 120 ms" in the inspector's HTTP page. */
    g_string_append_printf (text, _("%s: %d ms\n"), label,
                            (int) json_object_get_int_member (object, member));
}

/* URL, method, status, headers and timings, as recorded (secrets already redacted). */
static char *
exchange_text (JsonNode *exchange)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GDateTime) sent = NULL;
  g_autofree char *sent_text = NULL;
  JsonObject *object;

  if (exchange == NULL || !JSON_NODE_HOLDS_OBJECT (exchange))
    return g_strdup (_("No HTTP exchange was recorded for this message."));

  object = json_node_get_object (exchange);
  g_string_append_printf (text, "%s %s\n",
                          json_object_get_string_member_with_default (object, "method", ""),
                          json_object_get_string_member_with_default (object, "url", ""));
  if (json_object_has_member (object, "status"))
    g_string_append_printf (text, _("Status: %u %s\n"),
                            (guint) json_object_get_int_member (object, "status"),
                            json_object_get_string_member_with_default (object, "reason", ""));
  else
    g_string_append (text, _("Status: no answer\n"));

  append_headers (text, _("Request headers"), object, "request_headers");
  append_headers (text, _("Response headers"), object, "response_headers");

  g_string_append_printf (text, "\n%s\n", _("Timings"));
  sent = g_date_time_new_from_unix_local (json_object_get_int_member_with_default (object, "sent_at", 0) / G_USEC_PER_SEC);
  sent_text = sent ? g_date_time_format (sent, "%F %T") : NULL;
  if (sent_text != NULL)
    g_string_append_printf (text, _("Sent: %s\n"), sent_text);
  append_time (text, _("First byte"), object, "first_byte_ms");
  append_time (text, _("Done"), object, "done_ms");

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
confab_inspector_dialog_dispose (GObject *object)
{
  ConfabInspectorDialog *self = CONFAB_INSPECTOR_DIALOG (object);

  g_clear_object (&self->message);
  g_clear_object (&self->conversation);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_INSPECTOR_DIALOG);

  G_OBJECT_CLASS (confab_inspector_dialog_parent_class)->dispose (object);
}

static void
confab_inspector_dialog_class_init (ConfabInspectorDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_inspector_dialog_dispose;

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (CONFAB_TYPE_REQUEST_DIFF_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-inspector-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabInspectorDialog, diff_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabInspectorDialog, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabInspectorDialog, request_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabInspectorDialog, response_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabInspectorDialog, exchange_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabInspectorDialog, copy_button);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked);

  gtk_widget_class_install_action (widget_class, "inspector.compare", NULL, compare_action);
  gtk_widget_class_install_action (widget_class, "inspector.timeline", NULL, timeline_action);
  gtk_widget_class_install_action (widget_class, "inspector.save-recording", NULL, save_recording_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
confab_inspector_dialog_init (ConfabInspectorDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_turn_actions (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->copy_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy this page"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->request_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Request JSON"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->response_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Raw response"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->exchange_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("HTTP exchange"), -1);
}

GtkWidget *
confab_inspector_dialog_new (GtkWindow     *parent,
                             ConfabMessage *message)
{
  ConfabInspectorDialog *self;
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *request = NULL;
  g_autofree char *response = NULL;
  g_autofree char *exchange = NULL;

  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), NULL);

  self = g_object_new (CONFAB_TYPE_INSPECTOR_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->message = g_object_ref (message);

  request = pretty_json (confab_message_get_request_body (message));
  raw = confab_message_dup_raw_response (message);
  response = raw_text (raw);

  setup_view (self->request_view, "json", request);
  setup_view (self->response_view, NULL, response);
  exchange = exchange_text (confab_message_get_exchange (message));
  setup_view (self->exchange_view, NULL, exchange);

  return GTK_WIDGET (self);
}

char *
confab_inspector_dialog_dup_request_text (ConfabInspectorDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_INSPECTOR_DIALOG (self), NULL);
  return dup_view_text (self->request_view);
}

char *
confab_inspector_dialog_dup_response_text (ConfabInspectorDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_INSPECTOR_DIALOG (self), NULL);
  return dup_view_text (self->response_view);
}

void
confab_inspector_dialog_set_conversation (ConfabInspectorDialog *self,
                                          ConfabConversation    *conversation)
{
  const char *previous = NULL;
  guint position;

  g_return_if_fail (CONFAB_IS_INSPECTOR_DIALOG (self));
  g_return_if_fail (!conversation || CONFAB_IS_CONVERSATION (conversation));

  g_set_object (&self->conversation, conversation);
  update_turn_actions (self);
  if (conversation == NULL || (position = message_position (self)) == G_MAXUINT)
    return;

  /* The request before this one: the closest earlier assistant message that sent one. */
  for (guint i = position; i > 0 && previous == NULL; i--)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (G_LIST_MODEL (conversation), i - 1);

      if (confab_message_get_role (item) == CONFAB_ROLE_ASSISTANT)
        previous = confab_message_get_request_body (item);
    }

  confab_request_diff_view_set_requests (self->diff_view, previous, confab_message_get_request_body (self->message));
}

GtkWidget *
confab_inspector_dialog_get_diff_view (ConfabInspectorDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_INSPECTOR_DIALOG (self), NULL);
  return GTK_WIDGET (self->diff_view);
}

char *
confab_inspector_dialog_dup_exchange_text (ConfabInspectorDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_INSPECTOR_DIALOG (self), NULL);
  return dup_view_text (self->exchange_view);
}
