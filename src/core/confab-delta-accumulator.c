/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-delta-accumulator"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-chunk-parser-private.h"
#include "confab-delta-accumulator.h"
#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-message.h"
#include "confab-sse-reader.h"
#include "confab-tool-call.h"
#include "confab-usage.h"

/* What real OpenAI-compatible providers stream, and what is done with it:
 *
 *  - choices[].delta.content: appended to the content (null, "" and missing are nothing);
 *    delta.role is ignored whether it comes once or in every chunk;
 *  - delta.reasoning_content (DeepSeek, Moonshot, Groq) or delta.reasoning (OpenRouter):
 *    appended to the reasoning; when both come in one delta they carry the same text and
 *    reasoning_content wins;
 *  - delta.tool_calls[]: whole in one delta (Groq) or in fragments (OpenAI, OpenRouter,
 *    Moonshot): told apart by "index", created on first sight; id and name are taken when
 *    they first come; arguments are appended byte for byte as streamed, never re-serialized.
 *    Calls stay in the streaming status: the tool loop moves them on;
 *  - finish_reason: kept on the message (native_finish_reason is ignored);
 *  - usage: at the top level (finish chunk and/or a last chunk with "choices": []), inside
 *    x_groq, or inside a choice (Moonshot). The last usage object reported wins, never a sum;
 *  - {"error": …}: the stream stops with CONFAB_ERROR_PROVIDER and the provider's message;
 *  - "[DONE]": the end; anything after it is ignored;
 *  - a payload that is not a JSON object: CONFAB_ERROR_PROTOCOL with an excerpt;
 *  - a payload nested deeper than CONFAB_JSON_MAX_DEPTH (512): CONFAB_ERROR_PROTOCOL, before
 *    any parser recurses into it;
 *  - a payload that is not UTF-8: CONFAB_ERROR_INVALID_UTF8. The model only ever holds valid
 *    UTF-8, so such an event is refused as a whole and the message fails, keeping the text
 *    that came before. Escapes that decode to no text (a lone surrogate such as \ud800,
 *    half of an emoji cut between two chunks) and \u0000 (which would cut the text short)
 *    are read as U+FFFD, keeping what follows.
 *
 * Chunks are read by ConfabChunkParser (yajl's callbacks, no tree: this is the hot path);
 * members it keeps as JSON text (usage, errors, content parts, arguments sent as an object)
 * and the events it does not take (invalid, too deep, or JSON only json-glib's leniency
 * reads) are read with json-glib, so errors and leniency are json-glib's as before.
 *
 * The accumulator never sets the message state: the client does, from what feed and finish
 * return. Whatever was appended stays appended on every error path. */

#define EXCERPT_LEN 80
#define RAW_ERROR_LEN 500
#define READ_BLOCK (64 * 1024)

struct _ConfabDeltaAccumulator
{
  ConfabMessage   *message;
  ConfabSseReader *reader;
  JsonParser      *parser;       /* members kept as text; events yajl did not take */
  ConfabChunkParser *chunk_parser;
  GError          *error;       /* set once the stream failed: it stays failed */

  /* The tool call the last fragment went to, so fragments need no search. */
  ConfabToolCall  *last_call;   /* owned */

  guint            done : 1;
  guint            has_finish_reason : 1;
  guint            has_output : 1;
  guint            model_seen : 1;
};

static gboolean
on_sse_event (const ConfabSseEvent  *event,
              gpointer               user_data,
              GError               **error)
{
  ConfabDeltaAccumulator *self = user_data;

  return confab_delta_accumulator_feed_data (self, event->data, event->data_len, error);
}

ConfabDeltaAccumulator *
confab_delta_accumulator_new (ConfabMessage *message)
{
  ConfabDeltaAccumulator *self;

  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), NULL);

  self = g_new0 (ConfabDeltaAccumulator, 1);
  self->message = g_object_ref (message);
  self->reader = confab_sse_reader_new (on_sse_event, self);
  self->parser = json_parser_new ();
  self->chunk_parser = _confab_chunk_parser_new ();

  return self;
}

void
confab_delta_accumulator_free (ConfabDeltaAccumulator *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->reader, confab_sse_reader_free);
  g_clear_object (&self->last_call);
  g_clear_object (&self->parser);
  g_clear_pointer (&self->chunk_parser, _confab_chunk_parser_free);
  g_clear_object (&self->message);
  g_clear_error (&self->error);
  g_free (self);
}

ConfabMessage *
confab_delta_accumulator_get_message (ConfabDeltaAccumulator *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->message;
}

void
confab_delta_accumulator_set_max_line (ConfabDeltaAccumulator *self,
                                       gsize                   max_line)
{
  g_return_if_fail (self != NULL);

  confab_sse_reader_set_max_line (self->reader, max_line);
}

gboolean
confab_delta_accumulator_is_done (ConfabDeltaAccumulator *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->done;
}

gboolean
confab_delta_accumulator_has_finish_reason (ConfabDeltaAccumulator *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->has_finish_reason;
}

gboolean
confab_delta_accumulator_has_output (ConfabDeltaAccumulator *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->has_output;
}

const GError *
confab_delta_accumulator_get_error (ConfabDeltaAccumulator *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->error;
}

static gboolean
fail (ConfabDeltaAccumulator  *self,
      GError                 **error,
      GError                  *reason)
{
  if (self->error == NULL)
    self->error = g_error_copy (reason);
  g_propagate_error (error, reason);

  return FALSE;
}

/* A short, printable, valid UTF-8 excerpt of a payload for error messages. (transfer full) */
static char *
make_excerpt (const char *data,
              gsize       len)
{
  gsize n = MIN (len, EXCERPT_LEN);
  g_autofree char *valid = NULL;
  GString *excerpt;

  /* Do not cut a UTF-8 character in two (a cut one would show as a replacement mark). */
  while (n > 0 && n < len && ((guchar) data[n] & 0xC0) == 0x80)
    n--;

  valid = g_utf8_make_valid (data, n);
  excerpt = g_string_sized_new (n + 8);

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append (excerpt, "\\n");
      else if (*p == '\r')
        g_string_append (excerpt, "\\r");
      else if ((guchar) *p < 0x20)
        g_string_append_c (excerpt, ' ');
      else
        g_string_append_c (excerpt, *p);
    }

  if (n < len)
    g_string_append (excerpt, "…");

  return g_string_free (excerpt, FALSE);
}

static inline const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);

  return NULL;
}

static inline JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);

  return NULL;
}

/* Text as a JSON scalar ("502", 502) for error messages; NULL for anything else. (transfer full) */
static char *
scalar_to_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return g_strdup_printf ("%g", json_node_get_double (node));
    default:
      return NULL;
    }
}

/* {"error": "text"} or {"error": {"message", "code", "metadata": {"raw", "provider_name"}}}
 * into one readable line: "message (code) — provider: raw". (transfer full) */
static GError *
provider_error_new (JsonNode *node)
{
  g_autofree char *code = NULL;
  g_autofree char *raw = NULL;
  const char *message = NULL;
  const char *provider = NULL;
  GString *text;
  GError *error;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObject *metadata = get_object (object, "metadata");

      message = get_string (object, "message");
      code = scalar_to_string (json_object_get_member (object, "code"));
      if (code == NULL)
        code = g_strdup (get_string (object, "type"));

      if (metadata != NULL)
        {
          JsonNode *raw_node = json_object_get_member (metadata, "raw");

          provider = get_string (metadata, "provider_name");
          if (raw_node != NULL && JSON_NODE_HOLDS_VALUE (raw_node))
            raw = scalar_to_string (raw_node);
          else if (raw_node != NULL && !JSON_NODE_HOLDS_NULL (raw_node))
            raw = json_to_string (raw_node, FALSE);
        }
    }
  else
    {
      message = json_node_get_string (node);
    }

  text = g_string_new (NULL);
  if (message != NULL && *message != '\0')
    g_string_append (text, message);
  else
    g_string_append (text, _("The provider reported an error"));

  if (code != NULL && *code != '\0')
    g_string_append_printf (text, " (%s)", code);

  if (raw != NULL && *raw != '\0')
    {
      g_autofree char *excerpt = make_excerpt (raw, MIN (strlen (raw), RAW_ERROR_LEN));

      g_string_append (text, provider != NULL ? " — " : ": ");
      if (provider != NULL)
        g_string_append_printf (text, "%s: ", provider);
      g_string_append (text, excerpt);
    }

  error = g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_PROVIDER, text->str);
  g_string_free (text, TRUE);

  return error;
}

static void
append_text (ConfabDeltaAccumulator *self,
             JsonNode               *node,
             gboolean                reasoning)
{
  const char *text;
  gsize len;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    {
      /* Content as an array of parts: [{"type": "text", "text": "…"}]. */
      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node) && !reasoning)
        {
          JsonArray *parts = json_node_get_array (node);
          guint n = json_array_get_length (parts);

          for (guint i = 0; i < n; i++)
            {
              JsonNode *part = json_array_get_element (parts, i);

              if (JSON_NODE_HOLDS_OBJECT (part))
                append_text (self, json_object_get_member (json_node_get_object (part), "text"), FALSE);
            }
        }
      return;
    }

  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return;

  text = json_node_get_string (node);
  len = strlen (text);
  if (len == 0)
    return;

  self->has_output = TRUE;
  if (reasoning)
    confab_message_append_reasoning (self->message, text, len);
  else
    confab_message_append_content (self->message, text, len);
}

static ConfabToolCall *
find_call_by_id (ConfabDeltaAccumulator *self,
                 const char             *id)
{
  GListModel *calls = confab_message_get_tool_calls (self->message);
  guint n = g_list_model_get_n_items (calls);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabToolCall) call = g_list_model_get_item (calls, i);

      if (g_strcmp0 (confab_tool_call_get_id (call), id) == 0)
        return call;  /* the message keeps it alive */
    }

  return NULL;
}

/* An object or array the chunk parser kept as JSON text, read with json-glib (usage, an
 * error, content parts, arguments sent as an object): rare, and small. Owned by the parser
 * until its next load. */
static JsonNode *
read_member (ConfabDeltaAccumulator *self,
             const ConfabChunk      *chunk,
             const ConfabChunkValue *value)
{
  if (!json_parser_load_from_data (self->parser, chunk->json + value->offset, value->len, NULL))
    return NULL;

  return json_parser_get_root (self->parser);
}

static void
append_value (ConfabDeltaAccumulator *self,
              const ConfabChunk      *chunk,
              const ConfabChunkValue *value,
              gboolean                reasoning)
{
  if (value->kind == CONFAB_CHUNK_STRING)
    {
      if (value->text->len == 0)
        return;

      self->has_output = TRUE;
      if (reasoning)
        confab_message_append_reasoning (self->message, value->text->str, value->text->len);
      else
        confab_message_append_content (self->message, value->text->str, value->text->len);
    }
  else if (value->kind == CONFAB_CHUNK_ARRAY && !reasoning)
    {
      append_text (self, read_member (self, chunk, value), FALSE);
    }
}

static void
update_usage (ConfabDeltaAccumulator *self,
              const ConfabChunk      *chunk,
              const ConfabChunkValue *value)
{
  JsonNode *usage;

  if (value->kind != CONFAB_CHUNK_OBJECT)
    return;

  usage = read_member (self, chunk, value);
  if (usage != NULL && JSON_NODE_HOLDS_OBJECT (usage))
    confab_usage_update_from_json (confab_message_get_usage (self->message), json_node_get_object (usage));
}

static void
accumulate_tool_call (ConfabDeltaAccumulator    *self,
                      const ConfabChunk         *chunk,
                      const ConfabChunkToolCall *fragment)
{
  ConfabToolCall *call = NULL;
  const char *id = NULL;

  if (fragment->id.kind == CONFAB_CHUNK_STRING && fragment->id.text->len > 0)
    id = fragment->id.text->str;

  if (fragment->index.is_int && fragment->index.int_value >= 0 && fragment->index.int_value <= G_MAXUINT)
    {
      guint index = fragment->index.int_value;

      if (self->last_call != NULL && confab_tool_call_get_index (self->last_call) == index)
        call = self->last_call;
      else
        call = confab_message_ensure_tool_call (self->message, index);
    }
  else if (id != NULL)
    {
      /* No index (some servers): a new id is a new call, a known one is that call. */
      call = find_call_by_id (self, id);
      if (call == NULL)
        call = confab_message_ensure_tool_call (self->message,
                                                confab_message_get_n_tool_calls (self->message));
    }
  else if (self->last_call != NULL)
    {
      call = self->last_call;
    }
  else
    {
      call = confab_message_ensure_tool_call (self->message, 0);
    }

  g_set_object (&self->last_call, call);
  self->has_output = TRUE;

  if (id != NULL && confab_tool_call_get_id (call) == NULL)
    confab_tool_call_set_id (call, id);

  if (fragment->function.kind != CONFAB_CHUNK_OBJECT)
    return;

  if (fragment->name.kind == CONFAB_CHUNK_STRING && fragment->name.text->len > 0)
    {
      const char *current = confab_tool_call_get_name (call);

      if (current == NULL || *current == '\0')
        confab_tool_call_set_name (call, fragment->name.text->str);
    }

  if (fragment->arguments.kind == CONFAB_CHUNK_STRING)
    {
      confab_tool_call_append_arguments (call, fragment->arguments.text->str, fragment->arguments.text->len);
    }
  else if (fragment->arguments.kind == CONFAB_CHUNK_OBJECT)
    {
      /* A server that sends the arguments as an object rather than a string: its JSON text
       * is the best there is. */
      JsonNode *arguments = read_member (self, chunk, &fragment->arguments);
      g_autofree char *text = arguments != NULL ? json_to_string (arguments, FALSE) : NULL;

      if (text != NULL)
        confab_tool_call_append_arguments (call, text, -1);
    }
}

static void
accumulate_choice (ConfabDeltaAccumulator  *self,
                   const ConfabChunk       *chunk,
                   const ConfabChunkChoice *choice)
{
  /* One answer per request: other choices (n > 1) are not ours. */
  if (choice->index.is_int && choice->index.int_value != 0)
    return;

  if (choice->delta.kind == CONFAB_CHUNK_OBJECT)
    {
      const ConfabChunkValue *reasoning = &choice->reasoning_content;

      /* Thinking comes before the answer when a delta carries both. */
      if (reasoning->kind == CONFAB_CHUNK_ABSENT || reasoning->kind == CONFAB_CHUNK_NULL)
        reasoning = &choice->reasoning;
      append_value (self, chunk, reasoning, TRUE);

      append_value (self, chunk, &choice->content, FALSE);
      append_value (self, chunk, &choice->refusal, FALSE);

      if (choice->tool_calls.kind == CONFAB_CHUNK_ARRAY)
        for (guint i = 0; i < choice->n_tool_calls; i++)
          accumulate_tool_call (self, chunk, _confab_chunk_choice_get_tool_call (choice, i));
    }

  if (choice->finish_reason.kind == CONFAB_CHUNK_STRING && choice->finish_reason.text->len > 0)
    {
      self->has_finish_reason = TRUE;
      confab_message_set_finish_reason (self->message, choice->finish_reason.text->str);
    }

  /* Moonshot reports usage inside the choice. */
  update_usage (self, chunk, &choice->usage);
}

static gboolean
is_blank (const char *data,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (data[i]))
      return FALSE;

  return TRUE;
}

static gboolean
is_done_marker (const char *data,
                gsize       len)
{
  while (len > 0 && g_ascii_isspace (data[0]))
    {
      data++;
      len--;
    }
  while (len > 0 && g_ascii_isspace (data[len - 1]))
    len--;

  return len == 6 && memcmp (data, "[DONE]", 6) == 0;
}

/* The json-glib path, for an event the chunk parser did not take: its error, or (when
 * json-glib is more lenient: raw control characters, comments) its text rewritten as strict
 * JSON in @normalized. */
static gboolean
read_with_json_glib (ConfabDeltaAccumulator  *self,
                     const char              *data,
                     gsize                    len,
                     char                   **normalized,
                     GError                 **error)
{
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;

  if (!_confab_json_parser_load_untrusted (self->parser, data, len, &parse_error))
    {
      g_autofree char *excerpt = NULL;
      const char *end = NULL;

      if (!g_utf8_validate_len (data, len, &end))
        return fail (self, error,
                     g_error_new (CONFAB_ERROR, CONFAB_ERROR_INVALID_UTF8,
                                  _("The provider sent text that is not valid UTF-8 (byte %u of an event); the answer stops here"),
                                  (guint) (end - data)));

      excerpt = make_excerpt (data, len);
      if (parse_error->domain == CONFAB_ERROR)
        return fail (self, error,
                     g_error_new (CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                                  _("The provider sent an event that cannot be read (%s); the answer stops here: “%s”"),
                                  parse_error->message, excerpt));

      return fail (self, error,
                   g_error_new (CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                                _("The provider sent an event that is not valid JSON (%s): “%s”"),
                                parse_error->message, excerpt));
    }

  root = json_parser_get_root (self->parser);

  /* An empty or blank payload ("data:" alone, keep-alives): nothing to take from it. */
  if (root == NULL && is_blank (data, len))
    return TRUE;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autofree char *excerpt = make_excerpt (data, len);

      return fail (self, error,
                   g_error_new (CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                                _("The provider sent an event that is not a JSON object: “%s”"),
                                excerpt));
    }

  *normalized = json_to_string (root, FALSE);
  return TRUE;
}

gboolean
confab_delta_accumulator_feed_data (ConfabDeltaAccumulator  *self,
                                    const char              *data,
                                    gsize                    len,
                                    GError                 **error)
{
  g_autofree char *normalized = NULL;
  const ConfabChunk *chunk;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  if (self->done)
    return TRUE;

  /* "[DONE]" (spaces around it tolerated): its first byte tells it from a JSON object
   * without a full compare. */
  if (len > 0 && (data[0] == '[' || g_ascii_isspace (data[0])) && is_done_marker (data, len))
    {
      self->done = TRUE;
      return TRUE;
    }

  chunk = _confab_chunk_parser_parse (self->chunk_parser, data, len);
  if (chunk == NULL)
    {
      if (!read_with_json_glib (self, data, len, &normalized, error))
        return FALSE;
      if (normalized == NULL)
        return TRUE;

      chunk = _confab_chunk_parser_parse (self->chunk_parser, normalized, strlen (normalized));
      if (chunk == NULL)
        {
          g_autofree char *excerpt = make_excerpt (data, len);

          return fail (self, error,
                       g_error_new (CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                                    _("The provider sent an event that cannot be read: “%s”"),
                                    excerpt));
        }
    }

  if (chunk->error.kind == CONFAB_CHUNK_OBJECT || chunk->error.kind == CONFAB_CHUNK_STRING)
    {
      g_autoptr(JsonNode) error_node = NULL;

      /* OpenRouter sends the error with a last choice ("finish_reason": "error"); keep it. */
      if (chunk->choices.kind == CONFAB_CHUNK_ARRAY && chunk->n_choice_elements > 0 &&
          chunk->n_choices > 0 && _confab_chunk_get_choice (chunk, 0)->position == 0)
        {
          const ConfabChunkChoice *choice = _confab_chunk_get_choice (chunk, 0);

          if (choice->finish_reason.kind == CONFAB_CHUNK_STRING)
            confab_message_set_finish_reason (self->message, choice->finish_reason.text->str);
        }

      if (chunk->error.kind == CONFAB_CHUNK_STRING)
        {
          error_node = json_node_new (JSON_NODE_VALUE);
          json_node_set_string (error_node, chunk->error.text->str);
        }
      else
        {
          JsonNode *node = read_member (self, chunk, &chunk->error);

          error_node = node != NULL ? json_node_copy (node) : json_node_new (JSON_NODE_OBJECT);
          if (node == NULL)
            json_node_take_object (error_node, json_object_new ());
        }

      return fail (self, error, provider_error_new (error_node));
    }

  if (!self->model_seen && chunk->model.kind == CONFAB_CHUNK_STRING && chunk->model.text->len > 0)
    {
      const char *model = chunk->model.text->str;

      self->model_seen = TRUE;
      if (g_strcmp0 (confab_message_get_model (self->message), model) != 0)
        confab_message_set_model (self->message, model);
    }

  if (chunk->choices.kind == CONFAB_CHUNK_ARRAY)
    for (guint i = 0; i < chunk->n_choices; i++)
      accumulate_choice (self, chunk, _confab_chunk_get_choice (chunk, i));

  /* Groq repeats the usage in x_groq; the top-level object, read last, wins. Both are the
   * same numbers: the last one reported replaces what came before. */
  if (chunk->x_groq.kind == CONFAB_CHUNK_OBJECT)
    update_usage (self, chunk, &chunk->x_groq_usage);
  update_usage (self, chunk, &chunk->usage);

  return TRUE;
}

gboolean
confab_delta_accumulator_feed_bytes (ConfabDeltaAccumulator  *self,
                                     const char              *data,
                                     gsize                    len,
                                     GError                 **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  /* After [DONE] the rest of the body means nothing. */
  if (self->done)
    return TRUE;

  if (!confab_sse_reader_feed (self->reader, data, len, &local_error))
    {
      /* The reader's own failures (a line too long) are remembered here too; those of
       * feed_data already are. */
      if (self->error == NULL)
        self->error = g_error_copy (local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

gboolean
confab_delta_accumulator_finish (ConfabDeltaAccumulator  *self,
                                 GError                 **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  /* An event without its blank line at the very end is discarded, as the spec says. */
  confab_sse_reader_end (self->reader, NULL);

  if (self->done || self->has_finish_reason)
    return TRUE;

  return fail (self, error,
               g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_TRUNCATED,
                                    _("The stream ended before the answer was complete")));
}

gboolean
confab_delta_accumulator_read_stream (ConfabDeltaAccumulator  *self,
                                      GInputStream            *stream,
                                      GCancellable            *cancellable,
                                      GError                 **error)
{
  g_autofree char *buffer = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buffer = g_malloc (READ_BLOCK);

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, READ_BLOCK, cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      if (!confab_delta_accumulator_feed_bytes (self, buffer, n, error))
        return FALSE;
    }

  return confab_delta_accumulator_finish (self, error);
}

JsonNode *
confab_delta_accumulator_to_json (ConfabDeltaAccumulator *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  ConfabUsage *usage;
  const char *reasoning;
  const char *finish_reason;
  JsonNode *usage_node;

  g_return_val_if_fail (self != NULL, NULL);

  builder = json_builder_new ();
  usage = confab_message_get_usage (self->message);
  reasoning = confab_message_get_reasoning (self->message);
  finish_reason = confab_message_get_finish_reason (self->message);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "message");
  json_builder_add_value (builder, confab_message_to_json (self->message));

  json_builder_set_member_name (builder, "reasoning");
  if (reasoning != NULL && *reasoning != '\0')
    json_builder_add_string_value (builder, reasoning);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "finish_reason");
  if (finish_reason != NULL)
    json_builder_add_string_value (builder, finish_reason);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "model");
  if (confab_message_get_model (self->message) != NULL)
    json_builder_add_string_value (builder, confab_message_get_model (self->message));
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "usage");
  usage_node = confab_usage_to_json (usage);
  if (usage_node != NULL)
    json_builder_add_value (builder, usage_node);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "done");
  json_builder_add_boolean_value (builder, self->done);

  json_builder_set_member_name (builder, "error");
  if (self->error != NULL)
    json_builder_add_string_value (builder, self->error->message);
  else
    json_builder_add_null_value (builder);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
