/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-send-check"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-send-check.h"
#include "confab-store.h"
#include "confab-usage.h"
#include "confab-usage-total.h"

/* Context lengths the providers publish for the presets' models; anything else is set by
 * the user (the "context-lengths" setting). Matched on the id's last path element. */
static const struct { const char *model; gint64 tokens; } known_models[] = {
  { "kimi-k2-instruct-0905", 262144 },
  { "kimi-k2-0905", 262144 },
  { "kimi-k2-instruct", 131072 },
  { "kimi-k2", 131072 },
  { "gpt-4o", 128000 },
  { "gpt-4o-mini", 128000 },
  { "gpt-4.1", 1047576 },
  { "gpt-4.1-mini", 1047576 },
  { "o3", 200000 },
  { "o4-mini", 200000 },
  { "llama-3.3-70b-versatile", 131072 },
  { "llama-3.1-8b-instant", 131072 },
};

#define BYTES_PER_TOKEN 4

gint64
confab_model_get_known_context_length (const char *model)
{
  const char *name;

  if (model == NULL)
    return 0;

  name = strrchr (model, '/');
  name = name != NULL ? name + 1 : model;

  for (guint i = 0; i < G_N_ELEMENTS (known_models); i++)
    if (g_ascii_strcasecmp (name, known_models[i].model) == 0)
      return known_models[i].tokens;

  return 0;
}

gint64
confab_send_check_estimate_tokens (ConfabConversation *conversation,
                                   const char         *new_text)
{
  GListModel *messages = G_LIST_MODEL (conversation);
  guint n = g_list_model_get_n_items (messages);
  gint64 bytes = new_text != NULL ? (gint64) strlen (new_text) : 0;
  gint64 reported = 0;
  const char *system_prompt;

  /* From the newest message back to the last request the provider counted. */
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (messages, i - 1);
      ConfabUsage *usage = confab_message_get_usage (message);

      if (usage != NULL && confab_usage_get_reported (usage) &&
          confab_usage_get_prompt_tokens (usage) >= 0)
        {
          reported = confab_usage_get_prompt_tokens (usage) + MAX (confab_usage_get_completion_tokens (usage), 0);
          break;
        }
      bytes += confab_message_get_content_length (message);
    }

  system_prompt = confab_conversation_get_system_prompt (conversation);
  if (reported == 0 && system_prompt != NULL)
    bytes += strlen (system_prompt);

  return reported + bytes / BYTES_PER_TOKEN;
}

char *
confab_send_check_context (ConfabConversation *conversation,
                           const char         *new_text,
                           gint64              context_length)
{
  gint64 estimate;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);

  if (context_length <= 0)
    return NULL;

  estimate = confab_send_check_estimate_tokens (conversation, new_text);
  if (estimate * 10 < context_length * 9)
    return NULL;

  return g_strdup_printf (_("This conversation is about %lld tokens long, and the model reads at most "
                            "%lld: the provider may refuse it or drop its beginning."),
                          (long long) estimate, (long long) context_length);
}

char *
confab_send_check_budget (ConfabStore *store,
                          const char  *provider_name,
                          double       budget,
                          GDateTime   *now)
{
  g_autoptr(ConfabUsageTotal) month = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);

  if (budget <= 0 || provider_name == NULL)
    return NULL;

  month = confab_store_usage_for_month (store, provider_name, now, &error);
  if (month == NULL)
    {
      g_warning ("Could not read this month's usage: %s", error->message);
      return NULL;
    }

  if (confab_usage_total_get_cost (month) < budget)
    return NULL;

  return g_strdup_printf (_("This month's requests to %s cost %.2f, and its monthly budget is %.2f."),
                          provider_name, confab_usage_total_get_cost (month), budget);
}
