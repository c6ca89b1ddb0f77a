/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-sse-reader"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-error.h"
#include "confab-sse-reader.h"

/* The parsing rules are those of the WHATWG HTML standard, "Server-sent events",
 * section "Interpreting an event stream":
 *
 *  - the stream is UTF-8; one leading BOM is dropped;
 *  - lines end in CRLF, LF or CR (a CRLF split across two feeds is still one end);
 *  - an empty line dispatches the event; a line starting with ':' is a comment;
 *  - "name:value" with one optional space after the colon stripped; a line without a colon
 *    is a field name with an empty value;
 *  - "data" appends the value and a LF to the data buffer, "event" sets the type,
 *    "id" sets the last event id unless the value holds a NUL, "retry" takes ASCII digits only;
 *  - on dispatch an empty data buffer gives no event, otherwise its last LF is removed;
 *  - at the end of the input an event without its blank line is discarded.
 *
 * Bytes are passed through as they are: invalid UTF-8 in a payload is the consumer's
 * business (the delta accumulator rejects it).
 *
 * Speed: complete lines found in the fed chunk are parsed in place; only a line split
 * across feeds is copied into @line. Line ends are found with memchr(), never byte by byte,
 * and every buffer is reused from event to event. */

static const guint8 utf8_bom[] = { 0xEF, 0xBB, 0xBF };

/* What a buffer keeps between lines and events; more is given back once used. */
#define BUFFER_KEEP (64 * 1024)

/* A growable byte buffer, always NUL-terminated, appended to without a function call in
 * the common case (GString's append and truncate are calls in GLib 2.74). */
typedef struct
{
  char  *str;
  gsize  len;
  gsize  allocated;
} Buffer;

static void
buffer_init (Buffer *buffer,
             gsize   size)
{
  buffer->str = g_malloc (size);
  buffer->str[0] = '\0';
  buffer->len = 0;
  buffer->allocated = size;
}

static G_GNUC_NO_INLINE void
buffer_grow (Buffer *buffer,
             gsize   extra)
{
  gsize wanted = buffer->len + extra + 1;

  buffer->allocated = MAX (buffer->allocated * 2, wanted);
  buffer->str = g_realloc (buffer->str, buffer->allocated);
}

static inline void
buffer_append (Buffer     *buffer,
               const char *data,
               gsize       len)
{
  if (G_UNLIKELY (buffer->len + len + 1 > buffer->allocated))
    buffer_grow (buffer, len);
  memcpy (buffer->str + buffer->len, data, len);
  buffer->len += len;
  buffer->str[buffer->len] = '\0';
}

/* Appends @len bytes and a LF, as a "data" line does. */
static inline void
buffer_append_line (Buffer     *buffer,
                    const char *data,
                    gsize       len)
{
  if (G_UNLIKELY (buffer->len + len + 2 > buffer->allocated))
    buffer_grow (buffer, len + 1);
  memcpy (buffer->str + buffer->len, data, len);
  buffer->len += len;
  buffer->str[buffer->len++] = '\n';
  buffer->str[buffer->len] = '\0';
}

static inline void
buffer_truncate (Buffer *buffer,
                 gsize   len)
{
  buffer->len = len;
  buffer->str[len] = '\0';
}

/* Empties the buffer; one that grew for a huge line or event gives the memory back. */
static inline void
buffer_reset (Buffer *buffer)
{
  if (G_UNLIKELY (buffer->allocated > BUFFER_KEEP))
    {
      buffer->allocated = BUFFER_KEEP;
      buffer->str = g_realloc (buffer->str, buffer->allocated);
    }
  buffer_truncate (buffer, 0);
}

struct _ConfabSseReader
{
  ConfabSseEventFunc  func;
  gpointer            user_data;

  Buffer              line;        /* the start of a line split across feeds */
  Buffer              data;        /* the data buffer of the pending event */
  GString            *event_type;  /* the event type buffer of the pending event */
  GString            *last_id;     /* the last event id (kept across events) */
  GError             *error;       /* set once the reader failed: it stays failed */

  gsize               max_line;
  gint64              retry;

  guint               bom_matched; /* bytes of the BOM seen at the very start */
  guint               bom_done : 1;
  guint               skip_lf : 1; /* the last line ended in CR: a LF right after is its end */
};

ConfabSseReader *
confab_sse_reader_new (ConfabSseEventFunc func,
                       gpointer           user_data)
{
  ConfabSseReader *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (ConfabSseReader, 1);
  self->func = func;
  self->user_data = user_data;
  buffer_init (&self->line, 256);
  buffer_init (&self->data, 1024);
  self->event_type = g_string_new (NULL);
  self->last_id = g_string_new (NULL);
  self->max_line = CONFAB_SSE_READER_DEFAULT_MAX_LINE;
  self->retry = -1;

  return self;
}

void
confab_sse_reader_free (ConfabSseReader *self)
{
  if (self == NULL)
    return;

  g_free (self->line.str);
  g_free (self->data.str);
  g_string_free (self->event_type, TRUE);
  g_string_free (self->last_id, TRUE);
  g_clear_error (&self->error);
  g_free (self);
}

void
confab_sse_reader_set_max_line (ConfabSseReader *self,
                                gsize            max_line)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (max_line > 0);

  self->max_line = max_line;
}

gsize
confab_sse_reader_get_max_line (ConfabSseReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->max_line;
}

gint64
confab_sse_reader_get_retry (ConfabSseReader *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->retry;
}

const char *
confab_sse_reader_get_last_event_id (ConfabSseReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->last_id->str;
}

static gboolean
fail (ConfabSseReader  *self,
      GError          **error,
      GError           *reason)
{
  g_assert (self->error == NULL);

  self->error = reason;
  if (error != NULL)
    *error = g_error_copy (reason);

  return FALSE;
}

/* @what_format is a translated message with one %s for the limit ("16.0 MiB"). */
static G_GNUC_NO_INLINE gboolean
fail_too_long (ConfabSseReader  *self,
               GError          **error,
               const char       *what_format)
{
  g_autofree char *limit = g_format_size_full (self->max_line, G_FORMAT_SIZE_IEC_UNITS);

  return fail (self, error,
               g_error_new (CONFAB_ERROR, CONFAB_ERROR_LINE_TOO_LONG, what_format, limit));
}

static gboolean
fail_line_too_long (ConfabSseReader  *self,
                    GError          **error)
{
  return fail_too_long (self, error,
                        _("The server sent a line longer than the limit of %s; the stream was stopped"));
}

static gboolean
dispatch (ConfabSseReader  *self,
          GError          **error)
{
  ConfabSseEvent event;
  GError *local_error = NULL;

  if (self->data.len == 0)
    {
      g_string_truncate (self->event_type, 0);
      return TRUE;
    }

  /* Every "data" line appended a LF: the last one is not part of the data. */
  buffer_truncate (&self->data, self->data.len - 1);

  event.event = self->event_type->len > 0 ? self->event_type->str : "message";
  event.data = self->data.str;
  event.data_len = self->data.len;
  event.id = self->last_id->str;

  if (!self->func (&event, self->user_data, &local_error))
    {
      if (local_error == NULL)
        local_error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_FAILED,
                                           _("Reading the event stream was stopped"));
      return fail (self, error, local_error);
    }

  buffer_reset (&self->data);
  if (self->event_type->len > 0)
    g_string_truncate (self->event_type, 0);

  return TRUE;
}

static gboolean
parse_retry (const char *value,
             gsize       len,
             gint64     *retry)
{
  guint64 n = 0;

  if (len == 0)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      guint digit = (guchar) value[i] - '0';

      if (digit > 9)
        return FALSE;
      if (n > ((guint64) G_MAXINT64 - digit) / 10)
        return FALSE;
      n = n * 10 + digit;
    }

  *retry = (gint64) n;
  return TRUE;
}

/* One line, without its end. */
static inline gboolean
process_line (ConfabSseReader  *self,
              const char       *line,
              gsize             len,
              GError          **error)
{
  const char *colon;
  const char *value;
  gsize name_len;
  gsize value_len;

  if (len == 0)
    return dispatch (self, error);

  if (line[0] == ':')
    return TRUE;

  /* Only "id", "data", "event" and "retry" mean something: a colon further in than the
   * longest of them belongs to a field that is ignored anyway. */
  colon = NULL;
  for (gsize i = 0; i < MIN (len, 6); i++)
    if (line[i] == ':')
      {
        colon = line + i;
        break;
      }

  if (colon != NULL)
    {
      name_len = colon - line;
      value = colon + 1;
      value_len = len - name_len - 1;
      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }
    }
  else
    {
      name_len = len;
      value = line + len;
      value_len = 0;
    }

  switch (name_len)
    {
    case 4:
      if (memcmp (line, "data", 4) == 0)
        {
          /* The event's data is bounded like a line, so many lines cannot add up to an
           * unbounded buffer either. */
          if (G_UNLIKELY (self->data.len + value_len > self->max_line))
            return fail_too_long (self, error,
                                  _("The server sent an event longer than the limit of %s; the stream was stopped"));
          buffer_append_line (&self->data, value, value_len);
        }
      break;

    case 5:
      if (memcmp (line, "event", 5) == 0)
        {
          g_string_truncate (self->event_type, 0);
          g_string_append_len (self->event_type, value, value_len);
        }
      else if (memcmp (line, "retry", 5) == 0)
        {
          parse_retry (value, value_len, &self->retry);
        }
      break;

    case 2:
      if (memcmp (line, "id", 2) == 0 && memchr (value, '\0', value_len) == NULL)
        {
          g_string_truncate (self->last_id, 0);
          g_string_append_len (self->last_id, value, value_len);
        }
      break;

    default:
      break;
    }

  return TRUE;
}

static gboolean
feed_lines (ConfabSseReader  *self,
            const char       *data,
            gsize             len,
            GError          **error)
{
  const char *p = data;
  const char *end = data + len;
  const char *lf = NULL;  /* the next LF at or after p (end when none), once looked up */
  const char *cr = NULL;  /* the same for CR */

  if (self->skip_lf && p < end)
    {
      self->skip_lf = FALSE;
      if (*p == '\n')
        p++;
    }

  while (p < end)
    {
      const char *eol;

      /* The next LF and the next CR are each looked up once and reused until passed: a
       * chunk is scanned about once for each, whatever mix of line ends it has (a stream
       * without CR costs a single CR scan per chunk, not one per line). */
      if (lf == NULL || lf < p)
        {
          lf = memchr (p, '\n', end - p);
          if (lf == NULL)
            lf = end;
        }
      if (cr == NULL || cr < p)
        {
          cr = memchr (p, '\r', end - p);
          if (cr == NULL)
            cr = end;
        }

      eol = MIN (cr, lf);

      if (eol == end)
        {
          /* No line end in what is left: keep the start of the line for the next feed. */
          if (G_UNLIKELY (self->line.len + (end - p) > self->max_line))
            return fail_line_too_long (self, error);
          buffer_append (&self->line, p, end - p);
          return TRUE;
        }

      if (self->line.len == 0)
        {
          /* The whole line is in this chunk: parse it in place. */
          if (G_UNLIKELY ((gsize) (eol - p) > self->max_line))
            return fail_line_too_long (self, error);
          if (!process_line (self, p, eol - p, error))
            return FALSE;
        }
      else
        {
          if (G_UNLIKELY (self->line.len + (eol - p) > self->max_line))
            return fail_line_too_long (self, error);
          buffer_append (&self->line, p, eol - p);
          if (!process_line (self, self->line.str, self->line.len, error))
            return FALSE;
          buffer_reset (&self->line);
        }

      p = eol + 1;

      if (*eol == '\r')
        {
          if (p == end)
            {
              /* The LF of a CRLF may come with the next feed. */
              self->skip_lf = TRUE;
              return TRUE;
            }
          if (*p == '\n')
            p++;
        }
    }

  return TRUE;
}

gboolean
confab_sse_reader_feed (ConfabSseReader  *self,
                        const char       *data,
                        gsize             len,
                        GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (G_UNLIKELY (self->error != NULL))
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  if (G_UNLIKELY (!self->bom_done))
    {
      /* A BOM may be split across feeds too: hold its bytes until it is whole or not one. */
      while (len > 0 && self->bom_matched < G_N_ELEMENTS (utf8_bom))
        {
          if ((guchar) *data != utf8_bom[self->bom_matched])
            break;
          self->bom_matched++;
          data++;
          len--;
        }

      if (self->bom_matched == G_N_ELEMENTS (utf8_bom))
        {
          self->bom_done = TRUE;
        }
      else if (len > 0)
        {
          /* Not a BOM after all: the bytes held are ordinary input. */
          self->bom_done = TRUE;
          if (self->bom_matched > 0 &&
              !feed_lines (self, (const char *) utf8_bom, self->bom_matched, error))
            return FALSE;
        }
      else
        {
          return TRUE;
        }
    }

  return feed_lines (self, data, len, error);
}

gboolean
confab_sse_reader_end (ConfabSseReader  *self,
                       GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  /* "If the file ends in the middle of an event, before the final empty line, the
   * incomplete event is not dispatched." The unfinished line goes with it. */
  buffer_reset (&self->line);
  buffer_reset (&self->data);
  g_string_truncate (self->event_type, 0);
  self->skip_lf = FALSE;

  return TRUE;
}
