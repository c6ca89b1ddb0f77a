/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-chat-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "confab-chat-view.h"
#include "confab-conversation.h"
#include "confab-inspector-dialog.h"
#include "confab-message.h"
#include "confab-tail-model.h"

/* Within this many pixels of the end counts as "at the bottom". */
#define BOTTOM_SLACK 24.0

/* The newest messages only: see ConfabTailModel. Opening builds a row for each (50 were a
 * quarter of a 10,000-message open); 20 fill a tall window, and a view they do not fill grows
 * at once (maybe_grow). */
#define INITIAL_WINDOW 20
#define GROW_STEP      50

struct _ConfabChatView
{
  GtkWidget           parent_instance;

  ConfabSession      *session;
  GSignalGroup       *session_signals;   /* follows whichever session is set */
  GtkFilterListModel *filtered;
  ConfabTailModel    *tail;
  GtkNoSelection     *selection;
  GtkAdjustment      *vadjustment;
  GdkFrameClock      *frame_clock;   /* while realized */
  guint               grow_source;

  GtkStack           *stack;
  GtkScrolledWindow  *scroller;
  GtkListView        *list_view;
  GtkWidget          *jump_button;
  AdwStatusPage      *empty_page;

  guint               following : 1;
  guint               in_layout : 1;
  guint               scrolling : 1;
};

G_DEFINE_FINAL_TYPE (ConfabChatView, confab_chat_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_FOLLOWING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------------------------- */
/* Following the bottom                                                                     */

/* Only the user stops following: a wheel or touchpad scroll up, a drag of the scrollbar,
 * Page Up or Ctrl+Home — a value moved up outside the frame's layout. GtkListView moves
 * the value by itself too while it is allocated (re-anchoring as rows change height,
 * clamping): that says nothing about the user. */
static void
set_following (ConfabChatView *self,
               gboolean        following)
{
  following = !!following;
  gtk_widget_set_visible (self->jump_button, !following);

  if (self->following == following)
    return;

  self->following = following;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

static double
bottom_value (ConfabChatView *self)
{
  return gtk_adjustment_get_upper (self->vadjustment) - gtk_adjustment_get_page_size (self->vadjustment);
}

static void
scroll_to_end (ConfabChatView *self)
{
  double target = bottom_value (self);

  if (gtk_adjustment_get_value (self->vadjustment) >= target)
    return;

  self->scrolling = TRUE;
  gtk_adjustment_set_value (self->vadjustment, target);
  self->scrolling = FALSE;
}

static gboolean
near_top (ConfabChatView *self)
{
  double page = gtk_adjustment_get_page_size (self->vadjustment);

  return confab_tail_model_get_offset (self->tail) > 0 && page > 0 && gtk_adjustment_get_value (self->vadjustment) < page;
}

static gboolean
grow_idle (gpointer user_data)
{
  ConfabChatView *self = user_data;

  self->grow_source = 0;
  /* Still there once the list has settled (opening passes by the top on its way down). */
  if (near_top (self))
    confab_tail_model_grow (self->tail, GROW_STEP);
  return G_SOURCE_REMOVE;
}

/* Older messages are shown once the view is within a page of the top of what it shows (or
 * what it shows does not fill it), in an idle: not while the list is being allocated. */
static void
maybe_grow (ConfabChatView *self)
{
  if (self->grow_source == 0 && near_top (self))
    self->grow_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, grow_idle, self, NULL);
}

/* While following, every change of the list's height (a row growing as text streams, rows
 * laid out when a conversation opens) brings the end back into view in the same frame: the
 * list changes its bounds while it is allocated, when a new value would only be applied at
 * the next frame, so the value is set once the window's layout is done; the frame clock
 * then lays out again before it paints. */
static void
layout_done (GdkFrameClock  *clock,
             ConfabChatView *self)
{
  if (self->following)
    scroll_to_end (self);
}

static void
adjustment_bounds_changed (GtkAdjustment  *adjustment,
                           GParamSpec     *pspec,
                           ConfabChatView *self)
{
  /* Outside a frame (nothing to wait for), at once. */
  if (self->following && self->frame_clock == NULL)
    scroll_to_end (self);
}

static void
adjustment_value_changed (GtkAdjustment  *adjustment,
                          ConfabChatView *self)
{
  double value = gtk_adjustment_get_value (adjustment);

  if (self->following)
    {
      /* Moved up by the user (or anyone but the list's layout, or us): they are reading.
       * Moved by the list's layout: back to the end once the layout is done. */
      if (!self->in_layout && !self->scrolling && value < bottom_value (self) - 0.5)
        set_following (self, FALSE);
    }
  else if (value >= bottom_value (self) - BOTTOM_SLACK)
    set_following (self, TRUE);   /* the user reached the bottom */

  maybe_grow (self);
}

/* Runs before the scrolled window handles the wheel or touchpad. */
static gboolean
user_scroll (GtkEventControllerScroll *controller,
             double                    dx,
             double                    dy,
             ConfabChatView           *self)
{
  if (dy < 0)
    set_following (self, FALSE);
  return FALSE;
}

static void
scrollbar_pressed (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   ConfabChatView  *self)
{
  /* Dragging or clicking the scrollbar: the user takes over until the bottom is reached. */
  set_following (self, FALSE);
}

static void
scroll_by_page (ConfabChatView *self,
                double          pages)
{
  double page = gtk_adjustment_get_page_size (self->vadjustment);
  double value = gtk_adjustment_get_value (self->vadjustment) + pages * page * 0.9;

  if (pages < 0)
    set_following (self, FALSE);
  gtk_adjustment_set_value (self->vadjustment, CLAMP (value, 0, bottom_value (self)));
}

static void
chat_page_up (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  scroll_by_page (CONFAB_CHAT_VIEW (widget), -1);
}

static void
chat_page_down (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  scroll_by_page (CONFAB_CHAT_VIEW (widget), 1);
}

static void
chat_first (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);

  set_following (self, FALSE);
  gtk_adjustment_set_value (self->vadjustment, 0);
}

static void
chat_newest (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  confab_chat_view_scroll_to_bottom (CONFAB_CHAT_VIEW (widget));
}

void
confab_chat_view_scroll_to_bottom (ConfabChatView *self)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));

  set_following (self, TRUE);
  scroll_to_end (self);
}

static void
jump_clicked (GtkButton      *button,
              ConfabChatView *self)
{
  confab_chat_view_scroll_to_bottom (self);
}

/* ---------------------------------------------------------------------------------------- */
/* The list                                                                                 */

static gboolean
message_is_shown (gpointer item,
                  gpointer user_data)
{
  ConfabRole role = confab_message_get_role (CONFAB_MESSAGE (item));

  /* Tool results are shown on their cards; the system prompt has its own editor. */
  return role == CONFAB_ROLE_USER || role == CONFAB_ROLE_ASSISTANT;
}

static void
update_empty (ConfabChatView *self)
{
  gboolean empty = self->filtered == NULL ||
                   g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "messages");
}

static void
items_changed (GListModel     *model,
               guint           position,
               guint           removed,
               guint           added,
               ConfabChatView *self)
{
  update_empty (self);

  /* A new message of our own (sending) brings the view back to the end. */
  if (added > 0 && self->session != NULL && confab_session_get_busy (self->session))
    set_following (self, TRUE);
}

static void
setup_item (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            ConfabChatView           *self)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, confab_message_row_new ());
}

/* What a screen reader calls the list row holding a message: who wrote it. */
static void
label_list_item (GtkListItem   *item,
                 ConfabMessage *message)
{
  const char *label;

  switch (confab_message_get_role (message))
    {
    case CONFAB_ROLE_USER:      label = _("Your message"); break;
    case CONFAB_ROLE_ASSISTANT: label = _("Answer"); break;
    case CONFAB_ROLE_TOOL:      label = _("Tool result"); break;
    case CONFAB_ROLE_SYSTEM:
    default:                    label = _("System prompt"); break;
    }

#if GTK_CHECK_VERSION (4, 12, 0)
  gtk_list_item_set_accessible_label (item, label);
#else
  /* GTK 4.8 names the row after nothing: label the row widget that holds the child. */
  {
    GtkWidget *row = gtk_widget_get_parent (gtk_list_item_get_child (item));

    if (row != NULL)
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  }
#endif
}

static void
bind_item (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           ConfabChatView           *self)
{
  ConfabMessage *message = gtk_list_item_get_item (item);

  ConfabMessageRow *row = CONFAB_MESSAGE_ROW (gtk_list_item_get_child (item));
  guint version = 0;
  guint n_versions = 1;

  confab_message_row_set_message (row, message);
  if (self->session != NULL)
    n_versions = confab_conversation_get_n_siblings (confab_session_get_conversation (self->session),
                                                     message, &version);
  confab_message_row_set_versions (row, version, n_versions);
  label_list_item (item, message);
}

static void
unbind_item (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             ConfabChatView           *self)
{
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
set_conversation (ConfabChatView     *self,
                  ConfabConversation *conversation)
{
  if (self->filtered != NULL)
    g_signal_handlers_disconnect_by_func (self->filtered, items_changed, self);

  /* The tail starts over on the newest messages rather than following the swap. */
  g_signal_handlers_block_by_func (self->filtered, confab_tail_model_source_changed, self->tail);
  gtk_filter_list_model_set_model (self->filtered, G_LIST_MODEL (conversation));
  g_signal_handlers_unblock_by_func (self->filtered, confab_tail_model_source_changed, self->tail);
  confab_tail_model_reset (self->tail, INITIAL_WINDOW);
  g_signal_connect (self->filtered, "items-changed", G_CALLBACK (items_changed), self);

  update_empty (self);
  set_following (self, TRUE);
  scroll_to_end (self);
}

static void
session_conversation_changed (ConfabSession  *session,
                              GParamSpec     *pspec,
                              ConfabChatView *self)
{
  set_conversation (self, confab_session_get_conversation (session));
}

static void
session_busy_changed (ConfabSession  *session,
                      GParamSpec     *pspec,
                      ConfabChatView *self)
{
  gboolean busy = confab_session_get_busy (session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.regenerate", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.retry", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.edit-resend", !busy);
  /* A turn appends to the branch shown: it stays shown until the turn ends. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.show-version", !busy);
}

/* ---------------------------------------------------------------------------------------- */
/* Actions from the rows                                                                    */

static ConfabMessage *
message_from_param (ConfabChatView *self,
                    GVariant       *param)
{
  if (self->session == NULL)
    return NULL;
  return confab_session_lookup_message (self->session, g_variant_get_string (param, NULL));
}

static void
report_error (ConfabChatView *self,
              const GError   *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  g_warning ("%s", error->message);
  if (!GTK_IS_WINDOW (root))
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (root), _("Could Not Send"), NULL);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef gboolean (*RerunFunc) (ConfabSession *session, ConfabMessage *message, GError **error);

/* Regenerate and Retry: follow the bottom again and send from the row's message. */
static void
rerun_from_param (ConfabChatView *self,
                  GVariant       *param,
                  RerunFunc       rerun)
{
  ConfabMessage *message = message_from_param (self, param);
  g_autoptr(GError) error = NULL;

  if (message == NULL)
    return;

  set_following (self, TRUE);
  if (!rerun (self->session, message, &error))
    report_error (self, error);
}

static void
chat_regenerate (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  rerun_from_param (CONFAB_CHAT_VIEW (widget), param, confab_session_regenerate);
}

static void
chat_retry (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  rerun_from_param (CONFAB_CHAT_VIEW (widget), param, confab_session_retry);
}

static void
chat_edit_resend (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  g_autoptr(GError) error = NULL;
  const char *id, *text;
  ConfabMessage *message;

  if (self->session == NULL)
    return;

  g_variant_get (param, "(&s&s)", &id, &text);
  message = confab_session_lookup_message (self->session, id);
  if (message == NULL)
    return;

  set_following (self, TRUE);
  if (!confab_session_edit_and_resend (self->session, message, text, &error))
    report_error (self, error);
}

/* "‹ 2/3 ›": shows another version of the message's place, and the branch under it. */
static void
chat_show_version (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  const char *id;
  guint version;
  ConfabMessage *message;

  if (self->session == NULL || confab_session_get_busy (self->session))
    return;

  g_variant_get (param, "(&su)", &id, &version);
  message = confab_session_lookup_message (self->session, id);
  if (message != NULL)
    confab_conversation_switch_sibling (confab_session_get_conversation (self->session), message, version);
}

static void
chat_inspect (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  ConfabMessage *message = message_from_param (self, param);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (message == NULL)
    return;

  dialog = confab_inspector_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, message);
  confab_inspector_dialog_set_conversation (CONFAB_INSPECTOR_DIALOG (dialog),
                                            confab_session_get_conversation (self->session));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---------------------------------------------------------------------------------------- */

/* A bin, allocated by hand to know when the list moves the value by itself. */
static void
confab_chat_view_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  *minimum = *natural = 0;
  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

static void
confab_chat_view_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  GtkWidget *child = gtk_widget_get_first_child (widget);

  self->in_layout = TRUE;
  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_allocate (child, width, height, baseline, NULL);
  self->in_layout = FALSE;
}

static void
confab_chat_view_realize (GtkWidget *widget)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);

  GTK_WIDGET_CLASS (confab_chat_view_parent_class)->realize (widget);

  self->frame_clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  g_signal_connect_after (self->frame_clock, "layout", G_CALLBACK (layout_done), self);
  g_signal_connect_after (self->frame_clock, "after-paint", G_CALLBACK (layout_done), self);
}

static void
confab_chat_view_unrealize (GtkWidget *widget)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);

  if (self->frame_clock != NULL)
    g_signal_handlers_disconnect_by_data (self->frame_clock, self);
  g_clear_object (&self->frame_clock);

  GTK_WIDGET_CLASS (confab_chat_view_parent_class)->unrealize (widget);
}

static void
confab_chat_view_dispose (GObject *object)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (object);
  GtkWidget *child;

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  if (self->filtered != NULL)
    g_signal_handlers_disconnect_by_func (self->filtered, items_changed, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CHAT_VIEW);
  /* The template's root box has no id: unparent it too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_handle_id (&self->grow_source, g_source_remove);
  g_clear_object (&self->selection);
  g_clear_object (&self->tail);
  g_clear_object (&self->filtered);

  G_OBJECT_CLASS (confab_chat_view_parent_class)->dispose (object);
}

static void
confab_chat_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:   g_value_set_object (value, self->session); break;
    case PROP_FOLLOWING: g_value_set_boolean (value, self->following); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      confab_chat_view_set_session (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_view_class_init (ConfabChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_chat_view_dispose;
  object_class->get_property = confab_chat_view_get_property;
  object_class->set_property = confab_chat_view_set_property;
  widget_class->realize = confab_chat_view_realize;
  widget_class->measure = confab_chat_view_measure;
  widget_class->size_allocate = confab_chat_view_size_allocate;
  widget_class->unrealize = confab_chat_view_unrealize;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CONFAB_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, TRUE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chatview");
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, scroller);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, list_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, jump_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, jump_clicked);

  gtk_widget_class_install_action (widget_class, "chat.page-up", NULL, chat_page_up);
  gtk_widget_class_install_action (widget_class, "chat.page-down", NULL, chat_page_down);
  gtk_widget_class_install_action (widget_class, "chat.first", NULL, chat_first);
  gtk_widget_class_install_action (widget_class, "chat.newest", NULL, chat_newest);
  gtk_widget_class_install_action (widget_class, "chat.regenerate", "s", chat_regenerate);
  gtk_widget_class_install_action (widget_class, "chat.retry", "s", chat_retry);
  gtk_widget_class_install_action (widget_class, "chat.inspect", "s", chat_inspect);
  gtk_widget_class_install_action (widget_class, "chat.edit-resend", "(ss)", chat_edit_resend);
  gtk_widget_class_install_action (widget_class, "chat.show-version", "(su)", chat_show_version);
}

static void
confab_chat_view_init (ConfabChatView *self)
{
  GtkListItemFactory *factory;
  GtkCustomFilter *filter;

  self->session_signals = g_signal_group_new (CONFAB_TYPE_SESSION);
  g_signal_group_connect (self->session_signals, "notify::conversation",
                          G_CALLBACK (session_conversation_changed), self);
  g_signal_group_connect (self->session_signals, "notify::busy", G_CALLBACK (session_busy_changed), self);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->following = TRUE;

  filter = gtk_custom_filter_new (message_is_shown, NULL, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (filter));
  self->tail = confab_tail_model_new (G_LIST_MODEL (self->filtered));
  self->selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->tail)));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_item), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  /* The user's own scrolling, seen before the scrolled window acts on it. */
  {
    GtkEventController *controller;
    GtkWidget *scrollbar = gtk_scrolled_window_get_vscrollbar (self->scroller);

    controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
    gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
    g_signal_connect (controller, "scroll", G_CALLBACK (user_scroll), self);
    gtk_widget_add_controller (GTK_WIDGET (self->scroller), controller);

    controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
    gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
    g_signal_connect (controller, "pressed", G_CALLBACK (scrollbar_pressed), self);
    gtk_widget_add_controller (scrollbar, controller);
  }

  /* Page Up/Down scroll the messages wherever the focus is (the composer is a few lines);
   * Ctrl+Home/End go to the first and newest message unless a text view takes them. */
  {
    const GtkPropagationPhase phases[] = { GTK_PHASE_CAPTURE, GTK_PHASE_BUBBLE };
    const struct { guint key; GdkModifierType mods; const char *action; GtkPropagationPhase phase; } keys[] = {
      { GDK_KEY_Page_Up, 0, "chat.page-up", GTK_PHASE_CAPTURE },
      { GDK_KEY_Page_Down, 0, "chat.page-down", GTK_PHASE_CAPTURE },
      { GDK_KEY_Home, GDK_CONTROL_MASK, "chat.first", GTK_PHASE_BUBBLE },
      { GDK_KEY_End, GDK_CONTROL_MASK, "chat.newest", GTK_PHASE_BUBBLE },
    };

    for (guint p = 0; p < G_N_ELEMENTS (phases); p++)
      {
        GtkPropagationPhase phase = phases[p];
        GtkEventController *controller = gtk_shortcut_controller_new ();

        gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_GLOBAL);
        gtk_event_controller_set_propagation_phase (controller, phase);
        for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
          if (keys[i].phase == phase)
            gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                                  gtk_shortcut_new (gtk_keyval_trigger_new (keys[i].key, keys[i].mods),
                                                                    gtk_named_action_new (keys[i].action)));
        gtk_widget_add_controller (GTK_WIDGET (self), controller);
      }
  }

  self->vadjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect (self->vadjustment, "value-changed", G_CALLBACK (adjustment_value_changed), self);
  g_signal_connect (self->vadjustment, "notify::upper", G_CALLBACK (adjustment_bounds_changed), self);
  g_signal_connect (self->vadjustment, "notify::page-size", G_CALLBACK (adjustment_bounds_changed), self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Messages"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->jump_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Jump to the latest message"), -1);

  update_empty (self);
}

GtkWidget *
confab_chat_view_new (void)
{
  return g_object_new (CONFAB_TYPE_CHAT_VIEW, NULL);
}

ConfabSession *
confab_chat_view_get_session (ConfabChatView *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), NULL);
  return self->session;
}

void
confab_chat_view_set_session (ConfabChatView *self,
                              ConfabSession  *session)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));
  g_return_if_fail (!session || CONFAB_IS_SESSION (session));

  if (self->session == session)
    return;

  g_set_object (&self->session, session);
  g_signal_group_set_target (self->session_signals, session);

  if (session != NULL)
    {
      set_conversation (self, confab_session_get_conversation (session));
      session_busy_changed (session, NULL, self);
    }
  else
    set_conversation (self, NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

GtkListView *
confab_chat_view_get_list_view (ConfabChatView *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), NULL);
  return self->list_view;
}

gboolean
confab_chat_view_get_following (ConfabChatView *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), FALSE);
  return self->following;
}

static ConfabMessageRow *
find_row_in (GtkWidget     *widget,
             ConfabMessage *message)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      ConfabMessageRow *row;

      if (CONFAB_IS_MESSAGE_ROW (child))
        {
          if (message == NULL || confab_message_row_get_message (CONFAB_MESSAGE_ROW (child)) == message)
            return CONFAB_MESSAGE_ROW (child);
          continue;
        }

      if ((row = find_row_in (child, message)))
        return row;
    }

  return NULL;
}

ConfabMessageRow *
confab_chat_view_find_row (ConfabChatView *self,
                           ConfabMessage  *message)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), NULL);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), NULL);

  return find_row_in (GTK_WIDGET (self->list_view), message);
}

static void
flush_in (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (CONFAB_IS_MESSAGE_ROW (child))
        confab_message_row_flush (CONFAB_MESSAGE_ROW (child));
      else
        flush_in (child);
    }
}

void
confab_chat_view_flush (ConfabChatView *self)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));
  flush_in (GTK_WIDGET (self->list_view));
}
