/* dmd-welcome-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dmd-page.h"

G_BEGIN_DECLS

#define DMD_TYPE_WELCOME_PAGE (dmd_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (DmdWelcomePage, dmd_welcome_page, DMD, WELCOME_PAGE, DmdPage)

GtkWidget *dmd_welcome_page_new (void);

G_END_DECLS
