/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "test-mcp-http"

/* The MCP client over Streamable HTTP (ConfabMcpServer with a URL) against a scripted MCP
 * server on a SoupServer at 127.0.0.1: JSON and SSE answers, Mcp-Session-Id,
 * MCP-Protocol-Version, per-server headers, resumption with Last-Event-ID after `retry`,
 * the server's GET stream, elicitation, DELETE on stop, errors, and mcp.json. */

#include <fcntl.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <unistd.h>

#include "confab-error.h"
#include "confab-mcp-elicitation.h"
#include "confab-mcp-server.h"
#include "confab-replay-server.h"
#include "confab-test-util.h"
#include "confab-tool.h"
#include "confab-tool-registry.h"

#define WAIT_MS 10000

typedef enum {
  CALL_JSON,          /* tools/call answered as application/json */
  CALL_SSE,           /* as an event stream with a log notification first */
  CALL_RESUME,        /* the stream closes after a priming event; the answer comes on resume */
  CALL_ELICIT,        /* the stream asks elicitation/create first, answers after the reply */
  CALL_FAIL_500,      /* HTTP 500 */
  CALL_VANISH,        /* a priming event, then the server goes away for good */
} CallMode;

/* One request the server saw. */
typedef struct
{
  char   *http_method;
  char   *method;          /* the JSON-RPC method, NULL for a response or a GET */
  char   *session_id;
  char   *protocol_version;
  char   *authorization;
  char   *last_event_id;
  JsonNode *body;
  gint64  time;
} Seen;

typedef struct
{
  SoupServer        *server;
  char              *url;
  GPtrArray         *seen;
  const char        *answer_version;  /* initialize's protocolVersion, NULL: echo */
  guint              initialize_status;
  CallMode           call_mode;
  gboolean           allow_get;
  guint              get_refusal;     /* the status of a refused GET; 0: 405 */
  gboolean           session_expired; /* 404 to every request with a session */
  gboolean           renew_session;   /* 404 once to the first session, then a new one */
  guint              sessions;
  guint              tools_listed;
  const char        *tool_name;
  gboolean           with_plain_tool; /* also "plain", answered at once as JSON */
  SoupServerMessage *get_stream;      /* the server's own stream, held open */
  SoupServerMessage *call_stream;     /* a tools/call stream waiting for an elicitation answer */
  JsonNode          *call_id;
  JsonNode          *elicitation_answer;
  gboolean           pinged;          /* the client answered the ping after the question */
  gboolean           elicit_url;      /* ask in URL mode, which Confab does not offer */
  gint64             closed_at;
  gboolean           deleted;
  gboolean           slow_initialized; /* answers notifications/initialized late, and only */
  gboolean           initialized_done; /* then offers its "conditional" tool */
} Fake;

static void
seen_free (Seen *seen)
{
  g_free (seen->http_method);
  g_free (seen->method);
  g_free (seen->session_id);
  g_free (seen->protocol_version);
  g_free (seen->authorization);
  g_free (seen->last_event_id);
  g_clear_pointer (&seen->body, json_node_unref);
  g_free (seen);
}

static JsonNode *
parse_json (const char *text,
            gssize      len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, len, NULL) || json_parser_get_root (parser) == NULL)
    return NULL;

  return json_node_copy (json_parser_get_root (parser));
}

static char *
result_message (JsonNode   *id,
                const char *result_json)
{
  g_autofree char *id_text = json_to_string (id, FALSE);

  return g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":%s}", id_text, result_json);
}

static void
respond_json (SoupServerMessage *msg,
              const char        *text)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
}

/* Starts an event stream; events follow with send_event(). */
static void
start_stream (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_server_message_pause (msg);
}

static void
send_event (SoupServerMessage *msg,
            const char        *text,
            gboolean           last)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  soup_message_body_append (body, SOUP_MEMORY_COPY, text, strlen (text));
  if (last)
    soup_message_body_complete (body);
  soup_server_message_unpause (msg);
}

static void
send_data_event (SoupServerMessage *msg,
                 const char        *json,
                 gboolean           last)
{
  g_autofree char *event = g_strdup_printf ("data: %s\n\n", json);

  send_event (msg, event, last);
}

#define TOOL_RESULT "{\"content\":[{\"type\":\"text\",\"text\":\"echoed\"}]}"

static gboolean
vanish_cb (gpointer user_data)
{
  Fake *fake = user_data;

  soup_server_disconnect (fake->server);
  return G_SOURCE_REMOVE;
}

static void
handle_call (Fake              *fake,
             SoupServerMessage *msg,
             JsonNode          *id)
{
  g_autofree char *answer = result_message (id, TOOL_RESULT);

  switch (fake->call_mode)
    {
    case CALL_JSON:
      respond_json (msg, answer);
      break;

    case CALL_SSE:
      start_stream (msg);
      send_data_event (msg, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\","
                            "\"params\":{\"level\":\"info\",\"data\":\"working\"}}", FALSE);
      send_data_event (msg, answer, TRUE);
      break;

    case CALL_RESUME:
      g_clear_pointer (&fake->call_id, json_node_unref);
      fake->call_id = json_node_copy (id);
      start_stream (msg);
      fake->closed_at = g_get_monotonic_time ();
      send_event (msg, "id: e-7\nretry: 150\ndata: \n\n", TRUE);
      break;

    case CALL_ELICIT:
      g_clear_pointer (&fake->call_id, json_node_unref);
      fake->call_id = json_node_copy (id);
      g_set_object (&fake->call_stream, msg);
      start_stream (msg);
      if (fake->elicit_url)
        {
          send_data_event (msg, "{\"jsonrpc\":\"2.0\",\"id\":\"ask-1\",\"method\":\"elicitation/create\","
                                "\"params\":{\"mode\":\"url\",\"message\":\"Sign in\","
                                "\"url\":\"https://example.com/\",\"elicitationId\":\"e\"}}", FALSE);
          break;
        }
      send_data_event (msg, "{\"jsonrpc\":\"2.0\",\"id\":\"ask-1\",\"method\":\"elicitation/create\","
                            "\"params\":{\"message\":\"Who are you?\",\"requestedSchema\":{"
                            "\"type\":\"object\",\"properties\":{"
                            "\"name\":{\"type\":\"string\",\"default\":\"Ada\"},"
                            "\"age\":{\"type\":\"integer\",\"default\":36},"
                            "\"admin\":{\"type\":\"boolean\",\"default\":\"no\"},"
                            "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"]},"
                            "\"default\":[\"b\"]}}}}}", FALSE);
      /* Answered only once the question before it was taken in. */
      send_data_event (msg, "{\"jsonrpc\":\"2.0\",\"id\":\"ping-1\",\"method\":\"ping\"}", FALSE);
      break;

    case CALL_FAIL_500:
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      break;

    case CALL_VANISH:
      start_stream (msg);
      send_event (msg, "id: v-1\nretry: 10\ndata: \n\n", FALSE);
      g_idle_add (vanish_cb, fake);
      break;
    }
}

static gboolean
finish_initialized_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;
  Fake *fake = g_object_get_data (G_OBJECT (msg), "fake");

  fake->initialized_done = TRUE;
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static void
handle_post (Fake              *fake,
             SoupServerMessage *msg,
             Seen              *seen)
{
  JsonObject *object;
  JsonNode *id;

  if (seen->body == NULL || !JSON_NODE_HOLDS_OBJECT (seen->body))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }

  object = json_node_get_object (seen->body);
  id = json_object_get_member (object, "id");

  if (seen->method == NULL && g_strcmp0 (json_object_get_string_member_with_default (object, "id", NULL), "ping-1") == 0)
    {
      fake->pinged = TRUE;
      soup_server_message_set_status (msg, SOUP_STATUS_ACCEPTED, NULL);
      return;
    }

  if (seen->method == NULL)
    {
      /* The answer to our elicitation: the call goes on. */
      g_clear_pointer (&fake->elicitation_answer, json_node_unref);
      fake->elicitation_answer = json_node_copy (json_object_get_member (object, "result"));
      soup_server_message_set_status (msg, SOUP_STATUS_ACCEPTED, NULL);
      if (fake->call_stream != NULL)
        {
          g_autofree char *answer = result_message (fake->call_id, TOOL_RESULT);

          send_data_event (fake->call_stream, answer, TRUE);
          g_clear_object (&fake->call_stream);
        }
      return;
    }

  if (g_str_equal (seen->method, "initialize"))
    {
      JsonObject *params = json_object_get_object_member (object, "params");
      g_autofree char *result = NULL;
      g_autofree char *answer = NULL;

      if (fake->initialize_status != SOUP_STATUS_OK)
        {
          soup_server_message_set_status (msg, fake->initialize_status, NULL);
          return;
        }

      result = g_strdup_printf ("{\"protocolVersion\":\"%s\",\"capabilities\":{\"tools\":{\"listChanged\":true}},"
                                "\"serverInfo\":{\"name\":\"fake\",\"version\":\"1.0\"}}",
                                fake->answer_version ? fake->answer_version
                                                     : json_object_get_string_member (params, "protocolVersion"));
      answer = result_message (id, result);
      respond_json (msg, answer);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Mcp-Session-Id", fake->sessions++ == 0 ? "session-42" : "session-43");
    }
  else if (g_str_equal (seen->method, "notifications/initialized") && fake->slow_initialized)
    {
      /* As server-everything: the tools that depend on the client's capabilities come
       * once the notification was handled, which a busy server does late. */
      soup_server_message_set_status (msg, SOUP_STATUS_ACCEPTED, NULL);
      soup_server_message_pause (msg);
      g_timeout_add_full (G_PRIORITY_DEFAULT, 200, finish_initialized_cb,
                          g_object_ref (msg), g_object_unref);
      g_object_set_data (G_OBJECT (msg), "fake", fake);
    }
  else if (g_str_has_prefix (seen->method, "notifications/"))
    soup_server_message_set_status (msg, SOUP_STATUS_ACCEPTED, NULL);
  else if (g_str_equal (seen->method, "tools/list"))
    {
      g_autofree char *result = g_strdup_printf ("{\"tools\":[{\"name\":\"%s\",\"inputSchema\":{\"type\":\"object\"}}%s%s]}",
                                                 fake->tool_name,
                                                 fake->with_plain_tool ? ",{\"name\":\"plain\",\"inputSchema\":{\"type\":\"object\"}}" : "",
                                                 fake->initialized_done ? ",{\"name\":\"conditional\",\"inputSchema\":{\"type\":\"object\"}}" : "");
      g_autofree char *answer = result_message (id, result);

      fake->tools_listed++;
      respond_json (msg, answer);
    }
  else if (g_str_equal (seen->method, "tools/call") &&
           g_strcmp0 (json_object_get_string_member (json_object_get_object_member (object, "params"), "name"), "plain") == 0)
    {
      g_autofree char *answer = result_message (id, TOOL_RESULT);

      respond_json (msg, answer);
    }
  else if (g_str_equal (seen->method, "tools/call"))
    handle_call (fake, msg, id);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
handle_get (Fake              *fake,
            SoupServerMessage *msg,
            Seen              *seen)
{
  if (seen->last_event_id != NULL && fake->call_id != NULL)
    {
      g_autofree char *answer = result_message (fake->call_id, TOOL_RESULT);

      start_stream (msg);
      send_data_event (msg, answer, TRUE);
      return;
    }

  if (!fake->allow_get)
    {
      soup_server_message_set_status (msg, fake->get_refusal ? fake->get_refusal : SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  g_set_object (&fake->get_stream, msg);
  start_stream (msg);
  send_event (msg, ": the server's stream\n\n", FALSE);
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Fake *fake = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  Seen *seen = g_new0 (Seen, 1);

  seen->http_method = g_strdup (soup_server_message_get_method (msg));
  seen->session_id = g_strdup (soup_message_headers_get_one (headers, "Mcp-Session-Id"));
  seen->protocol_version = g_strdup (soup_message_headers_get_one (headers, "MCP-Protocol-Version"));
  seen->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  seen->last_event_id = g_strdup (soup_message_headers_get_one (headers, "Last-Event-ID"));
  seen->time = g_get_monotonic_time ();
  if (body->length > 0)
    seen->body = parse_json (body->data, body->length);
  if (seen->body != NULL && JSON_NODE_HOLDS_OBJECT (seen->body))
    seen->method = g_strdup (json_object_get_string_member_with_default (json_node_get_object (seen->body),
                                                                         "method", NULL));
  g_ptr_array_add (fake->seen, seen);

  if (fake->session_expired && seen->session_id != NULL)
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  else if (fake->renew_session && g_strcmp0 (seen->session_id, "session-42") == 0)
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  else if (g_str_equal (seen->http_method, "POST"))
    handle_post (fake, msg, seen);
  else if (g_str_equal (seen->http_method, "GET"))
    handle_get (fake, msg, seen);
  else if (g_str_equal (seen->http_method, "DELETE"))
    {
      fake->deleted = TRUE;
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
}

static Fake *
fake_new (void)
{
  Fake *fake = g_new0 (Fake, 1);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  fake->seen = g_ptr_array_new_with_free_func ((GDestroyNotify)seen_free);
  fake->initialize_status = SOUP_STATUS_OK;
  fake->tool_name = "echo";
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, "/mcp", server_callback, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fake->server);
  fake->url = g_strdup_printf ("http://127.0.0.1:%d/mcp", g_uri_get_port (uris->data));

  return fake;
}

static void
fake_free (Fake *fake)
{
  if (fake->get_stream != NULL)
    send_event (fake->get_stream, "", TRUE);
  g_clear_object (&fake->get_stream);
  g_clear_object (&fake->call_stream);
  soup_server_disconnect (fake->server);
  g_clear_object (&fake->server);
  g_clear_pointer (&fake->call_id, json_node_unref);
  g_clear_pointer (&fake->elicitation_answer, json_node_unref);
  g_ptr_array_unref (fake->seen);
  g_free (fake->url);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

/* The last request the server saw for @method (a JSON-RPC method, or "GET"/"DELETE"). */
static Seen *
fake_find (Fake       *fake,
           const char *method)
{
  for (guint i = fake->seen->len; i > 0; i--)
    {
      Seen *seen = g_ptr_array_index (fake->seen, i - 1);

      if (g_strcmp0 (seen->method, method) == 0 || g_strcmp0 (seen->http_method, method) == 0)
        return seen;
    }

  return NULL;
}

static guint
count_seen (Fake       *fake,
            const char *method)
{
  guint n = 0;

  for (guint i = 0; i < fake->seen->len; i++)
    {
      Seen *seen = g_ptr_array_index (fake->seen, i);

      n += g_strcmp0 (seen->method, method) == 0 || g_strcmp0 (seen->http_method, method) == 0;
    }

  return n;
}

static gboolean
start_server (ConfabMcpServer  *server,
              GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  confab_mcp_server_start_async (server, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);

  return confab_mcp_server_start_finish (server, result, error);
}

static ConfabMcpServer *
new_started_server (Fake *fake)
{
  const char *headers[] = { "Authorization: Bearer sesame", NULL };
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new_for_url ("remote", fake->url, headers);
  g_autoptr(GError) error = NULL;

  g_assert_true (start_server (server, &error));
  g_assert_no_error (error);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);

  return g_steal_pointer (&server);
}

static JsonNode *
call_tool (ConfabMcpServer  *server,
           GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  confab_mcp_server_call_tool_async (server, "echo", NULL, NULL, confab_test_store_result_cb, &slot);
  result = confab_test_wait_result (&slot, WAIT_MS);

  return confab_mcp_server_call_tool_finish (server, result, error);
}

static void
assert_echoed (JsonNode *result)
{
  g_autofree char *text = confab_mcp_result_to_text (result, NULL);

  g_assert_cmpstr (text, ==, "echoed");
}

/* Tests --------------------------------------------------------------------------------- */

static void
test_initialize_headers_and_json_call (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *params;
  Seen *initialize, *call;

  initialize = fake_find (fake, "initialize");
  params = json_object_get_object_member (json_node_get_object (initialize->body), "params");
  g_assert_cmpstr (json_object_get_string_member (params, "protocolVersion"), ==, "2025-11-25");
  g_assert_true (json_object_has_member (json_object_get_object_member (params, "capabilities"), "elicitation"));
  /* Before the answer there is no version to announce and no session. */
  g_assert_null (initialize->protocol_version);
  g_assert_null (initialize->session_id);
  g_assert_cmpstr (initialize->authorization, ==, "Bearer sesame");

  g_assert_cmpstr (confab_mcp_server_get_protocol_version (server), ==, "2025-11-25");
  g_assert_cmpuint (g_list_model_get_n_items (confab_mcp_server_get_tools (server)), ==, 1);

  result = call_tool (server, &error);
  g_assert_no_error (error);
  assert_echoed (result);

  call = fake_find (fake, "tools/call");
  g_assert_cmpstr (call->session_id, ==, "session-42");
  g_assert_cmpstr (call->protocol_version, ==, "2025-11-25");
  g_assert_cmpstr (call->authorization, ==, "Bearer sesame");
  g_assert_cmpstr (fake_find (fake, "notifications/initialized")->session_id, ==, "session-42");
}

static void
test_sse_answer_with_notification (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  fake->call_mode = CALL_SSE;
  result = call_tool (server, &error);
  g_assert_no_error (error);
  assert_echoed (result);
  /* The log notification that came first on the stream. */
  g_assert_nonnull (strstr (confab_mcp_server_get_log (server), "[info] working"));
}

static void
test_resume_after_retry_with_last_event_id (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  Seen *resume;

  fake->call_mode = CALL_RESUME;
  result = call_tool (server, &error);
  g_assert_no_error (error);
  assert_echoed (result);

  resume = fake_find (fake, "GET");
  g_assert_nonnull (resume);
  g_assert_cmpstr (resume->last_event_id, ==, "e-7");
  g_assert_cmpstr (resume->session_id, ==, "session-42");
  /* The stream said "retry: 150": not a moment sooner. */
  g_assert_cmpint (resume->time - fake->closed_at, >=, 150 * 1000);
}

static gboolean
on_elicit_accept_defaults (ConfabMcpServer      *server,
                           ConfabMcpElicitation *elicitation,
                           gpointer              user_data)
{
  guint *asked = user_data;

  (*asked)++;
  g_assert_cmpstr (confab_mcp_elicitation_get_server_name (elicitation), ==, "remote");
  g_assert_cmpstr (confab_mcp_elicitation_get_message (elicitation), ==, "Who are you?");
  confab_mcp_elicitation_accept (elicitation, NULL);
  return TRUE;
}

static void
test_elicitation_accepted_with_defaults (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  guint asked = 0;

  g_signal_connect (server, "elicit", G_CALLBACK (on_elicit_accept_defaults), &asked);
  fake->call_mode = CALL_ELICIT;
  result = call_tool (server, &error);
  g_assert_no_error (error);
  assert_echoed (result);
  g_assert_cmpuint (asked, ==, 1);

  /* The defaults of their own type; "admin" had a string default for a boolean. */
  answer = json_to_string (fake->elicitation_answer, FALSE);
  g_assert_cmpstr (answer, ==, "{\"action\":\"accept\",\"content\":{\"name\":\"Ada\",\"age\":36,\"tags\":[\"b\"]}}");
}

static void
test_elicitation_declined_without_handler (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;

  fake->call_mode = CALL_ELICIT;
  result = call_tool (server, &error);
  g_assert_no_error (error);

  answer = json_to_string (fake->elicitation_answer, FALSE);
  g_assert_cmpstr (answer, ==, "{\"action\":\"decline\"}");
}

static gboolean
first_tool_is (ConfabMcpServer *server,
               const char      *name)
{
  GListModel *tools = confab_mcp_server_get_tools (server);
  g_autoptr(ConfabTool) tool = NULL;

  if (g_list_model_get_n_items (tools) != 1)
    return FALSE;

  tool = g_list_model_get_item (tools, 0);
  return g_strcmp0 (confab_tool_get_name (tool), name) == 0;
}

/* Only forms were offered: a URL-mode request is declined without asking anyone. */
static void
test_elicitation_url_mode_declined (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  guint asked = 0;

  g_signal_connect (server, "elicit", G_CALLBACK (on_elicit_accept_defaults), &asked);
  fake->call_mode = CALL_ELICIT;
  fake->elicit_url = TRUE;
  result = call_tool (server, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (asked, ==, 0);
  answer = json_to_string (fake->elicitation_answer, FALSE);
  g_assert_cmpstr (answer, ==, "{\"action\":\"decline\"}");
}

static void
test_get_stream_carries_server_notifications (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = NULL;

  fake->allow_get = TRUE;
  server = new_started_server (fake);
  CONFAB_TEST_WAIT_FOR (fake->get_stream != NULL, WAIT_MS);
  g_assert_cmpstr (fake_find (fake, "GET")->session_id, ==, "session-42");

  fake->tool_name = "renamed";
  send_data_event (fake->get_stream,
                   "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}", FALSE);
  CONFAB_TEST_WAIT_FOR (fake->tools_listed == 2, WAIT_MS);

  CONFAB_TEST_WAIT_FOR (first_tool_is (server, "renamed"), WAIT_MS);
}

/* Requests wait for the answer to notifications/initialized: over HTTP each goes on its
 * own connection, and a tools/list that overtook it would miss the tools a server offers
 * only once it knows the client (server-everything's elicitation and sampling tools). */
static void
test_requests_wait_for_initialized (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  fake->slow_initialized = TRUE;
  server = new_started_server (fake);

  g_assert_true (fake->initialized_done);
  g_assert_cmpuint (g_list_model_get_n_items (confab_mcp_server_get_tools (server)), ==, 2);
  g_assert_cmpuint (count_seen (fake, "tools/list"), ==, 1);

  result = call_tool (server, &error);
  g_assert_no_error (error);
  assert_echoed (result);
}

/* A server with sessions but no GET route (an Express app answers 404) still works. */
static void
test_refused_get_stream_is_not_a_failure (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  fake->get_refusal = SOUP_STATUS_NOT_FOUND;
  server = new_started_server (fake);
  CONFAB_TEST_WAIT_FOR (fake_find (fake, "GET") != NULL, WAIT_MS);

  result = call_tool (server, &error);
  g_assert_no_error (error);
  assert_echoed (result);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);
  /* Asked once, not again and again. */
  g_assert_cmpuint (count_seen (fake, "GET"), ==, 1);
}

static void
test_stop_ends_session_with_delete (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);

  confab_mcp_server_stop (server);
  CONFAB_TEST_WAIT_FOR (fake->deleted, WAIT_MS);
  g_assert_cmpstr (fake_find (fake, "DELETE")->session_id, ==, "session-42");
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_STOPPED);
}

static void
test_http_error_fails_the_call_only (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  fake->call_mode = CALL_FAIL_500;
  result = call_tool (server, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "HTTP 500"));
  g_assert_nonnull (strstr (error->message, "tools/call"));
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);
}

/* Resuming a stream of a server that is gone gives up after a few tries, with the reason. */
static void
test_server_gone_mid_call_fails_the_call (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  fake->call_mode = CALL_VANISH;
  result = call_tool (server, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "the stream ended before the answer"));
}

static void
test_unauthorized_initialize_fails_start (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new_for_url ("remote", fake->url, NULL);
  g_autoptr(GError) error = NULL;

  fake->initialize_status = SOUP_STATUS_UNAUTHORIZED;
  /* Hermetic: never the keyring of whoever runs the tests (test-mcp-oauth covers it). */
  confab_mcp_oauth_set_use_keyring (confab_mcp_server_get_oauth (server), FALSE);
  g_assert_false (start_server (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "HTTP 401"));
  /* No way to ask the user here (no open function): the server says it needs a sign-in. */
  g_assert_nonnull (strstr (error->message, "needs you to sign in"));
  g_assert_nonnull (strstr (error->message, fake->url));
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_FAILED);
  g_assert_true (confab_mcp_oauth_get_needs_sign_in (confab_mcp_server_get_oauth (server)));
}

static void
test_expired_session_fails_server (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  fake->session_expired = TRUE;
  result = call_tool (server, &error);
  g_assert_null (result);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "ended the session"));
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_FAILED);
}

/* The spec: a client MUST start a new session (initialize again) when the server answers
 * 404 to its session, then the request goes through. */
static void
test_ended_session_is_renewed (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = new_started_server (fake);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  Seen *call;

  fake->renew_session = TRUE;
  result = call_tool (server, &error);
  g_assert_no_error (error);
  assert_echoed (result);

  g_assert_cmpuint (count_seen (fake, "initialize"), ==, 2);
  g_assert_null (fake_find (fake, "initialize")->session_id);
  g_assert_cmpstr (fake_find (fake, "notifications/initialized")->session_id, ==, "session-43");
  call = fake_find (fake, "tools/call");
  g_assert_cmpstr (call->session_id, ==, "session-43");
  g_assert_cmpuint (count_seen (fake, "tools/call"), ==, 2);
  g_assert_cmpint (confab_mcp_server_get_state (server), ==, CONFAB_MCP_SERVER_STATE_READY);

  /* And the new session is the one ended on stop. */
  confab_mcp_server_stop (server);
  CONFAB_TEST_WAIT_FOR (fake->deleted, WAIT_MS);
  g_assert_cmpstr (fake_find (fake, "DELETE")->session_id, ==, "session-43");
}

static void
test_unreachable_server_fails_start (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *command_line = NULL;
  guint16 port;

  /* A port that was free a moment ago and has nobody listening now. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  url = g_strdup_printf ("http://user:pa55word@127.0.0.1:%u/mcp?key=s3cret#frag", port);
  server = confab_mcp_server_new_for_url ("gone", url, NULL);
  g_assert_false (start_server (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "could not be reached"));
  /* Messages show where, never the secrets a URL may carry. */
  g_assert_nonnull (strstr (error->message, "/mcp"));
  g_assert_null (strstr (error->message, "pa55word"));
  g_assert_null (strstr (error->message, "s3cret"));
  g_assert_null (strstr (confab_mcp_server_get_error (server), "s3cret"));
  command_line = confab_mcp_server_dup_command_line (server);
  g_assert_null (strstr (command_line, "s3cret"));
}

static void
test_older_protocol_version_accepted (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  fake->answer_version = "2025-03-26";
  server = new_started_server (fake);
  g_assert_cmpstr (confab_mcp_server_get_protocol_version (server), ==, "2025-03-26");

  result = call_tool (server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fake_find (fake, "tools/call")->protocol_version, ==, "2025-03-26");
}

static void
test_unknown_protocol_version_refused (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new_for_url ("remote", fake->url, NULL);
  g_autoptr(GError) error = NULL;

  fake->answer_version = "1999-01-01";
  g_assert_false (start_server (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "speaks MCP version 1999-01-01"));
}

static void
test_bad_url_fails_start (void)
{
  g_autoptr(ConfabMcpServer) server = confab_mcp_server_new_for_url ("remote", "ftp://example/mcp", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (start_server (server, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_MCP);
  g_assert_nonnull (strstr (error->message, "not a valid http:// or https:// address"));
}

static char *
write_config (const char *json)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("mcp-http-XXXXXX.json", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);

  return path;
}

static void
test_config_url_and_headers (void)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const char * const *headers;

  g_setenv ("CONFAB_TEST_MCP_TOKEN", "s3cret", TRUE);
  path = write_config ("{\"mcpServers\": {\"remote\": {\"type\": \"http\", \"url\": \"https://mcp.example.com/mcp\","
                       " \"headers\": {\"Authorization\": \"Bearer ${CONFAB_TEST_MCP_TOKEN}\","
                       " \"X-Team\": \"${env:CONFAB_TEST_MCP_TOKEN}-team\"}, \"timeout\": 5}}}");
  g_assert_true (confab_tool_registry_load_config (registry, path, &error));
  g_assert_no_error (error);

  server = g_list_model_get_item (confab_tool_registry_get_servers (registry), 0);
  g_assert_cmpstr (confab_mcp_server_get_url (server), ==, "https://mcp.example.com/mcp");
  headers = confab_mcp_server_get_headers (server);
  g_assert_cmpstr (headers[0], ==, "Authorization: Bearer s3cret");
  g_assert_cmpstr (headers[1], ==, "X-Team: s3cret-team");
  g_assert_null (headers[2]);
  g_assert_cmpuint (confab_mcp_server_get_call_timeout (server), ==, 5);
  g_assert_null (confab_mcp_server_get_argv (server));
  g_unlink (path);
}

/* --mcp URL */
static void
test_command_line_url (void)
{
  g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
  g_autoptr(ConfabMcpServer) server = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_tool_registry_add_command (registry, "https://mcp.example.com/mcp", &error));
  g_assert_no_error (error);
  server = g_list_model_get_item (confab_tool_registry_get_servers (registry), 0);
  g_assert_cmpstr (confab_mcp_server_get_name (server), ==, "mcp.example.com");
  g_assert_cmpstr (confab_mcp_server_get_url (server), ==, "https://mcp.example.com/mcp");
  g_assert_null (confab_mcp_server_get_argv (server));
}

static void
test_config_errors (void)
{
  const struct { const char *json; const char *message; } cases[] = {
    { "{\"mcpServers\": {\"r\": {\"url\": \"https://x/mcp\", \"headers\": {\"A\": \"${CONFAB_TEST_UNSET_VARIABLE}\"}}}}",
      "uses ${CONFAB_TEST_UNSET_VARIABLE}, which is not set" },
    { "{\"mcpServers\": {\"r\": {\"type\": \"sse\", \"url\": \"https://x/sse\"}}}",
      "“type”: “sse”" },
    { "{\"mcpServers\": {\"r\": {\"url\": 42}}}", "“url” of server “r” is not a string" },
    { "{\"mcpServers\": {\"r\": {\"url\": \"https://x/mcp\", \"headers\": [\"A: b\"]}}}",
      "“headers” of server “r” are not an object" },
    { "{\"mcpServers\": {\"r\": {\"url\": \"https://x/mcp\", \"headers\": {\"Bad Name\": \"b\"}}}}",
      "not “Name: value”" },
    /* A value from the environment cannot smuggle in another header. */
    { "{\"mcpServers\": {\"r\": {\"url\": \"https://x/mcp\", \"headers\": {\"A\": \"${CONFAB_TEST_TWO_LINES}\"}}}}",
      "not “Name: value”" },
  };

  g_unsetenv ("CONFAB_TEST_UNSET_VARIABLE");
  g_setenv ("CONFAB_TEST_TWO_LINES", "a\r\nX-Evil: 1", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ConfabToolRegistry) registry = confab_tool_registry_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *path = write_config (cases[i].json);

      g_assert_false (confab_tool_registry_load_config (registry, path, &error));
      g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s” does not say “%s”", error->message, cases[i].message);
      g_assert_cmpuint (g_list_model_get_n_items (confab_tool_registry_get_servers (registry)), ==, 0);
      g_unlink (path);
    }
}

/* confab-cli ------------------------------------------------------------------------------ */

static char *
chunk (const char *delta_json,
       const char *finish_reason)
{
  return g_strdup_printf ("data: {\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                          "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":%s,"
                          "\"finish_reason\":%s}]}\n\n", delta_json, finish_reason);
}

/* Runs confab-cli on a provider that calls the fake's "echo" (mcp.json names the fake by
 * URL), then answers; stdin is a terminal with @typed ahead, or empty when @typed is NULL. */
typedef struct
{
  Fake       *fake;
  int         master;
  const char *typed;
  guint       id;
} TypeLater;

static gboolean
type_after_ping_cb (gpointer user_data)
{
  TypeLater *later = user_data;

  if (!later->fake->pinged)
    return G_SOURCE_CONTINUE;

  g_assert_cmpint (write (later->master, later->typed, strlen (later->typed)), ==, (gssize)strlen (later->typed));
  later->id = 0;
  return G_SOURCE_REMOVE;
}

/* Runs confab-cli on a provider that calls @tool_calls of the fake (mcp.json names the fake
 * by URL), then answers. stdin is a terminal with @typed ahead (empty when @typed is NULL),
 * and @typed_after_ping once the fake's ping after its question was answered. */
static ConfabCliResult *
run_cli_calling (Fake       *fake,
                 const char *tool_calls,
                 gboolean    yes,
                 const char *typed,
                 const char *typed_after_ping)
{
  g_autoptr(ConfabReplayServer) provider = confab_replay_server_new ();
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "confab", NULL);
  g_autofree char *path = g_build_filename (dir, "mcp.json", NULL);
  g_autofree char *config = g_strdup_printf ("{\"mcpServers\": {\"remote\": {\"url\": \"%s\"}}}", fake->url);
  g_autofree char *delta = g_strdup_printf ("{\"role\":\"assistant\",\"tool_calls\":[%s]}", tool_calls);
  g_autofree char *call = chunk (delta, "\"tool_calls\"");
  g_autofree char *answer = chunk ("{\"role\":\"assistant\",\"content\":\"Done.\"}", "\"stop\"");
  g_autofree char *call_stream = g_strconcat (call, "data: [DONE]\n\n", NULL);
  g_autofree char *answer_stream = g_strconcat (answer, "data: [DONE]\n\n", NULL);
  g_autoptr(GError) error = NULL;
  ConfabCliResult *result;
  const char *args[] = {
    "--base-url", confab_replay_server_get_base_url (provider), "--model", "m",
    "--json", "Echo, please", yes ? "--yes" : NULL, NULL
  };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, config, -1, &error));
  g_assert_no_error (error);
  confab_replay_server_add_response (provider, 200, NULL, call_stream, CONFAB_REPLAY_NONE);
  confab_replay_server_add_response (provider, 200, NULL, answer_stream, CONFAB_REPLAY_NONE);

  if (typed == NULL)
    result = confab_test_run_cli (args, NULL, NULL, WAIT_MS);
  else
    {
      /* The terminal keeps what is typed until confab-cli reads its lines. */
      int master = posix_openpt (O_RDWR | O_NOCTTY);
      int slave;

      g_assert_cmpint (master, >=, 0);
      g_assert_cmpint (grantpt (master), ==, 0);
      g_assert_cmpint (unlockpt (master), ==, 0);
      slave = open (ptsname (master), O_RDWR | O_NOCTTY);
      g_assert_cmpint (slave, >=, 0);
      TypeLater later = { fake, master, typed_after_ping, 0 };

      g_assert_cmpint (write (master, typed, strlen (typed)), ==, (gssize)strlen (typed));
      if (typed_after_ping != NULL)
        later.id = g_timeout_add (5, type_after_ping_cb, &later);
      result = confab_test_run_cli_with_stdin_fd (args, slave, NULL, WAIT_MS);
      if (later.id != 0)
        g_source_remove (later.id);
      g_assert_true (typed_after_ping == NULL || fake->pinged);
      close (master);
    }

  g_test_message ("exit %d\nstderr:\n%s", result->exit_status, result->stderr_text);
  g_assert_cmpuint (confab_replay_server_get_n_pending (provider), ==, 0);
  g_unlink (path);

  return result;
}

#define ECHO_CALL(n) "{\"index\":" #n ",\"id\":\"call_" #n "\",\"type\":\"function\"," \
                     "\"function\":{\"name\":\"echo\",\"arguments\":\"{}\"}}"
#define PLAIN_CALL(n) "{\"index\":" #n ",\"id\":\"call_" #n "\",\"type\":\"function\"," \
                      "\"function\":{\"name\":\"plain\",\"arguments\":\"{}\"}}"

static ConfabCliResult *
run_cli_calling_echo (Fake       *fake,
                      const char *typed)
{
  return run_cli_calling (fake, ECHO_CALL (0), TRUE, typed, NULL);
}

static void
test_cli_answers_elicitation_on_terminal (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabCliResult) result = NULL;
  JsonObject *answer, *content;

  fake->call_mode = CALL_ELICIT;
  /* Accept; name typed; age kept; admin typed wrong, then right; tags kept. */
  result = run_cli_calling_echo (fake, "y\nBob\n\nmaybe\nyes\n\n");
  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_nonnull (strstr (result->stderr_text, "MCP server “remote” asks: Who are you?"));
  g_assert_nonnull (strstr (result->stderr_text, "“maybe” does not fit"));

  g_assert_nonnull (fake->elicitation_answer);
  answer = json_node_get_object (fake->elicitation_answer);
  g_assert_cmpstr (json_object_get_string_member (answer, "action"), ==, "accept");
  content = json_object_get_object_member (answer, "content");
  g_assert_cmpstr (json_object_get_string_member (content, "name"), ==, "Bob");
  g_assert_cmpint (json_object_get_int_member (content, "age"), ==, 36);
  g_assert_true (json_object_get_boolean_member (content, "admin"));
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (content, "tags"), 0), ==, "b");
  g_assert_cmpuint (json_object_get_size (content), ==, 4);
}

static void
test_cli_declines_elicitation_without_terminal (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabCliResult) result = NULL;
  g_autofree char *answer = NULL;

  fake->call_mode = CALL_ELICIT;
  result = run_cli_calling_echo (fake, NULL);
  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_nonnull (strstr (result->stderr_text, "Declined what MCP server “remote” asks (“Who are you?”): no terminal"));

  answer = json_to_string (fake->elicitation_answer, FALSE);
  g_assert_cmpstr (answer, ==, "{\"action\":\"decline\"}");
}

/* Two calls at once: the second's approval is on the terminal when the first's server asks;
 * the question waits its turn instead of both reading the same lines. */
static void
test_cli_elicitation_waits_for_approval (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(ConfabCliResult) result = NULL;
  JsonObject *answer;

  fake->call_mode = CALL_ELICIT;
  fake->with_plain_tool = TRUE;
  /* Allow echo; plain's approval waits on the terminal when echo's server asks (the fake
   * knows when the client took the question in: it answered the ping after it). Then:
   * allow plain, and echo's question: accept, name, age, admin, tags. */
  result = run_cli_calling (fake, ECHO_CALL (0) "," PLAIN_CALL (1), FALSE, "y\n",
                            "y\ny\nBob\n\nno\n\n");
  g_assert_cmpint (result->exit_status, ==, 0);

  g_assert_nonnull (fake->elicitation_answer);
  answer = json_node_get_object (fake->elicitation_answer);
  g_assert_cmpstr (json_object_get_string_member (answer, "action"), ==, "accept");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer, "content"), "name"), ==, "Bob");
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (answer, "content"), "admin"));
  g_assert_cmpuint (count_seen (fake, "tools/call"), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/mcp-http/initialize-headers-and-json-call", test_initialize_headers_and_json_call);
  g_test_add_func ("/mcp-http/sse-answer-with-notification", test_sse_answer_with_notification);
  g_test_add_func ("/mcp-http/resume-after-retry-with-last-event-id", test_resume_after_retry_with_last_event_id);
  g_test_add_func ("/mcp-http/elicitation-accepted-with-defaults", test_elicitation_accepted_with_defaults);
  g_test_add_func ("/mcp-http/elicitation-declined-without-handler", test_elicitation_declined_without_handler);
  g_test_add_func ("/mcp-http/elicitation-url-mode-declined", test_elicitation_url_mode_declined);
  g_test_add_func ("/mcp-http/get-stream-carries-server-notifications", test_get_stream_carries_server_notifications);
  g_test_add_func ("/mcp-http/requests-wait-for-initialized", test_requests_wait_for_initialized);
  g_test_add_func ("/mcp-http/refused-get-stream-is-not-a-failure", test_refused_get_stream_is_not_a_failure);
  g_test_add_func ("/mcp-http/stop-ends-session-with-delete", test_stop_ends_session_with_delete);
  g_test_add_func ("/mcp-http/http-error-fails-the-call-only", test_http_error_fails_the_call_only);
  g_test_add_func ("/mcp-http/server-gone-mid-call-fails-the-call", test_server_gone_mid_call_fails_the_call);
  g_test_add_func ("/mcp-http/unauthorized-initialize-fails-start", test_unauthorized_initialize_fails_start);
  g_test_add_func ("/mcp-http/expired-session-fails-server", test_expired_session_fails_server);
  g_test_add_func ("/mcp-http/ended-session-is-renewed", test_ended_session_is_renewed);
  g_test_add_func ("/mcp-http/unreachable-server-fails-start", test_unreachable_server_fails_start);
  g_test_add_func ("/mcp-http/older-protocol-version-accepted", test_older_protocol_version_accepted);
  g_test_add_func ("/mcp-http/unknown-protocol-version-refused", test_unknown_protocol_version_refused);
  g_test_add_func ("/mcp-http/bad-url-fails-start", test_bad_url_fails_start);
  g_test_add_func ("/mcp-http/config-url-and-headers", test_config_url_and_headers);
  g_test_add_func ("/mcp-http/config-errors", test_config_errors);
  g_test_add_func ("/mcp-http/command-line-url", test_command_line_url);
  g_test_add_func ("/mcp-http/cli-answers-elicitation-on-terminal", test_cli_answers_elicitation_on_terminal);
  g_test_add_func ("/mcp-http/cli-declines-elicitation-without-terminal", test_cli_declines_elicitation_without_terminal);
  g_test_add_func ("/mcp-http/cli-elicitation-waits-for-approval", test_cli_elicitation_waits_for_approval);

  return g_test_run ();
}
