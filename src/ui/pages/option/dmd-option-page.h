/* dmd-option-page.h — which of the Microsoft 365 sending options the device uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dmd-page.h"
#include "dmd-session.h"

G_BEGIN_DECLS

#define DMD_TYPE_OPTION_PAGE (dmd_option_page_get_type ())
G_DECLARE_FINAL_TYPE (DmdOptionPage, dmd_option_page, DMD, OPTION_PAGE, DmdPage)

GtkWidget *dmd_option_page_new     (DmdSession  *session);

G_END_DECLS
