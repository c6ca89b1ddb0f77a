/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-import"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-error.h"
#include "confab-export.h"
#include "confab-import-private.h"
#include "confab-json-stream-private.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

/* Other apps' exports, converted to conversations. Both ChatGPT and Open WebUI keep a tree
 * of messages (every edit and regeneration is a branch) and the node last shown: every
 * branch is imported, and the one last shown is shown (without a node named, the newest);
 * the result counts the conversations that have more than one.
 *
 * ChatGPT (conversations.json, an array):
 *   {"id"|"conversation_id", "title", "create_time" (seconds, float), "update_time",
 *    "current_node", "default_model_slug",
 *    "mapping": {NODE: {"id", "parent", "children": [...],
 *                       "message": null | {"id", "author": {"role", "name"},
 *                                          "create_time", "recipient",
 *                                          "content": {"content_type", "parts" | "text" | ...},
 *                                          "metadata": {"model_slug", "is_visually_hidden_from_conversation"}}}}}
 * Open WebUI (chat export, an array):
 *   {"id", "title", "created_at", "updated_at" (seconds),
 *    "chat": {"models": [...], "history": {"currentId",
 *             "messages": {ID: {"id", "parentId", "childrenIds", "role", "content",
 *                               "timestamp", "model", "usage", "files"}}}}}
 *   Tool calls are in the answer's text as <details type="tool_calls" name= arguments= result=>. */

char *
_confab_import_derive_id (const char *source,
                          const char *id)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) source, -1);
  g_checksum_update (checksum, (const guchar *) ":", 1);
  g_checksum_update (checksum, (const guchar *) id, -1);
  g_checksum_get_digest (checksum, digest, &len);

  /* A name-based (version 5) UUID. */
  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          digest[0], digest[1], digest[2], digest[3], digest[4], digest[5],
                          digest[6], digest[7], digest[8], digest[9], digest[10], digest[11],
                          digest[12], digest[13], digest[14], digest[15]);
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

/* Times after this (the year 5138) are taken for garbage. */
#define MAX_SECONDS 1e11

/* A time in units of 1/@per_second s (integer or float), as microseconds; 0 when missing or
 * out of range (found by fuzz-import: a huge float overflowed the conversion). */
static gint64
get_time (JsonObject *object,
          const char *name,
          double      per_second)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;
  double seconds;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    seconds = json_node_get_double (node) / per_second;
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    seconds = (double) json_node_get_int (node) / per_second;
  else
    return 0;

  if (!(seconds >= 0 && seconds < MAX_SECONDS))
    return 0;

  return (gint64) (seconds * G_USEC_PER_SEC);
}

static gint64
get_seconds (JsonObject *object,
             const char *name)
{
  return get_time (object, name, 1);
}

ConfabImportFormat
_confab_import_detect (JsonNode *item)
{
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (item))
    return CONFAB_IMPORT_FORMAT_UNKNOWN;

  object = json_node_get_object (item);
  if (g_strcmp0 (get_string (object, "format"), CONFAB_EXPORT_FORMAT) == 0)
    return CONFAB_IMPORT_FORMAT_CONFAB;
  if (get_object (object, "mapping") != NULL)
    return CONFAB_IMPORT_FORMAT_CHATGPT;
  if (get_object (get_object (object, "chat"), "history") != NULL || get_object (object, "history") != NULL)
    return CONFAB_IMPORT_FORMAT_OPEN_WEBUI;

  return CONFAB_IMPORT_FORMAT_UNKNOWN;
}

static gboolean
bad_shape (GError    **error,
           const char *format,
           const char *what)
{
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_IMPORT, _("Not a %s conversation as expected: %s."), format, what);
  return FALSE;
}

/* A node of a walk of the message tree, and what it hands to its children. */
typedef struct
{
  const char    *id;
  guint          parent;          /* the index of the parent's step, G_MAXUINT for a root */
  ConfabMessage *message;         /* the last message made on the way here (NULL: none yet) */
  ConfabMessage *last_assistant;  /* ChatGPT: the answer its tool calls go to */
  char          *reasoning;       /* ChatGPT: thinking waiting for the answer that follows */
} WalkStep;

static void
walk_step_clear (gpointer data)
{
  g_free (((WalkStep *)data)->reasoning);
}

/* Every node of @nodes in depth-first order from the roots (a node without @parent_member),
 * children in their order, each once (a cycle is not followed); a step comes after its
 * parent's. */
static GArray *
walk_tree (JsonObject *nodes,
           const char *parent_member,
           const char *children_member)
{
  GArray *steps = g_array_new (FALSE, TRUE, sizeof (WalkStep));
  g_autoptr(GArray) stack = g_array_new (FALSE, TRUE, sizeof (WalkStep));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GList) members = json_object_get_members (nodes);

  g_array_set_clear_func (steps, walk_step_clear);

  /* The last root first onto the stack: the first comes out first. */
  for (GList *l = g_list_last (members); l != NULL; l = l->prev)
    {
      const char *parent = get_string (get_object (nodes, l->data), parent_member);
      WalkStep root = { l->data, G_MAXUINT };

      if (parent == NULL || get_object (nodes, parent) == NULL)
        g_array_append_val (stack, root);
    }

  while (stack->len > 0)
    {
      WalkStep step = g_array_index (stack, WalkStep, stack->len - 1);
      JsonArray *children;
      guint index = steps->len;

      g_array_set_size (stack, stack->len - 1);
      if (!g_hash_table_add (seen, (gpointer) step.id))
        continue;
      g_array_append_val (steps, step);

      children = get_array (get_object (nodes, step.id), children_member);
      for (guint c = children ? json_array_get_length (children) : 0; c > 0; c--)
        {
          JsonNode *child = json_array_get_element (children, c - 1);
          WalkStep next = { NULL, index };

          if (!JSON_NODE_HOLDS_VALUE (child) || json_node_get_value_type (child) != G_TYPE_STRING ||
              get_object (nodes, json_node_get_string (child)) == NULL)
            continue;
          next.id = json_node_get_string (child);
          g_array_append_val (stack, next);
        }
    }

  return steps;
}

/* Starts @steps[@i] with what its parent handed down. */
static WalkStep *
walk_enter (GArray *steps,
            guint   i)
{
  WalkStep *step = &g_array_index (steps, WalkStep, i);

  if (step->parent != G_MAXUINT)
    {
      WalkStep *parent = &g_array_index (steps, WalkStep, step->parent);

      step->message = parent->message;
      step->last_assistant = parent->last_assistant;
      step->reasoning = g_strdup (parent->reasoning);
    }

  return step;
}

/* Puts @message into the tree after the last message of its branch (every branch is kept;
 * a message already there, reached again, is not added twice). */
static void
walk_add (ConfabConversation *conversation,
          WalkStep           *step,
          ConfabMessage      *message)
{
  ConfabMessage *known = confab_conversation_lookup (conversation, confab_message_get_id (message));

  if (known == NULL)
    {
      confab_message_set_parent (message, step->message ? confab_message_get_id (step->message) : NULL, 0);
      confab_conversation_add_message (conversation, message);
      known = message;
    }
  step->message = known;
}

static gboolean
has_other_branches (JsonObject *nodes,
                    const char *children_member)
{
  g_autoptr(GList) members = json_object_get_members (nodes);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonArray *children = get_array (get_object (nodes, l->data), children_member);

      if (children != NULL && json_array_get_length (children) > 1)
        return TRUE;
    }

  return FALSE;
}

/* ------------------------------------------------------------------------------------------
 * ChatGPT
 * ------------------------------------------------------------------------------------------ */

/* The text of a ChatGPT content object: text parts joined, other parts as placeholders. */
static char *
chatgpt_text (JsonObject *content)
{
  const char *type = get_string (content, "content_type");
  JsonArray *parts = get_array (content, "parts");
  GString *out = g_string_new (NULL);

  if (parts != NULL)
    {
      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          JsonNode *part = json_array_get_element (parts, i);

          if (JSON_NODE_HOLDS_VALUE (part) && json_node_get_value_type (part) == G_TYPE_STRING)
            {
              if (out->len > 0 && json_node_get_string (part)[0] != '\0')
                g_string_append (out, "\n\n");
              g_string_append (out, json_node_get_string (part));
            }
          else if (JSON_NODE_HOLDS_OBJECT (part))
            {
              JsonObject *o = json_node_get_object (part);
              const char *ptype = get_string (o, "content_type");

              if (out->len > 0)
                g_string_append (out, "\n\n");
              if (g_strcmp0 (ptype, "image_asset_pointer") == 0)
                g_string_append_printf (out, "[%s: %s]", _("Image"), get_string (o, "asset_pointer") ?: "");
              else
                g_string_append_printf (out, "[%s]", ptype ?: _("Attachment"));
            }
        }
    }
  else if (get_string (content, "text") != NULL)
    g_string_append (out, get_string (content, "text"));
  else if (get_string (content, "result") != NULL)
    g_string_append (out, get_string (content, "result"));
  else if (g_strcmp0 (type, "user_editable_context") == 0)
    {
      if (get_string (content, "user_profile") != NULL)
        g_string_append (out, get_string (content, "user_profile"));
      if (get_string (content, "user_instructions") != NULL)
        g_string_append_printf (out, "%s%s", out->len ? "\n\n" : "", get_string (content, "user_instructions"));
    }

  return g_string_free (out, FALSE);
}

ConfabConversation *
_confab_import_chatgpt (JsonNode  *item,
                        gboolean  *other_branches,
                        GError   **error)
{
  JsonObject *object = json_node_get_object (item);
  JsonObject *mapping = get_object (object, "mapping");
  const char *source_id = get_string (object, "id") ?: get_string (object, "conversation_id");
  const char *current = get_string (object, "current_node");
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(GArray) steps = NULL;
  g_autoptr(GString) pending_reasoning = g_string_new (NULL);
  g_autofree char *id = NULL;
  ConfabMessage *last_assistant = NULL;
  ConfabMessage *shown = NULL;
  WalkStep *step = NULL;
  gint64 created_at = get_seconds (object, "create_time");

  if (source_id == NULL)
    {
      bad_shape (error, "ChatGPT", "it has no \"id\"");
      return NULL;
    }
  if (current != NULL && get_object (mapping, current) == NULL)
    {
      bad_shape (error, "ChatGPT", "the current message is not in the message tree");
      return NULL;
    }
  steps = walk_tree (mapping, "parent", "children");
  if (steps->len == 0)
    {
      bad_shape (error, "ChatGPT", "its message tree has no root");
      return NULL;
    }

  id = _confab_import_derive_id ("chatgpt", source_id);
  confab_conversation_set_id (conversation, id);
  confab_conversation_set_provider_name (conversation, "ChatGPT");
  confab_conversation_set_model (conversation, get_string (object, "default_model_slug"));
  confab_conversation_set_created_at (conversation, created_at);
  *other_branches = has_other_branches (mapping, "children");

  /* Every branch, each node with the state of the walk its parent left (a node's step is
   * closed when the next one starts: its children all come later). */
  for (guint i = 0; i <= steps->len; i++)
    {
      JsonObject *node, *m, *content, *metadata;
      const char *role_str, *content_type, *recipient, *mid;
      g_autofree char *text = NULL;
      g_autofree char *message_id = NULL;
      g_autoptr(ConfabMessage) message = NULL;
      gint64 time;

      if (step != NULL)
        {
          step->last_assistant = last_assistant;
          g_free (step->reasoning);
          step->reasoning = pending_reasoning->len > 0 ? g_strdup (pending_reasoning->str) : NULL;
          if (g_strcmp0 (step->id, current) == 0)
            shown = step->message;
        }
      if (i == steps->len)
        break;

      step = walk_enter (steps, i);
      last_assistant = step->last_assistant;
      g_string_assign (pending_reasoning, step->reasoning ? step->reasoning : "");

      node = get_object (mapping, step->id);
      m = get_object (node, "message");
      content = get_object (m, "content");
      metadata = get_object (m, "metadata");
      role_str = get_string (get_object (m, "author"), "role");
      content_type = get_string (content, "content_type");
      recipient = get_string (m, "recipient");
      mid = get_string (m, "id") ?: step->id;

      if (m == NULL)
        continue;
      if (content == NULL || role_str == NULL)
        {
          bad_shape (error, "ChatGPT", "a message without \"author\" or \"content\"");
          return NULL;
        }

      text = chatgpt_text (content);
      time = get_seconds (m, "create_time") ?: created_at;
      message_id = _confab_import_derive_id ("chatgpt-message", mid);

      /* Thinking of reasoning models goes with the answer that follows. */
      if (g_strcmp0 (content_type, "thoughts") == 0)
        {
          JsonArray *thoughts = get_array (content, "thoughts");

          for (guint t = 0; thoughts != NULL && t < json_array_get_length (thoughts); t++)
            {
              JsonObject *thought = json_array_get_object_element (thoughts, t);
              const char *summary = get_string (thought, "summary");
              const char *body = get_string (thought, "content");

              if (pending_reasoning->len > 0)
                g_string_append (pending_reasoning, "\n\n");
              if (summary != NULL)
                g_string_append_printf (pending_reasoning, "**%s**\n\n", summary);
              g_string_append (pending_reasoning, body ?: "");
            }
          continue;
        }
      if (g_strcmp0 (content_type, "reasoning_recap") == 0)
        continue;

      if (g_str_equal (role_str, "system"))
        {
          gboolean hidden = metadata != NULL &&
                            json_object_get_boolean_member_with_default (metadata, "is_visually_hidden_from_conversation", FALSE);

          if (!hidden && text[0] != '\0' && confab_conversation_get_system_prompt (conversation) == NULL)
            confab_conversation_set_system_prompt (conversation, text);
          continue;
        }

      if (g_str_equal (role_str, "user"))
        {
          if (g_strcmp0 (content_type, "user_editable_context") == 0)
            {
              if (confab_conversation_get_system_prompt (conversation) == NULL && text[0] != '\0')
                confab_conversation_set_system_prompt (conversation, text);
              continue;
            }
          message = confab_message_new (CONFAB_ROLE_USER, text);
          last_assistant = NULL;
        }
      else if (g_str_equal (role_str, "assistant"))
        {
          if (recipient != NULL && !g_str_equal (recipient, "all"))
            {
              /* A call of one of ChatGPT's tools (python, browser, dalle …): a tool call card. */
              g_autoptr(ConfabToolCall) call = NULL;
              g_autoptr(JsonBuilder) builder = json_builder_new ();
              g_autoptr(JsonGenerator) generator = json_generator_new ();
              g_autoptr(JsonNode) args = NULL;
              g_autofree char *args_text = NULL;

              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "input");
              json_builder_add_string_value (builder, text);
              json_builder_end_object (builder);
              args = json_builder_get_root (builder);
              json_generator_set_root (generator, args);
              args_text = json_generator_to_data (generator, NULL);

              if (last_assistant == NULL)
                {
                  message = confab_message_new (CONFAB_ROLE_ASSISTANT, "");
                  last_assistant = message;
                }
              call = confab_tool_call_new (confab_message_get_n_tool_calls (last_assistant));
              confab_tool_call_set_id (call, mid);
              confab_tool_call_set_name (call, recipient);
              confab_tool_call_set_arguments (call, args_text);
              confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_DONE);
              confab_message_add_tool_call (last_assistant, call);
              confab_message_set_finish_reason (last_assistant, "tool_calls");
              if (message == NULL)
                continue;
            }
          else
            {
              message = confab_message_new (CONFAB_ROLE_ASSISTANT, text);
              last_assistant = message;
            }
          confab_message_set_model (message, get_string (metadata, "model_slug"));
          if (pending_reasoning->len > 0)
            {
              confab_message_set_reasoning (message, pending_reasoning->str);
              g_string_truncate (pending_reasoning, 0);
            }
        }
      else if (g_str_equal (role_str, "tool"))
        {
          /* The result of the last call to this tool. */
          const char *name = get_string (get_object (m, "author"), "name");
          GListModel *calls = last_assistant ? confab_message_get_tool_calls (last_assistant) : NULL;
          g_autoptr(ConfabToolCall) call = NULL;

          for (guint c = calls ? g_list_model_get_n_items (calls) : 0; c > 0 && call == NULL; c--)
            {
              g_autoptr(ConfabToolCall) candidate = g_list_model_get_item (calls, c - 1);

              if (name == NULL || g_strcmp0 (confab_tool_call_get_name (candidate), name) == 0)
                call = g_steal_pointer (&candidate);
            }

          message = confab_message_new (CONFAB_ROLE_TOOL, text);
          if (call != NULL)
            {
              confab_message_set_tool_call_id (message, confab_tool_call_get_id (call));
              confab_tool_call_set_result (call, text);
            }
          else if (name != NULL)
            confab_message_set_tool_call_id (message, name);
          last_assistant = NULL;
        }
      else
        continue;

      confab_message_set_id (message, message_id);
      confab_message_set_created_at (message, time);
      walk_add (conversation, step, message);
    }

  /* The branch last shown (without current_node: the newest). */
  confab_conversation_show (conversation, shown);

  confab_conversation_set_title (conversation, get_string (object, "title"));
  confab_conversation_set_updated_at (conversation, get_seconds (object, "update_time") ?: created_at);

  return g_steal_pointer (&conversation);
}

/* ------------------------------------------------------------------------------------------
 * Open WebUI
 * ------------------------------------------------------------------------------------------ */

static char *
unescape_html (const char *text)
{
  static const struct { const char *entity; const char *text; } entities[] = {
    { "&quot;", "\"" }, { "&#x27;", "'" }, { "&#39;", "'" }, { "&lt;", "<" }, { "&gt;", ">" },
    { "&amp;", "&" },
  };
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; )
    {
      gboolean replaced = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (entities) && *p == '&'; i++)
        if (g_str_has_prefix (p, entities[i].entity))
          {
            g_string_append (out, entities[i].text);
            p += strlen (entities[i].entity);
            replaced = TRUE;
            break;
          }
      if (!replaced)
        g_string_append_c (out, *p++);
    }

  return g_string_free (out, FALSE);
}

/* Open WebUI writes arguments and results JSON-encoded (json.dumps): a JSON string literal
 * is decoded, anything else kept as it is. */
static char *
decode_json_string (char *value)
{
  g_autoptr(JsonNode) node = NULL;

  if (value[0] != '"' || (node = _confab_json_stream_parse (value, -1, NULL)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return value;

  g_free (value);
  return g_strdup (json_node_get_string (node));
}

/* Moves the <details type="tool_calls" …> blocks of @text into tool calls of @message and
 * returns the text without them. */
static char *
take_tool_calls (ConfabMessage *message,
                 const char    *text)
{
  static GRegex *block_re, *attr_re;
  g_autoptr(GMatchInfo) match = NULL;
  GString *out = g_string_new (NULL);
  const char *rest = text;

  if (g_once_init_enter (&block_re))
    {
      attr_re = g_regex_new ("(\\w+)=\"([^\"]*)\"", G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&block_re, g_regex_new ("<details\\s+type=\"tool_calls\"([^>]*)>.*?</details>\\s*",
                                                         G_REGEX_DOTALL | G_REGEX_OPTIMIZE, 0, NULL));
    }

  g_regex_match (block_re, text, 0, &match);
  while (g_match_info_matches (match))
    {
      int start, end;
      g_autofree char *attrs = g_match_info_fetch (match, 1);
      g_autoptr(GMatchInfo) attr = NULL;
      g_autoptr(ConfabToolCall) call = confab_tool_call_new (confab_message_get_n_tool_calls (message));

      g_match_info_fetch_pos (match, 0, &start, &end);
      g_string_append_len (out, rest, text + start - rest);
      rest = text + end;

      confab_tool_call_set_status (call, CONFAB_TOOL_CALL_STATUS_DONE);
      g_regex_match (attr_re, attrs, 0, &attr);
      while (g_match_info_matches (attr))
        {
          g_autofree char *name = g_match_info_fetch (attr, 1);
          g_autofree char *raw = g_match_info_fetch (attr, 2);
          g_autofree char *value = decode_json_string (unescape_html (raw));

          if (g_str_equal (name, "id"))
            confab_tool_call_set_id (call, value);
          else if (g_str_equal (name, "name"))
            confab_tool_call_set_name (call, value);
          else if (g_str_equal (name, "arguments"))
            confab_tool_call_set_arguments (call, value);
          else if (g_str_equal (name, "result"))
            confab_tool_call_set_result (call, value);
          g_match_info_next (attr, NULL);
        }
      confab_message_add_tool_call (message, call);
      g_match_info_next (match, NULL);
    }
  g_string_append (out, rest);

  return g_string_free (out, FALSE);
}

ConfabConversation *
_confab_import_open_webui (JsonNode  *item,
                           gboolean  *other_branches,
                           GError   **error)
{
  JsonObject *object = json_node_get_object (item);
  JsonObject *chat = get_object (object, "chat") ?: object;
  JsonObject *history = get_object (chat, "history");
  JsonObject *messages = get_object (history, "messages");
  JsonArray *models = get_array (chat, "models");
  const char *source_id = get_string (object, "id") ?: get_string (chat, "id");
  const char *current = get_string (history, "currentId");
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(GArray) steps = NULL;
  g_autofree char *id = NULL;
  ConfabMessage *shown = NULL;
  gint64 created_at = get_seconds (object, "created_at");

  if (messages == NULL)
    {
      bad_shape (error, "Open WebUI", "no \"history.messages\"");
      return NULL;
    }
  if (source_id == NULL || source_id[0] == '\0')
    {
      bad_shape (error, "Open WebUI", "it has no \"id\"");
      return NULL;
    }
  if (created_at == 0)
    created_at = get_time (chat, "timestamp", 1000);

  if (current != NULL && get_object (messages, current) == NULL)
    {
      bad_shape (error, "Open WebUI", "the current message is not in the message tree");
      return NULL;
    }
  steps = walk_tree (messages, "parentId", "childrenIds");

  id = _confab_import_derive_id ("open-webui", source_id);
  confab_conversation_set_id (conversation, id);
  confab_conversation_set_provider_name (conversation, "Open WebUI");
  if (models != NULL && json_array_get_length (models) > 0 &&
      JSON_NODE_HOLDS_VALUE (json_array_get_element (models, 0)))
    confab_conversation_set_model (conversation, json_array_get_string_element (models, 0));
  confab_conversation_set_created_at (conversation, created_at);
  *other_branches = has_other_branches (messages, "childrenIds");

  /* Every branch. */
  for (guint i = 0; i < steps->len; i++)
    {
      WalkStep *step = walk_enter (steps, i);
      const char *mid = step->id;
      JsonObject *m = get_object (messages, mid);
      const char *role_str = get_string (m, "role");
      JsonObject *usage = get_object (m, "usage");
      JsonArray *files = get_array (m, "files");
      ConfabRole role;
      g_autoptr(ConfabMessage) message = NULL;
      g_autofree char *message_id = _confab_import_derive_id ("open-webui-message", mid);
      g_autofree char *text = NULL;
      JsonNode *content = json_object_get_member (m, "content");
      GString *joined = g_string_new (NULL);

      if (!confab_role_from_string (role_str, &role))
        {
          g_string_free (joined, TRUE);
          bad_shape (error, "Open WebUI", "a message without a known \"role\"");
          return NULL;
        }

      /* A string, or (multi-part) an array of {"type": "text", "text"} and images. */
      if (content != NULL && JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
        g_string_append (joined, json_node_get_string (content));
      else if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
        for (guint p = 0; p < json_array_get_length (json_node_get_array (content)); p++)
          {
            JsonObject *part = json_array_get_object_element (json_node_get_array (content), p);

            if (joined->len > 0)
              g_string_append (joined, "\n\n");
            if (get_string (part, "text") != NULL)
              g_string_append (joined, get_string (part, "text"));
            else
              g_string_append_printf (joined, "[%s]", get_string (part, "type") ?: _("Attachment"));
          }
      for (guint f = 0; files != NULL && f < json_array_get_length (files); f++)
        {
          JsonObject *file = json_array_get_object_element (files, f);
          const char *name = get_string (file, "name") ?: get_string (get_object (file, "file"), "filename");

          g_string_append_printf (joined, "%s[%s: %s]", joined->len ? "\n\n" : "",
                                  g_strcmp0 (get_string (file, "type"), "image") == 0 ? _("Image") : _("File"),
                                  name ?: (g_str_has_prefix (get_string (file, "url") ?: "", "data:") ? _("embedded") : get_string (file, "url") ?: ""));
        }

      message = confab_message_new (role, "");
      text = role == CONFAB_ROLE_ASSISTANT ? take_tool_calls (message, joined->str) : g_strdup (joined->str);
      g_string_free (joined, TRUE);
      confab_message_set_content (message, text);
      confab_message_set_id (message, message_id);
      confab_message_set_created_at (message, get_seconds (m, "timestamp") ?: created_at);
      if (role == CONFAB_ROLE_ASSISTANT)
        confab_message_set_model (message, get_string (m, "model"));
      if (usage != NULL)
        confab_usage_update_from_json (confab_message_get_usage (message), usage);
      if (confab_message_get_n_tool_calls (message) > 0)
        confab_message_set_finish_reason (message, "tool_calls");
      walk_add (conversation, step, message);
      if (g_strcmp0 (mid, current) == 0)
        shown = step->message;
    }

  /* The branch last shown (without currentId: the newest). */
  confab_conversation_show (conversation, shown);

  confab_conversation_set_title (conversation, get_string (object, "title") ?: get_string (chat, "title"));
  confab_conversation_set_updated_at (conversation, get_seconds (object, "updated_at") ?: created_at);

  return g_steal_pointer (&conversation);
}
