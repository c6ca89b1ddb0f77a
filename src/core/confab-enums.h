/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  CONFAB_ROLE_SYSTEM,
  CONFAB_ROLE_USER,
  CONFAB_ROLE_ASSISTANT,
  CONFAB_ROLE_TOOL,
} ConfabRole;

typedef enum {
  CONFAB_MESSAGE_STATE_COMPLETE,
  CONFAB_MESSAGE_STATE_STREAMING,
  CONFAB_MESSAGE_STATE_CANCELLED,
  CONFAB_MESSAGE_STATE_FAILED,
  CONFAB_MESSAGE_STATE_INTERRUPTED,
} ConfabMessageState;

typedef enum {
  CONFAB_TOOL_CALL_STATUS_STREAMING,
  CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL,
  CONFAB_TOOL_CALL_STATUS_RUNNING,
  CONFAB_TOOL_CALL_STATUS_DONE,
  CONFAB_TOOL_CALL_STATUS_FAILED,
  CONFAB_TOOL_CALL_STATUS_DENIED,
} ConfabToolCallStatus;

typedef enum {
  CONFAB_APPROVAL_DENY,
  CONFAB_APPROVAL_ALLOW_ONCE,
  CONFAB_APPROVAL_ALLOW_ALWAYS,
  CONFAB_APPROVAL_ALLOW_CHAT,
} ConfabApproval;

/* How confab_store_usage_totals() groups the usage ledger. */
typedef enum {
  CONFAB_USAGE_BY_PROVIDER,
  CONFAB_USAGE_BY_MODEL,
  CONFAB_USAGE_BY_MONTH,
} ConfabUsageGrouping;

/* Canonical wire names: "system", "user", "assistant", "tool". */
const char *confab_role_to_string   (ConfabRole  role);
gboolean    confab_role_from_string (const char *str,
                                     ConfabRole *role);

const char *confab_message_state_to_string     (ConfabMessageState   state);
const char *confab_tool_call_status_to_string  (ConfabToolCallStatus status);

G_END_DECLS
