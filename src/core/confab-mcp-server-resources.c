/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-mcp-server-private.h"

/* Resources and prompts of a server: resources/list (all pages), resources/read,
 * prompts/list (all pages), prompts/get. A server that does not offer them (it answers
 * "Method not found") lists none. Lists are bounded: MAX_PAGES pages, MAX_ITEMS items. */

#define MAX_PAGES 100
#define MAX_ITEMS 10000

typedef struct
{
  char      *method;
  char      *member;
  char      *cursor;
  JsonArray *items;
  guint      pages;
} ListData;

static void
list_data_free (ListData *data)
{
  g_free (data->method);
  g_free (data->member);
  g_free (data->cursor);
  g_clear_pointer (&data->items, json_array_unref);
  g_free (data);
}

static void list_next_page (GTask *task);

static void
return_items (GTask *task)
{
  ListData *data = g_task_get_task_data (task);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_set_array (node, data->items);
  g_task_return_pointer (task, node, (GDestroyNotify)json_node_unref);
}

static void
on_page (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *items;
  const char *next;

  node = _confab_mcp_server_request_finish (result, &error);
  if (node == NULL)
    {
      /* Not offered: nothing to list. */
      if (error->domain == CONFAB_ERROR && strstr (error->message, "(-32601)") != NULL)
        return_items (task);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  items = JSON_NODE_HOLDS_OBJECT (node) ? _confab_json_get_array (json_node_get_object (node), data->member) : NULL;
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);

      if (JSON_NODE_HOLDS_OBJECT (item) && json_array_get_length (data->items) < MAX_ITEMS)
        json_array_add_element (data->items, json_node_copy (item));
    }

  next = JSON_NODE_HOLDS_OBJECT (node) ? _confab_json_get_string (json_node_get_object (node), "nextCursor", NULL) : NULL;
  if (next == NULL || *next == '\0' || g_strcmp0 (next, data->cursor) == 0 ||
      ++data->pages >= MAX_PAGES || json_array_get_length (data->items) >= MAX_ITEMS)
    {
      return_items (task);
      return;
    }

  g_free (data->cursor);
  data->cursor = g_strdup (next);
  list_next_page (g_steal_pointer (&task));
}

static void
list_next_page (GTask *task)
{
  ConfabMcpServer *self = g_task_get_source_object (task);
  ListData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) params = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  if (data->cursor != NULL)
    json_object_set_string_member (params, "cursor", data->cursor);
  json_node_set_object (node, params);

  _confab_mcp_server_request_async (self, data->method, node, g_task_get_cancellable (task),
                                    on_page, task);
}

static void
list_async (ConfabMcpServer     *self,
            const char          *method,
            const char          *member,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ListData *data = g_new0 (ListData, 1);

  g_task_set_source_tag (task, source_tag);
  data->method = g_strdup (method);
  data->member = g_strdup (member);
  data->items = json_array_new ();
  g_task_set_task_data (task, data, (GDestroyNotify)list_data_free);

  list_next_page (task);
}

static void
on_answer (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabMcpServer *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = _confab_mcp_server_request_finish (result, &error);
  if (node == NULL)
    g_task_return_error (task, error);
  else if (!JSON_NODE_HOLDS_OBJECT (node))
    g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_MCP,
                             _("MCP server “%s” answered %s with something that is not an object"),
                             confab_mcp_server_get_name (self), (const char *)g_task_get_task_data (task));
  else
    g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify)json_node_unref);
}

static void
request_async (ConfabMcpServer     *self,
               const char          *method,
               JsonObject          *params,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_strdup (method), g_free);
  json_node_set_object (node, params);

  _confab_mcp_server_request_async (self, method, node, cancellable, on_answer, task);
}

static JsonNode *
finish (ConfabMcpServer  *self,
        GAsyncResult     *result,
        GError          **error)
{
  g_return_val_if_fail (CONFAB_IS_MCP_SERVER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
confab_mcp_server_list_resources_async (ConfabMcpServer     *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));
  list_async (self, "resources/list", "resources", confab_mcp_server_list_resources_async,
              cancellable, callback, user_data);
}

JsonNode *
confab_mcp_server_list_resources_finish (ConfabMcpServer  *self,
                                         GAsyncResult     *result,
                                         GError          **error)
{
  return finish (self, result, error);
}

void
confab_mcp_server_read_resource_async (ConfabMcpServer     *self,
                                       const char          *uri,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();

  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));
  g_return_if_fail (uri != NULL);

  json_object_set_string_member (params, "uri", uri);
  request_async (self, "resources/read", params, confab_mcp_server_read_resource_async,
                 cancellable, callback, user_data);
}

JsonNode *
confab_mcp_server_read_resource_finish (ConfabMcpServer  *self,
                                        GAsyncResult     *result,
                                        GError          **error)
{
  return finish (self, result, error);
}

void
confab_mcp_server_list_prompts_async (ConfabMcpServer     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));
  list_async (self, "prompts/list", "prompts", confab_mcp_server_list_prompts_async,
              cancellable, callback, user_data);
}

JsonNode *
confab_mcp_server_list_prompts_finish (ConfabMcpServer  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  return finish (self, result, error);
}

void
confab_mcp_server_get_prompt_async (ConfabMcpServer     *self,
                                    const char          *name,
                                    JsonNode            *arguments,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();

  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));
  g_return_if_fail (name != NULL);

  json_object_set_string_member (params, "name", name);
  if (arguments != NULL && JSON_NODE_HOLDS_OBJECT (arguments))
    json_object_set_member (params, "arguments", json_node_copy (arguments));
  request_async (self, "prompts/get", params, confab_mcp_server_get_prompt_async,
                 cancellable, callback, user_data);
}

JsonNode *
confab_mcp_server_get_prompt_finish (ConfabMcpServer  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  return finish (self, result, error);
}

void
confab_mcp_server_list_resource_templates_async (ConfabMcpServer     *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));
  list_async (self, "resources/templates/list", "resourceTemplates",
              confab_mcp_server_list_resource_templates_async, cancellable, callback, user_data);
}

JsonNode *
confab_mcp_server_list_resource_templates_finish (ConfabMcpServer  *self,
                                                  GAsyncResult     *result,
                                                  GError          **error)
{
  return finish (self, result, error);
}

void
confab_mcp_server_subscribe_resource_async (ConfabMcpServer     *self,
                                            const char          *uri,
                                            gboolean             subscribe,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();

  g_return_if_fail (CONFAB_IS_MCP_SERVER (self));
  g_return_if_fail (uri != NULL);

  json_object_set_string_member (params, "uri", uri);
  request_async (self, subscribe ? "resources/subscribe" : "resources/unsubscribe", params,
                 confab_mcp_server_subscribe_resource_async, cancellable, callback, user_data);
}

gboolean
confab_mcp_server_subscribe_resource_finish (ConfabMcpServer  *self,
                                             GAsyncResult     *result,
                                             GError          **error)
{
  g_autoptr(JsonNode) node = finish (self, result, error);

  return node != NULL;
}

void
_confab_mcp_server_resource_updated (ConfabMcpServer *self,
                                     JsonNode        *params)
{
  const char *uri = NULL;

  if (params != NULL && JSON_NODE_HOLDS_OBJECT (params))
    uri = _confab_json_get_string (json_node_get_object (params), "uri", NULL);

  if (uri != NULL && *uri != '\0')
    g_signal_emit_by_name (self, "resource-updated", uri);
}

static void
append_block (GString    *out,
              const char *text)
{
  if (out->len > 0)
    g_string_append (out, "\n\n");
  g_string_append (out, text);
}

char *
confab_mcp_resource_result_to_text (JsonNode *result)
{
  g_autoptr(GString) out = g_string_new (NULL);
  JsonArray *contents;

  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
    return g_strdup ("");

  contents = _confab_json_get_array (json_node_get_object (result), "contents");
  for (guint i = 0; contents != NULL && i < json_array_get_length (contents); i++)
    {
      JsonNode *node = json_array_get_element (contents, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *text = item ? _confab_json_get_string (item, "text", NULL) : NULL;
      const char *blob = item ? _confab_json_get_string (item, "blob", NULL) : NULL;

      if (text != NULL)
        append_block (out, text);
      else if (blob != NULL)
        {
          g_autofree char *described = g_strdup_printf ("[%s: %s, %zu bytes]",
                                                        _confab_json_get_string (item, "uri", "resource"),
                                                        _confab_json_get_string (item, "mimeType", "binary"),
                                                        strlen (blob) / 4 * 3);
          append_block (out, described);
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

GPtrArray *
confab_mcp_resource_result_to_images (JsonNode                     *result,
                                      const ConfabAttachmentLimits *limits,
                                      GError                      **error)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *contents = NULL;

  if (result != NULL && JSON_NODE_HOLDS_OBJECT (result))
    contents = _confab_json_get_array (json_node_get_object (result), "contents");

  for (guint i = 0; contents != NULL && i < json_array_get_length (contents); i++)
    {
      JsonNode *node = json_array_get_element (contents, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *blob = item ? _confab_json_get_string (item, "blob", NULL) : NULL;
      const char *mime_type = item ? _confab_json_get_string (item, "mimeType", "") : "";
      const char *uri = item ? _confab_json_get_string (item, "uri", "resource") : NULL;
      g_autofree char *name = NULL;
      g_autoptr(GBytes) bytes = NULL;
      ConfabAttachment *image;
      guchar *data;
      gsize length;

      if (blob == NULL || !g_str_has_prefix (mime_type, "image/"))
        continue;

      name = g_path_get_basename (uri);
      data = g_base64_decode (blob, &length);
      bytes = g_bytes_new_take (data, length);
      image = confab_attachment_new_from_bytes (name, mime_type, bytes, limits, error);
      if (image == NULL)
        return NULL;
      g_ptr_array_add (images, image);
    }

  return g_steal_pointer (&images);
}

char *
confab_mcp_resource_heading (const char *uri,
                             const char *server_name)
{
  /* Translators: a resource from an MCP server put into a message: its URI and server */
  return g_strdup_printf (_("Resource %s from “%s”:"), uri, server_name);
}

char *
confab_mcp_resource_block (const char *uri,
                           const char *server_name,
                           JsonNode   *result)
{
  g_autofree char *heading = confab_mcp_resource_heading (uri, server_name);
  g_autofree char *text = confab_mcp_resource_result_to_text (result);

  return g_strconcat (heading, "\n", text, NULL);
}

char *
confab_mcp_prompt_result_to_text (JsonNode *result)
{
  g_autoptr(GString) out = g_string_new (NULL);
  JsonArray *messages;

  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
    return g_strdup ("");

  messages = _confab_json_get_array (json_node_get_object (result), "messages");
  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    {
      JsonNode *node = json_array_get_element (messages, i);
      JsonObject *message = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *content = message ? _confab_json_get_object (message, "content") : NULL;
      const char *type = content ? _confab_json_get_string (content, "type", NULL) : NULL;

      if (g_strcmp0 (type, "text") == 0)
        append_block (out, _confab_json_get_string (content, "text", ""));
      else if (g_strcmp0 (type, "resource") == 0)
        {
          JsonObject *resource = _confab_json_get_object (content, "resource");
          const char *text = resource ? _confab_json_get_string (resource, "text", NULL) : NULL;

          if (text != NULL)
            append_block (out, text);
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
