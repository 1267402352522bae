/* dmd-ui-test-utils.h — finding widgets and waiting in widget tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "dmd-core.h"

G_BEGIN_DECLS

/* Own the default main context for the whole test, as g_application_run() does in the app:
 * otherwise a g_main_context_invoke() from a worker thread may find it unowned between two
 * iterations and run the callback (and the widget updates it makes) in that thread. */
void       dmd_test_own_main_context (void);
/* Process what is pending, without blocking. */
void       dmd_test_spin             (void);
/* Iterate the main context until func returns TRUE or timeout_ms passes; returns func's last
 * value (a deadline that only guards against hangs, never a timing assertion). */
gboolean   dmd_test_wait             (gboolean  (*func) (gpointer),
                                      gpointer    data,
                                      guint       timeout_ms);
/* Iterate until widget's frame clock has drawn n frames: the layout is then up to date (what
 * dmd_test_spin alone does not promise, since layout waits for the next frame). */
void       dmd_test_wait_frames      (GtkWidget  *widget,
                                      guint       n);
/* The first AdwPreferencesRow below root whose title is title (drawable or not). */
GtkWidget *dmd_test_find_row         (GtkWidget  *root,
                                      const char *title);
/* The n-th (from 0) widget of type below root, in tree order. */
GtkWidget *dmd_test_find_type        (GtkWidget  *root,
                                      GType       type,
                                      guint       n);
guint      dmd_test_count_type       (GtkWidget  *root,
                                      GType       type,
                                      gboolean    visible_only);
/* A GtkLabel below root whose text contains needle (visible ones only), or NULL. */
GtkWidget *dmd_test_find_label       (GtkWidget  *root,
                                      const char *needle);
/* A drawn GtkLabel below root where Pango broke a line inside a word and added a hyphen that
 * is not in the text, or NULL. */
GtkWidget *dmd_test_find_hyphenated_label (GtkWidget *root);
/* The widgets that Tab gives the focus to in window, in order, from the first (at most max;
 * it stops when the focus comes round again). */
GPtrArray *dmd_test_tab_chain        (GtkWidget  *window,
                                      guint       max);
/* TRUE when widget and all its ancestors up to root are visible. */
gboolean   dmd_test_is_shown         (GtkWidget  *widget);
void       dmd_test_set_text         (GtkWidget  *editable_row,
                                      const char *text);
/* The result of a run whose sign-in Microsoft 365 refused (535 5.7.139, SMTP AUTH off for the
 * tenant), with the catalogue's own words and settings table. */
DmdResult *dmd_test_refused_result   (void);
/* Play a device that tests its mail settings against 127.0.0.1:port (EHLO, MAIL FROM
 * scanner@contoso.com, RCPT TO a@contoso.com, QUIT, in plain text) while the main loop runs;
 * TRUE when every reply was positive. */
gboolean   dmd_test_smtp_client_run  (guint16     port);
/* A GtkWindow holding child, presented. */
GtkWidget *dmd_test_window_new       (GtkWidget  *child);

G_END_DECLS
