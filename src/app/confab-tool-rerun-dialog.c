/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool-rerun-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "confab-approval-policy.h"
#include "confab-json-private.h"
#include "confab-json-schema.h"
#include "confab-tool.h"
#include "confab-tool-call.h"
#include "confab-tool-call-card.h"
#include "confab-tool-registry.h"
#include "confab-tool-rerun-dialog.h"

struct _ConfabToolRerunDialog
{
  AdwWindow             parent_instance;

  ConfabToolCall       *call;
  ConfabToolCall       *new_call;
  ConfabToolRegistry   *tools;
  ConfabApprovalPolicy *approvals;
  GCancellable         *cancellable;
  char                 *problem;
  guint                 running : 1;

  GtkWidget            *run_button;
  GtkSourceView        *editor;
  GtkLabel             *problem_label;
  GtkWidget            *new_card;
  GtkWidget            *new_placeholder;
  GtkWidget            *previous_column;
};

G_DEFINE_FINAL_TYPE (ConfabToolRerunDialog, confab_tool_rerun_dialog, ADW_TYPE_WINDOW)

static char *
editor_text (ConfabToolRerunDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->editor));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

enum {
  USE_RESULT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_run_button (ConfabToolRerunDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "rerun.run",
                                 self->problem == NULL && !self->running && self->tools != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "rerun.use",
                                 !self->running && self->new_call != NULL &&
                                 confab_tool_call_get_status (self->new_call) == CONFAB_TOOL_CALL_STATUS_DONE);
}

/* "Use This Result and Continue": the conversation branches (whoever made the dialog
 * listens to ::use-result); the dialog's work is done. */
static void
use_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  ConfabToolRerunDialog *self = CONFAB_TOOL_RERUN_DIALOG (widget);

  if (self->new_call == NULL || self->running)
    return;

  g_signal_emit (self, signals[USE_RESULT], 0, self->call, self->new_call);
  gtk_window_close (GTK_WINDOW (self));
}

/* Checks the editor's text: JSON, then the tool's input schema. */
static void
validate (ConfabToolRerunDialog *self)
{
  g_autofree char *text = editor_text (self);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  ConfabTool *tool = NULL;

  g_clear_pointer (&self->problem, g_free);

  if (self->tools != NULL)
    tool = confab_tool_registry_lookup (self->tools, confab_tool_call_get_name (self->call));

  /* Refuses "{…}{…}" too, which json-glib would read as its first half. */
  if ((node = _confab_json_from_untrusted (text, &error)) == NULL)
    self->problem = g_strdup_printf (_("The arguments are not valid JSON: %s"), error->message);
  else if (self->tools == NULL || tool == NULL)
    self->problem = g_strdup_printf (_("There is no tool named “%s” now, so it cannot run again"),
                                     confab_tool_call_get_name (self->call));
  else if (!confab_json_schema_validate (confab_tool_get_input_schema (tool), node, &error))
    self->problem = g_strdup_printf (_("The arguments do not fit the tool: %s"), error->message);

  gtk_label_set_text (self->problem_label, self->problem ? self->problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), self->problem != NULL);
  update_run_button (self);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ConfabToolRerunDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  confab_tool_registry_call_finish (CONFAB_TOOL_REGISTRY (object), result, &error);
  self->running = FALSE;
  update_run_button (self);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  ConfabToolRerunDialog *self = CONFAB_TOOL_RERUN_DIALOG (widget);
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;

  validate (self);
  if (self->problem != NULL || self->running)
    return;

  text = editor_text (self);
  id = g_strdup_printf ("%s-rerun", confab_tool_call_get_id (self->call) ?: "call");

  /* A call of its own, in no message: the conversation stays as it was. */
  g_clear_object (&self->new_call);
  self->new_call = confab_tool_call_new (confab_tool_call_get_index (self->call));
  confab_tool_call_set_id (self->new_call, id);
  confab_tool_call_set_name (self->new_call, confab_tool_call_get_name (self->call));
  confab_tool_call_set_arguments (self->new_call, text);

  confab_tool_call_card_set_call (CONFAB_TOOL_CALL_CARD (self->new_card), self->new_call);
  gtk_widget_set_visible (self->new_card, TRUE);
  gtk_widget_set_visible (self->new_placeholder, FALSE);

  self->running = TRUE;
  update_run_button (self);
  confab_tool_registry_call_async (self->tools, self->new_call, self->approvals, self->cancellable,
                                   call_cb, g_object_ref (self));
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

static void
confab_tool_rerun_dialog_dispose (GObject *object)
{
  ConfabToolRerunDialog *self = CONFAB_TOOL_RERUN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->call);
  g_clear_object (&self->new_call);
  g_clear_object (&self->tools);
  g_clear_object (&self->approvals);
  g_clear_pointer (&self->problem, g_free);

  G_OBJECT_CLASS (confab_tool_rerun_dialog_parent_class)->dispose (object);
}

static void
confab_tool_rerun_dialog_class_init (ConfabToolRerunDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_tool_rerun_dialog_dispose;

  signals[USE_RESULT] = g_signal_new ("use-result", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 2,
                                      CONFAB_TYPE_TOOL_CALL, CONFAB_TYPE_TOOL_CALL);

  gtk_widget_class_install_action (widget_class, "rerun.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "rerun.use", NULL, use_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "rerun.run", NULL);
}

static void
confab_tool_rerun_dialog_init (ConfabToolRerunDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *editor_scroller = gtk_scrolled_window_new ();
  GtkWidget *columns = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *note = gtk_label_new (_("Running again does not change the conversation; using the new result continues it as a new branch."));
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkSourceBuffer *buffer;

  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), 820, 600);

  self->run_button = gtk_button_new_with_mnemonic (_("_Run"));
  gtk_widget_add_css_class (self->run_button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_button), "rerun.run");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->run_button);
  {
    GtkWidget *use = gtk_button_new_with_mnemonic (_("_Use This Result and Continue"));

    gtk_actionable_set_action_name (GTK_ACTIONABLE (use), "rerun.use");
    adw_header_bar_pack_end (ADW_HEADER_BAR (header), use);
  }
  gtk_box_append (GTK_BOX (content), header);

  gtk_widget_set_margin_top (body, 12);
  gtk_widget_set_margin_bottom (body, 12);
  gtk_widget_set_margin_start (body, 12);
  gtk_widget_set_margin_end (body, 12);

  gtk_box_append (GTK_BOX (body), heading (_("Arguments")));
  self->editor = GTK_SOURCE_VIEW (gtk_source_view_new ());
  buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->editor)));
  gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (languages, "json"));
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (self->editor), TRUE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (self->editor), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (self->editor), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->editor), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Arguments (JSON)"), -1);
  g_signal_connect_swapped (buffer, "changed", G_CALLBACK (validate), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (editor_scroller), GTK_WIDGET (self->editor));
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (editor_scroller), 140);
  gtk_widget_add_css_class (editor_scroller, "card");
  gtk_box_append (GTK_BOX (body), editor_scroller);

  self->problem_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->problem_label, 0);
  gtk_label_set_wrap (self->problem_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->problem_label), "error");
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->problem_label));
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->editor), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  self->problem_label, NULL, -1);

  gtk_label_set_xalign (GTK_LABEL (note), 0);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_box_append (GTK_BOX (body), note);

  gtk_box_set_homogeneous (GTK_BOX (columns), TRUE);
  gtk_box_append (GTK_BOX (body), columns);

  {
    GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

    gtk_box_append (GTK_BOX (column), heading (_("Previous Run")));
    gtk_box_append (GTK_BOX (columns), column);
    self->previous_column = column;
  }
  {
    GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

    gtk_box_append (GTK_BOX (column), heading (_("New Run")));
    self->new_placeholder = gtk_label_new (_("Edit the arguments if you like, then press Run."));
    gtk_label_set_wrap (GTK_LABEL (self->new_placeholder), TRUE);
    gtk_label_set_xalign (GTK_LABEL (self->new_placeholder), 0);
    gtk_widget_add_css_class (self->new_placeholder, "dim-label");
    gtk_box_append (GTK_BOX (column), self->new_placeholder);
    self->new_card = confab_tool_call_card_new (NULL);
    confab_tool_call_card_set_can_run_again (CONFAB_TOOL_CALL_CARD (self->new_card), FALSE);
    gtk_widget_set_visible (self->new_card, FALSE);
    gtk_box_append (GTK_BOX (column), self->new_card);
    gtk_box_append (GTK_BOX (columns), column);
  }

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), body);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (content), scroller);

  adw_window_set_content (ADW_WINDOW (self), content);
}

GtkWidget *
confab_tool_rerun_dialog_new (GtkWindow            *parent,
                              ConfabToolCall       *call,
                              ConfabToolRegistry   *tools,
                              ConfabApprovalPolicy *approvals)
{
  ConfabToolRerunDialog *self;
  g_autofree char *title = NULL;
  g_autofree char *pretty = NULL;
  GtkWidget *previous;

  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (call), NULL);
  g_return_val_if_fail (!tools || CONFAB_IS_TOOL_REGISTRY (tools), NULL);
  g_return_val_if_fail (!approvals || CONFAB_IS_APPROVAL_POLICY (approvals), NULL);

  self = g_object_new (CONFAB_TYPE_TOOL_RERUN_DIALOG, "transient-for", parent, NULL);
  self->call = g_object_ref (call);
  g_set_object (&self->tools, tools);
  g_set_object (&self->approvals, approvals);

  /* Translators: the title of the dialog that runs a tool call again; %s is the tool. */
  title = g_strdup_printf (_("Run %s Again"), confab_tool_call_get_name (call));
  gtk_window_set_title (GTK_WINDOW (self), title);

  /* The previous run as it was: a card that cannot be run again from here. */
  previous = confab_tool_call_card_new (call);
  confab_tool_call_card_set_can_run_again (CONFAB_TOOL_CALL_CARD (previous), FALSE);
  gtk_box_append (GTK_BOX (self->previous_column), previous);

  pretty = confab_tool_call_dup_pretty_arguments (call);
  confab_tool_rerun_dialog_set_arguments (self, pretty);

  return GTK_WIDGET (self);
}

void
confab_tool_rerun_dialog_set_arguments (ConfabToolRerunDialog *self,
                                        const char            *arguments)
{
  g_return_if_fail (CONFAB_IS_TOOL_RERUN_DIALOG (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->editor)), arguments ?: "", -1);
  validate (self);
}

const char *
confab_tool_rerun_dialog_get_problem (ConfabToolRerunDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_RERUN_DIALOG (self), NULL);
  return self->problem;
}

ConfabToolCall *
confab_tool_rerun_dialog_get_new_call (ConfabToolRerunDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_RERUN_DIALOG (self), NULL);
  return self->new_call;
}

gboolean
confab_tool_rerun_dialog_get_running (ConfabToolRerunDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_RERUN_DIALOG (self), FALSE);
  return self->running;
}
