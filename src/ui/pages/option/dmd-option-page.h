/* dmd-option-page.h — which of the three Microsoft 365 options the device uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dmd-page.h"
#include "dmd-session.h"

G_BEGIN_DECLS

#define DMD_TYPE_OPTION_PAGE (dmd_option_page_get_type ())
G_DECLARE_FINAL_TYPE (DmdOptionPage, dmd_option_page, DMD, OPTION_PAGE, DmdPage)

/* An answer of the questionnaire. */
typedef enum {
  DMD_ANSWER_UNKNOWN,
  DMD_ANSWER_YES,
  DMD_ANSWER_NO,
} DmdAnswer;

GtkWidget *dmd_option_page_new     (DmdSession  *session);

/* The questionnaire's rule: the option the answers point to, and why (translated).
 * Returns FALSE (and no option) while the answers do not decide yet. */
gboolean   dmd_option_suggest      (DmdAnswer    has_login,
                                    DmdAnswer    outside,
                                    DmdAnswer    static_ip,
                                    const char  *server_field,
                                    DmdOption   *out_option,
                                    const char **out_reason);

G_END_DECLS
