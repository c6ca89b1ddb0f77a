/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "confab-cli-store.h"
#include "confab-cli-usage.h"
#include "confab-escape.h"
#include "confab-store.h"
#include "confab-usage-total.h"

static gboolean
parse_grouping (const char          *by,
                ConfabUsageGrouping *grouping)
{
  if (by == NULL || g_str_equal (by, "provider"))
    *grouping = CONFAB_USAGE_BY_PROVIDER;
  else if (g_str_equal (by, "model"))
    *grouping = CONFAB_USAGE_BY_MODEL;
  else if (g_str_equal (by, "month"))
    *grouping = CONFAB_USAGE_BY_MONTH;
  else
    return FALSE;

  return TRUE;
}

static void
print_json (GListModel *totals,
            const char *by)
{
  for (guint i = 0; i < g_list_model_get_n_items (totals); i++)
    {
      g_autoptr(ConfabUsageTotal) total = g_list_model_get_item (totals, i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, by);
      json_builder_add_string_value (builder, confab_usage_total_get_key (total));
      json_builder_set_member_name (builder, "requests");
      json_builder_add_int_value (builder, confab_usage_total_get_n_requests (total));
      json_builder_set_member_name (builder, "prompt_tokens");
      json_builder_add_int_value (builder, confab_usage_total_get_prompt_tokens (total));
      json_builder_set_member_name (builder, "completion_tokens");
      json_builder_add_int_value (builder, confab_usage_total_get_completion_tokens (total));
      json_builder_set_member_name (builder, "total_tokens");
      json_builder_add_int_value (builder, confab_usage_total_get_total_tokens (total));
      json_builder_set_member_name (builder, "cached_tokens");
      json_builder_add_int_value (builder, confab_usage_total_get_cached_tokens (total));
      json_builder_set_member_name (builder, "reasoning_tokens");
      json_builder_add_int_value (builder, confab_usage_total_get_reasoning_tokens (total));
      /* A cost only where every request was priced: a partial sum would read as the bill. */
      json_builder_set_member_name (builder, "requests_with_cost");
      json_builder_add_int_value (builder, confab_usage_total_get_n_with_cost (total));
      json_builder_set_member_name (builder, "cost");
      if (confab_usage_total_get_n_with_cost (total) > 0)
        json_builder_add_double_value (builder, confab_usage_total_get_cost (total));
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      line = json_to_string (root, FALSE);
      g_print ("%s\n", line);
    }
}

static void
print_table (GListModel *totals,
             const char *heading)
{
  g_print ("%-28s %8s %12s %12s %12s  %s\n", heading, _("REQUESTS"), _("PROMPT"), _("COMPLETION"),
           _("TOTAL"), _("COST"));

  for (guint i = 0; i < g_list_model_get_n_items (totals); i++)
    {
      g_autoptr(ConfabUsageTotal) total = g_list_model_get_item (totals, i);
      const char *key = confab_usage_total_get_key (total);
      g_autofree char *name = confab_escape_text (key[0] != '\0' ? key : _("(unknown)"), -1, CONFAB_ESCAPE_DEFAULT);
      guint priced = confab_usage_total_get_n_with_cost (total);
      guint requests = confab_usage_total_get_n_requests (total);
      g_autofree char *cost = NULL;

      if (priced == 0)
        cost = g_strdup ("—");
      else if (priced < requests)
        /* Translators: a cost, then how many of the requests had one, e.g. "0.2500 (3 of 5 priced)". */
        cost = g_strdup_printf (_("%.4f (%u of %u priced)"), confab_usage_total_get_cost (total), priced, requests);
      else
        cost = g_strdup_printf ("%.4f", confab_usage_total_get_cost (total));

      g_print ("%-28s %8u %12" G_GINT64_FORMAT " %12" G_GINT64_FORMAT " %12" G_GINT64_FORMAT "  %s\n",
               name, requests,
               confab_usage_total_get_prompt_tokens (total),
               confab_usage_total_get_completion_tokens (total),
               confab_usage_total_get_total_tokens (total),
               cost);
    }
}

int
confab_cli_usage_command (int    argc,
                          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GListModel) totals = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *by = NULL;
  ConfabUsageGrouping grouping;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, N_("Sum by provider (the default), model or month"), N_("WHAT") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  const char *headings[] = { N_("PROVIDER"), N_("MODEL"), N_("MONTH") };
  const char *keys[] = { "provider", "model", "month" };

  g_option_context_set_summary (context,
                                _("Tokens and cost of every request Confab made, kept when messages are "
                                  "deleted or regenerated (imported history is not counted)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 2;
    }
  if (argc != 1 || !parse_grouping (by, &grouping))
    {
      g_printerr ("confab-cli: %s\n", _("usage takes --by provider, model or month"));
      return 2;
    }

  if ((store = confab_store_open_default (&error)) == NULL ||
      (totals = confab_store_usage_totals (store, grouping, &error)) == NULL)
    {
      g_autofree char *message = confab_escape_text (error->message, -1, CONFAB_ESCAPE_DEFAULT);

      g_printerr ("confab-cli: %s\n", message);
      return 1;
    }

  if (json)
    print_json (totals, keys[grouping]);
  else
    print_table (totals, _(headings[grouping]));

  return 0;
}
