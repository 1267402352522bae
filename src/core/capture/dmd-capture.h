/* dmd-capture.h — device capture mode: this computer stands in for Microsoft 365
 *
 * The technician points the device (printer, scanner, application) at this computer. A
 * permissive Microsoft-like endpoint answers it: Microsoft's banner and EHLO with STARTTLS,
 * TLS 1.0 and later, after TLS `AUTH LOGIN PLAIN XOAUTH2` with any login, any sender and any
 * recipient, DATA (the message is discarded; its header lines are kept for display). A device
 * that starts TLS at once on the plaintext port (implicit TLS) is detected and still seen.
 * Every connection becomes a DmdCaptureSession; dmd_capture_judge() then says, for each of
 * the three Microsoft 365 sending options, whether the device can use it, and why, as
 * findings of the catalogue (CATALOG.md).
 *
 * The device's password or OAuth token is never decoded, kept or shown: only whether one
 * was sent. The AUTH user name is kept.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <gio/gio.h>

#include "dmd-config.h"
#include "dmd-enums.h"
#include "dmd-options.h"
#include "dmd-result.h"
#include "dmd-tls.h"

G_BEGIN_DECLS

#define DMD_CAPTURE_DEFAULT_PORT     2525
#define DMD_CAPTURE_DEFAULT_IDLE     20    /* seconds */
#define DMD_CAPTURE_DEFAULT_TIMEOUT  300   /* seconds */

/* ---- what one connection of the device did -------------------------------------------- */

/* Every string is safe to show (valid UTF-8, control characters escaped) but still needs
 * the escaping of where it goes (Pango markup, HTML). */
typedef struct {
  guint            id;                   /* 1, 2, … in the order the device connected */
  char            *client;               /* the device's address (IPv4-mapped IPv6 as IPv4) */
  char            *ehlo;                 /* the EHLO (or HELO) name, or NULL */
  gboolean         helo;                 /* it said HELO, not EHLO (so it never saw STARTTLS) */
  gboolean         starttls;             /* it issued STARTTLS */
  gboolean         implicit_tls;         /* it started TLS at once on the plaintext port */
  DmdClientHello  *client_hello;         /* its ClientHello, or NULL when none came */
  char            *tls_version;          /* negotiated version ("TLS1.2"), or NULL */
  char            *tls_cipher;           /* negotiated cipher suite, or NULL */
  char            *tls_failure;          /* why the handshake failed (translated), or NULL */
  gboolean         certificate_rejected; /* it aborted the handshake with a certificate alert */
  char            *auth_mechanism;       /* "LOGIN", "PLAIN", "XOAUTH2", or NULL: no AUTH */
  char            *auth_username;        /* the user name it signed in with, or NULL */
  gboolean         auth_password_sent;   /* it sent a non-empty password or token */
  gboolean         auth_before_tls;      /* it tried AUTH before TLS (refused, as Microsoft
                                          * 365 does: no credentials were sent) */
  char            *mail_from;            /* the first MAIL FROM address ("" = null sender),
                                          * or NULL when none */
  char            *header_from;          /* the message's From: header, or NULL */
  GPtrArray       *recipients;           /* char*, RCPT TO addresses in order, no repeats */
  GPtrArray       *headers;              /* char*, header lines of the last message */
  guint64          size;                 /* bytes of the last message, 0 when none */
  guint            n_messages;           /* messages accepted */
  gboolean         completed;            /* at least one message was accepted (DATA done) */
  gboolean         closed;               /* the connection has ended */
  char            *close_reason;         /* why, in words, once closed */
} DmdCaptureSession;

DmdCaptureSession *dmd_capture_session_new   (guint                    id);
DmdCaptureSession *dmd_capture_session_copy  (const DmdCaptureSession *session);
void               dmd_capture_session_free  (DmdCaptureSession       *session);
/* TRUE when the session went beyond EHLO (TLS, AUTH or MAIL FROM): a connection test that
 * only greets and quits says nothing about what the device can do. */
gboolean           dmd_capture_session_is_meaningful (const DmdCaptureSession *session);
/* The highest TLS version the device offered ("TLS1.2"), from its ClientHello, or NULL. */
const char        *dmd_capture_session_max_tls (const DmdCaptureSession *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdCaptureSession, dmd_capture_session_free)

/* ---- verdicts -------------------------------------------------------------------------- */

typedef struct {
  DmdOption   option;
  gboolean    usable;     /* the verdict rule passes: a whole transaction was accepted and no
                           * error stands */
  gboolean    judged;     /* FALSE when no session went beyond EHLO (usable is FALSE then,
                           * with no finding: nothing to judge) */
  gboolean    complete;   /* some session sent a whole message and it was accepted; without
                           * one nothing proves the option works (a failed handshake, a
                           * message refused as too large, a connection dropped) */
  GPtrArray  *findings;   /* DmdFinding*, errors first */
} DmdCaptureVerdict;

void               dmd_capture_verdict_free  (DmdCaptureVerdict       *verdict);
/* Judged, nothing stands against the option, but no whole transaction showed that it works
 * (not usable, and "not known yet" rather than "cannot use it"). */
gboolean           dmd_capture_verdict_is_unproven (const DmdCaptureVerdict *verdict);

/* The pure judgement: sessions (DmdCaptureSession*) → one DmdCaptureVerdict* per option, in
 * the order smtp-auth, direct-send, relay, except that `first` comes first. `domain` is the
 * organisation's domain (NULL: taken from the sign-in name, else from MAIL FROM) for the
 * Direct Send recipient check; `today` decides date-dependent texts (NULL: the clock).
 * No sockets, no clock otherwise: unit-testable. */
GPtrArray         *dmd_capture_judge         (GPtrArray               *sessions,
                                              DmdOption                first,
                                              const char              *domain,
                                              GDateTime               *today);

/* What the device showed, as the settings to check it with for `option` (a new config): the
 * security it used (STARTTLS, TLS from the start, none), its sign-in name (SMTP AUTH), its
 * sender and first recipient, and for Direct Send and relay the organisation's domain
 * (`domain` when given, else from the sign-in name or the sender), from the session that says
 * most (the last whole message, else the last that went beyond EHLO). Server and port stay
 * the option's defaults: the device was pointed at this computer. Never a secret: the capture
 * keeps none. */
DmdDeviceConfig   *dmd_capture_settings_seen (GPtrArray               *sessions,
                                              DmdOption                option,
                                              const char              *domain);

/* ---- the outcome of a capture ---------------------------------------------------------- */

typedef enum {
  DMD_CAPTURE_END_IDLE,      /* the device was quiet for the idle time */
  DMD_CAPTURE_END_TIMEOUT,   /* the overall time limit passed */
  DMD_CAPTURE_END_STOPPED,   /* dmd_capture_stop() */
} DmdCaptureEnd;

typedef struct {
  /*< private >*/
  gint           ref_count;
  /*< public, read-only >*/
  DmdOption      option;               /* the verdict shown first */
  char          *domain;               /* as given, or NULL */
  guint16        port;
  GPtrArray     *addresses;            /* char*, this computer's addresses */
  char          *certificate_sha256;   /* colon-separated upper-case hex */
  char          *certificate_path;     /* PEM file, for importing into the device */
  GPtrArray     *sessions;             /* DmdCaptureSession* */
  GPtrArray     *verdicts;             /* DmdCaptureVerdict*, `option` first */
  DmdCaptureEnd  end;
} DmdCaptureResult;

DmdCaptureResult  *dmd_capture_result_new    (void);
DmdCaptureResult  *dmd_capture_result_ref    (DmdCaptureResult        *result);
void               dmd_capture_result_unref  (DmdCaptureResult        *result);
/* The verdict for one option (never NULL once judged). */
const DmdCaptureVerdict *dmd_capture_result_get_verdict (DmdCaptureResult *result,
                                                         DmdOption         option);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdCaptureResult, dmd_capture_result_unref)

/* ---- the listener ---------------------------------------------------------------------- */

#define DMD_TYPE_CAPTURE (dmd_capture_get_type ())
G_DECLARE_FINAL_TYPE (DmdCapture, dmd_capture, DMD, CAPTURE, GObject)

/* Signals, emitted on the thread-default main context of the caller of dmd_capture_start(),
 * in the order things happened, never after the capture ended or was cancelled:
 *   "session-opened"  (guint session, const char *client)
 *   "log-line"        (guint session, gint dir, const char *text)
 *                     dir: 'C' the device, 'S' this computer's answer, 'I' information;
 *                     text translated, escaped, AUTH payloads never included
 *   "session-changed" (guint session)   its record changed: dmd_capture_dup_session()
 *   "session-closed"  (guint session)
 *
 * Properties (set before dmd_capture_start): "port" (guint, default 2525, 0 = any free
 * port), "idle-timeout" and "timeout" (double seconds, defaults 20 and 300), "domain"
 * (string), "option" (DmdOption as gint, the verdict to show first), "data-dir" (where the
 * certificate lives; default g_get_user_data_dir()/device-mail-doctor), "loopback-only"
 * (gboolean, tests: listen on 127.0.0.1 only). */

typedef enum {
  DMD_CAPTURE_ERROR_PORT_PRIVILEGED,  /* a port below 1024 without the privilege */
  DMD_CAPTURE_ERROR_PORT_IN_USE,
  DMD_CAPTURE_ERROR_LISTEN,           /* any other reason the port could not be opened */
  DMD_CAPTURE_ERROR_CERTIFICATE,      /* the certificate could not be made or loaded */
} DmdCaptureError;
#define DMD_CAPTURE_ERROR (dmd_capture_error_quark ())
GQuark             dmd_capture_error_quark   (void);

DmdCapture        *dmd_capture_new           (void);
void               dmd_capture_set_port      (DmdCapture   *self,
                                              guint16       port);
void               dmd_capture_set_idle_timeout (DmdCapture *self,
                                              double        seconds);
void               dmd_capture_set_timeout   (DmdCapture   *self,
                                              double        seconds);
void               dmd_capture_set_domain    (DmdCapture   *self,
                                              const char   *domain);
void               dmd_capture_set_option    (DmdCapture   *self,
                                              DmdOption     option);
void               dmd_capture_set_data_dir  (DmdCapture   *self,
                                              const char   *data_dir);

/* Make (first time) or load the certificate, open the port on every address (IPv4 and
 * IPv6) and start recording. The overall timeout starts now; the idle time counts from the
 * device's last activity, once it has connected. Translated errors in DMD_CAPTURE_ERROR. */
gboolean           dmd_capture_start         (DmdCapture   *self,
                                              GError      **error);
/* After a successful start: the port actually open, this computer's addresses to type into
 * the device (char*, IPv4 first; may be empty when offline), and the certificate. */
guint16            dmd_capture_get_port      (DmdCapture   *self);
GPtrArray         *dmd_capture_get_addresses (DmdCapture   *self);
const char        *dmd_capture_get_certificate_sha256 (DmdCapture *self);
const char        *dmd_capture_get_certificate_path   (DmdCapture *self);

/* Completes when the device has been idle for the idle time, at the overall timeout, or at
 * dmd_capture_stop(), with the judged result; cancelling the cancellable ends the capture
 * too, and finish then fails with G_IO_ERROR_CANCELLED. Call after dmd_capture_start(),
 * from the same main context. */
void               dmd_capture_wait_async    (DmdCapture           *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
DmdCaptureResult  *dmd_capture_wait_finish   (DmdCapture           *self,
                                              GAsyncResult         *result,
                                              GError              **error);
/* For the CLI and tests: iterates the thread-default main context until the capture ends. */
DmdCaptureResult  *dmd_capture_wait_sync     (DmdCapture           *self,
                                              GCancellable         *cancellable,
                                              GError              **error);
/* End the capture now (the "Stop" button): the wait completes with what was recorded. */
void               dmd_capture_stop          (DmdCapture   *self);
gboolean           dmd_capture_is_running    (DmdCapture   *self);
/* Copies of the records so far (DmdCaptureSession*), or of one (NULL if unknown). */
GPtrArray         *dmd_capture_dup_sessions  (DmdCapture   *self);
DmdCaptureSession *dmd_capture_dup_session   (DmdCapture   *self,
                                              guint         session);

/* ---- helpers shared with the CLI and the wizard ---------------------------------------- */

/* This computer's addresses a device on the LAN can reach (no loopback, no IPv6 link-local),
 * IPv4 first. char*, never NULL. */
GPtrArray         *dmd_capture_local_addresses (void);

/* The capture certificate in data_dir (NULL: the default): loaded when present, valid for
 * 30 more days and matching its key; else made anew (RSA 2048, self-signed, CN = this
 * computer's name, SANs = its names and addresses), the key file with mode 0600. */
DmdTlsServerCreds *dmd_capture_ensure_certificate (const char  *data_dir,
                                                   char       **cert_path,
                                                   char       **key_path,
                                                   GError     **error);

G_END_DECLS
