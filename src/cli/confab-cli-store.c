/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "confab-cassette-writer.h"
#include "confab-cli-store.h"
#include "confab-cli-usage.h"
#include "confab-context.h"
#include "confab-conversation.h"
#include "confab-escape.h"
#include "confab-export.h"
#include "confab-import.h"
#include "confab-store.h"

static const char * const commands[] = { "list", "search", "export", "import", "delete", "usage" };

gboolean
confab_cli_store_is_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (name, commands[i]) == 0)
      return TRUE;

  return FALSE;
}

gboolean
confab_cli_store_finish (ConfabStore         *store,
                         ConfabConversation  *conversation,
                         GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (CONFAB_IS_STORE (store), FALSE);

  ok = confab_store_flush (store, error);
  confab_store_untrack (store, conversation);

  return ok;
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : g_strdup ("");
}

static void
print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static void
print_summaries (GListModel *summaries,
                 gboolean    json,
                 gboolean    with_snippet)
{
  guint n = g_list_model_get_n_items (summaries);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(ConfabStoreSummary) s = g_list_model_get_item (summaries, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, confab_store_summary_get_id (s));
          json_builder_set_member_name (builder, "title");
          json_builder_add_string_value (builder, confab_store_summary_get_title (s));
          json_builder_set_member_name (builder, "model");
          if (confab_store_summary_get_model (s))
            json_builder_add_string_value (builder, confab_store_summary_get_model (s));
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "updated_at");
          json_builder_add_int_value (builder, confab_store_summary_get_updated_at (s) / G_USEC_PER_SEC);
          json_builder_set_member_name (builder, "messages");
          json_builder_add_int_value (builder, confab_store_summary_get_n_messages (s));
          if (with_snippet)
            {
              json_builder_set_member_name (builder, "snippet");
              json_builder_add_string_value (builder, confab_store_summary_get_snippet (s) ?: "");
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);

      root = json_builder_get_root (builder);
      print_json (root);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabStoreSummary) s = g_list_model_get_item (summaries, i);
      g_autofree char *when = format_time (confab_store_summary_get_updated_at (s));

      /* Titles and snippets are the user's and the model's text: escaped for the terminal. */
      g_autofree char *title = confab_escape_text (confab_store_summary_get_title (s), -1,
                                                   CONFAB_ESCAPE_DEFAULT);

      g_print ("%s  %s  %s\n", confab_store_summary_get_id (s), when, title ? title : "");
      if (with_snippet && confab_store_summary_get_snippet (s) != NULL)
        {
          g_autofree char *flat = g_strdup (confab_store_summary_get_snippet (s));
          g_autofree char *escaped = NULL;

          g_strdelimit (flat, "\r\n\t", ' ');
          escaped = confab_escape_text (flat, -1, CONFAB_ESCAPE_DEFAULT);
          g_print ("    %s\n", escaped);
        }
    }
}

static gboolean
parse (GOptionContext   *context,
       int              *argc,
       char           ***argv,
       int               min_args,
       int               max_args)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return FALSE;
    }

  /* (*argv)[0] is the command itself. */
  if (*argc - 1 < min_args || *argc - 1 > max_args)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return FALSE;
    }

  return TRUE;
}

static int
command_list (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context, _("List stored conversations, most recent first."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse (context, &argc, &argv, 0, 0))
    return 2;

  if ((store = confab_store_open_default (&error)) == NULL ||
      (list = confab_store_list (store, &error)) == NULL)
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 1;
    }

  print_summaries (list, json, FALSE);
  return 0;
}

static int
command_search (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("TEXT"));
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GListModel) hits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context, _("Search the text and titles of stored conversations."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse (context, &argc, &argv, 1, G_MAXINT))
    return 2;

  text = g_strjoinv (" ", argv + 1);

  if ((store = confab_store_open_default (&error)) == NULL ||
      (hits = confab_store_search (store, text, &error)) == NULL)
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 1;
    }

  print_summaries (hits, json, TRUE);
  return 0;
}

/* A turn as a go-vcr cassette; the provider the conversation used (when it is still
 * configured) says which of its headers to name, with their values removed. */
static char *
export_cassette (ConfabConversation  *conversation,
                 int                  turn,
                 gboolean             yaml,
                 GError             **error)
{
  g_autoptr(ConfabContext) context = confab_context_new ();
  g_autoptr(ConfabCassetteWriter) writer = NULL;

  writer = confab_cassette_writer_new (conversation,
                                       confab_cassette_find_provider (conversation, confab_context_get_providers (context)));
  if (!confab_cassette_writer_add_turn_at (writer, turn > 0 ? turn - 1 : -1, error))
    return NULL;

  return confab_cassette_writer_to_data (writer, yaml ? CONFAB_CASSETTE_FORMAT_YAML : CONFAB_CASSETTE_FORMAT_JSON);
}

static int
command_export (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID"));
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *text = NULL;
  gboolean yaml = FALSE;
  int turn = 0;
  const GOptionEntry entries[] = {
    { "folder", 0, 0, G_OPTION_ARG_FILENAME, &folder,
      N_("Write conversation.md and the attached files into FOLDER"), N_("FOLDER") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("markdown (default), json (lossless, re-importable), openai (the request messages array) or cassette (a turn as a go-vcr recording)"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE instead of standard output"), N_("FILE") },
    { "turn", 0, 0, G_OPTION_ARG_INT, &turn, N_("With --format cassette: the turn to record, from 1 (default: the last)"), N_("N") },
    { "yaml", 0, 0, G_OPTION_ARG_NONE, &yaml, N_("With --format cassette: write go-vcr YAML instead of JSON"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context, _("Export a stored conversation as Markdown or JSON."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse (context, &argc, &argv, 1, 1))
    return 2;

  if (format != NULL && !g_str_equal (format, "markdown") && !g_str_equal (format, "md") &&
      !g_str_equal (format, "json") && !g_str_equal (format, "openai") && !g_str_equal (format, "cassette"))
    {
      g_printerr ("confab-cli: %s\n", _("--format must be markdown, json, openai or cassette"));
      return 2;
    }

  if (turn < 0)
    {
      g_printerr ("confab-cli: %s\n", _("--turn counts from 1"));
      return 2;
    }

  if ((store = confab_store_open_default (&error)) == NULL ||
      (conversation = confab_store_load (store, argv[1], &error)) == NULL)
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 1;
    }

  if (folder != NULL)
    {
      g_autoptr(GFile) directory = g_file_new_for_commandline_arg (folder);
      g_autoptr(GFile) markdown = confab_export_markdown_to_folder (conversation, directory, NULL, &error);
      g_autofree char *path = NULL;

      if (markdown == NULL)
        {
          g_printerr ("confab-cli: %s\n", error->message);
          return 1;
        }
      path = g_file_get_path (markdown);
      g_print ("%s\n", path);
      return 0;
    }

  if (format != NULL && g_str_equal (format, "cassette"))
    {
      text = export_cassette (conversation, turn, yaml, &error);
      if (text == NULL)
        {
          g_printerr ("confab-cli: %s\n", error->message);
          return 1;
        }
    }
  else if (format != NULL && g_str_equal (format, "json"))
    text = confab_export_json_string (conversation);
  else if (format != NULL && g_str_equal (format, "openai"))
    text = confab_export_openai_string (conversation);
  else
    text = confab_export_markdown (conversation);

  if (output != NULL && !g_str_equal (output, "-"))
    {
      if (!g_file_set_contents (output, text, -1, &error))
        {
          g_printerr ("confab-cli: %s\n", error->message);
          return 1;
        }
    }
  else
    {
      fputs (text, stdout);
      fflush (stdout);
    }

  return 0;
}

static int
command_import (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE"));
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, _("Import conversations: Confab’s JSON export, ChatGPT’s conversations.json, "
                                           "Open WebUI’s chat export or Alpaca’s database (alpaca.db, read only). "
                                           "All or nothing; conversations imported before are skipped."));
  if (!parse (context, &argc, &argv, 1, 1))
    return 2;

  if ((store = confab_store_open_default (&error)) == NULL ||
      (result = confab_import_file (store, argv[1], NULL, &error)) == NULL)
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 1;
    }

  /* TRANSLATORS: "%s" is the app the file came from (ChatGPT, Open WebUI, Alpaca, Confab). */
  g_print (_("%s export: %u imported, %u already there\n"),
           confab_import_format_to_string (result->format), result->n_imported, result->n_skipped);
  if (result->n_other_branches > 0)
    g_print (ngettext ("%u conversation has branches; all of them were kept\n",
                       "%u conversations have branches; all of them were kept\n",
                       result->n_other_branches),
             result->n_other_branches);

  return 0;
}

static int
command_delete (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID"));
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, _("Delete a stored conversation."));
  if (!parse (context, &argc, &argv, 1, 1))
    return 2;

  if ((store = confab_store_open_default (&error)) == NULL)
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 1;
    }

  if (!confab_store_contains (store, argv[1]))
    {
      g_printerr ("confab-cli: %s “%s”\n", _("There is no stored conversation"), argv[1]);
      return 1;
    }

  if (!confab_store_delete (store, argv[1], &error))
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return 1;
    }

  return 0;
}

int
confab_cli_store_command (int    argc,
                          char **argv)
{
  g_return_val_if_fail (argc > 0, 2);

  if (g_str_equal (argv[0], "list"))
    return command_list (argc, argv);
  if (g_str_equal (argv[0], "search"))
    return command_search (argc, argv);
  if (g_str_equal (argv[0], "export"))
    return command_export (argc, argv);
  if (g_str_equal (argv[0], "import"))
    return command_import (argc, argv);
  if (g_str_equal (argv[0], "delete"))
    return command_delete (argc, argv);
  if (g_str_equal (argv[0], "usage"))
    return confab_cli_usage_command (argc, argv);

  g_printerr ("confab-cli: unknown command %s\n", argv[0]);
  return 2;
}
