/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* An in-process HTTP server on 127.0.0.1 (random port) that plays a provider:
 * POST …/chat/completions is answered by the next queued response, in order — either an
 * interaction of a recorded cassette (the request body is compared with the recorded one
 * as JSON) or a scripted response (status, headers, body, faults). Bodies are streamed in
 * random small pieces (seeded), chunked, with a flush between pieces, so every split of the
 * stream — mid-line, mid-UTF-8 — gets exercised. GET …/models answers the models body.
 * Runs on the thread-default main context of its creator. */
typedef struct _ConfabReplayServer   ConfabReplayServer;
typedef struct _ConfabReplayResponse ConfabReplayResponse;

typedef enum {
  CONFAB_REPLAY_NONE               = 0,
  /* Send the body, then never finish the response (the client's idle timeout fires). */
  CONFAB_REPLAY_STALL              = 1 << 0,
  /* Send the body, then close the connection without finishing the response. */
  CONFAB_REPLAY_CLOSE              = 1 << 1,
  /* Never send anything, not even the status line. */
  CONFAB_REPLAY_STALL_BEFORE_HEADERS = 1 << 2,
  /* Send the body in one piece (no random split). */
  CONFAB_REPLAY_WHOLE              = 1 << 3,
  /* Send the body with Content-Length instead of chunked encoding. */
  CONFAB_REPLAY_CONTENT_LENGTH     = 1 << 4,
} ConfabReplayFlags;

typedef struct
{
  char               *method;
  char               *path;
  SoupMessageHeaders *headers;
  char               *body;
  guint16             remote_port;   /* the client's port: equal ports, one connection */
} ConfabReplayRequest;

ConfabReplayServer   *confab_replay_server_new             (void);
void                  confab_replay_server_free            (ConfabReplayServer   *self);
/* "http://127.0.0.1:PORT" — the base URL to give the client (no trailing slash). */
const char           *confab_replay_server_get_base_url    (ConfabReplayServer   *self);
/* Seeds the piece sizes (the default seed is fixed, so runs repeat). */
void                  confab_replay_server_set_seed        (ConfabReplayServer   *self,
                                                            guint32               seed);
/* Pieces are 1..@max_piece bytes (default 16). */
void                  confab_replay_server_set_max_piece   (ConfabReplayServer   *self,
                                                            guint                 max_piece);
/* Queues every interaction of a cassette. @path may be a bare file name, looked up in
 * $CONFAB_CASSETTES_DIR. */
gboolean              confab_replay_server_load_cassette   (ConfabReplayServer   *self,
                                                            const char           *path,
                                                            GError              **error);
/* Queues a scripted response. @content_type may be NULL (text/event-stream), @body NULL
 * (empty). (transfer none) — valid until the server is freed. */
ConfabReplayResponse *confab_replay_server_add_response    (ConfabReplayServer   *self,
                                                            guint                 status,
                                                            const char           *content_type,
                                                            const char           *body,
                                                            ConfabReplayFlags     flags);
/* Queues a scripted response sent in exactly these pieces (NULL-terminated), one write each. */
ConfabReplayResponse *confab_replay_server_add_response_pieces (ConfabReplayServer *self,
                                                            guint                 status,
                                                            const char           *content_type,
                                                            const char * const   *pieces,
                                                            ConfabReplayFlags     flags);
/* Waits @delay_ms between pieces (default 0: just one main-loop turn), so a UI test can
 * watch a stream grow. */
void                  confab_replay_server_set_piece_delay (ConfabReplayServer   *self,
                                                            guint                 delay_ms);
/* Ends every response held open by CONFAB_REPLAY_STALL normally (the body completes).
 * Returns how many. */
guint                 confab_replay_server_finish_stalled  (ConfabReplayServer   *self);
void                  confab_replay_response_add_header    (ConfabReplayResponse *response,
                                                            const char           *name,
                                                            const char           *value);
/* The request body this response expects (compared as JSON), NULL to accept any. */
void                  confab_replay_response_set_expected_body (ConfabReplayResponse *response,
                                                            const char           *body);
/* The JSON GET …/models answers (default {"object":"list","data":[]}). */
void                  confab_replay_server_set_models_body (ConfabReplayServer   *self,
                                                            const char           *body);
/* Every request received, in order (ConfabReplayRequest *). (transfer none) */
GPtrArray            *confab_replay_server_get_requests    (ConfabReplayServer   *self);
/* How many queued responses have been started. */
guint                 confab_replay_server_get_n_served    (ConfabReplayServer   *self);
/* How many queued responses are still waiting for a request. */
guint                 confab_replay_server_get_n_pending   (ConfabReplayServer   *self);
/* TRUE once every response started has been sent to the end (or faulted as scripted). */
gboolean              confab_replay_server_is_idle         (ConfabReplayServer   *self);
/* Human-readable differences between expected and received requests (char *). (transfer none) */
GPtrArray            *confab_replay_server_get_mismatches  (ConfabReplayServer   *self);
/* Fails the test (g_test_fail + messages) when there were mismatches. */
void                  confab_replay_server_assert_no_mismatches (ConfabReplayServer *self);

/* The recorded interactions of a cassette: request bodies and response bodies, in order. */
gboolean              confab_cassette_load                 (const char           *path,
                                                            GPtrArray           **request_bodies,
                                                            GPtrArray           **response_bodies,
                                                            GError              **error);
/* The full path of a cassette file name in $CONFAB_CASSETTES_DIR. (transfer full) */
char                 *confab_cassette_path                 (const char           *name);
/* The last usage object each SSE body reports (JsonNode * or NULL per body). (transfer full) */
GPtrArray            *confab_cassette_usages               (GPtrArray            *response_bodies);

/* Compares two JSON documents structurally (object member order ignored; a "strict": false
 * present in @expected but missing in @actual tolerated). FALSE with a description of the
 * first difference in @difference. */
gboolean              confab_json_equal                    (JsonNode             *expected,
                                                            JsonNode             *actual,
                                                            char                **difference);
gboolean              confab_json_equal_strings            (const char           *expected,
                                                            const char           *actual,
                                                            char                **difference);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabReplayServer, confab_replay_server_free)

G_END_DECLS
