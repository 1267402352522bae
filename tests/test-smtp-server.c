/* test-smtp-server.c — the scripted SMTP server: scenarios, replies, recording, misbehaviour
 *
 * The client side is DmdConn, so these tests also show that the project's own reader copes
 * with what the server does on purpose (endless replies, a 1 MiB line, invalid UTF-8, ...).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-conn.h"
#include "dmd-core-resources.h"
#include "dmd-smtp-server-private.h"

#define PASSWORD "Pr1nter-Pa55!word"

typedef struct {
  DmdSmtpServer *server;
  DmdConn       *conn;
} Fixture;

static DmdSmtpServer *
start_server (const char *ini,
              guint16    *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdSmtpScenario) sc = dmd_smtp_scenario_new_from_data (ini, -1, &error);
  DmdSmtpServer *server;

  g_assert_no_error (error);
  server = dmd_smtp_server_new (sc);
  *port = dmd_smtp_server_listen (server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (*port, !=, 0);
  return server;
}

static DmdConn *
connect_to (const char *address,
            guint16     port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (inet, port);
  DmdConn *conn = dmd_conn_connect (G_INET_SOCKET_ADDRESS (sa), dmd_deadline_in (5), NULL,
                                    &error);

  g_assert_no_error (error);
  return conn;
}

static void
fixture_start (Fixture    *f,
               const char *ini)
{
  guint16 port;

  f->server = start_server (ini, &port);
  f->conn = connect_to ("127.0.0.1", port);
}

static void
fixture_stop (Fixture *f)
{
  g_clear_pointer (&f->conn, dmd_conn_free);
  g_clear_pointer (&f->server, dmd_smtp_server_free);
}

static DmdReply *
read_reply (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  DmdReply *reply = dmd_conn_read_reply (f->conn, dmd_deadline_in (5), NULL, &error);

  g_assert_no_error (error);
  return reply;
}

static void
send_line (Fixture    *f,
           const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wire = g_strconcat (line, "\r\n", NULL);

  dmd_conn_write_all (f->conn, wire, strlen (wire), dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
}

/* Send a command, read the reply, return it as on the wire ("250-...\n250 ..."). */
static char *
command (Fixture    *f,
         const char *line)
{
  g_autoptr(DmdReply) reply = NULL;

  if (line != NULL)
    send_line (f, line);
  reply = read_reply (f);
  return dmd_reply_to_string (reply);
}

static void
assert_reply_prefix (Fixture    *f,
                     const char *line,
                     const char *prefix)
{
  g_autofree char *reply = command (f, line);

  if (!g_str_has_prefix (reply, prefix))
    g_error ("after %s: expected a reply starting \"%s\", got \"%s\"",
             line != NULL ? line : "(connect)", prefix, reply);
}

/* Every recorded event as one text, for searching. */
static char *
events_text (DmdSmtpServer *server)
{
  g_autoptr(GPtrArray) events = dmd_smtp_server_dup_events (server);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    {
      DmdSmtpEvent *e = g_ptr_array_index (events, i);

      g_string_append_printf (out, "%u %s %s\n", e->session,
                              dmd_smtp_event_kind_to_string (e->kind), e->text);
    }
  return g_string_free (out, FALSE);
}

/* ---- scenario validation ---- */

static void
test_scenario_errors (void)
{
  static const struct {
    const char *ini;
    const char *message_part;
  } cases[] = {
    { "[bogus]\nreply=1\n", "[bogus]" },
    { "[mail]\nrepyl=250 ok\n", "repyl" },
    { "[mail]\naction=explode\n", "explode" },
    { "[mail]\nreply=250 \\q\n", "\\q" },
    { "[mail]\nreply=250 \\x4\n", "two hex digits" },
    { "[server]\nprofile=exchange-on-premises\n", "exchange-on-premises" },
    { "[server]\npublic_ip=not-an-ip\n", "not-an-ip" },
    { "[tls]\nlegacy_below=TLS1.4\n", "TLS1.4" },
    { "[tls]\nclient_certificate=maybe\n", "maybe" },
    { "[banner]\ndelay=soon\n", "soon" },
    { "[auth:CRAM-MD5]\nreply=235 ok\n", "CRAM-MD5" },
    { "[helo:*]\nreply=250 x\n", "helo:*" },
    { "[rcpt:]\nreply=250 x\n", "empty pattern" },
    { "[data]\nclose_after=yes\n", "yes" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DmdSmtpScenario) sc = dmd_smtp_scenario_new_from_data (cases[i].ini, -1,
                                                                       &error);

      g_assert_null (sc);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": \"%s\" does not name \"%s\"", i, error->message,
                 cases[i].message_part);
    }
}

/* The profiles are files compiled into the engine: every one there is known by name, loads
 * as a scenario's profile, and answers the banner. */
static void
test_scenario_profiles (void)
{
  static const char dir[] = RESOURCE_BASE "/core/capture/profiles/";
  const char * const banner[] = { "banner", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) files = g_resource_enumerate_children (dmd_core_get_resource (), dir,
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autofree char *name = g_strndup (files[i], strlen (files[i]) - strlen (".ini"));
      g_autofree char *ini = g_strdup_printf ("[server]\nprofile=%s\n", name);
      g_autoptr(DmdSmtpScenario) sc = NULL;
      g_autofree char *reply = NULL;

      g_assert_true (g_str_has_suffix (files[i], ".ini"));
      sc = dmd_smtp_scenario_new_from_data (ini, -1, &error);
      g_assert_no_error (error);
      reply = _dmd_smtp_scenario_dup (sc, banner, "reply");
      g_assert_true (g_str_has_prefix (reply, "220 {hostname} "));
      n++;
    }
  g_assert_cmpuint (n, ==, 4);

  /* exchange-hve is read over exchange-submission: its own name, the rest inherited. */
  {
    const char * const server[] = { "server", NULL };
    const char * const auth[] = { "auth", NULL };
    g_autoptr(DmdSmtpScenario) sc =
      dmd_smtp_scenario_new_from_data ("[server]\nprofile=exchange-hve\n", -1, &error);
    g_autofree char *hostname = NULL;
    g_autofree char *mechanisms = NULL;

    g_assert_no_error (error);
    hostname = _dmd_smtp_scenario_dup (sc, server, "hostname");
    mechanisms = _dmd_smtp_scenario_dup (sc, auth, "mechanisms");
    g_assert_cmpstr (hostname, ==, "PH7PR17CA0004.outlook.office365.com");
    g_assert_cmpstr (mechanisms, ==, "LOGIN XOAUTH2");
  }
}

static void
test_scenario_runner_groups (void)
{
  static const char ini[] =
    "[server]\ndescription=runner groups are left alone\n"
    "[expect]\nfindings=auth-failed\nwhatever.key=1\n"
    "[cli]\noption=smtp-auth\n"
    "[x-notes]\nanything=goes\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdSmtpScenario) sc = dmd_smtp_scenario_new_from_data (ini, -1, &error);
  g_autofree char *findings = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (dmd_smtp_scenario_get_description (sc), ==, "runner groups are left alone");
  findings = g_key_file_get_string (dmd_smtp_scenario_get_key_file (sc), "expect", "findings",
                                    NULL);
  g_assert_cmpstr (findings, ==, "auth-failed");
}

/* ---- Exchange Online before STARTTLS ---- */

static void
test_exchange_plaintext (void)
{
  Fixture f = { 0 };
  g_autofree char *banner = NULL;
  g_autofree char *events = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autoptr(DmdEhlo) caps = NULL;

  fixture_start (&f, "[server]\npublic_ip=203.0.113.7\n");

  banner = command (&f, NULL);
  g_assert_true (g_str_has_prefix (banner, "220 BE1P281CA0440.outlook.office365.com Microsoft "
                                           "ESMTP MAIL Service ready at "));

  send_line (&f, "EHLO printer");
  reply = read_reply (&f);
  caps = dmd_ehlo_parse (reply);
  g_assert_cmpstr (caps->public_ip, ==, "203.0.113.7");
  g_assert_true (caps->starttls);
  g_assert_cmpuint (caps->auth_mechs->len, ==, 0);
  g_assert_true (caps->pipelining);
  g_assert_cmpuint (caps->size, ==, 157286400);

  assert_reply_prefix (&f, "AUTH LOGIN", "451 5.7.3 STARTTLS is required to send mail [");
  assert_reply_prefix (&f, "MAIL FROM:<scanner@contoso.com>",
                       "451 5.7.3 STARTTLS is required to send mail [");
  assert_reply_prefix (&f, "XYZZY", "500 5.3.3 Unrecognized command 'unknown' [");
  /* No certificate was given: STARTTLS is not available. */
  assert_reply_prefix (&f, "STARTTLS", "454 4.7.0 ");
  assert_reply_prefix (&f, "NOOP", "250 2.0.0 OK");
  assert_reply_prefix (&f, "QUIT", "221 2.0.0 ");

  dmd_smtp_server_stop (f.server);
  events = events_text (f.server);
  g_assert_nonnull (strstr (events, "1 open 127.0.0.1\n"));
  g_assert_nonnull (strstr (events, "1 cmd EHLO printer\n"));
  g_assert_nonnull (strstr (events, "1 cmd AUTH LOGIN\n"));
  g_assert_nonnull (strstr (events, "1 cmd XYZZY\n"));
  g_assert_nonnull (strstr (events, "1 close quit\n"));
  g_assert_cmpuint (dmd_smtp_server_count_commands (f.server, "mail from"), ==, 1);
  g_assert_cmpuint (dmd_smtp_server_get_n_sessions (f.server), ==, 1);
  fixture_stop (&f);
}

/* The trailer and the templates: {trailer} looks like Exchange's. */
static void
test_templates (void)
{
  Fixture f = { 0 };
  g_autofree char *reply = NULL;
  g_autoptr(GRegex) re = NULL;

  fixture_start (&f,
                 "[server]\nprofile=generic\nhostname=mx.test\ntrailer_host=AB1PR01CA0001.PROD\n"
                 "public_ip=2001:db8::7\n"
                 "[banner]\nreply=220-{hostname} {unknown} {\\n220 {trailer}\n"
                 "[noop]\nreply=250 [{client_ip}] {id}\n");
  reply = command (&f, NULL);
  re = g_regex_new ("^220-mx\\.test \\{unknown\\} \\{\\n220 \\[AB1PR01CA0001\\.PROD "
                    "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z [0-9A-F]{16}\\]$",
                    0, 0, NULL);
  if (!g_regex_match (re, reply, 0, NULL))
    g_error ("unexpected banner: %s", reply);
  g_free (reply);
  reply = command (&f, "NOOP");
  g_assert_true (g_str_has_prefix (reply, "250 [2001:db8::7] "));
  fixture_stop (&f);
}

/* ---- AUTH ---- */

static char *
b64 (const char *s,
     gsize       len)
{
  return g_base64_encode ((const guchar *) s, len);
}

static void
test_auth (void)
{
  static const char ini[] =
    "[server]\nprofile=generic\n"
    "[auth]\nusername=scanner@contoso.com\npassword=" PASSWORD "\ntoken=tok-123\n";
  Fixture f = { 0 };
  g_autofree char *user64 = b64 ("scanner@contoso.com", 19);
  g_autofree char *pass64 = b64 (PASSWORD, strlen (PASSWORD));
  g_autofree char *bad64 = b64 ("wrong", 5);
  g_autofree char *plain = NULL;
  g_autofree char *plain_cmd = NULL;
  g_autofree char *xoauth = NULL;
  g_autofree char *xoauth_cmd = NULL;
  g_autofree char *events = NULL;
  char plain_raw[] = "\0scanner@contoso.com\0" PASSWORD;
  static const char xoauth_raw[] = "user=scanner@contoso.com\001auth=Bearer tok-123\001\001";

  fixture_start (&f, ini);
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");

  /* LOGIN with the prompts Exchange sends, wrong password first. */
  assert_reply_prefix (&f, "AUTH LOGIN", "334 VXNlcm5hbWU6");
  assert_reply_prefix (&f, user64, "334 UGFzc3dvcmQ6");
  assert_reply_prefix (&f, bad64, "535 5.7.8 ");
  assert_reply_prefix (&f, "AUTH LOGIN", "334 VXNlcm5hbWU6");
  assert_reply_prefix (&f, user64, "334 UGFzc3dvcmQ6");
  assert_reply_prefix (&f, pass64, "235 2.7.0 ");
  assert_reply_prefix (&f, "AUTH LOGIN", "503 ");
  assert_reply_prefix (&f, "RSET", "250 ");
  assert_reply_prefix (&f, "QUIT", "221 ");
  g_clear_pointer (&f.conn, dmd_conn_free);

  /* PLAIN with an initial response, XOAUTH2 with the token. */
  f.conn = connect_to ("127.0.0.1", dmd_smtp_server_get_port (f.server));
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  plain = b64 (plain_raw, sizeof plain_raw - 1);
  plain_cmd = g_strconcat ("AUTH PLAIN ", plain, NULL);
  assert_reply_prefix (&f, plain_cmd, "235 ");
  g_clear_pointer (&f.conn, dmd_conn_free);

  f.conn = connect_to ("127.0.0.1", dmd_smtp_server_get_port (f.server));
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  xoauth = b64 (xoauth_raw, sizeof xoauth_raw - 1);
  xoauth_cmd = g_strconcat ("AUTH XOAUTH2 ", xoauth, NULL);
  assert_reply_prefix (&f, xoauth_cmd, "235 ");
  assert_reply_prefix (&f, "MAIL FROM:<scanner@contoso.com>", "250 ");
  g_clear_pointer (&f.conn, dmd_conn_free);

  dmd_smtp_server_stop (f.server);
  events = events_text (f.server);
  /* The secrets never reach the record, in clear or in base64. */
  g_assert_null (strstr (events, PASSWORD));
  g_assert_null (strstr (events, pass64));
  g_assert_null (strstr (events, user64));
  g_assert_null (strstr (events, plain));
  g_assert_null (strstr (events, xoauth));
  g_assert_null (strstr (events, "tok-123"));
  g_assert_nonnull (strstr (events, "cmd AUTH LOGIN\n"));
  g_assert_nonnull (strstr (events, "cmd [redacted]\n"));
  g_assert_nonnull (strstr (events, "cmd AUTH PLAIN [redacted]\n"));
  g_assert_nonnull (strstr (events, "cmd AUTH XOAUTH2 [redacted]\n"));
  g_assert_nonnull (strstr (events, "auth LOGIN user=scanner@contoso.com refused\n"));
  g_assert_nonnull (strstr (events, "auth LOGIN user=scanner@contoso.com accepted\n"));
  g_assert_nonnull (strstr (events, "auth PLAIN user=scanner@contoso.com accepted\n"));
  g_assert_nonnull (strstr (events, "auth XOAUTH2 user=scanner@contoso.com accepted\n"));
  g_assert_cmpuint (dmd_smtp_server_count_commands (f.server, "AUTH"), ==, 5);
  fixture_stop (&f);
}

/* A server that takes any login (as the capture listener does) still refuses what is not
 * base64: a device that sends its password raw is not signed in (issue 10). */
static void
test_auth_not_base64 (void)
{
  static const char ini[] = "[server]\nprofile=generic\n";
  Fixture f = { 0 };
  g_autofree char *user64 = b64 ("scanner@contoso.com", 19);
  g_autofree char *pass64 = b64 (PASSWORD, strlen (PASSWORD));
  g_autofree char *events = NULL;

  fixture_start (&f, ini);
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  assert_reply_prefix (&f, "AUTH LOGIN", "334 ");
  assert_reply_prefix (&f, user64, "334 ");
  assert_reply_prefix (&f, PASSWORD, "501 ");
  assert_reply_prefix (&f, "AUTH LOGIN", "334 ");
  assert_reply_prefix (&f, "scanner@contoso.com", "334 ");
  assert_reply_prefix (&f, pass64, "501 ");
  assert_reply_prefix (&f, "AUTH LOGIN", "334 ");
  assert_reply_prefix (&f, user64, "334 ");
  assert_reply_prefix (&f, "c2Vj=cmV0", "501 ");
  assert_reply_prefix (&f, "AUTH PLAIN not base64!", "501 ");
  assert_reply_prefix (&f, "AUTH XOAUTH2 dXNlcj1h$", "501 ");
  /* Any base64 passes, with or without its padding. */
  assert_reply_prefix (&f, "AUTH LOGIN", "334 ");
  assert_reply_prefix (&f, user64, "334 ");
  assert_reply_prefix (&f, "c2VjcmV0", "235 ");
  g_clear_pointer (&f.conn, dmd_conn_free);
  dmd_smtp_server_stop (f.server);
  events = events_text (f.server);
  g_assert_null (strstr (events, PASSWORD));
  g_assert_null (strstr (events, "refused\n"));
  g_assert_nonnull (strstr (events, "auth LOGIN user=scanner@contoso.com accepted\n"));
  fixture_stop (&f);
}

/* A scenario's AUTH reply per mechanism: LOGIN refused by policy, XOAUTH2 accepted. */
static void
test_auth_per_mechanism (void)
{
  static const char ini[] =
    "[server]\nprofile=generic\n"
    "[auth:LOGIN]\nreply=535 5.7.139 Authentication unsuccessful, basic authentication is "
    "disabled. {trailer}\n"
    "[auth:PLAIN]\nreply=504 5.7.4 Unrecognized authentication type\n";
  Fixture f = { 0 };
  g_autofree char *user64 = b64 ("a@b.c", 5);
  g_autofree char *xoauth = b64 ("user=a@b.c\001auth=Bearer t\001\001", 27);
  g_autofree char *xoauth_cmd = g_strconcat ("AUTH XOAUTH2 ", xoauth, NULL);

  fixture_start (&f, ini);
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  assert_reply_prefix (&f, "AUTH LOGIN", "334 VXNlcm5hbWU6");
  assert_reply_prefix (&f, user64, "334 UGFzc3dvcmQ6");
  assert_reply_prefix (&f, user64, "535 5.7.139 Authentication unsuccessful, basic");
  assert_reply_prefix (&f, "AUTH LOGIN *", "501 ");
  assert_reply_prefix (&f, "AUTH CRAM-MD5", "504 ");
  assert_reply_prefix (&f, xoauth_cmd, "235 ");
  fixture_stop (&f);
}

/* ---- MAIL / RCPT patterns, DATA ---- */

static void
test_patterns_and_data (void)
{
  static const char ini[] =
    "[server]\nprofile=exchange-mx\n"
    "[mail:blocked@*]\nreply=550 5.7.60 SMTP; Client does not have permissions to send as "
    "this sender\n"
    "[rcpt:*@FABRIKAM.example]\nreply=550 5.7.64 TenantAttribution; Relay Access Denied\n"
    "[rcpt:nobody@*]\nreply=550 5.4.1 Recipient address rejected: Access denied. "
    "AS(201806281)\n"
    "[data-end]\nreply=554 5.2.252 SendAsDenied; a@contoso.com not allowed to send as b\n";
  Fixture f = { 0 };
  g_autofree char *events = NULL;
  g_autoptr(GError) error = NULL;
  static const char message[] =
    "From: Scanner <scanner@contoso.com>\r\nSubject: test\r\n\r\nbody\r\n..dot\r\n.\r\n";

  fixture_start (&f, ini);
  assert_reply_prefix (&f, NULL, "220 SN1NAM02FT0049.mail.protection.outlook.com ");
  assert_reply_prefix (&f, "DATA", "503 ");
  assert_reply_prefix (&f, "RCPT TO:<a@contoso.com>", "503 ");
  assert_reply_prefix (&f, "MAIL FROM:<x@contoso.com>", "503 5.5.2 Send hello first");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  assert_reply_prefix (&f, "AUTH LOGIN", "504 5.7.4 ");
  assert_reply_prefix (&f, "MAIL FROM:<Blocked@contoso.com>", "550 5.7.60 ");
  assert_reply_prefix (&f, "MAIL FROM:<scanner@contoso.com> SIZE=100", "250 2.1.0 Sender OK");
  assert_reply_prefix (&f, "RCPT TO:<someone@fabrikam.example>", "550 5.7.64 ");
  assert_reply_prefix (&f, "RCPT TO:<nobody@contoso.com>", "550 5.4.1 ");
  assert_reply_prefix (&f, "DATA", "503 ");
  assert_reply_prefix (&f, "RCPT TO:<someone@contoso.com>", "250 2.1.5 Recipient OK");
  assert_reply_prefix (&f, "DATA", "354 ");
  dmd_conn_write_all (f.conn, message, sizeof message - 1, dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  assert_reply_prefix (&f, NULL, "554 5.2.252 SendAsDenied");
  assert_reply_prefix (&f, "QUIT", "221 ");

  dmd_smtp_server_stop (f.server);
  events = events_text (f.server);
  g_assert_nonnull (strstr (events, "message size=66 from=Scanner <scanner@contoso.com>\n"));
  fixture_stop (&f);
}

/* ---- misbehaviour ---- */

static void
expect_read_error (Fixture    *f,
                   const char *line,
                   GQuark      domain,
                   int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;

  if (line != NULL)
    send_line (f, line);
  reply = dmd_conn_read_reply (f->conn, dmd_deadline_in (5), NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, domain, code);
}

static void
test_endless_reply (void)
{
  Fixture f = { 0 };

  fixture_start (&f, "[ehlo]\naction=endless\n");
  assert_reply_prefix (&f, NULL, "220 ");
  expect_read_error (&f, "EHLO printer", DMD_CONN_ERROR, DMD_CONN_ERROR_REPLY_TOO_LONG);
  /* Hanging up ends the server's writing; stopping does not wait for anything. */
  g_clear_pointer (&f.conn, dmd_conn_free);
  fixture_stop (&f);
}

static void
test_long_line (void)
{
  Fixture f = { 0 };

  fixture_start (&f, "[banner]\naction=long-line\n");
  expect_read_error (&f, NULL, DMD_CONN_ERROR, DMD_CONN_ERROR_LINE_TOO_LONG);
  fixture_stop (&f);
}

static void
test_long_line_size (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  char *line = NULL;
  gsize len = 0;

  /* A line below the client's bound arrives whole, then the reply itself. */
  fixture_start (&f, "[banner]\naction=long-line\nlong_line=1000\nreply=220 ok\n");
  dmd_conn_read_line (f.conn, &line, &len, dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 1000);
  g_assert_true (g_str_has_prefix (line, "220-AAAA"));
  g_free (line);
  assert_reply_prefix (&f, NULL, "220 ok");
  fixture_stop (&f);
}

static void
test_close_mid_reply (void)
{
  Fixture f = { 0 };

  fixture_start (&f, "[ehlo]\naction=close-mid-reply\n");
  assert_reply_prefix (&f, NULL, "220 ");
  expect_read_error (&f, "EHLO printer", G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  fixture_stop (&f);
}

static void
test_close_after_banner (void)
{
  Fixture f = { 0 };

  fixture_start (&f, "[banner]\nclose_after=true\n");
  assert_reply_prefix (&f, NULL, "220 ");
  expect_read_error (&f, NULL, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  fixture_stop (&f);
}

static void
test_invalid_utf8 (void)
{
  Fixture f = { 0 };
  g_autoptr(DmdReply) reply = NULL;

  fixture_start (&f, "[banner]\nreply=220 caf\\xc3\\xa9 \\xff\\xfe ok\\x01\n");
  reply = read_reply (&f);
  g_assert_cmpuint (reply->code, ==, 220);
  g_assert_cmpstr (g_ptr_array_index (reply->lines, 0), ==, "café \\xFF\\xFE ok\\x01");
  fixture_stop (&f);
}

static void
test_raw_and_inject (void)
{
  Fixture f = { 0 };

  /* raw: exactly these bytes (bare LF here); inject: more bytes right after the reply. */
  fixture_start (&f, "[banner]\nraw=220 raw banner\\n\ninject=250 injected\\r\\n\n");
  assert_reply_prefix (&f, NULL, "220 raw banner");
  g_assert_true (dmd_conn_peek_pending (f.conn, dmd_deadline_in (5), NULL));
  assert_reply_prefix (&f, NULL, "250 injected");
  fixture_stop (&f);
}

static void
test_stall (void)
{
  Fixture f = { 0 };

  fixture_start (&f, "[mail]\naction=stall\nrequire_tls=false\nrequire_auth=false\n");
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  send_line (&f, "MAIL FROM:<a@contoso.com>");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DmdReply) reply = dmd_conn_read_reply (f.conn, dmd_deadline_in (0.2), NULL,
                                                     &error);

    g_assert_null (reply);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  }
  /* Lines sent while it stalls are still recorded; stop() ends the stall. */
  send_line (&f, "RSET");
  while (dmd_smtp_server_count_commands (f.server, "RSET") == 0)
    g_usleep (1000);
  dmd_smtp_server_stop (f.server);
  fixture_stop (&f);
}

static void
test_delay (void)
{
  Fixture f = { 0 };

  /* Behaviour, not timing: the reply comes after the delay and stop() is not blocked by it. */
  fixture_start (&f, "[banner]\ndelay=0.05\n[noop]\ndelay=30\n");
  assert_reply_prefix (&f, NULL, "220 ");
  send_line (&f, "NOOP");
  while (dmd_smtp_server_count_commands (f.server, "NOOP") == 0)
    g_usleep (1000);
  dmd_smtp_server_stop (f.server);
  fixture_stop (&f);
}

static void
test_ipv6 (void)
{
  g_autoptr(GError) error = NULL;
  guint16 port, port6;
  g_autoptr(DmdSmtpServer) server = start_server ("[server]\nprofile=generic\n", &port);
  Fixture f = { 0 };

  port6 = dmd_smtp_server_listen (server, "::1", 0, &error);
  if (port6 == 0)
    {
      g_test_skip ("no IPv6 loopback here");
      return;
    }
  g_assert_cmpuint (port6, ==, port);
  f.conn = connect_to ("::1", port);
  {
    g_autofree char *ehlo = NULL;

    assert_reply_prefix (&f, NULL, "220 ");
    ehlo = command (&f, "EHLO printer");
    g_assert_nonnull (strstr (ehlo, "Hello [::1]"));
  }
  g_clear_pointer (&f.conn, dmd_conn_free);
}

/* ---- TLS ---- */

static DmdSmtpServer *
start_tls_server (const char *ini,
                  const char *cert_name,
                  guint16    *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdSmtpScenario) sc = dmd_smtp_scenario_new_from_data (ini, -1, &error);
  g_autofree char *cert_base = g_strdup_printf ("test-%s.pem", cert_name);
  g_autofree char *cert = g_test_build_filename (G_TEST_BUILT, cert_base, NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_BUILT, "test-server-key.pem", NULL);
  DmdSmtpServer *server;

  g_assert_no_error (error);
  server = dmd_smtp_server_new (sc);
  dmd_smtp_server_set_certificate (server, cert, key, &error);
  g_assert_no_error (error);
  *port = dmd_smtp_server_listen (server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  return server;
}

static gboolean
client_tls (Fixture     *f,
            const char  *priority,
            DmdTlsInfo **info,
            GError     **error)
{
  g_autofree char *ca = g_test_build_filename (G_TEST_BUILT, "test-ca.pem", NULL);

  return dmd_conn_start_tls_client (f->conn, "smtp.office365.com", priority, ca,
                                    dmd_deadline_in (5), NULL, info, error);
}

static void
test_tls_starttls (void)
{
  Fixture f = { 0 };
  guint16 port;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autoptr(DmdEhlo) caps = NULL;
  g_autofree char *events = NULL;

  f.server = start_tls_server ("[server]\npublic_ip=203.0.113.7\n", "server", &port);
  f.conn = connect_to ("127.0.0.1", port);
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  assert_reply_prefix (&f, "STARTTLS", "220 2.0.0 SMTP server ready");
  g_assert_true (client_tls (&f, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_true (info->verified);
  g_assert_cmpstr (info->version, ==, "TLS1.3");

  /* After TLS: MAIL needs AUTH, EHLO offers LOGIN and XOAUTH2 (no PLAIN, no STARTTLS). */
  assert_reply_prefix (&f, "MAIL FROM:<a@contoso.com>", "503 5.5.2 Send hello first");
  send_line (&f, "EHLO printer");
  reply = read_reply (&f);
  caps = dmd_ehlo_parse (reply);
  g_assert_false (caps->starttls);
  g_assert_true (caps->auth_login);
  g_assert_true (caps->auth_xoauth2);
  g_assert_false (caps->auth_plain);
  g_assert_cmpstr (caps->public_ip, ==, "203.0.113.7");
  assert_reply_prefix (&f, "MAIL FROM:<a@contoso.com>", "530 5.7.57 Client not authenticated");
  assert_reply_prefix (&f, "STARTTLS", "503 ");
  assert_reply_prefix (&f, "QUIT", "221 ");
  dmd_smtp_server_stop (f.server);
  events = events_text (f.server);
  g_assert_nonnull (strstr (events, "1 tls TLS1.3 cipher="));
  g_assert_nonnull (strstr (events, " sni=smtp.office365.com\n"));
  fixture_stop (&f);
}

/* Exchange's answer to a TLS 1.0/1.1 handshake: it completes, then 421 4.7.66 and close. */
static void
test_tls_legacy (void)
{
  static const char * const versions[] = { "+VERS-TLS1.0", "+VERS-TLS1.1" };

  for (gsize i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      Fixture f = { 0 };
      guint16 port;
      g_autoptr(GError) error = NULL;
      g_autoptr(DmdTlsInfo) info = NULL;
      g_autofree char *priority = g_strconcat ("NORMAL:-VERS-ALL:", versions[i], NULL);

      f.server = start_tls_server ("", "server", &port);
      f.conn = connect_to ("127.0.0.1", port);
      assert_reply_prefix (&f, NULL, "220 ");
      assert_reply_prefix (&f, "EHLO printer", "250-");
      assert_reply_prefix (&f, "STARTTLS", "220 ");
      g_assert_true (client_tls (&f, priority, &info, &error));
      g_assert_no_error (error);
      assert_reply_prefix (&f, "EHLO printer",
                           "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update "
                           "your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls");
      expect_read_error (&f, NULL, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
      fixture_stop (&f);
    }
}

/* A server that only speaks TLS 1.3 refuses a TLS 1.2 client in the handshake. */
static void
test_tls_priority (void)
{
  Fixture f = { 0 };
  guint16 port;
  g_autoptr(GError) error = NULL;
  g_autofree char *events = NULL;

  f.server = start_tls_server ("[tls]\npriority=NORMAL:-VERS-ALL:+VERS-TLS1.3\n", "server", &port);
  f.conn = connect_to ("127.0.0.1", port);
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  assert_reply_prefix (&f, "STARTTLS", "220 ");
  g_assert_false (client_tls (&f, "NORMAL:-VERS-ALL:+VERS-TLS1.2", NULL, &error));
  g_assert_nonnull (error);
  g_clear_pointer (&f.conn, dmd_conn_free);
  dmd_smtp_server_stop (f.server);
  events = events_text (f.server);
  g_assert_nonnull (strstr (events, "1 tls failed: "));
  fixture_stop (&f);
}

/* Plaintext injected after the 220: the project's client refuses to start TLS. */
static void
test_tls_injection (void)
{
  Fixture f = { 0 };
  guint16 port;
  g_autoptr(GError) error = NULL;

  f.server = start_tls_server ("[starttls]\ninject=250-injected\\r\\n\n", "server", &port);
  f.conn = connect_to ("127.0.0.1", port);
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  assert_reply_prefix (&f, "STARTTLS", "220 ");
  dmd_conn_peek_pending (f.conn, dmd_deadline_in (5), NULL);
  g_assert_false (client_tls (&f, NULL, NULL, &error));
  g_assert_error (error, DMD_CONN_ERROR, DMD_CONN_ERROR_INJECTION);
  fixture_stop (&f);
}

/* The server side refuses too: a command pipelined after STARTTLS is an injection. */
static void
test_tls_injection_server_side (void)
{
  Fixture f = { 0 };
  guint16 port;
  g_autofree char *events = NULL;

  f.server = start_tls_server ("", "server", &port);
  f.conn = connect_to ("127.0.0.1", port);
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  send_line (&f, "STARTTLS\r\nNOOP");
  assert_reply_prefix (&f, NULL, "220 ");
  expect_read_error (&f, NULL, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  dmd_smtp_server_stop (f.server);
  events = events_text (f.server);
  g_assert_nonnull (strstr (events, "1 tls failed: "));
  g_assert_null (strstr (events, "cmd NOOP"));
  fixture_stop (&f);
}

/* Implicit TLS: the handshake first, then the banner inside TLS. */
static void
test_tls_implicit (void)
{
  Fixture f = { 0 };
  guint16 port;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdTlsInfo) info = NULL;

  f.server = start_tls_server ("[server]\nprofile=generic\n[tls]\nimplicit=true\n", "server",
                               &port);
  f.conn = connect_to ("127.0.0.1", port);
  g_assert_true (client_tls (&f, NULL, &info, &error));
  g_assert_no_error (error);
  assert_reply_prefix (&f, NULL, "220 mail.example.test ESMTP");
  fixture_stop (&f);
}

/* The scenario's certificate is what the client sees (here: expired). */
static void
test_tls_certificate (void)
{
  Fixture f = { 0 };
  guint16 port;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdTlsInfo) info = NULL;

  f.server = start_tls_server ("", "expired", &port);
  f.conn = connect_to ("127.0.0.1", port);
  assert_reply_prefix (&f, NULL, "220 ");
  assert_reply_prefix (&f, "EHLO printer", "250-");
  assert_reply_prefix (&f, "STARTTLS", "220 ");
  g_assert_true (client_tls (&f, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_false (info->verified);
  g_assert_true (info->verify_status & GNUTLS_CERT_EXPIRED);
  fixture_stop (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dmd/smtp-server/scenario/errors", test_scenario_errors);
  g_test_add_func ("/dmd/smtp-server/scenario/profiles", test_scenario_profiles);
  g_test_add_func ("/dmd/smtp-server/scenario/runner-groups", test_scenario_runner_groups);
  g_test_add_func ("/dmd/smtp-server/exchange/plaintext", test_exchange_plaintext);
  g_test_add_func ("/dmd/smtp-server/templates", test_templates);
  g_test_add_func ("/dmd/smtp-server/auth/credentials", test_auth);
  g_test_add_func ("/dmd/smtp-server/auth/per-mechanism", test_auth_per_mechanism);
  g_test_add_func ("/dmd/smtp-server/auth/not-base64", test_auth_not_base64);
  g_test_add_func ("/dmd/smtp-server/patterns-and-data", test_patterns_and_data);
  g_test_add_func ("/dmd/smtp-server/misbehaviour/endless-reply", test_endless_reply);
  g_test_add_func ("/dmd/smtp-server/misbehaviour/long-line", test_long_line);
  g_test_add_func ("/dmd/smtp-server/misbehaviour/long-line-size", test_long_line_size);
  g_test_add_func ("/dmd/smtp-server/misbehaviour/close-mid-reply", test_close_mid_reply);
  g_test_add_func ("/dmd/smtp-server/misbehaviour/close-after-banner", test_close_after_banner);
  g_test_add_func ("/dmd/smtp-server/misbehaviour/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/dmd/smtp-server/misbehaviour/raw-and-inject", test_raw_and_inject);
  g_test_add_func ("/dmd/smtp-server/misbehaviour/stall", test_stall);
  g_test_add_func ("/dmd/smtp-server/misbehaviour/delay", test_delay);
  g_test_add_func ("/dmd/smtp-server/ipv6", test_ipv6);
  g_test_add_func ("/dmd/smtp-server/tls/starttls", test_tls_starttls);
  g_test_add_func ("/dmd/smtp-server/tls/legacy-421", test_tls_legacy);
  g_test_add_func ("/dmd/smtp-server/tls/priority", test_tls_priority);
  g_test_add_func ("/dmd/smtp-server/tls/injection", test_tls_injection);
  g_test_add_func ("/dmd/smtp-server/tls/injection-server-side", test_tls_injection_server_side);
  g_test_add_func ("/dmd/smtp-server/tls/implicit", test_tls_implicit);
  g_test_add_func ("/dmd/smtp-server/tls/certificate", test_tls_certificate);

  return g_test_run ();
}
