/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_REQUEST_DIFF_VIEW (confab_request_diff_view_get_type ())

G_DECLARE_FINAL_TYPE (ConfabRequestDiffView, confab_request_diff_view, CONFAB, REQUEST_DIFF_VIEW, GtkWidget)

/* What a request added to the one before it, as a structured diff of the two JSON bodies:
 * one row per added, removed or changed member or array item (path and value), an added
 * object expandable to its whole pretty-printed JSON. */
GtkWidget  *confab_request_diff_view_new            (void);
/* Compares @previous_body with @body; @previous_body NULL: there is no earlier request. */
void        confab_request_diff_view_set_requests   (ConfabRequestDiffView *self,
                                                     const char            *previous_body,
                                                     const char            *body);
/* The rows' texts as read by a screen reader ("Added $.messages[2]: {…}"), in order;
 * empty when there is no difference. (transfer full) */
GStrv       confab_request_diff_view_dup_row_texts  (ConfabRequestDiffView *self);
/* The sentence shown instead of rows (no earlier request, no difference, not JSON), or NULL. */
const char *confab_request_diff_view_get_message    (ConfabRequestDiffView *self);

G_END_DECLS
