/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "confab-fault-streams.h"

char *
confab_fault_chunk (const char *delta_json,
       const char *finish_reason)
{
  return g_strdup_printf ("data: {\"id\":\"c1\",\"object\":\"chat.completion.confab_fault_chunk\",\"choices\":"
                          "[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n",
                          delta_json, finish_reason ? finish_reason : "null");
}

char *
confab_fault_partial_stream (void)
{
  g_autofree char *a = confab_fault_chunk ("{\"role\":\"assistant\",\"content\":\"Hello\"}", NULL);
  g_autofree char *b = confab_fault_chunk ("{\"content\":\", wor\"}", NULL);

  return g_strconcat (a, b, NULL);
}

char *
confab_fault_good_stream (void)
{
  g_autofree char *a = confab_fault_chunk ("{\"role\":\"assistant\",\"content\":\"Hello\"}", NULL);
  g_autofree char *b = confab_fault_chunk ("{\"content\":\", world\"}", "\"stop\"");

  return g_strconcat (a, b, "data: [DONE]\n\n", NULL);
}

char *
confab_fault_body_401 (void)
{
  return g_strdup ("{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
}

char *
confab_fault_body_404 (void)
{
  return g_strdup ("{\"error\":{\"message\":\"The model `no-such-model` does not exist or you do not have access to it.\",\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}");
}

char *
confab_fault_body_429 (void)
{
  return g_strdup ("{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}");
}

char *
confab_fault_body_500 (void)
{
  return g_strdup ("Internal error in the upstream gateway\n");
}

/* What OpenRouter sends when the upstream fails after the answer started: the status line
 * is long gone (200), so the 503 comes as an error object in a confab_fault_chunk. */
char *
confab_fault_body_503_half (void)
{
  g_autofree char *start = confab_fault_partial_stream ();

  return g_strconcat (start,
                      "data: {\"id\":\"c1\",\"object\":\"chat.completion.confab_fault_chunk\","
                      "\"error\":{\"code\":503,\"message\":\"Service Unavailable: upstream provider is overloaded\"},"
                      "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n",
                      NULL);
}

char *
confab_fault_body_invalid_json (void)
{
  g_autofree char *start = confab_fault_partial_stream ();

  return g_strconcat (start, "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}\n\n", NULL);
}

char *
confab_fault_body_error_object (void)
{
  g_autofree char *start = confab_fault_partial_stream ();

  return g_strconcat (start,
                      "data: {\"error\":{\"message\":\"Context length exceeded by the provider\",\"code\":400}}\n\n",
                      NULL);
}

char *
confab_fault_body_partial (void)
{
  return confab_fault_partial_stream ();
}

/* A 32 MB line: twice the SSE reader's limit. */
char *
confab_fault_body_huge_line (void)
{
  g_autofree char *start = confab_fault_partial_stream ();
  gsize start_len = strlen (start);
  gsize huge = 32 * 1024 * 1024;
  char *body = g_malloc (start_len + huge + 3);

  memcpy (body, start, start_len);
  memcpy (body + start_len, "data: ", 6);
  memset (body + start_len + 6, 'a', huge - 6);
  memcpy (body + start_len + huge, "\n\n", 3);

  return body;
}

char *
confab_fault_body_invalid_utf8 (void)
{
  g_autofree char *start = confab_fault_partial_stream ();

  /* \xC3\x28 is an invalid two-byte sequence, \xFF never occurs in UTF-8. */
  return g_strconcat (start, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ld \xC3\x28 \xFF\"},\"finish_reason\":null}]}\n\n", NULL);
}

const ConfabFaultCase confab_fault_cases[] = {
  { "http-401", 401, "application/json", confab_fault_body_401, CONFAB_REPLAY_NONE, NULL, FALSE,
    CONFAB_ERROR_HTTP, { "401", "Incorrect API key provided" }, "", -1 },
  { "http-404-unknown-model", 404, "application/json", confab_fault_body_404, CONFAB_REPLAY_NONE, NULL, FALSE,
    CONFAB_ERROR_HTTP, { "404", "no-such-model", "does not exist" }, "", -1 },
  { "http-429-retry-after", 429, "application/json", confab_fault_body_429, CONFAB_REPLAY_NONE, "12", FALSE,
    CONFAB_ERROR_HTTP, { "429", "Rate limit reached" }, "", 12 },
  { "http-500", 500, "text/plain", confab_fault_body_500, CONFAB_REPLAY_NONE, NULL, FALSE,
    CONFAB_ERROR_HTTP, { "500", "Internal error in the upstream gateway" }, "", -1 },
  { "503-after-half-the-stream", 200, NULL, confab_fault_body_503_half, CONFAB_REPLAY_NONE, NULL, FALSE,
    CONFAB_ERROR_PROVIDER, { "503", "overloaded" }, CONFAB_FAULT_PARTIAL, -1 },
  { "invalid-json-chunk", 200, NULL, confab_fault_body_invalid_json, CONFAB_REPLAY_NONE, NULL, FALSE,
    CONFAB_ERROR_PROTOCOL, { "JSON" }, CONFAB_FAULT_PARTIAL, -1 },
  { "error-object-mid-stream", 200, NULL, confab_fault_body_error_object, CONFAB_REPLAY_NONE, NULL, FALSE,
    CONFAB_ERROR_PROVIDER, { "Context length exceeded by the provider" }, CONFAB_FAULT_PARTIAL, -1 },
  { "connection-reset-mid-stream", 200, NULL, confab_fault_body_partial, CONFAB_REPLAY_CLOSE, NULL, FALSE,
    CONFAB_FAULT_DROPPED, { NULL }, CONFAB_FAULT_PARTIAL, -1 },
  { "eof-without-finish-reason", 200, NULL, confab_fault_body_partial, CONFAB_REPLAY_NONE, NULL, FALSE,
    CONFAB_ERROR_TRUNCATED, { "ended before the answer was complete" }, CONFAB_FAULT_PARTIAL, -1 },
  { "line-32mb", 200, NULL, confab_fault_body_huge_line, CONFAB_REPLAY_WHOLE, NULL, FALSE,
    CONFAB_ERROR_LINE_TOO_LONG, { "line longer than the limit", "16" }, CONFAB_FAULT_PARTIAL, -1 },
  { "stall-past-idle-timeout", 200, NULL, confab_fault_body_partial, CONFAB_REPLAY_STALL, NULL, TRUE,
    CONFAB_ERROR_TIMEOUT, { "1 second" }, CONFAB_FAULT_PARTIAL, -1 },
  { "invalid-utf8-in-content", 200, NULL, confab_fault_body_invalid_utf8, CONFAB_REPLAY_NONE, NULL, FALSE,
    CONFAB_FAULT_BAD_UTF8, { "UTF-8" }, CONFAB_FAULT_PARTIAL, -1 },
};

const guint confab_n_fault_cases = G_N_ELEMENTS (confab_fault_cases);
