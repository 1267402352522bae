/* dmd-tls.h — what the TLS layer tells its callers: priority strings per version, the session
 * description (version, cipher suite, certificate chain, verification verdict in words), the
 * client's ClientHello as a server saw it, and server credentials. The handshakes themselves
 * are dmd_conn_start_tls_client() / dmd_conn_start_tls_server() in dmd-conn.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <gio/gio.h>
#include <gnutls/gnutls.h>

#include "dmd-result.h"
#include "dmd-words.h"   /* the version names */

G_BEGIN_DECLS

/* GnuTLS priority strings (static, never free them).
 *
 * dmd_tls_priority_for_version (DMD_TLS10 … DMD_TLS13) allows exactly that one version, for
 * the version matrix. The TLS 1.0/1.1 strings add 3DES-CBC so that an old server that only
 * has it still counts as accepting the version; GnuTLS 3.7.9 needs nothing else for 1.0/1.1
 * (NORMAL keeps the SHA-1 MAC and the RSA-SHA1 signatures). Returns NULL for a bad index.
 *
 * dmd_tls_priority_default: the client's main dialogue, TLS 1.0 to 1.3, best first.
 * dmd_tls_priority_permissive_server: the capture listener: TLS 1.0 to 1.3 with the legacy
 * ciphers old devices may be limited to (3DES, RC4), so it sees what the device does. */
const char *dmd_tls_priority_for_version        (int          dmd_tls_index);
const char *dmd_tls_priority_default            (void);
const char *dmd_tls_priority_permissive_server  (void);

/* The extra trust anchors (--ca-file), read as the client reads them: at most
 * DMD_TLS_CA_FILE_MAX bytes (a CA bundle is a few hundred KiB), and it must hold at least one
 * PEM certificate. FALSE with a message naming the file: G_IO_ERROR_MESSAGE_TOO_LARGE,
 * G_IO_ERROR_INVALID_DATA (no certificate: random bytes, empty, a key only) or the system's
 * reason. *n_certs (may be NULL) gets the number of certificates. */
#define DMD_TLS_CA_FILE_MAX (4 * 1024 * 1024)
gboolean    dmd_tls_ca_file_check               (const char  *path,
                                                 guint       *n_certs,
                                                 GError     **error);

/* The outcome of a successful handshake. */
typedef struct {
  char      *version;        /* "TLS1.0" … "TLS1.3" */
  char      *cipher;         /* IANA cipher suite name, e.g. "TLS_AES_256_GCM_SHA384",
                              * "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" */
  char      *description;    /* GnuTLS's one-line session description, for the transcript */
  GPtrArray *chain;          /* DmdCertInfo*, leaf first: the chain the server sent (client
                              * side), or the client's certificates when it sent some
                              * (server side; not verified) */
  gboolean   verified;       /* client side: chain trusted and issued for the server name */
  char      *problem;        /* translated sentence(s) saying why not, NULL when verified */
  guint      verify_status;  /* gnutls_certificate_status_t bits, 0 when verified */
  char      *sni;            /* server side: the name the client asked for, or NULL */
} DmdTlsInfo;

DmdTlsInfo *dmd_tls_info_new                    (void);
void        dmd_tls_info_free                   (DmdTlsInfo  *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdTlsInfo, dmd_tls_info_free)

/* A ClientHello as received by a server (the capture listener). Every string is safe to show
 * (ASCII or escaped). */
typedef struct {
  char      *legacy_version;      /* version field of the hello: "TLS1.2" (what a TLS 1.3
                                   * client also sends), "TLS1.0", "SSL3.0", or "0x0305" */
  char      *max_version;         /* highest version offered: from supported_versions when
                                   * present, else legacy_version */
  GPtrArray *supported_versions;  /* char*, the supported_versions extension in the client's
                                   * order (GREASE values left out); empty when absent */
  GPtrArray *cipher_suites;       /* char*, in the client's order: GnuTLS names, or "0xC0A3"
                                   * for suites GnuTLS does not know */
  char      *sni;                 /* server_name (host name), or NULL */
} DmdClientHello;

/* Parse a ClientHello handshake message, with or without its 4-byte handshake header.
 * NULL when it is not one (truncated, bad lengths). */
DmdClientHello *dmd_client_hello_parse          (const guint8   *data,
                                                 gsize           len);
DmdClientHello *dmd_client_hello_copy           (const DmdClientHello *hello);
void            dmd_client_hello_free           (DmdClientHello *hello);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdClientHello, dmd_client_hello_free)

/* Server credentials: a certificate chain and its key, shared by many connections (and
 * threads; they are read-only once loaded). */
typedef struct _DmdTlsServerCreds DmdTlsServerCreds;

DmdTlsServerCreds *dmd_tls_server_creds_new_from_files (const char        *cert_file,
                                                        const char        *key_file,
                                                        GError           **error);
DmdTlsServerCreds *dmd_tls_server_creds_ref            (DmdTlsServerCreds *creds);
void               dmd_tls_server_creds_unref          (DmdTlsServerCreds *creds);
/* SHA-256 of the leaf certificate, colon-separated upper-case hex (owned by creds). */
const char        *dmd_tls_server_creds_get_sha256     (DmdTlsServerCreds *creds);
gnutls_certificate_credentials_t
                   dmd_tls_server_creds_get_gnutls     (DmdTlsServerCreds *creds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdTlsServerCreds, dmd_tls_server_creds_unref)

/* A client certificate (the leaf, optionally followed by its chain) and its private key, read
 * from PEM files, presented when a server asks for one (relay connectors that trust a
 * certificate). Immutable once loaded and shared by the connections of a run (and threads);
 * the key stays in memory, its file's bytes are wiped after parsing, and nothing of it is
 * ever shown.
 *
 * new_from_files: both files (may be the same file, holding both) are read up to
 * DMD_TLS_CLIENT_CERT_MAX_FILE bytes; the key must be unencrypted and belong to the first
 * certificate. Errors (G_IO_ERROR, translated, naming the file): missing, unreadable, not a
 * regular file, too large, no certificate, no key, a passphrase-protected key, a key of
 * another certificate. An expired certificate loads (the server judges it; the report shows
 * its dates). */
#define DMD_TLS_CLIENT_CERT_MAX_FILE (256 * 1024)

typedef struct _DmdTlsClientCert DmdTlsClientCert;

DmdTlsClientCert  *dmd_tls_client_cert_new_from_files (const char        *cert_file,
                                                        const char        *key_file,
                                                        GError           **error);
DmdTlsClientCert  *dmd_tls_client_cert_ref             (DmdTlsClientCert  *cert);
void               dmd_tls_client_cert_unref           (DmdTlsClientCert  *cert);
/* The leaf certificate's description (owned by cert). */
const DmdCertInfo *dmd_tls_client_cert_get_info        (DmdTlsClientCert  *cert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdTlsClientCert, dmd_tls_client_cert_unref)

/* Describe one X.509 certificate (DER). NULL when it cannot be parsed. */
DmdCertInfo *dmd_tls_cert_info_from_der         (const guint8   *der,
                                                 gsize           len);

/* The verification verdict in words (translated), from gnutls_certificate_verify_peers3()'s
 * status, the chain (leaf first) and the name that was checked. NULL when status is 0. */
char        *dmd_tls_describe_verify_status     (guint           status,
                                                 GPtrArray      *chain,
                                                 const char     *server_name);

G_END_DECLS
