/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "confab-provider.h"
#include "confab-provider-list.h"
#include "confab-secrets.h"
#include "confab-test-util.h"

#include "../ui/panels-keyring.h"

static PanelsKeyring keyring;

#define TIMEOUT_MS 10000

typedef struct
{
  GAsyncResult *result;
} Wait;

/* Waits for the result confab_test_store_result_cb stores; the Wait keeps it (transfer none). */
static GAsyncResult *
wait_for_result (Wait *wait)
{
  wait->result = confab_test_wait_result (&wait->result, TIMEOUT_MS);
  return wait->result;
}

static void
store_key (const char *provider,
           const char *key)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  confab_secrets_store_async (provider, key, NULL, confab_test_store_result_cb, &wait.result);
  g_assert_true (confab_secrets_store_finish (wait_for_result (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
}

static char *
lookup_key (const char *provider)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };
  char *key;

  confab_secrets_lookup_async (provider, NULL, confab_test_store_result_cb, &wait.result);
  key = confab_secrets_lookup_finish (wait_for_result (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  return key;
}

static void
test_store_lookup_clear (void)
{
  g_autoptr(GError) error = NULL;
  char *key;
  Wait wait = { 0 };

  if (panels_keyring_skip (&keyring))
    return;

  key = lookup_key ("Groq");
  g_assert_null (key);

  store_key ("Groq", "gsk-first");
  store_key ("OpenRouter", "sk-or-other");

  key = lookup_key ("Groq");
  g_assert_cmpstr (key, ==, "gsk-first");
  confab_secrets_free (key);

  /* Storing again replaces, never duplicates. */
  store_key ("Groq", "gsk-second");
  key = lookup_key ("Groq");
  g_assert_cmpstr (key, ==, "gsk-second");
  confab_secrets_free (key);

  confab_secrets_clear_async ("Groq", NULL, confab_test_store_result_cb, &wait.result);
  g_assert_true (confab_secrets_clear_finish (wait_for_result (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  key = lookup_key ("Groq");
  g_assert_null (key);

  /* The other provider's key is untouched. */
  key = lookup_key ("OpenRouter");
  g_assert_cmpstr (key, ==, "sk-or-other");
  confab_secrets_free (key);

  /* An empty key clears. */
  store_key ("OpenRouter", "");
  key = lookup_key ("OpenRouter");
  g_assert_null (key);
}

static void
test_provider_list_loads_keys (void)
{
  g_autoptr(ConfabProviderList) list = confab_provider_list_new (NULL);
  g_autoptr(ConfabProvider) groq = confab_provider_new ("Groq Test", "http://127.0.0.1:1/v1");
  g_autoptr(ConfabProvider) ollama = confab_provider_new ("Ollama Test", "http://127.0.0.1:2/v1");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  Wait wait = { 0 };

  if (panels_keyring_skip (&keyring))
    return;

  store_key ("Groq Test", "gsk-from-keyring");

  confab_provider_list_add (list, groq);
  confab_provider_list_add (list, ollama);
  g_assert_null (confab_provider_get_api_key (groq));

  confab_provider_list_load_keys_async (list, NULL, confab_test_store_result_cb, &wait.result);
  g_assert_true (confab_provider_list_load_keys_finish (list, wait_for_result (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  g_assert_cmpstr (confab_provider_get_api_key (groq), ==, "gsk-from-keyring");
  g_assert_null (confab_provider_get_api_key (ollama));

  /* Saving the list with a key loaded still writes no key. */
  g_assert_true (confab_provider_list_save (list, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (confab_provider_list_get_path (list), &contents, NULL, NULL));
  g_assert_null (strstr (contents, "gsk-from-keyring"));
}

/* The list renames a provider and its keyring entry with it; it sets a key in both places. */
static void
test_provider_list_rename_and_set_key (void)
{
  g_autoptr(ConfabProviderList) list = confab_provider_list_new (NULL);
  g_autoptr(ConfabProvider) groq = confab_provider_new ("Rename Test", "http://127.0.0.1:1/v1");
  g_autoptr(ConfabProvider) other = confab_provider_new ("Rename Test 2", "http://127.0.0.1:2/v1");
  g_autoptr(GError) error = NULL;
  g_autofree char *renamed = NULL;
  Wait wait = { 0 };
  char *key;

  if (panels_keyring_skip (&keyring))
    return;

  confab_provider_list_add (list, groq);
  confab_provider_list_add (list, other);

  confab_provider_list_set_key_async (list, groq, "gsk-renamed", NULL, confab_test_store_result_cb, &wait.result);
  g_assert_true (confab_provider_list_set_key_finish (list, wait_for_result (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpstr (confab_provider_get_api_key (groq), ==, "gsk-renamed");
  key = lookup_key ("Rename Test");
  g_assert_cmpstr (key, ==, "gsk-renamed");
  confab_secrets_free (key);

  /* Nothing to do: empty, or the same name. */
  g_assert_null (confab_provider_list_rename (list, groq, "  "));
  g_assert_null (confab_provider_list_rename (list, groq, " Rename Test "));

  /* A taken name is made unique; the key follows, the old entry goes once it is moved. */
  renamed = confab_provider_list_rename (list, groq, " Rename Test 2 ");
  g_assert_cmpstr (renamed, ==, "Rename Test 2 2");
  g_assert_cmpstr (confab_provider_get_name (groq), ==, "Rename Test 2 2");
  CONFAB_TEST_WAIT_FOR ((key = lookup_key ("Rename Test")) == NULL || (confab_secrets_free (key), FALSE),
                        TIMEOUT_MS);
  key = lookup_key ("Rename Test 2 2");
  g_assert_cmpstr (key, ==, "gsk-renamed");
  confab_secrets_free (key);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/secrets/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/secrets/provider-list-loads-keys", test_provider_list_loads_keys);
  g_test_add_func ("/secrets/provider-list-rename-and-set-key", test_provider_list_rename_and_set_key);

  panels_keyring_start (&keyring, TRUE);
  ret = g_test_run ();
  panels_keyring_stop (&keyring);

  return ret;
}
