/* dmd-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DMD_TYPE_APPLICATION (dmd_application_get_type ())
G_DECLARE_FINAL_TYPE (DmdApplication, dmd_application, DMD, APPLICATION, AdwApplication)

DmdApplication *dmd_application_new (void);

G_END_DECLS
