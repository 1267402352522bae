/* dmd-conn-private.h — the connection's insides, shared by dmd-conn.c (the socket, the GnuTLS
 * transport, the line buffer) and dmd-conn-tls.c (starting TLS)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <sys/types.h>

#include <gio/gio.h>
#include <gnutls/gnutls.h>

#include "dmd-conn.h"
#include "dmd-reply.h"
#include "dmd-scrub.h"
#include "dmd-tls.h"

G_BEGIN_DECLS

/* How long dmd_conn_close() may spend sending the TLS close_notify. */
#define BYE_TIMEOUT_S 0.5

struct _DmdConn {
  GSocket          *socket;
  DmdLineBuffer    *lines;

  DmdConnLineFunc   line_func;
  gpointer          line_data;
  DmdScrubber      *scrubber;

  gboolean          eof;
  guint64           received;        /* bytes received in plaintext, before TLS */

  /* The first bytes received during a handshake, to recognise a plaintext answer. */
  guint8            hs_first[64];
  gsize             hs_first_len;
  gboolean          in_handshake;

  /* TLS, once started. */
  gnutls_session_t                  session;
  DmdTlsServerCreds                *server_creds;    /* a reference (server side) */
  DmdClientHello                   *client_hello;    /* server side: the first one seen */
  DmdTlsClientCert                 *client_cert;     /* client side: to present, or NULL */
  gboolean                          client_cert_requested;
  gboolean                          client_cert_sent;
  gnutls_certificate_request_t      cert_request;    /* server side */
  GStrv                             trusted_certs;   /* server side: SHA-256s, or NULL */
  int                               received_alert;  /* -1: none */

  /* The context of the GnuTLS call in progress, for the transport functions. */
  gint64            io_deadline;
  GCancellable     *io_cancellable;
  GError           *io_error;
};

/* The context of a GnuTLS call: the transport functions wait with this deadline and
 * cancellable; a failure is kept in conn->io_error. */
void     _dmd_conn_io_begin          (DmdConn        *conn,
                                      gint64          deadline,
                                      GCancellable   *cancellable);
void     _dmd_conn_io_end            (DmdConn        *conn);

/* The transport functions a session is set up with (the pointer is the DmdConn). */
ssize_t  _dmd_conn_tls_pull          (gnutls_transport_ptr_t  ptr,
                                      void                   *data,
                                      size_t                  size);
ssize_t  _dmd_conn_tls_push          (gnutls_transport_ptr_t  ptr,
                                      const void             *data,
                                      size_t                  size);
int      _dmd_conn_tls_pull_timeout  (gnutls_transport_ptr_t  ptr,
                                      unsigned int            ms);

/* A failed GnuTLS call as a GError: the transport's own error when it has one, the peer's
 * alert, or GnuTLS's words. */
void     _dmd_conn_set_tls_error     (DmdConn        *conn,
                                      int             ret,
                                      gboolean        handshake,
                                      GError        **error);

/* TRUE (and G_IO_ERROR_TIMED_OUT) once the deadline (-1: none) has passed. */
gboolean _dmd_conn_deadline_passed   (gint64          deadline,
                                      GError        **error);

/* Takes the credentials out of a line just read, in place (a reply's code is kept). */
void     _dmd_conn_scrub_line        (DmdConn        *conn,
                                      char          **line,
                                      gsize          *len);

G_END_DECLS
