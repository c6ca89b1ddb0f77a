/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-server"

#include "config.h"

#include <string.h>

#include "confab-json-private.h"
#include "confab-mcp-server.h"

/* RFC 6570 URI templates, as resources/templates/list gives them: levels 1–3 (every
 * operator, lists of variables) and the :prefix modifier of level 4; explode (*) reads as a
 * plain variable, since a form gives strings. */

typedef struct
{
  char        op;
  const char *first;
  const char *sep;
  gboolean    named;
  const char *if_empty;
  gboolean    reserved;
} Operator;

static const Operator operators[] = {
  { '\0', "",  ",", FALSE, "",  FALSE },
  { '+',  "",  ",", FALSE, "",  TRUE  },
  { '#',  "#", ",", FALSE, "",  TRUE  },
  { '.',  ".", ".", FALSE, "",  FALSE },
  { '/',  "/", "/", FALSE, "",  FALSE },
  { ';',  ";", ";", TRUE,  "",  FALSE },
  { '?',  "?", "&", TRUE,  "=", FALSE },
  { '&',  "&", "&", TRUE,  "=", FALSE },
};

static const Operator *
find_operator (const char **expression)
{
  for (guint i = 1; i < G_N_ELEMENTS (operators); i++)
    if (**expression == operators[i].op)
      {
        (*expression)++;
        return &operators[i];
      }

  return &operators[0];
}

/* One "name" or "name:3" or "name*" of an expression: its name (transfer full) and prefix. */
static char *
parse_varspec (const char *spec,
               guint      *prefix)
{
  const char *colon = strchr (spec, ':');
  g_autofree char *name = g_strndup (spec, colon ? (gsize)(colon - spec) : strlen (spec));
  gsize len = strlen (name);

  *prefix = 0;
  if (colon != NULL)
    *prefix = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
  if (len > 0 && name[len - 1] == '*')
    name[len - 1] = '\0';

  return g_strstrip (g_steal_pointer (&name));
}

GStrv
confab_mcp_uri_template_get_variables (const char *uri_template)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *p = uri_template;

  g_return_val_if_fail (uri_template != NULL, NULL);

  while ((p = strchr (p, '{')) != NULL)
    {
      const char *end = strchr (p, '}');
      g_autofree char *expression = NULL;
      g_auto(GStrv) specs = NULL;
      const char *body;

      if (end == NULL)
        break;

      expression = g_strndup (p + 1, end - p - 1);
      body = expression;
      find_operator (&body);
      specs = g_strsplit (body, ",", -1);
      for (guint i = 0; specs[i] != NULL; i++)
        {
          guint prefix;
          char *name = parse_varspec (specs[i], &prefix);

          if (*name != '\0' && !g_hash_table_contains (seen, name))
            {
              g_strv_builder_add (builder, name);
              g_hash_table_add (seen, name);
            }
          else
            g_free (name);
        }

      p = end + 1;
    }

  return g_strv_builder_end (builder);
}

char *
confab_mcp_uri_template_expand (const char *uri_template,
                                JsonObject *values)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = uri_template;

  g_return_val_if_fail (uri_template != NULL, NULL);

  while (*p != '\0')
    {
      const char *end;
      g_autofree char *expression = NULL;
      g_auto(GStrv) specs = NULL;
      const Operator *op;
      const char *body;
      gboolean first = TRUE;

      if (*p != '{' || (end = strchr (p, '}')) == NULL)
        {
          g_string_append_c (out, *p++);
          continue;
        }

      expression = g_strndup (p + 1, end - p - 1);
      body = expression;
      op = find_operator (&body);
      specs = g_strsplit (body, ",", -1);

      for (guint i = 0; specs[i] != NULL; i++)
        {
          guint prefix;
          g_autofree char *name = parse_varspec (specs[i], &prefix);
          const char *value = values ? _confab_json_get_string (values, name, NULL) : NULL;
          g_autofree char *cut = NULL;
          g_autofree char *escaped = NULL;

          if (value == NULL)
            continue;

          if (prefix > 0 && g_utf8_strlen (value, -1) > prefix)
            cut = g_utf8_substring (value, 0, prefix);

          escaped = g_uri_escape_string (cut ? cut : value,
                                         op->reserved ? ":/?#[]@!$&'()*+,;=%" : NULL, FALSE);

          g_string_append (out, first ? op->first : op->sep);
          first = FALSE;

          if (op->named)
            {
              g_string_append (out, name);
              if (*value == '\0')
                {
                  g_string_append (out, op->if_empty);
                  continue;
                }
              g_string_append_c (out, '=');
            }
          g_string_append (out, escaped);
        }

      p = end + 1;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
