/* dmd-finding-row.h — one finding: severity, title, evidence, why, numbered fixes
 *
 * The same widget shows a finding on the results page and on the explain page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "dmd-core.h"

G_BEGIN_DECLS

#define DMD_TYPE_FINDING_ROW (dmd_finding_row_get_type ())
G_DECLARE_FINAL_TYPE (DmdFindingRow, dmd_finding_row, DMD, FINDING_ROW, AdwExpanderRow)

GtkWidget  *dmd_finding_row_new            (const DmdFinding *finding);
const char *dmd_finding_row_get_finding_id (DmdFindingRow    *self);

/* An admin command in a monospace box with its Copy button (a toast says it was copied). */
GtkWidget  *dmd_command_box_new            (const char       *command);

/* The icon for a severity (its word: dmd_severity_word). */
const char *dmd_severity_icon_name         (DmdSeverity       severity);
/* Who must act on the finding's fixes, in words; NULL when it has none. */
const char *dmd_finding_audience_text      (const DmdFinding *finding);

G_END_DECLS
