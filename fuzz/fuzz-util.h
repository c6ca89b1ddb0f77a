/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <string.h>

/* json-glib 1.6.6 (Debian 12) accepts a second top-level object or array after the first
 * value ("{…}{…}", "[1][2]", "2{…}"): json_parser_load_from_data() succeeds with the first
 * value as root and leaks the rest inside the parser. LeakSanitizer cannot be told apart
 * from Confab's own leaks there (GLib has no frame pointers, so the fast unwinder stops at
 * g_malloc), so targets skip inputs where a document has such a second value. This is a
 * harness filter, not a JSON parser: it only finds where the first top-level value ends
 * and looks at the next character. */
static inline gboolean
fuzz_json_has_extra_root (const char *text,
                          gsize       len)
{
  gsize i = 0;
  int depth = 0;

  while (i < len && g_ascii_isspace (text[i]))
    i++;
  if (i == len)
    return FALSE;

  if (text[i] == '{' || text[i] == '[')
    {
      gboolean in_string = FALSE;

      for (; i < len; i++)
        {
          char c = text[i];

          if (in_string)
            {
              if (c == '\\')
                i++;
              else if (c == '"')
                in_string = FALSE;
            }
          else if (c == '"')
            in_string = TRUE;
          else if (c == '{' || c == '[')
            depth++;
          else if (c == '}' || c == ']')
            {
              if (--depth == 0)
                {
                  i++;
                  break;
                }
            }
        }
    }
  else if (text[i] == '"')
    {
      for (i++; i < len && text[i] != '"'; i++)
        if (text[i] == '\\')
          i++;
      i++;
    }
  else
    {
      while (i < len && !g_ascii_isspace (text[i]) && strchr ("{}[],:\"", text[i]) == NULL)
        i++;
    }

  /* json-glib's scanner skips comments and a second value may follow anything; be
   * conservative: any object or array after the first value. */
  if (i >= len)
    return FALSE;
  return memchr (text + i, '{', len - i) != NULL || memchr (text + i, '[', len - i) != NULL;
}
