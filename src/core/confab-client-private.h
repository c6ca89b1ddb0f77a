/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "confab-client.h"

G_BEGIN_DECLS

/* confab-client-stream.c: POSTs @request_body to {base_url}/chat/completions and streams the
 * answer into @message, then completes @task (the client's, from confab_client_stream_async();
 * taken) as confab_client_stream_finish() reads it. */
void _confab_client_stream_start (ConfabClient   *self,
                                  GTask          *owned_task,
                                  ConfabProvider *provider,
                                  const char     *request_body,
                                  ConfabMessage  *message);

G_END_DECLS
