/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-store.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_IMPORT_DIALOG (confab_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ConfabImportDialog, confab_import_dialog, CONFAB, IMPORT_DIALOG, AdwWindow)

/* Asks for a file (Confab JSON, ChatGPT conversations.json, Open WebUI export), reads it in a
 * worker thread with a progress bar and Cancel, saves what is new into @store (all or
 * nothing) and tells the user what happened. */
void confab_import_dialog_run (GtkWindow   *parent,
                               ConfabStore *store);

/* The same without asking: reads @file with the progress window, then the summary. */
void confab_import_dialog_import_file (GtkWindow   *parent,
                                       ConfabStore *store,
                                       GFile       *file);

G_END_DECLS
