/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-message-row"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-attachment-bar.h"
#include "confab-enums.h"
#include "confab-message.h"
#include "confab-message-row.h"
#include "confab-tool-call.h"

#include <adwaita.h>

#include "confab-tool-call-card.h"

struct _ConfabMessageRow
{
  GtkWidget           parent_instance;

  ConfabMessage      *message;
  GListModel         *tool_calls;
  GSignalGroup       *signals;
  ConfabMessageState  shown_state;

  GtkWidget          *bubble;
  GtkLabel           *author_label;
  GtkSpinner         *spinner;
  GtkExpander        *thinking_expander;   /* built when there is reasoning */
  ConfabMarkdownView *thinking_view;
  ConfabMarkdownView *content_view;
  GtkBox             *tool_calls_box;
  GtkWidget          *attachment_bar;      /* built for the first message with files */
  GtkWidget          *edit_box;            /* built on the first edit */
  GtkTextView        *edit_view;
  GtkWidget          *error_box;           /* built on the first failure */
  GtkLabel           *error_label;
  GtkExpander        *details_expander;    /* the HTTP error body, as plain text */
  GtkLabel           *details_label;
  GtkWidget          *check_key_button;    /* 401/403 */
  GtkWidget          *retry_button;
  GtkLabel           *status_label;
  GtkWidget          *actions_box;
  GtkWidget          *copy_button;
  GtkWidget          *edit_button;
  GtkWidget          *regenerate_button;
  GtkWidget          *inspect_button;

  /* While mapped: the adjustment of the scrolled window the row is in, and whether the row
   * was drawn (near the viewport) the last time. */
  GtkAdjustment      *vadjustment;
  gboolean            drawn;
};

G_DEFINE_FINAL_TYPE (ConfabMessageRow, confab_message_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------------------------- */
/* Tool calls                                                                               */


static void
tool_calls_changed (GListModel       *model,
                    guint             position,
                    guint             removed,
                    guint             added,
                    ConfabMessageRow *self)
{
  GtkWidget *child;
  guint i;

  /* Cards of removed calls go; new ones are inserted in call order. */
  child = gtk_widget_get_first_child (GTK_WIDGET (self->tool_calls_box));
  for (i = 0; i < position && child != NULL; i++)
    child = gtk_widget_get_next_sibling (child);

  for (i = 0; i < removed && child != NULL; i++)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      gtk_box_remove (self->tool_calls_box, child);
      child = next;
    }

  for (i = 0; i < added; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (model, position + i);
      GtkWidget *card = confab_tool_call_card_new (call);
      GtkWidget *prev = child != NULL ? gtk_widget_get_prev_sibling (child)
                                      : gtk_widget_get_last_child (GTK_WIDGET (self->tool_calls_box));

      gtk_box_insert_child_after (self->tool_calls_box, card, prev);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->tool_calls_box), g_list_model_get_n_items (model) > 0);
}

static void
clear_tool_calls (ConfabMessageRow *self)
{
  GtkWidget *child;

  if (self->tool_calls != NULL)
    g_signal_handlers_disconnect_by_func (self->tool_calls, tool_calls_changed, self);
  g_clear_object (&self->tool_calls);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tool_calls_box))))
    gtk_box_remove (self->tool_calls_box, child);
  gtk_widget_set_visible (GTK_WIDGET (self->tool_calls_box), FALSE);
}

/* ---------------------------------------------------------------------------------------- */

/* Rows are many (the list builds a few hundred): parts most messages never show are made
 * on first use. */
static void
ensure_thinking (ConfabMessageRow *self)
{
  GtkWidget *header;

  if (self->thinking_expander != NULL)
    return;

  self->thinking_expander = GTK_EXPANDER (gtk_expander_new (_("Thinking")));
  gtk_widget_set_name (GTK_WIDGET (self->thinking_expander), "thinking_expander");
  gtk_widget_add_css_class (GTK_WIDGET (self->thinking_expander), "thinking");
  gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), FALSE);
  self->thinking_view = CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ());
  confab_markdown_view_set_plain (self->thinking_view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->thinking_view), "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->thinking_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Thinking text"), -1);
  gtk_expander_set_child (self->thinking_expander, GTK_WIDGET (self->thinking_view));

  header = gtk_widget_get_first_child (self->bubble);
  gtk_box_insert_child_after (GTK_BOX (self->bubble), GTK_WIDGET (self->thinking_expander), header);
}

static void
ensure_edit_box (ConfabMessageRow *self)
{
  GtkWidget *scroller, *bar, *label, *cancel, *send;
  GtkEventController *shortcuts;

  if (self->edit_box != NULL)
    return;

  self->edit_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_visible (self->edit_box, FALSE);

  self->edit_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->edit_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->edit_view, 8);
  gtk_text_view_set_bottom_margin (self->edit_view, 8);
  gtk_text_view_set_left_margin (self->edit_view, 8);
  gtk_text_view_set_right_margin (self->edit_view, 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->edit_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Edited message"), -1);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 300);
  gtk_widget_add_css_class (scroller, "card");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->edit_view));
  gtk_box_append (GTK_BOX (self->edit_box), scroller);

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  label = gtk_label_new (_("Sending replaces this message and every message after it."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (bar), label);

  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "row.edit-cancel");
  gtk_box_append (GTK_BOX (bar), cancel);

  send = gtk_button_new_with_mnemonic (_("_Send"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (send), "row.edit-send");
  gtk_widget_add_css_class (send, "suggested-action");
  gtk_box_append (GTK_BOX (bar), send);
  gtk_box_append (GTK_BOX (self->edit_box), bar);

  /* Escape leaves the edit as Cancel does (the window's Escape only stops an answer). */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("row.edit-cancel")));
  gtk_widget_add_controller (self->edit_box, shortcuts);

  gtk_box_insert_child_after (GTK_BOX (self->bubble), self->edit_box, GTK_WIDGET (self->tool_calls_box));
}

/* Most messages never fail: the error box (4 widgets, a button among them) is built when
 * one first does, in its place before the status line. */
static void
ensure_error_box (ConfabMessageRow *self)
{
  GtkWidget *image;
  GtkWidget *texts;

  if (self->error_box != NULL)
    return;

  self->error_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (self->error_box, "message-error");
  image = g_object_new (GTK_TYPE_IMAGE,
                        "icon-name", "dialog-warning-symbolic",
                        "valign", GTK_ALIGN_START,
                        "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                        NULL);
  gtk_box_append (GTK_BOX (self->error_box), image);
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->error_label, 0);
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_wrap_mode (self->error_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->error_label, TRUE);
  texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (self->error_label));
  /* What the server sent (a proxy's HTML page …) as text, never as markup, out of the way. */
  self->details_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_use_markup (self->details_label, FALSE);
  gtk_label_set_xalign (self->details_label, 0);
  gtk_label_set_wrap (self->details_label, TRUE);
  gtk_label_set_wrap_mode (self->details_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->details_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->details_label), "monospace");
  self->details_expander = GTK_EXPANDER (gtk_expander_new_with_mnemonic (_("_Details")));
  gtk_expander_set_child (self->details_expander, GTK_WIDGET (self->details_label));
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (self->details_expander));
  gtk_box_append (GTK_BOX (self->error_box), texts);
  self->check_key_button = gtk_button_new_with_mnemonic (_("Check API _Key"));
  gtk_widget_set_valign (self->check_key_button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->check_key_button), "win.check-api-key");
  gtk_box_append (GTK_BOX (self->error_box), self->check_key_button);
  self->retry_button = gtk_button_new_with_mnemonic (_("_Retry"));
  gtk_widget_set_valign (self->retry_button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->retry_button), "row.retry");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->retry_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Retry the request"), -1);
  gtk_box_append (GTK_BOX (self->error_box), self->retry_button);
  gtk_widget_insert_before (self->error_box, self->bubble, GTK_WIDGET (self->status_label));
}

#define MAX_DETAILS_CHARS 4000

/* The HTTP error body under "Details", and "Check API Key" where the key is the likely
 * cause (401, 403). */
static void
update_error_details (ConfabMessageRow *self)
{
  guint status = confab_message_get_http_status (self->message);
  g_autoptr(GBytes) raw = status >= 400 ? confab_message_dup_raw_response (self->message) : NULL;
  g_autofree char *text = NULL;

  if (raw != NULL && g_bytes_get_size (raw) > 0)
    {
      gsize len;
      const char *data = g_bytes_get_data (raw, &len);

      text = g_utf8_make_valid (data, len);
      g_strstrip (text);
      if (g_utf8_strlen (text, -1) > MAX_DETAILS_CHARS)
        {
          char *cut = g_utf8_offset_to_pointer (text, MAX_DETAILS_CHARS);
          g_autofree char *shortened = g_strndup (text, cut - text);

          g_free (text);
          text = g_strconcat (shortened, "…", NULL);
        }
    }

  gtk_label_set_text (self->details_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->details_expander), text != NULL && *text != '\0');
  gtk_widget_set_visible (self->check_key_button, status == 401 || status == 403);
}

static void
update_content_visibility (ConfabMessageRow *self)
{
  gboolean has_content = self->message != NULL &&
                         confab_message_get_content_length (self->message) > 0;
  gboolean streaming = self->message != NULL &&
                       confab_message_get_state (self->message) == CONFAB_MESSAGE_STATE_STREAMING;
  const char *reasoning = self->message ? confab_message_get_reasoning (self->message) : NULL;

  /* Hidden only once it is sure to stay empty (a step that only called tools): a text view
   * that gets its text while hidden keeps a stale height when shown again. */
  gtk_widget_set_visible (GTK_WIDGET (self->content_view), has_content || streaming);
  if (reasoning != NULL && *reasoning != '\0')
    ensure_thinking (self);
  if (self->thinking_expander != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), reasoning != NULL && *reasoning != '\0');
}

/* The files sent with a user message, as chips under its text (click: preview). */
static void
update_attachments (ConfabMessageRow *self)
{
  guint n = self->message ? confab_message_get_n_attachments (self->message) : 0;

  if (n > 0 && self->attachment_bar == NULL)
    {
      self->attachment_bar = confab_attachment_bar_new ();
      gtk_box_insert_child_after (GTK_BOX (self->bubble), self->attachment_bar,
                                  GTK_WIDGET (self->content_view));
    }

  if (self->attachment_bar != NULL)
    confab_attachment_bar_set_model (CONFAB_ATTACHMENT_BAR (self->attachment_bar),
                                     n > 0 ? confab_message_get_attachments (self->message) : NULL);
}

static void
announce (ConfabMessageRow *self)
{
  const char *content = confab_message_get_content (self->message);
  g_autofree char *summary = NULL;

  summary = g_strdup_printf (_("Answer complete: %.200s"), content ? content : "");

#if GTK_CHECK_VERSION (4, 14, 0)
  gtk_accessible_announce (GTK_ACCESSIBLE (self), summary, GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_MEDIUM);
#else
  /* No announcements on GTK 4.8: the row's description changes once, when the reply is
   * complete, never per token. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary,
                                  -1);
#endif
}

static void
update_state (ConfabMessageRow *self)
{
  ConfabMessageState state;
  ConfabRole role;
  const GError *error;
  gboolean streaming;

  if (self->message == NULL)
    return;

  state = confab_message_get_state (self->message);
  role = confab_message_get_role (self->message);
  error = confab_message_get_error (self->message);
  streaming = state == CONFAB_MESSAGE_STATE_STREAMING;

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), streaming);
  gtk_spinner_set_spinning (self->spinner, streaming);

  if (!streaming)
    {
      confab_markdown_view_finish (self->content_view);
      if (self->thinking_view != NULL)
        confab_markdown_view_finish (self->thinking_view);
    }

  update_content_visibility (self);

  if ((state == CONFAB_MESSAGE_STATE_FAILED || state == CONFAB_MESSAGE_STATE_INTERRUPTED) && error != NULL)
    {
      int retry_after = confab_message_get_retry_after (self->message);

      ensure_error_box (self);
      if (retry_after > 0)
        {
          /* Rate limits say how long to wait: tell the user before they press Retry. */
          g_autofree char *text =
            g_strdup_printf (ngettext ("%s\nThe provider asks to wait %d second before you retry.",
                                       "%s\nThe provider asks to wait %d seconds before you retry.",
                                       retry_after),
                             error->message, retry_after);
          gtk_label_set_text (self->error_label, text);
        }
      else
        gtk_label_set_text (self->error_label, error->message);
      update_error_details (self);
      gtk_widget_set_visible (self->error_box, TRUE);
      gtk_widget_set_visible (self->retry_button, role == CONFAB_ROLE_ASSISTANT);
    }
  else if (state == CONFAB_MESSAGE_STATE_FAILED || state == CONFAB_MESSAGE_STATE_INTERRUPTED)
    {
      ensure_error_box (self);
      gtk_label_set_text (self->error_label, _("The answer stopped before it was complete."));
      update_error_details (self);
      gtk_widget_set_visible (self->error_box, TRUE);
      gtk_widget_set_visible (self->retry_button, role == CONFAB_ROLE_ASSISTANT);
    }
  else if (self->error_box != NULL)
    gtk_widget_set_visible (self->error_box, FALSE);

  if (state == CONFAB_MESSAGE_STATE_CANCELLED)
    {
      gtk_label_set_text (self->status_label, _("Stopped"));
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);

  gtk_widget_set_visible (self->actions_box, !streaming);
  gtk_widget_set_visible (self->edit_button, role == CONFAB_ROLE_USER);
  gtk_widget_set_visible (self->regenerate_button, role == CONFAB_ROLE_ASSISTANT);
  gtk_widget_set_visible (self->inspect_button,
                          role == CONFAB_ROLE_ASSISTANT &&
                          confab_message_get_request_body (self->message) != NULL);

  if (self->shown_state == CONFAB_MESSAGE_STATE_STREAMING &&
      state == CONFAB_MESSAGE_STATE_COMPLETE &&
      role == CONFAB_ROLE_ASSISTANT)
    announce (self);

  self->shown_state = state;
}

static void
content_appended (ConfabMessage    *message,
                  const char       *piece,
                  ConfabMessageRow *self)
{
  confab_markdown_view_append_text (self->content_view, piece, -1);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->content_view)))
    gtk_widget_set_visible (GTK_WIDGET (self->content_view), TRUE);
}

static void
reasoning_appended (ConfabMessage    *message,
                    const char       *piece,
                    ConfabMessageRow *self)
{
  ensure_thinking (self);
  confab_markdown_view_append_text (self->thinking_view, piece, -1);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->thinking_expander)))
    gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), TRUE);
}

static void
content_replaced (ConfabMessage    *message,
                  GParamSpec       *pspec,
                  ConfabMessageRow *self)
{
  confab_markdown_view_set_text (self->content_view, confab_message_get_content (message));
  update_content_visibility (self);
}

static void
reasoning_replaced (ConfabMessage    *message,
                    GParamSpec       *pspec,
                    ConfabMessageRow *self)
{
  ensure_thinking (self);
  confab_markdown_view_set_text (self->thinking_view, confab_message_get_reasoning (message));
  update_content_visibility (self);
}

static void
state_changed (ConfabMessage    *message,
               GParamSpec       *pspec,
               ConfabMessageRow *self)
{
  update_state (self);
}

static void
leave_edit_mode (ConfabMessageRow *self)
{
  if (self->edit_box != NULL)
    gtk_widget_set_visible (self->edit_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->content_view), TRUE);
  update_state (self);
}

void
confab_message_row_set_message (ConfabMessageRow *self,
                                ConfabMessage    *message)
{
  ConfabRole role;
  const char *model;

  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));
  g_return_if_fail (!message || CONFAB_IS_MESSAGE (message));

  if (self->message == message)
    return;

  clear_tool_calls (self);
  g_signal_group_set_target (self->signals, NULL);
  g_set_object (&self->message, message);
  if (self->edit_box != NULL)
    gtk_widget_set_visible (self->edit_box, FALSE);

  if (message == NULL)
    {
      confab_markdown_view_set_text (self->content_view, NULL);
      if (self->thinking_view != NULL)
        confab_markdown_view_set_text (self->thinking_view, NULL);
      update_attachments (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
      return;
    }

  role = confab_message_get_role (message);
  model = confab_message_get_model (message);

  gtk_widget_remove_css_class (self->bubble, "user");
  gtk_widget_remove_css_class (self->bubble, "assistant");
  gtk_widget_add_css_class (self->bubble, role == CONFAB_ROLE_USER ? "user" : "assistant");

  if (role == CONFAB_ROLE_USER)
    gtk_label_set_text (self->author_label, _("You"));
  else if (model != NULL && *model != '\0')
    gtk_label_set_text (self->author_label, model);
  else
    gtk_label_set_text (self->author_label, _("Assistant"));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  role == CONFAB_ROLE_USER ? _("Your message") : _("Answer"),
                                  -1);

  /* Shown before it gets its text (see update_content_visibility). */
  gtk_widget_set_visible (GTK_WIDGET (self->content_view), TRUE);

  /* User text is shown as typed; answers are Markdown. */
  confab_markdown_view_set_plain (self->content_view, role == CONFAB_ROLE_USER);
  self->shown_state = confab_message_get_state (message);
  if (self->shown_state == CONFAB_MESSAGE_STATE_STREAMING)
    {
      /* Still streaming: the last block stays open for the pieces to come. */
      confab_markdown_view_set_text (self->content_view, NULL);
      confab_markdown_view_append_text (self->content_view, confab_message_get_content (message), -1);
      if (*confab_message_get_reasoning (message) != '\0')
        ensure_thinking (self);
      if (self->thinking_view != NULL)
        {
          confab_markdown_view_set_text (self->thinking_view, NULL);
          confab_markdown_view_append_text (self->thinking_view, confab_message_get_reasoning (message), -1);
        }
    }
  else
    {
      confab_markdown_view_set_text (self->content_view, confab_message_get_content (message));
      if (*confab_message_get_reasoning (message) != '\0')
        ensure_thinking (self);
      if (self->thinking_view != NULL)
        confab_markdown_view_set_text (self->thinking_view, confab_message_get_reasoning (message));
    }

  self->tool_calls = g_object_ref (confab_message_get_tool_calls (message));
  g_signal_connect (self->tool_calls, "items-changed", G_CALLBACK (tool_calls_changed), self);
  tool_calls_changed (self->tool_calls, 0, 0, g_list_model_get_n_items (self->tool_calls), self);

  g_signal_group_set_target (self->signals, message);

  update_content_visibility (self);
  update_attachments (self);
  update_state (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

/* ---------------------------------------------------------------------------------------- */
/* Actions                                                                                  */

static void
activate_with_id (ConfabMessageRow *self,
                  const char       *action)
{
  if (self->message == NULL)
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), action, "s", confab_message_get_id (self->message));
}

static void
row_copy (GtkWidget  *widget,
          const char *action_name,
          GVariant   *parameter)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);

  if (self->message == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), confab_message_get_content (self->message));
}

static void
row_regenerate (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  activate_with_id (CONFAB_MESSAGE_ROW (widget), "chat.regenerate");
}

static void
row_inspect (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  activate_with_id (CONFAB_MESSAGE_ROW (widget), "chat.inspect");
}

static void
row_retry (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  activate_with_id (CONFAB_MESSAGE_ROW (widget), "chat.retry");
}

static void
row_edit (GtkWidget  *widget,
          const char *action_name,
          GVariant   *parameter)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);
  GtkTextBuffer *buffer;

  if (self->message == NULL)
    return;

  ensure_edit_box (self);
  buffer = gtk_text_view_get_buffer (self->edit_view);
  gtk_text_buffer_set_text (buffer, confab_message_get_content (self->message), -1);
  gtk_widget_set_visible (GTK_WIDGET (self->content_view), FALSE);
  gtk_widget_set_visible (self->actions_box, FALSE);
  gtk_widget_set_visible (self->edit_box, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->edit_view));
}

static void
row_edit_cancel (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  leave_edit_mode (CONFAB_MESSAGE_ROW (widget));
}

static void
row_edit_send (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);
  GtkTextBuffer *buffer;
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;
  GtkTextIter start, end;

  if (self->message == NULL || self->edit_box == NULL)
    return;

  buffer = gtk_text_view_get_buffer (self->edit_view);

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_strstrip (text);
  if (*text == '\0')
    return;

  id = g_strdup (confab_message_get_id (self->message));
  leave_edit_mode (self);
  /* May unbind this row from its message: keep nothing of it after this call. */
  gtk_widget_activate_action (widget, "chat.edit-resend", "(ss)", id, text);
}

/* ---------------------------------------------------------------------------------------- */

static void
confab_message_row_dispose (GObject *object)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);
  GtkWidget *child;

  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);
  if (self->tool_calls != NULL)
    g_signal_handlers_disconnect_by_func (self->tool_calls, tool_calls_changed, self);
  g_clear_object (&self->tool_calls);
  g_clear_object (&self->message);
  g_clear_object (&self->signals);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (confab_message_row_parent_class)->dispose (object);
}

static void
confab_message_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      confab_message_row_set_message (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* GtkListView (GTK 4.8) draws every row it keeps, on screen or not, and every text node
 * drawn costs the renderer: a row more than a page away from the viewport draws nothing,
 * and is drawn again when the viewport comes near. */
static gboolean
near_viewport (ConfabMessageRow *self)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t viewport;
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  if (scroller == NULL || !gtk_widget_compute_bounds (scroller, GTK_WIDGET (self), &viewport))
    return TRUE;

  return viewport.origin.y - viewport.size.height <= height &&
         viewport.origin.y + 2 * viewport.size.height >= 0;
}

static void
viewport_moved (GtkAdjustment    *adjustment,
                ConfabMessageRow *self)
{
  if (near_viewport (self) != self->drawn)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
confab_message_row_map (GtkWidget *widget)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);
  GtkWidget *scroller;

  GTK_WIDGET_CLASS (confab_message_row_parent_class)->map (widget);

  scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  if (scroller != NULL)
    {
      self->vadjustment = g_object_ref (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)));
      /* Scrolled, or rows changed height above it. */
      g_signal_connect (self->vadjustment, "value-changed", G_CALLBACK (viewport_moved), self);
      g_signal_connect (self->vadjustment, "changed", G_CALLBACK (viewport_moved), self);
    }
}

static void
confab_message_row_unmap (GtkWidget *widget)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);

  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, viewport_moved, self);
  g_clear_object (&self->vadjustment);

  GTK_WIDGET_CLASS (confab_message_row_parent_class)->unmap (widget);
}

static void
confab_message_row_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);

  self->drawn = near_viewport (self);
  if (self->drawn)
    GTK_WIDGET_CLASS (confab_message_row_parent_class)->snapshot (widget, snapshot);
}

static void
confab_message_row_class_init (ConfabMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_message_row_dispose;
  object_class->get_property = confab_message_row_get_property;
  object_class->set_property = confab_message_row_set_property;
  widget_class->map = confab_message_row_map;
  widget_class->unmap = confab_message_row_unmap;
  widget_class->snapshot = confab_message_row_snapshot;

  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, CONFAB_TYPE_MESSAGE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CONFAB_TYPE_MARKDOWN_VIEW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messagerow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  gtk_widget_class_install_action (widget_class, "row.copy", NULL, row_copy);
  gtk_widget_class_install_action (widget_class, "row.regenerate", NULL, row_regenerate);
  gtk_widget_class_install_action (widget_class, "row.inspect", NULL, row_inspect);
  gtk_widget_class_install_action (widget_class, "row.retry", NULL, row_retry);
  gtk_widget_class_install_action (widget_class, "row.edit", NULL, row_edit);
  gtk_widget_class_install_action (widget_class, "row.edit-cancel", NULL, row_edit_cancel);
  gtk_widget_class_install_action (widget_class, "row.edit-send", NULL, row_edit_send);
}

static GtkWidget *
action_button (const char *icon_name,
               const char *tooltip,
               const char *label,
               const char *action_name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_add_css_class (button, "flat");
  /* Set while hidden: on a visible widget GTK asks the display server where the pointer is,
   * a round trip per button of each row built. */
  gtk_widget_set_visible (button, FALSE);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_visible (button, TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  return button;
}

/* Built in code, not from a template: the list builds a few hundred rows at once and
 * GtkBuilder cost three times the widgets themselves. */
static void
build_widgets (ConfabMessageRow *self)
{
  GtkWidget *clamp, *header;

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 860);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), 600);
  gtk_widget_set_parent (clamp, GTK_WIDGET (self));

  self->bubble = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (self->bubble, "message");
  adw_clamp_set_child (ADW_CLAMP (clamp), self->bubble);

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->author_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->author_label, 0);
  gtk_label_set_ellipsize (self->author_label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (self->author_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->author_label), "heading");
  gtk_widget_add_css_class (GTK_WIDGET (self->author_label), "message-author");
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->author_label));
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->spinner));
  gtk_box_append (GTK_BOX (self->bubble), header);

  self->content_view = CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ());
  gtk_box_append (GTK_BOX (self->bubble), GTK_WIDGET (self->content_view));

  self->tool_calls_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_widget_set_visible (GTK_WIDGET (self->tool_calls_box), FALSE);
  gtk_box_append (GTK_BOX (self->bubble), GTK_WIDGET (self->tool_calls_box));


  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  gtk_label_set_xalign (self->status_label, 0);
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "caption");
  gtk_box_append (GTK_BOX (self->bubble), GTK_WIDGET (self->status_label));

  self->actions_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  gtk_widget_add_css_class (self->actions_box, "message-actions");
  self->copy_button = action_button ("edit-copy-symbolic", _("Copy"), _("Copy message"), "row.copy");
  self->edit_button = action_button ("document-edit-symbolic", _("Edit and Resend"), _("Edit and resend"), "row.edit");
  self->regenerate_button = action_button ("view-refresh-symbolic", _("Regenerate"), _("Regenerate answer"), "row.regenerate");
  self->inspect_button = action_button ("system-search-symbolic", _("Inspect Request and Response"),
                                        _("Inspect the request and response"), "row.inspect");
  gtk_box_append (GTK_BOX (self->actions_box), self->copy_button);
  gtk_box_append (GTK_BOX (self->actions_box), self->edit_button);
  gtk_box_append (GTK_BOX (self->actions_box), self->regenerate_button);
  gtk_box_append (GTK_BOX (self->actions_box), self->inspect_button);
  gtk_box_append (GTK_BOX (self->bubble), self->actions_box);
}

static void
confab_message_row_init (ConfabMessageRow *self)
{
  build_widgets (self);

  self->signals = g_signal_group_new (CONFAB_TYPE_MESSAGE);
  g_signal_group_connect (self->signals, "content-appended", G_CALLBACK (content_appended), self);
  g_signal_group_connect (self->signals, "reasoning-appended", G_CALLBACK (reasoning_appended), self);
  g_signal_group_connect (self->signals, "notify::content", G_CALLBACK (content_replaced), self);
  g_signal_group_connect (self->signals, "notify::reasoning", G_CALLBACK (reasoning_replaced), self);
  g_signal_group_connect (self->signals, "notify::state", G_CALLBACK (state_changed), self);
  g_signal_group_connect (self->signals, "notify::error", G_CALLBACK (state_changed), self);
  g_signal_group_connect (self->signals, "notify::request-body", G_CALLBACK (state_changed), self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->content_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Message text"), -1);
}

GtkWidget *
confab_message_row_new (void)
{
  return g_object_new (CONFAB_TYPE_MESSAGE_ROW, NULL);
}

ConfabMessage *
confab_message_row_get_message (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);
  return self->message;
}

ConfabMarkdownView *
confab_message_row_get_content_view (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);
  return self->content_view;
}

ConfabMarkdownView *
confab_message_row_get_thinking_view (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);
  ensure_thinking (self);
  return self->thinking_view;
}

GtkWidget *
confab_message_row_get_tool_calls_box (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);
  return GTK_WIDGET (self->tool_calls_box);
}

const char *
confab_message_row_get_error_text (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);

  if (self->error_box == NULL || !gtk_widget_get_visible (self->error_box))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

void
confab_message_row_flush (ConfabMessageRow *self)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  confab_markdown_view_flush (self->content_view);
  if (self->thinking_view != NULL)
    confab_markdown_view_flush (self->thinking_view);
}
