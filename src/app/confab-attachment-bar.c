/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-attachment-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-attachment-bar.h"

#define THUMBNAIL_SIZE 40

struct _ConfabAttachmentBar
{
  GtkWidget   parent_instance;

  GListModel   *model;
  gboolean      editable;
  GQueue        loading;        /* Loading, in the order the files were given */
  GSettings    *settings;
  GCancellable *cancellable;

  GtkWidget  *box;
  GtkFlowBox *flow_box;
  GtkLabel   *error_label;
};

G_DEFINE_FINAL_TYPE (ConfabAttachmentBar, confab_attachment_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_EDITABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GdkTexture *
make_texture (ConfabAttachment *attachment)
{
  if (confab_attachment_get_kind (attachment) != CONFAB_ATTACHMENT_IMAGE)
    return NULL;

  /* NULL for a format GdkPixbuf cannot read (WebP without its loader): an icon then. */
  return gdk_texture_new_from_bytes (confab_attachment_get_data (attachment), NULL);
}

static const char *
kind_icon (ConfabAttachment *attachment)
{
  switch (confab_attachment_get_kind (attachment))
    {
    case CONFAB_ATTACHMENT_IMAGE: return "image-x-generic-symbolic";
    case CONFAB_ATTACHMENT_PDF:   return "x-office-document-symbolic";
    case CONFAB_ATTACHMENT_TEXT:
    default:                      return "text-x-generic-symbolic";
    }
}

GtkWindow *
confab_attachment_bar_present_preview (GtkWidget        *parent,
                                       ConfabAttachment *attachment)
{
  g_autoptr(GdkTexture) texture = make_texture (attachment);
  g_autofree char *subtitle = confab_attachment_describe (attachment);
  GtkWidget *window;
  GtkWidget *header;
  GtkWidget *title;
  GtkWidget *content;
  GtkRoot *root = parent ? gtk_widget_get_root (parent) : NULL;

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), confab_attachment_get_name (attachment));
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 560);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  gtk_widget_add_css_class (window, "attachment-preview");

  header = gtk_header_bar_new ();
  title = gtk_label_new (subtitle);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (title, "title");
  gtk_header_bar_set_title_widget (GTK_HEADER_BAR (header), title);
  gtk_window_set_titlebar (GTK_WINDOW (window), header);

  if (texture != NULL)
    {
      content = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
      gtk_picture_set_can_shrink (GTK_PICTURE (content), TRUE);
      gtk_picture_set_alternative_text (GTK_PICTURE (content), confab_attachment_get_name (attachment));
    }
  else
    {
      /* What the model reads: the text of a file, or the text taken out of a PDF. */
      GtkWidget *view = gtk_text_view_new ();
      const char *text = confab_attachment_get_text (attachment);

      gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
      gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
      gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
      gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
      gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 12);
      gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
      gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)),
                                text ? text : _("This picture cannot be shown here."), -1);
      content = gtk_scrolled_window_new ();
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (content), view);
    }
  gtk_window_set_child (GTK_WINDOW (window), content);

  gtk_window_present (GTK_WINDOW (window));

  return GTK_WINDOW (window);
}

static void
chip_clicked (GtkButton           *button,
              ConfabAttachmentBar *self)
{
  ConfabAttachment *attachment = g_object_get_data (G_OBJECT (button), "attachment");

  confab_attachment_bar_present_preview (GTK_WIDGET (self), attachment);
}

static void
remove_clicked (GtkButton           *button,
                ConfabAttachmentBar *self)
{
  ConfabAttachment *attachment = g_object_get_data (G_OBJECT (button), "attachment");
  guint position;

  if (G_IS_LIST_STORE (self->model) &&
      g_list_store_find (G_LIST_STORE (self->model), attachment, &position))
    g_list_store_remove (G_LIST_STORE (self->model), position);
}

static GtkWidget *
create_chip (gpointer item,
             gpointer user_data)
{
  ConfabAttachmentBar *self = user_data;
  ConfabAttachment *attachment = item;
  g_autoptr(GdkTexture) texture = make_texture (attachment);
  g_autofree char *description = confab_attachment_describe (attachment);
  g_autofree char *open_label = NULL;
  GtkWidget *chip;
  GtkWidget *button;
  GtkWidget *content;
  GtkWidget *thumbnail;
  GtkWidget *labels;
  GtkWidget *name;
  GtkWidget *detail;
  const char *separator;

  chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (chip, "attachment-chip");
  gtk_widget_set_halign (chip, GTK_ALIGN_START);

  content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  if (texture != NULL)
    {
      thumbnail = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
      gtk_picture_set_can_shrink (GTK_PICTURE (thumbnail), TRUE);
      gtk_widget_set_size_request (thumbnail, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
      gtk_widget_add_css_class (thumbnail, "thumbnail");
    }
  else
    {
      thumbnail = gtk_image_new_from_icon_name (kind_icon (attachment));
      gtk_image_set_pixel_size (GTK_IMAGE (thumbnail), 24);
    }
  gtk_box_append (GTK_BOX (content), thumbnail);

  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  name = gtk_label_new (confab_attachment_get_name (attachment));
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (name), 18);
  gtk_box_append (GTK_BOX (labels), name);

  /* describe() is "name · what": the chip shows the two on their own lines. */
  separator = g_utf8_strrchr (description, -1, 0x00B7);
  detail = gtk_label_new (separator ? g_utf8_next_char (separator) + 1 : "");
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");
  gtk_box_append (GTK_BOX (labels), detail);
  gtk_box_append (GTK_BOX (content), labels);

  button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "attachment-open");
  g_object_set_data_full (G_OBJECT (button), "attachment", g_object_ref (attachment), g_object_unref);
  g_signal_connect (button, "clicked", G_CALLBACK (chip_clicked), self);
  open_label = g_strdup_printf (_("Preview %s"), description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, open_label, -1);
  gtk_widget_set_tooltip_text (button, description);
  gtk_box_append (GTK_BOX (chip), button);

  if (self->editable)
    {
      g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), confab_attachment_get_name (attachment));
      GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");

      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_add_css_class (remove, "circular");
      gtk_widget_add_css_class (remove, "attachment-remove");
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (remove, _("Remove"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
      g_object_set_data_full (G_OBJECT (remove), "attachment", g_object_ref (attachment), g_object_unref);
      g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked), self);
      gtk_box_append (GTK_BOX (chip), remove);
    }

  return chip;
}

static void
update_visibility (ConfabAttachmentBar *self)
{
  gboolean has_items = self->model != NULL && g_list_model_get_n_items (self->model) > 0;
  gboolean has_error = gtk_widget_get_visible (GTK_WIDGET (self->error_label));

  gtk_widget_set_visible (GTK_WIDGET (self->flow_box), has_items);
  gtk_widget_set_visible (GTK_WIDGET (self), has_items || has_error);
}

static void
items_changed (GListModel          *model,
               guint                position,
               guint                removed,
               guint                added,
               ConfabAttachmentBar *self)
{
  update_visibility (self);
}

static void
rebind (ConfabAttachmentBar *self)
{
  gtk_flow_box_bind_model (self->flow_box, self->model, create_chip, self, NULL);
  update_visibility (self);
}

static void
confab_attachment_bar_dispose (GObject *object)
{
  ConfabAttachmentBar *self = CONFAB_ATTACHMENT_BAR (object);

  if (self->model != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->model, self);
      gtk_flow_box_bind_model (self->flow_box, NULL, NULL, NULL, NULL);
    }
  g_clear_object (&self->model);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_ATTACHMENT_BAR);

  G_OBJECT_CLASS (confab_attachment_bar_parent_class)->dispose (object);
}

static void
confab_attachment_bar_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabAttachmentBar *self = CONFAB_ATTACHMENT_BAR (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_EDITABLE:
      g_value_set_boolean (value, self->editable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_attachment_bar_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabAttachmentBar *self = CONFAB_ATTACHMENT_BAR (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      confab_attachment_bar_set_model (self, g_value_get_object (value));
      break;
    case PROP_EDITABLE:
      confab_attachment_bar_set_editable (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_attachment_bar_class_init (ConfabAttachmentBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_attachment_bar_dispose;
  object_class->get_property = confab_attachment_bar_get_property;
  object_class->set_property = confab_attachment_bar_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_EDITABLE] =
    g_param_spec_boolean ("editable", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "attachmentbar");
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/confab-attachment-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabAttachmentBar, box);
  gtk_widget_class_bind_template_child (widget_class, ConfabAttachmentBar, flow_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabAttachmentBar, error_label);
}

static void
confab_attachment_bar_init (ConfabAttachmentBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  update_visibility (self);
}

GtkWidget *
confab_attachment_bar_new (void)
{
  return g_object_new (CONFAB_TYPE_ATTACHMENT_BAR, NULL);
}

void
confab_attachment_bar_set_model (ConfabAttachmentBar *self,
                                 GListModel          *model)
{
  g_return_if_fail (CONFAB_IS_ATTACHMENT_BAR (self));
  g_return_if_fail (!model || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    g_signal_connect (model, "items-changed", G_CALLBACK (items_changed), self);

  rebind (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

GListModel *
confab_attachment_bar_get_model (ConfabAttachmentBar *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT_BAR (self), NULL);
  return self->model;
}

void
confab_attachment_bar_set_editable (ConfabAttachmentBar *self,
                                    gboolean             editable)
{
  g_return_if_fail (CONFAB_IS_ATTACHMENT_BAR (self));

  editable = !!editable;
  if (self->editable == editable)
    return;

  self->editable = editable;
  if (editable && self->model == NULL)
    {
      g_autoptr(GListStore) store = g_list_store_new (CONFAB_TYPE_ATTACHMENT);

      confab_attachment_bar_set_model (self, G_LIST_MODEL (store));
    }
  rebind (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITABLE]);
}

void
confab_attachment_bar_set_error (ConfabAttachmentBar *self,
                                 const char          *message)
{
  g_return_if_fail (CONFAB_IS_ATTACHMENT_BAR (self));

  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  update_visibility (self);
}

const char *
confab_attachment_bar_get_error (ConfabAttachmentBar *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT_BAR (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

/* Adding */

static void
get_limits (ConfabAttachmentBar    *self,
            ConfabAttachmentLimits *limits)
{
  confab_attachment_limits_init_from_settings (limits, self->settings);
}

static void
append_attachment (ConfabAttachmentBar *self,
                   ConfabAttachment    *attachment)
{
  g_return_if_fail (G_IS_LIST_STORE (self->model));

  g_list_store_append (G_LIST_STORE (self->model), attachment);
  confab_attachment_bar_set_error (self, NULL);
}

/* A file being read; files read in parallel still become chips in the order given. */
typedef struct
{
  ConfabAttachmentBar *self;
  ConfabAttachment    *attachment;
  GError              *error;
  gboolean             done;
} Loading;

static void
file_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Loading *loading = user_data;
  g_autoptr(ConfabAttachmentBar) self = loading->self;

  loading->attachment = confab_attachment_new_from_file_finish (result, &loading->error);
  loading->done = TRUE;

  while (!g_queue_is_empty (&self->loading) &&
         ((Loading *) g_queue_peek_head (&self->loading))->done)
    {
      Loading *head = g_queue_pop_head (&self->loading);
      g_autoptr(ConfabAttachment) attachment = head->attachment;
      g_autoptr(GError) error = head->error;

      g_free (head);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->model == NULL)
        continue;

      if (attachment == NULL)
        confab_attachment_bar_set_error (self, error->message);
      else
        append_attachment (self, attachment);
    }
}

void
confab_attachment_bar_add_file (ConfabAttachmentBar *self,
                                GFile               *file)
{
  ConfabAttachmentLimits limits;
  Loading *loading;

  g_return_if_fail (CONFAB_IS_ATTACHMENT_BAR (self));
  g_return_if_fail (G_IS_FILE (file));

  get_limits (self, &limits);
  loading = g_new0 (Loading, 1);
  loading->self = g_object_ref (self);
  g_queue_push_tail (&self->loading, loading);
  confab_attachment_new_from_file_async (file, &limits, self->cancellable, file_loaded_cb, loading);
}

gboolean
confab_attachment_bar_add_texture (ConfabAttachmentBar *self,
                                   GdkTexture          *texture)
{
  g_autoptr(ConfabAttachment) attachment = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  ConfabAttachmentLimits limits;

  g_return_val_if_fail (CONFAB_IS_ATTACHMENT_BAR (self), FALSE);
  g_return_val_if_fail (GDK_IS_TEXTURE (texture), FALSE);

  get_limits (self, &limits);
  png = gdk_texture_save_to_png_bytes (texture);
  attachment = confab_attachment_new_from_bytes ("pasted-image.png", "image/png", png, &limits, &error);
  if (attachment == NULL)
    {
      confab_attachment_bar_set_error (self, error->message);
      return FALSE;
    }

  append_attachment (self, attachment);
  return TRUE;
}

static void
add_file_list (ConfabAttachmentBar *self,
               GdkFileList         *list)
{
  /* (transfer container): the list is ours, the files are not. */
  GSList *files = gdk_file_list_get_files (list);

  for (GSList *l = files; l != NULL; l = l->next)
    confab_attachment_bar_add_file (self, l->data);
  g_slist_free (files);
}

static void
clipboard_files_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ConfabAttachmentBar) self = user_data;
  g_autoptr(GError) error = NULL;
  const GValue *value;

  value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (object), result, &error);
  if (value == NULL)
    {
      confab_attachment_bar_set_error (self, error->message);
      return;
    }

  add_file_list (self, g_value_get_boxed (value));
}

static void
clipboard_texture_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ConfabAttachmentBar) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object), result, &error);
  if (texture == NULL)
    {
      confab_attachment_bar_set_error (self, error->message);
      return;
    }

  confab_attachment_bar_add_texture (self, texture);
}

gboolean
confab_attachment_bar_paste (ConfabAttachmentBar *self,
                             GdkClipboard        *clipboard)
{
  GdkContentFormats *formats;

  g_return_val_if_fail (CONFAB_IS_ATTACHMENT_BAR (self), FALSE);
  g_return_val_if_fail (GDK_IS_CLIPBOARD (clipboard), FALSE);

  formats = gdk_clipboard_get_formats (clipboard);

  /* Files copied in a file manager come with their paths as text too: the files win. */
  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    {
      gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                      self->cancellable, clipboard_files_cb, g_object_ref (self));
      return TRUE;
    }

  /* A picture alone (a screenshot); text copied from a page or document may carry a
   * picture of itself as well, and then the text is what was meant. */
  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE) &&
      !gdk_content_formats_contain_gtype (formats, G_TYPE_STRING))
    {
      gdk_clipboard_read_texture_async (clipboard, self->cancellable, clipboard_texture_cb,
                                        g_object_ref (self));
      return TRUE;
    }

  return FALSE;
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
files_chosen_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ConfabAttachmentBar) self = user_data;
  g_autoptr(GListModel) files = NULL;
  g_autoptr(GError) error = NULL;

  files = gtk_file_dialog_open_multiple_finish (GTK_FILE_DIALOG (object), result, &error);
  if (files == NULL)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);

      confab_attachment_bar_add_file (self, file);
    }
}
#else
static void
chooser_response_cb (GtkNativeDialog     *dialog,
                     int                  response,
                     ConfabAttachmentBar *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          confab_attachment_bar_add_file (self, file);
        }
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}
#endif

static GtkFileFilter *
supported_filter (void)
{
  static const char * const types[] = {
    "image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf", "text/plain",
  };
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Images, Text and PDF"));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    gtk_file_filter_add_mime_type (filter, types[i]);

  return filter;
}

static GtkFileFilter *
all_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("All Files"));
  gtk_file_filter_add_pattern (filter, "*");

  return filter;
}

void
confab_attachment_bar_choose_files (ConfabAttachmentBar *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *parent = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
  g_autoptr(GtkFileFilter) supported = supported_filter ();
  g_autoptr(GtkFileFilter) all = all_filter ();

  g_return_if_fail (CONFAB_IS_ATTACHMENT_BAR (self));

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
    g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);

    g_list_store_append (filters, supported);
    g_list_store_append (filters, all);
    gtk_file_dialog_set_title (dialog, _("Attach Files"));
    gtk_file_dialog_set_accept_label (dialog, _("_Attach"));
    gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
    gtk_file_dialog_set_default_filter (dialog, supported);
    gtk_file_dialog_open_multiple (dialog, parent, self->cancellable, files_chosen_cb, g_object_ref (self));
  }
#else
  {
    GtkFileChooserNative *chooser;

    chooser = gtk_file_chooser_native_new (_("Attach Files"), parent, GTK_FILE_CHOOSER_ACTION_OPEN,
                                           _("_Attach"), _("_Cancel"));
    gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), supported);
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (chooser), supported);
    gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
    g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
  }
#endif
}

static gboolean
drop_cb (GtkDropTarget       *target,
         const GValue        *value,
         double               x,
         double               y,
         ConfabAttachmentBar *self)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      add_file_list (self, g_value_get_boxed (value));
      return TRUE;
    }

  if (G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    return confab_attachment_bar_add_texture (self, g_value_get_object (value));

  return FALSE;
}

GtkDropTarget *
confab_attachment_bar_create_drop_target (ConfabAttachmentBar *self)
{
  GType types[] = { GDK_TYPE_FILE_LIST, GDK_TYPE_TEXTURE };
  GtkDropTarget *target;

  g_return_val_if_fail (CONFAB_IS_ATTACHMENT_BAR (self), NULL);

  target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, 0);

  return target;
}

guint
confab_attachment_bar_get_n_loading (ConfabAttachmentBar *self)
{
  g_return_val_if_fail (CONFAB_IS_ATTACHMENT_BAR (self), 0);
  return self->loading.length;
}

gboolean
confab_attachment_bar_check (ConfabAttachmentBar *self)
{
  g_autoptr(GError) error = NULL;
  ConfabAttachmentLimits limits;

  g_return_val_if_fail (CONFAB_IS_ATTACHMENT_BAR (self), FALSE);

  if (self->model == NULL)
    return TRUE;

  get_limits (self, &limits);
  if (!confab_attachments_check_message_size (self->model, &limits, &error))
    {
      confab_attachment_bar_set_error (self, error->message);
      return FALSE;
    }

  return TRUE;
}

void
confab_attachment_bar_clear (ConfabAttachmentBar *self)
{
  g_return_if_fail (CONFAB_IS_ATTACHMENT_BAR (self));

  if (G_IS_LIST_STORE (self->model))
    g_list_store_remove_all (G_LIST_STORE (self->model));
  confab_attachment_bar_set_error (self, NULL);
}
