/* dmd-words.h — the words people read for the engine's values, one place each
 *
 * The text and HTML reports, the CLI and the wizard all take their words from here, so that a
 * check that "Failed" on the checks page is not "failed" in one report and "Problem" in
 * another, and a translator translates each word once. Machine names (the JSON and CLI
 * contract: "pass", "error", "accepted") are in dmd-enums.h and dmd-result.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <glib.h>

#include "dmd-enums.h"
#include "dmd-result.h"

G_BEGIN_DECLS

/* TLS versions, by index DMD_TLS10 … DMD_TLS13.
 * dmd_tls_version_name: the key, "TLS1.0" … "TLS1.3", as GnuTLS names a negotiated version and
 * as the JSON report, the transcript and the capture write it (NULL for a bad index);
 * dmd_tls_version_index: back from the key (-1 when it is none of them, e.g. "SSL3.0");
 * dmd_tls_version_display_name: "TLS 1.0" … "TLS 1.3", as people write it (NULL for a bad
 * index). */
const char *dmd_tls_version_name              (int                 dmd_tls_index);
int         dmd_tls_version_index             (const char         *name);
const char *dmd_tls_version_display_name      (int                 dmd_tls_index);

/* What a version probe found: "Accepted", "Refused", "Could not be tested", "Not tested". */
const char *dmd_tls_version_state_word        (DmdTlsVersionState  state);

/* A finding's severity: "Error", "Warning", "Note". */
const char *dmd_severity_word                 (DmdSeverity         severity);

/* A check's status while a run goes on: "Waiting", "Running", "Passed", "Warning",
 * "Failed", "Skipped". */
const char *dmd_check_status_word             (DmdCheckStatus      status);
/* The same in a finished result, where a check still waiting or running never ended:
 * "Not finished". */
const char *dmd_check_status_word_finished    (DmdCheckStatus      status);

/* Who acts on a fix step: "At the device", "For the admin"; NULL for anyone. */
const char *dmd_audience_word                 (DmdAudience         audience);

/* The title of a check id ("Connection", "TLS versions", …); the id itself when it has none. */
const char *dmd_check_title                   (const char         *check_id);

G_END_DECLS
