/* dmd-catalog.h — the knowledge base: every finding id, its texts and fixes, and the rules
 * that turn replies and facts into findings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <glib.h>

#include "dmd-config.h"
#include "dmd-enums.h"
#include "dmd-reply.h"
#include "dmd-result.h"

G_BEGIN_DECLS

#define DMD_CATALOG_MAX_FIXES 10

/* When a fix step can help, judged from the values the finding is made with (the device's
 * settings, and the reply it answers). A step whose condition is known to be false is left
 * out; a value that is not known never drops a step (the explain command knows little). */
typedef enum {
  DMD_FIX_ALWAYS            = 0,
  DMD_FIX_IF_SENDER_DIFFERS = 1 << 0,  /* the sender is not the sign-in user */
  DMD_FIX_IF_SENDER_IS_USER = 1 << 1,  /* the sender is the sign-in user */
  DMD_FIX_IF_NO_SIGN_IN     = 1 << 2,  /* no user name, or no password or token, was entered */
  DMD_FIX_IF_PUBLIC_IPV6    = 1 << 3,  /* Microsoft sees this network's public address as IPv6 */
  DMD_FIX_IF_DELEGATED      = 1 << 4,  /* OAuth: a person signed in (not client credentials) */
  DMD_FIX_IF_APP_ONLY       = 1 << 5,  /* OAuth: the application signed in (not device code) */
  DMD_FIX_IF_TOKEN_GIVEN    = 1 << 6,  /* OAuth: the token was given, not fetched by the tool */
  DMD_FIX_IF_HVE            = 1 << 7,  /* the server is a High Volume Email endpoint */
  DMD_FIX_IF_NOT_HVE        = 1 << 8,  /* the server is not a High Volume Email endpoint */
} DmdFixCondition;

typedef struct {
  const char  *text;      /* N_() — translated at render time */
  const char  *command;   /* not translated; Exchange Online PowerShell (or a DNS value), with
                           * placeholders {user} {from} {to} {domain} {ip} {ipv4} {server} {mx}
                           * {client-id} replaced by PowerShell-quoted values ({ipv4}: only an IPv4
                           * address, which is all a connector takes), and {spf-ip} by a
                           * validated "ip4:…"/"ip6:…" SPF mechanism. A value that is not known
                           * becomes an unquoted <Placeholder>, which PowerShell refuses to run. */
  const char  *url;       /* Microsoft documentation, or NULL */
  DmdAudience  audience;
  guint        when;      /* DmdFixCondition bits, all of which must hold; 0 = always */
} DmdCatalogFix;

typedef struct {
  const char    *id;
  DmdSeverity    severity;
  const char    *check;        /* default check id; NULL for device-capture findings and for
                                * server-unexpected-reply (the step decides) */
  const char    *title;        /* N_() */
  const char    *explanation;  /* N_() */
  DmdCatalogFix  fixes[DMD_CATALOG_MAX_FIXES]; /* terminated by an entry with text == NULL */
} DmdCatalogEntry;

/* Facts the tool learnt outside the device's settings, used to fill in commands. */
typedef struct {
  const char *public_ip;   /* the address Microsoft saw ("Hello [IP]"), or NULL */
  const char *mx_host;     /* the domain's MX host as looked up, or NULL */
} DmdCatalogFacts;

/* A time-sensitive fact, with its date, as data. */
typedef struct {
  const char *id;
  const char *date;         /* ISO 8601 date (YYYY-MM-DD) the fact takes effect */
  const char *description;  /* N_() */
  const char *source;       /* URL of the source */
} DmdCatalogDatedFact;

/* Every entry, terminated by { NULL }. */
const DmdCatalogEntry *dmd_catalog_entries   (void);
const DmdCatalogEntry *dmd_catalog_lookup    (const char             *id);

/* Build a finding for id: translated title/explanation, fixes with commands filled in from
 * config (may be NULL), the given evidence. For "server-unexpected-reply" whose evidence is a
 * reply line, the explanation also gives the code's RFC 3463 meaning; for
 * "config-basic-auth-retiring" the explanation depends on config->today (else the clock). */
DmdFinding            *dmd_catalog_make_finding (const char             *id,
                                                 const DmdDeviceConfig  *config,
                                                 const char             *evidence);
/* The same, with facts (public IP, MX host) for the commands; facts may be NULL. */
DmdFinding            *dmd_catalog_make_finding_full (const char             *id,
                                                      const DmdDeviceConfig  *config,
                                                      const DmdCatalogFacts  *facts,
                                                      const char             *evidence);

/* Map a reply to finding ids (most specific first; a reply nobody claims gives
 * "server-unexpected-reply"; a 2xx/3xx success gives an empty array).
 * Returns char* ids (owned by the array). */
GPtrArray             *dmd_catalog_match_reply  (const DmdReply         *reply,
                                                 DmdOption               option,
                                                 DmdStep                 step,
                                                 DmdAuthMech             mech);

/* match_reply + make_finding: DmdFinding* with the reply as evidence and the check id of
 * the step; no check id when the step is not known (DMD_STEP_ANY). config and facts may be
 * NULL. */
GPtrArray             *dmd_catalog_reply_findings (const DmdReply        *reply,
                                                   DmdOption              option,
                                                   DmdStep                step,
                                                   DmdAuthMech            mech,
                                                   const DmdDeviceConfig *config,
                                                   const DmdCatalogFacts *facts);

/* TRUE when the reply is how a relay connector refuses a sender it does not recognize, at
 * MAIL FROM or RCPT TO on relay: 5.7.64 (TenantAttribution, ATTR36), or a 5xx (with 5.7.1 or
 * no enhanced code) saying "relay access denied" / "unable to relay". With a client
 * certificate presented, or a connector said to trust one, the checkup reports it as
 * relay-certificate-not-trusted. */
gboolean               dmd_catalog_is_relay_refusal (const DmdReply      *reply,
                                                     DmdOption            option,
                                                     DmdStep              step);

/* A reply line as pasted by a person (from a device log or a bounce message): uses
 * dmd_reply_parse_text, and else finds "NNN X.Y.Z" / "X.Y.Z" / "NNN" inside the text
 * (e.g. "Remote Server returned '550 5.7.60 SMTP; …'"), and else recognises a well-known
 * Exchange Online text without its code ("Client was not authenticated to send anonymous mail
 * during MAIL FROM", also in the troubleshooting guide's Japanese): the reply then has that
 * text's enhanced code and no basic code. NULL when neither a code nor a known text is found. */
DmdReply              *dmd_catalog_parse_pasted_reply (const char          *text);

/* RFC 3463 meaning of an enhanced status code (translated), e.g. 5.7.1 "Delivery not
 * authorized, message refused"; the subject's meaning when the detail is not defined there
 * (5.7.139 "Security or policy status"); never NULL. */
const char            *dmd_catalog_enhanced_code_meaning (guint klass,
                                                          guint subject,
                                                          guint detail);
/* RFC 3463 class meaning: 2 success, 4 persistent transient failure, 5 permanent failure. */
const char            *dmd_catalog_enhanced_class_meaning (guint klass);
/* RFC 5321/4954 meaning of a basic reply code (translated); never NULL. */
const char            *dmd_catalog_basic_code_meaning (guint code);
/* One sentence on a reply's codes, e.g. "5.7.139: permanent failure; security or policy
 * status." (translated, newly allocated); NULL when the reply has no code at all. */
char                  *dmd_catalog_describe_reply_codes (const DmdReply  *reply);

/* PowerShell single-quoted literal: '…' with every single-quote character doubled —
 * ' and U+2018, U+2019, U+201A, U+201B, which PowerShell's tokenizer treats as quotes. */
char                  *dmd_powershell_quote     (const char             *value);

/* Pre-flight findings that need no network; `today` decides the Basic-auth text. Adds
 * test-message-not-sent when !config->send. */
void                   dmd_catalog_preflight    (const DmdDeviceConfig  *config,
                                                 DmdResult              *result);
/* The same, knowing the domain's MX host from a lookup (for config-mx-host-too-long). */
void                   dmd_catalog_preflight_with_mx (const DmdDeviceConfig *config,
                                                      const char            *mx_host,
                                                      DmdResult             *result);

/* The device setting a finding is about, for the wizard to put a pre-flight note under that
 * field and mark it; DMD_N_FIELDS when the finding is about no one field. */
DmdField               dmd_catalog_finding_field (const char            *id);

/* The recommended device settings for the config's option, compared with what was entered. */
GPtrArray             *dmd_catalog_recommended_settings (const DmdDeviceConfig *config); /* DmdSettingRow* */

/* The finding of an error answered by Microsoft Entra ID, from the OAuth error code (RFC
 * 8628's authorization_declined, expired_token) and the AADSTS number (the first of
 * error_codes) — never from the description's words. Any other: "oauth-unknown-error". */
const char            *dmd_catalog_match_entra_error (const char        *error,
                                                      guint              aadsts);

/* Time-sensitive facts, terminated by { NULL }. */
const DmdCatalogDatedFact *dmd_catalog_dated_facts (void);
/* TRUE when Basic authentication for SMTP AUTH is off by default for existing tenants
 * (from the end of December 2026) at `now` (NULL = the real clock). */
gboolean               dmd_catalog_basic_auth_default_off (GDateTime *now);
/* Whether High Volume Email's own Basic authentication has ended (after September 2028). */
gboolean               dmd_catalog_hve_basic_auth_ended   (GDateTime *now);

G_END_DECLS
