/* dmd-checkup-worker.c — what every worker thread of a checkup uses
 *
 * A worker never touches the result: it posts events (dmd_checkup_post) that the caller's
 * context applies. Here: a worker's life, the events it posts (checks, lines, findings,
 * network facts), name resolution and connections under the run's deadlines and scrubber,
 * the client certificate's evidence, and the checks of the public IP (SPF, blocklists) that
 * start once the server has said which address it sees.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-catalog.h"
#include "dmd-checkup-private.h"
#include "dmd-dnsbl.h"
#include "dmd-spf.h"

/* ------------------------------------------------------------------------------------------ */
/* What the option decides                                                                    */

/* The options that go to the domain's MX endpoint: the dns check looks it up. */
gboolean
dmd_checkup_option_uses_mx (const DmdDeviceConfig *config)
{
  return dmd_option_get_info (config->option)->endpoint == DMD_ENDPOINT_MX;
}

/* The options that sign in (dmd-options.c: those that run the "auth" check). */
gboolean
dmd_checkup_option_signs_in (const DmdDeviceConfig *config)
{
  return dmd_option_runs_check (config->option, "auth");
}

/* The options that send from the site's public IP: SPF and the blocklists judge it. */
gboolean
dmd_checkup_option_checks_sender_ip (const DmdDeviceConfig *config)
{
  return dmd_option_runs_check (config->option, "spf");
}

/* ------------------------------------------------------------------------------------------ */
/* A worker's life                                                                            */

DmdWorker *
dmd_worker_new (DmdCheckup *self)
{
  DmdWorker *w = g_new0 (DmdWorker, 1);

  w->self = g_object_ref (self);
  w->config = self->config;
  w->cancellable = g_object_ref (self->cancellable);
  w->addresses = g_ptr_array_new_with_free_func (g_object_unref);
  return w;
}

void
dmd_worker_free (DmdWorker *w)
{
  dmd_checkup_post (dmd_checkup_event_new (w->self, EV_WORKER_DONE, NULL));
  g_object_unref (w->self);
  g_object_unref (w->cancellable);
  g_free (w->current_check);
  g_ptr_array_unref (w->addresses);
  g_free (w->server);
  g_free (w->public_ip);
  g_free (w->mx_host);
  g_free (w);
}

DmdWorker *
dmd_worker_clone (DmdWorker *w)
{
  DmdWorker *c = dmd_worker_new (w->self);

  c->server = g_strdup (w->server);
  c->port = w->port;
  c->public_ip = g_strdup (w->public_ip);
  c->mx_host = g_strdup (w->mx_host);
  for (guint i = 0; i < w->addresses->len; i++)
    g_ptr_array_add (c->addresses, g_object_ref (g_ptr_array_index (w->addresses, i)));
  return c;
}

void
dmd_worker_spawn (DmdWorker   *parent,
                  const char  *name,
                  GThreadFunc  func,
                  gpointer     data)
{
  /* Counted before the parent can finish, so the run cannot complete in between. */
  g_atomic_int_inc (&parent->self->workers);
  g_thread_unref (g_thread_new (name, func, data));
}

gboolean
dmd_worker_cancelled (DmdWorker *w)
{
  return g_cancellable_is_cancelled (w->cancellable);
}

double
dmd_worker_step_timeout (DmdWorker *w)
{
  return w->config->timeout_seconds > 0 ? w->config->timeout_seconds : 10;
}

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                     */

void
dmd_worker_check_start (DmdWorker  *w,
                        const char *check)
{
  dmd_worker_check_resume (w, check);
  dmd_checkup_post (dmd_checkup_event_new (w->self, EV_CHECK_START, check));
}

void
dmd_worker_check_resume (DmdWorker  *w,
                         const char *check)
{
  g_free (w->current_check);
  w->current_check = g_strdup (check);
}

void
dmd_worker_check_end (DmdWorker      *w,
                      const char     *check,
                      DmdCheckStatus  status,
                      const char     *summary)
{
  DmdCheckupEvent *ev = dmd_checkup_event_new (w->self, EV_CHECK_END, check);

  ev->status = status;
  ev->text = g_strdup (summary);
  dmd_checkup_post (ev);
}

void
dmd_worker_check_refused (DmdWorker      *w,
                          const char     *check,
                          const DmdReply *reply,
                          const char     *summary)
{
  DmdCheckupEvent *ev = dmd_checkup_event_new (w->self, EV_CHECK_END, check);

  ev->status = DMD_CHECK_FAIL;
  ev->reply_code = reply->code;
  ev->reply_class = reply->enh_class;
  ev->text = g_strdup (summary);
  dmd_checkup_post (ev);
}

void
dmd_worker_check_skip (DmdWorker  *w,
                       const char *check,
                       const char *summary)
{
  dmd_checkup_post (dmd_checkup_event_new (w->self, EV_CHECK_START, check));
  dmd_worker_check_end (w, check, DMD_CHECK_SKIP, summary);
}

void
dmd_worker_line (DmdWorker  *w,
                 const char *check,
                 char        dir,
                 const char *text)
{
  DmdCheckupEvent *ev = dmd_checkup_event_new (w->self, EV_LINE, check);

  ev->dir = dir;
  ev->text = g_strdup (text);
  dmd_checkup_post (ev);
}

void
dmd_worker_info (DmdWorker  *w,
                 const char *text)
{
  dmd_worker_line (w, w->current_check, 'I', text);
}

void
dmd_worker_smtp_line (char        dir,
                      const char *text,
                      gpointer    user_data)
{
  DmdWorker *w = user_data;

  /* The client notes the message before writing it: from then on it is on the wire. */
  if (dir == 'C' && g_strcmp0 (w->current_check, "data") == 0 &&
      g_str_has_prefix (text, "[message:"))
    w->message_on_wire = TRUE;
  dmd_worker_line (w, w->current_check, dir, text);
}

static void
post_finding (DmdWorker  *w,
              DmdFinding *finding,
              const char *check)
{
  DmdCheckupEvent *ev = dmd_checkup_event_new (w->self, EV_FINDING, NULL);

  ev->finding = finding;
  if (check != NULL)
    {
      g_free (ev->finding->check);
      ev->finding->check = g_strdup (check);
    }
  dmd_checkup_post (ev);
}

void
dmd_worker_finding (DmdWorker  *w,
                    const char *id,
                    const char *check,
                    const char *evidence)
{
  DmdCatalogFacts facts = { w->public_ip, w->mx_host };
  DmdFinding *finding = dmd_catalog_make_finding_full (id, w->config, &facts, evidence);

  if (finding == NULL)
    {
      g_warning ("checkup: no catalogue entry for %s", id);
      return;
    }
  post_finding (w, finding, check);
}

guint
dmd_worker_reply_findings (DmdWorker      *w,
                           const DmdReply *reply,
                           DmdStep         step,
                           DmdAuthMech     mech,
                           const char     *check)
{
  DmdCatalogFacts facts = { w->public_ip, w->mx_host };
  g_autoptr(GPtrArray) findings = NULL;
  guint n;

  /* A connector that trusts a certificate refuses relay the way it refuses any unknown
   * sender: with a certificate presented (or one said to be needed) that is the finding. */
  if (dmd_worker_client_cert_matters (w) &&
      dmd_catalog_is_relay_refusal (reply, w->config->option, step))
    {
      g_autofree char *line = dmd_reply_to_string (reply);
      g_autofree char *evidence = dmd_worker_client_cert_evidence (w, line);

      dmd_worker_finding (w, "relay-certificate-not-trusted", check, evidence);
      return 1;
    }

  findings = dmd_catalog_reply_findings (reply, w->config->option, step, mech, w->config,
                                         &facts);
  n = findings->len;

  /* A reply of the wrong kind (250 to the password, say) still failed the step: say so. */
  if (n == 0)
    {
      g_autofree char *evidence = dmd_reply_to_string (reply);
      DmdFinding *finding = dmd_catalog_make_finding_full ("server-unexpected-reply", w->config,
                                                           &facts, evidence);

      finding->severity = DMD_SEVERITY_ERROR;
      post_finding (w, finding, check);
      return 1;
    }
  g_ptr_array_set_free_func (findings, NULL);
  for (guint i = 0; i < n; i++)
    post_finding (w, g_ptr_array_index (findings, i), check);
  return n;
}

/* The deadline passing is smtp-timeout, anything else (closed, oversized, malformed) is the
 * server breaking the protocol. */
void
dmd_worker_step_failed (DmdWorker    *w,
                        const char   *check,
                        const GError *error)
{
  const char *why = error != NULL ? error->message : "?";

  dmd_worker_finding (w, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
                         ? "smtp-timeout" : "smtp-protocol-error",
                      check, why);
  dmd_worker_check_end (w, check, DMD_CHECK_FAIL, why);
}

void
dmd_worker_post_network (DmdWorker  *w,
                         const char *public_ip,
                         const char *family,
                         const char *peer)
{
  DmdCheckupEvent *ev = dmd_checkup_event_new (w->self, EV_NETWORK, NULL);

  ev->public_ip = g_strdup (public_ip);
  ev->family = g_strdup (family);
  ev->peer = g_strdup (peer);
  dmd_checkup_post (ev);
}

/* ------------------------------------------------------------------------------------------ */
/* Words                                                                                      */

char *
dmd_checkup_address_to_string (GInetSocketAddress *addr)
{
  GInetAddress *inet = g_inet_socket_address_get_address (addr);
  g_autofree char *ip = g_inet_address_to_string (inet);

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", ip, g_inet_socket_address_get_port (addr));
  return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (addr));
}

char *
dmd_checkup_describe_reply (const DmdReply *reply)
{
  g_autofree char *text = dmd_reply_to_string (reply);
  char *nl = strchr (text, '\n');

  if (nl != NULL)
    *nl = '\0';   /* the first line is enough for a summary */
  return g_steal_pointer (&text);
}

char *
dmd_checkup_ehlo_name (void)
{
  const char *host = g_get_host_name ();

  /* A bare, non-qualified name is what many devices send; Exchange Online accepts it. */
  if (host != NULL && *host != '\0' &&
      strspn (host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") ==
      strlen (host))
    return g_strdup (host);
  return g_strdup ("device-mail-doctor");
}

DmdConnectFailure
dmd_checkup_classify_connect_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return DMD_CONNECT_TIMEOUT;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return DMD_CONNECT_REFUSED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return DMD_CONNECT_NO_ROUTE;
  return DMD_CONNECT_OTHER;
}

/* ------------------------------------------------------------------------------------------ */
/* Names and connections                                                                      */

gboolean
dmd_checkup_family_wanted (DmdIpVersion  version,
                           GInetAddress *address)
{
  GSocketFamily family = g_inet_address_get_family (address);

  switch (version)
    {
    case DMD_IP_VERSION_4:   return family == G_SOCKET_FAMILY_IPV4;
    case DMD_IP_VERSION_6:   return family == G_SOCKET_FAMILY_IPV6;
    case DMD_IP_VERSION_ANY: return TRUE;
    default:                 g_return_val_if_reached (FALSE);
    }
}

static void
report_addresses (DmdWorker  *w,
                  const char *host)
{
  for (guint i = 0; i < w->addresses->len; i++)
    {
      g_autofree char *addr = dmd_checkup_address_to_string (g_ptr_array_index (w->addresses, i));
      g_autofree char *msg = g_strdup_printf (_("%s → %s"), host, addr);

      dmd_worker_info (w, msg);
    }
}

gboolean
dmd_worker_resolve (DmdWorker   *w,
                    const char  *host,
                    guint16      port,
                    gboolean     report,
                    gint64       deadline,
                    char       **why)
{
  g_autofree char *to_host = NULL;
  guint16 to_port = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) literal = NULL;
  GList *list = NULL;

  g_ptr_array_set_size (w->addresses, 0);

  if (dmd_device_config_map_connect_to (w->config, host, port, &to_host, &to_port))
    {
      if (report)
        {
          g_autofree char *msg = g_strdup_printf (_("--connect-to: connecting to %s port %u instead of %s port %u; %s is not looked up"),
                                                  to_host, to_port, host, port, host);
          dmd_worker_info (w, msg);
        }
      host = to_host;
      port = to_port;
    }

  literal = g_inet_address_new_from_string (host);
  if (literal != NULL)
    {
      if (!dmd_checkup_family_wanted (w->config->ip_version, literal))
        {
          *why = g_strdup_printf (_("%s is not an address of the IP version chosen (--ip-version=%s)"),
                                  host, dmd_ip_version_to_string (w->config->ip_version));
          return FALSE;
        }
      g_ptr_array_add (w->addresses, g_inet_socket_address_new (literal, port));
      return TRUE;
    }

  /* Bounded: the system resolver alone may wait far longer than the step's deadline. */
  list = dmd_dns_lookup_host (NULL, host, DMD_DNS_QUERY_ADDRESS, deadline, w->cancellable, &error);
  if (list == NULL)
    {
      *why = g_strdup_printf (_("%s could not be resolved: %s"), host, error->message);
      return FALSE;
    }
  for (GList *l = list; l != NULL; l = l->next)
    if (dmd_checkup_family_wanted (w->config->ip_version, l->data))
      g_ptr_array_add (w->addresses, g_inet_socket_address_new (l->data, port));
  g_resolver_free_addresses (list);

  if (w->addresses->len == 0)
    {
      *why = g_strdup_printf (_("%s has no address of the IP version chosen (--ip-version=%s)"),
                              host, dmd_ip_version_to_string (w->config->ip_version));
      return FALSE;
    }
  if (report)
    report_addresses (w, host);
  return TRUE;
}

DmdConn *
dmd_worker_connect (DmdWorker           *w,
                    GInetSocketAddress  *address,
                    gint64               deadline,
                    GError             **error)
{
  DmdConn *conn = dmd_conn_connect (address, deadline, w->cancellable, error);

  /* What a server says goes through the run's scrubber before anything stores it (a server
   * may echo the credentials). */
  if (conn != NULL)
    dmd_conn_set_scrubber (conn, w->self->scrubber);
  return conn;
}

/* ------------------------------------------------------------------------------------------ */
/* The client certificate                                                                     */

/* Whether the connector's view of a certificate is in play: one was chosen, or the user says
 * the relay connector recognizes the device by its certificate. */
gboolean
dmd_worker_client_cert_matters (DmdWorker *w)
{
  return w->self->client_cert != NULL ||
         (dmd_option_get_info (w->config->option)->connector &&
          w->config->connector_trusts_certificate);
}

/* "CN=mfp.contoso.com,O=…; names: mfp.contoso.com; SHA-256 AB:…; valid until …" */
static char *
describe_client_cert (const DmdCertInfo *info)
{
  GString *out = g_string_new (info->subject != NULL ? info->subject : "?");
  g_autoptr(GDateTime) until = info->not_after ? g_date_time_new_from_iso8601 (info->not_after, NULL) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (info->sans != NULL && info->sans->len > 0)
    {
      g_string_append_printf (out, "; %s ", _("names:"));
      for (guint i = 0; i < info->sans->len && i < 8; i++)
        g_string_append_printf (out, "%s%s", i ? ", " : "", (const char *) g_ptr_array_index (info->sans, i));
    }
  if (info->sha256 != NULL)
    g_string_append_printf (out, "; SHA-256 %s", info->sha256);
  if (info->not_after != NULL)
    {
      g_string_append (out, "; ");
      /* Translators: %s is a date and time, "2030-01-31T12:00:00Z". */
      g_string_append_printf (out, until != NULL && g_date_time_compare (until, now) < 0
                                     ? _("expired on %s") : _("valid until %s"),
                              info->not_after);
    }
  return g_string_free (out, FALSE);
}

/* Evidence for relay-certificate-not-trusted: what came back, and which certificate (if
 * any) was presented. */
char *
dmd_worker_client_cert_evidence (DmdWorker  *w,
                                 const char *what)
{
  const DmdCertInfo *info = w->self->client_cert != NULL
                            ? dmd_tls_client_cert_get_info (w->self->client_cert) : NULL;
  g_autofree char *cert = info != NULL ? describe_client_cert (info) : NULL;

  if (info == NULL)
    /* Translators: %s is a reply line or a TLS error. */
    return g_strdup_printf (_("%s (no client certificate was presented from this computer)"),
                            what);
  if (!w->tls_tried)
    /* Translators: the first %s is a reply line, the second describes a certificate. */
    return g_strdup_printf (_("%s (the session did not use TLS, so %s could not be presented)"),
                            what, cert);
  if (!w->cert_sent)
    /* Translators: the first %s is a reply line or a TLS error, the second describes a
     * certificate. */
    return g_strdup_printf (_("%s (the server did not ask for a client certificate, so %s was not presented)"),
                            what, cert);
  /* Translators: the first %s is a reply line or a TLS error, the second describes a
   * certificate. */
  return g_strdup_printf (_("%s (presented: %s)"), what, cert);
}

/* TLS alerts that say "your certificate": bad_certificate, unsupported_certificate,
 * certificate_revoked, certificate_expired, certificate_unknown, unknown_ca, access_denied,
 * certificate_required. */
gboolean
dmd_checkup_is_certificate_alert (int alert)
{
  switch (alert)
    {
    case GNUTLS_A_BAD_CERTIFICATE:
    case GNUTLS_A_UNSUPPORTED_CERTIFICATE:
    case GNUTLS_A_CERTIFICATE_REVOKED:
    case GNUTLS_A_CERTIFICATE_EXPIRED:
    case GNUTLS_A_CERTIFICATE_UNKNOWN:
    case GNUTLS_A_UNKNOWN_CA:
    case GNUTLS_A_ACCESS_DENIED:
    case GNUTLS_A_CERTIFICATE_REQUIRED:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The server ended TLS with a certificate alert after asking for a client certificate
 * (during the handshake, or with TLS 1.3 right after it): the connector judged ours, or
 * demanded one (certificate_required) when none was chosen. */
gboolean
dmd_worker_client_cert_refused (DmdWorker *w,
                                DmdConn   *conn)
{
  int alert = dmd_conn_get_received_alert (conn);

  return dmd_checkup_option_uses_mx (w->config) &&
         dmd_conn_get_client_cert_requested (conn) && dmd_checkup_is_certificate_alert (alert) &&
         (dmd_worker_client_cert_matters (w) || alert == GNUTLS_A_CERTIFICATE_REQUIRED);
}

/* ------------------------------------------------------------------------------------------ */
/* The public IP: SPF and blocklists, beside the dialogue                                     */

typedef struct {
  DmdWorker *w;
  char      *public_ip;
} IpJob;

/* A DNS outcome's lines and findings into a check, and its end. */
static void
apply_outcome (DmdWorker           *w,
               const char          *check,
               const DmdDnsOutcome *outcome)
{
  for (guint i = 0; i < outcome->lines->len; i++)
    dmd_worker_line (w, check, 'I', g_ptr_array_index (outcome->lines, i));
  for (guint i = 0; i < outcome->findings->len; i++)
    {
      DmdDnsFinding *f = g_ptr_array_index (outcome->findings, i);
      dmd_worker_finding (w, f->id, check, f->evidence);
    }
  dmd_worker_check_end (w, check, outcome->status, outcome->summary);
}

static void
ip_job_free (IpJob *job)
{
  dmd_worker_free (job->w);
  g_free (job->public_ip);
  g_free (job);
}

static gpointer
spf_thread (gpointer data)
{
  IpJob *job = data;
  DmdWorker *w = job->w;
  g_autofree char *domain = dmd_dns_domain_for_spf (w->config);
  g_autoptr(DmdDnsOutcome) outcome = NULL;

  dmd_worker_check_start (w, "spf");
  outcome = dmd_spf_check (NULL, domain, job->public_ip,
                           dmd_deadline_in (dmd_worker_step_timeout (w)), w->cancellable);
  if (!outcome->cancelled && !dmd_worker_cancelled (w))
    apply_outcome (w, "spf", outcome);
  ip_job_free (job);
  return NULL;
}

static gpointer
blocklist_thread (gpointer data)
{
  IpJob *job = data;
  DmdWorker *w = job->w;
  g_autoptr(DmdDnsOutcome) outcome = NULL;

  dmd_worker_check_start (w, "blocklist");
  /* Blocklists answer quickly or not at all: a short deadline of its own. */
  outcome = dmd_dnsbl_check (NULL, job->public_ip,
                             dmd_deadline_in (MIN (dmd_worker_step_timeout (w), 5.0)),
                             w->cancellable);
  if (!outcome->cancelled && !dmd_worker_cancelled (w))
    apply_outcome (w, "blocklist", outcome);
  ip_job_free (job);
  return NULL;
}

void
dmd_worker_public_ip_known (DmdWorker  *w,
                            const char *public_ip)
{
  static const struct { const char *check; GThreadFunc func; } jobs[] = {
    { "spf",       spf_thread },
    { "blocklist", blocklist_thread },
  };

  if (w->public_ip == NULL)
    w->public_ip = g_strdup (public_ip);
  if (!dmd_checkup_option_checks_sender_ip (w->config) || w->ip_checks_started)
    return;
  w->ip_checks_started = TRUE;

  if (w->config->connector_ip != NULL && *w->config->connector_ip != '\0')
    {
      g_autoptr(DmdDnsFinding) f = dmd_dns_check_connector_ip (public_ip, w->config->connector_ip);
      if (f != NULL)
        dmd_worker_finding (w, f->id, "ehlo", f->evidence);
    }

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      IpJob *job = g_new0 (IpJob, 1);

      job->w = dmd_worker_clone (w);
      job->w->current_check = g_strdup (jobs[i].check);
      job->public_ip = g_strdup (public_ip);
      dmd_worker_spawn (w, jobs[i].check, jobs[i].func, job);
    }
}
