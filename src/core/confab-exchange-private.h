/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "confab-exchange.h"

G_BEGIN_DECLS

/* The exchange of @msg as it is about to be sent (method, redacted URL and request
 * headers, sent_at). (transfer full) */
JsonNode *_confab_exchange_new           (SoupMessage    *msg,
                                          ConfabProvider *provider);
/* Adds the status, reason and (redacted) response headers of @msg. */
void      _confab_exchange_set_response  (JsonNode       *exchange,
                                          SoupMessage    *msg,
                                          ConfabProvider *provider);
/* Sets @member ("first_byte_ms", "done_ms") to the milliseconds since @started
 * (g_get_monotonic_time), unless it is set already. */
void      _confab_exchange_set_time      (JsonNode       *exchange,
                                          const char     *member,
                                          gint64          started);

G_END_DECLS
