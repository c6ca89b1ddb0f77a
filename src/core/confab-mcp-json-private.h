/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The lenient JSON helpers serve more than MCP now: see confab-json-private.h. */
#include "confab-json-private.h"
