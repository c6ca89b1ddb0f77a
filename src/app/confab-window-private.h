/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "confab-chat-view.h"
#include "confab-composer.h"
#include "confab-model-chooser.h"
#include "confab-notifier.h"
#include "confab-provider-list.h"
#include "confab-save-banner.h"
#include "confab-window.h"

G_BEGIN_DECLS

struct _ConfabWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  ConfabContext        *context;            /* construct-only, given to the session */
  ConfabSession        *session;
  ConfabNotifier       *notifier;
  guint                 linger_source;
  gboolean              in_background;      /* closed to the background: holds the app */
  gboolean              close_confirmed;
  gboolean              quick;              /* a quick ask: small, not history until promoted */
  ConfabProviderList   *providers;
  GCancellable         *cancellable;
  GtkWidget            *usage_sidebar;
  GtkWidget            *conversation_list;
  ConfabStore          *store;

  AdwLeaflet           *leaflet;
  GtkWidget            *conversations_pane;
  AdwBin               *conversations_bin;
  AdwFlap              *usage_flap;
  AdwBin               *usage_bin;
  GtkToggleButton      *conversations_button;
  GtkToggleButton      *usage_button;
  AdwHeaderBar         *chat_header;
  ConfabModelChooser   *model_chooser;
  GtkLabel             *title_label;
  GtkButton            *promote_button;
  GSignalGroup         *title_signals;     /* the conversation whose title the header shows */
  GtkStack             *main_stack;
  AdwStatusPage        *welcome_page;
  GtkWidget            *welcome_button;
  ConfabChatView       *chat_view;
  ConfabSaveBanner     *save_banner;
  ConfabComposer       *composer;
  GtkWidget            *new_chat_button;
  GtkWidget            *primary_menu_button;
  GtkWidget            *back_button;
};

/* confab-window-close.c: closing while turns run. TRUE when the window stays (the user is
 * asked first). */
gboolean _confab_window_keep_open                   (ConfabWindow       *self);
/* ::running-changed of the session: a hidden window lets go after the last turn. */
void     _confab_window_background_running_changed (ConfabSession      *session,
                                                     ConfabConversation *conversation,
                                                     gboolean            running,
                                                     ConfabWindow       *self);
/* notify::visible: shown again, the window is no longer in the background. */
void     _confab_window_shown_again                 (ConfabWindow       *self,
                                                     GParamSpec         *pspec,
                                                     gpointer            user_data);

/* confab-window-actions.c: search, stop, copy the last answer, the panes, export, check the
 * API key, and the tool call waiting for approval, by keyboard. */
void _confab_window_actions_class_init   (GtkWidgetClass *widget_class);
void _confab_window_actions_dispose      (ConfabWindow   *self);
/* confab-window.c: shows @conversation in the chat (tracked in the store when it has
 * messages, selected in the list). */
void _confab_window_show_conversation    (ConfabWindow       *self,
                                          ConfabConversation *conversation);
/* Moves the focus to the waiting call's card (once its row is built), if a call waits. */
void _confab_window_focus_waiting_call   (ConfabWindow   *self);

G_END_DECLS
