/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PROVIDER (confab_provider_get_type ())

G_DECLARE_FINAL_TYPE (ConfabProvider, confab_provider, CONFAB, PROVIDER, GObject)

/* An OpenAI-compatible endpoint: where to send, how to authenticate, what to add. */
ConfabProvider *confab_provider_new               (const char      *name,
                                                   const char      *base_url);
const char     *confab_provider_get_name          (ConfabProvider  *self);
void            confab_provider_set_name          (ConfabProvider  *self,
                                                   const char      *name);
/* Without the trailing /chat/completions, e.g. https://api.groq.com/openai/v1 */
const char     *confab_provider_get_base_url      (ConfabProvider  *self);
void            confab_provider_set_base_url      (ConfabProvider  *self,
                                                   const char      *base_url);
const char     *confab_provider_get_model         (ConfabProvider  *self);
/* Which model a request uses, the one rule for the app, the CLI and a turn: @model (the
 * conversation's) when not empty, else @provider's default; NULL when neither names one.
 * @provider may be NULL. */
const char     *confab_provider_choose_model      (ConfabProvider  *provider,
                                                   const char      *model);
void            confab_provider_set_model         (ConfabProvider  *self,
                                                   const char      *model);
/* Held in memory only; the GUI keeps it in libsecret. NULL or "" sends no Authorization. */
const char     *confab_provider_get_api_key       (ConfabProvider  *self);
void            confab_provider_set_api_key       (ConfabProvider  *self,
                                                   const char      *api_key);
/* JSON object merged at the top level of every request body, or NULL. (transfer none) */
JsonObject     *confab_provider_get_extra_body    (ConfabProvider  *self);
/* Parses and sets @json ("" or NULL clears). FALSE with CONFAB_ERROR_CONFIG when it is not
 * a JSON object. */
gboolean        confab_provider_set_extra_body_json (ConfabProvider *self,
                                                   const char      *json,
                                                   GError         **error);
/* Extra request headers, "Name: value" each. */
const char * const *confab_provider_get_headers   (ConfabProvider  *self);
void            confab_provider_set_headers       (ConfabProvider  *self,
                                                   const char * const *headers);
/* max_tokens for requests; 0 sends none. */
guint           confab_provider_get_max_tokens    (ConfabProvider  *self);
void            confab_provider_set_max_tokens    (ConfabProvider  *self,
                                                   guint            max_tokens);
/* Models typed in by the user for providers without GET /models. */
const char * const *confab_provider_get_models    (ConfabProvider  *self);
void            confab_provider_set_models        (ConfabProvider  *self,
                                                   const char * const *models);
/* Ready-made profiles: OpenAI, Groq, OpenRouter, Ollama, llama.cpp. (transfer full) */
GListModel     *confab_provider_list_presets      (void);
/* Serialization for the config file (the API key is never included). */
JsonNode       *confab_provider_to_json           (ConfabProvider  *self);
ConfabProvider *confab_provider_new_from_json     (JsonNode        *node,
                                                   GError         **error);

G_END_DECLS
