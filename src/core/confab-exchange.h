/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* One HTTP exchange as the inspector shows it, recorded by the client on the assistant
 * message (confab_message_get_exchange()), with every secret already redacted:
 *   {"method", "url", "status", "reason",
 *    "request_headers": [[name, value] …], "response_headers": [[name, value] …],
 *    "sent_at": wall-clock µs, "first_byte_ms", "done_ms": since sent (absent until then)}
 * Redacted: Authorization, Proxy-Authorization, Cookie, Set-Cookie, any header whose name
 * says key, token, secret or auth, every header the user configured for the provider, and
 * the values of key-like query parameters. */

#define CONFAB_EXCHANGE_REDACTED "[redacted]"

/* @url with the values of key-like query parameters (key, api_key, token, secret,
 * password, signature, auth …) replaced by [redacted]. (transfer full) */
char     *confab_exchange_redact_url        (const char     *url);
/* Whether a header's value must never be shown; @provider's own headers always. */
gboolean  confab_exchange_header_is_secret  (const char     *name,
                                             ConfabProvider *provider);

G_END_DECLS
