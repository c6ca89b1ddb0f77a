/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The delta accumulator: the recorded cassettes fed in random pieces must give the recorded
 * answer exactly, and hand-made streams cover each provider quirk the cassettes do not show.
 * Every stream is also fed at every cut and byte by byte: the outcome must never depend on
 * how the bytes were split. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-delta-accumulator.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

typedef struct
{
  ConfabMessage *message;
  GError        *error;         /* from feed or finish */
  gboolean       feed_failed;   /* the error came from feed, not finish */
  gboolean       done;
  GString       *appended;      /* ::content-appended pieces joined */
  char          *summary;       /* everything above, as text, to compare runs */
  char          *to_json;
} Outcome;

static void
outcome_free (Outcome *outcome)
{
  g_clear_object (&outcome->message);
  g_clear_error (&outcome->error);
  g_string_free (outcome->appended, TRUE);
  g_free (outcome->summary);
  g_free (outcome->to_json);
  g_free (outcome);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Outcome, outcome_free)

static void
on_content_appended (ConfabMessage *message,
                     const char    *piece,
                     GString       *appended)
{
  g_assert_true (g_utf8_validate (piece, -1, NULL));
  g_string_append (appended, piece);
}

static char *
summarize (Outcome *outcome)
{
  GListModel *calls = confab_message_get_tool_calls (outcome->message);
  g_autoptr(JsonNode) usage = confab_usage_to_json (confab_message_get_usage (outcome->message));
  g_autofree char *usage_text = usage ? json_to_string (usage, FALSE) : g_strdup ("null");
  GString *summary = g_string_new (NULL);

  g_string_append_printf (summary, "content=%s\nreasoning=%s\n",
                          confab_message_get_content (outcome->message),
                          confab_message_get_reasoning (outcome->message));
  for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);

      g_string_append_printf (summary, "call[%u] index=%u id=%s name=%s args=%s status=%d\n", i,
                              confab_tool_call_get_index (call),
                              confab_tool_call_get_id (call),
                              confab_tool_call_get_name (call),
                              confab_tool_call_get_arguments (call),
                              confab_tool_call_get_status (call));
    }
  g_string_append_printf (summary, "finish=%s\nmodel=%s\nusage=%s\ndone=%d\n",
                          confab_message_get_finish_reason (outcome->message),
                          confab_message_get_model (outcome->message),
                          usage_text, outcome->done);
  if (outcome->error != NULL)
    g_string_append_printf (summary, "error=%d %s (%s)\n", outcome->error->code,
                            outcome->error->message, outcome->feed_failed ? "feed" : "finish");

  return g_string_free (summary, FALSE);
}

/* Feeds @body cut at @cuts (ascending offsets), then finishes the stream. */
static Outcome *
run_cuts (const char  *body,
          gsize        len,
          const gsize *cuts,
          guint        n_cuts,
          gsize        max_line)
{
  g_autoptr(ConfabDeltaAccumulator) accumulator = NULL;
  g_autoptr(JsonNode) json = NULL;
  Outcome *outcome = g_new0 (Outcome, 1);
  gsize start = 0;

  outcome->message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  outcome->appended = g_string_new (NULL);
  confab_message_set_state (outcome->message, CONFAB_MESSAGE_STATE_STREAMING);
  g_signal_connect (outcome->message, "content-appended", G_CALLBACK (on_content_appended), outcome->appended);

  accumulator = confab_delta_accumulator_new (outcome->message);
  g_assert_true (confab_delta_accumulator_get_message (accumulator) == outcome->message);
  if (max_line > 0)
    confab_delta_accumulator_set_max_line (accumulator, max_line);

  for (guint i = 0; i <= n_cuts && outcome->error == NULL; i++)
    {
      gsize end = i < n_cuts ? cuts[i] : len;

      if (!confab_delta_accumulator_feed_bytes (accumulator, body + start, end - start, &outcome->error))
        {
          g_assert_nonnull (outcome->error);
          outcome->feed_failed = TRUE;
        }
      start = end;
    }

  if (outcome->error == NULL)
    {
      if (!confab_delta_accumulator_finish (accumulator, &outcome->error))
        g_assert_nonnull (outcome->error);
    }
  else
    {
      /* A failed stream stays failed, with the same error, and keeps what it had. */
      g_autoptr(GError) again = NULL;
      g_autoptr(GError) at_finish = NULL;

      g_assert_false (confab_delta_accumulator_feed_bytes (accumulator, "data: {}\n\n", 10, &again));
      g_assert_error (again, outcome->error->domain, outcome->error->code);
      g_assert_false (confab_delta_accumulator_finish (accumulator, &at_finish));
      g_assert_error (at_finish, outcome->error->domain, outcome->error->code);
    }

  if (outcome->error != NULL)
    g_assert_error (confab_delta_accumulator_get_error (accumulator),
                    outcome->error->domain, outcome->error->code);
  else
    g_assert_null (confab_delta_accumulator_get_error (accumulator));

  /* The accumulator never sets the state: the client does. */
  g_assert_cmpint (confab_message_get_state (outcome->message), ==, CONFAB_MESSAGE_STATE_STREAMING);
  /* The model holds valid UTF-8 whatever came in, and views saw every piece. */
  g_assert_true (g_utf8_validate (confab_message_get_content (outcome->message), -1, NULL));
  g_assert_true (g_utf8_validate (confab_message_get_reasoning (outcome->message), -1, NULL));
  g_assert_cmpstr (outcome->appended->str, ==, confab_message_get_content (outcome->message));

  outcome->done = confab_delta_accumulator_is_done (accumulator);
  outcome->summary = summarize (outcome);
  json = confab_delta_accumulator_to_json (accumulator);
  outcome->to_json = json_to_string (json, FALSE);

  return outcome;
}

static Outcome *
run_random (const char *body,
            gsize       len,
            guint32     seed,
            gsize       max_line)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize offset = 0;

  /* Pieces of 1 to 64 bytes: they cut lines, CRLFs and UTF-8 characters anywhere. */
  for (;;)
    {
      offset += g_rand_int_range (rand, 1, 65);
      if (offset >= len)
        break;
      g_array_append_val (cuts, offset);
    }

  return run_cuts (body, len, (gsize *) cuts->data, cuts->len, max_line);
}

/* Runs @body whole, in random pieces (several seeds), at every single cut and byte by byte;
 * asserts all runs agree and returns the whole run for the test's own checks. */
static Outcome *
run_every_split_limited (const char *body,
                         gsize       max_line)
{
  gsize len = strlen (body);
  Outcome *whole = run_cuts (body, len, NULL, 0, max_line);

  for (guint32 seed = 1; seed <= 8; seed++)
    {
      g_autoptr(Outcome) pieces = run_random (body, len, seed, max_line);

      if (g_strcmp0 (pieces->summary, whole->summary) != 0)
        g_error ("seed %u gave:\n%s\nwhole gave:\n%s", seed, pieces->summary, whole->summary);
    }

  for (gsize i = 0; i <= len; i++)
    {
      g_autoptr(Outcome) cut = run_cuts (body, len, &i, 1, max_line);

      if (g_strcmp0 (cut->summary, whole->summary) != 0)
        g_error ("cut at %" G_GSIZE_FORMAT " gave:\n%s\nwhole gave:\n%s", i, cut->summary, whole->summary);
    }

  {
    g_autofree gsize *cuts = g_new (gsize, len);
    g_autoptr(Outcome) bytes = NULL;

    for (gsize i = 1; i < len; i++)
      cuts[i - 1] = i;
    bytes = run_cuts (body, len, cuts, len > 0 ? len - 1 : 0, max_line);
    g_assert_cmpstr (bytes->summary, ==, whole->summary);
  }

  return whole;
}

static Outcome *
run_every_split (const char *body)
{
  return run_every_split_limited (body, 0);
}

static ConfabToolCall *
get_call (ConfabMessage *message,
          guint          position)
{
  GListModel *calls = confab_message_get_tool_calls (message);
  g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, position);

  g_assert_nonnull (call);
  return call;  /* the message keeps it alive */
}

static void
assert_call (ConfabMessage *message,
             guint          position,
             guint          index,
             const char    *id,
             const char    *name,
             const char    *arguments)
{
  ConfabToolCall *call = get_call (message, position);

  g_assert_cmpuint (confab_tool_call_get_index (call), ==, index);
  g_assert_cmpstr (confab_tool_call_get_id (call), ==, id);
  g_assert_cmpstr (confab_tool_call_get_name (call), ==, name);
  g_assert_cmpstr (confab_tool_call_get_arguments (call), ==, arguments);
  /* Moving on from streaming is the tool loop's job. */
  g_assert_cmpint (confab_tool_call_get_status (call), ==, CONFAB_TOOL_CALL_STATUS_STREAMING);
}

/* The cassettes */

static JsonNode *
load_cassette (const char *name)
{
  const char *dir = g_getenv ("CONFAB_CASSETTES_DIR");
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, name, NULL);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  return json_node_ref (json_parser_get_root (parser));
}

static const char *
cassette_body (JsonNode *cassette,
               guint     interaction)
{
  JsonArray *interactions = json_object_get_array_member (json_node_get_object (cassette), "interactions");
  JsonObject *response = json_object_get_object_member (
    json_array_get_object_element (interactions, interaction), "response");

  return json_object_get_string_member (response, "body");
}

/* The last top-level "usage" object of the body, found without the accumulator. */
static JsonNode *
last_usage (const char *body)
{
  g_auto(GStrv) lines = g_strsplit (body, "\n", -1);
  JsonNode *usage = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *chunk;

      if (!g_str_has_prefix (lines[i], "data: {"))
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i] + 6, -1, NULL));
      chunk = json_node_get_object (json_parser_get_root (parser));
      if (json_object_has_member (chunk, "usage") && !json_object_get_null_member (chunk, "usage"))
        {
          g_clear_pointer (&usage, json_node_unref);
          usage = json_node_copy (json_object_get_member (chunk, "usage"));
        }
    }

  g_assert_nonnull (usage);
  return usage;
}

static Outcome *
replay_cassette (JsonNode *cassette,
                 guint     interaction)
{
  const char *body = cassette_body (cassette, interaction);
  gsize len = strlen (body);
  g_autoptr(JsonNode) expected_usage = last_usage (body);
  g_autoptr(JsonNode) usage = NULL;
  Outcome *whole = run_cuts (body, len, NULL, 0, 0);

  g_assert_no_error (whole->error);
  g_assert_true (whole->done);

  usage = confab_usage_to_json (confab_message_get_usage (whole->message));
  g_assert_nonnull (usage);
  g_assert_true (json_node_equal (usage, expected_usage));

  /* Random pieces with several seeds, and byte by byte. */
  for (guint32 seed = 1; seed <= 16; seed++)
    {
      g_autoptr(Outcome) pieces = run_random (body, len, seed, 0);

      g_assert_cmpstr (pieces->summary, ==, whole->summary);
      g_assert_cmpstr (pieces->to_json, ==, whole->to_json);
    }

  {
    g_autofree gsize *cuts = g_new (gsize, len);
    g_autoptr(Outcome) bytes = NULL;

    for (gsize i = 1; i < len; i++)
      cuts[i - 1] = i;
    bytes = run_cuts (body, len, cuts, len - 1, 0);
    g_assert_cmpstr (bytes->summary, ==, whole->summary);
  }

  return whole;
}

static void
test_cassette_simple_openrouter (void)
{
  g_autoptr(JsonNode) cassette = load_cassette ("simple_streaming_openrouter-groq-kimi-k2.json");
  g_autoptr(Outcome) outcome = replay_cassette (cassette, 0);
  ConfabUsage *usage = confab_message_get_usage (outcome->message);

  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "Olá!");
  g_assert_cmpstr (confab_message_get_reasoning (outcome->message), ==, "");
  g_assert_cmpuint (confab_message_get_n_tool_calls (outcome->message), ==, 0);
  g_assert_cmpstr (confab_message_get_finish_reason (outcome->message), ==, "stop");
  g_assert_cmpstr (confab_message_get_model (outcome->message), ==, "moonshotai/kimi-k2-0905");
  g_assert_cmpint (confab_usage_get_prompt_tokens (usage), ==, 20);
  g_assert_cmpint (confab_usage_get_completion_tokens (usage), ==, 4);
  g_assert_cmpint (confab_usage_get_total_tokens (usage), ==, 24);
  g_assert_cmpint (confab_usage_get_cached_tokens (usage), ==, 0);
  g_assert_cmpint (confab_usage_get_reasoning_tokens (usage), ==, 0);
  g_assert_true (confab_usage_get_has_cost (usage));
  g_assert_cmpfloat_with_epsilon (confab_usage_get_cost (usage), 0.000032, 1e-12);
}

static void
test_cassette_tool_groq (void)
{
  g_autoptr(JsonNode) cassette = load_cassette ("tool_streaming_groq-kimi-k2.json");
  g_autoptr(Outcome) first = replay_cassette (cassette, 0);
  g_autoptr(Outcome) second = replay_cassette (cassette, 1);

  g_assert_cmpstr (confab_message_get_content (first->message), ==,
                   "I'll check the weather in Florence, Italy for you.");
  g_assert_cmpuint (confab_message_get_n_tool_calls (first->message), ==, 1);
  assert_call (first->message, 0, 0, "functions.weather:0", "weather", "{\"location\":\"Florence,Italy\"}");
  g_assert_cmpstr (confab_message_get_finish_reason (first->message), ==, "tool_calls");
  g_assert_cmpint (confab_usage_get_prompt_tokens (confab_message_get_usage (first->message)), ==, 99);
  g_assert_cmpint (confab_usage_get_completion_tokens (confab_message_get_usage (first->message)), ==, 32);
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (first->message)), ==, 131);
  g_assert_false (confab_usage_get_has_cost (confab_message_get_usage (first->message)));

  g_assert_cmpstr (confab_message_get_content (second->message), ==,
                   "The current weather in Florence, Italy is 40°C (104°F). It's quite hot there right now!");
  g_assert_cmpuint (confab_message_get_n_tool_calls (second->message), ==, 0);
  g_assert_cmpstr (confab_message_get_finish_reason (second->message), ==, "stop");
  g_assert_cmpint (confab_usage_get_prompt_tokens (confab_message_get_usage (second->message)), ==, 150);
}

static void
test_cassette_multi_tool_groq (void)
{
  g_autoptr(JsonNode) cassette = load_cassette ("multi_tool_streaming_groq-kimi-k2.json");
  g_autoptr(Outcome) first = replay_cassette (cassette, 0);
  g_autoptr(Outcome) second = replay_cassette (cassette, 1);

  g_assert_cmpstr (confab_message_get_content (first->message), ==,
                   "I'll help you add and multiply the numbers 2 and 3.");
  g_assert_cmpuint (confab_message_get_n_tool_calls (first->message), ==, 2);
  assert_call (first->message, 0, 0, "functions.add:0", "add", "{\"a\":2,\"b\":3}");
  assert_call (first->message, 1, 1, "functions.multiply:1", "multiply", "{\"a\":2,\"b\":3}");
  g_assert_cmpstr (confab_message_get_finish_reason (first->message), ==, "tool_calls");
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (first->message)), ==, 262);

  g_assert_cmpstr (confab_message_get_content (second->message), ==,
                   "The results are:\n- Addition: 2 + 3 = 5\n- Multiplication: 2 × 3 = 6");
  g_assert_cmpstr (confab_message_get_finish_reason (second->message), ==, "stop");
}

/* Hand-made streams: the quirks the cassettes do not show */

#define CHUNK(json) "data: " json "\n\n"
#define DONE "data: [DONE]\n\n"

static void
test_fragmented_tool_call (void)
{
  /* OpenAI: the first fragment has index, id, type, name and "" arguments; the others only
   * index and a piece of the arguments, which are kept byte for byte (the space too). */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_abc\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"location\\\": \"}}]},\"finish_reason\":null}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Florence,\"}}]},\"finish_reason\":null}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"Italy\\\"}\"}}]},\"finish_reason\":null}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "");
  g_assert_cmpuint (confab_message_get_n_tool_calls (outcome->message), ==, 1);
  assert_call (outcome->message, 0, 0, "call_abc", "get_weather", "{\"location\": \"Florence,Italy\"}");
  g_assert_cmpstr (confab_message_get_finish_reason (outcome->message), ==, "tool_calls");
}

static void
test_parallel_tool_calls_interleaved (void)
{
  /* Two calls told apart by index, their fragments interleaved; the second call's first
   * fragment even comes before the first call's. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"multiply\",\"arguments\":\"\"}}]}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"add\",\"arguments\":\"{\\\"a\\\"\"}}]}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"x\\\": 4,\"}}]}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\": 2, \\\"b\\\": 3}\"}},{\"index\":1,\"function\":{\"arguments\":\" \\\"y\\\": 5}\"}}]}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpuint (confab_message_get_n_tool_calls (outcome->message), ==, 2);
  assert_call (outcome->message, 0, 0, "call_1", "add", "{\"a\": 2, \"b\": 3}");
  assert_call (outcome->message, 1, 1, "call_2", "multiply", "{\"x\": 4, \"y\": 5}");
}

static void
test_tool_call_arguments_byte_for_byte (void)
{
  /* Escapes inside the arguments text stay escapes; odd spacing stays. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"search\",\"arguments\":\"{ \\\"q\\\" :\\\"caf\\\\u00e9\\\\n\\\" }\"}}]},\"finish_reason\":\"tool_calls\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  assert_call (outcome->message, 0, 0, "c", "search", "{ \"q\" :\"caf\\u00e9\\n\" }");
}

static void
test_tool_calls_without_index (void)
{
  /* Some servers leave out "index": calls are told apart by id, fragments go to the last. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"one\",\"arguments\":\"{\"}}]}}]}")
    CHUNK ("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"}\"}}]}}]}")
    CHUNK ("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"b\",\"function\":{\"name\":\"two\",\"arguments\":\"[]\"}}]}}]}")
    CHUNK ("{\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"));

  g_assert_no_error (outcome->error);
  g_assert_cmpuint (confab_message_get_n_tool_calls (outcome->message), ==, 2);
  assert_call (outcome->message, 0, 0, "a", "one", "{}");
  assert_call (outcome->message, 1, 1, "b", "two", "[]");
}

static void
test_reasoning_content (void)
{
  /* DeepSeek, Moonshot, Groq: reasoning_content, apart from the content. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"Let me \"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":null,\"reasoning_content\":\"think… 2+2\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"4\",\"reasoning_content\":null}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9,\"total_tokens\":14,\"completion_tokens_details\":{\"reasoning_tokens\":7}}}")
    DONE);
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_reasoning (outcome->message), ==, "Let me think… 2+2");
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "4");
  g_assert_cmpint (confab_usage_get_reasoning_tokens (confab_message_get_usage (outcome->message)), ==, 7);

  /* Reasoning is never sent back. */
  json = confab_message_to_json (outcome->message);
  text = json_to_string (json, FALSE);
  g_assert_null (strstr (text, "think"));
}

static void
test_reasoning_openrouter (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"reasoning\":\"Hmm,\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"reasoning\":\" yes.\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Yes\",\"reasoning\":null}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":\"stop\",\"native_finish_reason\":\"stop\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_reasoning (outcome->message), ==, "Hmm, yes.");
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "Yes");
}

static void
test_reasoning_in_both_fields_not_doubled (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"once\",\"reasoning_content\":\"once\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}"));

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_reasoning (outcome->message), ==, "once");
}

static void
test_content_null_and_empty_deltas (void)
{
  /* role only in the first chunk, content null, empty deltas, no delta at all. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":null}}]}")
    CHUNK ("{\"choices\":[{\"index\":0}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":null}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "ab");
  g_assert_cmpstr (confab_message_get_finish_reason (outcome->message), ==, "stop");
}

static void
test_content_as_parts (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"one \"},{\"type\":\"image_url\"},{\"type\":\"text\",\"text\":\"two\"}]}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"));

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "one two");
}

static void
test_refusal_is_content (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":null,\"refusal\":\"I can't help with that.\"},\"finish_reason\":\"stop\"}]}"));

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "I can't help with that.");
}

static void
test_reasoning_before_content_in_one_delta (void)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(ConfabDeltaAccumulator) accumulator = confab_delta_accumulator_new (message);
  g_autoptr(GString) order = g_string_new (NULL);
  static const char chunk[] = "{\"choices\":[{\"delta\":{\"content\":\"C\",\"reasoning_content\":\"R\"}}]}";

  g_signal_connect_swapped (message, "reasoning-appended", G_CALLBACK (g_string_append), order);
  g_signal_connect_swapped (message, "content-appended", G_CALLBACK (g_string_append), order);
  g_assert_true (confab_delta_accumulator_feed_data (accumulator, chunk, sizeof chunk - 1, NULL));
  g_assert_cmpstr (order->str, ==, "RC");
}

static void
test_role_in_every_chunk (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"x\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"y\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":\"stop\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "xy");
  g_assert_cmpint (confab_message_get_role (outcome->message), ==, CONFAB_ROLE_ASSISTANT);
}

static void
test_choices_empty (void)
{
  /* Chunks with "choices": [] (usage only, or nothing at all) take nothing away. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}")
    CHUNK ("{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "hi");
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (outcome->message)), ==, 3);
}

static void
test_usage_last_wins (void)
{
  /* Two different usage objects: the last replaces the first, it is not added to it. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1,\"total_tokens\":11}}")
    CHUNK ("{\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12,\"cost\":0.5,\"prompt_tokens_details\":{\"cached_tokens\":8},\"completion_tokens_details\":{\"reasoning_tokens\":1}}}")
    DONE);
  ConfabUsage *usage = confab_message_get_usage (outcome->message);

  g_assert_no_error (outcome->error);
  g_assert_cmpint (confab_usage_get_prompt_tokens (usage), ==, 10);
  g_assert_cmpint (confab_usage_get_completion_tokens (usage), ==, 2);
  g_assert_cmpint (confab_usage_get_total_tokens (usage), ==, 12);
  g_assert_cmpint (confab_usage_get_cached_tokens (usage), ==, 8);
  g_assert_cmpint (confab_usage_get_reasoning_tokens (usage), ==, 1);
  g_assert_true (confab_usage_get_has_cost (usage));
  g_assert_cmpfloat (confab_usage_get_cost (usage), ==, 0.5);
}

static void
test_usage_in_x_groq_only (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}],\"x_groq\":{\"id\":\"req\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpint (confab_usage_get_total_tokens (confab_message_get_usage (outcome->message)), ==, 7);
}

static void
test_usage_inside_choice (void)
{
  /* Moonshot puts the usage in the choice that finishes. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\",\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":1,\"total_tokens\":9,\"cached_tokens\":4}}]}")
    DONE);
  ConfabUsage *usage = confab_message_get_usage (outcome->message);

  g_assert_no_error (outcome->error);
  g_assert_cmpint (confab_usage_get_total_tokens (usage), ==, 9);
  g_assert_cmpint (confab_usage_get_cached_tokens (usage), ==, 4);
}

static void
test_usage_null_ignored (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}],\"usage\":null}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_false (confab_usage_get_reported (confab_message_get_usage (outcome->message)));
}

static void
test_finish_reasons (void)
{
  const char *reasons[] = { "stop", "length", "tool_calls", "content_filter", "something_new" };

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    {
      g_autofree char *body = g_strdup_printf (
        CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"%s\",\"native_finish_reason\":\"MAX_TOKENS\"}]}"),
        reasons[i]);
      g_autoptr(Outcome) outcome = run_every_split (body);

      g_assert_no_error (outcome->error);
      g_assert_cmpstr (confab_message_get_finish_reason (outcome->message), ==, reasons[i]);
    }
}

static void
test_other_choices_ignored (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"other\"}},{\"index\":0,\"delta\":{\"content\":\"mine\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"));

  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "mine");
}

static void
test_comments_and_keepalives (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    ": OPENROUTER PROCESSING\n\n"
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}")
    ": OPENROUTER PROCESSING\n\n"
    "data:\n\n"
    "event: ping\n\n"
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "ab");
}

static void
test_crlf_stream (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Ol\"}}]}\r\n\r\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"á\"},\"finish_reason\":\"stop\"}]}\r\n\r\n"
    "data: [DONE]\r\n\r\n");

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "Olá");
}

/* Errors and ends */

static void
test_error_object_mid_stream_keeps_text (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello wor\"}}]}")
    CHUNK ("{\"error\":{\"message\":\"Provider returned error\",\"code\":502,\"metadata\":{\"raw\":\"upstream timed out\",\"provider_name\":\"Groq\"}}}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ld\"}}]}")
    DONE);

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_PROVIDER);
  g_assert_true (outcome->feed_failed);
  g_assert_nonnull (strstr (outcome->error->message, "Provider returned error"));
  g_assert_nonnull (strstr (outcome->error->message, "502"));
  g_assert_nonnull (strstr (outcome->error->message, "Groq"));
  g_assert_nonnull (strstr (outcome->error->message, "upstream timed out"));
  /* The text so far stays; nothing after the error is taken. */
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "Hello wor");
}

static void
test_error_object_openrouter_shape (void)
{
  /* OpenRouter: a chunk with both the error and a last choice finishing with "error". */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}")
    CHUNK ("{\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"error\":{\"code\":\"server_error\",\"message\":\"Provider disconnected\"},\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}"));

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_PROVIDER);
  g_assert_cmpstr (outcome->error->message, ==, "Provider disconnected (server_error)");
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "partial");
  g_assert_cmpstr (confab_message_get_finish_reason (outcome->message), ==, "error");
}

static void
test_error_string (void)
{
  g_autoptr(Outcome) outcome = run_every_split (CHUNK ("{\"error\":\"rate limited\"}"));

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_PROVIDER);
  g_assert_cmpstr (outcome->error->message, ==, "rate limited");
}

static void
test_error_null_is_no_error (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"error\":null,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"fine\"},\"finish_reason\":\"stop\"}]}"));

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "fine");
}

static void
test_invalid_json (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"kept\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}")
    DONE);

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
  g_assert_true (outcome->feed_failed);
  g_assert_nonnull (strstr (outcome->error->message, "not valid JSON"));
  /* A short excerpt of the payload names the culprit. */
  g_assert_nonnull (strstr (outcome->error->message, "{\"choices\":[{\"index\":0"));
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "kept");
}

/* Two data lines of one event join into "{…}\n{…}": json-glib 1.6 alone read the first
 * object, dropped the second unseen and leaked it. Now a clear error; what came before
 * stays. */
static void
test_two_objects_in_one_event (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"kept\"}}]}")
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" one\"}}]}\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" two\"}}]}\n\n"
    DONE);

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
  g_assert_true (outcome->feed_failed);
  g_assert_nonnull (strstr (outcome->error->message, "something after its value"));
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "kept");
}

static void
test_invalid_json_long_excerpt_is_short (void)
{
  GString *body = g_string_new ("data: {\"choices\": ");

  for (guint i = 0; i < 200; i++)
    g_string_append (body, "éé");
  g_string_append (body, "\n\n");

  {
    g_autoptr(Outcome) outcome = run_cuts (body->str, body->len, NULL, 0, 0);

    g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
    g_assert_true (g_utf8_validate (outcome->error->message, -1, NULL));
    g_assert_cmpuint (strlen (outcome->error->message), <, 400);
    g_assert_nonnull (strstr (outcome->error->message, "…"));
  }

  g_string_free (body, TRUE);
}

static void
test_not_an_object (void)
{
  g_autoptr(Outcome) outcome = run_every_split (CHUNK ("42") DONE);

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (outcome->error->message, "42"));
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Olá \"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"bad \xff\xfe bytes\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"more\"},\"finish_reason\":\"stop\"}]}")
    DONE);

  /* The event with bad bytes is refused whole: the message fails, the text before stays. */
  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_INVALID_UTF8);
  g_assert_nonnull (strstr (outcome->error->message, "UTF-8"));
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "Olá ");
}

static void
test_lone_surrogate_escape (void)
{
  /* "\ud800" alone decodes to no character: it becomes U+FFFD, and the text around it
   * stays, so the model, --json, the store and the next request only see valid UTF-8. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok \"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\ud800\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" a\\ud800b \\udc00 \\ud800\\u0041 \\\\ud800\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"r\\udfff\",\"tool_calls\":[{\"index\":0,\"id\":\"c\\ud800\",\"function\":{\"name\":\"n\\udc00\",\"arguments\":\"{\\\"q\\\":\\\"\\ud800\\\"}\"}}]},\"finish_reason\":\"stop\"}]}")
    DONE);
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (outcome->error);
  /* An escaped backslash before "ud800" is text, not an escape. */
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==,
                   "ok \xef\xbf\xbd a\xef\xbf\xbd" "b \xef\xbf\xbd \xef\xbf\xbd" "A \\ud800");
  g_assert_cmpstr (confab_message_get_reasoning (outcome->message), ==, "r\xef\xbf\xbd");
  assert_call (outcome->message, 0, 0, "c\xef\xbf\xbd", "n\xef\xbf\xbd", "{\"q\":\"\xef\xbf\xbd\"}");

  json = confab_message_to_json (outcome->message);   /* what the next request sends */
  text = json_to_string (json, FALSE);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_utf8_validate (outcome->to_json, -1, NULL));
}

static void
test_split_surrogate_pair (void)
{
  /* A pair cut between two events (a tokenizer that splits an emoji): two U+FFFD, never
   * bytes that are not UTF-8. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\\ud83d\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\ude00y\"},\"finish_reason\":\"stop\"}]}"));

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "x\xef\xbf\xbd\xef\xbf\xbdy");
}

static void
test_nul_escape_keeps_what_follows (void)
{
  /* "\u0000" would end a C string: it becomes U+FFFD and the rest of the text stays. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"before\\u0000after\"}}]}")
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" and\\u0000\",\"tool_calls\":[{\"index\":0,\"id\":\"i\",\"function\":{\"name\":\"t\\u0000x\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"stop\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==,
                   "before\xef\xbf\xbd" "after and\xef\xbf\xbd");
  assert_call (outcome->message, 0, 0, "i", "t\xef\xbf\xbdx", "{}");
}

/* An event nested @depth levels: {"a":[{"a":[…]}]}. */
static char *
deep_event (guint depth)
{
  GString *event = g_string_new ("data: ");

  for (guint i = 0; i < depth; i++)
    g_string_append (event, i % 2 == 0 ? "{\"a\":" : "[");
  g_string_append (event, "1");
  for (guint i = depth; i > 0; i--)
    g_string_append_c (event, (i - 1) % 2 == 0 ? '}' : ']');
  g_string_append (event, "\n\n");

  return g_string_free (event, FALSE);
}

static void
test_deep_nesting_refused (void)
{
  /* 80,000 levels (json-glib's recursion overflows the stack there): the event is refused
   * with a clear error before any parser sees it, the text so far stays. */
  g_autofree char *deep = deep_event (80000);
  g_autofree char *body = g_strconcat (CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"so far\"}}]}"),
                                       deep,
                                       CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"after\"}}]}"),
                                       DONE, NULL);
  gsize len = strlen (body);
  g_autoptr(Outcome) whole = run_cuts (body, len, NULL, 0, 0);

  g_assert_error (whole->error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
  g_assert_true (whole->feed_failed);
  g_assert_nonnull (strstr (whole->error->message, "512"));
  g_assert_cmpstr (confab_message_get_content (whole->message), ==, "so far");

  for (guint32 seed = 1; seed <= 3; seed++)
    {
      g_autoptr(Outcome) pieces = run_random (body, len, seed, 0);

      g_assert_cmpstr (pieces->summary, ==, whole->summary);
    }
}

static void
test_nesting_at_the_limit (void)
{
  /* 512 levels are read; 513 are not; brackets inside strings do not count. */
  g_autofree char *at_limit = deep_event (512);
  g_autofree char *over = deep_event (513);
  g_autofree char *brackets = g_strnfill (2000, '[');
  g_autofree char *in_string = g_strdup_printf (CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"%s\"},\"finish_reason\":\"stop\"}]}"), brackets);
  g_autoptr(Outcome) ok = run_cuts (at_limit, strlen (at_limit), NULL, 0, 0);
  g_autoptr(Outcome) refused = run_cuts (over, strlen (over), NULL, 0, 0);
  g_autoptr(Outcome) text = run_cuts (in_string, strlen (in_string), NULL, 0, 0);

  g_assert_true (ok->error == NULL || !ok->feed_failed);
  g_assert_error (refused->error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
  g_assert_true (refused->feed_failed);
  g_assert_no_error (text->error);
  g_assert_cmpstr (confab_message_get_content (text->message), ==, brackets);
}

static void
test_surrogate_pair_escape (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\ud83d\\ude00\"},\"finish_reason\":\"stop\"}]}"));

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "😀");
}

static void
test_arguments_as_object (void)
{
  /* A server that sends the arguments as an object: its compact JSON text. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"o\",\"function\":{\"name\":\"f\",\"arguments\":{ \"a\" : [1, {\"b\":null}] }}}]},\"finish_reason\":\"tool_calls\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  assert_call (outcome->message, 0, 0, "o", "f", "{\"a\":[1,{\"b\":null}]}");
}

static void
test_repeated_keys_last_wins (void)
{
  /* As json-glib reads an object: a key given twice has its last value, and what came with
   * the first one (a delta's members) is forgotten. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"no\",\"content\":\"yes\"}}]}")
    CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"gone\"},\"delta\":{\"reasoning\":\"r\"}}]}")
    CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"old\"}}],\"choices\":[{\"delta\":{\"content\":\" new\"}}]}")
    CHUNK ("{\"model\":\"m1\",\"model\":\"m2\",\"usage\":{\"total_tokens\":1},\"usage\":null,\"choices\":[{\"index\":1,\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "yes new");
  g_assert_cmpstr (confab_message_get_reasoning (outcome->message), ==, "r");
  g_assert_cmpstr (confab_message_get_model (outcome->message), ==, "m2");
  g_assert_false (confab_usage_get_reported (confab_message_get_usage (outcome->message)));
  g_assert_cmpstr (confab_message_get_finish_reason (outcome->message), ==, "stop");
}

static void
test_members_of_other_types (void)
{
  /* Members of a type no provider sends are nothing: no crash, no text. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":{\"delta\":{\"content\":\"not an array\"}}}")
    CHUNK ("{\"choices\":[1,\"two\",null,[{\"delta\":{\"content\":\"nested\"}}],{\"delta\":\"text\"},{\"delta\":{\"content\":7,\"reasoning\":{\"x\":1},\"tool_calls\":{\"index\":0}}}]}")
    CHUNK ("{\"choices\":[{\"delta\":{\"tool_calls\":[1,{\"index\":\"0\",\"function\":\"f\"}]},\"finish_reason\":5,\"usage\":[1]}],\"usage\":\"many\",\"x_groq\":{\"usage\":7},\"model\":[\"m\"]}")
    CHUNK ("{\"choices\":[{\"index\":1.5,\"delta\":{\"content\":\"a\"}},{\"index\":0.0,\"delta\":{\"content\":\"b\"}},{\"index\":-32E602,\"delta\":{\"content\":\"c\"}},{\"index\":99999999999999999999,\"delta\":{\"content\":\"d\"},\"finish_reason\":\"stop\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  /* A fractional, infinite or out-of-range index is no index: that choice is read as the
   * only one (json-glib alone read 99999999999999999999 as -1). */
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "abcd");
  g_assert_cmpuint (confab_message_get_n_tool_calls (outcome->message), ==, 1);
  g_assert_null (confab_message_get_model (outcome->message));
  g_assert_false (confab_usage_get_reported (confab_message_get_usage (outcome->message)));
}

static void
test_lenient_json_still_read (void)
{
  /* JSON only json-glib's leniency reads (a raw tab in a string, a comment) is read as
   * before. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"a\tb\"}}]}")
    CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"c\"}}]} /* done */")
    CHUNK ("{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "a\tbc");
}

static void
test_overlong_utf8_refused (void)
{
  /* Bytes GLib does not call UTF-8 (an overlong NUL, an encoded surrogate) are refused as
   * before, even where a looser check would let them by. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"kept\"}}]}")
    CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"\xc0\x80 \xed\xa0\x80\"}}]}")
    DONE);

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_INVALID_UTF8);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "kept");
}

static void
test_eof_after_finish_without_done (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"complete\"},\"finish_reason\":\"stop\"}]}"));

  g_assert_no_error (outcome->error);
  g_assert_false (outcome->done);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "complete");
}

static void
test_eof_before_finish_is_truncated (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"half an ans\"}}]}"));

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_TRUNCATED);
  g_assert_false (outcome->feed_failed);
  g_assert_cmpstr (outcome->error->message, ==, "The stream ended before the answer was complete");
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "half an ans");
}

static void
test_eof_mid_event_is_truncated (void)
{
  /* The finishing event lacks its blank line: per the SSE rules it is discarded. */
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}")
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}\n");

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_TRUNCATED);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "a");
}

static void
test_empty_stream_is_truncated (void)
{
  g_autoptr(Outcome) outcome = run_every_split ("");

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_TRUNCATED);
}

static void
test_done_without_finish_reason (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}")
    DONE);

  g_assert_no_error (outcome->error);
  g_assert_true (outcome->done);
  g_assert_null (confab_message_get_finish_reason (outcome->message));
}

static void
test_data_after_done_ignored (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}]}")
    DONE
    CHUNK ("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"after\"}}]}")
    CHUNK ("not json"));

  g_assert_no_error (outcome->error);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "a");
}

static void
test_line_too_long (void)
{
  g_autoptr(Outcome) outcome = run_every_split_limited (
    CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"short\"}}]}")
    CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"a line over the limit of this reader\"}}]}")
    DONE,
    64);

  g_assert_error (outcome->error, CONFAB_ERROR, CONFAB_ERROR_LINE_TOO_LONG);
  g_assert_true (outcome->feed_failed);
  g_assert_cmpstr (confab_message_get_content (outcome->message), ==, "short");
}

/* The API around the stream */

static void
test_feed_data_directly (void)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(ConfabDeltaAccumulator) accumulator = confab_delta_accumulator_new (message);
  g_autoptr(GError) error = NULL;
  static const char chunk[] = "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}";
  static const char finish[] = "{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}xyz";

  g_assert_false (confab_delta_accumulator_has_output (accumulator));
  g_assert_false (confab_delta_accumulator_has_finish_reason (accumulator));

  /* Not NUL-terminated: only @len bytes count. */
  g_assert_true (confab_delta_accumulator_feed_data (accumulator, chunk, sizeof chunk - 1, &error));
  g_assert_no_error (error);
  g_assert_true (confab_delta_accumulator_has_output (accumulator));
  g_assert_cmpstr (confab_message_get_content (message), ==, "x");

  g_assert_true (confab_delta_accumulator_feed_data (accumulator, finish, sizeof finish - 1 - 3, &error));
  g_assert_no_error (error);
  g_assert_true (confab_delta_accumulator_has_finish_reason (accumulator));

  g_assert_false (confab_delta_accumulator_is_done (accumulator));
  g_assert_true (confab_delta_accumulator_feed_data (accumulator, " [DONE] ", 8, &error));
  g_assert_true (confab_delta_accumulator_is_done (accumulator));
  g_assert_true (confab_delta_accumulator_finish (accumulator, &error));
  g_assert_no_error (error);
}

static void
test_has_output_not_for_empty_content (void)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(ConfabDeltaAccumulator) accumulator = confab_delta_accumulator_new (message);
  static const char stream[] =
    CHUNK ("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}")
    ": OPENROUTER PROCESSING\n\n";
  static const char reasoning[] = CHUNK ("{\"choices\":[{\"delta\":{\"reasoning\":\"r\"}}]}");

  /* Time to first token is measured at the first real text, not at the role chunk. */
  g_assert_true (confab_delta_accumulator_feed_bytes (accumulator, stream, sizeof stream - 1, NULL));
  g_assert_false (confab_delta_accumulator_has_output (accumulator));
  g_assert_true (confab_delta_accumulator_feed_bytes (accumulator, reasoning, sizeof reasoning - 1, NULL));
  g_assert_true (confab_delta_accumulator_has_output (accumulator));
}

static void
test_read_stream (void)
{
  g_autoptr(JsonNode) cassette = load_cassette ("simple_streaming_openrouter-groq-kimi-k2.json");
  const char *body = cassette_body (cassette, 0);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (body, strlen (body), NULL);
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(ConfabDeltaAccumulator) accumulator = confab_delta_accumulator_new (message);
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_delta_accumulator_read_stream (accumulator, stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Olá!");
  g_assert_true (confab_delta_accumulator_is_done (accumulator));
}

static void
test_read_stream_truncated (void)
{
  static const char body[] = CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"cut\"}}]}");
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (body, sizeof body - 1, NULL);
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(ConfabDeltaAccumulator) accumulator = confab_delta_accumulator_new (message);
  g_autoptr(GError) error = NULL;

  g_assert_false (confab_delta_accumulator_read_stream (accumulator, stream, NULL, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TRUNCATED);
  g_assert_cmpstr (confab_message_get_content (message), ==, "cut");
}

static void
test_to_json (void)
{
  g_autoptr(Outcome) outcome = run_every_split (
    CHUNK ("{\"model\":\"m-1\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"r\",\"content\":\"Olá\",\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\": 1}\"}}]},\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}")
    DONE);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonObject *message;
  JsonObject *call;

  g_assert_true (json_parser_load_from_data (parser, outcome->to_json, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  message = json_object_get_object_member (root, "message");

  g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "assistant");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, "Olá");
  call = json_array_get_object_element (json_object_get_array_member (message, "tool_calls"), 0);
  g_assert_cmpstr (json_object_get_string_member (call, "id"), ==, "c1");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (call, "function"), "arguments"),
                   ==, "{\"a\": 1}");
  g_assert_cmpstr (json_object_get_string_member (root, "reasoning"), ==, "r");
  g_assert_cmpstr (json_object_get_string_member (root, "finish_reason"), ==, "tool_calls");
  g_assert_cmpstr (json_object_get_string_member (root, "model"), ==, "m-1");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "usage"), "total_tokens"), ==, 3);
  g_assert_true (json_object_get_boolean_member (root, "done"));
  g_assert_true (json_object_get_null_member (root, "error"));
}

static void
test_to_json_failed (void)
{
  g_autoptr(Outcome) outcome = run_every_split (CHUNK ("{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}"));
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  g_assert_true (json_parser_load_from_data (parser, outcome->to_json, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_null_member (root, "usage"));
  g_assert_true (json_object_get_null_member (root, "finish_reason"));
  g_assert_true (json_object_get_null_member (root, "reasoning"));
  g_assert_false (json_object_get_boolean_member (root, "done"));
  g_assert_cmpstr (json_object_get_string_member (root, "error"), ==,
                   "The stream ended before the answer was complete");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/delta/cassette/simple-openrouter", test_cassette_simple_openrouter);
  g_test_add_func ("/delta/cassette/tool-groq", test_cassette_tool_groq);
  g_test_add_func ("/delta/cassette/multi-tool-groq", test_cassette_multi_tool_groq);

  g_test_add_func ("/delta/tool-call-fragmented", test_fragmented_tool_call);
  g_test_add_func ("/delta/tool-calls-parallel-interleaved", test_parallel_tool_calls_interleaved);
  g_test_add_func ("/delta/tool-call-arguments-byte-for-byte", test_tool_call_arguments_byte_for_byte);
  g_test_add_func ("/delta/tool-calls-without-index", test_tool_calls_without_index);
  g_test_add_func ("/delta/reasoning-content", test_reasoning_content);
  g_test_add_func ("/delta/reasoning-openrouter", test_reasoning_openrouter);
  g_test_add_func ("/delta/reasoning-in-both-fields-not-doubled", test_reasoning_in_both_fields_not_doubled);
  g_test_add_func ("/delta/content-null-and-empty-deltas", test_content_null_and_empty_deltas);
  g_test_add_func ("/delta/content-as-parts", test_content_as_parts);
  g_test_add_func ("/delta/refusal-is-content", test_refusal_is_content);
  g_test_add_func ("/delta/reasoning-before-content-in-one-delta", test_reasoning_before_content_in_one_delta);
  g_test_add_func ("/delta/role-in-every-chunk", test_role_in_every_chunk);
  g_test_add_func ("/delta/choices-empty", test_choices_empty);
  g_test_add_func ("/delta/usage-last-wins-never-summed", test_usage_last_wins);
  g_test_add_func ("/delta/usage-in-x-groq", test_usage_in_x_groq_only);
  g_test_add_func ("/delta/usage-inside-choice", test_usage_inside_choice);
  g_test_add_func ("/delta/usage-null-ignored", test_usage_null_ignored);
  g_test_add_func ("/delta/finish-reasons", test_finish_reasons);
  g_test_add_func ("/delta/other-choices-ignored", test_other_choices_ignored);
  g_test_add_func ("/delta/comments-and-keepalives", test_comments_and_keepalives);
  g_test_add_func ("/delta/crlf-stream", test_crlf_stream);

  g_test_add_func ("/delta/error-object-mid-stream-keeps-text", test_error_object_mid_stream_keeps_text);
  g_test_add_func ("/delta/error-object-openrouter-shape", test_error_object_openrouter_shape);
  g_test_add_func ("/delta/error-string", test_error_string);
  g_test_add_func ("/delta/error-null-is-no-error", test_error_null_is_no_error);
  g_test_add_func ("/delta/invalid-json", test_invalid_json);
  g_test_add_func ("/delta/two-objects-in-one-event", test_two_objects_in_one_event);
  g_test_add_func ("/delta/invalid-json-excerpt-is-short", test_invalid_json_long_excerpt_is_short);
  g_test_add_func ("/delta/not-an-object", test_not_an_object);
  g_test_add_func ("/delta/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/delta/lone-surrogate-escape", test_lone_surrogate_escape);
  g_test_add_func ("/delta/split-surrogate-pair", test_split_surrogate_pair);
  g_test_add_func ("/delta/nul-escape-keeps-what-follows", test_nul_escape_keeps_what_follows);
  g_test_add_func ("/delta/deep-nesting-refused", test_deep_nesting_refused);
  g_test_add_func ("/delta/nesting-at-the-limit", test_nesting_at_the_limit);
  g_test_add_func ("/delta/surrogate-pair-escape", test_surrogate_pair_escape);
  g_test_add_func ("/delta/arguments-as-object", test_arguments_as_object);
  g_test_add_func ("/delta/repeated-keys-last-wins", test_repeated_keys_last_wins);
  g_test_add_func ("/delta/members-of-other-types", test_members_of_other_types);
  g_test_add_func ("/delta/lenient-json-still-read", test_lenient_json_still_read);
  g_test_add_func ("/delta/overlong-utf8-refused", test_overlong_utf8_refused);
  g_test_add_func ("/delta/eof-after-finish-without-done-is-complete", test_eof_after_finish_without_done);
  g_test_add_func ("/delta/eof-before-finish-is-truncated", test_eof_before_finish_is_truncated);
  g_test_add_func ("/delta/eof-mid-event-is-truncated", test_eof_mid_event_is_truncated);
  g_test_add_func ("/delta/empty-stream-is-truncated", test_empty_stream_is_truncated);
  g_test_add_func ("/delta/done-without-finish-reason", test_done_without_finish_reason);
  g_test_add_func ("/delta/data-after-done-ignored", test_data_after_done_ignored);
  g_test_add_func ("/delta/line-too-long", test_line_too_long);

  g_test_add_func ("/delta/feed-data-directly", test_feed_data_directly);
  g_test_add_func ("/delta/has-output-not-for-empty-content", test_has_output_not_for_empty_content);
  g_test_add_func ("/delta/read-stream", test_read_stream);
  g_test_add_func ("/delta/read-stream-truncated", test_read_stream_truncated);
  g_test_add_func ("/delta/to-json", test_to_json);
  g_test_add_func ("/delta/to-json-failed", test_to_json_failed);

  return g_test_run ();
}
