/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-error"

#include "config.h"

#include "confab-error.h"

G_DEFINE_QUARK (confab-error-quark, confab_error)
