/* dmd-device-code-dialog.h — what a person does to sign in while the checks wait
 *
 * The device code flow of the oauth check: the code in large selectable type with a Copy
 * button, the sign-in address as a link and as a QR code (to sign in from a phone), the time
 * left, and Cancel (the response "cancel", also on Escape), which the caller turns into
 * cancelling the run. The caller closes it once the check has ended.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DMD_TYPE_DEVICE_CODE_DIALOG (dmd_device_code_dialog_get_type ())
G_DECLARE_FINAL_TYPE (DmdDeviceCodeDialog, dmd_device_code_dialog, DMD, DEVICE_CODE_DIALOG,
                      AdwMessageDialog)

/* mailbox: the account to sign in with (may be NULL); expires_in: seconds. */
GtkWidget  *dmd_device_code_dialog_new           (GtkWindow   *parent,
                                                  const char  *verification_uri,
                                                  const char  *user_code,
                                                  guint        expires_in,
                                                  const char  *mailbox);
const char *dmd_device_code_dialog_get_user_code (DmdDeviceCodeDialog *self);
/* Seconds left, as the countdown shows them. */
guint       dmd_device_code_dialog_get_seconds_left (DmdDeviceCodeDialog *self);

G_END_DECLS
