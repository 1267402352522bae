/* dmd-smtp-server.c — a scripted SMTP server that plays Exchange Online (or a broken peer)
 *
 * The listeners (one thread each), the sessions they start (one thread each, the dialogue in
 * dmd-smtp-session.c) and the record of what the server saw. What it answers is the
 * scenario's (dmd-smtp-scenario.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gnutls/gnutls.h>

#include "dmd-smtp-server-private.h"
#include "dmd-tls.h"

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                     */
/* ------------------------------------------------------------------------------------------ */

const char *
dmd_smtp_event_kind_to_string (DmdSmtpEventKind kind)
{
  switch (kind)
    {
    case DMD_SMTP_EVENT_SESSION_OPEN: return "open";
    case DMD_SMTP_EVENT_COMMAND: return "cmd";
    case DMD_SMTP_EVENT_REPLY: return "reply";
    case DMD_SMTP_EVENT_TLS: return "tls";
    case DMD_SMTP_EVENT_AUTH: return "auth";
    case DMD_SMTP_EVENT_MESSAGE: return "message";
    case DMD_SMTP_EVENT_SESSION_CLOSE: return "close";
    default: return "?";
    }
}

void
dmd_smtp_event_free (DmdSmtpEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->text);
  g_free (event);
}

static DmdSmtpEvent *
event_copy (const DmdSmtpEvent *event)
{
  DmdSmtpEvent *copy = g_new0 (DmdSmtpEvent, 1);

  copy->session = event->session;
  copy->kind = event->kind;
  copy->text = g_strdup (event->text);
  return copy;
}

void
_dmd_smtp_server_emit (DmdSmtpServer            *server,
                       guint                     session,
                       DmdSmtpEventKind          kind,
                       const char               *text,
                       const DmdSmtpEventDetail *detail)
{
  DmdSmtpEvent event = { session, kind, (char *) text, detail };

  g_mutex_lock (&server->lock);
  g_ptr_array_add (server->events, event_copy (&event));
  if (server->event_func != NULL)
    server->event_func (&event, server->event_data);
  g_mutex_unlock (&server->lock);
}


/* Join and drop finished sessions. Called with the lock held. */
static guint
server_reap_locked (DmdSmtpServer *server)
{
  guint running = 0;

  for (guint i = server->sessions->len; i > 0; i--)
    {
      DmdSmtpSession *s = g_ptr_array_index (server->sessions, i - 1);

      if (g_atomic_int_get (&s->done))
        g_ptr_array_remove_index (server->sessions, i - 1);  /* joins */
      else
        running++;
    }
  return running;
}

static gpointer
listener_thread (gpointer data)
{
  DmdSmtpListener *l = data;
  DmdSmtpServer *server = l->server;
  const char * const server_groups[] = { "server", NULL };
  guint max_sessions = (guint) _dmd_smtp_scenario_number (server->scenario, server_groups,
                                                          "max_sessions", 64);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) sock = g_socket_accept (l->socket, server->cancellable, &error);
      DmdSmtpSession *s;
      guint running;

      if (sock == NULL)
        {
          if (g_cancellable_is_cancelled (server->cancellable))
            break;
          g_debug ("smtp-server: accept failed: %s", error->message);
          if (!_dmd_smtp_cancellable_sleep (server->cancellable, 0.05))
            break;
          continue;
        }

      g_mutex_lock (&server->lock);
      running = server_reap_locked (server);
      if (server->stopped || running >= max_sessions)
        {
          static const char busy[] = "421 4.3.2 Too many connections, try again later\r\n";

          g_mutex_unlock (&server->lock);
          g_socket_send (sock, busy, sizeof busy - 1, NULL, NULL);
          g_socket_close (sock, NULL);
          continue;
        }
      s = g_new0 (DmdSmtpSession, 1);
      s->server = server;
      s->sc = dmd_smtp_scenario_ref (server->scenario);
      s->id = ++server->n_sessions;
      s->socket = g_steal_pointer (&sock);
      s->cancellable = server->cancellable;
      g_ptr_array_add (server->sessions, s);
      s->thread = g_thread_new ("dmd-smtp-session", _dmd_smtp_session_thread, s);
      g_mutex_unlock (&server->lock);
    }
  return NULL;
}

DmdSmtpServer *
dmd_smtp_server_new (DmdSmtpScenario *scenario)
{
  DmdSmtpServer *server;

  g_return_val_if_fail (scenario != NULL, NULL);

  server = g_new0 (DmdSmtpServer, 1);
  server->scenario = dmd_smtp_scenario_ref (scenario);
  server->cancellable = g_cancellable_new ();
  server->listeners = g_ptr_array_new ();
  server->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) _dmd_smtp_session_free);
  server->events = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_smtp_event_free);
  g_mutex_init (&server->lock);
  return server;
}

void
dmd_smtp_server_stop (DmdSmtpServer *server)
{
  g_return_if_fail (server != NULL);

  g_mutex_lock (&server->lock);
  server->stopped = TRUE;
  g_mutex_unlock (&server->lock);

  g_cancellable_cancel (server->cancellable);
  for (guint i = 0; i < server->listeners->len; i++)
    {
      DmdSmtpListener *l = g_ptr_array_index (server->listeners, i);

      g_thread_join (l->thread);
      g_socket_close (l->socket, NULL);
      g_object_unref (l->socket);
      g_free (l);
    }
  g_ptr_array_set_size (server->listeners, 0);

  /* No listener thread runs any more: the session list only shrinks here. */
  g_ptr_array_set_size (server->sessions, 0);  /* joins every session thread */
}

void
dmd_smtp_server_free (DmdSmtpServer *server)
{
  if (server == NULL)
    return;
  dmd_smtp_server_stop (server);
  if (server->event_destroy != NULL)
    server->event_destroy (server->event_data);
  g_clear_pointer (&server->creds, dmd_tls_server_creds_unref);
  g_ptr_array_unref (server->listeners);
  g_ptr_array_unref (server->sessions);
  g_ptr_array_unref (server->events);
  g_strfreev (server->trusted_clients);
  g_object_unref (server->cancellable);
  dmd_smtp_scenario_unref (server->scenario);
  g_mutex_clear (&server->lock);
  g_free (server);
}

gboolean
dmd_smtp_server_set_certificate (DmdSmtpServer  *server,
                                 const char     *cert_file,
                                 const char     *key_file,
                                 GError        **error)
{
  g_autoptr(DmdTlsServerCreds) creds = NULL;

  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (cert_file != NULL && key_file != NULL, FALSE);

  creds = dmd_tls_server_creds_new_from_files (cert_file, key_file, error);
  if (creds == NULL)
    return FALSE;
  dmd_smtp_server_set_credentials (server, creds);
  return TRUE;
}

void
dmd_smtp_server_set_credentials (DmdSmtpServer     *server,
                                 DmdTlsServerCreds *creds)
{
  g_return_if_fail (server != NULL);
  g_return_if_fail (server->listeners->len == 0);

  g_clear_pointer (&server->creds, dmd_tls_server_creds_unref);
  if (creds != NULL)
    server->creds = dmd_tls_server_creds_ref (creds);
}

gboolean
dmd_smtp_server_trust_client_cert (DmdSmtpServer  *server,
                                   const char     *cert_file,
                                   GError        **error)
{
  g_autofree char *pem = NULL;
  gsize len = 0;
  gnutls_datum_t datum, der = { NULL, 0 };
  DmdCertInfo *info = NULL;
  guint n;
  int ret;

  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (cert_file != NULL, FALSE);
  g_return_val_if_fail (server->listeners->len == 0, FALSE);

  if (!g_file_get_contents (cert_file, &pem, &len, error))
    return FALSE;
  datum.data = (unsigned char *) pem;
  datum.size = (unsigned int) len;
  ret = gnutls_pem_base64_decode2 ("CERTIFICATE", &datum, &der);
  if (ret >= 0)
    info = dmd_tls_cert_info_from_der (der.data, der.size);
  gnutls_free (der.data);
  if (info == NULL || info->sha256 == NULL)
    {
      dmd_cert_info_free (info);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not a PEM certificate%s%s",
                   cert_file, ret < 0 ? ": " : "", ret < 0 ? gnutls_strerror (ret) : "");
      return FALSE;
    }

  n = server->trusted_clients != NULL ? g_strv_length (server->trusted_clients) : 0;
  server->trusted_clients = g_renew (char *, server->trusted_clients, n + 2);
  server->trusted_clients[n] = g_strdup (info->sha256);
  server->trusted_clients[n + 1] = NULL;
  dmd_cert_info_free (info);
  return TRUE;
}

void
dmd_smtp_server_set_event_func (DmdSmtpServer    *server,
                                DmdSmtpEventFunc  func,
                                gpointer          user_data,
                                GDestroyNotify    destroy)
{
  g_return_if_fail (server != NULL);

  g_mutex_lock (&server->lock);
  if (server->event_destroy != NULL)
    server->event_destroy (server->event_data);
  server->event_func = func;
  server->event_data = user_data;
  server->event_destroy = destroy;
  g_mutex_unlock (&server->lock);
}

guint16
dmd_smtp_server_listen (DmdSmtpServer  *server,
                        const char     *address,
                        guint16         port,
                        GError        **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) sockaddr = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) sock = NULL;
  DmdSmtpListener *l;

  g_return_val_if_fail (server != NULL, 0);
  g_return_val_if_fail (address != NULL, 0);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not an IP address",
                   address);
      return 0;
    }
  if (port == 0)
    port = server->port;

  sock = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                       G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL)
    return 0;
  sockaddr = g_inet_socket_address_new (inet, port);
  if (!g_socket_bind (sock, sockaddr, TRUE, error) || !g_socket_listen (sock, error))
    return 0;
  bound = g_socket_get_local_address (sock, error);
  if (bound == NULL)
    return 0;
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  if (server->port == 0)
    server->port = port;

  l = g_new0 (DmdSmtpListener, 1);
  l->server = server;
  l->socket = g_steal_pointer (&sock);
  l->thread = g_thread_new ("dmd-smtp-listen", listener_thread, l);
  g_ptr_array_add (server->listeners, l);
  return port;
}

guint16
dmd_smtp_server_get_port (DmdSmtpServer *server)
{
  g_return_val_if_fail (server != NULL, 0);
  return server->port;
}

GPtrArray *
dmd_smtp_server_dup_events (DmdSmtpServer *server)
{
  GPtrArray *out;

  g_return_val_if_fail (server != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_smtp_event_free);
  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->events->len; i++)
    g_ptr_array_add (out, event_copy (g_ptr_array_index (server->events, i)));
  g_mutex_unlock (&server->lock);
  return out;
}

guint
dmd_smtp_server_count_commands (DmdSmtpServer *server,
                                const char    *prefix)
{
  guint n = 0;
  gsize plen;

  g_return_val_if_fail (server != NULL, 0);
  g_return_val_if_fail (prefix != NULL, 0);

  plen = strlen (prefix);
  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->events->len; i++)
    {
      DmdSmtpEvent *e = g_ptr_array_index (server->events, i);

      if (e->kind == DMD_SMTP_EVENT_COMMAND && g_ascii_strncasecmp (e->text, prefix, plen) == 0)
        n++;
    }
  g_mutex_unlock (&server->lock);
  return n;
}

guint
dmd_smtp_server_get_n_sessions (DmdSmtpServer *server)
{
  guint n;

  g_return_val_if_fail (server != NULL, 0);
  g_mutex_lock (&server->lock);
  n = server->n_sessions;
  g_mutex_unlock (&server->lock);
  return n;
}
