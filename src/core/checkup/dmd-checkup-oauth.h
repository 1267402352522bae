/* dmd-checkup-oauth.h — the oauth check: a token from Microsoft Entra ID for the mailbox
 *
 * Runs the flow the settings ask for (device code or client credentials) against the identity
 * platform (--connect-to, --ca-file and the step's timeout apply as for SMTP), then reads the
 * token's claims: a token that cannot work for the mailbox (another audience, no SMTP.Send
 * nor SMTP.SendAsApp, another user, expired) fails the check before anything is sent to the
 * mail server. Blocks the calling worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <gio/gio.h>

#include "dmd-config.h"
#include "dmd-oauth-client.h"
#include "dmd-result.h"
#include "dmd-scrub.h"

G_BEGIN_DECLS

typedef struct {
  gboolean        cancelled;
  DmdCheckStatus  status;       /* PASS or FAIL */
  char           *summary;      /* translated, one line */
  char           *finding_id;   /* the finding when it failed, else NULL */
  char           *evidence;     /* its evidence */
  char           *token;        /* secret: the token to sign in with (only when it passed) */
  DmdOAuthClaims *claims;       /* when a token came, or NULL */
  guint           requests;     /* HTTP requests made */
} DmdCheckupOAuth;

/* line_func gets the transcript of the check ('C', 'S', 'I'), code_func the device code's
 * address and code for the person. The token is added to the scrubber (with the user name). */
DmdCheckupOAuth *dmd_checkup_oauth_run  (const DmdDeviceConfig *config,
                                         DmdScrubber           *scrubber,
                                         double                 timeout,
                                         GCancellable          *cancellable,
                                         DmdOAuthLineFunc       line_func,
                                         DmdOAuthCodeFunc       code_func,
                                         gpointer               user_data);
void             dmd_checkup_oauth_free (DmdCheckupOAuth       *outcome);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdCheckupOAuth, dmd_checkup_oauth_free)

G_END_DECLS
