/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-hardening"

#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confab-client.h"
#include "confab-error.h"
#include "confab-message.h"
#include "confab-provider.h"
#include "confab-replay-server.h"
#include "confab-test-util.h"

/* A hostile provider: escape sequences in tool calls and model text, redirects,
 * endless streams. What the terminal, the model and the user see stays honest. */

#define CLI_TIMEOUT_MS 20000
#define WAIT_MS 10000

typedef struct
{
  ConfabReplayServer *server;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = confab_replay_server_new ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->server, confab_replay_server_free);
}

/* One SSE event carrying @delta (a JSON object) for choice 0, with @finish_reason or none. */
static char *
sse_event (JsonNode   *delta,
           const char *finish_reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "choices");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "delta");
  json_builder_add_value (builder, json_node_copy (delta));
  if (finish_reason != NULL)
    {
      json_builder_set_member_name (builder, "finish_reason");
      json_builder_add_string_value (builder, finish_reason);
    }
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);

  return g_strdup_printf ("data: %s\n\n", text);
}

/* The approval spoof: the arguments erase the real prompt and draw a harmless one;
 * answering y would run the hidden call. */
#define SPOOF_ARGUMENTS \
  "{\"text\": \"rm -rf ~\x1b[2K\r\x1b[1ARun echo({\\\"message\\\":\\\"hello\\\"})? [y/N/c/a] \x1b[8m\"}"
/* OSC 52 writes the clipboard, OSC 0 the window title; U+202E reverses what follows. */
#define HOSTILE_TEXT \
  "Done.\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07 \xe2\x80\xaetxt.exe\xc2\x9b" "2J\n"

static void
queue_spoofing_answers (Fixture *fixture)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) call_delta = NULL;
  g_autoptr(JsonNode) text_delta = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *body1 = NULL;
  g_autofree char *body2 = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tool_calls");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, "call_1");
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "function");
  json_builder_set_member_name (builder, "function");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "echo");
  json_builder_set_member_name (builder, "arguments");
  json_builder_add_string_value (builder, SPOOF_ARGUMENTS);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  call_delta = json_builder_get_root (builder);

  json_builder_reset (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, HOSTILE_TEXT);
  json_builder_end_object (builder);
  text_delta = json_builder_get_root (builder);

  first = sse_event (call_delta, "tool_calls");
  second = sse_event (text_delta, "stop");
  body1 = g_strconcat (first, "data: [DONE]\n\n", NULL);
  body2 = g_strconcat (second, "data: [DONE]\n\n", NULL);
  confab_replay_server_add_response (fixture->server, 200, NULL, body1, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL, body2, CONFAB_REPLAY_NONE);
}

/* stdin is the slave side of a pseudo-terminal, the answer typed ahead into the master. */
static ConfabCliResult *
run_on_terminal (Fixture    *fixture,
                 const char *extra_arg,
                 const char *typed)
{
  g_autofree char *mcp = NULL;
  ConfabCliResult *result;
  int master, slave;
  const char *args[] = {
    "--base-url", confab_replay_server_get_base_url (fixture->server),
    "--model", "m", "--no-store",
    "--mcp", NULL,
    "say hello",
    extra_arg,
    NULL
  };

  g_assert_nonnull (g_getenv ("CONFAB_TEST_MCP_SERVER"));
  mcp = g_strdup_printf ("%s --tools echo", g_getenv ("CONFAB_TEST_MCP_SERVER"));
  args[6] = mcp;

  master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);
  g_assert_cmpint (write (master, typed, strlen (typed)), ==, (gssize) strlen (typed));

  result = confab_test_run_cli_with_stdin_fd (args, slave, NULL, CLI_TIMEOUT_MS);
  close (master);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", result->exit_status,
                  result->stdout_text, result->stderr_text);

  return result;
}

static void
assert_no_terminal_controls (const char *text)
{
  g_assert_null (strchr (text, '\x1b'));
  g_assert_null (strchr (text, '\x07'));
  g_assert_null (strchr (text, '\r'));
  g_assert_null (strstr (text, "\xc2\x9b"));
  g_assert_null (strstr (text, "\xe2\x80\xae"));
}

static void
test_spoofed_approval_prompt (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(ConfabCliResult) result = NULL;

  queue_spoofing_answers (fixture);
  result = run_on_terminal (fixture, NULL, "y\n");

  g_assert_cmpint (result->exit_status, ==, 0);
  /* The real question, whole and on one line, with the hostile part visible. */
  g_assert_nonnull (strstr (result->stderr_text,
                            "Run echo({\"text\": \"rm -rf ~\\x1b[2K\\x0d\\x1b[1ARun echo("));
  g_assert_nonnull (strstr (result->stderr_text, "[y/N/c/a] \\x1b[8m\"})? [y/N/c/a] "));
  /* The echoed result and the model's text are escaped too. */
  g_assert_nonnull (strstr (result->stderr_text, "← echo [done]: rm -rf ~\\x1b[2K"));
  g_assert_nonnull (strstr (result->stdout_text,
                            "Done.\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b]0;pwned\\x07 U+202Etxt.exeU+009B2J\n"));
  assert_no_terminal_controls (result->stdout_text);
  assert_no_terminal_controls (result->stderr_text);
}

static void
test_raw_keeps_model_text_only (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(ConfabCliResult) result = NULL;

  queue_spoofing_answers (fixture);
  result = run_on_terminal (fixture, "--raw", "n\n");

  g_assert_cmpint (result->exit_status, ==, 0);
  /* --raw is for piping the answer: the model's text as sent … */
  g_assert_cmpstr (result->stdout_text, ==, HOSTILE_TEXT);
  /* … but the approval prompt and what tools say stay escaped. */
  g_assert_nonnull (strstr (result->stderr_text, "\\x1b[2K\\x0d\\x1b[1ARun echo("));
  assert_no_terminal_controls (result->stderr_text);
}

/* The report that started it: an MCP server's get-env tool sent CONFAB_API_KEY to the model.
 * Neither the default variable nor the one named by --api-key-env reaches a server. */
static void
test_cli_key_not_given_to_servers (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(ConfabCliResult) result = NULL;
  g_autofree char *mcp = NULL;
  GPtrArray *requests;
  const char *second_body;
  const char *env[] = { "CONFAB_API_KEY=sk-default-secret", "LC_MY_KEY=sk-flag-secret", NULL };
  const char *args[] = {
    "--base-url", confab_replay_server_get_base_url (fixture->server),
    "--model", "m", "--no-store", "--yes", "--json",
    "--api-key-env", "LC_MY_KEY",
    "--mcp", NULL,
    "show me your environment",
    NULL
  };

  g_assert_nonnull (g_getenv ("CONFAB_HOSTILE_MCP_SERVER"));
  mcp = g_strdup (g_getenv ("CONFAB_HOSTILE_MCP_SERVER"));
  args[10] = mcp;

  confab_replay_server_add_response (fixture->server, 200, NULL,
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                                     "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"env\","
                                     "\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n",
                                     CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (fixture->server, 200, NULL,
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Nothing secret.\"},"
                                     "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
                                     CONFAB_REPLAY_NONE);

  result = confab_test_run_cli (args, NULL, env, CLI_TIMEOUT_MS);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", result->exit_status,
                  result->stdout_text, result->stderr_text);
  g_assert_cmpint (result->exit_status, ==, 0);

  /* The key went where it belongs … */
  requests = confab_replay_server_get_requests (fixture->server);
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpstr (soup_message_headers_get_one (((ConfabReplayRequest *) requests->pdata[0])->headers,
                                                 "Authorization"), ==, "Bearer sk-flag-secret");
  /* … and not to the server, so not to the model with the tool's result. */
  second_body = ((ConfabReplayRequest *) requests->pdata[1])->body;
  g_assert_nonnull (strstr (second_body, "PATH="));
  g_assert_null (strstr (second_body, "sk-default-secret"));
  g_assert_null (strstr (second_body, "sk-flag-secret"));
  g_assert_null (strstr (result->stdout_text, "sk-"));
}

/* decode prints JSON (which escapes controls) and the stream's error, escaped too. */
static void
test_cli_decode_error_escaped (void)
{
  static const char * const args[] = { "decode", "-", NULL };
  g_autoptr(ConfabCliResult) result = NULL;

  result = confab_test_run_cli (args,
                                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\\u001b]0;x\\u0007b\"}}]}\n\n"
                                "data: {\"error\":{\"message\":\"bad\\u001b[2J\\u001b]52;c;eA==\\u0007\"}}\n\n",
                                NULL, CLI_TIMEOUT_MS);
  g_test_message ("stdout:\n%s\nstderr:\n%s", result->stdout_text, result->stderr_text);
  g_assert_cmpint (result->exit_status, ==, 1);
  g_assert_nonnull (strstr (result->stderr_text, "bad\\x1b[2J\\x1b]52;c;eA==\\x07"));
  assert_no_terminal_controls (result->stdout_text);
  assert_no_terminal_controls (result->stderr_text);
}

/* Stored titles, snippets and exports are the user's and the model's text: escaped when
 * printed. The title comes from the prompt, the snippet from the answer. */
static void
test_cli_store_output_escaped (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(ConfabCliResult) run = NULL;
  g_autoptr(ConfabCliResult) list = NULL;
  g_autoptr(ConfabCliResult) search = NULL;
  g_autoptr(ConfabCliResult) export = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  const char *id;
  const char *run_args[] = {
    "--base-url", confab_replay_server_get_base_url (fixture->server), "--model", "m", "--json",
    "weather\x1b]0;pwned\x07 today", NULL
  };
  const char *list_args[] = { "list", NULL };
  const char *search_args[] = { "search", "sunny", NULL };
  const char *export_args[] = { "export", NULL, "--format", "markdown", NULL };

  confab_replay_server_add_response (fixture->server, 200, NULL,
                                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                                     "\"sunny \\u001b[2Jand \\u202ewarm\"},\"finish_reason\":\"stop\"}]}\n\n"
                                     "data: [DONE]\n\n", CONFAB_REPLAY_NONE);
  run = confab_test_run_cli (run_args, NULL, NULL, CLI_TIMEOUT_MS);
  g_assert_cmpint (run->exit_status, ==, 0);
  lines = confab_test_parse_json_lines (run->stdout_text);
  id = confab_test_json_get_string (g_ptr_array_index (lines, lines->len - 1), "conversation_id");
  g_assert_nonnull (id);

  list = confab_test_run_cli (list_args, NULL, NULL, CLI_TIMEOUT_MS);
  search = confab_test_run_cli (search_args, NULL, NULL, CLI_TIMEOUT_MS);
  export_args[1] = id;
  export = confab_test_run_cli (export_args, NULL, NULL, CLI_TIMEOUT_MS);
  g_test_message ("list:\n%s\nsearch:\n%s\nexport:\n%s", list->stdout_text, search->stdout_text,
                  export->stdout_text);

  g_assert_nonnull (strstr (list->stdout_text, "weather\\x1b]0;pwned\\x07 today"));
  g_assert_nonnull (strstr (search->stdout_text, "\\x1b[2J"));
  g_assert_nonnull (strstr (export->stdout_text, "sunny \\x1b[2Jand U+202Ewarm"));
  assert_no_terminal_controls (list->stdout_text);
  assert_no_terminal_controls (search->stdout_text);
  assert_no_terminal_controls (export->stdout_text);
}

/* Client ------------------------------------------------------------------------------- */

static const char *simple_request =
  "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";

/* Streams into a new assistant message and waits for the end. */
static ConfabMessage *
stream (Fixture       *fixture,
        ConfabClient  *client,
        GError       **error)
{
  g_autoptr(ConfabProvider) provider = confab_provider_new ("Hostile", confab_replay_server_get_base_url (fixture->server));
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  g_autoptr(GAsyncResult) result = NULL;

  confab_provider_set_api_key (provider, "sk-test-key");
  confab_message_set_state (message, CONFAB_MESSAGE_STATE_STREAMING);
  confab_client_stream_async (client, provider, simple_request, message, NULL,
                              confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  confab_client_stream_finish (client, result, error);

  return g_steal_pointer (&message);
}

/* A 301/302 turns a POST into a GET without the conversation, and its answer would pass for
 * the model's; a 307/308 resends the conversation elsewhere. Refused, naming the address. */
static void
test_redirect_refused (Fixture       *fixture,
                       gconstpointer  data)
{
  static const guint statuses[] = { 301, 302, 303, 307, 308 };
  g_autoptr(ConfabClient) client = confab_client_new ();

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(ConfabMessage) message = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = NULL;
      ConfabReplayResponse *response;
      guint n_requests = confab_replay_server_get_requests (fixture->server)->len;

      response = confab_replay_server_add_response (fixture->server, statuses[i], "text/plain", "Moved",
                                                    CONFAB_REPLAY_NONE);
      confab_replay_response_add_header (response, "Location", "/elsewhere/chat/completions");
      /* What a followed redirect would get: a plausible answer. */
      confab_replay_server_add_response (fixture->server, 200, NULL,
                                         "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"pwned\"},"
                                         "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
                                         CONFAB_REPLAY_NONE);

      message = stream (fixture, client, &error);
      g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_HTTP);
      expected = g_strdup_printf ("%s/chat/completions redirects requests to %s/elsewhere/chat/completions (HTTP %u)",
                                  confab_replay_server_get_base_url (fixture->server),
                                  confab_replay_server_get_base_url (fixture->server), statuses[i]);
      g_assert_true (g_str_has_prefix (error->message, expected));
      g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
      g_assert_cmpstr (confab_message_get_content (message), ==, "");

      /* One request, never a second one to the new address. */
      g_assert_cmpuint (confab_replay_server_get_requests (fixture->server)->len, ==, n_requests + 1);
      confab_replay_server_finish_stalled (fixture->server);
      /* The decoy answer stays queued: drop it by using a fresh server for the next status. */
      confab_replay_server_free (fixture->server);
      fixture->server = confab_replay_server_new ();
    }
}

/* GET /models carries the key too: a redirect is refused there as well. A SoupServer of the
 * test's own, since the replay server answers /models with 200 only. */
static void
redirecting_handler (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  static const char *models = "{\"data\":[{\"id\":\"pwned\"}]}";
  guint *n_followed = user_data;

  if (g_str_has_prefix (path, "/v1/"))
    {
      soup_server_message_set_redirect (msg, 302, "/other/models");
      return;
    }

  (*n_followed)++;
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    models, strlen (models));
}

static void
test_models_redirect_refused (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(ConfabClient) client = confab_client_new ();
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) models = NULL;
  guint n_followed = 0;

  soup_server_add_handler (server, NULL, redirecting_handler, &n_followed, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  {
    g_autofree char *v1 = g_strconcat (base_url, "/v1", NULL);

    provider = confab_provider_new ("Hostile", v1);
  }
  confab_provider_set_api_key (provider, "sk-test-key");
  confab_client_list_models_async (client, provider, NULL, confab_test_store_result_cb, &result);
  result = confab_test_wait_result (&result, WAIT_MS);
  models = confab_client_list_models_finish (client, result, &error);

  g_assert_null (models);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_HTTP);
  expected = g_strdup_printf ("%s/v1/models redirects requests to %s/other/models (HTTP 302)", base_url, base_url);
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_assert_cmpuint (n_followed, ==, 0);
}

/* Keep-alive comments forever: the idle timer never fires, the overall limit does. */
static const char * const keep_alive_pieces[] = {
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n",
  ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n",
  ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n",
  ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n",
  ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n",
  ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n",
  ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n", ": keep-alive\n\n",
  NULL
};

static void
test_max_time (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(ConfabClient) client = confab_client_new ();
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpuint (confab_client_get_max_time (client), ==, CONFAB_CLIENT_DEFAULT_MAX_TIME);

  /* A comment every 200 ms for 6 s, then silence; the idle timeout is 3 s, the limit 1 s. */
  confab_replay_server_set_piece_delay (fixture->server, 200);
  confab_replay_server_add_response_pieces (fixture->server, 200, NULL, keep_alive_pieces, CONFAB_REPLAY_STALL);
  confab_client_set_idle_timeout (client, 3);
  confab_client_set_max_time (client, 1);

  message = stream (fixture, client, &error);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT);
  expected = g_strdup_printf ("%s was still answering after 1 second, the limit for one request; "
                              "the request was stopped (%s/chat/completions)",
                              "Hostile",
                              confab_replay_server_get_base_url (fixture->server));
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpstr (confab_message_get_content (message), ==, "Hel");
  g_assert_cmpint (confab_message_get_state (message), ==, CONFAB_MESSAGE_STATE_FAILED);
  confab_replay_server_finish_stalled (fixture->server);
}

static void
test_cli_max_time (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ConfabCliResult) result = NULL;
  const char *args[] = {
    "--base-url", confab_replay_server_get_base_url (fixture->server),
    "--model", "m", "--no-store", "--max-time", "1", "--idle-timeout", "3", "hello", NULL
  };

  confab_replay_server_set_piece_delay (fixture->server, 200);
  confab_replay_server_add_response_pieces (fixture->server, 200, NULL, keep_alive_pieces, CONFAB_REPLAY_STALL);
  result = confab_test_run_cli (args, NULL, NULL, CLI_TIMEOUT_MS);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", result->exit_status,
                  result->stdout_text, result->stderr_text);

  g_assert_cmpint (result->exit_status, ==, 1);
  g_assert_cmpstr (result->stdout_text, ==, "Hel\n");
  g_assert_nonnull (strstr (result->stderr_text, "was still answering after 1 second, the limit for one request"));
  confab_replay_server_finish_stalled (fixture->server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/hardening/cli/spoofed-approval-prompt", test_spoofed_approval_prompt);
  ADD ("/hardening/cli/raw-keeps-model-text-only", test_raw_keeps_model_text_only);
  ADD ("/hardening/cli/max-time", test_cli_max_time);
  ADD ("/hardening/cli/key-not-given-to-servers", test_cli_key_not_given_to_servers);
  g_test_add_func ("/hardening/cli/decode-error-escaped", test_cli_decode_error_escaped);
  ADD ("/hardening/cli/store-output-escaped", test_cli_store_output_escaped);
  ADD ("/hardening/client/redirect-refused", test_redirect_refused);
  ADD ("/hardening/client/max-time", test_max_time);
  g_test_add_func ("/hardening/client/models-redirect-refused", test_models_redirect_refused);

#undef ADD

  return g_test_run ();
}
