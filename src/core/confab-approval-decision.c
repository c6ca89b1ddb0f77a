/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-approval-decision"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-approval-decision.h"

struct _ConfabApprovalDecision
{
  GObject  parent_instance;

  gint64   recorded_at;
  char    *conversation_id;
  char    *server;
  char    *tool;
  char    *kind;
  char    *decision;
  char    *detail;
};

G_DEFINE_FINAL_TYPE (ConfabApprovalDecision, confab_approval_decision, G_TYPE_OBJECT)

static void
confab_approval_decision_finalize (GObject *object)
{
  ConfabApprovalDecision *self = (ConfabApprovalDecision *)object;

  g_free (self->conversation_id);
  g_free (self->server);
  g_free (self->tool);
  g_free (self->kind);
  g_free (self->decision);
  g_free (self->detail);

  G_OBJECT_CLASS (confab_approval_decision_parent_class)->finalize (object);
}

static void
confab_approval_decision_class_init (ConfabApprovalDecisionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = confab_approval_decision_finalize;
}

static void
confab_approval_decision_init (ConfabApprovalDecision *self)
{
}

ConfabApprovalDecision *
confab_approval_decision_new_full (gint64      recorded_at,
                                   const char *conversation_id,
                                   const char *server,
                                   const char *tool,
                                   const char *kind,
                                   const char *decision,
                                   const char *detail)
{
  ConfabApprovalDecision *self = g_object_new (CONFAB_TYPE_APPROVAL_DECISION, NULL);

  self->recorded_at = recorded_at;
  self->conversation_id = g_strdup (conversation_id);
  self->server = g_strdup (server ? server : "");
  self->tool = g_strdup (tool ? tool : "");
  self->kind = g_strdup (kind ? kind : "approval");
  self->decision = g_strdup (decision ? decision : "");
  self->detail = g_strdup (detail);

  return self;
}

ConfabApprovalDecision *
confab_approval_decision_new (const char *conversation_id,
                              const char *server,
                              const char *tool,
                              const char *kind,
                              const char *decision,
                              const char *detail)
{
  return confab_approval_decision_new_full (g_get_real_time (), conversation_id, server, tool,
                                            kind, decision, detail);
}

#define GETTER(type, field) \
  type confab_approval_decision_get_##field (ConfabApprovalDecision *self) \
  { \
    g_return_val_if_fail (CONFAB_IS_APPROVAL_DECISION (self), 0); \
    return self->field; \
  }

GETTER (gint64, recorded_at)
GETTER (const char *, conversation_id)
GETTER (const char *, server)
GETTER (const char *, tool)
GETTER (const char *, kind)
GETTER (const char *, decision)
GETTER (const char *, detail)

const char *
confab_approval_decision_describe (ConfabApprovalDecision *self)
{
  static const struct { const char *decision; const char *text; } texts[] = {
    { "allow-once",   N_("Allowed once") },
    { "allow-chat",   N_("Allowed for this chat") },
    { "allow-always", N_("Always allowed") },
    { "deny",         N_("Denied") },
    { "auto-always",  N_("Ran: always allowed") },
    { "auto-chat",    N_("Ran: allowed for this chat") },
    { "auto-yes",     N_("Ran: allowed by --yes") },
    { "cancelled",    N_("Stopped before an answer") },
    { "accept",       N_("Answered") },
    { "decline",      N_("Declined") },
    { "cancel",       N_("Dismissed") },
  };

  g_return_val_if_fail (CONFAB_IS_APPROVAL_DECISION (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (g_str_equal (self->decision, texts[i].decision))
      return _(texts[i].text);

  return self->decision;
}
