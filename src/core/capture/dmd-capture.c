/* dmd-capture.c — the capture listener: the scripted SMTP server in a permissive
 * Microsoft-like role, its events turned into DmdCaptureSession records, and the signals and
 * timers on the caller's main context
 *
 * Threads: the server accepts and serves every connection on threads of its own and calls
 * on_server_event() there (serialised). That updates the records under `lock` and posts a
 * Notice to the main context of dmd_capture_start(), where the signals are emitted and the
 * idle timer is re-armed. The end (idle, timeout, stop, cancel) runs on the main context: it
 * stops the server (which joins its threads), so the records are final when judged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-capture-private.h"
#include "dmd-conn.h"
#include "dmd-reply.h"
#include "dmd-smtp-server.h"
#include "dmd-tls.h"

/* How long a new connection may take to show a TLS ClientHello before it gets the banner
 * (a client that speaks first with TLS uses implicit TLS; SMTP clients wait for the banner). */
#define DETECT_IMPLICIT_S 1.0

struct _DmdCapture {
  GObject             parent_instance;

  /* settings */
  guint16             port;
  double              idle_timeout;
  double              timeout;
  char               *domain;
  DmdOption           option;
  char               *data_dir;
  gboolean            loopback_only;

  /* main context side */
  GMainContext       *context;
  DmdSmtpServer      *server;
  DmdTlsServerCreds  *creds;
  char               *cert_path;
  char               *sha256;
  GPtrArray          *addresses;
  guint16             bound_port;
  gboolean            started;
  gboolean            ended;
  DmdCaptureEnd       end;
  GSource            *timeout_source;
  GSource            *idle_source;
  guint               n_open;
  gboolean            had_session;
  DmdCaptureResult   *result;
  GTask              *task;
  GCancellable       *wait_cancellable;
  gulong              cancel_id;

  /* shared with the server's threads */
  GMutex              lock;
  GPtrArray          *sessions;   /* DmdCaptureSession*, by id - 1 */
};

enum {
  PROP_0,
  PROP_PORT,
  PROP_IDLE_TIMEOUT,
  PROP_TIMEOUT,
  PROP_DOMAIN,
  PROP_OPTION,
  PROP_DATA_DIR,
  PROP_LOOPBACK_ONLY,
  N_PROPS
};

enum {
  SESSION_OPENED,
  LOG_LINE,
  SESSION_CHANGED,
  SESSION_CLOSED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (DmdCapture, dmd_capture, G_TYPE_OBJECT)
G_DEFINE_QUARK (dmd-capture-error-quark, dmd_capture_error)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void capture_end (DmdCapture    *self,
                         DmdCaptureEnd  end);

/* Run func on the capture's main context, always from its loop (never on the calling thread,
 * as g_main_context_invoke() may when the context is free). */
static void
post (DmdCapture     *self,
      GSourceFunc     func,
      gpointer        data,
      GDestroyNotify  destroy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_name (source, "[dmd] capture notice");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* ------------------------------------------------------------------------------------------ */
/* Notices: from the server's threads to the main context                                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  DmdCapture *self;      /* a reference */
  guint       session;
  char       *opened;    /* the client's address when the session opened, else NULL */
  GPtrArray  *lines;     /* DmdCaptureLogLine* */
  gboolean    changed;
  gboolean    closed;
} Notice;

static Notice *
notice_new (DmdCapture *self,
            guint       session)
{
  Notice *n = g_new0 (Notice, 1);

  n->self = g_object_ref (self);
  n->session = session;
  n->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) _dmd_capture_log_line_free);
  return n;
}

static void
notice_free (Notice *n)
{
  g_object_unref (n->self);
  g_free (n->opened);
  g_ptr_array_unref (n->lines);
  g_free (n);
}

static gboolean
capture_quiet (gpointer data)
{
  DmdCapture *self = data;

  g_clear_pointer (&self->idle_source, g_source_unref);
  if (self->n_open > 0)
    {
      /* A connection is still open (the server's own idle limit will close it): wait on. */
      return G_SOURCE_REMOVE;
    }
  g_debug ("capture: the device has been idle for %.0f s", self->idle_timeout);
  capture_end (self, DMD_CAPTURE_END_IDLE);
  return G_SOURCE_REMOVE;
}

static void
rearm_idle (DmdCapture *self)
{
  if (self->idle_source != NULL)
    {
      g_source_destroy (self->idle_source);
      g_clear_pointer (&self->idle_source, g_source_unref);
    }
  if (self->ended || self->n_open > 0)
    return;
  self->idle_source = g_timeout_source_new ((guint) (self->idle_timeout * 1000));
  g_source_set_callback (self->idle_source, capture_quiet, self, NULL);
  g_source_set_name (self->idle_source, "[dmd] capture idle");
  g_source_attach (self->idle_source, self->context);
}

static gboolean
notice_dispatch (gpointer data)
{
  Notice *n = data;
  DmdCapture *self = n->self;

  if (self->ended ||
      (self->wait_cancellable != NULL && g_cancellable_is_cancelled (self->wait_cancellable)))
    return G_SOURCE_REMOVE;

  if (n->opened != NULL)
    {
      self->n_open++;
      self->had_session = TRUE;
      g_signal_emit (self, signals[SESSION_OPENED], 0, n->session, n->opened);
    }
  for (guint i = 0; i < n->lines->len && !self->ended; i++)
    {
      DmdCaptureLogLine *line = g_ptr_array_index (n->lines, i);

      g_signal_emit (self, signals[LOG_LINE], 0, n->session, (gint) line->dir, line->text);
    }
  if (n->changed && !self->ended)
    g_signal_emit (self, signals[SESSION_CHANGED], 0, n->session);
  if (n->closed && !self->ended)
    {
      if (self->n_open > 0)
        self->n_open--;
      g_signal_emit (self, signals[SESSION_CLOSED], 0, n->session);
    }
  if (!self->ended)
    rearm_idle (self);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------------------------ */
/* Server events (on the server's threads): records in dmd-capture-record.c, then a Notice    */
/* ------------------------------------------------------------------------------------------ */

static DmdCaptureSession *
session_for (DmdCapture *self,
             guint       id)
{
  while (self->sessions->len < id)
    g_ptr_array_add (self->sessions, dmd_capture_session_new (self->sessions->len + 1));
  return g_ptr_array_index (self->sessions, id - 1);
}

static void
on_server_event (const DmdSmtpEvent *event,
                 gpointer            user_data)
{
  DmdCapture *self = user_data;
  Notice *n = notice_new (self, event->session);
  DmdCaptureSession *rec;

  g_mutex_lock (&self->lock);
  rec = session_for (self, event->session);
  switch (_dmd_capture_record_event (rec, event, n->lines))
    {
    case DMD_CAPTURE_RECORDED_OPENED:
      n->opened = g_strdup (rec->client);
      break;
    case DMD_CAPTURE_RECORDED_CLOSED:
      n->closed = TRUE;
      break;
    case DMD_CAPTURE_RECORDED:
    default:
      break;
    }
  n->changed = TRUE;
  g_mutex_unlock (&self->lock);

  post (self, notice_dispatch, n, (GDestroyNotify) notice_free);
}

/* ------------------------------------------------------------------------------------------ */
/* Ending                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static DmdCaptureResult *
build_result (DmdCapture *self)
{
  DmdCaptureResult *result = dmd_capture_result_new ();

  result->option = self->option;
  result->domain = g_strdup (self->domain);
  result->port = self->bound_port;
  for (guint i = 0; self->addresses != NULL && i < self->addresses->len; i++)
    g_ptr_array_add (result->addresses, g_strdup (g_ptr_array_index (self->addresses, i)));
  result->certificate_sha256 = g_strdup (self->sha256);
  result->certificate_path = g_strdup (self->cert_path);
  result->end = self->end;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->sessions->len; i++)
    g_ptr_array_add (result->sessions,
                     dmd_capture_session_copy (g_ptr_array_index (self->sessions, i)));
  g_mutex_unlock (&self->lock);

  g_ptr_array_unref (result->verdicts);
  result->verdicts = dmd_capture_judge (result->sessions, self->option, self->domain, NULL);
  return result;
}

static void
complete_task (DmdCapture *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    return;
  if (self->cancel_id != 0)
    {
      g_cancellable_disconnect (self->wait_cancellable, self->cancel_id);
      self->cancel_id = 0;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, dmd_capture_result_ref (self->result),
                         (GDestroyNotify) dmd_capture_result_unref);
}

static void
capture_end (DmdCapture    *self,
             DmdCaptureEnd  end)
{
  if (self->ended)
    return;
  self->ended = TRUE;
  self->end = end;
  destroy_source (&self->timeout_source);
  destroy_source (&self->idle_source);

  /* Cancels every connection and joins the threads: the records are final after this. */
  if (self->server != NULL)
    dmd_smtp_server_stop (self->server);

  self->result = build_result (self);
  g_debug ("capture: ended (%d) after %u sessions", end, self->result->sessions->len);
  complete_task (self);
}

static gboolean
capture_timed_out (gpointer data)
{
  DmdCapture *self = data;

  g_clear_pointer (&self->timeout_source, g_source_unref);
  g_debug ("capture: the time limit of %.0f s has passed", self->timeout);
  capture_end (self, DMD_CAPTURE_END_TIMEOUT);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------------------------ */
/* GObject                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void
dmd_capture_dispose (GObject *object)
{
  DmdCapture *self = DMD_CAPTURE (object);

  /* No signal after this, not even from notices still on their way. */
  self->ended = TRUE;
  destroy_source (&self->timeout_source);
  destroy_source (&self->idle_source);
  if (self->cancel_id != 0)
    {
      g_cancellable_disconnect (self->wait_cancellable, self->cancel_id);
      self->cancel_id = 0;
    }
  /* Joins the server's threads; notices they post hold a reference of their own. */
  g_clear_pointer (&self->server, dmd_smtp_server_free);

  G_OBJECT_CLASS (dmd_capture_parent_class)->dispose (object);
}

static void
dmd_capture_finalize (GObject *object)
{
  DmdCapture *self = DMD_CAPTURE (object);

  g_free (self->domain);
  g_free (self->data_dir);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->creds, dmd_tls_server_creds_unref);
  g_free (self->cert_path);
  g_free (self->sha256);
  g_clear_pointer (&self->addresses, g_ptr_array_unref);
  g_clear_pointer (&self->result, dmd_capture_result_unref);
  g_clear_object (&self->task);
  g_clear_object (&self->wait_cancellable);
  g_ptr_array_unref (self->sessions);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (dmd_capture_parent_class)->finalize (object);
}

static void
dmd_capture_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  DmdCapture *self = DMD_CAPTURE (object);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_double (value, self->idle_timeout);
      break;
    case PROP_TIMEOUT:
      g_value_set_double (value, self->timeout);
      break;
    case PROP_DOMAIN:
      g_value_set_string (value, self->domain);
      break;
    case PROP_OPTION:
      g_value_set_int (value, self->option);
      break;
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_LOOPBACK_ONLY:
      g_value_set_boolean (value, self->loopback_only);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dmd_capture_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  DmdCapture *self = DMD_CAPTURE (object);

  switch (prop_id)
    {
    case PROP_PORT:
      dmd_capture_set_port (self, (guint16) g_value_get_uint (value));
      break;
    case PROP_IDLE_TIMEOUT:
      dmd_capture_set_idle_timeout (self, g_value_get_double (value));
      break;
    case PROP_TIMEOUT:
      dmd_capture_set_timeout (self, g_value_get_double (value));
      break;
    case PROP_DOMAIN:
      dmd_capture_set_domain (self, g_value_get_string (value));
      break;
    case PROP_OPTION:
      dmd_capture_set_option (self, (DmdOption) g_value_get_int (value));
      break;
    case PROP_DATA_DIR:
      dmd_capture_set_data_dir (self, g_value_get_string (value));
      break;
    case PROP_LOOPBACK_ONLY:
      self->loopback_only = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dmd_capture_class_init (DmdCaptureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dmd_capture_dispose;
  object_class->finalize = dmd_capture_finalize;
  object_class->get_property = dmd_capture_get_property;
  object_class->set_property = dmd_capture_set_property;

  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, DMD_CAPTURE_DEFAULT_PORT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_double ("idle-timeout", NULL, NULL, 0.1, 3600, DMD_CAPTURE_DEFAULT_IDLE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TIMEOUT] =
    g_param_spec_double ("timeout", NULL, NULL, 0.1, 24 * 3600, DMD_CAPTURE_DEFAULT_TIMEOUT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DOMAIN] =
    g_param_spec_string ("domain", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OPTION] =
    g_param_spec_int ("option", NULL, NULL, 0, DMD_N_OPTIONS - 1,
                      DMD_OPTION_SMTP_AUTH,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOOPBACK_ONLY] =
    g_param_spec_boolean ("loopback-only", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SESSION_OPENED] =
    g_signal_new ("session-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  signals[LOG_LINE] =
    g_signal_new ("log-line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_INT, G_TYPE_STRING);
  signals[SESSION_CHANGED] =
    g_signal_new ("session-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SESSION_CLOSED] =
    g_signal_new ("session-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
dmd_capture_init (DmdCapture *self)
{
  self->port = DMD_CAPTURE_DEFAULT_PORT;
  self->idle_timeout = DMD_CAPTURE_DEFAULT_IDLE;
  self->timeout = DMD_CAPTURE_DEFAULT_TIMEOUT;
  self->option = DMD_OPTION_SMTP_AUTH;
  self->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_capture_session_free);
  g_mutex_init (&self->lock);
}

/* ------------------------------------------------------------------------------------------ */
/* Public API                                                                                 */
/* ------------------------------------------------------------------------------------------ */

DmdCapture *
dmd_capture_new (void)
{
  return g_object_new (DMD_TYPE_CAPTURE, NULL);
}

void
dmd_capture_set_port (DmdCapture *self,
                      guint16     port)
{
  g_return_if_fail (DMD_IS_CAPTURE (self));
  g_return_if_fail (!self->started);

  if (self->port == port)
    return;
  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

void
dmd_capture_set_idle_timeout (DmdCapture *self,
                              double      seconds)
{
  g_return_if_fail (DMD_IS_CAPTURE (self));
  g_return_if_fail (!self->started);
  g_return_if_fail (seconds > 0);

  if (self->idle_timeout == seconds)
    return;
  self->idle_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
}

void
dmd_capture_set_timeout (DmdCapture *self,
                         double      seconds)
{
  g_return_if_fail (DMD_IS_CAPTURE (self));
  g_return_if_fail (!self->started);
  g_return_if_fail (seconds > 0);

  if (self->timeout == seconds)
    return;
  self->timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

void
dmd_capture_set_domain (DmdCapture *self,
                        const char *domain)
{
  g_return_if_fail (DMD_IS_CAPTURE (self));

  if (domain != NULL && *domain == '\0')
    domain = NULL;
  if (g_strcmp0 (self->domain, domain) == 0)
    return;
  g_free (self->domain);
  self->domain = g_strdup (domain);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOMAIN]);
}

void
dmd_capture_set_option (DmdCapture *self,
                        DmdOption   option)
{
  g_return_if_fail (DMD_IS_CAPTURE (self));
  g_return_if_fail ((guint) option < DMD_N_OPTIONS);

  if (self->option == option)
    return;
  self->option = option;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPTION]);
}

void
dmd_capture_set_data_dir (DmdCapture *self,
                          const char *data_dir)
{
  g_return_if_fail (DMD_IS_CAPTURE (self));
  g_return_if_fail (!self->started);

  if (g_strcmp0 (self->data_dir, data_dir) == 0)
    return;
  g_free (self->data_dir);
  self->data_dir = g_strdup (data_dir);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_DIR]);
}

/* The scripted server as a permissive Exchange Online: Microsoft's banner, EHLO and replies,
 * but TLS 1.0 and later, AUTH LOGIN PLAIN XOAUTH2 after TLS with any login, and no
 * requirement of TLS or AUTH for MAIL FROM. CHUNKING is not offered (the server has no BDAT:
 * a device falls back to DATA). */
static char *
capture_scenario (DmdCapture *self)
{
  return g_strdup_printf (
    "[server]\n"
    "profile=exchange-submission\n"
    "description=device capture: a permissive Microsoft 365 endpoint\n"
    "idle_timeout=%.1f\n"
    "max_message=157286400\n"
    "max_sessions=16\n"
    "[tls]\n"
    "priority=%s\n"
    "legacy_below=none\n"
    "detect_implicit=%.1f\n"
    "[ehlo]\n"
    "reply=250-{hostname} Hello [{client_ip}]\\n250-SIZE 157286400\\n250-PIPELINING\\n250-DSN"
    "\\n250-ENHANCEDSTATUSCODES\\n250-STARTTLS\\n250-8BITMIME\\n250 SMTPUTF8\n"
    "reply_tls=250-{hostname} Hello [{client_ip}]\\n250-SIZE 157286400\\n250-PIPELINING"
    "\\n250-DSN\\n250-ENHANCEDSTATUSCODES\\n250-AUTH LOGIN PLAIN XOAUTH2\\n250-8BITMIME"
    "\\n250 SMTPUTF8\n"
    "[auth]\n"
    "mechanisms=LOGIN PLAIN XOAUTH2\n"
    "require_tls=true\n"
    "[mail]\n"
    "require_tls=false\n"
    "require_auth=false\n",
    MAX (self->idle_timeout, 5.0), dmd_tls_priority_permissive_server (), DETECT_IMPLICIT_S);
}

static void
set_listen_error (GError     **error,
                  GError      *cause,
                  guint16      port)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
      (port != 0 && port < 1024 && !g_error_matches (cause, G_IO_ERROR,
                                                     G_IO_ERROR_ADDRESS_IN_USE)))
    g_set_error (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_PORT_PRIVILEGED,
                 /* Translators: %u is a port number below 1024. */
                 _("Port %u cannot be opened: ports below 1024 need administrator privileges, "
                   "which this app does not have (a Flatpak app never has them). Use a port "
                   "of 1024 or above, such as 2525, and set the device to it."), port);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    g_set_error (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_PORT_IN_USE,
                 /* Translators: %u is a port number. */
                 _("Port %u is already in use by another program on this computer. Choose "
                   "another port."), port);
  else
    g_set_error (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_LISTEN,
                 /* Translators: %u is a port number, %s the system's reason. */
                 _("Port %u cannot be opened: %s"), port, cause->message);
}

static gboolean
capture_listen (DmdCapture  *self,
                GError     **error)
{
  g_autoptr(GError) v6_error = NULL;
  g_autoptr(GError) v4_error = NULL;
  guint16 port;

  if (self->loopback_only)
    {
      port = dmd_smtp_server_listen (self->server, "127.0.0.1", self->port, &v4_error);
      if (port == 0)
        {
          set_listen_error (error, v4_error, self->port);
          return FALSE;
        }
      self->bound_port = port;
      return TRUE;
    }

  /* IPv6 first: on Linux "::" usually takes IPv4 too (dual stack); then IPv4 on the same port,
   * which fails harmlessly when the IPv6 socket already has it. */
  port = dmd_smtp_server_listen (self->server, "::", self->port, &v6_error);
  if (port != 0)
    {
      if (dmd_smtp_server_listen (self->server, "0.0.0.0", port, &v4_error) == 0)
        g_debug ("capture: IPv4 listener: %s (the IPv6 one has it)", v4_error->message);
      self->bound_port = port;
      return TRUE;
    }
  g_debug ("capture: no IPv6 listener: %s", v6_error->message);
  if (g_error_matches (v6_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE) ||
      g_error_matches (v6_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    {
      set_listen_error (error, v6_error, self->port);
      return FALSE;
    }
  port = dmd_smtp_server_listen (self->server, "0.0.0.0", self->port, &v4_error);
  if (port == 0)
    {
      set_listen_error (error, v4_error, self->port);
      return FALSE;
    }
  self->bound_port = port;
  return TRUE;
}

gboolean
dmd_capture_start (DmdCapture  *self,
                   GError     **error)
{
  g_autoptr(DmdSmtpScenario) scenario = NULL;
  g_autofree char *scenario_text = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (DMD_IS_CAPTURE (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->creds = dmd_capture_ensure_certificate (self->data_dir, &self->cert_path, NULL, error);
  if (self->creds == NULL)
    return FALSE;
  self->sha256 = g_strdup (dmd_tls_server_creds_get_sha256 (self->creds));

  scenario_text = capture_scenario (self);
  scenario = dmd_smtp_scenario_new_from_data (scenario_text, -1, &local_error);
  if (scenario == NULL)
    {
      /* Our own text: only a broken build gets here. */
      g_critical ("capture: bad scenario: %s", local_error->message);
      g_set_error_literal (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_LISTEN,
                           local_error->message);
      return FALSE;
    }

  self->context = g_main_context_ref_thread_default ();
  self->server = dmd_smtp_server_new (scenario);
  dmd_smtp_server_set_credentials (self->server, self->creds);
  dmd_smtp_server_set_event_func (self->server, on_server_event, self, NULL);
  if (!capture_listen (self, error))
    {
      g_clear_pointer (&self->server, dmd_smtp_server_free);
      g_clear_pointer (&self->context, g_main_context_unref);
      return FALSE;
    }

  self->addresses = dmd_capture_local_addresses ();
  self->started = TRUE;

  self->timeout_source = g_timeout_source_new ((guint) (self->timeout * 1000));
  g_source_set_callback (self->timeout_source, capture_timed_out, self, NULL);
  g_source_set_name (self->timeout_source, "[dmd] capture timeout");
  g_source_attach (self->timeout_source, self->context);

  g_debug ("capture: listening on port %u", self->bound_port);
  return TRUE;
}

guint16
dmd_capture_get_port (DmdCapture *self)
{
  g_return_val_if_fail (DMD_IS_CAPTURE (self), 0);
  return self->bound_port;
}

GPtrArray *
dmd_capture_get_addresses (DmdCapture *self)
{
  g_return_val_if_fail (DMD_IS_CAPTURE (self), NULL);
  return self->addresses;
}

const char *
dmd_capture_get_certificate_sha256 (DmdCapture *self)
{
  g_return_val_if_fail (DMD_IS_CAPTURE (self), NULL);
  return self->sha256;
}

const char *
dmd_capture_get_certificate_path (DmdCapture *self)
{
  g_return_val_if_fail (DMD_IS_CAPTURE (self), NULL);
  return self->cert_path;
}

static gboolean
cancel_in_context (gpointer data)
{
  DmdCapture *self = data;

  capture_end (self, DMD_CAPTURE_END_STOPPED);
  return G_SOURCE_REMOVE;
}

static void
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  DmdCapture *self = data;

  /* May run on any thread: end on the capture's own context. */
  post (self, cancel_in_context, g_object_ref (self), g_object_unref);
}

void
dmd_capture_wait_async (DmdCapture          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (DMD_IS_CAPTURE (self));
  g_return_if_fail (self->started);
  g_return_if_fail (self->task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dmd_capture_wait_async);

  if (self->ended)
    {
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_pointer (task, dmd_capture_result_ref (self->result),
                               (GDestroyNotify) dmd_capture_result_unref);
      return;
    }

  self->task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      g_set_object (&self->wait_cancellable, cancellable);
      self->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_wait_cancelled),
                                               self, NULL);
    }
}

DmdCaptureResult *
dmd_capture_wait_finish (DmdCapture    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (DMD_IS_CAPTURE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  gboolean          done;
  DmdCaptureResult *result;
  GError           *error;
} SyncData;

static void
wait_sync_done (GObject      *source,
                GAsyncResult *res,
                gpointer      data)
{
  SyncData *sync = data;

  sync->result = dmd_capture_wait_finish (DMD_CAPTURE (source), res, &sync->error);
  sync->done = TRUE;
}

DmdCaptureResult *
dmd_capture_wait_sync (DmdCapture    *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  SyncData sync = { FALSE, NULL, NULL };

  g_return_val_if_fail (DMD_IS_CAPTURE (self), NULL);
  g_return_val_if_fail (self->started, NULL);

  dmd_capture_wait_async (self, cancellable, wait_sync_done, &sync);
  while (!sync.done)
    g_main_context_iteration (self->context, TRUE);
  if (sync.error != NULL)
    {
      g_propagate_error (error, sync.error);
      return NULL;
    }
  return sync.result;
}

void
dmd_capture_stop (DmdCapture *self)
{
  g_return_if_fail (DMD_IS_CAPTURE (self));

  if (!self->started)
    return;
  capture_end (self, DMD_CAPTURE_END_STOPPED);
}

gboolean
dmd_capture_is_running (DmdCapture *self)
{
  g_return_val_if_fail (DMD_IS_CAPTURE (self), FALSE);
  return self->started && !self->ended;
}

GPtrArray *
dmd_capture_dup_sessions (DmdCapture *self)
{
  GPtrArray *out;

  g_return_val_if_fail (DMD_IS_CAPTURE (self), NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_capture_session_free);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->sessions->len; i++)
    g_ptr_array_add (out, dmd_capture_session_copy (g_ptr_array_index (self->sessions, i)));
  g_mutex_unlock (&self->lock);
  return out;
}

DmdCaptureSession *
dmd_capture_dup_session (DmdCapture *self,
                         guint       session)
{
  DmdCaptureSession *copy = NULL;

  g_return_val_if_fail (DMD_IS_CAPTURE (self), NULL);

  g_mutex_lock (&self->lock);
  if (session >= 1 && session <= self->sessions->len)
    copy = dmd_capture_session_copy (g_ptr_array_index (self->sessions, session - 1));
  g_mutex_unlock (&self->lock);
  return copy;
}
