/* dmd-tls-private.h — TLS internals shared by dmd-conn*.c and dmd-tls*.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <gio/gio.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "dmd-tls.h"

G_BEGIN_DECLS

/* Client credentials trusting the system store plus ca_file (NULL: none), loaded once per
 * version of the file and shared by every connection for the life of the process (GnuTLS
 * credentials may be shared once set up). Borrowed: never free it. Lives in dmd-tls-trust.c. */
gnutls_certificate_credentials_t _dmd_tls_client_creds (const char  *ca_file,
                                                        GError     **error);

/* The retrieve function (gnutls_certificate_retrieve_function2) installed on those shared
 * credentials: presents the client certificate set on the session's DmdConn, if any, and
 * records that the server asked for one. Lives in dmd-conn-tls.c. */
int _dmd_conn_retrieve_client_cert (gnutls_session_t              session,
                                    const gnutls_datum_t         *req_ca_rdn,
                                    int                           nreqs,
                                    const gnutls_pk_algorithm_t  *pk_algos,
                                    int                           pk_algos_length,
                                    gnutls_pcert_st             **pcert,
                                    unsigned int                 *pcert_length,
                                    gnutls_privkey_t             *privkey);

/* "AB:CD:…": bytes as upper-case hex pairs joined by colons, as fingerprints are shown.
 * Lives in dmd-tls-info.c. */
char *_dmd_tls_colon_hex (const guint8 *data,
                          gsize         len);

/* The certificate list and key to hand to GnuTLS (owned by cert). Lives in
 * dmd-tls-client-cert.c. */
void _dmd_tls_client_cert_get_gnutls (DmdTlsClientCert   *cert,
                                      gnutls_pcert_st   **pcert,
                                      unsigned int       *n_pcert,
                                      gnutls_privkey_t   *privkey);

G_END_DECLS
