/* dmd-oauth.h — what an OAuth access token says about itself, read offline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean   decoded;     /* FALSE: not a JWT we can read (opaque token) */
  char      *audience;    /* "aud" (first one when a list) */
  char      *scopes;      /* "scp" (delegated) */
  char      *roles;       /* "roles" (application), space separated */
  char      *user;        /* upn / unique_name / preferred_username / email */
  char      *tenant_id;   /* "tid" */
  char      *app_id;      /* "appid" (v1 tokens) or "azp" (v2): the client id it was issued to */
  gint64     expires;     /* "exp", Unix time; 0 when absent */
  GPtrArray *problems;    /* char*, translated: why Exchange Online would reject it */
} DmdOAuthToken;

/* Decode the token's claims (no signature check: we only explain) and compare them with the
 * user name the device will send and the time `now` (Unix seconds). */
DmdOAuthToken *dmd_oauth_token_inspect (const char    *token,
                                        const char    *username,
                                        gint64         now);
/* The same for High Volume Email when hve is TRUE: an app-only token there carries the
 * application permission Mail.Send (the account's allowed apps decide the rest). */
DmdOAuthToken *dmd_oauth_token_inspect_for (const char *token,
                                            const char *username,
                                            gint64      now,
                                            gboolean    hve);
void           dmd_oauth_token_free    (DmdOAuthToken *token);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdOAuthToken, dmd_oauth_token_free)

G_END_DECLS
