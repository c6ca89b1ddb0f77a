/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Lenient member access for JSON written by others (MCP servers, providers, config
 * files): a missing member or one of another type reads as absent, never a critical
 * (json-glib 1.6's json_object_get_object_member() and friends assert on a missing
 * member). */

static inline JsonNode *
_confab_json_member (JsonObject *object,
                     const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

static inline JsonObject *
_confab_json_get_object (JsonObject *object,
                         const char *name)
{
  JsonNode *node = _confab_json_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static inline JsonArray *
_confab_json_get_array (JsonObject *object,
                        const char *name)
{
  JsonNode *node = _confab_json_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static inline const char *
_confab_json_get_string (JsonObject *object,
                         const char *name,
                         const char *default_value)
{
  JsonNode *node = _confab_json_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return default_value;

  return json_node_get_string (node);
}

static inline gboolean
_confab_json_get_boolean (JsonObject *object,
                          const char *name,
                          gboolean    default_value)
{
  JsonNode *node = _confab_json_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return default_value;

  return json_node_get_boolean (node);
}

static inline gint64
_confab_json_get_int (JsonObject *object,
                      const char *name,
                      gint64      default_value)
{
  JsonNode *node = _confab_json_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return default_value;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  /* Out of range (or NaN), the cast would be undefined behaviour (found by fuzz-mcphttp:
   * an error code of -32e615). */
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE &&
      json_node_get_double (node) >= -9223372036854775808.0 &&
      json_node_get_double (node) < 9223372036854775808.0)
    return (gint64)json_node_get_double (node);

  return default_value;
}

G_END_DECLS
