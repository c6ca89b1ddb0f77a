/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-cli-mcp-input.h"
#include "confab-error.h"
#include "confab-mcp-server.h"

/* --resource and --prompt of a chat run: the core reads the resources and gets the prompt,
 * and the message is made of them as the app's composer makes it (confab-mcp-attach.c,
 * confab-mcp-prompts.c), through the same core functions. */

typedef struct
{
  char *server;
  char *name;      /* a resource's URI or a prompt's name */
} Item;

struct _ConfabCliMcpInput
{
  GArray     *resources;   /* Item */
  Item        prompt;      /* .server NULL: none */
  JsonObject *arguments;   /* the prompt's --arg NAME=VALUE */
};

static void
item_clear (Item *item)
{
  g_clear_pointer (&item->server, g_free);
  g_clear_pointer (&item->name, g_free);
}

void
confab_cli_mcp_input_free (ConfabCliMcpInput *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->resources);
  item_clear (&self->prompt);
  json_object_unref (self->arguments);
  g_free (self);
}

gboolean
confab_cli_mcp_input_is_empty (ConfabCliMcpInput *self)
{
  return self == NULL || (self->resources->len == 0 && self->prompt.server == NULL);
}

static gboolean
wrong_shape_cb (const char  *option_name,
                const char  *value,
                gpointer     data,
                GError     **error)
{
  /* Only "--resource=…" and the like get here: the words were not taken apart. */
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
               g_str_equal (option_name, "--arg") ? _("--arg takes NAME=VALUE after --prompt SERVER NAME")
               : g_str_equal (option_name, "--prompt") ? _("--prompt takes two words: --prompt SERVER NAME")
               : _("--resource takes two words: --resource SERVER URI"));
  return FALSE;
}

GOptionGroup *
confab_cli_mcp_input_get_option_group (void)
{
  static const GOptionEntry entries[] = {
    { "resource", 0, 0, G_OPTION_ARG_CALLBACK, wrong_shape_cb,
      N_("Send the text of the resource URI of the tool server SERVER with the prompt (repeatable)"),
      N_("SERVER URI") },
    { "prompt", 0, 0, G_OPTION_ARG_CALLBACK, wrong_shape_cb,
      N_("Start the message with the prompt NAME of the tool server SERVER (PROMPT may then be left out)"),
      N_("SERVER NAME") },
    { "arg", 0, 0, G_OPTION_ARG_CALLBACK, wrong_shape_cb,
      N_("Give the prompt’s argument NAME (repeatable)"), N_("NAME=VALUE") },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("mcp", _("Resources and prompts of tool servers:"),
                                            _("Show the options for resources and prompts of tool servers"),
                                            NULL, NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  return group;
}

ConfabCliMcpInput *
confab_cli_mcp_input_take_options (int     *argc,
                                   char   **argv,
                                   GError **error)
{
  g_autoptr(ConfabCliMcpInput) self = g_new0 (ConfabCliMcpInput, 1);
  int kept = 1;
  int i;

  self->resources = g_array_new (FALSE, TRUE, sizeof (Item));
  g_array_set_clear_func (self->resources, (GDestroyNotify) item_clear);
  self->arguments = json_object_new ();

  for (i = 1; i < *argc; i++)
    {
      const char *word = argv[i];

      if (g_str_equal (word, "--"))
        break;

      if (g_str_equal (word, "--resource") || g_str_equal (word, "--prompt"))
        {
          gboolean resource = g_str_equal (word, "--resource");
          Item item = { 0 };

          if (i + 2 >= *argc || g_str_equal (argv[i + 1], "--") || g_str_equal (argv[i + 2], "--"))
            {
              g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                                   resource ? _("--resource takes two words: --resource SERVER URI")
                                            : _("--prompt takes two words: --prompt SERVER NAME"));
              return NULL;
            }
          if (!resource && self->prompt.server != NULL)
            {
              g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                                   _("Only one --prompt can start a message"));
              return NULL;
            }

          item.server = g_strdup (argv[i + 1]);
          item.name = g_strdup (argv[i + 2]);
          if (resource)
            g_array_append_val (self->resources, item);
          else
            self->prompt = item;
          i += 2;
        }
      else if (g_str_equal (word, "--arg"))
        {
          const char *value = i + 1 < *argc ? argv[i + 1] : NULL;
          const char *equals = value ? strchr (value, '=') : NULL;
          g_autofree char *name = NULL;

          if (self->prompt.server == NULL || equals == NULL || equals == value)
            {
              g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                                   _("--arg takes NAME=VALUE after --prompt SERVER NAME"));
              return NULL;
            }

          name = g_strndup (value, equals - value);
          json_object_set_string_member (self->arguments, name, equals + 1);
          i += 1;
        }
      else
        argv[kept++] = argv[i];
    }

  for (; i < *argc; i++)
    argv[kept++] = argv[i];
  argv[kept] = NULL;
  *argc = kept;

  return g_steal_pointer (&self);
}

typedef struct
{
  GListModel *servers;
  char       *prompt;
  char       *prompt_text;   /* from --prompt */
  GPtrArray  *blocks;        /* from each --resource, in order */
  GListStore *attachments;   /* where a resource's pictures go */
  guint       next;          /* the next resource to read */
} Prepare;

static void
prepare_free (Prepare *prepare)
{
  g_object_unref (prepare->servers);
  g_free (prepare->prompt);
  g_free (prepare->prompt_text);
  g_ptr_array_unref (prepare->blocks);
  g_object_unref (prepare->attachments);
  g_free (prepare);
}

/* The running server @name of the run, else NULL and an error that says why. */
static ConfabMcpServer *
find_server (GListModel  *servers,
             const char  *name,
             GError     **error)
{
  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(ConfabMcpServer) server = g_list_model_get_item (servers, i);

      if (g_strcmp0 (confab_mcp_server_get_name (server), name) != 0)
        continue;

      if (confab_mcp_server_get_state (server) != CONFAB_MCP_SERVER_STATE_READY)
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG, _("The tool server “%s” is not running: %s"),
                       name, confab_mcp_server_get_error (server) ? confab_mcp_server_get_error (server)
                                                                   : _("it did not start"));
          return NULL;
        }

      return server;
    }

  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
               _("No tool server is named “%s” (see confab-cli mcp servers)"), name);
  return NULL;
}

static void read_next (GTask *task);

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabCliMcpInput *self = g_object_get_data (G_OBJECT (task), "input");
  Prepare *prepare = g_task_get_task_data (task);
  Item *item = &g_array_index (self->resources, Item, prepare->next);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) images = NULL;
  ConfabAttachmentLimits limits;
  GError *error = NULL;

  confab_attachment_limits_init (&limits);
  node = confab_mcp_server_read_resource_finish (CONFAB_MCP_SERVER (object), result, &error);
  /* Its pictures go as image content, as the files of --attach. */
  if (node != NULL && (images = confab_mcp_resource_result_to_images (node, &limits, &error)) != NULL)
    {
      g_list_store_splice (prepare->attachments, g_list_model_get_n_items (G_LIST_MODEL (prepare->attachments)),
                           0, images->pdata, images->len);
      if (!confab_attachments_check_message_size (G_LIST_MODEL (prepare->attachments), &limits, &error))
        g_clear_pointer (&node, json_node_unref);
    }
  else
    g_clear_pointer (&node, json_node_unref);
  if (node == NULL)
    {
      /* The server's error names the server. */
      g_prefix_error (&error, _("Could not read %s: "), item->name);
      g_task_return_error (task, error);
      return;
    }

  g_ptr_array_add (prepare->blocks, confab_mcp_resource_block (item->name, item->server, node));
  prepare->next++;
  read_next (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  ConfabCliMcpInput *self = g_object_get_data (G_OBJECT (task), "input");
  Prepare *prepare = g_task_get_task_data (task);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  ConfabMcpServer *server;
  GError *error = NULL;

  if (prepare->next < self->resources->len)
    {
      Item *item = &g_array_index (self->resources, Item, prepare->next);

      if ((server = find_server (prepare->servers, item->server, &error)) == NULL)
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      confab_mcp_server_read_resource_async (server, item->name, g_task_get_cancellable (task),
                                             on_read, task);
      return;
    }

  /* As in the composer: the prompt's text replaces the "/" command, what the user types
   * follows, attached resources come last. */
  if (prepare->prompt_text != NULL && *prepare->prompt_text != '\0')
    g_ptr_array_add (parts, prepare->prompt_text);
  if (prepare->prompt != NULL && *prepare->prompt != '\0')
    g_ptr_array_add (parts, prepare->prompt);
  for (guint i = 0; i < prepare->blocks->len; i++)
    g_ptr_array_add (parts, prepare->blocks->pdata[i]);
  g_ptr_array_add (parts, NULL);

  g_task_return_pointer (task, g_strjoinv ("\n\n", (char **) parts->pdata), g_free);
  g_object_unref (task);
}

static void
on_prompt (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  ConfabCliMcpInput *self = g_object_get_data (G_OBJECT (task), "input");
  Prepare *prepare = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = confab_mcp_server_get_prompt_finish (CONFAB_MCP_SERVER (object), result, &error);
  if (node == NULL)
    {
      g_prefix_error (&error, _("Could not get the prompt “%s”: "), self->prompt.name);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  prepare->prompt_text = confab_mcp_prompt_result_to_text (node);
  read_next (task);
}

void
confab_cli_mcp_input_prepare_async (ConfabCliMcpInput   *self,
                                    GListModel          *servers,
                                    const char          *prompt,
                                    GListStore          *attachments,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Prepare *prepare = g_new0 (Prepare, 1);
  ConfabMcpServer *server;
  GError *error = NULL;

  /* Not a GObject: the task's source object is only carried along. */
  g_task_set_source_tag (task, confab_cli_mcp_input_prepare_async);
  g_object_set_data (G_OBJECT (task), "input", self);
  prepare->servers = g_object_ref (servers);
  prepare->prompt = g_strdup (prompt);
  prepare->blocks = g_ptr_array_new_with_free_func (g_free);
  prepare->attachments = g_object_ref (attachments);
  g_task_set_task_data (task, prepare, (GDestroyNotify) prepare_free);

  if (self->prompt.server == NULL)
    {
      read_next (task);
      return;
    }

  if ((server = find_server (servers, self->prompt.server, &error)) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  {
    g_autoptr(JsonNode) arguments = json_node_init_object (json_node_alloc (), self->arguments);

    confab_mcp_server_get_prompt_async (server, self->prompt.name, arguments, cancellable, on_prompt, task);
  }
}

char *
confab_cli_mcp_input_prepare_finish (ConfabCliMcpInput  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
