/* dmd-checkup.c — runs the checks of one option
 *
 * The dialogue with the server and each TLS version probe run in worker threads with blocking,
 * deadline-bounded, cancellable I/O (DmdConn). Workers never touch the result: they post
 * events to the caller's main context, where the result is built and the signals are emitted.
 * Once the run has completed or was cancelled, events still in flight are dropped, so nothing
 * is called back after a cancel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-catalog.h"
#include "dmd-checkup.h"
#include "dmd-conn.h"
#include "dmd-dns.h"
#include "dmd-dnsbl.h"
#include "dmd-host.h"
#include "dmd-oauth.h"
#include "dmd-scrub.h"
#include "dmd-smtp-client.h"
#include "dmd-spf.h"
#include "dmd-tls.h"
#include "dmd-words.h"

/* Joins the items of a list in a sentence, as the language does. */
/* Translators: between the items of a list ("TLS 1.2, TLS 1.3"); Japanese uses "、" */
#define LIST_SEPARATOR C_("list separator", ", ")

#define MICROSOFT_SMTP_AUTH_HOST "smtp.office365.com"

struct _DmdCheckup
{
  GObject          parent_instance;

  DmdDeviceConfig *config;
  GMainContext    *context;
  GTask           *task;
  GCancellable    *cancellable;     /* ours, cancelled when the caller's is */
  GCancellable    *caller_cancellable;
  gulong           cancel_handler;
  DmdResult       *result;
  GHashTable      *started;         /* check id → start time (µs) */
  DmdScrubber     *scrubber;        /* the credentials, out of every server line */
  gint             workers;         /* atomic: incremented by workers that start workers */
  gboolean         refused_by_reply[DMD_N_TLS_VERSIONS];
  gboolean         done;
  DmdTlsClientCert *client_cert;    /* presented when a server asks; NULL: none chosen */
};

enum {
  SIGNAL_CHECK_STARTED,
  SIGNAL_CHECK_FINISHED,
  SIGNAL_TRANSCRIPT_LINE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DmdCheckup, dmd_checkup, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------------------------ */
/* Events from workers to the main context                                                    */

typedef enum {
  EV_CHECK_START,
  EV_CHECK_END,
  EV_LINE,
  EV_FINDING,
  EV_TLS_VERSION,
  EV_NETWORK,
  EV_TLS_INFO,
  EV_CLIENT_CERT,
  EV_SENT,
  EV_TRANSMITTED,
  EV_WORKER_DONE,
} EventKind;

typedef struct {
  DmdCheckup         *self;
  EventKind           kind;
  char               *check;
  DmdCheckStatus      status;
  guint               reply_code;
  guint               reply_class;
  char               *text;
  char                dir;
  DmdFinding         *finding;
  int                 tls_index;
  DmdTlsVersionState  tls_state;
  gboolean            tls_by_reply;    /* refused by an SMTP reply after a handshake */
  char               *public_ip;
  char               *family;
  char               *peer;
  DmdTlsInfo         *tls_info;
  gboolean            cert_requested;
  gboolean            cert_sent;
} Event;

static void
event_free (Event *ev)
{
  g_object_unref (ev->self);
  g_free (ev->check);
  g_free (ev->text);
  g_clear_pointer (&ev->finding, dmd_finding_free);
  g_free (ev->public_ip);
  g_free (ev->family);
  g_free (ev->peer);
  g_clear_pointer (&ev->tls_info, dmd_tls_info_free);
  g_free (ev);
}

static void complete (DmdCheckup *self);

static gboolean
event_dispatch (gpointer data)
{
  Event *ev = data;
  DmdCheckup *self = ev->self;
  DmdResult *result = self->result;
  DmdCheck *check;

  if (self->done)
    return G_SOURCE_REMOVE;

  switch (ev->kind)
    {
    case EV_CHECK_START:
      check = dmd_result_add_check (result, ev->check);
      check->status = DMD_CHECK_RUNNING;
      g_hash_table_insert (self->started, g_strdup (ev->check),
                           (gpointer) (gintptr) (g_get_monotonic_time () / 1000));
      g_signal_emit (self, signals[SIGNAL_CHECK_STARTED], 0, ev->check, dmd_check_title (ev->check));
      break;

    case EV_CHECK_END:
      {
        gintptr start_ms = (gintptr) g_hash_table_lookup (self->started, ev->check);

        check = dmd_result_add_check (result, ev->check);
        check->status = ev->status;
        check->reply_code = ev->reply_code;
        check->reply_class = ev->reply_class;
        g_free (check->summary);
        check->summary = g_strdup (ev->text);
        if (start_ms != 0)
          check->elapsed_ms = g_get_monotonic_time () / 1000 - start_ms;
        g_signal_emit (self, signals[SIGNAL_CHECK_FINISHED], 0, ev->check, (int) ev->status, ev->text);
      }
      break;

    case EV_LINE:
      check = dmd_result_add_check (result, ev->check);
      dmd_check_add_line (check, ev->dir, ev->text);
      g_ptr_array_add (result->transcript, dmd_transcript_line_new (ev->dir, ev->text));
      g_signal_emit (self, signals[SIGNAL_TRANSCRIPT_LINE], 0, ev->check, (int) ev->dir, ev->text);
      break;

    case EV_FINDING:
      dmd_result_add_finding (result, g_steal_pointer (&ev->finding));
      break;

    case EV_TLS_VERSION:
      self->refused_by_reply[ev->tls_index] = ev->tls_by_reply;
      result->network.versions[ev->tls_index].state = ev->tls_state;
      g_free (result->network.versions[ev->tls_index].detail);
      result->network.versions[ev->tls_index].detail = g_strdup (ev->text);
      break;

    case EV_NETWORK:
      if (ev->public_ip != NULL)
        {
          g_free (result->network.public_ip);
          result->network.public_ip = g_strdup (ev->public_ip);
        }
      if (ev->family != NULL)
        {
          g_free (result->network.address_family);
          result->network.address_family = g_strdup (ev->family);
        }
      if (ev->peer != NULL)
        {
          g_free (result->network.peer_address);
          result->network.peer_address = g_strdup (ev->peer);
        }
      break;

    case EV_TLS_INFO:
      {
        DmdNetwork *net = &result->network;
        DmdTlsInfo *info = ev->tls_info;

        g_free (net->tls_negotiated);
        net->tls_negotiated = g_strdup (info->version);
        g_free (net->tls_cipher);
        net->tls_cipher = g_strdup (info->cipher);
        g_ptr_array_set_size (net->chain, 0);
        for (guint i = 0; info->chain != NULL && i < info->chain->len; i++)
          g_ptr_array_add (net->chain, dmd_cert_info_copy (g_ptr_array_index (info->chain, i)));
        net->cert_verified = info->verified;
        g_free (net->cert_problem);
        net->cert_problem = g_strdup (info->problem);
      }
      break;

    case EV_CLIENT_CERT:
      result->network.client_cert_requested = ev->cert_requested;
      result->network.client_cert_sent = ev->cert_sent;
      break;

    case EV_SENT:
      result->sent = TRUE;
      break;

    case EV_TRANSMITTED:
      result->message_transmitted = TRUE;
      break;

    case EV_WORKER_DONE:
      if (g_atomic_int_dec_and_test (&self->workers))
        complete (self);
      break;

    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

/* Always through a source attached to the caller's context: g_main_context_invoke() would
 * run the handler right here, in the worker thread, whenever nobody owns the context. */
static void
schedule (GMainContext   *context,
          int             priority,
          GSourceFunc     func,
          gpointer        data,
          GDestroyNotify  notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, priority);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[dmd] checkup event");
  g_source_attach (source, context);
  g_source_unref (source);
}

static void
post (Event *ev)
{
  schedule (ev->self->context, G_PRIORITY_DEFAULT, event_dispatch, ev, (GDestroyNotify) event_free);
}

static Event *
event_new (DmdCheckup *self,
           EventKind   kind,
           const char *check)
{
  Event *ev = g_new0 (Event, 1);

  ev->self = g_object_ref (self);
  ev->kind = kind;
  ev->check = g_strdup (check);
  return ev;
}

/* ------------------------------------------------------------------------------------------ */
/* Worker helpers                                                                             */

typedef struct {
  DmdCheckup      *self;
  DmdDeviceConfig *config;          /* the checkup's, read-only */
  GCancellable    *cancellable;
  char            *current_check;   /* which check transcript lines go to */
  GPtrArray       *addresses;       /* GInetSocketAddress*, resolved for the connection */
  char            *server;          /* the configured (ASCII) server name */
  guint16          port;
  int              tls_index;       /* probes: which version */
  gboolean         ip_checks_started;
  gboolean         message_on_wire; /* DATA: the message itself has started to go out */
  char            *public_ip;       /* as Microsoft saw it, once known */
  char            *mx_host;         /* the tenant endpoint from the MX lookup, once known */
  gboolean         tls_tried;       /* main session: a TLS handshake was started */
  gboolean         cert_requested;  /* main session: the server asked for a client certificate */
  gboolean         cert_sent;       /* and ours was presented */
} Worker;

static Worker *
worker_new (DmdCheckup *self)
{
  Worker *w = g_new0 (Worker, 1);

  w->self = g_object_ref (self);
  w->config = self->config;
  w->cancellable = g_object_ref (self->cancellable);
  w->addresses = g_ptr_array_new_with_free_func (g_object_unref);
  return w;
}

static void
worker_free (Worker *w)
{
  post (event_new (w->self, EV_WORKER_DONE, NULL));
  g_object_unref (w->self);
  g_object_unref (w->cancellable);
  g_free (w->current_check);
  g_ptr_array_unref (w->addresses);
  g_free (w->server);
  g_free (w->public_ip);
  g_free (w->mx_host);
  g_free (w);
}

static void
check_start (Worker     *w,
             const char *check)
{
  g_free (w->current_check);
  w->current_check = g_strdup (check);
  post (event_new (w->self, EV_CHECK_START, check));
}

static void
check_end (Worker         *w,
           const char     *check,
           DmdCheckStatus  status,
           const char     *summary)
{
  Event *ev = event_new (w->self, EV_CHECK_END, check);

  ev->status = status;
  ev->text = g_strdup (summary);
  post (ev);
}

/* The server refused the step: the check fails, and keeps the reply's codes (the verdict
 * tells a temporary refusal from a permanent one by them). */
static void
check_refused (Worker         *w,
               const char     *check,
               const DmdReply *reply,
               const char     *summary)
{
  Event *ev = event_new (w->self, EV_CHECK_END, check);

  ev->status = DMD_CHECK_FAIL;
  ev->reply_code = reply->code;
  ev->reply_class = reply->enh_class;
  ev->text = g_strdup (summary);
  post (ev);
}

static void
check_skip (Worker     *w,
            const char *check,
            const char *summary)
{
  post (event_new (w->self, EV_CHECK_START, check));
  check_end (w, check, DMD_CHECK_SKIP, summary);
}

static void
line_to (Worker     *w,
         const char *check,
         char        dir,
         const char *text)
{
  Event *ev = event_new (w->self, EV_LINE, check);

  ev->dir = dir;
  ev->text = g_strdup (text);
  post (ev);
}

static void
info_line (Worker     *w,
           const char *text)
{
  line_to (w, w->current_check, 'I', text);
}

static void
smtp_line_cb (char        dir,
              const char *text,
              gpointer    user_data)
{
  Worker *w = user_data;

  /* The client notes the message before writing it: from then on it is on the wire. */
  if (dir == 'C' && g_strcmp0 (w->current_check, "data") == 0 &&
      g_str_has_prefix (text, "[message:"))
    w->message_on_wire = TRUE;
  line_to (w, w->current_check, dir, text);
}

static void
add_finding (Worker     *w,
             const char *id,
             const char *check,
             const char *evidence)
{
  Event *ev = event_new (w->self, EV_FINDING, NULL);
  DmdCatalogFacts facts = { w->public_ip, w->mx_host };

  ev->finding = dmd_catalog_make_finding_full (id, w->config, &facts, evidence);
  if (ev->finding == NULL)
    {
      g_warning ("checkup: no catalogue entry for %s", id);
      event_free (ev);
      return;
    }
  if (check != NULL)
    {
      g_free (ev->finding->check);
      ev->finding->check = g_strdup (check);
    }
  post (ev);
}

/* ---- the client certificate ---- */

/* Whether the connector's view of a certificate is in play: one was chosen, or the user says
 * the relay connector recognizes the device by its certificate. */
static gboolean
client_cert_matters (Worker *w)
{
  return w->self->client_cert != NULL ||
         (w->config->option == DMD_OPTION_RELAY && w->config->connector_trusts_certificate);
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
static char *
client_cert_evidence (Worker     *w,
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
static gboolean
is_certificate_alert (int alert)
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
static gboolean
client_cert_refused (Worker  *w,
                     DmdConn *conn)
{
  int alert = dmd_conn_get_received_alert (conn);

  return w->config->option != DMD_OPTION_SMTP_AUTH &&
         dmd_conn_get_client_cert_requested (conn) && is_certificate_alert (alert) &&
         (client_cert_matters (w) || alert == GNUTLS_A_CERTIFICATE_REQUIRED);
}

/* Findings for a reply that is not what the step wanted. Returns how many were added. */
static guint
reply_findings (Worker         *w,
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
  if (client_cert_matters (w) && dmd_catalog_is_relay_refusal (reply, w->config->option, step))
    {
      g_autofree char *line = dmd_reply_to_string (reply);
      g_autofree char *evidence = client_cert_evidence (w, line);

      add_finding (w, "relay-certificate-not-trusted", check, evidence);
      return 1;
    }

  findings = dmd_catalog_reply_findings (reply, w->config->option, step, mech, w->config,
                                         &facts);
  n = findings->len;

  /* A reply of the wrong kind (250 to the password, say) still failed the step: say so. */
  if (n == 0)
    {
      g_autofree char *evidence = dmd_reply_to_string (reply);
      Event *ev = event_new (w->self, EV_FINDING, NULL);

      ev->finding = dmd_catalog_make_finding_full ("server-unexpected-reply", w->config, &facts,
                                                   evidence);
      ev->finding->severity = DMD_SEVERITY_ERROR;
      g_free (ev->finding->check);
      ev->finding->check = g_strdup (check);
      post (ev);
      return 1;
    }
  g_ptr_array_set_free_func (findings, NULL);
  for (guint i = 0; i < n; i++)
    {
      Event *ev = event_new (w->self, EV_FINDING, NULL);

      ev->finding = g_ptr_array_index (findings, i);
      g_free (ev->finding->check);
      ev->finding->check = g_strdup (check);
      post (ev);
    }
  return n;
}

/* A step got no reply: the deadline passing is smtp-timeout, anything else (closed, oversized,
 * malformed) is the server breaking the protocol. */
static void
step_failed (Worker       *w,
             const char   *check,
             const GError *error)
{
  const char *why = error != NULL ? error->message : "?";

  add_finding (w, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ? "smtp-timeout"
                                                                           : "smtp-protocol-error",
               check, why);
  check_end (w, check, DMD_CHECK_FAIL, why);
}

static gboolean
cancelled (Worker *w)
{
  return g_cancellable_is_cancelled (w->cancellable);
}

static double
step_timeout (Worker *w)
{
  return w->config->timeout_seconds > 0 ? w->config->timeout_seconds : 10;
}

static char *
address_to_string (GInetSocketAddress *addr)
{
  g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (addr));

  if (g_inet_address_get_family (g_inet_socket_address_get_address (addr)) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", ip, g_inet_socket_address_get_port (addr));
  return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (addr));
}

static gboolean
family_wanted (DmdIpVersion  version,
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

/* Resolve host:port (after --connect-to) into w->addresses. Reports through the dns check when
 * `report` is set. Returns FALSE (with a translated message in *why) when nothing usable. */
static gboolean
resolve (Worker      *w,
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
          info_line (w, msg);
        }
      host = to_host;
      port = to_port;
    }

  literal = g_inet_address_new_from_string (host);
  if (literal != NULL)
    {
      if (!family_wanted (w->config->ip_version, literal))
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
    if (family_wanted (w->config->ip_version, l->data))
      g_ptr_array_add (w->addresses, g_inet_socket_address_new (l->data, port));
  g_resolver_free_addresses (list);

  if (w->addresses->len == 0)
    {
      *why = g_strdup_printf (_("%s has no address of the IP version chosen (--ip-version=%s)"),
                              host, dmd_ip_version_to_string (w->config->ip_version));
      return FALSE;
    }
  if (report)
    for (guint i = 0; i < w->addresses->len; i++)
      {
        g_autofree char *addr = address_to_string (g_ptr_array_index (w->addresses, i));
        g_autofree char *msg = g_strdup_printf (_("%s → %s"), host, addr);
        info_line (w, msg);
      }
  return TRUE;
}

typedef enum {
  CONNECT_OK,
  CONNECT_TIMEOUT,
  CONNECT_REFUSED,
  CONNECT_NO_ROUTE,
  CONNECT_OTHER,
} ConnectOutcome;

static ConnectOutcome
classify_connect_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return CONNECT_TIMEOUT;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return CONNECT_REFUSED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return CONNECT_NO_ROUTE;
  return CONNECT_OTHER;
}

/* Every connection of the run: what a server says goes through the run's scrubber before
 * anything stores it (a server may echo the credentials). */
static DmdConn *
worker_connect (Worker              *w,
                GInetSocketAddress  *address,
                gint64               deadline,
                GError             **error)
{
  DmdConn *conn = dmd_conn_connect (address, deadline, w->cancellable, error);

  if (conn != NULL)
    dmd_conn_set_scrubber (conn, w->self->scrubber);
  return conn;
}

static DmdConn *
connect_first (Worker              *w,
               GInetSocketAddress **used,
               GError             **error)
{
  /* Devices use the first address; so do we (the others are listed in the dns check). */
  GInetSocketAddress *addr = g_ptr_array_index (w->addresses, 0);

  *used = addr;
  return worker_connect (w, addr, dmd_deadline_in (step_timeout (w)), error);
}

static void
post_network (Worker     *w,
              const char *public_ip,
              const char *family,
              const char *peer)
{
  Event *ev = event_new (w->self, EV_NETWORK, NULL);

  ev->public_ip = g_strdup (public_ip);
  ev->family = g_strdup (family);
  ev->peer = g_strdup (peer);
  post (ev);
}

/* Report a DNS outcome's lines and findings into a check. */
static void
apply_outcome (Worker              *w,
               const char          *check,
               const DmdDnsOutcome *outcome)
{
  for (guint i = 0; i < outcome->lines->len; i++)
    line_to (w, check, 'I', g_ptr_array_index (outcome->lines, i));
  for (guint i = 0; i < outcome->findings->len; i++)
    {
      DmdDnsFinding *f = g_ptr_array_index (outcome->findings, i);
      add_finding (w, f->id, check, f->evidence);
    }
}

static void
spawn (Worker      *parent,
       const char  *name,
       GThreadFunc  func,
       gpointer     child)
{
  /* Counted before the parent can finish, so the run cannot complete in between. */
  g_atomic_int_inc (&parent->self->workers);
  g_thread_unref (g_thread_new (name, func, child));
}

static Worker *
worker_clone (Worker *w)
{
  Worker *c = worker_new (w->self);

  c->server = g_strdup (w->server);
  c->port = w->port;
  c->public_ip = g_strdup (w->public_ip);
  c->mx_host = g_strdup (w->mx_host);
  for (guint i = 0; i < w->addresses->len; i++)
    g_ptr_array_add (c->addresses, g_object_ref (g_ptr_array_index (w->addresses, i)));
  return c;
}

/* SPF and blocklists need the public IP Microsoft saw; they run beside the dialogue. */
typedef struct {
  Worker *w;
  char   *public_ip;
} IpJob;

static gpointer
spf_worker (gpointer data)
{
  IpJob *job = data;
  Worker *w = job->w;
  g_autofree char *domain = dmd_dns_domain_for_spf (w->config);
  g_autoptr(DmdDnsOutcome) outcome = NULL;

  check_start (w, "spf");
  outcome = dmd_spf_check (NULL, domain, job->public_ip,
                           dmd_deadline_in (step_timeout (w)), w->cancellable);
  if (!outcome->cancelled && !cancelled (w))
    {
      apply_outcome (w, "spf", outcome);
      check_end (w, "spf", outcome->status, outcome->summary);
    }
  g_free (job->public_ip);
  g_free (job);
  worker_free (w);
  return NULL;
}

static gpointer
blocklist_worker (gpointer data)
{
  IpJob *job = data;
  Worker *w = job->w;
  g_autoptr(DmdDnsOutcome) outcome = NULL;

  check_start (w, "blocklist");
  /* Blocklists answer quickly or not at all: a short deadline of its own. */
  outcome = dmd_dnsbl_check (NULL, job->public_ip,
                             dmd_deadline_in (MIN (step_timeout (w), 5.0)), w->cancellable);
  if (!outcome->cancelled && !cancelled (w))
    {
      apply_outcome (w, "blocklist", outcome);
      check_end (w, "blocklist", outcome->status, outcome->summary);
    }
  g_free (job->public_ip);
  g_free (job);
  worker_free (w);
  return NULL;
}

/* Once the public IP is known (Direct Send, relay): the connector comparison, SPF and the
 * blocklists. Runs at most once per checkup. */
static void
public_ip_known (Worker     *w,
                 const char *public_ip)
{
  static const char *checks[] = { "spf", "blocklist" };
  GThreadFunc funcs[] = { spf_worker, blocklist_worker };

  if (w->public_ip == NULL)
    w->public_ip = g_strdup (public_ip);
  if (w->config->option == DMD_OPTION_SMTP_AUTH || w->ip_checks_started)
    return;
  w->ip_checks_started = TRUE;

  if (w->config->connector_ip != NULL && *w->config->connector_ip != '\0')
    {
      g_autoptr(DmdDnsFinding) f = dmd_dns_check_connector_ip (public_ip, w->config->connector_ip);
      if (f != NULL)
        add_finding (w, f->id, "ehlo", f->evidence);
    }

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      IpJob *job = g_new0 (IpJob, 1);
      job->w = worker_clone (w);
      job->w->current_check = g_strdup (checks[i]);
      job->public_ip = g_strdup (public_ip);
      spawn (w, checks[i], funcs[i], job);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Port triage: when the chosen port cannot be reached, can another one be?                    */

typedef struct {
  Worker  *parent;
  char    *host;
  guint16  port;
  char    *outcome;   /* translated words */
  gboolean reachable;
  char    *public_ip; /* from the EHLO greeting, when it answered */
} Triage;

static gpointer
triage_thread (gpointer data)
{
  Triage *t = data;
  Worker *w = t->parent;
  g_autoptr(GError) error = NULL;
  g_autofree char *to_host = NULL;
  guint16 to_port = 0;
  const char *host = t->host;
  guint16 port = t->port;
  g_autoptr(GInetAddress) literal = NULL;
  GInetSocketAddress *addr = NULL;
  GList *list = NULL;
  g_autoptr(DmdConn) conn = NULL;
  /* One deadline for the whole look at the other port (resolve, connect, greeting, EHLO). */
  gint64 deadline = dmd_deadline_in (step_timeout (w));

  if (dmd_device_config_map_connect_to (w->config, host, port, &to_host, &to_port))
    {
      host = to_host;
      port = to_port;
    }
  literal = g_inet_address_new_from_string (host);
  if (literal != NULL)
    addr = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (literal, port));
  else if ((list = dmd_dns_lookup_host (NULL, host, DMD_DNS_QUERY_ADDRESS,
                                        deadline, w->cancellable, &error)))
    {
      for (GList *l = list; l != NULL && addr == NULL; l = l->next)
        if (family_wanted (w->config->ip_version, l->data))
          addr = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (l->data, port));
      g_resolver_free_addresses (list);
    }
  if (addr == NULL)
    {
      t->outcome = g_strdup_printf (_("%s port %u: could not be resolved"), t->host, t->port);
      return t;
    }

  conn = worker_connect (w, addr, deadline, &error);
  g_object_unref (addr);
  if (conn != NULL)
    {
      g_autoptr(DmdReply) banner = dmd_conn_read_reply (conn, deadline, w->cancellable, NULL);
      t->reachable = TRUE;
      if (banner != NULL && banner->code == 220)
        {
          g_autoptr(DmdReply) reply = NULL;
          g_autoptr(DmdEhlo) ehlo = NULL;

          t->outcome = g_strdup_printf (_("%s port %u answers from this network"), t->host, t->port);
          /* Its EHLO greeting says which public IP Microsoft sees (for SPF and the connector). */
          if (dmd_conn_write_all (conn, "EHLO device-mail-doctor\r\n", 25, deadline, w->cancellable, NULL) &&
              (reply = dmd_conn_read_reply (conn, deadline, w->cancellable, NULL)) != NULL &&
              reply->code == 250 && (ehlo = dmd_ehlo_parse (reply)) != NULL)
            t->public_ip = g_strdup (ehlo->public_ip);
          dmd_conn_write_all (conn, "QUIT\r\n", 6, dmd_deadline_in (1), w->cancellable, NULL);
        }
      else
        t->outcome = g_strdup_printf (_("%s port %u accepts connections from this network"), t->host, t->port);
      dmd_conn_close (conn);
    }
  else
    {
      switch (classify_connect_error (error))
        {
        case CONNECT_TIMEOUT:
          t->outcome = g_strdup_printf (_("%s port %u is blocked too (no answer in %u s)"),
                                        t->host, t->port, (guint) step_timeout (w));
          break;
        case CONNECT_REFUSED:
          t->outcome = g_strdup_printf (_("%s port %u is refused too"), t->host, t->port);
          break;
        case CONNECT_OK:
        case CONNECT_NO_ROUTE:
        case CONNECT_OTHER:
        default:
          t->outcome = g_strdup_printf (_("%s port %u: %s"), t->host, t->port, error->message);
          break;
        }
    }
  return t;
}

/* Returns the outcomes joined as evidence; runs the triage targets in parallel. */
static char *
port_triage (Worker  *w,
             guint16  failed_port)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  struct { const char *host; guint16 port; } targets[2];
  guint n = 0;

  if (w->config->option == DMD_OPTION_SMTP_AUTH)
    {
      /* The other SMTP AUTH port of Microsoft's endpoint (587 ↔ 25). */
      targets[n].host = MICROSOFT_SMTP_AUTH_HOST;
      targets[n++].port = failed_port == 587 ? 25 : 587;
      if (failed_port != 587 && failed_port != 25)
        {
          targets[n].host = MICROSOFT_SMTP_AUTH_HOST;
          targets[n++].port = 25;
        }
    }
  else
    {
      /* The MX endpoint takes port 25 only: would SMTP AUTH work from this network instead? */
      targets[n].host = MICROSOFT_SMTP_AUTH_HOST;
      targets[n++].port = 587;
    }

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
      line_to (w, "connect", 'I', t->outcome);
      if (t->public_ip != NULL && !cancelled (w))
        {
          post_network (w, t->public_ip, NULL, NULL);
          public_ip_known (w, t->public_ip);
        }
      g_free (t->public_ip);
      g_free (t->outcome);
      g_free (t->host);
      g_free (t);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* The main dialogue                                                                          */

static char *
ehlo_name (void)
{
  const char *host = g_get_host_name ();

  /* A bare, non-qualified name is what many devices send; Exchange Online accepts it. */
  if (host != NULL && *host != '\0' && strspn (host, "abcdefghijklmnopqrstuvwxyz"
                                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == strlen (host))
    return g_strdup (host);
  return g_strdup ("device-mail-doctor");
}

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

static const char *
family_name (GInetSocketAddress *addr)
{
  return g_inet_address_get_family (g_inet_socket_address_get_address (addr)) == G_SOCKET_FAMILY_IPV6
         ? "ipv6" : "ipv4";
}

static gpointer probes_worker (gpointer data);


static char *
describe_reply (const DmdReply *reply)
{
  g_autofree char *text = dmd_reply_to_string (reply);
  char *nl = strchr (text, '\n');

  if (nl != NULL)
    *nl = '\0';   /* the first line is enough for a summary */
  return g_steal_pointer (&text);
}

/* Mix-up detection: does the port speak TLS at once (implicit TLS, as 465 does)? Asked
 * within the deadline of the step that wants to know. */
static gboolean
port_speaks_tls (Worker             *w,
                 GInetSocketAddress *addr,
                 gint64              deadline)
{
  g_autoptr(DmdConn) conn = NULL;
  DmdTlsInfo *info = NULL;
  gboolean ok;

  conn = worker_connect (w, addr, deadline, NULL);
  if (conn == NULL)
    return FALSE;
  dmd_conn_set_client_cert (conn, w->self->client_cert);
  ok = dmd_conn_start_tls_client (conn, w->server, NULL, w->config->ca_file, deadline,
                                  w->cancellable, &info, NULL);
  g_clear_pointer (&info, dmd_tls_info_free);
  dmd_conn_close (conn);
  return ok;
}

/* Mix-up detection: does the port greet in plain text (so it expects STARTTLS)? Returns the
 * greeting's first line or NULL. */
static char *
port_greets_in_plaintext (Worker             *w,
                          GInetSocketAddress *addr)
{
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(DmdReply) banner = NULL;
  gint64 deadline = dmd_deadline_in (MIN (step_timeout (w), 5.0));
  char *text = NULL;

  conn = worker_connect (w, addr, deadline, NULL);
  if (conn == NULL)
    return NULL;
  banner = dmd_conn_read_reply (conn, deadline, w->cancellable, NULL);
  if (banner != NULL && banner->code == 220)
    text = describe_reply (banner);
  dmd_conn_close (conn);
  return text;
}

/* TLS on the main connection; reports the tls check and returns whether to go on. */
static gboolean
main_tls (Worker       *w,
          DmdConn      *conn,
          gboolean     *verified)
{
  g_autoptr(GError) error = NULL;
  DmdTlsInfo *info = NULL;
  gboolean ok;

  check_start (w, "tls");
  w->tls_tried = TRUE;
  dmd_conn_set_client_cert (conn, w->self->client_cert);
  ok = dmd_conn_start_tls_client (conn, w->server, dmd_tls_priority_default (),
                                  w->config->ca_file, dmd_deadline_in (step_timeout (w)),
                                  w->cancellable, &info, &error);
  w->cert_requested = dmd_conn_get_client_cert_requested (conn);
  w->cert_sent = dmd_conn_get_client_cert_sent (conn);
  {
    Event *ev = event_new (w->self, EV_CLIENT_CERT, NULL);

    ev->cert_requested = w->cert_requested;
    ev->cert_sent = w->cert_sent;
    post (ev);
  }
  if (w->cert_requested)
    info_line (w, w->cert_sent ? _("The server asked for a client certificate; the chosen one was presented")
                               : _("The server asked for a client certificate; none was presented"));
  if (!ok)
    {
      if (cancelled (w))
        return FALSE;
      if (g_error_matches (error, DMD_CONN_ERROR, DMD_CONN_ERROR_INJECTION))
        {
          /* The finding goes with the check it failed, so it leads the report. */
          add_finding (w, "tls-starttls-injection", "tls", error->message);
          check_end (w, "tls", DMD_CHECK_FAIL, _("Plaintext was injected after the STARTTLS reply: session aborted"));
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          g_autofree char *ev = g_strdup_printf (_("No TLS handshake answer within %u s"), (guint) step_timeout (w));
          add_finding (w, "smtp-timeout", "tls", ev);
          check_end (w, "tls", DMD_CHECK_FAIL, ev);
        }
      else if (client_cert_refused (w, conn))
        {
          g_autofree char *ev = client_cert_evidence (w, error->message);

          add_finding (w, "relay-certificate-not-trusted", "tls", ev);
          check_end (w, "tls", DMD_CHECK_FAIL, error->message);
        }
      else
        {
          add_finding (w, "tls-handshake-failed", "tls", error->message);
          check_end (w, "tls", DMD_CHECK_FAIL, error->message);
        }
      g_clear_pointer (&info, dmd_tls_info_free);
      return FALSE;
    }

  {
    g_autofree char *msg = g_strdup_printf (_("TLS established: %s, %s"), info->version, info->cipher);
    info_line (w, msg);
  }
  *verified = info->verified;
  if (info->verified)
    {
      g_autofree char *summary = g_strdup_printf (_("%s, certificate valid for %s"), info->version, w->server);
      check_end (w, "tls", DMD_CHECK_PASS, summary);
    }
  else
    {
      g_autofree char *summary = g_strdup_printf (_("%s, but the certificate is not valid: %s"),
                                                  info->version, info->problem ? info->problem : "?");
      g_autofree char *evidence = NULL;
      DmdCertInfo *leaf = info->chain && info->chain->len ? g_ptr_array_index (info->chain, 0) : NULL;

      evidence = g_strdup_printf ("%s (%s: %s; %s: %s)", info->problem ? info->problem : "?",
                                  _("subject"), leaf && leaf->subject ? leaf->subject : "?",
                                  _("issuer"), leaf && leaf->issuer ? leaf->issuer : "?");
      add_finding (w, "tls-certificate-invalid", "tls", evidence);
      check_end (w, "tls", DMD_CHECK_FAIL, summary);
    }

  {
    Event *ev = event_new (w->self, EV_TLS_INFO, NULL);
    ev->tls_info = info;
    post (ev);
  }
  return TRUE;
}

static void
skip_rest (Worker      *w,
           const char **checks,
           const char  *why)
{
  for (guint i = 0; checks[i] != NULL; i++)
    check_skip (w, checks[i], why);
}

static gpointer
main_worker (gpointer data)
{
  Worker *w = data;
  const DmdDeviceConfig *cfg = w->config;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdSmtpClient) client = NULL;
  g_autoptr(DmdReply) banner = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autoptr(DmdEhlo) ehlo = NULL;
  g_autofree char *why = NULL;
  g_autofree char *name = ehlo_name ();
  g_autofree char *peer = NULL;
  GInetSocketAddress *used = NULL;
  DmdConn *conn;
  gboolean tls_active = FALSE;
  gboolean tls_verified = FALSE;
  gboolean implicit = cfg->security == DMD_SECURITY_IMPLICIT_TLS;
  gboolean authenticated = FALSE;
  DmdAuthMech mech = DMD_AUTH_NONE;
  const char *after_connect[] = { "banner", "ehlo", "starttls", "auth", "mail-from", "rcpt-to", NULL };
  DmdCheckStatus dns_status = DMD_CHECK_PASS;
  gboolean quit_sent = FALSE;
  gboolean speaks_tls = FALSE;
  gint64 dns_deadline;

  /* dns: for Direct Send and relay, the domain's MX first (it may be what we test); one
   * deadline for the step, MX and address lookups together */
  check_start (w, "dns");
  dns_deadline = dmd_deadline_in (step_timeout (w));
  if (cfg->option != DMD_OPTION_SMTP_AUTH)
    {
      g_autofree char *domain = dmd_dns_domain_for_mx (cfg);

      if (domain != NULL)
        {
          g_autofree char *endpoint = NULL;
          g_autoptr(DmdDnsOutcome) mx = dmd_dns_check_mx (NULL, domain, w->server, dns_deadline,
                                                          w->cancellable, &endpoint);
          if (mx->cancelled || cancelled (w))
            goto out;
          apply_outcome (w, "dns", mx);
          dns_status = mx->status;
          if (w->server == NULL && endpoint == NULL)
            {
              check_end (w, "dns", DMD_CHECK_FAIL, mx->summary);
              skip_rest (w, (const char *[]) { "connect", "banner", "ehlo", "starttls", "auth", "mail-from", "rcpt-to", NULL },
                         _("Not run: enter the tenant’s MX endpoint (Microsoft 365 admin center, Settings, Domains)"));
              goto out;
            }
          w->mx_host = g_strdup (endpoint);
          if (w->server == NULL)
            {
              g_autofree char *msg = g_strdup_printf (_("Testing the tenant’s MX endpoint %s"), endpoint);
              info_line (w, msg);
              w->server = g_steal_pointer (&endpoint);
            }
        }
      else if (w->server == NULL)
        {
          const char *msg = _("No server and no domain: enter the organization’s domain or the tenant’s MX endpoint");
          check_end (w, "dns", DMD_CHECK_FAIL, msg);
          skip_rest (w, (const char *[]) { "connect", "banner", "ehlo", "starttls", "auth", "mail-from", "rcpt-to", NULL },
                     msg);
          goto out;
        }
    }
  if (!resolve (w, w->server, w->port, TRUE, dns_deadline, &why))
    {
      if (cancelled (w))
        goto out;
      add_finding (w, "dns-resolve-failed", "dns", why);
      check_end (w, "dns", DMD_CHECK_FAIL, why);
      skip_rest (w, (const char *[]) { "connect", "banner", "ehlo", "starttls", "auth", "mail-from", "rcpt-to", NULL },
                 _("Not run: the server name did not resolve"));
      goto out;
    }
  {
    g_autofree char *first = address_to_string (g_ptr_array_index (w->addresses, 0));
    g_autofree char *summary = g_strdup_printf (_("%s resolves to %s"), w->server, first);
    check_end (w, "dns", dns_status == DMD_CHECK_WARN ? DMD_CHECK_WARN : DMD_CHECK_PASS, summary);
  }

  /* The TLS version matrix runs beside the dialogue, on the same address. */
  {
    Worker *probes = worker_clone (w);
    probes->current_check = g_strdup ("tls-versions");
    spawn (w, "dmd-tls-probes", probes_worker, probes);
  }

  /* connect */
  check_start (w, "connect");
  conn = connect_first (w, &used, &error);
  peer = address_to_string (used);
  if (conn == NULL)
    {
      g_autofree char *triage = NULL;
      g_autofree char *evidence = NULL;
      const char *id;

      if (cancelled (w))
        goto out;
      switch (classify_connect_error (error))
        {
        case CONNECT_TIMEOUT:
          id = "network-port-blocked";
          evidence = g_strdup_printf (_("Port %u of %s: no answer in %u s (%s)"), w->port, w->server,
                                      (guint) step_timeout (w), peer);
          break;
        case CONNECT_REFUSED:
          id = "network-connection-refused";
          evidence = g_strdup_printf (_("Port %u of %s: connection refused (%s)"), w->port, w->server, peer);
          break;
        case CONNECT_NO_ROUTE:
          id = "network-no-route";
          evidence = g_strdup_printf (_("Port %u of %s: %s (%s)"), w->port, w->server, error->message, peer);
          break;
        case CONNECT_OK:
        case CONNECT_OTHER:
        default:
          id = "network-no-route";
          evidence = g_strdup_printf (_("Port %u of %s: %s (%s)"), w->port, w->server, error->message, peer);
          break;
        }
      line_to (w, "connect", 'I', evidence);
      triage = port_triage (w, w->port);
      if (cancelled (w))
        goto out;
      {
        /* Translators: the connection error, then what the other ports did (two sentences) */
        g_autofree char *full = g_strdup_printf (_("%s. %s."), evidence, triage);
        add_finding (w, id, "connect", full);
      }
      check_end (w, "connect", DMD_CHECK_FAIL, evidence);
      skip_rest (w, after_connect, _("Not run: no connection"));
      goto out;
    }
  post_network (w, NULL, family_name (used), peer);
  {
    g_autofree char *msg = g_strdup_printf (_("Connected to %s"), peer);
    line_to (w, "connect", 'I', msg);
    check_end (w, "connect", DMD_CHECK_PASS, msg);
  }
  client = dmd_smtp_client_new (conn, step_timeout (w), w->cancellable, smtp_line_cb, w);

  /* implicit TLS: the handshake comes first */
  if (implicit)
    {
      if (!main_tls (w, conn, &tls_verified))
        {
          g_autofree char *greeting = NULL;

          if (cancelled (w))
            goto out;
          /* A plaintext greeting on a fresh connection means the device should use STARTTLS. */
          greeting = port_greets_in_plaintext (w, used);
          if (greeting != NULL)
            {
              g_autofree char *ev = g_strdup_printf (_("Port %u greets in plain text (“%s”) and expects STARTTLS; the device starts TLS at once"),
                                                     w->port, greeting);
              line_to (w, "tls", 'I', ev);
              add_finding (w, "config-implicit-tls", "tls", ev);
            }
          skip_rest (w, after_connect, _("Not run: the TLS handshake failed"));
          goto out;
        }
      tls_active = TRUE;
    }

  /* banner: one deadline for the step. A port still silent at half of it may be waiting for
   * a TLS handshake (implicit TLS, as on 465): a second connection asks, within the same
   * deadline, while the greeting may still come. */
  check_start (w, "banner");
  {
    gint64 deadline = dmd_deadline_in (step_timeout (w));
    gint64 half = deadline - (gint64) (step_timeout (w) * G_USEC_PER_SEC / 2);

    if (!implicit && !dmd_conn_peek_pending (conn, half, w->cancellable) && !cancelled (w) &&
        g_get_monotonic_time () >= half)
      speaks_tls = port_speaks_tls (w, used, deadline);
    banner = dmd_smtp_client_read_banner_until (client, deadline, &error);
  }
  if (banner == NULL)
    {
      if (cancelled (w))
        goto out;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          g_autofree char *ev = g_strdup_printf (_("No greeting from %s within %u s"), peer, (guint) step_timeout (w));

          /* A silent port may be waiting for a TLS handshake: implicit TLS, as on 465. */
          if (speaks_tls)
            {
              g_autofree char *more = g_strdup_printf (_("%s; the port answers a TLS handshake at once (implicit TLS, as port 465 does), which Microsoft 365 does not offer for devices: use STARTTLS on port 587"),
                                                       ev);
              g_free (ev);
              ev = g_steal_pointer (&more);
              line_to (w, "banner", 'I', ev);
            }
          if (cancelled (w))
            goto out;
          add_finding (w, "smtp-timeout", "banner", ev);
          check_end (w, "banner", DMD_CHECK_FAIL, ev);
        }
      else
        {
          add_finding (w, "smtp-protocol-error", "banner", error->message);
          check_end (w, "banner", DMD_CHECK_FAIL, error->message);
        }
      skip_rest (w, (const char *[]) { "ehlo", "starttls", "auth", "mail-from", "rcpt-to", NULL },
                 _("Not run: no greeting"));
      goto out;
    }
  if (banner->code != 220)
    {
      g_autofree char *summary = describe_reply (banner);
      reply_findings (w, banner, DMD_STEP_BANNER, DMD_AUTH_NONE, "banner");
      check_refused (w, "banner", banner, summary);
      skip_rest (w, (const char *[]) { "ehlo", "starttls", "auth", "mail-from", "rcpt-to", NULL },
                 _("Not run: the server refused the session"));
      goto out;
    }
  {
    g_autofree char *summary = describe_reply (banner);
    gboolean ms_host = dmd_host_is_microsoft (w->server);

    if (looks_masked (banner) || (ms_host && !is_microsoft_greeting (banner)))
      {
        add_finding (w, "network-smtp-inspection", "banner", summary);
        check_end (w, "banner", DMD_CHECK_WARN, summary);
      }
    else
      check_end (w, "banner", DMD_CHECK_PASS, summary);
  }

  /* ehlo */
  check_start (w, "ehlo");
  reply = dmd_smtp_client_ehlo (client, name, &ehlo, &error);
  if (reply == NULL || reply->code != 250 || ehlo == NULL)
    {
      if (cancelled (w))
        goto out;
      if (reply != NULL)
        {
          g_autofree char *summary = describe_reply (reply);
          reply_findings (w, reply, DMD_STEP_EHLO, DMD_AUTH_NONE, "ehlo");
          check_refused (w, "ehlo", reply, summary);
        }
      else
        {
          step_failed (w, "ehlo", error);
        }
      skip_rest (w, (const char *[]) { "starttls", "auth", "mail-from", "rcpt-to", NULL }, _("Not run: EHLO failed"));
      goto out;
    }
  if (ehlo->public_ip != NULL)
    {
      g_autoptr(GInetAddress) pub = g_inet_address_new_from_string (ehlo->public_ip);
      g_autofree char *msg = g_strdup_printf (_("The server sees this network as %s"), ehlo->public_ip);

      /* address_family stays the family of the connection used (--ip-version's contract);
       * the public IP's own family shows in the address itself. */
      post_network (w, ehlo->public_ip, NULL, NULL);
      info_line (w, msg);
      if (pub != NULL && g_inet_address_get_family (pub) !=
                         g_inet_address_get_family (g_inet_socket_address_get_address (used)))
        info_line (w, _("Microsoft sees this network through the other IP version than the one used to connect (NAT64 or a proxy): the SPF record and the connector must cover that address"));
      public_ip_known (w, ehlo->public_ip);
    }
  {
    g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u capability", "%u capabilities",
                                                           ehlo->keywords->len),
                                              ehlo->keywords->len);
    /* Keywords are protocol names, not words: they stay as they are; the separator is the
     * language's (Japanese lists take "、"). */
    const char *sep = LIST_SEPARATOR;
    g_autofree char *summary = g_strconcat (count, ehlo->starttls ? sep : "",
                                            ehlo->starttls ? "STARTTLS" : "",
                                            ehlo->pipelining ? sep : "",
                                            ehlo->pipelining ? "PIPELINING" : "", NULL);
    check_end (w, "ehlo", DMD_CHECK_PASS, summary);
  }

  /* starttls */
  if (!implicit)
    {
      if (cfg->security == DMD_SECURITY_NONE)
        check_skip (w, "starttls", _("Not used: the device is set to no encryption"));
      else if (!ehlo->starttls)
        {
          g_autofree char *ev = g_strdup_printf (_("EHLO from %s lists no STARTTLS"), peer);
          check_start (w, "starttls");
          add_finding (w, "tls-starttls-not-offered", "starttls", ev);
          if (dmd_host_is_microsoft (w->server))
            add_finding (w, "network-smtp-inspection", "starttls", ev);
          check_end (w, "starttls", DMD_CHECK_FAIL, ev);
        }
      else
        {
          check_start (w, "starttls");
          g_clear_pointer (&reply, dmd_reply_free);
          reply = dmd_smtp_client_command (client, "STARTTLS", NULL, &error);
          if (reply == NULL)
            {
              if (cancelled (w))
                goto out;
              step_failed (w, "starttls", error);
              skip_rest (w, (const char *[]) { "auth", "mail-from", "rcpt-to", NULL }, _("Not run: STARTTLS failed"));
              goto out;
            }
          if (reply->code != 220)
            {
              g_autofree char *summary = describe_reply (reply);
              reply_findings (w, reply, DMD_STEP_STARTTLS, DMD_AUTH_NONE, "starttls");
              check_refused (w, "starttls", reply, summary);
            }
          else
            {
              g_autofree char *summary = describe_reply (reply);
              check_end (w, "starttls", DMD_CHECK_PASS, summary);
              if (!main_tls (w, conn, &tls_verified))
                {
                  skip_rest (w, (const char *[]) { "auth", "mail-from", "rcpt-to", NULL },
                             _("Not run: the TLS handshake failed"));
                  goto out;
                }
              tls_active = TRUE;
              /* EHLO again: the capabilities after TLS are the ones that count. */
              g_clear_pointer (&ehlo, dmd_ehlo_free);
              g_clear_pointer (&reply, dmd_reply_free);
              w->current_check = (g_free (w->current_check), g_strdup ("ehlo"));
              reply = dmd_smtp_client_ehlo (client, name, &ehlo, &error);
              if (reply == NULL || reply->code != 250 || ehlo == NULL)
                {
                  if (cancelled (w))
                    goto out;
                  /* The EHLO check passed before TLS; it fails now. */
                  if (reply != NULL)
                    {
                      g_autofree char *ehlo_summary = describe_reply (reply);

                      reply_findings (w, reply, DMD_STEP_EHLO, DMD_AUTH_NONE, "ehlo");
                      check_refused (w, "ehlo", reply, ehlo_summary);
                    }
                  else if (client_cert_refused (w, conn))
                    {
                      /* TLS 1.3: the server judges our certificate after the handshake. */
                      g_autofree char *ev = client_cert_evidence (w, error->message);

                      add_finding (w, "relay-certificate-not-trusted", "tls", ev);
                      check_end (w, "tls", DMD_CHECK_FAIL, error->message);
                    }
                  else
                    {
                      add_finding (w, "smtp-protocol-error", "ehlo", error->message);
                      check_end (w, "ehlo", DMD_CHECK_FAIL, error->message);
                    }
                  skip_rest (w, (const char *[]) { "auth", "mail-from", "rcpt-to", NULL }, _("Not run: EHLO after TLS failed"));
                  goto out;
                }
            }
        }
    }

  /* auth */
  if (cfg->option != DMD_OPTION_SMTP_AUTH)
    check_skip (w, "auth", _("Not used by this option (no sign-in)"));
  else
    {
      const char *secret = cfg->oauth_token ? cfg->oauth_token : cfg->password;
      gboolean safe = tls_active && tls_verified;

      check_start (w, "auth");
      mech = cfg->oauth_token ? DMD_AUTH_XOAUTH2
           : ehlo->auth_login ? DMD_AUTH_LOGIN
           : ehlo->auth_plain ? DMD_AUTH_PLAIN
           : DMD_AUTH_LOGIN;
      if (cfg->username == NULL || *cfg->username == '\0' || secret == NULL || *secret == '\0')
        check_end (w, "auth", DMD_CHECK_SKIP, _("Not tried: no user name or no password/token"));
      else if (!safe && !cfg->allow_insecure_auth)
        check_end (w, "auth", DMD_CHECK_SKIP,
                   tls_active ? _("Not tried: credentials are not sent over TLS whose certificate failed verification")
                              : _("Not tried: credentials are not sent over an unencrypted connection"));
      else if ((mech == DMD_AUTH_XOAUTH2 && !ehlo->auth_xoauth2) ||
               (mech != DMD_AUTH_XOAUTH2 && !ehlo->auth_login && !ehlo->auth_plain))
        {
          g_autoptr(GString) offered = g_string_new (NULL);
          g_autofree char *ev = NULL;

          for (guint i = 0; i < ehlo->auth_mechs->len; i++)
            g_string_append_printf (offered, "%s%s", i ? " " : "",
                                    (const char *) g_ptr_array_index (ehlo->auth_mechs, i));
          ev = g_strdup_printf (_("The server offers AUTH: %s"), offered->len ? offered->str : _("none"));
          add_finding (w, "auth-mechanism-unsupported", "auth", ev);
          check_end (w, "auth", DMD_CHECK_FAIL, ev);
        }
      else
        {
          g_clear_pointer (&reply, dmd_reply_free);
          reply = dmd_smtp_client_auth (client, mech, cfg->username, secret, &error);
          if (reply == NULL)
            {
              if (cancelled (w))
                goto out;
              step_failed (w, "auth", error);
              skip_rest (w, (const char *[]) { "mail-from", "rcpt-to", NULL }, _("Not run: authentication failed"));
              goto out;
            }
          if (reply->code == 235)
            {
              g_autofree char *summary = g_strdup_printf (_("Signed in as %s (%s)"), cfg->username,
                                                          dmd_auth_mech_to_string (mech));
              authenticated = TRUE;
              check_end (w, "auth", DMD_CHECK_PASS, summary);
            }
          else
            {
              g_autofree char *summary = describe_reply (reply);
              reply_findings (w, reply, DMD_STEP_AUTH, mech, "auth");
              if (mech == DMD_AUTH_XOAUTH2)
                {
                  g_autoptr(DmdOAuthToken) tok = dmd_oauth_token_inspect (cfg->oauth_token, cfg->username,
                                                                          cfg->today ? g_date_time_to_unix (cfg->today)
                                                                                     : g_get_real_time () / G_USEC_PER_SEC);
                  for (guint i = 0; i < tok->problems->len; i++)
                    info_line (w, g_ptr_array_index (tok->problems, i));
                }
              check_refused (w, "auth", reply, summary);
              /* AUTH is tried once; MAIL FROM would only add "not authenticated". */
              skip_rest (w, (const char *[]) { "mail-from", "rcpt-to", NULL }, _("Not run: authentication failed"));
              dmd_smtp_client_quit (client);
              goto out;
            }
        }
    }
  (void) authenticated;

  /* mail-from and rcpt-to, pipelined when offered */
  {
    const char *from = cfg->from ? cfg->from : "";
    const char *to = cfg->to ? cfg->to : "";
    /* An address beyond ASCII goes only with SMTPUTF8 (RFC 6531), if the server offers it. */
    const char *intl = !g_str_is_ascii (from) ? from : !g_str_is_ascii (to) ? to : NULL;
    g_autofree char *mail = g_strdup_printf ("MAIL FROM:<%s>%s", from, intl ? " SMTPUTF8" : "");
    g_autofree char *rcpt = g_strdup_printf ("RCPT TO:<%s>", to);
    g_autoptr(GPtrArray) replies = NULL;
    DmdReply *mail_reply = NULL, *rcpt_reply = NULL;
    gboolean mail_ok;

    check_start (w, "mail-from");
    if (intl != NULL && !ehlo->smtputf8)
      {
        /* Translators: the first %s is an email address, the second the server's address. */
        g_autofree char *ev = g_strdup_printf (_("The address %s has non-ASCII characters and the EHLO reply from %s lists no SMTPUTF8"),
                                               intl, peer);

        add_finding (w, "smtp-utf8-not-offered", "mail-from", ev);
        check_end (w, "mail-from", DMD_CHECK_FAIL, ev);
        check_skip (w, "rcpt-to", _("Not run: the server does not take the non-ASCII address"));
        dmd_smtp_client_quit (client);
        goto out;
      }
    if (ehlo->pipelining)
      {
        /* Without DATA the dialogue ends here: QUIT may close the pipeline (RFC 2920),
         * which saves the last round trip. */
        const char *lines[] = { mail, rcpt, cfg->send ? NULL : "QUIT", NULL };
        replies = dmd_smtp_client_pipeline (client, lines, &error);
        quit_sent = !cfg->send;
      }
    else
      {
        replies = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_reply_free);
        mail_reply = dmd_smtp_client_command (client, mail, NULL, &error);
        if (mail_reply != NULL)
          {
            g_ptr_array_add (replies, mail_reply);
            if (mail_reply->code == 250)
              {
                w->current_check = (g_free (w->current_check), g_strdup ("rcpt-to"));
                rcpt_reply = dmd_smtp_client_command (client, rcpt, NULL, &error);
                if (rcpt_reply != NULL)
                  g_ptr_array_add (replies, rcpt_reply);
              }
          }
      }
    mail_reply = replies->len > 0 ? g_ptr_array_index (replies, 0) : NULL;
    rcpt_reply = replies->len > 1 ? g_ptr_array_index (replies, 1) : NULL;

    if (mail_reply == NULL)
      {
        if (cancelled (w))
          goto out;
        step_failed (w, "mail-from", error);
        check_skip (w, "rcpt-to", _("Not run: MAIL FROM failed"));
        goto out;
      }
    mail_ok = mail_reply->code == 250;
    {
      g_autofree char *summary = describe_reply (mail_reply);
      if (!mail_ok)
        {
          reply_findings (w, mail_reply, DMD_STEP_MAIL, mech, "mail-from");
          check_refused (w, "mail-from", mail_reply, summary);
        }
      else
        check_end (w, "mail-from", DMD_CHECK_PASS, summary);
    }

    if (!mail_ok)
      check_skip (w, "rcpt-to", _("Not run: the sender was refused"));
    else
      {
        check_start (w, "rcpt-to");
        if (rcpt_reply == NULL)
          {
            if (cancelled (w))
              goto out;
            step_failed (w, "rcpt-to", error);
            goto out;
          }
        else
          {
            g_autofree char *summary = describe_reply (rcpt_reply);
            gboolean rcpt_ok = rcpt_reply->code == 250 || rcpt_reply->code == 251;
            if (!rcpt_ok)
              {
                reply_findings (w, rcpt_reply, DMD_STEP_RCPT, mech, "rcpt-to");
                check_refused (w, "rcpt-to", rcpt_reply, summary);
              }
            else
              check_end (w, "rcpt-to", DMD_CHECK_PASS, summary);

            /* data: only when asked */
            if (rcpt_ok && cfg->send)
              {
                g_autofree char *message = dmd_smtp_build_test_message (cfg->from, cfg->to, NULL);
                g_autoptr(DmdReply) data_reply = NULL;

                check_start (w, "data");
                data_reply = dmd_smtp_client_data (client, message, &error);
                if (w->message_on_wire)
                  post (event_new (w->self, EV_TRANSMITTED, NULL));
                if (data_reply == NULL)
                  {
                    if (cancelled (w))
                      goto out;
                    step_failed (w, "data", error);
                  }
                else
                  {
                    g_autofree char *dsummary = describe_reply (data_reply);
                    gboolean data_ok = data_reply->code == 250;
                    if (!data_ok)
                      {
                        reply_findings (w, data_reply, DMD_STEP_DATA, mech, "data");
                        check_refused (w, "data", data_reply, dsummary);
                      }
                    else
                      {
                        post (event_new (w->self, EV_SENT, NULL));
                        check_end (w, "data", DMD_CHECK_PASS, dsummary);
                      }
                  }
              }
          }
      }
  }

  if (!cancelled (w))
    {
      if (quit_sent)
        dmd_conn_close (dmd_smtp_client_get_conn (client));
      else
        dmd_smtp_client_quit (client);
    }

out:
  worker_free (w);
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* TLS version probes: one short connection per version, never authenticating                 */

static void
probe_result_full (Worker             *w,
                   DmdTlsVersionState  state,
                   const char         *detail,
                   gboolean            by_reply)
{
  Event *ev = event_new (w->self, EV_TLS_VERSION, NULL);
  g_autofree char *line = g_strdup_printf ("%s: %s%s%s", dmd_tls_version_name (w->tls_index),
                                           dmd_tls_version_state_to_string (state),
                                           detail ? " — " : "", detail ? detail : "");

  ev->tls_index = w->tls_index;
  ev->tls_state = state;
  ev->tls_by_reply = by_reply;
  ev->text = g_strdup (detail);
  post (ev);
  line_to (w, "tls-versions", 'I', line);
}

static void
probe_result (Worker             *w,
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
         is_certificate_alert (dmd_conn_get_received_alert (conn));
}

static gpointer
probe_worker (gpointer data)
{
  Worker *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autoptr(DmdEhlo) ehlo = NULL;
  g_autofree char *name = ehlo_name ();
  DmdTlsInfo *info = NULL;
  GInetSocketAddress *addr = g_ptr_array_index (w->addresses, 0);
  gint64 deadline = dmd_deadline_in (step_timeout (w));
  gboolean implicit = w->config->security == DMD_SECURITY_IMPLICIT_TLS;

  conn = worker_connect (w, addr, deadline, &error);
  if (conn == NULL && cancelled (w))
    goto out;
  if (conn == NULL)
    {
      probe_result (w, DMD_TLS_VERSION_NOT_TESTABLE, error->message);
      goto out;
    }
  if (!implicit)
    {
      reply = dmd_conn_read_reply (conn, deadline, w->cancellable, &error);
      if (reply == NULL || reply->code != 220)
        {
          probe_result (w, DMD_TLS_VERSION_NOT_TESTABLE, reply ? _("no greeting") : error->message);
          goto out;
        }
      g_clear_pointer (&reply, dmd_reply_free);
      {
        g_autofree char *line = g_strdup_printf ("EHLO %s\r\n", name);
        if (!dmd_conn_write_all (conn, line, strlen (line), deadline, w->cancellable, &error) ||
            !(reply = dmd_conn_read_reply (conn, deadline, w->cancellable, &error)))
          {
            probe_result (w, DMD_TLS_VERSION_NOT_TESTABLE, error->message);
            goto out;
          }
      }
      ehlo = reply->code == 250 ? dmd_ehlo_parse (reply) : NULL;
      if (ehlo == NULL || !ehlo->starttls)
        {
          probe_result (w, DMD_TLS_VERSION_NOT_TESTABLE, _("the server does not offer STARTTLS"));
          goto out;
        }
      g_clear_pointer (&reply, dmd_reply_free);
      if (!dmd_conn_write_all (conn, "STARTTLS\r\n", 10, deadline, w->cancellable, &error) ||
          !(reply = dmd_conn_read_reply (conn, deadline, w->cancellable, &error)) ||
          reply->code != 220)
        {
          probe_result (w, DMD_TLS_VERSION_NOT_TESTABLE, reply ? _("STARTTLS refused") : error->message);
          goto out;
        }
    }

  /* The connector judges every connection: the probes present the certificate too (and
   * never sign in). */
  dmd_conn_set_client_cert (conn, w->self->client_cert);
  if (!dmd_conn_start_tls_client (conn, w->server, dmd_tls_priority_for_version (w->tls_index),
                                  w->config->ca_file, deadline, w->cancellable, &info, &error))
    {
      /* With implicit TLS configured on a port that greets in plain text, a failed handshake
       * says nothing about the versions: only an alert or a close is a refusal then. */
      if (!cancelled (w) && version_took_cert (conn))
        probe_result (w, DMD_TLS_VERSION_ACCEPTED, error->message);
      else if (!cancelled (w))
        probe_result (w, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
                         (implicit && !g_error_matches (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS_ALERT))
                           ? DMD_TLS_VERSION_NOT_TESTABLE : DMD_TLS_VERSION_REFUSED,
                      error->message);
      goto out;
    }
  g_clear_pointer (&info, dmd_tls_info_free);

  /* Exchange Online completes a TLS 1.0 handshake and only then says no (421 4.7.66): a reply
   * that refuses is a refusal. A completed handshake followed by anything else (a close, a
   * timeout, a broken reply) still means the version was accepted. */
  g_clear_pointer (&reply, dmd_reply_free);
  {
    g_autofree char *line = g_strdup_printf ("EHLO %s\r\n", name);
    if (!dmd_conn_write_all (conn, line, strlen (line), deadline, w->cancellable, &error) ||
        !(reply = dmd_conn_read_reply (conn, deadline, w->cancellable, &error)))
      {
        if (!cancelled (w))
          {
            /* Translators: %s says what went wrong after the handshake, e.g. "The other
             * side closed the connection". */
            g_autofree char *detail = g_strdup_printf (_("handshake completed; then: %s"),
                                                       error->message);
            probe_result (w, DMD_TLS_VERSION_ACCEPTED, detail);
          }
        goto out;
      }
  }
  if (cancelled (w))
    goto out;
  if (reply->code == 250)
    probe_result (w, DMD_TLS_VERSION_ACCEPTED, NULL);
  else
    {
      g_autofree char *text = describe_reply (reply);
      probe_result_full (w, DMD_TLS_VERSION_REFUSED, text, TRUE);
    }
  dmd_conn_write_all (conn, "QUIT\r\n", 6, dmd_deadline_in (1), w->cancellable, NULL);

out:
  if (conn != NULL)
    dmd_conn_close (conn);
  worker_free (w);
  return NULL;
}

/* The probes need the address: resolve once, then run the four versions in parallel. */
static gpointer
probes_worker (gpointer data)
{
  Worker *w = data;
  g_autofree char *why = NULL;

  check_start (w, "tls-versions");
  if (w->config->security == DMD_SECURITY_NONE && w->config->option == DMD_OPTION_DIRECT_SEND)
    {
      /* Still worth knowing: Direct Send may use TLS. Probe anyway. */
    }
  if (w->addresses->len == 0 &&
      !resolve (w, w->server, w->port, FALSE, dmd_deadline_in (step_timeout (w)), &why))
    {
      for (int i = 0; i < DMD_N_TLS_VERSIONS; i++)
        {
          Event *ev = event_new (w->self, EV_TLS_VERSION, NULL);
          ev->tls_index = i;
          ev->tls_state = DMD_TLS_VERSION_NOT_TESTABLE;
          ev->text = g_strdup (why);
          post (ev);
        }
      check_end (w, "tls-versions", DMD_CHECK_SKIP, why);
      worker_free (w);
      return NULL;
    }

  {
    GThread *threads[DMD_N_TLS_VERSIONS];

    for (int i = 0; i < DMD_N_TLS_VERSIONS; i++)
      {
        Worker *p = worker_new (w->self);
        p->server = g_strdup (w->server);
        p->port = w->port;
        p->tls_index = i;
        p->current_check = g_strdup ("tls-versions");
        for (guint j = 0; j < w->addresses->len; j++)
          g_ptr_array_add (p->addresses, g_object_ref (g_ptr_array_index (w->addresses, j)));
        g_atomic_int_inc (&w->self->workers);
        threads[i] = g_thread_new ("dmd-tls-probe", probe_worker, p);
      }
    for (int i = 0; i < DMD_N_TLS_VERSIONS; i++)
      g_thread_join (threads[i]);
  }
  /* The summary is written on the main context from the collected states (complete()). */
  worker_free (w);
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */

static void
finish_tls_versions (DmdCheckup *self)
{
  DmdResult *result = self->result;
  DmdCheck *check = dmd_result_get_check (result, "tls-versions");
  g_autoptr(GString) accepted = g_string_new (NULL);
  g_autoptr(GString) refused = g_string_new (NULL);
  guint n_tested = 0;

  if (check == NULL || check->status == DMD_CHECK_SKIP)
    return;

  /* The version the main connection negotiated passed a handshake, whatever its probe met
   * (a failed or refused handshake, a timeout): the matrix never contradicts it. Only a
   * server that completed the handshake and then refused the version in words (Exchange's
   * 421 4.7.66 after TLS 1.0) keeps it refused, as it did on the main connection. */
  {
    int negotiated = result->network.tls_negotiated != NULL
                     ? dmd_tls_version_index (result->network.tls_negotiated) : -1;

    if (negotiated >= 0 && negotiated < DMD_N_TLS_VERSIONS &&
        result->network.versions[negotiated].state != DMD_TLS_VERSION_ACCEPTED &&
        !self->refused_by_reply[negotiated])
      {
        DmdTlsVersionResult *v = &result->network.versions[negotiated];
        g_autofree char *line = NULL;

        v->state = DMD_TLS_VERSION_ACCEPTED;
        g_free (v->detail);
        v->detail = g_strdup (_("negotiated by the main connection"));
        line = g_strdup_printf ("%s: %s — %s", dmd_tls_version_name (negotiated),
                                dmd_tls_version_state_to_string (v->state), v->detail);
        dmd_check_add_line (check, 'I', line);
        g_ptr_array_add (result->transcript, dmd_transcript_line_new ('I', line));
        g_signal_emit (self, signals[SIGNAL_TRANSCRIPT_LINE], 0, "tls-versions", (int) 'I', line);
      }
  }

  for (int i = 0; i < DMD_N_TLS_VERSIONS; i++)
    {
      DmdTlsVersionResult *v = &result->network.versions[i];
      GString *into = v->state == DMD_TLS_VERSION_ACCEPTED ? accepted
                    : v->state == DMD_TLS_VERSION_REFUSED ? refused : NULL;
      if (into == NULL)
        continue;
      n_tested++;
      g_string_append_printf (into, "%s%s", into->len ? LIST_SEPARATOR : "", dmd_tls_version_name (i));
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
  {
    gintptr start_ms = (gintptr) g_hash_table_lookup (self->started, "tls-versions");
    if (start_ms != 0)
      check->elapsed_ms = g_get_monotonic_time () / 1000 - start_ms;
  }
  if (n_tested > 0)
    {
      g_autofree char *evidence = g_strdup (check->summary);
      DmdFinding *f = dmd_catalog_make_finding ("tls-version-matrix", self->config, evidence);
      if (f != NULL)
        dmd_result_add_finding (result, f);
    }
  g_signal_emit (self, signals[SIGNAL_CHECK_FINISHED], 0, "tls-versions", (int) check->status, check->summary);
}

static void
complete (DmdCheckup *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  finish_tls_versions (self);
  self->done = TRUE;
  if (self->cancel_handler != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->cancel_handler);
  self->cancel_handler = 0;
  dmd_result_sort_findings (self->result);
  g_task_return_pointer (task, dmd_result_ref (self->result), (GDestroyNotify) dmd_result_unref);
}

static gboolean
cancel_idle_cb (gpointer data)
{
  DmdCheckup *self = data;
  g_autoptr(GTask) task = NULL;

  if (self->done || self->task == NULL)
    return G_SOURCE_REMOVE;
  task = g_steal_pointer (&self->task);
  self->done = TRUE;
  self->result->cancelled = TRUE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("The checks were cancelled"));
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      data)
{
  DmdCheckup *self = data;

  /* May run in any thread: cancel the workers' I/O now, complete on our context. */
  g_cancellable_cancel (self->cancellable);
  schedule (self->context, G_PRIORITY_HIGH, cancel_idle_cb, g_object_ref (self), g_object_unref);
}

void
dmd_checkup_run_async (DmdCheckup          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  const DmdDeviceConfig *cfg;
  g_autoptr(GError) error = NULL;
  Worker *w;

  g_return_if_fail (DMD_IS_CHECKUP (self));
  g_return_if_fail (self->task == NULL && !self->done);

  cfg = self->config;
  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, dmd_checkup_run_async);
  g_task_set_check_cancellable (self->task, FALSE);
  self->context = g_main_context_ref_thread_default ();

  /* The client certificate is read once, here (validation read it already; a file that
   * changed since is a setting that fails). */
  if (cfg->client_cert_file != NULL && *cfg->client_cert_file != '\0' &&
      cfg->client_key_file != NULL && *cfg->client_key_file != '\0')
    {
      self->client_cert = dmd_tls_client_cert_new_from_files (cfg->client_cert_file,
                                                              cfg->client_key_file, &error);
      if (self->client_cert == NULL)
        {
          Event *ev;

          dmd_result_add_check (self->result, "config");
          post (event_new (self, EV_CHECK_START, "config"));
          ev = event_new (self, EV_CHECK_END, "config");
          ev->status = DMD_CHECK_FAIL;
          ev->text = g_strdup (error->message);
          post (ev);
          g_atomic_int_set (&self->workers, 1);
          w = worker_new (self);
          worker_free (w);   /* posts the single "done" */
          return;
        }
      self->result->network.client_cert =
        dmd_cert_info_copy (dmd_tls_client_cert_get_info (self->client_cert));
    }

  /* config: the pre-flight findings, no network */
  dmd_result_add_check (self->result, "config");
  dmd_catalog_preflight (cfg, self->result);
  g_ptr_array_extend_and_steal (self->result->recommended, dmd_catalog_recommended_settings (cfg));
  {
    guint errors = dmd_result_count_severity (self->result, DMD_SEVERITY_ERROR);
    guint warnings = dmd_result_count_severity (self->result, DMD_SEVERITY_WARNING);
    Event *ev;

    /* Reported like every other check, on the caller's context. */
    post (event_new (self, EV_CHECK_START, "config"));
    ev = event_new (self, EV_CHECK_END, "config");
    ev->status = errors ? DMD_CHECK_FAIL : warnings ? DMD_CHECK_WARN : DMD_CHECK_PASS;
    ev->text = errors || warnings
      ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u problem in the settings as entered",
                                      "%u problems in the settings as entered", errors + warnings),
                         errors + warnings)
      : g_strdup (_("The settings as entered look right for this option"));
    post (ev);
  }

  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb), self, NULL);
    }

  {
    const char *server = dmd_device_config_get_server (cfg);
    g_autofree char *ascii = NULL;

    if (server != NULL && *server != '\0' && (ascii = dmd_host_to_ascii (server, &error)) == NULL)
      {
        /* Nothing valid to connect to: the pre-flight findings are the result. */
        DmdCheck *dns = dmd_result_add_check (self->result, "dns");
        dns->status = DMD_CHECK_SKIP;
        dns->summary = g_strdup (error->message);
        g_atomic_int_set (&self->workers, 1);
        w = worker_new (self);
        worker_free (w);   /* posts the single "done" */
        return;
      }

    /* The dialogue worker starts the TLS probes and the DNS checks once it knows the
     * address (and, for Direct Send and relay without a server, the MX endpoint). */
    g_atomic_int_set (&self->workers, 1);
    w = worker_new (self);
    w->server = g_steal_pointer (&ascii);   /* NULL: the domain's MX */
    w->port = dmd_device_config_get_port (cfg);
    w->current_check = g_strdup ("dns");
    g_thread_unref (g_thread_new ("dmd-dialogue", main_worker, w));
  }
}

DmdResult *
dmd_checkup_run_finish (DmdCheckup    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (DMD_IS_CHECKUP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  GMainLoop *loop;
  DmdResult *result;
  GError    *error;
} SyncData;

static void
sync_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      data)
{
  SyncData *sd = data;

  sd->result = dmd_checkup_run_finish (DMD_CHECKUP (source), res, &sd->error);
  g_main_loop_quit (sd->loop);
}

DmdResult *
dmd_checkup_run_sync (DmdCheckup    *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  SyncData sd = { 0 };
  GMainContext *context = g_main_context_ref_thread_default ();

  sd.loop = g_main_loop_new (context, FALSE);
  dmd_checkup_run_async (self, cancellable, sync_done_cb, &sd);
  g_main_loop_run (sd.loop);
  g_main_loop_unref (sd.loop);
  g_main_context_unref (context);
  if (sd.error != NULL)
    g_propagate_error (error, sd.error);
  return sd.result;
}

const DmdDeviceConfig *
dmd_checkup_get_config (DmdCheckup *self)
{
  g_return_val_if_fail (DMD_IS_CHECKUP (self), NULL);
  return self->config;
}

/* ------------------------------------------------------------------------------------------ */

static void
dmd_checkup_dispose (GObject *object)
{
  DmdCheckup *self = DMD_CHECKUP (object);

  if (self->cancel_handler != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->cancel_handler);
  self->cancel_handler = 0;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->caller_cancellable);

  G_OBJECT_CLASS (dmd_checkup_parent_class)->dispose (object);
}

static void
dmd_checkup_finalize (GObject *object)
{
  DmdCheckup *self = DMD_CHECKUP (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->task);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->result, dmd_result_unref);
  g_clear_pointer (&self->started, g_hash_table_unref);
  g_clear_pointer (&self->config, dmd_device_config_free);
  g_clear_pointer (&self->scrubber, dmd_scrubber_unref);
  g_clear_pointer (&self->client_cert, dmd_tls_client_cert_unref);

  G_OBJECT_CLASS (dmd_checkup_parent_class)->finalize (object);
}

static void
dmd_checkup_class_init (DmdCheckupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dmd_checkup_dispose;
  object_class->finalize = dmd_checkup_finalize;

  signals[SIGNAL_CHECK_STARTED] =
    g_signal_new ("check-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_CHECK_FINISHED] =
    g_signal_new ("check-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT, G_TYPE_STRING);
  signals[SIGNAL_TRANSCRIPT_LINE] =
    g_signal_new ("transcript-line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT, G_TYPE_STRING);
}

static void
dmd_checkup_init (DmdCheckup *self)
{
  self->cancellable = g_cancellable_new ();
  self->started = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

DmdCheckup *
dmd_checkup_new (const DmdDeviceConfig *config)
{
  DmdCheckup *self;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (DMD_TYPE_CHECKUP, NULL);
  self->config = dmd_device_config_copy (config);
  self->result = dmd_result_new (config->option);
  self->scrubber = dmd_scrubber_new ();
  dmd_scrubber_add_secret (self->scrubber, config->password, config->username);
  dmd_scrubber_add_secret (self->scrubber, config->oauth_token, config->username);
  return self;
}
