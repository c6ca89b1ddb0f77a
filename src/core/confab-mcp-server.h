/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-attachment.h"
#include "confab-mcp-oauth.h"
#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MCP_SERVER (confab_mcp_server_get_type ())
#define CONFAB_TYPE_MCP_SERVER_STATE (confab_mcp_server_state_get_type ())

/* The newest protocol version Confab speaks; it also accepts the older ones a server may
 * answer with (see confab-mcp-server-protocol.c). */
#define CONFAB_MCP_PROTOCOL_VERSION "2025-11-25"
#define CONFAB_MCP_DEFAULT_CALL_TIMEOUT 60

typedef enum {
  CONFAB_MCP_SERVER_STATE_STOPPED,
  CONFAB_MCP_SERVER_STATE_STARTING,
  CONFAB_MCP_SERVER_STATE_READY,
  CONFAB_MCP_SERVER_STATE_FAILED,
} ConfabMcpServerState;

GType confab_mcp_server_state_get_type (void) G_GNUC_CONST;

/* How much of a server's stderr is kept (the last bytes). */
#define CONFAB_MCP_SERVER_LOG_LIMIT (64 * 1024)
/* The longest JSON-RPC message (one line) a server may send. */
#define CONFAB_MCP_SERVER_MAX_MESSAGE (64u * 1024 * 1024)

G_DECLARE_FINAL_TYPE (ConfabMcpServer, confab_mcp_server, CONFAB, MCP_SERVER, GObject)

/* One MCP server over stdio (newline-delimited JSON-RPC 2.0), started with GSubprocess,
 * or a remote one over Streamable HTTP (confab_mcp_server_new_for_url()).
 * Properties (all notify): name, argv, env ("NAME=VALUE" set over the environment), state,
 * error (string), tools (GListModel of ConfabTool), log (stderr text plus MCP log
 * notifications), call-timeout, protocol-version. Signal ::tools-changed after a (re-)list
 * (notifications/tools/list_changed) and when stopping empties the tools. Signal
 * ::elicit (ConfabMcpElicitation *) → gboolean when the server asks the user something
 * (elicitation/create): a handler returning TRUE answers it; unanswered, it is declined.
 * Signal ::elicitation-started (ConfabMcpElicitation *) comes first, to every listener.
 * Signal ::resource-updated (const char *uri) when a subscribed resource changed.
 * A server that fails (cannot start, exits, writes garbage) goes to state failed with an
 * error naming it and its command; its pending calls fail with that error. */
ConfabMcpServer      *confab_mcp_server_new               (const char          *name,
                                                           const char * const  *argv,
                                                           const char * const  *env);
const char           *confab_mcp_server_get_name          (ConfabMcpServer     *self);
const char * const   *confab_mcp_server_get_argv          (ConfabMcpServer     *self);
/* The command line for messages ("node server.js --flag"). */
char                 *confab_mcp_server_dup_command_line  (ConfabMcpServer     *self);
ConfabMcpServerState  confab_mcp_server_get_state         (ConfabMcpServer     *self);
/* Why the server failed, naming it and its command; NULL when it did not. */
const char           *confab_mcp_server_get_error         (ConfabMcpServer     *self);
/* What the server wrote on stderr (the last CONFAB_MCP_SERVER_LOG_LIMIT bytes). */
const char           *confab_mcp_server_get_log           (ConfabMcpServer     *self);
/* The protocol version the server answered to initialize, NULL before. */
const char           *confab_mcp_server_get_protocol_version (ConfabMcpServer  *self);
/* serverInfo.name and .version from initialize, NULL before or when absent. */
const char           *confab_mcp_server_get_server_info_name    (ConfabMcpServer *self);
const char           *confab_mcp_server_get_server_info_version (ConfabMcpServer *self);
/* (transfer none) */
GListModel           *confab_mcp_server_get_tools         (ConfabMcpServer     *self);
guint                 confab_mcp_server_get_call_timeout  (ConfabMcpServer     *self);
void                  confab_mcp_server_set_call_timeout  (ConfabMcpServer     *self,
                                                           guint                seconds);
/* Spawns, initializes and lists tools. */
void                  confab_mcp_server_start_async       (ConfabMcpServer     *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean              confab_mcp_server_start_finish      (ConfabMcpServer     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
/* tools/call. Cancelling sends notifications/cancelled. Returns the MCP result object
 * ({"content":[…], "isError":…}). (transfer full) */
void                  confab_mcp_server_call_tool_async   (ConfabMcpServer     *self,
                                                           const char          *name,
                                                           JsonNode            *arguments,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
/* A call's notifications/progress: @total is -1 when the server does not know it; @message
 * may be NULL. */
typedef void (*ConfabMcpProgressFunc) (double      progress,
                                       double      total,
                                       const char *message,
                                       gpointer    user_data);
/* tools/call, with @progress_func called for each progress report while the call runs;
 * @progress_destroy frees @progress_data afterwards. Finish with call_tool_finish(). */
void                  confab_mcp_server_call_tool_with_progress_async (ConfabMcpServer       *self,
                                                                       const char            *name,
                                                                       JsonNode              *arguments,
                                                                       ConfabMcpProgressFunc  progress_func,
                                                                       gpointer               progress_data,
                                                                       GDestroyNotify         progress_destroy,
                                                                       GCancellable          *cancellable,
                                                                       GAsyncReadyCallback    callback,
                                                                       gpointer               user_data);
JsonNode             *confab_mcp_server_call_tool_finish  (ConfabMcpServer     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
/* Closes stdin, terminates the process, fails pending calls; state stopped. */
void                  confab_mcp_server_stop              (ConfabMcpServer     *self);

/* A remote server over Streamable HTTP at @url; @headers are "Name: value" strings sent
 * with every request (e.g. "Authorization: Bearer …"). The command line in messages is
 * the URL. */
ConfabMcpServer      *confab_mcp_server_new_for_url       (const char          *name,
                                                           const char          *url,
                                                           const char * const  *headers);
/* The URL of a remote server, NULL for a command. */
const char           *confab_mcp_server_get_url           (ConfabMcpServer     *self);
const char * const   *confab_mcp_server_get_headers       (ConfabMcpServer     *self);
/* A remote server's OAuth sign-in (confab-mcp-oauth.h), NULL for a command. (transfer none) */
ConfabMcpOAuth       *confab_mcp_server_get_oauth         (ConfabMcpServer     *self);

/* Resources and prompts (confab-mcp-server-resources.c). Lists are JSON arrays of the
 * server's items, all pages (a server that does not offer them lists none); read and get
 * return the result object. (transfer full) */
void                  confab_mcp_server_list_resources_async  (ConfabMcpServer     *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
JsonNode             *confab_mcp_server_list_resources_finish (ConfabMcpServer     *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
void                  confab_mcp_server_read_resource_async   (ConfabMcpServer     *self,
                                                               const char          *uri,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
JsonNode             *confab_mcp_server_read_resource_finish  (ConfabMcpServer     *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
void                  confab_mcp_server_list_prompts_async    (ConfabMcpServer     *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
JsonNode             *confab_mcp_server_list_prompts_finish   (ConfabMcpServer     *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
/* @arguments: an object of strings, or NULL. */
void                  confab_mcp_server_get_prompt_async      (ConfabMcpServer     *self,
                                                               const char          *name,
                                                               JsonNode            *arguments,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
JsonNode             *confab_mcp_server_get_prompt_finish     (ConfabMcpServer     *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
/* resources/templates/list: the resourceTemplates, all pages ({"uriTemplate", "name", …}). */
void                  confab_mcp_server_list_resource_templates_async  (ConfabMcpServer     *self,
                                                                        GCancellable        *cancellable,
                                                                        GAsyncReadyCallback  callback,
                                                                        gpointer             user_data);
JsonNode             *confab_mcp_server_list_resource_templates_finish (ConfabMcpServer     *self,
                                                                        GAsyncResult        *result,
                                                                        GError             **error);
/* resources/subscribe (@subscribe) or resources/unsubscribe for @uri; afterwards the server
 * sends notifications/resources/updated (::resource-updated) when it changes. */
void                  confab_mcp_server_subscribe_resource_async  (ConfabMcpServer     *self,
                                                                   const char          *uri,
                                                                   gboolean             subscribe,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
gboolean              confab_mcp_server_subscribe_resource_finish (ConfabMcpServer     *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
/* The variables of an RFC 6570 URI template ("file:///{path}{?q,lang}" → path, q, lang), in
 * order, each once. (transfer full) */
GStrv                 confab_mcp_uri_template_get_variables   (const char          *uri_template);
/* @uri_template expanded with @values (an object of strings; missing ones are left out),
 * levels 1–3 of RFC 6570: {var} {+var} {#var} {.var} {/var} {;var} {?var} {&var}, lists of
 * variables, and :prefix. (transfer full) */
char                 *confab_mcp_uri_template_expand          (const char          *uri_template,
                                                               JsonObject          *values);
/* The text of a resources/read result (text contents joined; blobs described). */
char                 *confab_mcp_resource_result_to_text      (JsonNode            *result);
/* A resource's text as it goes into a message, in the app's composer and from
 * `confab-cli --resource`: confab_mcp_resource_heading(), a line feed, then
 * confab_mcp_resource_result_to_text(). (transfer full) */
char                 *confab_mcp_resource_block               (const char          *uri,
                                                               const char          *server_name,
                                                               JsonNode            *result);
/* The pictures of a resources/read result (blob contents of an image/ type), prepared as
 * if the user had attached them (@limits, NULL for the defaults), to go to the model as
 * image content beside the text; the text describes them. An error names the picture that
 * cannot be attached. (transfer full) (element-type ConfabAttachment) */
GPtrArray            *confab_mcp_resource_result_to_images    (JsonNode            *result,
                                                               const ConfabAttachmentLimits *limits,
                                                               GError             **error);
/* The line that names a resource and its server above its text in a message:
 * "Resource URI from “server”:". (transfer full) */
char                 *confab_mcp_resource_heading             (const char          *uri,
                                                               const char          *server_name);
/* The text of a prompts/get result (its messages' text joined). */
char                 *confab_mcp_prompt_result_to_text        (JsonNode            *result);

/* The text a tools/call result sends to the model: text items joined with "\n", other items
 * described ("[image: image/png, 1234 bytes]"). @is_error (out, optional) gets isError.
 * (transfer full) */
char                 *confab_mcp_result_to_text           (JsonNode            *result,
                                                           gboolean            *is_error);

G_END_DECLS
