/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>
#include <signal.h>

/* A private D-Bus session bus with a gnome-keyring-daemon of the test's own on it (a fresh,
 * unlocked login keyring in a temporary home). Nothing else can be activated on that bus, so
 * tests running at the same time never meet, and no test key reaches a real keyring. */
typedef struct
{
  GTestDBus   *bus;
  GSubprocess *daemon;
  char        *home;
  gboolean     exited;
  const char  *skip_reason;
} PanelsKeyring;

#define PANELS_KEYRING_TIMEOUT_SECONDS 10

/* TRUE, and the test skipped, when @keyring has no daemon (see panels_keyring_start()). */
static inline gboolean
panels_keyring_skip (PanelsKeyring *keyring)
{
  if (keyring->daemon != NULL)
    return FALSE;

  g_test_skip (keyring->skip_reason);
  return TRUE;
}

static inline gboolean
panels_keyring_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;
  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static inline gboolean
panels_keyring_service_running (GDBusConnection *bus)
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

static inline void
panels_keyring_exited_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *exited = TRUE;
}

/* Brings up the private bus (call before anything uses D-Bus, e.g. before gtk_init());
 * with @with_daemon also starts the keyring. On failure keyring->daemon stays NULL and
 * keyring->skip_reason says why. */
static inline void
panels_keyring_start (PanelsKeyring *keyring,
                      gboolean       with_daemon)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  g_autofree char *runtime_dir = NULL;
  g_autofree char *data_dir = NULL;
  gboolean timed_out = FALSE;
  guint timeout_id;

  keyring->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (keyring->bus);
  /* GTestDBus unsets DISPLAY (against X11 bus autolaunch); GTK needs it back. */
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);

  if (!with_daemon)
    {
      keyring->skip_reason = "no keyring was asked for";
      return;
    }

  if (daemon == NULL)
    {
      keyring->skip_reason = "gnome-keyring-daemon is not installed";
      return;
    }

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      keyring->skip_reason = "the private session bus cannot be reached";
      return;
    }

  keyring->home = g_dir_make_tmp ("confab-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  runtime_dir = g_build_filename (keyring->home, "runtime", NULL);
  data_dir = g_build_filename (keyring->home, "data", NULL);
  g_assert_cmpint (g_mkdir_with_parents (runtime_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", keyring->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_dir, TRUE);
  keyring->daemon = g_subprocess_launcher_spawn (launcher, &error, daemon, "--foreground", "--unlock",
                                                 "--components=secrets", NULL);
  if (keyring->daemon == NULL)
    {
      keyring->skip_reason = "gnome-keyring-daemon could not be started";
      return;
    }

  g_subprocess_wait_async (keyring->daemon, NULL, panels_keyring_exited_cb, &keyring->exited);

  /* A throwaway password for the new login keyring, then end of input. */
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (keyring->daemon), "confab-test", 11, NULL, NULL, NULL);
  g_output_stream_close (g_subprocess_get_stdin_pipe (keyring->daemon), NULL, NULL);

  timeout_id = g_timeout_add_seconds (PANELS_KEYRING_TIMEOUT_SECONDS, panels_keyring_timeout_cb, &timed_out);
  while (!timed_out && !keyring->exited && !panels_keyring_service_running (bus))
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (G_USEC_PER_SEC / 100);  /* polling the bus, not synchronising with it */
    }
  if (!timed_out)
    g_source_remove (timeout_id);

  if (!panels_keyring_service_running (bus))
    {
      keyring->skip_reason = "gnome-keyring-daemon did not offer org.freedesktop.secrets";
      g_subprocess_force_exit (keyring->daemon);
      g_clear_object (&keyring->daemon);
    }
}

static inline void
panels_keyring_remove_tree (GFile *file)
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
          panels_keyring_remove_tree (child);
          g_object_unref (info);
        }
    }

  g_file_delete (file, NULL, NULL);
}

static inline void
panels_keyring_stop (PanelsKeyring *keyring)
{
  if (keyring->daemon != NULL)
    {
      g_subprocess_send_signal (keyring->daemon, SIGTERM);
      g_subprocess_wait (keyring->daemon, NULL, NULL);
      g_clear_object (&keyring->daemon);
    }

  if (keyring->bus != NULL)
    {
      /* libsecret keeps its connection alive: stop the bus without waiting for it, and
       * never unref the GTestDBus (its finalizer would wait). */
      secret_service_disconnect ();
      g_test_dbus_stop (keyring->bus);
    }

  if (keyring->home != NULL)
    {
      g_autoptr(GFile) home = g_file_new_for_path (keyring->home);
      panels_keyring_remove_tree (home);
      g_clear_pointer (&keyring->home, g_free);
    }
}
