/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The context owns the process's services once; the session chooses the model by one rule. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "confab-approval-policy.h"
#include "confab-context.h"
#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-mcp-server.h"
#include "confab-provider.h"
#include "confab-provider-list.h"
#include "confab-session.h"
#include "confab-tool-registry.h"

static void
write_config (const char *json)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "confab", NULL);
  g_autofree char *path = g_build_filename (dir, "mcp.json", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, json, -1, &error));
  g_assert_no_error (error);
}

static guint
n_servers (ConfabContext *context)
{
  return g_list_model_get_n_items (confab_tool_registry_get_servers (confab_context_get_tools (context)));
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
test_context_reload_tools (void)
{
  g_autoptr(ConfabContext) context = confab_context_new ();
  const char *extra[] = { "/bin/true --one", NULL };
  g_autoptr(GError) error = NULL;
  ConfabToolRegistry *before;
  guint notified = 0;

  /* Empty until loaded, and the same registry every time it is asked for. */
  g_assert_cmpuint (n_servers (context), ==, 0);
  before = confab_context_get_tools (context);
  g_assert_true (before == confab_context_get_tools (context));

  write_config ("{\"mcpServers\":{\"alpha\":{\"command\":\"/bin/true\"}}}");
  confab_context_set_extra_servers (context, extra);
  g_signal_connect (context, "notify::tools", G_CALLBACK (count_cb), &notified);

  g_assert_true (confab_context_reload_tools (context, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (confab_context_get_tools (context) != before);
  /* mcp.json's server and the one of the command line. */
  g_assert_cmpuint (n_servers (context), ==, 2);

  /* A damaged file says so, by name; the extra server is there anyway. */
  write_config ("{\"mcpServers\":");
  g_assert_false (confab_context_reload_tools (context, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "mcp.json"));
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpuint (n_servers (context), ==, 1);
}

static void
test_context_allow_all (void)
{
  g_autoptr(ConfabContext) context = confab_context_new ();

  g_assert_false (confab_approval_policy_get_allow_all (confab_context_get_approvals (context)));
  confab_context_set_allow_all (context, TRUE);
  g_assert_true (confab_approval_policy_get_allow_all (confab_context_get_approvals (context)));

  /* Set before the approvals exist, it holds for them too. */
  g_clear_object (&context);
  context = confab_context_new ();
  confab_context_set_allow_all (context, TRUE);
  g_assert_true (confab_approval_policy_get_allow_all (confab_context_get_approvals (context)));
}

static void
test_context_providers_read_once (void)
{
  g_autoptr(ConfabProviderList) saved = confab_provider_list_new (NULL);
  g_autoptr(ConfabProvider) provider = confab_provider_new ("Local", "http://127.0.0.1:9/v1");
  g_autoptr(ConfabContext) context = confab_context_new ();
  g_autoptr(GError) error = NULL;
  ConfabProviderList *providers;

  confab_provider_list_add (saved, provider);
  g_assert_true (confab_provider_list_save (saved, &error));
  g_assert_no_error (error);

  providers = confab_context_get_providers (context);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (providers)), ==, 1);
  g_assert_true (providers == confab_context_get_providers (context));
}

static void
test_session_uses_context (void)
{
  g_autoptr(ConfabContext) context = confab_context_new ();
  g_autoptr(ConfabSession) session = confab_session_new_for_context (context);
  g_autoptr(ConfabSession) alone = confab_session_new ();

  g_assert_true (confab_session_get_context (session) == context);
  g_assert_true (confab_session_get_tools (session) == confab_context_get_tools (context));
  g_assert_true (confab_session_get_approvals (session) == confab_context_get_approvals (context));
  g_assert_nonnull (confab_session_get_context (alone));
  g_assert_true (confab_session_get_context (alone) != context);
}

static void
test_session_model_choice (void)
{
  g_autoptr(ConfabSession) session = confab_session_new ();
  g_autoptr(ConfabProvider) provider = confab_provider_new ("Local", "http://127.0.0.1:9/v1");
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();

  confab_session_set_conversation (session, conversation);
  g_assert_null (confab_session_get_model (session));
  g_assert_nonnull (confab_session_get_blocked_reason (session));

  /* The provider's default, until the conversation has its own. */
  confab_session_set_provider (session, provider);
  g_assert_null (confab_session_get_model (session));
  confab_provider_set_model (provider, "provider-model");
  g_assert_cmpstr (confab_session_get_model (session), ==, "provider-model");
  g_assert_null (confab_session_get_blocked_reason (session));

  confab_session_set_model (session, "chosen");
  g_assert_cmpstr (confab_session_get_model (session), ==, "chosen");
  g_assert_cmpstr (confab_conversation_get_model (conversation), ==, "chosen");

  /* An empty model is no model. */
  confab_conversation_set_model (conversation, "");
  g_assert_cmpstr (confab_session_get_model (session), ==, "provider-model");
  g_assert_cmpstr (confab_provider_choose_model (NULL, ""), ==, NULL);
  g_assert_cmpstr (confab_provider_choose_model (NULL, "m"), ==, "m");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/context/reload-tools", test_context_reload_tools);
  g_test_add_func ("/context/allow-all", test_context_allow_all);
  g_test_add_func ("/context/providers-read-once", test_context_providers_read_once);
  g_test_add_func ("/session/uses-context", test_session_uses_context);
  g_test_add_func ("/session/model-choice", test_session_model_choice);

  return g_test_run ();
}
