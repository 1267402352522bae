/* dmd-tls-database.h — GIO TLS trusting what the SMTP connections trust
 *
 * A GTlsDatabase for GIO TLS connections (libsoup's, to the identity platform) that verifies
 * a server's chain exactly as dmd_conn_start_tls_client() does: with GnuTLS, against the
 * system store plus the run's extra CA file (--ca-file), for the server name given here —
 * never the address connected to, so that --connect-to still checks the certificate against
 * the original name, as curl does. It keeps what the last verification saw (the chain and
 * the problem in words) for the report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <gio/gio.h>

#include "dmd-tls.h"

G_BEGIN_DECLS

#define DMD_TYPE_TLS_DATABASE (dmd_tls_database_get_type ())
G_DECLARE_FINAL_TYPE (DmdTlsDatabase, dmd_tls_database, DMD, TLS_DATABASE, GTlsDatabase)

/* ca_file: extra trust anchors (PEM) or NULL; server_name: the name the certificate must be
 * for. Fails when the CA file cannot be loaded. */
DmdTlsDatabase *dmd_tls_database_new         (const char      *ca_file,
                                              const char      *server_name,
                                              GError         **error);
/* What the last verification found: the chain the server sent (leaf first; DmdCertInfo*,
 * a new reference, NULL before any), and why it failed, in words (NULL when it passed or
 * none was made). */
GPtrArray      *dmd_tls_database_dup_chain   (DmdTlsDatabase  *self);
char           *dmd_tls_database_dup_problem (DmdTlsDatabase  *self);

G_END_DECLS
