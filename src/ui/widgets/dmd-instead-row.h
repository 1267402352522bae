/* dmd-instead-row.h — "Test High Volume Email instead": one click to another option
 *
 * A row for the results page: when a run's findings say that its option will not do (a
 * password sign-in refused or about to be), the options table names another to test. The
 * row switches the session to it and opens its settings; the settings page keeps the sender
 * and the recipient.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "dmd-session.h"

G_BEGIN_DECLS

#define DMD_TYPE_INSTEAD_ROW (dmd_instead_row_get_type ())
G_DECLARE_FINAL_TYPE (DmdInsteadRow, dmd_instead_row, DMD, INSTEAD_ROW, AdwActionRow)

/* A row for the result in the session, or NULL when its findings suggest no other option. */
GtkWidget *dmd_instead_row_new_for_result (DmdSession *session);

G_END_DECLS
