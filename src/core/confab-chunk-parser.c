/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-chunk-parser"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "confab-chunk-parser-private.h"
#include "confab-json-private.h"
#include "confab-json-stream-private.h"

/* A streamed chunk is read with the events of yajl's callback parser (through the adapter in
 * confab-json-stream.c, the one place that knows yajl): no tree is built, only the members the
 * accumulator reads are kept (strings copied, objects and arrays it hands to json-glib as
 * offsets into the text). The callbacks follow where they are with a stack of frames, one
 * per open object or array. */

typedef enum {
  CTX_CHUNK,        /* the top-level object */
  CTX_CHOICES,      /* "choices": [ */
  CTX_CHOICE,       /* choices[] { */
  CTX_DELTA,        /* choices[].delta { */
  CTX_TOOL_CALLS,   /* choices[].delta.tool_calls [ */
  CTX_TOOL_CALL,    /* choices[].delta.tool_calls[] { */
  CTX_FUNCTION,     /* choices[].delta.tool_calls[].function { */
  CTX_X_GROQ,       /* "x_groq": { */
  CTX_CAPTURE,      /* an object or array kept as text (usage, error, content parts …) */
  CTX_SKIP,         /* anything else */
} Context;

typedef struct
{
  Context           context;
  gboolean          is_map;
  ConfabChunkValue *slot;        /* maps: where the value of the current key goes */
  ConfabChunkValue *capture;     /* CTX_CAPTURE: the member whose text ends here */
} Frame;

struct _ConfabChunkParser
{
  ConfabChunk          chunk;
  ConfabJsonEventParser *events;
  char                *sanitized;
  ConfabChunkChoice   *choice;       /* the choice being read */
  ConfabChunkToolCall *tool_call;    /* the tool call being read */
  guint                depth;
  gboolean             root_seen;
  Frame                frames[CONFAB_JSON_MAX_DEPTH + 1];
};

static void
value_clear (ConfabChunkValue *value)
{
  if (value->text != NULL)
    g_string_free (value->text, TRUE);
}

static inline void
value_reset (ConfabChunkValue *value)
{
  value->kind = CONFAB_CHUNK_ABSENT;
  value->is_int = FALSE;
}

static void
tool_call_free (gpointer data)
{
  ConfabChunkToolCall *call = data;

  value_clear (&call->index);
  value_clear (&call->id);
  value_clear (&call->function);
  value_clear (&call->name);
  value_clear (&call->arguments);
  g_free (call);
}

static void
choice_free (gpointer data)
{
  ConfabChunkChoice *choice = data;

  value_clear (&choice->index);
  value_clear (&choice->delta);
  value_clear (&choice->finish_reason);
  value_clear (&choice->usage);
  value_clear (&choice->reasoning_content);
  value_clear (&choice->reasoning);
  value_clear (&choice->content);
  value_clear (&choice->refusal);
  value_clear (&choice->tool_calls);
  g_ptr_array_unref (choice->tool_call_pool);
  g_free (choice);
}

static void
reset_function (ConfabChunkToolCall *call)
{
  value_reset (&call->function);
  value_reset (&call->name);
  value_reset (&call->arguments);
}

static void
reset_delta (ConfabChunkChoice *choice)
{
  value_reset (&choice->delta);
  value_reset (&choice->reasoning_content);
  value_reset (&choice->reasoning);
  value_reset (&choice->content);
  value_reset (&choice->refusal);
  value_reset (&choice->tool_calls);
  choice->n_tool_calls = 0;
}

static void
reset_chunk (ConfabChunk *chunk)
{
  value_reset (&chunk->error);
  value_reset (&chunk->model);
  value_reset (&chunk->usage);
  value_reset (&chunk->x_groq);
  value_reset (&chunk->x_groq_usage);
  value_reset (&chunk->choices);
  chunk->n_choice_elements = 0;
  chunk->n_choices = 0;
}

static ConfabChunkChoice *
next_choice (ConfabChunk *chunk)
{
  ConfabChunkChoice *choice;

  if (chunk->n_choices == chunk->choice_pool->len)
    {
      choice = g_new0 (ConfabChunkChoice, 1);
      choice->tool_call_pool = g_ptr_array_new_with_free_func (tool_call_free);
      g_ptr_array_add (chunk->choice_pool, choice);
    }

  choice = g_ptr_array_index (chunk->choice_pool, chunk->n_choices++);
  choice->position = chunk->n_choice_elements - 1;
  value_reset (&choice->index);
  value_reset (&choice->finish_reason);
  value_reset (&choice->usage);
  reset_delta (choice);

  return choice;
}

static ConfabChunkToolCall *
next_tool_call (ConfabChunkChoice *choice)
{
  ConfabChunkToolCall *call;

  if (choice->n_tool_calls == choice->tool_call_pool->len)
    g_ptr_array_add (choice->tool_call_pool, g_new0 (ConfabChunkToolCall, 1));

  call = g_ptr_array_index (choice->tool_call_pool, choice->n_tool_calls++);
  value_reset (&call->index);
  value_reset (&call->id);
  reset_function (call);

  return call;
}

#define KEY_IS(key, len, literal) \
  ((len) == sizeof (literal) - 1 && memcmp ((key), (literal), sizeof (literal) - 1) == 0)

/* Where the value of @key goes in the object of @frame; NULL when it is not read. A key
 * seen again forgets what came with it the first time. */
static ConfabChunkValue *
slot_for_key (ConfabChunkParser *self,
              Frame             *frame,
              const char        *key,
              gsize              len)
{
  ConfabChunk *chunk = &self->chunk;
  ConfabChunkChoice *choice = self->choice;
  ConfabChunkToolCall *call = self->tool_call;

  switch (frame->context)
    {
    case CTX_CHUNK:
      if (KEY_IS (key, len, "choices"))
        {
          chunk->n_choice_elements = 0;
          chunk->n_choices = 0;
          return &chunk->choices;
        }
      if (KEY_IS (key, len, "usage"))
        return &chunk->usage;
      if (KEY_IS (key, len, "model"))
        return &chunk->model;
      if (KEY_IS (key, len, "error"))
        return &chunk->error;
      if (KEY_IS (key, len, "x_groq"))
        {
          value_reset (&chunk->x_groq_usage);
          return &chunk->x_groq;
        }
      return NULL;

    case CTX_CHOICE:
      if (KEY_IS (key, len, "delta"))
        {
          reset_delta (choice);
          return &choice->delta;
        }
      if (KEY_IS (key, len, "index"))
        return &choice->index;
      if (KEY_IS (key, len, "finish_reason"))
        return &choice->finish_reason;
      if (KEY_IS (key, len, "usage"))
        return &choice->usage;
      return NULL;

    case CTX_DELTA:
      if (KEY_IS (key, len, "content"))
        return &choice->content;
      if (KEY_IS (key, len, "reasoning_content"))
        return &choice->reasoning_content;
      if (KEY_IS (key, len, "reasoning"))
        return &choice->reasoning;
      if (KEY_IS (key, len, "tool_calls"))
        {
          choice->n_tool_calls = 0;
          return &choice->tool_calls;
        }
      if (KEY_IS (key, len, "refusal"))
        return &choice->refusal;
      return NULL;

    case CTX_TOOL_CALL:
      if (KEY_IS (key, len, "function"))
        {
          reset_function (call);
          return &call->function;
        }
      if (KEY_IS (key, len, "index"))
        return &call->index;
      if (KEY_IS (key, len, "id"))
        return &call->id;
      return NULL;

    case CTX_FUNCTION:
      if (KEY_IS (key, len, "arguments"))
        return &call->arguments;
      if (KEY_IS (key, len, "name"))
        return &call->name;
      return NULL;

    case CTX_X_GROQ:
      if (KEY_IS (key, len, "usage"))
        return &chunk->x_groq_usage;
      return NULL;

    case CTX_CHOICES:
    case CTX_TOOL_CALLS:
    case CTX_CAPTURE:
    case CTX_SKIP:
    default:
      return NULL;
    }
}

/* The member a scalar or a container at the current place is: the slot of the current key
 * in an object we read, NULL elsewhere. */
static inline ConfabChunkValue *
current_slot (ConfabChunkParser *self)
{
  Frame *frame = &self->frames[self->depth - 1];

  return frame->is_map ? frame->slot : NULL;
}

/* Counts elements of the arrays we read; FALSE for a value at the top level (the chunk must
 * be an object). */
static inline gboolean
begin_value (ConfabChunkParser *self)
{
  if (self->depth == 0)
    return FALSE;

  if (self->frames[self->depth - 1].context == CTX_CHOICES)
    self->chunk.n_choice_elements++;

  return TRUE;
}

static gboolean
on_null (gpointer user_data)
{
  ConfabChunkParser *self = user_data;
  ConfabChunkValue *slot;

  if (!begin_value (self))
    return 0;
  if ((slot = current_slot (self)) != NULL)
    {
      value_reset (slot);
      slot->kind = CONFAB_CHUNK_NULL;
    }

  return 1;
}

static gboolean
on_boolean (gpointer user_data,
            gboolean value)
{
  ConfabChunkParser *self = user_data;
  ConfabChunkValue *slot;

  if (!begin_value (self))
    return 0;
  if ((slot = current_slot (self)) != NULL)
    {
      value_reset (slot);
      slot->kind = CONFAB_CHUNK_BOOLEAN;
    }

  return 1;
}

static gboolean
on_number (gpointer    user_data,
           const char *text,
           gsize       len)
{
  ConfabChunkParser *self = user_data;
  ConfabChunkValue *slot;
  char buffer[64];
  char *end = NULL;

  if (!begin_value (self))
    return 0;
  if ((slot = current_slot (self)) == NULL)
    return 1;

  value_reset (slot);
  slot->kind = CONFAB_CHUNK_NUMBER;

  /* Only indexes are read as numbers; a longer number is no index anyway. */
  if (len >= sizeof buffer)
    return 1;
  memcpy (buffer, text, len);
  buffer[len] = '\0';

  if (strpbrk (buffer, ".eE") == NULL)
    {
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (buffer, &end, 10);
      slot->is_int = errno == 0 && end == buffer + len;
      slot->int_value = value;
    }
  else
    {
      double value = g_ascii_strtod (buffer, &end);

      slot->is_int = end == buffer + len &&
                     _confab_json_double_to_int (value, G_MININT64, G_MAXINT64, &slot->int_value);
    }

  return 1;
}

static gboolean
on_string (gpointer    user_data,
           const char *text,
           gsize       len)
{
  ConfabChunkParser *self = user_data;
  ConfabChunkValue *slot;

  if (!begin_value (self))
    return 0;
  if ((slot = current_slot (self)) == NULL)
    return 1;

  value_reset (slot);
  slot->kind = CONFAB_CHUNK_STRING;
  if (slot->text == NULL)
    slot->text = g_string_sized_new (MAX (len, 64));
  g_string_truncate (slot->text, 0);
  g_string_append_len (slot->text, text, len);

  return 1;
}

static gboolean
on_key (gpointer    user_data,
        const char *key,
        gsize       len)
{
  ConfabChunkParser *self = user_data;
  Frame *frame = &self->frames[self->depth - 1];

  frame->slot = frame->context == CTX_SKIP || frame->context == CTX_CAPTURE
                  ? NULL
                  : slot_for_key (self, frame, key, len);

  return 1;
}

static gboolean
push (ConfabChunkParser *self,
      gboolean           is_map)
{
  ConfabChunkValue *slot;
  Context parent;
  Context context = CTX_SKIP;
  Frame *frame;

  if (self->depth == 0)
    {
      /* The chunk itself: an object, once. */
      if (!is_map || self->root_seen)
        return FALSE;
      self->root_seen = TRUE;
      self->depth = 1;
      self->frames[0] = (Frame) { CTX_CHUNK, TRUE, NULL, NULL };
      return TRUE;
    }

  /* Refused here as json-glib's path would refuse it: nothing deeper is read. */
  if (self->depth >= CONFAB_JSON_MAX_DEPTH)
    return FALSE;

  begin_value (self);
  parent = self->frames[self->depth - 1].context;
  slot = current_slot (self);

  if (slot != NULL)
    {
      ConfabChunk *chunk = &self->chunk;

      value_reset (slot);
      slot->kind = is_map ? CONFAB_CHUNK_OBJECT : CONFAB_CHUNK_ARRAY;
      slot->offset = _confab_json_event_parser_get_offset (self->events) - 1;

      if (!is_map && slot == &chunk->choices)
        context = CTX_CHOICES;
      else if (is_map && slot == &chunk->x_groq)
        context = CTX_X_GROQ;
      else if (is_map && self->choice != NULL && slot == &self->choice->delta)
        context = CTX_DELTA;
      else if (!is_map && self->choice != NULL && slot == &self->choice->tool_calls)
        context = CTX_TOOL_CALLS;
      else if (is_map && self->tool_call != NULL && slot == &self->tool_call->function)
        context = CTX_FUNCTION;
      else
        context = CTX_CAPTURE;
    }
  else if (is_map && parent == CTX_CHOICES)
    {
      self->choice = next_choice (&self->chunk);
      context = CTX_CHOICE;
    }
  else if (is_map && parent == CTX_TOOL_CALLS)
    {
      self->tool_call = next_tool_call (self->choice);
      context = CTX_TOOL_CALL;
    }

  frame = &self->frames[self->depth++];
  frame->context = context;
  frame->is_map = is_map;
  frame->slot = NULL;
  frame->capture = context == CTX_CAPTURE ? slot : NULL;

  return TRUE;
}

static gboolean
pop (ConfabChunkParser *self)
{
  Frame *frame = &self->frames[--self->depth];

  if (frame->capture != NULL)
    frame->capture->len = _confab_json_event_parser_get_offset (self->events) - frame->capture->offset;

  return 1;
}

static gboolean
on_start_object (gpointer user_data)
{
  return push (user_data, TRUE);
}

static gboolean
on_start_array (gpointer user_data)
{
  return push (user_data, FALSE);
}

static gboolean
on_end (gpointer user_data)
{
  return pop (user_data);
}

static const ConfabJsonEvents chunk_events = {
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

ConfabChunkParser *
_confab_chunk_parser_new (void)
{
  ConfabChunkParser *self = g_new0 (ConfabChunkParser, 1);

  self->chunk.choice_pool = g_ptr_array_new_with_free_func (choice_free);
  /* The whole text is checked by GLib before each parse. */
  self->events = _confab_json_event_parser_new (&chunk_events, CONFAB_JSON_EVENTS_TEXT_VALIDATED, self);

  return self;
}

void
_confab_chunk_parser_free (ConfabChunkParser *self)
{
  if (self == NULL)
    return;

  value_clear (&self->chunk.error);
  value_clear (&self->chunk.model);
  value_clear (&self->chunk.usage);
  value_clear (&self->chunk.x_groq);
  value_clear (&self->chunk.x_groq_usage);
  value_clear (&self->chunk.choices);
  g_ptr_array_unref (self->chunk.choice_pool);
  g_free (self->sanitized);
  _confab_json_event_parser_free (self->events);
  g_free (self);
}

const ConfabChunk *
_confab_chunk_parser_parse (ConfabChunkParser *self,
                            const char        *json,
                            gsize              len)
{
  gsize sanitized_len = 0;
  gboolean parsed;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (json != NULL || len == 0, NULL);

  /* GLib's check is the strict one (yajl lets overlong forms and encoded surrogates by),
   * and the text json-glib would refuse is refused here too. */
  if (!g_utf8_validate_len (json, len, NULL))
    return NULL;

  g_clear_pointer (&self->sanitized, g_free);
  self->sanitized = _confab_json_sanitize_escapes (json, len, &sanitized_len, NULL);
  if (self->sanitized != NULL)
    {
      json = self->sanitized;
      len = sanitized_len;
    }

  reset_chunk (&self->chunk);
  self->chunk.json = json;
  self->chunk.json_len = len;
  self->choice = NULL;
  self->tool_call = NULL;
  self->depth = 0;
  self->root_seen = FALSE;

  _confab_json_event_parser_reset (self->events);
  parsed = _confab_json_event_parser_feed (self->events, json, len) &&
           _confab_json_event_parser_finish (self->events);

  if (!parsed || !self->root_seen || self->depth != 0)
    return NULL;

  return &self->chunk;
}
