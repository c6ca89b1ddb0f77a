/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "confab-global-shortcut"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-global-shortcut.h"

#define PORTAL_NAME      "org.freedesktop.portal.Desktop"
#define PORTAL_PATH      "/org/freedesktop/portal/desktop"
#define SHORTCUTS_IFACE  "org.freedesktop.portal.GlobalShortcuts"
#define REQUEST_IFACE    "org.freedesktop.portal.Request"
#define QUICK_ASK_ID     "quick-ask"

struct _ConfabGlobalShortcut
{
  GObject          parent_instance;

  GDBusConnection *connection;
  GCancellable    *cancellable;
  char            *session_handle;
  guint            activated_id;
  guint            request_id;      /* the Request::Response we wait for */
  guint            token_serial;
  gboolean         bound;
};

G_DEFINE_FINAL_TYPE (ConfabGlobalShortcut, confab_global_shortcut, G_TYPE_OBJECT)

enum { ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef void (*ResponseFunc) (ConfabGlobalShortcut *self,
                              guint32               response,
                              GVariant             *results);

/* The portal answers on a Request object whose path it derives from our unique name and
 * the token we choose: subscribe to it before calling, so the answer cannot be missed. */
static char *
next_request_path (ConfabGlobalShortcut  *self,
                   char                 **token_out)
{
  g_autofree char *sender = g_strdup (g_dbus_connection_get_unique_name (self->connection) + 1);

  g_strdelimit (sender, ".", '_');
  *token_out = g_strdup_printf ("confab%u", ++self->token_serial);

  return g_strdup_printf (PORTAL_PATH "/request/%s/%s", sender, *token_out);
}

typedef struct
{
  ConfabGlobalShortcut *self;
  ResponseFunc          func;
} Waiting;

static void
on_response (GDBusConnection *connection,
             const char      *sender_name,
             const char      *object_path,
             const char      *interface_name,
             const char      *signal_name,
             GVariant        *parameters,
             gpointer         user_data)
{
  Waiting *waiting = user_data;
  ConfabGlobalShortcut *self = waiting->self;
  ResponseFunc func = waiting->func;
  g_autoptr(GVariant) results = NULL;
  guint32 response;

  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_dbus_connection_signal_unsubscribe (connection, self->request_id);   /* frees waiting */
  self->request_id = 0;
  func (self, response, results);
}

static void
wait_for_response (ConfabGlobalShortcut *self,
                   const char           *request_path,
                   ResponseFunc          func)
{
  Waiting *waiting = g_new0 (Waiting, 1);

  waiting->self = self;
  waiting->func = func;
  if (self->request_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->request_id);
  self->request_id = g_dbus_connection_signal_subscribe (self->connection, PORTAL_NAME, REQUEST_IFACE,
                                                         "Response", request_path, NULL,
                                                         G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_response, waiting, g_free);
}

static void
on_activated (GDBusConnection *connection,
              const char      *sender_name,
              const char      *object_path,
              const char      *interface_name,
              const char      *signal_name,
              GVariant        *parameters,
              gpointer         user_data)
{
  ConfabGlobalShortcut *self = user_data;
  const char *session_handle, *shortcut_id;

  g_variant_get (parameters, "(&o&st@a{sv})", &session_handle, &shortcut_id, NULL, NULL);
  if (g_strcmp0 (session_handle, self->session_handle) == 0)
    g_signal_emit (self, signals[ACTIVATED], 0, shortcut_id);
}

static void
call_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("The shortcuts portal refused: %s", error->message);
}

static void
shortcuts_bound (ConfabGlobalShortcut *self,
                 guint32               response,
                 GVariant             *results)
{
  self->bound = response == 0;
  g_debug ("Quick-ask shortcut %s", self->bound ? "bound" : "not bound (the user or the portal declined)");
}

static void
session_created (ConfabGlobalShortcut *self,
                 guint32               response,
                 GVariant             *results)
{
  g_autofree char *token = NULL;
  g_autofree char *request_path = NULL;
  GVariantBuilder shortcuts, info, options;

  if (response != 0 || !g_variant_lookup (results, "session_handle", "s", &self->session_handle))
    return;

  self->activated_id = g_dbus_connection_signal_subscribe (self->connection, PORTAL_NAME, SHORTCUTS_IFACE,
                                                           "Activated", PORTAL_PATH, NULL,
                                                           G_DBUS_SIGNAL_FLAGS_NONE, on_activated, self, NULL);

  g_variant_builder_init (&info, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&info, "{sv}", "description", g_variant_new_string (_("Ask Confab a quick question")));
  g_variant_builder_add (&info, "{sv}", "preferred_trigger", g_variant_new_string ("<Control><Alt>space"));
  g_variant_builder_init (&shortcuts, G_VARIANT_TYPE ("a(sa{sv})"));
  g_variant_builder_add (&shortcuts, "(s@a{sv})", QUICK_ASK_ID, g_variant_builder_end (&info));

  request_path = next_request_path (self, &token);
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  wait_for_response (self, request_path, shortcuts_bound);

  g_dbus_connection_call (self->connection, PORTAL_NAME, PORTAL_PATH, SHORTCUTS_IFACE, "BindShortcuts",
                          g_variant_new ("(o@a(sa{sv})s@a{sv})", self->session_handle,
                                         g_variant_builder_end (&shortcuts), "",
                                         g_variant_builder_end (&options)),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          self->cancellable, call_done, NULL);
}

static void
version_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ConfabGlobalShortcut) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *session_token = NULL;
  g_autofree char *request_path = NULL;
  GVariantBuilder options;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      /* No portal, or one without GlobalShortcuts: the desktop action stays. */
      g_debug ("No global shortcuts portal: %s", error->message);
      return;
    }

  request_path = next_request_path (self, &token);
  session_token = g_strdup_printf ("confab_session%u", self->token_serial);
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "session_handle_token", g_variant_new_string (session_token));
  wait_for_response (self, request_path, session_created);

  g_dbus_connection_call (self->connection, PORTAL_NAME, PORTAL_PATH, SHORTCUTS_IFACE, "CreateSession",
                          g_variant_new ("(@a{sv})", g_variant_builder_end (&options)),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          self->cancellable, call_done, NULL);
}

void
confab_global_shortcut_start (ConfabGlobalShortcut *self,
                              GDBusConnection      *connection)
{
  g_return_if_fail (CONFAB_IS_GLOBAL_SHORTCUT (self));
  g_return_if_fail (G_IS_DBUS_CONNECTION (connection));
  g_return_if_fail (self->connection == NULL);

  self->connection = g_object_ref (connection);

  /* A running portal only: never start one (or wait for one) at application start-up. */
  g_dbus_connection_call (connection, PORTAL_NAME, PORTAL_PATH, "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", SHORTCUTS_IFACE, "version"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000,
                          self->cancellable, version_cb, g_object_ref (self));
}

gboolean
confab_global_shortcut_get_bound (ConfabGlobalShortcut *self)
{
  g_return_val_if_fail (CONFAB_IS_GLOBAL_SHORTCUT (self), FALSE);
  return self->bound;
}

static void
confab_global_shortcut_dispose (GObject *object)
{
  ConfabGlobalShortcut *self = CONFAB_GLOBAL_SHORTCUT (object);

  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL)
    {
      if (self->activated_id != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->activated_id);
      if (self->request_id != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->request_id);
      /* The portal's session ends with it. */
      if (self->session_handle != NULL)
        g_dbus_connection_call (self->connection, PORTAL_NAME, self->session_handle,
                                "org.freedesktop.portal.Session", "Close", NULL, NULL,
                                G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
    }
  self->activated_id = self->request_id = 0;
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->session_handle, g_free);

  G_OBJECT_CLASS (confab_global_shortcut_parent_class)->dispose (object);
}

static void
confab_global_shortcut_class_init (ConfabGlobalShortcutClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = confab_global_shortcut_dispose;

  signals[ACTIVATED] =
    g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
confab_global_shortcut_init (ConfabGlobalShortcut *self)
{
  self->cancellable = g_cancellable_new ();
}

ConfabGlobalShortcut *
confab_global_shortcut_new (void)
{
  return g_object_new (CONFAB_TYPE_GLOBAL_SHORTCUT, NULL);
}
