/* dmd-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "dmd-application.h"

G_BEGIN_DECLS

#define DMD_TYPE_WINDOW (dmd_window_get_type ())
G_DECLARE_FINAL_TYPE (DmdWindow, dmd_window, DMD, WINDOW, AdwApplicationWindow)

DmdWindow *dmd_window_new (DmdApplication *application);

G_END_DECLS
