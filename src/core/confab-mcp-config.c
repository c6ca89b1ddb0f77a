/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-mcp-config"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-error.h"
#include "confab-json-private.h"
#include "confab-mcp-config.h"
#include "confab-mcp-config-private.h"
#include "confab-mcp-server.h"
#include "confab-mcp-server-private.h"

struct _ConfabMcpConfig
{
  GObject     parent_instance;

  char       *path;
  /* The whole file, so members Confab does not know survive a save; NULL after a failed
   * load (then saving is refused). */
  JsonObject *root;
};

G_DEFINE_FINAL_TYPE (ConfabMcpConfig, confab_mcp_config, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (ConfabMcpServerConfig, confab_mcp_server_config,
                     confab_mcp_server_config_copy, confab_mcp_server_config_free)

/* Entries ------------------------------------------------------------------------------- */

ConfabMcpServerConfig *
confab_mcp_server_config_new (const char *name)
{
  ConfabMcpServerConfig *config = g_new0 (ConfabMcpServerConfig, 1);

  config->name = g_strdup (name ? name : "");
  config->command = g_strdup ("");
  config->args = g_new0 (char *, 1);
  config->env = g_new0 (char *, 1);
  config->headers = g_new0 (char *, 1);
  config->secret_headers = g_new0 (char *, 1);

  return config;
}

ConfabMcpServerConfig *
confab_mcp_server_config_copy (const ConfabMcpServerConfig *config)
{
  ConfabMcpServerConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (ConfabMcpServerConfig, 1);
  copy->name = g_strdup (config->name);
  copy->disabled = config->disabled;
  copy->command = g_strdup (config->command);
  copy->args = g_strdupv (config->args);
  copy->env = g_strdupv (config->env);
  copy->url = g_strdup (config->url);
  copy->headers = g_strdupv (config->headers);
  copy->secret_headers = g_strdupv (config->secret_headers);
  copy->timeout = config->timeout;
  copy->oauth_client_id = g_strdup (config->oauth_client_id);
  copy->oauth_client_secret = config->oauth_client_secret;

  return copy;
}

void
confab_mcp_server_config_free (ConfabMcpServerConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->name);
  g_free (config->command);
  g_strfreev (config->args);
  g_strfreev (config->env);
  g_free (config->url);
  g_strfreev (config->headers);
  g_strfreev (config->secret_headers);
  g_free (config->oauth_client_id);
  g_free (config);
}

gboolean
confab_mcp_server_config_is_remote (const ConfabMcpServerConfig *config)
{
  g_return_val_if_fail (config != NULL, FALSE);

  return config->url != NULL;
}

#define NEEDS_QUOTES " \t\n'\"\\$`*?[]{}();&|<>~#"

static void
append_word (GString    *line,
             const char *word)
{
  g_autofree char *quoted = NULL;

  if (line->len > 0)
    g_string_append_c (line, ' ');
  if (strpbrk (word, NEEDS_QUOTES) != NULL || *word == '\0')
    quoted = g_shell_quote (word);
  g_string_append (line, quoted ? quoted : word);
}

char *
confab_mcp_server_config_dup_command_line (const ConfabMcpServerConfig *config)
{
  g_autoptr(GString) line = g_string_new (NULL);

  g_return_val_if_fail (config != NULL, NULL);

  if (config->url != NULL)
    return g_strdup (config->url);

  /* As one would type it: only what needs quoting is quoted, the command too. */
  if (config->command != NULL && *config->command != '\0')
    append_word (line, config->command);
  for (guint i = 0; config->args != NULL && config->args[i] != NULL; i++)
    append_word (line, config->args[i]);

  return g_string_free (g_steal_pointer (&line), FALSE);
}

char *
confab_mcp_server_config_dup_env_line (const ConfabMcpServerConfig *config)
{
  g_autoptr(GString) line = g_string_new (NULL);

  g_return_val_if_fail (config != NULL, NULL);

  for (guint i = 0; config->env != NULL && config->env[i] != NULL; i++)
    {
      g_autofree char *quoted = NULL;

      if (line->len > 0)
        g_string_append_c (line, ' ');
      if (strpbrk (config->env[i], " \t\n'\"\\$`") != NULL)
        quoted = g_shell_quote (config->env[i]);
      g_string_append (line, quoted ? quoted : config->env[i]);
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

gboolean
confab_mcp_check_headers (const char          *server,
                          const char * const  *headers,
                          GError             **error)
{
  return _confab_mcp_http_check_headers (server, headers, error);
}

/* GObject ------------------------------------------------------------------------------- */

static void
confab_mcp_config_finalize (GObject *object)
{
  ConfabMcpConfig *self = (ConfabMcpConfig *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->root, json_object_unref);

  G_OBJECT_CLASS (confab_mcp_config_parent_class)->finalize (object);
}

static void
confab_mcp_config_class_init (ConfabMcpConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_mcp_config_finalize;
}

static void
confab_mcp_config_init (ConfabMcpConfig *self)
{
  self->root = json_object_new ();
}

ConfabMcpConfig *
confab_mcp_config_new (const char *path)
{
  ConfabMcpConfig *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_MCP_CONFIG, NULL);
  self->path = g_strdup (path);

  return self;
}

char *
confab_mcp_config_get_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "confab", "mcp.json", NULL);
}

const char *
confab_mcp_config_get_path (ConfabMcpConfig *self)
{
  g_return_val_if_fail (CONFAB_IS_MCP_CONFIG (self), NULL);

  return self->path;
}

/* The "mcpServers" object, made when @create and missing; NULL when it is not an object. */
static JsonObject *
servers_object (ConfabMcpConfig *self,
                gboolean         create)
{
  JsonNode *node;

  if (self->root == NULL)
    return NULL;

  node = json_object_get_member (self->root, "mcpServers");
  if (node == NULL && create)
    {
      json_object_set_object_member (self->root, "mcpServers", json_object_new ());
      node = json_object_get_member (self->root, "mcpServers");
    }

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

gboolean
confab_mcp_config_load (ConfabMcpConfig  *self,
                        GError          **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (CONFAB_IS_MCP_CONFIG (self), FALSE);

  g_clear_pointer (&self->root, json_object_unref);

  if (!g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      self->root = json_object_new ();
      return TRUE;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, self->path, &local_error))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("Could not read the MCP configuration %s: %s"), self->path, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("The MCP configuration %s is not a JSON object"), self->path);
      return FALSE;
    }

  if (json_object_has_member (json_node_get_object (root), "mcpServers") &&
      _confab_json_get_object (json_node_get_object (root), "mcpServers") == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, “mcpServers” is not an object"), self->path);
      return FALSE;
    }

  self->root = json_object_ref (json_node_get_object (root));
  return TRUE;
}

gboolean
confab_mcp_config_save (ConfabMcpConfig  *self,
                        GError          **error)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;

  g_return_val_if_fail (CONFAB_IS_MCP_CONFIG (self), FALSE);

  if (self->root == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("%s could not be read, so it was not overwritten"), self->path);
      return FALSE;
    }

  generator = json_generator_new ();
  root = json_node_init_object (json_node_alloc (), self->root);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  contents = json_generator_to_data (generator, NULL);

  dir = g_path_get_dirname (self->path);
  g_mkdir_with_parents (dir, 0700);

  /* The environment of a server can hold tokens: keep the file private. */
  return g_file_set_contents_full (self->path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

GStrv
confab_mcp_config_dup_names (ConfabMcpConfig *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonObject *servers;

  g_return_val_if_fail (CONFAB_IS_MCP_CONFIG (self), NULL);

  /* json-glib keeps members in file order. */
  if ((servers = servers_object (self, FALSE)) != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (servers);

      for (const GList *l = names; l != NULL; l = l->next)
        g_strv_builder_add (builder, l->data);
    }

  return g_strv_builder_end (builder);
}

gboolean
confab_mcp_config_has_server (ConfabMcpConfig *self,
                              const char      *name)
{
  JsonObject *servers;

  g_return_val_if_fail (CONFAB_IS_MCP_CONFIG (self), FALSE);

  servers = servers_object (self, FALSE);
  return servers != NULL && name != NULL && json_object_has_member (servers, name);
}

/* Reading an entry -------------------------------------------------------------------- */

/* "args": strings, and numbers as their text ("--port", 8080 is common). */
static gboolean
read_args (JsonNode      *node,
           GStrvBuilder  *builder)
{
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element))
        return FALSE;

      if (json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
      else
        {
          g_autoptr(JsonGenerator) generator = json_generator_new ();
          g_autofree char *text = NULL;

          json_generator_set_root (generator, element);
          text = json_generator_to_data (generator, NULL);
          g_strv_builder_add (builder, text);
        }
    }

  return TRUE;
}

static gboolean
read_timeout (JsonObject  *entry,
              const char  *name,
              const char  *path,
              guint       *seconds,
              GError     **error)
{
  JsonNode *timeout = _confab_json_member (entry, "timeout");

  if (timeout != NULL &&
      (!JSON_NODE_HOLDS_VALUE (timeout) ||
       (json_node_get_value_type (timeout) != G_TYPE_INT64 &&
        json_node_get_value_type (timeout) != G_TYPE_DOUBLE) ||
       !(json_node_get_double (timeout) > 0) ||
       json_node_get_double (timeout) > 24 * 60 * 60))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, the “timeout” of server “%s” is not a number of seconds"),
                   path, name);
      return FALSE;
    }

  *seconds = timeout ? (guint)MAX (1, json_node_get_double (timeout)) : 0;
  return TRUE;
}

static gboolean
read_env (JsonObject    *entry,
          const char    *name,
          const char    *path,
          GStrvBuilder  *builder,
          GError       **error)
{
  g_autoptr(GList) keys = NULL;
  JsonObject *env;

  if (!json_object_has_member (entry, "env"))
    return TRUE;

  env = _confab_json_get_object (entry, "env");
  if (env == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, the “env” of server “%s” is not an object"),
                   path, name);
      return FALSE;
    }

  keys = json_object_get_members (env);
  for (const GList *k = keys; k != NULL; k = k->next)
    {
      JsonNode *value = json_object_get_member (env, k->data);
      g_autofree char *pair = NULL;

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                       _("In the MCP configuration %s, “env.%s” of server “%s” is not a string"),
                       path, (const char *)k->data, name);
          return FALSE;
        }

      pair = g_strdup_printf ("%s=%s", (const char *)k->data, json_node_get_string (value));
      g_strv_builder_add (builder, pair);
    }

  return TRUE;
}

/* "headers": {"Name": "value", "Other": {"secret": true}} */
static gboolean
read_headers (JsonObject             *entry,
              ConfabMcpServerConfig  *config,
              const char             *path,
              GError                **error)
{
  g_autoptr(GStrvBuilder) plain = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) secret = g_strv_builder_new ();
  g_autoptr(GList) keys = NULL;
  JsonObject *object;

  if (json_object_has_member (entry, "headers"))
    {
      object = _confab_json_get_object (entry, "headers");
      if (object == NULL)
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                       _("In the MCP configuration %s, the “headers” of server “%s” are not an object"),
                       path, config->name);
          return FALSE;
        }

      keys = json_object_get_members (object);
      for (const GList *k = keys; k != NULL; k = k->next)
        {
          JsonNode *value = json_object_get_member (object, k->data);

          if (JSON_NODE_HOLDS_OBJECT (value) &&
              _confab_json_get_boolean (json_node_get_object (value), "secret", FALSE))
            {
              g_strv_builder_add (secret, k->data);
              continue;
            }

          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
            {
              g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                           _("In the MCP configuration %s, header “%s” of server “%s” is not a string"),
                           path, (const char *)k->data, config->name);
              return FALSE;
            }

          {
            g_autofree char *line = g_strdup_printf ("%s: %s", (const char *)k->data,
                                                     json_node_get_string (value));
            g_strv_builder_add (plain, line);
          }
        }
    }

  g_strfreev (config->headers);
  config->headers = g_strv_builder_end (plain);
  g_strfreev (config->secret_headers);
  config->secret_headers = g_strv_builder_end (secret);

  return TRUE;
}

ConfabMcpServerConfig *
confab_mcp_config_get_server (ConfabMcpConfig  *self,
                              const char       *name,
                              GError          **error)
{
  g_autoptr(ConfabMcpServerConfig) config = NULL;
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) env = g_strv_builder_new ();
  JsonObject *servers;
  JsonNode *node;
  JsonObject *entry;
  const char *command;

  g_return_val_if_fail (CONFAB_IS_MCP_CONFIG (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  servers = servers_object (self, FALSE);
  node = servers ? json_object_get_member (servers, name) : NULL;
  if (node == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("The MCP configuration %s has no server “%s”"), self->path, name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, server “%s” is not an object"), self->path, name);
      return NULL;
    }

  entry = json_node_get_object (node);
  config = confab_mcp_server_config_new (name);
  config->disabled = _confab_json_get_boolean (entry, "disabled", FALSE);

  if (!read_timeout (entry, name, self->path, &config->timeout, error))
    return NULL;

  command = _confab_json_get_string (entry, "command", NULL);
  if ((command == NULL || *command == '\0') && json_object_has_member (entry, "url"))
    {
      const char *type = _confab_json_get_string (entry, "type", NULL);
      const char *url = _confab_json_get_string (entry, "url", NULL);

      /* "sse" is the HTTP+SSE transport of 2024-11-05, which Streamable HTTP replaced. */
      if (type != NULL && g_strcmp0 (type, "http") != 0 && g_strcmp0 (type, "streamable-http") != 0 &&
          g_strcmp0 (type, "streamableHttp") != 0)
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                       _("In the MCP configuration %s, server “%s” has “type”: “%s”; Confab speaks “http” (Streamable HTTP)"),
                       self->path, name, type);
          return NULL;
        }

      if (url == NULL || *url == '\0')
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                       _("In the MCP configuration %s, the “url” of server “%s” is not a string"),
                       self->path, name);
          return NULL;
        }

      g_clear_pointer (&config->command, g_free);
      config->url = g_strdup (url);
      if (!read_headers (entry, config, self->path, error) ||
          !_confab_mcp_config_read_oauth (entry, config, self->path, error))
        return NULL;

      return g_steal_pointer (&config);
    }

  g_free (config->command);
  config->command = g_strdup (command ? command : "");

  if (!read_args (json_object_get_member (entry, "args"), args))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("In the MCP configuration %s, the “args” of server “%s” are not a list of strings"),
                   self->path, name);
      return NULL;
    }
  g_strfreev (config->args);
  config->args = g_strv_builder_end (args);

  if (!read_env (entry, name, self->path, env, error))
    return NULL;
  g_strfreev (config->env);
  config->env = g_strv_builder_end (env);

  return g_steal_pointer (&config);
}

/* Writing an entry -------------------------------------------------------------------- */

static void
remove_member (JsonObject *object,
               const char *name)
{
  if (json_object_has_member (object, name))
    json_object_remove_member (object, name);
}

/* @config written over @entry (a copy of the old one, or a new object). */
static void
write_entry (JsonObject                  *entry,
             const ConfabMcpServerConfig *config)
{
  if (config->disabled)
    json_object_set_boolean_member (entry, "disabled", TRUE);
  else
    remove_member (entry, "disabled");

  if (config->timeout > 0)
    json_object_set_int_member (entry, "timeout", config->timeout);
  else
    remove_member (entry, "timeout");

  if (config->url != NULL)
    {
      JsonObject *headers = json_object_new ();

      remove_member (entry, "command");
      remove_member (entry, "args");
      remove_member (entry, "env");
      json_object_set_string_member (entry, "type", "http");
      json_object_set_string_member (entry, "url", config->url);

      for (guint i = 0; config->headers != NULL && config->headers[i] != NULL; i++)
        {
          const char *colon = strchr (config->headers[i], ':');
          g_autofree char *name = NULL;

          if (colon == NULL)
            continue;
          name = g_strstrip (g_strndup (config->headers[i], colon - config->headers[i]));
          json_object_set_string_member (headers, name, g_strchug ((char *)colon + 1));
        }
      for (guint i = 0; config->secret_headers != NULL && config->secret_headers[i] != NULL; i++)
        {
          JsonObject *secret = json_object_new ();

          json_object_set_boolean_member (secret, "secret", TRUE);
          json_object_set_object_member (headers, config->secret_headers[i], secret);
        }

      if (json_object_get_size (headers) > 0)
        json_object_set_object_member (entry, "headers", headers);
      else
        {
          json_object_unref (headers);
          remove_member (entry, "headers");
        }
      _confab_mcp_config_write_oauth (entry, config);
    }
  else
    {
      JsonArray *args = json_array_new ();
      JsonObject *env = json_object_new ();

      remove_member (entry, "url");
      remove_member (entry, "type");
      remove_member (entry, "headers");
      json_object_set_string_member (entry, "command", config->command ? config->command : "");
      for (guint i = 0; config->args != NULL && config->args[i] != NULL; i++)
        json_array_add_string_element (args, config->args[i]);
      json_object_set_array_member (entry, "args", args);

      for (guint i = 0; config->env != NULL && config->env[i] != NULL; i++)
        {
          const char *equals = strchr (config->env[i], '=');
          g_autofree char *key = NULL;

          if (equals == NULL || equals == config->env[i])
            continue;
          key = g_strndup (config->env[i], equals - config->env[i]);
          json_object_set_string_member (env, key, equals + 1);
        }

      if (json_object_get_size (env) > 0)
        json_object_set_object_member (entry, "env", env);
      else
        {
          json_object_unref (env);
          remove_member (entry, "env");
        }
    }
}

gboolean
confab_mcp_config_set_server (ConfabMcpConfig              *self,
                              const char                   *old_name,
                              const ConfabMcpServerConfig  *config,
                              GError                      **error)
{
  g_autoptr(JsonObject) rebuilt = NULL;
  g_autoptr(GList) names = NULL;
  JsonObject *servers;
  JsonObject *entry;
  JsonNode *old;

  g_return_val_if_fail (CONFAB_IS_MCP_CONFIG (self), FALSE);
  g_return_val_if_fail (config != NULL && config->name != NULL, FALSE);

  servers = servers_object (self, TRUE);
  if (servers == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("%s could not be read, so it was not overwritten"), self->path);
      return FALSE;
    }

  if (*config->name == '\0' ||
      (g_strcmp0 (old_name, config->name) != 0 && json_object_has_member (servers, config->name)))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                   _("Another server already has the name “%s”"), config->name);
      return FALSE;
    }

  old = old_name ? json_object_get_member (servers, old_name) : NULL;
  entry = old != NULL && JSON_NODE_HOLDS_OBJECT (old)
            ? json_object_ref (json_node_get_object (old)) : json_object_new ();
  write_entry (entry, config);

  if (old == NULL || g_str_equal (old_name, config->name))
    {
      json_object_set_object_member (servers, config->name, entry);
      return TRUE;
    }

  /* A rename keeps the server's place in the file. */
  rebuilt = json_object_new ();
  names = json_object_get_members (servers);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      if (g_str_equal (l->data, old_name))
        json_object_set_object_member (rebuilt, config->name, json_object_ref (entry));
      else
        json_object_set_member (rebuilt, l->data,
                                json_node_copy (json_object_get_member (servers, l->data)));
    }
  json_object_unref (entry);
  json_object_set_object_member (self->root, "mcpServers", g_steal_pointer (&rebuilt));

  return TRUE;
}

void
confab_mcp_config_remove_server (ConfabMcpConfig *self,
                                 const char      *name)
{
  JsonObject *servers;

  g_return_if_fail (CONFAB_IS_MCP_CONFIG (self));

  if ((servers = servers_object (self, FALSE)) != NULL && name != NULL)
    remove_member (servers, name);
}

/* Servers ------------------------------------------------------------------------------- */

/* @value with ${NAME} and ${env:NAME} replaced by the environment, so tokens can stay out
 * of mcp.json; NULL with @missing set to the first variable that is not set. */
static char *
expand_environment (const char  *value,
                    char       **missing)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = value;

  while (*p != '\0')
    {
      const char *end;
      g_autofree char *variable = NULL;
      const char *replacement;

      if (p[0] != '$' || p[1] != '{' || (end = strchr (p + 2, '}')) == NULL)
        {
          g_string_append_c (out, *p++);
          continue;
        }

      variable = g_strndup (p + 2, end - (p + 2));
      if (g_str_has_prefix (variable, "env:"))
        memmove (variable, variable + 4, strlen (variable + 4) + 1);

      replacement = g_getenv (variable);
      if (replacement == NULL)
        {
          *missing = g_steal_pointer (&variable);
          return NULL;
        }

      g_string_append (out, replacement);
      p = end + 1;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

ConfabMcpServer *
confab_mcp_config_create_server (ConfabMcpConfig              *self,
                                 const ConfabMcpServerConfig  *config,
                                 GError                      **error)
{
  g_autoptr(ConfabMcpServer) server = NULL;

  g_return_val_if_fail (CONFAB_IS_MCP_CONFIG (self), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (config->url != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) headers = NULL;

      for (guint i = 0; config->headers != NULL && config->headers[i] != NULL; i++)
        {
          g_autofree char *missing = NULL;
          g_autofree char *expanded = expand_environment (config->headers[i], &missing);

          if (expanded == NULL)
            {
              const char *colon = strchr (config->headers[i], ':');
              g_autofree char *header = g_strndup (config->headers[i],
                                                   colon ? colon - config->headers[i] : -1);

              g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                           _("In the MCP configuration %s, header “%s” of server “%s” uses ${%s}, which is not set in the environment"),
                           self->path, header, config->name, missing);
              return NULL;
            }
          g_strv_builder_add (builder, expanded);
        }

      headers = g_strv_builder_end (builder);
      if (!_confab_mcp_http_check_headers (config->name, (const char * const *)headers, error))
        return NULL;

      server = confab_mcp_server_new_for_url (config->name, config->url,
                                              (const char * const *)headers);
      _confab_mcp_server_set_secret_headers (server, (const char * const *)config->secret_headers);
      if (config->oauth_client_id != NULL)
        _confab_mcp_server_set_oauth_client (server, config->oauth_client_id, config->oauth_client_secret);
    }
  else
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;

      if (config->command == NULL || *config->command == '\0')
        {
          g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_CONFIG,
                       _("In the MCP configuration %s, server “%s” has no “command”"),
                       self->path, config->name);
          return NULL;
        }

      g_strv_builder_add (builder, config->command);
      g_strv_builder_addv (builder, (const char **)config->args);
      argv = g_strv_builder_end (builder);
      server = confab_mcp_server_new (config->name, (const char * const *)argv,
                                      (const char * const *)config->env);
    }

  if (config->timeout > 0)
    confab_mcp_server_set_call_timeout (server, config->timeout);

  return g_steal_pointer (&server);
}
