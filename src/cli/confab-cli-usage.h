/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `confab-cli usage [--by provider|model|month] [--json]`: the usage ledger's totals. */
int confab_cli_usage_command (int    argc,
                              char **argv);

G_END_DECLS
