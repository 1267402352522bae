/* test-conn.c — DmdConn against in-process servers on 127.0.0.1 (port 0, one thread each)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-conn.h"

/* ------------------------------------------------------------------------------------------ */
/* A one-connection server in a thread. The script runs on the accepted DmdConn.              */
/* ------------------------------------------------------------------------------------------ */

typedef struct _TestServer TestServer;
typedef void (*ServerScript) (TestServer *server,
                              DmdConn    *conn);

struct _TestServer {
  GSocket            *listener;
  GInetSocketAddress *address;
  GThread            *thread;
  ServerScript        script;
  gpointer            data;
  GCancellable       *cancellable;   /* cancelled at teardown: ends any server wait */
};

static gpointer
server_thread (gpointer user_data)
{
  TestServer *server = user_data;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(DmdConn) conn = NULL;

  socket = g_socket_accept (server->listener, server->cancellable, NULL);
  if (socket == NULL)
    return NULL;
  conn = dmd_conn_new_for_socket (socket);
  server->script (server, conn);
  dmd_conn_close (conn);
  return NULL;
}

static TestServer *
test_server_start (ServerScript script,
                   gpointer     data)
{
  TestServer *server = g_new0 (TestServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;

  server->script = script;
  server->data = data;
  server->cancellable = g_cancellable_new ();
  server->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (server->listener, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (server->listener, &error);
  g_assert_no_error (error);
  server->address = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (server->listener, &error));
  g_assert_no_error (error);
  server->thread = g_thread_new ("test-server", server_thread, server);
  return server;
}

static void
test_server_stop (TestServer *server)
{
  g_cancellable_cancel (server->cancellable);
  g_thread_join (server->thread);
  g_socket_close (server->listener, NULL);
  g_object_unref (server->listener);
  g_object_unref (server->address);
  g_object_unref (server->cancellable);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_stop)

static DmdConn *
connect_to (TestServer *server)
{
  g_autoptr(GError) error = NULL;
  DmdConn *conn = dmd_conn_connect (server->address, dmd_deadline_in (5), NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conn);
  return conn;
}

static void
server_send (DmdConn    *conn,
             const char *text)
{
  g_autoptr(GError) error = NULL;

  dmd_conn_write_all (conn, text, strlen (text), dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
}

/* Wait until the client closes (or the test tears the server down). */
static void
server_wait_for_close (TestServer *server,
                       DmdConn    *conn)
{
  for (;;)
    {
      g_autofree char *line = NULL;

      if (!dmd_conn_read_line (conn, &line, NULL, dmd_deadline_in (20), server->cancellable, NULL))
        return;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Plaintext                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static void
lines_script (TestServer *server,
              DmdConn    *conn)
{
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;

  static const char greeting[] = "220 mx.test ESMTP\r\nbare LF\nwith\0NUL\r\n";

  dmd_conn_write_all (conn, greeting, sizeof greeting - 1, dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  dmd_conn_read_line (conn, &line, NULL, dmd_deadline_in (5), server->cancellable, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "EHLO client.test");
  /* Split across writes: the reader must join the pieces. */
  server_send (conn, "250-mx.test Hello [127.0.0.1]\r\n250-PIPE");
  g_usleep (20 * 1000);
  server_send (conn, "LINING\r\n250 STARTTLS\r\n");
  server_wait_for_close (server, conn);
}

static void
test_plain_lines (void)
{
  g_autoptr(TestServer) server = test_server_start (lines_script, NULL);
  g_autoptr(DmdConn) conn = connect_to (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autofree char *l1 = NULL;
  g_autofree char *l2 = NULL;
  g_autofree char *l3 = NULL;
  gsize len = 0;

  g_assert_true (dmd_conn_read_line (conn, &l1, &len, dmd_deadline_in (5), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (l1, ==, "220 mx.test ESMTP");
  g_assert_cmpuint (len, ==, strlen ("220 mx.test ESMTP"));
  g_assert_true (dmd_conn_read_line (conn, &l2, &len, dmd_deadline_in (5), NULL, &error));
  g_assert_cmpstr (l2, ==, "bare LF");
  g_assert_true (dmd_conn_read_line (conn, &l3, &len, dmd_deadline_in (5), NULL, &error));
  g_assert_cmpuint (len, ==, 8);
  g_assert_cmpmem (l3, len, "with\0NUL", 8);
  g_assert_cmpuint (dmd_conn_pending (conn), ==, 0);

  g_assert_true (dmd_conn_write_all (conn, "EHLO client.test\r\n", 18, dmd_deadline_in (5),
                                     NULL, &error));
  g_assert_no_error (error);

  reply = dmd_conn_read_reply (conn, dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_cmpuint (reply->lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (reply->lines, 1), ==, "PIPELINING");
  dmd_conn_close (conn);
}

static void
eof_script (TestServer *server,
            DmdConn    *conn)
{
  server_send (conn, "221 bye\r\npartial");
}

static void
test_plain_eof (void)
{
  g_autoptr(TestServer) server = test_server_start (eof_script, NULL);
  g_autoptr(DmdConn) conn = connect_to (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *rest = NULL;

  g_assert_true (dmd_conn_read_line (conn, &line, NULL, dmd_deadline_in (5), NULL, &error));
  g_assert_cmpstr (line, ==, "221 bye");
  g_assert_false (dmd_conn_read_line (conn, &rest, NULL, dmd_deadline_in (5), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_null (rest);
}

static void
long_line_script (TestServer *server,
                  DmdConn    *conn)
{
  gsize size = 1024 * 1024;
  g_autofree char *big = g_malloc (size);

  memset (big, 'A', size);
  /* The client stops reading and closes: the write fails, which is fine. */
  dmd_conn_write_all (conn, big, size, dmd_deadline_in (10), server->cancellable, NULL);
}

static void
test_plain_line_too_long (void)
{
  g_autoptr(TestServer) server = test_server_start (long_line_script, NULL);
  g_autoptr(DmdConn) conn = connect_to (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_assert_false (dmd_conn_read_line (conn, &line, NULL, dmd_deadline_in (5), NULL, &error));
  g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_LINE_TOO_LONG);
  g_assert_null (line);
  dmd_conn_close (conn);
}

static void
many_lines_script (TestServer *server,
                   DmdConn    *conn)
{
  for (guint i = 0; i < DMD_REPLY_MAX_LINES * 4; i++)
    if (!dmd_conn_write_all (conn, "250-more\r\n", 10, dmd_deadline_in (10), server->cancellable,
                             NULL))
      return;
  server_wait_for_close (server, conn);
}

static void
test_plain_reply_too_long (void)
{
  g_autoptr(TestServer) server = test_server_start (many_lines_script, NULL);
  g_autoptr(DmdConn) conn = connect_to (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;

  reply = dmd_conn_read_reply (conn, dmd_deadline_in (5), NULL, &error);
  g_assert_null (reply);
  g_assert_nonnull (error);
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  dmd_conn_close (conn);
}

static void
stall_script (TestServer *server,
              DmdConn    *conn)
{
  server_send (conn, "220-first line of a reply that never ends\r\n");
  server_wait_for_close (server, conn);
}

static void
test_plain_stall (void)
{
  g_autoptr(TestServer) server = test_server_start (stall_script, NULL);
  g_autoptr(DmdConn) conn = connect_to (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;
  gint64 deadline = dmd_deadline_in (0.3);

  reply = dmd_conn_read_reply (conn, deadline, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_null (reply);
  /* The deadline held: it did not return early. */
  g_assert_cmpint (g_get_monotonic_time (), >=, deadline);
  dmd_conn_close (conn);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (100 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_plain_cancel (void)
{
  g_autoptr(TestServer) server = test_server_start (stall_script, NULL);
  g_autoptr(DmdConn) conn = connect_to (server);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;
  GThread *canceller;
  gint64 start = g_get_monotonic_time ();

  canceller = g_thread_new ("cancel", cancel_later, cancellable);
  reply = dmd_conn_read_reply (conn, dmd_deadline_in (30), cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (reply);
  /* Ended by the cancel, long before the 30 s deadline. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
  g_thread_join (canceller);
  dmd_conn_close (conn);
}

static void
test_connect_refused (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdConn) conn = NULL;

  /* A port that was free a moment ago and has no listener now. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_socket_close (socket, NULL);

  conn = dmd_conn_connect (G_INET_SOCKET_ADDRESS (bound), dmd_deadline_in (5), NULL, &error);
  g_assert_null (conn);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

/* A listener that never accepts, with a full backlog: further SYNs go unanswered, as with a
 * firewall that drops them. */
static void
test_connect_timeout (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdConn) conn = NULL;
  gint64 deadline;

  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                           &error);
  g_assert_no_error (error);
  g_socket_set_listen_backlog (listener, 0);
  g_socket_bind (listener, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (listener, &error);

  /* Fill the backlog until a connection attempt stops completing. */
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(GError) fill_error = NULL;
      DmdConn *filler = dmd_conn_connect (G_INET_SOCKET_ADDRESS (bound), dmd_deadline_in (0.2),
                                          NULL, &fill_error);

      if (filler == NULL)
        {
          g_assert_error (fill_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
          break;
        }
      g_ptr_array_add (fillers, g_object_ref (dmd_conn_get_socket (filler)));
      dmd_conn_free (filler);
    }

  deadline = dmd_deadline_in (0.3);
  conn = dmd_conn_connect (G_INET_SOCKET_ADDRESS (bound), deadline, NULL, &error);
  g_assert_null (conn);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time (), >=, deadline);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dmd/conn/plain-lines", test_plain_lines);
  g_test_add_func ("/dmd/conn/plain-eof", test_plain_eof);
  g_test_add_func ("/dmd/conn/line-too-long", test_plain_line_too_long);
  g_test_add_func ("/dmd/conn/reply-too-long", test_plain_reply_too_long);
  g_test_add_func ("/dmd/conn/stall-timeout", test_plain_stall);
  g_test_add_func ("/dmd/conn/cancel", test_plain_cancel);
  g_test_add_func ("/dmd/conn/connect-refused", test_connect_refused);
  g_test_add_func ("/dmd/conn/connect-timeout", test_connect_timeout);

  return g_test_run ();
}
