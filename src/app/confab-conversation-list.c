/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-conversation-list"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation.h"
#include "confab-conversation-list-private.h"
#include "confab-conversation-row.h"
#include "confab-export-dialog.h"

typedef struct
{
  ConfabConversationList *self;
  char                   *id;
  AdwToast               *toast;
  gulong                  dismissed_id;
} PendingDelete;


G_DEFINE_FINAL_TYPE (ConfabConversationList, confab_conversation_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

enum {
  CONVERSATION_ACTIVATED,
  NEW_CONVERSATION,
  CONVERSATION_REMOVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
pending_delete_free (gpointer data)
{
  PendingDelete *pending = data;

  g_clear_signal_handler (&pending->dismissed_id, pending->toast);
  g_clear_object (&pending->toast);
  g_free (pending->id);
  g_free (pending);
}

static ConfabStoreSummary *
find_summary (ConfabConversationList *self,
              const char             *id,
              guint                  *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabStoreSummary) summary = g_list_model_get_item (G_LIST_MODEL (self->rows), i);

      if (g_strcmp0 (confab_store_summary_get_id (summary), id) == 0)
        {
          if (position)
            *position = i;
          return g_steal_pointer (&summary);
        }
    }

  return NULL;
}

static const char *
selected_id (ConfabConversationList *self)
{
  ConfabStoreSummary *summary = gtk_single_selection_get_selected_item (self->selection);

  return summary ? confab_store_summary_get_id (summary) : NULL;
}

static void
select_active (ConfabConversationList *self)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabStoreSummary) summary = g_list_model_get_item (model, i);

      if (self->active_id && g_strcmp0 (confab_store_summary_get_id (summary), self->active_id) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return;
        }
    }

  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

static void
update_empty_state (ConfabConversationList *self)
{
  gboolean searching = gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] != '\0';
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->selection)) == 0;

  adw_status_page_set_title (self->empty_page, searching ? _("No Results") : _("No Conversations"));
  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

void
confab_conversation_list_reload (ConfabConversationList *self)
{
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;

  g_return_if_fail (CONFAB_IS_CONVERSATION_LIST (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);

  text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  if (text[0] != '\0')
    {
      _confab_conversation_list_start_search (self, text, 0);
      return;
    }

  g_cancellable_cancel (self->search_cancellable);
  g_clear_pointer (&self->search_text, g_free);
  self->search_more = FALSE;
  self->search_loading = FALSE;

  rows = confab_store_list (self->store, &error);
  if (rows == NULL)
    {
      g_warning ("Could not read the conversation list: %s", error->message);
      return;
    }

  _confab_conversation_list_show_rows (self, 0, rows, FALSE);
}

static gboolean
reload_idle_cb (gpointer user_data)
{
  ConfabConversationList *self = user_data;

  self->reload_source = 0;
  confab_conversation_list_reload (self);

  return G_SOURCE_REMOVE;
}

static void
queue_reload (ConfabConversationList *self)
{
  if (self->reload_source == 0)
    {
      self->reload_source = g_idle_add (reload_idle_cb, self);
      g_source_set_name_by_id (self->reload_source, "[confab] conversation list reload");
    }
}

static void
on_store_changed (ConfabConversationList *self)
{
  queue_reload (self);
}

static void
on_search_changed (ConfabConversationList *self)
{
  /* The same text again (the entry's delayed signal after an explicit one): shown or coming. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), self->search_text) == 0)
    return;

  confab_conversation_list_reload (self);
}

static void
on_stop_search (ConfabConversationList *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
activate_position (ConfabConversationList *self,
                   guint                   position)
{
  g_autoptr(ConfabStoreSummary) summary = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (summary == NULL)
    return;

  g_free (self->active_id);
  self->active_id = g_strdup (confab_store_summary_get_id (summary));
  gtk_single_selection_set_selected (self->selection, position);

  g_signal_emit (self, signals[CONVERSATION_ACTIVATED], 0, confab_store_summary_get_id (summary));
}

static void
on_search_activate (ConfabConversationList *self)
{
  /* Enter in the search field opens the best match. */
  activate_position (self, 0);
}

static void
on_list_activate (ConfabConversationList *self,
                  guint                   position)
{
  activate_position (self, position);
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  ConfabConversationList *self = user_data;

  return !g_hash_table_contains (self->pending_deletes, confab_store_summary_get_id (item));
}

/* ------------------------------------------------------------------------------------------
 * Rows
 * ------------------------------------------------------------------------------------------ */

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  gtk_list_item_set_child (item, confab_conversation_row_new ());
}

static void
fill_row (ConfabConversationList *self,
          GtkListItem            *item)
{
  ConfabStoreSummary *summary = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);

  confab_conversation_row_set_summary (CONFAB_CONVERSATION_ROW (row), summary,
                                       g_hash_table_contains (self->busy_ids, confab_store_summary_get_id (summary)));
#if GTK_CHECK_VERSION (4, 12, 0)
  gtk_list_item_set_accessible_label (item, confab_conversation_row_get_title (CONFAB_CONVERSATION_ROW (row)));
#else
  /* GTK 4.8 leaves the list row unnamed: name it after the conversation. */
  if (gtk_widget_get_parent (row) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (row)),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    confab_conversation_row_get_title (CONFAB_CONVERSATION_ROW (row)), -1);
#endif
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  ConfabConversationList *self = user_data;

  g_hash_table_add (self->bound_rows, item);
  fill_row (self, item);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  ConfabConversationList *self = user_data;

  g_hash_table_remove (self->bound_rows, item);
}

/* ------------------------------------------------------------------------------------------
 * Actions
 * ------------------------------------------------------------------------------------------ */

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  g_signal_emit (widget, signals[NEW_CONVERSATION], 0);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  confab_conversation_list_focus_search (CONFAB_CONVERSATION_LIST (widget));
}

static void
finish_delete (ConfabConversationList *self,
               const char             *id)
{
  g_autoptr(GError) error = NULL;

  if (!g_hash_table_remove (self->pending_deletes, id))
    return;

  if (!confab_store_delete (self->store, id, &error))
    g_warning ("Could not delete the conversation: %s", error->message);
}

static void
on_toast_dismissed (AdwToast      *toast,
                    PendingDelete *pending)
{
  g_autofree char *id = g_strdup (pending->id);

  /* Undo removed it from the table already; otherwise this is the moment it goes. */
  finish_delete (pending->self, id);
}

static void undo_delete (ConfabConversationList *self,
                         const char             *id);

static void
on_toast_undo (AdwToast      *toast,
               PendingDelete *pending)
{
  g_autofree char *id = g_strdup (pending->id);

  undo_delete (pending->self, id);
}

static void
delete_id (ConfabConversationList *self,
           const char             *id)
{
  g_autoptr(ConfabStoreSummary) summary = NULL;
  g_autofree char *heading = NULL;
  PendingDelete *pending;
  GtkWidget *overlay;
  const char *title;

  if (id == NULL || g_hash_table_contains (self->pending_deletes, id))
    return;

  summary = find_summary (self, id, NULL);
  title = summary ? confab_store_summary_get_title (summary) : NULL;
  if (title == NULL || title[0] == '\0')
    title = _("Untitled");

  pending = g_new0 (PendingDelete, 1);
  pending->self = self;
  pending->id = g_strdup (id);
  /* A toast title is Pango markup in libadwaita 1.2: the user's title is escaped. */
  heading = g_markup_printf_escaped (_("“%s” deleted"), title);
  pending->toast = adw_toast_new (heading);
  adw_toast_set_button_label (pending->toast, _("_Undo"));
  /* Not an action: the toast shows in the window's overlay, outside this widget, where
   * "conversation-list.undo-delete" cannot be found. */
  g_signal_connect (pending->toast, "button-clicked", G_CALLBACK (on_toast_undo), pending);
  pending->dismissed_id = g_signal_connect (pending->toast, "dismissed",
                                            G_CALLBACK (on_toast_dismissed), pending);
  g_hash_table_insert (self->pending_deletes, pending->id, pending);

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_MORE_STRICT);
  update_empty_state (self);

  if (g_strcmp0 (self->active_id, id) == 0)
    g_clear_pointer (&self->active_id, g_free);

  g_signal_emit (self, signals[CONVERSATION_REMOVED], 0, id);

  /* The window's overlay when there is one (toasts over the whole window, never widening
   * the sidebar), else the list's own. */
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    overlay = GTK_WIDGET (self->toast_overlay);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), g_object_ref (pending->toast));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  delete_id (CONFAB_CONVERSATION_LIST (widget), g_variant_get_string (param, NULL));
}

static void
delete_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  ConfabConversationList *self = CONFAB_CONVERSATION_LIST (widget);
  g_autofree char *id = g_strdup (selected_id (self));

  delete_id (self, id);
}

static void
undo_delete_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  undo_delete (CONFAB_CONVERSATION_LIST (widget), g_variant_get_string (param, NULL));
}

static void
undo_delete (ConfabConversationList *self,
             const char             *id)
{
  /* The toast's own Undo button dismisses the toast; dismissing it again here would race
   * libadwaita 1.2's hide animation. Once out of the table, its dismissal deletes nothing. */
  if (!g_hash_table_remove (self->pending_deletes, id))
    return;

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
  update_empty_state (self);
}

typedef struct
{
  ConfabConversationList *self;
  GtkEntry               *entry;
  char                   *id;
} RenameData;

static void
rename_data_free (gpointer data)
{
  RenameData *rd = data;

  g_object_unref (rd->self);
  g_free (rd->id);
  g_free (rd);
}

static void
on_rename_response (AdwMessageDialog *dialog,
                    const char       *response,
                    RenameData       *rd)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  if (!g_str_equal (response, "rename"))
    return;

  title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (rd->entry))));
  if (title[0] == '\0')
    return;

  if (!confab_store_rename (rd->self->store, rd->id, title, &error))
    g_warning ("Could not rename the conversation: %s", error->message);
}

static void
rename_id (ConfabConversationList *self,
           const char             *id)
{
  g_autoptr(ConfabStoreSummary) summary = NULL;
  GtkRoot *root;
  GtkWidget *dialog;
  GtkWidget *entry;
  RenameData *rd;

  if (id == NULL || (summary = find_summary (self, id, NULL)) == NULL)
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Rename Conversation"), NULL);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), confab_store_summary_get_title (summary));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Title"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  rd = g_new0 (RenameData, 1);
  rd->self = g_object_ref (self);
  rd->entry = GTK_ENTRY (entry);
  rd->id = g_strdup (id);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_rename_response), rd,
                         (GClosureNotify)(void (*) (void))rename_data_free, 0);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ConfabConversationList *self = CONFAB_CONVERSATION_LIST (widget);
  const char *id = g_variant_get_string (param, NULL);
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GError) error = NULL;
  ConfabConversation *conversation;

  /* The live one when the window shows it (or a turn runs there), else the stored one. */
  conversation = confab_store_lookup_tracked (self->store, id);
  if (conversation == NULL)
    conversation = loaded = confab_store_load (self->store, id, &error);
  if (conversation == NULL)
    {
      g_warning ("Could not read the conversation to export: %s", error->message);
      return;
    }

  if (g_str_equal (action_name, "conversation-list.export-folder"))
    confab_export_dialog_show_folder (widget, conversation);
  else
    confab_export_dialog_show (widget, conversation);
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  rename_id (CONFAB_CONVERSATION_LIST (widget), g_variant_get_string (param, NULL));
}

static void
rename_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  ConfabConversationList *self = CONFAB_CONVERSATION_LIST (widget);

  rename_id (self, selected_id (self));
}

/* ------------------------------------------------------------------------------------------ */

static void
confab_conversation_list_constructed (GObject *object)
{
  ConfabConversationList *self = (ConfabConversationList *)object;

  G_OBJECT_CLASS (confab_conversation_list_parent_class)->constructed (object);

  g_assert (CONFAB_IS_STORE (self->store));

  self->store_changed_id = g_signal_connect_swapped (self->store, "changed",
                                                     G_CALLBACK (on_store_changed), self);
  confab_conversation_list_reload (self);
}

static void
confab_conversation_list_unmap (GtkWidget *widget)
{
  ConfabConversationList *self = (ConfabConversationList *)widget;

  _confab_conversation_list_flush_rows (self);

  GTK_WIDGET_CLASS (confab_conversation_list_parent_class)->unmap (widget);
}

static void
confab_conversation_list_dispose (GObject *object)
{
  ConfabConversationList *self = (ConfabConversationList *)object;

  /* Deletions still waiting for their toast happen now: closing is not undoing. */
  if (self->pending_deletes != NULL && self->store != NULL)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->pending_deletes);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (ids, g_strdup (key));

      for (guint i = 0; i < ids->len; i++)
        finish_delete (self, g_ptr_array_index (ids, i));
    }

  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_signal_handler (&self->store_changed_id, self->store);
  g_cancellable_cancel (self->search_cancellable);
  if (self->pending_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->pending_tick);
  self->pending_tick = 0;

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CONVERSATION_LIST);

  G_OBJECT_CLASS (confab_conversation_list_parent_class)->dispose (object);
}

static void
confab_conversation_list_finalize (GObject *object)
{
  ConfabConversationList *self = (ConfabConversationList *)object;

  g_clear_pointer (&self->pending_deletes, g_hash_table_unref);
  g_clear_pointer (&self->busy_ids, g_hash_table_unref);
  g_clear_pointer (&self->bound_rows, g_hash_table_unref);
  g_clear_pointer (&self->pending_rows, g_ptr_array_unref);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter);
  g_clear_object (&self->rows);
  g_clear_object (&self->store);
  g_clear_pointer (&self->active_id, g_free);
  g_clear_object (&self->search_cancellable);
  g_clear_pointer (&self->search_text, g_free);

  G_OBJECT_CLASS (confab_conversation_list_parent_class)->finalize (object);
}

static void
confab_conversation_list_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  ConfabConversationList *self = CONFAB_CONVERSATION_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_list_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  ConfabConversationList *self = CONFAB_CONVERSATION_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_list_class_init (ConfabConversationListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_conversation_list_constructed;
  object_class->dispose = confab_conversation_list_dispose;
  object_class->finalize = confab_conversation_list_finalize;
  object_class->get_property = confab_conversation_list_get_property;
  object_class->set_property = confab_conversation_list_set_property;
  widget_class->unmap = confab_conversation_list_unmap;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CONFAB_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CONVERSATION_ACTIVATED] =
    g_signal_new ("conversation-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[NEW_CONVERSATION] =
    g_signal_new ("new-conversation", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CONVERSATION_REMOVED] =
    g_signal_new ("conversation-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-conversation-list.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationList, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationList, list_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationList, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationList, toast_overlay);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);

  gtk_widget_class_install_action (widget_class, "conversation-list.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "conversation-list.focus-search", NULL, focus_search_action);
  gtk_widget_class_install_action (widget_class, "conversation-list.rename", "s", rename_action);
  gtk_widget_class_install_action (widget_class, "conversation-list.rename-selected", NULL, rename_selected_action);
  gtk_widget_class_install_action (widget_class, "conversation-list.delete", "s", delete_action);
  gtk_widget_class_install_action (widget_class, "conversation-list.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "conversation-list.export-folder", "s", export_action);
  gtk_widget_class_install_action (widget_class, "conversation-list.delete-selected", NULL, delete_selected_action);
  gtk_widget_class_install_action (widget_class, "conversation-list.undo-delete", "s", undo_delete_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK,
                                       "conversation-list.focus-search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "conversation-list.focus-search", NULL);

  gtk_widget_class_set_css_name (widget_class, "conversationlist");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_conversation_list_init (ConfabConversationList *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  GtkFilterListModel *filtered;
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->pending_deletes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, pending_delete_free);
  self->busy_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->bound_rows = g_hash_table_new (NULL, NULL);
  self->pending_rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->rows = g_list_store_new (CONFAB_TYPE_STORE_SUMMARY);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->rows)),
                                        GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (filtered));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  if (GTK_IS_SCROLLED_WINDOW (gtk_widget_get_parent (GTK_WIDGET (self->list_view))))
    g_signal_connect_object (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_parent (GTK_WIDGET (self->list_view)))),
                             "value-changed", G_CALLBACK (_confab_conversation_list_on_scrolled), self, 0);

  /* Delete and F2 act on the selected row, only while the list has the focus (never
   * while typing in the search field). */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                          gtk_named_action_new ("conversation-list.delete-selected")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_F2, 0),
                                                          gtk_named_action_new ("conversation-list.rename-selected")));
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), shortcuts);
}

GtkWidget *
confab_conversation_list_new (ConfabStore *store)
{
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);

  return g_object_new (CONFAB_TYPE_CONVERSATION_LIST, "store", store, NULL);
}

ConfabStore *
confab_conversation_list_get_store (ConfabConversationList *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_LIST (self), NULL);
  return self->store;
}

void
confab_conversation_list_focus_search (ConfabConversationList *self)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_LIST (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

void
confab_conversation_list_search (ConfabConversationList *self,
                                 const char             *text)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_LIST (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
}

void
confab_conversation_list_set_busy (ConfabConversationList *self,
                                   const char             *id,
                                   gboolean                busy)
{
  gboolean changed;

  g_return_if_fail (CONFAB_IS_CONVERSATION_LIST (self));
  g_return_if_fail (id != NULL);

  if (busy)
    changed = g_hash_table_add (self->busy_ids, g_strdup (id));
  else
    changed = g_hash_table_remove (self->busy_ids, id);

  if (changed)
    {
      GHashTableIter iter;
      gpointer item;

      /* The rows on screen show it now: a reload keeps a row whose stored summary did not
       * change, and its spinner would spin on after the turn. */
      g_hash_table_iter_init (&iter, self->bound_rows);
      while (g_hash_table_iter_next (&iter, &item, NULL))
        fill_row (self, item);
      confab_conversation_list_reload (self);
    }
}

gboolean
confab_conversation_list_get_busy (ConfabConversationList *self,
                                   const char             *id)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_LIST (self), FALSE);

  return id != NULL && g_hash_table_contains (self->busy_ids, id);
}

void
confab_conversation_list_set_active (ConfabConversationList *self,
                                     const char             *id)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_LIST (self));

  g_free (self->active_id);
  self->active_id = g_strdup (id);
  select_active (self);
}

GListModel *
confab_conversation_list_get_model (ConfabConversationList *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_LIST (self), NULL);
  return G_LIST_MODEL (self->selection);
}

/* For the search's half of the list (confab-conversation-list-search.c). */
void
_confab_conversation_list_fill_row (ConfabConversationList *self,
                                    GtkListItem            *item)
{
  fill_row (self, item);
}

void
_confab_conversation_list_rows_changed (ConfabConversationList *self)
{
  select_active (self);
  update_empty_state (self);
}
