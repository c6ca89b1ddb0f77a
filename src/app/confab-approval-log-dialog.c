/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-approval-log-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-approval-decision.h"
#include "confab-approval-log-dialog.h"
#include "confab-store-decisions.h"
#include "confab-store.h"

/* How many decisions the window shows at most. */
#define MAX_ROWS 500

struct _ConfabApprovalLogDialog
{
  AdwWindow        parent_instance;

  ConfabStore     *store;
  char            *conversation_id;

  GtkListBox      *list;
  GtkToggleButton *all_chats;
  AdwStatusPage   *empty;
  GtkStack        *stack;
  GtkWidget       *scroller;
};

G_DEFINE_FINAL_TYPE (ConfabApprovalLogDialog, confab_approval_log_dialog, ADW_TYPE_WINDOW)

static GtkWidget *
create_row (ConfabApprovalDecision *decision)
{
  GtkWidget *row = adw_action_row_new ();
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (confab_approval_decision_get_recorded_at (decision) / G_USEC_PER_SEC);
  g_autofree char *when = time ? g_date_time_format (time, "%x %X") : g_strdup ("");
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *detail = confab_approval_decision_get_detail (decision);

  /* Server names, tool names and servers' messages are text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  /* Translators: "filesystem · write_file: Allowed for this chat" */
  title = g_strdup_printf (_("%s · %s: %s"), confab_approval_decision_get_server (decision),
                           confab_approval_decision_get_tool (decision),
                           confab_approval_decision_describe (decision));
  if (g_str_equal (confab_approval_decision_get_kind (decision), "elicitation") && detail != NULL)
    /* Translators: "12/04/26 21:30:00 · the server asked: Which city?" */
    subtitle = g_strdup_printf (_("%s · the server asked: %s"), when, detail);
  else
    subtitle = g_strdup (when);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_name (row, confab_approval_decision_get_decision (decision));

  return row;
}

static void
reload (ConfabApprovalLogDialog *self)
{
  g_autoptr(GListModel) decisions = NULL;
  g_autoptr(GError) error = NULL;
  const char *chat = gtk_toggle_button_get_active (self->all_chats) ? NULL : self->conversation_id;
  GtkWidget *child;
  guint n;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  decisions = confab_store_list_decisions (self->store, chat, MAX_ROWS, &error);
  if (decisions == NULL)
    {
      adw_status_page_set_description (self->empty, error->message);
      gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->empty));
      return;
    }

  n = g_list_model_get_n_items (decisions);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabApprovalDecision) decision = g_list_model_get_item (decisions, i);
      gtk_list_box_append (self->list, create_row (decision));
    }

  adw_status_page_set_description (self->empty,
                                   chat ? _("No tool was asked about in this chat yet.")
                                        : _("No tool was asked about yet."));
  gtk_stack_set_visible_child (self->stack, n > 0 ? self->scroller : GTK_WIDGET (self->empty));
}

static void
confab_approval_log_dialog_dispose (GObject *object)
{
  ConfabApprovalLogDialog *self = (ConfabApprovalLogDialog *)object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->conversation_id, g_free);

  G_OBJECT_CLASS (confab_approval_log_dialog_parent_class)->dispose (object);
}

static void
confab_approval_log_dialog_class_init (ConfabApprovalLogDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_approval_log_dialog_dispose;
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
confab_approval_log_dialog_init (ConfabApprovalLogDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  gtk_window_set_title (GTK_WINDOW (self), _("Tool Decisions"));
  gtk_window_set_default_size (GTK_WINDOW (self), 560, 520);

  self->all_chats = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_mnemonic (_("_All Chats")));
  gtk_widget_set_name (GTK_WIDGET (self->all_chats), "all-chats");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->all_chats), _("Show the decisions of every chat"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->all_chats));
  gtk_box_append (GTK_BOX (box), header);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_set_name (GTK_WIDGET (self->list), "decisions");
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_margin_top (GTK_WIDGET (self->list), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->list), 12);
  gtk_widget_set_margin_start (GTK_WIDGET (self->list), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->list), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Tool decisions"), -1);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);

  self->empty = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->empty, "applications-engineering-symbolic");
  adw_status_page_set_title (self->empty, _("No Decisions"));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_add_child (self->stack, scroller);
  self->scroller = scroller;
  gtk_stack_add_child (self->stack, GTK_WIDGET (self->empty));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  adw_window_set_content (ADW_WINDOW (self), box);

  g_signal_connect_swapped (self->all_chats, "toggled", G_CALLBACK (reload), self);
}

GtkWidget *
confab_approval_log_dialog_new (GtkWindow   *parent,
                                ConfabStore *store,
                                const char  *conversation_id)
{
  ConfabApprovalLogDialog *self;

  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);

  self = g_object_new (CONFAB_TYPE_APPROVAL_LOG_DIALOG,
                       "transient-for", parent,
                       "modal", FALSE,
                       NULL);
  self->store = g_object_ref (store);
  self->conversation_id = g_strdup (conversation_id);
  gtk_toggle_button_set_active (self->all_chats, conversation_id == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->all_chats), conversation_id != NULL);
  reload (self);

  return GTK_WIDGET (self);
}
