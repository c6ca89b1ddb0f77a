/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-approval-policy"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "confab-approval-policy.h"

/* Which tool calls may run without asking. */

static void
test_nothing_allowed_by_default (void)
{
  g_autofree char *path = confab_approval_policy_get_default_path ();
  g_autoptr(ConfabApprovalPolicy) policy = confab_approval_policy_new (path);

  g_assert_false (confab_approval_policy_get_allow_all (policy));
  g_assert_false (confab_approval_policy_is_allowed (policy, "weather", "weather"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_allow_all (void)
{
  g_autoptr(ConfabApprovalPolicy) policy = confab_approval_policy_new (NULL);

  confab_approval_policy_set_allow_all (policy, TRUE);
  g_assert_true (confab_approval_policy_is_allowed (policy, "any", "thing"));
  g_assert_true (confab_approval_policy_is_allowed (policy, NULL, "thing"));

  /* --yes is for one run: it is never saved. */
  confab_approval_policy_set_allow_all (policy, FALSE);
  g_assert_false (confab_approval_policy_is_allowed (policy, "any", "thing"));
}

static void
test_always_saved_and_reread (void)
{
  g_autofree char *path = confab_approval_policy_get_default_path ();
  g_autoptr(ConfabApprovalPolicy) policy = confab_approval_policy_new (path);
  g_autoptr(ConfabApprovalPolicy) reread = NULL;
  g_autoptr(ConfabApprovalPolicy) after_forget = NULL;

  confab_approval_policy_allow_always (policy, "weather", "weather");
  confab_approval_policy_allow_always (policy, "math", "add");
  g_assert_true (confab_approval_policy_is_allowed (policy, "weather", "weather"));
  /* Per server and tool: the same tool name on another server still asks. */
  g_assert_false (confab_approval_policy_is_allowed (policy, "math", "weather"));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  reread = confab_approval_policy_new (path);
  g_assert_true (confab_approval_policy_is_allowed (reread, "weather", "weather"));
  g_assert_true (confab_approval_policy_is_allowed (reread, "math", "add"));
  g_assert_false (confab_approval_policy_is_allowed (reread, "math", "multiply"));

  confab_approval_policy_forget (reread, "math", "add");
  g_assert_false (confab_approval_policy_is_allowed (reread, "math", "add"));

  after_forget = confab_approval_policy_new (path);
  g_assert_false (confab_approval_policy_is_allowed (after_forget, "math", "add"));
  g_assert_true (confab_approval_policy_is_allowed (after_forget, "weather", "weather"));
}

static void
test_file_is_private_json (void)
{
  g_autofree char *path = confab_approval_policy_get_default_path ();
  g_autoptr(ConfabApprovalPolicy) policy = confab_approval_policy_new (path);
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GStatBuf buf;

  confab_approval_policy_allow_always (policy, "b-server", "z");
  confab_approval_policy_allow_always (policy, "b-server", "a");
  confab_approval_policy_allow_always (policy, "a-server", "t");

  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, contents, -1, &error);
  g_assert_no_error (error);
  /* Sorted, so the file is stable. */
  {
    g_autoptr(JsonGenerator) generator = json_generator_new ();
    g_autofree char *compact = NULL;

    json_generator_set_root (generator, json_parser_get_root (parser));
    compact = json_generator_to_data (generator, NULL);
    g_assert_cmpstr (compact, ==, "{\"always\":{\"a-server\":[\"t\"],\"b-server\":[\"a\",\"z\"]}}");
  }
}

static void
test_corrupt_file_tolerated (void)
{
  g_autofree char *path = confab_approval_policy_get_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(ConfabApprovalPolicy) policy = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, "{\"always\": {\"x\": [", -1, &error);
  g_assert_no_error (error);

  g_test_expect_message ("confab-approval-policy",
                         G_LOG_LEVEL_WARNING, "Could not read the tool approvals*");
  policy = confab_approval_policy_new (path);
  g_test_assert_expected_messages ();

  /* Nothing allowed from a file that cannot be read; a new "always" rewrites it. */
  g_assert_false (confab_approval_policy_is_allowed (policy, "x", "y"));
  confab_approval_policy_allow_always (policy, "x", "y");
  g_clear_object (&policy);
  policy = confab_approval_policy_new (path);
  g_assert_true (confab_approval_policy_is_allowed (policy, "x", "y"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/approval-policy/nothing-allowed-by-default", test_nothing_allowed_by_default);
  g_test_add_func ("/approval-policy/allow-all", test_allow_all);
  g_test_add_func ("/approval-policy/always-saved-and-reread", test_always_saved_and_reread);
  g_test_add_func ("/approval-policy/file-is-private-json", test_file_is_private_json);
  g_test_add_func ("/approval-policy/corrupt-file-tolerated", test_corrupt_file_tolerated);

  return g_test_run ();
}
