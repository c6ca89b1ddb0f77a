/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "confab-tool-call.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TOOL_RESULT_VIEW (confab_tool_result_view_get_type ())

G_DECLARE_FINAL_TYPE (ConfabToolResultView, confab_tool_result_view, CONFAB, TOOL_RESULT_VIEW, GtkWidget)

/* The parts of a finished tool call's result that are not plain text: images as inline
 * thumbnails (decoded from base64, at most CONFAB_TOOL_RESULT_IMAGE_LIMIT bytes each),
 * embedded resources as text under their URI, and structuredContent as indented JSON.
 * Children are named "result_image_N" (a GtkPicture, or a GtkLabel when the image cannot
 * be shown), "result_resource_N" and "result_structured". */
#define CONFAB_TOOL_RESULT_IMAGE_LIMIT (4 * 1024 * 1024)
#define CONFAB_TOOL_RESULT_THUMBNAIL_SIZE 160

GtkWidget *confab_tool_result_view_new      (void);
void       confab_tool_result_view_set_call (ConfabToolResultView *self,
                                             ConfabToolCall       *call);

G_END_DECLS
