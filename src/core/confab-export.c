/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-export"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-conversation.h"
#include "confab-enums.h"
#include "confab-error.h"
#include "confab-escape.h"
#include "confab-export.h"
#include "confab-import.h"
#include "confab-import-private.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

/* A fence longer than any run of backticks in @text, so the block cannot end early. */
static char *
make_fence (const char *text)
{
  guint longest = 0;
  guint run = 0;

  for (const char *p = text ? text : ""; *p; p++)
    {
      run = (*p == '`') ? run + 1 : 0;
      longest = MAX (longest, run);
    }

  return g_strnfill (MAX (3, longest + 1), '`');
}

static void
append_fenced (GString    *out,
               const char *info,
               const char *text)
{
  g_autofree char *fence = make_fence (text);

  g_string_append_printf (out, "%s%s\n%s", fence, info ? info : "", text ? text : "");
  if (text == NULL || text[0] == '\0' || text[strlen (text) - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append_printf (out, "%s\n\n", fence);
}

static void
append_quoted (GString    *out,
               const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, ">%s%s\n", lines[i][0] ? " " : "", lines[i]);
  g_string_append_c (out, '\n');
}

static const char *
role_heading (ConfabRole role)
{
  switch (role)
    {
    case CONFAB_ROLE_SYSTEM:    return _("System");
    case CONFAB_ROLE_USER:      return _("User");
    case CONFAB_ROLE_ASSISTANT: return _("Assistant");
    case CONFAB_ROLE_TOOL:      return _("Tool result");
    default:                    return "";
    }
}

static void
append_usage (GString     *out,
              ConfabUsage *usage)
{
  if (!confab_usage_get_reported (usage))
    return;

  g_string_append_printf (out, "_%s: %" G_GINT64_FORMAT " prompt + %" G_GINT64_FORMAT
                          " completion = %" G_GINT64_FORMAT " tokens",
                          _("Usage"),
                          MAX (confab_usage_get_prompt_tokens (usage), 0),
                          MAX (confab_usage_get_completion_tokens (usage), 0),
                          MAX (confab_usage_get_total_tokens (usage), 0));
  if (confab_usage_get_has_cost (usage))
    g_string_append_printf (out, ", cost %.6g", confab_usage_get_cost (usage));
  g_string_append (out, "_\n\n");
}

/* @file_names: SHA-256 of an attachment → the name of its file beside the Markdown, or NULL. */
static void
append_message (GString       *out,
                ConfabMessage *message,
                GHashTable    *file_names)
{
  ConfabRole role = confab_message_get_role (message);
  GListModel *calls = confab_message_get_tool_calls (message);
  const char *content = confab_message_get_content (message);
  const char *reasoning = confab_message_get_reasoning (message);
  const GError *error = confab_message_get_error (message);
  ConfabMessageState state = confab_message_get_state (message);

  g_string_append_printf (out, "## %s", role_heading (role));
  if (role == CONFAB_ROLE_ASSISTANT && confab_message_get_model (message) != NULL)
    g_string_append_printf (out, " (%s)", confab_message_get_model (message));
  g_string_append (out, "\n\n");

  if (reasoning != NULL && reasoning[0] != '\0')
    {
      g_string_append_printf (out, "**%s**\n\n", _("Reasoning"));
      append_quoted (out, reasoning);
    }

  if (role == CONFAB_ROLE_TOOL)
    {
      if (confab_message_get_tool_call_id (message) != NULL)
        g_string_append_printf (out, "`%s`\n\n", confab_message_get_tool_call_id (message));
      append_fenced (out, NULL, content);
    }
  else if (content != NULL && content[0] != '\0')
    {
      g_string_append (out, content);
      g_string_append (out, content[strlen (content) - 1] == '\n' ? "\n" : "\n\n");
    }

  for (guint i = 0; i < confab_message_get_n_attachments (message); i++)
    {
      g_autoptr(ConfabAttachment) attachment = g_list_model_get_item (confab_message_get_attachments (message), i);
      g_autofree char *line = confab_attachment_describe (attachment);
      const char *file = file_names ? g_hash_table_lookup (file_names, confab_attachment_get_sha256 (attachment)) : NULL;

      if (file != NULL)
        {
          g_autofree char *escaped = g_uri_escape_string (file, NULL, FALSE);

          if (confab_attachment_get_kind (attachment) == CONFAB_ATTACHMENT_IMAGE)
            g_string_append_printf (out, "![%s](%s)\n\n", line, escaped);
          else
            g_string_append_printf (out, "%s [%s](%s)\n\n", _("Attached:"), line, escaped);
        }
      else
        /* Translators: before a file sent with a message in the Markdown export ("a.png · 640 × 480") */
        g_string_append_printf (out, "_%s %s_\n\n", _("Attached:"), line);
    }

  for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
      g_autofree char *pretty = confab_tool_call_dup_pretty_arguments (call);
      g_autofree char *info = g_strdup_printf ("json tool-call %s", confab_tool_call_get_name (call) ?: "");

      g_string_append_printf (out, "**%s** `%s` (%s)\n\n", _("Tool call"),
                              confab_tool_call_get_name (call) ?: "",
                              confab_tool_call_status_to_string (confab_tool_call_get_status (call)));
      append_fenced (out, info, pretty);
      if (confab_tool_call_get_error (call) != NULL)
        g_string_append_printf (out, "_%s_\n\n", confab_tool_call_get_error (call));
    }

  if (state == CONFAB_MESSAGE_STATE_INTERRUPTED)
    g_string_append_printf (out, "_%s_\n\n", _("Interrupted: Confab stopped before the answer was complete."));
  else if (state == CONFAB_MESSAGE_STATE_CANCELLED)
    g_string_append_printf (out, "_%s_\n\n", _("Stopped."));
  else if (state == CONFAB_MESSAGE_STATE_FAILED && error != NULL)
    g_string_append_printf (out, "_%s: %s_\n\n", _("Failed"), error->message);

  if (role == CONFAB_ROLE_ASSISTANT)
    append_usage (out, confab_message_get_usage (message));
}

static char *
export_markdown (ConfabConversation *conversation,
                 GHashTable         *file_names)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *title;
  const char *system_prompt;
  guint n;

  title = confab_conversation_get_title (conversation);
  g_string_append_printf (out, "# %s\n\n", title && title[0] ? title : _("Conversation"));

  if (confab_conversation_get_model (conversation) != NULL)
    g_string_append_printf (out, "- %s: %s\n", _("Model"), confab_conversation_get_model (conversation));
  if (confab_conversation_get_provider_name (conversation) != NULL)
    g_string_append_printf (out, "- %s: %s\n", _("Provider"), confab_conversation_get_provider_name (conversation));
  if (confab_conversation_get_created_at (conversation) > 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (confab_conversation_get_created_at (conversation) / G_USEC_PER_SEC);
      g_autofree char *date = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : NULL;

      if (date != NULL)
        g_string_append_printf (out, "- %s: %s\n", _("Created"), date);
    }
  g_string_append_c (out, '\n');

  system_prompt = confab_conversation_get_system_prompt (conversation);
  if (system_prompt != NULL && system_prompt[0] != '\0')
    {
      g_string_append_printf (out, "## %s\n\n", _("System"));
      append_quoted (out, system_prompt);
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);
      append_message (out, message, file_names);
    }

  /* One newline at the end. */
  while (out->len > 1 && out->str[out->len - 1] == '\n' && out->str[out->len - 2] == '\n')
    g_string_truncate (out, out->len - 1);

  /* The file is read in terminals and editors too: no control or bidi override in it acts
   * (an escape sequence in a model's answer must not run on `cat`). */
  return confab_escape_text (out->str, out->len, CONFAB_ESCAPE_KEEP_NEWLINES);
}

char *
confab_export_markdown (ConfabConversation *conversation)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);

  return export_markdown (conversation, NULL);
}

/* A file name for @name in @used: no path separators or leading dots, and "name (2).ext"
 * when taken. (transfer full) */
static char *
unique_file_name (const char *name,
                  GHashTable *used)
{
  g_autofree char *safe = g_strdup (name && name[0] ? name : "attachment");
  g_autofree char *stem = NULL;
  const char *dot;
  char *candidate;

  g_strdelimit (safe, "/\\:", '_');
  while (safe[0] == '.')
    safe[0] = '_';

  dot = strrchr (safe, '.');
  stem = dot && dot != safe ? g_strndup (safe, dot - safe) : g_strdup (safe);
  candidate = g_strdup (safe);
  for (guint n = 2; g_hash_table_contains (used, candidate); n++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%s (%u)%s", stem, n, dot && dot != safe ? dot : "");
    }
  g_hash_table_add (used, candidate);

  return g_strdup (candidate);
}

GFile *
confab_export_markdown_to_folder (ConfabConversation  *conversation,
                                  GFile               *folder,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  g_autoptr(GHashTable) file_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GFile) markdown = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  guint n;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);
  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  if (!g_file_make_directory_with_parents (folder, cancellable, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  g_hash_table_add (used, g_strdup ("conversation.md"));

  /* Each file once (by content), under the name it was first sent with. */
  n = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);

      for (guint j = 0; j < confab_message_get_n_attachments (message); j++)
        {
          g_autoptr(ConfabAttachment) attachment = g_list_model_get_item (confab_message_get_attachments (message), j);
          g_autoptr(GFile) file = NULL;
          g_autofree char *name = NULL;
          GBytes *data = confab_attachment_get_data (attachment);

          if (g_hash_table_contains (file_names, confab_attachment_get_sha256 (attachment)))
            continue;

          name = unique_file_name (confab_attachment_get_name (attachment), used);
          file = g_file_get_child (folder, name);
          if (!g_file_replace_contents (file, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                        NULL, FALSE, G_FILE_CREATE_NONE, NULL, cancellable, error))
            return NULL;

          g_hash_table_insert (file_names, g_strdup (confab_attachment_get_sha256 (attachment)),
                               g_steal_pointer (&name));
        }
    }

  text = export_markdown (conversation, file_names);
  markdown = g_file_get_child (folder, "conversation.md");
  if (!g_file_replace_contents (markdown, text, strlen (text), NULL, FALSE, G_FILE_CREATE_NONE,
                                NULL, cancellable, error))
    return NULL;

  return g_steal_pointer (&markdown);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

static void
add_usage (JsonBuilder *builder,
           ConfabUsage *usage)
{
  json_builder_set_member_name (builder, "usage");
  /* null: nothing known, as a new message has it. */
  if (!confab_usage_get_reported (usage) && !confab_usage_get_has_cost (usage) &&
      confab_usage_get_prompt_tokens (usage) < 0 && confab_usage_get_completion_tokens (usage) < 0 &&
      confab_usage_get_total_tokens (usage) < 0 &&
      confab_usage_get_time_to_first_token (usage) < 0 && confab_usage_get_duration (usage) < 0)
    {
      json_builder_add_null_value (builder);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reported");
  json_builder_add_boolean_value (builder, confab_usage_get_reported (usage));
  add_int (builder, "prompt_tokens", confab_usage_get_prompt_tokens (usage));
  add_int (builder, "completion_tokens", confab_usage_get_completion_tokens (usage));
  add_int (builder, "total_tokens", confab_usage_get_total_tokens (usage));
  add_int (builder, "cached_tokens", confab_usage_get_cached_tokens (usage));
  add_int (builder, "reasoning_tokens", confab_usage_get_reasoning_tokens (usage));
  json_builder_set_member_name (builder, "cost");
  if (confab_usage_get_has_cost (usage))
    json_builder_add_double_value (builder, confab_usage_get_cost (usage));
  else
    json_builder_add_null_value (builder);
  add_double (builder, "time_to_first_token", confab_usage_get_time_to_first_token (usage));
  add_double (builder, "duration", confab_usage_get_duration (usage));
  json_builder_end_object (builder);
}

static void
add_tool_call (JsonBuilder    *builder,
               ConfabToolCall *call)
{
  JsonNode *content = confab_tool_call_get_result_content (call);

  json_builder_begin_object (builder);
  add_int (builder, "index", confab_tool_call_get_index (call));
  add_string (builder, "id", confab_tool_call_get_id (call));
  add_string (builder, "name", confab_tool_call_get_name (call));
  add_string (builder, "server", confab_tool_call_get_server (call));
  add_string (builder, "arguments", confab_tool_call_get_arguments (call));
  add_string (builder, "status", confab_tool_call_status_to_string (confab_tool_call_get_status (call)));
  add_string (builder, "result", confab_tool_call_get_result (call));
  json_builder_set_member_name (builder, "result_content");
  if (content != NULL)
    json_builder_add_value (builder, json_node_copy (content));
  else
    json_builder_add_null_value (builder);
  add_string (builder, "error", confab_tool_call_get_error (call));
  json_builder_set_member_name (builder, "status_times");
  json_builder_begin_object (builder);
  for (ConfabToolCallStatus s = CONFAB_TOOL_CALL_STATUS_STREAMING; s <= CONFAB_TOOL_CALL_STATUS_DENIED; s++)
    if (confab_tool_call_get_status_time (call, s) != 0)
      add_int (builder, confab_tool_call_status_to_string (s), confab_tool_call_get_status_time (call, s));
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static void
add_message (JsonBuilder   *builder,
             ConfabMessage *message)
{
  GListModel *calls = confab_message_get_tool_calls (message);
  const GError *error = confab_message_get_error (message);
  g_autoptr(GBytes) raw = confab_message_dup_raw_response (message);

  json_builder_begin_object (builder);
  add_string (builder, "id", confab_message_get_id (message));
  add_string (builder, "parent_id", confab_message_get_parent_id (message));
  add_int (builder, "sibling", confab_message_get_sibling_index (message));
  add_string (builder, "role", confab_role_to_string (confab_message_get_role (message)));
  add_string (builder, "content", confab_message_get_content (message));
  add_string (builder, "reasoning", confab_message_get_reasoning (message));
  add_string (builder, "tool_call_id", confab_message_get_tool_call_id (message));
  add_string (builder, "state", confab_message_state_to_string (confab_message_get_state (message)));
  add_string (builder, "finish_reason", confab_message_get_finish_reason (message));
  add_string (builder, "model", confab_message_get_model (message));
  add_int (builder, "created_at", confab_message_get_created_at (message));
  add_int (builder, "retry_after", confab_message_get_retry_after (message));
  json_builder_set_member_name (builder, "error");
  if (error != NULL)
    {
      json_builder_begin_object (builder);
      add_string (builder, "domain", g_quark_to_string (error->domain));
      add_int (builder, "code", error->code);
      add_string (builder, "message", error->message);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  add_usage (builder, confab_message_get_usage (message));

  json_builder_set_member_name (builder, "tool_calls");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);
      add_tool_call (builder, call);
    }
  json_builder_end_array (builder);

  add_string (builder, "request_body", confab_message_get_request_body (message));
  json_builder_set_member_name (builder, "raw_response");
  if (raw != NULL && g_bytes_get_size (raw) > 0)
    {
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
      json_builder_add_string_value (builder, b64);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

/* "attachments": every file sent, its data in base64, with the index of its message. */
/* Every message of the tree in one order whatever the order they came in: depth first,
 * versions in order. (transfer container) */
static GPtrArray *
tree_in_order (ConfabConversation *conversation)
{
  GPtrArray *order = g_ptr_array_new ();
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  GPtrArray *roots = confab_conversation_get_children (conversation, NULL);

  for (guint i = roots ? roots->len : 0; i > 0; i--)
    g_ptr_array_add (stack, g_ptr_array_index (roots, i - 1));

  while (stack->len > 0)
    {
      ConfabMessage *message = g_ptr_array_steal_index (stack, stack->len - 1);
      GPtrArray *children = confab_conversation_get_children (conversation, message);

      g_ptr_array_add (order, message);
      for (guint i = children ? children->len : 0; i > 0; i--)
        g_ptr_array_add (stack, g_ptr_array_index (children, i - 1));
    }

  return order;
}

static void
add_attachments (JsonBuilder        *builder,
                 GPtrArray          *tree)
{
  static const char * const kinds[] = { "image", "text", "pdf" };

  json_builder_set_member_name (builder, "attachments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < tree->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (tree, i);
      GListModel *attachments = confab_message_get_attachments (message);

      for (guint j = 0; j < g_list_model_get_n_items (attachments); j++)
        {
          g_autoptr(ConfabAttachment) attachment = g_list_model_get_item (attachments, j);
          GBytes *data = confab_attachment_get_data (attachment);
          g_autofree char *base64 = g_base64_encode (g_bytes_get_data (data, NULL), g_bytes_get_size (data));

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "message_index");
          json_builder_add_int_value (builder, i);
          add_string (builder, "name", confab_attachment_get_name (attachment));
          add_string (builder, "kind", kinds[confab_attachment_get_kind (attachment)]);
          add_string (builder, "mime_type", confab_attachment_get_data_mime_type (attachment));
          add_string (builder, "sha256", confab_attachment_get_sha256 (attachment));
          if (confab_attachment_get_kind (attachment) == CONFAB_ATTACHMENT_PDF)
            {
              json_builder_set_member_name (builder, "pages");
              json_builder_add_int_value (builder, confab_attachment_get_n_pages (attachment));
            }
          add_string (builder, "data", base64);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);
}

JsonNode *
confab_export_json (ConfabConversation *conversation)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) tree = NULL;
  ConfabMessage *last;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);

  json_builder_begin_object (builder);
  add_string (builder, "format", CONFAB_EXPORT_FORMAT);
  add_int (builder, "version", CONFAB_EXPORT_VERSION);
  add_string (builder, "id", confab_conversation_get_id (conversation));
  add_string (builder, "title", confab_conversation_get_title (conversation));
  add_string (builder, "system_prompt", confab_conversation_get_system_prompt (conversation));
  add_string (builder, "provider", confab_conversation_get_provider_name (conversation));
  add_string (builder, "base_url", confab_conversation_get_base_url (conversation));
  add_string (builder, "model", confab_conversation_get_model (conversation));
  add_int (builder, "created_at", confab_conversation_get_created_at (conversation));
  add_int (builder, "updated_at", confab_conversation_get_updated_at (conversation));

  /* The branch shown: the id of its last message. */
  last = confab_conversation_get_last_message (conversation);
  add_string (builder, "shown", last ? confab_message_get_id (last) : NULL);

  /* Every message of the tree, each after its parent. */
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  tree = tree_in_order (conversation);
  for (guint i = 0; i < tree->len; i++)
    add_message (builder, g_ptr_array_index (tree, i));
  json_builder_end_array (builder);

  add_attachments (builder, tree);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static char *
to_text (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  return g_strconcat (text, "\n", NULL);
}

char *
confab_export_json_string (ConfabConversation *conversation)
{
  g_autoptr(JsonNode) root = confab_export_json (conversation);

  return to_text (root);
}

JsonNode *
confab_export_openai (ConfabConversation *conversation)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);

  return confab_conversation_to_messages_json (conversation);
}

char *
confab_export_openai_string (ConfabConversation *conversation)
{
  g_autoptr(JsonNode) root = confab_export_openai (conversation);

  return to_text (root);
}

ConfabConversation *
confab_export_fork (ConfabConversation *conversation,
                    ConfabMessage      *upto)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  ConfabConversation *fork;
  JsonArray *messages;
  const char *title;
  int position;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (upto), NULL);

  position = confab_conversation_find (conversation, upto);
  g_return_val_if_fail (position >= 0, NULL);

  /* Through the lossless format: the copies are the messages as an export has them, with
   * ids of their own and as one chain. */
  root = confab_export_json (conversation);
  messages = json_array_new ();
  for (int i = 0; i <= position; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      add_message (builder, message);
      node = json_builder_get_root (builder);
      json_object_remove_member (json_node_get_object (node), "id");
      json_object_remove_member (json_node_get_object (node), "parent_id");
      json_object_remove_member (json_node_get_object (node), "sibling");
      json_array_add_element (messages, g_steal_pointer (&node));
    }
  json_object_set_array_member (json_node_get_object (root), "messages", messages);
  json_object_set_string_member (json_node_get_object (root), "id", id);
  json_object_remove_member (json_node_get_object (root), "shown");
  json_object_remove_member (json_node_get_object (root), "attachments");

  fork = confab_import_confab_json (root, &error);
  if (fork == NULL)
    {
      g_critical ("Could not read back an export: %s", error->message);
      return NULL;
    }

  /* Files are shared as they are (they never change). The copies made no request: their
   * usage is not carried over, or the usage ledger would count those requests twice. */
  for (int i = 0; i <= position; i++)
    {
      g_autoptr(ConfabMessage) original = g_list_model_get_item (G_LIST_MODEL (conversation), i);
      g_autoptr(ConfabMessage) copy = g_list_model_get_item (G_LIST_MODEL (fork), i);
      GListModel *attachments = confab_message_get_attachments (original);

      confab_usage_restore (confab_message_get_usage (copy), FALSE, -1, -1, -1, -1, -1, FALSE, -1, -1, -1);

      for (guint j = 0; j < g_list_model_get_n_items (attachments); j++)
        {
          g_autoptr(ConfabAttachment) attachment = g_list_model_get_item (attachments, j);
          confab_message_add_attachment (copy, attachment);
        }
    }
  confab_conversation_set_created_at (fork, g_get_real_time ());
  confab_conversation_set_updated_at (fork, g_get_real_time ());

  /* The list must tell the copy from its source, as a file manager names a copied file. */
  title = confab_conversation_get_title (conversation);
  if (title != NULL && title[0] != '\0')
    {
      /* Translators: the title of a conversation started from a message of another one
       * ("Start a New Chat From Here"); %s is that conversation's title. */
      g_autofree char *copy_title = g_strdup_printf (_("%s (Copy)"), title);
      confab_conversation_set_title (fork, copy_title);
    }

  return fork;
}

/* A copy of @message with an id of its own (through the lossless format). (transfer full) */
static ConfabMessage *
copy_message (ConfabMessage *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  ConfabMessage *copy;
  GListModel *attachments = confab_message_get_attachments (message);

  add_message (builder, message);
  node = json_builder_get_root (builder);
  json_object_remove_member (json_node_get_object (node), "id");
  copy = _confab_import_read_message (json_node_get_object (node), NULL);
  for (guint i = 0; copy != NULL && i < g_list_model_get_n_items (attachments); i++)
    {
      g_autoptr(ConfabAttachment) attachment = g_list_model_get_item (attachments, i);
      confab_message_add_attachment (copy, attachment);
    }

  return copy;
}

gboolean
confab_export_branch_with_result (ConfabConversation  *conversation,
                                  ConfabToolCall      *call,
                                  ConfabToolCall      *rerun,
                                  GError             **error)
{
  GListModel *model;
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func (g_object_unref);
  guint n, position = G_MAXUINT;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), FALSE);
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (call), FALSE);
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (rerun), FALSE);

  /* The answer that made the call, on the branch shown. */
  model = G_LIST_MODEL (conversation);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n && position == G_MAXUINT; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i);
      GListModel *calls = confab_message_get_tool_calls (message);

      for (guint c = 0; c < g_list_model_get_n_items (calls); c++)
        {
          g_autoptr(ConfabToolCall) item = g_list_model_get_item (calls, c);

          if (item == call)
            position = i;
        }
    }
  if (position == G_MAXUINT)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_FAILED,
                           _("The tool call is no longer in the conversation"));
      return FALSE;
    }

  /* A new version of the answer, with the arguments run again and their result, then its
   * tool results, that call's replaced. */
  for (guint i = position; i < n; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (model, i);
      ConfabMessage *copy;

      if (i > position && confab_message_get_role (message) != CONFAB_ROLE_TOOL)
        break;
      if ((copy = copy_message (message)) == NULL)
        {
          g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_FAILED, _("The answer could not be copied"));
          return FALSE;
        }
      g_ptr_array_add (copies, copy);

      if (i == position)
        {
          GListModel *calls = confab_message_get_tool_calls (copy);

          /* Not a request made again: the usage ledger must not count it twice. */
          confab_usage_restore (confab_message_get_usage (copy), FALSE, -1, -1, -1, -1, -1, FALSE, -1, -1, -1);

          for (guint c = 0; c < g_list_model_get_n_items (calls); c++)
            {
              g_autoptr(ConfabToolCall) item = g_list_model_get_item (calls, c);

              if (g_strcmp0 (confab_tool_call_get_id (item), confab_tool_call_get_id (call)) != 0)
                continue;
              confab_tool_call_set_arguments (item, confab_tool_call_get_arguments (rerun));
              confab_tool_call_set_result (item, confab_tool_call_get_result (rerun));
              confab_tool_call_set_result_content (item, confab_tool_call_get_result_content (rerun));
              confab_tool_call_set_error (item, confab_tool_call_get_error (rerun));
              confab_tool_call_set_status (item, confab_tool_call_get_status (rerun));
            }
        }
      else if (g_strcmp0 (confab_message_get_tool_call_id (copy), confab_tool_call_get_id (call)) == 0)
        confab_message_set_content (copy, confab_tool_call_get_result (rerun) ?: confab_tool_call_get_error (rerun) ?: "");
    }

  confab_conversation_rewind (conversation, position);
  for (guint i = 0; i < copies->len; i++)
    confab_conversation_append (conversation, g_ptr_array_index (copies, i));

  return TRUE;
}
