/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-escape"

#include "config.h"

#include <string.h>

#include "confab-escape.h"

/* A terminal interprets C0 controls (ESC starts CSI, OSC 52 clipboard writes, title
 * changes; CR and BS overwrite what is shown), DEL and C1 controls (U+009B is a one-byte CSI
 * for some terminals); bidi controls reorder what is shown, so the text read is not the
 * text run. Each is shown as its code instead. */

static gboolean
is_unsafe_char (gunichar c)
{
  return ((c >= 0x80 && c <= 0x9F) ||
          (c >= 0x202A && c <= 0x202E) ||
          (c >= 0x2066 && c <= 0x2069));
}

static gboolean
is_unsafe_byte (guchar            byte,
                ConfabEscapeFlags flags)
{
  if ((flags & CONFAB_ESCAPE_KEEP_NEWLINES) != 0 && (byte == '\n' || byte == '\t'))
    return FALSE;

  return byte < 0x20 || byte == 0x7F;
}

/* Walks @text; with @out NULL, stops at the first thing to escape and says so. */
static gboolean
escape_into (GString           *out,
             const char        *text,
             gsize              len,
             ConfabEscapeFlags  flags)
{
  const char *p = text;
  const char *end = text + len;

  while (p < end)
    {
      guchar byte = (guchar) *p;
      gunichar c;
      const char *next;

      if (byte < 0x80)
        {
          if (is_unsafe_byte (byte, flags))
            {
              if (out == NULL)
                return TRUE;
              g_string_append_printf (out, "\\x%02x", byte);
            }
          else if (out != NULL)
            g_string_append_c (out, (char) byte);
          p++;
          continue;
        }

      c = g_utf8_get_char_validated (p, end - p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8: the byte, never a half character a terminal might complete. */
          if (out == NULL)
            return TRUE;
          g_string_append_printf (out, "\\x%02x", byte);
          p++;
          continue;
        }

      next = g_utf8_next_char (p);
      if (is_unsafe_char (c))
        {
          if (out == NULL)
            return TRUE;
          g_string_append_printf (out, "U+%04X", c);
        }
      else if (out != NULL)
        g_string_append_len (out, p, next - p);
      p = next;
    }

  return FALSE;
}

gboolean
confab_escape_needed (const char        *text,
                      gssize             len,
                      ConfabEscapeFlags  flags)
{
  if (text == NULL)
    return FALSE;
  if (len < 0)
    len = strlen (text);

  return escape_into (NULL, text, len, flags);
}

char *
confab_escape_text (const char        *text,
                    gssize             len,
                    ConfabEscapeFlags  flags)
{
  GString *out;

  if (text == NULL)
    return NULL;
  if (len < 0)
    len = strlen (text);

  if (!escape_into (NULL, text, len, flags))
    return g_strndup (text, len);

  out = g_string_sized_new (len + 16);
  escape_into (out, text, len, flags);

  return g_string_free (out, FALSE);
}
