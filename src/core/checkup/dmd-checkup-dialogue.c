/* dmd-checkup-dialogue.c — the steps of the dialogue with the server
 *
 * One function per row of the step table (dmd-checkup-steps.c). The loop has started the
 * step's check (d->check); the function reports it — lines, findings, its end — and says
 * whether the dialogue goes on (DMD_DIALOGUE_NEXT) or stops (then d->why, when set, says why
 * the steps after it did not run, instead of the row's own words).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-checkup-private.h"
#include "dmd-host.h"
#include "dmd-oauth.h"

/* The server refused the step: findings from the reply, and the check fails with its codes. */
static void
step_refused (DmdDialogue    *d,
              const DmdReply *reply,
              DmdStep         step)
{
  g_autofree char *summary = dmd_checkup_describe_reply (reply);

  dmd_worker_reply_findings (d->w, reply, step, d->mech, d->check);
  dmd_worker_check_refused (d->w, d->check, reply, summary);
}

static void
step_passed (DmdDialogue    *d,
             const DmdReply *reply)
{
  g_autofree char *summary = dmd_checkup_describe_reply (reply);

  dmd_worker_check_end (d->w, d->check, DMD_CHECK_PASS, summary);
}

/* ------------------------------------------------------------------------------------------ */
/* dns                                                                                         */

/* For the options that send to the MX endpoint: the domain's MX first (it may be what we
 * test). FALSE when the dialogue cannot go on (reported, with d->why). */
static gboolean
dns_mx_endpoint (DmdDialogue    *d,
                 gint64          deadline,
                 DmdCheckStatus *status)
{
  DmdWorker *w = d->w;
  g_autofree char *domain = dmd_dns_domain_for_mx (w->config);
  g_autofree char *endpoint = NULL;
  g_autoptr(DmdDnsOutcome) mx = NULL;

  if (domain == NULL)
    {
      if (w->server != NULL)
        return TRUE;
      d->why = _("No server and no domain: enter the organization’s domain or the tenant’s MX endpoint");
      dmd_worker_check_end (w, "dns", DMD_CHECK_FAIL, d->why);
      return FALSE;
    }

  mx = dmd_dns_check_mx (NULL, domain, w->server, deadline, w->cancellable, &endpoint);
  if (mx->cancelled || dmd_worker_cancelled (w))
    return FALSE;
  for (guint i = 0; i < mx->lines->len; i++)
    dmd_worker_line (w, "dns", 'I', g_ptr_array_index (mx->lines, i));
  for (guint i = 0; i < mx->findings->len; i++)
    {
      DmdDnsFinding *f = g_ptr_array_index (mx->findings, i);
      dmd_worker_finding (w, f->id, "dns", f->evidence);
    }
  *status = mx->status;
  if (w->server == NULL && endpoint == NULL)
    {
      d->why = _("Not run: enter the tenant’s MX endpoint (Microsoft 365 admin center, Settings, Domains)");
      dmd_worker_check_end (w, "dns", DMD_CHECK_FAIL, mx->summary);
      return FALSE;
    }
  w->mx_host = g_strdup (endpoint);
  if (w->server == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Testing the tenant’s MX endpoint %s"), endpoint);

      dmd_worker_info (w, msg);
      w->server = g_steal_pointer (&endpoint);
    }
  return TRUE;
}

/* One deadline for the step, MX and address lookups together. */
DmdDialogueOutcome
dmd_step_dns (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  gint64 deadline = dmd_deadline_in (dmd_worker_step_timeout (w));
  DmdCheckStatus status = DMD_CHECK_PASS;
  g_autofree char *why = NULL;
  g_autofree char *first = NULL;
  g_autofree char *summary = NULL;
  DmdWorker *probes;

  if (dmd_checkup_option_uses_mx (w->config) && !dns_mx_endpoint (d, deadline, &status))
    return DMD_DIALOGUE_STOP;
  if (!dmd_worker_resolve (w, w->server, w->port, TRUE, deadline, &why))
    {
      if (dmd_worker_cancelled (w))
        return DMD_DIALOGUE_STOP;
      dmd_worker_finding (w, "dns-resolve-failed", "dns", why);
      dmd_worker_check_end (w, "dns", DMD_CHECK_FAIL, why);
      return DMD_DIALOGUE_STOP;
    }
  first = dmd_checkup_address_to_string (g_ptr_array_index (w->addresses, 0));
  summary = g_strdup_printf (_("%s resolves to %s"), w->server, first);
  dmd_worker_check_end (w, "dns", status == DMD_CHECK_WARN ? DMD_CHECK_WARN : DMD_CHECK_PASS,
                        summary);
  d->facts |= DMD_FACT_ADDRESS;

  /* The TLS version matrix runs beside the dialogue, on the same address. */
  probes = dmd_worker_clone (w);
  probes->current_check = g_strdup ("tls-versions");
  dmd_worker_spawn (w, "dmd-tls-probes", dmd_checkup_tls_versions_thread, probes);
  return DMD_DIALOGUE_NEXT;
}

/* ------------------------------------------------------------------------------------------ */
/* connect                                                                                     */

/* No connection: which finding, the evidence, and what the other ports say. */
static void
connect_failed (DmdDialogue  *d,
                const GError *error)
{
  DmdWorker *w = d->w;
  g_autofree char *evidence = NULL;
  g_autofree char *triage = NULL;
  g_autofree char *full = NULL;
  const char *id;

  switch (dmd_checkup_classify_connect_error (error))
    {
    case DMD_CONNECT_TIMEOUT:
      id = "network-port-blocked";
      evidence = g_strdup_printf (_("Port %u of %s: no answer in %u s (%s)"), w->port, w->server,
                                  (guint) dmd_worker_step_timeout (w), d->peer);
      break;
    case DMD_CONNECT_REFUSED:
      id = "network-connection-refused";
      evidence = g_strdup_printf (_("Port %u of %s: connection refused (%s)"), w->port,
                                  w->server, d->peer);
      break;
    case DMD_CONNECT_NO_ROUTE:
    case DMD_CONNECT_OTHER:
    default:
      id = "network-no-route";
      evidence = g_strdup_printf (_("Port %u of %s: %s (%s)"), w->port, w->server,
                                  error->message, d->peer);
      break;
    }
  dmd_worker_line (w, "connect", 'I', evidence);
  triage = dmd_checkup_port_triage (w, w->port);
  if (dmd_worker_cancelled (w))
    return;
  /* Translators: the connection error, then what the other ports did (two sentences) */
  full = g_strdup_printf (_("%s. %s."), evidence, triage);
  dmd_worker_finding (w, id, "connect", full);
  dmd_worker_check_end (w, "connect", DMD_CHECK_FAIL, evidence);
}

static const char *
family_name (GInetSocketAddress *addr)
{
  return g_inet_address_get_family (g_inet_socket_address_get_address (addr)) == G_SOCKET_FAMILY_IPV6
         ? "ipv6" : "ipv4";
}

DmdDialogueOutcome
dmd_step_connect (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  DmdConn *conn;

  /* Devices use the first address; so do we (the others are listed in the dns check). */
  d->used = g_ptr_array_index (w->addresses, 0);
  d->peer = dmd_checkup_address_to_string (d->used);
  conn = dmd_worker_connect (w, d->used, dmd_deadline_in (dmd_worker_step_timeout (w)), &error);
  if (conn == NULL)
    {
      if (!dmd_worker_cancelled (w))
        connect_failed (d, error);
      return DMD_DIALOGUE_STOP;
    }
  dmd_worker_post_network (w, NULL, family_name (d->used), d->peer);
  msg = g_strdup_printf (_("Connected to %s"), d->peer);
  dmd_worker_line (w, "connect", 'I', msg);
  dmd_worker_check_end (w, "connect", DMD_CHECK_PASS, msg);
  d->client = dmd_smtp_client_new (conn, dmd_worker_step_timeout (w), w->cancellable,
                                   dmd_worker_smtp_line, w);
  d->facts |= DMD_FACT_CONNECTED;
  return DMD_DIALOGUE_NEXT;
}

/* ------------------------------------------------------------------------------------------ */
/* tls (at once with implicit TLS, or after STARTTLS)                                          */

static void
post_client_cert (DmdWorker *w,
                  DmdConn   *conn)
{
  DmdCheckupEvent *ev = dmd_checkup_event_new (w->self, EV_CLIENT_CERT, NULL);

  w->cert_requested = dmd_conn_get_client_cert_requested (conn);
  w->cert_sent = dmd_conn_get_client_cert_sent (conn);
  ev->cert_requested = w->cert_requested;
  ev->cert_sent = w->cert_sent;
  dmd_checkup_post (ev);
  if (w->cert_requested)
    dmd_worker_info (w, w->cert_sent ? _("The server asked for a client certificate; the chosen one was presented")
                                     : _("The server asked for a client certificate; none was presented"));
}

static void
handshake_failed (DmdWorker    *w,
                  DmdConn      *conn,
                  const GError *error)
{
  if (g_error_matches (error, DMD_CONN_ERROR, DMD_CONN_ERROR_INJECTION))
    {
      /* The finding goes with the check it failed, so it leads the report. */
      dmd_worker_finding (w, "tls-starttls-injection", "tls", error->message);
      dmd_worker_check_end (w, "tls", DMD_CHECK_FAIL, _("Plaintext was injected after the STARTTLS reply: session aborted"));
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_autofree char *ev = g_strdup_printf (_("No TLS handshake answer within %u s"),
                                             (guint) dmd_worker_step_timeout (w));
      dmd_worker_finding (w, "smtp-timeout", "tls", ev);
      dmd_worker_check_end (w, "tls", DMD_CHECK_FAIL, ev);
    }
  else if (dmd_worker_client_cert_refused (w, conn))
    {
      g_autofree char *ev = dmd_worker_client_cert_evidence (w, error->message);

      dmd_worker_finding (w, "relay-certificate-not-trusted", "tls", ev);
      dmd_worker_check_end (w, "tls", DMD_CHECK_FAIL, error->message);
    }
  else
    {
      dmd_worker_finding (w, "tls-handshake-failed", "tls", error->message);
      dmd_worker_check_end (w, "tls", DMD_CHECK_FAIL, error->message);
    }
}

static void
report_certificate (DmdWorker        *w,
                    const DmdTlsInfo *info)
{
  g_autofree char *summary = NULL;
  g_autofree char *evidence = NULL;
  DmdCertInfo *leaf = info->chain && info->chain->len ? g_ptr_array_index (info->chain, 0) : NULL;

  if (info->verified)
    {
      summary = g_strdup_printf (_("%s, certificate valid for %s"), info->version, w->server);
      dmd_worker_check_end (w, "tls", DMD_CHECK_PASS, summary);
      return;
    }
  summary = g_strdup_printf (_("%s, but the certificate is not valid: %s"),
                             info->version, info->problem ? info->problem : "?");
  evidence = g_strdup_printf ("%s (%s: %s; %s: %s)", info->problem ? info->problem : "?",
                              _("subject"), leaf && leaf->subject ? leaf->subject : "?",
                              _("issuer"), leaf && leaf->issuer ? leaf->issuer : "?");
  dmd_worker_finding (w, "tls-certificate-invalid", "tls", evidence);
  dmd_worker_check_end (w, "tls", DMD_CHECK_FAIL, summary);
}

/* A handshake that failed with implicit TLS: a plaintext greeting on a fresh connection
 * means the device should use STARTTLS. */
static void
implicit_tls_mixup (DmdDialogue *d)
{
  g_autofree char *greeting = dmd_checkup_port_greets_in_plaintext (d->w, d->used);
  g_autofree char *ev = NULL;

  if (greeting == NULL)
    return;
  ev = g_strdup_printf (_("Port %u greets in plain text (“%s”) and expects STARTTLS; the device starts TLS at once"),
                        d->w->port, greeting);
  dmd_worker_line (d->w, "tls", 'I', ev);
  dmd_worker_finding (d->w, "config-implicit-tls", "tls", ev);
}

DmdDialogueOutcome
dmd_step_tls (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  DmdConn *conn = dmd_smtp_client_get_conn (d->client);
  g_autoptr(GError) error = NULL;
  DmdTlsInfo *info = NULL;
  g_autofree char *msg = NULL;
  DmdCheckupEvent *ev;

  w->tls_tried = TRUE;
  dmd_conn_set_client_cert (conn, w->self->client_cert);
  if (!dmd_conn_start_tls_client (conn, w->server, dmd_tls_priority_default (),
                                  w->config->ca_file, dmd_deadline_in (dmd_worker_step_timeout (w)),
                                  w->cancellable, &info, &error))
    {
      g_clear_pointer (&info, dmd_tls_info_free);
      post_client_cert (w, conn);
      if (dmd_worker_cancelled (w))
        return DMD_DIALOGUE_STOP;
      handshake_failed (w, conn, error);
      if (w->config->security == DMD_SECURITY_IMPLICIT_TLS)
        implicit_tls_mixup (d);
      return DMD_DIALOGUE_STOP;
    }
  post_client_cert (w, conn);

  msg = g_strdup_printf (_("TLS established: %s, %s"), info->version, info->cipher);
  dmd_worker_info (w, msg);
  d->tls_verified = info->verified;
  report_certificate (w, info);
  ev = dmd_checkup_event_new (w->self, EV_TLS_INFO, NULL);
  ev->tls_info = info;
  dmd_checkup_post (ev);
  d->facts |= DMD_FACT_TLS;
  return DMD_DIALOGUE_NEXT;
}

/* ------------------------------------------------------------------------------------------ */
/* banner                                                                                      */

static gboolean
looks_masked (const DmdReply *banner)
{
  g_autofree char *text = dmd_reply_text (banner);
  guint stars = 0, other = 0;

  for (const char *p = text; *p; p++)
    {
      if (*p == '*')
        stars++;
      else if (!g_ascii_isspace (*p))
        other++;
    }
  return stars >= 3 && stars >= other;
}

static gboolean
is_microsoft_greeting (const DmdReply *banner)
{
  g_autofree char *text = dmd_reply_text (banner);
  g_autofree char *lower = g_ascii_strdown (text, -1);

  return strstr (lower, "microsoft esmtp") != NULL || strstr (lower, "outlook.com") != NULL ||
         strstr (lower, "office365.com") != NULL;
}

/* No greeting by the deadline, or a broken one. */
static void
no_greeting (DmdDialogue  *d,
             const GError *error,
             gboolean      speaks_tls)
{
  DmdWorker *w = d->w;
  g_autofree char *ev = NULL;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      dmd_worker_finding (w, "smtp-protocol-error", "banner", error->message);
      dmd_worker_check_end (w, "banner", DMD_CHECK_FAIL, error->message);
      return;
    }
  ev = g_strdup_printf (_("No greeting from %s within %u s"), d->peer,
                        (guint) dmd_worker_step_timeout (w));
  /* A silent port may be waiting for a TLS handshake: implicit TLS, as on 465. */
  if (speaks_tls)
    {
      g_autofree char *more = g_strdup_printf (_("%s; the port answers a TLS handshake at once (implicit TLS, as port 465 does), which Microsoft 365 does not offer for devices: use STARTTLS on port 587"),
                                               ev);
      g_free (ev);
      ev = g_steal_pointer (&more);
      dmd_worker_line (w, "banner", 'I', ev);
    }
  if (dmd_worker_cancelled (w))
    return;
  dmd_worker_finding (w, "smtp-timeout", "banner", ev);
  dmd_worker_check_end (w, "banner", DMD_CHECK_FAIL, ev);
}

/* One deadline for the step. A port still silent at half of it may be waiting for a TLS
 * handshake (implicit TLS, as on 465): a second connection asks, within the same deadline,
 * while the greeting may still come. */
DmdDialogueOutcome
dmd_step_banner (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  gboolean implicit = w->config->security == DMD_SECURITY_IMPLICIT_TLS;
  gint64 deadline = dmd_deadline_in (dmd_worker_step_timeout (w));
  gint64 half = deadline - (gint64) (dmd_worker_step_timeout (w) * G_USEC_PER_SEC / 2);
  gboolean speaks_tls = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) banner = NULL;
  g_autofree char *summary = NULL;

  if (!implicit &&
      !dmd_conn_peek_pending (dmd_smtp_client_get_conn (d->client), half, w->cancellable) &&
      !dmd_worker_cancelled (w) && g_get_monotonic_time () >= half)
    speaks_tls = dmd_checkup_port_speaks_tls (w, d->used, deadline);
  banner = dmd_smtp_client_read_banner_until (d->client, deadline, &error);
  if (banner == NULL)
    {
      if (!dmd_worker_cancelled (w))
        no_greeting (d, error, speaks_tls);
      return DMD_DIALOGUE_STOP;
    }
  if (banner->code != 220)
    {
      step_refused (d, banner, DMD_STEP_BANNER);
      d->why = _("Not run: the server refused the session");
      return DMD_DIALOGUE_STOP;
    }
  summary = dmd_checkup_describe_reply (banner);
  if (looks_masked (banner) || (dmd_host_is_microsoft (w->server) && !is_microsoft_greeting (banner)))
    {
      dmd_worker_finding (w, "network-smtp-inspection", "banner", summary);
      dmd_worker_check_end (w, "banner", DMD_CHECK_WARN, summary);
    }
  else
    dmd_worker_check_end (w, "banner", DMD_CHECK_PASS, summary);
  d->facts |= DMD_FACT_GREETED;
  return DMD_DIALOGUE_NEXT;
}

/* ------------------------------------------------------------------------------------------ */
/* ehlo                                                                                        */

/* The public IP the server says it sees: for SPF, the blocklists and the connector. */
static void
ehlo_public_ip (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  const char *ip = d->ehlo->public_ip;
  g_autoptr(GInetAddress) pub = g_inet_address_new_from_string (ip);
  g_autofree char *msg = g_strdup_printf (_("The server sees this network as %s"), ip);

  /* address_family stays the family of the connection used (--ip-version's contract); the
   * public IP's own family shows in the address itself. */
  dmd_worker_post_network (w, ip, NULL, NULL);
  dmd_worker_info (w, msg);
  if (pub != NULL && g_inet_address_get_family (pub) !=
                     g_inet_address_get_family (g_inet_socket_address_get_address (d->used)))
    dmd_worker_info (w, _("Microsoft sees this network through the other IP version than the one used to connect (NAT64 or a proxy): the SPF record and the connector must cover that address"));
  dmd_worker_public_ip_known (w, ip);
}

DmdDialogueOutcome
dmd_step_ehlo (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autofree char *count = NULL;
  g_autofree char *summary = NULL;
  /* Keywords are protocol names, not words: they stay as they are; the separator is the
   * language's (Japanese lists take "、"). */
  const char *sep = C_("list separator", ", ");

  reply = dmd_smtp_client_ehlo (d->client, d->name, &d->ehlo, &error);
  if (reply == NULL || reply->code != 250 || d->ehlo == NULL)
    {
      if (dmd_worker_cancelled (w))
        return DMD_DIALOGUE_STOP;
      if (reply != NULL)
        step_refused (d, reply, DMD_STEP_EHLO);
      else
        dmd_worker_step_failed (w, "ehlo", error);
      return DMD_DIALOGUE_STOP;
    }
  if (d->ehlo->public_ip != NULL)
    ehlo_public_ip (d);
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u capability", "%u capabilities",
                                        d->ehlo->keywords->len),
                           d->ehlo->keywords->len);
  summary = g_strconcat (count, d->ehlo->starttls ? sep : "", d->ehlo->starttls ? "STARTTLS" : "",
                         d->ehlo->pipelining ? sep : "", d->ehlo->pipelining ? "PIPELINING" : "",
                         NULL);
  dmd_worker_check_end (w, "ehlo", DMD_CHECK_PASS, summary);
  d->facts |= DMD_FACT_EHLO;
  return DMD_DIALOGUE_NEXT;
}

/* EHLO again after STARTTLS: the capabilities after TLS are the ones that count. The ehlo
 * check passed before TLS; it fails now if this one does. */
DmdDialogueOutcome
dmd_step_ehlo_again (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;

  g_clear_pointer (&d->ehlo, dmd_ehlo_free);
  reply = dmd_smtp_client_ehlo (d->client, d->name, &d->ehlo, &error);
  if (reply != NULL && reply->code == 250 && d->ehlo != NULL)
    return DMD_DIALOGUE_NEXT;
  if (dmd_worker_cancelled (w))
    return DMD_DIALOGUE_STOP;
  if (reply != NULL)
    step_refused (d, reply, DMD_STEP_EHLO);
  else if (dmd_worker_client_cert_refused (w, dmd_smtp_client_get_conn (d->client)))
    {
      /* TLS 1.3: the server judges our certificate after the handshake. */
      g_autofree char *ev = dmd_worker_client_cert_evidence (w, error->message);

      dmd_worker_finding (w, "relay-certificate-not-trusted", "tls", ev);
      dmd_worker_check_end (w, "tls", DMD_CHECK_FAIL, error->message);
    }
  else
    {
      dmd_worker_finding (w, "smtp-protocol-error", "ehlo", error->message);
      dmd_worker_check_end (w, "ehlo", DMD_CHECK_FAIL, error->message);
    }
  return DMD_DIALOGUE_STOP;
}

/* ------------------------------------------------------------------------------------------ */
/* starttls                                                                                    */

DmdDialogueOutcome
dmd_step_starttls (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;

  if (!d->ehlo->starttls)
    {
      g_autofree char *ev = g_strdup_printf (_("EHLO from %s lists no STARTTLS"), d->peer);

      dmd_worker_finding (w, "tls-starttls-not-offered", "starttls", ev);
      if (dmd_host_is_microsoft (w->server))
        dmd_worker_finding (w, "network-smtp-inspection", "starttls", ev);
      dmd_worker_check_end (w, "starttls", DMD_CHECK_FAIL, ev);
      return DMD_DIALOGUE_NEXT;
    }
  reply = dmd_smtp_client_command (d->client, "STARTTLS", NULL, &error);
  if (reply == NULL)
    {
      if (!dmd_worker_cancelled (w))
        dmd_worker_step_failed (w, "starttls", error);
      return DMD_DIALOGUE_STOP;
    }
  /* Refused: the dialogue goes on in plain text (and AUTH will not send credentials). */
  if (reply->code != 220)
    {
      step_refused (d, reply, DMD_STEP_STARTTLS);
      return DMD_DIALOGUE_NEXT;
    }
  step_passed (d, reply);
  d->facts |= DMD_FACT_STARTTLS;
  return DMD_DIALOGUE_NEXT;
}

/* ------------------------------------------------------------------------------------------ */
/* auth                                                                                        */

static DmdAuthMech
choose_mech (const DmdDeviceConfig *cfg,
             const DmdEhlo         *ehlo)
{
  return cfg->oauth_token || dmd_device_config_gets_token (cfg) ? DMD_AUTH_XOAUTH2
       : ehlo->auth_login ? DMD_AUTH_LOGIN
       : ehlo->auth_plain ? DMD_AUTH_PLAIN
       : DMD_AUTH_LOGIN;
}

/* Why AUTH is not tried (translated), or NULL. */
static const char *
auth_not_tried (DmdDialogue *d,
                const char  *secret)
{
  const DmdDeviceConfig *cfg = d->w->config;
  gboolean tls = (d->facts & DMD_FACT_TLS) != 0;

  if (cfg->username == NULL || *cfg->username == '\0' || secret == NULL || *secret == '\0')
    return _("Not tried: no user name or no password/token");
  if ((!tls || !d->tls_verified) && !cfg->allow_insecure_auth)
    return tls ? _("Not tried: credentials are not sent over TLS whose certificate failed verification")
               : _("Not tried: credentials are not sent over an unencrypted connection");
  return NULL;
}

static gboolean
mech_offered (DmdDialogue *d)
{
  const DmdEhlo *ehlo = d->ehlo;
  g_autoptr(GString) offered = NULL;
  g_autofree char *ev = NULL;

  if (d->mech == DMD_AUTH_XOAUTH2 ? ehlo->auth_xoauth2 : (ehlo->auth_login || ehlo->auth_plain))
    return TRUE;
  offered = g_string_new (NULL);
  for (guint i = 0; i < ehlo->auth_mechs->len; i++)
    g_string_append_printf (offered, "%s%s", i ? " " : "",
                            (const char *) g_ptr_array_index (ehlo->auth_mechs, i));
  ev = g_strdup_printf (_("The server offers AUTH: %s"), offered->len ? offered->str : _("none"));
  dmd_worker_finding (d->w, "auth-mechanism-unsupported", "auth", ev);
  dmd_worker_check_end (d->w, "auth", DMD_CHECK_FAIL, ev);
  return FALSE;
}

/* A refused token: what its claims say, read offline. */
static void
explain_token (DmdWorker  *w,
               const char *token)
{
  const DmdDeviceConfig *cfg = w->config;
  g_autoptr(DmdOAuthToken) tok = NULL;

  tok = dmd_oauth_token_inspect_for (token, cfg->username,
                                     cfg->today ? g_date_time_to_unix (cfg->today)
                                                : g_get_real_time () / G_USEC_PER_SEC,
                                     cfg->option == DMD_OPTION_HVE);
  for (guint i = 0; i < tok->problems->len; i++)
    dmd_worker_info (w, g_ptr_array_index (tok->problems, i));
}

/* Attempted once per run: failed logins can lock the account. */
DmdDialogueOutcome
dmd_step_auth (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  const DmdDeviceConfig *cfg = w->config;
  gboolean fetched = dmd_device_config_gets_token (cfg);
  const char *secret = fetched ? d->oauth_token
                     : cfg->oauth_token ? cfg->oauth_token : cfg->password;
  const char *not_tried;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autofree char *summary = NULL;

  d->mech = choose_mech (cfg, d->ehlo);
  if (fetched && secret == NULL)
    {
      /* The oauth check failed and says why; MAIL FROM would only add "not
       * authenticated". */
      dmd_worker_check_end (w, "auth", DMD_CHECK_SKIP,
                            _("Not tried: no usable token from Microsoft Entra ID"));
      d->why = _("Not run: no sign-in");
      return DMD_DIALOGUE_STOP_QUIT;
    }
  if ((not_tried = auth_not_tried (d, secret)) != NULL)
    {
      dmd_worker_check_end (w, "auth", DMD_CHECK_SKIP, not_tried);
      return DMD_DIALOGUE_NEXT;
    }
  if (!mech_offered (d))
    return DMD_DIALOGUE_NEXT;

  reply = dmd_smtp_client_auth (d->client, d->mech, cfg->username, secret, &error);
  if (reply == NULL)
    {
      if (!dmd_worker_cancelled (w))
        dmd_worker_step_failed (w, "auth", error);
      return DMD_DIALOGUE_STOP;
    }
  if (reply->code != 235)
    {
      if (d->mech == DMD_AUTH_XOAUTH2)
        explain_token (w, secret);
      step_refused (d, reply, DMD_STEP_AUTH);
      /* MAIL FROM would only add "not authenticated". */
      return DMD_DIALOGUE_STOP_QUIT;
    }
  summary = g_strdup_printf (_("Signed in as %s (%s)"), cfg->username,
                             dmd_auth_mech_to_string (d->mech));
  dmd_worker_check_end (w, "auth", DMD_CHECK_PASS, summary);
  d->facts |= DMD_FACT_SIGNED_IN;
  return DMD_DIALOGUE_NEXT;
}

/* ------------------------------------------------------------------------------------------ */
/* mail-from, rcpt-to: pipelined together when the server offers PIPELINING                   */

static char *
rcpt_command (const DmdDeviceConfig *cfg)
{
  return g_strdup_printf ("RCPT TO:<%s>", cfg->to ? cfg->to : "");
}

DmdDialogueOutcome
dmd_step_mail_from (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  const DmdDeviceConfig *cfg = w->config;
  const char *from = cfg->from ? cfg->from : "";
  const char *to = cfg->to ? cfg->to : "";
  /* An address beyond ASCII goes only with SMTPUTF8 (RFC 6531), if the server offers it. */
  const char *intl = !g_str_is_ascii (from) ? from : !g_str_is_ascii (to) ? to : NULL;
  g_autofree char *mail = g_strdup_printf ("MAIL FROM:<%s>%s", from, intl ? " SMTPUTF8" : "");
  g_autoptr(GError) error = NULL;
  DmdReply *reply;

  if (intl != NULL && !d->ehlo->smtputf8)
    {
      /* Translators: the first %s is an email address, the second the server's address. */
      g_autofree char *ev = g_strdup_printf (_("The address %s has non-ASCII characters and the EHLO reply from %s lists no SMTPUTF8"),
                                             intl, d->peer);

      dmd_worker_finding (w, "smtp-utf8-not-offered", "mail-from", ev);
      dmd_worker_check_end (w, "mail-from", DMD_CHECK_FAIL, ev);
      d->why = _("Not run: the server does not take the non-ASCII address");
      return DMD_DIALOGUE_STOP_QUIT;
    }
  if (d->ehlo->pipelining)
    {
      /* Without DATA the dialogue ends here: QUIT may close the pipeline (RFC 2920), which
       * saves the last round trip. */
      g_autofree char *rcpt = rcpt_command (cfg);
      const char *lines[] = { mail, rcpt, cfg->send ? NULL : "QUIT", NULL };

      g_ptr_array_unref (d->replies);
      d->replies = dmd_smtp_client_pipeline (d->client, lines, &error);
      d->pipelined = TRUE;
      d->quit_sent = !cfg->send;
    }
  else if ((reply = dmd_smtp_client_command (d->client, mail, NULL, &error)) != NULL)
    g_ptr_array_add (d->replies, reply);

  reply = d->replies->len > 0 ? g_ptr_array_index (d->replies, 0) : NULL;
  if (reply == NULL)
    {
      if (!dmd_worker_cancelled (w))
        dmd_worker_step_failed (w, "mail-from", error);
      return DMD_DIALOGUE_STOP;
    }
  if (reply->code != 250)
    {
      step_refused (d, reply, DMD_STEP_MAIL);
      d->why = _("Not run: the sender was refused");
      return DMD_DIALOGUE_STOP_QUIT;
    }
  step_passed (d, reply);
  d->facts |= DMD_FACT_SENDER;
  return DMD_DIALOGUE_NEXT;
}

DmdDialogueOutcome
dmd_step_rcpt_to (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  g_autoptr(GError) error = NULL;
  DmdReply *reply;

  if (!d->pipelined)
    {
      g_autofree char *rcpt = rcpt_command (w->config);

      if ((reply = dmd_smtp_client_command (d->client, rcpt, NULL, &error)) != NULL)
        g_ptr_array_add (d->replies, reply);
    }
  reply = d->replies->len > 1 ? g_ptr_array_index (d->replies, 1) : NULL;
  if (reply == NULL)
    {
      if (!dmd_worker_cancelled (w))
        dmd_worker_step_failed (w, "rcpt-to", error);
      return DMD_DIALOGUE_STOP;
    }
  if (reply->code != 250 && reply->code != 251)
    {
      step_refused (d, reply, DMD_STEP_RCPT);
      return DMD_DIALOGUE_STOP_QUIT;
    }
  step_passed (d, reply);
  d->facts |= DMD_FACT_RECIPIENT;
  return DMD_DIALOGUE_NEXT;
}

/* ------------------------------------------------------------------------------------------ */
/* data: only when asked to send                                                               */

DmdDialogueOutcome
dmd_step_data (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  g_autofree char *message = dmd_smtp_build_test_message (w->config->from, w->config->to, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;

  reply = dmd_smtp_client_data (d->client, message, &error);
  if (w->message_on_wire)
    dmd_checkup_post (dmd_checkup_event_new (w->self, EV_TRANSMITTED, NULL));
  if (reply == NULL)
    {
      if (!dmd_worker_cancelled (w))
        dmd_worker_step_failed (w, "data", error);
    }
  else if (reply->code != 250)
    step_refused (d, reply, DMD_STEP_DATA);
  else
    {
      dmd_checkup_post (dmd_checkup_event_new (w->self, EV_SENT, NULL));
      step_passed (d, reply);
    }
  /* Whatever came back, the session ends with QUIT. */
  return DMD_DIALOGUE_NEXT;
}
