/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  CONFAB_JSON_DIFF_ADDED,
  CONFAB_JSON_DIFF_REMOVED,
  CONFAB_JSON_DIFF_CHANGED,
} ConfabJsonDiffKind;

/* One difference between two JSON documents. @path is JSONPath-like: "$.messages[3]",
 * "$.messages[2].tool_calls[0].function.arguments"; @old_value is NULL for an addition,
 * @new_value NULL for a removal. */
typedef struct
{
  ConfabJsonDiffKind  kind;
  char               *path;
  JsonNode           *old_value;
  JsonNode           *new_value;
} ConfabJsonDiffEntry;

void        confab_json_diff_entry_free (ConfabJsonDiffEntry *entry);

/* The structural differences from @old to @new, in document order: object members added,
 * removed or changed (member order ignored), array items added or removed (matched by a
 * longest common subsequence, so an appended message is one addition, not a shift of every
 * index) and items that changed in place compared member by member. Empty when equal.
 * (transfer full) (element-type ConfabJsonDiffEntry) */
GPtrArray  *confab_json_diff            (JsonNode    *old,
                                         JsonNode    *new);
/* The same for two JSON texts; NULL with G_IO_ERROR_INVALID_DATA when one is not JSON. */
GPtrArray  *confab_json_diff_strings    (const char  *old,
                                         const char  *new,
                                         GError     **error);
/* A one-line summary of a value for lists: strings quoted, containers compact and cut
 * after @max_chars characters. (transfer full) */
char       *confab_json_diff_describe   (JsonNode    *value,
                                         guint        max_chars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabJsonDiffEntry, confab_json_diff_entry_free)

G_END_DECLS
