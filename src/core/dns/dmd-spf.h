/* dmd-spf.h — "does this SPF record authorise this IP?" (an RFC 7208 subset) and the spf check
 *
 * Supported: the version and record selection (exactly one "v=spf1" TXT record), every
 * mechanism with its qualifier (+ - ~ ?): all, include (recursive), a and mx (with /cidr and
 * //cidr6), ip4 and ip6 (with prefixes), exists (evaluated: an A lookup of the expanded name),
 * ptr (counted, never matches: RFC 7208 deprecates it), the modifiers redirect= and exp=
 * (exp= is only checked, never fetched), unknown modifiers (ignored), macros in domain specs
 * (%{s l o d i p v h} with digits, r and delimiters; p expands to "unknown", h to the sender
 * domain). Limits: 10 DNS-querying terms (include, a, mx, ptr, exists, redirect) per
 * evaluation, 2 void lookups, 10 MX hosts per mx; more is a permerror. An include loop
 * ends in the lookup limit (permerror) and is also named as a loop.
 *
 * Microsoft's include: include:spf.protection.outlook.com counts when it is in the domain's
 * record or in any record reached through include: or redirect= (many domains include their
 * own list, which includes Microsoft's). All of that tree is walked for it, not only the part
 * the evaluation of one IP happened to reach; the walk also counts the DNS-querying terms of
 * the whole tree (the worst case of the evaluation), because a record that needs more than
 * 10 fails with permerror for every sender matched only after the tenth.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <gio/gio.h>

#include "dmd-dns.h"

G_BEGIN_DECLS

#define DMD_SPF_MAX_LOOKUPS       10
#define DMD_SPF_MAX_VOID_LOOKUPS  2
#define DMD_SPF_MICROSOFT_INCLUDE "spf.protection.outlook.com"

typedef enum {
  DMD_SPF_NONE,
  DMD_SPF_NEUTRAL,
  DMD_SPF_PASS,
  DMD_SPF_FAIL,
  DMD_SPF_SOFTFAIL,
  DMD_SPF_TEMPERROR,
  DMD_SPF_PERMERROR,
} DmdSpfResult;

typedef struct {
  DmdSpfResult  result;
  char         *domain;            /* ASCII, lower case */
  char         *ip;                /* the address evaluated (normalised), or NULL: not evaluated */
  char         *record;            /* the domain's SPF record as published (raw), or NULL; the
                                    * first one when there are several */
  char        **records;           /* every "v=spf1" record at the domain (raw), NULL-terminated */
  guint         n_records;         /* how many (more than 1 = permerror) */
  char         *mechanism;         /* what decided, as written, through the includes:
                                    * "include:_spf.contoso.com > ip4:203.0.113.0/24", "~all";
                                    * NULL when nothing matched (default neutral) or on error */
  char         *mechanism_domain;  /* the domain whose record holds the last term of mechanism */
  char         *problem;           /* translated reason for none/permerror/temperror, or NULL */
  guint         lookups;           /* DNS-querying terms the evaluation used (≤ 10 unless permerror) */
  guint         void_lookups;
  guint         tree_lookups;      /* DNS-querying terms in the whole include/redirect tree */
  gboolean      tree_complete;     /* FALSE when the walk could not fetch or follow everything */
  char         *loop;              /* "a.example > b.example > a.example" when includes loop */
  gboolean      microsoft_include;        /* anywhere in the tree */
  gboolean      microsoft_include_direct; /* in the domain's own record */
  gboolean      cancelled;
} DmdSpfEvaluation;

const char       *dmd_spf_result_to_string    (DmdSpfResult       result); /* "pass", "softfail", … */

/* Pure: check the syntax of one record (with its "v=spf1"). FALSE with a translated reason. */
gboolean          dmd_spf_record_check_syntax (const char        *record,
                                               char             **error);

/* Blocking, bounded by `deadline` and `cancellable` (all lookups share them). `ip` may be NULL:
 * then only the record, its syntax, the tree (Microsoft's include, total lookups) are checked
 * and result is NONE, PERMERROR, TEMPERROR or NEUTRAL. `sender` (for macros) may be NULL:
 * "postmaster@<domain>". Never NULL; free with dmd_spf_evaluation_free. */
DmdSpfEvaluation *dmd_spf_evaluate            (GResolver         *resolver,
                                               const char        *domain,
                                               const char        *ip,
                                               const char        *sender,
                                               gint64             deadline,
                                               GCancellable      *cancellable);
void              dmd_spf_evaluation_free     (DmdSpfEvaluation  *evaluation);

/* The "spf" check for Direct Send / relay, blocking. `public_ip` as Microsoft saw it (may be
 * NULL when unknown). Findings (evidence escaped, records cut to 450 characters):
 *  - spf-missing-record: "contoso.com has no SPF record (no TXT record starting with “v=spf1”)";
 *  - spf-invalid: the reason and the record, e.g. "more than 10 DNS lookups … — v=spf1 …",
 *    "contoso.com has 2 SPF records; there must be one: “v=spf1 …”; “v=spf1 …”",
 *    also when the tree needs more than 10 lookups or includes loop;
 *  - spf-missing-ip: "203.0.113.7 is not authorised by the SPF record of contoso.com (result:
 *    softfail, decided by “~all”): v=spf1 …" — whenever the IP does not pass;
 *  - spf-no-microsoft-include: "The SPF record of contoso.com does not include
 *    spf.protection.outlook.com: v=spf1 …" — only when the whole tree could be walked.
 * A DNS failure (temperror) gives no finding: status WARN and the reason in the summary.
 * Status: WARN with any warning finding, SKIP without a domain, else PASS. */
DmdDnsOutcome    *dmd_spf_check               (GResolver         *resolver,
                                               const char        *domain,
                                               const char        *public_ip,
                                               gint64             deadline,
                                               GCancellable      *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdSpfEvaluation, dmd_spf_evaluation_free)

G_END_DECLS
