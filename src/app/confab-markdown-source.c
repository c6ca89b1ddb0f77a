/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-markdown-source"

#include "config.h"

#include "confab-markdown-source.h"

void
confab_markdown_source_init (ConfabMarkdownSource *self)
{
  *self = (ConfabMarkdownSource) { g_string_new (NULL), 0, NULL, NULL, NULL };
}

void
confab_markdown_source_clear (ConfabMarkdownSource *self)
{
  if (self->held != NULL)
    g_string_free (self->held, TRUE);
  self->held = NULL;
  if (self->destroy != NULL)
    self->destroy (self->data);
  self->func = NULL;
  self->data = NULL;
  self->destroy = NULL;
}

void
confab_markdown_source_reset (ConfabMarkdownSource *self)
{
  g_string_truncate (self->held, 0);
  self->base = 0;
}

void
confab_markdown_source_append (ConfabMarkdownSource *self,
                               const char           *text,
                               gsize                 len)
{
  g_string_append_len (self->held, text, len);
}

gsize
confab_markdown_source_get_len (const ConfabMarkdownSource *self)
{
  return self->base + self->held->len;
}

const char *
confab_markdown_source_at (const ConfabMarkdownSource *self,
                           gsize                       offset)
{
  g_assert (offset >= self->base && offset <= self->base + self->held->len);
  return self->held->str + (offset - self->base);
}

gsize
confab_markdown_source_get_base (const ConfabMarkdownSource *self)
{
  return self->base;
}

gsize
confab_markdown_source_get_held (const ConfabMarkdownSource *self)
{
  return self->held->len;
}

/* A GString grows by doubling: give back what it will not use. Its fields are public;
 * GLib grows it again from allocated_len if need be. */
static void
shrink_to_fit (GString *string)
{
  if (string->allocated_len > string->len + 1)
    {
      string->str = g_realloc (string->str, string->len + 1);
      string->allocated_len = string->len + 1;
    }
}

void
confab_markdown_source_release (ConfabMarkdownSource *self,
                                gsize                 keep_from)
{
  gsize drop, kept;

  if (self->func == NULL || keep_from <= self->base)
    return;

  drop = MIN (keep_from - self->base, self->held->len);
  kept = self->held->len - drop;
  /* Moving the kept part costs no more than what is dropped. */
  if (drop < kept)
    return;

  g_string_erase (self->held, 0, drop);
  self->base += drop;

  /* An allocation much larger than what is kept (a text set at once). */
  if (self->held->allocated_len > 4096 && self->held->allocated_len / 4 > self->held->len + 1)
    shrink_to_fit (self->held);
}

void
confab_markdown_source_shrink (ConfabMarkdownSource *self)
{
  shrink_to_fit (self->held);
}

const char *
confab_markdown_source_get_text (const ConfabMarkdownSource *self)
{
  const char *text;

  if (self->func == NULL)
    return self->held->str;

  text = self->func (self->data);
  return text != NULL ? text : "";
}

void
confab_markdown_source_set_func (ConfabMarkdownSource     *self,
                                 ConfabMarkdownSourceFunc  func,
                                 gpointer                  user_data,
                                 GDestroyNotify            destroy)
{
  if (self->destroy != NULL)
    self->destroy (self->data);
  self->func = func;
  self->data = user_data;
  self->destroy = destroy;
}

gboolean
confab_markdown_source_has_func (const ConfabMarkdownSource *self)
{
  return self->func != NULL;
}
