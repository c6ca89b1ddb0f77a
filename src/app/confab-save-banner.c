/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-save-banner"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-save-banner.h"

/* A save failed: a banner at the top of the chat says what, and offers Export… (win.export)
 * so the user keeps a copy elsewhere. Not modal: the user keeps reading and typing.
 *
 * It stays for the life of the window. A later write that succeeds does not bring back what
 * failed (the writer drops a failed write and the trackers hand over only what arrived
 * since), so hiding it then would say "saved" of text that is not.
 *
 * libadwaita 1.3 has AdwBanner; on 1.2 (Debian 12) a revealer holds the same thing: text
 * that wraps and a button. Either way the banner's accessible role is ALERT, for a screen
 * reader to present it when it appears. Its text is never markup: the error may carry "<"
 * or "&" (a path). */

struct _ConfabSaveBanner
{
  AdwBin     parent_instance;

  char      *text;
#if ADW_CHECK_VERSION (1, 3, 0)
  AdwBanner *banner;
#else
  GtkRevealer *revealer;
  GtkLabel    *label;
  GtkWidget   *button;
#endif
};

G_DEFINE_FINAL_TYPE (ConfabSaveBanner, confab_save_banner, ADW_TYPE_BIN)

static void
confab_save_banner_finalize (GObject *object)
{
  ConfabSaveBanner *self = CONFAB_SAVE_BANNER (object);

  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (confab_save_banner_parent_class)->finalize (object);
}

static void
confab_save_banner_class_init (ConfabSaveBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = confab_save_banner_finalize;

  gtk_widget_class_set_css_name (widget_class, "savebanner");
}

static void
confab_save_banner_init (ConfabSaveBanner *self)
{
#if ADW_CHECK_VERSION (1, 3, 0)
  self->banner = g_object_new (ADW_TYPE_BANNER,
                               "accessible-role", GTK_ACCESSIBLE_ROLE_ALERT,
                               "button-label", _("_Export…"),
                               "action-name", "win.export",
                               "use-markup", FALSE,
                               NULL);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->banner));
#else
  GtkWidget *box;

  self->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);

  box = g_object_new (GTK_TYPE_BOX,
                      "accessible-role", GTK_ACCESSIBLE_ROLE_ALERT,
                      "orientation", GTK_ORIENTATION_HORIZONTAL,
                      "spacing", 12,
                      NULL);
  gtk_widget_add_css_class (box, "banner");

  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_use_markup (self->label, FALSE);
  gtk_label_set_wrap (self->label, TRUE);
  gtk_label_set_wrap_mode (self->label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (self->label, 0.0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->label), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->label));

  self->button = gtk_button_new_with_mnemonic (_("_Export…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->button), "win.export");
  gtk_widget_set_valign (self->button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->button, "suggested-action");
  /* GTK 4.8 would name it "_Export… Export…" (see confab-accessible.h). */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Export…"), -1);
  gtk_box_append (GTK_BOX (box), self->button);

  gtk_accessible_update_relation (GTK_ACCESSIBLE (box),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->label, NULL, -1);

  gtk_revealer_set_child (self->revealer, box);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->revealer));
#endif
}

GtkWidget *
confab_save_banner_new (void)
{
  return g_object_new (CONFAB_TYPE_SAVE_BANNER, NULL);
}

void
confab_save_banner_show_error (ConfabSaveBanner *self,
                               const GError     *error)
{
  g_autofree char *reason = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CONFAB_IS_SAVE_BANNER (self));
  g_return_if_fail (error != NULL);

  /* The store's errors are sentences ("Could not save the conversation to …: the disk is
   * full"); the banner adds what happens to the text. */
  reason = g_strstrip (g_strdup (error->message));
  if (g_str_has_suffix (reason, "."))
    reason[strlen (reason) - 1] = '\0';
  /* Translators: %s says why a conversation could not be saved (a whole sentence,
   * without its full stop). */
  text = g_strdup_printf (_("Not saved: %s. The text stays in this window: export it to keep a copy."),
                          reason);

  if (g_strcmp0 (text, self->text) != 0)
    {
      g_free (self->text);
      self->text = g_steal_pointer (&text);
#if ADW_CHECK_VERSION (1, 3, 0)
      adw_banner_set_title (self->banner, self->text);
#else
      gtk_label_set_text (self->label, self->text);
#endif
    }

#if ADW_CHECK_VERSION (1, 3, 0)
  adw_banner_set_revealed (self->banner, TRUE);
#else
  gtk_revealer_set_reveal_child (self->revealer, TRUE);
#endif
}

gboolean
confab_save_banner_get_revealed (ConfabSaveBanner *self)
{
  g_return_val_if_fail (CONFAB_IS_SAVE_BANNER (self), FALSE);

#if ADW_CHECK_VERSION (1, 3, 0)
  return adw_banner_get_revealed (self->banner);
#else
  return gtk_revealer_get_reveal_child (self->revealer);
#endif
}

const char *
confab_save_banner_get_text (ConfabSaveBanner *self)
{
  g_return_val_if_fail (CONFAB_IS_SAVE_BANNER (self), NULL);

  return self->text;
}
