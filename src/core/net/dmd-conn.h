/* dmd-conn.h — one TCP connection: deadlines, cancellation, the bounded line buffer, and
 * GnuTLS on top once STARTTLS (or implicit TLS) begins. Used by the SMTP client, the TLS
 * version probes, the scripted test server and the capture listener.
 *
 * All calls block the calling thread (the engine runs each connection in a worker thread) but
 * never longer than the deadline, and return at once (G_IO_ERROR_CANCELLED) when the
 * cancellable is cancelled. The socket itself is non-blocking; waiting happens in
 * g_socket_condition_timed_wait() with the cancellable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <gio/gio.h>
#include <gnutls/gnutls.h>

#include "dmd-reply.h"
#include "dmd-scrub.h"
#include "dmd-tls.h"

G_BEGIN_DECLS

/* Deadlines are g_get_monotonic_time() values in µs; use dmd_deadline_in (seconds).
 * A deadline of -1 means none (only the cancellable ends the wait); dmd_deadline_in() of a
 * negative number returns -1. */
gint64 dmd_deadline_in (double seconds);

typedef struct _DmdConn DmdConn;

/* Connect to address:port with a deadline. Errors keep GIO's codes so callers can tell
 * G_IO_ERROR_TIMED_OUT (dropped), G_IO_ERROR_CONNECTION_REFUSED, G_IO_ERROR_HOST_UNREACHABLE /
 * G_IO_ERROR_NETWORK_UNREACHABLE (no route) apart. */
DmdConn  *dmd_conn_connect          (GInetSocketAddress  *address,
                                     gint64               deadline,
                                     GCancellable        *cancellable,
                                     GError             **error);
/* Wrap an accepted socket (server side). Takes a reference. */
DmdConn  *dmd_conn_new_for_socket   (GSocket             *socket);
void      dmd_conn_free             (DmdConn             *conn);
GSocket  *dmd_conn_get_socket       (DmdConn             *conn);

/* The credentials a server must never get stored: every line read (dmd_conn_read_line,
 * dmd_conn_read_reply, the plain text quoted when a handshake meets one) goes through the
 * scrubber first; a reply's code stays as it is. Keeps a reference; NULL: none. */
void      dmd_conn_set_scrubber     (DmdConn             *conn,
                                     DmdScrubber         *scrubber);
/* Read one line (CRLF or LF stripped). Raw bytes: may contain invalid UTF-8 or NULs (len says).
 * Errors: G_IO_ERROR_TIMED_OUT at the deadline, G_IO_ERROR_CONNECTION_CLOSED on EOF,
 * DMD_CONN_ERROR_LINE_TOO_LONG, TLS errors as DMD_CONN_ERROR_TLS. */
gboolean  dmd_conn_read_line        (DmdConn             *conn,
                                     char               **line,
                                     gsize               *len,
                                     gint64               deadline,
                                     GCancellable        *cancellable,
                                     GError             **error);
/* Called with each raw line (CRLF stripped, not escaped, may contain NULs) that
 * dmd_conn_read_reply() reads, for the transcript. Not called for dmd_conn_read_line(). */
typedef void (*DmdConnLineFunc) (const char *line,
                                 gsize       len,
                                 gpointer    user_data);
void      dmd_conn_set_line_func    (DmdConn             *conn,
                                     DmdConnLineFunc      func,
                                     gpointer             user_data);
/* Read a whole SMTP reply (multi-line), bounded by DMD_REPLY_MAX_LINE/LINES. Each raw line
 * is also passed to the line func (dmd_conn_set_line_func) for the transcript.
 * Errors: those of dmd_conn_read_line; DMD_CONN_ERROR_REPLY_TOO_LONG (more than
 * DMD_REPLY_MAX_LINES lines) and DMD_CONN_ERROR_MALFORMED (not a reply line, mixed codes) with
 * the DmdReplyReader's message. */
DmdReply *dmd_conn_read_reply       (DmdConn             *conn,
                                     gint64               deadline,
                                     GCancellable        *cancellable,
                                     GError             **error);
gboolean  dmd_conn_write_all        (DmdConn             *conn,
                                     const void          *data,
                                     gsize                len,
                                     gint64               deadline,
                                     GCancellable        *cancellable,
                                     GError             **error);
/* Bytes received but not yet consumed as lines. Must be 0 before TLS starts (STARTTLS
 * injection): dmd_conn_start_tls_* fail with DMD_CONN_ERROR_INJECTION otherwise. */
gsize     dmd_conn_pending          (DmdConn             *conn);
/* Wait up to `deadline` for more bytes to arrive without consuming them; TRUE when some did.
 * Used right after the 220 reply to STARTTLS to catch injected plaintext already in flight. */
gboolean  dmd_conn_peek_pending     (DmdConn             *conn,
                                     gint64               deadline,
                                     GCancellable        *cancellable);
/* Start TLS as the client, over this connection (after "220" to STARTTLS, or at once for
 * implicit TLS). Refuses with DMD_CONN_ERROR_INJECTION when bytes are pending (in the line
 * buffer or already in the socket).
 *   server_name: the configured name (never the --connect-to address): sent as SNI unless it
 *                is an IP literal, and the certificate is checked against it (NULL: no name
 *                check, no SNI);
 *   priority:    a GnuTLS priority string (dmd_tls_priority_for_version() for the version
 *                matrix), NULL for dmd_tls_priority_default();
 *   ca_file:     extra trust anchors (PEM) on top of the system store, or NULL.
 * TRUE when the handshake succeeded, even when the certificate did not verify: *info (may be
 * NULL; free with dmd_tls_info_free) says version, cipher, chain, verified and the problem in
 * words. Errors: DMD_CONN_ERROR_TLS_ALERT (the server refused, message names the alert),
 * DMD_CONN_ERROR_TLS (GnuTLS's reason, or the server closed during the handshake),
 * G_IO_ERROR_TIMED_OUT / G_IO_ERROR_CANCELLED / socket errors (message prefixed), and
 * DMD_CONN_ERROR_INJECTION. After a failed handshake the connection is only good for
 * dmd_conn_close()/dmd_conn_free(). Once TLS is up, read_line/read_reply/write_all go through
 * it and dmd_conn_close() sends close_notify. */
gboolean  dmd_conn_start_tls_client (DmdConn             *conn,
                                     const char          *server_name,
                                     const char          *priority,
                                     const char          *ca_file,
                                     gint64               deadline,
                                     GCancellable        *cancellable,
                                     DmdTlsInfo         **info,
                                     GError             **error);
/* Client side: the certificate to present when the server asks for one (a reference is
 * kept; NULL: none). Set it before dmd_conn_start_tls_client(). */
void      dmd_conn_set_client_cert  (DmdConn             *conn,
                                     DmdTlsClientCert    *cert);
/* Client side, after a handshake (also a failed one): whether the server asked for a client
 * certificate, and whether one was sent in answer. */
gboolean  dmd_conn_get_client_cert_requested (DmdConn    *conn);
gboolean  dmd_conn_get_client_cert_sent      (DmdConn    *conn);
/* The fatal alert last received from the other side (gnutls_alert_description_t), during the
 * handshake or after it; -1 when none was. */
int       dmd_conn_get_received_alert        (DmdConn    *conn);
/* Server side: whether to ask the client for a certificate (GNUTLS_CERT_IGNORE, the default;
 * GNUTLS_CERT_REQUEST; GNUTLS_CERT_REQUIRE: the handshake fails without one). Set it before
 * dmd_conn_start_tls_server(); what was sent is in the DmdTlsInfo's chain (not verified: the
 * caller judges it). */
void      dmd_conn_set_client_cert_request   (DmdConn                       *conn,
                                              gnutls_certificate_request_t   request);
/* Server side: refuse the handshake with the alert bad_certificate unless the client's
 * certificate is one of these (SHA-256 fingerprints as DmdCertInfo gives them; copied).
 * NULL: any certificate passes. Needs GNUTLS_CERT_REQUIRE to refuse a client without one. */
void      dmd_conn_set_trusted_client_certs  (DmdConn                       *conn,
                                              const char * const            *sha256);

/* Start TLS as the server (scripted test server, capture listener) with creds (a reference is
 * kept). priority NULL means dmd_tls_priority_permissive_server(). Same errors, plus
 * DMD_CONN_ERROR_INJECTION when the client's plaintext is still buffered. *info: version,
 * cipher and the SNI the client sent; chain empty, verified FALSE. The ClientHello is
 * recorded before it is processed, so dmd_conn_get_client_hello() has it even when the
 * handshake then fails. */
gboolean  dmd_conn_start_tls_server (DmdConn             *conn,
                                     DmdTlsServerCreds   *creds,
                                     const char          *priority,
                                     gint64               deadline,
                                     GCancellable        *cancellable,
                                     DmdTlsInfo         **info,
                                     GError             **error);
/* Server side: the first ClientHello received (owned by conn), or NULL. */
const DmdClientHello *dmd_conn_get_client_hello (DmdConn *conn);
gboolean  dmd_conn_is_tls           (DmdConn             *conn);
/* Close (TLS close_notify if any, bounded to half a second, then the socket). Errors ignored.
 * Safe to call twice; dmd_conn_free() is still needed. */
void      dmd_conn_close            (DmdConn             *conn);

typedef enum {
  DMD_CONN_ERROR_LINE_TOO_LONG,
  DMD_CONN_ERROR_REPLY_TOO_LONG,
  DMD_CONN_ERROR_MALFORMED,      /* not an SMTP reply */
  DMD_CONN_ERROR_INJECTION,      /* bytes buffered when TLS was to start */
  DMD_CONN_ERROR_TLS,            /* handshake or record error; message = GnuTLS reason in words */
  DMD_CONN_ERROR_TLS_ALERT,      /* the peer sent a fatal alert (message names it) */
} DmdConnError;
#define DMD_CONN_ERROR (dmd_conn_error_quark ())
GQuark    dmd_conn_error_quark      (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdConn, dmd_conn_free)

G_END_DECLS
