/* dmd-checkup-ports.c — other ports and other ways of the same port
 *
 * The port triage: when the chosen port cannot be reached, a short look at the other ports
 * the option could use says whether the network blocks SMTP or only this port (and, when
 * one answers, which public IP Microsoft sees). The mix-up detection: a port that stays
 * silent may be waiting for a TLS handshake (implicit TLS, as on 465), and a port that
 * refuses a handshake may greet in plain text (it expects STARTTLS).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "dmd-checkup-private.h"

typedef struct {
  const char *host;
  guint16     port;
} Target;

/* Which other ports say something about a port that cannot be reached (at most two). */
static guint
triage_targets (const DmdDeviceConfig *config,
                guint16                failed_port,
                Target                 targets[2])
{
  guint n = 0;
  const DmdOptionInfo *info = dmd_option_get_info (config->option);
  const DmdOptionInfo *smtp_auth = dmd_option_get_info (DMD_OPTION_SMTP_AUTH);

  if (info->endpoint == DMD_ENDPOINT_SIGN_IN)
    {
      /* The other port of the option's endpoint (587 ↔ 25). */
      targets[n].host = info->default_server;
      targets[n++].port = failed_port == 587 ? 25 : 587;
      if (failed_port != 587 && failed_port != 25)
        {
          targets[n].host = info->default_server;
          targets[n++].port = 25;
        }
    }
  else
    {
      /* The MX endpoint takes port 25 only: would SMTP AUTH work from this network instead? */
      targets[n].host = smtp_auth->default_server;
      targets[n++].port = smtp_auth->default_port;
    }
  return n;
}

typedef struct {
  DmdWorker *parent;
  char      *host;
  guint16    port;
  char      *outcome;   /* translated words */
  char      *public_ip; /* from the EHLO greeting, when it answered */
} Triage;

/* host:port after --connect-to, first address of the IP version chosen (a literal as is). */
static GInetSocketAddress *
triage_address (DmdWorker  *w,
                const char *host,
                guint16     port,
                gint64      deadline)
{
  g_autofree char *to_host = NULL;
  guint16 to_port = 0;
  g_autoptr(GInetAddress) literal = NULL;
  GInetSocketAddress *addr = NULL;
  GList *list;

  if (dmd_device_config_map_connect_to (w->config, host, port, &to_host, &to_port))
    {
      host = to_host;
      port = to_port;
    }
  literal = g_inet_address_new_from_string (host);
  if (literal != NULL)
    return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (literal, port));
  list = dmd_dns_lookup_host (NULL, host, DMD_DNS_QUERY_ADDRESS, deadline, w->cancellable, NULL);
  for (GList *l = list; l != NULL && addr == NULL; l = l->next)
    if (dmd_checkup_family_wanted (w->config->ip_version, l->data))
      addr = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (l->data, port));
  g_resolver_free_addresses (list);
  return addr;
}

/* It answered: does it greet? Its EHLO reply says which public IP Microsoft sees (for SPF
 * and the connector). */
static void
triage_greeting (Triage  *t,
                 DmdConn *conn,
                 gint64   deadline)
{
  DmdWorker *w = t->parent;
  g_autoptr(DmdReply) banner = dmd_conn_read_reply (conn, deadline, w->cancellable, NULL);
  g_autoptr(DmdReply) reply = NULL;
  g_autoptr(DmdEhlo) ehlo = NULL;

  if (banner == NULL || banner->code != 220)
    {
      t->outcome = g_strdup_printf (_("%s port %u accepts connections from this network"),
                                    t->host, t->port);
      return;
    }
  t->outcome = g_strdup_printf (_("%s port %u answers from this network"), t->host, t->port);
  if (dmd_conn_write_all (conn, "EHLO device-mail-doctor\r\n", 25, deadline, w->cancellable, NULL) &&
      (reply = dmd_conn_read_reply (conn, deadline, w->cancellable, NULL)) != NULL &&
      reply->code == 250 && (ehlo = dmd_ehlo_parse (reply)) != NULL)
    t->public_ip = g_strdup (ehlo->public_ip);
  dmd_conn_write_all (conn, "QUIT\r\n", 6, dmd_deadline_in (1), w->cancellable, NULL);
}

static gpointer
triage_thread (gpointer data)
{
  Triage *t = data;
  DmdWorker *w = t->parent;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdConn) conn = NULL;
  GInetSocketAddress *addr;
  /* One deadline for the whole look at the other port (resolve, connect, greeting, EHLO). */
  gint64 deadline = dmd_deadline_in (dmd_worker_step_timeout (w));

  addr = triage_address (w, t->host, t->port, deadline);
  if (addr == NULL)
    {
      t->outcome = g_strdup_printf (_("%s port %u: could not be resolved"), t->host, t->port);
      return t;
    }

  conn = dmd_worker_connect (w, addr, deadline, &error);
  g_object_unref (addr);
  if (conn != NULL)
    {
      triage_greeting (t, conn, deadline);
      dmd_conn_close (conn);
      return t;
    }
  switch (dmd_checkup_classify_connect_error (error))
    {
    case DMD_CONNECT_TIMEOUT:
      t->outcome = g_strdup_printf (_("%s port %u is blocked too (no answer in %u s)"),
                                    t->host, t->port, (guint) dmd_worker_step_timeout (w));
      break;
    case DMD_CONNECT_REFUSED:
      t->outcome = g_strdup_printf (_("%s port %u is refused too"), t->host, t->port);
      break;
    case DMD_CONNECT_NO_ROUTE:
    case DMD_CONNECT_OTHER:
    default:
      t->outcome = g_strdup_printf (_("%s port %u: %s"), t->host, t->port, error->message);
      break;
    }
  return t;
}

char *
dmd_checkup_port_triage (DmdWorker *w,
                         guint16    failed_port)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  Target targets[2];
  guint n = triage_targets (w->config, failed_port, targets);

  /* The targets in parallel. */
  for (guint i = 0; i < n; i++)
    {
      Triage *t = g_new0 (Triage, 1);

      t->parent = w;
      t->host = g_strdup (targets[i].host);
      t->port = targets[i].port;
      g_ptr_array_add (threads, g_thread_new ("dmd-triage", triage_thread, t));
    }
  for (guint i = 0; i < threads->len; i++)
    {
      Triage *t = g_thread_join (g_ptr_array_index (threads, i));

      if (out->len > 0)
        g_string_append (out, "; ");
      g_string_append (out, t->outcome ? t->outcome : "?");
      dmd_worker_line (w, "connect", 'I', t->outcome);
      if (t->public_ip != NULL && !dmd_worker_cancelled (w))
        {
          dmd_worker_post_network (w, t->public_ip, NULL, NULL);
          dmd_worker_public_ip_known (w, t->public_ip);
        }
      g_free (t->public_ip);
      g_free (t->outcome);
      g_free (t->host);
      g_free (t);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* Mix-ups of STARTTLS and implicit TLS                                                       */

gboolean
dmd_checkup_port_speaks_tls (DmdWorker          *w,
                             GInetSocketAddress *addr,
                             gint64              deadline)
{
  g_autoptr(DmdConn) conn = NULL;
  DmdTlsInfo *info = NULL;
  gboolean ok;

  conn = dmd_worker_connect (w, addr, deadline, NULL);
  if (conn == NULL)
    return FALSE;
  dmd_conn_set_client_cert (conn, w->self->client_cert);
  ok = dmd_conn_start_tls_client (conn, w->server, NULL, w->config->ca_file, deadline,
                                  w->cancellable, &info, NULL);
  g_clear_pointer (&info, dmd_tls_info_free);
  dmd_conn_close (conn);
  return ok;
}

char *
dmd_checkup_port_greets_in_plaintext (DmdWorker          *w,
                                      GInetSocketAddress *addr)
{
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(DmdReply) banner = NULL;
  gint64 deadline = dmd_deadline_in (MIN (dmd_worker_step_timeout (w), 5.0));
  char *text = NULL;

  conn = dmd_worker_connect (w, addr, deadline, NULL);
  if (conn == NULL)
    return NULL;
  banner = dmd_conn_read_reply (conn, deadline, w->cancellable, NULL);
  if (banner != NULL && banner->code == 220)
    text = dmd_checkup_describe_reply (banner);
  dmd_conn_close (conn);
  return text;
}
