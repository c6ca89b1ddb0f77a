/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-json"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-error.h"
#include "confab-json-private.h"

/* What may stand outside strings in strict JSON: anything else (a comment, a single quote)
 * means json-glib reads the text more leniently than this count could follow. */
static gboolean
is_strict_outside (guchar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
         c == ',' || c == ':' || c == '-' || c == '+' || c == '.' ||
         g_ascii_isalnum (c);
}

static inline int
hex_value (char c)
{
  return g_ascii_xdigit_value (c);
}

/* The code unit of a \uXXXX escape at @p (pointing at the backslash), or -1. */
static inline int
unicode_escape (const char *p,
                const char *end)
{
  int value = 0;

  if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
    return -1;

  for (guint i = 2; i < 6; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

gboolean
_confab_json_check_depth (const char  *data,
                          gsize        len,
                          GError     **error)
{
  guint depth = 0;
  gsize i = 0;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  for (; i < len; i++)
    {
      guchar c = data[i];

      if (c == '{' || c == '[')
        {
          if (++depth > CONFAB_JSON_MAX_DEPTH)
            goto too_deep;
        }
      else if (c == '}' || c == ']')
        {
          if (depth > 0)
            depth--;
        }
      else if (c == '"')
        {
          gsize start = i;
          gboolean malformed = FALSE;

          /* Skip the string: a backslash takes the next byte with it. An open string
           * swallows the rest: json-glib refuses that text anyway. json-glib's \u takes
           * four characters whatever they are (a quote too): a short one ends the count
           * of strings. */
          for (i++; i < len && data[i] != '"'; i++)
            if (data[i] == '\\')
              {
                if (i + 1 < len && data[i + 1] == 'u' && unicode_escape (data + i, data + len) < 0)
                  {
                    malformed = TRUE;
                    break;
                  }
                i++;
              }

          if (malformed)
            {
              i = start;
              break;
            }
        }
      else if (!is_strict_outside (c))
        {
          break;
        }
    }

  /* Text that is not strict JSON from here on (a comment, a single quote, a short \u
   * escape): a bracket in a comment or a string cannot be told from one outside, so every
   * bracket opened from here on counts. */
  for (; i < len; i++)
    if ((data[i] == '{' || data[i] == '[') && ++depth > CONFAB_JSON_MAX_DEPTH)
      goto too_deep;

  return TRUE;

too_deep:
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
               _("The JSON is nested more than %u levels deep"), CONFAB_JSON_MAX_DEPTH);
  return FALSE;
}

/* Skips blanks and the comments json-glib reads (slash-star ones) from @i; returns where
 * the next token starts. */
static gsize
skip_blank (const char *data,
            gsize       len,
            gsize       i)
{
  while (i < len)
    {
      if (g_ascii_isspace (data[i]))
        {
          i++;
        }
      else if (data[i] == '/' && i + 1 < len && data[i + 1] == '*')
        {
          const char *end = g_strstr_len (data + i + 2, len - i - 2, "*/");

          i = end != NULL ? (gsize) (end - data) + 2 : len;
        }
      else
        {
          break;
        }
    }

  return i;
}

/* Where the string starting at @i (on its quote) ends, one past the closing quote. As
 * json-glib's scanner reads them: a double-quoted string takes escapes, a single-quoted
 * one ends at the next single quote. */
static gsize
skip_string (const char *data,
             gsize       len,
             gsize       i)
{
  char quote = data[i];

  for (i++; i < len && data[i] != quote; i++)
    if (quote == '"' && data[i] == '\\')
      i++;

  return MIN (i + 1, len);
}

gboolean
_confab_json_check_single_value (const char  *data,
                                 gsize        len,
                                 GError     **error)
{
  gsize i;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  i = skip_blank (data, len, 0);
  if (i == len)
    return TRUE;

  if (data[i] == '{' || data[i] == '[')
    {
      guint depth = 0;

      while (i < len)
        {
          char c = data[i];

          if (c == '"' || c == '\'')
            {
              i = skip_string (data, len, i);
              continue;
            }
          if (c == '/' && i + 1 < len && data[i + 1] == '*')
            {
              i = skip_blank (data, len, i);
              continue;
            }

          i++;
          if (c == '{' || c == '[')
            depth++;
          else if ((c == '}' || c == ']') && --depth == 0)
            break;
        }
    }
  else if (data[i] == '"' || data[i] == '\'')
    {
      i = skip_string (data, len, i);
    }
  else
    {
      while (i < len && !g_ascii_isspace (data[i]) && strchr ("{}[],:\"'/", data[i]) == NULL)
        i++;
    }

  if (skip_blank (data, len, i) == len)
    return TRUE;

  g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                       _("The JSON has something after its value"));
  return FALSE;
}

char *
_confab_json_sanitize_escapes (const char *data,
                               gsize       len,
                               gsize      *out_len,
                               gboolean   *short_escape)
{
  const char *end = data + len;
  const char *copied = data;   /* what is already in @out */
  const char *p = data;
  GString *out = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  while (p < end && (p = memchr (p, '\\', end - p)) != NULL)
    {
      int unit = unicode_escape (p, end);
      gboolean bad = FALSE;
      gsize escape_len = 2;

      if (unit < 0 && short_escape != NULL && p + 1 < end && p[1] == 'u')
        *short_escape = TRUE;

      if (unit >= 0)
        {
          escape_len = 6;
          if (unit == 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
            {
              bad = TRUE;
            }
          else if (unit >= 0xD800 && unit <= 0xDBFF)
            {
              int low = unicode_escape (p + 6, end);

              if (low >= 0xDC00 && low <= 0xDFFF)
                escape_len = 12;   /* a pair: one character */
              else
                bad = TRUE;
            }
        }

      if (bad)
        {
          if (out == NULL)
            out = g_string_sized_new (len);
          g_string_append_len (out, copied, p - copied);
          g_string_append (out, "\\ufffd");
          copied = p + escape_len;
        }

      /* A backslash takes the next byte (or the whole \u escape) with it. */
      p += MIN (escape_len, (gsize) (end - p));
    }

  if (out == NULL)
    return NULL;

  g_string_append_len (out, copied, end - copied);
  if (out_len != NULL)
    *out_len = out->len;

  return g_string_free (out, FALSE);
}

gboolean
_confab_json_parser_load_untrusted (JsonParser  *parser,
                                    const char  *data,
                                    gssize       len,
                                    GError     **error)
{
  g_autofree char *sanitized = NULL;
  gsize sanitized_len = 0;
  gboolean short_escape = FALSE;

  g_return_val_if_fail (JSON_IS_PARSER (parser), FALSE);
  g_return_val_if_fail (data != NULL || len <= 0, FALSE);

  if (len < 0)
    len = data != NULL ? strlen (data) : 0;

  /* The depth is counted on the text json-glib reads. */
  sanitized = _confab_json_sanitize_escapes (data, len, &sanitized_len, &short_escape);

  /* json-glib reads a \u with fewer than four hex digits its own way (taking a quote with
   * it, and leaking memory when it fails): invalid JSON, refused here. */
  if (short_escape)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           _("a \\u escape without four hex digits"));
      return FALSE;
    }

  if (sanitized != NULL)
    {
      data = sanitized;
      len = sanitized_len;
    }

  if (!_confab_json_check_depth (data, len, error) ||
      !_confab_json_check_single_value (data, len, error))
    return FALSE;

  return json_parser_load_from_data (parser, data != NULL ? data : "", len, error);
}

JsonNode *
_confab_json_from_untrusted (const char  *text,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!_confab_json_parser_load_untrusted (parser, text != NULL ? text : "", -1, error))
    return NULL;

  if ((root = json_parser_get_root (parser)) == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, _("The JSON is empty"));
      return NULL;
    }

  return json_node_ref (root);
}
