/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-attachment-bar.h"
#include "confab-composer.h"
#include "confab-conversation.h"
#include "confab-provider.h"
#include "confab-send-check.h"

struct _ConfabComposer
{
  GtkWidget      parent_instance;

  ConfabSession *session;
  GSignalGroup  *session_signals;   /* follows whichever session is set */
  GSettings     *settings;
  gboolean       loading_prompt;
  gboolean       checks_confirmed;   /* the user chose Send Anyway for this text */

  GtkLabel      *reason_label;
  ConfabAttachmentBar *attachment_bar;
  GtkWidget     *attach_button;
  GtkWidget     *system_prompt_button;
  GtkWidget     *system_prompt_popover;
  GtkTextView   *system_prompt_view;
  GtkTextView   *text_view;
  GtkStack      *button_stack;
  GtkWidget     *send_button;
  GtkWidget     *stop_button;
  GtkWidget     *row_box;
  GtkWidget     *start_box;
};

G_DEFINE_FINAL_TYPE (ConfabComposer, confab_composer, GTK_TYPE_WIDGET)

static char *
dup_buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Something to send: text, or files alone. */
static gboolean
has_text (ConfabComposer *self)
{
  g_autofree char *text = dup_buffer_text (self->text_view);
  GListModel *attachments = confab_attachment_bar_get_model (self->attachment_bar);

  return *g_strstrip (text) != '\0' || g_list_model_get_n_items (attachments) > 0;
}

static void
update_state (ConfabComposer *self)
{
  const char *reason = NULL;
  gboolean busy = FALSE;

  if (self->session != NULL)
    {
      reason = confab_session_get_blocked_reason (self->session);
      busy = confab_session_get_busy (self->session);
    }
  else
    reason = _("No provider is configured. Add one in Preferences.");

  gtk_label_set_text (self->reason_label, reason != NULL ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reason_label), reason != NULL);
  /* The text view stays editable and keeps the focus while sending is impossible: a
   * draft can be typed before the model is chosen, and keystrokes never land on whatever
   * widget the focus would fall to (the model button in the header). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.attach", reason == NULL);

  gtk_stack_set_visible_child_name (self->button_stack, busy ? "stop" : "send");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send",
                                 reason == NULL && !busy && has_text (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.stop", busy);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  reason != NULL ? reason : "",
                                  -1);
}

static void
load_system_prompt (ConfabComposer *self)
{
  ConfabConversation *conversation = self->session ? confab_session_get_conversation (self->session) : NULL;
  const char *prompt = conversation ? confab_conversation_get_system_prompt (conversation) : NULL;

  self->loading_prompt = TRUE;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->system_prompt_view), prompt ? prompt : "", -1);
  self->loading_prompt = FALSE;
}

static void
system_prompt_changed (GtkTextBuffer  *buffer,
                       ConfabComposer *self)
{
  ConfabConversation *conversation;
  g_autofree char *text = NULL;

  if (self->loading_prompt || self->session == NULL)
    return;

  conversation = confab_session_get_conversation (self->session);
  text = dup_buffer_text (self->system_prompt_view);
  confab_conversation_set_system_prompt (conversation, text);
}

/* What the user should know before this message goes: the conversation nears the model's
 * context length, or the provider's monthly budget is spent. NULL when nothing. */
static char *
dup_send_warnings (ConfabComposer *self,
                   const char     *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
  ConfabProvider *provider = confab_session_get_provider (self->session);
  const char *model = confab_session_get_model (self->session);
  ConfabStore *store = CONFAB_IS_APPLICATION (app) ? confab_application_get_store (CONFAB_APPLICATION (app)) : NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_autofree char *context = NULL;
  g_autofree char *budget = NULL;
  g_autoptr(GVariant) context_lengths = g_settings_get_value (self->settings, "context-lengths");
  g_autoptr(GVariant) budgets = g_settings_get_value (self->settings, "monthly-budgets");
  gint64 context_length = 0;
  double monthly_budget = 0;

  if (model != NULL && !g_variant_lookup (context_lengths, model, "x", &context_length))
    context_length = confab_model_get_known_context_length (model);
  context = confab_send_check_context (confab_session_get_conversation (self->session), text, context_length);

  if (provider != NULL && store != NULL &&
      g_variant_lookup (budgets, confab_provider_get_name (provider), "d", &monthly_budget))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      budget = confab_send_check_budget (store, confab_provider_get_name (provider), monthly_budget, now);
    }

  if (context != NULL)
    g_string_append (warnings, context);
  if (budget != NULL)
    g_string_append_printf (warnings, "%s%s", warnings->len > 0 ? "\n\n" : "", budget);

  return warnings->len > 0 ? g_string_free (g_steal_pointer (&warnings), FALSE) : NULL;
}

static void
warning_response (AdwMessageDialog *dialog,
                  const char       *response,
                  ConfabComposer   *self)
{
  if (g_strcmp0 (response, "send") != 0)
    {
      confab_composer_focus (self);
      return;
    }

  self->checks_confirmed = TRUE;
  confab_composer_send (self);
}

/* Asks before sending; TRUE when it asked (the message waits for the answer). */
static gboolean
ask_before_sending (ConfabComposer *self,
                    const char     *text)
{
  g_autofree char *warnings = NULL;
  AdwMessageDialog *dialog;
  GtkRoot *root;

  if (self->checks_confirmed || (warnings = dup_send_warnings (self, text)) == NULL)
    return FALSE;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Send Anyway?"), warnings));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "send", _("_Send Anyway"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (warning_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

gboolean
confab_composer_send (ConfabComposer *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), FALSE);

  if (self->session == NULL || confab_session_get_busy (self->session))
    return FALSE;

  text = dup_buffer_text (self->text_view);
  g_strstrip (text);
  if (!has_text (self) || confab_attachment_bar_get_n_loading (self->attachment_bar) > 0)
    return FALSE;

  /* Too much for one message: said in the bar, nothing is sent or dropped. */
  if (!confab_attachment_bar_check (self->attachment_bar))
    return FALSE;

  if (ask_before_sending (self, text))
    return FALSE;
  self->checks_confirmed = FALSE;

  if (!confab_session_send_with_attachments (self->session, text,
                                             confab_attachment_bar_get_model (self->attachment_bar),
                                             &error))
    {
      gtk_label_set_text (self->reason_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->reason_label), TRUE);
      return FALSE;
    }

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
  confab_attachment_bar_clear (self->attachment_bar);
  confab_composer_focus (self);

  return TRUE;
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  confab_composer_send (CONFAB_COMPOSER (widget));
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  confab_attachment_bar_choose_files (CONFAB_COMPOSER (widget)->attachment_bar);
}

/* Ctrl+V of a picture or of files attaches them; text pastes as usual. */
static void
paste_clipboard (GtkTextView    *view,
                 ConfabComposer *self)
{
  if (confab_attachment_bar_paste (self->attachment_bar, gtk_widget_get_clipboard (GTK_WIDGET (view))))
    g_signal_stop_emission_by_name (view, "paste-clipboard");
}

static void
attachments_changed (GListModel     *model,
                     guint           position,
                     guint           removed,
                     guint           added,
                     ConfabComposer *self)
{
  update_state (self);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ConfabComposer *self = CONFAB_COMPOSER (widget);

  if (self->session != NULL)
    confab_session_stop (self->session);
}

static gboolean
key_pressed (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             ConfabComposer        *self)
{
  gboolean send_on_enter;

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return FALSE;

  send_on_enter = g_settings_get_boolean (self->settings, "send-on-enter");
  state &= gtk_accelerator_get_default_mod_mask ();

  if ((state & GDK_CONTROL_MASK) != 0 ||
      (send_on_enter && (state & (GDK_SHIFT_MASK | GDK_ALT_MASK)) == 0))
    {
      confab_composer_send (self);
      /* Enter never adds a line when it is "send", even when nothing was sent. */
      return TRUE;
    }

  return FALSE;
}

static void
text_changed (GtkTextBuffer  *buffer,
              ConfabComposer *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send",
                                 self->session != NULL &&
                                 confab_session_get_blocked_reason (self->session) == NULL &&
                                 !confab_session_get_busy (self->session) &&
                                 has_text (self));
}

static void
session_changed (ConfabSession  *session,
                 GParamSpec     *pspec,
                 ConfabComposer *self)
{
  update_state (self);
}

static void
session_conversation_changed (ConfabSession  *session,
                              GParamSpec     *pspec,
                              ConfabComposer *self)
{
  load_system_prompt (self);
  update_state (self);
}

static void
confab_composer_dispose (GObject *object)
{
  ConfabComposer *self = CONFAB_COMPOSER (object);
  GtkWidget *child;

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_COMPOSER);
  /* The template's root box has no id: unparent it too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (confab_composer_parent_class)->dispose (object);
}

static gboolean
confab_composer_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (CONFAB_COMPOSER (widget)->text_view));
}

static void
confab_composer_class_init (ConfabComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_composer_dispose;
  widget_class->grab_focus = confab_composer_grab_focus;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "composer");
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, reason_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, attachment_bar);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, attach_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, row_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, start_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, system_prompt_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, system_prompt_popover);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, system_prompt_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, text_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, button_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, send_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, stop_button);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "composer.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "composer.attach", NULL, attach_action);

  g_type_ensure (CONFAB_TYPE_ATTACHMENT_BAR);
}

static void
confab_composer_init (ConfabComposer *self)
{
  GtkEventController *keys;

  self->session_signals = g_signal_group_new (CONFAB_TYPE_SESSION);
  g_signal_group_connect (self->session_signals, "notify::busy", G_CALLBACK (session_changed), self);
  g_signal_group_connect (self->session_signals, "notify::provider", G_CALLBACK (session_changed), self);
  g_signal_group_connect (self->session_signals, "notify::model", G_CALLBACK (session_changed), self);
  g_signal_group_connect (self->session_signals, "notify::conversation",
                          G_CALLBACK (session_conversation_changed), self);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), keys);

  g_signal_connect (gtk_text_view_get_buffer (self->text_view), "changed",
                    G_CALLBACK (text_changed), self);
  g_signal_connect (self->text_view, "paste-clipboard", G_CALLBACK (paste_clipboard), self);
  g_signal_connect_object (confab_attachment_bar_get_model (self->attachment_bar), "items-changed",
                           G_CALLBACK (attachments_changed), self, 0);
  g_signal_connect (gtk_text_view_get_buffer (self->system_prompt_view), "changed",
                    G_CALLBACK (system_prompt_changed), self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Message"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->send_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Send message"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stop_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Stop the answer"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->attach_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Attach images, text files or PDFs"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->system_prompt_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Edit the system prompt"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->system_prompt_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("System prompt"), -1);

  update_state (self);
}

GtkWidget *
confab_composer_new (void)
{
  return g_object_new (CONFAB_TYPE_COMPOSER, NULL);
}

void
confab_composer_set_session (ConfabComposer *self,
                             ConfabSession  *session)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));
  g_return_if_fail (!session || CONFAB_IS_SESSION (session));

  if (self->session == session)
    return;

  g_set_object (&self->session, session);
  g_signal_group_set_target (self->session_signals, session);

  load_system_prompt (self);
  update_state (self);
}

GtkTextView *
confab_composer_get_text_view (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), NULL);
  return self->text_view;
}

void
confab_composer_set_text (ConfabComposer *self,
                          const char     *text)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text ? text : "", -1);
}

char *
confab_composer_dup_text (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), NULL);
  return dup_buffer_text (self->text_view);
}

void
confab_composer_focus (ConfabComposer *self)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

ConfabAttachmentBar *
confab_composer_get_attachment_bar (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), NULL);
  return self->attachment_bar;
}

void
confab_composer_add_start_widget (ConfabComposer *self,
                                  GtkWidget      *widget)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (self->system_prompt_button)),
                              widget, self->system_prompt_button);
}

void
confab_composer_set_compact (ConfabComposer *self,
                             gboolean        compact)
{
  g_autoptr(GtkWidget) start_box = NULL;
  GtkWidget *outer;

  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  outer = gtk_widget_get_parent (self->row_box);
  if ((gtk_widget_get_parent (self->start_box) == outer) == !!compact)
    return;

  /* Above the text, it has the whole width; beside it, it had what four buttons left. */
  start_box = g_object_ref (self->start_box);
  gtk_box_remove (GTK_BOX (gtk_widget_get_parent (start_box)), start_box);
  if (compact)
    gtk_box_insert_child_after (GTK_BOX (outer), start_box, GTK_WIDGET (self->attachment_bar));
  else
    gtk_box_prepend (GTK_BOX (self->row_box), start_box);
  gtk_widget_set_halign (start_box, compact ? GTK_ALIGN_START : GTK_ALIGN_FILL);
}
