/* dmd-tls-private.h — TLS internals shared by dmd-conn.c and dmd-tls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <gnutls/gnutls.h>

G_BEGIN_DECLS

/* Client credentials trusting the system store plus ca_file (NULL: none), loaded once per
 * version of the file and shared by every connection for the life of the process (GnuTLS
 * credentials may be shared once set up). Borrowed: never free it. */
gnutls_certificate_credentials_t _dmd_tls_client_creds (const char  *ca_file,
                                                        GError     **error);

G_END_DECLS
