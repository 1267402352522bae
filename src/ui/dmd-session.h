/* dmd-session.h — what the wizard's pages share: the option, the settings, the last result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "dmd-core.h"

G_BEGIN_DECLS

#define DMD_TYPE_SESSION (dmd_session_get_type ())
G_DECLARE_FINAL_TYPE (DmdSession, dmd_session, DMD, SESSION, GObject)

DmdSession            *dmd_session_new          (void);

DmdOption              dmd_session_get_option   (DmdSession       *self);
void                   dmd_session_set_option   (DmdSession       *self,
                                                 DmdOption         option);

/* The settings the checks run with (NULL until the settings page was applied). */
const DmdDeviceConfig *dmd_session_get_config   (DmdSession       *self);
void                   dmd_session_take_config  (DmdSession       *self,
                                                 DmdDeviceConfig  *config);

DmdResult             *dmd_session_get_result   (DmdSession       *self);
void                   dmd_session_set_result   (DmdSession       *self,
                                                 DmdResult        *result);

/* Where the settings are remembered; NULL when the schema is not installed. */
GSettings             *dmd_session_get_settings (DmdSession       *self);

G_END_DECLS
