/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* A go-vcr cassette (version 1 or 2: {"version", "interactions": [{"request": {"url",
 * "method", "body"}, "response": {"code", "body", "duration"}}]}) as a conversation, for
 * reading: the first request's messages (its system message as the system prompt), then for
 * each interaction the messages its request added and the answer decoded from its response
 * (SSE, or a whole chat completion) as the chat would have shown it: text, reasoning, tool
 * calls (with the results the next request sent), usage, the raw request body and response
 * for the inspector; a response that is not 2xx is a failed answer. JSON always; YAML (as
 * go-vcr writes it) when Confab was built with libyaml (confab_cassette_supports_yaml()).
 * Fails with CONFAB_ERROR_IMPORT on a file that is not a cassette. (transfer full) */
ConfabConversation *confab_cassette_read_data     (const char   *data,
                                                   gsize         len,
                                                   const char   *name,
                                                   GError      **error);
ConfabConversation *confab_cassette_read          (const char   *path,
                                                   GError      **error);
/* TRUE when @data looks like a cassette rather than an SSE body. */
gboolean            confab_cassette_sniff         (const char   *data,
                                                   gsize         len);
gboolean            confab_cassette_supports_yaml (void);

G_END_DECLS
