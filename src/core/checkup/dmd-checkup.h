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
 *   "oauth-device-code" (const char *verification_uri, const char *user_code,
 *                        guint expires_in)
 *        the oauth check's device code flow waits for a person to sign in at that address
 *        with that code (valid for expires_in seconds); the check ends when they did (or
 *        declined, or the code expired). Cancel the run to stop waiting.
 */

DmdCheckup *dmd_checkup_new           (const DmdDeviceConfig  *config);  /* copies config */
const DmdDeviceConfig *dmd_checkup_get_config (DmdCheckup     *self);
void        dmd_checkup_run_async     (DmdCheckup             *self,
                                       GCancellable           *cancellable,
                                       GAsyncReadyCallback     callback,
                                       gpointer                user_data);
/* On cancel: what was gathered until then, with result->cancelled set (checks that had not
 * finished stay DMD_CHECK_RUNNING). NULL with an error only when the run could not start. */
DmdResult  *dmd_checkup_run_finish    (DmdCheckup             *self,
                                       GAsyncResult           *result,
                                       GError                **error);
/* Convenience for the CLI and tests: runs a main loop until done. */
DmdResult  *dmd_checkup_run_sync      (DmdCheckup             *self,
                                       GCancellable           *cancellable,
                                       GError                **error);

/* One check a run plans, before it starts. */
typedef struct {
  char *id;      /* the check id, as in the result: "config", "dns", "connect", … */
  char *title;   /* translated, as dmd_check_title () */
} DmdPlannedCheck;

void        dmd_planned_check_free    (DmdPlannedCheck        *check);

/* The checks a run with this configuration plans (DmdPlannedCheck*), in order: the settings,
 * the dialogue with the server, then the checks beside it (TLS versions, SPF, blocklists).
 * Each appears once. A planned check may end up not run: the dialogue stops at a step that
 * fails (the later ones are reported skipped), SPF and the blocklists need the public IP the
 * server reports, the TLS handshake needs STARTTLS to be offered. */
GPtrArray  *dmd_checkup_plan          (const DmdDeviceConfig  *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdPlannedCheck, dmd_planned_check_free)

G_END_DECLS
