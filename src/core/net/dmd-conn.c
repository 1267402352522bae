/* dmd-conn.c — one TCP connection with deadlines, cancellation and the bounded line buffer,
 * and the transport GnuTLS runs over. Starting TLS (the handshakes) is in dmd-conn-tls.c.
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
#include "dmd-conn-private.h"
#include "dmd-tls.h"
#include "dmd-tls-private.h"

/* How much is read from the socket at a time. The line buffer holds at most one line plus
 * one chunk, because we only read when it has no complete line. */
#define READ_CHUNK 16384

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
void
_dmd_conn_io_begin (DmdConn      *conn,
                    gint64        deadline,
                    GCancellable *cancellable)
{
  conn->io_deadline = deadline;
  conn->io_cancellable = cancellable;
  g_clear_error (&conn->io_error);
}

void
_dmd_conn_io_end (DmdConn *conn)
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

ssize_t
_dmd_conn_tls_pull (gnutls_transport_ptr_t  ptr,
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

ssize_t
_dmd_conn_tls_push (gnutls_transport_ptr_t  ptr,
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
int
_dmd_conn_tls_pull_timeout (gnutls_transport_ptr_t ptr,
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
void
_dmd_conn_set_tls_error (DmdConn     *conn,
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

gboolean
_dmd_conn_deadline_passed (gint64   deadline,
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

  _dmd_conn_io_begin (conn, deadline, cancellable);
  for (;;)
    {
      ret = gnutls_record_recv (conn->session, buffer, size);
      if (ret >= 0 || gnutls_error_is_fatal ((int) ret) || conn->io_error != NULL)
        break;
      /* Non-fatal: a warning alert, a refused renegotiation, a TLS 1.3 ticket. A peer sending
       * those forever still meets the deadline. */
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          _dmd_conn_deadline_passed (deadline, error))
        {
          _dmd_conn_io_end (conn);
          return -1;
        }
    }
  _dmd_conn_io_end (conn);

  if (ret >= 0)
    return ret;
  if (ret == GNUTLS_E_PREMATURE_TERMINATION && conn->io_error == NULL)
    return 0;
  _dmd_conn_set_tls_error (conn, (int) ret, FALSE, error);
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

  _dmd_conn_io_begin (conn, deadline, cancellable);
  do
    ret = gnutls_record_send (conn->session, data, len);
  while ((ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) && conn->io_error == NULL);
  _dmd_conn_io_end (conn);

  if (ret >= 0)
    return ret;
  _dmd_conn_set_tls_error (conn, (int) ret, FALSE, error);
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
void
_dmd_conn_scrub_line (DmdConn  *conn,
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
  if (_dmd_conn_deadline_passed (deadline, error))
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
          _dmd_conn_scrub_line (conn, line, &n);
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
      _dmd_conn_io_begin (conn, dmd_deadline_in (BYE_TIMEOUT_S), NULL);
      gnutls_bye (conn->session, GNUTLS_SHUT_WR);
      _dmd_conn_io_end (conn);
    }
  g_socket_close (conn->socket, NULL);
}
