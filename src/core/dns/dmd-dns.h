/* dmd-dns.h — DNS through GResolver: bounded, cancellable lookups for worker threads, the
 * domain's MX and what it points at, the connector IP comparison, and the outcome type the
 * DNS, SPF and blocklist checks hand to the checkup
 *
 * Every lookup goes through a GResolver (the default one unless given), so tests install
 * their own with g_resolver_set_default(). GLib 2.74 has no resolver timeout and cannot stop a
 * lookup thread, so the blocking calls here start the lookups with the async API on one
 * private "dmd-dns" thread (its own GMainContext), and the calling thread waits for the
 * answers, the deadline or the GCancellable, whichever comes first. On a deadline or a cancel
 * the call returns at once; the lookups still running are cancelled and their late answers are
 * dropped on the dmd-dns thread: nothing is ever delivered to the caller afterwards.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <gio/gio.h>

#include "dmd-config.h"
#include "dmd-enums.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------------------------------ */
/* Outcome of one check, for the checkup                                                      */

typedef struct {
  char *id;        /* CATALOG.md finding id */
  char *evidence;  /* translated, escaped: for dmd_catalog_make_finding (id, config, evidence) */
} DmdDnsFinding;

typedef struct {
  DmdCheckStatus  status;     /* PASS, WARN, FAIL or SKIP */
  char           *summary;    /* one line, translated */
  GPtrArray      *lines;      /* char*: transcript lines of direction 'I', translated, escaped */
  GPtrArray      *findings;   /* DmdDnsFinding*, in the order they were found */
  gboolean        cancelled;  /* the cancellable fired: ignore the rest */
} DmdDnsOutcome;

DmdDnsFinding *dmd_dns_finding_new         (const char     *id,
                                            const char     *evidence);
void           dmd_dns_finding_free        (DmdDnsFinding  *finding);
DmdDnsOutcome *dmd_dns_outcome_new         (void);
void           dmd_dns_outcome_free        (DmdDnsOutcome  *outcome);
/* printf-style helpers used by the checks (the text is taken as is: escape before). */
void           dmd_dns_outcome_add_line    (DmdDnsOutcome  *outcome,
                                            const char     *format,
                                            ...) G_GNUC_PRINTF (2, 3);
void           dmd_dns_outcome_add_finding (DmdDnsOutcome  *outcome,
                                            const char     *id,
                                            const char     *evidence);
gboolean       dmd_dns_outcome_has_finding (const DmdDnsOutcome *outcome,
                                            const char     *id);

/* ------------------------------------------------------------------------------------------ */
/* Bounded lookups                                                                            */

typedef enum {
  DMD_DNS_QUERY_ADDRESS,   /* A and AAAA (g_resolver_lookup_by_name) */
  DMD_DNS_QUERY_A,         /* A only */
  DMD_DNS_QUERY_AAAA,      /* AAAA only */
  DMD_DNS_QUERY_MX,
  DMD_DNS_QUERY_TXT,
} DmdDnsQueryType;

typedef enum {
  DMD_DNS_STATUS_PENDING,
  DMD_DNS_STATUS_OK,
  DMD_DNS_STATUS_NOT_FOUND,   /* NXDOMAIN, or no record of that type (GResolver cannot tell) */
  DMD_DNS_STATUS_FAILED,      /* SERVFAIL, refused, no server, bad name */
  DMD_DNS_STATUS_TIMEOUT,     /* the deadline passed first */
  DMD_DNS_STATUS_CANCELLED,   /* the cancellable fired first */
} DmdDnsStatus;

typedef struct {
  guint16  preference;
  char    *host;              /* as published, lower case, no trailing dot; "" = null MX */
} DmdDnsMxRecord;

typedef struct {
  /* the question */
  char            *name;
  DmdDnsQueryType  type;
  /* the answer, filled in by dmd_dns_resolve_all() */
  DmdDnsStatus     status;
  GPtrArray       *addresses; /* GInetAddress*, ADDRESS/A/AAAA, in the resolver's order */
  GPtrArray       *mx;        /* DmdDnsMxRecord*, sorted by preference then host */
  GPtrArray       *txt;       /* char*: one per record, its strings joined with no separator
                               * (RFC 7208 §3.3); raw bytes from DNS: escape before display */
  char            *error;     /* the resolver's message when FAILED/NOT_FOUND, else NULL */
} DmdDnsAnswer;

DmdDnsAnswer *dmd_dns_answer_new      (const char       *name,
                                       DmdDnsQueryType   type);
void          dmd_dns_answer_free     (DmdDnsAnswer     *answer);
const char   *dmd_dns_status_to_string (DmdDnsStatus    status);  /* "ok", "not-found", … */
const char   *dmd_dns_query_type_to_string (DmdDnsQueryType type); /* "A", "MX", … */

/* Blocking, for worker threads (never the main loop). Runs every query concurrently and
 * returns when all are answered, at `deadline` (g_get_monotonic_time() µs, -1 = none; see
 * dmd_deadline_in()) or when `cancellable` fires. Unanswered queries are then TIMEOUT or
 * CANCELLED and nothing is written into the answers afterwards. `resolver` NULL = the default.
 * Returns FALSE when cancelled. */
gboolean      dmd_dns_resolve_all     (GResolver        *resolver,
                                       DmdDnsAnswer    **answers,
                                       guint             n_answers,
                                       gint64            deadline,
                                       GCancellable     *cancellable);
/* One query; always returns an answer (free with dmd_dns_answer_free). */
DmdDnsAnswer *dmd_dns_query           (GResolver        *resolver,
                                       const char       *name,
                                       DmdDnsQueryType   type,
                                       gint64            deadline,
                                       GCancellable     *cancellable);
/* The bounded replacement for g_resolver_lookup_by_name(): GInetAddress* list (free with
 * g_resolver_free_addresses) or NULL with G_RESOLVER_ERROR_*, G_IO_ERROR_TIMED_OUT or
 * G_IO_ERROR_CANCELLED. IP literals are returned as they are. */
GList        *dmd_dns_lookup_host     (GResolver        *resolver,
                                       const char       *host,
                                       DmdDnsQueryType   type,
                                       gint64            deadline,
                                       GCancellable     *cancellable,
                                       GError          **error);

/* ------------------------------------------------------------------------------------------ */
/* MX                                                                                         */

typedef enum {
  DMD_MX_KIND_MICROSOFT_LEGACY,  /* *.mail.protection.outlook.com */
  DMD_MX_KIND_MICROSOFT,         /* *.<letter>-v1.mx.microsoft (DNSSEC, since 2024) */
  DMD_MX_KIND_THIRD_PARTY,       /* anything else */
  DMD_MX_KIND_NULL,              /* RFC 7505 null MX "0 .": the domain takes no mail */
} DmdMxKind;

typedef struct {
  guint16     preference;
  char       *host;        /* lower case, no trailing dot */
  DmdMxKind   kind;
  const char *provider;    /* static product name ("Proofpoint", "Microsoft 365", …) or NULL */
} DmdMxHost;

typedef struct {
  char         *domain;    /* ASCII, lower case */
  DmdDnsStatus  status;    /* of the MX query */
  char         *error;     /* the resolver's message, or NULL */
  GPtrArray    *hosts;     /* DmdMxHost*, sorted by preference then host name */
} DmdMxList;

/* Pure: classify one host name (trailing dot and case ignored). *provider (may be NULL) gets a
 * static product name when the host is recognised (always "Microsoft 365" for Microsoft). */
DmdMxKind      dmd_mx_classify           (const char       *host,
                                          const char      **provider);
gboolean       dmd_mx_kind_is_microsoft  (DmdMxKind         kind);
/* Blocking, bounded (see dmd_dns_resolve_all). Never NULL; free with dmd_mx_list_free. */
DmdMxList     *dmd_dns_lookup_mx         (GResolver        *resolver,
                                          const char       *domain,
                                          gint64            deadline,
                                          GCancellable     *cancellable);
void           dmd_mx_list_free          (DmdMxList        *list);
/* The endpoint to test for Direct Send / relay: the most preferred Microsoft MX host, or NULL
 * when the domain has no Microsoft MX (then the user must give the tenant endpoint; never test
 * a third-party gateway as if it were the tenant). Owned by the list. */
const char    *dmd_mx_list_get_endpoint  (const DmdMxList  *list);
/* "10 contoso-com.mail.protection.outlook.com (Microsoft 365), 20 …" (translated, escaped). */
char          *dmd_mx_list_describe      (const DmdMxList  *list);

/* The domain whose MX is the tenant endpoint: config->domain, else the sender's domain, else
 * (Direct Send only: internal recipients) the recipient's. NULL when none. Newly allocated. */
char          *dmd_dns_domain_for_mx     (const DmdDeviceConfig *config);
/* The domain whose SPF record receivers check: the sender's (MAIL FROM), else config->domain. */
char          *dmd_dns_domain_for_spf    (const DmdDeviceConfig *config);

/* The "dns" check's MX part, blocking. Looks up the MX of `domain`, lists it, and:
 *  - the most preferred MX is not Microsoft's (or there is no MX, or a null MX):
 *    dns-mx-not-microsoft, evidence "MX of contoso.com: 10 x.pphosted.com (Proofpoint)";
 *  - the lookup failed or timed out: dns-resolve-failed (only when `server` is empty, i.e. the
 *    MX was needed to know what to test), evidence "MX lookup of contoso.com: timed out";
 *  - `server` is a Microsoft MX endpoint but not one of the domain's MX hosts: a transcript
 *    line (an outdated host name is a common cause of 4.4.62).
 * *out_endpoint (may be NULL) gets dmd_mx_list_get_endpoint() (newly allocated) or NULL.
 * Status: PASS (Microsoft MX), WARN (not Microsoft), FAIL (lookup failed and no server). */
DmdDnsOutcome *dmd_dns_check_mx          (GResolver        *resolver,
                                          const char       *domain,
                                          const char       *server,
                                          gint64            deadline,
                                          GCancellable     *cancellable,
                                          char            **out_endpoint);

/* ------------------------------------------------------------------------------------------ */
/* The public IP against the connector's                                                      */

/* Pure. `public_ip`: the address Microsoft saw (EHLO "Hello [ip]", brackets and an "IPv6:"
 * prefix allowed). `connector_ip`: what the user typed: one address, a CIDR range
 * (203.0.113.0/24) or several separated by commas or spaces. Returns a relay-connector-ip-mismatch
 * finding when the public IP is in none of them (other address family included), NULL when it
 * matches or when either side is missing or unparsable (config validation reports that). */
DmdDnsFinding *dmd_dns_check_connector_ip (const char      *public_ip,
                                           const char      *connector_ip);

/* Parse an address as found in an EHLO greeting or typed by a user: brackets, an "IPv6:"
 * prefix and surrounding spaces are allowed. NULL when not an address. */
GInetAddress  *dmd_dns_parse_address      (const char      *text);
/* TRUE when `address` is in network/prefix (same family only). */
gboolean       dmd_inet_address_in_network (GInetAddress   *address,
                                            GInetAddress   *network,
                                            guint           prefix);
/* TRUE for addresses Microsoft cannot see as a sender: private, loopback, link-local, ULA,
 * CGNAT, unspecified, multicast. Documentation ranges count as public (tests use them). */
gboolean       dmd_inet_address_is_private (GInetAddress   *address);

/* Escape DNS text for a report and cut it to max_chars (… appended). */
char          *dmd_dns_escape_text        (const char      *text,
                                           guint            max_chars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdDnsFinding, dmd_dns_finding_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdDnsOutcome, dmd_dns_outcome_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdDnsAnswer, dmd_dns_answer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdMxList, dmd_mx_list_free)

G_END_DECLS
