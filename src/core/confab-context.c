/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-context"

#include "config.h"

#include "confab-approval-policy.h"
#include "confab-context.h"
#include "confab-provider-list.h"
#include "confab-store.h"
#include "confab-tool-registry.h"

struct _ConfabContext
{
  GObject               parent_instance;

  ConfabStore          *store;
  ConfabProviderList   *providers;
  ConfabToolRegistry   *tools;
  ConfabApprovalPolicy *approvals;
  char                **extra_servers;
  gboolean              allow_all;
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (ConfabContext, confab_context, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TOOLS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_context_dispose (GObject *object)
{
  ConfabContext *self = CONFAB_CONTEXT (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* The servers are child processes: they end with the context that started them. */
  if (self->tools != NULL)
    confab_tool_registry_stop (self->tools);
  g_clear_object (&self->tools);
  g_clear_object (&self->approvals);
  g_clear_object (&self->providers);
  g_clear_object (&self->store);
  g_clear_pointer (&self->extra_servers, g_strfreev);

  G_OBJECT_CLASS (confab_context_parent_class)->dispose (object);
}

static void
confab_context_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ConfabContext *self = CONFAB_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_TOOLS: g_value_set_object (value, confab_context_get_tools (self)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_context_class_init (ConfabContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_context_dispose;
  object_class->get_property = confab_context_get_property;

  properties[PROP_TOOLS] =
    g_param_spec_object ("tools", NULL, NULL, CONFAB_TYPE_TOOL_REGISTRY,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_context_init (ConfabContext *self)
{
  self->cancellable = g_cancellable_new ();
}

ConfabContext *
confab_context_new (void)
{
  return g_object_new (CONFAB_TYPE_CONTEXT, NULL);
}

ConfabStore *
confab_context_get_store (ConfabContext *self)
{
  g_return_val_if_fail (CONFAB_IS_CONTEXT (self), NULL);
  return self->store;
}

void
confab_context_set_store (ConfabContext *self,
                          ConfabStore   *store)
{
  g_return_if_fail (CONFAB_IS_CONTEXT (self));
  g_return_if_fail (store == NULL || CONFAB_IS_STORE (store));

  g_set_object (&self->store, store);
  /* Every tool decision goes to the store's log (Tool Decisions). */
  if (self->approvals != NULL)
    confab_approval_policy_set_store (self->approvals, store);
}

ConfabProviderList *
confab_context_get_providers (ConfabContext *self)
{
  g_return_val_if_fail (CONFAB_IS_CONTEXT (self), NULL);

  if (self->providers == NULL)
    {
      g_autoptr(GError) error = NULL;

      self->providers = confab_provider_list_new (NULL);
      /* A damaged file is an empty list and a warning: the app still starts. */
      if (!confab_provider_list_load (self->providers, &error))
        g_warning ("%s", error->message);
    }

  return self->providers;
}

ConfabToolRegistry *
confab_context_get_tools (ConfabContext *self)
{
  g_return_val_if_fail (CONFAB_IS_CONTEXT (self), NULL);

  if (self->tools == NULL)
    self->tools = confab_tool_registry_new ();

  return self->tools;
}

ConfabApprovalPolicy *
confab_context_get_approvals (ConfabContext *self)
{
  g_return_val_if_fail (CONFAB_IS_CONTEXT (self), NULL);

  if (self->approvals == NULL)
    {
      g_autofree char *path = confab_approval_policy_get_default_path ();

      self->approvals = confab_approval_policy_new (path);
      confab_approval_policy_set_allow_all (self->approvals, self->allow_all);
      confab_approval_policy_set_store (self->approvals, self->store);
    }

  return self->approvals;
}

void
confab_context_set_extra_servers (ConfabContext      *self,
                                  const char * const *commands)
{
  g_return_if_fail (CONFAB_IS_CONTEXT (self));

  g_strfreev (self->extra_servers);
  self->extra_servers = g_strdupv ((char **) commands);
}

void
confab_context_set_allow_all (ConfabContext *self,
                              gboolean       allow_all)
{
  g_return_if_fail (CONFAB_IS_CONTEXT (self));

  self->allow_all = !!allow_all;
  if (self->approvals != NULL)
    confab_approval_policy_set_allow_all (self->approvals, self->allow_all);
}

gboolean
confab_context_reload_tools (ConfabContext  *self,
                             GError        **error)
{
  g_autoptr(ConfabToolRegistry) tools = confab_tool_registry_new ();
  g_autofree char *path = confab_tool_registry_get_default_config_path ();
  g_autoptr(GError) first_error = NULL;

  g_return_val_if_fail (CONFAB_IS_CONTEXT (self), FALSE);

  confab_tool_registry_load_config (tools, path, &first_error);

  for (guint i = 0; self->extra_servers != NULL && self->extra_servers[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!confab_tool_registry_add_command (tools, self->extra_servers[i], &local_error) &&
          first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }

  /* One policy across reloads: "for this chat" approvals outlive a new mcp.json. */
  confab_tool_registry_set_approvals (tools, confab_context_get_approvals (self));

  if (self->tools != NULL)
    confab_tool_registry_stop (self->tools);
  g_set_object (&self->tools, tools);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOLS]);

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }

  return TRUE;
}

static void
tools_started_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!confab_tool_registry_start_finish (CONFAB_TOOL_REGISTRY (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not start the tool servers: %s", error->message);
}

void
confab_context_start_tools (ConfabContext *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_CONTEXT (self));

  if (!confab_context_reload_tools (self, &error))
    g_warning ("%s", error->message);

  if (g_list_model_get_n_items (confab_tool_registry_get_servers (self->tools)) > 0)
    confab_tool_registry_start_async (self->tools, self->cancellable, tools_started_cb, NULL);
}
