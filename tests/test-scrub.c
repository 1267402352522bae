/* test-scrub.c — the credentials never survive a server line: every form a server could echo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dmd-conn.h"
#include "dmd-scrub.h"

#define PASSWORD "Sc4n-2-Ma1l!pw#7?"
#define USER     "scanner@contoso.com"
/* JWT-shaped: three base64url parts. */
#define TOKEN    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.c2lnbmF0dXJlLW5vdC12YWxpZC1mb3ItdGVzdHM"

static DmdScrubber *
make_scrubber (void)
{
  DmdScrubber *scrubber = dmd_scrubber_new ();

  dmd_scrubber_add_secret (scrubber, PASSWORD, USER);
  dmd_scrubber_add_secret (scrubber, TOKEN, USER);
  return scrubber;
}

/* The characters of base64(pad bytes + secret) made of the secret's bits alone: what a test
 * must never find, whatever surrounds the secret in the encoded stream. */
static char *
core_of (const char *secret,
         gsize       pad,
         gboolean    url)
{
  gsize len = strlen (secret);
  g_autofree guint8 *buf = g_malloc0 (pad + len);
  g_autofree char *encoded = NULL;
  char *core;

  memcpy (buf + pad, secret, len);
  encoded = g_base64_encode (buf, pad + len);
  core = g_strndup (encoded + (pad * 8 + 5) / 6, (pad + len) * 8 / 6 - (pad * 8 + 5) / 6);
  for (char *p = core; url && *p != '\0'; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  return core;
}

static char *
scrub (DmdScrubber *scrubber,
       const char  *text)
{
  char *out = dmd_scrubber_apply (scrubber, text, strlen (text), NULL);

  return out != NULL ? out : g_strdup (text);
}

static void
assert_no_secret (const char *text)
{
  const char *secrets[] = { PASSWORD, TOKEN };

  for (guint s = 0; s < G_N_ELEMENTS (secrets); s++)
    {
      g_assert_null (strstr (text, secrets[s]));
      for (gsize pad = 0; pad < 3; pad++)
        for (int url = 0; url < 2; url++)
          {
            g_autofree char *core = core_of (secrets[s], pad, url);

            if (strstr (text, core) != NULL)
              g_test_message ("found the %s form at alignment %" G_GSIZE_FORMAT ": %s",
                              s == 0 ? "password" : "token", pad, text);
            g_assert_null (strstr (text, core));
          }
    }
}

static void
test_raw (void)
{
  g_autoptr(DmdScrubber) scrubber = make_scrubber ();
  g_autofree char *out = scrub (scrubber, "5.7.8 Password " PASSWORD " is wrong for " USER);

  g_assert_cmpstr (out, ==, "5.7.8 Password [redacted] is wrong for " USER);
}

static void
test_nothing_to_do (void)
{
  g_autoptr(DmdScrubber) scrubber = make_scrubber ();
  g_autoptr(DmdScrubber) empty = dmd_scrubber_new ();
  static const char line[] = "2.7.0 Authentication successful";

  g_assert_null (dmd_scrubber_apply (scrubber, line, strlen (line), NULL));
  dmd_scrubber_add_secret (empty, NULL, USER);
  dmd_scrubber_add_secret (empty, "", USER);
  g_assert_true (dmd_scrubber_is_empty (empty));
  g_assert_null (dmd_scrubber_apply (empty, line, strlen (line), NULL));
}

/* The secret inside a longer base64 stream, at each of the three byte alignments, with
 * anything before and after it. */
static void
test_base64_every_alignment (void)
{
  g_autoptr(DmdScrubber) scrubber = make_scrubber ();
  const char *secrets[] = { PASSWORD, TOKEN };

  for (guint s = 0; s < G_N_ELEMENTS (secrets); s++)
    for (gsize before = 0; before < 7; before++)
      for (gsize after = 0; after < 4; after++)
        {
          GString *blob = g_string_new (NULL);
          g_autofree char *encoded = NULL;
          g_autofree char *line = NULL;
          g_autofree char *out = NULL;

          for (gsize i = 0; i < before; i++)
            g_string_append_c (blob, (char) ('a' + g_random_int_range (0, 26)));
          g_string_append (blob, secrets[s]);
          for (gsize i = 0; i < after; i++)
            g_string_append_c (blob, (char) g_random_int_range (1, 256));
          encoded = g_base64_encode ((const guchar *) blob->str, blob->len);
          g_string_free (blob, TRUE);

          line = g_strdup_printf ("5.7.3 you sent %s, wrong", encoded);
          out = scrub (scrubber, line);
          assert_no_secret (out);
          g_assert_true (g_str_has_prefix (out, "5.7.3 you sent "));
          g_assert_nonnull (strstr (out, "[redacted]"));

          /* The URL-safe alphabet too. */
          for (char *p = line; *p != '\0'; p++)
            *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
          g_free (out);
          out = scrub (scrubber, line);
          assert_no_secret (out);
        }
}

static void
test_auth_blobs (void)
{
  g_autoptr(DmdScrubber) scrubber = make_scrubber ();
  g_autofree char *login = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));
  g_autofree char *xoauth2_raw = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", USER, TOKEN);
  g_autofree char *xoauth2 = g_base64_encode ((const guchar *) xoauth2_raw, strlen (xoauth2_raw));
  g_autofree char *plain = NULL;
  char raw[sizeof USER + sizeof PASSWORD];
  g_autofree char *line = NULL;
  g_autofree char *out = NULL;

  /* authzid (empty) NUL authcid NUL password */
  raw[0] = '\0';
  memcpy (raw + 1, USER, sizeof USER);
  memcpy (raw + 1 + sizeof USER, PASSWORD, sizeof PASSWORD - 1);
  plain = g_base64_encode ((const guchar *) raw, sizeof raw);

  line = g_strdup_printf ("5.7.8 got %s", login);
  out = scrub (scrubber, line);
  g_assert_cmpstr (out, ==, "5.7.8 got [redacted]");

  g_free (line);
  g_free (out);
  line = g_strdup_printf ("5.7.8 got %s then", plain);
  out = scrub (scrubber, line);
  g_assert_cmpstr (out, ==, "5.7.8 got [redacted] then");

  g_free (line);
  g_free (out);
  line = g_strdup_printf ("{\"status\":\"400\",\"echo\":\"%s\"}", xoauth2);
  out = scrub (scrubber, line);
  g_assert_cmpstr (out, ==, "{\"status\":\"400\",\"echo\":\"[redacted]\"}");

  g_free (out);
  out = scrub (scrubber, xoauth2_raw);
  assert_no_secret (out);
}

/* Each long part of a JWT-shaped token alone identifies it. */
static void
test_token_parts (void)
{
  g_autoptr(DmdScrubber) scrubber = make_scrubber ();
  g_auto(GStrv) parts = g_strsplit (TOKEN, ".", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("5.7.3 token part %s rejected", parts[i]);
      g_autofree char *out = scrub (scrubber, line);

      g_assert_cmpstr (out, ==, "5.7.3 token part [redacted] rejected");
    }
}

/* A short secret: itself always, its base64 runs only when long enough not to eat the text. */
static void
test_short_secret (void)
{
  g_autoptr(DmdScrubber) scrubber = dmd_scrubber_new ();
  g_autofree char *out = NULL;

  dmd_scrubber_add_secret (scrubber, "pw", "u");
  out = scrub (scrubber, "A password pw was given");
  g_assert_cmpstr (out, ==, "A password [redacted] was given");
}

/* Through the connection: the reply parses (its code kept), its text is scrubbed, and the line
 * callback (the transcript) sees the scrubbed line only. */
static void
on_line (const char *line,
         gsize       len,
         gpointer    user_data)
{
  g_string_append_len (user_data, line, len);
  g_string_append_c (user_data, '\n');
}

static void
test_conn_reply (void)
{
  g_autoptr(DmdScrubber) scrubber = make_scrubber ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) ours = NULL;
  g_autoptr(DmdConn) conn = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree char *login = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));
  g_autofree char *wire = NULL;
  g_autofree char *text = NULL;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  ours = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  conn = dmd_conn_new_for_socket (ours);
  dmd_conn_set_scrubber (conn, scrubber);
  dmd_conn_set_line_func (conn, on_line, seen);

  wire = g_strdup_printf ("535-5.7.8 password %s\r\n535 5.7.8 base64 %s\r\n", PASSWORD, login);
  g_assert_cmpint (write (fds[1], wire, strlen (wire)), ==, (gssize) strlen (wire));
  close (fds[1]);

  reply = dmd_conn_read_reply (conn, dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 535);
  g_assert_true (dmd_reply_enhanced_is (reply, 5, 7, 8));
  text = dmd_reply_to_string (reply);
  g_assert_cmpstr (text, ==, "535-5.7.8 password [redacted]\n535 5.7.8 base64 [redacted]");
  g_assert_cmpstr (seen->str, ==, "535-5.7.8 password [redacted]\n535 5.7.8 base64 [redacted]\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dmd/scrub/raw", test_raw);
  g_test_add_func ("/dmd/scrub/nothing-to-do", test_nothing_to_do);
  g_test_add_func ("/dmd/scrub/base64-every-alignment", test_base64_every_alignment);
  g_test_add_func ("/dmd/scrub/auth-blobs", test_auth_blobs);
  g_test_add_func ("/dmd/scrub/token-parts", test_token_parts);
  g_test_add_func ("/dmd/scrub/short-secret", test_short_secret);
  g_test_add_func ("/dmd/scrub/conn-reply", test_conn_reply);
  return g_test_run ();
}
