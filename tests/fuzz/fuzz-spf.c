/* fuzz-spf.c — libFuzzer target: an SPF record as published in DNS (server-controlled text),
 * through the syntax check and a whole evaluation (macros, includes, redirect, limits) against
 * the test resolver, plus the checks' evidence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-spf.h"
#include "fuzz-common.h"
#include "../dmd-test-resolver.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* The fuzzed record is published at t.example; the names it may point at exist too, one of
 * them including t.example back. */
static const char zone[] =
  "x.example TXT \"v=spf1 ip4:192.0.2.0/24 ~all\"\n"
  "back.example TXT \"v=spf1 include:t.example -all\"\n"
  "x.example A 192.0.2.1\n"
  "x.example AAAA 2001:db8::1\n"
  "x.example MX 10 x.example\n"
  "t.example MX 10 x.example\n"
  "t.example A 203.0.113.7\n"
  "7.113.0.203.x.example A 127.0.0.2\n";

static gboolean
is_spf_prefix (const char *text)
{
  return g_ascii_strncasecmp (text, "v=spf1", 6) == 0 && (text[6] == '\0' || text[6] == ' ');
}

static void
publish (DmdTestResolver *resolver,
         const char      *record,
         gsize            len)
{
  GString *line = g_string_new ("t.example TXT");

  /* Character strings of at most 255 bytes, as DNS has them, cut between UTF-8 characters
   * (the zone format takes UTF-8 only); escaped for the zone format. */
  for (const char *p = record; p < record + len; )
    {
      const char *start = p;

      g_string_append (line, " \"");
      while (p < record + len && p - start < 200)
        {
          const char *next = g_utf8_next_char (p);

          for (; p < next; p++)
            {
              if (*p == '"' || *p == '\\')
                g_string_append_c (line, '\\');
              g_string_append_c (line, *p);
            }
        }
      g_string_append_c (line, '"');
    }
  FUZZ_CHECK (dmd_test_resolver_load_data (resolver, line->str, NULL));
  g_string_free (line, TRUE);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  gsize len = strlen (text);
  g_autofree char *why = NULL;
  gboolean valid;
  g_autoptr(DmdTestResolver) resolver = NULL;
  const char *ips[] = { "203.0.113.7", "2001:db8::7" };

  valid = dmd_spf_record_check_syntax (text, &why);
  FUZZ_CHECK (valid == (why == NULL));
  if (why != NULL)
    fuzz_check_safe_text (why);

  /* The zone format takes UTF-8 without line breaks and without NUL. */
  if (len == 0 || len > 2000 || !g_utf8_validate (text, -1, NULL) || strpbrk (text, "\r\n") != NULL)
    return 0;

  resolver = dmd_test_resolver_new ();
  FUZZ_CHECK (dmd_test_resolver_load_data (resolver, zone, NULL));
  publish (resolver, text, len);

  for (guint i = 0; i < G_N_ELEMENTS (ips); i++)
    {
      g_autoptr(DmdSpfEvaluation) ev = dmd_spf_evaluate (G_RESOLVER (resolver), "t.example", ips[i],
                                                         "user@t.example", g_get_monotonic_time () + 10 * G_USEC_PER_SEC, NULL);
      g_autoptr(DmdDnsOutcome) outcome = dmd_spf_check (G_RESOLVER (resolver), "back.example", ips[i],
                                                        g_get_monotonic_time () + 10 * G_USEC_PER_SEC, NULL);

      FUZZ_CHECK (!ev->cancelled);
      FUZZ_CHECK (ev->lookups <= DMD_SPF_MAX_LOOKUPS + 1);
      if (ev->result == DMD_SPF_NONE || ev->result == DMD_SPF_TEMPERROR || ev->result == DMD_SPF_PERMERROR)
        FUZZ_CHECK (ev->problem != NULL && ev->mechanism == NULL);
      if (ev->problem != NULL)
        fuzz_check_safe_text (ev->problem);
      /* A record that passes the syntax check is never a syntax permerror, and back. */
      if (is_spf_prefix (text))
        FUZZ_CHECK (valid || ev->result == DMD_SPF_PERMERROR);
      for (guint j = 0; j < outcome->findings->len; j++)
        fuzz_check_safe_text (((DmdDnsFinding *) g_ptr_array_index (outcome->findings, j))->evidence);
      for (guint j = 0; j < outcome->lines->len; j++)
        fuzz_check_safe_text (g_ptr_array_index (outcome->lines, j));
      FUZZ_CHECK (outcome->summary != NULL);
      fuzz_check_safe_text (outcome->summary);
    }
  return 0;
}
