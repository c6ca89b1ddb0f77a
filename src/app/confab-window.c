/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-window"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-accessible.h"
#include "confab-approval-policy.h"
#include "confab-chat-view.h"
#include "confab-client.h"
#include "confab-composer.h"
#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-notifier.h"
#include "confab-provider.h"
#include "confab-provider-list.h"
#include "confab-session.h"
#include "confab-tool-call-card.h"
#include "confab-tool-call.h"
#include "confab-tool-registry.h"
#include "confab-elicitation-dialog.h"
#include "confab-mcp-attach.h"
#include "confab-mcp-prompts.h"
#include "confab-window.h"
#include "confab-window-private.h"

#include "confab-usage-sidebar.h"

#include "confab-conversation-list.h"

struct _ConfabWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  ConfabSession        *session;
  ConfabNotifier       *notifier;
  guint                 linger_source;
  gboolean              in_background;      /* closed to the background: holds the app */
  gboolean              close_confirmed;
  gboolean              quick;              /* a quick ask: small, not history until promoted */
  ConfabProviderList   *providers;
  GCancellable         *cancellable;
  GCancellable         *models_cancellable;
  ConfabProvider       *models_provider;   /* whose models the list shows */
  GtkWidget            *usage_sidebar;
  GtkWidget            *conversation_list;
  ConfabStore          *store;
  GtkWidget            *save_error_dialog;

  AdwLeaflet           *leaflet;
  GtkWidget            *conversations_pane;
  AdwBin               *conversations_bin;
  AdwFlap              *usage_flap;
  AdwBin               *usage_bin;
  GtkToggleButton      *conversations_button;
  GtkToggleButton      *usage_button;
  AdwHeaderBar         *chat_header;
  GtkMenuButton        *model_button;
  GtkLabel             *title_label;
  GtkButton            *promote_button;
  ConfabConversation   *titled;            /* whose title the header shows */
  gulong                title_id;
  GtkPopover           *model_popover;
  GtkEntry             *model_entry;
  GtkLabel             *models_status;
  GtkListBox           *models_list;
  GtkStack             *main_stack;
  AdwStatusPage        *welcome_page;
  ConfabChatView       *chat_view;
  ConfabComposer       *composer;
  GtkWidget            *new_chat_button;
  GtkWidget            *primary_menu_button;
  GtkWidget            *back_button;
};

G_DEFINE_FINAL_TYPE (ConfabWindow, confab_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean
invert_boolean (gpointer instance,
                gboolean value)
{
  return !value;
}

/* ---------------------------------------------------------------------------------------- */
/* Provider and model                                                                       */

static void
update_model_button (ConfabWindow *self)
{
  const char *model = confab_session_get_model (self->session);

  gtk_menu_button_set_label (self->model_button, model != NULL ? model : _("Choose a Model"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->model_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  model != NULL ? model : _("Choose a model"),
                                  -1);
}

/* With the usage pane shown, the window buttons go to its header, at the window's edge. */
static void
update_title_buttons (ConfabWindow *self)
{
  gboolean usage_shown = adw_flap_get_reveal_flap (self->usage_flap) &&
                         gtk_widget_get_visible (adw_flap_get_flap (self->usage_flap));

  adw_header_bar_set_show_end_title_buttons (self->chat_header, !usage_shown);
}

static void
update_main_page (ConfabWindow *self)
{
  gboolean have_provider = confab_session_get_provider (self->session) != NULL;
  gboolean was_welcome = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "welcome") == 0;

  gtk_stack_set_visible_child_name (self->main_stack, have_provider ? "chat" : "welcome");
  gtk_widget_set_sensitive (GTK_WIDGET (self->model_button), have_provider);
  /* One welcome on first launch: no empty conversation list, no empty usage sidebar. */
  gtk_widget_set_visible (adw_flap_get_flap (self->usage_flap), have_provider);
  gtk_widget_set_visible (GTK_WIDGET (self->model_button), have_provider);
  gtk_widget_set_visible (GTK_WIDGET (self->usage_button), have_provider);
  g_object_notify (G_OBJECT (self->conversations_button), "active");
  update_title_buttons (self);

  /* From the welcome to the chat (a provider was just added): ready to type, not focus lost
   * with the welcome's button. */
  if (was_welcome && have_provider)
    confab_composer_focus (self->composer);
}

static void
session_provider_changed (ConfabSession *session,
                          GParamSpec    *pspec,
                          ConfabWindow  *self)
{
  update_main_page (self);
  update_model_button (self);
}

static void
session_model_changed (ConfabSession *session,
                       GParamSpec    *pspec,
                       ConfabWindow  *self)
{
  update_model_button (self);
}

static void
update_title (ConfabWindow *self)
{
  const char *title = self->titled ? confab_conversation_get_title (self->titled) : NULL;

  if (self->title_label == NULL)
    return;

  if (title == NULL || *title == '\0')
    title = self->quick ? _("Quick Ask") : _("New Chat");

  gtk_label_set_text (self->title_label, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
}

/* The header shows the title of the shown conversation, renamed or not. */
static void
follow_title (ConfabWindow       *self,
              ConfabConversation *conversation)
{
  if (self->titled != NULL)
    g_clear_signal_handler (&self->title_id, self->titled);
  g_set_object (&self->titled, conversation);
  if (conversation != NULL)
    self->title_id = g_signal_connect_swapped (conversation, "notify::title",
                                               G_CALLBACK (update_title), self);
  update_title (self);
}

static void
session_conversation_changed (ConfabSession *session,
                              GParamSpec    *pspec,
                              ConfabWindow  *self)
{
  follow_title (self, confab_session_get_conversation (session));
  /* Back to a chat whose call waits in the background: the question first. */
  _confab_window_focus_waiting_call (self);
  confab_usage_sidebar_set_conversation (CONFAB_USAGE_SIDEBAR (self->usage_sidebar),
                                         confab_session_get_conversation (session));
  update_model_button (self);
}

static void
set_model (ConfabWindow *self,
           const char   *model)
{
  g_autofree char *stripped = g_strstrip (g_strdup (model));

  if (*stripped == '\0')
    return;

  confab_session_set_model (self->session, stripped);
  g_settings_set_string (self->settings, "last-model", stripped);
  gtk_popover_popdown (self->model_popover);
  confab_composer_focus (self->composer);
}

static void
model_entry_activate (ConfabWindow *self,
                      GtkEntry     *entry)
{
  set_model (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
model_row_activated (ConfabWindow  *self,
                     GtkListBoxRow *row,
                     GtkListBox    *list)
{
  set_model (self, g_object_get_data (G_OBJECT (row), "confab-model"));
}

static void
fill_models (ConfabWindow       *self,
             const char * const *models)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->models_list))))
    gtk_list_box_remove (self->models_list, child);

  for (guint i = 0; models != NULL && models[i] != NULL; i++)
    {
      GtkWidget *label = gtk_label_new (models[i]);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      g_object_set_data_full (G_OBJECT (row), "confab-model", g_strdup (models[i]), g_free);
      gtk_list_box_append (self->models_list, row);
    }
}

static void
list_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;

  models = confab_client_list_models_finish (CONFAB_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (models == NULL || models[0] == NULL)
    {
      ConfabProvider *provider = confab_session_get_provider (self->session);

      /* No GET /models: the models typed in for this provider, and free text. */
      fill_models (self, provider ? confab_provider_get_models (provider) : NULL);
      gtk_label_set_text (self->models_status,
                          _("The provider did not list its models. Type a model id and press Enter."));
      g_clear_object (&self->models_provider);
      return;
    }

  fill_models (self, (const char * const *)models);
  gtk_label_set_text (self->models_status, _("Models this provider offers"));
}

static void
model_popover_show (ConfabWindow *self,
                    GtkPopover   *popover)
{
  ConfabProvider *provider = confab_session_get_provider (self->session);
  const char *model = confab_session_get_model (self->session);

  gtk_editable_set_text (GTK_EDITABLE (self->model_entry), model ? model : "");

  if (provider == NULL || provider == self->models_provider)
    return;

  g_set_object (&self->models_provider, provider);
  g_cancellable_cancel (self->models_cancellable);
  g_clear_object (&self->models_cancellable);
  self->models_cancellable = g_cancellable_new ();

  gtk_label_set_text (self->models_status, _("Asking the provider for its models…"));
  fill_models (self, confab_provider_get_models (provider));
  confab_client_list_models_async (confab_session_get_client (self->session), provider,
                                   self->models_cancellable, list_models_cb, g_object_ref (self));
}

static void
active_provider_changed (ConfabProviderList *providers,
                         GParamSpec         *pspec,
                         ConfabWindow       *self)
{
  confab_session_set_provider (self->session, confab_provider_list_get_active (providers));
  g_clear_object (&self->models_provider);
}

static void
load_keys_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_provider_list_load_keys_finish (CONFAB_PROVIDER_LIST (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not read the API keys: %s", error->message);
    }

  active_provider_changed (CONFAB_PROVIDER_LIST (object), NULL, self);
}

static void
tools_started_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!confab_tool_registry_start_finish (CONFAB_TOOL_REGISTRY (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not start the tool servers: %s", error->message);
}

/* Builds the tool registry from mcp.json plus --mcp, replacing (and stopping) the old one. */
void
confab_window_reload_tools (ConfabWindow *self)
{
  ConfabApplication *app;
  ConfabOptions *options = NULL;
  ConfabToolRegistry *old_tools;
  g_autoptr(ConfabToolRegistry) tools = NULL;
  g_autoptr(ConfabApprovalPolicy) approvals = NULL;
  g_autofree char *mcp_path = NULL;
  g_autofree char *approvals_path = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_WINDOW (self));

  app = CONFAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  if (app != NULL)
    options = confab_application_get_options (app);

  tools = confab_tool_registry_new ();
  mcp_path = confab_tool_registry_get_default_config_path ();
  if (!confab_tool_registry_load_config (tools, mcp_path, &error))
    {
      g_warning ("Could not read %s: %s", mcp_path, error->message);
      g_clear_error (&error);
    }
  for (guint i = 0; options != NULL && options->mcp != NULL && options->mcp[i] != NULL; i++)
    if (!confab_tool_registry_add_command (tools, options->mcp[i], &error))
      {
        g_warning ("Could not add the tool server “%s”: %s", options->mcp[i], error->message);
        g_clear_error (&error);
      }

  approvals_path = confab_approval_policy_get_default_path ();
  approvals = confab_approval_policy_new (approvals_path);
  if (options != NULL && options->yes)
    confab_approval_policy_set_allow_all (approvals, TRUE);

  old_tools = confab_session_get_tools (self->session);
  if (old_tools != NULL)
    confab_tool_registry_stop (old_tools);

  /* A server that asks the user something gets a form over this window. */
  confab_elicitation_dialog_watch_registry (tools, GTK_WINDOW (self));

  confab_session_set_tools (self->session, tools);
  confab_session_set_approvals (self->session, approvals);

  if (g_list_model_get_n_items (confab_tool_registry_get_servers (tools)) > 0)
    confab_tool_registry_start_async (tools, self->cancellable, tools_started_cb, NULL);
}

static void
setup_session (ConfabWindow      *self,
               ConfabApplication *app)
{
  ConfabOptions *options = NULL;
  g_autoptr(ConfabProvider) provider = NULL;

  if (app != NULL)
    options = confab_application_get_options (app);

  /* Tools: the configured MCP servers plus --mcp for this run. */
  confab_window_reload_tools (self);

  /* The provider: --base-url for this run, else the active profile. */
  if (options != NULL)
    provider = confab_options_create_provider (options);

  if (provider != NULL)
    {
      confab_session_set_provider (self->session, provider);
      if (options->model != NULL)
        confab_session_set_model (self->session, options->model);
    }
  else
    {
      self->providers = g_object_ref (confab_provider_list_get_default ());
      g_signal_connect (self->providers, "notify::active", G_CALLBACK (active_provider_changed), self);
      confab_session_set_provider (self->session, confab_provider_list_get_active (self->providers));
      confab_provider_list_load_keys_async (self->providers, self->cancellable,
                                            load_keys_cb, g_object_ref (self));
    }
}

/* ---------------------------------------------------------------------------------------- */
/* History (the store and its list)                                                         */

/* A save failed (disk full, read-only file): the conversation stays in the window, but
 * the user must know it is not on disk. One dialog at a time, however many writes fail. */
static void
store_write_failed (ConfabStore  *store,
                    const GError *error,
                    ConfabWindow *self)
{
  GtkWidget *dialog;

  if (self->save_error_dialog != NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("The Conversation Could Not Be Saved"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s\n\nThe text stays in this window; copy or export what you need."),
                                  error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  self->save_error_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *)&self->save_error_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
track_conversation (ConfabWindow       *self,
                    ConfabConversation *conversation)
{
  const char *id = confab_conversation_get_id (conversation);

  if (self->store == NULL)
    return;

  /* An empty conversation is not history yet; it is tracked from its first message. */
  if (g_list_model_get_n_items (G_LIST_MODEL (conversation)) == 0)
    return;

  if (confab_store_lookup_tracked (self->store, id) == NULL)
    {
      g_autoptr(GError) error = NULL;

      /* Another window or process continues it: say so rather than save over it. */
      if (!confab_store_try_track (self->store, conversation, &error))
        store_write_failed (self->store, error, self);
      /* The new chat shows in the list at once, selected, not when its answer ends. */
      else if (self->conversation_list != NULL)
        confab_conversation_list_reload (CONFAB_CONVERSATION_LIST (self->conversation_list));
    }

  if (self->conversation_list != NULL)
    confab_conversation_list_set_active (CONFAB_CONVERSATION_LIST (self->conversation_list), id);
}

static void
untrack_conversation (ConfabWindow       *self,
                      ConfabConversation *conversation)
{
  if (self->store == NULL || conversation == NULL)
    return;

  if (confab_store_lookup_tracked (self->store, confab_conversation_get_id (conversation)) != NULL)
    confab_store_untrack (self->store, conversation);
}

static void
show_conversation (ConfabWindow       *self,
                   ConfabConversation *conversation)
{
  ConfabConversation *old = confab_session_get_conversation (self->session);

  if (old == conversation)
    return;

  if (old != NULL)
    {
      g_object_ref (old);
      confab_session_set_conversation (self->session, conversation);
      /* A turn still running there (a tool call waiting for approval …) keeps it live and
       * tracked; it is let go when the turn ends (session_running_changed). */
      if (!confab_session_is_running (self->session, old))
        untrack_conversation (self, old);
      g_object_unref (old);
    }
  else
    confab_session_set_conversation (self->session, conversation);

  track_conversation (self, conversation);

  if (self->conversation_list != NULL &&
      g_list_model_get_n_items (G_LIST_MODEL (conversation)) == 0)
    confab_conversation_list_set_active (CONFAB_CONVERSATION_LIST (self->conversation_list), NULL);
}

void
_confab_window_show_conversation (ConfabWindow       *self,
                                  ConfabConversation *conversation)
{
  show_conversation (self, conversation);
}

static void new_conversation (ConfabWindow *self);
static void promote_action   (GtkWidget    *widget,
                              const char   *action_name,
                              GVariant     *param);

static void
conversation_activated (ConfabConversationList *list,
                        const char             *id,
                        ConfabWindow           *self)
{
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GError) error = NULL;
  ConfabConversation *conversation;

  if (g_strcmp0 (id, confab_conversation_get_id (confab_session_get_conversation (self->session))) == 0)
    {
      adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
      return;
    }

  conversation = confab_store_lookup_tracked (self->store, id);
  if (conversation == NULL)
    {
      conversation = loaded = confab_store_load (self->store, id, &error);
      if (conversation == NULL)
        {
          g_warning ("Could not open the conversation: %s", error->message);
          return;
        }
      /* Read back from disk, no turn runs in it: calls left waiting are not run. */
      confab_conversation_repair_tool_calls (conversation);
    }

  show_conversation (self, conversation);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  confab_composer_focus (self->composer);
}

static void
conversation_removed (ConfabConversationList *list,
                      const char             *id,
                      ConfabWindow           *self)
{
  if (g_strcmp0 (id, confab_conversation_get_id (confab_session_get_conversation (self->session))) == 0)
    new_conversation (self);
}

static void
list_new_conversation (ConfabConversationList *list,
                       ConfabWindow           *self)
{
  new_conversation (self);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  confab_composer_focus (self->composer);
}

static void
setup_history (ConfabWindow      *self,
               ConfabApplication *app)
{
  if (app != NULL)
    self->store = confab_application_get_store (app);
  if (self->store == NULL)
    return;

  g_object_ref (self->store);
  g_signal_connect_object (self->store, "write-failed", G_CALLBACK (store_write_failed), self, 0);

  self->conversation_list = confab_conversation_list_new (self->store);
  g_signal_connect (self->conversation_list, "conversation-activated", G_CALLBACK (conversation_activated), self);
  g_signal_connect (self->conversation_list, "conversation-removed", G_CALLBACK (conversation_removed), self);
  g_signal_connect (self->conversation_list, "new-conversation", G_CALLBACK (list_new_conversation), self);
  adw_bin_set_child (self->conversations_bin, self->conversation_list);
}

static void
session_approval_requested (ConfabSession      *session,
                            ConfabConversation *conversation,
                            ConfabToolCall     *call,
                            ConfabWindow       *self)
{
  /* A call waiting in a conversation not shown is found when it is shown again. */
  if (conversation == confab_session_get_conversation (session))
    _confab_window_focus_waiting_call (self);
}

/* ---------------------------------------------------------------------------------------- */
/* Actions                                                                                  */

static void
new_conversation (ConfabWindow *self)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autofree char *prompt = g_settings_get_string (self->settings, "default-system-prompt");
  const char *model = confab_session_get_model (self->session);

  if (*prompt != '\0')
    confab_conversation_set_system_prompt (conversation, prompt);
  /* Keep talking to the model chosen last. */
  if (model != NULL)
    confab_conversation_set_model (conversation, model);

  show_conversation (self, conversation);
}

static void
new_chat_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  new_conversation (self);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  confab_composer_focus (self->composer);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  GtkWidget *list = adw_bin_get_child (self->conversations_bin);

  gtk_toggle_button_set_active (self->conversations_button, TRUE);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  if (self->conversation_list != NULL)
    {
      confab_conversation_list_focus_search (CONFAB_CONVERSATION_LIST (self->conversation_list));
      return;
    }
  if (list != NULL)
    gtk_widget_grab_focus (list);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  confab_session_stop (CONFAB_WINDOW (widget)->session);
}

static void
copy_last_answer_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  GListModel *messages = G_LIST_MODEL (confab_session_get_conversation (self->session));

  for (guint i = g_list_model_get_n_items (messages); i > 0; i--)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (messages, i - 1);

      if (confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT &&
          confab_message_get_content_length (message) > 0)
        {
          gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), confab_message_get_content (message));
          return;
        }
    }
}

static void
toggle_sidebar_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  gtk_toggle_button_set_active (self->usage_button, !gtk_toggle_button_get_active (self->usage_button));
}

static void
toggle_conversations_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  gtk_toggle_button_set_active (self->conversations_button,
                                !gtk_toggle_button_get_active (self->conversations_button));
}

static void
back_clicked (ConfabWindow *self,
              GtkButton    *button)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
session_busy_changed (ConfabSession *session,
                      GParamSpec    *pspec,
                      ConfabWindow  *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.stop", confab_session_get_busy (session));

  /* The first message makes the conversation part of the history (a quick ask only once
   * it is promoted). */
  if (confab_session_get_busy (session) && !self->quick)
    track_conversation (self, confab_session_get_conversation (session));
}

static void
session_running_changed (ConfabSession      *session,
                         ConfabConversation *conversation,
                         gboolean            running,
                         ConfabWindow       *self)
{
  if (self->conversation_list != NULL)
    confab_conversation_list_set_busy (CONFAB_CONVERSATION_LIST (self->conversation_list),
                                       confab_conversation_get_id (conversation), running);

  /* A turn that went on in the background is over: its conversation is history now. */
  if (!running && conversation != confab_session_get_conversation (session))
    untrack_conversation (self, conversation);
}

/* ---------------------------------------------------------------------------------------- */

/* After the last background turn ends, the hidden window waits this long for the user to
 * come back through its notification (which needs the process), then closes for good. */
#define BACKGROUND_LINGER_SECONDS (5 * 60)

static void
leave_background (ConfabWindow *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  g_clear_handle_id (&self->linger_source, g_source_remove);
  if (self->in_background)
    {
      self->in_background = FALSE;
      if (app != NULL)
        g_application_release (app);
    }
}

static gboolean
linger_done (gpointer user_data)
{
  ConfabWindow *self = user_data;

  self->linger_source = 0;
  if (gtk_widget_get_visible (GTK_WIDGET (self)))
    return G_SOURCE_REMOVE;

  self->close_confirmed = TRUE;
  leave_background (self);
  gtk_window_close (GTK_WINDOW (self));

  return G_SOURCE_REMOVE;
}

static void
background_running_changed (ConfabSession      *session,
                            ConfabConversation *conversation,
                            gboolean            running,
                            ConfabWindow       *self)
{
  if (!self->in_background || running || confab_session_get_n_running (session) > 0)
    return;

  if (self->linger_source == 0)
    self->linger_source = g_timeout_add_seconds (BACKGROUND_LINGER_SECONDS, linger_done, self);
}

/* The window is back in front (a notification, the app launched again): no longer a
 * background process. */
static void
window_shown_again (ConfabWindow *self,
                    GParamSpec   *pspec,
                    gpointer      user_data)
{
  if (self->in_background && gtk_widget_get_visible (GTK_WIDGET (self)))
    leave_background (self);
}

static gboolean
close_later (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
close_response (AdwMessageDialog *dialog,
                const char       *response,
                ConfabWindow     *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (g_strcmp0 (response, "background") == 0)
    {
      /* The turns go on; the app stays while they run, and their notifications bring the
       * window back. */
      self->in_background = TRUE;
      if (app != NULL)
        g_application_hold (app);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      background_running_changed (self->session, NULL, FALSE, self);
    }
  else if (g_strcmp0 (response, "stop") == 0)
    {
      /* Closed once the dialog, transient for this window, is gone. */
      self->close_confirmed = TRUE;
      g_idle_add_full (G_PRIORITY_DEFAULT, close_later, g_object_ref (self), g_object_unref);
    }
}

static gboolean
ask_before_closing (ConfabWindow *self)
{
  AdwMessageDialog *dialog;

  if (self->close_confirmed || confab_session_get_n_running (self->session) == 0)
    return FALSE;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Keep Working in the Background?"), NULL));
  adw_message_dialog_set_body (dialog, _("An answer is still being written or a tool call waits for your approval. "
                                         "Confab can finish in the background and notify you."));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "stop", _("_Stop and Close"),
                                    "background", _("_Keep Working"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "background", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "background");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

static gboolean
confab_window_close_request (GtkWindow *window)
{
  ConfabWindow *self = CONFAB_WINDOW (window);
  int width, height;

  if (ask_before_closing (self))
    return TRUE;

  leave_background (self);
  if (self->quick)
    {
      confab_session_stop_all (self->session);
      return GTK_WINDOW_CLASS (confab_window_parent_class)->close_request (window);
    }

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  confab_session_stop_all (self->session);

  return GTK_WINDOW_CLASS (confab_window_parent_class)->close_request (window);
}

static void
confab_window_dispose (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->linger_source, g_source_remove);
  if (self->models_cancellable != NULL)
    g_cancellable_cancel (self->models_cancellable);
  if (self->providers != NULL)
    g_signal_handlers_disconnect_by_data (self->providers, self);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      confab_session_stop_all (self->session);
    }

  _confab_window_actions_dispose (self);
  follow_title (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), CONFAB_TYPE_WINDOW);

  if (self->session != NULL)
    untrack_conversation (self, confab_session_get_conversation (self->session));
  g_clear_object (&self->notifier);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->providers);
  g_clear_object (&self->models_provider);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->models_cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (confab_window_parent_class)->dispose (object);
}

static void
confab_window_class_init (ConfabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = confab_window_dispose;
  window_class->close_request = confab_window_close_request;

  g_type_ensure (CONFAB_TYPE_CHAT_VIEW);
  g_type_ensure (CONFAB_TYPE_COMPOSER);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversations_pane);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversations_bin);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, usage_flap);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, usage_bin);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversations_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, usage_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chat_header);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, model_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, promote_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, model_popover);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, model_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, models_status);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, models_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chat_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, composer);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, new_chat_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, back_button);
  gtk_widget_class_bind_template_callback (widget_class, invert_boolean);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, model_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, model_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, model_popover_show);

  gtk_widget_class_install_action (widget_class, "win.new-chat", NULL, new_chat_action);
  gtk_widget_class_install_action (widget_class, "win.promote", NULL, promote_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  _confab_window_actions_class_init (widget_class);
  gtk_widget_class_install_action (widget_class, "win.copy-last-answer", NULL, copy_last_answer_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-conversations", NULL, toggle_conversations_action);
  gtk_widget_class_install_action (widget_class, "chat.stop", NULL, stop_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_C, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.copy-last-answer", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.copy-last-answer", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-sidebar", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, GDK_SHIFT_MASK, "win.toggle-conversations", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "chat.stop", NULL);
}

static gboolean
visible_to_folded_hidden (GBinding     *binding,
                          const GValue *from,
                          GValue       *to,
                          gpointer      user_data)
{
  ConfabWindow *self = user_data;

  /* Before any provider there is only the welcome: no empty list beside it. */
  g_value_set_boolean (to, g_value_get_boolean (from) &&
                           confab_session_get_provider (self->session) != NULL);
  return TRUE;
}

/* The main window's size and panes follow (and are kept in) the settings. */
static void
bind_window_settings (ConfabWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_settings_bind (self->settings, "show-usage-sidebar", self->usage_button, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-conversations", self->conversations_button, "active", G_SETTINGS_BIND_DEFAULT);
}

/* A quick ask becomes an ordinary conversation: kept in the history, the window as large as
 * the main window, with its panes. */
static void
promote_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabConversation *conversation = confab_session_get_conversation (self->session);

  if (!self->quick)
    return;

  self->quick = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->promote_button), FALSE);
  gtk_widget_action_set_enabled (widget, "win.promote", FALSE);
  bind_window_settings (self);
  track_conversation (self, conversation);
  if (self->conversation_list != NULL)
    confab_conversation_list_reload (CONFAB_CONVERSATION_LIST (self->conversation_list));
  update_title (self);
}

static void
confab_window_init (ConfabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  confab_accessible_name_mnemonic_buttons (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  self->session = confab_session_new ();
  g_signal_connect (self->session, "running-changed", G_CALLBACK (background_running_changed), self);
  g_signal_connect (self, "notify::visible", G_CALLBACK (window_shown_again), NULL);

  g_object_bind_property (self->usage_button, "active", self->usage_flap, "reveal-flap",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property_full (self->conversations_button, "active", self->conversations_pane, "visible",
                               G_BINDING_SYNC_CREATE, visible_to_folded_hidden, NULL, self, NULL);

  g_signal_connect_swapped (self->usage_flap, "notify::reveal-flap", G_CALLBACK (update_title_buttons), self);
  update_title_buttons (self);

  self->usage_sidebar = confab_usage_sidebar_new ();
  adw_bin_set_child (self->usage_bin, self->usage_sidebar);

  confab_chat_view_set_session (self->chat_view, self->session);
  confab_composer_set_session (self->composer, self->session);
  /* Files and pictures dropped anywhere on the window are attached to the next message. */
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (
    confab_attachment_bar_create_drop_target (confab_composer_get_attachment_bar (self->composer))));

  /* MCP resources and prompts for the message (issue 15). */
  confab_composer_add_start_widget (self->composer,
                                    confab_mcp_prompts_new (self->session,
                                                            confab_composer_get_text_view (self->composer)));
  confab_composer_add_start_widget (self->composer,
                                    confab_mcp_attach_new (self->session,
                                                           confab_composer_get_text_view (self->composer)));
  g_signal_connect (self->session, "notify::provider", G_CALLBACK (session_provider_changed), self);
  g_signal_connect (self->session, "notify::model", G_CALLBACK (session_model_changed), self);
  g_signal_connect (self->session, "notify::conversation", G_CALLBACK (session_conversation_changed), self);
  g_signal_connect (self->session, "notify::busy", G_CALLBACK (session_busy_changed), self);
  g_signal_connect (self->session, "running-changed", G_CALLBACK (session_running_changed), self);
  /* (self, call): the call is the waiting one, found again when the row is built. */
  g_signal_connect (self->session, "approval-requested", G_CALLBACK (session_approval_requested), self);
  session_busy_changed (self->session, NULL, self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->new_chat_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New chat"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->primary_menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Main menu"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->usage_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Show usage"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->conversations_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Show conversations"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->back_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back to conversations"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->model_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Model id"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->models_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Models"), -1);

  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->usage_flap));
}

static ConfabWindow *
window_new (ConfabApplication *application,
            gboolean           quick)
{
  ConfabWindow *self;

  self = g_object_new (CONFAB_TYPE_WINDOW,
                       "application", application,
                       NULL);

  self->quick = quick;
  /* With the application known: notifications go through it. */
  self->notifier = confab_notifier_new (GTK_WINDOW (self), self->session);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.promote", quick);
  if (quick)
    {
      /* Just the question and its answer; the panes stay in the main window. */
      gtk_window_set_default_size (GTK_WINDOW (self), 560, 640);
      gtk_toggle_button_set_active (self->conversations_button, FALSE);
      gtk_toggle_button_set_active (self->usage_button, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->promote_button), TRUE);
    }
  else
    bind_window_settings (self);

  /* The provider and tools of this run come from the application's command line. */
  setup_history (self, application);
  setup_session (self, application);
  new_conversation (self);
  update_main_page (self);
  update_model_button (self);

  /* Ready to type. */
  confab_composer_focus (self->composer);

  return self;
}

ConfabWindow *
confab_window_new (ConfabApplication *application)
{
  g_return_val_if_fail (!application || CONFAB_IS_APPLICATION (application), NULL);

  return window_new (application, FALSE);
}

ConfabWindow *
confab_window_new_quick (ConfabApplication *application)
{
  g_return_val_if_fail (!application || CONFAB_IS_APPLICATION (application), NULL);

  return window_new (application, TRUE);
}

gboolean
confab_window_get_quick (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), FALSE);
  return self->quick;
}

ConfabSession *
confab_window_get_session (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return self->session;
}

gboolean
confab_window_open_conversation (ConfabWindow *self,
                                 const char   *id)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (self->store == NULL || !confab_store_contains (self->store, id))
    {
      g_warning ("There is no stored conversation “%s”", id);
      return FALSE;
    }

  conversation_activated (CONFAB_CONVERSATION_LIST (self->conversation_list), id, self);
  if (self->conversation_list != NULL)
    confab_conversation_list_set_active (CONFAB_CONVERSATION_LIST (self->conversation_list), id);

  return TRUE;
}

gboolean
confab_window_review_approval (ConfabWindow *self,
                               const char   *conversation_id)
{
  ConfabConversation *conversation;

  g_return_val_if_fail (CONFAB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (conversation_id != NULL, FALSE);

  gtk_window_present (GTK_WINDOW (self));

  conversation = confab_session_get_conversation (self->session);
  if (g_strcmp0 (confab_conversation_get_id (conversation), conversation_id) != 0 &&
      !confab_window_open_conversation (self, conversation_id))
    return FALSE;

  /* The card with its full arguments, and the keyboard on its buttons. */
  if (confab_session_get_waiting_call (self->session) == NULL)
    return FALSE;
  _confab_window_focus_waiting_call (self);

  return TRUE;
}

void
confab_window_search (ConfabWindow *self,
                      const char   *text)
{
  g_return_if_fail (CONFAB_IS_WINDOW (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "win.search", NULL);
  if (self->conversation_list != NULL)
    confab_conversation_list_search (CONFAB_CONVERSATION_LIST (self->conversation_list), text);
}

ConfabChatView *
confab_window_get_chat_view (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return self->chat_view;
}

ConfabComposer *
confab_window_get_composer (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return self->composer;
}

GtkWidget *
confab_window_get_usage_sidebar (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return self->usage_sidebar;
}

void
confab_window_set_conversation_list (ConfabWindow *self,
                                     GtkWidget    *list)
{
  g_return_if_fail (CONFAB_IS_WINDOW (self));
  adw_bin_set_child (self->conversations_bin, list);
}

const char *
confab_window_get_visible_page (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->main_stack);
}
