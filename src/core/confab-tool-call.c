/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool-call"

#include "config.h"

#include <string.h>

#include "confab-enum-types.h"
#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-tool-call.h"
#include "confab-util-private.h"

#define N_STATUSES (CONFAB_TOOL_CALL_STATUS_DENIED + 1)

struct _ConfabToolCall
{
  GObject               parent_instance;

  char                 *id;
  char                 *name;
  char                 *server;
  GString              *arguments;
  char                 *result;
  JsonNode             *result_content;
  char                 *error;
  double                progress;
  double                progress_total;
  char                 *progress_message;
  JsonObject           *annotations;
  JsonNode             *structured_content;
  gboolean              has_progress;
  gint64                status_times[N_STATUSES];
  guint                 index;
  ConfabToolCallStatus  status;
};

G_DEFINE_FINAL_TYPE (ConfabToolCall, confab_tool_call, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INDEX,
  PROP_ID,
  PROP_NAME,
  PROP_SERVER,
  PROP_ARGUMENTS,
  PROP_STATUS,
  PROP_RESULT,
  PROP_ERROR,
  PROP_DURATION,
  N_PROPS
};

enum {
  ARGUMENTS_APPENDED,
  APPROVAL_RESOLVED,
  PROGRESS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
confab_tool_call_finalize (GObject *object)
{
  ConfabToolCall *self = (ConfabToolCall *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->server, g_free);
  g_string_free (self->arguments, TRUE);
  g_clear_pointer (&self->result, g_free);
  g_clear_pointer (&self->result_content, json_node_unref);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->progress_message, g_free);
  g_clear_pointer (&self->annotations, json_object_unref);
  g_clear_pointer (&self->structured_content, json_node_unref);

  G_OBJECT_CLASS (confab_tool_call_parent_class)->finalize (object);
}

static void
confab_tool_call_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ConfabToolCall *self = CONFAB_TOOL_CALL (object);

  switch (prop_id)
    {
    case PROP_INDEX:     g_value_set_uint (value, self->index); break;
    case PROP_ID:        g_value_set_string (value, self->id); break;
    case PROP_NAME:      g_value_set_string (value, self->name); break;
    case PROP_SERVER:    g_value_set_string (value, self->server); break;
    case PROP_ARGUMENTS: g_value_set_string (value, self->arguments->str); break;
    case PROP_STATUS:    g_value_set_enum (value, self->status); break;
    case PROP_RESULT:    g_value_set_string (value, self->result); break;
    case PROP_ERROR:     g_value_set_string (value, self->error); break;
    case PROP_DURATION:  g_value_set_double (value, confab_tool_call_get_duration (self)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_tool_call_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ConfabToolCall *self = CONFAB_TOOL_CALL (object);

  switch (prop_id)
    {
    case PROP_INDEX:     self->index = g_value_get_uint (value); break;
    case PROP_ID:        confab_tool_call_set_id (self, g_value_get_string (value)); break;
    case PROP_NAME:      confab_tool_call_set_name (self, g_value_get_string (value)); break;
    case PROP_SERVER:    confab_tool_call_set_server (self, g_value_get_string (value)); break;
    case PROP_ARGUMENTS: confab_tool_call_set_arguments (self, g_value_get_string (value)); break;
    case PROP_STATUS:    confab_tool_call_set_status (self, g_value_get_enum (value)); break;
    case PROP_RESULT:    confab_tool_call_set_result (self, g_value_get_string (value)); break;
    case PROP_ERROR:     confab_tool_call_set_error (self, g_value_get_string (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_tool_call_class_init (ConfabToolCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  object_class->finalize = confab_tool_call_finalize;
  object_class->get_property = confab_tool_call_get_property;
  object_class->set_property = confab_tool_call_set_property;

  properties[PROP_INDEX] =
    g_param_spec_uint ("index", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, rw);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_SERVER] = g_param_spec_string ("server", NULL, NULL, NULL, rw);
  properties[PROP_ARGUMENTS] = g_param_spec_string ("arguments", NULL, NULL, "", rw);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, CONFAB_TYPE_TOOL_CALL_STATUS,
                       CONFAB_TOOL_CALL_STATUS_STREAMING, rw);
  properties[PROP_RESULT] = g_param_spec_string ("result", NULL, NULL, NULL, rw);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, rw);
  properties[PROP_DURATION] =
    g_param_spec_double ("duration", NULL, NULL, -1, G_MAXDOUBLE, -1,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabToolCall::arguments-appended:
   * @fragment: the piece of arguments just streamed
   */
  signals[ARGUMENTS_APPENDED] =
    g_signal_new ("arguments-appended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ConfabToolCall::approval-resolved:
   * @approval: a #ConfabApproval
   */
  signals[APPROVAL_RESOLVED] =
    g_signal_new ("approval-resolved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CONFAB_TYPE_APPROVAL);

  /**
   * ConfabToolCall::progress-changed:
   *
   * The server reported progress (confab_tool_call_get_progress()).
   */
  signals[PROGRESS_CHANGED] =
    g_signal_new ("progress-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
confab_tool_call_init (ConfabToolCall *self)
{
  self->arguments = g_string_new (NULL);
  self->status = CONFAB_TOOL_CALL_STATUS_STREAMING;
  self->status_times[CONFAB_TOOL_CALL_STATUS_STREAMING] = g_get_real_time ();
}

ConfabToolCall *
confab_tool_call_new (guint index)
{
  return g_object_new (CONFAB_TYPE_TOOL_CALL, "index", index, NULL);
}

guint
confab_tool_call_get_index (ConfabToolCall *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), 0);
  return self->index;
}

#define DEFINE_STRING_ACCESSORS(field, PROP)                                   \
const char *                                                                   \
confab_tool_call_get_##field (ConfabToolCall *self)                            \
{                                                                              \
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), NULL);                     \
  return self->field;                                                          \
}                                                                              \
                                                                               \
void                                                                           \
confab_tool_call_set_##field (ConfabToolCall *self,                            \
                              const char     *field)                           \
{                                                                              \
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));                               \
  if (_confab_set_str (&self->field, field))                                         \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);              \
}

DEFINE_STRING_ACCESSORS (id, PROP_ID)
DEFINE_STRING_ACCESSORS (name, PROP_NAME)
DEFINE_STRING_ACCESSORS (server, PROP_SERVER)
DEFINE_STRING_ACCESSORS (result, PROP_RESULT)
DEFINE_STRING_ACCESSORS (error, PROP_ERROR)

#undef DEFINE_STRING_ACCESSORS

const char *
confab_tool_call_get_arguments (ConfabToolCall *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), NULL);
  return self->arguments->str;
}

void
confab_tool_call_append_arguments (ConfabToolCall *self,
                                   const char     *fragment,
                                   gssize          len)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));

  if (fragment == NULL)
    return;
  if (len < 0)
    len = strlen (fragment);
  if (len == 0)
    return;

  g_string_append_len (self->arguments, fragment, len);

  if (g_signal_has_handler_pending (self, signals[ARGUMENTS_APPENDED], 0, TRUE))
    {
      g_autofree char *piece = g_strndup (fragment, len);
      g_signal_emit (self, signals[ARGUMENTS_APPENDED], 0, piece);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARGUMENTS]);
}

void
confab_tool_call_set_arguments (ConfabToolCall *self,
                                const char     *arguments)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));

  if (g_strcmp0 (self->arguments->str, arguments ? arguments : "") == 0)
    return;

  g_string_assign (self->arguments, arguments ? arguments : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARGUMENTS]);
}

static void
append_newline_indent (GString *out,
                       guint    depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

char *
confab_tool_call_dup_pretty_arguments (ConfabToolCall *self)
{
  const char *p;
  GString *out;
  guint depth = 0;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;

  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), NULL);

  /* A token-level re-indenter instead of a parser, so half-streamed JSON still reads well. */
  out = g_string_sized_new (self->arguments->len * 2);

  for (p = self->arguments->str; *p; p++)
    {
      char c = *p;

      if (in_string)
        {
          g_string_append_c (out, c);
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          g_string_append_c (out, c);
          break;

        case '{':
        case '[':
          g_string_append_c (out, c);
          /* Keep empty containers on one line. */
          if (p[1] == '}' || p[1] == ']')
            {
              g_string_append_c (out, p[1]);
              p++;
            }
          else
            append_newline_indent (out, ++depth);
          break;

        case '}':
        case ']':
          if (depth > 0)
            depth--;
          append_newline_indent (out, depth);
          g_string_append_c (out, c);
          break;

        case ',':
          g_string_append_c (out, c);
          append_newline_indent (out, depth);
          break;

        case ':':
          g_string_append (out, ": ");
          break;

        case ' ':
        case '\t':
        case '\n':
        case '\r':
          break;

        default:
          g_string_append_c (out, c);
        }
    }

  return g_string_free (out, FALSE);
}

JsonNode *
confab_tool_call_parse_arguments (ConfabToolCall  *self,
                                  GError         **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *text;

  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), NULL);

  /* Some models send "" for a call without parameters: that means {}. */
  text = self->arguments->len > 0 ? self->arguments->str : "{}";

  parser = json_parser_new_immutable ();
  if (!_confab_json_parser_load_untrusted (parser, text, -1, &local_error))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_TOOL,
                   "The arguments of %s are not valid JSON: %s",
                   self->name ? self->name : "the tool call", local_error->message);
      return NULL;
    }

  return json_node_copy (json_parser_get_root (parser));
}

ConfabToolCallStatus
confab_tool_call_get_status (ConfabToolCall *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), CONFAB_TOOL_CALL_STATUS_FAILED);
  return self->status;
}

void
confab_tool_call_set_status (ConfabToolCall       *self,
                             ConfabToolCallStatus  status)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));
  g_return_if_fail (status < N_STATUSES);

  if (self->status == status)
    return;

  self->status = status;
  self->status_times[status] = g_get_real_time ();

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  if (status == CONFAB_TOOL_CALL_STATUS_DONE || status == CONFAB_TOOL_CALL_STATUS_FAILED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
}

gint64
confab_tool_call_get_status_time (ConfabToolCall       *self,
                                  ConfabToolCallStatus  status)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), 0);
  g_return_val_if_fail (status < N_STATUSES, 0);

  return self->status_times[status];
}

double
confab_tool_call_get_duration (ConfabToolCall *self)
{
  gint64 started, finished;

  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), -1);

  started = self->status_times[CONFAB_TOOL_CALL_STATUS_RUNNING];
  finished = MAX (self->status_times[CONFAB_TOOL_CALL_STATUS_DONE],
                  self->status_times[CONFAB_TOOL_CALL_STATUS_FAILED]);

  if (started == 0 || finished < started)
    return -1;

  return (finished - started) / (double) G_USEC_PER_SEC;
}

JsonNode *
confab_tool_call_get_result_content (ConfabToolCall *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), NULL);
  return self->result_content;
}

void
confab_tool_call_set_result_content (ConfabToolCall *self,
                                     JsonNode       *content)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));

  g_clear_pointer (&self->result_content, json_node_unref);
  if (content != NULL)
    self->result_content = json_node_ref (content);
}

void
confab_tool_call_request_approval (ConfabToolCall *self)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));

  confab_tool_call_set_status (self, CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL);
}

void
confab_tool_call_resolve_approval (ConfabToolCall *self,
                                   ConfabApproval  approval)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));

  /* A second click, or a stale card, must not run a call twice. */
  if (self->status != CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL)
    return;

  g_signal_emit (self, signals[APPROVAL_RESOLVED], 0, approval);
}

JsonNode *
confab_tool_call_to_json (ConfabToolCall *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id ? self->id : "");
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "function");
  json_builder_set_member_name (builder, "function");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name ? self->name : "");
  json_builder_set_member_name (builder, "arguments");
  json_builder_add_string_value (builder, self->arguments->str);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

void
confab_tool_call_restore_times (ConfabToolCall *self,
                                const gint64   *status_times,
                                guint           n_status_times)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));

  for (guint i = 0; i < MIN (n_status_times, N_STATUSES); i++)
    self->status_times[i] = status_times[i];

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
}

void
confab_tool_call_set_progress (ConfabToolCall *self,
                               double          progress,
                               double          total,
                               const char     *message)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));

  self->has_progress = TRUE;
  self->progress = progress;
  self->progress_total = total > 0 ? total : -1;
  g_free (self->progress_message);
  self->progress_message = g_strdup (message);
  g_signal_emit (self, signals[PROGRESS_CHANGED], 0);
}

gboolean
confab_tool_call_get_progress (ConfabToolCall *self,
                               double         *progress,
                               double         *total)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), FALSE);

  if (progress != NULL)
    *progress = self->has_progress ? self->progress : 0;
  if (total != NULL)
    *total = self->has_progress ? self->progress_total : -1;
  return self->has_progress;
}

const char *
confab_tool_call_get_progress_message (ConfabToolCall *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), NULL);
  return self->progress_message;
}

JsonObject *
confab_tool_call_get_annotations (ConfabToolCall *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), NULL);
  return self->annotations;
}

void
confab_tool_call_set_annotations (ConfabToolCall *self,
                                  JsonObject     *annotations)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));

  if (annotations != NULL)
    json_object_ref (annotations);
  g_clear_pointer (&self->annotations, json_object_unref);
  self->annotations = annotations;
}

JsonNode *
confab_tool_call_get_structured_content (ConfabToolCall *self)
{
  g_return_val_if_fail (CONFAB_IS_TOOL_CALL (self), NULL);
  return self->structured_content;
}

void
confab_tool_call_set_structured_content (ConfabToolCall *self,
                                         JsonNode       *structured_content)
{
  g_return_if_fail (CONFAB_IS_TOOL_CALL (self));

  if (structured_content != NULL)
    json_node_ref (structured_content);
  g_clear_pointer (&self->structured_content, json_node_unref);
  self->structured_content = structured_content;
}
