/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "confab-error.h"
#include "confab-provider.h"
#include "confab-provider-list.h"

#define SECRET_KEY "sk-test-DO-NOT-WRITE-0123456789"

static ConfabProvider *
make_provider (const char *name,
               const char *base_url)
{
  ConfabProvider *provider = confab_provider_new (name, base_url);
  const char *headers[] = { "X-Title: Confab", "HTTP-Referer: https://example.org", NULL };
  const char *models[] = { "model-a", "model-b", NULL };

  confab_provider_set_model (provider, "model-a");
  confab_provider_set_headers (provider, headers);
  confab_provider_set_models (provider, models);
  g_assert_true (confab_provider_set_extra_body_json (provider, "{\"provider\": {\"only\": [\"groq\"]}}", NULL));

  return provider;
}

static void
test_round_trip_without_key (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "confab", "providers.json", NULL);
  g_autoptr(ConfabProviderList) list = confab_provider_list_new (NULL);
  g_autoptr(ConfabProviderList) loaded = NULL;
  g_autoptr(ConfabProvider) groq = make_provider ("Groq", "https://api.groq.com/openai/v1");
  g_autoptr(ConfabProvider) local = confab_provider_new ("Ollama", "http://localhost:11434/v1");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  ConfabProvider *restored;
  GStatBuf st;

  g_assert_cmpstr (confab_provider_list_get_path (list), ==, path);

  confab_provider_set_api_key (groq, SECRET_KEY);
  confab_provider_list_add (list, groq);
  confab_provider_list_add (list, local);
  confab_provider_list_set_active (list, "Groq");
  g_assert_true (confab_provider_list_save (list, &error));
  g_assert_no_error (error);

  /* The key must not be anywhere in the file. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (strstr (contents, SECRET_KEY));
  g_assert_null (strstr (contents, "sk-"));
  g_assert_nonnull (strstr (contents, "api.groq.com"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  loaded = confab_provider_list_new (path);
  g_assert_true (confab_provider_list_load (loaded, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 2);
  g_assert_cmpstr (confab_provider_list_get_active_name (loaded), ==, "Groq");

  restored = confab_provider_list_get_active (loaded);
  g_assert_nonnull (restored);
  g_assert_cmpstr (confab_provider_get_name (restored), ==, "Groq");
  g_assert_cmpstr (confab_provider_get_base_url (restored), ==, "https://api.groq.com/openai/v1");
  g_assert_cmpstr (confab_provider_get_model (restored), ==, "model-a");
  g_assert_cmpstrv (confab_provider_get_models (restored), ((const char *[]) { "model-a", "model-b", NULL }));
  g_assert_cmpstrv (confab_provider_get_headers (restored),
                    ((const char *[]) { "X-Title: Confab", "HTTP-Referer: https://example.org", NULL }));
  g_assert_nonnull (confab_provider_get_extra_body (restored));
  g_assert_true (json_object_has_member (confab_provider_get_extra_body (restored), "provider"));
  g_assert_null (confab_provider_get_api_key (restored));

  g_assert_nonnull (confab_provider_list_lookup (loaded, "Ollama"));
  g_assert_null (confab_provider_list_lookup (loaded, "OpenAI"));
}

static void
test_missing_file_is_empty (void)
{
  g_autoptr(ConfabProviderList) list = confab_provider_list_new ("/nonexistent/confab/providers.json");
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_provider_list_load (list, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_null (confab_provider_list_get_active (list));
}

static void
test_broken_file_is_an_error (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "broken.json", NULL);
  g_autofree char *aside = g_strconcat (path, ".broken", NULL);
  g_autoptr(ConfabProviderList) list = confab_provider_list_new (path);
  g_autoptr(ConfabProvider) provider = confab_provider_new ("Local", "http://127.0.0.1:1/v1");
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "{\"providers\": [", -1, NULL));
  g_assert_false (confab_provider_list_load (list, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
  g_clear_error (&error);

  /* Saving afterwards keeps the unreadable file aside instead of losing it. */
  g_test_expect_message ("confab-provider-list", G_LOG_LEVEL_WARNING, "*kept as*.broken");
  confab_provider_list_add (list, provider);
  g_assert_true (confab_provider_list_save (list, &error));
  g_assert_no_error (error);
  g_test_assert_expected_messages ();
  g_assert_true (g_file_get_contents (aside, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, "{\"providers\": [");
}

/* The extra body a user types: "{…}{…}" is refused whole, never read as its first half. */
static void
test_extra_body_with_two_objects (void)
{
  g_autoptr(ConfabProvider) provider = make_provider ("Groq", "https://api.groq.com/openai/v1");
  g_autoptr(GError) error = NULL;
  JsonObject *kept;

  g_assert_false (confab_provider_set_extra_body_json (provider, "{\"temperature\": 0} {\"top_p\": 1}", &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
  g_assert_true (g_str_has_prefix (error->message, "The extra body is not valid JSON"));

  /* What was set before stays. */
  kept = confab_provider_get_extra_body (provider);
  g_assert_nonnull (kept);
  g_assert_true (json_object_has_member (kept, "provider"));
  g_assert_false (json_object_has_member (kept, "temperature"));
}

static void
test_names_are_unique (void)
{
  g_autoptr(ConfabProviderList) list = confab_provider_list_new (NULL);
  g_autoptr(GListModel) presets = confab_provider_list_presets ();
  g_autoptr(ConfabProvider) first = g_list_model_get_item (presets, 1);
  g_autoptr(ConfabProvider) second = confab_provider_new (confab_provider_get_name (first),
                                                         confab_provider_get_base_url (first));
  g_autoptr(ConfabProvider) third = confab_provider_new ("Groq", "http://127.0.0.1:1/v1");

  confab_provider_list_add (list, first);
  confab_provider_list_add (list, second);
  confab_provider_list_add (list, third);

  g_assert_cmpstr (confab_provider_get_name (first), ==, "Groq");
  g_assert_cmpstr (confab_provider_get_name (second), ==, "Groq 2");
  g_assert_cmpstr (confab_provider_get_name (third), ==, "Groq 3");
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_active_follows_changes (void)
{
  g_autoptr(ConfabProviderList) list = confab_provider_list_new (NULL);
  g_autoptr(ConfabProvider) a = confab_provider_new ("A", "http://127.0.0.1:1/v1");
  g_autoptr(ConfabProvider) b = confab_provider_new ("B", "http://127.0.0.1:2/v1");
  guint notified = 0;

  g_signal_connect (list, "notify::active-name", G_CALLBACK (count_notify), &notified);

  g_assert_null (confab_provider_list_get_active (list));

  /* Without a choice the first provider is the active one. */
  confab_provider_list_add (list, a);
  confab_provider_list_add (list, b);
  g_assert_true (confab_provider_list_get_active (list) == a);

  confab_provider_list_set_active (list, "B");
  g_assert_true (confab_provider_list_get_active (list) == b);
  g_assert_cmpuint (notified, >, 0);

  /* Renaming the active one keeps it active. */
  confab_provider_set_name (b, "Bee");
  g_assert_cmpstr (confab_provider_list_get_active_name (list), ==, "Bee");
  g_assert_true (confab_provider_list_get_active (list) == b);

  /* Removing it falls back to the first. */
  confab_provider_list_remove (list, b);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_true (confab_provider_list_get_active (list) == a);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/provider-list/round-trip-without-key", test_round_trip_without_key);
  g_test_add_func ("/provider-list/missing-file-is-empty", test_missing_file_is_empty);
  g_test_add_func ("/provider-list/broken-file-is-an-error-and-kept", test_broken_file_is_an_error);
  g_test_add_func ("/provider-list/extra-body-with-two-objects", test_extra_body_with_two_objects);
  g_test_add_func ("/provider-list/names-are-unique", test_names_are_unique);
  g_test_add_func ("/provider-list/active-follows-changes", test_active_follows_changes);

  return g_test_run ();
}
