/* dmd-checkup.c — runs the checks of one option
 *
 * The dialogue with the server (a table of steps, dmd-checkup-steps.c) and each TLS version
 * probe run in worker threads with blocking, deadline-bounded, cancellable I/O (DmdConn).
 * Workers never touch the result: they post events to the caller's main context, where the
 * result is built and the signals are emitted (this file). Once the run has completed or
 * was cancelled, events still in flight are dropped, so nothing is called back after a
 * cancel; a cancelled run returns what was gathered until then, marked cancelled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "dmd-catalog.h"
#include "dmd-checkup-private.h"
#include "dmd-words.h"

enum {
  SIGNAL_CHECK_STARTED,
  SIGNAL_CHECK_FINISHED,
  SIGNAL_TRANSCRIPT_LINE,
  SIGNAL_OAUTH_DEVICE_CODE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DmdCheckup, dmd_checkup, G_TYPE_OBJECT)

static void complete (DmdCheckup *self);

/* ------------------------------------------------------------------------------------------ */
/* The result, on the caller's context                                                        */

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

static void
start_check (DmdCheckup *self,
             const char *check_id)
{
  DmdCheck *check = dmd_result_add_check (self->result, check_id);

  check->status = DMD_CHECK_RUNNING;
  g_hash_table_insert (self->started, g_strdup (check_id), (gpointer) (gintptr) now_ms ());
  g_signal_emit (self, signals[SIGNAL_CHECK_STARTED], 0, check_id, dmd_check_title (check_id));
}

/* The one place a check's elapsed time is measured: from its start to its end, here. */
void
dmd_checkup_end_check (DmdCheckup *self,
                       DmdCheck   *check)
{
  gintptr start_ms = (gintptr) g_hash_table_lookup (self->started, check->id);

  if (start_ms != 0)
    check->elapsed_ms = now_ms () - start_ms;
  g_signal_emit (self, signals[SIGNAL_CHECK_FINISHED], 0, check->id, (int) check->status,
                 check->summary);
}

void
dmd_checkup_add_line (DmdCheckup *self,
                      const char *check_id,
                      char        dir,
                      const char *text)
{
  dmd_check_add_line (dmd_result_add_check (self->result, check_id), dir, text);
  g_ptr_array_add (self->result->transcript, dmd_transcript_line_new (dir, text));
  g_signal_emit (self, signals[SIGNAL_TRANSCRIPT_LINE], 0, check_id, (int) dir, text);
}

static void
set_string (char       **field,
            const char  *value)
{
  if (value == NULL)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static void
apply_tls_info (DmdNetwork       *net,
                const DmdTlsInfo *info)
{
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

static gboolean
event_dispatch (gpointer data)
{
  DmdCheckupEvent *ev = data;
  DmdCheckup *self = ev->self;
  DmdResult *result = self->result;
  DmdCheck *check;

  if (self->done)
    return G_SOURCE_REMOVE;

  switch (ev->kind)
    {
    case EV_CHECK_START:
      start_check (self, ev->check);
      break;

    case EV_CHECK_END:
      check = dmd_result_add_check (result, ev->check);
      check->status = ev->status;
      check->reply_code = ev->reply_code;
      check->reply_class = ev->reply_class;
      g_free (check->summary);
      check->summary = g_strdup (ev->text);
      dmd_checkup_end_check (self, check);
      break;

    case EV_LINE:
      dmd_checkup_add_line (self, ev->check, ev->dir, ev->text);
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
      set_string (&result->network.public_ip, ev->public_ip);
      set_string (&result->network.address_family, ev->family);
      set_string (&result->network.peer_address, ev->peer);
      break;

    case EV_TLS_INFO:
      apply_tls_info (&result->network, ev->tls_info);
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

    case EV_DEVICE_CODE:
      g_signal_emit (self, signals[SIGNAL_OAUTH_DEVICE_CODE], 0, ev->text, ev->user_code,
                     ev->expires_in);
      break;

    case EV_OAUTH_CLAIMS:
      g_clear_pointer (&result->oauth_claims, dmd_oauth_claims_free);
      result->oauth_claims = g_steal_pointer (&ev->claims);
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

void
dmd_checkup_post (DmdCheckupEvent *ev)
{
  schedule (ev->self->context, G_PRIORITY_DEFAULT, event_dispatch, ev,
            (GDestroyNotify) dmd_checkup_event_free);
}

DmdCheckupEvent *
dmd_checkup_event_new (DmdCheckup          *self,
                       DmdCheckupEventKind  kind,
                       const char          *check)
{
  DmdCheckupEvent *ev = g_new0 (DmdCheckupEvent, 1);

  ev->self = g_object_ref (self);
  ev->kind = kind;
  ev->check = g_strdup (check);
  return ev;
}

void
dmd_checkup_event_free (DmdCheckupEvent *ev)
{
  g_object_unref (ev->self);
  g_free (ev->check);
  g_free (ev->text);
  g_clear_pointer (&ev->finding, dmd_finding_free);
  g_free (ev->public_ip);
  g_free (ev->family);
  g_free (ev->peer);
  g_clear_pointer (&ev->tls_info, dmd_tls_info_free);
  g_free (ev->user_code);
  g_clear_pointer (&ev->claims, dmd_oauth_claims_free);
  g_free (ev);
}

/* ------------------------------------------------------------------------------------------ */
/* The end of a run: complete, or cancelled                                                   */

static void
return_result (DmdCheckup *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  self->done = TRUE;
  if (self->cancel_handler != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->cancel_handler);
  self->cancel_handler = 0;
  dmd_result_sort_findings (self->result);
  g_task_return_pointer (task, dmd_result_ref (self->result), (GDestroyNotify) dmd_result_unref);
}

static void
complete (DmdCheckup *self)
{
  dmd_checkup_finish_tls_versions (self);
  return_result (self);
}

static gboolean
cancel_idle_cb (gpointer data)
{
  DmdCheckup *self = data;

  if (self->done || self->task == NULL)
    return G_SOURCE_REMOVE;
  /* What was gathered until now, as it stands: checks still running stay so. */
  self->result->cancelled = TRUE;
  return_result (self);
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

/* ------------------------------------------------------------------------------------------ */
/* Before the network                                                                         */

/* A check decided before any worker runs, reported like every other on the caller's
 * context. */
static void
post_check (DmdCheckup     *self,
            const char     *check_id,
            DmdCheckStatus  status,
            char           *summary)
{
  DmdCheckupEvent *ev;

  dmd_checkup_post (dmd_checkup_event_new (self, EV_CHECK_START, check_id));
  ev = dmd_checkup_event_new (self, EV_CHECK_END, check_id);
  ev->status = status;
  ev->text = summary;
  dmd_checkup_post (ev);
}

/* The run has nothing to do on the network: one "done" completes it. */
static void
complete_soon (DmdCheckup *self)
{
  g_atomic_int_set (&self->workers, 1);
  dmd_worker_free (dmd_worker_new (self));
}

/* The client certificate is read once, here (validation read it already; a file that
 * changed since is a setting that fails). FALSE when it cannot be used (reported). */
static gboolean
load_client_cert (DmdCheckup *self)
{
  const DmdDeviceConfig *cfg = self->config;
  g_autoptr(GError) error = NULL;

  if (cfg->client_cert_file == NULL || *cfg->client_cert_file == '\0' ||
      cfg->client_key_file == NULL || *cfg->client_key_file == '\0')
    return TRUE;
  self->client_cert = dmd_tls_client_cert_new_from_files (cfg->client_cert_file,
                                                          cfg->client_key_file, &error);
  if (self->client_cert == NULL)
    {
      dmd_result_add_check (self->result, "config");
      post_check (self, "config", DMD_CHECK_FAIL, g_strdup (error->message));
      return FALSE;
    }
  self->result->network.client_cert =
    dmd_cert_info_copy (dmd_tls_client_cert_get_info (self->client_cert));
  return TRUE;
}

/* config: the pre-flight findings, no network. */
static void
check_config (DmdCheckup *self)
{
  const DmdDeviceConfig *cfg = self->config;
  guint errors, warnings;

  dmd_result_add_check (self->result, "config");
  dmd_catalog_preflight (cfg, self->result);
  g_ptr_array_extend_and_steal (self->result->recommended, dmd_catalog_recommended_settings (cfg));
  errors = dmd_result_count_severity (self->result, DMD_SEVERITY_ERROR);
  warnings = dmd_result_count_severity (self->result, DMD_SEVERITY_WARNING);
  post_check (self, "config",
              errors ? DMD_CHECK_FAIL : warnings ? DMD_CHECK_WARN : DMD_CHECK_PASS,
              errors || warnings
              ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u problem in the settings as entered",
                                              "%u problems in the settings as entered",
                                              errors + warnings),
                                 errors + warnings)
              : g_strdup (_("The settings as entered look right for this option")));
}

void
dmd_checkup_run_async (DmdCheckup          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  const char *server;
  g_autofree char *ascii = NULL;
  g_autoptr(GError) error = NULL;
  DmdWorker *w;

  g_return_if_fail (DMD_IS_CHECKUP (self));
  g_return_if_fail (self->task == NULL && !self->done);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, dmd_checkup_run_async);
  g_task_set_check_cancellable (self->task, FALSE);
  self->context = g_main_context_ref_thread_default ();

  if (!load_client_cert (self))
    {
      complete_soon (self);
      return;
    }
  check_config (self);

  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                    self, NULL);
    }

  server = dmd_device_config_get_server (self->config);
  if (server != NULL && *server != '\0' && (ascii = dmd_host_to_ascii (server, &error)) == NULL)
    {
      /* Nothing valid to connect to: the pre-flight findings are the result. */
      DmdCheck *dns = dmd_result_add_check (self->result, "dns");

      dns->status = DMD_CHECK_SKIP;
      dns->summary = g_strdup (error->message);
      complete_soon (self);
      return;
    }

  /* The dialogue starts the TLS probes and the checks of the public IP once it knows the
   * address (and, for the options that use the MX endpoint without a server, the endpoint). */
  g_atomic_int_set (&self->workers, 1);
  w = dmd_worker_new (self);
  w->server = g_steal_pointer (&ascii);   /* NULL: the domain's MX */
  w->port = dmd_device_config_get_port (self->config);
  w->current_check = g_strdup ("dns");
  g_thread_unref (g_thread_new ("dmd-dialogue", dmd_checkup_dialogue_thread, w));
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
  signals[SIGNAL_OAUTH_DEVICE_CODE] =
    g_signal_new ("oauth-device-code", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT);
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
  /* The token fetched during the run, and the device code, are added as they arrive. */
  dmd_scrubber_add_secret (self->scrubber, config->client_secret, NULL);
  return self;
}
