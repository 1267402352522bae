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

  return g_test_run ();
}
