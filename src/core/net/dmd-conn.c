/* dmd-conn.c — one TCP connection with deadlines, cancellation and the bounded line buffer
 *
 * Every wait goes through g_socket_condition_timed_wait() with the remaining time and the
 * caller's cancellable, so a deadline or a cancel from another thread always ends a call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-conn.h"
#include "dmd-tls.h"
#include "dmd-tls-private.h"

/* How much is read from the socket at a time. The line buffer holds at most one line plus
 * one chunk, because we only read when it has no complete line. */
#define READ_CHUNK 16384

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

G_DEFINE_QUARK (dmd-conn-error-quark, dmd_conn_error)

gint64
dmd_deadline_in (double seconds)
{
  if (seconds < 0)
    return -1;
  return g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
}

/* Wait until the socket is ready for `condition`, the deadline passes (G_IO_ERROR_TIMED_OUT
 * with `timeout_message`) or the cancellable fires (G_IO_ERROR_CANCELLED). */
static gboolean
wait_for (GSocket       *socket,
          GIOCondition   condition,
          gint64         deadline,
          GCancellable  *cancellable,
          const char    *timeout_message,
          GError       **error)
{
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 remaining = -1;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (deadline >= 0)
        {
          remaining = deadline - g_get_monotonic_time ();
          if (remaining <= 0)
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, timeout_message);
              return FALSE;
            }
          /* poll() counts in milliseconds: never ask for less than one. */
          remaining = MAX (remaining, 1000);
        }

      if (g_socket_condition_timed_wait (socket, condition, remaining, cancellable, &local_error))
        return TRUE;

      /* A wait rounded short of the deadline is retried; everything else is final. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
}

static const char *
read_timeout_message (void)
{
  return _("Nothing arrived from the other side within the time limit");
}

static const char *
write_timeout_message (void)
{
  return _("The data could not be sent within the time limit");
}

static void
set_closed_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       _("The other side closed the connection"));
}

/* Receive whatever is available (at least one byte, or EOF) into `buffer`, waiting as needed.
 * Returns the byte count, 0 on EOF, -1 on error. */
static gssize
socket_receive (DmdConn       *conn,
                guint8        *buffer,
                gsize          size,
                gint64         deadline,
                GCancellable  *cancellable,
                GError       **error)
{
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;

      n = g_socket_receive (conn->socket, (char *) buffer, size, NULL, &local_error);
      if (n >= 0)
        return n;

      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      if (!wait_for (conn->socket, G_IO_IN, deadline, cancellable, read_timeout_message (),
                     error))
        return -1;
    }
}

/* Send some of `data` (at least one byte), waiting as needed. Returns the count or -1. */
static gssize
socket_send (DmdConn       *conn,
             const guint8  *data,
             gsize          len,
             gint64         deadline,
             GCancellable  *cancellable,
             GError       **error)
{
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;

      n = g_socket_send (conn->socket, (const char *) data, len, NULL, &local_error);
      if (n >= 0)
        return n;

      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      if (!wait_for (conn->socket, G_IO_OUT, deadline, cancellable, write_timeout_message (),
                     error))
        return -1;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* GnuTLS over the non-blocking socket                                                        */
/* ------------------------------------------------------------------------------------------ */

/* The transport functions wait inside (with the deadline and the cancellable of the call in
 * progress) instead of returning EAGAIN, so GnuTLS sees a blocking transport; a timeout, a
 * cancel or a socket error is kept in io_error and reported to GnuTLS as a plain error. */
static void
io_begin (DmdConn      *conn,
          gint64        deadline,
          GCancellable *cancellable)
{
  conn->io_deadline = deadline;
  conn->io_cancellable = cancellable;
  g_clear_error (&conn->io_error);
}

static void
io_end (DmdConn *conn)
{
  conn->io_cancellable = NULL;
}

static int
errno_for (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return ETIMEDOUT;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return ECANCELED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    return ECONNRESET;
  return EIO;
}

static ssize_t
tls_pull (gnutls_transport_ptr_t  ptr,
          void                   *data,
          size_t                  size)
{
  DmdConn *conn = ptr;
  g_autoptr(GError) error = NULL;
  gssize n;

  if (conn->eof)
    return 0;
  n = socket_receive (conn, data, size, conn->io_deadline, conn->io_cancellable, &error);
  if (n < 0)
    {
      gnutls_transport_set_errno (conn->session, errno_for (error));
      g_clear_error (&conn->io_error);
      conn->io_error = g_steal_pointer (&error);
      return -1;
    }
  if (n == 0)
    conn->eof = TRUE;
  if (conn->in_handshake && n > 0 && conn->hs_first_len < sizeof conn->hs_first)
    {
      gsize take = MIN ((gsize) n, sizeof conn->hs_first - conn->hs_first_len);

      memcpy (conn->hs_first + conn->hs_first_len, data, take);
      conn->hs_first_len += take;
    }
  return n;
}

static ssize_t
tls_push (gnutls_transport_ptr_t  ptr,
          const void             *data,
          size_t                  size)
{
  DmdConn *conn = ptr;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = socket_send (conn, data, size, conn->io_deadline, conn->io_cancellable, &error);
  if (n < 0)
    {
      gnutls_transport_set_errno (conn->session, errno_for (error));
      g_clear_error (&conn->io_error);
      conn->io_error = g_steal_pointer (&error);
      return -1;
    }
  return n;
}

/* >0 when data can be read, 0 when ms passed, -1 on error (GnuTLS asks this, for instance
 * to look for data after the TLS 1.3 handshake). Never waits past the call's deadline. */
static int
tls_pull_timeout (gnutls_transport_ptr_t ptr,
                  unsigned int           ms)
{
  DmdConn *conn = ptr;
  g_autoptr(GError) error = NULL;
  gint64 deadline = conn->io_deadline;

  if (conn->eof)
    return 1;
  if (ms == 0)
    return g_socket_condition_check (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR) != 0;
  if (ms != GNUTLS_INDEFINITE_TIMEOUT)
    {
      gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

      deadline = deadline < 0 ? until : MIN (deadline, until);
    }
  if (wait_for (conn->socket, G_IO_IN, deadline, conn->io_cancellable, read_timeout_message (),
                &error))
    return 1;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) &&
      (conn->io_deadline < 0 || g_get_monotonic_time () < conn->io_deadline))
    return 0;
  gnutls_transport_set_errno (conn->session, errno_for (error));
  g_clear_error (&conn->io_error);
  conn->io_error = g_steal_pointer (&error);
  return -1;
}

/* Turn a failed GnuTLS call into a GError: the transport's own error when it has one (so
 * timeouts, cancels and resets keep their GIO codes), the peer's alert, or GnuTLS's words. */
static void
set_tls_error (DmdConn     *conn,
               int          ret,
               gboolean     handshake,
               GError     **error)
{
  if (conn->io_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&conn->io_error));
      if (handshake)
        g_prefix_error (error, "%s", _("During the TLS handshake: "));
      return;
    }

  if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED)
    {
      gnutls_alert_description_t alert = gnutls_alert_get (conn->session);
      const char *name = gnutls_alert_get_name (alert);

      conn->received_alert = (int) alert;

      if (handshake)
        /* Translators: %s is GnuTLS's name of a TLS alert, e.g. "Error in protocol version",
         * %d its number. */
        g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS_ALERT,
                     _("The other side refused the TLS handshake with the alert “%s” (%d)"),
                     name ? name : "?", (int) alert);
      else
        g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS_ALERT,
                     _("The other side ended the TLS session with the alert “%s” (%d)"),
                     name ? name : "?", (int) alert);
      return;
    }

  if (ret == GNUTLS_E_PREMATURE_TERMINATION || (conn->eof && handshake))
    {
      if (handshake)
        g_set_error_literal (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS,
                             _("The other side closed the connection during the TLS handshake"));
      else
        set_closed_error (error);
      return;
    }

  if (handshake)
    /* Translators: %s is GnuTLS's reason, e.g. "A packet with illegal or unsupported version
     * was received." */
    g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS, _("The TLS handshake failed: %s"),
                 gnutls_strerror (ret));
  else
    g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS, _("TLS error: %s"),
                 gnutls_strerror (ret));
}

static gboolean
deadline_passed (gint64   deadline,
                 GError **error)
{
  if (deadline >= 0 && g_get_monotonic_time () >= deadline)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, read_timeout_message ());
      return TRUE;
    }
  return FALSE;
}

/* Like socket_receive, through the TLS session. 0 on a clean or unclean close. */
static gssize
tls_receive (DmdConn       *conn,
             guint8        *buffer,
             gsize          size,
             gint64         deadline,
             GCancellable  *cancellable,
             GError       **error)
{
  ssize_t ret;

  io_begin (conn, deadline, cancellable);
  for (;;)
    {
      ret = gnutls_record_recv (conn->session, buffer, size);
      if (ret >= 0 || gnutls_error_is_fatal ((int) ret) || conn->io_error != NULL)
        break;
      /* Non-fatal: a warning alert, a refused renegotiation, a TLS 1.3 ticket. A peer sending
       * those forever still meets the deadline. */
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          deadline_passed (deadline, error))
        {
          io_end (conn);
          return -1;
        }
    }
  io_end (conn);

  if (ret >= 0)
    return ret;
  if (ret == GNUTLS_E_PREMATURE_TERMINATION && conn->io_error == NULL)
    return 0;
  set_tls_error (conn, (int) ret, FALSE, error);
  return -1;
}

static gssize
tls_send (DmdConn       *conn,
          const guint8  *data,
          gsize          len,
          gint64         deadline,
          GCancellable  *cancellable,
          GError       **error)
{
  ssize_t ret;

  io_begin (conn, deadline, cancellable);
  do
    ret = gnutls_record_send (conn->session, data, len);
  while ((ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) && conn->io_error == NULL);
  io_end (conn);

  if (ret >= 0)
    return ret;
  set_tls_error (conn, (int) ret, FALSE, error);
  return -1;
}

static DmdConn *
conn_new (GSocket *socket)
{
  DmdConn *conn = g_new0 (DmdConn, 1);

  conn->socket = g_object_ref (socket);
  conn->lines = dmd_line_buffer_new ();
  conn->cert_request = GNUTLS_CERT_IGNORE;
  conn->received_alert = -1;
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_timeout (socket, 0);
  /* SMTP is a dialogue of small writes: with Nagle, a second write (a pipelined reply, a TLS
   * record after another) waits for the peer's delayed ACK, some 40 ms each time. */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  return conn;
}

DmdConn *
dmd_conn_connect (GInetSocketAddress  *address,
                  gint64               deadline,
                  GCancellable        *cancellable,
                  GError             **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  socket = g_socket_new (g_socket_address_get_family (G_SOCKET_ADDRESS (address)),
                         G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_timeout (socket, 0);

  if (!g_socket_connect (socket, G_SOCKET_ADDRESS (address), cancellable, &local_error))
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PENDING))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_clear_error (&local_error);

      if (!wait_for (socket, G_IO_OUT, deadline, cancellable,
                     _("No answer to the connection attempt within the time limit"), error))
        return NULL;
      /* Keeps GIO's codes: CONNECTION_REFUSED, HOST_UNREACHABLE, NETWORK_UNREACHABLE, … */
      if (!g_socket_check_connect_result (socket, error))
        return NULL;
    }

  return conn_new (socket);
}

DmdConn *
dmd_conn_new_for_socket (GSocket *socket)
{
  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);

  return conn_new (socket);
}

void
dmd_conn_free (DmdConn *conn)
{
  if (conn == NULL)
    return;
  g_clear_pointer (&conn->session, gnutls_deinit);
  g_clear_pointer (&conn->server_creds, dmd_tls_server_creds_unref);
  g_clear_pointer (&conn->client_hello, dmd_client_hello_free);
  g_clear_pointer (&conn->client_cert, dmd_tls_client_cert_unref);
  g_clear_pointer (&conn->trusted_certs, g_strfreev);
  g_clear_error (&conn->io_error);
  g_clear_object (&conn->socket);
  g_clear_pointer (&conn->lines, dmd_line_buffer_free);
  g_clear_pointer (&conn->scrubber, dmd_scrubber_unref);
  g_free (conn);
}

GSocket *
dmd_conn_get_socket (DmdConn *conn)
{
  g_return_val_if_fail (conn != NULL, NULL);

  return conn->socket;
}

void
dmd_conn_set_line_func (DmdConn         *conn,
                        DmdConnLineFunc  func,
                        gpointer         user_data)
{
  g_return_if_fail (conn != NULL);

  conn->line_func = func;
  conn->line_data = user_data;
}

void
dmd_conn_set_scrubber (DmdConn     *conn,
                       DmdScrubber *scrubber)
{
  g_return_if_fail (conn != NULL);

  if (scrubber != NULL)
    dmd_scrubber_ref (scrubber);
  g_clear_pointer (&conn->scrubber, dmd_scrubber_unref);
  conn->scrubber = scrubber;
}

/* Takes the credentials out of a line just read, in place. A reply's code ("535 ", "250-")
 * is kept: it is no secret, and the reply must still parse. */
static void
scrub_line (DmdConn  *conn,
            char    **line,
            gsize    *len)
{
  gsize keep = 0;
  gsize scrubbed_len = 0;
  char *scrubbed;

  if (dmd_scrubber_is_empty (conn->scrubber))
    return;
  while (keep < 3 && keep < *len && g_ascii_isdigit ((*line)[keep]))
    keep++;
  if (keep < 3)
    keep = 0;
  else if (keep < *len && ((*line)[keep] == ' ' || (*line)[keep] == '-'))
    keep++;

  scrubbed = dmd_scrubber_apply (conn->scrubber, *line + keep, *len - keep, &scrubbed_len);
  if (scrubbed == NULL)
    return;
  {
    char *whole = g_malloc (keep + scrubbed_len + 1);

    memcpy (whole, *line, keep);
    memcpy (whole + keep, scrubbed, scrubbed_len + 1);
    g_free (scrubbed);
    explicit_bzero (*line, *len);
    g_free (*line);
    *line = whole;
    *len = keep + scrubbed_len;
  }
}

/* Read one chunk from the connection into the line buffer. */
static gboolean
fill (DmdConn       *conn,
      gint64         deadline,
      GCancellable  *cancellable,
      GError       **error)
{
  guint8 buffer[READ_CHUNK];
  gssize n;

  if (conn->eof && conn->session == NULL)
    {
      set_closed_error (error);
      return FALSE;
    }
  /* Data trickling in without end still stops at the deadline. */
  if (deadline_passed (deadline, error))
    return FALSE;

  if (conn->session != NULL)
    n = tls_receive (conn, buffer, sizeof buffer, deadline, cancellable, error);
  else
    {
      n = socket_receive (conn, buffer, sizeof buffer, deadline, cancellable, error);
      if (n > 0)
        conn->received += (guint64) n;
    }
  if (n < 0)
    return FALSE;
  if (n == 0)
    {
      conn->eof = TRUE;
      set_closed_error (error);
      return FALSE;
    }
  dmd_line_buffer_push (conn->lines, buffer, (gsize) n);
  return TRUE;
}

gboolean
dmd_conn_read_line (DmdConn       *conn,
                    char         **line,
                    gsize         *len,
                    gint64         deadline,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (conn != NULL, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *line = NULL;
  if (len != NULL)
    *len = 0;

  for (;;)
    {
      gsize n = 0;

      switch (dmd_line_buffer_take_line (conn->lines, line, &n))
        {
        case DMD_LINE_OK:
          scrub_line (conn, line, &n);
          if (len != NULL)
            *len = n;
          return TRUE;

        case DMD_LINE_TOO_LONG:
          g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_LINE_TOO_LONG,
                       _("The other side sent a line longer than %d bytes"),
                       DMD_REPLY_MAX_LINE);
          return FALSE;

        case DMD_LINE_NEED_MORE:
        default:
          break;
        }

      if (!fill (conn, deadline, cancellable, error))
        return FALSE;
    }
}

DmdReply *
dmd_conn_read_reply (DmdConn       *conn,
                     gint64         deadline,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(DmdReplyReader) reader = NULL;

  g_return_val_if_fail (conn != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reader = dmd_reply_reader_new ();
  for (;;)
    {
      g_autofree char *line = NULL;
      g_autoptr(GError) local_error = NULL;
      gsize len = 0;
      gboolean done;

      if (!dmd_conn_read_line (conn, &line, &len, deadline, cancellable, error))
        return NULL;
      if (conn->line_func != NULL)
        conn->line_func (line, len, conn->line_data);

      done = dmd_reply_reader_feed (reader, line, len, &local_error);
      if (local_error != NULL)
        {
          /* Keep the reader's words, under the codes this header promises. */
          int code = g_error_matches (local_error, DMD_REPLY_ERROR,
                                      DMD_REPLY_ERROR_TOO_MANY_LINES)
                     ? DMD_CONN_ERROR_REPLY_TOO_LONG : DMD_CONN_ERROR_MALFORMED;

          g_set_error_literal (error, DMD_CONN_ERROR, code, local_error->message);
          return NULL;
        }
      if (done)
        return dmd_reply_reader_steal (reader);
    }
}

gboolean
dmd_conn_write_all (DmdConn       *conn,
                    const void    *data,
                    gsize          len,
                    gint64         deadline,
                    GCancellable  *cancellable,
                    GError       **error)
{
  const guint8 *p = data;

  g_return_val_if_fail (conn != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  while (len > 0)
    {
      gssize n;

      if (conn->session != NULL)
        n = tls_send (conn, p, len, deadline, cancellable, error);
      else
        n = socket_send (conn, p, len, deadline, cancellable, error);

      if (n < 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gsize
dmd_conn_pending (DmdConn *conn)
{
  g_return_val_if_fail (conn != NULL, 0);

  return dmd_line_buffer_pending (conn->lines);
}

gboolean
dmd_conn_peek_pending (DmdConn       *conn,
                       gint64         deadline,
                       GCancellable  *cancellable)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (conn != NULL, FALSE);

  if (dmd_line_buffer_pending (conn->lines) > 0)
    return TRUE;
  if (conn->session != NULL && gnutls_record_check_pending (conn->session) > 0)
    return TRUE;
  if (conn->eof)
    return FALSE;
  if (!wait_for (conn->socket, G_IO_IN, deadline, cancellable, read_timeout_message (),
                 &local_error))
    return FALSE;
  /* Readable may also mean EOF or an error: only bytes count. */
  return g_socket_get_available_bytes (conn->socket) > 0;
}

void
dmd_conn_close (DmdConn *conn)
{
  g_return_if_fail (conn != NULL);

  if (conn->socket == NULL || g_socket_is_closed (conn->socket))
    return;

  if (conn->session != NULL && !conn->eof)
    {
      /* close_notify, without waiting for the other side's. */
      io_begin (conn, dmd_deadline_in (BYE_TIMEOUT_S), NULL);
      gnutls_bye (conn->session, GNUTLS_SHUT_WR);
      io_end (conn);
    }
  g_socket_close (conn->socket, NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* Starting TLS                                                                               */
/* ------------------------------------------------------------------------------------------ */

static gboolean
check_can_start_tls (DmdConn  *conn,
                     gboolean  client,
                     GError  **error)
{
  if (conn->session != NULL)
    {
      g_set_error_literal (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS,
                           _("TLS is already active on this connection"));
      return FALSE;
    }

  /* Bytes already read as plaintext would be taken as if they came through TLS. After
   * STARTTLS (something was read before) a client also refuses bytes still in the socket:
   * the server must say nothing before the ClientHello. On a fresh connection (implicit TLS)
   * such bytes are a plaintext greeting instead, which the handshake reports. */
  if (dmd_line_buffer_pending (conn->lines) > 0 ||
      (client && conn->received > 0 && g_socket_get_available_bytes (conn->socket) > 0))
    {
      g_set_error_literal (error, DMD_CONN_ERROR, DMD_CONN_ERROR_INJECTION,
                           _("More data arrived after the reply to STARTTLS, before the TLS "
                             "handshake began (possible command injection); TLS was not "
                             "started"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
session_setup (DmdConn     *conn,
               unsigned int flags,
               const char  *priority,
               GError     **error)
{
  const char *error_pos = NULL;
  int ret;

  ret = gnutls_init (&conn->session, flags);
  if (ret < 0)
    {
      conn->session = NULL;
      g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS, _("TLS error: %s"),
                   gnutls_strerror (ret));
      return FALSE;
    }

  ret = gnutls_priority_set_direct (conn->session, priority, &error_pos);
  if (ret < 0)
    {
      /* Translators: the first %s is a GnuTLS priority string, the second where it is wrong. */
      g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS,
                   _("Invalid TLS priority string “%s” at “%s”"), priority,
                   error_pos ? error_pos : "");
      return FALSE;
    }

  gnutls_transport_set_ptr (conn->session, conn);
  gnutls_transport_set_push_function (conn->session, tls_push);
  gnutls_transport_set_pull_function (conn->session, tls_pull);
  gnutls_transport_set_pull_timeout_function (conn->session, tls_pull_timeout);
  /* Our deadline is the only timeout. */
  gnutls_handshake_set_timeout (conn->session, 0);
  gnutls_session_set_ptr (conn->session, conn);
  return TRUE;
}

/* "220 …" from a server, "EHLO …" from a device: text where a TLS record was expected (a
 * record starts with a content type byte of 20-24, an SSLv2 hello with 0x80). */
static gboolean
looks_like_plaintext (const guint8 *data,
                      gsize         len)
{
  if (len < 4)
    return FALSE;
  for (gsize i = 0; i < 4; i++)
    if (data[i] < 0x20 || data[i] > 0x7E)
      return FALSE;
  return TRUE;
}

static char *
first_line (DmdConn      *conn,
            const guint8 *data,
            gsize         len)
{
  g_autofree char *line = NULL;
  gsize n = 0;

  while (n < len && data[n] != '\r' && data[n] != '\n')
    n++;
  line = g_strndup ((const char *) data, n);
  scrub_line (conn, &line, &n);
  return dmd_escape_bytes ((const guint8 *) line, n);
}

/* A fatal alert record in the clear (TLS 1.2 and older send alerts unencrypted until the
 * ChangeCipherSpec) waiting in the socket: its description, or -1. */
static int
plaintext_alert_waiting (DmdConn *conn)
{
  guint8 record[7];
  gssize n = g_socket_receive (conn->socket, (char *) record, sizeof record, NULL, NULL);

  if (n == (gssize) sizeof record && record[0] == 21 && record[1] == 3 && record[3] == 0 &&
      record[4] == 2 && record[5] == GNUTLS_AL_FATAL)
    return record[6];
  return -1;
}

/* Run the handshake. On failure the session is dropped again (the connection is only good
 * for closing then) after telling the other side why with an alert. */
static gboolean
handshake (DmdConn       *conn,
           gint64         deadline,
           GCancellable  *cancellable,
           GError       **error)
{
  int ret;

  io_begin (conn, deadline, cancellable);
  conn->in_handshake = TRUE;
  conn->hs_first_len = 0;
  for (;;)
    {
      ret = gnutls_handshake (conn->session);
      if (ret >= 0 || gnutls_error_is_fatal (ret) || conn->io_error != NULL)
        break;
      /* Non-fatal (a warning alert): go on, within the deadline. */
      if (g_cancellable_set_error_if_cancelled (cancellable, &conn->io_error) ||
          deadline_passed (deadline, &conn->io_error))
        break;
    }

  conn->in_handshake = FALSE;

  if (ret < 0)
    {
      int alert = -1;

      /* A server refusing our certificate may send its alert and reset the connection while
       * our flight is still going out: the write fails, yet the alert already arrived. */
      if (g_error_matches (conn->io_error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
        alert = plaintext_alert_waiting (conn);
      if (alert >= 0)
        {
          const char *name = gnutls_alert_get_name ((gnutls_alert_description_t) alert);

          conn->received_alert = alert;
          g_clear_error (&conn->io_error);
          g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS_ALERT,
                       _("The other side refused the TLS handshake with the alert “%s” (%d)"),
                       name ? name : "?", alert);
        }
      else if (conn->io_error == NULL && ret != GNUTLS_E_FATAL_ALERT_RECEIVED &&
          looks_like_plaintext (conn->hs_first, conn->hs_first_len))
        {
          g_autofree char *first = NULL;
          gssize more;

          /* GnuTLS read only a record header's worth: take what else already arrived. */
          more = g_socket_receive (conn->socket, (char *) conn->hs_first + conn->hs_first_len,
                                   sizeof conn->hs_first - conn->hs_first_len, NULL, NULL);
          if (more > 0)
            conn->hs_first_len += (gsize) more;
          first = first_line (conn, conn->hs_first, conn->hs_first_len);

          /* Translators: %s is the first line the other side sent, e.g.
           * "220 mx.example ESMTP" or "EHLO printer". */
          g_set_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS,
                       _("The other side sent plain text instead of TLS: “%s”"), first);
        }
      else
        set_tls_error (conn, ret, TRUE, error);
      if (!conn->eof && ret != GNUTLS_E_FATAL_ALERT_RECEIVED && ret != GNUTLS_E_PULL_ERROR &&
          ret != GNUTLS_E_PUSH_ERROR)
        {
          gint64 bye = dmd_deadline_in (BYE_TIMEOUT_S);

          io_begin (conn, deadline >= 0 ? MIN (deadline, bye) : bye, NULL);
          gnutls_alert_send_appropriate (conn->session, ret);
        }
      io_end (conn);
      g_clear_error (&conn->io_error);
      g_clear_pointer (&conn->session, gnutls_deinit);
      return FALSE;
    }
  io_end (conn);
  return TRUE;
}

static void
fill_session_info (DmdConn    *conn,
                   DmdTlsInfo *info)
{
  const char *suite;
  char *description;

  info->version = g_strdup (gnutls_protocol_get_name (gnutls_protocol_get_version (conn->session)));
  suite = gnutls_ciphersuite_get (conn->session);
  info->cipher = g_strdup (suite);
  description = gnutls_session_get_desc (conn->session);
  info->description = g_strdup (description);
  gnutls_free (description);
}

gboolean
dmd_conn_start_tls_client (DmdConn        *conn,
                           const char     *server_name,
                           const char     *priority,
                           const char     *ca_file,
                           gint64          deadline,
                           GCancellable   *cancellable,
                           DmdTlsInfo    **info,
                           GError        **error)
{
  g_autoptr(DmdTlsInfo) result = NULL;
  gnutls_certificate_credentials_t creds;
  const gnutls_datum_t *peers;
  unsigned int n_peers = 0;
  unsigned int status = 0;
  gboolean is_ip;
  int ret;

  g_return_val_if_fail (conn != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (info != NULL)
    *info = NULL;
  if (priority == NULL)
    priority = dmd_tls_priority_default ();
  is_ip = server_name != NULL && g_hostname_is_ip_address (server_name);

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !check_can_start_tls (conn, TRUE, error))
    return FALSE;

  creds = _dmd_tls_client_creds (ca_file, error);
  if (creds == NULL)
    return FALSE;

  if (!session_setup (conn, GNUTLS_CLIENT, priority, error))
    {
      g_clear_pointer (&conn->session, gnutls_deinit);
      return FALSE;
    }
  gnutls_credentials_set (conn->session, GNUTLS_CRD_CERTIFICATE, creds);
  /* SNI carries host names only (RFC 6066), never an address. */
  if (server_name != NULL && *server_name != '\0' && !is_ip)
    gnutls_server_name_set (conn->session, GNUTLS_NAME_DNS, server_name, strlen (server_name));

  if (!handshake (conn, deadline, cancellable, error))
    return FALSE;

  result = dmd_tls_info_new ();
  fill_session_info (conn, result);

  peers = gnutls_certificate_get_peers (conn->session, &n_peers);
  for (unsigned int i = 0; peers != NULL && i < n_peers && i < 16; i++)
    {
      DmdCertInfo *cert = dmd_tls_cert_info_from_der (peers[i].data, peers[i].size);

      if (cert != NULL)
        g_ptr_array_add (result->chain, cert);
    }

  /* Verification is reported, not enforced: the caller decides (credentials never go over
   * an unverified session unless the user allowed it). */
  ret = gnutls_certificate_verify_peers3 (conn->session,
                                          server_name && *server_name ? server_name : NULL,
                                          &status);
  if (ret < 0)
    status = GNUTLS_CERT_INVALID | (n_peers == 0 ? 0 : GNUTLS_CERT_SIGNER_NOT_FOUND);
  result->verify_status = status;
  result->verified = status == 0;
  result->problem = dmd_tls_describe_verify_status (status, result->chain, server_name);

  g_debug ("tls: %s %s verified=%d", result->version, result->cipher, result->verified);
  if (info != NULL)
    *info = g_steal_pointer (&result);
  return TRUE;
}

void
dmd_conn_set_client_cert (DmdConn          *conn,
                          DmdTlsClientCert *cert)
{
  g_return_if_fail (conn != NULL);

  g_clear_pointer (&conn->client_cert, dmd_tls_client_cert_unref);
  if (cert != NULL)
    conn->client_cert = dmd_tls_client_cert_ref (cert);
}

gboolean
dmd_conn_get_client_cert_requested (DmdConn *conn)
{
  g_return_val_if_fail (conn != NULL, FALSE);

  return conn->client_cert_requested;
}

gboolean
dmd_conn_get_client_cert_sent (DmdConn *conn)
{
  g_return_val_if_fail (conn != NULL, FALSE);

  return conn->client_cert_sent;
}

int
dmd_conn_get_received_alert (DmdConn *conn)
{
  g_return_val_if_fail (conn != NULL, -1);

  return conn->received_alert;
}

void
dmd_conn_set_client_cert_request (DmdConn                      *conn,
                                  gnutls_certificate_request_t  request)
{
  g_return_if_fail (conn != NULL);

  conn->cert_request = request;
}

void
dmd_conn_set_trusted_client_certs (DmdConn            *conn,
                                   const char * const *sha256)
{
  g_return_if_fail (conn != NULL);

  g_clear_pointer (&conn->trusted_certs, g_strfreev);
  conn->trusted_certs = g_strdupv ((char **) sha256);
}

/* Server side, as soon as the client's certificate arrived: is it a trusted one? */
static int
verify_client_cert (gnutls_session_t session)
{
  DmdConn *conn = gnutls_session_get_ptr (session);
  const gnutls_datum_t *peers;
  unsigned int n_peers = 0;
  DmdCertInfo *leaf;
  gboolean trusted;

  if (conn == NULL || conn->trusted_certs == NULL)
    return 0;
  peers = gnutls_certificate_get_peers (session, &n_peers);
  if (peers == NULL || n_peers == 0)
    return conn->cert_request == GNUTLS_CERT_REQUIRE ? GNUTLS_E_CERTIFICATE_ERROR : 0;
  leaf = dmd_tls_cert_info_from_der (peers[0].data, peers[0].size);
  trusted = leaf != NULL && leaf->sha256 != NULL &&
            g_strv_contains ((const char * const *) conn->trusted_certs, leaf->sha256);
  dmd_cert_info_free (leaf);
  return trusted ? 0 : GNUTLS_E_CERTIFICATE_ERROR;
}

/* GnuTLS asks for our certificate only when the server sent a CertificateRequest. */
int
_dmd_conn_retrieve_client_cert (gnutls_session_t              session,
                                const gnutls_datum_t         *req_ca_rdn,
                                int                           nreqs,
                                const gnutls_pk_algorithm_t  *pk_algos,
                                int                           pk_algos_length,
                                gnutls_pcert_st             **pcert,
                                unsigned int                 *pcert_length,
                                gnutls_privkey_t             *privkey)
{
  DmdConn *conn = gnutls_session_get_ptr (session);

  *pcert = NULL;
  *pcert_length = 0;
  *privkey = NULL;
  if (conn == NULL)
    return 0;
  conn->client_cert_requested = TRUE;
  if (conn->client_cert != NULL)
    {
      _dmd_tls_client_cert_get_gnutls (conn->client_cert, pcert, pcert_length, privkey);
      conn->client_cert_sent = *pcert_length > 0;
    }
  g_debug ("tls: the server asked for a client certificate; %s",
           conn->client_cert_sent ? "presenting ours" : "none to present");
  return 0;
}

static int
client_hello_hook (gnutls_session_t      session,
                   unsigned int          htype,
                   unsigned int          when,
                   unsigned int          incoming,
                   const gnutls_datum_t *msg)
{
  DmdConn *conn = gnutls_session_get_ptr (session);

  if (htype == GNUTLS_HANDSHAKE_CLIENT_HELLO && incoming && conn != NULL &&
      conn->client_hello == NULL && msg != NULL)
    conn->client_hello = dmd_client_hello_parse (msg->data, msg->size);
  return 0;
}

gboolean
dmd_conn_start_tls_server (DmdConn            *conn,
                           DmdTlsServerCreds  *creds,
                           const char         *priority,
                           gint64              deadline,
                           GCancellable       *cancellable,
                           DmdTlsInfo        **info,
                           GError            **error)
{
  g_autoptr(DmdTlsInfo) result = NULL;
  char name[256];
  size_t name_len = sizeof name - 1;
  unsigned int type = 0;

  g_return_val_if_fail (conn != NULL, FALSE);
  g_return_val_if_fail (creds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (info != NULL)
    *info = NULL;
  if (priority == NULL)
    priority = dmd_tls_priority_permissive_server ();

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !check_can_start_tls (conn, FALSE, error))
    return FALSE;

  if (!session_setup (conn, GNUTLS_SERVER, priority, error))
    {
      g_clear_pointer (&conn->session, gnutls_deinit);
      return FALSE;
    }
  g_clear_pointer (&conn->server_creds, dmd_tls_server_creds_unref);
  conn->server_creds = dmd_tls_server_creds_ref (creds);
  gnutls_credentials_set (conn->session, GNUTLS_CRD_CERTIFICATE,
                          dmd_tls_server_creds_get_gnutls (creds));
  gnutls_certificate_server_set_request (conn->session, conn->cert_request);
  if (conn->trusted_certs != NULL)
    gnutls_session_set_verify_function (conn->session, verify_client_cert);
  gnutls_handshake_set_hook_function (conn->session, GNUTLS_HANDSHAKE_CLIENT_HELLO,
                                      GNUTLS_HOOK_PRE, client_hello_hook);

  if (!handshake (conn, deadline, cancellable, error))
    return FALSE;

  result = dmd_tls_info_new ();
  fill_session_info (conn, result);
  if (gnutls_server_name_get (conn->session, name, &name_len, &type, 0) >= 0 &&
      type == GNUTLS_NAME_DNS)
    result->sni = dmd_escape_bytes ((const guint8 *) name, MIN (name_len, sizeof name - 1));
  if (conn->cert_request != GNUTLS_CERT_IGNORE)
    {
      unsigned int n_peers = 0;
      const gnutls_datum_t *peers = gnutls_certificate_get_peers (conn->session, &n_peers);

      for (unsigned int i = 0; peers != NULL && i < n_peers && i < 16; i++)
        {
          DmdCertInfo *cert = dmd_tls_cert_info_from_der (peers[i].data, peers[i].size);

          if (cert != NULL)
            g_ptr_array_add (result->chain, cert);
        }
    }

  g_debug ("tls: server %s %s", result->version, result->cipher);
  if (info != NULL)
    *info = g_steal_pointer (&result);
  return TRUE;
}

const DmdClientHello *
dmd_conn_get_client_hello (DmdConn *conn)
{
  g_return_val_if_fail (conn != NULL, NULL);

  return conn->client_hello;
}

gboolean
dmd_conn_is_tls (DmdConn *conn)
{
  g_return_val_if_fail (conn != NULL, FALSE);

  return conn->session != NULL;
}
