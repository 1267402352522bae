/* dmd-capture-private.h — shared by the capture listener's files: dmd-capture.c (the
 * listener on the caller's main context), dmd-capture-record.c (server events into records)
 * and dmd-capture-report.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include "dmd-capture.h"
#include "dmd-smtp-server.h"

G_BEGIN_DECLS

/* One line of a session's log, as the log-line signal shows it. */
typedef struct {
  char  dir;    /* 'C' the device, 'S' this computer, 'I' a note */
  char *text;   /* safe to show */
} DmdCaptureLogLine;

void  _dmd_capture_log_line_free (DmdCaptureLogLine *line);

/* What an event did to its session besides updating the record. */
typedef enum {
  DMD_CAPTURE_RECORDED,
  DMD_CAPTURE_RECORDED_OPENED,   /* the session began (rec->client is set) */
  DMD_CAPTURE_RECORDED_CLOSED,   /* the session ended */
} DmdCaptureRecorded;

/* Updates rec with event (on the server's thread, under the capture's lock) and adds the
 * lines to show (DmdCaptureLogLine*) to lines. */
DmdCaptureRecorded _dmd_capture_record_event         (DmdCaptureSession    *rec,
                                                      const DmdSmtpEvent   *event,
                                                      GPtrArray            *lines);
/* Appends what a ClientHello offers after its highest version: " (supported_versions: …),
 * N cipher suites, server name “…”". */
void               _dmd_capture_append_hello_details (GString              *out,
                                                      const DmdClientHello *hello);

G_END_DECLS
