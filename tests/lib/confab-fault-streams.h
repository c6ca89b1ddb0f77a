/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "confab-error.h"
#include "confab-replay-server.h"

G_BEGIN_DECLS

/* Provider streams and error bodies for the fault-injection tests, shared by the
 * core tests (tests/integration/test-faults.c) and the GUI tests (tests/ui/test-faults-ui.c).
 * Each returns a newly allocated body. A partial stream always shows CONFAB_FAULT_PARTIAL. */

#define CONFAB_FAULT_PARTIAL "Hello, wor"

char *confab_fault_chunk (const char *delta_json, const char *finish_reason);
char *confab_fault_partial_stream (void);
char *confab_fault_good_stream (void);
char *confab_fault_body_401 (void);
char *confab_fault_body_404 (void);
char *confab_fault_body_429 (void);
char *confab_fault_body_500 (void);
char *confab_fault_body_503_half (void);
char *confab_fault_body_invalid_json (void);
char *confab_fault_body_error_object (void);
char *confab_fault_body_partial (void);
char *confab_fault_body_huge_line (void);
char *confab_fault_body_invalid_utf8 (void);

/* The faults both suites inject: the core one (/faults/NAME) checks the GError, the GUI one
 * (/ui/faults/NAME) the in-line error of the row and its Retry. */
typedef struct
{
  const char        *name;
  guint              status;
  const char        *content_type;
  char            *(*body) (void);
  ConfabReplayFlags  flags;
  const char        *retry_after;     /* a Retry-After header, or NULL */
  gboolean           short_timeout;   /* a 1-second idle timeout */
  /* The CONFAB_ERROR code expected; CONFAB_FAULT_DROPPED: NETWORK or TRUNCATED (whichever the
   * transport notices first), CONFAB_FAULT_BAD_UTF8: INVALID_UTF8 or PROTOCOL (the JSON
   * parser or the text check). */
  int                code;
  const char        *needles[4];      /* each must appear in the message */
  const char        *partial;         /* the text kept */
  int                retry_after_seconds;
} ConfabFaultCase;

#define CONFAB_FAULT_DROPPED  (-1)
#define CONFAB_FAULT_BAD_UTF8 (-2)

extern const ConfabFaultCase confab_fault_cases[];
extern const guint           confab_n_fault_cases;

G_END_DECLS
