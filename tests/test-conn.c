/* test-conn.c — DmdConn against in-process servers on 127.0.0.1 (port 0, one thread each)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sys/socket.h>

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
test_server_free (TestServer *server,
                  gboolean    cancel)
{
  if (cancel)
    g_cancellable_cancel (server->cancellable);
  g_thread_join (server->thread);
  g_socket_close (server->listener, NULL);
  g_object_unref (server->listener);
  g_object_unref (server->address);
  g_object_unref (server->cancellable);
  g_free (server);
}

/* Cancel whatever the server waits for, then join it. */
static void
test_server_stop (TestServer *server)
{
  test_server_free (server, TRUE);
}

/* Let the server's script finish on its own. */
static void
test_server_join (TestServer *server)
{
  test_server_free (server, FALSE);
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

/* ------------------------------------------------------------------------------------------ */
/* TLS: an SMTP-like STARTTLS exchange against a DmdConn TLS server                            */
/* ------------------------------------------------------------------------------------------ */

static char *
cert_path (const char *name)
{
  return g_test_build_filename (G_TEST_BUILT, name, NULL);
}

/* TRUE when tests/make-test-certs.sh ran (certtool was found at configure time). */
static gboolean
have_test_certs (void)
{
  g_autofree char *ca = cert_path ("test-ca.pem");

  if (g_file_test (ca, G_FILE_TEST_EXISTS))
    return TRUE;
  g_test_skip ("no test certificates (certtool missing when configured)");
  return FALSE;
}

typedef struct {
  /* set by the test */
  const char     *cert;           /* file name in the build dir */
  const char     *priority;       /* server priority, NULL: permissive */
  const char     *after_220;      /* bytes sent right after "220 go ahead" (injection) */
  gboolean        late_injection; /* send after_220 in a separate write, a bit later */
  gboolean        mute;           /* say 220 to STARTTLS, then never answer the handshake */
  int             after_tls;      /* 0: answer NOOP; 1: "221 bye" + close_notify + close;
                                   * 2: the same without close_notify; 3: 1 MiB line */
  gnutls_certificate_request_t cert_request;  /* server: ask for a client certificate */
  const char     *trusted_client; /* server: refuse other client certificates (file name) */
  const char     *client_cert;    /* client: present this certificate (file name) … */
  const char     *client_key;     /* … with this key */
  /* set by the client */
  gboolean        client_requested;
  gboolean        client_sent;
  int             client_alert;
  /* set by the server */
  gboolean        handshake_ok;
  GError         *error;
  DmdTlsInfo     *info;
  DmdClientHello *hello;
} TlsSpec;

static void
tls_spec_clear (TlsSpec *spec)
{
  g_clear_error (&spec->error);
  g_clear_pointer (&spec->info, dmd_tls_info_free);
  g_clear_pointer (&spec->hello, dmd_client_hello_free);
}

static void
tls_script (TestServer *server,
            DmdConn    *conn)
{
  TlsSpec *spec = server->data;
  g_autofree char *cert = cert_path (spec->cert ? spec->cert : "test-server.pem");
  g_autofree char *key = cert_path ("test-server-key.pem");
  g_autoptr(DmdTlsServerCreds) creds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *ping = NULL;

  creds = dmd_tls_server_creds_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (dmd_tls_server_creds_get_sha256 (creds));

  server_send (conn, "220 mx.test ESMTP\r\n");
  if (!dmd_conn_read_line (conn, &line, NULL, dmd_deadline_in (5), server->cancellable, NULL))
    return;
  g_assert_cmpstr (line, ==, "STARTTLS");

  if (spec->after_220 != NULL && !spec->late_injection)
    {
      g_autofree char *both = g_strconcat ("220 go ahead\r\n", spec->after_220, NULL);

      server_send (conn, both);
      server_wait_for_close (server, conn);
      return;
    }
  server_send (conn, "220 go ahead\r\n");
  if (spec->after_220 != NULL)
    {
      g_usleep (50 * 1000);
      server_send (conn, spec->after_220);
      server_wait_for_close (server, conn);
      return;
    }
  if (spec->mute)
    {
      /* Swallow the ClientHello, answer nothing, until the client gives up. */
      server_wait_for_close (server, conn);
      return;
    }

  dmd_conn_set_client_cert_request (conn, spec->cert_request);
  if (spec->trusted_client != NULL)
    {
      g_autofree char *path = cert_path (spec->trusted_client);
      g_autofree char *pem = NULL;
      gnutls_datum_t in, der = { NULL, 0 };
      DmdCertInfo *trusted;
      gsize len = 0;

      g_assert_true (g_file_get_contents (path, &pem, &len, NULL));
      in.data = (unsigned char *) pem;
      in.size = (unsigned int) len;
      g_assert_cmpint (gnutls_pem_base64_decode2 ("CERTIFICATE", &in, &der), >=, 0);
      trusted = dmd_tls_cert_info_from_der (der.data, der.size);
      gnutls_free (der.data);
      dmd_conn_set_trusted_client_certs (conn, (const char * const[]) { trusted->sha256, NULL });
      dmd_cert_info_free (trusted);
    }
  spec->handshake_ok = dmd_conn_start_tls_server (conn, creds, spec->priority,
                                                  dmd_deadline_in (5), server->cancellable,
                                                  &spec->info, &spec->error);
  spec->hello = dmd_client_hello_copy (dmd_conn_get_client_hello (conn));
  if (!spec->handshake_ok)
    return;

  g_assert_true (dmd_conn_is_tls (conn));
  if (spec->after_tls == 1 || spec->after_tls == 2)
    {
      server_send (conn, "221 2.0.0 bye\r\n");
      if (spec->after_tls == 2)
        g_socket_close (dmd_conn_get_socket (conn), NULL);
      return;
    }
  if (spec->after_tls == 3)
    {
      gsize size = 1024 * 1024;
      g_autofree char *big = g_malloc (size);

      memset (big, 'A', size);
      dmd_conn_write_all (conn, big, size, dmd_deadline_in (10), server->cancellable, NULL);
      return;
    }
  if (!dmd_conn_read_line (conn, &ping, NULL, dmd_deadline_in (5), server->cancellable, NULL))
    return;
  g_assert_cmpstr (ping, ==, "NOOP");
  server_send (conn, "250 2.0.0 OK\r\n");
  server_wait_for_close (server, conn);
}

/* Connect, read the banner, say STARTTLS, read the 220. */
static DmdConn *
starttls_prelude (TestServer *server)
{
  g_autoptr(DmdConn) conn = connect_to (server);
  g_autoptr(DmdReply) banner = NULL;
  g_autoptr(DmdReply) go = NULL;
  g_autoptr(GError) error = NULL;

  banner = dmd_conn_read_reply (conn, dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (banner->code, ==, 220);
  dmd_conn_write_all (conn, "STARTTLS\r\n", 10, dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  go = dmd_conn_read_reply (conn, dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (go->code, ==, 220);
  return g_steal_pointer (&conn);
}

/* The whole exchange; returns the client's info (or NULL with *error) and fills spec. */
static DmdTlsInfo *
run_tls (TlsSpec     *spec,
         const char  *server_name,
         const char  *client_priority,
         gboolean     trust_test_ca,
         GError     **error)
{
  TestServer *server = test_server_start (tls_script, spec);
  g_autoptr(DmdConn) conn = starttls_prelude (server);
  g_autofree char *ca = trust_test_ca ? cert_path ("test-ca.pem") : NULL;
  g_autoptr(DmdTlsInfo) info = NULL;

  if (spec->client_cert != NULL)
    {
      g_autofree char *cert = cert_path (spec->client_cert);
      g_autofree char *key = cert_path (spec->client_key);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(DmdTlsClientCert) client = dmd_tls_client_cert_new_from_files (cert, key,
                                                                               &local_error);

      g_assert_no_error (local_error);
      dmd_conn_set_client_cert (conn, client);
    }
  if (dmd_conn_start_tls_client (conn, server_name, client_priority, ca, dmd_deadline_in (5),
                                 NULL, &info, error))
    {
      g_autoptr(DmdReply) reply = NULL;
      g_autoptr(GError) local_error = NULL;

      g_assert_nonnull (info);
      g_assert_true (dmd_conn_is_tls (conn));
      /* Lines now go through TLS, transparently. */
      dmd_conn_write_all (conn, "NOOP\r\n", 6, dmd_deadline_in (5), NULL, &local_error);
      g_assert_no_error (local_error);
      reply = dmd_conn_read_reply (conn, dmd_deadline_in (5), NULL, &local_error);
      g_assert_no_error (local_error);
      g_assert_cmpuint (reply->code, ==, 250);
    }
  else
    g_assert_null (info);
  spec->client_requested = dmd_conn_get_client_cert_requested (conn);
  spec->client_sent = dmd_conn_get_client_cert_sent (conn);
  spec->client_alert = dmd_conn_get_received_alert (conn);
  dmd_conn_close (conn);
  test_server_stop (server);
  return g_steal_pointer (&info);
}

static gboolean
has_string (GPtrArray  *array,
            const char *s)
{
  for (guint i = 0; i < array->len; i++)
    if (g_str_equal (g_ptr_array_index (array, i), s))
      return TRUE;
  return FALSE;
}

static void
test_tls_priorities (void)
{
  for (int i = DMD_TLS10; i < DMD_N_TLS_VERSIONS; i++)
    {
      gnutls_priority_t prio;

      g_assert_cmpint (gnutls_priority_init (&prio, dmd_tls_priority_for_version (i), NULL), ==,
                       GNUTLS_E_SUCCESS);
      gnutls_priority_deinit (prio);
      g_assert_cmpint (dmd_tls_version_index (dmd_tls_version_name (i)), ==, i);
    }
  g_assert_null (dmd_tls_version_name (DMD_N_TLS_VERSIONS));
  g_assert_cmpint (dmd_tls_version_index ("SSL3.0"), ==, -1);
  for (guint i = 0; i < 2; i++)
    {
      gnutls_priority_t prio;
      const char *p = i == 0 ? dmd_tls_priority_default () : dmd_tls_priority_permissive_server ();

      g_assert_cmpint (gnutls_priority_init (&prio, p, NULL), ==, GNUTLS_E_SUCCESS);
      gnutls_priority_deinit (prio);
    }
}

static void
assert_test_leaf (DmdTlsInfo *info)
{
  DmdCertInfo *leaf;

  g_assert_cmpuint (info->chain->len, >=, 1);
  leaf = g_ptr_array_index (info->chain, 0);
  g_assert_nonnull (strstr (leaf->subject, "CN=localhost"));
  g_assert_nonnull (strstr (leaf->issuer, "CN=Device Mail Doctor Test CA"));
  g_assert_true (has_string (leaf->sans, "smtp.office365.com"));
  g_assert_true (has_string (leaf->sans, "contoso-com.mail.protection.outlook.com"));
  g_assert_true (has_string (leaf->sans, "127.0.0.1"));
  g_assert_true (has_string (leaf->sans, "::1"));
  g_assert_true (g_str_has_suffix (leaf->not_after, "Z"));
  g_assert_cmpuint (strlen (leaf->not_before), ==, strlen ("2026-01-01T00:00:00Z"));
  g_assert_cmpuint (strlen (leaf->sha256), ==, 32 * 3 - 1);
}

static void
test_tls12_verified (void)
{
  TlsSpec spec = { 0 };
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  info = run_tls (&spec, "localhost", dmd_tls_priority_for_version (DMD_TLS12), TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->version, ==, "TLS1.2");
  g_assert_nonnull (info->cipher);
  g_assert_nonnull (info->description);
  g_assert_true (info->verified);
  g_assert_cmpuint (info->verify_status, ==, 0);
  g_assert_null (info->problem);
  assert_test_leaf (info);

  /* The server's view: the same version, the SNI, the ClientHello. */
  g_assert_no_error (spec.error);
  g_assert_true (spec.handshake_ok);
  g_assert_cmpstr (spec.info->version, ==, "TLS1.2");
  g_assert_cmpstr (spec.info->cipher, ==, info->cipher);
  g_assert_cmpstr (spec.info->sni, ==, "localhost");
  g_assert_nonnull (spec.hello);
  g_assert_cmpstr (spec.hello->legacy_version, ==, "TLS1.2");
  g_assert_cmpstr (spec.hello->max_version, ==, "TLS1.2");
  g_assert_cmpstr (spec.hello->sni, ==, "localhost");
  g_assert_cmpuint (spec.hello->cipher_suites->len, >, 0);
  tls_spec_clear (&spec);
}

static void
test_tls13_verified_connect_to (void)
{
  TlsSpec spec = { .cert = "test-server-chain.pem" };
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  /* As with --connect-to: connected to 127.0.0.1, verified against the configured name. */
  info = run_tls (&spec, "smtp.office365.com", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->version, ==, "TLS1.3");
  g_assert_true (g_str_has_prefix (info->cipher, "TLS_"));
  g_assert_true (info->verified);
  g_assert_null (info->problem);
  g_assert_cmpuint (info->chain->len, ==, 2);
  assert_test_leaf (info);
  g_assert_nonnull (strstr (((DmdCertInfo *) g_ptr_array_index (info->chain, 1))->subject,
                            "CN=Device Mail Doctor Test CA"));

  g_assert_cmpstr (spec.info->sni, ==, "smtp.office365.com");
  g_assert_cmpstr (spec.hello->legacy_version, ==, "TLS1.2");
  g_assert_cmpstr (spec.hello->max_version, ==, "TLS1.3");
  g_assert_true (has_string (spec.hello->supported_versions, "TLS1.3"));
  g_assert_true (has_string (spec.hello->supported_versions, "TLS1.0"));
  g_assert_true (has_string (spec.hello->cipher_suites, "TLS_AES_128_GCM_SHA256"));
  tls_spec_clear (&spec);
}

static void
test_tls_ip_literal (void)
{
  TlsSpec spec = { 0 };
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  /* An address is checked against the IP SANs and never sent as SNI. */
  info = run_tls (&spec, "127.0.0.1", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (info->verified);
  g_assert_null (spec.info->sni);
  g_assert_null (spec.hello->sni);
  tls_spec_clear (&spec);
}

static DmdTlsInfo *
run_unverified (const char *cert,
                const char *server_name,
                gboolean    trust_test_ca,
                guint       expected_status)
{
  TlsSpec spec = { .cert = cert };
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = run_tls (&spec, server_name, NULL, trust_test_ca, &error);
  /* The handshake succeeds: verification is reported, the caller decides. */
  g_assert_no_error (error);
  g_assert_false (info->verified);
  g_assert_true ((info->verify_status & expected_status) == expected_status);
  g_assert_nonnull (info->problem);
  g_test_message ("%s: %s", cert, info->problem);
  tls_spec_clear (&spec);
  return g_steal_pointer (&info);
}

static void
test_tls_wrong_name (void)
{
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(DmdTlsInfo) other = NULL;

  if (!have_test_certs ())
    return;
  info = run_unverified ("test-wrong-name.pem", "smtp.office365.com", TRUE,
                         GNUTLS_CERT_UNEXPECTED_OWNER);
  g_assert_nonnull (strstr (info->problem, "wrong-name.example"));
  g_assert_nonnull (strstr (info->problem, "smtp.office365.com"));
  g_assert_cmpuint (info->chain->len, ==, 1);

  /* A good certificate for the wrong configured name. */
  other = run_unverified ("test-server.pem", "contoso.example", TRUE,
                          GNUTLS_CERT_UNEXPECTED_OWNER);
  g_assert_nonnull (strstr (other->problem, "contoso.example"));
}

static void
test_tls_expired (void)
{
  g_autoptr(DmdTlsInfo) info = NULL;

  if (!have_test_certs ())
    return;
  info = run_unverified ("test-expired.pem", "localhost", TRUE, GNUTLS_CERT_EXPIRED);
  g_assert_nonnull (strstr (info->problem, "2021-01-01"));
  g_assert_cmpstr (((DmdCertInfo *) g_ptr_array_index (info->chain, 0))->not_after, ==,
                   "2021-01-01T00:00:00Z");
}

static void
test_tls_not_yet_valid (void)
{
  g_autoptr(DmdTlsInfo) info = NULL;

  if (!have_test_certs ())
    return;
  info = run_unverified ("test-not-yet-valid.pem", "localhost", TRUE, GNUTLS_CERT_NOT_ACTIVATED);
  g_assert_nonnull (strstr (info->problem, "2099-01-01"));
}

static void
test_tls_self_signed (void)
{
  g_autoptr(DmdTlsInfo) info = NULL;

  if (!have_test_certs ())
    return;
  info = run_unverified ("test-self-signed.pem", "localhost", TRUE, GNUTLS_CERT_SIGNER_NOT_FOUND);
  g_assert_nonnull (strstr (info->problem, "self-signed"));
}

static void
test_tls_untrusted (void)
{
  g_autoptr(DmdTlsInfo) info = NULL;

  if (!have_test_certs ())
    return;
  /* The test CA is not in the system store. */
  info = run_unverified ("test-server.pem", "localhost", FALSE, GNUTLS_CERT_SIGNER_NOT_FOUND);
  g_assert_nonnull (strstr (info->problem, "CN=Device Mail Doctor Test CA"));
  g_assert_null (strstr (info->problem, "self-signed"));
}

static void
test_tls13_only_refuses_tls12 (void)
{
  TlsSpec spec = { .priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3" };
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  info = run_tls (&spec, "localhost", dmd_tls_priority_for_version (DMD_TLS12), TRUE, &error);
  g_assert_null (info);
  g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS_ALERT);
  g_test_message ("client: %s", error->message);

  /* The server failed too, and still saw what the client offered. */
  g_assert_false (spec.handshake_ok);
  g_assert_nonnull (spec.error);
  g_test_message ("server: %s", spec.error->message);
  g_assert_nonnull (spec.hello);
  g_assert_cmpstr (spec.hello->max_version, ==, "TLS1.2");
  g_assert_cmpuint (spec.hello->supported_versions->len, ==, 0);
  tls_spec_clear (&spec);
}

static void
test_tls_legacy_versions (void)
{
  if (!have_test_certs ())
    return;

  for (int v = DMD_TLS10; v <= DMD_TLS11; v++)
    {
      TlsSpec spec = { 0 };
      g_autoptr(DmdTlsInfo) info = NULL;
      g_autoptr(GError) error = NULL;

      /* The permissive server (as the capture listener) accepts TLS 1.0 and 1.1. */
      info = run_tls (&spec, "localhost", dmd_tls_priority_for_version (v), TRUE, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (info->version, ==, dmd_tls_version_name (v));
      g_assert_true (info->verified);
      g_assert_cmpstr (spec.hello->max_version, ==, dmd_tls_version_name (v));
      tls_spec_clear (&spec);
    }

  /* A TLS 1.0-only server refuses a client limited to TLS 1.2. */
  {
    TlsSpec spec = { .priority = "NORMAL:-VERS-ALL:+VERS-TLS1.0" };
    g_autoptr(DmdTlsInfo) info = NULL;
    g_autoptr(GError) error = NULL;

    info = run_tls (&spec, "localhost", dmd_tls_priority_for_version (DMD_TLS12), TRUE, &error);
    g_assert_null (info);
    g_assert_true (g_error_matches (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS) ||
                   g_error_matches (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS_ALERT));
    g_test_message ("client: %s", error->message);
    tls_spec_clear (&spec);
  }
}

static void
test_tls_injection (void)
{
  TlsSpec spec = { .after_220 = "250 injected\r\n" };
  TestServer *server;
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  server = test_server_start (tls_script, &spec);
  conn = starttls_prelude (server);
  g_assert_cmpuint (dmd_conn_pending (conn), >, 0);
  g_assert_false (dmd_conn_start_tls_client (conn, "localhost", NULL, NULL, dmd_deadline_in (5),
                                             NULL, &info, &error));
  g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_INJECTION);
  g_assert_null (info);
  g_assert_false (dmd_conn_is_tls (conn));
  dmd_conn_close (conn);
  test_server_stop (server);
  tls_spec_clear (&spec);
}

static void
test_tls_late_injection (void)
{
  TlsSpec spec = { .after_220 = "250 injected\r\n", .late_injection = TRUE };
  TestServer *server;
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  server = test_server_start (tls_script, &spec);
  conn = starttls_prelude (server);
  /* Not read yet: the peek sees it arrive, and start_tls sees it in the socket. */
  g_assert_true (dmd_conn_peek_pending (conn, dmd_deadline_in (5), NULL));
  g_assert_false (dmd_conn_start_tls_client (conn, "localhost", NULL, NULL, dmd_deadline_in (5),
                                             NULL, NULL, &error));
  g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_INJECTION);
  dmd_conn_close (conn);
  test_server_stop (server);
  tls_spec_clear (&spec);
}

static void
test_tls_no_injection_peek (void)
{
  TlsSpec spec = { 0 };
  TestServer *server;
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  server = test_server_start (tls_script, &spec);
  conn = starttls_prelude (server);
  /* An honest server sends nothing more: the peek times out quietly. */
  g_assert_false (dmd_conn_peek_pending (conn, dmd_deadline_in (0.1), NULL));
  g_assert_true (dmd_conn_start_tls_client (conn, "localhost", NULL, NULL, dmd_deadline_in (5),
                                            NULL, &info, &error));
  g_assert_no_error (error);
  dmd_conn_close (conn);
  test_server_stop (server);
  tls_spec_clear (&spec);
}

typedef struct {
  TlsSpec  spec;
  gboolean ok;
  GError  *error;
} ServerInjection;

static void
server_injection_script (TestServer *server,
                         DmdConn    *conn)
{
  ServerInjection *si = server->data;
  g_autofree char *cert = cert_path ("test-server.pem");
  g_autofree char *key = cert_path ("test-server-key.pem");
  g_autoptr(DmdTlsServerCreds) creds = dmd_tls_server_creds_new_from_files (cert, key, NULL);
  g_autofree char *line = NULL;

  if (!dmd_conn_read_line (conn, &line, NULL, dmd_deadline_in (5), server->cancellable, NULL))
    return;
  g_assert_cmpstr (line, ==, "STARTTLS");
  si->ok = dmd_conn_start_tls_server (conn, creds, NULL, dmd_deadline_in (5),
                                      server->cancellable, NULL, &si->error);
}

static void
test_tls_server_injection (void)
{
  ServerInjection si = { 0 };
  TestServer *server;
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  /* A client pipelining commands after STARTTLS: the capture side refuses TLS too. */
  server = test_server_start (server_injection_script, &si);
  conn = connect_to (server);
  dmd_conn_write_all (conn, "STARTTLS\r\nAUTH LOGIN\r\n", 22, dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  test_server_join (server);
  g_assert_false (si.ok);
  g_assert_error (si.error, DMD_CONN_ERROR, DMD_CONN_ERROR_INJECTION);
  g_clear_error (&si.error);
}

static void
test_tls_close_and_long_line (void)
{
  if (!have_test_certs ())
    return;

  for (int mode = 1; mode <= 3; mode++)
    {
      TlsSpec spec = { .after_tls = mode };
      TestServer *server = test_server_start (tls_script, &spec);
      g_autoptr(DmdConn) conn = starttls_prelude (server);
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;
      g_autofree char *more = NULL;

      g_assert_true (dmd_conn_start_tls_client (conn, "localhost", NULL, NULL,
                                                dmd_deadline_in (5), NULL, NULL, &error));
      g_assert_no_error (error);
      if (mode == 3)
        {
          /* Bounded through TLS as in plaintext. */
          g_assert_false (dmd_conn_read_line (conn, &line, NULL, dmd_deadline_in (5), NULL,
                                              &error));
          g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_LINE_TOO_LONG);
        }
      else
        {
          g_assert_true (dmd_conn_read_line (conn, &line, NULL, dmd_deadline_in (5), NULL,
                                             &error));
          g_assert_cmpstr (line, ==, "221 2.0.0 bye");
          /* With or without close_notify: closed, not a TLS error. */
          g_assert_false (dmd_conn_read_line (conn, &more, NULL, dmd_deadline_in (5), NULL,
                                              &error));
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
        }
      dmd_conn_close (conn);
      dmd_conn_close (conn);
      test_server_stop (server);
      tls_spec_clear (&spec);
    }
}

static void
banner_script (TestServer *server,
               DmdConn    *conn)
{
  server_send (conn, "220 mx.test ESMTP ready for plain text\r\n");
  server_wait_for_close (server, conn);
}

static void
test_tls_implicit_to_plaintext (void)
{
  g_autoptr(TestServer) server = test_server_start (banner_script, NULL);
  g_autoptr(DmdConn) conn = connect_to (server);
  g_autoptr(GError) error = NULL;

  /* Implicit TLS to a port that greets in plain text: not injection (nothing was read
   * before), a failed handshake that quotes the greeting. */
  g_usleep (50 * 1000);
  g_assert_false (dmd_conn_start_tls_client (conn, "localhost", NULL, NULL, dmd_deadline_in (5),
                                             NULL, NULL, &error));
  g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "220 mx.test ESMTP ready for plain text"));
  dmd_conn_close (conn);
}

typedef struct {
  gboolean ok;
  GError  *error;
} ImplicitServer;

static void
implicit_server_script (TestServer *server,
                        DmdConn    *conn)
{
  ImplicitServer *is = server->data;
  g_autofree char *cert = cert_path ("test-server.pem");
  g_autofree char *key = cert_path ("test-server-key.pem");
  g_autoptr(DmdTlsServerCreds) creds = dmd_tls_server_creds_new_from_files (cert, key, NULL);

  is->ok = dmd_conn_start_tls_server (conn, creds, NULL, dmd_deadline_in (5),
                                      server->cancellable, NULL, &is->error);
}

static void
test_tls_server_gets_plaintext (void)
{
  ImplicitServer is = { 0 };
  TestServer *server;
  g_autoptr(DmdConn) conn = NULL;

  if (!have_test_certs ())
    return;
  /* A device speaking plain SMTP to an implicit-TLS listener. */
  server = test_server_start (implicit_server_script, &is);
  conn = connect_to (server);
  server_send (conn, "EHLO printer-3f\r\n");
  test_server_join (server);
  g_assert_false (is.ok);
  g_assert_error (is.error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS);
  g_assert_nonnull (strstr (is.error->message, "EHLO printer-3f"));
  g_clear_error (&is.error);
}

static void
test_tls_handshake_timeout (void)
{
  TlsSpec spec = { .mute = TRUE };
  TestServer *server;
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  if (!have_test_certs ())
    return;
  server = test_server_start (tls_script, &spec);
  conn = starttls_prelude (server);
  deadline = dmd_deadline_in (0.3);
  g_assert_false (dmd_conn_start_tls_client (conn, "localhost", NULL, NULL, deadline, NULL, NULL,
                                             &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time (), >=, deadline);
  dmd_conn_close (conn);
  test_server_stop (server);
  tls_spec_clear (&spec);
}

static void
test_tls_handshake_cancel (void)
{
  TlsSpec spec = { .mute = TRUE };
  TestServer *server;
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *canceller;

  if (!have_test_certs ())
    return;
  server = test_server_start (tls_script, &spec);
  conn = starttls_prelude (server);
  canceller = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (dmd_conn_start_tls_client (conn, "localhost", NULL, NULL, dmd_deadline_in (30),
                                             cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (canceller);
  dmd_conn_close (conn);
  test_server_stop (server);
  tls_spec_clear (&spec);
}

static void
test_tls_bad_ca_file (void)
{
  TlsSpec spec = { 0 };
  TestServer *server;
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  server = test_server_start (tls_script, &spec);
  conn = starttls_prelude (server);
  g_assert_false (dmd_conn_start_tls_client (conn, "localhost", NULL, "/nonexistent/ca.pem",
                                             dmd_deadline_in (5), NULL, NULL, &error));
  g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "/nonexistent/ca.pem"));
  dmd_conn_close (conn);
  test_server_stop (server);
  tls_spec_clear (&spec);
}

static void
test_server_creds_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdTlsServerCreds) creds = NULL;

  creds = dmd_tls_server_creds_new_from_files ("/nonexistent/cert.pem", "/nonexistent/key.pem",
                                               &error);
  g_assert_null (creds);
  g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS);
}

/* ------------------------------------------------------------------------------------------ */
/* Client certificates                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* Asked for one, the client presents its certificate (TLS 1.2 and 1.3), and the server sees
 * which. */
static void
test_tls_client_cert_presented (void)
{
  if (!have_test_certs ())
    return;
  for (int v = DMD_TLS12; v <= DMD_TLS13; v++)
    {
      TlsSpec spec = { .cert_request = GNUTLS_CERT_REQUEST, .client_cert = "test-client.pem",
                       .client_key = "test-client-key.pem" };
      g_autoptr(DmdTlsInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      DmdCertInfo *seen;

      info = run_tls (&spec, "localhost", dmd_tls_priority_for_version (v), TRUE, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (info->version, ==, dmd_tls_version_name (v));
      g_assert_true (spec.client_requested);
      g_assert_true (spec.client_sent);
      g_assert_cmpint (spec.client_alert, ==, -1);
      g_assert_true (spec.handshake_ok);
      g_assert_cmpuint (spec.info->chain->len, ==, 1);
      seen = g_ptr_array_index (spec.info->chain, 0);
      g_assert_nonnull (strstr (seen->subject, "CN=mfp.contoso.com"));
      g_assert_true (has_string (seen->sans, "mfp.contoso.com"));
      tls_spec_clear (&spec);
    }
}

/* Not asked, nothing is sent; asked, with none chosen, the handshake still works. */
static void
test_tls_client_cert_not_requested (void)
{
  TlsSpec spec = { .client_cert = "test-client.pem", .client_key = "test-client-key.pem" };
  TlsSpec spec2 = { .cert_request = GNUTLS_CERT_REQUEST };
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(DmdTlsInfo) info2 = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  info = run_tls (&spec, "localhost", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_false (spec.client_requested);
  g_assert_false (spec.client_sent);
  g_assert_cmpuint (spec.info->chain->len, ==, 0);
  tls_spec_clear (&spec);

  info2 = run_tls (&spec2, "localhost", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (spec2.client_requested);
  g_assert_false (spec2.client_sent);
  g_assert_cmpuint (spec2.info->chain->len, ==, 0);
  tls_spec_clear (&spec2);
}

/* A server that trusts another certificate refuses ours in the TLS 1.2 handshake with the
 * alert bad_certificate, which the client keeps. */
static void
test_tls_client_cert_refused (void)
{
  TlsSpec spec = { .cert_request = GNUTLS_CERT_REQUIRE, .trusted_client = "test-client.pem",
                   .client_cert = "test-client-other.pem",
                   .client_key = "test-client-other-key.pem" };
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_certs ())
    return;
  info = run_tls (&spec, "localhost", dmd_tls_priority_for_version (DMD_TLS12), TRUE, &error);
  g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS_ALERT);
  g_assert_true (spec.client_requested);
  g_assert_true (spec.client_sent);
  g_assert_cmpint (spec.client_alert, ==, GNUTLS_A_BAD_CERTIFICATE);
  g_assert_false (spec.handshake_ok);
  tls_spec_clear (&spec);

  /* The trusted one passes the same server. */
  {
    TlsSpec ok = { .cert_request = GNUTLS_CERT_REQUIRE, .trusted_client = "test-client.pem",
                   .client_cert = "test-client.pem", .client_key = "test-client-key.pem" };
    g_autoptr(DmdTlsInfo) info2 = NULL;
    g_autoptr(GError) error2 = NULL;

    info2 = run_tls (&ok, "localhost", dmd_tls_priority_for_version (DMD_TLS12), TRUE, &error2);
    g_assert_no_error (error2);
    g_assert_true (ok.client_sent);
    tls_spec_clear (&ok);
  }
}

/* The refusal outruns the client: the server's alert arrives and the connection is reset
 * before the client's next write. The client still reports the alert. */
static void
alert_and_reset_script (TestServer *server,
                        DmdConn    *conn)
{
  static const guint8 alert[] = { 21, 3, 3, 0, 2, GNUTLS_AL_FATAL, GNUTLS_A_BAD_CERTIFICATE };
  GSocket *socket = dmd_conn_get_socket (conn);
  char go;

  /* The client is connected once its byte is here (a reset before would fail the connect). */
  g_assert_true (g_socket_condition_timed_wait (socket, G_IO_IN, 10 * G_USEC_PER_SEC,
                                                server->cancellable, NULL));
  g_assert_cmpint (g_socket_receive (socket, &go, 1, NULL, NULL), ==, 1);
  g_assert_cmpint (g_socket_send (socket, (const char *) alert, sizeof alert, NULL, NULL), ==,
                   sizeof alert);
  {
    /* SO_LINGER {on, 0 s}: close() resets the connection. */
    struct linger reset = { 1, 0 };
    g_assert_cmpint (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &reset,
                                 sizeof reset), ==, 0);
  }
  g_socket_close (socket, NULL);
}

static void
test_tls_alert_then_reset (void)
{
  TestServer *server = test_server_start (alert_and_reset_script, NULL);
  g_autoptr(DmdConn) conn = connect_to (server);
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  dmd_conn_write_all (conn, "x", 1, dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  /* Wait for the reset: the alert is in the socket already, and the write will fail. */
  g_assert_true (g_socket_condition_timed_wait (dmd_conn_get_socket (conn), G_IO_HUP,
                                                10 * G_USEC_PER_SEC, NULL, NULL));
  g_assert_false (dmd_conn_start_tls_client (conn, "localhost", NULL, NULL, dmd_deadline_in (5),
                                             NULL, &info, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS_ALERT);
  g_assert_cmpint (dmd_conn_get_received_alert (conn), ==, GNUTLS_A_BAD_CERTIFICATE);
  test_server_stop (server);
}

static void
write_file (const char *path,
            const char *contents,
            gssize      len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
}

static void
assert_load_fails (const char *cert,
                   const char *key,
                   const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdTlsClientCert) loaded = dmd_tls_client_cert_new_from_files (cert, key, &error);

  g_assert_null (loaded);
  g_assert_nonnull (error);
  if (strstr (error->message, message_part) == NULL)
    g_test_message ("“%s” lacks “%s”", error->message, message_part);
  g_assert_nonnull (strstr (error->message, message_part));
}

/* Bad input is refused with a message that names the file, never with the key's bytes. */
static void
test_client_cert_load_errors (void)
{
  g_autofree char *cert = cert_path ("test-client.pem");
  g_autofree char *key = cert_path ("test-client-key.pem");
  g_autofree char *other_key = cert_path ("test-client-other-key.pem");
  g_autofree char *dir = g_dir_make_tmp ("dmd-client-cert-XXXXXX", NULL);
  g_autofree char *both = g_build_filename (dir, "both.pem", NULL);
  g_autofree char *encrypted = g_build_filename (dir, "encrypted.key", NULL);
  g_autofree char *big = g_build_filename (dir, "big.pem", NULL);
  g_autofree char *garbage = g_build_filename (dir, "garbage.pem", NULL);
  g_autofree char *broken = g_build_filename (dir, "broken.pem", NULL);
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *filler = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdTlsClientCert) loaded = NULL;
  const DmdCertInfo *info;

  if (!have_test_certs ())
    return;
  g_assert_true (g_file_get_contents (cert, &cert_pem, NULL, NULL));
  g_assert_true (g_file_get_contents (key, &key_pem, NULL, NULL));

  loaded = dmd_tls_client_cert_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  info = dmd_tls_client_cert_get_info (loaded);
  g_assert_nonnull (strstr (info->subject, "CN=mfp.contoso.com"));
  g_assert_cmpuint (strlen (info->sha256), ==, 32 * 3 - 1);
  g_clear_pointer (&loaded, dmd_tls_client_cert_unref);

  /* One file with both. */
  joined = g_strconcat (cert_pem, key_pem, NULL);
  write_file (both, joined, -1);
  loaded = dmd_tls_client_cert_new_from_files (both, both, &error);
  g_assert_no_error (error);
  g_clear_pointer (&loaded, dmd_tls_client_cert_unref);

  assert_load_fails ("/nonexistent/cert.pem", key, "does not exist");
  assert_load_fails (cert, "/nonexistent/key.pem", "does not exist");
  assert_load_fails (dir, key, "is not a file");
  assert_load_fails ("/dev/null", key, "is not a file");
  assert_load_fails (cert, other_key, "does not belong to the certificate");
  assert_load_fails (key, key, "holds no certificate");
  assert_load_fails (cert, cert, "holds no private key");

  write_file (encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0BBQ0w\n"
                         "-----END ENCRYPTED PRIVATE KEY-----\n", -1);
  assert_load_fails (cert, encrypted, "passphrase");

  /* Far over the cap: refused before it is read. */
  filler = g_strnfill (DMD_TLS_CLIENT_CERT_MAX_FILE + 1, 'A');
  write_file (big, filler, -1);
  assert_load_fails (big, key, "larger than");
  assert_load_fails (cert, big, "larger than");

  write_file (garbage, "\x01\x02 not PEM at all", -1);
  assert_load_fails (garbage, key, "holds no certificate");
  write_file (broken, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", -1);
  assert_load_fails (broken, key, "could not be read as a certificate");

  /* A key that does not parse: the message names the file and nothing of its content. */
  {
    g_autofree char *bad_key = g_build_filename (dir, "bad.key", NULL);
    g_autoptr(GError) key_error = NULL;
    g_autoptr(DmdTlsClientCert) none = NULL;

    write_file (bad_key, "-----BEGIN PRIVATE KEY-----\nU2VjcmV0S2V5Qnl0ZXM=\n-----END PRIVATE KEY-----\n", -1);
    none = dmd_tls_client_cert_new_from_files (cert, bad_key, &key_error);
    g_assert_null (none);
    g_assert_nonnull (strstr (key_error->message, "bad.key"));
    g_assert_null (strstr (key_error->message, "U2VjcmV0"));
    g_unlink (bad_key);
  }

  g_unlink (both);
  g_unlink (encrypted);
  g_unlink (big);
  g_unlink (garbage);
  g_unlink (broken);
  g_rmdir (dir);
}

/* ------------------------------------------------------------------------------------------ */
/* ClientHello parsing of hostile bytes                                                       */
/* ------------------------------------------------------------------------------------------ */

static void
test_client_hello_parse (void)
{
  /* A minimal hello: TLS1.2, empty session id, two suites + GREASE, null compression, SNI
   * "a.test" and supported_versions {GREASE, TLS1.3, TLS1.2}. */
  static const guint8 body[] = {
    0x03, 0x03,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00,
    0x00, 0x06, 0x1A, 0x1A, 0x13, 0x01, 0xC0, 0x2F,
    0x01, 0x00,
    0x00, 0x1A,
    0x00, 0x00, 0x00, 0x0B, 0x00, 0x09, 0x00, 0x00, 0x06, 'a', '.', 't', 'e', 's', 't',
    0x00, 0x2B, 0x00, 0x07, 0x06, 0x2A, 0x2A, 0x03, 0x04, 0x03, 0x03,
  };
  g_autoptr(DmdClientHello) hello = dmd_client_hello_parse (body, sizeof body);
  g_autofree guint8 *with_header = g_malloc (sizeof body + 4);
  g_autoptr(DmdClientHello) hello2 = NULL;
  g_autoptr(DmdClientHello) copy = NULL;

  g_assert_nonnull (hello);
  g_assert_cmpstr (hello->legacy_version, ==, "TLS1.2");
  g_assert_cmpstr (hello->max_version, ==, "TLS1.3");
  g_assert_cmpuint (hello->supported_versions->len, ==, 2);
  g_assert_cmpuint (hello->cipher_suites->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (hello->cipher_suites, 0), ==, "TLS_AES_128_GCM_SHA256");
  g_assert_cmpstr (hello->sni, ==, "a.test");

  with_header[0] = 0x01;
  with_header[1] = 0;
  with_header[2] = 0;
  with_header[3] = sizeof body;
  memcpy (with_header + 4, body, sizeof body);
  hello2 = dmd_client_hello_parse (with_header, sizeof body + 4);
  g_assert_nonnull (hello2);
  g_assert_cmpstr (hello2->sni, ==, "a.test");
  copy = dmd_client_hello_copy (hello2);
  g_assert_cmpstr (copy->max_version, ==, "TLS1.3");
  g_assert_cmpuint (copy->cipher_suites->len, ==, 2);

  /* Every truncation is refused or parsed without reading past the end (ASan checks). */
  for (gsize len = 0; len < sizeof body; len++)
    {
      g_autofree guint8 *cut = g_memdup2 (body, len);
      DmdClientHello *h = dmd_client_hello_parse (cut, len);

      dmd_client_hello_free (h);
    }

  /* Random bytes and random mutations. */
  for (guint i = 0; i < 20000; i++)
    {
      guint8 buf[sizeof body];
      gsize len = g_test_rand_int_range (0, sizeof body + 1);

      memcpy (buf, body, sizeof body);
      for (guint k = 0; k < 4; k++)
        buf[g_test_rand_int_range (0, sizeof body)] = (guint8) g_test_rand_int_range (0, 256);
      {
        g_autofree guint8 *exact = g_memdup2 (buf, len);

        dmd_client_hello_free (dmd_client_hello_parse (exact, len));
      }
    }
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
  g_test_add_func ("/dmd/conn/tls-priorities", test_tls_priorities);
  g_test_add_func ("/dmd/conn/tls12-verified", test_tls12_verified);
  g_test_add_func ("/dmd/conn/tls13-verified-connect-to", test_tls13_verified_connect_to);
  g_test_add_func ("/dmd/conn/tls-ip-literal", test_tls_ip_literal);
  g_test_add_func ("/dmd/conn/tls-wrong-name", test_tls_wrong_name);
  g_test_add_func ("/dmd/conn/tls-expired", test_tls_expired);
  g_test_add_func ("/dmd/conn/tls-not-yet-valid", test_tls_not_yet_valid);
  g_test_add_func ("/dmd/conn/tls-self-signed", test_tls_self_signed);
  g_test_add_func ("/dmd/conn/tls-untrusted", test_tls_untrusted);
  g_test_add_func ("/dmd/conn/tls13-only-refuses-tls12", test_tls13_only_refuses_tls12);
  g_test_add_func ("/dmd/conn/tls-legacy-versions", test_tls_legacy_versions);
  g_test_add_func ("/dmd/conn/starttls-injection", test_tls_injection);
  g_test_add_func ("/dmd/conn/starttls-late-injection", test_tls_late_injection);
  g_test_add_func ("/dmd/conn/starttls-no-injection", test_tls_no_injection_peek);
  g_test_add_func ("/dmd/conn/starttls-server-injection", test_tls_server_injection);
  g_test_add_func ("/dmd/conn/tls-close-and-long-line", test_tls_close_and_long_line);
  g_test_add_func ("/dmd/conn/tls-implicit-to-plaintext", test_tls_implicit_to_plaintext);
  g_test_add_func ("/dmd/conn/tls-server-gets-plaintext", test_tls_server_gets_plaintext);
  g_test_add_func ("/dmd/conn/tls-handshake-timeout", test_tls_handshake_timeout);
  g_test_add_func ("/dmd/conn/tls-handshake-cancel", test_tls_handshake_cancel);
  g_test_add_func ("/dmd/conn/tls-bad-ca-file", test_tls_bad_ca_file);
  g_test_add_func ("/dmd/conn/tls-server-creds-errors", test_server_creds_errors);
  g_test_add_func ("/dmd/conn/tls-client-cert-presented", test_tls_client_cert_presented);
  g_test_add_func ("/dmd/conn/tls-client-cert-not-requested", test_tls_client_cert_not_requested);
  g_test_add_func ("/dmd/conn/tls-client-cert-refused", test_tls_client_cert_refused);
  g_test_add_func ("/dmd/conn/client-cert-load-errors", test_client_cert_load_errors);
  g_test_add_func ("/dmd/conn/tls-alert-then-reset", test_tls_alert_then_reset);
  g_test_add_func ("/dmd/conn/client-hello-parse", test_client_hello_parse);

  return g_test_run ();
}
