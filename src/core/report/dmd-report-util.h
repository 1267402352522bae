/* dmd-report-util.h — the one door every string takes into a report: escaping for a terminal,
 * JSON and HTML, and JSON members that never hand json-glib raw bytes
 *
 * Shared by the result's writers (dmd-report-text.c, dmd-report-json.c, dmd-report-html.c)
 * and the capture report (capture/dmd-capture-report.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Appends text as valid UTF-8 without control characters: invalid bytes, C0 controls (except
 * tab and, when keep_newlines, newline) and DEL become \xNN; C1 controls and bidi overrides
 * \uNNNN. NULL appends nothing. */
void   dmd_report_append_safe        (GString     *out,
                                      const char  *text,
                                      gboolean     keep_newlines);
/* dmd_report_append_safe (newlines kept), then HTML-escaped. NULL appends nothing. */
void   dmd_report_append_html        (GString     *out,
                                      const char  *text);
/* Width on a terminal, for aligning columns (text must be valid UTF-8). */
gsize  dmd_report_display_width      (const char  *text);
/* The items joined by separator (NULL: none). */
char  *dmd_report_join               (GPtrArray   *values,
                                      const char  *separator);

/* JSON members, every string made safe first. */
/* A string, or null when value is NULL. */
void   dmd_report_json_string        (JsonBuilder *b,
                                      const char  *member,
                                      const char  *value);
/* A string, or null when value is NULL or empty (an unset field). */
void   dmd_report_json_field         (JsonBuilder *b,
                                      const char  *member,
                                      const char  *value);
void   dmd_report_json_bool          (JsonBuilder *b,
                                      const char  *member,
                                      gboolean     value);
void   dmd_report_json_int           (JsonBuilder *b,
                                      const char  *member,
                                      gint64       value);
/* An array of strings (NULL: empty). */
void   dmd_report_json_strings       (JsonBuilder *b,
                                      const char  *member,
                                      GPtrArray   *values);
/* A string array element (NULL: ""). */
void   dmd_report_json_add_string    (JsonBuilder *b,
                                      const char  *value);
/* The document as the reports print it: pretty, indented by 2. */
char  *dmd_report_json_to_data       (JsonNode    *root);

G_END_DECLS
