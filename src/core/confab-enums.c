/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-enums"

#include "config.h"

#include <string.h>

#include "confab-enums.h"

static const char * const role_names[] = { "system", "user", "assistant", "tool" };

const char *
confab_role_to_string (ConfabRole role)
{
  g_return_val_if_fail (role <= CONFAB_ROLE_TOOL, "user");

  return role_names[role];
}

gboolean
confab_role_from_string (const char *str,
                         ConfabRole *role)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    {
      if (strcmp (str, role_names[i]) == 0)
        {
          *role = (ConfabRole) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
confab_message_state_to_string (ConfabMessageState state)
{
  switch (state)
    {
    case CONFAB_MESSAGE_STATE_COMPLETE:    return "complete";
    case CONFAB_MESSAGE_STATE_STREAMING:   return "streaming";
    case CONFAB_MESSAGE_STATE_CANCELLED:   return "cancelled";
    case CONFAB_MESSAGE_STATE_FAILED:      return "failed";
    case CONFAB_MESSAGE_STATE_INTERRUPTED: return "interrupted";
    default:                               return "complete";
    }
}

const char *
confab_tool_call_status_to_string (ConfabToolCallStatus status)
{
  switch (status)
    {
    case CONFAB_TOOL_CALL_STATUS_STREAMING:        return "streaming";
    case CONFAB_TOOL_CALL_STATUS_PENDING_APPROVAL: return "pending-approval";
    case CONFAB_TOOL_CALL_STATUS_RUNNING:          return "running";
    case CONFAB_TOOL_CALL_STATUS_DONE:             return "done";
    case CONFAB_TOOL_CALL_STATUS_FAILED:           return "failed";
    case CONFAB_TOOL_CALL_STATUS_DENIED:           return "denied";
    default:                                       return "failed";
    }
}
