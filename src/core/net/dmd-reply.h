/* dmd-reply.h — SMTP replies and the bounded line buffer they are read through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/* Bounds: a hostile server cannot make us hold more than this. */
#define DMD_REPLY_MAX_LINE   4096   /* bytes per line, CRLF excluded (RFC 5321 says 512) */
#define DMD_REPLY_MAX_LINES  128    /* lines per multi-line reply */

/* A parsed SMTP reply. Lines are stored without the code prefix and without CRLF,
 * already made safe: valid UTF-8, control characters and invalid bytes escaped as \xNN. */
typedef struct {
  guint      code;         /* 3-digit basic code, 0 when none could be parsed */
  guint      enh_class;    /* enhanced status code class.subject.detail, all 0 when absent */
  guint      enh_subject;
  guint      enh_detail;
  GPtrArray *lines;        /* char*, text after "NNN-" / "NNN " (enhanced code kept) */
} DmdReply;

DmdReply   *dmd_reply_new            (void);
void        dmd_reply_free           (DmdReply       *reply);
gboolean    dmd_reply_has_enhanced   (const DmdReply *reply);
gboolean    dmd_reply_enhanced_is    (const DmdReply *reply,
                                      guint           klass,
                                      guint           subject,
                                      guint           detail);
/* All lines joined with "\n", each prefixed with its code ("250-..." / "250 ...") as on the
 * wire; a reply without a basic code (pasted "5.7.57 …") gives its lines alone. */
char       *dmd_reply_to_string      (const DmdReply *reply);
/* Text of all lines joined by a space, enhanced code removed: for keyword matching. */
char       *dmd_reply_text           (const DmdReply *reply);

/* Parse one or more reply lines (as pasted by a user: CRLF or LF separated, with or without
 * the "NNN-" continuation form) into a reply. Returns NULL when no line has a code.
 *
 * Tolerated: CR, LF or CRLF line ends; blank lines; leading/trailing white space; transcript
 * prefixes made of punctuation ("<<< ", "< ", "S: ", "[S] "); a missing continuation dash; a
 * line without a code continues the text of the reply before it; a basic code later in the
 * line when an enhanced code follows it ("Remote Server returned '550 5.7.1 …'",
 * "Diagnostic-Code: smtp; 550 5.7.1 …"); no basic code at all when the line starts with an
 * enhanced code ("5.7.57 SMTP; Client was not authenticated …" → code 0, enhanced 5.7.57).
 * Lines marked as client lines ("C: ", ">>> ", "-> ") end a reply and are skipped.
 * When the text holds several replies (a pasted transcript: consecutive lines with the same
 * code form one reply), the first reply with a 4xx/5xx code (or an enhanced class 4/5) is
 * returned — that is what the user wants explained —, else the last one. Bounded like wire
 * replies (DMD_REPLY_MAX_LINES lines, DMD_REPLY_MAX_LINE bytes of text per line). */
DmdReply   *dmd_reply_parse_text     (const char     *text);

/* Parse an RFC 3463 enhanced status code ("5.7.139") at the very start of text: class 2, 4
 * or 5, subject and detail 0-999 (1-3 digits), and it must not be followed by a digit, a "."
 * or a letter ("5.7.606" is never 5.7.60; "4.2.1.1" is no code). *consumed (may be NULL)
 * gets the length of the code. */
gboolean    dmd_enhanced_code_parse  (const char     *text,
                                      guint          *klass,
                                      guint          *subject,
                                      guint          *detail,
                                      gsize          *consumed);

/* Escape bytes for display: valid UTF-8 kept, invalid bytes and control characters (C0 but
 * tab, DEL, C1, the bidirectional overrides and isolates) as \xNN of their bytes. The result
 * is always valid UTF-8. */
char       *dmd_escape_bytes         (const guint8   *data,
                                      gsize           len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdReply, dmd_reply_free)

/* EHLO capabilities. */
typedef struct {
  char      *greeting;      /* first line: "host Hello [ip]" */
  char      *public_ip;     /* from "Hello [IP]" (IPv4 or IPv6, "IPv6:" prefix removed), or NULL */
  gboolean   starttls;
  gboolean   pipelining;
  gboolean   enhancedstatuscodes;
  gboolean   smtputf8;
  gboolean   eightbitmime;
  gboolean   chunking;
  guint64    size;          /* 0 when not announced */
  gboolean   auth_login;
  gboolean   auth_plain;
  gboolean   auth_xoauth2;
  GPtrArray *auth_mechs;    /* char*, upper case, all announced mechanisms */
  GPtrArray *keywords;      /* char*, every capability line as sent */
} DmdEhlo;

/* NULL unless reply->code is 250. Keywords match case-insensitively; "AUTH=LOGIN PLAIN" (the
 * old form) counts as AUTH. */
DmdEhlo    *dmd_ehlo_parse           (const DmdReply *reply);
void        dmd_ehlo_free            (DmdEhlo        *ehlo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdEhlo, dmd_ehlo_free)

/* Extract the address in "Hello [203.0.113.7]" / "[IPv6:2001:db8::1]" from a greeting line;
 * validated with GInetAddress and returned in its canonical form. NULL when there is none. */
char       *dmd_ehlo_extract_ip      (const char     *greeting);

/* The bounded line buffer. Bytes are pushed in (from a socket or TLS session),
 * complete lines are taken out. */
typedef struct _DmdLineBuffer DmdLineBuffer;

typedef enum {
  DMD_LINE_OK,          /* a line was returned */
  DMD_LINE_NEED_MORE,   /* no complete line buffered yet */
  DMD_LINE_TOO_LONG,    /* a line exceeded DMD_REPLY_MAX_LINE: protocol error */
} DmdLineStatus;

DmdLineBuffer *dmd_line_buffer_new       (void);
void           dmd_line_buffer_free      (DmdLineBuffer *buf);
void           dmd_line_buffer_push      (DmdLineBuffer *buf,
                                          const guint8  *data,
                                          gsize          len);
/* On DMD_LINE_OK *line is the line without CR/LF (raw bytes, NUL-terminated, may contain
 * invalid UTF-8 or NULs; escape before display), newly allocated (g_free), and *len its length.
 * Bare LF ends a line too; a lone CR does not. DMD_LINE_TOO_LONG is returned once per
 * over-long line, in its place among the lines (an over-long line is never held beyond
 * MAX_LINE + 3 bytes; the rest of it is dropped as it arrives); the lines after it are
 * returned normally. Otherwise *line is NULL. */
DmdLineStatus  dmd_line_buffer_take_line (DmdLineBuffer *buf,
                                          char         **line,
                                          gsize         *len);
/* Bytes still buffered (must be 0 when handing the socket to TLS: STARTTLS injection). */
gsize          dmd_line_buffer_pending   (DmdLineBuffer *buf);
void           dmd_line_buffer_clear     (DmdLineBuffer *buf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdLineBuffer, dmd_line_buffer_free)

/* Incremental reply assembly from lines: feed lines until it returns TRUE (reply complete)
 * or sets an error (malformed: mixed codes, no code, too many lines). A line is
 * "NNN-text" (more follow), "NNN text" or "NNN" (last), N a digit and the first one 2-5.
 * Errors are DMD_REPLY_ERROR with a translated message quoting the (escaped) line; after an
 * error or a steal the reader starts a new reply. */
typedef enum {
  DMD_REPLY_ERROR_MALFORMED,       /* not an SMTP reply line */
  DMD_REPLY_ERROR_MIXED_CODES,     /* the lines of one reply carry different codes */
  DMD_REPLY_ERROR_TOO_MANY_LINES,  /* more than DMD_REPLY_MAX_LINES */
} DmdReplyError;
#define DMD_REPLY_ERROR (dmd_reply_error_quark ())
GQuark          dmd_reply_error_quark     (void);

typedef struct _DmdReplyReader DmdReplyReader;
DmdReplyReader *dmd_reply_reader_new      (void);
void            dmd_reply_reader_free     (DmdReplyReader *reader);
gboolean        dmd_reply_reader_feed     (DmdReplyReader *reader,
                                           const char     *line,
                                           gsize           len,
                                           GError        **error);
/* The completed reply (NULL before dmd_reply_reader_feed() returned TRUE). */
DmdReply       *dmd_reply_reader_steal    (DmdReplyReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdReplyReader, dmd_reply_reader_free)

G_END_DECLS
