/* dmd-smtp-server.h — a scripted SMTP server that plays Exchange Online (or a broken peer)
 *
 * The server side of SMTP for the integration tests and, later, the device-capture listener.
 * What it answers is read from a *scenario* (a GKeyFile, format in tests/scenarios/README.md):
 * the banner, the EHLO lists before and after TLS, one reply per command (per mechanism for
 * AUTH, per address pattern for MAIL and RCPT), which TLS versions the handshake accepts,
 * Exchange's "421 4.7.66" answer after a TLS 1.0/1.1 handshake, and misbehaviour: delays,
 * stalls, closing mid-reply, plaintext injected after the STARTTLS 220, endless replies,
 * a 1 MiB line, invalid UTF-8.
 *
 * Listening happens on a thread of its own and every connection runs on its own thread with
 * the blocking DmdConn API, so the server works inside a process whose main loop is busy (a
 * GTest that runs the client with dmd_checkup_run_sync) or absent. Nothing needs a GMainContext.
 *
 * Everything the clients send is recorded (AUTH payloads only as "[redacted]") for tests to
 * assert, and can be watched live through an event callback (called on connection threads).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <gio/gio.h>

#include "dmd-conn.h"
#include "dmd-tls.h"

G_BEGIN_DECLS

/* ---- scenarios ------------------------------------------------------------------------- */

typedef struct _DmdSmtpScenario DmdSmtpScenario;

/* Load and validate a scenario (unknown profile, bad action, bad pattern, bad escape → error
 * with the group and key named). The result is immutable and may be shared across threads. */
DmdSmtpScenario *dmd_smtp_scenario_new_from_file  (const char        *path,
                                                   GError           **error);
DmdSmtpScenario *dmd_smtp_scenario_new_from_data  (const char        *data,
                                                   gssize             length,
                                                   GError           **error);
DmdSmtpScenario *dmd_smtp_scenario_ref            (DmdSmtpScenario   *scenario);
void             dmd_smtp_scenario_unref          (DmdSmtpScenario   *scenario);
/* [server] description, or "" */
const char      *dmd_smtp_scenario_get_description (DmdSmtpScenario  *scenario);
/* The underlying key file (read-only): tests and runners read their own groups ([expect],
 * [cli]) from it. */
GKeyFile        *dmd_smtp_scenario_get_key_file   (DmdSmtpScenario   *scenario);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdSmtpScenario, dmd_smtp_scenario_unref)

/* ---- what the server saw --------------------------------------------------------------- */

typedef enum {
  DMD_SMTP_EVENT_SESSION_OPEN,   /* text: the client's address */
  DMD_SMTP_EVENT_COMMAND,        /* text: one line the client sent, escaped, AUTH redacted */
  DMD_SMTP_EVENT_REPLY,          /* text: the first line of what we answered (escaped, cut) */
  DMD_SMTP_EVENT_TLS,            /* text: "TLS1.2 cipher=... sni=..." once a handshake
                                  * completed, or "failed: <reason>" */
  DMD_SMTP_EVENT_AUTH,           /* text: "<MECH> user=<name>" (escaped; no secret), and
                                  * " accepted" / " refused" */
  DMD_SMTP_EVENT_MESSAGE,        /* text: "size=<bytes> from=<header From, escaped>" */
  DMD_SMTP_EVENT_SESSION_CLOSE,  /* text: why ("quit", "client closed", "timeout", ...) */
} DmdSmtpEventKind;

/* What an event's text cannot carry, for the event callback only (the copies that
 * dmd_smtp_server_dup_events returns have none). Raw values: escape them before showing.
 * Never a secret: a password or token is only decoded when the scenario has one to compare,
 * and wiped at once. */
typedef struct {
  DmdConn      *conn;          /* the session's connection (dmd_conn_get_client_hello …);
                                * NULL for SESSION_OPEN */
  const GError *error;         /* TLS "failed: …": the handshake's error */
  gboolean      implicit_tls;  /* TLS: the handshake began at once, without STARTTLS */
  const char   *mechanism;     /* AUTH: "LOGIN", "PLAIN", "XOAUTH2" */
  const char   *username;      /* AUTH: the user name as decoded (up to a NUL), or NULL */
  gboolean      secret_sent;   /* AUTH: a non-empty password or token was sent */
  GPtrArray    *headers;       /* MESSAGE: the header lines (char*, raw; at most
                                * DMD_SMTP_MAX_HEADERS lines, each cut at 998 bytes) */
  guint64       size;          /* MESSAGE: bytes, dot-unstuffed */
} DmdSmtpEventDetail;

#define DMD_SMTP_MAX_HEADERS 100

typedef struct {
  guint                     session;   /* 1, 2, ... in accept order */
  DmdSmtpEventKind          kind;
  char                     *text;
  const DmdSmtpEventDetail *detail;    /* callback only; NULL in copies */
} DmdSmtpEvent;

const char *dmd_smtp_event_kind_to_string (DmdSmtpEventKind kind);  /* "open", "cmd", ... */

/* Called on the connection's thread, serialised (never two at once). */
typedef void (*DmdSmtpEventFunc) (const DmdSmtpEvent *event,
                                  gpointer            user_data);

/* ---- the server ------------------------------------------------------------------------ */

typedef struct _DmdSmtpServer DmdSmtpServer;

DmdSmtpServer *dmd_smtp_server_new              (DmdSmtpScenario    *scenario);
/* Stops (if running) and frees. */
void           dmd_smtp_server_free             (DmdSmtpServer      *server);

/* The certificate for STARTTLS (PEM chain file, PEM key file). Without one, STARTTLS is
 * answered with [starttls] reply_unavailable ("454 4.7.0 ..."). Call before the first
 * listen. set_credentials shares already loaded ones (NULL: none). */
gboolean       dmd_smtp_server_set_certificate  (DmdSmtpServer      *server,
                                                 const char         *cert_file,
                                                 const char         *key_file,
                                                 GError            **error);
void           dmd_smtp_server_set_credentials  (DmdSmtpServer      *server,
                                                 DmdTlsServerCreds  *creds);
/* Trust the (first) certificate of a PEM file as a client certificate, as a relay connector
 * that names it does. Once any is trusted, a session whose TLS carried none of them gets
 * [rcpt] reply_untrusted_client at RCPT TO (when the scenario has one), and with [tls]
 * client_certificate=verify the handshake refuses it. Call before the first listen. */
gboolean       dmd_smtp_server_trust_client_cert (DmdSmtpServer     *server,
                                                  const char        *cert_file,
                                                  GError           **error);
void           dmd_smtp_server_set_event_func   (DmdSmtpServer      *server,
                                                 DmdSmtpEventFunc    func,
                                                 gpointer            user_data,
                                                 GDestroyNotify      destroy);

/* Bind address ("127.0.0.1", "::1", ...) on port (0: any free port; after a first listen,
 * 0 means "the same port as the first"), listen, and start accepting. Returns the port, or
 * 0 with error set. May be called more than once (IPv4 and IPv6 on the same port). */
guint16        dmd_smtp_server_listen           (DmdSmtpServer      *server,
                                                 const char         *address,
                                                 guint16             port,
                                                 GError            **error);
guint16        dmd_smtp_server_get_port         (DmdSmtpServer      *server);
/* Stop accepting, cancel every connection (stalls included) and wait for their threads. */
void           dmd_smtp_server_stop             (DmdSmtpServer      *server);

/* A copy of everything recorded so far (DmdSmtpEvent*, free with g_ptr_array_unref). */
GPtrArray     *dmd_smtp_server_dup_events       (DmdSmtpServer      *server);
/* How many COMMAND events start with prefix (case-insensitive), e.g. "AUTH", "MAIL FROM". */
guint          dmd_smtp_server_count_commands   (DmdSmtpServer      *server,
                                                 const char         *prefix);
guint          dmd_smtp_server_get_n_sessions   (DmdSmtpServer      *server);

void           dmd_smtp_event_free              (DmdSmtpEvent       *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdSmtpServer, dmd_smtp_server_free)

G_END_DECLS
