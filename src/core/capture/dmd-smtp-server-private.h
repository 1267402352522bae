/* dmd-smtp-server-private.h — shared by the scripted server's files
 *
 *   dmd-smtp-scenario.c      the scenario: its profile (profiles/NAME.ini, compiled into the
 *                            engine), groups, keys and escapes, and looking values up;
 *   dmd-smtp-session.c       one connection's dialogue: templates, replies, commands, DATA;
 *   dmd-smtp-session-auth.c  TLS (STARTTLS, implicit TLS, client certificates) and AUTH;
 *   dmd-smtp-server.c        the listeners, the sessions' threads and the record of events.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include "dmd-smtp-server.h"

G_BEGIN_DECLS

/* ---- the scenario (dmd-smtp-scenario.c) ------------------------------------------------ */

/* What a step does instead of (or besides) replying: [step] action=. */
typedef enum {
  DMD_SMTP_ACTION_REPLY,
  DMD_SMTP_ACTION_STALL,
  DMD_SMTP_ACTION_CLOSE,
  DMD_SMTP_ACTION_CLOSE_MID_REPLY,
  DMD_SMTP_ACTION_ENDLESS,
  DMD_SMTP_ACTION_LONG_LINE,
} DmdSmtpAction;

/* Look key up in the candidate groups (NULL-terminated, most specific first): the
 * scenario's, then the profile's. Returns a borrowed GBytes (escapes processed) or NULL. */
GBytes        *_dmd_smtp_scenario_lookup     (DmdSmtpScenario    *sc,
                                              const char * const *groups,
                                              const char         *key);
/* NUL-terminated copy of a looked-up value, or NULL. */
char          *_dmd_smtp_scenario_dup        (DmdSmtpScenario    *sc,
                                              const char * const *groups,
                                              const char         *key);
gboolean       _dmd_smtp_scenario_bool       (DmdSmtpScenario    *sc,
                                              const char * const *groups,
                                              const char         *key);
double         _dmd_smtp_scenario_number     (DmdSmtpScenario    *sc,
                                              const char * const *groups,
                                              const char         *key,
                                              double              fallback);
DmdSmtpAction  _dmd_smtp_scenario_action     (DmdSmtpScenario    *sc,
                                              const char * const *groups);
/* Candidate groups for MAIL or RCPT (base "mail" or "rcpt"): the [base:PATTERN] groups that
 * match address, in file order, then base. Free the array (not its strings) with g_free. */
const char   **_dmd_smtp_scenario_candidates (DmdSmtpScenario    *sc,
                                              const char         *base,
                                              const char         *address);

/* ---- the server and its sessions --------------------------------------------------------- */

typedef struct _DmdSmtpSession DmdSmtpSession;

typedef struct {
  DmdSmtpServer *server;
  GSocket       *socket;
  GThread       *thread;
} DmdSmtpListener;

struct _DmdSmtpServer {
  DmdSmtpScenario                  *scenario;
  GCancellable                     *cancellable;
  DmdTlsServerCreds                *creds;
  GStrv                             trusted_clients; /* SHA-256s of trusted client certificates
                                                     * (set before listening), or NULL */
  guint16                           port;
  GPtrArray                        *listeners;   /* DmdSmtpListener* */

  GMutex                            lock;        /* guards everything below */
  GPtrArray                        *sessions;    /* DmdSmtpSession*, running or finished */
  guint                             n_sessions;
  GPtrArray                        *events;      /* DmdSmtpEvent* */
  DmdSmtpEventFunc                  event_func;
  gpointer                          event_data;
  GDestroyNotify                    event_destroy;
  gboolean                          stopped;
};

struct _DmdSmtpSession {
  DmdSmtpServer   *server;
  DmdSmtpScenario *sc;
  guint            id;
  GSocket         *socket;
  GThread         *thread;
  gint             done;          /* atomic */

  DmdConn         *conn;
  GCancellable    *cancellable;   /* the server's */
  char            *client_ip;     /* as shown in "Hello [...]" */
  char            *session_hex;   /* {id} */
  double           idle_timeout;

  gboolean         tls;
  gboolean         legacy_tls;    /* handshake below legacy_below: answer legacy_reply */
  gboolean         implicit_tls;  /* TLS began at once, without STARTTLS */
  char            *client_cert;   /* SHA-256 of the client certificate of this TLS session */
  gboolean         client_cert_required;  /* [tls] client_certificate require or verify */
  gboolean         hello;
  gboolean         authed;
  gboolean         have_mail;
  guint            n_rcpt;
  char            *arg;           /* {arg}: the command's verb (unknown) */
  char            *echo_payload;  /* {auth_payload}: [auth] echo=true, while answering AUTH */
  char            *echo_secret;   /* {auth_secret}: likewise */
  char            *close_reason;
};

/* The outcome of answering one step. */
typedef enum {
  DMD_SMTP_STEP_CONTINUE,
  DMD_SMTP_STEP_END,
} DmdSmtpStep;

/* dmd-smtp-server.c */
/* Records an event and hands it to the event callback (serialised). */
void          _dmd_smtp_server_emit          (DmdSmtpServer            *server,
                                              guint                     session,
                                              DmdSmtpEventKind          kind,
                                              const char               *text,
                                              const DmdSmtpEventDetail *detail);

/* dmd-smtp-session.c */
/* Sleep, but wake up at once when cancelled. FALSE when cancelled. */
gboolean      _dmd_smtp_cancellable_sleep    (GCancellable             *cancellable,
                                              double                    seconds);
/* The session's thread: the whole dialogue, then done is set. */
gpointer      _dmd_smtp_session_thread       (gpointer                  data);
/* Joins the session's thread first. */
void          _dmd_smtp_session_free         (DmdSmtpSession           *s);
void          _dmd_smtp_session_emit         (DmdSmtpSession           *s,
                                              DmdSmtpEventKind          kind,
                                              const char               *text);
void          _dmd_smtp_session_emit_detail  (DmdSmtpSession           *s,
                                              DmdSmtpEventKind          kind,
                                              const char               *text,
                                              DmdSmtpEventDetail       *detail);
/* Read one client line. NULL at EOF, timeout, cancel (close_reason set). Over-long lines
 * are returned as "" with *too_long set (the connection stays usable). */
char         *_dmd_smtp_session_read_line    (DmdSmtpSession           *s,
                                              double                    timeout,
                                              gsize                    *len,
                                              gboolean                 *too_long);
/* Answer one step of candidate groups with reply key `key` (e.g. "reply", "reply_no_auth").
 * Honours action, delay, raw, inject, close_after. *code_out gets the basic code sent (0 if
 * none). */
DmdSmtpStep   _dmd_smtp_session_answer       (DmdSmtpSession           *s,
                                              const char * const       *groups,
                                              const char               *key,
                                              guint                    *code_out);
/* A new transaction: no MAIL FROM, no recipient. */
void          _dmd_smtp_session_reset_transaction (DmdSmtpSession      *s);

/* dmd-smtp-session-auth.c */
/* The handshake (after the 220 to STARTTLS, or at once for implicit TLS). Afterwards the
 * session starts over (RFC 3207: forget EHLO and AUTH). */
DmdSmtpStep   _dmd_smtp_session_start_tls    (DmdSmtpSession           *s);
/* With trusted client certificates set, whether this session's TLS carried none of them. */
gboolean      _dmd_smtp_session_client_untrusted (DmdSmtpSession       *s);
/* AUTH with its argument (mechanism and initial response). */
DmdSmtpStep   _dmd_smtp_session_auth         (DmdSmtpSession           *s,
                                              const char               *arg);
/* Wipes what [auth] echo=true kept to repeat. */
void          _dmd_smtp_session_clear_echo   (DmdSmtpSession           *s);

G_END_DECLS
