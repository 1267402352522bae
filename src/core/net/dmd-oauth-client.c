/* dmd-oauth-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "dmd-oauth-client.h"
#include "dmd-oauth-response.h"
#include "dmd-reply.h"
#include "dmd-tls-database.h"

#define READ_CHUNK 8192

typedef struct {
  const DmdOAuthRequest *req;
  GMainContext          *context;
  SoupSession           *session;
  DmdTlsDatabase        *database;
  GSocketConnectable    *identity;     /* the identity platform's own host:port */
  GCancellable          *cancellable;  /* the caller's, or NULL */
  DmdOAuthOutcome       *out;
  gboolean               quiet;        /* polling: the requests are not put in lines */
  char                  *last_status;  /* "HTTP 400 Bad Request" of the last answer */
} Client;

/* One request and its answer. */
typedef struct {
  gboolean      done;
  gboolean      timed_out;
  GCancellable *cancel;      /* this request's: the caller's cancel and the deadline */
  GInputStream *stream;
  GByteArray   *body;
  GError       *error;
} Exchange;

typedef struct {
  const char *name;
  const char *value;
  gboolean    secret;        /* shown as [redacted] in the transcript */
} Field;

static void
wipe_free (gpointer data,
           gsize    len)
{
  if (data == NULL)
    return;
  explicit_bzero (data, len);
  g_free (data);
}

static void
secret_free (char *secret)
{
  if (secret != NULL)
    wipe_free (secret, strlen (secret));
}

void
dmd_oauth_outcome_free (DmdOAuthOutcome *outcome)
{
  if (outcome == NULL)
    return;
  secret_free (outcome->access_token);
  g_free (outcome->error);
  g_free (outcome->evidence);
  g_free (outcome);
}

/* ------------------------------------------------------------------------------------------ */
/* Lines                                                                                       */

static void
emit (Client     *c,
      char        dir,
      const char *text)
{
  if (c->req->line_func != NULL)
    c->req->line_func (dir, text, c->req->user_data);
}

/* What a server said, made safe: the run's secrets out, then escaped. */
static char *
server_text (Client     *c,
             const char *text)
{
  g_autofree char *scrubbed = NULL;
  gsize len = 0;

  if (text == NULL)
    return g_strdup ("");
  scrubbed = dmd_scrubber_apply (c->req->scrubber, text, strlen (text), &len);
  if (scrubbed != NULL)
    return dmd_escape_bytes ((const guint8 *) scrubbed, len);
  return dmd_escape_bytes ((const guint8 *) text, strlen (text));
}

static void
set_outcome (Client         *c,
             DmdOAuthStatus  status,
             char           *evidence)  /* owned */
{
  c->out->status = status;
  g_free (c->out->evidence);
  c->out->evidence = evidence;
}

/* ------------------------------------------------------------------------------------------ */
/* One request                                                                                 */

static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  Client *c = user_data;
  static const char * const http11[] = { "http/1.1", NULL };

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING || !G_IS_TLS_CLIENT_CONNECTION (connection))
    return;
  /* Before the handshake: the name goes out as SNI and the certificate is checked against it
   * even when --connect-to sent the connection elsewhere; and HTTP/1.1 only (plain, bounded
   * framing, nothing for HTTP/2's debug log). */
  g_tls_client_connection_set_server_identity (G_TLS_CLIENT_CONNECTION (connection),
                                               c->identity);
  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (connection), http11);
}

static void read_cb (GObject *source, GAsyncResult *res, gpointer data);

static void
read_more (Exchange *ex)
{
  g_input_stream_read_bytes_async (ex->stream, READ_CHUNK, G_PRIORITY_DEFAULT, ex->cancel,
                                   read_cb, ex);
}

static void
read_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      data)
{
  Exchange *ex = data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), res,
                                                              &ex->error);

  if (bytes == NULL)
    {
      ex->done = TRUE;
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      ex->done = TRUE;
      return;
    }
  if (ex->body->len + g_bytes_get_size (bytes) > DMD_OAUTH_RESPONSE_MAX)
    {
      g_set_error_literal (&ex->error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                           _("the answer is larger than the identity platform’s ever are"));
      ex->done = TRUE;
      return;
    }
  g_byte_array_append (ex->body, g_bytes_get_data (bytes, NULL), (guint) g_bytes_get_size (bytes));
  read_more (ex);
}

static void
send_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      data)
{
  Exchange *ex = data;

  ex->stream = soup_session_send_finish (SOUP_SESSION (source), res, &ex->error);
  if (ex->stream == NULL)
    {
      ex->done = TRUE;
      return;
    }
  read_more (ex);
}

static gboolean
deadline_cb (gpointer data)
{
  Exchange *ex = data;

  ex->timed_out = TRUE;
  g_cancellable_cancel (ex->cancel);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      data)
{
  /* Any thread: cancel the request; its callbacks run on our context. */
  g_cancellable_cancel (G_CANCELLABLE (data));
}

/* The form as GBytes whose buffer is wiped when libsoup lets go of it. */
static GBytes *
form_bytes (const Field *fields,
            GString     *shown)
{
  GString *body = g_string_new (NULL);
  char *data;
  gsize len;

  for (guint i = 0; fields[i].name != NULL; i++)
    {
      g_autofree char *value = g_uri_escape_string (fields[i].value, NULL, FALSE);

      g_string_append_printf (body, "%s%s=%s", i ? "&" : "", fields[i].name, value);
      explicit_bzero (value, strlen (value));
      if (fields[i].secret)
        g_string_append_printf (shown, " %s=%s", fields[i].name, DMD_SCRUB_REDACTED);
      else
        {
          g_autofree char *safe = dmd_escape_bytes ((const guint8 *) fields[i].value,
                                                    strlen (fields[i].value));
          g_string_append_printf (shown, " %s=%s", fields[i].name, safe);
        }
    }
  len = body->len;
  data = g_string_free (body, FALSE);
  return g_bytes_new_with_free_func (data, len, (GDestroyNotify) secret_free, data);
}

/* The network error in words, for the evidence. */
static char *
describe_failure (Client       *c,
                  Exchange     *ex)
{
  const char *host = c->req->host;

  if (ex->timed_out)
    /* Translators: %s is login.microsoftonline.com, %u seconds */
    return g_strdup_printf (_("%s: no answer within %u s"), host, (guint) c->req->timeout);
  if (g_error_matches (ex->error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    {
      g_autofree char *problem = dmd_tls_database_dup_problem (c->database);

      /* Translators: %s is login.microsoftonline.com, then why the certificate failed */
      return g_strdup_printf (_("The certificate of %s is not trusted from this computer: %s"),
                              host, problem != NULL ? problem : ex->error->message);
    }
  if (ex->error != NULL && ex->error->domain == G_TLS_ERROR)
    /* Translators: %s is login.microsoftonline.com, then the TLS error */
    return g_strdup_printf (_("TLS with %s failed: %s"), host, ex->error->message);
  if (ex->error != NULL && ex->error->domain == G_RESOLVER_ERROR)
    return g_strdup_printf (_("%s does not resolve: %s"), host, ex->error->message);
  if (g_error_matches (ex->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup_printf (_("%s: connection refused"), host);
  return g_strdup_printf ("%s: %s", host, ex->error != NULL ? ex->error->message : "?");
}

/* POSTs the form to /{tenant}/oauth2/v2.0/{endpoint}. Returns the answer, or NULL with the
 * outcome set (UNREACHABLE, or CANCELLED). */
static DmdOAuthResponse *
post (Client      *c,
      const char  *endpoint,
      const Field *fields)
{
  g_autofree char *tenant = g_uri_escape_string (c->req->tenant, NULL, FALSE);
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GString) shown = g_string_new (NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GSource) deadline = NULL;
  g_autofree char *status_line = NULL;
  Exchange ex = { 0 };
  DmdOAuthResponse *response;
  gulong handler = 0;
  guint status;

  if (c->req->port == 443)
    uri = g_strdup_printf ("https://%s/%s/oauth2/v2.0/%s", c->req->host, tenant, endpoint);
  else
    uri = g_strdup_printf ("https://%s:%u/%s/oauth2/v2.0/%s", c->req->host, c->req->port,
                           tenant, endpoint);
  msg = soup_message_new ("POST", uri);
  g_assert (msg != NULL);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  body = form_bytes (fields, shown);
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", body);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), c);

  if (!c->quiet)
    {
      g_autofree char *line = g_strdup_printf ("POST %s%s", uri, shown->str);
      emit (c, 'C', line);
    }
  c->out->requests++;

  ex.cancel = g_cancellable_new ();
  ex.body = g_byte_array_new ();
  if (c->cancellable != NULL)
    handler = g_cancellable_connect (c->cancellable, G_CALLBACK (caller_cancelled_cb),
                                     g_object_ref (ex.cancel), g_object_unref);
  deadline = g_timeout_source_new ((guint) (c->req->timeout * 1000));
  g_source_set_callback (deadline, deadline_cb, &ex, NULL);
  g_source_attach (deadline, c->context);

  soup_session_send_async (c->session, msg, G_PRIORITY_DEFAULT, ex.cancel, send_cb, &ex);
  while (!ex.done)
    g_main_context_iteration (c->context, TRUE);

  g_source_destroy (deadline);
  if (handler != 0)
    g_cancellable_disconnect (c->cancellable, handler);
  if (ex.stream != NULL)
    {
      g_input_stream_close (ex.stream, NULL, NULL);
      g_object_unref (ex.stream);
    }

  if (ex.error != NULL)
    {
      if (g_cancellable_is_cancelled (c->cancellable))
        set_outcome (c, DMD_OAUTH_CANCELLED, g_strdup (_("Cancelled")));
      else
        {
          char *evidence = describe_failure (c, &ex);

          emit (c, 'I', evidence);
          set_outcome (c, DMD_OAUTH_UNREACHABLE, evidence);
        }
      g_clear_error (&ex.error);
      g_byte_array_unref (ex.body);
      g_object_unref (ex.cancel);
      return NULL;
    }
  g_object_unref (ex.cancel);

  status = soup_message_get_status (msg);
  {
    g_autofree char *reason = server_text (c, soup_message_get_reason_phrase (msg));
    status_line = g_strdup_printf ("HTTP %u %s", status, reason);
  }
  response = dmd_oauth_response_parse ((const char *) ex.body->data, ex.body->len);
  explicit_bzero (ex.body->data, ex.body->len);
  g_byte_array_unref (ex.body);

  /* What is secret is known to the scrubber before anything else is done with it. */
  if (response->access_token != NULL)
    dmd_scrubber_add_secret (c->req->scrubber, response->access_token, c->req->username);
  if (response->device_code != NULL)
    dmd_scrubber_add_secret (c->req->scrubber, response->device_code, NULL);

  if (response->kind == DMD_OAUTH_RESPONSE_MALFORMED ||
      (response->kind != DMD_OAUTH_RESPONSE_ERROR && status != SOUP_STATUS_OK))
    {
      g_autofree char *line = g_strdup_printf ("%s: %s", status_line,
                                               response->why ? response->why : "?");
      emit (c, 'S', line);
      /* Translators: %s is login.microsoftonline.com, %u an HTTP status, the last %s why */
      set_outcome (c, DMD_OAUTH_UNREACHABLE,
                   g_strdup_printf (_("%s answered HTTP %u with something that is not the "
                                      "identity platform’s answer (a proxy or a filter?): %s"),
                                    c->req->host, status, response->why ? response->why : "?"));
      dmd_oauth_response_free (response);
      return NULL;
    }
  if (response->kind == DMD_OAUTH_RESPONSE_ERROR)
    {
      char *with_error = response->aadsts != 0
        ? g_strdup_printf ("%s: %s (AADSTS%u)", status_line, response->error, response->aadsts)
        : g_strdup_printf ("%s: %s", status_line, response->error);

      g_free (status_line);
      status_line = with_error;
    }
  if (!c->quiet)
    emit (c, 'S', status_line);
  g_free (c->last_status);
  c->last_status = g_steal_pointer (&status_line);
  return response;
}

/* ------------------------------------------------------------------------------------------ */
/* The flows                                                                                   */

/* An answer of the wrong kind for the request (a token where a device code was due). */
static void
unexpected (Client           *c,
            DmdOAuthResponse *r)
{
  char *evidence = g_strdup_printf (_("%s gave an answer of another kind than was asked for"),
                                    c->req->host);

  emit (c, 'I', evidence);
  set_outcome (c, DMD_OAUTH_UNREACHABLE, evidence);
}

/* Entra ID's refusal: its AADSTS line is the evidence. */
static void
refused (Client           *c,
         DmdOAuthResponse *r,
         DmdOAuthStatus    status)
{
  g_autofree char *description = NULL;
  char *evidence;

  if (r->kind != DMD_OAUTH_RESPONSE_ERROR)
    {
      unexpected (c, r);
      return;
    }

  if (r->description != NULL)
    description = server_text (c, r->description);
  if (description != NULL && g_str_has_prefix (description, "AADSTS"))
    evidence = g_strdup (description);
  else if (r->aadsts != 0)
    evidence = g_strdup_printf ("AADSTS%u: %s", r->aadsts, description ? description : r->error);
  else
    evidence = g_strdup_printf ("%s: %s", r->error, description ? description : r->error);
  emit (c, 'S', evidence);
  if (r->trace_id != NULL || r->correlation_id != NULL)
    {
      g_autofree char *ids = g_strdup_printf ("Trace ID: %s, Correlation ID: %s",
                                              r->trace_id ? r->trace_id : "-",
                                              r->correlation_id ? r->correlation_id : "-");
      emit (c, 'S', ids);
    }
  g_free (c->out->error);
  c->out->error = g_strdup (r->error);
  c->out->aadsts = r->aadsts;
  set_outcome (c, status, evidence);
}

static void
got_token (Client           *c,
           DmdOAuthResponse *r)
{
  g_autofree char *line = NULL;

  line = r->has_refresh_token
    ? g_strdup_printf (_("An access token (%s, valid for %u s), and a refresh token, which is not kept"),
                       r->token_type, (guint) r->expires_in)
    : g_strdup_printf (_("An access token (%s, valid for %u s)"),
                       r->token_type, (guint) r->expires_in);
  emit (c, 'S', line);
  c->out->access_token = g_steal_pointer (&r->access_token);
  c->out->expires_in = r->expires_in;
  set_outcome (c, DMD_OAUTH_OK, NULL);
}

static gboolean
stop_waiting (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
stop_waiting_cancelled (GCancellable *cancellable,
                        gpointer      data)
{
  return stop_waiting (data);
}

/* Waits, on our context, until the time has passed or the caller cancels: FALSE then. */
static gboolean
wait_seconds (Client *c,
              guint   seconds)
{
  g_autoptr(GSource) timer = g_timeout_source_new (seconds * 1000);
  g_autoptr(GSource) cancel = NULL;
  gboolean done = FALSE;

  g_source_set_callback (timer, stop_waiting, &done, NULL);
  g_source_attach (timer, c->context);
  if (c->cancellable != NULL)
    {
      cancel = g_cancellable_source_new (c->cancellable);
      g_source_set_callback (cancel, G_SOURCE_FUNC (stop_waiting_cancelled), &done, NULL);
      g_source_attach (cancel, c->context);
    }
  while (!done)
    g_main_context_iteration (c->context, TRUE);
  g_source_destroy (timer);
  if (cancel != NULL)
    g_source_destroy (cancel);
  return !g_cancellable_is_cancelled (c->cancellable);
}

static void
client_credentials (Client *c)
{
  const Field fields[] = {
    { "grant_type", "client_credentials", FALSE },
    { "client_id", c->req->client_id, FALSE },
    { "scope", DMD_OAUTH_SCOPE_APP, FALSE },
    { "client_secret", c->req->client_secret, TRUE },
    { NULL },
  };
  g_autoptr(DmdOAuthResponse) r = post (c, "token", fields);

  if (r == NULL)
    return;
  if (r->kind == DMD_OAUTH_RESPONSE_TOKEN)
    got_token (c, r);
  else
    refused (c, r, DMD_OAUTH_REFUSED);
}

static void
device_code (Client *c)
{
  const Field ask[] = {
    { "client_id", c->req->client_id, FALSE },
    { "scope", DMD_OAUTH_SCOPE_DELEGATED, FALSE },
    { NULL },
  };
  g_autoptr(DmdOAuthResponse) code = post (c, "devicecode", ask);
  gint64 deadline;
  guint interval;
  guint pending = 0;

  if (code == NULL)
    return;
  if (code->kind != DMD_OAUTH_RESPONSE_DEVICE_CODE)
    {
      refused (c, code, DMD_OAUTH_REFUSED);
      return;
    }

  interval = code->interval > 0 ? (guint) MIN (code->interval, 60) : DMD_OAUTH_DEFAULT_INTERVAL;
  code->expires_in = code->expires_in > 0 ? MIN (code->expires_in, DMD_OAUTH_MAX_WAIT)
                                          : 15 * 60;
  deadline = g_get_monotonic_time () + code->expires_in * G_USEC_PER_SEC;
  {
    g_autofree char *line = g_strdup_printf (_("A device code: sign in at %s with the code shown (valid for %u s; asking every %u s)"),
                                             code->verification_uri, (guint) code->expires_in,
                                             interval);
    emit (c, 'S', line);
  }
  if (c->req->code_func != NULL)
    c->req->code_func (code->verification_uri, code->user_code, (guint) code->expires_in,
                       c->req->user_data);

  for (;;)
    {
      const Field poll[] = {
        { "grant_type", "urn:ietf:params:oauth:grant-type:device_code", FALSE },
        { "client_id", c->req->client_id, FALSE },
        { "device_code", code->device_code, TRUE },
        { NULL },
      };
      g_autoptr(DmdOAuthResponse) r = NULL;
      gint64 left = deadline - g_get_monotonic_time ();

      if (left <= 0)
        {
          /* Translators: %u is a number of minutes */
          char *evidence = g_strdup_printf (_("Nobody signed in with the code within %u min"),
                                            (guint) ((code->expires_in + 59) / 60));
          emit (c, 'I', evidence);
          set_outcome (c, DMD_OAUTH_EXPIRED, evidence);
          return;
        }
      if (!wait_seconds (c, (guint) MIN ((gint64) interval,
                                         (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC)))
        {
          set_outcome (c, DMD_OAUTH_CANCELLED, g_strdup (_("Cancelled")));
          return;
        }
      if (g_get_monotonic_time () >= deadline)
        continue;
      r = post (c, "token", poll);
      if (r == NULL)
        return;
      if (r->kind == DMD_OAUTH_RESPONSE_ERROR && g_str_equal (r->error, "authorization_pending"))
        {
          /* The first poll shows; the others are counted. */
          if (pending++ == 0)
            emit (c, 'I', _("Waiting for the sign-in…"));
          c->quiet = TRUE;
          continue;
        }
      if (c->quiet)
        {
          /* Translators: %u is how many times the token endpoint was asked */
          g_autofree char *line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "Asked %u time in all",
                                                                "Asked %u times in all",
                                                                pending + 1),
                                                   pending + 1);
          emit (c, 'I', line);
          emit (c, 'S', c->last_status);
          c->quiet = FALSE;
        }
      if (r->kind == DMD_OAUTH_RESPONSE_TOKEN)
        {
          got_token (c, r);
          return;
        }
      if (r->kind != DMD_OAUTH_RESPONSE_ERROR)
        {
          unexpected (c, r);
          return;
        }
      if (g_str_equal (r->error, "slow_down"))
        {
          g_autofree char *line = NULL;

          interval = MIN (interval + DMD_OAUTH_SLOW_DOWN_STEP, 60);
          line = g_strdup_printf (_("Asked to slow down: now every %u s"), interval);
          emit (c, 'I', line);
          continue;
        }
      if (g_str_equal (r->error, "authorization_declined"))
        refused (c, r, DMD_OAUTH_DECLINED);
      else if (g_str_equal (r->error, "expired_token"))
        refused (c, r, DMD_OAUTH_EXPIRED);
      else
        refused (c, r, DMD_OAUTH_REFUSED);
      return;
    }
}

DmdOAuthOutcome *
dmd_oauth_get_token (const DmdOAuthRequest *request,
                     GCancellable          *cancellable)
{
  g_autoptr(GError) error = NULL;
  Client c = { 0 };

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (request->host != NULL && request->tenant != NULL &&
                        request->client_id != NULL, NULL);

  c.req = request;
  c.cancellable = cancellable;
  c.out = g_new0 (DmdOAuthOutcome, 1);
  c.out->status = DMD_OAUTH_UNREACHABLE;

  c.database = dmd_tls_database_new (request->ca_file, request->host, &error);
  if (c.database == NULL)
    {
      set_outcome (&c, DMD_OAUTH_UNREACHABLE, g_strdup (error->message));
      return c.out;
    }
  c.identity = g_network_address_new (request->host, request->port);
  c.context = g_main_context_new ();
  g_main_context_push_thread_default (c.context);

  /* No logger is ever attached: nothing of a request or an answer reaches the log. */
  if (request->connect_host != NULL)
    {
      g_autoptr(GSocketConnectable) to = g_network_address_new (request->connect_host,
                                                                request->connect_port);
      g_autofree char *line = NULL;

      /* As curl's --connect-to: straight there, no proxy. */
      c.session = soup_session_new_with_options ("tls-database", c.database,
                                                 "timeout", (guint) MAX (request->timeout, 1),
                                                 "user-agent", PACKAGE_NAME "/" PACKAGE_VERSION,
                                                 "remote-connectable", to,
                                                 "proxy-resolver", NULL,
                                                 NULL);
      /* Translators: the first %s:%u is where the connection goes, the last %s the host name */
      line = g_strdup_printf (_("Connecting to %s:%u instead (--connect-to); the certificate must still be for %s"),
                              request->connect_host, request->connect_port, request->host);
      emit (&c, 'I', line);
    }
  else
    c.session = soup_session_new_with_options ("tls-database", c.database,
                                               "timeout", (guint) MAX (request->timeout, 1),
                                               "user-agent", PACKAGE_NAME "/" PACKAGE_VERSION,
                                               NULL);

  if (request->flow == DMD_OAUTH_FLOW_DEVICE_CODE)
    device_code (&c);
  else
    client_credentials (&c);

  soup_session_abort (c.session);
  g_clear_object (&c.session);
  while (g_main_context_pending (c.context))
    g_main_context_iteration (c.context, FALSE);
  g_main_context_pop_thread_default (c.context);
  g_main_context_unref (c.context);
  g_object_unref (c.identity);
  g_object_unref (c.database);
  g_free (c.last_status);
  g_debug ("oauth: %u request(s), status %d", c.out->requests, (int) c.out->status);
  return c.out;
}
