/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "confab-options.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GOptionEntry *shared = NULL;
  ConfabOptions options = { 0 };
  gboolean version = FALSE;
  const GOptionEntry own_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  shared = confab_options_get_entries (&options);
  context = g_option_context_new (_("PROMPT"));
  g_option_context_set_summary (context, _("Chat with an OpenAI-compatible endpoint from the terminal."));
  g_option_context_add_main_entries (context, own_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, shared, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("confab-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  confab_options_clear (&options);
  return 0;
}
