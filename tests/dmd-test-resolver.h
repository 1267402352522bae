/* dmd-test-resolver.h — a GResolver for tests: answers A/AAAA/MX/TXT (and NXDOMAIN, SERVFAIL,
 * REFUSED, "never answers") from a zone file, counts the queries
 *
 * TEST-ONLY. It is linked into the test programs and into the test build of the CLI
 * (device-mail-doctor-cli-test, never installed); the installed CLI and the application do not
 * contain it. The zone file format is described in tests/data/zones/README.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DMD_TYPE_TEST_RESOLVER (dmd_test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (DmdTestResolver, dmd_test_resolver, DMD, TEST_RESOLVER, GResolver)

DmdTestResolver *dmd_test_resolver_new             (void);
/* Add the records of a zone file / of zone text (same format) to what the resolver serves. */
gboolean         dmd_test_resolver_load_file       (DmdTestResolver  *self,
                                                    const char       *path,
                                                    GError          **error);
gboolean         dmd_test_resolver_load_data       (DmdTestResolver  *self,
                                                    const char       *text,
                                                    GError          **error);
void             dmd_test_resolver_clear           (DmdTestResolver  *self);

/* Queries asked so far. name NULL = any name; type NULL = any type, else "A/AAAA" (a lookup
 * by name of both families), "A", "AAAA", "MX" or "TXT". Names are compared lower case,
 * without a trailing dot. */
guint            dmd_test_resolver_get_query_count (DmdTestResolver  *self,
                                                    const char       *name,
                                                    const char       *type);
/* Every query in the order asked, as "TYPE name" ("TXT contoso.com"). Free with g_strfreev. */
char           **dmd_test_resolver_get_queries     (DmdTestResolver  *self);
void             dmd_test_resolver_reset_counts    (DmdTestResolver  *self);
/* Lookups started and not answered yet (TIMEOUT entries, held lookups). */
guint            dmd_test_resolver_get_pending     (DmdTestResolver  *self);
/* Hold: asynchronous lookups are not answered, and ignore cancellation, until released
 * (a resolver whose thread cannot be stopped). Release answers them from the zone data now. */
void             dmd_test_resolver_set_hold        (DmdTestResolver  *self,
                                                    gboolean          hold);
guint            dmd_test_resolver_release         (DmdTestResolver  *self);

/* TEST-ONLY hook for a program's main(): when the environment variable
 * DMD_TEST_RESOLVER_ZONE names a zone file, load it and make this resolver the process's
 * default (g_resolver_set_default). Returns TRUE when installed, FALSE when the variable is
 * unset or empty; exits with status 2 and a message on stderr when the file cannot be loaded. */
gboolean         dmd_test_resolver_install_from_env (void);

G_END_DECLS
