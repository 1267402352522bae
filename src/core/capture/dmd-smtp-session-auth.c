/* dmd-smtp-session-auth.c — the scripted server's TLS and AUTH
 *
 * TLS: the handshake after STARTTLS's 220 or at once (implicit TLS), which versions it
 * accepts, Exchange's answer after a TLS 1.0/1.1 handshake, client certificates (asked for,
 * required, verified against the trusted ones). AUTH: LOGIN, PLAIN and XOAUTH2 as the
 * scenario says, per mechanism; a password or token is only decoded when the scenario has
 * one to compare (or repeats it, [auth] echo=true) and is wiped at once. The record shows
 * every AUTH line as "[redacted]".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gnutls/gnutls.h>

#include "dmd-conn.h"
#include "dmd-reply.h"
#include "dmd-smtp-server-private.h"
#include "dmd-smtp-token.h"
#include "dmd-tls.h"

/* ------------------------------------------------------------------------------------------ */
/* TLS                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* [tls] client_certificate: whether to ask for a client certificate, and with "verify" to
 * refuse an untrusted one in the handshake. */
static void
session_setup_client_cert (DmdSmtpSession *s)
{
  const char * const groups[] = { "tls", NULL };
  g_autofree char *mode = _dmd_smtp_scenario_dup (s->sc, groups, "client_certificate");

  if (mode == NULL || g_str_equal (mode, "ignore"))
    return;
  s->client_cert_required = !g_str_equal (mode, "request");
  dmd_conn_set_client_cert_request (s->conn, s->client_cert_required ? GNUTLS_CERT_REQUIRE
                                                                     : GNUTLS_CERT_REQUEST);
  if (g_str_equal (mode, "verify"))
    {
      const char * const none[] = { NULL };

      const char * const *trusted = (const char * const *) s->server->trusted_clients;

      dmd_conn_set_trusted_client_certs (s->conn, trusted != NULL ? trusted : none);
    }
}

/* After refusing a client certificate with an alert: with TLS 1.3 the client finished its
 * handshake already and sends a command. Closing with that command unread would answer it
 * with a reset, which can destroy the alert before the client reads it; read and drop what
 * comes until the client hangs up (at most 2 s), as a server that shuts down cleanly does. */
static void
session_linger (DmdSmtpSession *s)
{
  GSocket *sock = dmd_conn_get_socket (s->conn);
  gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  g_socket_shutdown (sock, FALSE, TRUE, NULL);
  for (;;)
    {
      char buf[1024];
      gint64 remaining = until - g_get_monotonic_time ();

      if (remaining <= 0 ||
          !g_socket_condition_timed_wait (sock, G_IO_IN, remaining, s->cancellable, NULL) ||
          g_socket_receive (sock, buf, sizeof buf, s->cancellable, NULL) <= 0)
        return;
    }
}

/* With trusted client certificates set, a session whose TLS carried none of them is refused
 * at RCPT TO (as Exchange Online refuses relay that no connector claims). */
gboolean
_dmd_smtp_session_client_untrusted (DmdSmtpSession *s)
{
  if (s->server->trusted_clients == NULL)
    return FALSE;
  return s->client_cert == NULL ||
         !g_strv_contains ((const char * const *) s->server->trusted_clients, s->client_cert);
}

/* The handshake (after the 220 to STARTTLS, or at once for implicit TLS). Afterwards the
 * session starts over (RFC 3207: forget EHLO and AUTH). */
DmdSmtpStep
_dmd_smtp_session_start_tls (DmdSmtpSession *s)
{
  const char * const groups[] = { "tls", NULL };
  g_autofree char *priority = _dmd_smtp_scenario_dup (s->sc, groups, "priority");
  g_autofree char *below = _dmd_smtp_scenario_dup (s->sc, groups, "legacy_below");
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  DmdSmtpEventDetail detail = { NULL, };
  int below_index;

  detail.implicit_tls = s->implicit_tls;
  session_setup_client_cert (s);
  if (!dmd_conn_start_tls_server (s->conn, s->server->creds, priority,
                                  dmd_deadline_in (s->idle_timeout), s->cancellable, &info,
                                  &error))
    {
      note = g_strdup_printf ("failed: %s", error->message);
      detail.error = error;
      _dmd_smtp_session_emit_detail (s, DMD_SMTP_EVENT_TLS, note, &detail);
      s->close_reason = g_strdup_printf ("TLS handshake failed: %s", error->message);
      if (s->client_cert_required)
        session_linger (s);
      return DMD_SMTP_STEP_END;
    }

  s->tls = TRUE;
  s->hello = FALSE;
  s->authed = FALSE;
  _dmd_smtp_session_reset_transaction (s);

  below_index = below != NULL ? dmd_tls_version_index (below) : -1;
  if (below_index >= 0 && dmd_tls_version_index (info->version) < below_index
      && _dmd_smtp_scenario_lookup (s->sc, groups, "legacy_reply") != NULL)
    s->legacy_tls = TRUE;

  g_clear_pointer (&s->client_cert, g_free);
  if (info->chain->len > 0)
    s->client_cert = g_strdup (((DmdCertInfo *) g_ptr_array_index (info->chain, 0))->sha256);
  note = g_strdup_printf ("%s cipher=%s sni=%s%s%s%s", info->version,
                          info->cipher != NULL ? info->cipher : "?",
                          info->sni != NULL ? info->sni : "(none)",
                          info->chain->len > 0 ? " client_cert=" : "",
                          info->chain->len > 0 && s->client_cert != NULL ? s->client_cert : "",
                          s->legacy_tls ? " (legacy: every command gets legacy_reply)" : "");
  _dmd_smtp_session_emit_detail (s, DMD_SMTP_EVENT_TLS, note, &detail);
  if (_dmd_smtp_scenario_bool (s->sc, groups, "close_after_handshake"))
    {
      s->close_reason = g_strdup ("closed after the TLS handshake by scenario");
      return DMD_SMTP_STEP_END;
    }
  return DMD_SMTP_STEP_CONTINUE;
}

/* ------------------------------------------------------------------------------------------ */
/* AUTH                                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void
secret_free (char  *secret,
             gsize  len)
{
  if (secret == NULL)
    return;
  memset (secret, 0, len);
  g_free (secret);
}

static void
base64_free (guchar *data,
             gsize   len)
{
  secret_free ((char *) data, len);
}

/* Read one AUTH continuation line (recorded as "[redacted]"). NULL when the session ended. */
static char *
session_read_auth_line (DmdSmtpSession *s,
                        gsize          *len)
{
  gboolean too_long;
  char *line = _dmd_smtp_session_read_line (s, s->idle_timeout, len, &too_long);

  if (line != NULL)
    _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_COMMAND,
                            too_long ? "[redacted, too long]" : "[redacted]");
  return line;
}

/* RFC 4954 responses are base64 (RFC 4648): its alphabet, "=" only as the final padding.
 * g_base64_decode() skips what it does not know, so a client that sends its password raw
 * would otherwise be taken at its word. */
static gboolean
is_base64 (const char *text,
           gsize       len)
{
  gsize pad = 0;

  while (pad < 2 && pad < len && text[len - 1 - pad] == '=')
    pad++;
  if (pad > 0 && len % 4 != 0)
    return FALSE;
  if (len % 4 == 1)
    return FALSE;
  for (gsize i = 0; i < len - pad; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/')
      return FALSE;
  return TRUE;
}

static gboolean
str_equal0 (const char *a,
            const char *b)
{
  return a != NULL && b != NULL && g_str_equal (a, b);
}

/* [auth] echo=true: a careless or hostile server that repeats the credentials in its answer
 * ({auth_payload}, {auth_secret}); the client must keep them out of everything it stores. */
void
_dmd_smtp_session_clear_echo (DmdSmtpSession *s)
{
  if (s->echo_payload != NULL)
    secret_free (s->echo_payload, strlen (s->echo_payload));
  if (s->echo_secret != NULL)
    secret_free (s->echo_secret, strlen (s->echo_secret));
  s->echo_payload = NULL;
  s->echo_secret = NULL;
}

/* One AUTH command: what the scenario wants, and what the client sent. */
typedef struct {
  const char * const *groups;         /* [auth:MECH], [auth] */
  const char         *mech;           /* upper case */
  const char         *initial;        /* the initial response, or NULL */
  char               *want_user;      /* [auth] username, password, token: only these pass */
  char               *want_password;
  char               *want_token;
  char               *token_check;    /* [auth] token_check=exchange: judge the claims */
  char               *app_mailboxes;  /* [auth] app_mailboxes: an app-only token's mailboxes */
  char               *app_role;       /* [auth] app_role: its application permission */
  gboolean            echo;           /* [auth] echo=true */

  char               *user;           /* as decoded, or NULL */
  char               *password;       /* only when one is wanted or echoed; wiped */
  gsize               password_len;
  char               *token;          /* only when one is wanted; wiped */
  gsize               token_len;
  gboolean            secret_sent;    /* a non-empty password or token was sent */
} AuthExchange;

static void
auth_wipe_secrets (AuthExchange *x)
{
  secret_free (x->password, x->password_len);
  secret_free (x->token, x->token_len);
  x->password = x->token = NULL;
  x->password_len = x->token_len = 0;
}

static void
auth_exchange_clear (AuthExchange *x)
{
  g_free (x->want_user);
  g_free (x->want_password);
  g_free (x->want_token);
  g_free (x->token_check);
  g_free (x->app_mailboxes);
  g_free (x->app_role);
  g_free (x->user);
  auth_wipe_secrets (x);
}

/* How reading a mechanism's responses ended. */
typedef enum {
  AUTH_READ_DONE,    /* the credentials are in the exchange */
  AUTH_READ_ENDED,   /* the session ended */
} AuthRead;

static DmdSmtpStep
auth_answer (DmdSmtpSession *s,
             AuthExchange   *x,
             const char     *key)
{
  return _dmd_smtp_session_answer (s, x->groups, key, NULL);
}

/* The initial response, or the answer to the prompt `prompt_key`. NULL when the session
 * ended. */
static char *
auth_read_response (DmdSmtpSession *s,
                    AuthExchange   *x,
                    const char     *prompt_key,
                    gsize          *len)
{
  if (x->initial != NULL)
    {
      *len = strlen (x->initial);
      return g_strdup (x->initial);
    }
  if (auth_answer (s, x, prompt_key) == DMD_SMTP_STEP_END)
    return NULL;
  return session_read_auth_line (s, len);
}

/* LOGIN: the user name, then the password, each base64 after its prompt. *refusal: the
 * reply key to answer with instead (cancelled, bad syntax). */
static AuthRead
auth_read_login (DmdSmtpSession  *s,
                 AuthExchange    *x,
                 const char     **refusal)
{
  g_autofree char *user_b64 = NULL;
  char *pass_b64 = NULL;
  gsize len = 0, pass_b64_len = 0;
  guchar *decoded;

  user_b64 = auth_read_response (s, x, "prompt_username", &len);
  if (user_b64 == NULL)
    return AUTH_READ_ENDED;
  if (g_str_equal (user_b64, "*"))
    {
      *refusal = "reply_cancelled";
      return AUTH_READ_DONE;
    }
  if (auth_answer (s, x, "prompt_password") == DMD_SMTP_STEP_END)
    return AUTH_READ_ENDED;
  pass_b64 = session_read_auth_line (s, &pass_b64_len);
  if (pass_b64 == NULL)
    return AUTH_READ_ENDED;
  if (g_str_equal (pass_b64, "*"))
    *refusal = "reply_cancelled";
  else if (!is_base64 (user_b64, strlen (user_b64)) || !is_base64 (pass_b64, pass_b64_len))
    *refusal = "reply_syntax";
  if (*refusal != NULL)
    {
      secret_free (pass_b64, pass_b64_len);
      return AUTH_READ_DONE;
    }

  decoded = g_base64_decode (user_b64, &len);
  x->user = g_strndup ((const char *) decoded, len);
  g_free (decoded);
  x->secret_sent = pass_b64_len > 0;
  /* The password is only decoded when there is one to compare it with (or to echo). */
  if (x->want_password != NULL || x->echo)
    {
      decoded = g_base64_decode (pass_b64, &len);
      x->password = g_strndup ((const char *) decoded, len);
      x->password_len = len;
      base64_free (decoded, len);
    }
  if (x->echo)
    {
      s->echo_payload = g_strndup (pass_b64, pass_b64_len);
      s->echo_secret = g_strdup (x->password);
    }
  secret_free (pass_b64, pass_b64_len);
  return AUTH_READ_DONE;
}

/* PLAIN: authzid NUL authcid NUL passwd */
static void
auth_parse_plain (DmdSmtpSession *s,
                  AuthExchange   *x,
                  const guchar   *decoded,
                  gsize           len)
{
  const guchar *nul1 = memchr (decoded, 0, len);
  const guchar *nul2 = nul1 != NULL ? memchr (nul1 + 1, 0, len - (nul1 + 1 - decoded)) : NULL;
  gsize secret_len;

  if (nul2 == NULL)
    return;
  secret_len = len - (nul2 + 1 - decoded);
  x->user = g_strndup ((const char *) nul1 + 1, nul2 - nul1 - 1);
  x->secret_sent = secret_len > 0;
  if (x->want_password != NULL || x->echo)
    {
      x->password_len = secret_len;
      x->password = g_strndup ((const char *) nul2 + 1, x->password_len);
    }
  if (x->echo)
    s->echo_secret = g_strdup (x->password);
}

/* XOAUTH2: "user=" user ^A "auth=Bearer " token ^A ^A */
static void
auth_parse_xoauth2 (DmdSmtpSession *s,
                    AuthExchange   *x,
                    const guchar   *decoded,
                    gsize           len)
{
  g_autofree char *text = g_strndup ((const char *) decoded, len);
  g_auto(GStrv) fields = g_strsplit (text, "\x01", -1);

  for (gsize i = 0; fields[i] != NULL; i++)
    {
      if (g_str_has_prefix (fields[i], "user="))
        {
          g_free (x->user);
          x->user = g_strdup (fields[i] + 5);
        }
      else if (g_ascii_strncasecmp (fields[i], "auth=Bearer ", 12) == 0)
        {
          x->secret_sent = fields[i][12] != '\0';
          if (x->echo)
            {
              g_free (s->echo_secret);
              s->echo_secret = g_strdup (fields[i] + 12);
            }
          if (x->want_token == NULL && x->token_check == NULL)
            continue;
          secret_free (x->token, x->token_len);
          x->token_len = strlen (fields[i] + 12);
          x->token = g_strdup (fields[i] + 12);
        }
    }
  for (gsize i = 0; fields[i] != NULL; i++)
    memset (fields[i], 0, strlen (fields[i]));
  memset (text, 0, len);
}

/* PLAIN and XOAUTH2: one base64 blob, as the initial response or after the prompt. */
static AuthRead
auth_read_blob (DmdSmtpSession  *s,
                AuthExchange    *x,
                const char     **refusal)
{
  char *b64 = NULL;
  gsize b64_len = 0, len = 0;
  guchar *decoded;

  b64 = auth_read_response (s, x, "prompt", &b64_len);
  if (b64 == NULL)
    return AUTH_READ_ENDED;
  if (g_str_equal (b64, "*"))
    *refusal = "reply_cancelled";
  else if (!is_base64 (b64, b64_len))
    *refusal = "reply_syntax";
  if (*refusal != NULL)
    {
      secret_free (b64, b64_len);
      return AUTH_READ_DONE;
    }
  decoded = g_base64_decode (b64, &len);
  if (x->echo)
    s->echo_payload = g_strndup (b64, b64_len);
  secret_free (b64, b64_len);

  if (g_str_equal (x->mech, "PLAIN"))
    auth_parse_plain (s, x, decoded, len);
  else
    auth_parse_xoauth2 (s, x, decoded, len);
  base64_free (decoded, len);
  if (x->user == NULL)
    *refusal = "reply_syntax";
  return AUTH_READ_DONE;
}

static gboolean
auth_mechanism_offered (DmdSmtpSession *s,
                        AuthExchange   *x)
{
  g_autofree char *mechanisms = _dmd_smtp_scenario_dup (s->sc, x->groups, "mechanisms");
  g_auto(GStrv) list = g_strsplit (mechanisms != NULL ? mechanisms : "", " ", -1);

  for (gsize i = 0; list[i] != NULL; i++)
    if (*list[i] != '\0' && g_ascii_strcasecmp (list[i], x->mech) == 0)
      return TRUE;
  return FALSE;
}

/* Whether the credentials sent are the ones the scenario wants (any, when it names none). */
static gboolean
auth_credentials_ok (AuthExchange *x)
{
  if (x->want_user != NULL
      && (x->user == NULL || g_ascii_strcasecmp (x->want_user, x->user) != 0))
    return FALSE;
  if (g_str_equal (x->mech, "XOAUTH2"))
    return (x->want_token == NULL || str_equal0 (x->want_token, x->token)) &&
           (x->token_check == NULL ||
            _dmd_smtp_token_acceptable (x->token, x->user, x->app_mailboxes, x->app_role,
                                        g_get_real_time () / G_USEC_PER_SEC));
  return x->want_password == NULL || str_equal0 (x->want_password, x->password);
}

/* The answer to credentials: reply (235: signed in) or reply_fail, the Gmail-style XOAUTH2
 * error challenge first when the scenario has one; then the AUTH event. */
static DmdSmtpStep
auth_conclude (DmdSmtpSession *s,
               AuthExchange   *x,
               gboolean        creds_ok)
{
  DmdSmtpEventDetail detail = { NULL, };
  g_autofree char *note = NULL;
  g_autofree char *shown = NULL;
  DmdSmtpStep res;
  guint code = 0;

  if (!creds_ok && g_str_equal (x->mech, "XOAUTH2")
      && _dmd_smtp_scenario_lookup (s->sc, x->groups, "xoauth2_error") != NULL)
    {
      /* The client answers the error challenge with an empty line. */
      gsize len;
      g_autofree char *ack = NULL;

      if (auth_answer (s, x, "xoauth2_error") == DMD_SMTP_STEP_END)
        return DMD_SMTP_STEP_END;
      ack = session_read_auth_line (s, &len);
      if (ack == NULL)
        return DMD_SMTP_STEP_END;
    }

  res = _dmd_smtp_session_answer (s, x->groups, creds_ok ? "reply" : "reply_fail", &code);
  _dmd_smtp_session_clear_echo (s);
  if (code == 235)
    s->authed = TRUE;

  note = g_strdup_printf ("%s user=%s %s", x->mech, x->user != NULL ? x->user : "",
                          code == 235 ? "accepted" : "refused");
  shown = dmd_escape_bytes ((const guint8 *) note, strlen (note));
  detail.mechanism = x->mech;
  detail.username = x->user;
  detail.secret_sent = x->secret_sent;
  _dmd_smtp_session_emit_detail (s, DMD_SMTP_EVENT_AUTH, shown, &detail);
  return res;
}

DmdSmtpStep
_dmd_smtp_session_auth (DmdSmtpSession *s,
                        const char     *arg)
{
  g_auto(GStrv) parts = g_strsplit (arg, " ", 2);
  g_autofree char *mech = g_ascii_strup (parts[0] != NULL ? parts[0] : "", -1);
  g_autofree char *group_mech = g_strconcat ("auth:", mech, NULL);
  const char * const groups[] = { group_mech, "auth", NULL };
  AuthExchange x = { groups, mech, parts[0] != NULL ? parts[1] : NULL, };
  const char *refusal = NULL;
  AuthRead outcome;
  DmdSmtpStep res;

  _dmd_smtp_session_clear_echo (s);
  if (s->authed)
    return auth_answer (s, &x, "reply_already");
  if (!s->tls && _dmd_smtp_scenario_bool (s->sc, groups, "require_tls"))
    return auth_answer (s, &x, "reply_no_tls");
  if (!auth_mechanism_offered (s, &x)
      || !(g_str_equal (mech, "LOGIN") || g_str_equal (mech, "PLAIN")
           || g_str_equal (mech, "XOAUTH2")))
    return auth_answer (s, &x, "reply_unknown_mechanism");

  x.want_user = _dmd_smtp_scenario_dup (s->sc, groups, "username");
  x.want_password = _dmd_smtp_scenario_dup (s->sc, groups, "password");
  x.want_token = _dmd_smtp_scenario_dup (s->sc, groups, "token");
  x.token_check = _dmd_smtp_scenario_dup (s->sc, groups, "token_check");
  x.app_mailboxes = _dmd_smtp_scenario_dup (s->sc, groups, "app_mailboxes");
  x.app_role = _dmd_smtp_scenario_dup (s->sc, groups, "app_role");
  x.echo = _dmd_smtp_scenario_bool (s->sc, groups, "echo");
  if (g_str_equal (mech, "LOGIN"))
    outcome = auth_read_login (s, &x, &refusal);
  else
    outcome = auth_read_blob (s, &x, &refusal);

  if (outcome == AUTH_READ_ENDED)
    {
      res = DMD_SMTP_STEP_END;
    }
  else if (refusal != NULL)
    {
      auth_wipe_secrets (&x);
      res = auth_answer (s, &x, refusal);
    }
  else
    {
      gboolean creds_ok = auth_credentials_ok (&x);

      auth_wipe_secrets (&x);
      res = auth_conclude (s, &x, creds_ok);
    }
  auth_exchange_clear (&x);
  return res;
}
