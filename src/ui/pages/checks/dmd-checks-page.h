/* dmd-checks-page.h — the live checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dmd-page.h"
#include "dmd-session.h"

G_BEGIN_DECLS

#define DMD_TYPE_CHECKS_PAGE (dmd_checks_page_get_type ())
G_DECLARE_FINAL_TYPE (DmdChecksPage, dmd_checks_page, DMD, CHECKS_PAGE, DmdPage)

GtkWidget  *dmd_checks_page_new           (DmdSession     *session);
guint       dmd_checks_page_get_n_checks  (DmdChecksPage  *self);

/* The icon for a check's status (also used by the results page; its word:
 * dmd_check_status_word). */
const char *dmd_check_status_icon_name    (DmdCheckStatus  status);

G_END_DECLS
