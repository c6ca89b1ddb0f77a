/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _ConfabApprovalPolicy    ConfabApprovalPolicy;
typedef struct _ConfabClient            ConfabClient;
typedef struct _ConfabContext           ConfabContext;
typedef struct _ConfabConversation      ConfabConversation;
typedef struct _ConfabDeltaAccumulator  ConfabDeltaAccumulator;
typedef struct _ConfabMcpServer         ConfabMcpServer;
typedef struct _ConfabMessage           ConfabMessage;
typedef struct _ConfabProvider          ConfabProvider;
typedef struct _ConfabProviderList      ConfabProviderList;
typedef struct _ConfabSseReader         ConfabSseReader;
typedef struct _ConfabStore             ConfabStore;
typedef struct _ConfabTool              ConfabTool;
typedef struct _ConfabToolCall          ConfabToolCall;
typedef struct _ConfabToolRegistry      ConfabToolRegistry;
typedef struct _ConfabTurn              ConfabTurn;
typedef struct _ConfabUsage             ConfabUsage;

G_END_DECLS
