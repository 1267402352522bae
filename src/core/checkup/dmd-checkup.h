/* dmd-checkup.h — runs the checks of one option and produces one DmdResult
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <gio/gio.h>

#include "dmd-config.h"
#include "dmd-result.h"

G_BEGIN_DECLS

#define DMD_TYPE_CHECKUP (dmd_checkup_get_type ())
G_DECLARE_FINAL_TYPE (DmdCheckup, dmd_checkup, DMD, CHECKUP, GObject)

/* Signals, all emitted on the thread-default main context of the caller of run_async,
 * never after the run was cancelled or completed:
 *   "check-started"   (const char *check_id, const char *title)
 *   "check-finished"  (const char *check_id, DmdCheckStatus status, const char *summary)
 *   "transcript-line" (const char *check_id, char dir, const char *text)   [dir as gint]
 */

DmdCheckup *dmd_checkup_new           (const DmdDeviceConfig  *config);  /* copies config */
const DmdDeviceConfig *dmd_checkup_get_config (DmdCheckup     *self);
void        dmd_checkup_run_async     (DmdCheckup             *self,
                                       GCancellable           *cancellable,
                                       GAsyncReadyCallback     callback,
                                       gpointer                user_data);
/* On cancel: returns NULL with G_IO_ERROR_CANCELLED. */
DmdResult  *dmd_checkup_run_finish    (DmdCheckup             *self,
                                       GAsyncResult           *result,
                                       GError                **error);
/* Convenience for the CLI and tests: runs a main loop until done. */
DmdResult  *dmd_checkup_run_sync      (DmdCheckup             *self,
                                       GCancellable           *cancellable,
                                       GError                **error);

G_END_DECLS
