/* dmd-report-private.h — what the text, JSON and HTML writers share: the words, the facts
 * and the verdict's headline, computed once (dmd-report.c)
 *
 * The writers escape what these return through dmd-report-util.h; nothing here is escaped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include "dmd-report.h"
#include "dmd-report-util.h"
#include "dmd-words.h"

G_BEGIN_DECLS

static inline gboolean
_dmd_report_has_text (const char *s)
{
  return s != NULL && *s != '\0';
}

/* A finding's title, or its id when it has none. */
static inline const char *
_dmd_report_finding_title (const DmdFinding *finding)
{
  return _dmd_report_has_text (finding->title) ? finding->title : finding->id;
}

/* A settings row's label, or its name when it has none. */
static inline const char *
_dmd_report_setting_label (const DmdSettingRow *row)
{
  return _dmd_report_has_text (row->label) ? row->label : row->name;
}

/* Words, translated. Each writer asks these or dmd-words.h (severities, statuses, audiences,
 * TLS versions: the words the wizard shows too), never a table of its own. */
/* The engine's name for a check (dmd_check_title), "" for none. */
const char *_dmd_report_check_title        (const char         *id);
/* "IPv4", "IPv6". */
const char *_dmd_report_family_word        (const char         *family);
/* The schema's status of a check (pass, warn, fail, skip): a check a cancelled run never
 * finished is skipped. Also the HTML row's class. */
const char *_dmd_report_check_status_key   (DmdCheckStatus      status);

/* The result's time in UTC, formatted (g_date_time_format); "" without one. */
char       *_dmd_report_format_generated   (DmdResult          *result,
                                            const char         *format);
/* A --connect-to mapping as it was given: HOST:PORT:ADDR:PORT. */
char       *_dmd_report_connect_to_spec    (const DmdConnectTo *ct);
const DmdFix *_dmd_report_first_fix        (DmdFinding         *finding);

/* The headline of the verdict (dmd_result_get_verdict()), translated: the outcome in words,
 * never a count. */
char       *_dmd_report_verdict_headline   (DmdResult          *result);
/* What a pass means, in one sentence; NULL when the verdict is not a pass. */
const char *_dmd_report_verdict_scope      (DmdResult          *result);

typedef enum {
  DMD_REPORT_SETTING_DIFFERS,
  DMD_REPORT_SETTING_OK,
  DMD_REPORT_SETTING_NOT_APPLICABLE,
} DmdReportSetting;

DmdReportSetting _dmd_report_setting_order (const DmdSettingRow *row);
/* The settings rows (borrowed), differences first, otherwise in the given order. */
GPtrArray  *_dmd_report_sorted_settings    (DmdResult          *result);

/* Label/value rows, for the text and HTML writers. */
typedef struct {
  const char *key;   /* translated */
  char       *value;
} DmdReportFact;

/* An empty GArray of DmdReportFact that frees the values. */
GArray     *_dmd_report_facts_new          (void);
void        _dmd_report_add_fact           (GArray             *facts,
                                            const char         *key,
                                            char               *value); /* takes it */
/* What was tested; arrow joins the sender and the recipient. */
GArray     *_dmd_report_tested_facts       (DmdResult             *result,
                                            const DmdDeviceConfig *config,
                                            const char            *arrow);
/* A certificate's facts. */
GArray     *_dmd_report_cert_fields        (const DmdCertInfo  *cert);
/* Whether the client certificate was presented, in words; NULL when there is nothing to
 * say (none chosen and none asked for). *good: presented. */
const char *_dmd_report_client_cert_status (const DmdNetwork   *net,
                                            gboolean           *good);

G_END_DECLS
