/* dmd-results-page.h — the verdict, the fixes and the recommended settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dmd-page.h"
#include "dmd-session.h"

G_BEGIN_DECLS

#define DMD_TYPE_RESULTS_PAGE (dmd_results_page_get_type ())
G_DECLARE_FINAL_TYPE (DmdResultsPage, dmd_results_page, DMD, RESULTS_PAGE, DmdPage)

GtkWidget *dmd_results_page_new        (DmdSession     *session);
/* The report for the session's result, as Save report writes it: JSON when name ends in
 * ".json", the HTML hand-off report for ".html"/".htm", otherwise as json_hint says. */
GBytes    *dmd_results_page_dup_report (DmdResultsPage *self,
                                        const char     *name,
                                        gboolean        json_hint);

G_END_DECLS
