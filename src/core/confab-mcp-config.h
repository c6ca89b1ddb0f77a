/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_CONFIG (confab_mcp_config_get_type ())
#define CONFAB_TYPE_MCP_SERVER_CONFIG (confab_mcp_server_config_get_type ())

/* One server entry of mcp.json, typed. A local server has @command (and @args, @env); a
 * remote one (Streamable HTTP) has @url (and @headers). Numbers in "args" become their text
 * ("8080"). Header values keep ${NAME} as written; a header whose value lives in the keyring
 * ({"secret": true} in the file) is named in @secret_headers and has no value here. */
typedef struct
{
  char      *name;
  gboolean   disabled;
  char      *command;
  char     **args;
  /* "NAME=value" */
  char     **env;
  char      *url;
  /* "Name: value" */
  char     **headers;
  char     **secret_headers;
  /* Seconds a tool call may take; 0: CONFAB_MCP_DEFAULT_CALL_TIMEOUT. */
  guint      timeout;
  /* A remote server's pre-registered OAuth client ("oauth": {"clientId"}), NULL for none;
   * its secret, if it has one, is in the keyring ({"secret": true} in the file). */
  char      *oauth_client_id;
  gboolean   oauth_client_secret;
} ConfabMcpServerConfig;

GType                  confab_mcp_server_config_get_type  (void) G_GNUC_CONST;
/* An empty local entry named @name. (transfer full) */
ConfabMcpServerConfig *confab_mcp_server_config_new       (const char                  *name);
ConfabMcpServerConfig *confab_mcp_server_config_copy      (const ConfabMcpServerConfig *config);
void                   confab_mcp_server_config_free      (ConfabMcpServerConfig       *config);
/* TRUE for a remote (Streamable HTTP) server. */
gboolean               confab_mcp_server_config_is_remote (const ConfabMcpServerConfig *config);
/* The command and its arguments as one would type them (only what needs it is quoted),
 * or the URL of a remote server. (transfer full) */
char                  *confab_mcp_server_config_dup_command_line (const ConfabMcpServerConfig *config);
/* The environment as NAME=value words, quoted where needed. (transfer full) */
char                  *confab_mcp_server_config_dup_env_line (const ConfabMcpServerConfig *config);

/* Whether @headers ("Name: value") can go into an HTTP request; the error names @server. */
gboolean               confab_mcp_check_headers           (const char                  *server,
                                                           const char * const          *headers,
                                                           GError                     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabMcpServerConfig, confab_mcp_server_config_free)

G_DECLARE_FINAL_TYPE (ConfabMcpConfig, confab_mcp_config, CONFAB, MCP_CONFIG, GObject)

/* The one reader and writer of mcp.json:
 *   {"mcpServers": {"NAME": {"command", "args", "env", "disabled", "timeout"}}}
 *   {"mcpServers": {"NAME": {"type": "http", "url", "headers": {"Name": "value" |
 *                                                          {"secret": true}}, "timeout",
 *                          "oauth": {"clientId", "clientSecret": {"secret": true}}}}}
 * Members Confab does not know survive a save, in the file and in each entry. The tool
 * registry builds its servers with confab_mcp_config_create_server(), and so does
 * Preferences' Check: both run exactly what the file says. */
ConfabMcpConfig       *confab_mcp_config_new              (const char          *path);
/* $XDG_CONFIG_HOME/confab/mcp.json (transfer full) */
char                  *confab_mcp_config_get_default_path (void);
const char            *confab_mcp_config_get_path         (ConfabMcpConfig     *self);
/* Reads the file; a missing file is an empty configuration. On error (not JSON, not the
 * shape above) nothing is kept and a save is refused, so the file is never overwritten. */
gboolean               confab_mcp_config_load             (ConfabMcpConfig     *self,
                                                           GError             **error);
/* Writes the file (mode 0600: an environment can hold tokens). */
gboolean               confab_mcp_config_save             (ConfabMcpConfig     *self,
                                                           GError             **error);
/* The server names in file order. (transfer full) */
GStrv                  confab_mcp_config_dup_names        (ConfabMcpConfig     *self);
gboolean               confab_mcp_config_has_server       (ConfabMcpConfig     *self,
                                                           const char          *name);
/* The entry @name, typed; an error names the file, the server and what is wrong.
 * (transfer full) */
ConfabMcpServerConfig *confab_mcp_config_get_server       (ConfabMcpConfig     *self,
                                                           const char          *name,
                                                           GError             **error);
/* Writes @config under @config->name, replacing the entry @old_name (NULL: a new entry at
 * the end) in its place; members of the old entry Confab does not know are kept. Fails
 * when another server already has the name. Call confab_mcp_config_save() after. */
gboolean               confab_mcp_config_set_server       (ConfabMcpConfig             *self,
                                                           const char                  *old_name,
                                                           const ConfabMcpServerConfig *config,
                                                           GError                     **error);
void                   confab_mcp_config_remove_server    (ConfabMcpConfig     *self,
                                                           const char          *name);
/* The server @config describes, not started: command, arguments, environment, timeout, or
 * URL and headers (${NAME} taken from the environment now, secret headers from the keyring
 * when it connects). Errors name the file. (transfer full) */
ConfabMcpServer       *confab_mcp_config_create_server    (ConfabMcpConfig             *self,
                                                           const ConfabMcpServerConfig *config,
                                                           GError                     **error);

G_END_DECLS
