/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-import"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "confab-error.h"
#include "confab-json-stream-private.h"

/* The only user of yajl's parser for imports: a document is read a block at a time and the
 * elements of a top-level array are built one by one as json-glib trees. */

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
static int
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

static int
on_null (void *ctx)
{
  return add_value (ctx, json_node_new (JSON_NODE_NULL));
}

static int
on_boolean (void *ctx,
            int   value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (node, value);
  return add_value (ctx, node);
}

static int
on_number (void       *ctx,
           const char *text,
           size_t      len)
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
check_utf8 (Reader              *self,
            const unsigned char *text,
            size_t               len)
{
  if (g_utf8_validate_len ((const char *) text, len, NULL))
    return TRUE;

  g_set_error_literal (&self->error, CONFAB_ERROR, CONFAB_ERROR_INVALID_UTF8,
                       _("The file has text that is not valid UTF-8."));
  return FALSE;
}

static int
on_string (void                *ctx,
           const unsigned char *text,
           size_t               len)
{
  JsonNode *node;
  g_autofree char *str = NULL;

  if (!check_utf8 (ctx, text, len))
    return FALSE;

  node = json_node_new (JSON_NODE_VALUE);
  str = g_strndup ((const char *) text, len);

  json_node_set_string (node, str);
  return add_value (ctx, node);
}

static int
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

static int
on_start_map (void *ctx)
{
  return push (ctx, new_object_node ());
}

static int
on_start_array (void *ctx)
{
  return push (ctx, new_array_node ());
}

static int
on_map_key (void                *ctx,
            const unsigned char *key,
            size_t               len)
{
  Reader *self = ctx;
  Frame *top = &g_array_index (self->stack, Frame, self->stack->len - 1);

  if (!check_utf8 (self, key, len))
    return FALSE;

  g_free (top->key);
  top->key = g_strndup ((const char *) key, len);
  return TRUE;
}

static int
on_end (void *ctx)
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

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_map_key,
  .yajl_end_map = on_end,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end,
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
  yajl_handle handle;
  yajl_status status = yajl_status_ok;
  goffset total = 0;
  goffset consumed = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  reader.stack = g_array_new (FALSE, TRUE, sizeof (Frame));
  g_array_set_clear_func (reader.stack, frame_clear);
  reader.func = func;
  reader.user_data = user_data;

  handle = yajl_alloc (&callbacks, NULL, &reader);

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
          status = yajl_complete_parse (handle);
          consumed = total;
          break;
        }

      status = yajl_parse (handle, buffer, n);
      consumed = total + yajl_get_bytes_consumed (handle);
      total += n;
      if (status != yajl_status_ok)
        break;
      if (progress != NULL)
        progress (total, user_data);
    }

  if (ok && status != yajl_status_ok)
    {
      ok = FALSE;
      if (reader.error != NULL)
        g_propagate_error (error, g_steal_pointer (&reader.error));
      else
        {
          unsigned char *detail = yajl_get_error (handle, 0, NULL, 0);

          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT,
                       _("The file is not valid JSON (near byte %lu): %s"),
                       (unsigned long) consumed,
                       g_strstrip ((char *) detail));
          yajl_free_error (handle, detail);
        }
    }
  else if (ok && !reader.root_seen)
    {
      ok = FALSE;
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("The file is empty."));
    }

  g_clear_error (&reader.error);
  yajl_free (handle);
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
