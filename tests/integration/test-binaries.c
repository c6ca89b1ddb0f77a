/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Both front ends answer --version and --help, and --help lists the shared options. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

static char *
run (const char  *env_name,
     const char  *argument,
     int         *exit_status)
{
  const char *binary = g_getenv (env_name);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_nonnull (binary);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error,
                              binary, argument, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  *exit_status = g_subprocess_get_exit_status (process);

  return g_steal_pointer (&out);
}

static void
test_version (gconstpointer data)
{
  const char *env_name = data;
  int status;
  g_autofree char *out = run (env_name, "--version", &status);
  g_autofree char *expected = g_strdup_printf ("%s %s\n",
                                               g_str_equal (env_name, "CONFAB_APP") ? "confab" : "confab-cli",
                                               PACKAGE_VERSION);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_help_lists_shared_options (gconstpointer data)
{
  static const char * const options[] = { "--base-url", "--model", "--api-key-env", "--mcp", "--yes", "--version" };
  int status;
  g_autofree char *out = run (data, "--help", &status);

  g_assert_cmpint (status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    if (strstr (out, options[i]) == NULL)
      g_error ("--help does not mention %s:\n%s", options[i], out);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_data_func ("/binaries/confab/version", "CONFAB_APP", test_version);
  g_test_add_data_func ("/binaries/confab/help", "CONFAB_APP", test_help_lists_shared_options);
  g_test_add_data_func ("/binaries/confab-cli/version", "CONFAB_CLI", test_version);
  g_test_add_data_func ("/binaries/confab-cli/help", "CONFAB_CLI", test_help_lists_shared_options);

  return g_test_run ();
}
