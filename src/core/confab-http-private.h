/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* HTTP for a provider's OpenAI-compatible API: requests (address, authorization, the
 * provider's own headers) and what a failed answer says. */

/* {base_url}@path, without doubled slashes. (transfer full) */
char        *_confab_http_build_url         (ConfabProvider  *provider,
                                             const char      *path);
/* A request to @url with the provider's API key (Bearer) and extra headers; NULL with
 * CONFAB_ERROR_CONFIG when @url is not an http(s) address. (transfer full) */
SoupMessage *_confab_http_message_new       (ConfabProvider  *provider,
                                             const char      *method,
                                             const char      *url,
                                             GError         **error);
/* The Retry-After of the answer (delay-seconds or an HTTP date) in seconds; -1 when absent
 * or unreadable. */
int          _confab_http_parse_retry_after (SoupMessage     *msg);
/* CONFAB_ERROR_HTTP naming the status, its reason and the provider's own words from @body
 * (error.message, error, message, detail, or the text itself, shortened). (transfer full) */
GError      *_confab_http_error_new         (SoupMessage     *msg,
                                             GBytes          *body);
/* CONFAB_ERROR_HTTP for a 3xx answer to @url: redirects are refused (SOUP_MESSAGE_NO_REDIRECT),
 * the error names where it pointed. (transfer full) */
GError      *_confab_http_redirect_error_new (SoupMessage    *msg,
                                             const char      *url);

G_END_DECLS
