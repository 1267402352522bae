/* dmd-oauth-client.h — gets an access token from the Microsoft identity platform
 *
 * Two standard flows against https://login.microsoftonline.com/{tenant}/oauth2/v2.0/:
 *
 * - device code (RFC 8628; delegated, a person signs in for the mailbox): POST devicecode
 *   with the client id and the SMTP.Send scope, tell the person the address and the code,
 *   then poll token at the interval given, through authorization_pending and slow_down,
 *   until a token, a refusal, the code's expiry or a cancel;
 * - client credentials (app-only, what unattended apps and High Volume Email use): POST
 *   token with the client id, the secret and the .default scope of Exchange Online.
 *
 * HTTP goes through libsoup 3 (HTTP/1.1, no redirects followed, answers bounded in size and
 * time), TLS through GIO with the trust of the SMTP connections (DmdTlsDatabase: the system
 * store plus the CA file, checked against the identity platform's own name even when
 * --connect-to sends the connection elsewhere). Every call blocks the calling thread (a
 * worker's) on a private main context, never longer than the step's timeout per request, and
 * returns at once when the cancellable is cancelled.
 *
 * Secrets: the client secret, the device code and the token are never logged or put in a
 * line; the device code and the token are added to the scrubber as soon as they arrive, and
 * everything the server says goes through it. The refresh token is dropped unread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <gio/gio.h>

#include "dmd-scrub.h"

G_BEGIN_DECLS

#define DMD_OAUTH_HOST             "login.microsoftonline.com"
#define DMD_OAUTH_PORT             443
/* Delegated: Exchange Online's SMTP.Send, and a refresh token (dropped) as apps ask for. */
#define DMD_OAUTH_SCOPE_DELEGATED  "https://outlook.office.com/SMTP.Send offline_access"
/* App-only: the application permissions granted on Exchange Online (SMTP.SendAsApp). */
#define DMD_OAUTH_SCOPE_APP        "https://outlook.office365.com/.default"
/* RFC 8628: the default polling interval, and what slow_down adds to it. */
#define DMD_OAUTH_DEFAULT_INTERVAL 5
#define DMD_OAUTH_SLOW_DOWN_STEP   5
/* The longest a device code is waited for, whatever the server says (Microsoft's: 15 min). */
#define DMD_OAUTH_MAX_WAIT         (30 * 60)

typedef enum {
  DMD_OAUTH_FLOW_DEVICE_CODE,
  DMD_OAUTH_FLOW_CLIENT_CREDENTIALS,
} DmdOAuthFlow;

typedef enum {
  DMD_OAUTH_OK,           /* a token */
  DMD_OAUTH_UNREACHABLE,  /* no connection, no answer in time, TLS refused or not trusted, or
                           * an answer that is not the identity platform's */
  DMD_OAUTH_REFUSED,      /* Entra ID answered with an error: error and aadsts say which */
  DMD_OAUTH_DECLINED,     /* the person declined the sign-in (authorization_declined) */
  DMD_OAUTH_EXPIRED,      /* the device code expired before anyone signed in */
  DMD_OAUTH_CANCELLED,
} DmdOAuthStatus;

/* The transcript: 'C' what was asked (never a secret), 'S' what was answered (scrubbed,
 * escaped), 'I' notes. */
typedef void (*DmdOAuthLineFunc) (char        dir,
                                  const char *text,
                                  gpointer    user_data);
/* Device code: what the person must do, once the code is issued. */
typedef void (*DmdOAuthCodeFunc) (const char *verification_uri,
                                  const char *user_code,
                                  guint       expires_in,
                                  gpointer    user_data);

typedef struct {
  DmdOAuthFlow      flow;
  const char       *host;           /* DMD_OAUTH_HOST, the name the certificate must match */
  guint16           port;           /* DMD_OAUTH_PORT */
  const char       *connect_host;   /* --connect-to: connect here instead (NULL: host) */
  guint16           connect_port;   /* with connect_host */
  const char       *ca_file;        /* extra trust anchors, or NULL */
  double            timeout;        /* seconds, for each request */
  const char       *tenant;
  const char       *client_id;
  const char       *client_secret;  /* client credentials only */
  const char       *username;       /* the mailbox the token is for (the scrubber's forms) */
  DmdScrubber      *scrubber;       /* may be NULL */
  DmdOAuthLineFunc  line_func;
  DmdOAuthCodeFunc  code_func;
  gpointer          user_data;
} DmdOAuthRequest;

typedef struct {
  DmdOAuthStatus  status;
  char           *access_token;     /* OK: the token (secret, wiped on free) */
  gint64          expires_in;       /* OK: seconds, 0 when not said */
  char           *error;            /* REFUSED (and DECLINED, EXPIRED when the server said
                                     * so): the OAuth error code */
  guint           aadsts;           /* the AADSTS number (first of error_codes), or 0 */
  char           *evidence;         /* one line, safe to show: the AADSTS line, the network
                                     * error, the certificate problem */
  guint           requests;         /* HTTP requests made */
} DmdOAuthOutcome;

DmdOAuthOutcome *dmd_oauth_get_token     (const DmdOAuthRequest *request,
                                          GCancellable          *cancellable);
void             dmd_oauth_outcome_free  (DmdOAuthOutcome       *outcome);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdOAuthOutcome, dmd_oauth_outcome_free)

G_END_DECLS
