/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "confab-options.h"
#include "confab-provider.h"

static void
test_options_parse_command_line (void)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  ConfabOptions options = { 0 };
  const char *args[] = { "confab-cli", "--base-url", "http://127.0.0.1:9/v1/", "--model", "kimi",
                         "--api-key-env", "TEST_CONFAB_KEY", "--mcp", "server-a --flag",
                         "--mcp", "server-b", "--yes", "hello", NULL };
  g_auto(GStrv) argv = g_strdupv ((char **) args);

  entries = confab_options_get_entries (&options);
  g_option_context_add_main_entries (context, entries, NULL);
  g_assert_true (g_option_context_parse_strv (context, &argv, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (options.base_url, ==, "http://127.0.0.1:9/v1/");
  g_assert_cmpstr (options.model, ==, "kimi");
  g_assert_cmpstr (options.api_key_env, ==, "TEST_CONFAB_KEY");
  g_assert_cmpuint (g_strv_length (options.mcp), ==, 2);
  g_assert_cmpstr (options.mcp[0], ==, "server-a --flag");
  g_assert_cmpstr (options.mcp[1], ==, "server-b");
  g_assert_true (options.yes);
  g_assert_cmpuint (g_strv_length (argv), ==, 2);
  g_assert_cmpstr (argv[1], ==, "hello");

  g_setenv ("TEST_CONFAB_KEY", "sk-test", TRUE);
  provider = confab_options_create_provider (&options);
  g_assert_nonnull (provider);
  g_assert_cmpstr (confab_provider_get_base_url (provider), ==, "http://127.0.0.1:9/v1");
  g_assert_cmpstr (confab_provider_get_model (provider), ==, "kimi");
  g_assert_cmpstr (confab_provider_get_api_key (provider), ==, "sk-test");

  confab_options_clear (&options);
}

static void
test_options_default_api_key_env (void)
{
  g_autoptr(ConfabProvider) provider = NULL;
  ConfabOptions options = { 0 };

  g_assert_null (confab_options_create_provider (&options));

  options.base_url = g_strdup ("http://127.0.0.1:9/v1");
  g_setenv (CONFAB_DEFAULT_API_KEY_ENV, "from-default-env", TRUE);
  provider = confab_options_create_provider (&options);
  g_assert_cmpstr (confab_provider_get_api_key (provider), ==, "from-default-env");

  confab_options_clear (&options);
}

static void
test_options_from_application_dict (void)
{
  g_autoptr(GVariantDict) dict = g_variant_dict_new (NULL);
  const char *mcp[] = { "one", "two", NULL };
  ConfabOptions options = { 0 };

  g_variant_dict_insert (dict, "base-url", "s", "http://127.0.0.1:9/v1");
  g_variant_dict_insert (dict, "model", "s", "m");
  g_variant_dict_insert_value (dict, "mcp", g_variant_new_strv (mcp, -1));
  g_variant_dict_insert (dict, "yes", "b", TRUE);

  confab_options_load_from_dict (&options, dict);

  g_assert_cmpstr (options.base_url, ==, "http://127.0.0.1:9/v1");
  g_assert_cmpstr (options.model, ==, "m");
  g_assert_cmpuint (g_strv_length (options.mcp), ==, 2);
  g_assert_true (options.yes);

  confab_options_clear (&options);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/options/parse-command-line", test_options_parse_command_line);
  g_test_add_func ("/options/default-api-key-env", test_options_default_api_key_env);
  g_test_add_func ("/options/from-application-dict", test_options_from_application_dict);

  return g_test_run ();
}
