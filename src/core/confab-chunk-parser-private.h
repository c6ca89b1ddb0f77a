/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The members of a streamed chat.completion.chunk that Confab reads, taken out of the JSON
 * text without building a tree (the SSE hot path), from the events of the JSON adapter in
 * confab-json-stream-private.h (yajl's callback parser; large imports use it too). Everything
 * else in Confab reads JSON with json-glib. What is done with the members stays in
 * ConfabDeltaAccumulator. */

typedef enum {
  CONFAB_CHUNK_ABSENT,
  CONFAB_CHUNK_NULL,
  CONFAB_CHUNK_STRING,
  CONFAB_CHUNK_NUMBER,
  CONFAB_CHUNK_BOOLEAN,
  CONFAB_CHUNK_OBJECT,
  CONFAB_CHUNK_ARRAY,
} ConfabChunkKind;

/* One member. The last one wins when a key repeats, as in json-glib. */
typedef struct
{
  ConfabChunkKind  kind;
  GString         *text;      /* STRING: decoded, valid UTF-8 without NUL */
  gsize            offset;    /* OBJECT, ARRAY: its JSON text in ConfabChunk.json */
  gsize            len;
  gboolean         is_int;    /* NUMBER: a whole number a gint64 holds */
  gint64           int_value;
} ConfabChunkValue;

/* choices[].delta.tool_calls[] (objects only) */
typedef struct
{
  ConfabChunkValue index;
  ConfabChunkValue id;
  ConfabChunkValue function;
  ConfabChunkValue name;        /* function.name */
  ConfabChunkValue arguments;   /* function.arguments */
} ConfabChunkToolCall;

/* choices[] (objects only) */
typedef struct
{
  guint            position;    /* among all the elements of "choices" */
  ConfabChunkValue index;
  ConfabChunkValue delta;
  ConfabChunkValue finish_reason;
  ConfabChunkValue usage;
  /* delta.… */
  ConfabChunkValue reasoning_content;
  ConfabChunkValue reasoning;
  ConfabChunkValue content;
  ConfabChunkValue refusal;
  ConfabChunkValue tool_calls;
  guint            n_tool_calls;
  GPtrArray       *tool_call_pool;   /* ConfabChunkToolCall, reused from chunk to chunk */
} ConfabChunkChoice;

typedef struct
{
  const char       *json;       /* the text parsed: OBJECT and ARRAY members point into it */
  gsize             json_len;
  ConfabChunkValue  error;
  ConfabChunkValue  model;
  ConfabChunkValue  usage;
  ConfabChunkValue  x_groq;
  ConfabChunkValue  x_groq_usage;
  ConfabChunkValue  choices;
  guint             n_choice_elements;
  guint             n_choices;
  GPtrArray        *choice_pool;     /* ConfabChunkChoice, reused from chunk to chunk */
} ConfabChunk;

typedef struct _ConfabChunkParser ConfabChunkParser;

ConfabChunkParser   *_confab_chunk_parser_new   (void);
void                 _confab_chunk_parser_free  (ConfabChunkParser *self);

/* Reads one event's JSON text (which must stay alive while the chunk is used). NULL when
 * it is not one strict JSON object of valid UTF-8 nested at most CONFAB_JSON_MAX_DEPTH
 * levels: the caller then reads it with json-glib, for its error message or its leniency.
 * Lone surrogate and NUL escapes read as U+FFFD. (transfer none: valid until the next
 * parse) */
const ConfabChunk   *_confab_chunk_parser_parse (ConfabChunkParser *self,
                                                 const char        *json,
                                                 gsize              len);

static inline ConfabChunkChoice *
_confab_chunk_get_choice (const ConfabChunk *chunk,
                          guint              i)
{
  return g_ptr_array_index (chunk->choice_pool, i);
}

static inline ConfabChunkToolCall *
_confab_chunk_choice_get_tool_call (const ConfabChunkChoice *choice,
                                    guint                    i)
{
  return g_ptr_array_index (choice->tool_call_pool, i);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabChunkParser, _confab_chunk_parser_free)

G_END_DECLS
