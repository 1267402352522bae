/* dmd-report.h — a result as text, JSON (device-mail-doctor/report/v1) and HTML
 *
 * Server-controlled text is escaped for each target; secrets never appear (the config's
 * password and token are not read here at all).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "dmd-config.h"
#include "dmd-result.h"

G_BEGIN_DECLS

#define DMD_REPORT_SCHEMA "device-mail-doctor/report/v1"

char     *dmd_report_to_text          (DmdResult              *result,
                                       const DmdDeviceConfig  *config,
                                       gboolean                color);
char     *dmd_report_to_json          (DmdResult              *result,
                                       const DmdDeviceConfig  *config);
JsonNode *dmd_report_build_json       (DmdResult              *result,
                                       const DmdDeviceConfig  *config);
char     *dmd_report_to_html          (DmdResult              *result,
                                       const DmdDeviceConfig  *config);
/* The "findings" array alone (the explain command's JSON). */
JsonNode *dmd_report_findings_to_json (GPtrArray              *findings);
char     *dmd_report_findings_to_text (GPtrArray              *findings,
                                       gboolean                color);
/* Text that is safe for JSON: valid UTF-8 (invalid bytes escaped as \xNN). */
char     *dmd_report_json_safe        (const char             *text);
/* Text that is safe for a terminal: no control characters (ESC included). */
char     *dmd_report_terminal_safe    (const char             *text);

G_END_DECLS
