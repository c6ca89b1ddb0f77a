/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Checks @instance against the JSON Schema @schema, as far as tool input schemas go:
 * type (one or a list), properties, required, additionalProperties (false or a schema),
 * items, enum, const, minimum/maximum (and the exclusive ones), minLength/maxLength,
 * minItems/maxItems; anything else is accepted. FALSE with G_IO_ERROR_INVALID_DATA naming
 * the first offending place ("b: must be an integer"). A NULL schema accepts everything. */
gboolean confab_json_schema_validate (JsonNode  *schema,
                                      JsonNode  *instance,
                                      GError   **error);

G_END_DECLS
