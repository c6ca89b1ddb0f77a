/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-usage-history"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "confab-usage-history.h"
#include "confab-usage-total.h"

struct _ConfabUsageHistory
{
  AdwWindow             parent_instance;

  ConfabStore          *store;
  GSettings            *settings;
  GPtrArray            *rows;          /* the rows added, to remove on reload */

  AdwPreferencesGroup  *models_group;
  AdwPreferencesGroup  *months_group;
  AdwPreferencesGroup  *providers_group;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *stack;
};

G_DEFINE_FINAL_TYPE (ConfabUsageHistory, confab_usage_history, ADW_TYPE_WINDOW)

static char *
format_cost (ConfabUsageTotal *total)
{
  guint priced = confab_usage_total_get_n_with_cost (total);
  guint requests = confab_usage_total_get_n_requests (total);

  if (priced == 0)
    return g_strdup (_("No cost reported"));
  if (priced < requests)
    /* Translators: a cost, then how many of the requests had one. */
    return g_strdup_printf (_("%.4f (%u of %u priced)"), confab_usage_total_get_cost (total), priced, requests);

  return g_strdup_printf ("%.4f", confab_usage_total_get_cost (total));
}

static char *
format_tokens (ConfabUsageTotal *total)
{
  guint requests = confab_usage_total_get_n_requests (total);

  /* Translators: "3 requests · 1200 tokens (1000 in, 200 out)". */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u request · %lld tokens (%lld in, %lld out)",
                                       "%u requests · %lld tokens (%lld in, %lld out)", requests),
                          requests,
                          (long long) confab_usage_total_get_total_tokens (total),
                          (long long) confab_usage_total_get_prompt_tokens (total),
                          (long long) confab_usage_total_get_completion_tokens (total));
}

/* "2026-12" as the user's locale names it ("December 2026"). */
static char *
format_month (const char *key)
{
  int year, month;
  g_autoptr(GDateTime) date = NULL;

  if (sscanf (key, "%d-%d", &year, &month) != 2 ||
      (date = g_date_time_new_local (year, month, 1, 0, 0, 0)) == NULL)
    return g_strdup (key);

  return g_date_time_format (date, "%B %Y");
}

static double
get_budget (ConfabUsageHistory *self,
            const char         *provider)
{
  g_autoptr(GVariant) budgets = g_settings_get_value (self->settings, "monthly-budgets");
  double budget = 0;

  g_variant_lookup (budgets, provider, "d", &budget);
  return budget;
}

static void
budget_changed (GtkSpinButton      *spin,
                ConfabUsageHistory *self)
{
  const char *provider = g_object_get_data (G_OBJECT (spin), "provider");
  g_autoptr(GVariant) old = g_settings_get_value (self->settings, "monthly-budgets");
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("a{sd}"));
  double value = gtk_spin_button_get_value (spin);
  GVariantIter iter;
  const char *key;
  double budget;

  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&sd}", &key, &budget))
    if (!g_str_equal (key, provider))
      g_variant_builder_add (builder, "{sd}", key, budget);
  if (value > 0)
    g_variant_builder_add (builder, "{sd}", provider, value);

  g_settings_set_value (self->settings, "monthly-budgets", g_variant_builder_end (builder));
}

static GtkWidget *
budget_editor (ConfabUsageHistory *self,
               const char         *provider)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (0, 1000000, 1);
  g_autofree char *label = g_strdup_printf (_("Monthly budget for %s"), provider);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 2);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), get_budget (self, provider));
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (spin, _("Monthly Budget"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data_full (G_OBJECT (spin), "provider", g_strdup (provider), g_free);
  g_signal_connect (spin, "value-changed", G_CALLBACK (budget_changed), self);

  return spin;
}

static void
fill_group (ConfabUsageHistory  *self,
            AdwPreferencesGroup *group,
            ConfabUsageGrouping  grouping)
{
  g_autoptr(GListModel) totals = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  totals = confab_store_usage_totals (self->store, grouping, &error);
  if (totals == NULL)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("The usage could not be read"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), error->message);
      adw_preferences_group_add (group, row);
      g_ptr_array_add (self->rows, row);
      return;
    }

  n = g_list_model_get_n_items (totals);
  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No requests yet"));
      adw_preferences_group_add (group, row);
      g_ptr_array_add (self->rows, row);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabUsageTotal) total = g_list_model_get_item (totals, i);
      const char *key = confab_usage_total_get_key (total);
      g_autofree char *tokens = format_tokens (total);
      g_autofree char *cost = format_cost (total);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *cost_label = gtk_label_new (cost);

      g_autofree char *title = grouping == CONFAB_USAGE_BY_MONTH ? format_month (key) : g_strdup (key);

      /* Provider names and model ids are text, never markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title[0] != '\0' ? title : _("Unknown"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), tokens);
      gtk_widget_add_css_class (cost_label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), cost_label);
      if (grouping == CONFAB_USAGE_BY_PROVIDER && key[0] != '\0')
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), budget_editor (self, key));

      adw_preferences_group_add (group, row);
      g_ptr_array_add (self->rows, row);
    }
}

static void
reload (ConfabUsageHistory *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);

  fill_group (self, self->months_group, CONFAB_USAGE_BY_MONTH);
  fill_group (self, self->providers_group, CONFAB_USAGE_BY_PROVIDER);
  fill_group (self, self->models_group, CONFAB_USAGE_BY_MODEL);
}

GtkWidget *
confab_usage_history_get_group (ConfabUsageHistory  *self,
                                ConfabUsageGrouping  grouping)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_HISTORY (self), NULL);

  switch (grouping)
    {
    case CONFAB_USAGE_BY_MONTH:    return GTK_WIDGET (self->months_group);
    case CONFAB_USAGE_BY_PROVIDER: return GTK_WIDGET (self->providers_group);
    case CONFAB_USAGE_BY_MODEL:    return GTK_WIDGET (self->models_group);
    default:                       g_return_val_if_reached (NULL);
    }
}

static void
confab_usage_history_dispose (GObject *object)
{
  ConfabUsageHistory *self = CONFAB_USAGE_HISTORY (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_USAGE_HISTORY);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_usage_history_parent_class)->dispose (object);
}

static void
confab_usage_history_class_init (ConfabUsageHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_usage_history_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-usage-history.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageHistory, models_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageHistory, months_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageHistory, providers_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageHistory, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageHistory, switcher_title);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
confab_usage_history_init (ConfabUsageHistory *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  self->settings = g_settings_new (APP_ID);
}

GtkWidget *
confab_usage_history_new (GtkWindow   *parent,
                          ConfabStore *store)
{
  ConfabUsageHistory *self;

  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);

  self = g_object_new (CONFAB_TYPE_USAGE_HISTORY, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  reload (self);

  return GTK_WIDGET (self);
}
