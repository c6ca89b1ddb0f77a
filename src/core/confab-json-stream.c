/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-json-stream"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "confab-error.h"
#include "confab-json-stream-private.h"

/* ------------------------------------------------------------------------------------------
 * The event parser: yajl's callback parser behind Confab's own callbacks
 * ------------------------------------------------------------------------------------------ */

struct _ConfabJsonEventParser
{
  const ConfabJsonEvents *events;
  ConfabJsonEventsFlags   flags;
  gpointer                user_data;
  yajl_handle             handle;
};

static int
yajl_null_cb (void *ctx)
{
  ConfabJsonEventParser *self = ctx;

  return self->events->null (self->user_data);
}

static int
yajl_boolean_cb (void *ctx,
                 int   value)
{
  ConfabJsonEventParser *self = ctx;

  return self->events->boolean (self->user_data, value != 0);
}

static int
yajl_number_cb (void       *ctx,
                const char *text,
                size_t      len)
{
  ConfabJsonEventParser *self = ctx;

  return self->events->number (self->user_data, text, len);
}

static int
yajl_string_cb (void                *ctx,
                const unsigned char *text,
                size_t               len)
{
  ConfabJsonEventParser *self = ctx;

  return self->events->string (self->user_data, (const char *) text, len);
}

static int
yajl_start_map_cb (void *ctx)
{
  ConfabJsonEventParser *self = ctx;

  return self->events->start_object (self->user_data);
}

static int
yajl_map_key_cb (void                *ctx,
                 const unsigned char *key,
                 size_t               len)
{
  ConfabJsonEventParser *self = ctx;

  return self->events->key (self->user_data, (const char *) key, len);
}

static int
yajl_end_map_cb (void *ctx)
{
  ConfabJsonEventParser *self = ctx;

  return self->events->end_object (self->user_data);
}

static int
yajl_start_array_cb (void *ctx)
{
  ConfabJsonEventParser *self = ctx;

  return self->events->start_array (self->user_data);
}

static int
yajl_end_array_cb (void *ctx)
{
  ConfabJsonEventParser *self = ctx;

  return self->events->end_array (self->user_data);
}

/* Numbers come as their text (yajl_number), never converted by yajl. */
static const yajl_callbacks yajl_events = {
  .yajl_null = yajl_null_cb,
  .yajl_boolean = yajl_boolean_cb,
  .yajl_number = yajl_number_cb,
  .yajl_string = yajl_string_cb,
  .yajl_start_map = yajl_start_map_cb,
  .yajl_map_key = yajl_map_key_cb,
  .yajl_end_map = yajl_end_map_cb,
  .yajl_start_array = yajl_start_array_cb,
  .yajl_end_array = yajl_end_array_cb,
};

ConfabJsonEventParser *
_confab_json_event_parser_new (const ConfabJsonEvents *events,
                               ConfabJsonEventsFlags   flags,
                               gpointer                user_data)
{
  ConfabJsonEventParser *self;

  g_return_val_if_fail (events != NULL, NULL);

  self = g_new0 (ConfabJsonEventParser, 1);
  self->events = events;
  self->flags = flags;
  self->user_data = user_data;
  _confab_json_event_parser_reset (self);

  return self;
}

void
_confab_json_event_parser_free (ConfabJsonEventParser *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->handle, yajl_free);
  g_free (self);
}

void
_confab_json_event_parser_reset (ConfabJsonEventParser *self)
{
  g_return_if_fail (self != NULL);

  /* yajl 2 cannot be reset: a document is a new handle. */
  g_clear_pointer (&self->handle, yajl_free);
  self->handle = yajl_alloc (&yajl_events, NULL, self);
  if (self->flags & CONFAB_JSON_EVENTS_TEXT_VALIDATED)
    yajl_config (self->handle, yajl_dont_validate_strings, 1);
}

gboolean
_confab_json_event_parser_feed (ConfabJsonEventParser *self,
                                const char            *data,
                                gsize                  len)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return yajl_parse (self->handle, (const unsigned char *) data, len) == yajl_status_ok;
}

gboolean
_confab_json_event_parser_finish (ConfabJsonEventParser *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return yajl_complete_parse (self->handle) == yajl_status_ok;
}

gsize
_confab_json_event_parser_get_offset (ConfabJsonEventParser *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return yajl_get_bytes_consumed (self->handle);
}

char *
_confab_json_event_parser_get_error (ConfabJsonEventParser *self)
{
  unsigned char *detail;
  char *message;

  g_return_val_if_fail (self != NULL, NULL);

  detail = yajl_get_error (self->handle, 0, NULL, 0);
  message = g_strstrip (g_strdup ((const char *) detail));
  yajl_free_error (self->handle, detail);

  return message;
}

/* ------------------------------------------------------------------------------------------
 * Large documents: a json-glib tree per element of a top-level array
 * ------------------------------------------------------------------------------------------ */

#define BLOCK_SIZE (64 * 1024)
/* Deeper documents are refused: json-glib frees a tree recursively, and no export nests
 * anywhere near this. */
#define MAX_DEPTH 512

typedef struct
{
  JsonNode *node;          /* object or array being built */
  char     *key;           /* the pending member name of an object */
} Frame;

typedef struct
{
  GArray                 *stack;       /* Frame */
  gboolean                top_array;   /* the document is an array: its elements are items */
  gboolean                root_seen;
  ConfabJsonStreamFunc    func;
  gpointer                user_data;
  GError                 *error;
} Reader;

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

static void
frame_clear (gpointer data)
{
  Frame *frame = data;

  g_clear_pointer (&frame->node, json_node_unref);
  g_clear_pointer (&frame->key, g_free);
}

static gboolean
emit (Reader   *self,
      JsonNode *node)
{
  gboolean ok = self->func (node, self->user_data, &self->error);

  json_node_unref (node);
  return ok;
}

/* Puts a finished value (transfer full) where it belongs. */
static gboolean
add_value (Reader   *self,
           JsonNode *node)
{
  Frame *top;

  if (self->stack->len == 0)
    {
      self->root_seen = TRUE;
      return emit (self, node);
    }

  if (self->stack->len == 1 && self->top_array)
    return emit (self, node);

  top = &g_array_index (self->stack, Frame, self->stack->len - 1);
  if (JSON_NODE_HOLDS_ARRAY (top->node))
    json_array_add_element (json_node_get_array (top->node), node);
  else
    {
      json_object_set_member (json_node_get_object (top->node), top->key ? top->key : "", node);
      g_clear_pointer (&top->key, g_free);
    }

  return TRUE;
}

static gboolean
on_null (gpointer ctx)
{
  return add_value (ctx, json_node_new (JSON_NODE_NULL));
}

static gboolean
on_boolean (gpointer ctx,
            gboolean value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (node, value);
  return add_value (ctx, node);
}

static gboolean
on_number (gpointer    ctx,
           const char *text,
           gsize       len)
{
  g_autofree char *str = g_strndup (text, len);
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  char *end = NULL;
  gint64 i;

  i = g_ascii_strtoll (str, &end, 10);
  if (end != NULL && *end == '\0' && strpbrk (str, ".eE") == NULL)
    json_node_set_int (node, i);
  else
    json_node_set_double (node, g_ascii_strtod (str, NULL));

  return add_value (ctx, node);
}

/* yajl lets overlong forms and encoded surrogates by: GLib's check is the strict one. */
static gboolean
check_utf8 (Reader     *self,
            const char *text,
            gsize       len)
{
  if (g_utf8_validate_len (text, len, NULL))
    return TRUE;

  g_set_error_literal (&self->error, CONFAB_ERROR, CONFAB_ERROR_INVALID_UTF8,
                       _("The file has text that is not valid UTF-8."));
  return FALSE;
}

static gboolean
on_string (gpointer    ctx,
           const char *text,
           gsize       len)
{
  JsonNode *node;
  g_autofree char *str = NULL;

  if (!check_utf8 (ctx, text, len))
    return FALSE;

  node = json_node_new (JSON_NODE_VALUE);
  str = g_strndup (text, len);

  json_node_set_string (node, str);
  return add_value (ctx, node);
}

static gboolean
push (Reader   *self,
      JsonNode *node)
{
  Frame frame = { node, NULL };

  if (self->stack->len >= MAX_DEPTH)
    {
      json_node_unref (node);
      g_set_error (&self->error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
                   _("The file nests JSON more than %d levels deep."), MAX_DEPTH);
      return FALSE;
    }

  if (self->stack->len == 0 && !self->root_seen && JSON_NODE_HOLDS_ARRAY (node))
    self->top_array = TRUE;

  g_array_append_val (self->stack, frame);
  return TRUE;
}

static gboolean
on_start_object (gpointer ctx)
{
  return push (ctx, new_object_node ());
}

static gboolean
on_start_array (gpointer ctx)
{
  return push (ctx, new_array_node ());
}

static gboolean
on_key (gpointer    ctx,
        const char *key,
        gsize       len)
{
  Reader *self = ctx;
  Frame *top = &g_array_index (self->stack, Frame, self->stack->len - 1);

  if (!check_utf8 (self, key, len))
    return FALSE;

  g_free (top->key);
  top->key = g_strndup (key, len);
  return TRUE;
}

static gboolean
on_end (gpointer ctx)
{
  Reader *self = ctx;
  Frame *top = &g_array_index (self->stack, Frame, self->stack->len - 1);
  JsonNode *node = g_steal_pointer (&top->node);

  g_array_set_size (self->stack, self->stack->len - 1);

  if (self->stack->len == 0 && self->top_array)
    {
      /* The top-level array itself: its elements went out one by one. */
      json_node_unref (node);
      self->root_seen = TRUE;
      return TRUE;
    }

  return add_value (self, node);
}

static const ConfabJsonEvents tree_events = {
  .null = on_null,
  .boolean = on_boolean,
  .number = on_number,
  .string = on_string,
  .start_object = on_start_object,
  .key = on_key,
  .end_object = on_end,
  .start_array = on_start_array,
  .end_array = on_end,
};

gboolean
_confab_json_stream_read (GInputStream              *stream,
                          ConfabJsonStreamFunc       func,
                          ConfabJsonStreamProgress   progress,
                          gpointer                   user_data,
                          GCancellable              *cancellable,
                          GError                   **error)
{
  Reader reader = { 0 };
  g_autofree guint8 *buffer = g_malloc (BLOCK_SIZE);
  g_autoptr(ConfabJsonEventParser) parser = NULL;
  gboolean parsed = TRUE;
  goffset total = 0;
  goffset consumed = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  reader.stack = g_array_new (FALSE, TRUE, sizeof (Frame));
  g_array_set_clear_func (reader.stack, frame_clear);
  reader.func = func;
  reader.user_data = user_data;

  parser = _confab_json_event_parser_new (&tree_events, CONFAB_JSON_EVENTS_DEFAULT, &reader);

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, BLOCK_SIZE, cancellable, error);

      if (n < 0)
        {
          ok = FALSE;
          break;
        }
      if (n == 0)
        {
          parsed = _confab_json_event_parser_finish (parser);
          consumed = total;
          break;
        }

      parsed = _confab_json_event_parser_feed (parser, (const char *) buffer, n);
      consumed = total + _confab_json_event_parser_get_offset (parser);
      total += n;
      if (!parsed)
        break;
      if (progress != NULL)
        progress (total, user_data);
    }

  if (ok && !parsed)
    {
      ok = FALSE;
      if (reader.error != NULL)
        g_propagate_error (error, g_steal_pointer (&reader.error));
      else
        {
          g_autofree char *detail = _confab_json_event_parser_get_error (parser);

          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
                       _("The file is not valid JSON (near byte %lu): %s"),
                       (unsigned long) consumed, detail);
        }
    }
  else if (ok && !reader.root_seen)
    {
      ok = FALSE;
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("The file is empty."));
    }

  g_clear_error (&reader.error);
  g_array_unref (reader.stack);

  return ok;
}

static gboolean
keep_whole (JsonNode  *item,
            gpointer   user_data,
            GError   **error)
{
  JsonNode **root = user_data;

  /* Only a top-level array hands out more than one item. */
  if (*root != NULL)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("An array was found where an object was expected."));
      return FALSE;
    }
  *root = json_node_ref (item);
  return TRUE;
}

JsonNode *
_confab_json_stream_parse (const char  *data,
                           gssize       len,
                           GError     **error)
{
  g_autoptr(GInputStream) stream = NULL;
  JsonNode *root = NULL;

  if (len < 0)
    len = strlen (data);

  stream = g_memory_input_stream_new_from_data (data, len, NULL);
  if (!_confab_json_stream_read (stream, keep_whole, NULL, &root, NULL, error))
    {
      g_clear_pointer (&root, json_node_unref);
      return NULL;
    }

  return root;
}
