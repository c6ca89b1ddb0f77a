/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-tool-result-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-escape.h"
#include "confab-tool-result-view.h"

/* How much of an embedded text resource is shown. */
#define RESOURCE_PREVIEW_CHARS 4000

struct _ConfabToolResultView
{
  GtkWidget       parent_instance;

  ConfabToolCall *call;
  GSignalGroup   *call_signals;

  GtkWidget      *box;
};

G_DEFINE_FINAL_TYPE (ConfabToolResultView, confab_tool_result_view, GTK_TYPE_WIDGET)

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static GtkWidget *
new_label (const char *text,
           const char *name,
           gboolean    monospace)
{
  g_autofree char *escaped = confab_escape_text (text, -1, CONFAB_ESCAPE_KEEP_NEWLINES);
  GtkWidget *label = gtk_label_new (escaped);

  gtk_widget_set_name (label, name);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (monospace)
    gtk_widget_add_css_class (label, "monospace");

  return label;
}

/* An image item: a thumbnail, or a line saying why there is none. */
static GtkWidget *
image_widget (JsonObject *item,
              const char *name)
{
  const char *data = get_string (item, "data");
  const char *mime_type = get_string (item, "mimeType");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guchar *decoded = NULL;
  GtkWidget *picture;
  gsize len = 0;

  if (data == NULL)
    return new_label (_("[an image without data]"), name, FALSE);

  /* base64 is 4 characters for 3 bytes: refuse before decoding. */
  if (strlen (data) / 4 * 3 > CONFAB_TOOL_RESULT_IMAGE_LIMIT)
    {
      g_autofree char *size = g_format_size (strlen (data) / 4 * 3);
      g_autofree char *text = g_strdup_printf (_("[an image too large to show: %s]"), size);

      return new_label (text, name, FALSE);
    }

  decoded = g_base64_decode (data, &len);
  bytes = g_bytes_new_take (g_steal_pointer (&decoded), len);
  texture = len > 0 ? gdk_texture_new_from_bytes (bytes, &error) : NULL;
  if (texture == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("[an image that could not be read: %s]"),
                                               mime_type ? mime_type : _("unknown type"));

      return new_label (text, name, FALSE);
    }

  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
  gtk_widget_set_name (picture, name);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
#if GTK_CHECK_VERSION (4, 8, 0)
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_CONTAIN);
#endif
  gtk_widget_set_size_request (picture,
                               MIN (gdk_texture_get_width (texture), CONFAB_TOOL_RESULT_THUMBNAIL_SIZE),
                               MIN (gdk_texture_get_height (texture), CONFAB_TOOL_RESULT_THUMBNAIL_SIZE));
  gtk_widget_set_halign (picture, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, mime_type ? mime_type : "image",
                                  -1);

  return picture;
}

/* An embedded resource: its URI, then its text (a blob is described, not shown). */
static GtkWidget *
resource_widget (JsonObject *item,
                 const char *name)
{
  JsonNode *node = json_object_get_member (item, "resource");
  JsonObject *resource = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *uri = get_string (resource, "uri");
  const char *text = get_string (resource, "text");
  const char *mime_type = get_string (resource, "mimeType");
  g_autoptr(GString) out = g_string_new (NULL);

  g_string_append_printf (out, _("Resource %s"), uri ? uri : _("(no URI)"));
  if (mime_type != NULL)
    g_string_append_printf (out, " (%s)", mime_type);
  g_string_append_c (out, '\n');

  if (text != NULL)
    {
      g_string_append_len (out, text, g_utf8_offset_to_pointer (text, MIN (g_utf8_strlen (text, -1), RESOURCE_PREVIEW_CHARS)) - text);
      if (g_utf8_strlen (text, -1) > RESOURCE_PREVIEW_CHARS)
        g_string_append (out, "…");
    }
  else if (get_string (resource, "blob") != NULL)
    {
      g_autofree char *size = g_format_size (strlen (get_string (resource, "blob")) / 4 * 3);

      g_string_append_printf (out, _("[binary data, about %s]"), size);
    }

  return new_label (out->str, name, FALSE);
}

static void
rebuild (ConfabToolResultView *self)
{
  JsonNode *content = NULL;
  JsonNode *structured = NULL;
  GtkWidget *child;
  gboolean any = FALSE;

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);

  if (self->call != NULL)
    {
      ConfabToolCallStatus status = confab_tool_call_get_status (self->call);

      if (status == CONFAB_TOOL_CALL_STATUS_DONE || status == CONFAB_TOOL_CALL_STATUS_FAILED)
        {
          content = confab_tool_call_get_result_content (self->call);
          structured = confab_tool_call_get_structured_content (self->call);
        }
    }

  if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *items = json_node_get_array (content);
      guint n_images = 0, n_resources = 0;

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonNode *element = json_array_get_element (items, i);
          JsonObject *item = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
          const char *type = get_string (item, "type");
          g_autofree char *name = NULL;

          if (g_strcmp0 (type, "image") == 0)
            {
              name = g_strdup_printf ("result_image_%u", n_images++);
              gtk_box_append (GTK_BOX (self->box), image_widget (item, name));
              any = TRUE;
            }
          else if (g_strcmp0 (type, "resource") == 0)
            {
              name = g_strdup_printf ("result_resource_%u", n_resources++);
              gtk_box_append (GTK_BOX (self->box), resource_widget (item, name));
              any = TRUE;
            }
        }
    }

  if (structured != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *text = NULL;
      GtkWidget *heading = gtk_label_new (_("Structured result"));

      json_generator_set_root (generator, structured);
      json_generator_set_pretty (generator, TRUE);
      json_generator_set_indent (generator, 2);
      text = json_generator_to_data (generator, NULL);

      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_add_css_class (heading, "caption-heading");
      gtk_box_append (GTK_BOX (self->box), heading);
      gtk_box_append (GTK_BOX (self->box), new_label (text, "result_structured", TRUE));
      any = TRUE;
    }

  gtk_widget_set_visible (GTK_WIDGET (self), any);
}

static void
confab_tool_result_view_dispose (GObject *object)
{
  ConfabToolResultView *self = CONFAB_TOOL_RESULT_VIEW (object);

  g_clear_object (&self->call_signals);
  g_clear_object (&self->call);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (confab_tool_result_view_parent_class)->dispose (object);
}

static void
confab_tool_result_view_class_init (ConfabToolResultViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_tool_result_view_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
confab_tool_result_view_init (ConfabToolResultView *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->call_signals = g_signal_group_new (CONFAB_TYPE_TOOL_CALL);
  g_signal_group_connect_swapped (self->call_signals, "notify::status", G_CALLBACK (rebuild), self);
  g_signal_group_connect_swapped (self->call_signals, "notify::result", G_CALLBACK (rebuild), self);

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
confab_tool_result_view_new (void)
{
  return g_object_new (CONFAB_TYPE_TOOL_RESULT_VIEW, NULL);
}

void
confab_tool_result_view_set_call (ConfabToolResultView *self,
                                  ConfabToolCall       *call)
{
  g_return_if_fail (CONFAB_IS_TOOL_RESULT_VIEW (self));
  g_return_if_fail (!call || CONFAB_IS_TOOL_CALL (call));

  if (!g_set_object (&self->call, call))
    return;

  g_signal_group_set_target (self->call_signals, call);
  rebuild (self);
}
