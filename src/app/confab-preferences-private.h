/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "confab-mcp-config.h"

G_BEGIN_DECLS

/* Helpers shared by the pages of ConfabPreferencesWindow; not public API. */

/* Shows @message as a toast of the preferences window that holds @widget. */
void         confab_preferences_toast          (GtkWidget      *widget,
                                                const char     *message);
/* Adds an entry row with an apply button to @expander; @applied gets @expander as data. */
AdwEntryRow *confab_preferences_entry_row      (GtkWidget      *expander,
                                                GType           type,
                                                const char     *title,
                                                const char     *text,
                                                GCallback       applied);
/* Connected after ::apply: see confab-preferences-util.c. */
void         confab_preferences_entry_row_reset_apply (AdwEntryRow *row);
/* A row with a caption and a monospace text view; @error_label, if given, gets a hidden
 * error label below the view. */
GtkWidget   *confab_preferences_text_area_row  (const char     *title,
                                                const char     *text,
                                                GtkTextBuffer **buffer,
                                                GtkLabel      **error_label);

/* The entry @name of mcp.json as the file has it now; NULL, with a toast from @widget, when
 * it cannot be read. */
ConfabMcpServerConfig *confab_preferences_get_mcp_entry (GtkWidget       *widget,
                                                         ConfabMcpConfig *config,
                                                         const char      *name);
/* Writes @entry as the server @name (renamed when its name differs), saves mcp.json and
 * activates prefs.mcp-saved(@rebuild); FALSE, with a toast, when that fails. */
gboolean     confab_preferences_put_mcp_entry  (GtkWidget                   *widget,
                                                ConfabMcpConfig             *config,
                                                const char                  *name,
                                                const ConfabMcpServerConfig *entry,
                                                gboolean                     rebuild);

/* Test Connection found @models: a "Set Default…" button on @test_row lists them, and
 * choosing one applies it to @model_row. */
void         confab_preferences_offer_models   (AdwActionRow       *test_row,
                                                const char * const *models,
                                                AdwEntryRow        *model_row);

G_END_DECLS
