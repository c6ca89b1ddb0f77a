/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-replay-server"

#include "config.h"

#include <string.h>

#include "confab-replay-server.h"

#define DEFAULT_SEED 20250925
#define DEFAULT_MAX_PIECE 16

struct _ConfabReplayResponse
{
  guint              status;
  char              *content_type;
  GBytes            *body;
  GPtrArray         *headers;        /* name, value, name, value … */
  char              *expected_body;  /* NULL: anything goes */
  GArray            *piece_ends;     /* explicit piece boundaries, or NULL: random */
  ConfabReplayFlags  flags;
};

typedef struct
{
  ConfabReplayServer   *server;
  SoupServerMessage    *msg;
  ConfabReplayResponse *response;
  GArray               *pieces;      /* gsize ends */
  guint                 next_piece;
  gsize                 waiting_for;   /* body offset the current piece ends at */
  gsize                 written;       /* body bytes written so far */
  GSource              *source;
  gboolean              finished;
  gboolean              stalled;       /* all sent, held open by CONFAB_REPLAY_STALL */
} Delivery;

struct _ConfabReplayServer
{
  SoupServer   *server;
  GMainContext *context;
  char         *base_url;
  GPtrArray    *responses;     /* ConfabReplayResponse *, queue order */
  guint         next_response;
  GPtrArray    *requests;      /* ConfabReplayRequest * */
  GPtrArray    *mismatches;    /* char * */
  GPtrArray    *deliveries;    /* Delivery * in flight */
  char         *models_body;
  GRand        *rand;
  guint         max_piece;
  guint         piece_delay_ms;
};

static void
response_free (ConfabReplayResponse *response)
{
  g_clear_pointer (&response->content_type, g_free);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->headers, g_ptr_array_unref);
  g_clear_pointer (&response->expected_body, g_free);
  g_clear_pointer (&response->piece_ends, g_array_unref);
  g_free (response);
}

static void
request_free (ConfabReplayRequest *request)
{
  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  g_free (request->body);
  g_free (request);
}

static void
delivery_free (Delivery *delivery)
{
  if (delivery->source != NULL)
    {
      g_source_destroy (delivery->source);
      g_source_unref (delivery->source);
    }
  g_clear_pointer (&delivery->pieces, g_array_unref);
  if (delivery->msg != NULL)
    g_signal_handlers_disconnect_by_data (delivery->msg, delivery);
  g_clear_object (&delivery->msg);
  g_free (delivery);
}

/* JSON comparison */

static const char *
node_type_name (JsonNode *node)
{
  if (node == NULL)
    return "nothing";
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT: return "an object";
    case JSON_NODE_ARRAY:  return "an array";
    case JSON_NODE_NULL:   return "null";
    case JSON_NODE_VALUE:
    default:               return g_type_name (json_node_get_value_type (node));
    }
}

static char *
node_to_short_string (JsonNode *node)
{
  g_autofree char *text = NULL;

  if (node == NULL)
    return g_strdup ("(missing)");

  text = json_to_string (node, FALSE);
  if (strlen (text) > 200)
    return g_strdup_printf ("%.200s…", text);
  return g_steal_pointer (&text);
}

static gboolean
values_equal (JsonNode *a,
              JsonNode *b)
{
  GType ta = json_node_get_value_type (a);
  GType tb = json_node_get_value_type (b);

  if (ta == G_TYPE_STRING || tb == G_TYPE_STRING)
    return ta == tb && g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;

  if (ta == G_TYPE_BOOLEAN || tb == G_TYPE_BOOLEAN)
    return ta == tb && json_node_get_boolean (a) == json_node_get_boolean (b);

  if (ta == G_TYPE_INT64 && tb == G_TYPE_INT64)
    return json_node_get_int (a) == json_node_get_int (b);

  return json_node_get_double (a) == json_node_get_double (b);
}

static gboolean
is_false (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
         !json_node_get_boolean (node);
}

static gboolean
json_equal_at (JsonNode   *expected,
               JsonNode   *actual,
               GString    *path,
               char      **difference)
{
  if (JSON_NODE_TYPE (expected) != JSON_NODE_TYPE (actual))
    goto differ;

  switch (JSON_NODE_TYPE (expected))
    {
    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_VALUE:
      if (!values_equal (expected, actual))
        goto differ;
      return TRUE;

    case JSON_NODE_ARRAY:
      {
        JsonArray *ea = json_node_get_array (expected);
        JsonArray *aa = json_node_get_array (actual);
        guint n = json_array_get_length (ea);

        if (n != json_array_get_length (aa))
          {
            if (difference != NULL)
              *difference = g_strdup_printf ("%s: expected %u elements, got %u",
                                             path->str, n, json_array_get_length (aa));
            return FALSE;
          }

        for (guint i = 0; i < n; i++)
          {
            gsize len = path->len;
            gboolean equal;

            g_string_append_printf (path, "[%u]", i);
            equal = json_equal_at (json_array_get_element (ea, i),
                                   json_array_get_element (aa, i),
                                   path, difference);
            g_string_truncate (path, len);
            if (!equal)
              return FALSE;
          }
        return TRUE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *eo = json_node_get_object (expected);
        JsonObject *ao = json_node_get_object (actual);
        JsonObjectIter iter;
        const char *name;
        JsonNode *value;

        json_object_iter_init (&iter, eo);
        while (json_object_iter_next (&iter, &name, &value))
          {
            JsonNode *other = json_object_get_member (ao, name);
            gsize len = path->len;
            gboolean equal;

            if (other == NULL)
              {
                if (g_str_equal (name, "strict") && is_false (value))
                  continue;
                if (difference != NULL)
                  *difference = g_strdup_printf ("%s.%s: missing (expected %s)",
                                                 path->str, name,
                                                 node_to_short_string (value));
                return FALSE;
              }

            g_string_append_printf (path, ".%s", name);
            equal = json_equal_at (value, other, path, difference);
            g_string_truncate (path, len);
            if (!equal)
              return FALSE;
          }

        json_object_iter_init (&iter, ao);
        while (json_object_iter_next (&iter, &name, &value))
          {
            if (!json_object_has_member (eo, name))
              {
                if (difference != NULL)
                  {
                    g_autofree char *text = node_to_short_string (value);
                    *difference = g_strdup_printf ("%s.%s: unexpected member (%s)",
                                                   path->str, name, text);
                  }
                return FALSE;
              }
          }
        return TRUE;
      }

    default:
      g_assert_not_reached ();
    }

differ:
  if (difference != NULL)
    {
      g_autofree char *e = node_to_short_string (expected);
      g_autofree char *a = node_to_short_string (actual);

      *difference = g_strdup_printf ("%s: expected %s %s, got %s %s",
                                     path->str[0] ? path->str : "$",
                                     node_type_name (expected), e,
                                     node_type_name (actual), a);
    }
  return FALSE;
}

gboolean
confab_json_equal (JsonNode  *expected,
                   JsonNode  *actual,
                   char     **difference)
{
  g_autoptr(GString) path = g_string_new ("$");

  if (difference != NULL)
    *difference = NULL;

  if (expected == NULL || actual == NULL)
    {
      if (expected == actual)
        return TRUE;
      if (difference != NULL)
        *difference = g_strdup_printf ("$: expected %s, got %s",
                                       node_type_name (expected), node_type_name (actual));
      return FALSE;
    }

  return json_equal_at (expected, actual, path, difference);
}

gboolean
confab_json_equal_strings (const char  *expected,
                           const char  *actual,
                           char       **difference)
{
  g_autoptr(JsonParser) ep = json_parser_new ();
  g_autoptr(JsonParser) ap = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (difference != NULL)
    *difference = NULL;

  if (!json_parser_load_from_data (ep, expected, -1, &error))
    {
      if (difference != NULL)
        *difference = g_strdup_printf ("the expected body is not JSON: %s", error->message);
      return FALSE;
    }

  if (actual == NULL || !json_parser_load_from_data (ap, actual, -1, &error))
    {
      if (difference != NULL)
        *difference = g_strdup_printf ("the body is not JSON: %s",
                                       error ? error->message : "(none)");
      return FALSE;
    }

  return confab_json_equal (json_parser_get_root (ep), json_parser_get_root (ap), difference);
}

/* Cassettes */

char *
confab_cassette_path (const char *name)
{
  const char *dir;

  if (g_path_is_absolute (name) || strchr (name, '/') != NULL)
    return g_strdup (name);

  dir = g_getenv ("CONFAB_CASSETTES_DIR");
  if (dir == NULL)
    dir = ".";

  return g_build_filename (dir, name, NULL);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

gboolean
confab_cassette_load (const char  *path,
                      GPtrArray  **request_bodies,
                      GPtrArray  **response_bodies,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) responses = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *full = confab_cassette_path (path);
  JsonNode *root;
  JsonNode *interactions;

  if (!json_parser_load_from_mapped_file (parser, full, error))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (interactions = json_object_get_member (json_node_get_object (root), "interactions")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (interactions))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: no “interactions” array", full);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (interactions)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (interactions), i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      const char *request = member_string (member_object (object, "request"), "body");
      const char *response = member_string (member_object (object, "response"), "body");

      if (request == NULL || response == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: interaction %u has no request or response body", full, i);
          return FALSE;
        }

      g_ptr_array_add (requests, g_strdup (request));
      g_ptr_array_add (responses, g_strdup (response));
    }

  if (request_bodies != NULL)
    *request_bodies = g_steal_pointer (&requests);
  if (response_bodies != NULL)
    *response_bodies = g_steal_pointer (&responses);

  return TRUE;
}

GPtrArray *
confab_cassette_usages (GPtrArray *response_bodies)
{
  GPtrArray *usages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = 0; i < response_bodies->len; i++)
    {
      g_auto(GStrv) lines = g_strsplit (g_ptr_array_index (response_bodies, i), "\n", -1);
      JsonNode *last = NULL;

      for (guint j = 0; lines[j] != NULL; j++)
        {
          g_autoptr(JsonParser) parser = NULL;
          const char *data;
          JsonNode *root;
          JsonNode *usage;

          if (!g_str_has_prefix (lines[j], "data:"))
            continue;
          data = lines[j] + 5;
          if (*data == ' ')
            data++;
          if (g_str_equal (data, "[DONE]"))
            continue;

          parser = json_parser_new ();
          if (!json_parser_load_from_data (parser, data, -1, NULL))
            continue;
          root = json_parser_get_root (parser);
          if (!JSON_NODE_HOLDS_OBJECT (root))
            continue;
          usage = json_object_get_member (json_node_get_object (root), "usage");
          if (usage != NULL && JSON_NODE_HOLDS_OBJECT (usage))
            {
              g_clear_pointer (&last, json_node_unref);
              last = json_node_copy (usage);
            }
        }

      g_ptr_array_add (usages, last);
    }

  return usages;
}

/* Serving */

static void deliver_next_piece (Delivery *delivery);

static gboolean
delivery_source_cb (gpointer user_data)
{
  Delivery *delivery = user_data;

  g_clear_pointer (&delivery->source, g_source_unref);
  deliver_next_piece (delivery);

  return G_SOURCE_REMOVE;
}

static void
schedule_next_piece (Delivery *delivery)
{
  g_assert (delivery->source == NULL);

  /* A short pause between pieces: each goes out in its own write. */
  delivery->source = g_timeout_source_new (delivery->server->piece_delay_ms);
  g_source_set_callback (delivery->source, delivery_source_cb, delivery, NULL);
  g_source_attach (delivery->source, delivery->server->context);
}

static void
close_connection (Delivery *delivery)
{
  GSocket *socket = soup_server_message_get_socket (delivery->msg);

  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  delivery->finished = TRUE;
}

static void
deliver_next_piece (Delivery *delivery)
{
  ConfabReplayResponse *response = delivery->response;
  SoupMessageBody *body = soup_server_message_get_response_body (delivery->msg);
  gsize len = 0;
  const char *data = g_bytes_get_data (response->body, &len);

  if (delivery->finished)
    return;

  if (delivery->next_piece < delivery->pieces->len)
    {
      gsize start = delivery->next_piece == 0 ? 0 : g_array_index (delivery->pieces, gsize, delivery->next_piece - 1);
      gsize end = g_array_index (delivery->pieces, gsize, delivery->next_piece);

      /* The next piece goes out once this one is written (wrote-body-data). */
      delivery->next_piece++;
      delivery->waiting_for = end;
      soup_message_body_append (body, SOUP_MEMORY_COPY, data + start, end - start);
      soup_server_message_unpause (delivery->msg);
      return;
    }

  /* Everything is out: end as scripted. */
  if (response->flags & CONFAB_REPLAY_CLOSE)
    {
      close_connection (delivery);
      return;
    }

  if (response->flags & CONFAB_REPLAY_STALL)
    {
      delivery->finished = TRUE;
      delivery->stalled = TRUE;
      return;
    }

  soup_message_body_complete (body);
  soup_server_message_unpause (delivery->msg);
  delivery->finished = TRUE;
}

static void
wrote_body_data_cb (SoupServerMessage *msg,
                    guint              chunk_size,
                    Delivery          *delivery)
{
  delivery->written += chunk_size;

  if (!delivery->finished && delivery->source == NULL && delivery->written >= delivery->waiting_for)
    schedule_next_piece (delivery);
}

/* The client went away or the response is out: nothing more to send. */
static void
delivery_ended_cb (SoupServerMessage *msg,
                   Delivery          *delivery)
{
  delivery->finished = TRUE;
  delivery->stalled = FALSE;
  if (delivery->source != NULL)
    {
      g_source_destroy (delivery->source);
      g_clear_pointer (&delivery->source, g_source_unref);
    }
}

static void
split_into_pieces (ConfabReplayServer   *self,
                   Delivery             *delivery)
{
  gsize len = g_bytes_get_size (delivery->response->body);
  gsize offset = 0;

  delivery->pieces = g_array_new (FALSE, FALSE, sizeof (gsize));

  if (delivery->response->piece_ends != NULL)
    {
      g_array_append_vals (delivery->pieces, delivery->response->piece_ends->data,
                           delivery->response->piece_ends->len);
      return;
    }

  if (delivery->response->flags & CONFAB_REPLAY_WHOLE)
    {
      if (len > 0)
        g_array_append_val (delivery->pieces, len);
      return;
    }

  while (offset < len)
    {
      gsize piece = g_rand_int_range (self->rand, 1, (gint32) self->max_piece + 1);

      offset = MIN (len, offset + piece);
      g_array_append_val (delivery->pieces, offset);
    }
}

static void
record_request (ConfabReplayServer *self,
                SoupServerMessage  *msg,
                const char         *path,
                const char         *body)
{
  ConfabReplayRequest *request = g_new0 (ConfabReplayRequest, 1);
  SoupMessageHeaders *copy = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (copy, name, value);

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->headers = copy;
  request->body = g_strdup (body);
  if (G_IS_INET_SOCKET_ADDRESS (soup_server_message_get_remote_address (msg)))
    request->remote_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (soup_server_message_get_remote_address (msg)));
  g_ptr_array_add (self->requests, request);
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  ConfabReplayServer *self = user_data;
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) flat = soup_message_body_flatten (request_body);
  g_autofree char *body = g_strndup (g_bytes_get_data (flat, NULL), g_bytes_get_size (flat));
  const char *method = soup_server_message_get_method (msg);
  ConfabReplayResponse *response;
  SoupMessageHeaders *headers;
  Delivery *delivery;

  record_request (self, msg, path, body);

  if (g_str_equal (method, "GET") && g_str_has_suffix (path, "/models"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        self->models_body, strlen (self->models_body));
      return;
    }

  if (!g_str_equal (method, "POST") || !g_str_has_suffix (path, "/chat/completions"))
    {
      g_ptr_array_add (self->mismatches,
                       g_strdup_printf ("unexpected request %s %s", method, path));
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (self->next_response >= self->responses->len)
    {
      g_ptr_array_add (self->mismatches,
                       g_strdup_printf ("request %u has no response queued; body: %.300s",
                                        self->next_response + 1, body));
      self->next_response++;
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"error\":{\"message\":\"replay server: no response queued\"}}", 57);
      return;
    }

  response = g_ptr_array_index (self->responses, self->next_response);
  self->next_response++;

  if (response->expected_body != NULL)
    {
      g_autofree char *difference = NULL;

      if (!confab_json_equal_strings (response->expected_body, body, &difference))
        g_ptr_array_add (self->mismatches,
                         g_strdup_printf ("request %u: %s", self->next_response, difference));
    }

  delivery = g_new0 (Delivery, 1);
  delivery->server = self;
  delivery->msg = g_object_ref (msg);
  delivery->response = response;
  g_ptr_array_add (self->deliveries, delivery);
  g_signal_connect (msg, "finished", G_CALLBACK (delivery_ended_cb), delivery);
  g_signal_connect (msg, "disconnected", G_CALLBACK (delivery_ended_cb), delivery);
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), delivery);

  if (response->flags & CONFAB_REPLAY_STALL_BEFORE_HEADERS)
    {
      delivery->finished = TRUE;
      delivery->pieces = g_array_new (FALSE, FALSE, sizeof (gsize));
      soup_server_message_pause (msg);
      return;
    }

  soup_server_message_set_status (msg, response->status, NULL);
  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_set_content_type (headers, response->content_type, NULL);
  for (guint i = 0; i + 1 < response->headers->len; i += 2)
    soup_message_headers_append (headers,
                                 g_ptr_array_index (response->headers, i),
                                 g_ptr_array_index (response->headers, i + 1));

  /* A connection closed mid-body promised more than it sent. */
  if (response->flags & CONFAB_REPLAY_CONTENT_LENGTH)
    soup_message_headers_set_content_length (headers,
                                             g_bytes_get_size (response->body) +
                                             ((response->flags & CONFAB_REPLAY_CLOSE) ? 1000 : 0));
  else
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);

  split_into_pieces (self, delivery);
  soup_server_message_pause (msg);
  schedule_next_piece (delivery);
}

ConfabReplayServer *
confab_replay_server_new (void)
{
  ConfabReplayServer *self = g_new0 (ConfabReplayServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  GUri *uri;

  self->context = g_main_context_ref_thread_default ();
  self->responses = g_ptr_array_new_with_free_func ((GDestroyNotify) response_free);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  self->mismatches = g_ptr_array_new_with_free_func (g_free);
  self->deliveries = g_ptr_array_new_with_free_func ((GDestroyNotify) delivery_free);
  self->models_body = g_strdup ("{\"object\":\"list\",\"data\":[]}");
  self->rand = g_rand_new_with_seed (DEFAULT_SEED);
  self->max_piece = DEFAULT_MAX_PIECE;

  self->server = soup_server_new ("server-header", "confab-replay ", NULL);
  soup_server_add_handler (self->server, NULL, server_callback, self, NULL);

  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("replay server: cannot listen on 127.0.0.1: %s", error->message);

  uris = soup_server_get_uris (self->server);
  g_assert (uris != NULL);
  uri = uris->data;
  self->base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uri));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return self;
}

void
confab_replay_server_free (ConfabReplayServer *self)
{
  if (self == NULL)
    return;

  /* Stop pending pieces first: they point at the server. */
  for (guint i = 0; i < self->deliveries->len; i++)
    {
      Delivery *delivery = g_ptr_array_index (self->deliveries, i);

      delivery->finished = TRUE;
      if (delivery->source != NULL)
        {
          g_source_destroy (delivery->source);
          g_clear_pointer (&delivery->source, g_source_unref);
        }
    }

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->deliveries, g_ptr_array_unref);
  g_clear_pointer (&self->responses, g_ptr_array_unref);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->mismatches, g_ptr_array_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->models_body);
  g_free (self->base_url);
  g_free (self);
}

const char *
confab_replay_server_get_base_url (ConfabReplayServer *self)
{
  return self->base_url;
}

void
confab_replay_server_set_seed (ConfabReplayServer *self,
                               guint32             seed)
{
  g_rand_set_seed (self->rand, seed);
}

void
confab_replay_server_set_max_piece (ConfabReplayServer *self,
                                    guint               max_piece)
{
  g_return_if_fail (max_piece > 0);

  self->max_piece = max_piece;
}

ConfabReplayResponse *
confab_replay_server_add_response (ConfabReplayServer *self,
                                   guint               status,
                                   const char         *content_type,
                                   const char         *body,
                                   ConfabReplayFlags   flags)
{
  ConfabReplayResponse *response = g_new0 (ConfabReplayResponse, 1);

  response->status = status;
  response->content_type = g_strdup (content_type ? content_type : "text/event-stream");
  response->body = body ? g_bytes_new (body, strlen (body)) : g_bytes_new (NULL, 0);
  response->headers = g_ptr_array_new_with_free_func (g_free);
  response->flags = flags;
  g_ptr_array_add (self->responses, response);

  return response;
}

void
confab_replay_response_add_header (ConfabReplayResponse *response,
                                   const char           *name,
                                   const char           *value)
{
  g_ptr_array_add (response->headers, g_strdup (name));
  g_ptr_array_add (response->headers, g_strdup (value));
}

void
confab_replay_response_set_expected_body (ConfabReplayResponse *response,
                                          const char           *body)
{
  g_free (response->expected_body);
  response->expected_body = g_strdup (body);
}

gboolean
confab_replay_server_load_cassette (ConfabReplayServer  *self,
                                    const char          *path,
                                    GError             **error)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) responses = NULL;

  if (!confab_cassette_load (path, &requests, &responses, error))
    return FALSE;

  for (guint i = 0; i < requests->len; i++)
    {
      ConfabReplayResponse *response;

      response = confab_replay_server_add_response (self, SOUP_STATUS_OK, "text/event-stream",
                                                    g_ptr_array_index (responses, i),
                                                    CONFAB_REPLAY_NONE);
      confab_replay_response_set_expected_body (response, g_ptr_array_index (requests, i));
    }

  return TRUE;
}

void
confab_replay_server_set_models_body (ConfabReplayServer *self,
                                      const char         *body)
{
  g_free (self->models_body);
  self->models_body = g_strdup (body);
}

GPtrArray *
confab_replay_server_get_requests (ConfabReplayServer *self)
{
  return self->requests;
}

guint
confab_replay_server_get_n_served (ConfabReplayServer *self)
{
  return MIN (self->next_response, self->responses->len);
}

guint
confab_replay_server_get_n_pending (ConfabReplayServer *self)
{
  return self->responses->len - MIN (self->next_response, self->responses->len);
}

gboolean
confab_replay_server_is_idle (ConfabReplayServer *self)
{
  for (guint i = 0; i < self->deliveries->len; i++)
    {
      Delivery *delivery = g_ptr_array_index (self->deliveries, i);

      if (!delivery->finished)
        return FALSE;
    }

  return TRUE;
}

GPtrArray *
confab_replay_server_get_mismatches (ConfabReplayServer *self)
{
  return self->mismatches;
}

void
confab_replay_server_assert_no_mismatches (ConfabReplayServer *self)
{
  for (guint i = 0; i < self->mismatches->len; i++)
    {
      g_test_message ("replay mismatch: %s", (const char *) g_ptr_array_index (self->mismatches, i));
      g_test_fail ();
    }
}

ConfabReplayResponse *
confab_replay_server_add_response_pieces (ConfabReplayServer *self,
                                          guint               status,
                                          const char         *content_type,
                                          const char * const *pieces,
                                          ConfabReplayFlags   flags)
{
  g_autoptr(GString) body = g_string_new (NULL);
  ConfabReplayResponse *response;
  GArray *ends = g_array_new (FALSE, FALSE, sizeof (gsize));

  for (guint i = 0; pieces != NULL && pieces[i] != NULL; i++)
    {
      if (pieces[i][0] == '\0')
        continue;
      g_string_append (body, pieces[i]);
      g_array_append_val (ends, body->len);
    }

  response = confab_replay_server_add_response (self, status, content_type, body->str, flags);
  response->piece_ends = ends;

  return response;
}

void
confab_replay_server_set_piece_delay (ConfabReplayServer *self,
                                      guint               delay_ms)
{
  self->piece_delay_ms = delay_ms;
}

guint
confab_replay_server_finish_stalled (ConfabReplayServer *self)
{
  guint n = 0;

  for (guint i = 0; i < self->deliveries->len; i++)
    {
      Delivery *delivery = g_ptr_array_index (self->deliveries, i);

      if (!delivery->stalled)
        continue;

      delivery->stalled = FALSE;
      soup_message_body_complete (soup_server_message_get_response_body (delivery->msg));
      soup_server_message_unpause (delivery->msg);
      n++;
    }

  return n;
}
