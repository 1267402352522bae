/* dmd-capture-page.h — "Test the device itself": this computer stands in for Microsoft 365
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dmd-core.h"
#include "dmd-page.h"

G_BEGIN_DECLS

#define DMD_TYPE_CAPTURE_PAGE (dmd_capture_page_get_type ())
G_DECLARE_FINAL_TYPE (DmdCapturePage, dmd_capture_page, DMD, CAPTURE_PAGE, DmdPage)

GtkWidget        *dmd_capture_page_new         (DmdSession     *session);

/* Start listening (what the Start button does); FALSE with the error shown on the page. */
gboolean          dmd_capture_page_start       (DmdCapturePage *self);
/* End the capture now (the Stop button); the verdicts follow. */
void              dmd_capture_page_stop        (DmdCapturePage *self);
gboolean          dmd_capture_page_is_running  (DmdCapturePage *self);
/* The port actually open while running, else 0. */
guint16           dmd_capture_page_get_port    (DmdCapturePage *self);
/* The last capture's result, or NULL. */
DmdCaptureResult *dmd_capture_page_get_result  (DmdCapturePage *self);

/* Tests: the port to ask for (0 = any free one), listening on 127.0.0.1 only, with the
 * certificate kept in data_dir. */
void              dmd_capture_page_set_test_options (DmdCapturePage *self,
                                                     guint16         port,
                                                     const char     *data_dir);

G_END_DECLS
