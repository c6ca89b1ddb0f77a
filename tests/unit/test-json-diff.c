/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-json-diff"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "confab-json-diff.h"

static GPtrArray *
diff (const char *old,
      const char *new)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = confab_json_diff_strings (old, new, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entries);
  return entries;
}

static ConfabJsonDiffEntry *
entry (GPtrArray *entries,
       guint      i)
{
  g_assert_cmpuint (i, <, entries->len);
  return g_ptr_array_index (entries, i);
}

static char *
value_text (JsonNode *node)
{
  return node ? json_to_string (node, FALSE) : NULL;
}

#define assert_entry(entries, i, kind_, path_, old_, new_)                      \
  G_STMT_START {                                                                \
    ConfabJsonDiffEntry *_e = entry ((entries), (i));                           \
    g_autofree char *_old = value_text (_e->old_value);                         \
    g_autofree char *_new = value_text (_e->new_value);                         \
    g_assert_cmpint (_e->kind, ==, (kind_));                                    \
    g_assert_cmpstr (_e->path, ==, (path_));                                    \
    g_assert_cmpstr (_old, ==, (old_));                                         \
    g_assert_cmpstr (_new, ==, (new_));                                         \
  } G_STMT_END

static void
test_equal_documents (void)
{
  /* Member order does not matter. */
  g_autoptr(GPtrArray) entries = diff ("{\"a\":1,\"b\":[1,2,{\"c\":null}]}",
                                       "{\"b\":[1,2,{\"c\":null}],\"a\":1}");

  g_assert_cmpuint (entries->len, ==, 0);
}

static void
test_members (void)
{
  g_autoptr(GPtrArray) entries = diff ("{\"model\":\"a\",\"gone\":true,\"same\":1}",
                                       "{\"model\":\"b\",\"same\":1,\"new key\":[1]}");

  g_assert_cmpuint (entries->len, ==, 3);
  assert_entry (entries, 0, CONFAB_JSON_DIFF_CHANGED, "$.model", "\"a\"", "\"b\"");
  assert_entry (entries, 1, CONFAB_JSON_DIFF_REMOVED, "$.gone", "true", NULL);
  assert_entry (entries, 2, CONFAB_JSON_DIFF_ADDED, "$[\"new key\"]", NULL, "[1]");
}

/* An item inserted in the middle is one addition, not a change of every later index. */
static void
test_array_insertion_is_one_addition (void)
{
  g_autoptr(GPtrArray) entries = diff ("[\"a\",\"b\",\"c\"]", "[\"a\",\"x\",\"b\",\"c\"]");

  g_assert_cmpuint (entries->len, ==, 1);
  assert_entry (entries, 0, CONFAB_JSON_DIFF_ADDED, "$[1]", NULL, "\"x\"");
}

/* A long history with one message added in the middle and one at the end: the shared head
 * and tail are not compared pairwise, so this stays exact and quick. */
static void
test_long_history (void)
{
  g_autoptr(JsonArray) old = json_array_new ();
  g_autoptr(JsonArray) new = json_array_new ();
  g_autoptr(JsonNode) old_node = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(JsonNode) new_node = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(GPtrArray) entries = NULL;

  for (guint i = 0; i < 5000; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);

      json_array_add_string_element (old, text);
      if (i == 2500)
        json_array_add_string_element (new, "inserted");
      json_array_add_string_element (new, text);
    }
  json_array_add_string_element (new, "appended");
  json_node_set_array (old_node, old);
  json_node_set_array (new_node, new);

  entries = confab_json_diff (old_node, new_node);
  g_assert_cmpuint (entries->len, ==, 2);
  assert_entry (entries, 0, CONFAB_JSON_DIFF_ADDED, "$[2500]", NULL, "\"inserted\"");
  assert_entry (entries, 1, CONFAB_JSON_DIFF_ADDED, "$[5001]", NULL, "\"appended\"");
}

static guint
lcs_length (const int *a,
            guint      n,
            const int *b,
            guint      m)
{
  g_autofree guint *t = g_new0 (guint, (n + 1) * (m + 1));

  for (guint i = n; i-- > 0;)
    for (guint j = m; j-- > 0;)
      t[i * (m + 1) + j] = a[i] == b[j] ? t[(i + 1) * (m + 1) + j + 1] + 1
                                        : MAX (t[(i + 1) * (m + 1) + j], t[i * (m + 1) + j + 1]);
  return t[0];
}

/* Random arrays of small numbers (fixed seed): the items kept are a longest common
 * subsequence, so removed + changed = n - LCS and added + changed = m - LCS. */
static void
test_random_arrays_keep_a_longest_common_subsequence (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261204);

  for (guint round = 0; round < 300; round++)
    {
      guint n = g_rand_int_range (rand, 0, 14), m = g_rand_int_range (rand, 0, 14);
      int a[14], b[14];
      g_autoptr(JsonArray) ja = json_array_new ();
      g_autoptr(JsonArray) jb = json_array_new ();
      g_autoptr(JsonNode) na = json_node_new (JSON_NODE_ARRAY);
      g_autoptr(JsonNode) nb = json_node_new (JSON_NODE_ARRAY);
      g_autoptr(GPtrArray) entries = NULL;
      guint added = 0, removed = 0, changed = 0, lcs;

      for (guint i = 0; i < n; i++)
        json_array_add_int_element (ja, a[i] = g_rand_int_range (rand, 0, 4));
      for (guint j = 0; j < m; j++)
        json_array_add_int_element (jb, b[j] = g_rand_int_range (rand, 0, 4));
      json_node_set_array (na, ja);
      json_node_set_array (nb, jb);

      entries = confab_json_diff (na, nb);
      for (guint e = 0; e < entries->len; e++)
        {
          ConfabJsonDiffEntry *entry = g_ptr_array_index (entries, e);

          added += entry->kind == CONFAB_JSON_DIFF_ADDED;
          removed += entry->kind == CONFAB_JSON_DIFF_REMOVED;
          changed += entry->kind == CONFAB_JSON_DIFF_CHANGED;
        }

      lcs = lcs_length (a, n, b, m);
      g_assert_cmpuint (removed + changed, ==, n - lcs);
      g_assert_cmpuint (added + changed, ==, m - lcs);
    }
}

static void
test_array_removal_and_in_place_change (void)
{
  g_autoptr(GPtrArray) entries = diff ("[{\"role\":\"user\",\"content\":\"hi\"},\"drop\",\"keep\"]",
                                       "[{\"role\":\"user\",\"content\":\"hello\"},\"keep\"]");

  /* The first item changed in place (shown member by member), "drop" went. */
  g_assert_cmpuint (entries->len, ==, 2);
  assert_entry (entries, 0, CONFAB_JSON_DIFF_CHANGED, "$[0].content", "\"hi\"", "\"hello\"");
  assert_entry (entries, 1, CONFAB_JSON_DIFF_REMOVED, "$[1]", "\"drop\"", NULL);
}

static void
test_type_change (void)
{
  g_autoptr(GPtrArray) entries = diff ("{\"a\":{\"b\":1}}", "{\"a\":[1]}");

  g_assert_cmpuint (entries->len, ==, 1);
  assert_entry (entries, 0, CONFAB_JSON_DIFF_CHANGED, "$.a", "{\"b\":1}", "[1]");
}

static void
test_not_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = confab_json_diff_strings ("{}", "{\"a\":", &error);

  g_assert_null (entries);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_true (g_str_has_prefix (error->message, "A request body is not JSON"));
}

static char *
cassette_request (const char *name,
                  guint       index)
{
  g_autofree char *path = g_build_filename (g_getenv ("CONFAB_CASSETTES_DIR"), name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *interactions;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  interactions = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "interactions");
  return g_strdup (json_object_get_string_member (
                     json_object_get_object_member (json_array_get_object_element (interactions, index), "request"),
                     "body"));
}

/* The two requests of a recorded tool loop: the second adds the assistant message with its
 * tool_calls and the tool result, and nothing else. */
static void
test_seed_tool_loop (void)
{
  g_autofree char *first = cassette_request ("tool_streaming_groq-kimi-k2.json", 0);
  g_autofree char *second = cassette_request ("tool_streaming_groq-kimi-k2.json", 1);
  g_autoptr(GPtrArray) entries = diff (first, second);
  ConfabJsonDiffEntry *assistant, *tool;
  JsonObject *object;

  for (guint i = 0; i < entries->len; i++)
    g_test_message ("%u %s", entry (entries, i)->kind, entry (entries, i)->path);

  g_assert_cmpuint (entries->len, ==, 2);
  assistant = entry (entries, 0);
  tool = entry (entries, 1);

  g_assert_cmpint (assistant->kind, ==, CONFAB_JSON_DIFF_ADDED);
  g_assert_cmpstr (assistant->path, ==, "$.messages[2]");
  object = json_node_get_object (assistant->new_value);
  g_assert_cmpstr (json_object_get_string_member (object, "role"), ==, "assistant");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "tool_calls")), ==, 1);

  g_assert_cmpint (tool->kind, ==, CONFAB_JSON_DIFF_ADDED);
  g_assert_cmpstr (tool->path, ==, "$.messages[3]");
  object = json_node_get_object (tool->new_value);
  g_assert_cmpstr (json_object_get_string_member (object, "role"), ==, "tool");
  g_assert_cmpstr (json_object_get_string_member (object, "content"), ==, "40 C");
}

static void
test_describe (void)
{
  g_autoptr(JsonNode) node = json_from_string ("{\"content\":\"Olá, mundo\"}", NULL);
  g_autofree char *whole = confab_json_diff_describe (node, 0);
  g_autofree char *cut = confab_json_diff_describe (node, 14);

  g_assert_cmpstr (whole, ==, "{\"content\":\"Olá, mundo\"}");
  g_assert_cmpstr (cut, ==, "{\"content\":\"Ol…");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-diff/equal-documents", test_equal_documents);
  g_test_add_func ("/json-diff/members", test_members);
  g_test_add_func ("/json-diff/array-insertion-is-one-addition", test_array_insertion_is_one_addition);
  g_test_add_func ("/json-diff/long-history", test_long_history);
  g_test_add_func ("/json-diff/random-arrays-keep-a-longest-common-subsequence",
                   test_random_arrays_keep_a_longest_common_subsequence);
  g_test_add_func ("/json-diff/array-removal-and-in-place-change", test_array_removal_and_in_place_change);
  g_test_add_func ("/json-diff/type-change", test_type_change);
  g_test_add_func ("/json-diff/not-json", test_not_json);
  g_test_add_func ("/json-diff/seed-tool-loop", test_seed_tool_loop);
  g_test_add_func ("/json-diff/describe", test_describe);

  return g_test_run ();
}
