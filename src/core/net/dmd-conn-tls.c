/* dmd-conn-tls.c — starting TLS on a connection: the client's and the server's handshakes,
 * a plaintext answer or a fatal alert where a handshake was expected, and the client
 * certificates presented, requested and trusted. The GnuTLS transport functions they install
 * are in dmd-conn.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-conn.h"
#include "dmd-conn-private.h"
#include "dmd-tls.h"
#include "dmd-tls-private.h"

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
  gnutls_transport_set_push_function (conn->session, _dmd_conn_tls_push);
  gnutls_transport_set_pull_function (conn->session, _dmd_conn_tls_pull);
  gnutls_transport_set_pull_timeout_function (conn->session, _dmd_conn_tls_pull_timeout);
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
  _dmd_conn_scrub_line (conn, &line, &n);
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

  _dmd_conn_io_begin (conn, deadline, cancellable);
  conn->in_handshake = TRUE;
  conn->hs_first_len = 0;
  for (;;)
    {
      ret = gnutls_handshake (conn->session);
      if (ret >= 0 || gnutls_error_is_fatal (ret) || conn->io_error != NULL)
        break;
      /* Non-fatal (a warning alert): go on, within the deadline. */
      if (g_cancellable_set_error_if_cancelled (cancellable, &conn->io_error) ||
          _dmd_conn_deadline_passed (deadline, &conn->io_error))
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
        _dmd_conn_set_tls_error (conn, ret, TRUE, error);
      if (!conn->eof && ret != GNUTLS_E_FATAL_ALERT_RECEIVED && ret != GNUTLS_E_PULL_ERROR &&
          ret != GNUTLS_E_PUSH_ERROR)
        {
          gint64 bye = dmd_deadline_in (BYE_TIMEOUT_S);

          _dmd_conn_io_begin (conn, deadline >= 0 ? MIN (deadline, bye) : bye, NULL);
          gnutls_alert_send_appropriate (conn->session, ret);
        }
      _dmd_conn_io_end (conn);
      g_clear_error (&conn->io_error);
      g_clear_pointer (&conn->session, gnutls_deinit);
      return FALSE;
    }
  _dmd_conn_io_end (conn);
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
