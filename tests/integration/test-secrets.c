/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "confab-provider.h"
#include "confab-provider-list.h"
#include "confab-secrets.h"

#define TIMEOUT_SECONDS 10

/* A gnome-keyring-daemon of our own on the dbus-run-session bus, with a fresh, unlocked
 * login keyring in the test's temporary home. */
static GTestDBus *test_bus;
static GSubprocess *keyring;
static char *keyring_home;
static gboolean keyring_exited;
static const char *skip_reason;

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;
  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
secret_service_running (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);

  return owned;
}

static void
keyring_exited_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *exited = TRUE;
}

static void
start_keyring (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *runtime_dir = NULL;
  g_autofree char *data_dir = NULL;
  gboolean timed_out = FALSE;
  guint timeout_id;

  if (daemon == NULL)
    {
      skip_reason = "gnome-keyring-daemon is not installed";
      return;
    }

  /* A private bus with no activatable services: only our daemon offers secrets there, and
   * tests running at the same time cannot meet it. */
  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);
  if (g_test_dbus_get_bus_address (test_bus) == NULL)
    {
      skip_reason = "no private D-Bus session bus could be started (is dbus-daemon installed?)";
      return;
    }

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      skip_reason = "the session bus cannot be reached";
      return;
    }

  /* Never write test keys into somebody's real keyring. */
  if (secret_service_running (bus))
    {
      skip_reason = "a secret service already runs on the private bus";
      return;
    }

  keyring_home = g_dir_make_tmp ("confab-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  runtime_dir = g_build_filename (keyring_home, "runtime", NULL);
  data_dir = g_build_filename (keyring_home, "data", NULL);
  g_assert_cmpint (g_mkdir_with_parents (runtime_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", keyring_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_dir, TRUE);
  keyring = g_subprocess_launcher_spawn (launcher, &error, daemon, "--foreground", "--unlock",
                                         "--components=secrets", NULL);
  if (keyring == NULL)
    {
      skip_reason = "gnome-keyring-daemon could not be started";
      return;
    }

  g_subprocess_wait_async (keyring, NULL, keyring_exited_cb, &keyring_exited);

  /* A throwaway password for the new login keyring, then end of input. */
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (keyring), "confab-test", 11, NULL, NULL, NULL);
  g_output_stream_close (g_subprocess_get_stdin_pipe (keyring), NULL, NULL);

  timeout_id = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, &timed_out);
  while (!timed_out && !secret_service_running (bus))
    {
      if (keyring_exited)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (G_USEC_PER_SEC / 100);  /* polling the bus, not synchronising with it */
    }
  g_clear_handle_id (&timeout_id, g_source_remove);

  if (!secret_service_running (bus))
    {
      skip_reason = "gnome-keyring-daemon did not offer org.freedesktop.secrets";
      g_subprocess_force_exit (keyring);
      g_clear_object (&keyring);
    }
}

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Wait *wait = user_data;
  wait->result = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (Wait *wait)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, &timed_out);

  while (wait->result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (timeout_id);

  g_assert_nonnull (wait->result);
  return wait->result;
}

static gboolean
skip_without_keyring (void)
{
  if (keyring != NULL)
    return FALSE;

  g_test_skip (skip_reason);
  return TRUE;
}

static void
store_key (const char *provider,
           const char *key)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  confab_secrets_store_async (provider, key, NULL, store_result_cb, &wait);
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

  confab_secrets_lookup_async (provider, NULL, store_result_cb, &wait);
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

  if (skip_without_keyring ())
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

  confab_secrets_clear_async ("Groq", NULL, store_result_cb, &wait);
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

  if (skip_without_keyring ())
    return;

  store_key ("Groq Test", "gsk-from-keyring");

  confab_provider_list_add (list, groq);
  confab_provider_list_add (list, ollama);
  g_assert_null (confab_provider_get_api_key (groq));

  confab_provider_list_load_keys_async (list, NULL, store_result_cb, &wait);
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

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;

      while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
        {
          g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));
          remove_tree (child);
          g_object_unref (info);
        }
    }

  g_file_delete (file, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/secrets/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/secrets/provider-list-loads-keys", test_provider_list_loads_keys);

  start_keyring ();
  ret = g_test_run ();

  if (keyring != NULL)
    {
      g_subprocess_send_signal (keyring, SIGTERM);
      g_subprocess_wait (keyring, NULL, NULL);
      g_clear_object (&keyring);
    }

  if (test_bus != NULL)
    {
      /* libsecret keeps its connection to the bus alive: stop the bus without waiting for it. */
      secret_service_disconnect ();
      g_test_dbus_stop (test_bus);
      /* Not unreffed: its finalizer would wait for the connection libsecret still holds. */
    }

  if (keyring_home != NULL)
    {
      g_autoptr(GFile) home = g_file_new_for_path (keyring_home);
      remove_tree (home);
      g_clear_pointer (&keyring_home, g_free);
    }

  return ret;
}
