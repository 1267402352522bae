/* dmd-explain-page.h — explain a pasted reply line without a live run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dmd-page.h"
#include "dmd-session.h"

G_BEGIN_DECLS

#define DMD_TYPE_EXPLAIN_PAGE (dmd_explain_page_get_type ())
G_DECLARE_FINAL_TYPE (DmdExplainPage, dmd_explain_page, DMD, EXPLAIN_PAGE, DmdPage)

GtkWidget *dmd_explain_page_new            (DmdSession     *session);
void       dmd_explain_page_set_text       (DmdExplainPage *self,
                                            const char     *text);
guint      dmd_explain_page_get_n_findings (DmdExplainPage *self);

G_END_DECLS
