/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CONFAB_ERROR (confab_error_quark ())

typedef enum {
  CONFAB_ERROR_FAILED,
  CONFAB_ERROR_HTTP,           /* non-2xx status; message carries status and provider text */
  CONFAB_ERROR_PROTOCOL,       /* malformed SSE or a data event that is not valid JSON */
  CONFAB_ERROR_PROVIDER,       /* an {"error": …} object inside the stream */
  CONFAB_ERROR_TRUNCATED,      /* the stream ended before the answer was complete */
  CONFAB_ERROR_TIMEOUT,        /* no byte for the idle timeout, or a tool call timed out */
  CONFAB_ERROR_LINE_TOO_LONG,  /* an SSE line over the reader's limit */
  CONFAB_ERROR_NETWORK,        /* connection refused, reset, DNS … */
  CONFAB_ERROR_INVALID_UTF8,   /* bytes that are not UTF-8 where text was expected */
  CONFAB_ERROR_TOOL,           /* a tool failed, is unknown, or got bad arguments */
  CONFAB_ERROR_MCP,            /* an MCP server failed to start, died or spoke garbage */
  CONFAB_ERROR_STORE,          /* the database could not be read or written */
  CONFAB_ERROR_STORE_VERSION,  /* the database is from a newer Confab */
  CONFAB_ERROR_CONFIG,         /* bad configuration (provider, options, MCP config) */
  CONFAB_ERROR_STORE_BUSY,     /* the conversation is being continued by another process */
  CONFAB_ERROR_IMPORT,         /* a file to import is not in a known shape or not valid JSON */
  CONFAB_ERROR_ATTACHMENT,     /* a file cannot be attached: too large, unreadable, not text */
  CONFAB_ERROR_IMAGES_REFUSED, /* the provider refused a request with images (no vision) */
  CONFAB_ERROR_AUTHORIZATION,  /* a remote MCP server wants a sign-in (OAuth) that failed or was not done */
} ConfabError;

GQuark confab_error_quark (void);

G_END_DECLS
