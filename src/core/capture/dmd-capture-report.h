/* dmd-capture-report.h — a capture result as JSON (device-mail-doctor/capture/v1) and text
 *
 * Everything the device sent is escaped for each target; the device's password or token is
 * never in a result to begin with.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "dmd-capture.h"

G_BEGIN_DECLS

#define DMD_CAPTURE_SCHEMA "device-mail-doctor/capture/v1"

JsonNode *dmd_capture_report_build_json   (DmdCaptureResult        *result);
char     *dmd_capture_report_to_json      (DmdCaptureResult        *result);
/* The sessions, then the verdict per option with its findings. */
char     *dmd_capture_report_to_text      (DmdCaptureResult        *result,
                                           gboolean                 color);
/* One session's facts, one line per fact, each line starting with `indent` spaces. */
char     *dmd_capture_session_to_text     (const DmdCaptureSession *session,
                                           guint                    indent);

G_END_DECLS
