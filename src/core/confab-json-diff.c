/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-json-diff"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <string.h>

#include "confab-json-diff.h"

/* What a request adds to the one before it is mostly array items: the assistant message
 * with its tool_calls and the tool results appended to "messages". Matching array items by
 * index would report every later item as changed after one insertion, so items are matched
 * by a longest common subsequence of equal items (Myers' algorithm, fast when the arrays
 * differ in few places); what is left over on both sides at the same place is compared in
 * place (a message whose content changed shows that member), the rest are additions and
 * removals. When the arrays differ so much that the search would need more than MAX_CELLS
 * of memory, items are matched by index. */
#define MAX_CELLS ((gsize) 4 * 1024 * 1024)

static void diff_nodes (JsonNode *old, JsonNode *new, GString *path, GPtrArray *out);

void
confab_json_diff_entry_free (ConfabJsonDiffEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->path);
  g_clear_pointer (&entry->old_value, json_node_unref);
  g_clear_pointer (&entry->new_value, json_node_unref);
  g_free (entry);
}

static void
add_entry (GPtrArray          *out,
           ConfabJsonDiffKind  kind,
           GString            *path,
           JsonNode           *old,
           JsonNode           *new)
{
  ConfabJsonDiffEntry *entry = g_new0 (ConfabJsonDiffEntry, 1);

  entry->kind = kind;
  entry->path = g_strdup (path->str);
  entry->old_value = old ? json_node_copy (old) : NULL;
  entry->new_value = new ? json_node_copy (new) : NULL;
  g_ptr_array_add (out, entry);
}

static gboolean
is_identifier (const char *name)
{
  if (*name == '\0' || g_ascii_isdigit (*name))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

static void
append_member (GString    *path,
               const char *name)
{
  if (is_identifier (name))
    g_string_append_printf (path, ".%s", name);
  else
    {
      g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), name);
      g_autofree char *quoted = json_to_string (node, FALSE);

      g_string_append_printf (path, "[%s]", quoted);
    }
}

static void
diff_objects (JsonObject *old,
              JsonObject *new,
              GString    *path,
              GPtrArray  *out)
{
  g_autoptr(GList) old_names = json_object_get_members (old);
  g_autoptr(GList) new_names = json_object_get_members (new);
  gsize len = path->len;

  /* The old document's order first (changes and removals), then what is new. */
  for (GList *l = old_names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (old, name);

      append_member (path, name);
      if (!json_object_has_member (new, name))
        add_entry (out, CONFAB_JSON_DIFF_REMOVED, path, value, NULL);
      else
        diff_nodes (value, json_object_get_member (new, name), path, out);
      g_string_truncate (path, len);
    }

  for (GList *l = new_names; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (json_object_has_member (old, name))
        continue;
      append_member (path, name);
      add_entry (out, CONFAB_JSON_DIFF_ADDED, path, NULL, json_object_get_member (new, name));
      g_string_truncate (path, len);
    }
}

/* Emits the unmatched items old[o0..o1) and new[n0..n1): pairs in place first, then the
 * rest as removals or additions. */
static void
diff_gap (JsonArray *old,
          guint      o0,
          guint      o1,
          JsonArray *new,
          guint      n0,
          guint      n1,
          GString   *path,
          GPtrArray *out)
{
  gsize len = path->len;
  guint pairs = MIN (o1 - o0, n1 - n0);

  for (guint k = 0; k < pairs; k++)
    {
      g_string_append_printf (path, "[%u]", n0 + k);
      diff_nodes (json_array_get_element (old, o0 + k), json_array_get_element (new, n0 + k), path, out);
      g_string_truncate (path, len);
    }

  for (guint i = o0 + pairs; i < o1; i++)
    {
      g_string_append_printf (path, "[%u]", i);
      add_entry (out, CONFAB_JSON_DIFF_REMOVED, path, json_array_get_element (old, i), NULL);
      g_string_truncate (path, len);
    }

  for (guint j = n0 + pairs; j < n1; j++)
    {
      g_string_append_printf (path, "[%u]", j);
      add_entry (out, CONFAB_JSON_DIFF_ADDED, path, NULL, json_array_get_element (new, j));
      g_string_truncate (path, len);
    }
}

static gboolean
items_equal (JsonArray *a,
             guint      i,
             JsonArray *b,
             guint      j)
{
  return json_node_equal (json_array_get_element (a, i), json_array_get_element (b, j));
}

/* Myers' O((N+M)·D) shortest edit script between old[lo..lo+n) and new[lo..lo+m): appends
 * the matched pairs (old index, new index), in order, to @matches. Cheap when the arrays
 * differ in a few places, which is the case between consecutive requests. FALSE when more
 * than @max_cells of history would be needed (the caller then matches by index). */
static gboolean
myers (JsonArray *old,
       JsonArray *new,
       guint      lo,
       guint      n,
       guint      m,
       gsize      max_cells,
       GArray    *matches)
{
  gsize width = (gsize) n + m + 1;
  gssize offset = (gssize) n + m;
  g_autoptr(GArray) trace = g_array_new (FALSE, FALSE, sizeof (gssize));
  g_autofree gssize *v = g_new0 (gssize, 2 * width + 1);
  gssize d, found = -1;
  gssize x, y;
  g_autoptr(GArray) reversed = g_array_new (FALSE, FALSE, sizeof (guint) * 2);

#define V(k) v[(k) + offset]
  for (d = 0; d <= (gssize) (n + m) && found < 0; d++)
    {
      if ((gsize) (d + 1) * (2 * width + 1) > max_cells)
        return FALSE;
      g_array_append_vals (trace, v, 2 * width + 1);

      for (gssize k = -d; k <= d; k += 2)
        {
          if (k == -d || (k != d && V (k - 1) < V (k + 1)))
            x = V (k + 1);
          else
            x = V (k - 1) + 1;
          y = x - k;
          while (x < (gssize) n && y < (gssize) m && items_equal (old, lo + x, new, lo + y))
            x++, y++;
          V (k) = x;
          if (x >= (gssize) n && y >= (gssize) m)
            {
              found = d;
              break;
            }
        }
    }

  /* Walk back through the saved rounds, collecting the diagonal moves (the matches). */
  x = n, y = m;
  for (d = found; d >= 0; d--)
    {
      gssize *round = &g_array_index (trace, gssize, (gsize) d * (2 * width + 1));
      gssize k = x - y;
      gssize prev_k, prev_x, prev_y;

      if (k == -d || (k != d && round[k - 1 + offset] < round[k + 1 + offset]))
        prev_k = k + 1;
      else
        prev_k = k - 1;
      prev_x = round[prev_k + offset];
      prev_y = prev_x - prev_k;

      while (x > prev_x && y > prev_y)
        {
          guint pair[2] = { lo + x - 1, lo + y - 1 };

          g_array_append_vals (reversed, pair, 1);
          x--, y--;
        }
      if (d > 0)
        x = prev_x, y = prev_y;
    }
#undef V

  for (guint r = reversed->len; r-- > 0;)
    g_array_append_vals (matches, &g_array_index (reversed, guint, r * 2), 1);

  return TRUE;
}

static void
diff_arrays (JsonArray *old,
             JsonArray *new,
             GString   *path,
             GPtrArray *out)
{
  guint n = json_array_get_length (old);
  guint m = json_array_get_length (new);
  g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (guint) * 2);
  guint lo = 0, on, nm;
  guint gi, gj;

  /* Consecutive requests share a long head (the history) and often a tail: only the middle
   * needs aligning. */
  while (lo < n && lo < m && items_equal (old, lo, new, lo))
    lo++;
  on = n, nm = m;
  while (on > lo && nm > lo && items_equal (old, on - 1, new, nm - 1))
    on--, nm--;

  if (!myers (old, new, lo, on - lo, nm - lo, MAX_CELLS, matches))
    {
      diff_gap (old, lo, on, new, lo, nm, path, out);
      return;
    }

  gi = gj = lo;
  for (guint r = 0; r < matches->len; r++)
    {
      guint i = g_array_index (matches, guint, r * 2);
      guint j = g_array_index (matches, guint, r * 2 + 1);

      diff_gap (old, gi, i, new, gj, j, path, out);
      gi = i + 1, gj = j + 1;
    }

  diff_gap (old, gi, on, new, gj, nm, path, out);
}

static void
diff_nodes (JsonNode  *old,
            JsonNode  *new,
            GString   *path,
            GPtrArray *out)
{
  if (JSON_NODE_TYPE (old) == JSON_NODE_OBJECT && JSON_NODE_TYPE (new) == JSON_NODE_OBJECT)
    diff_objects (json_node_get_object (old), json_node_get_object (new), path, out);
  else if (JSON_NODE_TYPE (old) == JSON_NODE_ARRAY && JSON_NODE_TYPE (new) == JSON_NODE_ARRAY)
    diff_arrays (json_node_get_array (old), json_node_get_array (new), path, out);
  else if (!json_node_equal (old, new))
    add_entry (out, CONFAB_JSON_DIFF_CHANGED, path, old, new);
}

GPtrArray *
confab_json_diff (JsonNode *old,
                  JsonNode *new)
{
  g_autoptr(GString) path = g_string_new ("$");
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_json_diff_entry_free);

  g_return_val_if_fail (old != NULL, out);
  g_return_val_if_fail (new != NULL, out);

  diff_nodes (old, new, path, out);
  return out;
}

GPtrArray *
confab_json_diff_strings (const char  *old,
                          const char  *new,
                          GError     **error)
{
  g_autoptr(JsonNode) old_node = NULL;
  g_autoptr(JsonNode) new_node = NULL;
  g_autoptr(GError) local_error = NULL;

  if ((old_node = json_from_string (old ? old : "", &local_error)) == NULL ||
      (new_node = json_from_string (new ? new : "", &local_error)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("A request body is not JSON: %s"),
                   local_error ? local_error->message : _("it is empty"));
      return NULL;
    }

  return confab_json_diff (old_node, new_node);
}

char *
confab_json_diff_describe (JsonNode *value,
                           guint     max_chars)
{
  g_autofree char *text = NULL;
  glong n_chars;

  if (value == NULL)
    return g_strdup ("");

  text = json_to_string (value, FALSE);
  n_chars = g_utf8_strlen (text, -1);
  if (max_chars > 0 && n_chars > (glong) max_chars)
    {
      const char *end = g_utf8_offset_to_pointer (text, max_chars);

      return g_strdup_printf ("%.*s…", (int) (end - text), text);
    }

  return g_steal_pointer (&text);
}
