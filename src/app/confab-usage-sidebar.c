/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-usage-sidebar"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "confab-accessible.h"
#include "confab-message.h"
#include "confab-recording-export.h"
#include "confab-turn-timeline-dialog.h"
#include "confab-usage.h"
#include "confab-usage-sidebar.h"

typedef enum {
  FIELD_PROMPT,
  FIELD_COMPLETION,
  FIELD_CACHED,
  FIELD_REASONING,
  FIELD_TOTAL,
  FIELD_COST,
  FIELD_TIME_TO_FIRST_TOKEN,
  FIELD_DURATION,
  FIELD_SPEED,
  N_FIELDS
} Field;

/* The widget name of each value label (tests and themes find them by it). */
static const struct {
  const char *id;
  const char *name;
} fields[N_FIELDS] = {
  { "prompt", N_("Prompt") },
  { "completion", N_("Completion") },
  { "cached", N_("Cached") },
  { "reasoning", N_("Reasoning") },
  { "total", N_("Total") },
  { "cost", N_("Cost") },
  { "time-to-first-token", N_("First token") },
  { "duration", N_("Duration") },
  { "speed", N_("Speed") },
};

/* One block of numbers: a request, the turn total or the conversation total. */
typedef struct
{
  GtkWidget *box;
  GtkLabel  *title;
  GtkLabel  *subtitle;
  GtkLabel  *values[N_FIELDS];
  GtkLabel  *names[N_FIELDS];
} Section;

struct _ConfabUsageSidebar
{
  GtkWidget           parent_instance;

  ConfabConversation *conversation;
  GSignalGroup       *conversation_signals;
  GPtrArray          *usages;
  GPtrArray          *request_sections;
  Section            *turn_section;
  Section            *conversation_section;
  guint               turn_position;
  guint               refresh_id;
  /* Start of the previous and next turns, G_MAXUINT when there is none. */
  guint               previous_turn;
  guint               next_turn;
  /* First message of the turn shown, G_MAXUINT when there is none. */
  guint               shown_turn;

  /* Template widgets */
  GtkLabel           *empty_label;
  GtkBox             *requests_box;
  GtkScrolledWindow  *scroller;
  GtkBox             *totals_box;
  GtkLabel           *turn_label;
};

G_DEFINE_FINAL_TYPE (ConfabUsageSidebar, confab_usage_sidebar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONVERSATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static Section *
section_new (const char *id)
{
  Section *section = g_new0 (Section, 1);
  GtkWidget *grid;

  section->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_name (section->box, id);
  gtk_widget_add_css_class (section->box, "usage-section");

  section->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (section->title, 0);
  gtk_widget_add_css_class (GTK_WIDGET (section->title), "heading");
  gtk_box_append (GTK_BOX (section->box), GTK_WIDGET (section->title));

  section->subtitle = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (section->subtitle, 0);
  /* Model ids are long ("vendor/model-version"): wrap rather than cut off
   * what tells the requests apart, without widening the pane. */
  gtk_label_set_wrap (section->subtitle, TRUE);
  gtk_label_set_wrap_mode (section->subtitle, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (section->subtitle, 30);
  gtk_widget_add_css_class (GTK_WIDGET (section->subtitle), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (section->subtitle), "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (section->subtitle), FALSE);
  gtk_box_append (GTK_BOX (section->box), GTK_WIDGET (section->subtitle));

  grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  gtk_box_append (GTK_BOX (section->box), grid);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      GtkWidget *name = gtk_label_new (_(fields[i].name));
      GtkWidget *value = gtk_label_new ("—");

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_widget_set_hexpand (name, TRUE);
      gtk_widget_add_css_class (name, "dim-label");

      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      /* Selectable with the mouse, but not a Tab stop: a dozen numbers between the composer
       * and a tool call's Allow button were a dozen presses of Tab. */
      gtk_widget_set_focusable (value, FALSE);
      gtk_widget_set_name (value, fields[i].id);
      gtk_widget_add_css_class (value, "numeric");
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, name, NULL,
                                      -1);

      gtk_grid_attach (GTK_GRID (grid), name, 0, i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), value, 1, i, 1, 1);
      section->values[i] = GTK_LABEL (value);
      section->names[i] = GTK_LABEL (name);
    }

  return section;
}

static char *
format_count (gint64 value)
{
  if (value < 0)
    return g_strdup ("—");
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

/* Cents, or enough decimals to show the first two significant digits of costs under a
 * dollar: $1.50, $0.012, $0.000032. */
static char *
format_cost (double cost)
{
  g_autofree char *number = NULL;
  int decimals = 2;
  gsize len;

  if (cost > 0 && cost < 1)
    decimals = CLAMP ((int) -floor (log10 (cost)) + 1, 2, 10);

  number = g_strdup_printf ("%.*f", decimals, cost);

  /* 0.0000320 → 0.000032, but keep cents: 1.50 */
  len = strlen (number);
  while (len > 0 && number[len - 1] == '0' && strchr (number, '.') != NULL &&
         (gsize) (strchr (number, '.') - number) + 3 < len)
    number[--len] = '\0';

  /* Translators: a cost in US dollars; %s is the number. */
  return g_strdup_printf (_("$%s"), number);
}

static char *
format_seconds (double seconds)
{
  if (seconds < 0)
    return g_strdup ("—");
  /* Translators: a duration in seconds. */
  return g_strdup_printf (_("%.2f s"), seconds);
}

static void
section_show (Section     *section,
              ConfabUsage *usage)
{
  char *text[N_FIELDS];
  double speed = confab_usage_get_tokens_per_second (usage);

  text[FIELD_PROMPT] = format_count (confab_usage_get_prompt_tokens (usage));
  text[FIELD_COMPLETION] = format_count (confab_usage_get_completion_tokens (usage));
  text[FIELD_CACHED] = format_count (confab_usage_get_cached_tokens (usage));
  text[FIELD_REASONING] = format_count (confab_usage_get_reasoning_tokens (usage));
  text[FIELD_TOTAL] = format_count (confab_usage_get_total_tokens (usage));
  text[FIELD_COST] = confab_usage_get_has_cost (usage) ? format_cost (confab_usage_get_cost (usage)) : g_strdup ("—");
  text[FIELD_TIME_TO_FIRST_TOKEN] = format_seconds (confab_usage_get_time_to_first_token (usage));
  text[FIELD_DURATION] = format_seconds (confab_usage_get_duration (usage));
  if (speed >= 0)
    /* Translators: generation speed. */
    text[FIELD_SPEED] = g_strdup_printf (_("%.1f tokens/s"), speed);
  else
    text[FIELD_SPEED] = g_strdup ("—");

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (g_strcmp0 (gtk_label_get_text (section->values[i]), text[i]) != 0)
        gtk_label_set_text (section->values[i], text[i]);

      /* What a provider may never report (cached or reasoning tokens, a cost) is not a row
       * of dashes; the rest shows "—" until it arrives, so rows do not jump while streaming. */
      if (i == FIELD_CACHED || i == FIELD_REASONING || i == FIELD_COST)
        {
          gboolean known = g_strcmp0 (text[i], "—") != 0;

          gtk_widget_set_visible (GTK_WIDGET (section->names[i]), known);
          gtk_widget_set_visible (GTK_WIDGET (section->values[i]), known);
        }
      g_free (text[i]);
    }
}

static void
section_set_subtitle (Section    *section,
                      const char *subtitle)
{
  gtk_label_set_text (section->subtitle, subtitle ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (section->subtitle), subtitle != NULL && *subtitle != '\0');
}

static void
section_free (Section *section)
{
  g_free (section);
}

static ConfabMessage *
get_message (ConfabUsageSidebar *self,
             guint               position)
{
  g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (self->conversation), position);
  return message;  /* the conversation keeps it alive */
}

static void
ensure_request_sections (ConfabUsageSidebar *self,
                         guint               n)
{
  while (self->request_sections->len < n)
    {
      g_autofree char *id = g_strdup_printf ("request-%u", self->request_sections->len + 1);
      Section *section = section_new (id);

      gtk_box_append (self->requests_box, section->box);
      g_ptr_array_add (self->request_sections, section);
    }

  while (self->request_sections->len > n)
    {
      Section *section = g_ptr_array_index (self->request_sections, self->request_sections->len - 1);

      gtk_box_remove (self->requests_box, section->box);
      g_ptr_array_remove_index (self->request_sections, self->request_sections->len - 1);
    }
}

static void
refresh (ConfabUsageSidebar *self)
{
  g_autoptr(GArray) turn_starts = NULL;
  g_autoptr(ConfabUsage) conversation_totals = NULL;
  g_autoptr(ConfabUsage) turn_totals = NULL;
  guint n = 0;
  guint turn = 0;
  guint start = 0;
  guint end = 0;
  guint n_requests = 0;

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  if (self->conversation != NULL)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->conversation));
      turn_starts = confab_conversation_list_turns (self->conversation);
      conversation_totals = confab_conversation_sum_usage (self->conversation, 0, n);
    }
  else
    {
      turn_starts = g_array_new (FALSE, FALSE, sizeof (guint));
      conversation_totals = confab_usage_new ();
    }

  if (turn_starts->len > 0)
    {
      turn = turn_starts->len - 1;
      if (self->turn_position != G_MAXUINT)
        while (turn > 0 && g_array_index (turn_starts, guint, turn) > self->turn_position)
          turn--;

      start = g_array_index (turn_starts, guint, turn);
      end = turn + 1 < turn_starts->len ? g_array_index (turn_starts, guint, turn + 1) : n;
      turn_totals = confab_conversation_sum_usage (self->conversation, start, end);
    }
  else
    turn_totals = confab_usage_new ();

  self->previous_turn = turn_starts->len > 0 && turn > 0 ? g_array_index (turn_starts, guint, turn - 1) : G_MAXUINT;
  self->next_turn = turn + 1 < turn_starts->len ? g_array_index (turn_starts, guint, turn + 1) : G_MAXUINT;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "usage.previous-turn", self->previous_turn != G_MAXUINT);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "usage.next-turn", self->next_turn != G_MAXUINT);

  for (guint i = start; i < end; i++)
    if (confab_message_get_role (get_message (self, i)) == CONFAB_ROLE_ASSISTANT)
      n_requests++;

  self->shown_turn = n_requests > 0 ? start : G_MAXUINT;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "usage.timeline", n_requests > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "usage.save-recording", n_requests > 0);

  ensure_request_sections (self, n_requests);

  for (guint i = start, r = 0; i < end; i++)
    {
      ConfabMessage *message = get_message (self, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      Section *section;
      guint n_calls;

      if (confab_message_get_role (message) != CONFAB_ROLE_ASSISTANT)
        continue;

      section = g_ptr_array_index (self->request_sections, r++);

      /* Translators: one request of the turn's tool loop. */
      title = g_strdup_printf (_("Request %u"), r);
      gtk_label_set_text (section->title, title);

      n_calls = confab_message_get_n_tool_calls (message);
      if (n_calls > 0)
        {
          g_autofree char *calls = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u tool call",
                                                                 "%u tool calls", n_calls), n_calls);
          subtitle = confab_message_get_model (message)
                   ? g_strdup_printf ("%s\n%s", confab_message_get_model (message), calls)
                   : g_steal_pointer (&calls);
        }
      else
        subtitle = g_strdup (confab_message_get_model (message));
      section_set_subtitle (section, subtitle);

      section_show (section, confab_message_get_usage (message));
    }

  section_show (self->turn_section, turn_totals);
  section_show (self->conversation_section, conversation_totals);

  gtk_widget_set_visible (self->turn_section->box, n_requests > 0);
  gtk_widget_set_visible (self->conversation_section->box, n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), n_requests == 0);

  if (turn_starts->len > 0)
    {
      /* Translators: which turn of the conversation the sidebar shows. */
      g_autofree char *label = g_strdup_printf (_("Turn %u of %u"), turn + 1, turn_starts->len);
      gtk_label_set_text (self->turn_label, label);
    }
  else
    gtk_label_set_text (self->turn_label, _("Usage"));
  /* No turn to page through: the header says "Usage" already. */
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->turn_label)), turn_starts->len > 0);
}

static gboolean
refresh_cb (gpointer user_data)
{
  ConfabUsageSidebar *self = user_data;

  self->refresh_id = 0;
  refresh (self);

  return G_SOURCE_REMOVE;
}

/* Usage notifies several properties at once: redraw the numbers once, before the frame. */
static void
queue_refresh (ConfabUsageSidebar *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 10, refresh_cb, self, NULL);
}

static void
unwatch_usages (ConfabUsageSidebar *self)
{
  for (guint i = 0; i < self->usages->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->usages, i), self);
  g_ptr_array_set_size (self->usages, 0);
}

static void
watch_usages (ConfabUsageSidebar *self)
{
  guint n;

  unwatch_usages (self);

  if (self->conversation == NULL)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->conversation));
  for (guint i = 0; i < n; i++)
    {
      ConfabMessage *message = get_message (self, i);
      ConfabUsage *usage;

      if (confab_message_get_role (message) != CONFAB_ROLE_ASSISTANT)
        continue;

      usage = confab_message_get_usage (message);
      g_signal_connect_swapped (usage, "notify", G_CALLBACK (queue_refresh), self);
      g_ptr_array_add (self->usages, g_object_ref (usage));
    }
}

static void
conversation_items_changed_cb (ConfabUsageSidebar *self,
                               guint               position,
                               guint               removed,
                               guint               added,
                               GListModel         *model)
{
  g_assert (CONFAB_IS_USAGE_SIDEBAR (self));

  watch_usages (self);
  queue_refresh (self);
}

static void
timeline_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ConfabUsageSidebar *self = CONFAB_USAGE_SIDEBAR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  /* The sidebar refreshes in an idle: the conversation may have just shrunk. */
  if (self->conversation == NULL ||
      self->shown_turn >= g_list_model_get_n_items (G_LIST_MODEL (self->conversation)))
    return;

  dialog = confab_turn_timeline_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                            self->conversation, self->shown_turn);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
save_recording_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ConfabUsageSidebar *self = CONFAB_USAGE_SIDEBAR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->conversation == NULL ||
      self->shown_turn >= g_list_model_get_n_items (G_LIST_MODEL (self->conversation)))
    return;

  confab_recording_export_run (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                               self->conversation, get_message (self, self->shown_turn));
}

static void
previous_turn_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ConfabUsageSidebar *self = CONFAB_USAGE_SIDEBAR (widget);

  if (self->previous_turn != G_MAXUINT)
    confab_usage_sidebar_set_turn (self, self->previous_turn);
}

static void
next_turn_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ConfabUsageSidebar *self = CONFAB_USAGE_SIDEBAR (widget);

  if (self->next_turn == G_MAXUINT)
    return;

  confab_usage_sidebar_set_turn (self, self->next_turn);

  /* Reaching the last turn goes back to following the latest. */
  if (self->next_turn == G_MAXUINT)
    confab_usage_sidebar_set_turn (self, G_MAXUINT);
}

static void
confab_usage_sidebar_dispose (GObject *object)
{
  ConfabUsageSidebar *self = (ConfabUsageSidebar *)object;

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  if (self->usages != NULL)
    unwatch_usages (self);
  g_clear_pointer (&self->usages, g_ptr_array_unref);

  g_clear_object (&self->conversation_signals);
  g_clear_object (&self->conversation);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_USAGE_SIDEBAR);

  g_clear_pointer (&self->request_sections, g_ptr_array_unref);
  g_clear_pointer (&self->turn_section, section_free);
  g_clear_pointer (&self->conversation_section, section_free);

  G_OBJECT_CLASS (confab_usage_sidebar_parent_class)->dispose (object);
}

static void
confab_usage_sidebar_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabUsageSidebar *self = CONFAB_USAGE_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      g_value_set_object (value, self->conversation);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_usage_sidebar_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabUsageSidebar *self = CONFAB_USAGE_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      confab_usage_sidebar_set_conversation (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_usage_sidebar_class_init (ConfabUsageSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_usage_sidebar_dispose;
  object_class->get_property = confab_usage_sidebar_get_property;
  object_class->set_property = confab_usage_sidebar_set_property;

  properties[PROP_CONVERSATION] =
    g_param_spec_object ("conversation", NULL, NULL, CONFAB_TYPE_CONVERSATION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-usage-sidebar.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "usagesidebar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  gtk_widget_class_bind_template_child (widget_class, ConfabUsageSidebar, empty_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageSidebar, requests_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageSidebar, scroller);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageSidebar, totals_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageSidebar, turn_label);

  gtk_widget_class_install_action (widget_class, "usage.previous-turn", NULL, previous_turn_action);
  gtk_widget_class_install_action (widget_class, "usage.next-turn", NULL, next_turn_action);
  gtk_widget_class_install_action (widget_class, "usage.timeline", NULL, timeline_action);
  gtk_widget_class_install_action (widget_class, "usage.save-recording", NULL, save_recording_action);
}

static void
confab_usage_sidebar_init (ConfabUsageSidebar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  confab_accessible_name_mnemonic_buttons (GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Token usage"),
                                  -1);

  self->turn_position = G_MAXUINT;
  self->previous_turn = G_MAXUINT;
  self->next_turn = G_MAXUINT;
  self->shown_turn = G_MAXUINT;
  self->usages = g_ptr_array_new_with_free_func (g_object_unref);
  self->conversation_signals = g_signal_group_new (CONFAB_TYPE_CONVERSATION);
  g_signal_group_connect_swapped (self->conversation_signals, "items-changed",
                                  G_CALLBACK (conversation_items_changed_cb), self);
  self->request_sections = g_ptr_array_new_with_free_func ((GDestroyNotify) section_free);

  self->turn_section = section_new ("turn-total");
  gtk_label_set_text (self->turn_section->title, _("Turn Total"));
  gtk_box_append (self->totals_box, self->turn_section->box);

  self->conversation_section = section_new ("conversation-total");
  gtk_label_set_text (self->conversation_section->title, _("Conversation Total"));
  gtk_box_append (self->totals_box, self->conversation_section->box);

  refresh (self);
}

GtkWidget *
confab_usage_sidebar_new (void)
{
  return g_object_new (CONFAB_TYPE_USAGE_SIDEBAR, NULL);
}

ConfabConversation *
confab_usage_sidebar_get_conversation (ConfabUsageSidebar *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_SIDEBAR (self), NULL);
  return self->conversation;
}

void
confab_usage_sidebar_set_conversation (ConfabUsageSidebar *self,
                                       ConfabConversation *conversation)
{
  g_return_if_fail (CONFAB_IS_USAGE_SIDEBAR (self));
  g_return_if_fail (!conversation || CONFAB_IS_CONVERSATION (conversation));

  if (self->conversation == conversation)
    return;

  unwatch_usages (self);

  g_set_object (&self->conversation, conversation);
  self->turn_position = G_MAXUINT;
  g_signal_group_set_target (self->conversation_signals, conversation);

  watch_usages (self);
  refresh (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION]);
}

void
confab_usage_sidebar_set_turn (ConfabUsageSidebar *self,
                               guint               message_position)
{
  g_return_if_fail (CONFAB_IS_USAGE_SIDEBAR (self));

  self->turn_position = message_position;
  refresh (self);
}
