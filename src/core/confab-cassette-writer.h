/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CASSETTE_WRITER (confab_cassette_writer_get_type ())

G_DECLARE_FINAL_TYPE (ConfabCassetteWriter, confab_cassette_writer, CONFAB, CASSETTE_WRITER, GObject)

typedef enum {
  CONFAB_CASSETTE_FORMAT_JSON,   /* the shape of the recordings in shared/cassettes */
  CONFAB_CASSETTE_FORMAT_YAML,   /* go-vcr's own format (version 2) */
} ConfabCassetteFormat;

/* Writes the requests of a turn and the raw streams that answered them as a go-vcr
 * cassette (version 2), so a real session becomes a test fixture. Secrets never reach the
 * file: Authorization, Proxy-Authorization and Cookie headers are dropped, the values of
 * the provider's own headers and of key-like query parameters are replaced by "REDACTED".
 * @provider (nullable) gives the address and the headers that were sent; without it the
 * conversation's base URL is used. */
ConfabCassetteWriter *confab_cassette_writer_new            (ConfabConversation   *conversation,
                                                             ConfabProvider       *provider);
/* Adds every request of the turn @message belongs to (from its user message to the next
 * one). FALSE with CONFAB_ERROR_FAILED and a readable message when a request cannot be
 * replayed: no request was recorded, nothing was received, or the response was larger
 * than the store keeps (CONFAB_STORE_RAW_RESPONSE_MAX); nothing is added then. */
gboolean              confab_cassette_writer_add_turn       (ConfabCassetteWriter *self,
                                                             ConfabMessage        *message,
                                                             GError              **error);
/* The same for the @index-th turn (0-based); -1 for the last. */
gboolean              confab_cassette_writer_add_turn_at    (ConfabCassetteWriter *self,
                                                             int                   index,
                                                             GError              **error);
guint                 confab_cassette_writer_get_n_interactions (ConfabCassetteWriter *self);
/* The cassette as text. (transfer full) */
char                 *confab_cassette_writer_to_data        (ConfabCassetteWriter *self,
                                                             ConfabCassetteFormat  format);
/* The provider of @providers (may be NULL) the conversation was held with (same name and
 * address), or NULL; its header names go into the cassette, their values do not.
 * (transfer none) */
ConfabProvider       *confab_cassette_find_provider         (ConfabConversation   *conversation,
                                                             ConfabProviderList   *providers);
/* @url with the values of key-like query parameters (key, api_key, token, secret, …)
 * replaced by REDACTED. (transfer full) */
char                 *confab_cassette_redact_url            (const char           *url);

G_END_DECLS
