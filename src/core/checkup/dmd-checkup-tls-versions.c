/* dmd-checkup-tls-versions.c — the TLS version matrix
 *
 * One short connection per TLS version, in parallel, beside the dialogue and on the same
 * address: the greeting, EHLO and STARTTLS (unless the port speaks TLS at once), a handshake
 * that allows exactly that version, and EHLO again — Exchange Online completes a TLS 1.0
 * handshake and only then says no. The probes present the client certificate (the connector
 * judges every connection) and never sign in (failed logins can lock the account).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-catalog.h"
#include "dmd-checkup-private.h"

static void
probe_result_full (DmdWorker          *w,
                   DmdTlsVersionState  state,
                   const char         *detail,
                   gboolean            by_reply)
{
  DmdCheckupEvent *ev = dmd_checkup_event_new (w->self, EV_TLS_VERSION, NULL);
  g_autofree char *line = g_strdup_printf ("%s: %s%s%s", dmd_tls_version_name (w->tls_index),
                                           dmd_tls_version_state_to_string (state),
                                           detail ? " — " : "", detail ? detail : "");

  ev->tls_index = w->tls_index;
  ev->tls_state = state;
  ev->tls_by_reply = by_reply;
  ev->text = g_strdup (detail);
  dmd_checkup_post (ev);
  dmd_worker_line (w, "tls-versions", 'I', line);
}

static void
probe_result (DmdWorker          *w,
              DmdTlsVersionState  state,
              const char         *detail)
{
  probe_result_full (w, state, detail, FALSE);
}

/* A probe that got as far as the server judging the client certificate: the version was
 * accepted; the certificate is the main session's business. */
static gboolean
version_took_cert (DmdConn *conn)
{
  return dmd_conn_get_client_cert_requested (conn) &&
         dmd_checkup_is_certificate_alert (dmd_conn_get_received_alert (conn));
}

static gboolean
send_ehlo (DmdConn       *conn,
           const char    *name,
           gint64         deadline,
           GCancellable  *cancellable,
           DmdReply     **reply,
           GError       **error)
{
  g_autofree char *line = g_strdup_printf ("EHLO %s\r\n", name);

  return dmd_conn_write_all (conn, line, strlen (line), deadline, cancellable, error) &&
         (*reply = dmd_conn_read_reply (conn, deadline, cancellable, error)) != NULL;
}

/* Up to the handshake on a port that expects STARTTLS: greeting, EHLO, STARTTLS. FALSE
 * when the version cannot be tested there (reported). */
static gboolean
probe_starttls (DmdWorker  *w,
                DmdConn    *conn,
                const char *name,
                gint64      deadline)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autoptr(DmdEhlo) ehlo = NULL;

  reply = dmd_conn_read_reply (conn, deadline, w->cancellable, &error);
  if (reply == NULL || reply->code != 220)
    {
      probe_result (w, DMD_TLS_VERSION_NOT_TESTABLE, reply ? _("no greeting") : error->message);
      return FALSE;
    }
  g_clear_pointer (&reply, dmd_reply_free);
  if (!send_ehlo (conn, name, deadline, w->cancellable, &reply, &error))
    {
      probe_result (w, DMD_TLS_VERSION_NOT_TESTABLE, error->message);
      return FALSE;
    }
  ehlo = reply->code == 250 ? dmd_ehlo_parse (reply) : NULL;
  if (ehlo == NULL || !ehlo->starttls)
    {
      probe_result (w, DMD_TLS_VERSION_NOT_TESTABLE, _("the server does not offer STARTTLS"));
      return FALSE;
    }
  g_clear_pointer (&reply, dmd_reply_free);
  if (!dmd_conn_write_all (conn, "STARTTLS\r\n", 10, deadline, w->cancellable, &error) ||
      !(reply = dmd_conn_read_reply (conn, deadline, w->cancellable, &error)) ||
      reply->code != 220)
    {
      probe_result (w, DMD_TLS_VERSION_NOT_TESTABLE, reply ? _("STARTTLS refused") : error->message);
      return FALSE;
    }
  return TRUE;
}

/* The handshake with exactly this version; FALSE when it failed (reported). */
static gboolean
probe_handshake (DmdWorker *w,
                 DmdConn   *conn,
                 gint64     deadline)
{
  g_autoptr(GError) error = NULL;
  DmdTlsInfo *info = NULL;
  gboolean implicit = w->config->security == DMD_SECURITY_IMPLICIT_TLS;

  /* The connector judges every connection: the probes present the certificate too (and
   * never sign in). */
  dmd_conn_set_client_cert (conn, w->self->client_cert);
  if (dmd_conn_start_tls_client (conn, w->server, dmd_tls_priority_for_version (w->tls_index),
                                 w->config->ca_file, deadline, w->cancellable, &info, &error))
    {
      g_clear_pointer (&info, dmd_tls_info_free);
      return TRUE;
    }
  /* With implicit TLS configured on a port that greets in plain text, a failed handshake
   * says nothing about the versions: only an alert or a close is a refusal then. */
  if (dmd_worker_cancelled (w))
    return FALSE;
  if (version_took_cert (conn))
    probe_result (w, DMD_TLS_VERSION_ACCEPTED, error->message);
  else
    probe_result (w, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
                     (implicit && !g_error_matches (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS_ALERT))
                       ? DMD_TLS_VERSION_NOT_TESTABLE : DMD_TLS_VERSION_REFUSED,
                  error->message);
  return FALSE;
}

static gpointer
probe_thread (gpointer data)
{
  DmdWorker *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autofree char *name = dmd_checkup_ehlo_name ();
  GInetSocketAddress *addr = g_ptr_array_index (w->addresses, 0);
  gint64 deadline = dmd_deadline_in (dmd_worker_step_timeout (w));

  conn = dmd_worker_connect (w, addr, deadline, &error);
  if (conn == NULL)
    {
      if (!dmd_worker_cancelled (w))
        probe_result (w, DMD_TLS_VERSION_NOT_TESTABLE, error->message);
      goto out;
    }
  if (w->config->security != DMD_SECURITY_IMPLICIT_TLS &&
      !probe_starttls (w, conn, name, deadline))
    goto out;
  if (!probe_handshake (w, conn, deadline))
    goto out;

  /* Exchange Online completes a TLS 1.0 handshake and only then says no (421 4.7.66): a reply
   * that refuses is a refusal. A completed handshake followed by anything else (a close, a
   * timeout, a broken reply) still means the version was accepted. */
  if (!send_ehlo (conn, name, deadline, w->cancellable, &reply, &error))
    {
      if (!dmd_worker_cancelled (w))
        {
          /* Translators: %s says what went wrong after the handshake, e.g. "The other
           * side closed the connection". */
          g_autofree char *detail = g_strdup_printf (_("handshake completed; then: %s"),
                                                     error->message);
          probe_result (w, DMD_TLS_VERSION_ACCEPTED, detail);
        }
      goto out;
    }
  if (dmd_worker_cancelled (w))
    goto out;
  if (reply->code == 250)
    probe_result (w, DMD_TLS_VERSION_ACCEPTED, NULL);
  else
    {
      g_autofree char *text = dmd_checkup_describe_reply (reply);
      probe_result_full (w, DMD_TLS_VERSION_REFUSED, text, TRUE);
    }
  dmd_conn_write_all (conn, "QUIT\r\n", 6, dmd_deadline_in (1), w->cancellable, NULL);

out:
  if (conn != NULL)
    dmd_conn_close (conn);
  dmd_worker_free (w);
  return NULL;
}

gpointer
dmd_checkup_tls_versions_thread (gpointer data)
{
  DmdWorker *w = data;
  g_autofree char *why = NULL;
  GThread *threads[DMD_N_TLS_VERSIONS];

  dmd_worker_check_start (w, "tls-versions");
  /* Even with no encryption set (Direct Send may use TLS): probe anyway. */
  if (w->addresses->len == 0 &&
      !dmd_worker_resolve (w, w->server, w->port, FALSE,
                           dmd_deadline_in (dmd_worker_step_timeout (w)), &why))
    {
      for (int i = 0; i < DMD_N_TLS_VERSIONS; i++)
        {
          DmdCheckupEvent *ev = dmd_checkup_event_new (w->self, EV_TLS_VERSION, NULL);

          ev->tls_index = i;
          ev->tls_state = DMD_TLS_VERSION_NOT_TESTABLE;
          ev->text = g_strdup (why);
          dmd_checkup_post (ev);
        }
      dmd_worker_check_end (w, "tls-versions", DMD_CHECK_SKIP, why);
      dmd_worker_free (w);
      return NULL;
    }

  for (int i = 0; i < DMD_N_TLS_VERSIONS; i++)
    {
      DmdWorker *p = dmd_worker_clone (w);

      p->tls_index = i;
      p->current_check = g_strdup ("tls-versions");
      g_atomic_int_inc (&w->self->workers);
      threads[i] = g_thread_new ("dmd-tls-probe", probe_thread, p);
    }
  for (int i = 0; i < DMD_N_TLS_VERSIONS; i++)
    g_thread_join (threads[i]);
  /* The summary is written on the main context from the collected states. */
  dmd_worker_free (w);
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* On the caller's context, once every worker is done                                          */

/* The version the main connection negotiated passed a handshake, whatever its probe met (a
 * failed or refused handshake, a timeout): the matrix never contradicts it. Only a server
 * that completed the handshake and then refused the version in words (Exchange's 421 4.7.66
 * after TLS 1.0) keeps it refused, as it did on the main connection. */
static void
trust_main_connection (DmdCheckup *self)
{
  DmdNetwork *net = &self->result->network;
  int negotiated = net->tls_negotiated != NULL ? dmd_tls_version_index (net->tls_negotiated) : -1;
  DmdTlsVersionResult *v;
  g_autofree char *line = NULL;

  if (negotiated < 0 || negotiated >= DMD_N_TLS_VERSIONS ||
      net->versions[negotiated].state == DMD_TLS_VERSION_ACCEPTED ||
      self->refused_by_reply[negotiated])
    return;

  v = &net->versions[negotiated];
  v->state = DMD_TLS_VERSION_ACCEPTED;
  g_free (v->detail);
  v->detail = g_strdup (_("negotiated by the main connection"));
  line = g_strdup_printf ("%s: %s — %s", dmd_tls_version_name (negotiated),
                          dmd_tls_version_state_to_string (v->state), v->detail);
  dmd_checkup_add_line (self, "tls-versions", 'I', line);
}

void
dmd_checkup_finish_tls_versions (DmdCheckup *self)
{
  DmdResult *result = self->result;
  DmdCheck *check = dmd_result_get_check (result, "tls-versions");
  g_autoptr(GString) accepted = g_string_new (NULL);
  g_autoptr(GString) refused = g_string_new (NULL);
  guint n_tested = 0;

  if (check == NULL || check->status == DMD_CHECK_SKIP)
    return;

  trust_main_connection (self);
  for (int i = 0; i < DMD_N_TLS_VERSIONS; i++)
    {
      DmdTlsVersionResult *v = &result->network.versions[i];
      GString *into = v->state == DMD_TLS_VERSION_ACCEPTED ? accepted
                    : v->state == DMD_TLS_VERSION_REFUSED ? refused : NULL;
      if (into == NULL)
        continue;
      n_tested++;
      g_string_append_printf (into, "%s%s", into->len ? C_("list separator", ", ") : "",
                              dmd_tls_version_name (i));
    }

  check->status = n_tested == 0 ? DMD_CHECK_SKIP
                : accepted->len == 0 ? DMD_CHECK_FAIL : DMD_CHECK_PASS;
  g_free (check->summary);
  if (n_tested == 0)
    check->summary = g_strdup (_("No TLS version could be tested"));
  else
    check->summary = g_strdup_printf (_("Accepted: %s; refused: %s"),
                                      accepted->len ? accepted->str : _("none"),
                                      refused->len ? refused->str : _("none"));
  if (n_tested > 0)
    {
      DmdFinding *f = dmd_catalog_make_finding ("tls-version-matrix", self->config, check->summary);
      if (f != NULL)
        dmd_result_add_finding (result, f);
    }
  dmd_checkup_end_check (self, check);
}
