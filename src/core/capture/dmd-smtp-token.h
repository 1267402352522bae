/* dmd-smtp-token.h — the scripted server's XOAUTH2 check, as Exchange Online judges a token
 *
 * Written apart from the client's claims reader (dmd-oauth.c) on purpose: the tests then
 * hold the client to what the server does, not to itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when Exchange Online would take the bearer token for `user` at time `now` (Unix): a
 * JWT for Exchange Online's audience, not expired, and either delegated with SMTP.Send for
 * that very user (upn / unique_name / preferred_username), or app-only with SMTP.SendAsApp
 * for a mailbox the application's service principal has access to (app_mailboxes:
 * ';'-separated addresses, case-insensitive; NULL: none). app_role: the application
 * permission an app-only token must have (NULL: SMTP.SendAsApp; High Volume Email:
 * Mail.Send). */
gboolean _dmd_smtp_token_acceptable (const char *token,
                                     const char *user,
                                     const char *app_mailboxes,
                                     const char *app_role,
                                     gint64      now);

G_END_DECLS
