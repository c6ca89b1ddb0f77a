/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_ELICITATION (confab_mcp_elicitation_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMcpElicitation, confab_mcp_elicitation, CONFAB, MCP_ELICITATION, GObject)

/* An MCP server asks the user for something (elicitation/create, form mode): a message and
 * a flat JSON schema of primitive fields (string, number, integer, boolean, enum, and
 * multiple-choice enums as arrays of strings). It is
 * answered once, by accept, decline or cancel; one dropped unanswered is declined.
 * Signal ::answered (const char *action) when it is answered (not when dropped). */

/* The name of the server that asks. */
const char *confab_mcp_elicitation_get_server_name      (ConfabMcpElicitation *self);
/* The server's message to the user. */
const char *confab_mcp_elicitation_get_message          (ConfabMcpElicitation *self);
/* The requested schema ({"type": "object", "properties": …}); (transfer none), may be NULL. */
JsonObject *confab_mcp_elicitation_get_requested_schema (ConfabMcpElicitation *self);
/* An object with each property's "default" from the schema (SEP-1034), of its type;
 * properties without a default are left out. (transfer full) */
JsonNode   *confab_mcp_elicitation_dup_defaults         (ConfabMcpElicitation *self);
/* TRUE once answered. */
gboolean    confab_mcp_elicitation_is_answered          (ConfabMcpElicitation *self);
/* Answers "accept" with @content (an object of the fields; NULL: the defaults). */
void        confab_mcp_elicitation_accept               (ConfabMcpElicitation *self,
                                                         JsonNode             *content);
/* Answers "decline": the user said no. */
void        confab_mcp_elicitation_decline              (ConfabMcpElicitation *self);
/* Answers "cancel": the user dismissed it without choosing. */
void        confab_mcp_elicitation_cancel               (ConfabMcpElicitation *self);

G_END_DECLS
