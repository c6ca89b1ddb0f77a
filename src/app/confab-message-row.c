/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-message-row"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-attachment-bar.h"
#include "confab-chat-view.h"
#include "confab-conversation.h"
#include "confab-enums.h"
#include "confab-message.h"
#include "confab-message-actions.h"
#include "confab-message-editor.h"
#include "confab-message-error.h"
#include "confab-message-row.h"
#include "confab-session.h"
#include "confab-tool-call-cards.h"
#include "confab-turn-timeline-dialog.h"
#include "confab-version-switcher.h"

#include <adwaita.h>

struct _ConfabMessageRow
{
  GtkWidget           parent_instance;

  ConfabMessage      *message;
  GSignalGroup       *signals;
  ConfabMessageState  shown_state;

  GtkWidget          *bubble;
  GtkLabel           *author_label;
  GtkSpinner         *spinner;
  GtkExpander        *thinking_expander;   /* built when there is reasoning */
  ConfabMarkdownView *thinking_view;
  ConfabMarkdownView *content_view;
  GtkWidget          *tool_calls_box;      /* ConfabToolCallCards */
  GtkWidget          *attachment_bar;      /* built for the first message with files */
  GtkWidget          *editor;              /* built on the first edit */
  GtkWidget          *versions;            /* "‹ 2/3 ›" when the place has other versions */
  guint               version;             /* which version of its place the message is */
  guint               n_versions;
  GtkWidget          *error_box;           /* built on the first failure */
  GtkLabel           *status_label;
  GtkWidget          *actions_box;         /* ConfabMessageActions */

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

/* The views show the message's text: they read it from the message instead of keeping a
 * second copy of a long answer. */
static const char *
get_content_source (gpointer user_data)
{
  ConfabMessageRow *self = user_data;

  return self->message != NULL ? confab_message_get_content (self->message) : "";
}

static const char *
get_reasoning_source (gpointer user_data)
{
  ConfabMessageRow *self = user_data;

  return self->message != NULL ? confab_message_get_reasoning (self->message) : "";
}

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
  confab_markdown_view_set_source_func (self->thinking_view, get_reasoning_source, self, NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->thinking_view), "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->thinking_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Thinking text"), -1);
  gtk_expander_set_child (self->thinking_expander, GTK_WIDGET (self->thinking_view));

  header = gtk_widget_get_first_child (self->bubble);
  gtk_box_insert_child_after (GTK_BOX (self->bubble), GTK_WIDGET (self->thinking_expander), header);
}

static void editor_send      (ConfabMessageEditor *editor,
                             const char          *text,
                             ConfabMessageRow    *self);
static void editor_cancelled (ConfabMessageEditor *editor,
                              ConfabMessageRow    *self);

static void
ensure_editor (ConfabMessageRow *self)
{
  if (self->editor != NULL)
    return;

  self->editor = confab_message_editor_new ();
  gtk_widget_set_visible (self->editor, FALSE);
  g_signal_connect (self->editor, "send", G_CALLBACK (editor_send), self);
  g_signal_connect (self->editor, "cancelled", G_CALLBACK (editor_cancelled), self);
  gtk_box_insert_child_after (GTK_BOX (self->bubble), self->editor, GTK_WIDGET (self->tool_calls_box));
}

/* Most messages never fail: the error box is built when one first does, in its place
 * before the status line. */
static void
ensure_error_box (ConfabMessageRow *self)
{
  if (self->error_box != NULL)
    return;

  self->error_box = confab_message_error_new ();
  gtk_widget_insert_before (self->error_box, self->bubble, GTK_WIDGET (self->status_label));
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
  gboolean streaming;

  if (self->message == NULL)
    return;

  state = confab_message_get_state (self->message);
  role = confab_message_get_role (self->message);
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

  if (state == CONFAB_MESSAGE_STATE_FAILED || state == CONFAB_MESSAGE_STATE_INTERRUPTED)
    {
      ensure_error_box (self);
      confab_message_error_show (CONFAB_MESSAGE_ERROR (self->error_box), self->message);
      gtk_widget_set_visible (self->error_box, TRUE);
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
  confab_message_actions_update (CONFAB_MESSAGE_ACTIONS (self->actions_box), self->message);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.timeline",
                                 confab_message_actions_has_request (self->message));

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

/* "You", or the model that answered: the one asked for until the provider names the one
 * that answers (a router answers with another), as it is stored. */
static void
update_author (ConfabMessage    *message,
               GParamSpec       *pspec,
               ConfabMessageRow *self)
{
  const char *model = confab_message_get_model (message);

  if (confab_message_get_role (message) == CONFAB_ROLE_USER)
    gtk_label_set_text (self->author_label, _("You"));
  else
    gtk_label_set_text (self->author_label, model != NULL && *model != '\0' ? model : _("Assistant"));
}

static void
leave_edit_mode (ConfabMessageRow *self)
{
  if (self->editor != NULL)
    gtk_widget_set_visible (self->editor, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->content_view), TRUE);
  update_state (self);
}

void
confab_message_row_set_message (ConfabMessageRow *self,
                                ConfabMessage    *message)
{
  ConfabRole role;

  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));
  g_return_if_fail (!message || CONFAB_IS_MESSAGE (message));

  if (self->message == message)
    return;

  confab_tool_call_cards_set_calls (CONFAB_TOOL_CALL_CARDS (self->tool_calls_box), NULL);
  g_signal_group_set_target (self->signals, NULL);
  g_set_object (&self->message, message);
  if (self->editor != NULL)
    gtk_widget_set_visible (self->editor, FALSE);
  confab_message_row_set_versions (self, 0, 1);

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

  gtk_widget_remove_css_class (self->bubble, "user");
  gtk_widget_remove_css_class (self->bubble, "assistant");
  gtk_widget_add_css_class (self->bubble, role == CONFAB_ROLE_USER ? "user" : "assistant");

  update_author (message, NULL, self);

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

  confab_tool_call_cards_set_calls (CONFAB_TOOL_CALL_CARDS (self->tool_calls_box),
                                    confab_message_get_tool_calls (message));

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

/* The timeline of the turn the answer belongs to, as the usage sidebar shows it: the
 * conversation is the one of the chat view the row is in. */
static void
row_timeline (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);
  GtkWidget *view = gtk_widget_get_ancestor (widget, CONFAB_TYPE_CHAT_VIEW);
  GtkRoot *root = gtk_widget_get_root (widget);
  ConfabSession *session = view ? confab_chat_view_get_session (CONFAB_CHAT_VIEW (view)) : NULL;
  ConfabConversation *conversation = session ? confab_session_get_conversation (session) : NULL;
  GtkWidget *dialog;
  int position;

  if (!confab_message_actions_has_request (self->message) || conversation == NULL)
    return;

  position = confab_conversation_find (conversation, self->message);
  if (position < 0)
    return;

  dialog = confab_turn_timeline_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                            conversation, position);
  gtk_window_present (GTK_WINDOW (dialog));
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

  if (self->message == NULL)
    return;

  ensure_editor (self);
  gtk_widget_set_visible (GTK_WIDGET (self->content_view), FALSE);
  gtk_widget_set_visible (self->actions_box, FALSE);
  gtk_widget_set_visible (self->editor, TRUE);
  confab_message_editor_begin (CONFAB_MESSAGE_EDITOR (self->editor), confab_message_get_content (self->message));
}

static void
editor_cancelled (ConfabMessageEditor *editor,
                  ConfabMessageRow    *self)
{
  leave_edit_mode (self);
}

static void
editor_send (ConfabMessageEditor *editor,
             const char          *text,
             ConfabMessageRow    *self)
{
  g_autofree char *id = NULL;
  g_autofree char *copy = g_strdup (text);

  if (self->message == NULL)
    return;

  id = g_strdup (confab_message_get_id (self->message));
  leave_edit_mode (self);
  /* May unbind this row from its message: keep nothing of it after this call. */
  gtk_widget_activate_action (GTK_WIDGET (self), "chat.edit-resend", "(ss)", id, copy);
}

static void
row_fork (GtkWidget  *widget,
          const char *action_name,
          GVariant   *parameter)
{
  activate_with_id (CONFAB_MESSAGE_ROW (widget), "win.fork");
}

/* The other versions of the message's place: "chat.show-version" shows the one asked for. */
static void
show_version (ConfabMessageRow *self,
              int               delta)
{
  int wanted = (int) self->version + delta;

  if (self->message == NULL || wanted < 0 || wanted >= (int) self->n_versions)
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "chat.show-version", "(su)",
                              confab_message_get_id (self->message), (guint) wanted);
}

static void
row_previous_version (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  show_version (CONFAB_MESSAGE_ROW (widget), -1);
}

static void
row_next_version (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  show_version (CONFAB_MESSAGE_ROW (widget), +1);
}

void
confab_message_row_set_versions (ConfabMessageRow *self,
                                 guint             version,
                                 guint             n_versions)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  self->version = version;
  self->n_versions = MAX (n_versions, 1);
  if (self->versions == NULL && self->n_versions <= 1)
    return;

  /* Built for the first message with versions: most never have any. */
  if (self->versions == NULL)
    {
      self->versions = confab_version_switcher_new ();
      gtk_widget_insert_after (self->versions, gtk_widget_get_first_child (self->bubble),
                               GTK_WIDGET (self->spinner));
    }
  confab_version_switcher_set (CONFAB_VERSION_SWITCHER (self->versions), version, self->n_versions);
}

GtkWidget *
confab_message_row_get_versions (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);
  return self->versions;
}

/* ---------------------------------------------------------------------------------------- */

static void
confab_message_row_dispose (GObject *object)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);
  GtkWidget *child;

  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);
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
  gtk_widget_class_install_action (widget_class, "row.timeline", NULL, row_timeline);
  gtk_widget_class_install_action (widget_class, "row.retry", NULL, row_retry);
  gtk_widget_class_install_action (widget_class, "row.edit", NULL, row_edit);
  gtk_widget_class_install_action (widget_class, "row.fork", NULL, row_fork);
  gtk_widget_class_install_action (widget_class, "row.previous-version", NULL, row_previous_version);
  gtk_widget_class_install_action (widget_class, "row.next-version", NULL, row_next_version);
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
  confab_markdown_view_set_source_func (self->content_view, get_content_source, self, NULL);
  gtk_box_append (GTK_BOX (self->bubble), GTK_WIDGET (self->content_view));

  self->tool_calls_box = confab_tool_call_cards_new ();
  gtk_box_append (GTK_BOX (self->bubble), self->tool_calls_box);


  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  gtk_label_set_xalign (self->status_label, 0);
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "caption");
  gtk_box_append (GTK_BOX (self->bubble), GTK_WIDGET (self->status_label));

  self->actions_box = confab_message_actions_new ();
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
  g_signal_group_connect (self->signals, "notify::model", G_CALLBACK (update_author), self);
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
  return confab_message_error_get_text (CONFAB_MESSAGE_ERROR (self->error_box));
}

void
confab_message_row_flush (ConfabMessageRow *self)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  confab_markdown_view_flush (self->content_view);
  if (self->thinking_view != NULL)
    confab_markdown_view_flush (self->thinking_view);
}
