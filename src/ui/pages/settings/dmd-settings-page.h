/* dmd-settings-page.h — what is typed into the device, validated as it is typed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dmd-page.h"
#include "dmd-session.h"

G_BEGIN_DECLS

#define DMD_TYPE_SETTINGS_PAGE (dmd_settings_page_get_type ())
G_DECLARE_FINAL_TYPE (DmdSettingsPage, dmd_settings_page, DMD, SETTINGS_PAGE, DmdPage)

GtkWidget       *dmd_settings_page_new          (DmdSession      *session);

/* The settings as entered now (a new config, secrets included), for tests. */
DmdDeviceConfig *dmd_settings_page_build_config (DmdSettingsPage *self);
/* The device's client certificate and its key (PEM files; NULL: none), as the file choosers
 * of the relay settings set them. */
void             dmd_settings_page_set_client_cert (DmdSettingsPage *self,
                                                    const char      *cert_file,
                                                    const char      *key_file);
/* Every field as config has it (the option too, through the session); secrets included,
 * for Undo. Nothing is remembered until the page is applied. */
void             dmd_settings_page_fill         (DmdSettingsPage       *self,
                                                 const DmdDeviceConfig *config);
/* Forget what is remembered and reset every field. */
void             dmd_settings_page_forget       (DmdSettingsPage *self);

G_END_DECLS
