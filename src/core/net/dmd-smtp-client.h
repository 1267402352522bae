/* dmd-smtp-client.h — the client side of one SMTP dialogue over a DmdConn
 *
 * Blocking (runs in a checkup worker thread), every step bounded by the step timeout and the
 * cancellable: one deadline per step (a command and its reply, the whole AUTH exchange, DATA
 * with the message and its reply), computed when the step begins. Every line sent and received is reported through the line callback, already
 * escaped; AUTH payloads are reported as "[redacted]" and never kept anywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <gio/gio.h>

#include "dmd-conn.h"
#include "dmd-enums.h"
#include "dmd-reply.h"

G_BEGIN_DECLS

typedef void (*DmdSmtpLineFunc) (char        dir,
                                 const char *text,
                                 gpointer    user_data);

typedef struct _DmdSmtpClient DmdSmtpClient;

DmdSmtpClient *dmd_smtp_client_new          (DmdConn          *conn,          /* takes ownership */
                                             double            step_timeout,
                                             GCancellable     *cancellable,
                                             DmdSmtpLineFunc   line_func,
                                             gpointer          user_data);
void           dmd_smtp_client_free         (DmdSmtpClient    *client);
DmdConn       *dmd_smtp_client_get_conn     (DmdSmtpClient    *client);

/* Read the server greeting (within the step timeout, or by `deadline`). */
DmdReply      *dmd_smtp_client_read_banner  (DmdSmtpClient    *client,
                                             GError          **error);
DmdReply      *dmd_smtp_client_read_banner_until (DmdSmtpClient *client,
                                                  gint64         deadline,
                                                  GError       **error);
/* Send one command line (no CRLF) and read its reply. `shown` is what the transcript
 * records instead of the line (NULL: the line itself). */
DmdReply      *dmd_smtp_client_command      (DmdSmtpClient    *client,
                                             const char       *line,
                                             const char       *shown,
                                             GError          **error);
/* EHLO; on a 250 reply fills *ehlo. */
DmdReply      *dmd_smtp_client_ehlo         (DmdSmtpClient    *client,
                                             const char       *name,
                                             DmdEhlo         **ehlo,
                                             GError          **error);
/* Send several commands in one write (PIPELINING) and read one reply each. Returns the
 * replies read (may be fewer than the commands when an error stopped it). */
GPtrArray     *dmd_smtp_client_pipeline     (DmdSmtpClient    *client,
                                             const char *const *lines,
                                             GError          **error);
/* AUTH with the given mechanism. The secret is a password (LOGIN, PLAIN) or a bearer token
 * (XOAUTH2). Returns the final reply (235 on success). *step_reply is not kept. */
DmdReply      *dmd_smtp_client_auth         (DmdSmtpClient    *client,
                                             DmdAuthMech       mech,
                                             const char       *username,
                                             const char       *secret,
                                             GError          **error);
/* DATA, the message (dot-stuffed here; CRLF line ends), end of data. Returns the reply to the
 * DATA command when it is not 354, else the reply after the message. */
DmdReply      *dmd_smtp_client_data         (DmdSmtpClient    *client,
                                             const char       *message,
                                             GError          **error);
/* QUIT, reading the reply with a short bound; errors ignored. Closes the connection. */
void           dmd_smtp_client_quit         (DmdSmtpClient    *client);

/* A proper test message: Date, Message-ID, From, To, Subject with a timestamp, MIME headers,
 * CRLF line ends (not yet dot-stuffed). */
char          *dmd_smtp_build_test_message  (const char       *from,
                                             const char       *to,
                                             GDateTime        *now);
/* Dot-stuff a message and normalise line ends to CRLF; appends the final "CRLF.CRLF". */
char          *dmd_smtp_dot_stuff           (const char       *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdSmtpClient, dmd_smtp_client_free)

G_END_DECLS
