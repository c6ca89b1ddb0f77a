/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-message"

#include "config.h"

#include <string.h>

#include "confab-enum-types.h"
#include "confab-message.h"
#include "confab-tool-call.h"
#include "confab-usage.h"
#include "confab-util-private.h"

struct _ConfabMessage
{
  GObject             parent_instance;

  char               *id;
  char               *parent_id;    /* NULL: a first message */
  guint               sibling;      /* its index among the children of its parent */
  GString            *content;
  GString            *reasoning;
  GListStore         *tool_calls;
  GListStore         *attachments;
  char               *tool_call_id;
  char               *finish_reason;
  GError             *error;
  ConfabUsage        *usage;
  char               *model;
  char               *request_body;
  GByteArray         *raw_response;
  GBytes             *raw_frozen;   /* raw_response handed out without a copy (dup) */
  gint64              created_at;
  int                 retry_after;
  guint               http_status;
  JsonNode           *exchange;
  ConfabRole          role;
  ConfabMessageState  state;
};

G_DEFINE_FINAL_TYPE (ConfabMessage, confab_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_ROLE,
  PROP_CONTENT,
  PROP_REASONING,
  PROP_TOOL_CALLS,
  PROP_TOOL_CALL_ID,
  PROP_FINISH_REASON,
  PROP_STATE,
  PROP_ERROR,
  PROP_RETRY_AFTER,
  PROP_USAGE,
  PROP_MODEL,
  PROP_CREATED_AT,
  PROP_REQUEST_BODY,
  N_PROPS
};

enum {
  CONTENT_APPENDED,
  REASONING_APPENDED,
  RAW_RESPONSE_APPENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
confab_message_finalize (GObject *object)
{
  ConfabMessage *self = (ConfabMessage *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->parent_id, g_free);
  g_string_free (self->content, TRUE);
  g_string_free (self->reasoning, TRUE);
  g_clear_object (&self->tool_calls);
  g_clear_object (&self->attachments);
  g_clear_pointer (&self->tool_call_id, g_free);
  g_clear_pointer (&self->exchange, json_node_unref);
  g_clear_pointer (&self->finish_reason, g_free);
  g_clear_error (&self->error);
  g_clear_object (&self->usage);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->request_body, g_free);
  g_clear_pointer (&self->raw_response, g_byte_array_unref);
  g_clear_pointer (&self->raw_frozen, g_bytes_unref);

  G_OBJECT_CLASS (confab_message_parent_class)->finalize (object);
}

static void
confab_message_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ConfabMessage *self = CONFAB_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID:            g_value_set_string (value, self->id); break;
    case PROP_ROLE:          g_value_set_enum (value, self->role); break;
    case PROP_CONTENT:       g_value_set_string (value, self->content->str); break;
    case PROP_REASONING:     g_value_set_string (value, self->reasoning->str); break;
    case PROP_TOOL_CALLS:    g_value_set_object (value, self->tool_calls); break;
    case PROP_TOOL_CALL_ID:  g_value_set_string (value, self->tool_call_id); break;
    case PROP_FINISH_REASON: g_value_set_string (value, self->finish_reason); break;
    case PROP_STATE:         g_value_set_enum (value, self->state); break;
    case PROP_ERROR:         g_value_set_boxed (value, self->error); break;
    case PROP_RETRY_AFTER:   g_value_set_int (value, self->retry_after); break;
    case PROP_USAGE:         g_value_set_object (value, self->usage); break;
    case PROP_MODEL:         g_value_set_string (value, self->model); break;
    case PROP_CREATED_AT:    g_value_set_int64 (value, self->created_at); break;
    case PROP_REQUEST_BODY:  g_value_set_string (value, self->request_body); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ConfabMessage *self = CONFAB_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID:            confab_message_set_id (self, g_value_get_string (value)); break;
    case PROP_ROLE:          self->role = g_value_get_enum (value); break;
    case PROP_CONTENT:       confab_message_set_content (self, g_value_get_string (value)); break;
    case PROP_REASONING:     confab_message_set_reasoning (self, g_value_get_string (value)); break;
    case PROP_TOOL_CALL_ID:  confab_message_set_tool_call_id (self, g_value_get_string (value)); break;
    case PROP_FINISH_REASON: confab_message_set_finish_reason (self, g_value_get_string (value)); break;
    case PROP_STATE:         confab_message_set_state (self, g_value_get_enum (value)); break;
    case PROP_RETRY_AFTER:   confab_message_set_retry_after (self, g_value_get_int (value)); break;
    case PROP_MODEL:         confab_message_set_model (self, g_value_get_string (value)); break;
    case PROP_CREATED_AT:    confab_message_set_created_at (self, g_value_get_int64 (value)); break;
    case PROP_REQUEST_BODY:  confab_message_set_request_body (self, g_value_get_string (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_class_init (ConfabMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  GParamFlags ro = (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  object_class->finalize = confab_message_finalize;
  object_class->get_property = confab_message_get_property;
  object_class->set_property = confab_message_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, rw);
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, CONFAB_TYPE_ROLE, CONFAB_ROLE_USER,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONTENT] = g_param_spec_string ("content", NULL, NULL, "", rw);
  properties[PROP_REASONING] = g_param_spec_string ("reasoning", NULL, NULL, "", rw);
  properties[PROP_TOOL_CALLS] = g_param_spec_object ("tool-calls", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_TOOL_CALL_ID] = g_param_spec_string ("tool-call-id", NULL, NULL, NULL, rw);
  properties[PROP_FINISH_REASON] = g_param_spec_string ("finish-reason", NULL, NULL, NULL, rw);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CONFAB_TYPE_MESSAGE_STATE,
                       CONFAB_MESSAGE_STATE_COMPLETE, rw);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_RETRY_AFTER] = g_param_spec_int ("retry-after", NULL, NULL, -1, G_MAXINT, -1, rw);
  properties[PROP_USAGE] = g_param_spec_object ("usage", NULL, NULL, CONFAB_TYPE_USAGE, ro);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, rw);
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_REQUEST_BODY] = g_param_spec_string ("request-body", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabMessage::content-appended:
   * @text: the piece just appended (NUL-terminated)
   */
  signals[CONTENT_APPENDED] =
    g_signal_new ("content-appended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ConfabMessage::reasoning-appended:
   * @text: the piece of thinking text just appended
   */
  signals[REASONING_APPENDED] =
    g_signal_new ("reasoning-appended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ConfabMessage::raw-response-appended:
   *
   * Bytes arrived from the network for this message (the inspector listens).
   */
  signals[RAW_RESPONSE_APPENDED] =
    g_signal_new ("raw-response-appended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
confab_message_init (ConfabMessage *self)
{
  self->id = g_uuid_string_random ();
  self->content = g_string_new (NULL);
  self->reasoning = g_string_new (NULL);
  self->tool_calls = g_list_store_new (CONFAB_TYPE_TOOL_CALL);
  self->usage = confab_usage_new ();
  self->created_at = g_get_real_time ();
  self->retry_after = -1;
  self->state = CONFAB_MESSAGE_STATE_COMPLETE;
}

ConfabMessage *
confab_message_new (ConfabRole  role,
                    const char *content)
{
  return g_object_new (CONFAB_TYPE_MESSAGE,
                       "role", role,
                       "content", content,
                       NULL);
}

#define DEFINE_STRING_ACCESSORS(field, PROP)                                   \
const char *                                                                   \
confab_message_get_##field (ConfabMessage *self)                               \
{                                                                              \
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);                       \
  return self->field;                                                          \
}                                                                              \
                                                                               \
void                                                                           \
confab_message_set_##field (ConfabMessage *self,                               \
                            const char    *field)                              \
{                                                                              \
  g_return_if_fail (CONFAB_IS_MESSAGE (self));                                 \
  if (_confab_set_str (&self->field, field))                                   \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);              \
}

DEFINE_STRING_ACCESSORS (id, PROP_ID)
DEFINE_STRING_ACCESSORS (tool_call_id, PROP_TOOL_CALL_ID)
DEFINE_STRING_ACCESSORS (finish_reason, PROP_FINISH_REASON)
DEFINE_STRING_ACCESSORS (model, PROP_MODEL)
DEFINE_STRING_ACCESSORS (request_body, PROP_REQUEST_BODY)

#undef DEFINE_STRING_ACCESSORS

ConfabRole
confab_message_get_role (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), CONFAB_ROLE_USER);
  return self->role;
}

const char *
confab_message_get_content (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);
  return self->content->str;
}

gsize
confab_message_get_content_length (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);
  return self->content->len;
}

/* A GString grows by doubling: give back what it will not use (up to half of it, 1 MB of a
 * 1 MB answer). The fields of a GString are public; GLib grows it again from allocated_len
 * if more is appended. */
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
confab_message_set_content (ConfabMessage *self,
                            const char    *content)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (content == NULL)
    content = "";
  if (strcmp (self->content->str, content) == 0)
    return;

  g_string_assign (self->content, content);
  shrink_to_fit (self->content);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTENT]);
}

static void
append_piece (ConfabMessage *self,
              GString       *target,
              guint          signal_id,
              const char    *text,
              gssize         len)
{
  if (text == NULL)
    return;
  if (len < 0)
    len = strlen (text);
  if (len == 0)
    return;

  g_string_append_len (target, text, len);

  if (g_signal_has_handler_pending (self, signal_id, 0, TRUE))
    {
      /* The piece is handed out NUL-terminated without a copy when it is the tail. */
      g_signal_emit (self, signal_id, 0, target->str + target->len - len);
    }
}

void
confab_message_append_content (ConfabMessage *self,
                               const char    *text,
                               gssize         len)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  append_piece (self, self->content, signals[CONTENT_APPENDED], text, len);
}

const char *
confab_message_get_reasoning (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);
  return self->reasoning->str;
}

void
confab_message_set_reasoning (ConfabMessage *self,
                              const char    *reasoning)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (reasoning == NULL)
    reasoning = "";
  if (strcmp (self->reasoning->str, reasoning) == 0)
    return;

  g_string_assign (self->reasoning, reasoning);
  shrink_to_fit (self->reasoning);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASONING]);
}

void
confab_message_append_reasoning (ConfabMessage *self,
                                 const char    *text,
                                 gssize         len)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  append_piece (self, self->reasoning, signals[REASONING_APPENDED], text, len);
}

GListModel *
confab_message_get_tool_calls (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);
  return G_LIST_MODEL (self->tool_calls);
}

guint
confab_message_get_n_tool_calls (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->tool_calls));
}

ConfabToolCall *
confab_message_ensure_tool_call (ConfabMessage *self,
                                 guint          index)
{
  guint n;
  g_autoptr(ConfabToolCall) call = NULL;

  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tool_calls));

  /* Calls stream in index order: the last one, or a new one after it, without a scan
   * (thousands of calls in one answer stay linear). */
  if (n > 0)
    {
      g_autoptr(ConfabToolCall) last = g_list_model_get_item (G_LIST_MODEL (self->tool_calls), n - 1);

      if (confab_tool_call_get_index (last) == index)
        return last;
      if (confab_tool_call_get_index (last) < index)
        n = 0;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabToolCall) existing = g_list_model_get_item (G_LIST_MODEL (self->tool_calls), i);

      if (confab_tool_call_get_index (existing) == index)
        return existing;
    }

  call = confab_tool_call_new (index);
  confab_message_add_tool_call (self, call);

  return call;
}

static int
compare_index (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  guint ia = confab_tool_call_get_index ((ConfabToolCall *)a);
  guint ib = confab_tool_call_get_index ((ConfabToolCall *)b);

  return (ia > ib) - (ia < ib);
}

void
confab_message_add_tool_call (ConfabMessage  *self,
                              ConfabToolCall *call)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));
  g_return_if_fail (CONFAB_IS_TOOL_CALL (call));

  g_list_store_insert_sorted (self->tool_calls, call, compare_index, NULL);
}

ConfabMessageState
confab_message_get_state (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), CONFAB_MESSAGE_STATE_FAILED);
  return self->state;
}

void
confab_message_set_state (ConfabMessage      *self,
                          ConfabMessageState  state)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (self->state == state)
    return;

  self->state = state;
  /* Nothing more is appended once the stream ended (a retry starts with a new stream). */
  if (state != CONFAB_MESSAGE_STATE_STREAMING)
    {
      shrink_to_fit (self->content);
      shrink_to_fit (self->reasoning);
      /* The raw stream (kept for the inspector, often several times the answer) too:
       * shrunk in place (no copy on the main thread), then handed out as is. */
      if (self->raw_response != NULL && self->raw_response->len > 0)
        {
          gsize raw_len = self->raw_response->len;
          guint8 *raw = g_byte_array_free (g_steal_pointer (&self->raw_response), FALSE);

          g_assert (self->raw_frozen == NULL);
          self->raw_frozen = g_bytes_new_take (g_realloc (raw, raw_len), raw_len);
        }
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

const GError *
confab_message_get_error (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);
  return self->error;
}

void
confab_message_fail (ConfabMessage *self,
                     const GError  *error)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));
  g_return_if_fail (error != NULL);

  g_clear_error (&self->error);
  self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    confab_message_set_state (self, CONFAB_MESSAGE_STATE_CANCELLED);
  else
    confab_message_set_state (self, CONFAB_MESSAGE_STATE_FAILED);
}

int
confab_message_get_retry_after (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), -1);
  return self->retry_after;
}

void
confab_message_set_retry_after (ConfabMessage *self,
                                int            seconds)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (self->retry_after == seconds)
    return;

  self->retry_after = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_AFTER]);
}

guint
confab_message_get_http_status (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);

  return self->http_status;
}

void
confab_message_set_http_status (ConfabMessage *self,
                                guint          status)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  self->http_status = status;
}

JsonNode *
confab_message_get_exchange (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  return self->exchange;
}

void
confab_message_set_exchange (ConfabMessage *self,
                             JsonNode      *exchange)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (exchange != NULL)
    json_node_ref (exchange);
  g_clear_pointer (&self->exchange, json_node_unref);
  self->exchange = exchange;
}

ConfabUsage *
confab_message_get_usage (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);
  return self->usage;
}

gint64
confab_message_get_created_at (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);
  return self->created_at;
}

void
confab_message_set_created_at (ConfabMessage *self,
                               gint64         created_at)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (self->created_at == created_at)
    return;

  self->created_at = created_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED_AT]);
}

GBytes *
confab_message_dup_raw_response (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  /* Shared, not copied (the store takes it to its writer thread when a message ends: a
   * copy of megabytes on the main thread); an append after this copies it back. */
  if (self->raw_frozen == NULL && self->raw_response != NULL)
    self->raw_frozen = g_byte_array_free_to_bytes (g_steal_pointer (&self->raw_response));

  if (self->raw_frozen == NULL)
    return g_bytes_new (NULL, 0);

  return g_bytes_ref (self->raw_frozen);
}

void
confab_message_append_raw_response (ConfabMessage *self,
                                    const guint8  *data,
                                    gsize          len)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (len == 0)
    return;

  if (self->raw_frozen != NULL)
    self->raw_response = g_bytes_unref_to_array (g_steal_pointer (&self->raw_frozen));
  if (self->raw_response == NULL)
    self->raw_response = g_byte_array_new ();

  g_byte_array_append (self->raw_response, data, len);
  g_signal_emit (self, signals[RAW_RESPONSE_APPENDED], 0);
}

void
confab_message_set_raw_response (ConfabMessage *self,
                                 GBytes        *bytes)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  g_clear_pointer (&self->raw_response, g_byte_array_unref);
  g_clear_pointer (&self->raw_frozen, g_bytes_unref);
  if (bytes != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      self->raw_response = g_byte_array_sized_new (len);
      g_byte_array_append (self->raw_response, data, len);
    }
  g_signal_emit (self, signals[RAW_RESPONSE_APPENDED], 0);
}

JsonNode *
confab_message_to_json (ConfabMessage *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  guint n_calls;

  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  n_calls = confab_message_get_n_tool_calls (self);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, confab_role_to_string (self->role));
  json_builder_set_member_name (builder, "content");
  if (self->role == CONFAB_ROLE_USER && confab_message_get_n_attachments (self) > 0)
    {
      guint n_attachments = confab_message_get_n_attachments (self);

      json_builder_begin_array (builder);
      if (self->content->len > 0)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, "text");
          json_builder_set_member_name (builder, "text");
          json_builder_add_string_value (builder, self->content->str);
          json_builder_end_object (builder);
        }
      for (guint i = 0; i < n_attachments; i++)
        {
          g_autoptr(ConfabAttachment) attachment = g_list_model_get_item (G_LIST_MODEL (self->attachments), i);
          json_builder_add_value (builder, confab_attachment_to_content_part (attachment));
        }
      json_builder_end_array (builder);
    }
  else
    json_builder_add_string_value (builder, self->content->str);

  if (self->role == CONFAB_ROLE_ASSISTANT && n_calls > 0)
    {
      json_builder_set_member_name (builder, "tool_calls");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_calls; i++)
        {
          g_autoptr(ConfabToolCall) call = g_list_model_get_item (G_LIST_MODEL (self->tool_calls), i);
          json_builder_add_value (builder, confab_tool_call_to_json (call));
        }
      json_builder_end_array (builder);
    }

  if (self->role == CONFAB_ROLE_TOOL)
    {
      json_builder_set_member_name (builder, "tool_call_id");
      json_builder_add_string_value (builder, self->tool_call_id ? self->tool_call_id : "");
    }

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

GListModel *
confab_message_get_attachments (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  if (self->attachments == NULL)
    self->attachments = g_list_store_new (CONFAB_TYPE_ATTACHMENT);

  return G_LIST_MODEL (self->attachments);
}

guint
confab_message_get_n_attachments (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);

  return self->attachments ? g_list_model_get_n_items (G_LIST_MODEL (self->attachments)) : 0;
}

void
confab_message_add_attachment (ConfabMessage    *self,
                               ConfabAttachment *attachment)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));
  g_return_if_fail (CONFAB_IS_ATTACHMENT (attachment));

  g_list_store_append (G_LIST_STORE (confab_message_get_attachments (self)), attachment);
}

void
confab_message_remove_attachment (ConfabMessage *self,
                                  guint          position)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (position < confab_message_get_n_attachments (self))
    g_list_store_remove (self->attachments, position);
}

const char *
confab_message_get_parent_id (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);
  return self->parent_id;
}

guint
confab_message_get_sibling_index (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);
  return self->sibling;
}

void
confab_message_set_parent (ConfabMessage *self,
                           const char    *parent_id,
                           guint          sibling_index)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  _confab_set_str (&self->parent_id, parent_id);
  self->sibling = sibling_index;
}
