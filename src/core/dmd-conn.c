/* dmd-conn.c — one TCP connection with deadlines, cancellation and the bounded line buffer
 *
 * Every wait goes through g_socket_condition_timed_wait() with the remaining time and the
 * caller's cancellable, so a deadline or a cancel from another thread always ends a call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-conn.h"

/* How much is read from the socket at a time. The line buffer holds at most one line plus
 * one chunk, because we only read when it has no complete line. */
#define READ_CHUNK 16384

struct _DmdConn {
  GSocket          *socket;
  DmdLineBuffer    *lines;

  DmdConnLineFunc   line_func;
  gpointer          line_data;

  gboolean          eof;
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

static DmdConn *
conn_new (GSocket *socket)
{
  DmdConn *conn = g_new0 (DmdConn, 1);

  conn->socket = g_object_ref (socket);
  conn->lines = dmd_line_buffer_new ();
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_timeout (socket, 0);
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
  g_clear_object (&conn->socket);
  g_clear_pointer (&conn->lines, dmd_line_buffer_free);
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

/* Read one chunk from the connection into the line buffer. */
static gboolean
fill (DmdConn       *conn,
      gint64         deadline,
      GCancellable  *cancellable,
      GError       **error)
{
  guint8 buffer[READ_CHUNK];
  gssize n;

  if (conn->eof)
    {
      set_closed_error (error);
      return FALSE;
    }

  n = socket_receive (conn, buffer, sizeof buffer, deadline, cancellable, error);
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
      switch (dmd_line_buffer_take_line (conn->lines, line, len))
        {
        case DMD_LINE_OK:
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
      gssize n = socket_send (conn, p, len, deadline, cancellable, error);

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

  if (conn->socket != NULL && !g_socket_is_closed (conn->socket))
    g_socket_close (conn->socket, NULL);
}
