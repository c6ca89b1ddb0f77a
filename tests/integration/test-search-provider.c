/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GNOME Shell search provider as the Shell uses it: a private session bus activates
 * confab-search-provider from its .service file, and the test calls
 * org.gnome.Shell.SearchProvider2 over D-Bus against a store it wrote. Activating a result
 * starts `confab --conversation=ID`: a stand-in `confab` first on PATH records its
 * arguments. */
#define G_LOG_DOMAIN "test-search-provider"

#include "config.h"

#include <glib/gstdio.h>

#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-store.h"
#include "confab-test-util.h"

#define BUS_NAME    "io.github.confab.Confab.SearchProvider"
#define OBJECT_PATH "/io/github/confab/Confab/SearchProvider"
#define INTERFACE   "org.gnome.Shell.SearchProvider2"

static char *tmp_dir;
static char *pasta_id;
static char *rust_id;
static GTestDBus *bus;

static char *
save_conversation (ConfabStore *store,
                   const char  *title,
                   const char  *question,
                   const char  *answer)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, question);
  g_autoptr(ConfabMessage) assistant = confab_message_new (CONFAB_ROLE_ASSISTANT, answer);
  g_autoptr(GError) error = NULL;

  confab_conversation_set_title (conversation, title);
  confab_conversation_append (conversation, user);
  confab_conversation_append (conversation, assistant);
  g_assert_true (confab_store_save (store, conversation, &error));
  g_assert_no_error (error);

  return g_strdup (confab_conversation_get_id (conversation));
}

static GVariant *
call (const char *method,
      GVariant   *parameters)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  /* The first call starts the service through D-Bus activation, as the Shell's does. */
  reply = g_dbus_connection_call_sync (connection, BUS_NAME, OBJECT_PATH, INTERFACE, method,
                                       parameters, NULL, G_DBUS_CALL_FLAGS_NONE, 20000, NULL,
                                       &error);
  g_assert_no_error (error);

  return reply;
}

static char **
initial_results (const char * const *terms)
{
  g_autoptr(GVariant) reply = call ("GetInitialResultSet", g_variant_new ("(^as)", terms));
  char **results = NULL;

  g_variant_get (reply, "(^as)", &results);
  return results;
}

static void
test_initial_results_find_by_content_and_title (void)
{
  const char * const by_content[] = { "fettuccine", NULL };
  const char * const by_title[] = { "lifetimes", NULL };
  const char * const nothing[] = { "xylophonist", NULL };
  g_auto(GStrv) content_hits = initial_results (by_content);
  g_auto(GStrv) title_hits = initial_results (by_title);
  g_auto(GStrv) no_hits = initial_results (nothing);

  g_assert_cmpuint (g_strv_length (content_hits), ==, 1);
  g_assert_cmpstr (content_hits[0], ==, pasta_id);
  g_assert_cmpuint (g_strv_length (title_hits), ==, 1);
  g_assert_cmpstr (title_hits[0], ==, rust_id);
  g_assert_cmpuint (g_strv_length (no_hits), ==, 0);
}

static void
test_subsearch_narrows (void)
{
  const char * const first[] = { "the", NULL };
  const char * const narrower[] = { "the", "borrow", NULL };
  g_auto(GStrv) previous = initial_results (first);
  g_auto(GStrv) results = NULL;
  g_autoptr(GVariant) reply = NULL;

  g_assert_cmpuint (g_strv_length (previous), ==, 2);

  reply = call ("GetSubsearchResultSet", g_variant_new ("(^as^as)", previous, narrower));
  g_variant_get (reply, "(^as)", &results);
  g_assert_cmpuint (g_strv_length (results), ==, 1);
  g_assert_cmpstr (results[0], ==, rust_id);
}

static void
test_result_metas_have_title_and_snippet (void)
{
  const char * const terms[] = { "fettuccine", NULL };
  g_auto(GStrv) hits = initial_results (terms);
  g_autoptr(GVariant) reply = call ("GetResultMetas", g_variant_new ("(^as)", hits));
  g_autoptr(GVariant) metas = g_variant_get_child_value (reply, 0);
  g_autoptr(GVariant) meta = NULL;
  const char *id = NULL, *name = NULL, *description = NULL;
  g_autoptr(GVariant) icon = NULL;

  g_assert_cmpuint (g_variant_n_children (metas), ==, 1);
  meta = g_variant_get_child_value (metas, 0);
  g_assert_true (g_variant_lookup (meta, "id", "&s", &id));
  g_assert_true (g_variant_lookup (meta, "name", "&s", &name));
  g_assert_true (g_variant_lookup (meta, "description", "&s", &description));
  icon = g_variant_lookup_value (meta, "icon", NULL);

  g_assert_cmpstr (id, ==, pasta_id);
  g_assert_cmpstr (name, ==, "Pasta recipes");
  g_assert_nonnull (strstr (description, "fettuccine"));
  /* A snippet is plain text for the Shell: no markup of any kind. */
  g_assert_null (strchr (description, '<'));
  g_assert_nonnull (icon);
}

/* Waits for the stand-in confab to write its record: a directory monitor wakes the main
 * context when the file appears (nothing else would). */
static char *
wait_for_launch (void)
{
  g_autofree char *record = g_build_filename (tmp_dir, "launched", NULL);
  g_autoptr(GFile) dir = g_file_new_for_path (tmp_dir);
  g_autoptr(GFileMonitor) monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  char *contents = NULL;

  g_assert_nonnull (monitor);
  CONFAB_TEST_WAIT_FOR (g_file_get_contents (record, &contents, NULL, NULL), 10000);
  g_unlink (record);

  return contents;
}

static void
test_activate_result_opens_the_conversation (void)
{
  g_autofree char *expected = g_strdup_printf ("--conversation=%s\n", rust_id);
  g_autofree char *contents = NULL;
  const char * const terms[] = { "lifetimes", NULL };
  g_autoptr(GVariant) reply = NULL;

  reply = call ("ActivateResult", g_variant_new ("(s^asu)", rust_id, terms, 0));
  contents = wait_for_launch ();
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_launch_search_opens_the_search (void)
{
  g_autofree char *contents = NULL;
  const char * const terms[] = { "borrow", "checker", NULL };
  g_autoptr(GVariant) reply = NULL;

  reply = call ("LaunchSearch", g_variant_new ("(^asu)", terms, 0));
  contents = wait_for_launch ();
  g_assert_cmpstr (contents, ==, "--search=borrow checker\n");
}

/* What the Shell reads to find the provider names the bus name and path the service owns. */
static void
test_ini_names_the_service (void)
{
  g_autoptr(GKeyFile) ini = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data",
                                                 APP_ID ".search-provider.ini", NULL);
  g_autofree char *bus_name = NULL;
  g_autofree char *object_path = NULL;
  g_autofree char *desktop_id = NULL;

  g_key_file_load_from_file (ini, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  bus_name = g_key_file_get_string (ini, "Shell Search Provider", "BusName", &error);
  g_assert_no_error (error);
  object_path = g_key_file_get_string (ini, "Shell Search Provider", "ObjectPath", &error);
  g_assert_no_error (error);
  desktop_id = g_key_file_get_string (ini, "Shell Search Provider", "DesktopId", &error);
  g_assert_no_error (error);

  g_assert_cmpstr (bus_name, ==, BUS_NAME);
  g_assert_cmpstr (object_path, ==, OBJECT_PATH);
  g_assert_cmpstr (desktop_id, ==, APP_ID ".desktop");
  g_assert_cmpint (g_key_file_get_integer (ini, "Shell Search Provider", "Version", NULL), ==, 2);
}

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *bin_dir = NULL;
  g_autofree char *services = NULL;
  g_autofree char *service = NULL;
  g_autofree char *service_file = NULL;
  g_autofree char *fake_confab = NULL;
  g_autofree char *fake_script = NULL;
  g_autofree char *path = NULL;

  tmp_dir = g_dir_make_tmp ("confab-search-provider-XXXXXX", &error);
  g_assert_no_error (error);

  data_home = g_build_filename (tmp_dir, "data", NULL);
  db_path = g_build_filename (data_home, "confab", "confab.db", NULL);
  store = confab_store_open (db_path, &error);
  g_assert_no_error (error);
  pasta_id = save_conversation (store, "Pasta recipes",
                                "How long should I boil the fettuccine?",
                                "Boil fettuccine for about eleven minutes, until al dente.");
  rust_id = save_conversation (store, "Rust lifetimes",
                               "Why does the borrow checker complain here?",
                               "The reference outlives the value it borrows from.");
  g_clear_object (&store);

  /* The stand-in `confab` the provider finds first on PATH. */
  bin_dir = g_build_filename (tmp_dir, "bin", NULL);
  g_assert_cmpint (g_mkdir_with_parents (bin_dir, 0700), ==, 0);
  fake_confab = g_build_filename (bin_dir, "confab", NULL);
  fake_script = g_strdup_printf ("#!/bin/sh\nprintf '%%s\\n' \"$*\" > '%s/launched.part'\n"
                                 "mv '%s/launched.part' '%s/launched'\n", tmp_dir, tmp_dir, tmp_dir);
  write_file (fake_confab, fake_script, 0700);

  services = g_build_filename (tmp_dir, "services", NULL);
  g_assert_cmpint (g_mkdir_with_parents (services, 0700), ==, 0);
  service_file = g_build_filename (services, BUS_NAME ".service", NULL);
  service = g_strdup_printf ("[D-BUS Service]\nName=%s\nExec=%s\n", BUS_NAME,
                             g_getenv ("CONFAB_SEARCH_PROVIDER"));
  write_file (service_file, service, 0600);

  /* The bus daemon passes its environment to what it activates. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  path = g_strconcat (bin_dir, ":", g_getenv ("PATH"), NULL);
  g_setenv ("PATH", path, TRUE);

  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_add_service_dir (bus, services);
  g_test_dbus_up (bus);
}

static void
tear_down (void)
{
  g_test_dbus_down (bus);
  g_clear_object (&bus);
  g_free (pasta_id);
  g_free (rust_id);
  /* The files are left to the system's tmp cleaning when a test fails; on success too:
   * the provider may still hold the database open for its idle timeout. */
  g_free (tmp_dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CONFAB_SEARCH_PROVIDER") == NULL)
    {
      g_test_skip ("CONFAB_SEARCH_PROVIDER is not set (run through meson test)");
      return 0;
    }

  set_up ();

  g_test_add_func ("/search-provider/ini-names-the-service", test_ini_names_the_service);
  g_test_add_func ("/search-provider/initial-results-by-content-and-title", test_initial_results_find_by_content_and_title);
  g_test_add_func ("/search-provider/subsearch-narrows", test_subsearch_narrows);
  g_test_add_func ("/search-provider/result-metas-title-and-snippet", test_result_metas_have_title_and_snippet);
  g_test_add_func ("/search-provider/activate-result-opens-conversation", test_activate_result_opens_the_conversation);
  g_test_add_func ("/search-provider/launch-search", test_launch_search_opens_the_search);

  status = g_test_run ();
  tear_down ();

  return status;
}
