/* dmd-dnsbl.h — is the public IP on a DNS blocklist? (RFC 5782 queries, one constant table)
 *
 * Each list is asked for the address (reversed octets for IPv4, reversed nibbles for IPv6)
 * and, at the same time, for its RFC 5782 test entry (127.0.0.2, or ::ffff:127.0.0.2 for
 * IPv6): a list that does not list its own test entry ignores this network's DNS server, so
 * its "not listed" means nothing. Every query of every list runs concurrently, bounded by one
 * deadline.
 *
 * How answers are read:
 *   NXDOMAIN (and the test entry listed)        → clean
 *   127.0.0.2 – 127.255.255.251, not 127.0.0.1  → listed (the table says what the code means)
 *   127.255.255.0/24, 127.0.0.1                 → the list refused to answer (public/open
 *                                                 resolver, over the free limit, typo)
 *   anything outside 127.0.0.0/8                → the network's DNS rewrites answers
 *   SERVFAIL, no answer before the deadline     → could not be asked
 * Only "clean" and "listed" are answers; the rest is blocklist-unknown, never clean.
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

/* A sensible deadline for the whole blocklist check. */
#define DMD_DNSBL_TIMEOUT_SECONDS 4

typedef struct {
  const char *address;   /* "127.0.0.4" */
  const char *meaning;   /* N_(): translated when used */
  gboolean    dynamic;   /* a policy listing of dynamic/end-user ranges (Spamhaus PBL), not spam */
} DmdDnsblCode;

typedef struct {
  const char         *zone;     /* "zen.spamhaus.org" */
  const char         *name;     /* "Spamhaus ZEN" */
  gboolean            ipv6;     /* also answers for IPv6 addresses */
  const DmdDnsblCode *codes;    /* terminated by { NULL } */
  const char         *url;      /* where to look the address up and ask for removal */
} DmdDnsbl;

/* The lists asked, in report order. */
const DmdDnsbl *dmd_dnsbl_lists       (guint          *n_lists);

typedef enum {
  DMD_DNSBL_CLEAN,
  DMD_DNSBL_LISTED,
  DMD_DNSBL_REFUSED,         /* 127.255.255.0/24 or 127.0.0.1 */
  DMD_DNSBL_UNEXPECTED,      /* an answer outside 127.0.0.0/8 */
  DMD_DNSBL_NO_TEST_ENTRY,   /* not listed, but the test entry was not listed either */
  DMD_DNSBL_FAILED,          /* SERVFAIL, refused by the DNS server, timeout */
  DMD_DNSBL_NOT_APPLICABLE,  /* an IPv6 address and an IPv4-only list */
} DmdDnsblState;

typedef struct {
  const DmdDnsbl *list;
  DmdDnsblState   state;
  GPtrArray      *answers;   /* char*: the addresses the list returned for the IP */
  char           *meaning;   /* translated: what the answers mean, or why there is no answer */
  gboolean        dynamic;   /* listed only as a dynamic/end-user address (PBL) */
} DmdDnsblResult;

void            dmd_dnsbl_result_free (DmdDnsblResult *result);
const char     *dmd_dnsbl_state_to_string (DmdDnsblState state); /* "clean", "listed", … */

/* "4.3.2.1.zen.spamhaus.org", or the 32 reversed nibbles for IPv6. Newly allocated. */
char           *dmd_dnsbl_query_name  (GInetAddress   *address,
                                       const char     *zone);

/* Blocking, bounded. One DmdDnsblResult* per list, in the order given; NULL when `ip` is not
 * an address or when cancelled. */
GPtrArray      *dmd_dnsbl_query       (GResolver      *resolver,
                                       const char     *ip,
                                       const DmdDnsbl *lists,
                                       guint           n_lists,
                                       gint64          deadline,
                                       GCancellable   *cancellable);

/* The "blocklist" check, blocking, on the built-in lists. Findings:
 *  - ip-on-dnsbl, one per list that lists the address: "203.0.113.7 is listed on Spamhaus
 *    ZEN (zen.spamhaus.org): 127.0.0.4 — XBL: …" (with a note for PBL listings);
 *  - blocklist-unknown, one for all the lists that could not be asked: "Spamhaus ZEN: query
 *    refused (127.255.255.254: …); SpamCop: no answer before the deadline".
 * Status: WARN when listed, SKIP when no list could be asked (or the IP is unknown or not
 * public), else PASS. */
DmdDnsOutcome  *dmd_dnsbl_check       (GResolver      *resolver,
                                       const char     *public_ip,
                                       gint64          deadline,
                                       GCancellable   *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdDnsblResult, dmd_dnsbl_result_free)

G_END_DECLS
