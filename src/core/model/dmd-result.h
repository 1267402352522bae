/* dmd-result.h — the outcome of a checkup: checks, findings, network facts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <glib.h>

#include "dmd-enums.h"

G_BEGIN_DECLS

typedef struct {
  char  dir;        /* 'S' server, 'C' client, 'I' information from the tool */
  char *text;       /* already escaped, secrets already redacted */
} DmdTranscriptLine;

typedef struct {
  char           *id;          /* check id: config, dns, connect, banner, ehlo, starttls, tls,
                                * tls-versions, oauth, auth, mail-from, rcpt-to, data, spf,
                                * blocklist */
  DmdCheckStatus  status;
  char           *summary;     /* one line, translated */
  gint64          elapsed_ms;
  GPtrArray      *transcript;  /* DmdTranscriptLine* */
  guint           reply_code;  /* basic code of the server reply that failed the check, or 0 */
  guint           reply_class; /* that reply's enhanced status class (2, 4, 5), or 0 */
} DmdCheck;

typedef struct {
  char        *text;     /* translated step */
  char        *command;  /* PowerShell/admin-center path with the user's values filled in, or NULL */
  char        *url;      /* documentation link or NULL */
  DmdAudience  audience;
} DmdFix;

typedef struct {
  char        *id;          /* CATALOG.md id */
  DmdSeverity  severity;
  char        *check;       /* check id it belongs to, or NULL */
  char        *title;       /* translated */
  char        *explanation; /* translated */
  char        *evidence;    /* reply line, timeout, certificate fact (escaped) */
  GPtrArray   *fixes;       /* DmdFix* */
} DmdFinding;

typedef enum {
  DMD_TLS_VERSION_UNTESTED,
  DMD_TLS_VERSION_ACCEPTED,
  DMD_TLS_VERSION_REFUSED,
  DMD_TLS_VERSION_NOT_TESTABLE,
} DmdTlsVersionState;

typedef struct {
  DmdTlsVersionState state;
  char              *detail;  /* the alert or the reply line, or why not testable */
} DmdTlsVersionResult;

/* Index into DmdNetwork.versions */
enum { DMD_TLS10, DMD_TLS11, DMD_TLS12, DMD_TLS13, DMD_N_TLS_VERSIONS };

typedef struct {
  char      *subject;
  char      *issuer;
  GPtrArray *sans;        /* char* */
  char      *not_before;  /* ISO 8601 UTC */
  char      *not_after;
  char      *sha256;      /* hex, colon separated */
} DmdCertInfo;

typedef struct {
  char                *public_ip;        /* as Microsoft saw it (EHLO greeting) or NULL */
  char                *address_family;   /* "ipv4" | "ipv6" of the connection used, or NULL */
  char                *peer_address;     /* address actually connected to */
  char                *tls_negotiated;   /* "TLS1.3" ... or NULL */
  char                *tls_cipher;
  DmdTlsVersionResult  versions[DMD_N_TLS_VERSIONS];
  GPtrArray           *chain;            /* DmdCertInfo*, leaf first */
  gboolean             cert_verified;
  char                *cert_problem;     /* translated words, or NULL */
  DmdCertInfo         *client_cert;      /* the client certificate chosen to present, or NULL */
  gboolean             client_cert_requested; /* the server asked for one (main session) */
  gboolean             client_cert_sent;      /* and the chosen one was presented */
} DmdNetwork;

/* What the token from Microsoft Entra ID says about itself (the oauth check): never the
 * token. Every string is escaped (it comes from the token). */
typedef struct {
  char   *flow;        /* "oauth-device" | "oauth-app" */
  char   *audience;    /* "aud" */
  char   *scopes;      /* "scp" (delegated), space separated, or NULL */
  char   *roles;       /* "roles" (app-only), space separated, or NULL */
  char   *user;        /* upn / unique_name / preferred_username, or NULL (app-only) */
  char   *tenant_id;   /* "tid" */
  char   *app_id;      /* "appid" / "azp" */
  gint64  expires;     /* "exp", Unix time; 0 when not said */
} DmdOAuthClaims;

typedef struct {
  char *name;          /* server, port, security, username, auth, sender, recipient, ... */
  char *label;         /* translated row title */
  char *recommended;   /* translated/recommended value */
  char *entered;       /* what was entered, or NULL */
  char *status;        /* "ok" | "differs" | "not-applicable" */
} DmdSettingRow;

typedef struct _DmdResult DmdResult;
struct _DmdResult {
  /*< private >*/
  gint        ref_count;
  /*< public, read-only once the checkup has completed >*/
  DmdOption   option;
  gboolean    sent;                 /* the test message was accepted */
  gboolean    message_transmitted;  /* the test message went on the wire (accepted or not) */
  gboolean    cancelled;
  GDateTime  *generated;
  GPtrArray  *checks;       /* DmdCheck*, in the order they started */
  GPtrArray  *findings;     /* DmdFinding*, most important first */
  GPtrArray  *recommended;  /* DmdSettingRow* */
  DmdNetwork  network;
  GPtrArray  *transcript;   /* DmdTranscriptLine*, the whole main dialogue */
  DmdOAuthClaims *oauth_claims; /* the claims of the token fetched (oauth check), or NULL */
};

DmdResult         *dmd_result_new               (DmdOption    option);
DmdResult         *dmd_result_ref               (DmdResult   *result);
void               dmd_result_unref             (DmdResult   *result);
DmdCheck          *dmd_result_add_check         (DmdResult   *result,
                                                 const char  *id);
DmdCheck          *dmd_result_get_check         (DmdResult   *result,
                                                 const char  *id);
void               dmd_result_add_finding       (DmdResult   *result,
                                                 DmdFinding  *finding); /* takes ownership */
gboolean           dmd_result_has_finding       (DmdResult   *result,
                                                 const char  *id);
/* Order findings: those of the failed check (dmd_result_get_failed_check()) first, then
 * errors, then warnings, then info; stable otherwise. */
void               dmd_result_sort_findings     (DmdResult   *result);
/* The verdict rule (DESIGN.md), decided here and nowhere else: any failed check makes the
 * verdict FAIL — or RETRY when every failed check was refused temporarily (a 4xx reply,
 * dmd_check_is_temporary_refusal()) and no error stands —, whatever the severity of its
 * findings; an error finding is a FAIL too. WARN when a warning stands (a finding or a check),
 * or when the run did not finish (cancelled, or a check never ended): that is never a PASS.
 * PASS otherwise. The capture's verdicts use it with checks of their own. */
DmdVerdict         dmd_verdict_derive           (GPtrArray   *checks,     /* DmdCheck* */
                                                 GPtrArray   *findings,   /* DmdFinding* */
                                                 gboolean     cancelled);
/* The failed check the verdict leads with, or NULL: with several, the first in dialogue order
 * (config, dns, connect, banner, …, data, then the side checks), a permanent failure before a
 * temporary one. */
DmdCheck          *dmd_checks_get_failed        (GPtrArray   *checks);
DmdVerdict         dmd_result_get_verdict       (DmdResult   *result);
/* dmd_verdict_to_string (dmd_result_get_verdict (result)) */
const char        *dmd_result_verdict           (DmdResult   *result);
DmdCheck          *dmd_result_get_failed_check  (DmdResult   *result);
/* The finding the headline leads with (its "first step"): the failed check's most severe
 * finding; without a failed check, the most severe error or warning. NULL when there is none
 * (notes only). */
DmdFinding        *dmd_result_get_top_finding   (DmdResult   *result);
guint              dmd_result_count_severity    (DmdResult   *result,
                                                 DmdSeverity  severity);

DmdCheck          *dmd_check_new                (const char  *id);
void               dmd_check_free               (DmdCheck    *check);
/* The check failed on a temporary refusal: a 4xx reply whose enhanced code, if any, is not
 * of the permanent class 5 (Exchange sends "451 5.7.3" for a permanent refusal). */
gboolean           dmd_check_is_temporary_refusal (const DmdCheck *check);
void               dmd_check_add_line           (DmdCheck    *check,
                                                 char         dir,
                                                 const char  *text);
DmdTranscriptLine *dmd_transcript_line_new      (char         dir,
                                                 const char  *text);
void               dmd_transcript_line_free     (DmdTranscriptLine *line);
DmdFinding        *dmd_finding_new              (const char  *id,
                                                 DmdSeverity  severity);
void               dmd_finding_free             (DmdFinding  *finding);
void               dmd_finding_add_fix          (DmdFinding  *finding,
                                                 const char  *text,
                                                 const char  *command,
                                                 const char  *url,
                                                 DmdAudience  audience);
DmdCertInfo       *dmd_cert_info_new            (void);
DmdCertInfo       *dmd_cert_info_copy           (const DmdCertInfo *info);
void               dmd_cert_info_free           (DmdCertInfo *info);
DmdOAuthClaims    *dmd_oauth_claims_copy        (const DmdOAuthClaims *claims);
void               dmd_oauth_claims_free        (DmdOAuthClaims *claims);
DmdSettingRow     *dmd_setting_row_new          (const char  *name,
                                                 const char  *label,
                                                 const char  *recommended,
                                                 const char  *entered,
                                                 const char  *status);
void               dmd_setting_row_free         (DmdSettingRow *row);
const char        *dmd_tls_version_state_to_string (DmdTlsVersionState state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdResult, dmd_result_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdFinding, dmd_finding_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdCheck, dmd_check_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdOAuthClaims, dmd_oauth_claims_free)

G_END_DECLS
