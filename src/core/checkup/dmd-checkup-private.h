/* dmd-checkup-private.h — what the files of the checkup share
 *
 * dmd-checkup.c            the object: events on the caller's context, the result, the end
 * dmd-checkup-worker.c     worker threads: posting events, resolving, connecting, findings,
 *                          the checks of the public IP (SPF, blocklists)
 * dmd-checkup-steps.c      the step table, the loop that runs it, the skips, the plan
 * dmd-checkup-dialogue.c   one function per step of the dialogue
 * dmd-checkup-tls-versions.c  the TLS version probes and their summary
 * dmd-checkup-ports.c      the port triage and the port mix-up detection
 * dmd-checkup-oauth.c      the oauth step: a token from Microsoft Entra ID
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <gio/gio.h>

#include "dmd-checkup.h"
#include "dmd-conn.h"
#include "dmd-dns.h"
#include "dmd-reply.h"
#include "dmd-scrub.h"
#include "dmd-smtp-client.h"
#include "dmd-tls.h"

G_BEGIN_DECLS

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
  GHashTable      *started;         /* check id → start time (ms) */
  DmdScrubber     *scrubber;        /* the credentials, out of every server line */
  gint             workers;         /* atomic: incremented by workers that start workers */
  gboolean         refused_by_reply[DMD_N_TLS_VERSIONS];
  gboolean         done;
  DmdTlsClientCert *client_cert;    /* presented when a server asks; NULL: none chosen */
};

/* ------------------------------------------------------------------------------------------ */
/* Events: posted by workers, applied to the result on the caller's context (dmd-checkup.c)   */

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
  EV_DEVICE_CODE,                       /* text: the address; user_code, expires_in */
  EV_OAUTH_CLAIMS,                      /* claims */
  EV_WORKER_DONE,
} DmdCheckupEventKind;

typedef struct {
  DmdCheckup          *self;
  DmdCheckupEventKind  kind;
  char                *check;
  DmdCheckStatus       status;
  guint                reply_code;
  guint                reply_class;
  char                *text;
  char                 dir;
  DmdFinding          *finding;
  int                  tls_index;
  DmdTlsVersionState   tls_state;
  gboolean             tls_by_reply;    /* refused by an SMTP reply after a handshake */
  char                *public_ip;
  char                *family;
  char                *peer;
  DmdTlsInfo          *tls_info;
  gboolean             cert_requested;
  gboolean             cert_sent;
  char                *user_code;       /* device code: what the person types */
  guint                expires_in;
  DmdOAuthClaims      *claims;
} DmdCheckupEvent;

DmdCheckupEvent *dmd_checkup_event_new  (DmdCheckup          *self,
                                         DmdCheckupEventKind  kind,
                                         const char          *check);
void             dmd_checkup_event_free (DmdCheckupEvent     *ev);
/* From any thread: applied on the caller's context, dropped once the run has ended. */
void             dmd_checkup_post       (DmdCheckupEvent     *ev);

/* On the caller's context only: a transcript line of a check (result + signal), and the end
 * of a check whose status and summary are set (its elapsed time + signal). */
void             dmd_checkup_add_line   (DmdCheckup          *self,
                                         const char          *check_id,
                                         char                 dir,
                                         const char          *text);
void             dmd_checkup_end_check  (DmdCheckup          *self,
                                         DmdCheck            *check);

/* ------------------------------------------------------------------------------------------ */
/* Workers (dmd-checkup-worker.c)                                                             */

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
} DmdWorker;

DmdWorker  *dmd_worker_new            (DmdCheckup         *self);
/* A worker for another thread, knowing what this one knows (server, port, addresses, IPs). */
DmdWorker  *dmd_worker_clone          (DmdWorker          *w);
/* Posts the worker's "done": the run completes when the last worker is freed. */
void        dmd_worker_free           (DmdWorker          *w);
/* Starts `func (data)` in a thread; data holds a worker of its own, and the run waits for
 * its dmd_worker_free. */
void        dmd_worker_spawn          (DmdWorker          *parent,
                                       const char         *name,
                                       GThreadFunc         func,
                                       gpointer            data);

gboolean    dmd_worker_cancelled      (DmdWorker          *w);
double      dmd_worker_step_timeout   (DmdWorker          *w);

void        dmd_worker_check_start    (DmdWorker          *w,
                                       const char         *check);
/* Lines go to `check` again, without a new start (EHLO again after STARTTLS). */
void        dmd_worker_check_resume   (DmdWorker          *w,
                                       const char         *check);
void        dmd_worker_check_end      (DmdWorker          *w,
                                       const char         *check,
                                       DmdCheckStatus      status,
                                       const char         *summary);
/* The server refused: the check fails and keeps the reply's codes (for the verdict). */
void        dmd_worker_check_refused  (DmdWorker          *w,
                                       const char         *check,
                                       const DmdReply     *reply,
                                       const char         *summary);
void        dmd_worker_check_skip     (DmdWorker          *w,
                                       const char         *check,
                                       const char         *summary);
void        dmd_worker_line           (DmdWorker          *w,
                                       const char         *check,
                                       char                dir,
                                       const char         *text);
/* An 'I' line into the current check. */
void        dmd_worker_info           (DmdWorker          *w,
                                       const char         *text);
/* The line callback of the SMTP client. */
void        dmd_worker_smtp_line      (char                dir,
                                       const char         *text,
                                       gpointer            user_data);
void        dmd_worker_finding        (DmdWorker          *w,
                                       const char         *id,
                                       const char         *check,
                                       const char         *evidence);
/* Findings for a reply that is not what the step wanted; returns how many were added. */
guint       dmd_worker_reply_findings (DmdWorker          *w,
                                       const DmdReply     *reply,
                                       DmdStep             step,
                                       DmdAuthMech         mech,
                                       const char         *check);
/* A step got no reply: smtp-timeout or smtp-protocol-error, and the check fails. */
void        dmd_worker_step_failed    (DmdWorker          *w,
                                       const char         *check,
                                       const GError       *error);
void        dmd_worker_post_network   (DmdWorker          *w,
                                       const char         *public_ip,
                                       const char         *family,
                                       const char         *peer);

/* Resolve host:port (after --connect-to) into w->addresses; lines into the current check
 * when `report`. FALSE with a translated *why when nothing usable. */
gboolean    dmd_worker_resolve        (DmdWorker          *w,
                                       const char         *host,
                                       guint16             port,
                                       gboolean            report,
                                       gint64              deadline,
                                       char              **why);
/* Whether an address is of the IP version chosen (--ip-version). */
gboolean    dmd_checkup_family_wanted (DmdIpVersion        version,
                                       GInetAddress       *address);
/* Every connection of the run: server lines go through the run's scrubber. */
DmdConn    *dmd_worker_connect        (DmdWorker          *w,
                                       GInetSocketAddress *address,
                                       gint64              deadline,
                                       GError            **error);

/* Once the public IP is known: the connector comparison, SPF and the blocklists (for the
 * options that send from it); at most once per run. */
void        dmd_worker_public_ip_known (DmdWorker         *w,
                                        const char        *public_ip);

/* ---- the client certificate ---- */
gboolean    dmd_worker_client_cert_matters  (DmdWorker    *w);
char       *dmd_worker_client_cert_evidence (DmdWorker    *w,
                                             const char   *what);
gboolean    dmd_worker_client_cert_refused  (DmdWorker    *w,
                                             DmdConn      *conn);
gboolean    dmd_checkup_is_certificate_alert (int          alert);

/* ---- words ---- */
char       *dmd_checkup_address_to_string (GInetSocketAddress *addr);
char       *dmd_checkup_describe_reply    (const DmdReply     *reply);
char       *dmd_checkup_ehlo_name         (void);

typedef enum {
  DMD_CONNECT_TIMEOUT,
  DMD_CONNECT_REFUSED,
  DMD_CONNECT_NO_ROUTE,
  DMD_CONNECT_OTHER,
} DmdConnectFailure;

DmdConnectFailure dmd_checkup_classify_connect_error (const GError *error);

/* ---- what the option decides (kept apart: the options table will answer these) ---- */
gboolean    dmd_checkup_option_uses_mx        (const DmdDeviceConfig *config);
gboolean    dmd_checkup_option_signs_in       (const DmdDeviceConfig *config);
gboolean    dmd_checkup_option_checks_sender_ip (const DmdDeviceConfig *config);

/* ------------------------------------------------------------------------------------------ */
/* The dialogue as a table of steps (dmd-checkup-steps.c, dmd-checkup-dialogue.c)             */

/* What earlier steps established; a row needs some of them before it runs. */
typedef enum {
  DMD_FACT_ADDRESS   = 1 << 0,   /* dns: the server's addresses */
  DMD_FACT_CONNECTED = 1 << 1,   /* connect: a connection */
  DMD_FACT_GREETED   = 1 << 2,   /* banner: 220 */
  DMD_FACT_EHLO      = 1 << 3,   /* ehlo: the capabilities */
  DMD_FACT_STARTTLS  = 1 << 4,   /* starttls: 220, TLS is to start */
  DMD_FACT_TLS       = 1 << 5,   /* tls: the session is encrypted */
  DMD_FACT_SIGNED_IN = 1 << 6,   /* auth: 235 */
  DMD_FACT_SENDER    = 1 << 7,   /* mail-from: 250 */
  DMD_FACT_RECIPIENT = 1 << 8,   /* rcpt-to: 250/251 */
} DmdFact;

typedef enum {
  DMD_DIALOGUE_NEXT,             /* go on with the next row */
  DMD_DIALOGUE_STOP,             /* the session cannot go on: skip what follows */
  DMD_DIALOGUE_STOP_QUIT,        /* the server said no: skip what follows, then QUIT */
} DmdDialogueOutcome;

/* The state of one dialogue, shared by its steps. */
typedef struct {
  DmdWorker          *w;
  const char         *check;        /* the id of the row running */
  guint               facts;        /* DmdFact */
  const char         *why;          /* translated: a stop reason other than the row's */
  DmdSmtpClient      *client;       /* owns the connection */
  GInetSocketAddress *used;         /* the address connected to (in w->addresses) */
  char               *peer;         /* the same in words */
  char               *name;         /* the EHLO name */
  DmdEhlo            *ehlo;         /* the capabilities that count (after TLS, if any) */
  gboolean            tls_verified;
  DmdAuthMech         mech;         /* as chosen for AUTH; judges later replies too */
  char               *oauth_token;  /* secret: the token the oauth step got, or NULL */
  GPtrArray          *replies;      /* MAIL FROM, RCPT TO (pipelined together when offered) */
  gboolean            pipelined;
  gboolean            quit_sent;    /* QUIT went out with the pipeline */
} DmdDialogue;

/* The steps (dmd-checkup-dialogue.c; oauth: dmd-checkup-oauth.c): each reports its check
 * (already started) and says whether the dialogue goes on. */
DmdDialogueOutcome dmd_step_oauth         (DmdDialogue *d);
DmdDialogueOutcome dmd_step_dns           (DmdDialogue *d);
DmdDialogueOutcome dmd_step_connect       (DmdDialogue *d);
DmdDialogueOutcome dmd_step_tls           (DmdDialogue *d);
DmdDialogueOutcome dmd_step_banner        (DmdDialogue *d);
DmdDialogueOutcome dmd_step_ehlo          (DmdDialogue *d);
DmdDialogueOutcome dmd_step_starttls      (DmdDialogue *d);
DmdDialogueOutcome dmd_step_ehlo_again    (DmdDialogue *d);
DmdDialogueOutcome dmd_step_auth          (DmdDialogue *d);
DmdDialogueOutcome dmd_step_mail_from     (DmdDialogue *d);
DmdDialogueOutcome dmd_step_rcpt_to       (DmdDialogue *d);
DmdDialogueOutcome dmd_step_data          (DmdDialogue *d);

/* The thread that runs the table (data: a DmdWorker with server and port set). */
gpointer    dmd_checkup_dialogue_thread   (gpointer     data);

/* ------------------------------------------------------------------------------------------ */
/* Beside the dialogue                                                                        */

/* dmd-checkup-tls-versions.c: one probe per version on w's first address, in parallel (a
 * thread of its own: data is a clone of the dialogue's worker) … */
gpointer    dmd_checkup_tls_versions_thread (gpointer   data);
/* … and, on the caller's context once every worker is done, the check's summary. */
void        dmd_checkup_finish_tls_versions (DmdCheckup *self);

/* dmd-checkup-ports.c: when the chosen port cannot be reached, can another one be? Returns
 * the outcomes joined as evidence; lines into the connect check. */
char       *dmd_checkup_port_triage         (DmdWorker          *w,
                                             guint16             failed_port);
/* Mix-up detection: does the port speak TLS at once (implicit TLS, as 465 does)? */
gboolean    dmd_checkup_port_speaks_tls     (DmdWorker          *w,
                                             GInetSocketAddress *addr,
                                             gint64              deadline);
/* Mix-up detection: does the port greet in plain text (expecting STARTTLS)? The greeting's
 * first line, or NULL. */
char       *dmd_checkup_port_greets_in_plaintext (DmdWorker          *w,
                                                  GInetSocketAddress *addr);

G_END_DECLS
