/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool-call-card"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-accessible.h"
#include "confab-escape.h"
#include "confab-session.h"
#include "confab-attachment-bar.h"
#include "confab-json-private.h"
#include "confab-tool-call-card.h"
#include "confab-tool-rerun-dialog.h"
#include "confab-window.h"
#include "confab-tool-hints.h"
#include "confab-tool-progress.h"
#include "confab-tool-result-view.h"

/* Results longer than this show a preview and a "Show All" toggle. */
#define RESULT_PREVIEW_LINES 12
#define RESULT_PREVIEW_CHARS 1200

struct _ConfabToolCallCard
{
  GtkWidget        parent_instance;

  ConfabToolCall  *call;
  GSignalGroup    *call_signals;
  guint            arguments_tick_id;
  guint            elapsed_id;
  guint            arguments_dirty : 1;
  guint            approval_sent : 1;
  guint            can_run_again : 1;
  GtkWidget       *run_again_button;

  /* Template widgets */
  GtkButton       *allow_once_button;
  GtkWidget       *approval_box;
  GtkLabel        *arguments_label;
  GtkBox          *box;
  GtkBox          *header_box;
  GtkLabel        *duration_label;
  GtkLabel        *name_label;
  GtkBox          *result_box;
  GtkLabel        *result_label;
  GtkWidget       *result_images;   /* ConfabAttachmentBar, built for the first picture */
  GtkToggleButton *result_toggle;
  GtkLabel        *server_label;
  GtkSpinner      *spinner;
  GtkImage        *status_icon;
  GtkLabel        *status_label;

  /* Built in code: the server's progress, under the header. */
  GtkWidget       *progress;
  /* What the server says about the tool, above the approval buttons. */
  GtkWidget       *hints;
  /* Images, resources and structured content of the result, under its text. */
  GtkWidget       *result_view;
};

G_DEFINE_FINAL_TYPE (ConfabToolCallCard, confab_tool_call_card, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CALL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
status_text (ConfabToolCallStatus status)
{
  switch (status)
    {
    case CONFAB_TOOL_CALL_STATUS_STREAMING:        return _("Preparing arguments…");
    case CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL: return _("Awaiting approval");
    case CONFAB_TOOL_CALL_STATUS_RUNNING:          return _("Running…");
    case CONFAB_TOOL_CALL_STATUS_DONE:             return _("Done");
    case CONFAB_TOOL_CALL_STATUS_FAILED:           return _("Failed");
    case CONFAB_TOOL_CALL_STATUS_DENIED:           return _("Denied");
    default:                                       return "";
    }
}

static const char *
status_icon_name (ConfabToolCallStatus status)
{
  switch (status)
    {
    case CONFAB_TOOL_CALL_STATUS_STREAMING:        return "document-edit-symbolic";
    case CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL: return "dialog-question-symbolic";
    case CONFAB_TOOL_CALL_STATUS_RUNNING:          return "system-run-symbolic";
    case CONFAB_TOOL_CALL_STATUS_DONE:             return "object-select-symbolic";
    case CONFAB_TOOL_CALL_STATUS_FAILED:           return "dialog-error-symbolic";
    case CONFAB_TOOL_CALL_STATUS_DENIED:           return "action-unavailable-symbolic";
    default:                                       return NULL;
    }
}

static const char *
status_style (ConfabToolCallStatus status)
{
  switch (status)
    {
    case CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL: return "warning";
    case CONFAB_TOOL_CALL_STATUS_DONE:             return "success";
    case CONFAB_TOOL_CALL_STATUS_FAILED:
    case CONFAB_TOOL_CALL_STATUS_DENIED:           return "error";
    default:                                       return NULL;
    }
}

static gboolean
status_is_error (ConfabToolCallStatus status)
{
  return status == CONFAB_TOOL_CALL_STATUS_FAILED || status == CONFAB_TOOL_CALL_STATUS_DENIED;
}

static void
set_style (GtkWidget  *widget,
           const char *style)
{
  static const char * const styles[] = { "warning", "success", "error" };

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    {
      if (g_strcmp0 (style, styles[i]) == 0)
        gtk_widget_add_css_class (widget, styles[i]);
      else
        gtk_widget_remove_css_class (widget, styles[i]);
    }
}

static void
update_accessible_label (ConfabToolCallCard *self)
{
  g_autofree char *label = NULL;
  const char *name = NULL;
  const char *status = "";

  if (self->call != NULL)
    {
      name = confab_tool_call_get_name (self->call);
      status = status_text (confab_tool_call_get_status (self->call));
    }

  /* Translators: accessible name of a tool call card: tool name, then its status. */
  label = g_strdup_printf (_("Tool call %s: %s"), name ? name : "", status);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
update_name (ConfabToolCallCard *self)
{
  const char *name = self->call ? confab_tool_call_get_name (self->call) : NULL;
  const char *server = self->call ? confab_tool_call_get_server (self->call) : NULL;
  /* The model chose the name and the arguments of what the user approves here: a bidi
   * override or a control shows as its code, never reorders or hides text. */
  g_autofree char *escaped = confab_escape_text (name, -1, CONFAB_ESCAPE_DEFAULT);

  gtk_label_set_text (self->name_label, escaped ? escaped : _("Tool call"));

  if (server != NULL && *server != '\0')
    {
      /* Translators: under the tool name: the MCP server that provides the tool. */
      g_autofree char *text = g_strdup_printf (_("on %s"), server);
      gtk_label_set_text (self->server_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->server_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->server_label), FALSE);

  update_accessible_label (self);
}

static void
update_arguments (ConfabToolCallCard *self)
{
  g_autofree char *pretty = NULL;
  g_autofree char *escaped = NULL;

  self->arguments_dirty = FALSE;

  if (self->call != NULL)
    pretty = confab_tool_call_dup_pretty_arguments (self->call);
  escaped = confab_escape_text (pretty, -1, CONFAB_ESCAPE_KEEP_NEWLINES);

  gtk_label_set_text (self->arguments_label, escaped ? escaped : "");
}

static gboolean
arguments_tick_cb (GtkWidget     *widget,
                   GdkFrameClock *frame_clock,
                   gpointer       user_data)
{
  ConfabToolCallCard *self = CONFAB_TOOL_CALL_CARD (widget);

  self->arguments_tick_id = 0;
  if (self->arguments_dirty)
    update_arguments (self);

  return G_SOURCE_REMOVE;
}

/* Arguments can stream one character at a time: re-render at most once per frame, and
 * not at all while the card is not on screen (map catches up). */
static void
queue_arguments_update (ConfabToolCallCard *self)
{
  self->arguments_dirty = TRUE;

  if (self->arguments_tick_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->arguments_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), arguments_tick_cb,
                                                            NULL, NULL);
}

static char *
make_preview (const char *text,
              gboolean   *truncated)
{
  const char *p = text;
  guint lines = 0;

  *truncated = FALSE;

  for (glong chars = 0; *p != '\0'; p = g_utf8_next_char (p), chars++)
    {
      if (chars >= RESULT_PREVIEW_CHARS || (*p == '\n' && ++lines >= RESULT_PREVIEW_LINES))
        {
          g_autofree char *head = g_strndup (text, p - text);

          *truncated = TRUE;
          return g_strconcat (head, "…", NULL);
        }
    }

  return g_strdup (text);
}

/* Pictures a tool returned (MCP "image" content items), as chips with the attachments' preview. */
static void
update_result_images (ConfabToolCallCard *self)
{
  JsonNode *content = self->call ? confab_tool_call_get_result_content (self->call) : NULL;
  g_autoptr(GListStore) images = g_list_store_new (CONFAB_TYPE_ATTACHMENT);
  JsonArray *items;

  if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    {
      items = json_node_get_array (content);
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonNode *node = json_array_get_element (items, i);
          g_autoptr(ConfabAttachment) attachment = NULL;
          g_autoptr(GBytes) bytes = NULL;
          g_autofree char *name = NULL;
          const char *type, *data, *mime;
          JsonObject *item;
          guchar *raw;
          gsize len = 0;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          item = json_node_get_object (node);
          type = _confab_json_get_string (item, "type", "");
          data = _confab_json_get_string (item, "data", NULL);
          mime = _confab_json_get_string (item, "mimeType", NULL);
          if (!g_str_equal (type, "image") || data == NULL || mime == NULL || !g_str_has_prefix (mime, "image/"))
            continue;

          raw = g_base64_decode (data, &len);
          bytes = g_bytes_new_take (raw, len);
          name = g_strdup_printf ("%s-%u.%s", confab_tool_call_get_name (self->call) ?: "tool", i + 1,
                                  strchr (mime, '/') + 1);
          /* A picture that cannot be read stays as the text line the result already has. */
          attachment = confab_attachment_new_from_bytes (name, mime, bytes, NULL, NULL);
          if (attachment != NULL)
            g_list_store_append (images, attachment);
        }
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (images)) > 0 && self->result_images == NULL)
    {
      self->result_images = confab_attachment_bar_new ();
      gtk_box_append (self->result_box, self->result_images);
    }

  if (self->result_images != NULL)
    confab_attachment_bar_set_model (CONFAB_ATTACHMENT_BAR (self->result_images),
                                     g_list_model_get_n_items (G_LIST_MODEL (images)) > 0 ? G_LIST_MODEL (images) : NULL);
}

static void
update_result (ConfabToolCallCard *self)
{
  g_autofree char *preview = NULL;
  ConfabToolCallStatus status;
  const char *text = NULL;
  gboolean truncated = FALSE;
  gboolean is_error;

  if (self->call != NULL)
    {
      text = confab_tool_call_get_result (self->call);
      status = confab_tool_call_get_status (self->call);
      is_error = status_is_error (status);
      if ((text == NULL || *text == '\0') && is_error)
        text = confab_tool_call_get_error (self->call);
    }
  else
    is_error = FALSE;

  if (text == NULL || *text == '\0')
    {
      gtk_widget_set_visible (GTK_WIDGET (self->result_box), FALSE);
      return;
    }

  preview = make_preview (text, &truncated);
  gtk_widget_set_visible (GTK_WIDGET (self->result_toggle), truncated);

  if (truncated && !gtk_toggle_button_get_active (self->result_toggle))
    gtk_label_set_text (self->result_label, preview);
  else
    gtk_label_set_text (self->result_label, text);

  gtk_button_set_label (GTK_BUTTON (self->result_toggle),
                        gtk_toggle_button_get_active (self->result_toggle) ? _("Show Less") : _("Show All"));

  set_style (GTK_WIDGET (self->result_label), is_error ? "error" : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->result_box), TRUE);
  update_result_images (self);
}

static gboolean
elapsed_cb (gpointer user_data)
{
  ConfabToolCallCard *self = user_data;
  gint64 started;
  g_autofree char *text = NULL;

  if (self->call == NULL ||
      confab_tool_call_get_status (self->call) != CONFAB_TOOL_CALL_STATUS_RUNNING)
    {
      self->elapsed_id = 0;
      return G_SOURCE_REMOVE;
    }

  /* While the tool runs: whole seconds so far. */
  started = confab_tool_call_get_status_time (self->call, CONFAB_TOOL_CALL_STATUS_RUNNING);
  /* Translators: how long a running tool has been running, in whole seconds. */
  text = g_strdup_printf (_("%d s"), (int) ((g_get_real_time () - started) / G_USEC_PER_SEC));
  gtk_label_set_text (self->duration_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->duration_label), TRUE);

  return G_SOURCE_CONTINUE;
}

static void
update_duration (ConfabToolCallCard *self)
{
  double duration = self->call ? confab_tool_call_get_duration (self->call) : -1;
  gboolean running = self->call != NULL &&
                     confab_tool_call_get_status (self->call) == CONFAB_TOOL_CALL_STATUS_RUNNING;

  if (running)
    {
      if (self->elapsed_id == 0)
        {
          self->elapsed_id = g_timeout_add_seconds (1, elapsed_cb, self);
          elapsed_cb (self);
        }
      return;
    }

  g_clear_handle_id (&self->elapsed_id, g_source_remove);

  if (duration >= 0)
    {
      /* Translators: how long a tool ran, in seconds. */
      g_autofree char *text = g_strdup_printf (_("%.2f s"), duration);
      gtk_label_set_text (self->duration_label, text);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->duration_label), duration >= 0);
}

static void
update_actions (ConfabToolCallCard *self)
{
  gboolean pending = self->call != NULL &&
                     confab_tool_call_get_status (self->call) == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL;
  gboolean enabled = pending && !self->approval_sent;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.allow-once", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.allow-always", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.allow-chat", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.deny", enabled);
  gtk_widget_set_visible (GTK_WIDGET (self->approval_box), pending);

  /* "Run Again…" once the call is over. */
  {
    ConfabToolCallStatus status = self->call ? confab_tool_call_get_status (self->call)
                                             : CONFAB_TOOL_CALL_STATUS_STREAMING;
    gboolean finished = status == CONFAB_TOOL_CALL_STATUS_DONE || status == CONFAB_TOOL_CALL_STATUS_FAILED ||
                        status == CONFAB_TOOL_CALL_STATUS_DENIED;

    gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.run-again", finished && self->can_run_again);
    if (self->run_again_button != NULL)
      gtk_widget_set_visible (self->run_again_button, finished && self->can_run_again);
  }
}

static void
update_status (ConfabToolCallCard *self)
{
  ConfabToolCallStatus status = self->call ? confab_tool_call_get_status (self->call)
                                           : CONFAB_TOOL_CALL_STATUS_STREAMING;
  gboolean running = status == CONFAB_TOOL_CALL_STATUS_RUNNING;
  const char *style = status_style (status);

  /* A new status is a new question: the buttons work again if it asks for approval. */
  self->approval_sent = FALSE;

  gtk_label_set_text (self->status_label, status_text (status));
  gtk_image_set_from_icon_name (self->status_icon, status_icon_name (status));
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), !running);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
  gtk_spinner_set_spinning (self->spinner, running);

  set_style (GTK_WIDGET (self->status_label), style);
  set_style (GTK_WIDGET (self->status_icon), style);
  set_style (GTK_WIDGET (self), status_is_error (status) ? "error" : NULL);

  update_actions (self);
  update_result (self);
  update_duration (self);
  update_accessible_label (self);

  /* Move keyboard focus nowhere, but make the question reachable at once. */
  if (status == CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    _("This tool call needs your approval"),
                                    -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
update_all (ConfabToolCallCard *self)
{
  update_name (self);
  update_arguments (self);
  update_status (self);
}

static void
result_toggle_toggled_cb (ConfabToolCallCard *self,
                          GtkToggleButton    *button)
{
  g_assert (CONFAB_IS_TOOL_CALL_CARD (self));

  update_result (self);
}

static void
approve (ConfabToolCallCard *self,
         ConfabApproval      approval)
{
  g_autoptr(ConfabToolCall) call = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean had_focus = focus != NULL && gtk_widget_is_ancestor (focus, self->approval_box);

  if (self->call == NULL || self->approval_sent)
    return;

  /* One answer per question, even if the handler answers later. */
  self->approval_sent = TRUE;
  update_actions (self);

  call = g_object_ref (self->call);
  confab_tool_call_resolve_approval (call, approval);

  /* The buttons go with the question: the window says where the focus goes next. */
  if (had_focus)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.tool-answered", NULL);
}

static void
allow_once_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  approve (CONFAB_TOOL_CALL_CARD (widget), CONFAB_APPROVAL_ALLOW_ONCE);
}

static void
allow_always_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  approve (CONFAB_TOOL_CALL_CARD (widget), CONFAB_APPROVAL_ALLOW_ALWAYS);
}

static void
allow_chat_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  approve (CONFAB_TOOL_CALL_CARD (widget), CONFAB_APPROVAL_ALLOW_CHAT);
}

static void
deny_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  approve (CONFAB_TOOL_CALL_CARD (widget), CONFAB_APPROVAL_DENY);
}

/* "Use This Result and Continue": the conversation branches with the re-run's result. */
static void
use_result_cb (ConfabToolRerunDialog *dialog,
               ConfabToolCall        *call,
               ConfabToolCall        *rerun,
               ConfabSession         *session)
{
  g_autoptr(GError) error = NULL;

  if (!confab_session_continue_with_result (session, call, rerun, &error))
    g_warning ("Could not continue with the new result: %s", error->message);
}

static void
run_again_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ConfabToolCallCard *self = CONFAB_TOOL_CALL_CARD (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWindow *window = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
  ConfabSession *session;
  GtkWidget *dialog;

  /* The card may sit in a dialog (the turn timeline shows one): the tools are those of
   * the main window it belongs to. */
  while (window != NULL && !CONFAB_IS_WINDOW (window))
    window = gtk_window_get_transient_for (window);

  if (self->call == NULL || window == NULL)
    return;

  session = confab_window_get_session (CONFAB_WINDOW (window));
  dialog = confab_tool_rerun_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : window, self->call,
                                         confab_session_get_tools (session),
                                         confab_session_get_approvals (session));
  g_signal_connect_object (dialog, "use-result", G_CALLBACK (use_result_cb), session, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
confab_tool_call_card_map (GtkWidget *widget)
{
  ConfabToolCallCard *self = CONFAB_TOOL_CALL_CARD (widget);

  GTK_WIDGET_CLASS (confab_tool_call_card_parent_class)->map (widget);

  if (self->arguments_dirty)
    update_arguments (self);
}

static void
confab_tool_call_card_unmap (GtkWidget *widget)
{
  ConfabToolCallCard *self = CONFAB_TOOL_CALL_CARD (widget);

  if (self->arguments_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->arguments_tick_id);
      self->arguments_tick_id = 0;
    }

  GTK_WIDGET_CLASS (confab_tool_call_card_parent_class)->unmap (widget);
}

static void
confab_tool_call_card_dispose (GObject *object)
{
  ConfabToolCallCard *self = (ConfabToolCallCard *)object;

  g_clear_handle_id (&self->elapsed_id, g_source_remove);

  if (self->arguments_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->arguments_tick_id);
      self->arguments_tick_id = 0;
    }

  if (self->call_signals != NULL)
    g_signal_group_set_target (self->call_signals, NULL);
  g_clear_object (&self->call_signals);
  g_clear_object (&self->call);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_TOOL_CALL_CARD);

  G_OBJECT_CLASS (confab_tool_call_card_parent_class)->dispose (object);
}

static void
confab_tool_call_card_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabToolCallCard *self = CONFAB_TOOL_CALL_CARD (object);

  switch (prop_id)
    {
    case PROP_CALL:
      g_value_set_object (value, self->call);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_tool_call_card_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabToolCallCard *self = CONFAB_TOOL_CALL_CARD (object);

  switch (prop_id)
    {
    case PROP_CALL:
      confab_tool_call_card_set_call (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_tool_call_card_class_init (ConfabToolCallCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_tool_call_card_dispose;
  object_class->get_property = confab_tool_call_card_get_property;
  object_class->set_property = confab_tool_call_card_set_property;

  widget_class->map = confab_tool_call_card_map;
  widget_class->unmap = confab_tool_call_card_unmap;

  properties[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL, CONFAB_TYPE_TOOL_CALL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-tool-call-card.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "toolcallcard");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, allow_once_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, approval_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, arguments_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, box);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, duration_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, header_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, result_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, result_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, result_toggle);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, server_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, spinner);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, status_icon);
  gtk_widget_class_bind_template_child (widget_class, ConfabToolCallCard, status_label);
  gtk_widget_class_bind_template_callback (widget_class, result_toggle_toggled_cb);

  gtk_widget_class_install_action (widget_class, "card.allow-once", NULL, allow_once_action);
  gtk_widget_class_install_action (widget_class, "card.allow-always", NULL, allow_always_action);
  gtk_widget_class_install_action (widget_class, "card.allow-chat", NULL, allow_chat_action);
  gtk_widget_class_install_action (widget_class, "card.deny", NULL, deny_action);
  gtk_widget_class_install_action (widget_class, "card.run-again", NULL, run_again_action);
}

static void
confab_tool_call_card_init (ConfabToolCallCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  confab_accessible_name_mnemonic_buttons (GTK_WIDGET (self));

  self->can_run_again = TRUE;
  self->run_again_button = gtk_button_new_from_icon_name ("media-playlist-repeat-symbolic");
  gtk_widget_add_css_class (self->run_again_button, "flat");
  gtk_widget_set_valign (self->run_again_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->run_again_button, _("Run Again…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_again_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Run again with edited arguments"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_again_button), "card.run-again");
  gtk_box_append (self->header_box, self->run_again_button);

  self->call_signals = g_signal_group_new (CONFAB_TYPE_TOOL_CALL);
  g_signal_group_connect_swapped (self->call_signals, "notify::name", G_CALLBACK (update_name), self);
  g_signal_group_connect_swapped (self->call_signals, "notify::server", G_CALLBACK (update_name), self);
  g_signal_group_connect_swapped (self->call_signals, "arguments-appended",
                                  G_CALLBACK (queue_arguments_update), self);
  g_signal_group_connect_swapped (self->call_signals, "notify::arguments",
                                  G_CALLBACK (queue_arguments_update), self);
  g_signal_group_connect_swapped (self->call_signals, "notify::status", G_CALLBACK (update_status), self);
  g_signal_group_connect_swapped (self->call_signals, "notify::result", G_CALLBACK (update_result), self);
  g_signal_group_connect_swapped (self->call_signals, "notify::error", G_CALLBACK (update_result), self);
  g_signal_group_connect_swapped (self->call_signals, "notify::duration", G_CALLBACK (update_duration), self);

  self->progress = confab_tool_progress_new ();
  gtk_box_insert_child_after (self->box, self->progress, gtk_widget_get_first_child (GTK_WIDGET (self->box)));
  self->result_view = confab_tool_result_view_new ();
  gtk_box_insert_child_after (self->result_box, self->result_view, GTK_WIDGET (self->result_label));
  self->hints = confab_tool_hints_new ();
  gtk_box_insert_child_after (self->box, self->hints,
                              gtk_widget_get_prev_sibling (GTK_WIDGET (self->approval_box)));

  update_all (self);
}

GtkWidget *
confab_tool_call_card_new (ConfabToolCall *call)
{
  g_return_val_if_fail (!call || CONFAB_IS_TOOL_CALL (call), NULL);

  return g_object_new (CONFAB_TYPE_TOOL_CALL_CARD, "call", call, NULL);
}

ConfabToolCall *
confab_tool_call_card_get_call (ConfabToolCallCard *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL_CARD (self), NULL);
  return self->call;
}

void
confab_tool_call_card_set_call (ConfabToolCallCard *self,
                                ConfabToolCall     *call)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL_CARD (self));
  g_return_if_fail (!call || CONFAB_IS_TOOL_CALL (call));

  if (!g_set_object (&self->call, call))
    return;

  g_signal_group_set_target (self->call_signals, call);
  confab_tool_progress_set_call (CONFAB_TOOL_PROGRESS (self->progress), call);
  confab_tool_hints_set_call (CONFAB_TOOL_HINTS (self->hints), call);
  confab_tool_result_view_set_call (CONFAB_TOOL_RESULT_VIEW (self->result_view), call);
  gtk_toggle_button_set_active (self->result_toggle, FALSE);
  update_all (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL]);
}

void
confab_tool_call_card_set_can_run_again (ConfabToolCallCard *self,
                                         gboolean            can_run_again)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL_CARD (self));

  self->can_run_again = !!can_run_again;
  update_actions (self);
}

gboolean
confab_tool_call_card_focus_approval (ConfabToolCallCard *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL_CARD (self), FALSE);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->approval_box)))
    return FALSE;

  return gtk_widget_grab_focus (GTK_WIDGET (self->allow_once_button));
}
