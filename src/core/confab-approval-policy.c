/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-approval-policy"

#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <json-glib/json-glib.h>

#include "confab-approval-decision.h"
#include "confab-approval-policy.h"
#include "confab-store-decisions.h"
#include "confab-store.h"
#include "confab-mcp-json-private.h"

/* approvals.json: {"always": {"SERVER": ["TOOL", …], …}} */

struct _ConfabApprovalPolicy
{
  GObject     parent_instance;

  char       *path;
  /* server → GHashTable set of tool names */
  GHashTable *always;
  /* "CHAT\x1fSERVER\x1fTOOL": allowed for this chat, in memory only */
  GHashTable *for_chat;
  ConfabStore *store;
  gboolean    allow_all;
};

G_DEFINE_FINAL_TYPE (ConfabApprovalPolicy, confab_approval_policy, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_ALLOW_ALL,
  N_PROPS
};

enum {
  CHANGED,
  DECIDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GHashTable *
tool_set_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
confab_approval_policy_load (ConfabApprovalPolicy *self)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) servers = NULL;
  JsonNode *root;
  JsonObject *always;

  if (self->path == NULL || !g_file_test (self->path, G_FILE_TEST_EXISTS))
    return;

  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, self->path, &error))
    {
      g_warning ("Could not read the tool approvals in %s: %s", self->path, error->message);
      return;
    }

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;

  always = _confab_json_get_object (json_node_get_object (root), "always");
  if (always == NULL)
    return;

  servers = json_object_get_members (always);
  for (const GList *l = servers; l != NULL; l = l->next)
    {
      JsonNode *tools = json_object_get_member (always, l->data);
      GHashTable *set;

      if (!JSON_NODE_HOLDS_ARRAY (tools))
        continue;

      set = tool_set_new ();
      g_hash_table_insert (self->always, g_strdup (l->data), set);

      for (guint i = 0; i < json_array_get_length (json_node_get_array (tools)); i++)
        {
          JsonNode *tool = json_array_get_element (json_node_get_array (tools), i);

          if (JSON_NODE_HOLDS_VALUE (tool) && json_node_get_value_type (tool) == G_TYPE_STRING)
            g_hash_table_add (set, g_strdup (json_node_get_string (tool)));
        }
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static void
confab_approval_policy_save (ConfabApprovalPolicy *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  GHashTableIter iter;
  gpointer key;

  if (self->path == NULL)
    return;

  /* Sorted, so the file is stable and diffable. */
  servers = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->always);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (servers, key);
  g_ptr_array_sort (servers, compare_strings);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "always");
  json_builder_begin_object (builder);
  for (guint i = 0; i < servers->len; i++)
    {
      GHashTable *set = g_hash_table_lookup (self->always, servers->pdata[i]);
      g_autofree const char **tools = NULL;
      guint n_tools;

      tools = (const char **)g_hash_table_get_keys_as_array (set, &n_tools);
      if (n_tools == 0)
        continue;
      qsort (tools, n_tools, sizeof (char *), compare_strings);

      json_builder_set_member_name (builder, servers->pdata[i]);
      json_builder_begin_array (builder);
      for (guint j = 0; j < n_tools; j++)
        json_builder_add_string_value (builder, tools[j]);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, NULL);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (self->path, data, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("Could not save the tool approvals in %s: %s",
               self->path, error ? error->message : g_strerror (errno));
}

static void
confab_approval_policy_finalize (GObject *object)
{
  ConfabApprovalPolicy *self = (ConfabApprovalPolicy *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->always, g_hash_table_unref);
  g_clear_pointer (&self->for_chat, g_hash_table_unref);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_approval_policy_parent_class)->finalize (object);
}

static void
confab_approval_policy_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ConfabApprovalPolicy *self = CONFAB_APPROVAL_POLICY (object);

  switch (prop_id)
    {
    case PROP_PATH:      g_value_set_string (value, self->path); break;
    case PROP_ALLOW_ALL: g_value_set_boolean (value, self->allow_all); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_approval_policy_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  ConfabApprovalPolicy *self = CONFAB_APPROVAL_POLICY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_ALLOW_ALL:
      confab_approval_policy_set_allow_all (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_approval_policy_constructed (GObject *object)
{
  ConfabApprovalPolicy *self = (ConfabApprovalPolicy *)object;

  G_OBJECT_CLASS (confab_approval_policy_parent_class)->constructed (object);

  confab_approval_policy_load (self);
}

static void
confab_approval_policy_class_init (ConfabApprovalPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_approval_policy_finalize;
  object_class->get_property = confab_approval_policy_get_property;
  object_class->set_property = confab_approval_policy_set_property;
  object_class->constructed = confab_approval_policy_constructed;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ALLOW_ALL] =
    g_param_spec_boolean ("allow-all", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabApprovalPolicy::changed:
   *
   * An "always allow" was added or forgotten.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * ConfabApprovalPolicy::decided:
   * @decision: the #ConfabApprovalDecision just recorded
   *
   * A decision about a tool call or a server's question was recorded.
   */
  signals[DECIDED] =
    g_signal_new ("decided", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CONFAB_TYPE_APPROVAL_DECISION);
}

static void
confab_approval_policy_init (ConfabApprovalPolicy *self)
{
  self->always = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_hash_table_unref);
  self->for_chat = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

ConfabApprovalPolicy *
confab_approval_policy_new (const char *path)
{
  return g_object_new (CONFAB_TYPE_APPROVAL_POLICY, "path", path, NULL);
}

char *
confab_approval_policy_get_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "confab", "approvals.json", NULL);
}

gboolean
confab_approval_policy_get_allow_all (ConfabApprovalPolicy *self)
{
  g_return_val_if_fail (CONFAB_IS_APPROVAL_POLICY (self), FALSE);
  return self->allow_all;
}

void
confab_approval_policy_set_allow_all (ConfabApprovalPolicy *self,
                                      gboolean              allow_all)
{
  g_return_if_fail (CONFAB_IS_APPROVAL_POLICY (self));

  allow_all = !!allow_all;
  if (self->allow_all == allow_all)
    return;

  self->allow_all = allow_all;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_ALL]);
}

gboolean
confab_approval_policy_is_allowed (ConfabApprovalPolicy *self,
                                   const char           *server,
                                   const char           *tool)
{
  GHashTable *set;

  g_return_val_if_fail (CONFAB_IS_APPROVAL_POLICY (self), FALSE);
  g_return_val_if_fail (tool != NULL, FALSE);

  if (self->allow_all)
    return TRUE;

  set = g_hash_table_lookup (self->always, server ? server : "");
  return set != NULL && g_hash_table_contains (set, tool);
}

/* The "for this chat" and decision-log half is at the end of the file. */

void
confab_approval_policy_allow_always (ConfabApprovalPolicy *self,
                                     const char           *server,
                                     const char           *tool)
{
  GHashTable *set;

  g_return_if_fail (CONFAB_IS_APPROVAL_POLICY (self));
  g_return_if_fail (tool != NULL);

  if (server == NULL)
    server = "";

  set = g_hash_table_lookup (self->always, server);
  if (set == NULL)
    {
      set = tool_set_new ();
      g_hash_table_insert (self->always, g_strdup (server), set);
    }

  if (!g_hash_table_add (set, g_strdup (tool)))
    return;

  confab_approval_policy_save (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
confab_approval_policy_forget (ConfabApprovalPolicy *self,
                               const char           *server,
                               const char           *tool)
{
  GHashTable *set;

  g_return_if_fail (CONFAB_IS_APPROVAL_POLICY (self));
  g_return_if_fail (tool != NULL);

  set = g_hash_table_lookup (self->always, server ? server : "");
  if (set == NULL || !g_hash_table_remove (set, tool))
    return;

  if (g_hash_table_size (set) == 0)
    g_hash_table_remove (self->always, server ? server : "");

  confab_approval_policy_save (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static char *
chat_key (const char *chat_id,
          const char *server,
          const char *tool)
{
  return g_strdup_printf ("%s\x1f%s\x1f%s", chat_id ? chat_id : "", server ? server : "", tool);
}

const char *
confab_approval_policy_get_standing (ConfabApprovalPolicy *self,
                                     const char           *chat_id,
                                     const char           *server,
                                     const char           *tool)
{
  GHashTable *set;
  g_autofree char *key = NULL;

  g_return_val_if_fail (CONFAB_IS_APPROVAL_POLICY (self), NULL);
  g_return_val_if_fail (tool != NULL, NULL);

  if (self->allow_all)
    return "yes";

  set = g_hash_table_lookup (self->always, server ? server : "");
  if (set != NULL && g_hash_table_contains (set, tool))
    return "always";

  key = chat_key (chat_id, server, tool);
  if (chat_id != NULL && g_hash_table_contains (self->for_chat, key))
    return "chat";

  return NULL;
}

void
confab_approval_policy_allow_for_chat (ConfabApprovalPolicy *self,
                                       const char           *chat_id,
                                       const char           *server,
                                       const char           *tool)
{
  g_return_if_fail (CONFAB_IS_APPROVAL_POLICY (self));
  g_return_if_fail (tool != NULL);

  /* Outside a chat there is nothing to remember it for: it was allowed once. */
  if (chat_id == NULL)
    return;

  if (g_hash_table_add (self->for_chat, chat_key (chat_id, server, tool)))
    g_signal_emit (self, signals[CHANGED], 0);
}

void
confab_approval_policy_set_store (ConfabApprovalPolicy *self,
                                  ConfabStore          *store)
{
  g_return_if_fail (CONFAB_IS_APPROVAL_POLICY (self));
  g_return_if_fail (!store || CONFAB_IS_STORE (store));

  g_set_object (&self->store, store);
}

void
confab_approval_policy_record (ConfabApprovalPolicy *self,
                               const char           *chat_id,
                               const char           *server,
                               const char           *tool,
                               const char           *kind,
                               const char           *decision,
                               const char           *detail)
{
  g_autoptr(ConfabApprovalDecision) entry = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_APPROVAL_POLICY (self));

  entry = confab_approval_decision_new (chat_id, server, tool, kind, decision, detail);
  g_signal_emit (self, signals[DECIDED], 0, entry);

  if (self->store != NULL && !confab_store_log_decision (self->store, entry, &error))
    g_warning ("Could not log a tool decision: %s", error->message);
}
