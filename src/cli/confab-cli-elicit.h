/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _ConfabCliElicit ConfabCliElicit;

/* Answers elicitation/create of each ConfabMcpServer in @servers: on the terminal when
 * @interactive (the question, then a line per field; Enter keeps the server's default),
 * else declined with a line on stderr. Lines come from *@lines, made on stdin when NULL
 * and shared with whoever else asks on the terminal: *@busy is TRUE while someone asks
 * (it waits for FALSE and confab_cli_elicit_resume()); @free_cb runs when it is done
 * with the terminal. */
ConfabCliElicit *confab_cli_elicit_new    (GListModel        *servers,
                                           gboolean           interactive,
                                           GDataInputStream **lines,
                                           gboolean          *busy,
                                           GSourceFunc        free_cb,
                                           gpointer           free_data);
/* The terminal is free again: ask what waits. */
void             confab_cli_elicit_resume (ConfabCliElicit   *self);
/* Disconnects from @servers; what was not answered yet is declined. */
void             confab_cli_elicit_free (ConfabCliElicit   *self,
                                         GListModel        *servers);

G_END_DECLS
