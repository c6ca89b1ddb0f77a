/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cassette"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <yaml.h>

#include "confab-cassette-private.h"
#include "confab-error.h"

/* The only user of libyaml: its event parser builds a json-glib tree. Anchors and aliases
 * (go-vcr writes none) are refused. */

#define MAX_DEPTH 256

/* json_node_init_object/array take a reference of their own: the node owns the only one. */
static JsonNode *
new_object_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

static JsonNode *
new_array_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, json_array_new ());
  return node;
}

static JsonNode *
scalar_node (const yaml_event_t *event)
{
  const char *value = (const char *) event->data.scalar.value;
  gsize len = event->data.scalar.length;
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
    {
      char *end = NULL;
      gint64 i;

      if (len == 0 || g_str_equal (value, "~") || g_str_equal (value, "null"))
        {
          json_node_free (node);
          return json_node_new (JSON_NODE_NULL);
        }
      if (g_str_equal (value, "true") || g_str_equal (value, "false"))
        {
          json_node_set_boolean (node, value[0] == 't');
          return node;
        }
      i = g_ascii_strtoll (value, &end, 10);
      if (end != value && *end == '\0')
        {
          json_node_set_int (node, i);
          return node;
        }
    }

  json_node_set_string (node, value);
  return node;
}

JsonNode *
_confab_cassette_yaml_to_json (const char  *data,
                               gsize        len,
                               GError     **error)
{
  yaml_parser_t parser;
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();     /* JsonNode: containers being built */
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free); /* pending key per level */
  JsonNode *root = NULL;
  gboolean done = FALSE;
  gboolean ok = TRUE;

  if (!yaml_parser_initialize (&parser))
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("Could not start the YAML parser."));
      return NULL;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) data, len);

  while (ok && !done)
    {
      yaml_event_t event;
      JsonNode *value = NULL;
      gboolean push = FALSE;

      if (!yaml_parser_parse (&parser, &event))
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("The file is not valid YAML (line %lu): %s"),
                       (unsigned long) parser.problem_mark.line + 1, parser.problem ? parser.problem : "?");
          ok = FALSE;
          break;
        }

      switch (event.type)
        {
        case YAML_STREAM_END_EVENT:
          done = TRUE;
          break;
        case YAML_DOCUMENT_END_EVENT:
          done = root != NULL;
          break;
        case YAML_ALIAS_EVENT:
          g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("YAML aliases are not supported."));
          ok = FALSE;
          break;
        case YAML_SCALAR_EVENT:
          value = scalar_node (&event);
          break;
        case YAML_SEQUENCE_START_EVENT:
          value = new_array_node ();
          push = TRUE;
          break;
        case YAML_MAPPING_START_EVENT:
          value = new_object_node ();
          push = TRUE;
          break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
          g_ptr_array_remove_index (stack, stack->len - 1);
          g_ptr_array_remove_index (keys, keys->len - 1);
          break;
        case YAML_NO_EVENT:
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_START_EVENT:
        default:
          break;
        }

      if (value != NULL)
        {
          JsonNode *parent = stack->len ? g_ptr_array_index (stack, stack->len - 1) : NULL;

          if (parent == NULL)
            {
              if (root == NULL)
                root = json_node_ref (value);
            }
          else if (JSON_NODE_HOLDS_ARRAY (parent))
            json_array_add_element (json_node_get_array (parent), json_node_ref (value));
          else if (keys->pdata[keys->len - 1] == NULL)
            {
              /* A key: only scalars. */
              if (!JSON_NODE_HOLDS_VALUE (value))
                {
                  g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("YAML keys that are not text are not supported."));
                  ok = FALSE;
                }
              else
                keys->pdata[keys->len - 1] = json_node_get_value_type (value) == G_TYPE_STRING
                                             ? g_strdup (json_node_get_string (value))
                                             : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
            }
          else
            {
              json_object_set_member (json_node_get_object (parent), keys->pdata[keys->len - 1], json_node_ref (value));
              g_clear_pointer (&keys->pdata[keys->len - 1], g_free);
            }

          if (ok && push)
            {
              if (stack->len >= MAX_DEPTH)
                {
                  g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("The YAML is nested too deeply."));
                  ok = FALSE;
                }
              g_ptr_array_add (stack, value);  /* owned by its parent (or root) */
              g_ptr_array_add (keys, NULL);
            }
          json_node_unref (value);
        }

      yaml_event_delete (&event);
    }

  yaml_parser_delete (&parser);

  if (!ok)
    {
      g_clear_pointer (&root, json_node_unref);
      return NULL;
    }
  if (root == NULL)
    g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("The file is empty."));

  return root;
}
