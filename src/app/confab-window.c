/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-window"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-accessible.h"
#include "confab-chat-view.h"
#include "confab-composer.h"
#include "confab-context.h"
#include "confab-conversation.h"
#include "confab-conversation-list.h"
#include "confab-elicitation-dialog.h"
#include "confab-mcp-attach.h"
#include "confab-mcp-prompts.h"
#include "confab-model-chooser.h"
#include "confab-notifier.h"
#include "confab-provider.h"
#include "confab-provider-list.h"
#include "confab-save-banner.h"
#include "confab-session.h"
#include "confab-mcp-sign-in.h"
#include "confab-usage-sidebar.h"
#include "confab-window.h"
#include "confab-window-private.h"

G_DEFINE_FINAL_TYPE (ConfabWindow, confab_window, ADW_TYPE_APPLICATION_WINDOW)

static void confab_window_constructed (GObject *object);

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
invert_boolean (gpointer instance,
                gboolean value)
{
  return !value;
}

/* ---------------------------------------------------------------------------------------- */
/* Provider and model                                                                       */

/* With the usage pane shown, the window buttons go to its header, at the window's edge. */
static void
update_title_buttons (ConfabWindow *self)
{
  gboolean usage_shown = adw_flap_get_reveal_flap (self->usage_flap) &&
                         gtk_widget_get_visible (adw_flap_get_flap (self->usage_flap));

  adw_header_bar_set_show_end_title_buttons (self->chat_header, !usage_shown);
}

/* Back to the conversations, in a narrow window: not from the welcome, where there are
 * none (it led nowhere). */
static void
update_back_button (ConfabWindow *self)
{
  gtk_widget_set_visible (self->back_button,
                          adw_leaflet_get_folded (self->leaflet) &&
                          confab_session_get_provider (self->session) != NULL);
}

/* The conversation list shows when its button is on, and never beside the welcome: before
 * any provider there is nothing to list. */
static void
update_conversations_pane (ConfabWindow *self)
{
  gtk_widget_set_visible (self->conversations_pane,
                          gtk_toggle_button_get_active (self->conversations_button) &&
                          confab_session_get_provider (self->session) != NULL);
  update_back_button (self);
}

static void
update_main_page (ConfabWindow *self)
{
  gboolean have_provider = confab_session_get_provider (self->session) != NULL;
  gboolean was_welcome = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "welcome") == 0;

  gtk_stack_set_visible_child_name (self->main_stack, have_provider ? "chat" : "welcome");
  gtk_widget_set_sensitive (GTK_WIDGET (self->model_chooser), have_provider);
  /* One welcome on first launch: no empty conversation list, no empty usage sidebar. */
  gtk_widget_set_visible (adw_flap_get_flap (self->usage_flap), have_provider);
  gtk_widget_set_visible (GTK_WIDGET (self->model_chooser), have_provider);
  gtk_widget_set_visible (GTK_WIDGET (self->usage_button), have_provider);
  update_conversations_pane (self);
  update_title_buttons (self);

  /* From the welcome to the chat (a provider was just added): ready to type, not focus lost
   * with the welcome's button. On the welcome, the keyboard is on its button: the composer
   * is not shown, and what was typed went into it unseen. */
  if (was_welcome && have_provider)
    confab_composer_focus (self->composer);
  else if (!have_provider)
    gtk_widget_grab_focus (self->welcome_button);
}

static void
session_provider_changed (ConfabSession *session,
                          GParamSpec    *pspec,
                          ConfabWindow  *self)
{
  update_main_page (self);
}

static void
update_title (ConfabWindow *self)
{
  g_autoptr(ConfabConversation) titled = self->title_signals ? g_signal_group_dup_target (self->title_signals) : NULL;
  const char *title = titled ? confab_conversation_get_title (titled) : NULL;

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
  g_signal_group_set_target (self->title_signals, conversation);
  update_title (self);
}

static void
leaflet_folded_changed (AdwLeaflet   *leaflet,
                        GParamSpec   *pspec,
                        ConfabWindow *self)
{
  confab_composer_set_compact (self->composer, adw_leaflet_get_folded (leaflet));
  update_back_button (self);
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
}

/* A model was picked: back to typing. */
static void
model_chosen (ConfabWindow       *self,
              ConfabModelChooser *chooser)
{
  confab_composer_focus (self->composer);
}

static void
active_provider_changed (ConfabProviderList *providers,
                         GParamSpec         *pspec,
                         ConfabWindow       *self)
{
  confab_session_set_provider (self->session, confab_provider_list_get_active (providers));
  confab_model_chooser_reset (self->model_chooser);
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

/* A server that asks the user something gets a form over a window: the first one open;
 * a remote server that needs a sign-in (OAuth) says so in a toast with "Sign In…". */
static void
watch_tools (ConfabWindow *self)
{
  ConfabToolRegistry *tools = confab_session_get_tools (self->session);

  confab_elicitation_dialog_watch_registry (tools, GTK_WINDOW (self));
  confab_mcp_sign_in_watch_registry (tools, GTK_WINDOW (self));
}

static void
setup_session (ConfabWindow      *self,
               ConfabApplication *app)
{
  ConfabContext *context = confab_session_get_context (self->session);
  ConfabOptions *options = NULL;
  g_autoptr(ConfabProvider) provider = NULL;

  if (app != NULL)
    options = confab_application_get_options (app);

  /* Tools: the application's (mcp.json plus --mcp); a window of its own loads mcp.json. */
  if (app == NULL)
    confab_context_start_tools (context);
  g_signal_connect_object (context, "notify::tools", G_CALLBACK (watch_tools), self, G_CONNECT_SWAPPED);
  watch_tools (self);

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
      self->providers = g_object_ref (confab_context_get_providers (context));
      g_signal_connect (self->providers, "notify::active", G_CALLBACK (active_provider_changed), self);
      confab_session_set_provider (self->session, confab_provider_list_get_active (self->providers));
      confab_provider_list_load_keys_async (self->providers, self->cancellable,
                                            load_keys_cb, g_object_ref (self));
    }
}

/* ---------------------------------------------------------------------------------------- */
/* History (the store and its list)                                                         */

/* A save failed (disk full, read-only file, continued elsewhere): the conversation stays in
 * the window, but the user must know it is not on disk. A banner says so, not a dialog: the
 * user keeps working and can export a copy. One banner, however many writes fail. */
static void
store_write_failed (ConfabStore  *store,
                    const GError *error,
                    ConfabWindow *self)
{
  confab_save_banner_show_error (self->save_banner, error);
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
back_clicked (ConfabWindow *self,
              GtkButton    *button)
{
  /* The list hidden with its button in a wide window (a button a narrow one has not)
   * shows again: back leads somewhere. */
  gtk_toggle_button_set_active (self->conversations_button, TRUE);
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

static gboolean
confab_window_close_request (GtkWindow *window)
{
  if (_confab_window_keep_open (CONFAB_WINDOW (window)))
    return TRUE;

  return GTK_WINDOW_CLASS (confab_window_parent_class)->close_request (window);
}

static void
confab_window_dispose (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->linger_source, g_source_remove);
  if (self->providers != NULL)
    g_signal_handlers_disconnect_by_data (self->providers, self);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      confab_session_stop_all (self->session);
    }

  _confab_window_actions_dispose (self);
  if (self->title_signals != NULL)
    follow_title (self, NULL);
  g_clear_object (&self->title_signals);
  gtk_widget_dispose_template (GTK_WIDGET (object), CONFAB_TYPE_WINDOW);

  if (self->session != NULL)
    untrack_conversation (self, confab_session_get_conversation (self->session));
  g_clear_object (&self->notifier);
  g_clear_object (&self->session);
  g_clear_object (&self->context);
  g_clear_object (&self->store);
  g_clear_object (&self->providers);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (confab_window_parent_class)->dispose (object);
}

static void
confab_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT: self->context = g_value_dup_object (value); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_window_class_init (ConfabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = confab_window_constructed;
  object_class->dispose = confab_window_dispose;
  object_class->set_property = confab_window_set_property;
  window_class->close_request = confab_window_close_request;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CONFAB_TYPE_CONTEXT,
                         (G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CONFAB_TYPE_CHAT_VIEW);
  g_type_ensure (CONFAB_TYPE_SAVE_BANNER);
  g_type_ensure (CONFAB_TYPE_COMPOSER);
  g_type_ensure (CONFAB_TYPE_MODEL_CHOOSER);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversations_pane);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversations_bin);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, usage_flap);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, usage_bin);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversations_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, usage_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chat_header);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, model_chooser);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, promote_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, welcome_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chat_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, save_banner);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, composer);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, new_chat_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, back_button);
  gtk_widget_class_bind_template_callback (widget_class, invert_boolean);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, model_chosen);

  gtk_widget_class_install_action (widget_class, "win.new-chat", NULL, new_chat_action);
  gtk_widget_class_install_action (widget_class, "win.promote", NULL, promote_action);
  _confab_window_actions_class_init (widget_class);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.search", NULL);
  /* GNOME's search key too: a new user presses it first. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_C, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.copy-last-answer", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.copy-last-answer", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-sidebar", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, GDK_SHIFT_MASK, "win.toggle-conversations", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "chat.stop", NULL);
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
  self->title_signals = g_signal_group_new (CONFAB_TYPE_CONVERSATION);
  g_signal_group_connect_swapped (self->title_signals, "notify::title", G_CALLBACK (update_title), self);
}

static void
confab_window_constructed (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  G_OBJECT_CLASS (confab_window_parent_class)->constructed (object);

  /* The application's services; a window without one (tests) has its own. */
  self->session = confab_session_new_for_context (self->context);
  g_signal_connect (self->session, "running-changed", G_CALLBACK (_confab_window_background_running_changed), self);
  g_signal_connect (self, "notify::visible", G_CALLBACK (_confab_window_shown_again), NULL);

  g_object_bind_property (self->usage_button, "active", self->usage_flap, "reveal-flap",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_signal_connect_swapped (self->conversations_button, "notify::active",
                            G_CALLBACK (update_conversations_pane), self);
  update_conversations_pane (self);

  g_signal_connect_swapped (self->usage_flap, "notify::reveal-flap", G_CALLBACK (update_title_buttons), self);
  update_title_buttons (self);

  self->usage_sidebar = confab_usage_sidebar_new ();
  adw_bin_set_child (self->usage_bin, self->usage_sidebar);

  confab_chat_view_set_session (self->chat_view, self->session);
  confab_composer_set_session (self->composer, self->session);
  confab_model_chooser_set_session (self->model_chooser, self->session);
  /* Files and pictures dropped anywhere on the window are attached to the next message. */
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (
    confab_attachment_bar_create_drop_target (confab_composer_get_attachment_bar (self->composer))));

  /* A narrow window has the composer's buttons above the text, which gets the width. */
  g_signal_connect_object (self->leaflet, "notify::folded", G_CALLBACK (leaflet_folded_changed), self, 0);
  leaflet_folded_changed (self->leaflet, NULL, self);

  /* MCP resources and prompts for the message. */
  confab_composer_add_start_widget (self->composer,
                                    confab_mcp_prompts_new (self->session,
                                                            confab_composer_get_text_view (self->composer)));
  confab_composer_add_start_widget (self->composer,
                                    confab_mcp_attach_new (self->session,
                                                           confab_composer_get_text_view (self->composer)));
  g_signal_connect (self->session, "notify::provider", G_CALLBACK (session_provider_changed), self);
  g_signal_connect (self->session, "notify::conversation", G_CALLBACK (session_conversation_changed), self);
  g_signal_connect (self->session, "notify::busy", G_CALLBACK (session_busy_changed), self);
  g_signal_connect (self->session, "running-changed", G_CALLBACK (session_running_changed), self);
  /* (self, call): the call is the waiting one, found again when the row is built. */
  g_signal_connect (self->session, "approval-requested", G_CALLBACK (session_approval_requested), self);
  session_busy_changed (self->session, NULL, self);

  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->usage_flap));
}

static ConfabWindow *
window_new (ConfabApplication *application,
            gboolean           quick)
{
  ConfabWindow *self;

  self = g_object_new (CONFAB_TYPE_WINDOW,
                       "application", application,
                       "context", application ? confab_application_get_context (application) : NULL,
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
  /* Ready to type (or, before any provider, to add one). */
  confab_composer_focus (self->composer);
  update_main_page (self);

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

ConfabNotifier *
confab_window_get_notifier (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return self->notifier;
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

const char *
confab_window_get_visible_page (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->main_stack);
}
