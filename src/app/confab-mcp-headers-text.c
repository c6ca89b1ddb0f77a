/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-headers-text"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "confab-mcp-headers-text.h"

static gboolean
is_header_name (const char *text,
                gsize       length)
{
  if (length == 0)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (text[i]) && strchr ("!#$%&'*+-.^_`|~", text[i]) == NULL)
      return FALSE;

  return TRUE;
}

/* The colon after the header name a word starts: "X-Team:" (or "X-Team:alpha" when
 * @inline_value), else NULL. A URL in a value ("https://…") has more after its colon. */
static const char *
header_colon (const char *word,
              gboolean    inline_value)
{
  const char *colon = strchr (word, ':');

  if (colon == NULL || !is_header_name (word, colon - word))
    return NULL;
  if (colon[1] != '\0' && !inline_value)
    return NULL;

  return colon;
}

static gboolean
value_needs_quotes (const char *value)
{
  g_auto(GStrv) words = NULL;

  if (strpbrk (value, "\t\n\r'\"\\$`#") != NULL || strstr (value, "  ") != NULL ||
      value[0] == ' ' || g_str_has_suffix (value, " "))
    return TRUE;

  words = g_strsplit (value, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (header_colon (words[i], FALSE) != NULL)
      return TRUE;

  return FALSE;
}

char *
confab_mcp_headers_to_text (const char * const *headers)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      const char *colon = strchr (headers[i], ':');
      const char *value;
      g_autofree char *quoted = NULL;

      if (colon == NULL)
        continue;
      value = colon[1] == ' ' ? colon + 2 : colon + 1;
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_len (text, headers[i], colon + 1 - headers[i]);
      if (*value == '\0')
        continue;
      quoted = value_needs_quotes (value) ? g_shell_quote (value) : NULL;
      g_string_append_printf (text, " %s", quoted ? quoted : value);
    }

  return g_string_free (text, FALSE);
}

gboolean
confab_mcp_headers_from_text (const char  *text,
                              GStrv       *headers_out,
                              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GString *header = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (headers_out != NULL, FALSE);

  if (*text != '\0' && !g_shell_parse_argv (text, NULL, &words, &local_error) &&
      !g_error_matches (local_error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
    {
      /* Translators: "The headers cannot be read: …" */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The headers cannot be read: %s"),
                   local_error->message);
      return FALSE;
    }

  for (guint i = 0; words != NULL && words[i] != NULL; i++)
    {
      const char *colon = header_colon (words[i], header == NULL);

      if (colon != NULL)
        {
          if (header != NULL)
            {
              g_strv_builder_add (builder, header->str);
              g_string_free (header, TRUE);
            }
          header = g_string_new_len (words[i], colon - words[i]);
          g_string_append (header, ": ");
          g_string_append (header, colon + 1);
        }
      else if (header == NULL)
        {
          /* Translators: %s is what was typed in the headers row; keep "Name: value" as
           * the row's title has it. */
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” is not “Name: value”"), words[i]);
          return FALSE;
        }
      else
        {
          if (!g_str_has_suffix (header->str, ": "))
            g_string_append_c (header, ' ');
          g_string_append (header, words[i]);
        }
    }
  if (header != NULL)
    {
      g_strv_builder_add (builder, header->str);
      g_string_free (header, TRUE);
    }

  *headers_out = g_strv_builder_end (builder);
  return TRUE;
}
