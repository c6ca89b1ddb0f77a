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

/* A JSON number as an integer in [@min, @max]: FALSE for anything else — not a number, a
 * fraction, NaN, ±inf or out of range — so that no conversion is ever undefined behaviour
 * (fuzz-mcp found an error code of -32E602, which json-glib reads as -inf). */
static inline gboolean
_confab_json_double_to_int (double  value,
                            gint64  min,
                            gint64  max,
                            gint64 *out)
{
  gint64 whole;

  /* [-2^63, 2^63) is what a gint64 holds; NaN fails every comparison. */
  if (!(value >= -9223372036854775808.0 && value < 9223372036854775808.0))
    return FALSE;

  whole = (gint64) value;
  if ((double) whole != value || whole < min || whole > max)
    return FALSE;

  *out = whole;
  return TRUE;
}

static inline gboolean
_confab_json_node_get_int (JsonNode *node,
                           gint64    min,
                           gint64    max,
                           gint64   *out)
{
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      value = json_node_get_int (node);
      if (value < min || value > max)
        return FALSE;
      *out = value;
      return TRUE;
    case G_TYPE_DOUBLE:
      return _confab_json_double_to_int (json_node_get_double (node), min, max, out);
    default:
      return FALSE;
    }
}

/* An integer member in [@min, @max]; @default_value when missing, not a whole number or out
 * of range. */
static inline gint64
_confab_json_get_int_range (JsonObject *object,
                            const char *name,
                            gint64      min,
                            gint64      max,
                            gint64      default_value)
{
  gint64 value;

  if (!_confab_json_node_get_int (_confab_json_member (object, name), min, max, &value))
    return default_value;

  return value;
}

static inline gint64
_confab_json_get_int (JsonObject *object,
                      const char *name,
                      gint64      default_value)
{
  return _confab_json_get_int_range (object, name, G_MININT64, G_MAXINT64, default_value);
}

/* Untrusted JSON (provider streams and bodies, MCP messages, tool-call arguments) -------- */

/* Deeper documents are refused before json-glib sees them: its parser recurses once per
 * level and overflows the stack near 80,000. */
#define CONFAB_JSON_MAX_DEPTH 512

/* FALSE with CONFAB_ERROR_PROTOCOL when @data nests objects and arrays deeper than
 * CONFAB_JSON_MAX_DEPTH. Counts brackets outside strings; in text that is not strict JSON
 * (json-glib also reads comments and single quotes) every bracket counts. */
gboolean  _confab_json_check_depth          (const char  *data,
                                             gsize        len,
                                             GError     **error);

/* A copy of @data in which the escapes that do not decode to valid UTF-8 text — a lone
 * surrogate such as \ud800, and \u0000, which would cut a C string — are \ufffd (U+FFFD);
 * NULL when there are none. Sets @short_escape (when not NULL) if a \u has fewer than four
 * hex digits. (transfer full) */
char     *_confab_json_sanitize_escapes     (const char  *data,
                                             gsize        len,
                                             gsize       *out_len,
                                             gboolean    *short_escape);

/* FALSE with CONFAB_ERROR_PROTOCOL when anything but blanks and comments follows the first
 * value of @data ("{…}{…}", "[1] [2]", "2 {…}"). json-glib 1.6 reads such a document as its
 * first value, drops the rest unseen and leaks it. Strings and comments are skipped the way
 * json-glib's scanner reads them. */
gboolean  _confab_json_check_single_value   (const char  *data,
                                             gsize        len,
                                             GError     **error);

/* json_parser_load_from_data() for JSON written by others: refuses documents nested too
 * deeply or with more than one value (CONFAB_ERROR_PROTOCOL) and \u escapes without four
 * hex digits (a JSON_PARSER_ERROR), and reads lone surrogate and NUL escapes as U+FFFD. */
gboolean  _confab_json_parser_load_untrusted (JsonParser  *parser,
                                              const char  *data,
                                              gssize       len,
                                              GError     **error);

/* json_from_string() through _confab_json_parser_load_untrusted(); an empty text is an
 * error too. (transfer full) */
JsonNode *_confab_json_from_untrusted       (const char  *text,
                                             GError     **error);

G_END_DECLS
