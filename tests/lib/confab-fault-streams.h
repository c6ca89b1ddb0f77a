/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

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

G_END_DECLS
