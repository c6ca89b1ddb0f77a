/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TOOL (confab_tool_get_type ())

G_DECLARE_FINAL_TYPE (ConfabTool, confab_tool, CONFAB, TOOL, GObject)

/* A tool an MCP server offers. */
ConfabTool      *confab_tool_new                 (ConfabMcpServer *server,
                                                  const char      *name,
                                                  const char      *description,
                                                  JsonNode        *input_schema);
/* (transfer none) */
ConfabMcpServer *confab_tool_get_server          (ConfabTool      *self);
const char      *confab_tool_get_server_name     (ConfabTool      *self);
/* The name on the server. */
const char      *confab_tool_get_name            (ConfabTool      *self);
/* The name offered to the model: the plain name, or "server__name" when two servers clash. */
const char      *confab_tool_get_exposed_name    (ConfabTool      *self);
void             confab_tool_set_exposed_name    (ConfabTool      *self,
                                                  const char      *exposed_name);
const char      *confab_tool_get_description     (ConfabTool      *self);
/* (transfer none) */
JsonNode        *confab_tool_get_input_schema    (ConfabTool      *self);
/* The tool's "annotations" from tools/list (readOnlyHint, destructiveHint, idempotentHint,
 * openWorldHint, title): what the server says about it, never checked. (transfer none) */
JsonObject      *confab_tool_get_annotations     (ConfabTool      *self);
void             confab_tool_set_annotations     (ConfabTool      *self,
                                                  JsonObject      *annotations);
/* {"type":"function","function":{"name","description","parameters"}} (transfer full) */
JsonNode        *confab_tool_to_json             (ConfabTool      *self);

G_END_DECLS
