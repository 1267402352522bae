/* dmd-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "dmd-application.h"
#include "dmd-page.h"
#include "dmd-session.h"

G_BEGIN_DECLS

typedef enum {
  DMD_PAGE_WELCOME,
  DMD_PAGE_OPTION,
  DMD_PAGE_SETTINGS,
  DMD_PAGE_CHECKS,
  DMD_PAGE_RESULTS,
  DMD_PAGE_EXPLAIN,
  DMD_PAGE_CAPTURE,
  DMD_N_PAGES
} DmdPageId;

#define DMD_TYPE_WINDOW (dmd_window_get_type ())
G_DECLARE_FINAL_TYPE (DmdWindow, dmd_window, DMD, WINDOW, AdwApplicationWindow)

DmdWindow  *dmd_window_new         (DmdApplication *application);
DmdSession *dmd_window_get_session (DmdWindow      *self);
DmdPage    *dmd_window_get_page    (DmdWindow      *self,
                                    DmdPageId       id);
DmdPageId   dmd_window_get_current (DmdWindow      *self);
void        dmd_window_go_to       (DmdWindow      *self,
                                    DmdPageId       id);

G_END_DECLS
