/* test-reply.c — the bounded line buffer, reply assembly and parsing, EHLO capabilities
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-reply.h"

/* ---------------------------------------------------------------------------------------- */
/* Line buffer                                                                               */
/* ---------------------------------------------------------------------------------------- */

static void
push_str (DmdLineBuffer *buf,
          const char    *s)
{
  dmd_line_buffer_push (buf, (const guint8 *) s, strlen (s));
}

static void
assert_line (DmdLineBuffer *buf,
             const char    *expected,
             gsize          expected_len)
{
  g_autofree char *line = NULL;
  gsize len = 0;

  g_assert_cmpint (dmd_line_buffer_take_line (buf, &line, &len), ==, DMD_LINE_OK);
  g_assert_cmpuint (len, ==, expected_len);
  g_assert_cmpmem (line, len, expected, expected_len);
  g_assert_cmpint (line[len], ==, '\0');
}

static void
assert_status (DmdLineBuffer *buf,
               DmdLineStatus  expected)
{
  g_autofree char *line = NULL;
  gsize len = 42;

  g_assert_cmpint (dmd_line_buffer_take_line (buf, &line, &len), ==, expected);
  g_assert_null (line);
  g_assert_cmpuint (len, ==, 0);
}

static void
test_line_crlf_and_lf (void)
{
  g_autoptr(DmdLineBuffer) buf = dmd_line_buffer_new ();

  assert_status (buf, DMD_LINE_NEED_MORE);
  push_str (buf, "220 ready\r\n250-a\n250 b\r\n\r\n");
  assert_line (buf, "220 ready", 9);
  assert_line (buf, "250-a", 5);
  assert_line (buf, "250 b", 5);
  assert_line (buf, "", 0);
  assert_status (buf, DMD_LINE_NEED_MORE);
  g_assert_cmpuint (dmd_line_buffer_pending (buf), ==, 0);

  /* A bare CR inside a line does not end it; only the CR before LF is stripped. */
  push_str (buf, "a\rb\r\r\n");
  assert_line (buf, "a\rb\r", 4);
}

static void
test_line_split_pushes (void)
{
  g_autoptr(DmdLineBuffer) buf = dmd_line_buffer_new ();
  const char *wire = "250-SIZE 157286400\r\n250 SMTPUTF8\r\n";

  /* Byte by byte, including a CR and its LF in separate pushes. */
  for (gsize i = 0; wire[i] != '\0'; i++)
    {
      dmd_line_buffer_push (buf, (const guint8 *) wire + i, 1);
      if (i == 19)
        assert_line (buf, "250-SIZE 157286400", 18);
      else if (i != 33)
        assert_status (buf, DMD_LINE_NEED_MORE);
    }
  assert_line (buf, "250 SMTPUTF8", 12);
  g_assert_cmpuint (dmd_line_buffer_pending (buf), ==, 0);
}

static void
test_line_pending (void)
{
  g_autoptr(DmdLineBuffer) buf = dmd_line_buffer_new ();

  /* STARTTLS injection: the 220 and the injected command arrive together. */
  push_str (buf, "220 2.0.0 SMTP server ready\r\nMAIL FROM:<evil@example.com>\r\n");
  assert_line (buf, "220 2.0.0 SMTP server ready", 27);
  g_assert_cmpuint (dmd_line_buffer_pending (buf), ==, 30);
  dmd_line_buffer_clear (buf);
  g_assert_cmpuint (dmd_line_buffer_pending (buf), ==, 0);
  assert_status (buf, DMD_LINE_NEED_MORE);

  push_str (buf, "partial");
  assert_status (buf, DMD_LINE_NEED_MORE);
  g_assert_cmpuint (dmd_line_buffer_pending (buf), ==, 7);
}

static void
test_line_nul_and_binary (void)
{
  g_autoptr(DmdLineBuffer) buf = dmd_line_buffer_new ();
  static const guint8 wire[] = { '2', '5', '0', ' ', 0x00, 0xff, 'x', '\r', '\n' };

  dmd_line_buffer_push (buf, wire, sizeof wire);
  assert_line (buf, "250 \0\xffx", 7);
}

static void
test_line_max_exact (void)
{
  g_autoptr(DmdLineBuffer) buf = dmd_line_buffer_new ();
  g_autofree char *max = g_strnfill (DMD_REPLY_MAX_LINE, 'a');

  /* Exactly MAX_LINE bytes, then CR, then (separately) LF: accepted. */
  push_str (buf, max);
  assert_status (buf, DMD_LINE_NEED_MORE);
  push_str (buf, "\r");
  assert_status (buf, DMD_LINE_NEED_MORE);
  push_str (buf, "\n");
  assert_line (buf, max, DMD_REPLY_MAX_LINE);

  /* MAX_LINE + 1 with a bare LF: too long. */
  push_str (buf, max);
  push_str (buf, "b\n250 next\r\n");
  assert_status (buf, DMD_LINE_TOO_LONG);
  assert_line (buf, "250 next", 8);
}

static void
test_line_too_long_stream (void)
{
  g_autoptr(DmdLineBuffer) buf = dmd_line_buffer_new ();
  g_autofree char *chunk = g_strnfill (8192, 'x');

  /* 1 MiB without a line end: memory stays bounded, one TOO_LONG, then resync. */
  push_str (buf, "250-first\r\n");
  for (int i = 0; i < 128; i++)
    {
      push_str (buf, chunk);
      g_assert_cmpuint (dmd_line_buffer_pending (buf), <=, 11 + DMD_REPLY_MAX_LINE + 3);
    }
  push_str (buf, "tail\r\n250 after\r\n");
  assert_line (buf, "250-first", 9);
  assert_status (buf, DMD_LINE_TOO_LONG);
  assert_line (buf, "250 after", 9);
  assert_status (buf, DMD_LINE_NEED_MORE);

  /* Taking lines while the long one arrives: TOO_LONG as soon as it is certain. */
  for (int i = 0; i < 4; i++)
    {
      push_str (buf, chunk);
      assert_status (buf, i == 0 ? DMD_LINE_TOO_LONG : DMD_LINE_NEED_MORE);
    }
  push_str (buf, "\n220 ok\n");
  assert_line (buf, "220 ok", 6);

  /* A whole over-long line in one push. */
  {
    g_autofree char *big = g_strdup_printf ("%s\r\n250 x\r\n", chunk);

    push_str (buf, big);
    assert_status (buf, DMD_LINE_TOO_LONG);
    assert_line (buf, "250 x", 5);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Reply reader                                                                              */
/* ---------------------------------------------------------------------------------------- */

/* Feeds the lines of `wire` (LF separated) to a reader; returns the reply or the error. */
static DmdReply *
read_wire (const char  *wire,
           GError     **error)
{
  g_autoptr(DmdReplyReader) reader = dmd_reply_reader_new ();
  g_auto(GStrv) lines = g_strsplit (wire, "\n", -1);

  if (lines[0] == NULL)
    {
      g_assert_false (dmd_reply_reader_feed (reader, "", 0, error));
      return NULL;
    }

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (dmd_reply_reader_feed (reader, lines[i], strlen (lines[i]), error))
        {
          g_assert_null (lines[i + 1]);
          return dmd_reply_reader_steal (reader);
        }
      if (error != NULL && *error != NULL)
        return NULL;
      g_assert_null (dmd_reply_reader_steal (reader));
    }
  return NULL;
}

typedef struct {
  const char *wire;
  guint       code;
  guint       klass, subject, detail;
  guint       n_lines;
  const char *text;        /* dmd_reply_text() */
} ReplyCase;

static const ReplyCase wire_cases[] = {
  { "535 5.7.3 Authentication unsuccessful [SGXP274CA0016.SGPP274.PROD.OUTLOOK.COM "
    "2025-03-20T11:25:21.972Z 08DD66EDEFB0DFDF]", 535, 5, 7, 3, 1,
    "Authentication unsuccessful [SGXP274CA0016.SGPP274.PROD.OUTLOOK.COM "
    "2025-03-20T11:25:21.972Z 08DD66EDEFB0DFDF]" },
  { "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
    "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. "
    "[MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]",
    535, 5, 7, 139, 1, NULL },
  { "550 5.7.30 Basic authentication is not supported for Client Submission.",
    550, 5, 7, 30, 1, "Basic authentication is not supported for Client Submission." },
  { "530 5.7.57 Client not authenticated to send mail", 530, 5, 7, 57, 1,
    "Client not authenticated to send mail" },
  /* Exchange: basic class 4, enhanced class 5 is fine; so is the reverse. */
  { "451 5.7.3 STARTTLS is required to send mail [SG2PR02CA0073.apcprd02.prod.outlook.com "
    "2024-07-24T03:43:18.298Z 08DCAB6EB788477A]", 451, 5, 7, 3, 1, NULL },
  { "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support "
    "TLS 1.2. Visit https://aka.ms/smtp_auth_tls", 421, 4, 7, 66, 1, NULL },
  { "550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list "
    "please visit https://sender.office.com/ and follow the directions.", 550, 5, 7, 606, 1, NULL },
  { "554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as boss@contoso.com; "
    "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied", 554, 5, 2,
    252, 1, NULL },
  /* Localized text (Portuguese, Japanese): only the codes matter. */
  { "535 5.7.139 Autenticação malsucedida, a solicitação não atendeu aos critérios",
    535, 5, 7, 139, 1, "Autenticação malsucedida, a solicitação não atendeu aos critérios" },
  { "535 5.7.139 認証に失敗しました", 535, 5, 7, 139, 1, "認証に失敗しました" },
  /* No enhanced code; code only; empty text. */
  { "220 BE1P281CA0440.outlook.office365.com Microsoft ESMTP MAIL Service ready at Mon, 4 Aug "
    "2025 11:15:30 +0000 [08DDD30471EE4ED5]", 220, 0, 0, 0, 1, NULL },
  { "250", 250, 0, 0, 0, 1, "" },
  { "250 ", 250, 0, 0, 0, 1, "" },
  { "250 2.0.0", 250, 2, 0, 0, 1, "" },
  /* Not enhanced: too many digits, four parts, class 3, letters after it. */
  { "550 5.7.6060 x", 550, 0, 0, 0, 1, "5.7.6060 x" },
  { "250 4.2.1.1 x", 250, 0, 0, 0, 1, "4.2.1.1 x" },
  { "354 3.0.0 go", 354, 0, 0, 0, 1, "3.0.0 go" },
  { "550 5.7.1a x", 550, 0, 0, 0, 1, "5.7.1a x" },
  { "550 5.7.1; x", 550, 5, 7, 1, 1, "; x" },
  /* Multi-line: the EHLO reply of smtp.office365.com before STARTTLS. */
  { "250-BN9PR03CA0152.outlook.office365.com Hello [2601:840:8081:4a70:ebeb:3348:83bb:1cda]\n"
    "250-SIZE 157286400\n250-PIPELINING\n250-DSN\n250-ENHANCEDSTATUSCODES\n250-STARTTLS\n"
    "250-8BITMIME\n250-BINARYMIME\n250-CHUNKING\n250 SMTPUTF8", 250, 0, 0, 0, 10, NULL },
  { "550-5.7.1 first\n550-5.7.1 second\n550 5.7.1 third", 550, 5, 7, 1, 3,
    "first second third" },
  { "250-\n250 ok", 250, 0, 0, 0, 2, "ok" },
};

static void
test_reader_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (wire_cases); i++)
    {
      const ReplyCase *c = &wire_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DmdReply) reply = read_wire (c->wire, &error);
      g_autofree char *wire = NULL;
      g_autofree char *shown = g_strescape (c->wire, NULL);

      g_test_message ("case %zu: %s", i, shown);
      g_assert_no_error (error);
      g_assert_nonnull (reply);
      g_assert_cmpuint (reply->code, ==, c->code);
      g_assert_cmpuint (reply->enh_class, ==, c->klass);
      g_assert_cmpuint (reply->enh_subject, ==, c->subject);
      g_assert_cmpuint (reply->enh_detail, ==, c->detail);
      g_assert_cmpuint (reply->lines->len, ==, c->n_lines);
      g_assert_true (dmd_reply_has_enhanced (reply) == (c->klass != 0));
      if (c->klass != 0)
        g_assert_true (dmd_reply_enhanced_is (reply, c->klass, c->subject, c->detail));
      if (c->text != NULL)
        {
          g_autofree char *text = dmd_reply_text (reply);
          g_assert_cmpstr (text, ==, c->text);
        }
      /* The wire form comes back as it was sent (these lines need no escaping). */
      wire = dmd_reply_to_string (reply);
      if (strcmp (c->wire, "250 ") != 0)
        g_assert_cmpstr (wire, ==, c->wire);
    }
}

static void
test_reader_enhanced_exact (void)
{
  g_autoptr(DmdReply) r606 = read_wire ("550 5.7.606 Access denied", NULL);
  g_autoptr(DmdReply) r60 = read_wire ("550 5.7.60 SMTP; Client does not have permissions", NULL);

  g_assert_true (dmd_reply_enhanced_is (r606, 5, 7, 606));
  g_assert_false (dmd_reply_enhanced_is (r606, 5, 7, 60));
  g_assert_false (dmd_reply_enhanced_is (r606, 5, 7, 6));
  g_assert_true (dmd_reply_enhanced_is (r60, 5, 7, 60));
  g_assert_false (dmd_reply_enhanced_is (r60, 5, 7, 606));
}

typedef struct {
  const char *wire;
  int         code;
} ErrorCase;

static void
test_reader_malformed (void)
{
  static const ErrorCase cases[] = {
    { "", DMD_REPLY_ERROR_MALFORMED },
    { "hello", DMD_REPLY_ERROR_MALFORMED },
    { "25", DMD_REPLY_ERROR_MALFORMED },
    { "2500 x", DMD_REPLY_ERROR_MALFORMED },
    { "250x", DMD_REPLY_ERROR_MALFORMED },
    { "099 x", DMD_REPLY_ERROR_MALFORMED },
    { "650 x", DMD_REPLY_ERROR_MALFORMED },
    { " 250 x", DMD_REPLY_ERROR_MALFORMED },
    { "250-a\nno code here", DMD_REPLY_ERROR_MALFORMED },
    { "250-a\n550 b", DMD_REPLY_ERROR_MIXED_CODES },
    { "250-a\n251-b\n250 c", DMD_REPLY_ERROR_MIXED_CODES },
    { "HTTP/1.1 400 Bad Request", DMD_REPLY_ERROR_MALFORMED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DmdReply) reply = read_wire (cases[i].wire, &error);

      g_test_message ("case %zu: %s", i, cases[i].wire);
      g_assert_null (reply);
      g_assert_error (error, DMD_REPLY_ERROR, cases[i].code);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
test_reader_too_many_lines (void)
{
  g_autoptr(DmdReplyReader) reader = dmd_reply_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;
  guint i;

  for (i = 0; i < DMD_REPLY_MAX_LINES; i++)
    g_assert_false (dmd_reply_reader_feed (reader, "250-x", 5, &error));
  g_assert_no_error (error);
  g_assert_false (dmd_reply_reader_feed (reader, "250 x", 5, &error));
  g_assert_error (error, DMD_REPLY_ERROR, DMD_REPLY_ERROR_TOO_MANY_LINES);
  g_clear_error (&error);

  /* The reader starts over after an error; exactly MAX_LINES lines are fine. */
  for (i = 0; i + 1 < DMD_REPLY_MAX_LINES; i++)
    g_assert_false (dmd_reply_reader_feed (reader, "250-x", 5, &error));
  g_assert_true (dmd_reply_reader_feed (reader, "250 x", 5, &error));
  g_assert_no_error (error);
  reply = dmd_reply_reader_steal (reader);
  g_assert_cmpuint (reply->lines->len, ==, DMD_REPLY_MAX_LINES);
  g_assert_null (dmd_reply_reader_steal (reader));
}

static void
test_reader_escapes (void)
{
  g_autoptr(DmdReplyReader) reader = dmd_reply_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autoptr(DmdReply) again = NULL;
  g_autofree char *wire = NULL;
  static const char line[] = "550 5.7.1 a\0b\x1b[31mred\xff\xc3(\tend";

  /* NUL, an ANSI escape, invalid UTF-8: kept visible, escaped, valid UTF-8. */
  g_assert_true (dmd_reply_reader_feed (reader, line, sizeof line - 1, &error));
  g_assert_no_error (error);
  reply = dmd_reply_reader_steal (reader);
  g_assert_cmpstr (g_ptr_array_index (reply->lines, 0), ==,
                   "5.7.1 a\\x00b\\x1B[31mred\\xFF\\xC3(\tend");
  g_assert_true (dmd_reply_enhanced_is (reply, 5, 7, 1));
  wire = dmd_reply_to_string (reply);
  g_assert_true (g_utf8_validate (wire, -1, NULL));

  /* The reader is reusable after a steal. */
  g_assert_true (dmd_reply_reader_feed (reader, "221 bye", 7, &error));
  again = dmd_reply_reader_steal (reader);
  g_assert_cmpuint (again->code, ==, 221);
}

/* A 1 MiB line never becomes a reply: the line buffer stops it, the reader never sees it. */
static void
test_reader_through_buffer (void)
{
  g_autoptr(DmdLineBuffer) buf = dmd_line_buffer_new ();
  g_autoptr(DmdReplyReader) reader = dmd_reply_reader_new ();
  g_autofree char *huge = g_strnfill (1024 * 1024, 'A');
  g_autoptr(DmdReply) reply = NULL;
  g_autofree char *line = NULL;
  gsize len;

  push_str (buf, "250-");
  push_str (buf, huge);
  push_str (buf, "\r\n");
  g_assert_cmpint (dmd_line_buffer_take_line (buf, &line, &len), ==, DMD_LINE_TOO_LONG);

  push_str (buf, "250-mx.example Hello [198.51.100.7]\r\n250 PIPELINING\r\n");
  while (dmd_line_buffer_take_line (buf, &line, &len) == DMD_LINE_OK)
    {
      gboolean done = dmd_reply_reader_feed (reader, line, len, NULL);

      g_clear_pointer (&line, g_free);
      if (done)
        break;
    }
  reply = dmd_reply_reader_steal (reader);
  g_assert_nonnull (reply);
  g_assert_cmpuint (reply->lines->len, ==, 2);
}

/* ---------------------------------------------------------------------------------------- */
/* Enhanced codes and escaping                                                               */
/* ---------------------------------------------------------------------------------------- */

static void
test_enhanced_parse (void)
{
  static const struct {
    const char *text;
    gboolean    ok;
    guint       c, s, d;
    gsize       consumed;
  } cases[] = {
    { "5.7.139 x", TRUE, 5, 7, 139, 7 },
    { "2.0.0", TRUE, 2, 0, 0, 5 },
    { "4.4.62 Mail sent to the wrong Office 365 region. ATTR35.", TRUE, 4, 4, 62, 6 },
    { "5.7.606", TRUE, 5, 7, 606, 7 },
    { "5.7.60;", TRUE, 5, 7, 60, 6 },
    { "5.999.999 x", TRUE, 5, 999, 999, 9 },
    { "5.1000.1", FALSE },
    { "5.1.1000", FALSE },
    { "3.0.0", FALSE },
    { "1.2.3", FALSE },
    { "5.7", FALSE },
    { "5.7.", FALSE },
    { "5..1", FALSE },
    { "5.7.1.2", FALSE },
    { "5.7.1x", FALSE },
    { "55.7.1", FALSE },
    { " 5.7.1", FALSE },
    { "", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint c = 99, s = 99, d = 99;
      gsize n = 99;

      g_test_message ("case %zu: %s", i, cases[i].text);
      g_assert_cmpint (dmd_enhanced_code_parse (cases[i].text, &c, &s, &d, &n), ==, cases[i].ok);
      if (cases[i].ok)
        {
          g_assert_cmpuint (c, ==, cases[i].c);
          g_assert_cmpuint (s, ==, cases[i].s);
          g_assert_cmpuint (d, ==, cases[i].d);
          g_assert_cmpuint (n, ==, cases[i].consumed);
        }
    }
}

static void
test_escape_bytes (void)
{
  static const struct {
    const char *in;
    gssize      len;   /* -1: strlen */
    const char *out;
  } cases[] = {
    { "plain ASCII", -1, "plain ASCII" },
    { "tab\tkept", -1, "tab\tkept" },
    { "cr\rlf\n", -1, "cr\\x0Dlf\\x0A" },
    { "nul\0x", 5, "nul\\x00x" },
    { "\x1b[2J", -1, "\\x1B[2J" },
    { "del\x7f", -1, "del\\x7F" },
    { "日本語 ü", -1, "日本語 ü" },
    { "bad \xff\xfe end", -1, "bad \\xFF\\xFE end" },
    { "cut \xe6\x97", -1, "cut \\xE6\\x97" },
    { "overlong \xc0\xaf", -1, "overlong \\xC0\\xAF" },
    { "surrogate \xed\xa0\x80", -1, "surrogate \\xED\\xA0\\x80" },
    { "c1 \xc2\x9b" "31m", -1, "c1 \\xC2\\x9B31m" },
    { "bidi \xe2\x80\xae" "evil", -1, "bidi \\xE2\\x80\\xAEevil" },
    { "", 0, "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = cases[i].len < 0 ? strlen (cases[i].in) : (gsize) cases[i].len;
      g_autofree char *out = dmd_escape_bytes ((const guint8 *) cases[i].in, len);

      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_true (g_utf8_validate (out, -1, NULL));
    }

  /* Every single byte value, and random noise: always valid UTF-8 without controls. */
  for (guint b = 0; b < 256; b++)
    {
      guint8 byte = (guint8) b;
      g_autofree char *out = dmd_escape_bytes (&byte, 1);

      g_assert_true (g_utf8_validate (out, -1, NULL));
    }
  for (guint round = 0; round < 200; round++)
    {
      guint8 noise[64];
      g_autofree char *out = NULL;

      for (gsize i = 0; i < sizeof noise; i++)
        noise[i] = (guint8) g_test_rand_int_range (0, 256);
      out = dmd_escape_bytes (noise, sizeof noise);
      g_assert_true (g_utf8_validate (out, -1, NULL));
      for (const char *q = out; *q != '\0'; q = g_utf8_next_char (q))
        {
          gunichar c = g_utf8_get_char (q);
          g_assert_true (c >= 0x20 || c == '\t');
          g_assert_false (c >= 0x7F && c <= 0x9F);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Pasted replies                                                                            */
/* ---------------------------------------------------------------------------------------- */

typedef struct {
  const char *pasted;
  guint       code;
  guint       klass, subject, detail;
  const char *text;    /* dmd_reply_text(), NULL: not checked */
} PasteCase;

static const PasteCase paste_cases[] = {
  { "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
    "[PN0PR01CA0024.INDPRD01.PROD.OUTLOOK.COM 2025-01-26T18:54:30.055Z 08DD3DD7D75D7743]",
    535, 5, 7, 139, NULL },
  /* Surrounding white space, CRLF, blank lines. */
  { "  \r\n\t550 5.7.60 SMTP; Client does not have permissions to send as this sender  \r\n\r\n",
    550, 5, 7, 60, "SMTP; Client does not have permissions to send as this sender" },
  /* No basic code: the older 5.7.57 wording from a log. */
  { "5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM "
    "[AM0PR10CA0081.EURPRD10.PROD.OUTLOOK.COM]", 0, 5, 7, 57,
    "SMTP; Client was not authenticated to send anonymous mail during MAIL FROM "
    "[AM0PR10CA0081.EURPRD10.PROD.OUTLOOK.COM]" },
  { "#5.7.1 not allowed", 0, 5, 7, 1, "not allowed" },
  /* Missing continuation dashes, LF only, and a wrapped line without a code. */
  { "550 5.7.1 first part\n550 5.7.1 second part\ncontinued here", 550, 5, 7, 1,
    "first part second part continued here" },
  { "550-5.7.1 a\r\n550 5.7.1 b", 550, 5, 7, 1, "a b" },
  /* Transcript prefixes. */
  { "<<< 535 5.7.3 Authentication unsuccessful", 535, 5, 7, 3, "Authentication unsuccessful" },
  { "S: 530 5.7.57 Client not authenticated to send mail", 530, 5, 7, 57, NULL },
  { "[S] 421 4.7.66 TLS 1.0 and 1.1 are not supported.", 421, 4, 7, 66, NULL },
  /* Bounce messages: the code later in the line. */
  { "Remote Server returned '550 5.7.64 TenantAttribution; Relay Access Denied SMTP.'",
    550, 5, 7, 64, "TenantAttribution; Relay Access Denied SMTP." },
  { "Diagnostic-Code: smtp; 550 5.4.1 Recipient address rejected: Access denied. "
    "AS(201806281)", 550, 5, 4, 1, NULL },
  { "Remote Server returned '<xx> #5.7.68 smtp;550 5.7.68 TenantInboundAttribution; Direct "
    "Send not allowed for this organization from unauthorized sources'", 550, 5, 7, 68, NULL },
  /* Basic class 4, enhanced class 5. */
  { "451 5.7.3 STARTTLS is required to send mail", 451, 5, 7, 3, NULL },
  /* A transcript: the first failure is what the user wants explained. */
  { "S: 220 mx.example ESMTP\nC: EHLO printer\nS: 250-mx.example Hello [192.0.2.1]\n"
    "S: 250 AUTH LOGIN\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: [redacted]\n"
    "S: 535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.\n"
    "C: QUIT\nS: 221 2.0.0 Service closing transmission channel",
    535, 5, 7, 139, "Authentication unsuccessful, the user credentials were incorrect." },
  { "250 2.1.0 Sender OK\n250 2.1.5 Recipient OK\n550 5.7.708 Service unavailable.", 550, 5, 7,
    708, "Service unavailable." },
  /* All fine: the last reply. */
  { "220 ready\n250 2.0.0 OK", 250, 2, 0, 0, "OK" },
  /* Text before the first code is not part of the reply. */
  { "Error sending mail:\n550 5.1.8 Access denied, bad outbound sender AS(42004)", 550, 5, 1, 8,
    "Access denied, bad outbound sender AS(42004)" },
  /* Localized. */
  { "535 5.7.139 認証に失敗しました。", 535, 5, 7, 139, "認証に失敗しました。" },
  /* Invalid UTF-8 in a pasted line. */
  { "550 5.7.1 bad\xff", 550, 5, 7, 1, "bad\\xFF" },
  /* CR only. */
  { "550-5.7.1 a\r550 5.7.1 b", 550, 5, 7, 1, "a b" },
  /* Code only. */
  { "421", 421, 0, 0, 0, "" },
};

static void
test_parse_text_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (paste_cases); i++)
    {
      const PasteCase *c = &paste_cases[i];
      g_autoptr(DmdReply) reply = dmd_reply_parse_text (c->pasted);
      g_autofree char *shown = g_strescape (c->pasted, NULL);

      g_test_message ("case %zu: %s", i, shown);
      g_assert_nonnull (reply);
      g_assert_cmpuint (reply->code, ==, c->code);
      g_assert_cmpuint (reply->enh_class, ==, c->klass);
      g_assert_cmpuint (reply->enh_subject, ==, c->subject);
      g_assert_cmpuint (reply->enh_detail, ==, c->detail);
      if (c->text != NULL)
        {
          g_autofree char *text = dmd_reply_text (reply);
          g_assert_cmpstr (text, ==, c->text);
        }
    }
}

static void
test_parse_text_none (void)
{
  static const char *none[] = {
    "",
    "   \r\n\n",
    ("Authentication unsuccessful, the request did not meet the criteria to be authenticated "
     "successfully. Contact your administrator. [INDPRD01.PROD.OUTLOOK.COM]"),
    "version 4.2.1.1 of the firmware",
    "C: EHLO printer",
    "2024 was a long year",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (none); i++)
    {
      g_autoptr(DmdReply) reply = dmd_reply_parse_text (none[i]);

      g_test_message ("case %zu: %s", i, none[i]);
      g_assert_null (reply);
    }
}

static void
test_parse_text_bounded (void)
{
  g_autoptr(GString) big = g_string_new ("550 5.7.1 ");
  g_autoptr(DmdReply) reply = NULL;

  /* A 1 MiB line and a thousand continuation lines: bounded like a wire reply. */
  for (int i = 0; i < 1024 * 1024; i++)
    g_string_append_c (big, 'x');
  for (int i = 0; i < 1000; i++)
    g_string_append (big, "\nmore");
  reply = dmd_reply_parse_text (big->str);
  g_assert_nonnull (reply);
  g_assert_true (dmd_reply_enhanced_is (reply, 5, 7, 1));
  g_assert_cmpuint (reply->lines->len, ==, DMD_REPLY_MAX_LINES);
  g_assert_cmpuint (strlen (g_ptr_array_index (reply->lines, 0)), ==, DMD_REPLY_MAX_LINE);
}

/* ---------------------------------------------------------------------------------------- */
/* EHLO                                                                                      */
/* ---------------------------------------------------------------------------------------- */

static DmdEhlo *
ehlo_from_wire (const char *wire)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdReply) reply = read_wire (wire, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reply);
  return dmd_ehlo_parse (reply);
}

#define M365_EHLO_COMMON \
  "250-SIZE 157286400\n250-PIPELINING\n250-DSN\n250-ENHANCEDSTATUSCODES\n"

static void
test_ehlo_office365 (void)
{
  /* smtp.office365.com before STARTTLS: no AUTH at all. */
  g_autoptr(DmdEhlo) before = ehlo_from_wire (
    "250-server.outlook.office365.com Hello [98.217.221.170]\n" M365_EHLO_COMMON
    "250-STARTTLS\n250-8BITMIME\n250-BINARYMIME\n250-CHUNKING\n250 SMTPUTF8");
  /* After STARTTLS: AUTH LOGIN XOAUTH2 instead of STARTTLS, no PLAIN. */
  g_autoptr(DmdEhlo) after = ehlo_from_wire (
    "250-server.outlook.office365.com Hello [98.217.221.170]\n" M365_EHLO_COMMON
    "250-AUTH LOGIN XOAUTH2\n250-8BITMIME\n250-BINARYMIME\n250-CHUNKING\n250 SMTPUTF8");

  g_assert_cmpstr (before->greeting, ==, "server.outlook.office365.com Hello [98.217.221.170]");
  g_assert_cmpstr (before->public_ip, ==, "98.217.221.170");
  g_assert_true (before->starttls);
  g_assert_true (before->pipelining);
  g_assert_true (before->enhancedstatuscodes);
  g_assert_true (before->smtputf8);
  g_assert_true (before->eightbitmime);
  g_assert_true (before->chunking);
  g_assert_cmpuint (before->size, ==, 157286400);
  g_assert_false (before->auth_login || before->auth_plain || before->auth_xoauth2);
  g_assert_cmpuint (before->auth_mechs->len, ==, 0);
  g_assert_cmpuint (before->keywords->len, ==, 9);
  g_assert_cmpstr (g_ptr_array_index (before->keywords, 0), ==, "SIZE 157286400");

  g_assert_false (after->starttls);
  g_assert_true (after->auth_login);
  g_assert_true (after->auth_xoauth2);
  g_assert_false (after->auth_plain);
  g_assert_cmpuint (after->auth_mechs->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (after->auth_mechs, 0), ==, "LOGIN");
  g_assert_cmpstr (g_ptr_array_index (after->auth_mechs, 1), ==, "XOAUTH2");
}

static void
test_ehlo_mx_endpoint (void)
{
  g_autoptr(DmdEhlo) ehlo = ehlo_from_wire (
    "250-SN1NAM02FT0049.mail.protection.outlook.com Hello [18.209.86.113]\n" M365_EHLO_COMMON
    "250-STARTTLS\n250-8BITMIME\n250-BINARYMIME\n250-CHUNKING\n250 SMTPUTF8");

  g_assert_cmpstr (ehlo->public_ip, ==, "18.209.86.113");
  g_assert_true (ehlo->starttls);
  g_assert_cmpuint (ehlo->auth_mechs->len, ==, 0);
}

static void
test_ehlo_other_servers (void)
{
  /* Postfix: no address in the greeting; old AUTH= form next to the new one; lower case. */
  g_autoptr(DmdEhlo) postfix = ehlo_from_wire (
    "250-mx.probe.test\n250-PIPELINING\n250-SIZE 10240000\n250-VRFY\n250-ETRN\n"
    "250-AUTH PLAIN LOGIN\n250-AUTH=PLAIN LOGIN\n250-ENHANCEDSTATUSCODES\n250-8BITMIME\n"
    "250-DSN\n250 chunking");
  g_autoptr(DmdEhlo) old = ehlo_from_wire ("250-old.example\n250-AUTH=LOGIN\n250 size");
  g_autoptr(DmdEhlo) single = ehlo_from_wire ("250 mx.example at your service");
  g_autoptr(DmdReply) refused = dmd_reply_parse_text ("502 5.5.1 EHLO not implemented");
  g_autoptr(DmdEhlo) garbage = ehlo_from_wire (
    "250-x\n250-AUTH LOGIN \xff\xfe AVeryLongMechanismNameOverTwenty\n250-SIZE huge\n"
    "250-SIZE 99999999999999999999999\n250-   \n250 AUTH   login");

  g_assert_null (postfix->public_ip);
  g_assert_true (postfix->auth_plain);
  g_assert_true (postfix->auth_login);
  g_assert_false (postfix->auth_xoauth2);
  g_assert_cmpuint (postfix->auth_mechs->len, ==, 2);
  g_assert_true (postfix->chunking);
  g_assert_cmpuint (postfix->size, ==, 10240000);

  g_assert_true (old->auth_login);
  g_assert_cmpuint (old->auth_mechs->len, ==, 1);
  g_assert_cmpuint (old->size, ==, 0);

  g_assert_cmpstr (single->greeting, ==, "mx.example at your service");
  g_assert_cmpuint (single->keywords->len, ==, 0);

  g_assert_null (dmd_ehlo_parse (refused));

  g_assert_true (garbage->auth_login);
  g_assert_cmpuint (garbage->auth_mechs->len, ==, 1);
  g_assert_cmpuint (garbage->size, ==, 0);
  g_assert_cmpuint (garbage->keywords->len, ==, 4);
}

static void
test_ehlo_extract_ip (void)
{
  static const struct {
    const char *greeting;
    const char *ip;
  } cases[] = {
    { "server.outlook.office365.com Hello [98.217.221.170]", "98.217.221.170" },
    { "BN9PR03CA0152.outlook.office365.com Hello [2601:840:8081:4a70:ebeb:3348:83bb:1cda]",
      "2601:840:8081:4a70:ebeb:3348:83bb:1cda" },
    { "mx.example Hello printer [IPv6:2001:DB8:0:0:0:0:0:1]", "2001:db8::1" },
    { "mx.example Hello [ipv6:2001:db8::1]", "2001:db8::1" },
    { "mx.example Hello [IPv6:192.0.2.1]", NULL },
    { "smtp.example at your service, [203.0.113.7]", "203.0.113.7" },
    { "mx.example Hello [printer] [198.51.100.1]", "198.51.100.1" },
    { "mx.example Hello [1.2.3]", NULL },
    { "mx.example Hello [256.1.1.1]", NULL },
    { "mx.example Hello [fe80::1%eth0]", NULL },
    { "mx.example Hello [", NULL },
    { "mx.example Hello []", NULL },
    { "mx.example Hello 192.0.2.1", NULL },
    { "mx.example", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ip = dmd_ehlo_extract_ip (cases[i].greeting);

      g_test_message ("case %zu: %s", i, cases[i].greeting);
      g_assert_cmpstr (ip, ==, cases[i].ip);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dmd/reply/line/crlf-and-lf", test_line_crlf_and_lf);
  g_test_add_func ("/dmd/reply/line/split-pushes", test_line_split_pushes);
  g_test_add_func ("/dmd/reply/line/pending", test_line_pending);
  g_test_add_func ("/dmd/reply/line/nul-and-binary", test_line_nul_and_binary);
  g_test_add_func ("/dmd/reply/line/max-exact", test_line_max_exact);
  g_test_add_func ("/dmd/reply/line/too-long-stream", test_line_too_long_stream);

  g_test_add_func ("/dmd/reply/reader/table", test_reader_table);
  g_test_add_func ("/dmd/reply/reader/enhanced-exact", test_reader_enhanced_exact);
  g_test_add_func ("/dmd/reply/reader/malformed", test_reader_malformed);
  g_test_add_func ("/dmd/reply/reader/too-many-lines", test_reader_too_many_lines);
  g_test_add_func ("/dmd/reply/reader/escapes", test_reader_escapes);
  g_test_add_func ("/dmd/reply/reader/through-buffer", test_reader_through_buffer);

  g_test_add_func ("/dmd/reply/enhanced/parse", test_enhanced_parse);
  g_test_add_func ("/dmd/reply/escape/bytes", test_escape_bytes);
  g_test_add_func ("/dmd/reply/parse-text/table", test_parse_text_table);
  g_test_add_func ("/dmd/reply/parse-text/none", test_parse_text_none);
  g_test_add_func ("/dmd/reply/parse-text/bounded", test_parse_text_bounded);
  g_test_add_func ("/dmd/reply/ehlo/office365", test_ehlo_office365);
  g_test_add_func ("/dmd/reply/ehlo/mx-endpoint", test_ehlo_mx_endpoint);
  g_test_add_func ("/dmd/reply/ehlo/other-servers", test_ehlo_other_servers);
  g_test_add_func ("/dmd/reply/ehlo/extract-ip", test_ehlo_extract_ip);

  return g_test_run ();
}
