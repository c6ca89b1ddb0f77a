/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-json-schema"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>

#include "confab-json-schema.h"

/* Enough of JSON Schema to tell a user, before a tool runs, that an edited argument is
 * missing or of the wrong type. Keywords it does not know are accepted, so a schema with
 * $ref or oneOf never blocks a call the server might take. */

static gboolean validate_at (JsonObject *schema, JsonNode *instance, GString *path, GError **error);

static gboolean
fail (GError     **error,
      GString     *path,
      const char  *message)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s",
               path->len > 0 ? path->str : _("the arguments"), message);
  return FALSE;
}

static gboolean
is_integer (JsonNode *node)
{
  GType type = json_node_get_value_type (node);

  if (type == G_TYPE_INT64)
    return TRUE;
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);
      return isfinite (value) && value == floor (value);
    }
  return FALSE;
}

static gboolean
has_type (JsonNode   *node,
          const char *type)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT: return g_str_equal (type, "object");
    case JSON_NODE_ARRAY:  return g_str_equal (type, "array");
    case JSON_NODE_NULL:   return g_str_equal (type, "null");
    case JSON_NODE_VALUE:
    default:
      {
        GType value_type = json_node_get_value_type (node);

        if (g_str_equal (type, "string"))
          return value_type == G_TYPE_STRING;
        if (g_str_equal (type, "boolean"))
          return value_type == G_TYPE_BOOLEAN;
        if (g_str_equal (type, "integer"))
          return is_integer (node);
        if (g_str_equal (type, "number"))
          return value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE;
        return FALSE;
      }
    }
}

static const char *
type_phrase (const char *type)
{
  if (g_str_equal (type, "object"))  return _("must be an object");
  if (g_str_equal (type, "array"))   return _("must be an array");
  if (g_str_equal (type, "string"))  return _("must be a string");
  if (g_str_equal (type, "integer")) return _("must be an integer");
  if (g_str_equal (type, "number"))  return _("must be a number");
  if (g_str_equal (type, "boolean")) return _("must be true or false");
  if (g_str_equal (type, "null"))    return _("must be null");
  return _("has the wrong type");
}

static gboolean
check_type (JsonObject  *schema,
            JsonNode    *instance,
            GString     *path,
            GError     **error)
{
  JsonNode *type = json_object_get_member (schema, "type");

  if (type == NULL)
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (type) && json_node_get_value_type (type) == G_TYPE_STRING)
    return has_type (instance, json_node_get_string (type)) ||
           fail (error, path, type_phrase (json_node_get_string (type)));

  if (JSON_NODE_HOLDS_ARRAY (type))
    {
      JsonArray *types = json_node_get_array (type);
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (types); i++)
        {
          const char *name = json_array_get_string_element (types, i);

          if (name == NULL)
            continue;
          if (has_type (instance, name))
            return TRUE;
          g_string_append_printf (names, "%s%s", names->len ? ", " : "", name);
        }
      {
        g_autofree char *message = g_strdup_printf (_("must be one of: %s"), names->str);
        return fail (error, path, message);
      }
    }

  return TRUE;
}

static gboolean
check_number (JsonObject  *schema,
              JsonNode    *instance,
              GString     *path,
              GError     **error)
{
  double value;
  static const struct { const char *keyword; int sign; gboolean exclusive; } bounds[] = {
    { "minimum", 1, FALSE }, { "maximum", -1, FALSE },
    { "exclusiveMinimum", 1, TRUE }, { "exclusiveMaximum", -1, TRUE },
  };

  if (!JSON_NODE_HOLDS_VALUE (instance) ||
      (json_node_get_value_type (instance) != G_TYPE_INT64 && json_node_get_value_type (instance) != G_TYPE_DOUBLE))
    return TRUE;

  value = json_node_get_double (instance);
  for (guint i = 0; i < G_N_ELEMENTS (bounds); i++)
    {
      JsonNode *bound = json_object_get_member (schema, bounds[i].keyword);
      double limit;
      gboolean ok;

      if (bound == NULL || !JSON_NODE_HOLDS_VALUE (bound) ||
          (json_node_get_value_type (bound) != G_TYPE_INT64 && json_node_get_value_type (bound) != G_TYPE_DOUBLE))
        continue;

      limit = json_node_get_double (bound);
      ok = bounds[i].sign > 0 ? (bounds[i].exclusive ? value > limit : value >= limit)
                              : (bounds[i].exclusive ? value < limit : value <= limit);
      if (!ok)
        {
          char number[G_ASCII_DTOSTR_BUF_SIZE];
          g_autofree char *message = NULL;

          g_ascii_formatd (number, sizeof number, "%g", limit);
          if (bounds[i].exclusive)
            message = bounds[i].sign > 0 ? g_strdup_printf (_("must be more than %s"), number)
                                         : g_strdup_printf (_("must be less than %s"), number);
          else
            message = bounds[i].sign > 0 ? g_strdup_printf (_("must be at least %s"), number)
                                         : g_strdup_printf (_("must be at most %s"), number);
          return fail (error, path, message);
        }
    }

  return TRUE;
}

static gboolean
check_length (JsonObject  *schema,
              const char  *min_keyword,
              const char  *max_keyword,
              gint64       length,
              GString     *path,
              GError     **error)
{
  if (json_object_has_member (schema, min_keyword) &&
      length < json_object_get_int_member (schema, min_keyword))
    {
      g_autofree char *message = g_strdup_printf (_("is too short (at least %lld)"),
                                                  (long long) json_object_get_int_member (schema, min_keyword));
      return fail (error, path, message);
    }
  if (json_object_has_member (schema, max_keyword) &&
      length > json_object_get_int_member (schema, max_keyword))
    {
      g_autofree char *message = g_strdup_printf (_("is too long (at most %lld)"),
                                                  (long long) json_object_get_int_member (schema, max_keyword));
      return fail (error, path, message);
    }
  return TRUE;
}

static gboolean
check_object (JsonObject  *schema,
              JsonObject  *object,
              GString     *path,
              GError     **error)
{
  JsonNode *required = json_object_get_member (schema, "required");
  JsonNode *properties = json_object_get_member (schema, "properties");
  JsonNode *additional = json_object_get_member (schema, "additionalProperties");
  JsonObject *props = properties && JSON_NODE_HOLDS_OBJECT (properties) ? json_node_get_object (properties) : NULL;
  g_autoptr(GList) members = json_object_get_members (object);
  gsize len = path->len;

  if (required != NULL && JSON_NODE_HOLDS_ARRAY (required))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (required)); i++)
      {
        const char *name = json_array_get_string_element (json_node_get_array (required), i);

        if (name != NULL && !json_object_has_member (object, name))
          {
            g_string_append_printf (path, "%s%s", path->len ? "." : "", name);
            return fail (error, path, _("is required"));
          }
      }

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (object, name);
      JsonNode *member_schema = props ? json_object_get_member (props, name) : NULL;
      gboolean ok = TRUE;

      g_string_append_printf (path, "%s%s", path->len ? "." : "", name);
      if (member_schema != NULL && JSON_NODE_HOLDS_OBJECT (member_schema))
        ok = validate_at (json_node_get_object (member_schema), value, path, error);
      else if (member_schema == NULL && additional != NULL)
        {
          if (JSON_NODE_HOLDS_VALUE (additional) && json_node_get_value_type (additional) == G_TYPE_BOOLEAN &&
              !json_node_get_boolean (additional))
            ok = fail (error, path, _("is not a known argument"));
          else if (JSON_NODE_HOLDS_OBJECT (additional))
            ok = validate_at (json_node_get_object (additional), value, path, error);
        }
      g_string_truncate (path, len);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

static gboolean
validate_at (JsonObject  *schema,
             JsonNode    *instance,
             GString     *path,
             GError     **error)
{
  JsonNode *choices;
  JsonNode *constant;

  if (!check_type (schema, instance, path, error))
    return FALSE;

  if ((choices = json_object_get_member (schema, "enum")) != NULL && JSON_NODE_HOLDS_ARRAY (choices))
    {
      gboolean found = FALSE;

      for (guint i = 0; i < json_array_get_length (json_node_get_array (choices)) && !found; i++)
        found = json_node_equal (json_array_get_element (json_node_get_array (choices), i), instance);
      if (!found)
        return fail (error, path, _("is not one of the allowed values"));
    }

  if ((constant = json_object_get_member (schema, "const")) != NULL && !json_node_equal (constant, instance))
    return fail (error, path, _("is not the required value"));

  if (!check_number (schema, instance, path, error))
    return FALSE;

  if (JSON_NODE_HOLDS_VALUE (instance) && json_node_get_value_type (instance) == G_TYPE_STRING &&
      !check_length (schema, "minLength", "maxLength", g_utf8_strlen (json_node_get_string (instance), -1), path, error))
    return FALSE;

  if (JSON_NODE_HOLDS_ARRAY (instance))
    {
      JsonArray *array = json_node_get_array (instance);
      JsonNode *items = json_object_get_member (schema, "items");
      gsize len = path->len;

      if (!check_length (schema, "minItems", "maxItems", json_array_get_length (array), path, error))
        return FALSE;
      if (items != NULL && JSON_NODE_HOLDS_OBJECT (items))
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            gboolean ok;

            g_string_append_printf (path, "[%u]", i);
            ok = validate_at (json_node_get_object (items), json_array_get_element (array, i), path, error);
            g_string_truncate (path, len);
            if (!ok)
              return FALSE;
          }
    }

  if (JSON_NODE_HOLDS_OBJECT (instance))
    return check_object (schema, json_node_get_object (instance), path, error);

  return TRUE;
}

gboolean
confab_json_schema_validate (JsonNode  *schema,
                             JsonNode  *instance,
                             GError   **error)
{
  g_autoptr(GString) path = g_string_new (NULL);

  g_return_val_if_fail (instance != NULL, FALSE);

  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    return TRUE;

  return validate_at (json_node_get_object (schema), instance, path, error);
}
