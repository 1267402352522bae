/* dmd-capture-record.c — what the scripted server saw, turned into a DmdCaptureSession
 *
 * Called on the server's threads (serialised, under the capture's lock) for each event of
 * one connection: the record is updated and the lines to show are added, each already safe
 * to show. Nothing here knows about the main context (dmd-capture.c posts the lines there).
 * A line the device sends outside the dialogue is never shown as it is: it could be a
 * credential sent at the wrong moment.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>

#include "dmd-capture-private.h"
#include "dmd-conn.h"
#include "dmd-reply.h"
#include "dmd-report-util.h"

void
_dmd_capture_log_line_free (DmdCaptureLogLine *line)
{
  g_free (line->text);
  g_free (line);
}

/* Takes ownership of text (already safe to show). */
static void
add_line (GPtrArray *lines,
          char       dir,
          char      *text)
{
  DmdCaptureLogLine *line = g_new0 (DmdCaptureLogLine, 1);

  line->dir = dir;
  line->text = text;
  g_ptr_array_add (lines, line);
}

/* "::ffff:192.0.2.7" (a dual-stack socket's view of an IPv4 client) → "192.0.2.7". */
static char *
normalise_address (const char *text)
{
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (text);

  if (addr != NULL && g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6)
    {
      const guint8 *b = g_inet_address_to_bytes (addr);
      static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

      if (memcmp (b, mapped, sizeof mapped) == 0)
        {
          g_autoptr(GInetAddress) v4 = g_inet_address_new_from_bytes (b + 12,
                                                                      G_SOCKET_FAMILY_IPV4);
          return g_inet_address_to_string (v4);
        }
    }
  return g_strdup (text);
}

static char *
escape_raw (const char *raw)
{
  if (raw == NULL)
    return NULL;
  return dmd_escape_bytes ((const guint8 *) raw, strlen (raw));
}

/* The address of "MAIL FROM:<a@b> SIZE=1" / "RCPT TO:<a@b>" (already escaped text). */
static char *
command_address (const char *arg)
{
  const char *colon = strchr (arg, ':');
  const char *lt;
  const char *gt;

  if (colon == NULL)
    return g_strdup ("");
  arg = colon + 1;
  while (*arg == ' ')
    arg++;
  lt = strchr (arg, '<');
  gt = lt != NULL ? strchr (lt, '>') : NULL;
  if (lt != NULL && gt != NULL)
    return g_strndup (lt + 1, gt - lt - 1);
  /* Without brackets (not RFC 5321, but devices do it): up to the first space. */
  gt = strchr (arg, ' ');
  return gt != NULL ? g_strndup (arg, gt - arg) : g_strdup (arg);
}

/* Certificate alerts a client sends when it does not trust the server's certificate. */
static gboolean
is_certificate_alert (const GError *error)
{
  const char *open;
  guint64 alert;

  if (error == NULL || !g_error_matches (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS_ALERT))
    return FALSE;
  /* DmdConn's message ends with the alert's number: "… “Unknown CA” (48)". */
  open = strrchr (error->message, '(');
  if (open == NULL || !g_ascii_isdigit (open[1]))
    return FALSE;
  alert = g_ascii_strtoull (open + 1, NULL, 10);
  switch (alert)
    {
    case GNUTLS_A_BAD_CERTIFICATE:
    case GNUTLS_A_UNSUPPORTED_CERTIFICATE:
    case GNUTLS_A_CERTIFICATE_REVOKED:
    case GNUTLS_A_CERTIFICATE_EXPIRED:
    case GNUTLS_A_CERTIFICATE_UNKNOWN:
    case GNUTLS_A_UNKNOWN_CA:
      return TRUE;
    default:
      return FALSE;
    }
}

/* In TLS 1.3 the client's alert is encrypted. GnuTLS 3.7 cannot read the one OpenSSL clients
 * send when they refuse the certificate (it reports a decryption failure, as gnutls-serv
 * does), so a TLS 1.3 handshake that fails that way, after our certificate went out, is
 * taken as a rejected certificate too, and said to be a guess. */
static gboolean
is_unreadable_tls13_alert (const GError         *error,
                           const DmdClientHello *hello)
{
  const char *decrypt = gnutls_strerror (GNUTLS_E_DECRYPTION_FAILED);

  return error != NULL && g_error_matches (error, DMD_CONN_ERROR, DMD_CONN_ERROR_TLS) &&
         hello != NULL && g_strcmp0 (hello->max_version, dmd_tls_version_name (DMD_TLS13)) == 0 &&
         decrypt != NULL && strstr (error->message, decrypt) != NULL;
}

void
_dmd_capture_append_hello_details (GString              *out,
                                   const DmdClientHello *hello)
{
  if (hello->supported_versions->len > 0)
    {
      g_autofree char *list = dmd_report_join (hello->supported_versions, ", ");

      g_string_append_printf (out, " (supported_versions: %s)", list);
    }
  /* Translators: between the items of a list ("TLS 1.2, TLS 1.3"); Japanese uses "、" */
  g_string_append (out, C_("list separator", ", "));
  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%u cipher suite",
                                            "%u cipher suites", hello->cipher_suites->len),
                          hello->cipher_suites->len);
  g_string_append (out, C_("list separator", ", "));
  if (hello->sni != NULL)
    /* Translators: %s is the server name the device asked for. */
    g_string_append_printf (out, _("server name “%s”"), hello->sni);
  else
    g_string_append (out, _("no server name (SNI)"));
}

static char *
describe_hello (const DmdClientHello *hello)
{
  GString *out = g_string_new (NULL);

  /* Translators: %s is a TLS version such as "TLS1.2". */
  g_string_append_printf (out, _("ClientHello: up to %s"),
                          hello->max_version != NULL ? hello->max_version : "?");
  _dmd_capture_append_hello_details (out, hello);
  return g_string_free (out, FALSE);
}

/* Other SMTP verbs a device may send; anything else is not shown at all (a device's AUTH
 * payload sent at the wrong moment would otherwise be). */
static gboolean
looks_like_verb (const char *word)
{
  static const char * const verbs[] = {
    "ETRN", "TURN", "ATRN", "SEND", "SOML", "SAML", "VERB", "ONEX", "XCLIENT", "XFORWARD",
    "XEXCH50", "X-EXPS", "X-LINK2STATE", "LHLO", NULL
  };

  return g_strv_contains (verbs, word);
}

static void
record_command (DmdCaptureSession *rec,
                GPtrArray         *lines,
                const char        *text)
{
  const char *sp = strchr (text, ' ');
  g_autofree char *verb = g_ascii_strup (text, sp != NULL ? sp - text : -1);
  const char *arg = sp != NULL ? sp + 1 : "";
  static const char * const shown_verbs[] = {
    "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT",
    "VRFY", "EXPN", "HELP", "[REDACTED]", "[REDACTED,", "(LINE", NULL
  };

  if (g_str_equal (verb, "EHLO") || g_str_equal (verb, "HELO"))
    {
      if (rec->ehlo == NULL)
        {
          rec->ehlo = g_strdup (arg);
          rec->helo = g_str_equal (verb, "HELO");
        }
    }
  else if (g_str_equal (verb, "STARTTLS"))
    rec->starttls = TRUE;
  else if (g_str_equal (verb, "AUTH"))
    {
      if (rec->tls_version == NULL)
        rec->auth_before_tls = TRUE;
    }
  else if (g_str_equal (verb, "MAIL"))
    {
      if (rec->mail_from == NULL)
        rec->mail_from = command_address (arg);
    }
  else if (g_str_equal (verb, "RCPT"))
    {
      g_autofree char *addr = command_address (arg);
      gboolean known = FALSE;

      for (guint i = 0; i < rec->recipients->len; i++)
        if (g_ascii_strcasecmp (g_ptr_array_index (rec->recipients, i), addr) == 0)
          known = TRUE;
      if (!known && rec->recipients->len < 1000)
        g_ptr_array_add (rec->recipients, g_steal_pointer (&addr));
    }

  /* Lines the device sends outside the dialogue are shown by their first word only, and only
   * when it looks like a command: they could be anything, even a credential (in base64) sent
   * at the wrong moment. */
  if (g_strv_contains (shown_verbs, verb))
    add_line (lines, 'C', g_strdup (text));
  else if (looks_like_verb (verb))
    add_line (lines, 'C', g_strdup_printf ("%s …", verb));
  else
    add_line (lines, 'C', g_strdup (_("(a line that is not an SMTP command; not shown)")));
}

static void
record_tls (DmdCaptureSession  *rec,
            GPtrArray          *lines,
            const DmdSmtpEvent *event)
{
  const DmdSmtpEventDetail *detail = event->detail;
  const DmdClientHello *hello = detail != NULL && detail->conn != NULL
                                ? dmd_conn_get_client_hello (detail->conn) : NULL;

  if (detail != NULL && detail->implicit_tls)
    {
      rec->implicit_tls = TRUE;
      add_line (lines, 'I', g_strdup (_("The device started TLS at once, without STARTTLS "
                                        "(implicit TLS)")));
    }
  if (hello != NULL && rec->client_hello == NULL)
    {
      rec->client_hello = dmd_client_hello_copy (hello);
      add_line (lines, 'I', describe_hello (hello));
    }

  if (detail != NULL && detail->error != NULL)
    {
      g_free (rec->tls_failure);
      rec->certificate_rejected = is_certificate_alert (detail->error);
      if (!rec->certificate_rejected && is_unreadable_tls13_alert (detail->error, hello))
        {
          g_autofree char *reason = escape_raw (detail->error->message);

          rec->certificate_rejected = TRUE;
          /* Translators: %s is GnuTLS's reason ("Decryption has failed."). */
          rec->tls_failure = g_strdup_printf (_("the device ended the TLS 1.3 handshake with an "
                                                "encrypted alert, most likely because it does "
                                                "not trust this computer’s certificate (%s)"),
                                              reason);
        }
      else
        rec->tls_failure = escape_raw (detail->error->message);
      if (rec->certificate_rejected)
        /* Translators: %s is the reason, e.g. the alert the device sent. */
        add_line (lines, 'I', g_strdup_printf (_("The device rejected this computer’s "
                                                 "certificate: %s"), rec->tls_failure));
      else
        /* Translators: %s is the reason the TLS handshake failed. */
        add_line (lines, 'I', g_strdup_printf (_("TLS handshake failed: %s"),
                                               rec->tls_failure));
      return;
    }

  /* "TLS1.2 cipher=TLS_… sni=…" */
  {
    g_auto(GStrv) words = g_strsplit (event->text, " ", -1);

    g_free (rec->tls_version);
    rec->tls_version = g_strdup (words[0] != NULL ? words[0] : "?");
    for (guint i = 0; words[0] != NULL && words[i] != NULL; i++)
      if (g_str_has_prefix (words[i], "cipher="))
        {
          g_free (rec->tls_cipher);
          rec->tls_cipher = g_strdup (words[i] + strlen ("cipher="));
        }
    /* Translators: the first %s is a TLS version, the second a cipher suite. */
    add_line (lines, 'I', g_strdup_printf (_("TLS started: %s, %s"), rec->tls_version,
                                           rec->tls_cipher != NULL ? rec->tls_cipher : "?"));
  }
}

static void
record_auth (DmdCaptureSession  *rec,
             GPtrArray          *lines,
             const DmdSmtpEvent *event)
{
  const DmdSmtpEventDetail *detail = event->detail;

  if (detail == NULL)
    return;
  g_free (rec->auth_mechanism);
  rec->auth_mechanism = escape_raw (detail->mechanism);
  g_free (rec->auth_username);
  rec->auth_username = escape_raw (detail->username);
  rec->auth_password_sent = detail->secret_sent;

  if (detail->secret_sent)
    /* Translators: the first %s is a user name, the second an AUTH mechanism (LOGIN). */
    add_line (lines, 'I', g_strdup_printf (_("Signed in as “%s” with %s; a password or token "
                                             "was sent (never recorded)"),
                                           rec->auth_username ? rec->auth_username : "",
                                           rec->auth_mechanism));
  else
    /* Translators: the first %s is a user name, the second an AUTH mechanism (LOGIN). */
    add_line (lines, 'I', g_strdup_printf (_("Signed in as “%s” with %s, without a password "
                                             "or token"),
                                           rec->auth_username ? rec->auth_username : "",
                                           rec->auth_mechanism));
}

/* The From: header of a message, unfolded, or NULL. */
static char *
header_from (GPtrArray *headers)
{
  for (guint i = 0; i < headers->len; i++)
    {
      const char *line = g_ptr_array_index (headers, i);

      if (g_ascii_strncasecmp (line, "From:", 5) == 0)
        {
          GString *value = g_string_new (line + 5);

          for (guint j = i + 1; j < headers->len; j++)
            {
              const char *next = g_ptr_array_index (headers, j);

              if (next[0] != ' ' && next[0] != '\t')
                break;
              g_string_append (value, next);
            }
          g_strstrip (value->str);
          value->len = strlen (value->str);
          return g_string_free (value, FALSE);
        }
    }
  return NULL;
}

static void
record_message (DmdCaptureSession  *rec,
                GPtrArray          *lines,
                const DmdSmtpEvent *event)
{
  const DmdSmtpEventDetail *detail = event->detail;
  g_autofree char *from = NULL;
  g_autofree char *size = NULL;

  rec->n_messages++;
  rec->completed = TRUE;
  if (detail != NULL && detail->headers != NULL)
    {
      g_ptr_array_set_size (rec->headers, 0);
      for (guint i = 0; i < detail->headers->len; i++)
        g_ptr_array_add (rec->headers, escape_raw (g_ptr_array_index (detail->headers, i)));
      from = header_from (rec->headers);
      rec->size = detail->size;
    }
  if (from != NULL && rec->header_from == NULL)
    rec->header_from = g_strdup (from);

  size = g_format_size_full (rec->size, G_FORMAT_SIZE_LONG_FORMAT);
  /* Translators: the first %s is a size ("48.2 kB (48,213 bytes)"), the second the From
   * header of the message. */
  add_line (lines, 'I', g_strdup_printf (_("Message received: %s, From: %s (the message "
                                           "itself is discarded)"),
                                         size, from != NULL ? from : "—"));
}

DmdCaptureRecorded
_dmd_capture_record_event (DmdCaptureSession  *rec,
                           const DmdSmtpEvent *event,
                           GPtrArray          *lines)
{
  switch (event->kind)
    {
    case DMD_SMTP_EVENT_SESSION_OPEN:
      g_free (rec->client);
      rec->client = normalise_address (event->text);
      /* Translators: %s is the device's IP address. */
      add_line (lines, 'I', g_strdup_printf (_("Connection from %s"), rec->client));
      return DMD_CAPTURE_RECORDED_OPENED;

    case DMD_SMTP_EVENT_COMMAND:
      record_command (rec, lines, event->text);
      return DMD_CAPTURE_RECORDED;

    case DMD_SMTP_EVENT_REPLY:
      add_line (lines, 'S', g_strdup (event->text));
      return DMD_CAPTURE_RECORDED;

    case DMD_SMTP_EVENT_TLS:
      record_tls (rec, lines, event);
      return DMD_CAPTURE_RECORDED;

    case DMD_SMTP_EVENT_AUTH:
      record_auth (rec, lines, event);
      return DMD_CAPTURE_RECORDED;

    case DMD_SMTP_EVENT_MESSAGE:
      record_message (rec, lines, event);
      return DMD_CAPTURE_RECORDED;

    case DMD_SMTP_EVENT_SESSION_CLOSE:
    default:
      rec->closed = TRUE;
      g_free (rec->close_reason);
      rec->close_reason = g_strdup (event->text);
      /* Translators: %s says why, e.g. "quit" or "client closed". */
      add_line (lines, 'I', g_strdup_printf (_("Connection closed (%s)"), event->text));
      return DMD_CAPTURE_RECORDED_CLOSED;
    }
}
