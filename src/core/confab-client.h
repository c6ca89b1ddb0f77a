/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CLIENT (confab_client_get_type ())

#define CONFAB_CLIENT_DEFAULT_IDLE_TIMEOUT 60
/* Ten minutes: far more than any answer takes, but an end to one that never ends. */
#define CONFAB_CLIENT_DEFAULT_MAX_TIME 600

G_DECLARE_FINAL_TYPE (ConfabClient, confab_client, CONFAB, CLIENT, GObject)

/* A streaming chat-completions client over one SoupSession (system proxy, Confab/VERSION UA). */
ConfabClient *confab_client_new                (void);
SoupSession  *confab_client_get_session        (ConfabClient         *self);
/* Seconds without a byte before a request fails with CONFAB_ERROR_TIMEOUT. */
guint         confab_client_get_idle_timeout   (ConfabClient         *self);
void          confab_client_set_idle_timeout   (ConfabClient         *self,
                                                guint                 seconds);
/* Seconds one request may take in all, however busy the stream, before it fails with
 * CONFAB_ERROR_TIMEOUT (the text so far kept); 0 for no limit. */
guint         confab_client_get_max_time       (ConfabClient         *self);
void          confab_client_set_max_time       (ConfabClient         *self,
                                                guint                 seconds);
/* The request body: model, messages, stream, stream_options, max_tokens when set,
 * tools + tool_choice when @tools is a non-empty array, then the provider's extra body
 * merged at the top level. (transfer full) */
char         *confab_client_build_request_body (ConfabProvider       *provider,
                                                const char           *model,
                                                JsonNode             *messages,
                                                JsonNode             *tools);
/* POSTs @request_body to {base_url}/chat/completions and streams the answer into
 * @message (an assistant message, state streaming) on the calling thread's main context.
 * On failure the message keeps its partial text and carries the error. */
void          confab_client_stream_async       (ConfabClient         *self,
                                                ConfabProvider       *provider,
                                                const char           *request_body,
                                                ConfabMessage        *message,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean      confab_client_stream_finish      (ConfabClient         *self,
                                                GAsyncResult         *result,
                                                GError              **error);
/* GET {base_url}/models: the ids, sorted. (transfer full) */
void          confab_client_list_models_async  (ConfabClient         *self,
                                                ConfabProvider       *provider,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GStrv         confab_client_list_models_finish (ConfabClient         *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
